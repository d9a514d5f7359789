/**
 * HAN decode throughput on one core: frames/s over the valid unencrypted and encrypted captures,
 * with a baseline in the same run (crc16X25 alone over the same bytes) and the ratio.
 * Run: npx node packages/meter-protocol/bench/han.bench.ts
 */
import { crc16X25 } from '../src/dlms/crc16-x25.ts';
import { decodeFrame, type HanDecodeOptions } from '../src/dlms/han-decoder.ts';
import { hanFixtures } from '../test/han/han-fixture-files.ts';
import { buildFrame, concat, encryptApdu, infoOf, LLC } from '../test/han/hdlc-frame-builder.ts';

interface Case {
  bytes: Uint8Array;
  options: HanDecodeOptions;
}

const hex = (h: string | null | undefined) => (h ? Uint8Array.from(Buffer.from(h, 'hex')) : undefined);
const all = hanFixtures().filter((f) => f.expected?.hdlc?.valid && !f.expected.hdlc.segmented);
const plain: Case[] = all.filter((f) => !f.expected.encryption).map((f) => ({ bytes: f.bytes, options: {} }));
const encrypted: Case[] = all
  .filter((f) => f.expected.encryption?.encryption_key)
  .map((f) => {
    const options: HanDecodeOptions = {};
    const ek = hex(f.expected.encryption.encryption_key);
    const ak = hex(f.expected.encryption.authentication_key);
    if (ek) options.encryptionKey = ek;
    if (ak) options.authenticationKey = ak;
    return { bytes: f.bytes, options };
  });
// synthetic SC 0x30 frames from the plaintext captures, so a fresh clone measures the GCM path too
const key = new Uint8Array(16).fill(7);
const authKey = new Uint8Array(16).fill(9);
const systemTitle = Uint8Array.from(Buffer.from('4b464d0000000001', 'hex'));
const synthetic: Case[] = plain.map((c, i) => ({
  bytes: buildFrame(concat(LLC, encryptApdu(infoOf(c.bytes).subarray(3), { key, authKey, systemTitle, frameCounter: i, securityControl: 0x30 }))),
  options: { encryptionKey: key, authenticationKey: authKey },
}));

// results are folded into a sink so the JIT cannot drop the work
let sink = 0;

function measure(name: string, cases: Case[], work: (c: Case) => number, ms = 1500): number {
  for (let i = 0; i < 200; i++) for (const c of cases) sink ^= work(c); // warm-up
  let frames = 0;
  let bytes = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (const c of cases) {
      sink ^= work(c);
      bytes += c.bytes.length;
    }
    frames += cases.length;
    elapsed = performance.now() - start;
  }
  const rate = (frames / elapsed) * 1000;
  console.log(`${name.padEnd(48)} ${Math.round(rate).toLocaleString('en').padStart(12)} frames/s  ${((bytes / elapsed) * 1000 / 1e6).toFixed(1).padStart(7)} MB/s`);
  return rate;
}

const crc = (c: Case) => crc16X25(c.bytes, 1, c.bytes.length - 3);
const decode = (c: Case) => decodeFrame(c.bytes, c.options).raw.length;

console.log(`node ${process.version}, ${plain.length} plain, ${encrypted.length} published encrypted, ${synthetic.length} synthetic encrypted frames`);
for (const [label, cases] of [
  ['unencrypted', plain],
  ['encrypted (published keys)', encrypted],
  ['encrypted (synthetic SC 0x30)', synthetic],
] as const) {
  if (cases.length === 0) continue;
  const base = measure(`baseline crc16X25, ${label}`, cases, crc);
  const rate = measure(`decodeFrame, ${label}`, cases, decode);
  console.log(`${'ratio decode / crc'.padEnd(48)} ${(rate / base).toFixed(3).padStart(12)}  (crc alone is ${(base / rate).toFixed(1)}x faster)`);
}
console.log(`(sink ${sink & 1})`);
