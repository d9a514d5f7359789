// Turns one database's `reading` table on a Spider head into a Spider table partitioned by device over
// shard servers (the shard tables get the head's own InnoDB definition). Run after the migrations.
//   node bench/scale-out/spider-shard.setup.ts --head-socket S --db sem --shards 14061,14062 --password P
// Shards are reached on 127.0.0.1, so spider_internal_xa stays off (its member key ignores the port: docs/scale-out.md).
import { parseArgs } from 'node:util';
import { createConnection } from 'mysql2/promise';

const { values: o } = parseArgs({
  options: {
    'head-socket': { type: 'string' },
    db: { type: 'string', default: 'sem' },
    shards: { type: 'string' },
    'shard-sockets': { type: 'string' },
    password: { type: 'string' },
    table: { type: 'string', default: 'reading' },
  },
});
const db = o.db!;
const table = o.table!;
if (!/^[A-Za-z0-9_]+$/.test(db) || !/^[a-z_]+$/.test(table)) throw new Error('bad --db or --table');
const ports = (o.shards ?? '').split(',').filter(Boolean).map(Number);
const sockets = (o['shard-sockets'] ?? '').split(',').filter(Boolean);
if (ports.length < 1 || sockets.length !== ports.length || !o.password || !o['head-socket']) {
  throw new Error('--head-socket, --shards P1,P2, --shard-sockets S1,S2 (root over each socket) and --password are needed');
}

const head = await createConnection({ socketPath: o['head-socket'], user: 'root', database: db });
const [[created]] = (await head.query(`SHOW CREATE TABLE \`${table}\``)) as unknown as [[Record<string, string>]];
const ddl = created['Create Table']!;
if (/ENGINE=SPIDER/i.test(ddl)) {
  console.log(`${db}.${table} is already a Spider table`);
  process.exit(0);
}
// A shard has no device table: its foreign key goes (a device's delete no longer cascades to its readings).
const shardDdl = ddl.replace(/,\s*CONSTRAINT [^\n]*FOREIGN KEY[^\n]*/g, '');
if (shardDdl === ddl && /FOREIGN KEY/.test(ddl)) throw new Error('could not remove the foreign key');
// Columns and keys as the migrations made them; the head's table options are replaced by Spider's.
const body = shardDdl.slice(0, shardDdl.lastIndexOf(')') + 1).replace(/ KEY_BLOCK_SIZE=\d+/g, '');

for (const [i, port] of ports.entries()) {
  const k = i + 1;
  const shard = await createConnection({ socketPath: sockets[i], user: 'root' });
  await shard.query(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
  await shard.query(`DROP TABLE IF EXISTS \`${db}\`.\`${table}\``);
  await shard.query(`USE \`${db}\``);
  await shard.query(shardDdl);
  await shard.query(`CREATE USER IF NOT EXISTS 'spider'@'127.0.0.1' IDENTIFIED BY ?`, [o.password]);
  await shard.query(`GRANT ALL ON \`${db}\`.* TO 'spider'@'127.0.0.1'`);
  await shard.end();
  await head.query(`DROP SERVER IF EXISTS ${db}_s${k}`);
  await head.query(
    `CREATE SERVER ${db}_s${k} FOREIGN DATA WRAPPER mysql OPTIONS (HOST '127.0.0.1', PORT ${port}, USER 'spider', PASSWORD ?, DATABASE ?)`,
    [o.password, db],
  );
}
const partitions = ports.map((_, i) => `PARTITION p${i + 1} COMMENT='srv "${db}_s${i + 1}"'`).join(', ');
await head.query(`DROP TABLE \`${table}\``);
await head.query(`${body} ENGINE=SPIDER DEFAULT CHARSET=utf8mb4 COMMENT='wrapper "mysql", table "${table}"' PARTITION BY HASH (device_id) (${partitions})`);
await head.end();
console.log(`${db}.${table}: Spider over ${ports.length} shard(s) on ports ${ports.join(', ')}`);
