import { connect, type Socket } from 'node:net';

/** What the load generator needs from one answer: no header object, no body string unless asked. */
export interface HttpAnswer {
  status: number;
  retryAfter: boolean;
  /** Retry-After in seconds, when given as delta-seconds. */
  retryAfterS: number | undefined;
  /** `duplicates` of an IngestResult body, when the answer has one. */
  duplicates: number | undefined;
  /** `accepted` of an IngestResult body (read from its first bytes), when the answer has one. */
  accepted: number | undefined;
  /** The body bytes, only when the caller asked for them (they cost a copy). */
  body: Buffer | undefined;
}

type Pending = { resolve(a: HttpAnswer): void; reject(e: Error): void; keepBody: boolean; timer: NodeJS.Timeout };

const CRLF2 = Buffer.from('\r\n\r\n');
const ACCEPTED = /"accepted":(\d+)/;
const DUPLICATES = /"duplicates":(\d+)/;
const RETRY_AFTER = /\r\nretry-after: *(\d+)/;

/**
 * One HTTP/1.1 keep-alive connection to a loopback server, one request at a time (no pipelining),
 * with the cheapest parsing that is still correct for Fastify's answers (content-length or chunked).
 * node:http would spend about as much CPU per request as the server under test on this 2-core box.
 */
export class KeepAliveConnection {
  readonly #port: number;
  readonly #timeoutMs: number;
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  #buf: Buffer = Buffer.alloc(0);
  #pending: Pending | undefined;
  /** Connections opened over the lifetime (reconnects after Connection: close or errors). */
  opened = 0;

  constructor(port: number, timeoutMs: number) {
    this.#port = port;
    this.#timeoutMs = timeoutMs;
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  #open(): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed) return Promise.resolve(this.#socket);
    this.#connecting ??= new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: this.#port, noDelay: true });
      s.once('connect', () => {
        this.opened += 1;
        this.#socket = s;
        this.#connecting = undefined;
        resolve(s);
      });
      s.once('error', (err) => {
        this.#connecting = undefined;
        reject(err);
      });
      s.on('data', (chunk: Buffer) => this.#onData(chunk));
      s.on('close', () => {
        if (this.#socket === s) this.#socket = undefined;
        this.#buf = Buffer.alloc(0);
        this.#fail(new Error('connection closed before the answer'));
      });
      s.on('error', () => {});
    });
    return this.#connecting;
  }

  /** Sends one complete request (head + body bytes) and resolves with the answer. */
  async request(raw: Buffer, keepBody = false): Promise<HttpAnswer> {
    if (this.#pending) throw new Error('request while another is in flight');
    const socket = await this.#open();
    return new Promise<HttpAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new Error('timeout'));
        socket.destroy();
      }, this.#timeoutMs);
      this.#pending = { resolve, reject, keepBody, timer };
      socket.write(raw);
    });
  }

  #fail(err: Error): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    clearTimeout(p.timer);
    p.reject(err);
  }

  #onData(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const buf = this.#buf;
    const headEnd = buf.indexOf(CRLF2);
    if (headEnd < 0) return;
    const head = buf.toString('latin1', 0, headEnd).toLowerCase();
    const status = Number(head.slice(9, 12));
    const bodyStart = headEnd + 4;
    let bodyEnd: number;
    let body: Buffer | undefined;
    const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
    if (cl) {
      bodyEnd = bodyStart + Number(cl[1]);
      if (buf.length < bodyEnd) return;
      body = buf.subarray(bodyStart, bodyEnd);
    } else if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
      const parts: Buffer[] = [];
      let at = bodyStart;
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', at);
        if (lineEnd < 0) return;
        const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
        if (buf.length < lineEnd + 2 + size + 2) return;
        if (size === 0) {
          bodyEnd = lineEnd + 4;
          break;
        }
        parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      bodyEnd = bodyStart;
    }
    this.#buf = buf.length > bodyEnd ? buf.subarray(bodyEnd) : Buffer.alloc(0);
    const p = this.#pending;
    this.#pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      const start = body ? body.toString('latin1', 0, Math.min(body.length, 96)) : '';
      const accepted = ACCEPTED.exec(start);
      const duplicates = DUPLICATES.exec(start);
      const retryAfterS = RETRY_AFTER.exec(head);
      p.resolve({
        status,
        retryAfter: head.includes('\r\nretry-after:'),
        retryAfterS: retryAfterS ? Number(retryAfterS[1]) : undefined,
        duplicates: duplicates ? Number(duplicates[1]) : undefined,
        accepted: accepted ? Number(accepted[1]) : undefined,
        body: p.keepBody ? Buffer.from(body ?? []) : undefined,
      });
    }
    if (head.includes('\r\nconnection: close')) this.#socket?.destroy();
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }
}

/** Request bytes: head and body in one buffer so each request is one write. */
export function rawRequest(path: string, headers: Record<string, string>, body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  let head = `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${bytes.length}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), bytes]);
}
