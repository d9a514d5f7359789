/** One thing a meter sends: a P1 telegram (latin1 text, one char per byte) or a HAN frame (bytes). */
export type MeterUnit = { protocol: 'p1'; telegram: string } | { protocol: 'han'; frame: Uint8Array };

export type MeterProtocol = MeterUnit['protocol'];

/** A unit with the time the device saw it (device clock, ms since epoch). */
export interface TimedUnit {
  atMs: number;
  unit: MeterUnit;
}
