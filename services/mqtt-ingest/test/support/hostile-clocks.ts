/** Meter payloads with the clock a test chooses: a real P1 telegram and a real HAN frame as templates. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc16Arc } from '@sem/meter-protocol';

const FIXTURES = join(import.meta.dirname, '../../../../packages/meter-protocol/fixtures');
const P1_TEMPLATE = readFileSync(join(FIXTURES, 'dsmr/athom_iskra_am550_dsmr50.txt'), 'latin1');
export const HAN_TEMPLATE = Buffer.from(readFileSync(join(FIXTURES, 'han/kaifa_3p_list2_1.hex'), 'latin1').replace(/\s+/g, ''), 'hex');

/** The template telegram with its clock `0-0:1.0.0(...)` replaced and its CRC made right again. */
export function telegramAt(clock: string): string {
  const body = P1_TEMPLATE.replace(/0-0:1\.0\.0\([^)]*\)/, `0-0:1.0.0(${clock})`);
  const end = body.indexOf('!') + 1;
  const crc = crc16Arc(Buffer.from(body.slice(0, end), 'latin1')).toString(16).toUpperCase().padStart(4, '0');
  return `${body.slice(0, end)}${crc}\r\n`;
}

/** A UTC instant in any year (Date.UTC reads years 0–99 as 1900–1999). */
export function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, h, m, s));
  d.setUTCFullYear(year);
  return d.getTime();
}
