// Splits a TCP byte stream into syslog messages (RFC 6587 §3.4), one framer per connection.
//
// The framing is detected from the connection's first byte: a digit 1-9 starts octet counting
// (`MSG-LEN SP SYSLOG-MSG`, §3.4.1, the framing of RFC 5425), anything else non-transparent framing
// (messages ended by LF, §3.4.2; a CR before the LF is dropped). In an octet-counted connection a
// frame starting with '<' is read up to LF (a sender falling back), and bytes that start no frame
// are skipped up to the next `LEN SP <` (or '<' after LF) and counted: the stream resynchronises.
// A message over the size limit is skipped whole, without being buffered, and counted.
//
// Newline framing is quote-aware (on by default): inside an SD-PARAM value of an RFC 5424 message an
// LF does not end the message. DECNET writes attacker-controlled values with raw LF (its bug W19), so
// a plain line split cuts those events in two and lets the attacker forge the second half as a line
// of its own; read quote-aware, the LF stays inside the value. A frame kept whole across an LF must
// parse as RFC 5424 (DECNET escapes '"', so its lines always do); if it does not, or no closing
// quote comes within the size limit, the frame is cut at its first in-value LF after all and the
// bytes after it are split plainly: one stray quote costs no other message, and every byte is
// scanned at most twice.

import { SYSLOG_MAX_LEN_DIGITS, SYSLOG_MAX_MESSAGE_BYTES, SYSLOG_MAX_SKIP_BYTES } from './limits.js';
import { parseRfc5424 } from './parse.js';

export type SyslogFraming = 'octet-counting' | 'non-transparent';

export interface SyslogFramerOptions {
  /** Largest message returned (bytes); longer ones are skipped and counted. */
  maxMessageBytes?: number;
  /** Octet counts above maxMessageBytes up to this are skipped as oversize; above it the header is
   *  garbage and the framer resynchronises. */
  maxSkipBytes?: number;
  /** Keep LFs inside SD-PARAM values in newline framing (see the file comment). Default true. */
  quoteAware?: boolean;
}

export interface SyslogFramerStats {
  /** Messages returned, by framing. */
  octetCounted: number;
  nonTransparent: number;
  /** Messages over the size limit, skipped. */
  oversize: number;
  /** Bytes skipped because they started no frame. */
  garbageBytes: number;
  /** Quote-aware frames cut at an in-value LF because no closing quote came in time. */
  resplits: number;
  /** Octet-counted frames cut short by the end of the stream. */
  truncated: number;
}

const LF = 10;
const CR = 13;
const SP = 32;
const LT = 60;
const LBRACKET = 91;
const RBRACKET = 93;
const DQUOTE = 34;
const BACKSLASH = 92;

const START = 0;
const LEN = 1;
const BODY = 2;
const SKIP = 3;
const LINE = 4;
const DISCARD_LINE = 5;
const RESYNC = 6;

// Quote-aware line scanner states.
const Q_HEADER = 0; // counting the six header SPs
const Q_SD_START = 1; // first byte of STRUCTURED-DATA
const Q_ELEM = 2; // inside an SD-ELEMENT, outside values
const Q_VALUE = 3;
const Q_VALUE_ESC = 4;
const Q_AFTER_ELEM = 5;
const Q_PLAIN = 6; // LF ends the message

function isDigit(b: number): boolean {
  return b >= 48 && b <= 57;
}

/** Incremental splitter of one TCP connection's bytes into syslog messages. */
export class SyslogFramer {
  /** The framing detected from the stream's first byte (kept after end() until the next stream
   *  starts); null before any byte. */
  framing: SyslogFraming | null = null;
  private mode: SyslogFraming | null = null;
  readonly stats: SyslogFramerStats = {
    octetCounted: 0,
    nonTransparent: 0,
    oversize: 0,
    garbageBytes: 0,
    resplits: 0,
    truncated: 0,
  };
  private readonly max: number;
  private readonly maxSkip: number;
  private readonly quoteAware: boolean;

  private buf = new Uint8Array(4096);
  private len = 0; // valid bytes in buf
  private pos = 0; // next byte to examine
  private frameStart = 0;
  private state = START;
  // octet counting
  private lenValue = 0;
  private lenDigits = 0;
  private need = 0;
  private skipLeft = 0;
  private prevByte = LF; // the byte before `pos` once it has been dropped (resync anchors)
  // quote-aware newline framing
  private q = Q_PLAIN;
  private spaces = 0;
  private firstLfInValue = -1;
  private naiveUntil = 0; // bytes before this are split plainly (after a resplit)

  constructor(opts: SyslogFramerOptions = {}) {
    this.max = opts.maxMessageBytes ?? SYSLOG_MAX_MESSAGE_BYTES;
    this.maxSkip = Math.max(this.max, opts.maxSkipBytes ?? SYSLOG_MAX_SKIP_BYTES);
    this.quoteAware = opts.quoteAware ?? true;
  }

