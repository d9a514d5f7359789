/**
 * HDLC frame reader for IEC 62056-46 "frame format type 3" as HAN ports send it (no byte stuffing).
 * Frames are delimited by the 11-bit length field, never by the next 0x7E, because 0x7E may occur
 * inside the information field. Two frames may share one flag. Segmented pushes are reassembled.
 */
import { ChecksumError, FrameError, type ProtocolError } from '../errors.ts';
import { crc16X25 } from './crc16-x25.ts';
import { concatBytes, hex16, toHex } from './hex.ts';

const FLAG = 0x7e;
const SEGMENT_BIT = 0x0800;
const MAX_ADDRESS_BYTES = 4;
/** A push longer than this is not a meter list: drop it rather than buffer without bound. */
const MAX_REASSEMBLED_BYTES = 65_536;

/** One complete HDLC frame, or several segments reassembled into one information field. */
export interface HdlcFrame {
  /** The 16-bit frame format field of the (last) frame: type nibble 0xA, S bit, 11-bit length. */
  format: number;
  /** True when `info` was reassembled from segments (S bit 0x0800 set on all but the last). */
  segmented: boolean;
  /** Number of HDLC frames the information field came from (1 unless segmented). */
  segmentCount: number;
  /** Destination address bytes (1-4, the last one has LSB 1). */
  destination: Uint8Array;
  /** Source address bytes (1-4, the last one has LSB 1). */
  source: Uint8Array;
  /** Control byte of the (last) frame. */
  control: number;
  /** Information field (LLC header + APDU); for segmented pushes, all segments' fields joined. */
  info: Uint8Array;
  /** The frame bytes, opening and closing flag included; for segmented pushes, every segment back to back. */
  raw: Uint8Array;
}

/** What `push` and `end` return: frames completed so far and the problems skipped over while resynchronising. */
export interface HdlcReadResult {
  frames: HdlcFrame[];
  errors: ProtocolError[];
}

interface Pending {
  parts: HdlcFrame[];
}

/**
 * Incremental reader: feed it chunks as they arrive; it hunts for 0x7E, checks HCS/FCS and
 * skips bad bytes to the next flag. Results never depend on how the stream was chunked.
 */
export class HdlcFrameReader {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  /** Non-flag bytes skipped outside any frame candidate since the last report. */
  #skipped = 0;
  #skippedAt = 0;
  /** Bytes consumed before #buf[0], for error offsets. */
  #base = 0;
  #pending: Pending | null = null;
  /** True while skipping the rest of a rejected candidate (already reported). */
  #quiet = false;

  /** Adds bytes and returns every frame completed by them and the errors met on the way. */
  push(chunk: Uint8Array): HdlcReadResult {
    this.#append(chunk);
    const out: HdlcReadResult = { frames: [], errors: [] };
    this.#scan(out);
    this.#compact();
    return out;
  }

  /** Ends the stream: reports a truncated frame, trailing garbage or segments still waiting, then resets. */
  end(): HdlcReadResult {
    const out: HdlcReadResult = { frames: [], errors: [] };
    // a candidate still waiting for bytes is truncated: reject it and look for frames inside it
    this.#scan(out, true);
    this.#flushSkipped(out);
    const left = this.#buf.length - this.#pos;
    const at = this.#base + this.#pos;
    if (this.#pending) {
      out.errors.push(
        new FrameError(
          `incomplete segmented HDLC frame: ${this.#pending.parts.length} segment(s) received, the final segment (S bit clear) never arrived`,
          { offset: at },
        ),
      );
    }
    this.#buf = new Uint8Array(0);
    this.#pos = 0;
    this.#base += left;
    this.#pending = null;
    this.#quiet = false;
    return out;
  }

  #append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const left = this.#buf.length - this.#pos;
    const next = new Uint8Array(left + chunk.length);
    next.set(this.#buf.subarray(this.#pos), 0);
    next.set(chunk, left);
    this.#base += this.#pos;
    this.#buf = next;
    this.#pos = 0;
  }

  #compact(): void {
    if (this.#pos === 0) return;
    this.#base += this.#pos;
    this.#buf = this.#buf.slice(this.#pos);
    this.#pos = 0;
  }

