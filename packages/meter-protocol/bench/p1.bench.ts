/**
 * P1 decode throughput on one core: `npx node packages/meter-protocol/bench/p1.bench.ts [seconds]`.
 * Decodes every valid capture of the corpus in a loop (CRC always checked) and compares with two
 * baselines measured in the same run: crc16Arc alone over the same bytes, and JSON.parse of the
 * decoded reading serialised as JSON.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crc16Arc } from '../src/dsmr/crc16-arc.ts';
import { decodeTelegram, decodeTelegrams } from '../src/dsmr/telegram-decoder.ts';
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

/**
 * Runs `round` (which handles `perRound` telegrams) for about `seconds` in 20 slices; returns the
 * median rate per second of this process' CPU time. The machine may be shared with other jobs,
 * which slows every slice: the best slice and the wall-clock rate are printed too.
 */
function measure(name: string, perRound: number, round: () => number): number {
  let sink = 0;
  const warmEnd = performance.now() + 500;
  while (performance.now() < warmEnd) sink ^= round();
  const rates: number[] = [];
  let wallRounds = 0;
  const wallStart = performance.now();
  for (let slice = 0; slice < 20; slice++) {
    let rounds = 0;
    const cpuStart = process.cpuUsage();
    const end = performance.now() + (seconds * 1000) / 20;
    while (performance.now() < end) {
      for (let i = 0; i < 20; i++) sink ^= round();
      rounds += 20;
    }
    const used = process.cpuUsage(cpuStart);
    rates.push((rounds * perRound) / ((used.user + used.system) / 1e6));
    wallRounds += rounds;
  }
  const wallRate = (wallRounds * perRound) / ((performance.now() - wallStart) / 1000);
  rates.sort((a, b) => a - b);
  const median = rates[10]!;
  const best = rates[19]!;
  const fmt = (r: number) => Math.round(r).toLocaleString('en-US');
  console.log(
    `${name.padEnd(42)} ${fmt(median).padStart(10)} /s ${(1e6 / median).toFixed(2).padStart(6)} µs  (best slice ${fmt(best)} /s = ${(1e6 / best).toFixed(2)} µs; wall ${fmt(wallRate)} /s; sink ${sink & 1})`,
  );
  return median;
}

// flat copies, as a body read from a socket or file is; splitter output would be sliced strings
const telegrams = corpus().map((t) => Array.from(t).join(''));
const bytes = telegrams.map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0)));
const json = telegrams.map((t) => JSON.stringify(decodeTelegram(t)));
const totalBytes = bytes.reduce((n, b) => n + b.length, 0);
const body = [...telegrams, ''].join('\r\n'); // one flat string, as a request body is
console.log(`corpus: ${telegrams.length} valid telegrams, ${Math.round(totalBytes / telegrams.length)} bytes on average; node ${process.version}; ${seconds} s per measurement; rates by CPU time, median of 20 slices`);

const decodeRate = measure('decodeTelegram (CRC checked)', telegrams.length, () => {
  let n = 0;
  for (const t of telegrams) n += decodeTelegram(t).raw.length + 1;
  return n;
});
const bodyRate = measure('decodeTelegrams(whole body: split+decode)', telegrams.length, () => decodeTelegrams(body).length);
const crcRate = measure('baseline: crc16Arc over the same bytes', bytes.length, () => {
  let n = 0;
  for (const b of bytes) n ^= crc16Arc(b);
  return n;
});
const jsonRate = measure('baseline: JSON.parse of the reading JSON', json.length, () => {
  let n = 0;
  for (const j of json) n += (JSON.parse(j) as { raw: unknown[] }).raw.length + 1;
  return n;
});
const splitRate = measure('TelegramSplitter.push(whole body)', telegrams.length, () => new TelegramSplitter().push(body).length);

console.log('');
console.log(`decodeTelegram: ${(decodeRate / 1000).toFixed(0)} k telegrams/s, ${(1e6 / decodeRate).toFixed(2)} µs each (target >= 200 k/s = 5 µs)`);
console.log(`decodeTelegrams on a body: ${(bodyRate / 1000).toFixed(0)} k telegrams/s, ${(1e6 / bodyRate).toFixed(2)} µs each`);
console.log(`one decode costs ${(crcRate / decodeRate).toFixed(1)} x crc16Arc alone and ${(jsonRate / decodeRate).toFixed(2)} x JSON.parse of its own result`);
console.log(`splitter: ${((splitRate * totalBytes) / telegrams.length / 1e6).toFixed(0)} MB/s`);
