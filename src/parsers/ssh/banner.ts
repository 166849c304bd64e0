import { SSH_PREFIX, type SshRole } from './constants.js';
import {
  MAX_IDENTIFICATION_LENGTH,
  MAX_IDENTIFICATION_SCAN_BYTES,
  MAX_PRE_BANNER_BYTES,
  MAX_PRE_BANNER_LINE_LENGTH,
  MAX_PRE_BANNER_LINES,
} from './limits.js';
import { escapeBytes, escapeText, isPrintableAscii, latin1, pushOnce } from './text.js';

const LF = 0x0a;
const CR = 0x0d;

/** ok: parsed; incomplete: more bytes are needed; invalid: these bytes can never become what is sought. */
export type SshParseStatus = 'ok' | 'incomplete' | 'invalid';

/**
 * The identification string (RFC 4253 §4.2) `SSH-protoversion-softwareversion SP comments CR LF` and the
 * lines a server may send before it. Every text field is escaped (see text.ts: printable ASCII kept,
 * `\` → `\\`, any other byte → `\xHH`), so it is safe to log as is.
 */
export interface SshIdentification {
  status: SshParseStatus;
  /**
   * The identification line without CR LF, escaped. At most 253 bytes of the line are used (255 minus
   * CR LF): a longer line is truncated and flagged 'banner_too_long'. Null unless status is 'ok', or
   * 'invalid' because the line has no LF within MAX_IDENTIFICATION_SCAN_BYTES (then it is still reported).
   */
  banner: string | null;
  /** Text between "SSH-" and the next '-' ("2.0", "1.99", "1.5"); null when `banner` is. */
  protoVersion: string | null;
  /** Text after that '-' up to the first space ('' when there is no '-'); null when `banner` is. */
  softwareVersion: string | null;
  /** Text after the first space; null when there is no space (or no banner). */
  comments: string | null;
  /**
   * 2 for protoversion "2.0" and "1.99" (RFC 4253 §5.1: a 1.99 peer speaks SSH-2), 1 for other "1.x"
   * (SSH-1, e.g. "1.5": no SSH-2 binary packets follow), null when unrecognised or absent.
   */
  sshMajorVersion: 1 | 2 | null;
  /** Lines before the identification (server side only), without CR LF, escaped, each ≤ 253 bytes. */
  preBannerLines: string[];
  /** Offset just after the identification line's LF when status is 'ok', else 0. */
  end: number;
  /** Stable short codes, each listed once, in the order first seen. */
  anomalies: string[];
}

/** How the bytes at `off` compare with "SSH-": a full match, a strict prefix (data ends), or not. */
function prefixAt(data: Uint8Array, off: number): 'ssh' | 'partial' | 'other' {
  for (let i = 0; i < SSH_PREFIX.length; i++) {
    if (off + i >= data.length) return 'partial';
    if (data[off + i] !== SSH_PREFIX[i]) return 'other';
  }
  return 'ssh';
}

/** Index of the first `byte` in data[from, to), or -1. */
function indexOfByte(data: Uint8Array, byte: number, from: number, to: number): number {
  const i = data.subarray(from, to).indexOf(byte);
  return i < 0 ? -1 : from + i;
}

/**
 * Cheap content check: true if `data` starts with "SSH-", or (unless `role` is 'client') a line starting
 * with "SSH-" follows at most MAX_PRE_BANNER_LINES NUL-free lines within the first MAX_PRE_BANNER_BYTES.
 * False for a prefix too short to decide; ask again with more bytes. Port-independent by design.
 */
export function looksLikeSsh(data: Uint8Array, role?: SshRole): boolean {
  if (prefixAt(data, 0) === 'ssh') return true;
  if (role === 'client') return false;
  const limit = Math.min(data.length, MAX_PRE_BANNER_BYTES);
  let lines = 0;
  for (let i = 0; i < limit; i++) {
    const b = data[i]!;
    if (b === 0) return false;
    if (b === LF) {
      if (++lines > MAX_PRE_BANNER_LINES) return false;
      if (prefixAt(data, i + 1) === 'ssh') return true;
    }
  }
  return false;
}

/**
 * Parses the identification string at the start of one direction of a TCP stream (RFC 4253 §4.2).
 * Never throws.
 *
 * The line ends at LF; a CR before it is removed, a bare LF is accepted ('bare_lf'). Unless `role` is
 * 'client' (clients MUST NOT send them), lines not starting with "SSH-" before the identification are
 * collected in `preBannerLines` (a NUL byte in them means this is not SSH). Anomalies (status 'invalid' for
 * those marked *): 'not_ssh'*, 'too_many_pre_banner_lines'*, 'pre_banner_too_long'*,
 * 'pre_banner_line_too_long', 'unterminated_banner'* (with 'banner_too_long'; the banner is still
 * reported), 'banner_too_long', 'bare_lf', 'non_printable_banner', 'malformed_identification' (not
 * `SSH-proto-software`), 'unknown_protoversion'.
 */
