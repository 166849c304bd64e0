// Honeypot service events, as DECNET's service containers emit them in RFC 5424, mapped to one
// small record per event for the profiler (src/syslog/README.md has the table and the reasons).
//
// DECNET's services write `<PRI>1 TS DECKY SERVICE - EVENT [relay@55555 k="v" …]` (the SD-ID was
// `decnet@55555` in older releases; any element is read). The event kinds follow the event-type
// sets of DECNET's profiler (docs/decnet-reference.md §4.2 commands, §4.3 phases), the attacker IP
// its field priority (§3.17) with `host:port` split, and two non-SD shapes its parsers special-case:
// Docker-wrapped lines whose MSG holds the real header, and bash `CMD … cmd=…` lines.
//
// Passwords are never kept in clear. DECNET stores them (`secret_printable`, `secret_b64`,
// `password`); the profiler needs only whether secrets repeat, so a record carries
// `password_sha256` (SHA-256 of the secret's bytes, hex) and `password_length` (bytes). Unsalted
// SHA-256 of a dictionary password is reversible by dictionary; pass `passwordKey` to get
// `password_hmac` (HMAC-SHA256 under that key) instead, which is not, and still compares equal
// across events and sensors that share the key. Protocol commands that carry a password (redis
// AUTH, FTP PASS) have their arguments dropped; HTTP Authorization header values are masked.

import { createHash, createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { HONEYPOT_MAX_FIELD_CHARS, HONEYPOT_MAX_FIELDS } from './limits.js';
import { type SyslogMessage, timestampToIso } from './message.js';
import { parseRfc5424 } from './parse.js';

export type HoneypotKind =
  | 'connect'
  | 'disconnect'
  | 'login_attempt'
  | 'login_result'
  | 'command'
  | 'download'
  | 'upload'
  | 'request'
  | 'session'
  | 'other';

/** One honeypot service event, reduced for profiling. */
export interface HoneypotRecord {
  /** ISO-8601 UTC with microseconds, from TIMESTAMP. */
  ts: string;
  /** The attacker; null when the line names none (DECNET's FTP `user`/`auth_attempt` lines). */
  src_ip: string | null;
  src_port: number | null;
  /** HOSTNAME: the decky. */
  decky: string | null;
  /** APP-NAME: the service (`ssh`, `ftp`, `auth-helper`, `bash`, …) as sent. */
  service: string;
  /** MSGID as sent (or `command` for a CMD line). */
  event_type: string;
  kind: HoneypotKind;
  /** Typed fields by kind (see README) and the line's other params, secrets removed, at most
   *  HONEYPOT_MAX_FIELDS of them, each cut at HONEYPOT_MAX_FIELD_CHARS. */
  fields: Record<string, string>;
  /** True when fields were dropped or cut by those caps. */
  truncated: boolean;
}

export type HoneypotSkipReason = 'no_timestamp' | 'no_service' | 'sensor_event';

export type HoneypotResult = { ok: true; record: HoneypotRecord } | { ok: false; reason: HoneypotSkipReason };

export interface HoneypotOptions {
  /** Key for HMAC-SHA256 of secrets; without it they are hashed with plain SHA-256. */
  passwordKey?: string | Uint8Array;
  /** APP-NAMEs that are sensors, not services (their lines are sensor events): default
   *  `sniffer` and `prober`, DECNET's. */
  sensorAppNames?: readonly string[];
}

const KINDS: Readonly<Record<string, HoneypotKind>> = (() => {
  const t: Record<string, HoneypotKind> = {};
  const set = (kind: HoneypotKind, names: string) => {
    for (const n of names.split(/\s+/)) if (n) t[n] = kind;
  };
  set('connect', 'connect connection accept new_connection session_start');
  set('disconnect', 'disconnect close connection_closed connection_lost session_end');
  set(
    'login_attempt',
    'auth_attempt auth login_attempt login auth_failure login_failed auth_success login_success',
  );
  set('command', 'command exec query input shell_input execute run sql_query redis_command');
  set('download', 'download download_attempt file_download file_transfer data_exfil');
  set('upload', 'upload file_upload file_captured');
  set('request', 'request http_request http_access http_request_fingerprint');
  set('session', 'session_recorded');
  return t;
})();

/** DECNET's attacker-IP fields, in its priority order (§3.17). */
const IP_FIELDS = ['src_ip', 'src', 'client_ip', 'remote_ip', 'remote_addr', 'target_ip', 'ip'] as const;
/** DECNET's command-text fields, in its order (§4.2). */
const COMMAND_FIELDS = ['command', 'query', 'input', 'line', 'sql', 'cmd'] as const;
const USER_FIELDS = ['principal', 'username', 'user', 'login'] as const;
/** Params that hold a secret in clear (or losslessly encoded): never copied into a record. */
const SECRET_FIELDS = new Set([
  'password',
  'pass',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'secret_printable',
  'secret_b64',
  'authtok',
  'token',
]);
/** True for a param holding a secret; `pwd` of a command is bash's working directory. */
function isSecret(name: string, kind: HoneypotKind): boolean {
  const n = name.toLowerCase();
  return SECRET_FIELDS.has(n) && !(n === 'pwd' && kind === 'command');
}

/** Protocol verbs whose arguments are a credential. */
const CREDENTIAL_VERBS = new Set(['AUTH', 'PASS']);

// Quantifiers are bounded so that no hostile MSG makes a regex backtrack for long.
const MSG_IP_ANCHORED =
  /\b(?:from|rhost[:=]|client[:=]|src[:=])\s{0,8}(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]{2,39})/i;
