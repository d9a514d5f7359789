import { createHash, randomBytes } from 'node:crypto';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from '@sem/db';
import { insertText, sqlLiteral } from './sql-literal.ts';
import type { PreparedReading } from './prepared-reading.ts';

/**
 * What makes a request recognisable when it is sent again (docs/storage.md "Idempotency"): the client's
 * Idempotency-Key, or, for clockless readings from clients that cannot send one, a hash of the body.
 */
export interface RequestIdentity {
  idempotencyKey?: string | undefined;
  bodyHash?: Buffer | undefined;
}

/** How long a request is remembered: an Idempotency-Key for `keyTtlMs`, a body for `bodyWindowMs`. */
export interface IdempotencyWindows {
  keyTtlMs: number;
  bodyWindowMs: number;
}

export const DEFAULT_IDEMPOTENCY_WINDOWS: IdempotencyWindows = Object.freeze({ keyTtlMs: 24 * 3_600_000, bodyWindowMs: 60_000 });

/** One request's mark, shared by its rows: written with them, so a retry finds it once they are committed. */
export interface RequestMark {
  key: Buffer;
  /** Tells the parts of this request (written in several transactions when one reading is refused) from a retry. */
  nonce: Buffer;
  expiresAt: Date;
}

/** The request's mark, or none when nothing identifies it (no key, and every reading carries its own time). */
export function requestMark(identity: RequestIdentity | undefined, hasClockless: boolean, receivedAt: Date, windows: IdempotencyWindows): RequestMark | undefined {
  if (identity?.idempotencyKey) {
    return { key: createHash('sha256').update(`key\0${identity.idempotencyKey}`).digest(), nonce: randomBytes(16), expiresAt: new Date(receivedAt.getTime() + windows.keyTtlMs) };
  }
  // hasClockless first: the adapter may compute the body hash only when it is read.
  const bodyHash = hasClockless ? identity?.bodyHash : undefined;
  if (bodyHash) {
    return { key: createHash('sha256').update('body\0').update(bodyHash).digest(), nonce: randomBytes(16), expiresAt: new Date(receivedAt.getTime() + windows.bodyWindowMs) };
  }
  return undefined;
}

/**
 * Inside the write transaction: the marks of this batch that an earlier request already wrote (not expired,
 * another nonce), read with a lock so that a retry on another writer waits for this one; the others are written.
 * Returns the marks whose rows are duplicates.
 */
export async function claimRequests(trx: Transaction<Database>, rows: readonly PreparedReading[]): Promise<Set<RequestMark>> {
  const marks = new Map<string, { deviceId: number; mark: RequestMark }>();
  const seen = new Set<RequestMark>();
  for (const r of rows) {
    if (!r.request) continue;
    const k = `${r.deviceId}:${r.request.key.toString('hex')}`;
    const first = marks.get(k);
    // A retry in the same batch as the request it repeats: the first one is written.
    if (first && first.mark !== r.request) seen.add(r.request);
    else if (!first) marks.set(k, { deviceId: r.deviceId, mark: r.request });
  }
  if (marks.size === 0) return seen;
  const list = [...marks.values()];
  const which = list.map((m) => `(${sqlLiteral(m.deviceId)}, ${sqlLiteral(m.mark.key)})`).join(', ');
  const found = await trx.executeQuery<{ device_id: number; request_key: Buffer; nonce: Buffer; expires_at: Date }>(
    CompiledQuery.raw(`SELECT device_id, request_key, nonce, expires_at FROM ingest_request WHERE (device_id, request_key) IN (${which}) FOR UPDATE`),
  );
  const now = Date.now();
  for (const f of found.rows) {
    const m = marks.get(`${f.device_id}:${Buffer.from(f.request_key).toString('hex')}`);
    if (m && f.expires_at.getTime() > now && !Buffer.from(f.nonce).equals(m.mark.nonce)) seen.add(m.mark);
  }
  const fresh = list.filter((m) => !seen.has(m.mark));
  if (fresh.length > 0) {
    await trx.executeQuery(
      CompiledQuery.raw(
        insertText('ingest_request', ['device_id', 'request_key', 'nonce', 'expires_at'], fresh.map((m) => [m.deviceId, m.mark.key, m.mark.nonce, m.mark.expiresAt]), {
          onDuplicate: '`nonce` = VALUES(`nonce`), `expires_at` = VALUES(`expires_at`)',
        }),
      ),
    );
  }
  return seen;
}

/** Deletes expired request marks, `batch` rows per statement (short locks); returns how many. */
export async function purgeExpiredRequests(db: Kysely<Database>, now = new Date(), batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await db.executeQuery(CompiledQuery.raw(`DELETE FROM ingest_request WHERE expires_at < ${sqlLiteral(now)} ORDER BY expires_at LIMIT ${batch}`));
    const n = Number(r.numAffectedRows ?? 0n);
    total += n;
    if (n < batch) return total;
  }
}
