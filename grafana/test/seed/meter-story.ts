/**
 * Builds a meter's readings as a story of register steps, so expected rollups can be worked out by hand:
 * each call moves the registers to a new value at a new time and records one reading.
 */
import type { InsertedReading } from '@sem/ingest';

export type Registers = Record<string, number>;

export class MeterStory {
  readonly rows: InsertedReading[] = [];
  private regs: Registers;
  private last = -Infinity;
  private readonly deviceId: number;

  constructor(deviceId: number, start: Registers) {
    this.deviceId = deviceId;
    this.regs = { ...start };
  }

  /** A reading at `at` (ISO UTC) after adding `add` to the registers, carrying `extra` values. */
  step(at: string, add: Registers = {}, extra: Record<string, number> = {}): this {
    const t = Date.parse(at);
    if (!(t > this.last)) throw new Error(`story goes back in time at ${at}`);
    this.last = t;
    for (const [k, v] of Object.entries(add)) this.regs[k] = (this.regs[k] ?? 0) + v;
    this.rows.push({ device_id: this.deviceId, meter_time: new Date(t), ...this.regs, ...extra });
    return this;
  }

  /** A reading that replaces every register with new values (a meter swap). */
  replace(at: string, regs: Registers): this {
    this.regs = { ...regs };
    return this.step(at);
  }

  /** Steady consumption: `whPerHour` into register `reg` up to `at` (whole hours only, so the Wh stay integers). */
  gap(at: string, reg: string, whPerHour: number): this {
    const hours = (Date.parse(at) - this.last) / 3_600_000;
    if (!Number.isInteger(hours)) throw new Error(`gap to ${at} is not whole hours`);
    return this.step(at, { [reg]: hours * whPerHour });
  }
}
