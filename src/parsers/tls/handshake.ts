import { MAX_HANDSHAKE_MESSAGE_LENGTH } from './limits.js';

/** One complete handshake message (RFC 8446 §4): `msg_type` and the body after the 4-byte header. */
export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
  /** Position just past the message's last byte, in the coordinates of the `start`s given to `push`. */
  end: number;
}

/** Length of the handshake message header: msg_type (1) + length (3). */
export const HANDSHAKE_HEADER_LENGTH = 4;

/**
 * Reassembles handshake messages from the fragments carried by consecutive Handshake records: several
 * messages may share one record and one message may span many records (RFC 8446 §5.1).
 *
 * Invariants: fragments are held as views, not copied; a message body is a zero-copy view when it lies
 * inside one fragment, and is otherwise copied into a buffer whose size is bounded by the bytes already
 * received (the declared length is checked against `maxMessageLength` and against what is buffered
 * before anything is allocated). Work is linear in the bytes pushed.
 */
export class HandshakeReassembler {
  /** 'handshake_too_long' once a header declared more than `maxMessageLength`; no message follows it. */
  error: 'handshake_too_long' | null = null;
  private frags: Uint8Array[] = [];
  private starts: number[] = []; // caller's position of frags[i][0]
  private pushedBytes = 0;
  private consumedEnd = 0; // caller's position just past the last byte consumed
  private first = 0; // index of the first fragment with unread bytes
  private offset = 0; // read offset inside frags[first]
  private total = 0; // unread bytes across fragments
  private readonly maxMessageLength: number;

  /** `maxMessageLength` is in bytes of message body. */
  constructor(maxMessageLength: number = MAX_HANDSHAKE_MESSAGE_LENGTH) {
    this.maxMessageLength = maxMessageLength;
  }

  /** Unread bytes buffered (a partial message, or complete messages not yet taken with `next`). */
  get buffered(): number {
    return this.total;
  }

  /**
   * Appends the fragment of one Handshake record (kept as a view; do not mutate it afterwards). `start`
   * is the caller's position of its first byte (e.g. its offset in the stream); by default fragments
   * are numbered as if contiguous from 0.
   */
  push(fragment: Uint8Array, start: number = this.pushedBytes): void {
    this.pushedBytes = start + fragment.length;
    if (fragment.length === 0) return;
    this.frags.push(fragment);
    this.starts.push(start);
    this.total += fragment.length;
  }

  /** Returns the next complete message, or undefined if more bytes are needed or `error` is set. */
  next(): HandshakeMessage | undefined {
    if (this.error !== null || this.total < HANDSHAKE_HEADER_LENGTH) return undefined;
    const type = this.peek(0);
    const length = (this.peek(1) << 16) | (this.peek(2) << 8) | this.peek(3);
    if (length > this.maxMessageLength) {
      this.error = 'handshake_too_long';
      return undefined;
    }
    if (this.total < HANDSHAKE_HEADER_LENGTH + length) return undefined;
    this.advance(HANDSHAKE_HEADER_LENGTH);
    const body = this.take(length);
    return { type, body, end: this.consumedEnd };
  }

  private peek(k: number): number {
    let i = this.first;
    let at = this.offset + k;
    for (;;) {
      const f = this.frags[i]!;
      if (at < f.length) return f[at]!;
      at -= f.length;
      i++;
    }
  }

  private advance(n: number): void {
    this.total -= n;
    while (n > 0) {
      const f = this.frags[this.first]!;
      const avail = f.length - this.offset;
      if (avail > n) {
        this.offset += n;
        this.consumedEnd = this.starts[this.first]! + this.offset;
        return;
      }
      n -= avail;
      this.consumedEnd = this.starts[this.first]! + f.length;
      this.first++;
      this.offset = 0;
    }
    if (this.first === this.frags.length) {
      this.frags = [];
      this.starts = [];
      this.first = 0;
    }
  }

  // Precondition: n <= this.total.
  private take(n: number): Uint8Array {
    const f = this.frags[this.first];
    if (n === 0 || f === undefined) return new Uint8Array(0);
    if (f.length - this.offset >= n) {
      const view = f.subarray(this.offset, this.offset + n);
      this.advance(n);
      return view;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    let i = this.first;
    let at = this.offset;
    while (filled < n) {
      const src = this.frags[i]!;
      const count = Math.min(src.length - at, n - filled);
      out.set(src.subarray(at, at + count), filled);
      filled += count;
      i++;
      at = 0;
    }
    this.advance(n);
    return out;
  }
}
