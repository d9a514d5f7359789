/** Rows of a table dump with a header line: CSV (PostgreSQL `\copy … CSV HEADER`) or tab-separated (`mysql -B`), read line by line. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

function split(line: string, sep: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === sep && !quoted) {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  return cells;
}

export interface DumpRow {
  /** 1-based number of the data line (the header is line 0). */
  line: number;
  fields: Record<string, string>;
}

/** The data rows; `names` replaces the header's names by position (a web export's translated header). */
export async function* readDump(path: string, names?: readonly string[]): AsyncGenerator<DumpRow> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let header: string[] | undefined;
  let sep = ',';
  let line = 0;
  for await (const text of lines) {
    if (text.trim() === '') continue;
    if (!header) {
      sep = text.includes('\t') ? '\t' : ',';
      header = names ? [...names] : split(text, sep).map((h) => h.trim());
      continue;
    }
    line++;
    const cells = split(text, sep);
    yield { line, fields: Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])) };
  }
}

export async function readHeader(path: string): Promise<string[]> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === '') continue;
    lines.close();
    return split(text, text.includes('\t') ? '\t' : ',').map((h) => h.trim());
  }
  return [];
}

/** The header and the cells of the first data line (undefined: no data line). */
export async function readHeadAndFirst(path: string): Promise<{ header: string[]; first: string[] | undefined }> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let header: string[] | undefined;
  for await (const text of lines) {
    if (text.trim() === '') continue;
    const sep = text.includes('\t') ? '\t' : ',';
    if (!header) {
      header = split(text, sep).map((h) => h.trim());
      continue;
    }
    lines.close();
    return { header, first: split(text, sep) };
  }
  return { header: header ?? [], first: undefined };
}
