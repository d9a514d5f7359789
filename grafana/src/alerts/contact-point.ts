/**
 * Where alerts go: one contact point whose type and settings come from Grafana's environment
 * (provisioning files interpolate $VAR in contact point settings), and the policy that sends every alert there.
 */
export const CONTACT_POINT_NAME = 'SEM household';

/** The environment variables the Grafana container must set (docs/dashboards.md, "Alerts"). */
export const ALERT_ENV = {
  type: 'SEM_ALERT_CONTACT_TYPE',
  webhookUrl: 'SEM_ALERT_WEBHOOK_URL',
  email: 'SEM_ALERT_EMAIL',
} as const;

export const CONTACT_POINTS = {
  apiVersion: 1,
  contactPoints: [
    {
      orgId: 1,
      name: CONTACT_POINT_NAME,
      receivers: [
        {
          uid: 'sem-household',
          type: `\${${ALERT_ENV.type}}`,
          // webhook reads url, email reads addresses; each ignores the other's setting.
          settings: { url: `\${${ALERT_ENV.webhookUrl}}`, addresses: `\${${ALERT_ENV.email}}` },
          disableResolveMessage: false,
        },
      ],
    },
  ],
} as const;

export const NOTIFICATION_POLICIES = {
  apiVersion: 1,
  policies: [{ orgId: 1, receiver: CONTACT_POINT_NAME, group_by: ['grafana_folder', 'alertname', 'device'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' }],
} as const;
