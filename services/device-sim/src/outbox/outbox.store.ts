import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A bounded, append-only outbox on disk: one file per device, one line per event.
 *   `A <id> <json>`  a reading waiting for an acknowledgement
 *   `K <id>,<id>..`  readings the server acknowledged (or rejected for good)
 * Every line is written with a synchronous write before the reading is sent, so a crash or a
 * SIGKILL of the device loses nothing the server has not acknowledged. A torn last line (crash
 * mid-write) is skipped on open, and the file is compacted then and whenever acks pile up.
 */
export interface OutboxEntry<T> {
  id: number;
  item: T;
}

export interface OutboxOptions {
  /** Most readings kept waiting; `add` refuses beyond it. */
  maxItems: number;
  /** Compact after this many acknowledged lines. */
  compactAfter?: number;
}

export class Outbox<T> {
  readonly path: string;
  readonly maxItems: number;
  private readonly compactAfter: number;
  private readonly pending = new Map<number, T>();
  private nextId = 1;
  private ackedLines = 0;
  private fd: number;

  private constructor(path: string, options: OutboxOptions) {
    this.path = path;
    this.maxItems = options.maxItems;
    this.compactAfter = options.compactAfter ?? 10_000;
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) this.load(readFileSync(path, 'utf8'));
    this.fd = -1;
    this.compact();
  }

  static open<T>(path: string, options: OutboxOptions): Outbox<T> {
    return new Outbox<T>(path, options);
  }

  get size(): number {
    return this.pending.size;
  }

  get isFull(): boolean {
    return this.pending.size >= this.maxItems;
  }

  /** Stores a reading durably; returns its id, or undefined when the outbox is full. */
  add(item: T): number | undefined {
    if (this.isFull) return undefined;
    const id = this.nextId++;
    this.append(`A ${id} ${JSON.stringify(item)}\n`);
    this.pending.set(id, item);
    return id;
  }

  /** The oldest waiting readings, at most `limit`, in the order they were added. */
  peek(limit: number): OutboxEntry<T>[] {
    const out: OutboxEntry<T>[] = [];
    for (const [id, item] of this.pending) {
      if (out.length >= limit) break;
      out.push({ id, item });
    }
    return out;
  }

  /** Removes readings for good: acknowledged, or rejected with a final 4xx. */
  ack(ids: readonly number[]): void {
    const known = ids.filter((id) => this.pending.has(id));
    if (known.length === 0) return;
    this.append(`K ${known.join(',')}\n`);
    for (const id of known) this.pending.delete(id);
    this.ackedLines += known.length;
    if (this.ackedLines >= this.compactAfter) this.compact();
  }

  close(): void {
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private load(text: string): void {
    for (const line of text.split('\n')) {
      if (line.length < 3) continue;
      try {
        if (line.startsWith('A ')) {
          const space = line.indexOf(' ', 2);
          const id = Number(line.slice(2, space));
          const item = JSON.parse(line.slice(space + 1)) as T;
          if (!Number.isSafeInteger(id)) continue;
          this.pending.set(id, item);
          this.nextId = Math.max(this.nextId, id + 1);
        } else if (line.startsWith('K ')) {
          for (const id of line.slice(2).split(',')) this.pending.delete(Number(id));
        }
      } catch {
        // A torn line from a crash mid-write: its reading was never handed to the sender.
      }
    }
  }

  /** Rewrites the file with only the waiting readings (write, fsync, rename: never half a file). */
  private compact(): void {
    if (this.fd >= 0) closeSync(this.fd);
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    let chunk = '';
    for (const [id, item] of this.pending) {
      chunk += `A ${id} ${JSON.stringify(item)}\n`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk) writeSync(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
    this.fd = openSync(this.path, 'a');
    this.ackedLines = 0;
  }

  private append(line: string): void {
    writeSync(this.fd, line);
  }
}
