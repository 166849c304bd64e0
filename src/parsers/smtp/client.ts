import { parseParameters, parsePath, type SmtpPath } from './address.js';
import {
  MAX_AUTH_LINE_BYTES,
  MAX_AUTH_MECHANISMS,
  MAX_BDAT_SIZE_DIGITS,
  MAX_COMMAND_LINE_BYTES,
  MAX_COMMAND_VERBS_KEPT,
  MAX_COMMANDS,
  MAX_HELO_CHARS,
  MAX_MAIL_FROM_DOMAINS,
  MAX_RCPT_DOMAINS,
  MAX_SASL_MECHANISM_CHARS,
  MAX_TEXT_CHARS,
  MAX_TEXT_LINE_BYTES,
} from './limits.js';
import {
  CR,
  clipEscaped,
  hasControl,
  indexOfByte,
  LF,
  type Line,
  latin1,
  lineText,
  pushOnce,
  readLine,
  type SmtpParseStatus,
} from './syntax.js';

/** EHLO (RFC 5321 §4.1.1.1, extended SMTP) or HELO (plain SMTP). */
export type SmtpHeloKind = 'ehlo' | 'helo';

/**
 * Command verbs recognised (RFC 5321 §4.1.1, STARTTLS RFC 3207, AUTH RFC 4954, BDAT RFC 3030, ETRN
 * RFC 1985, ATRN RFC 2645, LHLO RFC 2033, and the Postfix XCLIENT/XFORWARD extensions).
 */
export const SMTP_VERBS: ReadonlySet<string> = new Set([
  'HELO',
  'EHLO',
  'LHLO',
  'MAIL',
  'RCPT',
  'DATA',
  'BDAT',
  'RSET',
  'VRFY',
  'EXPN',
  'HELP',
  'NOOP',
  'QUIT',
  'STARTTLS',
  'AUTH',
  'ETRN',
  'ATRN',
  'TURN',
  'XCLIENT',
  'XFORWARD',
]);

/** What {@link parseSmtpClient} found in the first bytes of a client→server SMTP stream. */
export interface SmtpClientSession {
  /**
   * 'ok': the data ends on a line boundary in command mode, or at QUIT or STARTTLS; 'incomplete': it
   * ends inside a line, a DATA message or a BDAT chunk; 'invalid': parsing stopped on an error listed
   * in `anomalies` (what was parsed before is kept).
   */
  status: SmtpParseStatus;
  /** The first line was an SMTP command. */
  isSmtp: boolean;
  /** Argument of the first EHLO/HELO, escaped (ssh/text.ts), at most 255 chars, never with an '@'. */
  helo: string | null;
  heloKind: SmtpHeloKind | null;
  /** EHLO/HELO/LHLO commands seen. */
  heloCount: number;
  /** Domain of the first MAIL FROM (null for `<>`, a domain-less or an unparsable path). */
  mailFromDomain: string | null;
  /** Distinct MAIL FROM domains in order (one per transaction), at most 32. */
  mailFromDomains: string[];
  /** MAIL FROM commands seen (transactions started). */
  mailFromCount: number;
  /** A MAIL FROM carried the null reverse-path `<>` (bounces, and spammers probing). */
  nullSender: boolean;
  /** Distinct recipient domains in order, at most 100. */
  rcptDomains: string[];
  /** RCPT TO commands seen. */
  rcptCount: number;
  /** SASL mechanisms named by AUTH commands, upper-cased, distinct, in order; never credentials. */
  authMechanisms: string[];
  /** AUTH commands seen (password sprayers send many). */
  authAttempts: number;
  /** Lines sent as SASL responses after AUTH: counted, never kept. */
  saslResponses: number;
  /** STARTTLS was sent; parsing stops there because TLS follows. */
  starttls: boolean;
  /** Offset where the TLS handshake starts (just after the STARTTLS line), or -1. */
  tlsOffset: number;
  /** DATA was sent. */
  data: boolean;
  /** BDAT was sent (RFC 3030 CHUNKING). */
  bdat: boolean;
  /** Messages whose end (DATA's "." line or BDAT LAST) is in the data. */
  messages: number;
  /** QUIT was sent. */
  quit: boolean;
  /** A MAIL FROM carried the SMTPUTF8 parameter (RFC 6531). */
  smtputf8: boolean;
  /** Parameter keywords of MAIL FROM and RCPT TO (upper-cased, distinct, in order; values never kept). */
  parameters: string[];
  /** VRFY and EXPN commands (mailbox enumeration); their arguments are never kept. */
  vrfyCount: number;
  expnCount: number;
  /** Known command verbs in order, upper-cased, at most 64 (a client fingerprint). */
  commands: string[];
  /** Lines whose verb is not an SMTP command. */
  unknownCommands: number;
  /** The first X-Mailer header value in a DATA message's header section, escaped (phishing kits). */
  xMailer: string | null;
  /** Offset just after the last fully parsed line or chunk. */
  end: number;
  /** Stable short codes, each listed once, in the order first seen. */
  anomalies: string[];
}

