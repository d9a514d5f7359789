import { escape } from 'mysql2';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** A DATETIME(3) literal in UTC: the pool runs with time_zone '+00:00'. */
function dateLiteral(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new TypeError('invalid date in SQL values');
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`date outside years 0000-9999 in SQL values: ${year}`);
  // Always four digits: MariaDB reads a two-digit year '50-06-01' as 2050.
  return `'${String(year).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}'`;
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
 * `INSERT [IGNORE] INTO table (…) VALUES …[ ON DUPLICATE KEY UPDATE …][ RETURNING …]` as plain text, one row of
 * values per row, in the order of `columns`. Table (a plain identifier), column names and `onDuplicate` are code constants.
 */
export function insertText(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  opts: { ignore?: boolean; onDuplicate?: string; returning?: readonly string[] } = {},
): string {
  const quote = (names: readonly string[]) => names.map((c) => `\`${c}\``).join(', ');
  return (
    `INSERT${opts.ignore ? ' IGNORE' : ''} INTO ${table} (${quote(columns)}) VALUES ${valuesText(rows)}` +
    (opts.onDuplicate ? ` ON DUPLICATE KEY UPDATE ${opts.onDuplicate}` : '') +
    (opts.returning ? ` RETURNING ${quote(opts.returning)}` : '')
  );
}
