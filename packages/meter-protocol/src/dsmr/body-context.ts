/** The state the telegram scanner (telegram-body.ts) fills and the object handlers (p1-apply.ts) read. */
import { QUANTITIES, type Reading } from '../reading.ts';

export const MAX_GROUPS = 256;
export const ID_FIELDS = 8;
const MAX_IDS = 8;

/** Everything the object handlers need about the object being decoded. */
export class BodyContext {
  text = '';
  timeZone = '';
  reading!: Reading;
  /** No CRC vouches for the bytes: malformed lines are errors instead of raw entries. */
  strict = false;
  /** The telegram as latin1 bytes (bytes[i] is text[i]): cheaper to scan than charCodeAt. */
  bytes: Uint8Array = new Uint8Array(0);
  /** Start and end (exclusive, at ')') of each value group: [s0, e0, s1, e1, ...]. */
  readonly groups = new Int32Array(MAX_GROUPS * 2);
  groupCount = 0;
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  e = 0;
  /** Where the object's first '(' is, and whether its groups span lines. */
  valueStart = 0;
  valueEnd = 0;
  multiLine = false;
  hasClock = false;
  hasVersion = false;
  objectCount = 0;
  /** Equipment id candidates, ID_FIELDS numbers each: rank, A, B, C, D, E, value start, value end. */
  readonly ids = new Int32Array(ID_FIELDS * MAX_IDS);
  idCount = 0;
  /** Quantity values by QUANTITIES index, and which are set; copied into reading.values at the end. */
  readonly values = new Float64Array(QUANTITIES.length);
  readonly present = new Uint8Array(QUANTITIES.length);
  /** Exact mantissa/decimals of the tariff registers, to sum them without float noise. */
  readonly tariffRegisters = new Float64Array(8);
  tariffMask = 0;

  reset(text: string, bytes: Uint8Array, timeZone: string, reading: Reading, strict: boolean): void {
    this.text = text;
    this.bytes = bytes;
    this.timeZone = timeZone;
    this.reading = reading;
    this.strict = strict;
    this.groupCount = 0;
    this.hasClock = false;
    this.hasVersion = false;
    this.objectCount = 0;
    this.idCount = 0;
    this.tariffMask = 0;
    this.present.fill(0);
  }

  /** The OBIS code as A-B:C.D.E (an F group the meter sent is dropped). */
  obis(): string {
    return `${this.a}-${this.b}:${this.c}.${this.d}.${this.e}`;
  }

  /** The text after the OBIS code, as sent (groups of continuation lines joined). */
  rawValue(): string {
    if (!this.multiLine) return this.text.slice(this.valueStart, this.valueEnd);
    let value = '';
    for (let k = 0; k < this.groupCount; k++) value += `(${this.group(k)})`;
    return value;
  }

  group(k: number): string {
    return this.text.slice(this.groups[2 * k]!, this.groups[2 * k + 1]!);
  }

  /** Remembers the current single-group object as an equipment id candidate (decoded at the end). */
  addId(rank: number): void {
    if (this.idCount === MAX_IDS) {
      this.keepRaw();
      return;
    }
    const at = this.idCount++ * ID_FIELDS;
    const ids = this.ids;
    ids[at] = rank;
    ids[at + 1] = this.a;
    ids[at + 2] = this.b;
    ids[at + 3] = this.c;
    ids[at + 4] = this.d;
    ids[at + 5] = this.e;
    ids[at + 6] = this.groups[0]!;
    ids[at + 7] = this.groups[1]!;
  }

  keepRaw(): void {
    this.reading.raw.push({ obis: this.obis(), value: this.rawValue() });
  }
}
