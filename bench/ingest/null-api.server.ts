// The HTTP ceiling (b): the same Fastify, a POST handler that parses the JSON body and stores nothing.
// `node bench/ingest/null-api.server.ts <port>`; prints "listening <port>" when ready, exits on SIGTERM.
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

const reply201 = {
  type: 'object',
  properties: { accepted: { type: 'integer' }, duplicates: { type: 'integer' }, rejected: { type: 'integer' } },
} as const;

app.post('/api/v1/readings', { schema: { response: { 201: reply201 } } }, async (request, reply) => {
  const n = Array.isArray(request.body) ? request.body.length : 1;
  return reply.code(201).send({ accepted: n, duplicates: 0, rejected: 0 });
});

process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});

await app.listen({ host: '127.0.0.1', port });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : port}`);
