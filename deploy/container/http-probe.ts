// Container health probe: `node deploy/container/http-probe.ts URL` exits 0 on a 2xx answer, 1 otherwise.
// Exists because the slim Node image has neither curl nor wget, and probes must be argv, not `sh -c`.
const url = process.argv[2];
if (!url) {
  console.error('usage: http-probe.ts URL');
  process.exit(2);
}
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!res.ok) console.error(`${url}: HTTP ${res.status}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`${url}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
