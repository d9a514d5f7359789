import { describe, expect, it } from 'vitest';
import { crc16X25 } from '../../src/dlms/crc16-x25.ts';
import { ownFixture } from './han-fixture-files.ts';

describe('crc16X25', () => {
  it('has the CRC-16/X.25 check value 0x906E for "123456789"', () => {
    expect(crc16X25(new TextEncoder().encode('123456789'))).toBe(0x906e);
  });

  it('is 0x0000 for no bytes (init 0xFFFF xor 0xFFFF)', () => {
    expect(crc16X25(new Uint8Array(0))).toBe(0);
  });

  it('honours start and end', () => {
    const bytes = new TextEncoder().encode('xx123456789yy');
    expect(crc16X25(bytes, 2, 11)).toBe(0x906e);
  });

  it('reproduces the little-endian FCS of a real Aidon frame', () => {
    const f = ownFixture('aidon_3p_list1_1').bytes;
    const fcs = f[f.length - 3]! | (f[f.length - 2]! << 8);
    expect(crc16X25(f, 1, f.length - 3)).toBe(fcs);
  });
});
