import type { FastifyInstance } from 'fastify';
import { bytesToText } from '@sem/ingest';
import { parseForm } from './body-text.ts';

/** Replaces this plugin's parsers with exactly the given ones; anything else answers 415. */
export function acceptOnly(app: FastifyInstance, kinds: readonly ('text' | 'octets-as-hex' | 'form')[]): void {
  app.removeAllContentTypeParsers();
  for (const kind of kinds) {
    if (kind === 'text') {
      app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, (_req, body, done) => done(null, bytesToText(body as Buffer)));
    } else if (kind === 'octets-as-hex') {
      // Raw bytes become hex text so one schema (a string) covers both frame encodings.
      app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, (body as Buffer).toString('hex')));
    } else {
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => done(null, parseForm(body as Buffer)));
    }
  }
}