const VERB_RE = /^[A-Za-z]{1,12}$/;
const SASL_MECHANISM = /^[A-Z0-9_-]+$/;
const X_MAILER = /^x-mailer:/i;
const DATA_ABANDONED = /^(QUIT|RSET|NOOP|HELO |EHLO |MAIL FROM:|RCPT TO:)/i;
const TLS_HANDSHAKE = 0x16;
const DOT = 0x2e;

/** The verb of a command line (text up to the first SP), upper-cased, or null when it is not a word. */
function verbOf(text: string): string | null {
  const sp = text.indexOf(' ');
  const word = sp < 0 ? text : text.slice(0, sp);
  return VERB_RE.test(word) ? word.toUpperCase() : null;
}

/**
 * Cheap content check: true when `data` starts with EHLO or HELO (followed by SP, CR or LF) or with
 * "MAIL FROM:" / "RCPT TO:", case-insensitively. These openings are SMTP-only (QUIT, NOOP, HELP, AUTH
 * are shared with FTP and POP3). False for a prefix too short to decide; ask again with more bytes.
 */
export function looksLikeSmtpClient(data: Uint8Array): boolean {
  if (data.length < 5) return false;
  // Most streams asked are not SMTP (telnet, binary): only E, H, M or R in either case can start
  // one of these commands (| 0x20 folds exactly those capitals onto their lower case).
  const first = data[0]! | 0x20;
  if (first !== 0x65 && first !== 0x68 && first !== 0x6d && first !== 0x72) return false;
  const head = String.fromCharCode(...data.subarray(0, 10)).toUpperCase();
  if (head.startsWith('EHLO') || head.startsWith('HELO')) {
    const c = head[4];
    return c === ' ' || c === '\r' || c === '\n';
  }
  return head.startsWith('MAIL FROM:') || head.startsWith('RCPT TO:');
}

function newSession(): SmtpClientSession {
  return {
    status: 'incomplete',
    isSmtp: false,
    helo: null,
    heloKind: null,
    heloCount: 0,
    mailFromDomain: null,
    mailFromDomains: [],
    mailFromCount: 0,
    nullSender: false,
    rcptDomains: [],
    rcptCount: 0,
    authMechanisms: [],
    authAttempts: 0,
    saslResponses: 0,
    starttls: false,
    tlsOffset: -1,
    data: false,
    bdat: false,
    messages: 0,
    quit: false,
    smtputf8: false,
    parameters: [],
    vrfyCount: 0,
    expnCount: 0,
    commands: [],
    unknownCommands: 0,
    xMailer: null,
    end: 0,
    anomalies: [],
  };
}

/** Where the parser is in the session. */
type Mode = 'command' | 'sasl' | 'data';