const MSG_IPV4 = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/;
const INNER_HEADER = /^\d{4}-\d{2}-\d{2}T\S+ \S+ \S+ \S+ \S+( |$)/;
const SSHD_AUTH =
  /^(Failed|Accepted) (\S{1,64}) for (invalid user )?(.{0,256}?) from (\S{1,64}) port (\d{1,5})(?: |$)/;
const AUTHORIZATION_VALUE = /((?:^|["'\s,{])authorization["']?\s*[:=]\s*["']?)([^"',}\]]*)/gi;

/** Maps one parsed honeypot syslog message to a record, or says why it is not one. Never throws. */
export function honeypotRecord(message: SyslogMessage, opts: HoneypotOptions = {}): HoneypotResult {
  const msg = unwrapDocker(message);
  const ts = timestampToIso(msg.timestamp);
  if (ts === null) return { ok: false, reason: 'no_timestamp' };
  if (msg.appName === null) return { ok: false, reason: 'no_service' };
  const sensors = opts.sensorAppNames ?? ['sniffer', 'prober'];
  if (sensors.includes(msg.appName)) return { ok: false, reason: 'sensor_event' };

  const params = new Map<string, string>();
  const el =
    msg.structuredData.find((e) => e.id.startsWith('relay@') || e.id.startsWith('decnet@')) ??
    msg.structuredData[0];
  if (el) for (const [k, v] of el.params) if (!params.has(k)) params.set(k, v);
  const text = msg.msg ?? '';

  let eventType = msg.msgId ?? '-';
  let kind: HoneypotKind = KINDS[eventType.toLowerCase()] ?? 'other';
  const typed: Record<string, string> = {};

  // bash PROMPT_COMMAND lines: `CMD uid=0 user=root src=1.2.3.4 pwd=/root cmd=<rest of line>`.
  if ((msg.msgId === null || msg.msgId === 'command') && text.startsWith('CMD ') && !params.has('command')) {
    eventType = 'command';
    kind = 'command';
    const at = text.indexOf('cmd=');
    const head = at < 0 ? text.slice(4) : text.slice(4, at);
    for (const m of head.matchAll(/(\w+)=(\S+)/g)) if (!params.has(m[1]!)) params.set(m[1]!, m[2]!);
    if (at >= 0) params.set('command', text.slice(at + 4));
  }

  // sshd's own lines through rsyslog: the outcome of an attempt (the attempt and its secret come
  // from DECNET's PAM helper as auth_attempt; counting both would count each attempt twice).
  const sshd = params.size === 0 ? SSHD_AUTH.exec(text) : null;
  if (sshd) {
    kind = 'login_result';
    typed.success = sshd[1] === 'Accepted' ? 'true' : 'false';
    typed.method = sshd[2]!;
    typed.username = sshd[4]!;
    if (sshd[3]) typed.invalid_user = 'true';
    params.set('src_ip', sshd[5]!);
    params.set('src_port', sshd[6]!);
  }

  const { ip, port } = attackerAddress(params, text);
  for (const k of IP_FIELDS) params.delete(k);
  let srcPort = port;
  const p = params.get('src_port');
  if (p !== undefined && /^\d{1,5}$/.test(p) && Number(p) <= 65535) srcPort = Number(p);
  params.delete('src_port');

  if (kind === 'login_attempt') loginFields(params, typed, opts);
  else if (kind === 'command') commandFields(params, typed);
  if (params.has('headers'))
    params.set('headers', params.get('headers')!.replace(AUTHORIZATION_VALUE, '$1[redacted]'));

  const fields: Record<string, string> = {};
  let truncated = false;
  let n = 0;
  const put = (k: string, v: string) => {
    if (n >= HONEYPOT_MAX_FIELDS) {
      truncated = true;
      return;
    }
    n++;
    if (v.length > HONEYPOT_MAX_FIELD_CHARS) {
      truncated = true;
      fields[k] = v.slice(0, HONEYPOT_MAX_FIELD_CHARS);
    } else fields[k] = v;
  };
  for (const [k, v] of Object.entries(typed)) put(k, v);
  for (const [k, v] of params) if (!isSecret(k, kind) && !(k in typed)) put(k, v);

  return {
    ok: true,
    record: {
      ts,
      src_ip: ip,
      src_port: srcPort,
      decky: msg.hostname,
      service: msg.appName,
      event_type: eventType,
      kind,
      fields,
      truncated,
    },
  };
}

/** Docker-wrapped lines: the outer header has MSGID and SD NIL and the MSG is a whole RFC 5424
 *  line without its PRI and VERSION. One level is unwrapped; the outer PRI is kept. */
function unwrapDocker(msg: SyslogMessage): SyslogMessage {
  if (msg.msgId !== null || msg.structuredData.length > 0 || msg.msg === null) return msg;
  if (!INNER_HEADER.test(msg.msg)) return msg;
  const inner = parseRfc5424(`<${msg.facility * 8 + msg.severity}>1 ${msg.msg}`, {
    trimTrailingNewline: false,
  });
  return inner.ok ? inner.message : msg;
}

/** The attacker's address: DECNET's field priority (a `host:port` or `[v6]:port` value split), then
 *  an anchored IP in MSG (`from`, `rhost=`, `client=`, `src=`), then the first IPv4 in MSG. */
function attackerAddress(
  params: Map<string, string>,
  text: string,
): { ip: string | null; port: number | null } {
  for (const k of IP_FIELDS) {
    const v = params.get(k);
    if (v === undefined) continue;
    const a = splitHostPort(v);
    if (a) return a;
  }
  for (const re of [MSG_IP_ANCHORED, MSG_IPV4]) {
    const m = re.exec(text);
    if (m && isIP(m[1]!)) return { ip: m[1]!, port: null };
  }
  return { ip: null, port: null };
}

function splitHostPort(v: string): { ip: string; port: number | null } | null {
  if (isIP(v)) return { ip: v, port: null };
  const br = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v);
  if (br && isIP(br[1]!)) return { ip: br[1]!, port: br[2] ? Number(br[2]) : null };
  const hp = /^([^:]+):(\d{1,5})$/.exec(v);
  if (hp && isIP(hp[1]!)) return { ip: hp[1]!, port: Number(hp[2]) };
  return null;
}

/** username, secret_kind, password_sha256 | password_hmac, password_length (see the file comment). */
function loginFields(
  params: Map<string, string>,
  typed: Record<string, string>,
  opts: HoneypotOptions,
): void {
  for (const k of USER_FIELDS) {
    const v = params.get(k);
    // DECNET's bridge writes Python's str(None) for an absent principal (redis AUTH without a user).
    if (v !== undefined && !(k === 'principal' && v === 'None')) {
      typed.username = v;
      break;
    }
  }
  const secret = secretBytes(params);
  if (secret !== null) {
    if (opts.passwordKey !== undefined) {
      typed.password_hmac = createHmac('sha256', opts.passwordKey).update(secret).digest('hex');
    } else {
      typed.password_sha256 = createHash('sha256').update(secret).digest('hex');
    }
    typed.password_length = String(secret.length);
  }
  for (const k of USER_FIELDS) params.delete(k);
}

/** The secret's exact bytes: `secret_b64` when it is valid base64 (lossless), else the clear
 *  `password`-like param as UTF-8, else `secret_printable` (lossy: DECNET replaced non-printables). */
function secretBytes(params: Map<string, string>): Buffer | null {
  const b64 = params.get('secret_b64');
  if (b64 !== undefined && /^[A-Za-z0-9+/]*={0,2}$/.test(b64) && b64.length % 4 === 0) {
    return Buffer.from(b64, 'base64');
  }
  for (const k of ['password', 'pass', 'passwd', 'pwd', 'secret', 'secret_printable']) {
    const v = params.get(k);
    if (v !== undefined) return Buffer.from(v, 'utf8');
  }
  return null;
}

/** `command`: DECNET's first non-empty text field; arguments of credential verbs dropped. */
function commandFields(params: Map<string, string>, typed: Record<string, string>): void {
  let command: string | null = null;
  for (const k of COMMAND_FIELDS) {
    const v = params.get(k);
    if (v !== undefined && v !== '') {
      command = v;
      break;
    }
  }
  if (command === null) return;
  const verb = (params.get('cmd') ?? command).trim().split(/\s+/)[0]!.toUpperCase();
  if (CREDENTIAL_VERBS.has(verb)) {
    command = verb;
    params.delete('args');
    typed.arguments_redacted = 'true';
  }
  typed.command = command;
  for (const k of COMMAND_FIELDS) params.delete(k);
}
