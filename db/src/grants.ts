import type { Connection } from 'mysql2/promise';
import { DATA_TABLES } from './database.types.ts';

/** Tables the read-only (Grafana) user may SELECT: everything except the key tables.. */
export const READONLY_TABLES: readonly string[] = DATA_TABLES.filter((t) => t !== 'device_key' && t !== 'device_han_key' && t !== 'device_p1_key' && t !== 'ingest_request');

/**
 * Limits of the read-only (Grafana) account: a slow dashboard cannot hold more connections than this
 * nor run a statement longer than this, so it never starves the API. Set by an admin (bootstrap, or
 * the pod's MariaDB at each start: deploy/mariadb/conf.d/sem-init.sql, which must say the same).
 */
export const READONLY_USER_LIMITS = { maxUserConnections: 10, maxStatementTimeS: 30 } as const;

/** Kysely's log of applied migrations (names and times only). */
export const MIGRATION_TABLE = 'kysely_migration';

/** Tables the API user may read and write (DML only, never DDL); it may also read MIGRATION_TABLE. */
export const API_TABLES: readonly string[] = DATA_TABLES;

const IDENT = /^[A-Za-z0-9_]{1,64}$/;

export function quoteIdent(name: string): string {
  if (!IDENT.test(name)) throw new Error(`unsafe identifier: ${name}`);
  return `\`${name}\``;
}

/** Grants per table (tables must exist: run after migrations). Idempotent. */
export async function applyTableGrants(
  conn: Connection,
  opts: { database: string; apiUser?: string | undefined; readonlyUser?: string | undefined; host?: string },
): Promise<void> {
  const db = quoteIdent(opts.database);
  const host = opts.host ?? '%';
  for (const table of opts.apiUser ? API_TABLES : []) {
    await conn.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${db}.${quoteIdent(table)} TO ?@?`, [opts.apiUser, host]);
  }
  // Readiness compares the applied migrations with the code's (pendingMigrations): read-only.
  if (opts.apiUser) await conn.query(`GRANT SELECT ON ${db}.${quoteIdent(MIGRATION_TABLE)} TO ?@?`, [opts.apiUser, host]);
  for (const table of opts.readonlyUser ? READONLY_TABLES : []) {
    await conn.query(`GRANT SELECT ON ${db}.${quoteIdent(table)} TO ?@?`, [opts.readonlyUser, host]);
  }
}