/**
 * Parses the first bytes of a client→server SMTP stream (RFC 5321), reassembled from stream offset 0.
 * Commands may be pipelined (RFC 2920): every complete line is read in order. Never throws.
 *
 * Kept: the EHLO/HELO argument, the domains of MAIL FROM and RCPT TO paths (see address.ts: the local
 * part is never kept — nor anywhere else: VRFY/EXPN arguments, SASL responses, parameter values and
 * message content are skipped), the recipient count, AUTH mechanisms, STARTTLS (parsing stops: TLS
 * follows), DATA/BDAT (the message is skipped up to its end), QUIT (parsing stops). Lines end with CR LF;
 * a bare LF is accepted ('bare_lf').
 *
 * Anomalies (parsing stops with status 'invalid' at those marked *): 'not_smtp'*, 'unterminated_line'*,
 * 'too_many_commands'*, 'bad_bdat_size'*, 'bare_lf', 'bare_cr', 'control_characters', 'line_too_long',
 * 'unknown_command', 'missing_helo_argument', 'helo_too_long', 'helo_contains_at', 'lhlo', 'bad_mail_syntax',
 * 'bad_rcpt_syntax', 'space_after_colon', 'utf8_without_smtputf8', 'bad_auth_mechanism',
 * 'data_with_argument', 'no_message_after_data', 'bare_lf_in_data', 'bare_cr_in_data',
 * 'data_end_bare_lf', 'data_line_too_long', 'plaintext_after_starttls', 'starttls_with_argument',
 * 'data_after_quit', plus those of
 * parsePath / parseParameters.
 */
