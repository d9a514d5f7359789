import { CompiledQuery, type Kysely } from 'kysely';
import { valuesText } from '../write/sql-literal.ts';

/** How a column of an existing rollup row takes the new value. */
export type Merge = 'add' | 'min' | 'max' | 'keep';

function mergeSql(col: string, how: Merge): string {
  const c = `\`${col}\``;
  switch (how) {
    case 'add':
      return `${c} = ${c} + VALUES(${c})`;
    case 'min':
      return `${c} = LEAST(COALESCE(${c}, VALUES(${c})), COALESCE(VALUES(${c}), ${c}))`;
    case 'max':
      return `${c} = GREATEST(COALESCE(${c}, VALUES(${c})), COALESCE(VALUES(${c}), ${c}))`;
    case 'keep':
      return `${c} = ${c}`;
  }
}

/**
 * Multi-row INSERT ... ON DUPLICATE KEY UPDATE; column names are code constants, values are literals (sqlLiteral).
 * With `returning`, gives back those columns as stored after the update (MariaDB's RETURNING).
 * `alsoSet` adds assignments of its own after the merges (code constants, applied left to right).
 */
export async function upsertRows<R = Record<string, unknown>>(
  db: Kysely<any>,
  table: string,
  columns: readonly string[],
  merge: Readonly<Record<string, Merge>>,
  rows: readonly (readonly unknown[])[],
  returning?: readonly string[],
  alsoSet?: string,
): Promise<R[]> {
  const out: R[] = [];
  if (rows.length === 0) return out;
  const updates = columns.filter((c) => merge[c] && merge[c] !== 'keep').map((c) => mergeSql(c, merge[c]!));
  if (alsoSet) updates.push(alsoSet);
  const head = `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES `;
  const tail = ` ON DUPLICATE KEY UPDATE ${updates.join(', ')}${returning ? ` RETURNING ${returning.map((c) => `\`${c}\``).join(', ')}` : ''}`;
  const chunk = Math.max(1, Math.floor(30_000 / columns.length));
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    // Plain SQL text: building a Kysely node per value cost ~20 % of the API's CPU under fleet load.
    const r = await db.executeQuery<R>(CompiledQuery.raw(head + valuesText(part) + tail));
    out.push(...r.rows);
  }
  return out;
}
