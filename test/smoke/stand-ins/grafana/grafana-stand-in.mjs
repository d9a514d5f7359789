// STAND-IN for Grafana's server (see Containerfile): the GF_* settings the stack sets, read as Grafana
// reads them, and the two endpoints the smoke run and the liveness probe use. Not Grafana.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { timingSafeEqual } from 'node:crypto';

// GF_<SECTION>_<KEY>, or the file named by GF_<SECTION>_<KEY>__FILE, as Grafana reads its environment.
function setting(name, fallback) {
  const file = process.env[`${name}__FILE`];
  if (file) return readFileSync(file, 'utf8').trim();
  return process.env[name] ?? fallback;
}
function fail(message) {
  console.error(`grafana stand-in: ${message}`);
  process.exit(1);
}

const protocol = setting('GF_SERVER_PROTOCOL', 'http');
const port = Number(setting('GF_SERVER_HTTP_PORT', '3000'));
const addr = setting('GF_SERVER_HTTP_ADDR', '') || undefined;
const adminUser = setting('GF_SECURITY_ADMIN_USER', 'admin');
const adminPassword = setting('GF_SECURITY_ADMIN_PASSWORD', 'admin');
const dataDir = setting('GF_PATHS_DATA', '/var/lib/grafana');
const provisioning = setting('GF_PATHS_PROVISIONING', '/etc/grafana/provisioning');

// Grafana writes its database into the data folder at start and stops when it cannot.
try {
  writeFileSync(`${dataDir}/stand-in.db`, `started ${new Date().toISOString()}\n`);
} catch (err) {
  fail(`data folder ${dataDir} is not writable: ${err.message}`);
}
let datasourceFiles = [];
try {
  datasourceFiles = readdirSync(`${provisioning}/datasources`).filter((f) => /\.ya?ml$/.test(f));
} catch {
  // Grafana starts without provisioning too.
}

function authorised(header) {
  const m = /^Basic (.+)$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(Buffer.from(m[1], 'base64').toString('utf8'));
  const wanted = Buffer.from(`${adminUser}:${adminPassword}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function handle(req, res) {
  const json = (code, body) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/api/health') return json(200, { database: 'ok', version: 'stand-in' });
  if (path === '/api/user') {
    if (!authorised(req.headers.authorization)) return json(401, { message: 'Unauthorized' });
    return json(200, { login: adminUser, isGrafanaAdmin: true });
  }
  return json(404, { message: 'Not found (Grafana stand-in)' });
}

let server;
if (protocol === 'https') {
  const certFile = setting('GF_SERVER_CERT_FILE', '');
  const keyFile = setting('GF_SERVER_CERT_KEY', '');
  if (!certFile || !keyFile) fail('protocol https needs cert_file and cert_key');
  try {
    server = createHttps({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, handle);
  } catch (err) {
    fail(`cannot read the certificate: ${err.message}`);
  }
} else if (protocol === 'http') {
  server = createHttp(handle);
} else {
  fail(`protocol ${protocol} is not supported by the stand-in`);
}
server.listen(port, addr, () => {
  console.log(`grafana stand-in: ${protocol} on ${addr ?? '*'}:${port}, ${datasourceFiles.length} datasource file(s) in ${provisioning}/datasources`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
