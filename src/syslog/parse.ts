// RFC 5424 parser, total over hostile input: it never throws, reads each character at most a few
// times, and caps the message size, SD-ELEMENTs and SD-PARAMs (limits.ts).
//
// Unlike DECNET's regexes (docs/decnet-reference.md §3.17, bug W19), it is a tokenizer: a value
// ends at the first unescaped '"', so '\]', '\"', '\\', a raw ']' and raw CR/LF/NUL inside quotes
// are data, every SD-ELEMENT and every param is kept (repeats too, §6.3.3), and a parameter never
// swallows its neighbours. Escapes follow §6.3.3 exactly: '\"', '\\', '\]' are unescaped and any
// other backslash is kept as is ("the invalid sequence MUST NOT be altered"), unless
// `unescapeControls` asks for deckscope's control escapes (format.ts) to be decoded too.

import {
  APP_NAME_MAX_CHARS,
  HOSTNAME_MAX_CHARS,
  MSGID_MAX_CHARS,
  PROCID_MAX_CHARS,
  SD_NAME_MAX_CHARS,
  SYSLOG_MAX_MESSAGE_BYTES,
  SYSLOG_MAX_SD_ELEMENTS,
  SYSLOG_MAX_SD_PARAMS,
} from './limits.js';
import { isSdNameChar, NILVALUE, parseTimestamp, type SdElement, type SyslogMessage } from './message.js';

export {
  SyslogFramer,
  type SyslogFramerOptions,
  type SyslogFramerStats,
  type SyslogFraming,
} from './framer.js';

export type SyslogParseErrorCode =
  | 'too_long'
  | 'empty'
  | 'bad_pri'
  | 'bad_version'
  | 'bad_header'
  | 'bad_timestamp'
  | 'bad_hostname'
  | 'bad_app_name'
  | 'bad_procid'
  | 'bad_msgid'
  | 'bad_sd'
  | 'bad_sd_id'
  | 'bad_param_name'
  | 'unterminated_value'
  | 'too_many_elements'
  | 'too_many_params';

export interface SyslogParseError {
  code: SyslogParseErrorCode;
  /** Character offset in the (decoded) message where parsing stopped. */
  offset: number;
}

/** Tolerated departures from RFC 5424, reported with a parsed message. */
export type SyslogAnomaly =
  | 'invalid_utf8'
  | 'timestamp_no_offset'
  | 'timestamp_long_fraction'
  | 'long_sd_name'
  | 'duplicate_sd_id'
  | 'extra_space_in_sd';

export type SyslogParseResult =
  | { ok: true; message: SyslogMessage; anomalies: SyslogAnomaly[] }
  | { ok: false; error: SyslogParseError };

export interface SyslogParseOptions {
  /** Messages longer than this (bytes for a Uint8Array, characters for a string) are refused
   *  unread. Default SYSLOG_MAX_MESSAGE_BYTES. */
  maxBytes?: number;
  /** Also decode `\n`, `\r`, `\t`, `\xHH`, `\uHHHH` in values and MSG: the escapes format.ts writes
   *  with `controls: 'escape'`. Off by default (§6.3.3 keeps them as text). */
  unescapeControls?: boolean;
  /** Drop one trailing LF (or CR LF) before parsing, as left by line readers and by senders that
   *  end octet-counted frames with one. Default true. */
  trimTrailingNewline?: boolean;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Parses one RFC 5424 message (text, or bytes decoded as UTF-8). Never throws. */
export function parseRfc5424(line: string | Uint8Array, opts: SyslogParseOptions = {}): SyslogParseResult {
  const max = opts.maxBytes ?? SYSLOG_MAX_MESSAGE_BYTES;
  if (line.length > max) return fail('too_long', 0);
  const anomalies: SyslogAnomaly[] = [];
  let s: string;
  if (typeof line === 'string') {
    s = line;
  } else {
    try {
      s = utf8Strict.decode(line);
    } catch {
      s = utf8Lenient.decode(line);
      anomalies.push('invalid_utf8');
    }
  }
  if (opts.trimTrailingNewline ?? true) {
    if (s.endsWith('\r\n')) s = s.slice(0, -2);
    else if (s.endsWith('\n')) s = s.slice(0, -1);
  }
  if (s.length === 0) return fail('empty', 0);
  return new Parser(s, opts.unescapeControls ?? false, anomalies).message();
}

function fail(code: SyslogParseErrorCode, offset: number): SyslogParseResult {
  return { ok: false, error: { code, offset } };
}

const LT = 60; // '<'
const GT = 62; // '>'
const SP = 32;
const LBRACKET = 91;
const RBRACKET = 93;
const DQUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;

class ParseFailure {
  constructor(
    readonly code: SyslogParseErrorCode,
    readonly offset: number,
  ) {}
}

class Parser {
  private i = 0;
  private params = 0;

