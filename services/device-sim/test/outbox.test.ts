import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../src/outbox/outbox.store.ts';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-outbox-'));
  dirs.push(dir);
  return join(dir, 'device.jsonl');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('outbox on disk', () => {
  it('keeps unacknowledged readings across a restart, in order', () => {
    const path = tempFile();
    const a = Outbox.open<{ n: number }>(path, { maxItems: 100 });
    const ids = [1, 2, 3, 4].map((n) => a.add({ n })!);
    a.ack([ids[0]!, ids[2]!]);
    a.close();
    const b = Outbox.open<{ n: number }>(path, { maxItems: 100 });
    expect(b.peek(10).map((e) => e.item.n)).toEqual([2, 4]);
    // New ids never collide with the ones still waiting.
    const id = b.add({ n: 5 })!;
    expect(id).toBeGreaterThan(ids[3]!);
    b.close();
  });

  it('survives a crash: no close, then a torn last line', () => {
    const path = tempFile();
    const a = Outbox.open<{ n: number }>(path, { maxItems: 100 });
    a.add({ n: 1 });
    a.add({ n: 2 });
    // The process dies mid-write: half a line, never closed.
    appendFileSync(path, 'A 3 {"n":');
    const b = Outbox.open<{ n: number }>(path, { maxItems: 100 });
    expect(b.peek(10).map((e) => e.item.n)).toEqual([1, 2]);
    b.add({ n: 4 });
    b.close();
    expect(Outbox.open<{ n: number }>(path, { maxItems: 100 }).peek(10).map((e) => e.item.n)).toEqual([1, 2, 4]);
  });

  it('is bounded and refuses beyond its limit', () => {
    const o = Outbox.open<number>(tempFile(), { maxItems: 2 });
    expect(o.add(1)).toBeDefined();
    expect(o.add(2)).toBeDefined();
    expect(o.isFull).toBe(true);
    expect(o.add(3)).toBeUndefined();
    o.ack([o.peek(1)[0]!.id]);
    expect(o.add(3)).toBeDefined();
    o.close();
  });

  it('compacts once acknowledgements pile up', () => {
    const path = tempFile();
    const o = Outbox.open<number>(path, { maxItems: 1000, compactAfter: 10 });
    for (let i = 0; i < 30; i++) {
      const id = o.add(i)!;
      if (i < 25) o.ack([id]);
    }
    o.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(20);
    expect(Outbox.open<number>(path, { maxItems: 1000 }).peek(100).map((e) => e.item)).toEqual([25, 26, 27, 28, 29]);
  });
});
