import { HdlcFrameReader, TelegramSplitter } from '@sem/meter-protocol';
import type { MeterProtocol, MeterUnit } from './meter-unit.ts';

/**
 * Cuts a byte stream into meter units with the protocol library's splitters, which resynchronise
 * on garbage (real streams start mid-telegram). Bad frames are counted, never forwarded.
 */
export class UnitSplitter {
  readonly protocol: MeterProtocol;
  /** Damaged or truncated telegrams/frames skipped so far. */
  skipped = 0;
  private readonly p1 = new TelegramSplitter();
  private readonly han = new HdlcFrameReader();

  constructor(protocol: MeterProtocol) {
    this.protocol = protocol;
  }

  push(chunk: Uint8Array): MeterUnit[] {
    if (this.protocol === 'p1') return this.p1.push(chunk).map((telegram) => ({ protocol: 'p1', telegram }));
    const { frames, errors } = this.han.push(chunk);
    this.skipped += errors.length;
    return frames.map((f) => ({ protocol: 'han', frame: f.raw }));
  }

  end(): MeterUnit[] {
    if (this.protocol === 'p1') return this.p1.flush().map((telegram) => ({ protocol: 'p1', telegram }));
    const { frames, errors } = this.han.end();
    this.skipped += errors.length;
    return frames.map((f) => ({ protocol: 'han', frame: f.raw }));
  }
}
