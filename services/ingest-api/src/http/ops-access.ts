import type { Server } from 'node:net';
import type { FastifyRequest } from 'fastify';

// Connections accepted on the internal ops port (SEM_OPS_PORT): never published by the pod.
const opsSockets = new WeakSet<object>();

/** Marks every connection this server accepts as coming through the ops port. */
export function serveAsOps(server: Server): void {
  server.on('connection', (socket) => opsSockets.add(socket));
  // A TLS server would hand over a different socket object; the ops port is plain HTTP only.
}

/** True when the request came in on the ops port (inject() and the device ports never do). */
export function cameThroughOps(request: FastifyRequest): boolean {
  return opsSockets.has(request.raw.socket);
}