  constructor(
    private readonly s: string,
    private readonly controls: boolean,
    private readonly anomalies: SyslogAnomaly[],
  ) {}

  message(): SyslogParseResult {
    try {
      return { ok: true, message: this.read(), anomalies: this.anomalies };
    } catch (e) {
      if (e instanceof ParseFailure) return fail(e.code, e.offset);
      return fail('bad_header', this.i); // unreachable: only ParseFailure is thrown
    }
  }

  private stop(code: SyslogParseErrorCode): never {
    throw new ParseFailure(code, this.i);
  }

  private read(): SyslogMessage {
    const { s } = this;
    // PRI = "<" PRIVAL ">", PRIVAL = 1*3DIGIT, 0..191 (§6.2.1)
    if (s.charCodeAt(0) !== LT) this.stop('bad_pri');
    this.i = 1;
    const pri = this.digits(3);
    if (pri === null || s.charCodeAt(this.i) !== GT || pri > 191) this.stop('bad_pri');
    this.i++;
    // VERSION = NONZERO-DIGIT 0*2DIGIT; only 1 is RFC 5424
    const version = this.digits(3);
    if (version !== 1) this.stop('bad_version');
    this.sp();
    const ts = this.token(Number.MAX_SAFE_INTEGER, 'bad_timestamp');
    if (ts !== null) {
      const t = parseTimestamp(ts);
      if (t === null) this.stop('bad_timestamp');
      for (const a of t.anomalies)
        this.anomalies.push(a === 'no_offset' ? 'timestamp_no_offset' : 'timestamp_long_fraction');
    }
    this.sp();
    const hostname = this.token(HOSTNAME_MAX_CHARS, 'bad_hostname');
    this.sp();
    const appName = this.token(APP_NAME_MAX_CHARS, 'bad_app_name');
    this.sp();
    const procId = this.token(PROCID_MAX_CHARS, 'bad_procid');
    this.sp();
    const msgId = this.token(MSGID_MAX_CHARS, 'bad_msgid');
    this.sp();
    const structuredData = this.structuredData();
    let msg: string | null = null;
    let msgBom = false;
    if (this.i < s.length) {
      if (s.charCodeAt(this.i) !== SP) this.stop('bad_sd');
      let text = s.slice(this.i + 1);
      if (text.charCodeAt(0) === 0xfeff) {
        msgBom = true;
        text = text.slice(1);
      }
      msg = this.controls ? unescapeMsg(text) : text;
    }
    const out: SyslogMessage = {
      facility: pri >> 3,
      severity: pri & 7,
      timestamp: ts,
      hostname,
      appName,
      procId,
      msgId,
      structuredData,
      msg,
    };
    if (msgBom) out.msgBom = true;
    return out;
  }

  /** Up to `max` decimal digits; null when there are none. */
  private digits(max: number): number | null {
    const start = this.i;
    let v = 0;
    while (this.i - start < max) {
      const c = this.s.charCodeAt(this.i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      this.i++;
    }
    return this.i === start ? null : v;
  }

  private sp(): void {
    if (this.s.charCodeAt(this.i) !== SP) this.stop('bad_header');
    this.i++;
  }

  /** A header field: 1..max PRINTUSASCII up to the next SP; null for NILVALUE. */
  private token(max: number, code: SyslogParseErrorCode): string | null {
    const { s } = this;
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === SP) break;
      if (c < 33 || c > 126) this.stop(code);
      this.i++;
    }
    const len = this.i - start;
    if (len === 0 || len > max) {
      this.i = start;
      this.stop(code);
    }
    const t = s.slice(start, this.i);
    return t === NILVALUE ? null : t;
  }

  /** STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT (§6.3). */
  private structuredData(): SdElement[] {
    const { s } = this;
    const c = s.charCodeAt(this.i);
    if (c === 45 /* '-' */) {
      this.i++;
      return [];
    }
    if (c !== LBRACKET) this.stop('bad_sd');
    const elements: SdElement[] = [];
    const ids = new Set<string>();
    while (s.charCodeAt(this.i) === LBRACKET) {
      if (elements.length >= SYSLOG_MAX_SD_ELEMENTS) this.stop('too_many_elements');
      this.i++;
      const id = this.sdName(SP, 'bad_sd_id');
      if (ids.has(id)) this.anomalies.push('duplicate_sd_id');
      ids.add(id);
      elements.push({ id, params: this.sdParams() });
    }
    return elements;
  }

