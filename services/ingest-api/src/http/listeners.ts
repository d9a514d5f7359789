import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config.ts';
import { serveAsOps } from './ops-access.ts';
import { admissionGate } from './admission-gate.ts';

export type ListenerKind = 'https' | 'http' | 'ops';

export interface Listeners {
  /** Where each listener answers (port 0 in the config becomes the port the system chose). */
  readonly ports: Readonly<Partial<Record<ListenerKind, number>>>;
  /** Graceful stop: no new connections, then app.close() (drains the write queue), then the rest hang up. */
  close(): Promise<void>;
}

/** One of several API processes on this host (SEM_API_PROCESSES > 1): its number, 1 … n. */
export interface SharedPorts {
  shared: boolean;
  index: number;
}

/**
 * Serves one app on up to three ports, each through Fastify's full request pipeline (app.routing, behind the
 * admission gate, which answers an overload's excess first):
 * HTTPS; plain HTTP for readers that cannot do TLS, switchable off; and the internal ops port.
 * `shared`: the device ports are bound with SO_REUSEPORT by every API process (the kernel spreads connections);
 * the ops port is each process's own, SEM_OPS_PORT + index − 1, so a scraper reads every process's metrics.
 */
export async function startListeners(
  app: FastifyInstance,
  config: Pick<AppConfig, 'http' | 'https' | 'opsPort'>,
  processes: SharedPorts = { shared: false, index: 1 },
): Promise<Listeners> {
  await app.ready();
  const servers: [ListenerKind, Server][] = [];
  // Every listener answers the excess of an overload before Fastify's pipeline (the hook would refuse it anyway).
  const gated = admissionGate(app);
  if (config.https) servers.push(['https', createHttpsServer({ cert: config.https.cert, key: config.https.key, minVersion: 'TLSv1.2' }, gated)]);
  if (config.http.enabled) servers.push(['http', createHttpServer(gated)]);
  if (config.opsPort !== undefined) {
    const ops = createHttpServer(gated);
    serveAsOps(ops);
    servers.push(['ops', ops]);
  }
  const opsPort = config.opsPort ? config.opsPort + processes.index - 1 : 0;
  const wanted: Record<ListenerKind, number> = { https: config.https?.port ?? 0, http: config.http.port, ops: opsPort };
  const ports: Partial<Record<ListenerKind, number>> = {};
  try {
    for (const [kind, server] of servers) {
      // Fastify's own defaults for its server: idle keep-alive sockets close after 72 s.
      server.keepAliveTimeout = 72_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        // exclusive: each cluster process binds its own socket instead of asking the primary for a shared handle.
        const sharing = processes.shared ? { exclusive: true, reusePort: kind !== 'ops' } : {};
        server.listen({ port: wanted[kind], host: config.http.host, ...sharing }, () => resolve());
      });
      ports[kind] = (server.address() as AddressInfo).port;
      app.log.info({ listener: kind, address: `${config.http.host}:${ports[kind]}` }, 'listening');
    }
  } catch (err) {
    for (const [, server] of servers) if (server.listening) server.close();
    throw err;
  }
  return {
    ports,
    async close() {
      for (const [, server] of servers) {
        server.close();
        server.closeIdleConnections();
      }
      await app.close();
      for (const [, server] of servers) server.closeAllConnections();
    },
  };
}
