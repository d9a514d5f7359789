/**
 * P1 decode throughput on one core: `npx node packages/meter-protocol/bench/p1.bench.ts [seconds]`.
 * Decodes every valid capture of the corpus in a loop (CRC always checked) and compares with two
 * baselines measured in the same run: crc16Arc alone over the same bytes, and JSON.parse of the
 * decoded reading serialised as JSON.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc16Arc } from '../src/dsmr/crc16-arc.ts';
import { decodeTelegram } from '../src/dsmr/telegram-decoder.ts';
import { TelegramSplitter } from '../src/dsmr/telegram-splitter.ts';

const seconds = Number(process.argv[2] ?? 3);
const dirs = ['../fixtures/dsmr/', '../../../../shared/fixtures/dsmr/'].map((d) => fileURLToPath(new URL(d, import.meta.url)));

/** Telegrams with a valid CRC, one per distinct content. */
function corpus(): string[] {
  const seen = new Set<string>();
  for (const dir of dirs.filter((d) => existsSync(d))) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
      const text = readFileSync(dir + file).toString('latin1');
      for (const telegram of TelegramSplitter.splitAll(text)) {
        try {
          if (decodeTelegram(telegram).checksum === 'valid') seen.add(telegram);
        } catch {
          // invalid captures are not part of the benchmark
        }
      }
    }
  }
  return [...seen];
}

/** Runs `round` (which handles `perRound` telegrams) for about `seconds`; returns telegrams per second. */
function measure(name: string, perRound: number, round: () => number): number {
  let sink = 0;
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) sink ^= round();
  let rounds = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) sink ^= round();
    rounds += 50;
  }
  const elapsed = (performance.now() - start) / 1000;
  const rate = (rounds * perRound) / elapsed;
  console.log(`${name.padEnd(34)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} telegrams/s ${(1e6 / rate).toFixed(2).padStart(8)} µs/telegram   (sink ${sink & 1})`);
  return rate;
}

const telegrams = corpus();
const bytes = telegrams.map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0)));
const json = telegrams.map((t) => JSON.stringify(decodeTelegram(t)));
const totalBytes = bytes.reduce((n, b) => n + b.length, 0);
console.log(`corpus: ${telegrams.length} valid telegrams, ${Math.round(totalBytes / telegrams.length)} bytes on average; node ${process.version}; ${seconds} s per measurement`);

const decodeRate = measure('decodeTelegram (CRC checked)', telegrams.length, () => {
  let n = 0;
  for (const t of telegrams) n += decodeTelegram(t).raw.length + 1;
  return n;
});
const crcRate = measure('baseline: crc16Arc over the bytes', bytes.length, () => {
  let n = 0;
  for (const b of bytes) n ^= crc16Arc(b);
  return n;
});
const jsonRate = measure('baseline: JSON.parse of the reading', json.length, () => {
  let n = 0;
  for (const j of json) n += (JSON.parse(j) as { raw: unknown[] }).raw.length + 1;
  return n;
});
const stream = telegrams.join('\r\n') + '\r\n';
const splitRate = measure('TelegramSplitter over the stream', telegrams.length, () => new TelegramSplitter().push(stream).length);

console.log(`decode: ${(decodeRate / 1000).toFixed(0)} k telegrams/s = ${(1e6 / decodeRate).toFixed(2)} µs each (target >= 200 k/s, 5 µs)`);
console.log(`ratio decode / crc16Arc baseline: ${(crcRate / decodeRate).toFixed(2)}x slower; decode / JSON.parse baseline: ${(jsonRate / decodeRate).toFixed(2)}x ${decodeRate > jsonRate ? 'faster' : 'slower'} (${(jsonRate / decodeRate).toFixed(2)})`);
console.log(`splitter: ${((splitRate * totalBytes) / telegrams.length / 1e6).toFixed(0)} MB/s`);
