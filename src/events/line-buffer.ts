// JSON lines, UTF-8 encoded into one reused buffer that doubles when a batch needs more. A line is
// pushed whole, pushed as parts (head, envelope, body), or written in place field by field: the
// last is for the high-volume events whose bodies are fixed keys, numbers and fixed words.

/** A fixed fragment of a hand-written line (keys, punctuation, literals), as bytes. */
export function fragment(text: string): Uint8Array {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7e) throw new Error(`fragment is not ASCII: ${text}`);
  }
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const NULL = fragment('null');
const TRUE = fragment('true');
const FALSE = fragment('false');
/** Powers of ten that `scaled` divides by. */
const SCALE = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];
/** Below this, an integer's digits are written here; above, JS formats it (same text, slower). */
const FAST_INT_MAX = 2 ** 31;

export class LineBuffer {
  private buf: Buffer;
  private used = 0;
  /** Where the buffer must be grown to hold what `open` reserved. */
  private reserved = 0;

  constructor(bytes: number) {
    this.buf = Buffer.from(new ArrayBuffer(bytes));
  }

  push(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; grow before writing so nothing is cut.
    const need = this.used + line.length * 3 + 1;
    if (need > this.buf.length) this.grow(need);
    this.used += this.buf.write(line, this.used, 'utf8');
    this.buf[this.used++] = 0x0a;
  }

  /** Appends one event line: `head`, then `,env` unless env is null, then `,body}` (or `}` when
   *  body is empty). Each part is encoded where it lands: joining them first would make V8 copy
   *  the whole line into a flat string before encoding it. */
  pushEvent(head: string, env: string | null, body: string): void {
    const need = this.used + (head.length + (env?.length ?? 0) + body.length) * 3 + 4;
    if (need > this.buf.length) this.grow(need);
    const buf = this.buf;
    let at = this.used + buf.write(head, this.used, 'utf8');
    if (env !== null) {
      buf[at++] = 0x2c; // ,
      at += buf.write(env, at, 'utf8');
    }
    if (body.length > 0) {
      buf[at++] = 0x2c;
      at += buf.write(body, at, 'utf8');
    }
    buf[at++] = 0x7d; // }
    buf[at++] = 0x0a;
    this.used = at;
  }

  // ---- A line written in place: open, then fields (raw, int, scaled, ascii, text, bool, nul),
  // close. Nothing here escapes: the caller writes only its own keys, numbers and fixed ASCII
  // words, and through `text` JSON that is serialized already.

  /** Starts a line: `head`, `,env` unless env is null, and the comma before the body; reserves
   *  `bodyBytes` for the body and the closing `}\n`. */
  open(head: string, env: string | null, bodyBytes: number): void {
    const need = this.used + (head.length + (env?.length ?? 0)) * 3 + bodyBytes + 4;
    if (need > this.buf.length) this.grow(need);
    this.reserved = need;
    const buf = this.buf;
    let at = this.used + buf.write(head, this.used, 'utf8');
    if (env !== null) {
      buf[at++] = 0x2c;
      at += buf.write(env, at, 'utf8');
    }
    buf[at++] = 0x2c;
    this.used = at;
  }

  /** Ends the line opened last: `}` and the newline. Throws if the body overran its reservation
   *  (a bug in the caller's bound, never input-driven: bodies are bounded by construction). */
  close(): void {
    this.buf[this.used++] = 0x7d;
    this.buf[this.used++] = 0x0a;
    if (this.used > this.reserved) throw new Error('event body longer than reserved');
  }

  /** A fixed fragment (see `fragment`). */
  raw(bytes: Uint8Array): void {
    const buf = this.buf;
    let at = this.used;
    for (let i = 0; i < bytes.length; i++) buf[at++] = bytes[i]!;
    this.used = at;
  }

  /** Text of printable ASCII that needs no escaping (fixed words, fingerprint codes). */
  ascii(text: string): void {
    const buf = this.buf;
    let at = this.used;
    for (let i = 0; i < text.length; i++) buf[at++] = text.charCodeAt(i);
    this.used = at;
  }

  /** Text as UTF-8, as it is: JSON already (a memoised fragment, a stringified object). Reserve
   *  three bytes for each of its UTF-16 units. */
  text(json: string): void {
    this.used += this.buf.write(json, this.used, 'utf8');
  }

  /** A number as JSON.stringify writes it (integers here; anything else through JS). */
  int(n: number): void {
    if (n >= 0 && n < FAST_INT_MAX && (n | 0) === n) this.digits(n);
    else this.ascii(String(n));
  }

  /** The integer `n` divided by 10^decimals, as JS writes that quotient (`${n / 1e6}`): n = 33425,
   *  6 decimals → 0.033425; 1500, 3 → 1.5; 0 → 0. Exact, since a quotient of at most 15
   *  significant digits prints as its decimal expansion. */
  scaled(n: number, decimals: number): void {
    if (!((n | 0) === n && n > -FAST_INT_MAX)) {
      this.ascii(String(n / SCALE[decimals]!));
      return;
    }
    if (n < 0) {
      this.buf[this.used++] = 0x2d; // -
      n = -n;
    }
    const scale = SCALE[decimals]!;
    const whole = Math.floor(n / scale);
    let frac = n - whole * scale;
    this.digits(whole);
    if (frac === 0) return;
    let places = decimals;
    while (frac % 10 === 0) {
      frac /= 10;
      places--;
    }
    // `places` fractional digits, the last non-zero: leading zeros, then frac's digits.
    const buf = this.buf;
    buf[this.used++] = 0x2e; // .
    for (let p = SCALE[places - 1]!; p > frac; p /= 10) buf[this.used++] = 0x30;
    this.digits(frac);
  }

  bool(b: boolean): void {
    this.raw(b ? TRUE : FALSE);
  }

  nul(): void {
    this.raw(NULL);
  }

  /** The decimal digits of a non-negative integer below 2^31. */
  private digits(n: number): void {
    const buf = this.buf;
    let width = 1;
    for (let p = 10; p <= n; p *= 10) width++;
    let at = this.used + width;
    this.used = at;
    do {
      const q = (n / 10) | 0;
      buf[--at] = 0x30 + n - q * 10;
      n = q;
    } while (n > 0);
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const bigger = Buffer.from(new ArrayBuffer(size));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }

  /** The lines so far in a standalone, exact-size ArrayBuffer; the buffer is emptied for reuse. */
  take(): Uint8Array {
    const out = new Uint8Array(this.buf.buffer.slice(0, this.used));
    this.used = 0;
    return out;
  }
}
