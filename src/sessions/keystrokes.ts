// Keystroke tokeniser for the "i" (terminal input) stream of a recording (behavior.md §4.3).
//
// One keystroke per: printable code point (a lone surrogate is not printable: it is CONTROL);
// Enter (CR, LF, or CR LF in one read); Backspace (DEL
// 0x7F or BS 0x08); ^W 0x17; ^U 0x15; ^C 0x03; ^D 0x04; Tab 0x09; any other C0/C1 control; and
// one per escape sequence: CSI `ESC [ params intermediates final`, SS3 `ESC O x`, `ESC x` (Alt+key)
// and a lone ESC. Arrows are CSI A–D (any parameters, e.g. ESC[1;5C) and SS3 A–D.
//
// Bracketed paste (`ESC[200~ … ESC[201~`) is not keystrokes: its content is reported as one paste
// with its length. It is honoured only while `bracketedPaste` is true (the profile sets it from the
// output: the shell enabled mode 2004 with ESC[?2004h and has not disabled it with ESC[?2004l, or
// the recording has no output at all); otherwise ESC[200~ and ESC[201~ are one escape-sequence
// keystroke each. A paste ends at ESC[201~, after MAX_PASTE_CHARS of content (the rest is
// tokenised as keystrokes again), or when the mode is switched off (setBracketedPaste(false)), so
// one unterminated ESC[200~ cannot swallow the rest of a session. While bracketed-paste mode is on,
// a stray ESC[201~ outside a paste is ignored. Paste state persists across reads (a long paste
// arrives in several reads, and the end marker may be split); other escape sequences are assumed
// to arrive whole in one read, so an ESC or CSI cut off at the end of a read is one keystroke on
// its own.
//
// Several keystrokes in one read share the read's time; the profile decides what that means for
// timing (see profile.ts).

/** Keystroke kinds (numeric, for packed arrays). */
export const KeyKind = {
  PRINTABLE: 0,
  ENTER: 1,
  BACKSPACE: 2,
  CTRL_W: 3,
  CTRL_U: 4,
  CTRL_C: 5,
  CTRL_D: 6,
  TAB: 7,
  ARROW: 8,
  /** Any other escape sequence (Home, Delete, F-keys, Alt+key, a lone ESC). */
  ESCAPE_SEQUENCE: 9,
  /** Any other control character. */
  CONTROL: 10,
} as const;
export type KeyKindValue = (typeof KeyKind)[keyof typeof KeyKind];

/** Names of the kinds, indexed by value. */
export const KEY_KIND_NAMES = [
  'printable',
  'enter',
  'backspace',
  'ctrl_w',
  'ctrl_u',
  'ctrl_c',
  'ctrl_d',
  'tab',
  'arrow',
  'escape_sequence',
  'control',
] as const;
export type KeyKindName = (typeof KEY_KIND_NAMES)[number];

/** Receives tokens from {@link KeystrokeTokenizer}. */
export interface KeystrokeSink {
  /** One keystroke; `codePoint` is the character for PRINTABLE, -1 otherwise; `t` the read time. */
  key(kind: KeyKindValue, codePoint: number, t: number): void;
  /** One complete bracketed paste that started at `t` and held `chars` UTF-16 code units. */
  paste(t: number, chars: number): void;
}

/** Bracketed paste end marker. */
const PASTE_END = '\x1b[201~';
/** Longest CSI sequence accepted (ESC and '[' included), in characters. */
const MAX_CSI_CHARS = 32;
/** Most content of one bracketed paste (UTF-16 code units, 1 Mi); the paste ends there. */
export const MAX_PASTE_CHARS = 1 << 20;

/** Tokenises successive input reads (stateful across reads for bracketed paste). */
export class KeystrokeTokenizer {
  /** Whether ESC[200~ starts a paste (see the file comment); true by default. */
  private bracketedPaste = true;
  private inPaste = false;
  private pasteT = 0;
  private pasteChars = 0;
  /** Characters of PASTE_END matched at the end of the previous read. */
  private endMatched = 0;