  /** Feeds bytes; returns the messages they complete (copies, without framing). */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.append(chunk);
    this.run(out, false);
    this.compact();
    return out;
  }

  /** Ends the stream: returns a last unterminated newline-framed message, and counts an
   *  octet-counted frame cut short. The framer can be reused afterwards. */
  end(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.run(out, true);
    if (this.state === BODY || this.state === LEN) this.stats.truncated++;
    this.len = this.pos = this.frameStart = this.naiveUntil = 0;
    this.state = START;
    this.mode = null;
    this.prevByte = LF;
    return out;
  }

  private append(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.len + chunk.length) size *= 2;
      const bigger = new Uint8Array(size);
      bigger.set(this.buf.subarray(0, this.len));
      this.buf = bigger;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  /** Drops the bytes before the current frame, keeping every index consistent. */
  private compact(): void {
    const keep = Math.min(this.frameStart, this.pos);
    if (keep === 0) return;
    this.buf.copyWithin(0, keep, this.len);
    this.len -= keep;
    this.pos -= keep;
    this.frameStart -= keep;
    this.naiveUntil = Math.max(0, this.naiveUntil - keep);
    if (this.firstLfInValue >= 0) this.firstLfInValue -= keep;
    // Shrink a buffer grown by one large chunk once it is mostly empty again.
    if (this.buf.length > 65_536 && this.len < this.buf.length / 4) {
      const smaller = new Uint8Array(Math.max(4096, this.len * 2));
      smaller.set(this.buf.subarray(0, this.len));
      this.buf = smaller;
    }
  }

  /** Returns a newline-framed message (without a CR before its LF); empty lines are skipped. */
  private emit(out: Uint8Array[], start: number, end: number): void {
    let e = end;
    if (e > start && this.buf[e - 1] === CR) e--;
    if (e > start) {
      out.push(this.buf.slice(start, e));
      this.stats.nonTransparent++;
    }
  }

  /** Moves past byte(s) that belong to no frame. */
  private drop(to: number): void {
    if (to > this.pos) this.prevByte = this.buf[to - 1]!;
    this.pos = to;
    this.frameStart = to;
  }

  private run(out: Uint8Array[], ending: boolean): void {
    const buf = this.buf;
    while (this.pos < this.len || (ending && this.state === LINE && this.frameStart < this.len)) {
      switch (this.state) {
        case START: {
          const b = buf[this.pos]!;
          if (b === LF || b === CR || b === SP || b === 0 || b === 9) {
            this.drop(this.pos + 1);
            break;
          }
          const octetStart = b >= 49 && b <= 57;
          if (this.mode === null) {
            this.mode = octetStart ? 'octet-counting' : 'non-transparent';
            this.framing = this.mode;
          }
          this.frameStart = this.pos;
          if (this.mode === 'non-transparent' || b === LT) {
            this.startLine();
          } else if (octetStart) {
            this.state = LEN;
            this.lenValue = 0;
            this.lenDigits = 0;
          } else {
            this.state = RESYNC;
          }
          break;
        }
        case LEN: {
          const b = buf[this.pos]!;
          if (isDigit(b) && this.lenDigits < SYSLOG_MAX_LEN_DIGITS) {
            this.lenValue = this.lenValue * 10 + (b - 48);
            this.lenDigits++;
            this.pos++;
          } else if (b === SP && this.lenDigits > 0) {
            this.pos++;
            if (this.lenValue <= this.max) {
              this.state = BODY;
              this.need = this.lenValue;
            } else if (this.lenValue <= this.maxSkip) {
              this.stats.oversize++;
              this.state = SKIP;
              this.skipLeft = this.lenValue;
              this.drop(this.pos);
            } else {
              this.garbage(this.pos);
            }
          } else {
            this.garbage(this.frameStart + 1);
          }
          break;
        }
        case BODY: {
          const bodyStart = this.pos;
          if (this.len - bodyStart < this.need) return; // wait for the rest
          out.push(buf.slice(bodyStart, bodyStart + this.need));
          this.stats.octetCounted++;
          this.drop(bodyStart + this.need);
          this.state = START;
          break;
        }
        case SKIP: {
          const n = Math.min(this.skipLeft, this.len - this.pos);
          this.skipLeft -= n;
          this.drop(this.pos + n);
          if (this.skipLeft === 0) this.state = START;
          break;
        }
        case RESYNC: {
          if (!this.resync(ending)) return;
          break;
        }
        case LINE: {
          if (!this.line(out, ending)) return;
          break;
        }
        case DISCARD_LINE: {
          const i = buf.subarray(this.pos, this.len).indexOf(LF);
          if (i < 0) {
            this.drop(this.len);
            return;
          }
          this.drop(this.pos + i + 1);
          this.state = START;
          break;
        }
      }
    }
  }

  /** Counts the bytes from the frame start to `from` as garbage and looks for the next frame. */
  private garbage(from: number): void {
    this.stats.garbageBytes += from - this.frameStart;
    this.drop(from);
    this.state = RESYNC;
  }

  /** Skips bytes until a plausible frame start: `[1-9][0-9]* SP <` not preceded by a digit, or '<'
   *  after LF. Returns false when more bytes are needed to decide. */
  private resync(ending: boolean): boolean {
    const buf = this.buf;
    let p = this.pos;
    while (p < this.len) {
      const b = buf[p]!;
      const prev = p > this.pos ? buf[p - 1]! : this.prevByte;
      if (b === LT && prev === LF) break;
      if (b >= 49 && b <= 57 && !isDigit(prev)) {
        let k = p;
        while (k < this.len && k - p < SYSLOG_MAX_LEN_DIGITS && isDigit(buf[k]!)) k++;
        if (k + 1 >= this.len && !ending) {
          // Candidate reaches the end of the data: decide when more comes.
          this.stats.garbageBytes += p - this.pos;
          this.drop(p);
          return false;
        }
        if (buf[k] === SP && buf[k + 1] === LT) break;
      }
      p++;
    }
    this.stats.garbageBytes += p - this.pos;
    this.drop(p);
    if (p < this.len) this.state = START;
    return p < this.len;
  }

  private startLine(): void {
    this.state = LINE;
    this.firstLfInValue = -1;
    this.spaces = 0;
    this.q =
      this.quoteAware && this.frameStart >= this.naiveUntil && this.buf[this.frameStart] === LT
        ? Q_HEADER
        : Q_PLAIN;
  }

  /** Scans a newline-framed message; returns false when more bytes are needed. */
  private line(out: Uint8Array[], ending: boolean): boolean {
    const buf = this.buf;
    let p = this.pos;
    let q = this.q;
    for (; p < this.len; p++) {
      const b = buf[p]!;
      const inValue = q === Q_VALUE || q === Q_VALUE_ESC;
      if (b === LF && !inValue) {
        if (this.firstLfInValue >= 0 && !this.parses(p)) return this.resplit(out, p);
        this.emit(out, this.frameStart, p);
        this.drop(p + 1);
        this.state = START;
        return true;
      }
      if (p - this.frameStart >= this.max) {
        // Over the limit without a terminator.
        if (this.firstLfInValue >= 0) return this.resplit(out, p);
        this.stats.oversize++;
        this.drop(p);
        this.state = DISCARD_LINE;
        return true;
      }
      if (b === LF) {
        if (this.firstLfInValue < 0) this.firstLfInValue = p;
        q = Q_VALUE;
        continue;
      }
      switch (q) {
        case Q_HEADER:
          if (b === SP && ++this.spaces === 6) q = Q_SD_START;
          break;
        case Q_SD_START:
          q = b === LBRACKET ? Q_ELEM : Q_PLAIN;
          break;
        case Q_ELEM:
          if (b === DQUOTE) q = Q_VALUE;
          else if (b === RBRACKET) q = Q_AFTER_ELEM;
          break;
        case Q_VALUE:
          if (b === BACKSLASH) q = Q_VALUE_ESC;
          else if (b === DQUOTE) q = Q_ELEM;
          break;
        case Q_VALUE_ESC:
          q = Q_VALUE;
          break;
        case Q_AFTER_ELEM:
          q = b === LBRACKET ? Q_ELEM : Q_PLAIN;
          break;
      }
    }
    this.pos = p;
    this.q = q;
    if (!ending) return false;
    // End of stream inside a message.
    if (this.firstLfInValue >= 0 && (q === Q_VALUE || q === Q_VALUE_ESC || !this.parses(this.len))) {
      return this.resplit(out, this.len);
    }
    this.emit(out, this.frameStart, this.len);
    this.drop(this.len);
    this.state = START;
    return true;
  }

  /** True when the frame up to `end` is a valid RFC 5424 message: a frame kept whole across an
   *  in-value LF must be one, or the LF was a line end after all (a stray quote earlier). */
  private parses(end: number): boolean {
    let e = end;
    if (e > this.frameStart && this.buf[e - 1] === CR) e--;
    return parseRfc5424(this.buf.subarray(this.frameStart, e), {
      maxBytes: this.max,
      trimTrailingNewline: false,
    }).ok;
  }

  /** Gives up on a quote-aware frame: it ends at its first in-value LF, and everything up to `to`
   *  is split plainly from there on. */
  private resplit(out: Uint8Array[], to: number): boolean {
    const lf = this.firstLfInValue;
    this.stats.resplits++;
    this.emit(out, this.frameStart, lf);
    this.naiveUntil = to;
    this.drop(lf + 1);
    this.state = START;
    return true;
  }
}
