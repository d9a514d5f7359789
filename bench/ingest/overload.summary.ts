import type { LoadResult } from './load.runner.ts';

/** One overload phase against the goals of issue #20: goodput ≥ 0.9 × max, shed p99 < 50 ms. */
export interface OverloadSummary {
  id: string;
  offeredPerS: number;
  maxPerS: number;
  goodputPerS: number;
  /** Goodput ÷ the maximum measured in the same run (requests per second). */
  relative: number;
  shedShare: number;
  shedP99: number;
  admittedP50: number;
  admittedP99: number;
  missingRetryAfter: number;
  clientDropped: number;
  errors: number;
  apiCpu: number;
}

/** The reconnect storm (thundering herd) against its goals: drain ≤ 1.3 × ideal, 0 lost, 0 duplicated. */
export interface HerdSummary {
  devices: number;
  readingsPerDevice: number;
  batch: number;
  readings: number;
  drainS: number;
  undrained: number;
  goodput: number;
  maxGoodput: number | undefined;
  idealS: number | undefined;
  answers: Record<string, number>;
  shedShare: number;
  admittedP50: number;
  admittedP99: number;
  shedP99: number;
  missingRetryAfter: number;
  errors: number;
  duplicates: number;
  /** Acknowledged but not in the database (must be 0). */
  lost: number;
  /** Rows beyond what a device sent (stored twice; must be 0). */
  extra: number;
  /** Still in an outbox when the phase's bound ran out (kept by the device, not lost). */
  unsent: number;
  perSecond: number[][];
  apiCpu: number;
}

export function overloadRow(id: string, r: LoadResult, maxPerS: number, offeredPerS: number, apiCpu: number): OverloadSummary {
  const shed = (r.statuses['503'] ?? 0) + (r.statuses['429'] ?? 0);
  return {
    id,
    offeredPerS,
    maxPerS,
    goodputPerS: r.ok / r.seconds,
    relative: r.ok / r.seconds / maxPerS,
    shedShare: r.requests > 0 ? shed / r.requests : 0,
    shedP99: r.shedLatency.quantile(0.99),
    admittedP50: r.latency.quantile(0.5),
    admittedP99: r.latency.quantile(0.99),
    missingRetryAfter: r.missingRetryAfter,
    clientDropped: r.clientDropped,
    errors: r.errors,
    apiCpu,
  };
}

const n0 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const n1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(n < 10 ? 2 : 1));
const mark = (ok: boolean) => (ok ? '✅' : '❌');

export function renderOverload(rows: readonly OverloadSummary[] | undefined, herd: HerdSummary | undefined): string[] {
  const out: string[] = [];
  if (rows?.length) {
    out.push('', 'Overload (goals: goodput ≥ 0.9 × max, shed answers p99 < 50 ms; latency of admitted requests from the due time, of shed ones from the send):', '');
    out.push('| | offered req/s | max req/s (same run) | goodput req/s | goodput ÷ max | shed share | shed p99 ms | admitted p50 / p99 ms | no Retry-After | not sent (client backlog) | no answer | API CPU |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const o of rows) {
      out.push(
        `| ${o.id} | ${n0(o.offeredPerS)} | ${n0(o.maxPerS)} | ${n0(o.goodputPerS)} | ${n1(o.relative)} ${mark(o.relative >= 0.9)} | ${Math.round(o.shedShare * 100)} % | ${n1(o.shedP99)} ${o.shedShare > 0 ? mark(o.shedP99 < 50) : ''} | ${n1(o.admittedP50)} / ${n1(o.admittedP99)} | ${o.missingRetryAfter} | ${n0(o.clientDropped)} | ${o.errors} | ${Math.round(o.apiCpu * 100)} % |`,
      );
    }
  }
  if (herd) {
    const ratio = herd.idealS ? herd.drainS / herd.idealS : Number.NaN;
    out.push('', `Reconnect storm: ${n0(herd.devices)} devices × ${n0(herd.readingsPerDevice)} readings (10 min at 1 Hz, batches of ${herd.batch}) reconnect within one second, retrying as device-sim does:`, '');
    out.push('| readings | drain s | ideal s (readings ÷ max of d) | drain ÷ ideal | goodput readings/s | shed share | admitted p50 / p99 ms | shed p99 ms | answers | lost (acked, not stored) | stored twice | re-sent after a timeout (answered duplicate) | unsent at the bound (devices) | API CPU |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    out.push(
      `| ${n0(herd.readings)} | ${n1(herd.drainS)} | ${n1(herd.idealS)} | ${n1(ratio)} ${mark(ratio <= 1.3)} | ${n0(herd.goodput)} | ${Math.round(herd.shedShare * 100)} % | ${n1(herd.admittedP50)} / ${n1(herd.admittedP99)} | ${n1(herd.shedP99)} | ${Object.entries(herd.answers).map(([k, v]) => `${k}: ${n0(v)}`).join(', ')}${herd.errors ? `, no answer: ${herd.errors}` : ''} | ${n0(herd.lost)} ${mark(herd.lost === 0)} | ${n0(herd.extra)} ${mark(herd.extra === 0)} | ${n0(herd.duplicates)} | ${n0(herd.unsent)} (${herd.undrained}) | ${Math.round(herd.apiCpu * 100)} % |`,
    );
    out.push('', `Per second (readings acknowledged / 2xx / 503+429): ${herd.perSecond.map((s) => (s ? `${s[0]}/${s[1]}/${s[2]}` : '0/0/0')).join(' ')}`);
  }
  return out;
}
