/** Root of every error the protocol library raises: callers catch this one type. */
export class ProtocolError extends Error {
  /** Byte or character offset in the input where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(message: string, options: { offset?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.offset = options.offset;
  }
}

/** A CRC16 (P1) or HCS/FCS (HDLC) did not match: both values are given as upper-case hex. */
export class ChecksumError extends ProtocolError {
  readonly declared: string;
  readonly computed: string;

  constructor(what: string, declared: string, computed: string, options: { offset?: number } = {}) {
    super(`${what} mismatch: declared ${declared}, computed ${computed}${options.offset === undefined ? '' : ` (offset ${options.offset})`}`, options);
    this.declared = declared;
    this.computed = computed;
  }
}

/** The bytes are not a well-formed telegram, frame, APDU or COSEM value. */
export class FrameError extends ProtocolError {}

/** AES-GCM decryption failed: wrong key, wrong authentication key or damaged ciphertext. */
export class DecryptionError extends ProtocolError {}

/** Well-formed input that this library does not handle (an unknown list layout, a missing key). */
export class UnsupportedError extends ProtocolError {}
