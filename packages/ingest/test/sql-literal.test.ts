import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, testDbPrefix, type TestDatabase } from '@sem/db/testing';
import { sqlLiteral, valuesText } from '../src/write/sql-literal.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(testDbPrefix('sql_literal'));
});
afterAll(async () => {
  await t?.destroy();
});

describe('sqlLiteral', () => {
  it('gives MariaDB back exactly the values, strings with quotes, backslashes, NUL and ? included', async () => {
    const values = [0, -17, 2 ** 40, 123.4567, 10n ** 15n, null, undefined, new Date(Date.UTC(2026, 2, 29, 1, 2, 3, 45)), new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999)), "it's \\ a \"test\" ? \0 \n 😀", Buffer.from([0, 39, 92, 255])];
    const r = await sql<Record<string, unknown>>`SELECT ${sql.raw(values.map((v, i) => `${sqlLiteral(v)} AS v${i}`).join(', '))}`.execute(t.db);
    const row = Object.values(r.rows[0]!);
    expect(Number(row[0])).toBe(0);
    expect(Number(row[1])).toBe(-17);
    expect(Number(row[2])).toBe(2 ** 40);
    expect(Number(row[3])).toBe(123.4567);
    expect(String(row[4])).toBe('1000000000000000');
    expect(row[5]).toBeNull();
    expect(row[6]).toBeNull();
    expect(new Date(`${row[7]}Z`.replace(' ', 'T')).getTime()).toBe(Date.UTC(2026, 2, 29, 1, 2, 3, 45));
    expect(row[8]).toBe('1999-12-31 23:59:59.999');
    expect(row[9]).toBe("it's \\ a \"test\" ? \0 \n 😀");
    expect(Buffer.from(row[10] as Buffer)).toEqual(Buffer.from([0, 39, 92, 255]));
  });

  it('refuses what has no literal: NaN, Infinity, an invalid date', () => {
    expect(() => sqlLiteral(Number.NaN)).toThrow(TypeError);
    expect(() => sqlLiteral(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(() => sqlLiteral(new Date(Number.NaN))).toThrow(TypeError);
  });

  it('writes a four-digit year always: year 50 reaches MariaDB as 0050, not 2050', async () => {
    const years = [new Date('0050-06-01T00:00:00Z'), new Date('0999-01-02T03:04:05.006Z'), new Date('9999-12-31T23:59:59.999Z')];
    expect(sqlLiteral(years[0])).toBe("'0050-06-01 00:00:00.000'");
    const r = await sql<Record<string, string>>`SELECT ${sql.raw(years.map((v, i) => `DATE_FORMAT(CAST(${sqlLiteral(v)} AS DATETIME(3)), '%Y-%m-%d %H:%i:%s.%f') AS v${i}`).join(', '))}`.execute(t.db);
    const row = Object.values(r.rows[0]!).map((v) => String(v).slice(0, 23));
    expect(row).toEqual(years.map((d) => d.toISOString().replace('T', ' ').replace('Z', '')));
    expect(() => sqlLiteral(new Date('+010000-01-01T00:00:00Z'))).toThrow(RangeError);
  });

  it('writes rows as a VALUES list', () => {
    expect(valuesText([[1, null, 'a'], [2, new Date(0), 'b']])).toBe("(1, NULL, 'a'), (2, '1970-01-01 00:00:00.000', 'b')");
  });
});