  /** An SD-NAME ended by `end` or ']' (SD-ID) or by '=' (PARAM-NAME). */
  private sdName(end: number, code: SyslogParseErrorCode): string {
    const { s } = this;
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === end || (end === SP && c === RBRACKET)) break;
      if (!isSdNameChar(c)) this.stop(code);
      this.i++;
    }
    if (this.i >= s.length || this.i === start) this.stop(code);
    if (this.i - start > SD_NAME_MAX_CHARS) this.anomalies.push('long_sd_name');
    return s.slice(start, this.i);
  }

  /** *(SP SD-PARAM) "]" after an SD-ID. */
  private sdParams(): [string, string][] {
    const { s } = this;
    const params: [string, string][] = [];
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === RBRACKET) {
        this.i++;
        return params;
      }
      if (c !== SP) this.stop('bad_sd');
      this.i++;
      if (s.charCodeAt(this.i) === SP || s.charCodeAt(this.i) === RBRACKET) {
        this.anomalies.push('extra_space_in_sd');
        while (s.charCodeAt(this.i) === SP) this.i++;
        if (s.charCodeAt(this.i) === RBRACKET) continue;
      }
      if (++this.params > SYSLOG_MAX_SD_PARAMS) this.stop('too_many_params');
      const name = this.sdName(EQUALS, 'bad_param_name');
      this.i++; // '='
      if (s.charCodeAt(this.i) !== DQUOTE) this.stop('bad_sd');
      this.i++;
      params.push([name, this.value()]);
    }
  }

  /** PARAM-VALUE up to the closing '"', unescaped; the cursor ends after the quote. */
  private value(): string {
    const { s } = this;
    let out = '';
    let start = this.i;
    let j = this.i;
    for (;;) {
      while (j < s.length) {
        const c = s.charCodeAt(j);
        if (c === DQUOTE || c === BACKSLASH) break;
        j++;
      }
      if (j >= s.length) {
        this.i = j;
        this.stop('unterminated_value');
      }
      if (s.charCodeAt(j) === DQUOTE) {
        this.i = j + 1;
        return out + s.slice(start, j);
      }
      // backslash
      if (j + 1 >= s.length) {
        this.i = j;
        this.stop('unterminated_value');
      }
      const n = s.charCodeAt(j + 1);
      if (n === DQUOTE || n === BACKSLASH || n === RBRACKET) {
        out += s.slice(start, j) + s[j + 1];
        j += 2;
        start = j;
        continue;
      }
      if (this.controls) {
        const dec = controlEscape(s, j);
        if (dec !== null) {
          out += s.slice(start, j) + dec.text;
          j += dec.length;
          start = j;
          continue;
        }
      }
      j += 1; // an invalid escape: the backslash stays, the next character is read as usual
    }
  }
}

/** The control escape at s[j] ('\'), as written by format.ts: \n \r \t \xHH \uHHHH. */
function controlEscape(s: string, j: number): { text: string; length: number } | null {
  switch (s[j + 1]) {
    case 'n':
      return { text: '\n', length: 2 };
    case 'r':
      return { text: '\r', length: 2 };
    case 't':
      return { text: '\t', length: 2 };
    case 'x': {
      const h = s.slice(j + 2, j + 4);
      return /^[0-9a-f]{2}$/.test(h)
        ? { text: String.fromCharCode(Number.parseInt(h, 16)), length: 4 }
        : null;
    }
    case 'u': {
      const h = s.slice(j + 2, j + 6);
      return /^[0-9a-f]{4}$/.test(h)
        ? { text: String.fromCharCode(Number.parseInt(h, 16)), length: 6 }
        : null;
    }
    default:
      return null;
  }
}

/** Undoes format.ts's MSG escaping: `\\` and the control escapes. */
function unescapeMsg(t: string): string {
  if (!t.includes('\\')) return t;
  let out = '';
  let start = 0;
  let j = t.indexOf('\\');
  while (j >= 0 && j + 1 < t.length) {
    const rep = t[j + 1] === '\\' ? { text: '\\', length: 2 } : controlEscape(t, j);
    if (rep === null) {
      j = t.indexOf('\\', j + 1);
      continue;
    }
    out += t.slice(start, j) + rep.text;
    start = j + rep.length;
    j = t.indexOf('\\', start);
  }
  return out + t.slice(start);
}

/** The params of the first element with `sdId` (default: the first element) as an object; the
 *  first of repeated names wins. */
export function sdParams(msg: SyslogMessage, sdId?: string): Record<string, string> {
  const el = sdId === undefined ? msg.structuredData[0] : msg.structuredData.find((e) => e.id === sdId);
  const out: Record<string, string> = Object.create(null);
  if (el) for (const [k, v] of el.params) if (!(k in out)) out[k] = v;
  return out;
}
