import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The service does not serve the HTTP API; this small listener gives Prometheus `/metrics` (the
 * same registry as ingest-api's, with the MQTT counters) and a probe `/healthz` (200 while
 * connected to the broker).
 */
export async function startOpsServer(options: { port: number; host: string; registry: Registry; connected: () => boolean }): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.method === 'GET' && path === '/healthz') {
      const ok = options.connected();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ mqtt: ok ? 'connected' : 'disconnected' }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => ok());
  });
  return server;
}
