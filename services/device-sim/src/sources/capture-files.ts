import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { MeterProtocol, MeterUnit } from './meter-unit.ts';
import { UnitSplitter } from './unit-splitter.ts';

/**
 * Loads captures: P1 `.txt` (one or more telegrams, exact bytes), HAN `.hex` (one frame per line)
 * or `.bin` (raw bytes). A folder contributes its capture files in name order.
 */
const EXTENSIONS: Record<string, MeterProtocol> = { '.txt': 'p1', '.hex': 'han', '.bin': 'han' };

export function captureFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => EXTENSIONS[extname(name).toLowerCase()] !== undefined && !name.endsWith('.expected.json'))
    .sort()
    .map((name) => join(path, name));
}

export function protocolOfFile(path: string): MeterProtocol | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** Hex text to bytes, ignoring whitespace; undefined when it is not hex. */
export function hexToBytes(text: string): Uint8Array | undefined {
  const clean = text.replace(/\s+/g, '');
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export interface LoadedCapture {
  protocol: MeterProtocol;
  units: MeterUnit[];
  /** Telegrams or frames in the files that failed framing or checksum (not replayed). */
  skipped: number;
}

/** Reads every capture under `path`; `protocol` overrides detection by extension. */
export function loadCaptures(path: string, protocol?: MeterProtocol): LoadedCapture {
  const files = captureFiles(path);
  const detected = protocol ?? files.map(protocolOfFile).find((p) => p !== undefined);
  if (!detected) throw new RangeError(`no capture (.txt, .hex, .bin) at ${path}; pass --protocol`);
  const units: MeterUnit[] = [];
  let skipped = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    const splitter = new UnitSplitter(detected);
    if (detected === 'han' && extname(file).toLowerCase() === '.hex') {
      for (const line of bytes.toString('latin1').split(/\r?\n/)) {
        const frame = hexToBytes(line);
        if (!frame) continue;
        units.push(...splitter.push(frame), ...splitter.end());
      }
    } else {
      units.push(...splitter.push(bytes), ...splitter.end());
    }
    skipped += splitter.skipped;
  }
  if (units.length === 0) throw new RangeError(`no valid ${detected === 'p1' ? 'telegram' : 'frame'} in ${path}`);
  return { protocol: detected, units, skipped };
}
