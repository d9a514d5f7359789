import { escape } from 'mysql2';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** A DATETIME(3) literal in UTC: the pool runs with time_zone '+00:00'. */
function dateLiteral(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new TypeError('invalid date in SQL values');
  return `'${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}'`;
}

/** One value as a SQL literal; strings and buffers through mysql2's own escaping. */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`not a finite number in SQL values: ${v}`);
    return `${v}`;
  }
  if (typeof v === 'bigint') return `${v}`;
  if (v instanceof Date) return dateLiteral(v);
  return escape(v as string | Buffer);
}

/**
 * `(…), (…)` for a multi-row statement, values inlined as literals. Formatting the text here instead of
 * binding `?` placeholders saves the driver's placeholder scan over statements of thousands of values.
 */
export function valuesText(rows: readonly (readonly unknown[])[]): string {
  let out = '';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    out += i === 0 ? '(' : ', (';
    for (let j = 0; j < row.length; j++) out += j === 0 ? sqlLiteral(row[j]) : `, ${sqlLiteral(row[j])}`;
    out += ')';
  }
  return out;
}

/**
 * `INSERT [IGNORE] INTO table (…) VALUES …[ ON DUPLICATE KEY UPDATE …]` as plain text. Table, column names and
 * `onDuplicate` are code constants; every row has the first row's columns, in its order.
 */
export function insertText(table: string, rows: readonly Readonly<Record<string, unknown>>[], opts: { ignore?: boolean; onDuplicate?: string } = {}): string {
  const cols = Object.keys(rows[0] ?? {});
  const names = cols.map((c) => `\`${c}\``).join(', ');
  const values = valuesText(rows.map((r) => cols.map((c) => r[c])));
  return `INSERT${opts.ignore ? ' IGNORE' : ''} INTO \`${table}\` (${names}) VALUES ${values}${opts.onDuplicate ? ` ON DUPLICATE KEY UPDATE ${opts.onDuplicate}` : ''}`;
}