export function parseSmtpClient(data: Uint8Array): SmtpClientSession {
  const s = newSession();
  const n = data.length;
  let off = 0;
  let mode: Mode = 'command';
  let lines = 0;
  let inHeaders = false;
  let prevBodyBareLf = false;
  while (off < n) {
    if (mode === 'data') {
      // Message content: skipped line by line up to the "." line (RFC 5321 §4.1.1.4); never kept.
      const lf = indexOfByte(data, LF, off, n);
      if (lf < 0) break;
      const bareLf = !(lf > off && data[lf - 1] === CR);
      const contentEnd = bareLf ? lf : lf - 1;
      if (lf + 1 - off > MAX_TEXT_LINE_BYTES) pushOnce(s.anomalies, 'data_line_too_long');
      if (bareLf) pushOnce(s.anomalies, 'bare_lf_in_data');
      if (indexOfByte(data, CR, off, contentEnd) >= 0) pushOnce(s.anomalies, 'bare_cr_in_data');
      if (contentEnd - off === 1 && data[off] === DOT) {
        if (bareLf || prevBodyBareLf) pushOnce(s.anomalies, 'data_end_bare_lf');
        s.messages++;
        mode = 'command';
      } else if (inHeaders) {
        if (contentEnd === off) inHeaders = false;
        else if (s.xMailer === null) {
          const text = latin1(data.subarray(off, contentEnd));
          if (X_MAILER.test(text)) s.xMailer = clipEscaped(text.slice(9).trim(), MAX_TEXT_CHARS).text;
        }
      }
      prevBodyBareLf = bareLf;
      off = lf + 1;
      s.end = off;
      continue;
    }
    const line = readLine(data, off);
    if (line.kind === 'incomplete') break;
    if (line.kind === 'too_long') return stop(s, 'unterminated_line');
    if (++lines > MAX_COMMANDS) return stop(s, 'too_many_commands');
    const text = lineText(data, line);
    const verb = verbOf(text);
    const known = verb !== null && SMTP_VERBS.has(verb);
    if (lines === 1) {
      if (!known) return stop(s, 'not_smtp');
      s.isSmtp = true;
    }
    if (mode === 'sasl') {
      // A line that is a known command ends the SASL exchange; anything else is a response (skipped).
      if (!known) {
        s.saslResponses++;
        off = s.end = line.next;
        continue;
      }
      mode = 'command';
    }
    lineAnomalies(s, data, line, verb);
    off = s.end = line.next;
    if (!known) {
      s.unknownCommands++;
      pushOnce(s.anomalies, 'unknown_command');
      continue;
    }
    if (s.commands.length < MAX_COMMAND_VERBS_KEPT) s.commands.push(verb);
    const arg = text.length > verb.length ? text.slice(verb.length + 1) : '';
    switch (verb) {
      case 'EHLO':
      case 'HELO':
      case 'LHLO':
        onHelo(s, verb, arg);
        break;
      case 'MAIL':
        onMail(s, text);
        break;
      case 'RCPT':
        onRcpt(s, text);
        break;
      case 'AUTH':
        onAuth(s, arg);
        mode = 'sasl';
        break;
      case 'VRFY':
        s.vrfyCount++;
        break;
      case 'EXPN':
        s.expnCount++;
        break;
      case 'DATA': {
        s.data = true;
        if (arg.length > 0) pushOnce(s.anomalies, 'data_with_argument');
        const next = readLine(data, off);
        if (next.kind === 'line' && DATA_ABANDONED.test(lineText(data, next))) {
          pushOnce(s.anomalies, 'no_message_after_data');
          break;
        }
        mode = 'data';
        inHeaders = true;
        prevBodyBareLf = line.bareLf;
        break;
      }
      case 'BDAT': {
        s.bdat = true;
        const m = /^(\d+)( +LAST)? *$/i.exec(arg);
        if (m === null || m[1]!.length > MAX_BDAT_SIZE_DIGITS) return stop(s, 'bad_bdat_size');
        const size = Number(m[1]);
        if (off + size > n) {
          s.status = 'incomplete';
          return s;
        }
        off = s.end = off + size;
        if (m[2] !== undefined) s.messages++;
        break;
      }
      case 'STARTTLS':
        s.starttls = true;
        s.tlsOffset = off;
        if (arg.length > 0) pushOnce(s.anomalies, 'starttls_with_argument');
        if (off < n && data[off] !== TLS_HANDSHAKE) pushOnce(s.anomalies, 'plaintext_after_starttls');
        s.status = 'ok';
        return s;
      case 'QUIT':
        s.quit = true;
        if (off < n) pushOnce(s.anomalies, 'data_after_quit');
        s.status = 'ok';
        return s;
    }
  }
  s.status = off === n && mode !== 'data' ? 'ok' : 'incomplete';
  return s;
}

function stop(s: SmtpClientSession, code: string): SmtpClientSession {
  pushOnce(s.anomalies, code);
  s.status = 'invalid';
  return s;
}

/** Framing anomalies of one command line. */
function lineAnomalies(s: SmtpClientSession, data: Uint8Array, line: Line, verb: string | null): void {
  if (line.bareLf) pushOnce(s.anomalies, 'bare_lf');
  if (line.bareCr) pushOnce(s.anomalies, 'bare_cr');
  if (hasControl(data, line.start, line.contentEnd)) pushOnce(s.anomalies, 'control_characters');
  const max = verb === 'AUTH' ? MAX_AUTH_LINE_BYTES : MAX_COMMAND_LINE_BYTES;
  if (line.next - line.start > max) pushOnce(s.anomalies, 'line_too_long');
}

/** EHLO/HELO/LHLO: the first argument is kept (after its last '@', if any: never a local part). */
function onHelo(s: SmtpClientSession, verb: string, arg: string): void {
  s.heloCount++;
  if (s.heloCount > 1) return;
  s.heloKind = verb === 'HELO' ? 'helo' : 'ehlo';
  if (verb === 'LHLO') pushOnce(s.anomalies, 'lhlo');
  let value = arg.replace(/[ \t]+$/, '');
  if (value.length === 0) pushOnce(s.anomalies, 'missing_helo_argument');
  const at = value.lastIndexOf('@');
  if (at >= 0) {
    pushOnce(s.anomalies, 'helo_contains_at');
    value = value.slice(at + 1);
  }
  const clipped = clipEscaped(value, MAX_HELO_CHARS);
  if (clipped.clipped) pushOnce(s.anomalies, 'helo_too_long');
  s.helo = clipped.text;
}