export function parseSshIdentification(data: Uint8Array, role?: SshRole): SshIdentification {
  const res: SshIdentification = {
    status: 'incomplete',
    banner: null,
    protoVersion: null,
    softwareVersion: null,
    comments: null,
    sshMajorVersion: null,
    preBannerLines: [],
    end: 0,
    anomalies: [],
  };
  const n = data.length;
  let off = 0;
  for (;;) {
    const prefix = prefixAt(data, off);
    if (prefix === 'partial') return res;
    if (prefix === 'ssh') return parseIdentificationLine(data, off, res);
    if (role === 'client') return invalid(res, 'not_ssh');
    if (res.preBannerLines.length >= MAX_PRE_BANNER_LINES) return invalid(res, 'too_many_pre_banner_lines');
    if (off >= MAX_PRE_BANNER_BYTES) return invalid(res, 'pre_banner_too_long');
    const scanEnd = Math.min(n, MAX_PRE_BANNER_BYTES);
    const lf = indexOfByte(data, LF, off, scanEnd);
    if (indexOfByte(data, 0, off, lf < 0 ? scanEnd : lf) >= 0) return invalid(res, 'not_ssh');
    if (lf < 0) return n >= MAX_PRE_BANNER_BYTES ? invalid(res, 'pre_banner_too_long') : res;
    let contentEnd = lf > off && data[lf - 1] === CR ? lf - 1 : lf;
    if (lf + 1 - off > MAX_PRE_BANNER_LINE_LENGTH) {
      pushOnce(res.anomalies, 'pre_banner_line_too_long');
      contentEnd = Math.min(contentEnd, off + MAX_PRE_BANNER_LINE_LENGTH - 2);
    }
    res.preBannerLines.push(escapeBytes(data.subarray(off, contentEnd)));
    off = lf + 1;
  }
}

function invalid(res: SshIdentification, code: string): SshIdentification {
  pushOnce(res.anomalies, code);
  res.status = 'invalid';
  return res;
}

/** Parses the line starting with "SSH-" at `off`. */
function parseIdentificationLine(data: Uint8Array, off: number, res: SshIdentification): SshIdentification {
  const n = data.length;
  const scanEnd = Math.min(n, off + MAX_IDENTIFICATION_SCAN_BYTES);
  const lf = indexOfByte(data, LF, off, scanEnd);
  const maxContent = MAX_IDENTIFICATION_LENGTH - 2;
  if (lf < 0) {
    if (scanEnd - off < MAX_IDENTIFICATION_SCAN_BYTES) return res; // the LF may still come
    pushOnce(res.anomalies, 'banner_too_long');
    describeLine(data, off, off + maxContent, res);
    return invalid(res, 'unterminated_banner');
  }
  let contentEnd = lf;
  if (contentEnd > off && data[contentEnd - 1] === CR) contentEnd--;
  else pushOnce(res.anomalies, 'bare_lf');
  if (lf + 1 - off > MAX_IDENTIFICATION_LENGTH) {
    pushOnce(res.anomalies, 'banner_too_long');
    contentEnd = Math.min(contentEnd, off + maxContent);
  }
  describeLine(data, off, contentEnd, res);
  res.status = 'ok';
  res.end = lf + 1;
  return res;
}

/** Fills the banner fields from the identification text data[start, end) (which starts with "SSH-"). */
function describeLine(data: Uint8Array, start: number, end: number, res: SshIdentification): void {
  if (!isPrintableAscii(data, start, end)) pushOnce(res.anomalies, 'non_printable_banner');
  const text = latin1(data.subarray(start, end));
  const rest = text.slice(SSH_PREFIX.length);
  const sp = rest.indexOf(' ');
  const head = sp < 0 ? rest : rest.slice(0, sp);
  const dash = head.indexOf('-');
  const proto = dash < 0 ? head : head.slice(0, dash);
  const software = dash < 0 ? '' : head.slice(dash + 1);
  if (proto === '' || software === '') pushOnce(res.anomalies, 'malformed_identification');
  res.sshMajorVersion = majorVersion(proto);
  if (res.sshMajorVersion === null && proto !== '') pushOnce(res.anomalies, 'unknown_protoversion');
  res.banner = escapeText(text);
  res.protoVersion = escapeText(proto);
  res.softwareVersion = escapeText(software);
  res.comments = sp < 0 ? null : escapeText(rest.slice(sp + 1));
}

/** RFC 4253 §4.2 and §5: "2.0" and "1.99" speak SSH-2; "1.x" (x digits) is SSH-1. */
function majorVersion(proto: string): 1 | 2 | null {
  if (proto === '2.0' || proto === '1.99') return 2;
  return /^1\.\d{1,3}$/.test(proto) ? 1 : null;
}