  #flushSkipped(out: HdlcReadResult): void {
    if (this.#skipped > 0) {
      out.errors.push(new FrameError(`skipped ${this.#skipped} bytes outside any HDLC frame`, { offset: this.#skippedAt }));
      this.#skipped = 0;
    }
  }

  #scan(out: HdlcReadResult, final = false): void {
    const buf = this.#buf;
    for (;;) {
      // hunt for a flag
      let p = this.#pos;
      while (p < buf.length && buf[p] !== FLAG) {
        if (!this.#quiet) {
          if (this.#skipped === 0) this.#skippedAt = this.#base + p;
          this.#skipped++;
        }
        p++;
      }
      this.#pos = p;
      if (p >= buf.length) return;
      this.#quiet = false;
      this.#flushSkipped(out);
      if (p + 1 >= buf.length) return;
      if (buf[p + 1] === FLAG) {
        // closing flag followed by an opening flag
        this.#pos = p + 1;
        continue;
      }
      if (p + 2 >= buf.length) {
        if (!final) return;
        this.#reject(out, new FrameError('truncated HDLC frame: stream ended inside the frame format field', { offset: this.#base + p }), p);
        continue;
      }
      const format = (buf[p + 1]! << 8) | buf[p + 2]!;
      const offset = this.#base + p;
      if (format >> 12 !== 0xa) {
        this.#reject(out, new FrameError(`not an HDLC frame format type 3: format field ${hex16(format)}`, { offset }), p);
        continue;
      }
      const length = format & 0x7ff;
      if (length < 7) {
        this.#reject(out, new FrameError(`HDLC length field ${length} is too short for a frame`, { offset }), p);
        continue;
      }
      const end = p + length + 1; // index of the closing flag
      if (end >= buf.length) {
        // check the header as soon as it is here, so garbage that looks like a start is dropped early
        const header = checkHeader(buf, p, length, offset, buf.length);
        if (header instanceof Error) {
          this.#reject(out, header, p);
          continue;
        }
        if (!final) return; // wait for the rest
        this.#reject(out, new FrameError(`truncated HDLC frame: stream ended ${buf.length - p} bytes into a frame of ${length + 2}`, { offset }), p);
        continue;
      }
      const result = parseFrameAt(buf, p, length, offset);
      if (result instanceof Error) {
        this.#reject(out, result, p);
        continue;
      }
      this.#pos = end; // the closing flag may open the next frame
      this.#deliver(out, result);
    }
  }

  /** Records an error for the candidate at p and resumes the hunt right after its flag. */
  #reject(out: HdlcReadResult, error: ProtocolError, p: number): void {
    out.errors.push(error);
    this.#pos = p + 1;
    // bytes of a rejected candidate are not reported again as skipped garbage
    this.#quiet = true;
  }

  #deliver(out: HdlcReadResult, frame: HdlcFrame): void {
    const pending = this.#pending;
    const more = (frame.format & SEGMENT_BIT) !== 0;
    if (pending) {
      const first = pending.parts[0]!;
      if (sameBytes(first.destination, frame.destination) && sameBytes(first.source, frame.source)) {
        pending.parts.push(frame);
        const size = pending.parts.reduce((n, f) => n + f.info.length, 0);
        if (size > MAX_REASSEMBLED_BYTES) {
          out.errors.push(new FrameError(`segmented HDLC push exceeds ${MAX_REASSEMBLED_BYTES} bytes: dropped`));
          this.#pending = null;
          return;
        }
        if (more) return;
        this.#pending = null;
        out.frames.push(joinSegments(pending.parts));
        return;
      }
      out.errors.push(
        new FrameError(
          `incomplete segmented HDLC frame: ${pending.parts.length} segment(s) from ${toHex(first.source)} dropped, a frame from another address arrived`,
        ),
      );
      this.#pending = null;
    }
    if (more) {
      this.#pending = { parts: [frame] };
      return;
    }
    out.frames.push(frame);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function joinSegments(parts: HdlcFrame[]): HdlcFrame {
  const last = parts[parts.length - 1]!;
  return {
    ...last,
    segmented: true,
    segmentCount: parts.length,
    info: concatBytes(parts.map((f) => f.info)),
    raw: concatBytes(parts.map((f) => f.raw)),
  };
}

/** Reads an address field (1-4 bytes ending at the first byte with LSB 1); returns its end index or -1. */
function addressEnd(buf: Uint8Array, from: number, limit: number): number {
  for (let i = from; i < limit && i < from + MAX_ADDRESS_BYTES; i++) {
    if (buf[i]! & 1) return i + 1;
  }
  return -1;
}

/**
 * Checks addresses and HCS of a candidate whose bytes end at `available` (exclusive).
 * Returns the header end (index after control), -1 while more bytes are needed, or the error.
 */
function checkHeader(buf: Uint8Array, p: number, length: number, offset: number, available: number): number | ProtocolError {
  const fcsAt = p + length - 1;
  const limit = Math.min(fcsAt, available);
  const dstEnd = addressEnd(buf, p + 3, limit);
  if (dstEnd < 0) {
    if (limit - (p + 3) >= MAX_ADDRESS_BYTES || limit === fcsAt) return new FrameError('HDLC destination address does not end within 4 bytes', { offset });
    return -1;
  }
  const srcEnd = addressEnd(buf, dstEnd, limit);
  if (srcEnd < 0) {
    if (limit - dstEnd >= MAX_ADDRESS_BYTES || limit === fcsAt) return new FrameError('HDLC source address does not end within 4 bytes', { offset });
    return -1;
  }
  const headerEnd = srcEnd + 1;
  if (headerEnd > fcsAt) return new FrameError('HDLC frame too short for its control field', { offset });
  // with no information field the FCS sits where the HCS would and covers the same bytes
  if (headerEnd + 2 > available) return -1;
  if (headerEnd < fcsAt && headerEnd + 2 > fcsAt) return new FrameError('HDLC frame too short for its header check sequence', { offset });
  const declared = buf[headerEnd]! | (buf[headerEnd + 1]! << 8);
  const computed = crc16X25(buf, p + 1, headerEnd);
  if (declared !== computed) return new ChecksumError(headerEnd === fcsAt ? 'HDLC FCS' : 'HDLC HCS', hex16(declared), hex16(computed), { offset });
  return headerEnd;
}

/**
 * Parses the frame whose opening flag is at p and whose length field is `length`
 * (all bytes up to the closing flag are present). Returns the frame or the error.
 */
function parseFrameAt(buf: Uint8Array, p: number, length: number, offset: number): HdlcFrame | ProtocolError {
  const end = p + length + 1;
  const dstStart = p + 3;
  const fcsAt = end - 2;
  // header first: the reader checks it early while waiting, and the order must not depend on chunking
  const headerEnd = checkHeader(buf, p, length, offset, end);
  if (typeof headerEnd !== 'number') return headerEnd;
  if (headerEnd < 0) return new FrameError('HDLC header incomplete', { offset });
  if (buf[end] !== FLAG) {
    return new FrameError(`HDLC frame of length ${length} has no closing flag (found ${hex16(buf[end]!).slice(2)})`, { offset });
  }
  const dstEnd = addressEnd(buf, dstStart, fcsAt);
  const srcEnd = addressEnd(buf, dstEnd, fcsAt);
  const controlAt = srcEnd;
  // an information field follows the header, so a header check sequence is present
  const infoStart = headerEnd < fcsAt ? headerEnd + 2 : headerEnd;
  const declaredFcs = buf[fcsAt]! | (buf[fcsAt + 1]! << 8);
  const computedFcs = crc16X25(buf, p + 1, fcsAt);
  if (declaredFcs !== computedFcs) return new ChecksumError('HDLC FCS', hex16(declaredFcs), hex16(computedFcs), { offset });
  const format = (buf[p + 1]! << 8) | buf[p + 2]!;
  return {
    format,
    segmented: (format & SEGMENT_BIT) !== 0,
    segmentCount: 1,
    destination: buf.slice(dstStart, dstEnd),
    source: buf.slice(dstEnd, srcEnd),
    control: buf[controlAt]!,
    info: buf.slice(infoStart, fcsAt),
    raw: buf.slice(p, end + 1),
  };
}
