import {
  MAX_AUTH_MECHANISMS,
  MAX_EHLO_KEYWORD_CHARS,
  MAX_EHLO_KEYWORDS,
  MAX_REPLY_CODES_KEPT,
  MAX_REPLY_LINE_BYTES,
  MAX_REPLY_LINES,
  MAX_SASL_MECHANISM_CHARS,
  MAX_TEXT_CHARS,
} from './limits.js';
import { clipEscaped, hasControl, lineText, pushOnce, readLine, type SmtpParseStatus } from './syntax.js';

/** What {@link parseSmtpServer} found in the first bytes of a server→client SMTP stream. */
export interface SmtpServerSession {
  /**
   * 'ok': the data ends on a reply boundary, or where TLS starts; 'incomplete': it ends inside a reply;
   * 'invalid': parsing stopped on an error listed in `anomalies` (what was parsed before is kept).
   */
  status: SmtpParseStatus;
  /** The first line was a reply line (`NNN` followed by SP, '-' or the line end). */
  isSmtp: boolean;
  /** Code of the greeting (220; 554 or 421 when the server refuses the session). */
  greetingCode: number | null;
  /** Text of the greeting's first line after the code (e.g. "mx.example ESMTP Postfix"), escaped. */
  banner: string | null;
  /** First word of that text: the server's host name (RFC 5321 §4.2: "220 SP Domain ..."). */
  hostName: string | null;
  /** The rest of the greeting's first line after the host name (software, often), escaped; may be ''. */
  software: string | null;
  /** Lines of the greeting reply (multi-line greetings carry notices). */
  greetingLines: number;
  /** A 250 reply to EHLO or HELO was identified (the first 250 after the greeting that is multi-line,
   *  or the reply right after the greeting). */
  ehloReply: boolean;
  /** First word of that reply's first line, escaped. */
  ehloHost: string | null;
  /** EHLO keywords (RFC 5321 §4.1.1.1) in wire order, upper-cased, at most 64. */
  extensions: string[];
  /** Mechanisms advertised by AUTH (RFC 4954 §3; also the obsolete "AUTH=" form), upper-cased. */
  authMechanisms: string[];
  /** SIZE limit in octets (RFC 1870), when advertised with one. */
  sizeLimit: number | null;
  /** Reply codes in order (one per reply, not per line), at most 64. */
  replyCodes: number[];
  /** Offset where a TLS handshake starts after a 220 reply (STARTTLS accepted), or -1. */
  tlsOffset: number;
  /** Offset just after the last complete reply. */
  end: number;
  /** Stable short codes, each listed once, in the order first seen. */
  anomalies: string[];
}

const REPLY_LINE = /^[2-5][0-9][0-9](?:[ -]|$)/;
const EHLO_KEYWORD = /^[A-Za-z0-9][A-Za-z0-9=-]*$/;
const SASL_MECHANISM = /^[A-Z0-9_-]+$/;
const TLS_HANDSHAKE = 0x16;

interface PendingReply {
  code: number;
  texts: string[];
}

function newSession(): SmtpServerSession {
  return {
    status: 'incomplete',
    isSmtp: false,
    greetingCode: null,
    banner: null,
    hostName: null,
    software: null,
    greetingLines: 0,
    ehloReply: false,
    ehloHost: null,
    extensions: [],
    authMechanisms: [],
    sizeLimit: null,
    replyCodes: [],
    tlsOffset: -1,
    end: 0,
    anomalies: [],
  };
}

/**
 * Parses the first bytes of a server→client SMTP stream (RFC 5321 §4.2): the greeting (host name and
 * software text), then replies; the EHLO reply's extension keywords are listed in order, with AUTH
 * mechanisms and the SIZE limit. A TLS record at a reply boundary ends parsing (STARTTLS; 'tls_without_220'
 * when the reply before it was not 220). Never throws.
 *
 * Anomalies (status 'invalid' for those marked *): 'not_smtp'*, 'malformed_reply'*, 'unterminated_line'*,
 * 'too_many_replies'*, 'bare_lf', 'bare_cr', 'control_characters', 'line_too_long',
 * 'inconsistent_multiline_code', 'greeting_not_220', 'bad_ehlo_keyword', 'tls_without_220'.
 */
