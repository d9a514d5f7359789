import { renderOverload, type HerdSummary, type OverloadSummary } from './overload.summary.ts';
import { renderMqttStorm, type MqttStormSummary } from './mqtt-storm.summary.ts';
import type { ProfileSummary } from './cpu-profile.summary.ts';
import type { ApiMetrics } from './api-metrics.scrape.ts';
import type { MachineInfo } from './machine.info.ts';
import type { WindowStats } from './phase.measure.ts';
import type { StorageResult } from './storage.phase.ts';
import type { ShapeProfile } from './write-steps.profile.ts';

export interface PhaseRow {
  id: string;
  what: string;
  throughput: number;
  unit: 'rows/s' | 'req/s' | 'readings/s';
  requestsPerS?: number;
  readingsPerS?: number;
  p50?: number;
  p99?: number;
  p999?: number;
  statuses: Record<string, number>;
  errors?: number;
  errorReasons?: Record<string, number>;
  clientDropped?: number;
  missingRetryAfter?: number;
  connections: number;
  window: WindowStats;
  serverCpuUsPerRequest?: number;
  rss?: [number, number][];
  perSecond?: number[][];
  profile?: ProfileSummary | undefined;
  apiMetrics?: ApiMetrics | undefined;
  exitCode?: number | null;
}

export interface BenchReport {
  options: Record<string, unknown>;
  machine: MachineInfo;
  rows: PhaseRow[];
  notes: string[];
  count?: { acknowledged: number; stored: number; missing: number; devicesMissing: number; storedWithoutAck: number };
  storage?: StorageResult;
  steps?: ShapeProfile[];
  overload?: OverloadSummary[];
  herd?: HerdSummary;
  mqtt?: MqttStormSummary;
}

const CEILING: Record<string, string> = { c: 'b', c2: 'c', d: 'a', e: 'b', f: 'b' };
const TARGET: Record<string, number> = { c: 0.35, d: 0.6 };

const f0 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const f1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const pct = (n: number) => `${Math.round(n * 100)} %`;

export function ratioOf(report: BenchReport, row: PhaseRow): { ratio: number; ceiling: string; target: number | undefined } | undefined {
  const c = CEILING[row.id];
  const ceiling = c ? report.rows.find((r) => r.id === c) : undefined;
  if (!ceiling) return undefined;
  return { ratio: row.throughput / ceiling.throughput, ceiling: c!, target: TARGET[row.id] };
}

function rssLine(rss: [number, number][] | undefined): string {
  if (!rss || rss.length < 6) return '—';
  const values = rss.map((s) => s[1]).filter((v) => !Number.isNaN(v));
  const third = Math.floor(values.length / 3);
  const max = (a: number[]) => Math.max(...a);
  const [m1, m2, m3] = [max(values.slice(0, third)), max(values.slice(third, 2 * third)), max(values.slice(2 * third))];
  const growth = m2 > 0 ? (m3 - m2) / m2 : 0;
  const verdict = growth <= 0.1 ? `levels off (last third ${growth >= 0 ? '+' : ''}${Math.round(growth * 100)} % over the middle third)` : `still growing (+${Math.round(growth * 100)} % in the last third)`;
  return `start ${f1(values[0])} MiB, max per third ${f1(m1)} / ${f1(m2)} / ${f1(m3)} MiB, end ${f1(values.at(-1))} MiB: ${verdict}`;
}

