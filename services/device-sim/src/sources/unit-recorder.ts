import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MeterUnit } from './meter-unit.ts';

/**
 * Appends every unit a device reads to a capture file it can replay later: P1 `<device>.txt`
 * (exact bytes, CRLF after each telegram) or HAN `<device>.hex` (one frame per line). Handy to
 * record a real meter, and what the end-to-end tests compare the database with.
 */
export function unitRecorder(dir: string, device: string): (unit: MeterUnit) => void {
  mkdirSync(dir, { recursive: true });
  return (unit) => {
    if (unit.protocol === 'p1') {
      const t = unit.telegram;
      appendFileSync(join(dir, `${device}.txt`), Buffer.from(/[\r\n]$/.test(t) ? t : `${t}\r\n`, 'latin1'));
    } else {
      appendFileSync(join(dir, `${device}.hex`), `${Buffer.from(unit.frame).toString('hex')}\n`);
    }
  };
}
