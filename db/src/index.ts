export * from './database.types.ts';
export * from './quantity-columns.ts';
export * from './rollup-columns.ts';
export { createKysely, createMysqlPool, parseMysqlUrl, type DbConnectionConfig } from './connection.ts';
export { migrateToLatest, pendingMigrations, MIGRATIONS_DIR } from './migrate.ts';
export { applyTableGrants, API_TABLES, MIGRATION_TABLE, READONLY_TABLES, quoteIdent } from './grants.ts';
export { bootstrapDatabase, type BootstrapOptions, type DbUser } from './bootstrap.ts';
export { secretFromEnv, type Env } from './env-secrets.ts';
