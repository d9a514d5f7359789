import { ALERT_RULES } from './alert-rules.ts';
import { CONTACT_POINTS, NOTIFICATION_POLICIES } from './contact-point.ts';

/** Every alerting provisioning file, keyed by its name in grafana/provisioning/alerting (JSON: Grafana reads .json there too). */
export const ALERTING_FILES: Readonly<Record<string, unknown>> = {
  'sem-alert-rules.json': ALERT_RULES,
  'sem-contact-point.json': CONTACT_POINTS,
  'sem-notification-policy.json': NOTIFICATION_POLICIES,
};