export function parseSmtpServer(data: Uint8Array): SmtpServerSession {
  const s = newSession();
  const n = data.length;
  let off = 0;
  let lines = 0;
  let pending: PendingReply | null = null;
  while (off < n) {
    if (pending === null && s.greetingCode !== null && data[off] === TLS_HANDSHAKE) {
      if (s.replyCodes[s.replyCodes.length - 1] !== 220) pushOnce(s.anomalies, 'tls_without_220');
      s.tlsOffset = off;
      s.status = 'ok';
      return s;
    }
    const line = readLine(data, off);
    if (line.kind === 'incomplete') break;
    if (line.kind === 'too_long') return stop(s, 'unterminated_line');
    if (++lines > MAX_REPLY_LINES) return stop(s, 'too_many_replies');
    const text = lineText(data, line);
    if (!REPLY_LINE.test(text)) return stop(s, lines === 1 ? 'not_smtp' : 'malformed_reply');
    s.isSmtp = true;
    if (line.bareLf) pushOnce(s.anomalies, 'bare_lf');
    if (line.bareCr) pushOnce(s.anomalies, 'bare_cr');
    if (hasControl(data, line.start, line.contentEnd)) pushOnce(s.anomalies, 'control_characters');
    if (line.next - line.start > MAX_REPLY_LINE_BYTES) pushOnce(s.anomalies, 'line_too_long');
    const code = Number(text.slice(0, 3));
    if (pending === null) pending = { code, texts: [] };
    else if (pending.code !== code) pushOnce(s.anomalies, 'inconsistent_multiline_code');
    pending.texts.push(text.slice(4));
    off = line.next;
    if (text[3] === '-') continue;
    onReply(s, pending);
    pending = null;
    s.end = off;
  }
  s.status = pending === null && off === n ? 'ok' : 'incomplete';
  return s;
}

function stop(s: SmtpServerSession, code: string): SmtpServerSession {
  pushOnce(s.anomalies, code);
  s.status = 'invalid';
  return s;
}

/** The first SP-separated word of `text` and the rest after it. */
function firstWord(text: string): [string, string] {
  const t = text.replace(/^ +/, '');
  const sp = t.indexOf(' ');
  return sp < 0 ? [t, ''] : [t.slice(0, sp), t.slice(sp + 1).trim()];
}

function onReply(s: SmtpServerSession, reply: PendingReply): void {
  const index = s.replyCodes.length;
  if (index < MAX_REPLY_CODES_KEPT) s.replyCodes.push(reply.code);
  if (s.greetingCode === null) {
    s.greetingCode = reply.code;
    s.greetingLines = reply.texts.length;
    if (reply.code !== 220) pushOnce(s.anomalies, 'greeting_not_220');
    const first = reply.texts[0]!;
    const [host, rest] = firstWord(first);
    s.banner = clipEscaped(first, MAX_TEXT_CHARS).text;
    s.hostName = host.length > 0 ? clipEscaped(host, MAX_TEXT_CHARS).text : null;
    s.software = clipEscaped(rest, MAX_TEXT_CHARS).text;
    return;
  }
  if (s.ehloReply || reply.code !== 250 || (index !== 1 && reply.texts.length < 2)) return;
  s.ehloReply = true;
  const [host] = firstWord(reply.texts[0]!);
  s.ehloHost = host.length > 0 ? clipEscaped(host, MAX_TEXT_CHARS).text : null;
  for (const line of reply.texts.slice(1)) {
    const [word, params] = firstWord(line);
    if (!EHLO_KEYWORD.test(word) || word.length > MAX_EHLO_KEYWORD_CHARS) {
      pushOnce(s.anomalies, 'bad_ehlo_keyword');
      continue;
    }
    const keyword = word.toUpperCase();
    if (s.extensions.length < MAX_EHLO_KEYWORDS && !s.extensions.includes(keyword))
      s.extensions.push(keyword);
    if (keyword === 'AUTH' || keyword.startsWith('AUTH=')) {
      const mechs = keyword === 'AUTH' ? params : `${keyword.slice(5)} ${params}`;
      for (const m of mechs.toUpperCase().split(' ')) {
        if (m.length === 0 || m.length > MAX_SASL_MECHANISM_CHARS || !SASL_MECHANISM.test(m)) continue;
        if (!s.authMechanisms.includes(m) && s.authMechanisms.length < MAX_AUTH_MECHANISMS)
          s.authMechanisms.push(m);
      }
    } else if (keyword === 'SIZE' && /^\d{1,15}$/.test(params)) {
      s.sizeLimit = Number(params);
    }
  }
}
