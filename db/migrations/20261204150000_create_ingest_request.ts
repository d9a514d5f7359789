import { type Kysely, sql } from 'kysely';

// Requests already written, so that a retry of the same request stores nothing again (docs/storage.md
// "Idempotency"): keyed by device and a hash of its Idempotency-Key header, or of its body for clockless
// readings sent without one. `nonce` tells the parts of one request (written in several transactions) from a retry.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ingest_request (
      device_id smallint unsigned NOT NULL,
      request_key binary(32) NOT NULL,
      nonce binary(16) NOT NULL,
      expires_at datetime(3) NOT NULL,
      PRIMARY KEY (device_id, request_key),
      KEY ingest_request_expires (expires_at),
      CONSTRAINT ingest_request_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE
    ) ENGINE=InnoDB
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ingest_request').execute();
}