  /** Clears the state (for reuse on another session); bracketed paste is honoured again. */
  reset(): void {
    this.bracketedPaste = true;
    this.inPaste = false;
    this.pasteT = 0;
    this.pasteChars = 0;
    this.endMatched = 0;
  }

  /** Switches bracketed-paste handling on or off; switching off ends a paste in progress (reported
   *  to `sink`, its pending marker prefix counted as content). */
  setBracketedPaste(enabled: boolean, sink: KeystrokeSink): void {
    if (!enabled && this.inPaste) {
      this.pasteChars += this.endMatched;
      this.endPaste(sink);
    }
    this.bracketedPaste = enabled;
  }

  /** Tokenises one read `data` received at `t` seconds. */
  feed(data: string, t: number, sink: KeystrokeSink): void {
    const n = data.length;
    let i = 0;
    while (i < n) {
      if (this.inPaste) {
        i = this.scanPaste(data, i, sink);
        continue;
      }
      const c = data.charCodeAt(i);
      if (c >= 0x20 && c !== 0x7f && (c < 0x80 || c > 0x9f)) {
        // Printable (combining a surrogate pair into one code point).
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = i + 1 < n ? data.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            sink.key(KeyKind.PRINTABLE, ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000, t);
            i += 2;
          } else {
            sink.key(KeyKind.CONTROL, -1, t); // lone surrogate: not a character
            i++;
          }
          continue;
        }
        sink.key(KeyKind.PRINTABLE, c, t);
        i++;
        continue;
      }
      switch (c) {
        case 0x0d:
          sink.key(KeyKind.ENTER, -1, t);
          i += i + 1 < n && data.charCodeAt(i + 1) === 0x0a ? 2 : 1;
          continue;
        case 0x0a:
          sink.key(KeyKind.ENTER, -1, t);
          break;
        case 0x7f:
        case 0x08:
          sink.key(KeyKind.BACKSPACE, -1, t);
          break;
        case 0x17:
          sink.key(KeyKind.CTRL_W, -1, t);
          break;
        case 0x15:
          sink.key(KeyKind.CTRL_U, -1, t);
          break;
        case 0x03:
          sink.key(KeyKind.CTRL_C, -1, t);
          break;
        case 0x04:
          sink.key(KeyKind.CTRL_D, -1, t);
          break;
        case 0x09:
          sink.key(KeyKind.TAB, -1, t);
          break;
        case 0x1b:
          i = this.escape(data, i, t, sink);
          continue;
        default:
          sink.key(KeyKind.CONTROL, -1, t);
      }
      i++;
    }
  }

  /** Reports an unterminated paste (end of the session). */
  finish(sink: KeystrokeSink): void {
    if (this.inPaste) sink.paste(this.pasteT, this.pasteChars + this.endMatched);
    this.reset();
  }

  /** Handles ESC at data[i]; returns the index after the sequence. */
  private escape(data: string, i: number, t: number, sink: KeystrokeSink): number {
    const n = data.length;
    if (i + 1 >= n) {
      sink.key(KeyKind.ESCAPE_SEQUENCE, -1, t); // lone ESC at the end of the read
      return i + 1;
    }
    const next = data.charCodeAt(i + 1);
    if (next === 0x5b /* [ */) {
      let j = i + 2;
      const limit = Math.min(n, i + MAX_CSI_CHARS);
      while (j < limit) {
        const b = data.charCodeAt(j);
        if (b >= 0x20 && b <= 0x3f) {
          j++;
          continue;
        }
        if (b >= 0x40 && b <= 0x7e) {
          // Complete CSI: params data[i+2, j), final b.
          if (this.bracketedPaste && b === 0x7e /* ~ */ && j - i === 5) {
            if (data.startsWith('200', i + 2)) {
              this.inPaste = true;
              this.pasteT = t;
              this.pasteChars = 0;
              this.endMatched = 0;
              return j + 1;
            }
            if (data.startsWith('201', i + 2)) return j + 1; // stray end
          }
          sink.key(b >= 0x41 && b <= 0x44 ? KeyKind.ARROW : KeyKind.ESCAPE_SEQUENCE, -1, t);
          return j + 1;
        }
        break; // invalid byte: the sequence ends before it
      }
      sink.key(KeyKind.ESCAPE_SEQUENCE, -1, t);
      return j;
    }
    if (next === 0x4f /* O */) {
      if (i + 2 < n) {
        const f = data.charCodeAt(i + 2);
        if (f >= 0x40 && f <= 0x7e) {
          sink.key(f >= 0x41 && f <= 0x44 ? KeyKind.ARROW : KeyKind.ESCAPE_SEQUENCE, -1, t);
          return i + 3;
        }
      }
      sink.key(KeyKind.ESCAPE_SEQUENCE, -1, t);
      return i + 2;
    }
    if (next === 0x1b) {
      sink.key(KeyKind.ESCAPE_SEQUENCE, -1, t); // ESC ESC: the first is a lone ESC
      return i + 1;
    }
    // Alt+key: ESC followed by one character (a surrogate pair counts as one).
    const low = i + 2 < n ? data.charCodeAt(i + 2) : 0;
    const isPair = next >= 0xd800 && next <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
    sink.key(KeyKind.ESCAPE_SEQUENCE, -1, t);
    return i + (isPair ? 3 : 2);
  }

  /** Consumes paste content from data[i]; returns the next index. */
  private scanPaste(data: string, i: number, sink: KeystrokeSink): number {
    const n = data.length;
    if (this.endMatched > 0) {
      // Continue a marker split across reads.
      let m = this.endMatched;
      let j = i;
      while (m < PASTE_END.length && j < n && data.charCodeAt(j) === PASTE_END.charCodeAt(m)) {
        m++;
        j++;
      }
      if (m === PASTE_END.length) {
        this.endPaste(sink);
        return j;
      }
      if (j === n) {
        this.endMatched = m;
        return j;
      }
      this.pasteChars += this.endMatched; // false alarm: those characters were content
      this.endMatched = 0;
      if (this.pasteChars >= MAX_PASTE_CHARS) {
        this.endPaste(sink);
        return i;
      }
    }
    const budget = MAX_PASTE_CHARS - this.pasteChars;
    const end = data.indexOf(PASTE_END, i);
    if (end >= 0 && end - i <= budget) {
      this.pasteChars += end - i;
      this.endPaste(sink);
      return end + PASTE_END.length;
    }
    // No marker: keep a possible marker prefix at the end of the read.
    let k = Math.min(PASTE_END.length - 1, n - i);
    while (k > 0 && !data.endsWith(PASTE_END.slice(0, k))) k--;
    if (end >= 0 || n - i - k > budget) {
      // The bound is reached in this read: the paste ends there, the rest is keystrokes.
      this.pasteChars += budget;
      this.endPaste(sink);
      return i + budget;
    }
    this.pasteChars += n - i - k;
    this.endMatched = k;
    return n;
  }

  private endPaste(sink: KeystrokeSink): void {
    sink.paste(this.pasteT, this.pasteChars);
    this.inPaste = false;
    this.pasteChars = 0;
    this.endMatched = 0;
  }
}

/** A token from {@link tokenizeInput}. */
export type InputToken =
  | { kind: KeyKindName; char?: string; t: number }
  | { kind: 'paste'; chars: number; t: number };

/**
 * Tokenises input reads (a string is one read at t = 0; an array gives one read per element at
 * t = index). Convenience for tests and tools; the profile uses {@link KeystrokeTokenizer}.
 */
export function tokenizeInput(reads: string | readonly string[]): InputToken[] {
  const out: InputToken[] = [];
  const sink: KeystrokeSink = {
    key(kind, codePoint, t) {
      const name = KEY_KIND_NAMES[kind] as KeyKindName;
      out.push(
        kind === KeyKind.PRINTABLE
          ? { kind: name, char: String.fromCodePoint(codePoint), t }
          : { kind: name, t },
      );
    },
    paste(t, chars) {
      out.push({ kind: 'paste', chars, t });
    },
  };
  const tok = new KeystrokeTokenizer();
  const list = typeof reads === 'string' ? [reads] : reads;
  list.forEach((r, idx) => {
    tok.feed(r, idx, sink);
  });
  tok.finish(sink);
  return out;
}
