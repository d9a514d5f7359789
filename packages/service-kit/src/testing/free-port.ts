import { createServer } from 'node:net';

/** A loopback TCP port free at the time of the call (bound once by the OS, then released): nothing listens on it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}