/** Offset just after "<keyword>:" at text[i] (case-insensitive; spaces before the path flagged), or -1. */
function afterKeyword(s: SmtpClientSession, text: string, i: number, keyword: string): number {
  if (text.slice(i, i + keyword.length).toUpperCase() !== keyword) return -1;
  let p = i + keyword.length;
  if (text[p] !== ':') return -1;
  p++;
  if (text[p] === ' ') {
    pushOnce(s.anomalies, 'space_after_colon');
    while (text[p] === ' ') p++;
  }
  return p;
}

/** Shared part of MAIL and RCPT: the path after "FROM:"/"TO:", and its parameters. */
function readPathCommand(
  s: SmtpClientSession,
  text: string,
  keyword: string,
  syntaxCode: string,
): { path: SmtpPath; smtputf8: boolean } | null {
  const at = afterKeyword(s, text, 5, keyword);
  if (text[4] !== ' ' || at < 0 || at >= text.length) {
    pushOnce(s.anomalies, syntaxCode);
    return null;
  }
  const path = parsePath(text, at, s.anomalies);
  if (path.kind === 'invalid') return { path, smtputf8: false };
  const params = parseParameters(text.slice(path.end), s.anomalies);
  for (const k of params.keywords) {
    if (!s.parameters.includes(k) && s.parameters.length < 32) s.parameters.push(k);
  }
  return { path, smtputf8: params.smtputf8 };
}

function onMail(s: SmtpClientSession, text: string): void {
  s.mailFromCount++;
  const r = readPathCommand(s, text, 'FROM', 'bad_mail_syntax');
  if (r === null) return;
  if (r.smtputf8) s.smtputf8 = true;
  if (r.path.utf8 && !r.smtputf8) pushOnce(s.anomalies, 'utf8_without_smtputf8');
  if (r.path.kind === 'null') s.nullSender = true;
  const d = r.path.domain;
  if (s.mailFromCount === 1) s.mailFromDomain = d;
  if (d !== null && !s.mailFromDomains.includes(d) && s.mailFromDomains.length < MAX_MAIL_FROM_DOMAINS)
    s.mailFromDomains.push(d);
}

function onRcpt(s: SmtpClientSession, text: string): void {
  s.rcptCount++;
  const r = readPathCommand(s, text, 'TO', 'bad_rcpt_syntax');
  if (r === null) return;
  if (r.path.kind === 'null') pushOnce(s.anomalies, 'bad_path');
  if (r.path.utf8 && !s.smtputf8) pushOnce(s.anomalies, 'utf8_without_smtputf8');
  const d = r.path.domain;
  if (d !== null && !s.rcptDomains.includes(d) && s.rcptDomains.length < MAX_RCPT_DOMAINS)
    s.rcptDomains.push(d);
}

/** AUTH mechanism [initial-response] (RFC 4954 §4): the mechanism is kept, the response never. */
function onAuth(s: SmtpClientSession, arg: string): void {
  s.authAttempts++;
  const sp = arg.indexOf(' ');
  const mech = (sp < 0 ? arg : arg.slice(0, sp)).toUpperCase();
  if (mech.length === 0 || mech.length > MAX_SASL_MECHANISM_CHARS || !SASL_MECHANISM.test(mech)) {
    pushOnce(s.anomalies, 'bad_auth_mechanism');
    return;
  }
  if (!s.authMechanisms.includes(mech) && s.authMechanisms.length < MAX_AUTH_MECHANISMS)
    s.authMechanisms.push(mech);
}