export function renderMarkdown(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, MariaDB ${m.mariadb} (datadir ${m.datadirFs}).`);
  out.push(
    `InnoDB: flush_log_at_trx_commit=${m.innodb.innodb_flush_log_at_trx_commit}, buffer pool ${Math.round(Number(m.innodb.innodb_buffer_pool_size) / 2 ** 20)} MiB, ` +
      `log file ${Math.round(Number(m.innodb.innodb_log_file_size) / 2 ** 20)} MiB, flush_method ${m.innodb.innodb_flush_method}, doublewrite ${m.innodb.innodb_doublewrite}, binlog ${m.innodb.log_bin}. Load average at start: ${m.loadavgAtStart.join(' ')}.`,
  );
  out.push(`Code: git ${m.git.head}${m.git.dirty.length ? ` plus uncommitted changes in ${m.git.dirty.map((l) => l.slice(3)).join(', ')}` : ''}.`);
  out.push(`Phases: ${r.options.warmupS} s warm-up + ${r.options.seconds} s measured${r.options.quick ? ' (--quick)' : ''}.`, '');
  out.push('| | scenario | throughput | p50 ms | p99 ms | ratio | API CPU | MariaDB CPU | load-gen CPU | API µs CPU/req | SQL stmts/req | COMMITs/s | fsyncs/s | answers |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of r.rows) {
    const w = row.window;
    const ratio = ratioOf(r, row);
    const ratioText = ratio ? `${row.id}/${ratio.ceiling} = ${ratio.ratio.toFixed(2)}${ratio.target ? (ratio.ratio >= ratio.target ? ` ✅ (≥ ${ratio.target})` : ` ❌ (< ${ratio.target})`) : ''}` : '';
    const statuses = Object.entries(row.statuses).map(([k, v]) => `${k}: ${f0(v)}`).join(', ') + (row.errors ? `, no answer: ${row.errors} (${Object.entries(row.errorReasons ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ')})` : '') + (row.clientDropped ? `, not sent (client backlog full): ${f0(row.clientDropped)}` : '');
    const p99 = row.p99 === undefined ? '—' : `${f1(row.p99)}${row.id.startsWith('½') ? (row.p99 < 50 ? ' ✅' : ' ❌') : ''}`;
    const extra = row.unit === 'readings/s' && row.requestsPerS !== undefined ? ` (${f0(row.requestsPerS)} req/s)` : '';
    out.push(
      `| ${row.id} | ${row.what} | ${f0(row.throughput)} ${row.unit}${extra} | ${f1(row.p50)} | ${p99} | ${ratioText} | ${Number.isNaN(w.serverCpu) ? '—' : pct(w.serverCpu)} | ${pct(w.mariadbCpu)} | ${pct(w.clientCpu)} | ${f0(row.serverCpuUsPerRequest)} | ${row.requestsPerS ? f1(w.counters.Questions / w.seconds / row.requestsPerS) : '—'} | ${f0(w.counters.Com_commit / w.seconds)} | ${f0(w.counters.Innodb_data_fsyncs / w.seconds)} | ${statuses} |`,
    );
  }
  out.push('', 'CPU is in cores (100 % = one of the machine\'s cores). Counters are server-wide: other sessions on the shared server add to them.');
  for (const over of r.rows.filter((x) => x.id.startsWith('2×'))) {
    const shed = (over.statuses['503'] ?? 0) + (over.statuses['429'] ?? 0);
    out.push('', `Twice the load (${over.id}): API RSS ${rssLine(over.rss)}; shed ${f0(shed)} (503/429), of which without Retry-After: ${over.missingRetryAfter ?? 0}.`);
  }
  const rl = r.rows.find((x) => x.id === '429');
  if (rl) out.push('', `Rate limit: ${Object.entries(rl.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')}; 429 without Retry-After: ${rl.missingRetryAfter ?? 0}.`);
  if (r.count) {
    const c = r.count;
    out.push('', `Count after the run: ${f0(c.acknowledged)} readings acknowledged, ${f0(c.stored)} stored, **${f0(c.missing)} missing** (${c.devicesMissing} devices short); ${f0(c.storedWithoutAck)} stored without an acknowledgement (answers cut off by the client).`);
  }
  if (r.storage) {
    const s = r.storage;
    out.push('', `Storage (${s.devices} devices × ${s.hours} h at 1 Hz = ${f0(s.rows)} readings, ${s.rowFormat}):`, '');
    out.push('| measured | reading table | bytes / reading | all tables | bytes / reading |', '|---|---|---|---|---|');
    for (const v of s.views) {
      out.push(`| ${v.label} | ${f1(v.readingBytes / 2 ** 20)} MiB | ${f1(v.readingBytes / s.rows)} | ${f1(v.allBytes / 2 ** 20)} MiB | ${f1(v.allBytes / s.rows)} |`);
    }
  }
  const withMetrics = r.rows.filter((x) => x.apiMetrics);
  if (withMetrics.length > 0) {
    out.push('', 'Write path as the API reports it (/metrics, whole process life):', '');
    out.push('| | group commits | mean rows per commit | mean commit transaction ms | shed 503 | event-loop lag p99 ms | V8 heap used after, MiB |', '|---|---|---|---|---|---|---|');
    for (const row of withMetrics) {
      const m = row.apiMetrics!;
      out.push(`| ${row.id} | ${f0(m.transactions)} | ${f1(m.meanBatchRows)} | ${f1(m.meanTransactionMs)} | ${f0(m.shed)} | ${f1(m.eventLoopLagP99Ms)} | ${f1(m.heapUsedMiB)} |`);
    }
  }
  if (r.steps) {
    out.push('', 'One group-commit transaction, step by step (writeBatch with the app\'s steps; mean per transaction):', '');
    out.push('| batch | transaction ms | step: ms (SQL round trips) | rollup flush after the measured transactions: ms (SQL round trips) |', '|---|---|---|---|');
    for (const s of r.steps) {
      out.push(`| ${s.shape} (${s.rows} rows) | ${f1(s.meanTransactionMs)} | ${s.steps.map((x) => `${x.step}: ${f1(x.ms)} (${f1(x.queries)})`).join('; ')} | ${f1(s.flush.ms)} (${f1(s.flush.queries)}) |`);
    }
    out.push('', 'Slowest statements (summed by SQL text; ms per transaction × statements per transaction):', '');
    for (const s of r.steps) {
      out.push(`- ${s.shape}: ${s.slowest.map(([q, ms, n]) => `\`${q}…\` ${f1(ms)} ms × ${f1(n)}`).join('; ')}`);
    }
  }
  for (const row of r.rows.filter((x) => x.profile)) {
    const p = row.profile!;
    out.push('', `Profile ${row.id} (API main thread busy ${pct(p.busy)} of ${f1(p.seconds)} s): ${p.categories.slice(0, 8).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}.`);
    out.push(`  top self time: ${p.top.slice(0, 6).map(([k, v]) => `${k} ${pct(v)}`).join('; ')}`);
  }
  out.push(...renderOverload(r.overload, r.herd));
  out.push(...renderMqttStorm(r.mqtt));
  for (const n of r.notes) out.push('', n);
  return `${out.join('\n')}\n`;
}
