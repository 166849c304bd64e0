// RFC 5424 output: the generic formatter, and sensor events as DECNET's sniffer writes them
// (docs/decnet-reference.md §3.17; the mapping and every deviation are in src/syslog/README.md).
//
//   <134>1 2024-05-01T12:00:00.123456+00:00 decky-01 sniffer - tls_client_hello [relay@55555 src_ip="…" …]
//
// Values are escaped as RFC 5424 §6.3.3 requires ('"', '\', ']' get a backslash). DECNET stops
// there, so a CR or LF in an attacker's SNI splits its line (its bug W19). We also escape control
// characters by default (`controls: 'escape'`): LF is written `\n`, other C0/C1 controls, DEL,
// U+2028/2029 and lone surrogates as `\xHH` / `\uHHHH`. Every literal backslash is doubled, so
// these never collide with data; an RFC parser shows them as text, parseRfc5424 with
// `unescapeControls` restores them. `controls: 'raw'` leaves them as bytes, for transports that
// frame by length (UDP, TCP octet counting), where they are legal and survive.

import { APP_NAME_MAX_CHARS, HOSTNAME_MAX_CHARS, MSGID_MAX_CHARS, PROCID_MAX_CHARS } from './limits.js';
import {
  DECNET_SD_ID,
  decnetTimestamp,
  FACILITY_LOCAL0,
  isPrintUsAscii,
  isSdName,
  NILVALUE,
  parseTimestamp,
  type SdParam,
  Severity,
  type SyslogMessage,
  timestampToIso,
  toHeaderField,
  toSdName,
} from './message.js';

/** How control characters in values and MSG are written (see the file comment). */
export type ControlChars = 'escape' | 'raw';

export interface FormatOptions {
  /** Default 'escape': one message is always one line. */
  controls?: ControlChars;
}

export type SyslogFormatErrorCode =
  | 'bad_priority'
  | 'bad_timestamp'
  | 'bad_header_field'
  | 'bad_sd_id'
  | 'duplicate_sd_id'
  | 'bad_param_name';

/** A message that cannot be written as RFC 5424 (a caller's bug, not hostile input: values are
 *  never rejected, only escaped). */
export class SyslogFormatError extends Error {
  readonly code: SyslogFormatErrorCode;
  constructor(code: SyslogFormatErrorCode, message: string) {
    super(message);
    this.name = 'SyslogFormatError';
    this.code = code;
  }
}

const RFC_SPECIALS = /[\\"\]]/;
const RFC_SPECIALS_G = /[\\"\]]/g;
// C0, DEL, C1, LINE/PARAGRAPH SEPARATOR and lone surrogates (a valid pair is one code point in
// 'u' mode, so \p{Cs} only matches halves without their partner).
const ESCAPED = /[\\"\]\x00-\x1f\x7f-\x9f\u2028\u2029]|\p{Cs}/u;
const ESCAPED_G = /[\\"\]\x00-\x1f\x7f-\x9f\u2028\u2029]|\p{Cs}/gu;
// In MSG also U+FEFF, which a reader would take for the BOM (§6.4) when it comes first.
const MSG_ESCAPED = /[\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]|\p{Cs}/u;
const MSG_ESCAPED_G = /[\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]|\p{Cs}/gu;

function escapeChar(ch: string): string {
  switch (ch) {
    case '\\':
    case '"':
    case ']':
      return `\\${ch}`;
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  const c = ch.charCodeAt(0);
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

/** A PARAM-VALUE escaped for writing between double quotes (§6.3.3, plus controls: file comment). */
export function escapeParamValue(value: string, controls: ControlChars = 'escape'): string {
  if (controls === 'raw') {
    return RFC_SPECIALS.test(value) ? value.replace(RFC_SPECIALS_G, (c) => `\\${c}`) : value;
  }
  return ESCAPED.test(value) ? value.replace(ESCAPED_G, escapeChar) : value;
}

function escapeMsg(msg: string, controls: ControlChars): string {
  if (controls === 'raw') return msg;
  return MSG_ESCAPED.test(msg) ? msg.replace(MSG_ESCAPED_G, escapeChar) : msg;
}

function headerField(v: string | null, max: number, name: string): string {
  if (v === null || v === NILVALUE) return NILVALUE;
  if (!isPrintUsAscii(v, max)) {
    throw new SyslogFormatError(
      'bad_header_field',
      `${name} must be 1..${max} printable US-ASCII characters (toHeaderField() makes one)`,
    );
  }
  return v;
}

/** One RFC 5424 message as text, without framing or trailing newline. Throws SyslogFormatError
 *  when a header field, SD-ID or PARAM-NAME breaks the grammar (toHeaderField / toSdName repair
 *  them); values are never rejected. An empty MSG is left out, as DECNET does. */
export function formatRfc5424(msg: SyslogMessage, opts: FormatOptions = {}): string {
  const controls = opts.controls ?? 'escape';
  const { facility, severity } = msg;
  if (!Number.isInteger(facility) || facility < 0 || facility > 23 || !Number.isInteger(severity)) {
    throw new SyslogFormatError('bad_priority', 'facility must be 0..23 and severity 0..7');
  }
  if (severity < 0 || severity > 7) throw new SyslogFormatError('bad_priority', 'severity must be 0..7');
  if (msg.timestamp !== null && msg.timestamp !== NILVALUE && parseTimestamp(msg.timestamp) === null) {
    throw new SyslogFormatError('bad_timestamp', `not an RFC 5424 TIMESTAMP: ${msg.timestamp}`);
  }
  let line =
    `<${facility * 8 + severity}>1 ${msg.timestamp ?? NILVALUE}` +
    ` ${headerField(msg.hostname, HOSTNAME_MAX_CHARS, 'HOSTNAME')}` +
    ` ${headerField(msg.appName, APP_NAME_MAX_CHARS, 'APP-NAME')}` +
    ` ${headerField(msg.procId, PROCID_MAX_CHARS, 'PROCID')}` +
    ` ${headerField(msg.msgId, MSGID_MAX_CHARS, 'MSGID')} `;
  if (msg.structuredData.length === 0) {
    line += NILVALUE;
  } else {
    const seen = new Set<string>();
    for (const el of msg.structuredData) {
      if (!isSdName(el.id)) throw new SyslogFormatError('bad_sd_id', `invalid SD-ID: ${el.id}`);
      if (seen.has(el.id)) throw new SyslogFormatError('duplicate_sd_id', `SD-ID repeated: ${el.id}`);
      seen.add(el.id);
      line += `[${el.id}`;
      for (const [name, value] of el.params) {
        if (!isSdName(name)) throw new SyslogFormatError('bad_param_name', `invalid PARAM-NAME: ${name}`);
        line += ` ${name}="${escapeParamValue(value, controls)}"`;
      }
      line += ']';
    }
  }
  if (msg.msg !== null && msg.msg !== '')
    line += ` ${msg.msgBom ? '\uFEFF' : ''}${escapeMsg(msg.msg, controls)}`;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Sensor events → DECNET lines

/** DECNET's severities by event type (§2.2): warning for tls_session and quic_client_hello, info
 *  otherwise. Our own types follow the same scheme: the server-side hello summaries (quic_session,
 *  dtls_session) are warnings like tls_session; everything else is informational. */
const EVENT_SEVERITY: Readonly<Record<string, number>> = {
  tls_session: Severity.warning,
  quic_client_hello: Severity.warning,
  quic_session: Severity.warning,
  dtls_session: Severity.warning,
};

/** The SD severity an event type is written with. */
export function eventSeverity(eventType: string): number {
  return EVENT_SEVERITY[eventType] ?? Severity.informational;
}

export interface EventSyslogOptions {
  /** HOSTNAME: DECNET writes the decky's name. A string, or a function of the event (e.g. the decky
   *  owning `dst_ip`); default the event's `sensor_id`. Repaired by toHeaderField(). */
  hostname?: string | ((event: Readonly<Record<string, unknown>>) => string | null | undefined);
  /** APP-NAME; default `sniffer`, as DECNET's sensor. */
  appName?: string;
  /** PROCID; default NILVALUE, as DECNET (whose profiler drops lines with any other PROCID). */
  procId?: string | null;
  /** SD-ID; default `relay@55555`. */
  sdId?: string;
  /** Facility; default local0 (16). */
  facility?: number;
  /** Severity; default eventSeverity(event_type). */
  severity?: number;
  /** Add the params DECNET's consumers read that our events carry under other names or encodings
   *  (has_sack, has_timestamps, dscp, raw_ciphers, raw_extensions, ja4_quic). Default true. */
  decnetCompat?: boolean;
  /** See FormatOptions; default 'escape'. */
  controls?: ControlChars;
}

/** Envelope keys: the four endpoint params lead the SD (DECNET's order), the others close it. */
const ENDPOINT_KEYS = ['src_ip', 'src_port', 'dst_ip', 'dst_port'] as const;
const TRAILER_KEYS = ['sensor_id', 'flow_id', 'community_id', 'transport', 'vlan'] as const;
/** Order of the envelope in our JSON lines (src/events/build.ts). */
const ENVELOPE_ORDER = [
  'sensor_id',
  'flow_id',
  'community_id',
  'src_ip',
  'src_port',
  'dst_ip',
  'dst_port',
  'transport',
  'vlan',
] as const;
const NOT_PARAMS = new Set<string>(['ts', 'event_type', ...ENDPOINT_KEYS, ...TRAILER_KEYS]);

/** String lists written comma-joined (DECNET's form for alpn and resumption) when every element is
 *  such a token; anything else (a comma, a bracket, a space, an empty string) is written as JSON. */
const LIST_TOKEN = /^[\w.:/+@*-]+$/;

/** A field value as an SD-PARAM value (README: "Values"): strings as they are, numbers in JS
 *  shortest form, booleans `true`/`false` (DECNET's), string lists comma-joined when unambiguous,
 *  other lists and objects as JSON. Null and undefined give null: the param is left out. */
export function encodeFieldValue(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? String(v) : null;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return String(v);
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v) && v.every((e) => typeof e === 'string' && LIST_TOKEN.test(e))) {
        return v.join(',');
      }
      return JSON.stringify(v) ?? null;
    }
    default:
      return null;
  }
}

/** DECNET-named params derived from an event (see EventSyslogOptions.decnetCompat), for names the
 *  event does not already carry. */
function decnetCompatParams(event: Readonly<Record<string, unknown>>): SdParam[] {
  const type = event.event_type;
  const out: SdParam[] = [];
  const add = (name: string, value: string | null) => {
    if (value !== null && !(name in event)) out.push([name, value]);
  };
  if (type === 'tcp_syn_fingerprint' || type === 'tcp_synack_fingerprint') {
    const opts = event.options;
    if (Array.isArray(opts)) {
      const names = opts.map((o) => (o && typeof o === 'object' ? (o as { name?: unknown }).name : null));
      add('has_sack', String(names.includes('sok') || names.includes('sack')));
      add('has_timestamps', String(names.includes('ts')));
    }
    if (typeof event.tos === 'number') add('dscp', String((event.tos >> 2) & 0x3f));
  }
  if (type === 'tls_client_hello' || type === 'quic_client_hello' || type === 'dtls_client_hello') {
    add('raw_ciphers', decimalList(event.ciphers));
    add('raw_extensions', decimalList(event.extensions));
  }
  if (type === 'quic_client_hello' && typeof event.ja4 === 'string') add('ja4_quic', event.ja4);
  return out;
}

/** ["c02f","0035"] → "49199-53" (DECNET's raw_ciphers form; our lists already omit GREASE). */
function decimalList(v: unknown): string | null {
  if (!Array.isArray(v)) return null;
  const out: number[] = [];
  for (const h of v) {
    if (typeof h !== 'string' || !/^[0-9a-f]{4}$/.test(h)) return null;
    out.push(Number.parseInt(h, 16));
  }
  return out.join('-');
}

/** The SD params of an event in DECNET's order: src_ip, src_port, dst_ip, dst_port, the event's own
 *  fields in their order, then sensor_id, flow_id, community_id, transport, vlan, then the DECNET
 *  compatibility params. Null fields are left out. */
export function eventSyslogParams(
  event: Readonly<Record<string, unknown>>,
  opts: Pick<EventSyslogOptions, 'decnetCompat'> = {},
): SdParam[] {
  const params: SdParam[] = [];
  const push = (key: string) => {
    const v = encodeFieldValue(event[key]);
    if (v !== null) params.push([toSdName(key), v]);
  };
  for (const k of ENDPOINT_KEYS) push(k);
  for (const k of Object.keys(event)) if (!NOT_PARAMS.has(k)) push(k);
  for (const k of TRAILER_KEYS) push(k);
  if (opts.decnetCompat ?? true) params.push(...decnetCompatParams(event));
  return params;
}

/** A sensor event as a SyslogMessage shaped like DECNET's sniffer lines (see eventToSyslog). */
export function eventToSyslogMessage(
  event: Readonly<Record<string, unknown>>,
  opts: EventSyslogOptions = {},
): SyslogMessage {
  const type = typeof event.event_type === 'string' ? event.event_type : null;
  const host =
    typeof opts.hostname === 'function'
      ? opts.hostname(event)
      : (opts.hostname ?? (typeof event.sensor_id === 'string' ? event.sensor_id : null));
  const ts = typeof event.ts === 'string' ? decnetTimestamp(event.ts) : null;
  const params = eventSyslogParams(event, opts);
  return {
    facility: opts.facility ?? FACILITY_LOCAL0,
    severity: opts.severity ?? eventSeverity(type ?? ''),
    timestamp: ts,
    hostname: toHeaderField(host, HOSTNAME_MAX_CHARS),
    appName: toHeaderField(opts.appName ?? 'sniffer', APP_NAME_MAX_CHARS),
    procId: toHeaderField(opts.procId ?? null, PROCID_MAX_CHARS),
    msgId: toHeaderField(type, MSGID_MAX_CHARS),
    structuredData: params.length > 0 ? [{ id: opts.sdId ?? DECNET_SD_ID, params }] : [],
    msg: null,
  };
}

/** One sensor event (a JSON line's object, src/events/build.ts) as a DECNET-compatible RFC 5424
 *  line: `<PRI>1 TIMESTAMP HOSTNAME sniffer - EVENT_TYPE [relay@55555 …]`, no MSG, no BOM. The
 *  TIMESTAMP is the event's `ts` (packet time) in DECNET's `+00:00` form. Whatever the event holds,
 *  it does not throw; only invalid options (sdId, facility, severity) raise SyslogFormatError. */
export function eventToSyslog(
  event: Readonly<Record<string, unknown>>,
  opts: EventSyslogOptions = {},
): string {
  return formatRfc5424(eventToSyslogMessage(event, opts), { controls: opts.controls ?? 'escape' });
}

// ---------------------------------------------------------------------------------------------
// DECNET lines → sensor events (the inverse of eventToSyslog, for our own lines and DECNET's)

type FieldType = 'number' | 'boolean' | 'list' | 'json';

/** Types of the non-string fields of our events (src/events/build.ts and the parsers' fields.ts);
 *  every other param decodes as a string. test/unit/syslog checks it against real sensor output. */
const FIELD_TYPES: Readonly<Record<string, FieldType>> = (() => {
  const t: Record<string, FieldType> = {};
  const set = (type: FieldType, names: string) => {
    for (const n of names.split(/\s+/)) if (n) t[n] = type;
  };
  set(
    'number',
    `flow_id src_port dst_port vlan ttl initial_ttl hop_distance window mss wscale ip_version ip_id isn
     tos ip_ecn ip_options_len syn_payload_len p0f_distance syn_count synack_count status_code header_count
     content_length packets bytes duration_s mean_iat_ms min_iat_ms max_iat_ms retransmits rtt_ms
     packets_to_server packets_to_client bytes_to_server bytes_to_client retransmits_to_server
     retransmits_to_client syn_retransmits out_of_order server_rtt_ms client_rtt_ms client_ttl server_ttl
     client_hops server_hops repeats window_s behaviour_samples tcp_clock_hz clock_skew_ppm clock_span_s
     legacy_version key_bits version chain_index chain_length flows syn_packets synack_replies rst_replies
     no_reply distinct_ports_est distinct_hosts_est window_index packets_client packets_server acks_client
     acks_server mode_len_client mode_len_server dtls_cookie_length window_update rcpt_count mail_from_count
     auth_attempts messages vrfy_count expn_count server_greeting_code`,
  );
  set(
    'boolean',
    `df ecn scan truncated handshake midstream ech grease hello_retry_request self_signed is_ca
     first_kex_packet_follows partial headers_frame starttls data null_sender smtputf8 quit sslv2`,
  );
  set(
    'list',
    `quirks p0f_quirks header_names cookie_names anomalies ciphers extensions supported_versions
     supported_groups signature_algorithms key_share_groups resumption client_alpn kex_algorithms
     host_key_algorithms macs compression encryption_c2s encryption_s2c mac_c2s mac_s2c compression_c2s
     compression_s2c languages_c2s languages_s2c rcpt_domains mail_from_domains auth_mechanisms commands
     server_extensions server_auth_mechanisms server_anomalies x509_anomalies pre_banner_lines`,
  );
  set('json', 'options ec_point_formats sample_ports frame_types sans scanner settings');
  return t;
})();

/** `alpn` is the client's list in the hello events and the server's choice (a string) elsewhere. */
function fieldType(eventType: string, name: string): FieldType | undefined {
  if (name === 'alpn') return eventType.endsWith('_client_hello') ? 'list' : undefined;
  return FIELD_TYPES[name];
}

/** An SD value decoded by the field's type; a value that does not fit the type stays a string. */
function decodeFieldValue(type: FieldType | undefined, v: string): unknown {
  switch (type) {
    case 'number': {
      // Any decimal: ours are JS's shortest form, DECNET's Python's str() ("1.0").
      if (!/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(v)) return v;
      const n = Number(v);
      return Number.isFinite(n) ? n : v;
    }
    case 'boolean':
      return v === 'true' ? true : v === 'false' ? false : v;
    case 'list':
      if (v === '') return [];
      if (v[0] !== '[') return v.split(',');
      return parseJsonOr(v);
    case 'json':
      return v === '' ? [] : parseJsonOr(v); // an empty list is written '' whatever its elements
    default:
      return v;
  }
}

function parseJsonOr(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export interface SyslogToEventOptions {
  /** SD-ID of the element holding the fields; default `relay@55555`. */
  sdId?: string;
}

/** A sensor event rebuilt from a line written by eventToSyslog (or by DECNET's sniffer): `ts` from
 *  TIMESTAMP, `event_type` from MSGID, the fields typed back, DECNET compatibility params removed
 *  when they equal what they derive from. Null fields were not written and do not come back.
 *  Returns null when the message has no MSGID or no element with the SD-ID. */
export function syslogToEvent(
  msg: SyslogMessage,
  opts: SyslogToEventOptions = {},
): Record<string, unknown> | null {
  const sdId = opts.sdId ?? DECNET_SD_ID;
  const el = msg.structuredData.find((e) => e.id === sdId);
  if (msg.msgId === null || el === undefined) return null;
  const type = msg.msgId;
  const fields = new Map<string, unknown>();
  for (const [name, value] of el.params) {
    if (!fields.has(name)) fields.set(name, decodeFieldValue(fieldType(type, name), value));
  }
  const event: Record<string, unknown> = {};
  const ts = timestampToIso(msg.timestamp);
  if (ts !== null) event.ts = ts;
  event.event_type = type;
  for (const k of ENVELOPE_ORDER) {
    if (fields.has(k)) {
      event[k] = fields.get(k);
      fields.delete(k);
    }
  }
  const compatNames = new Set([
    'has_sack',
    'has_timestamps',
    'dscp',
    'raw_ciphers',
    'raw_extensions',
    'ja4_quic',
  ]);
  const compat = new Map<string, unknown>();
  for (const [k, v] of fields) {
    if (compatNames.has(k)) compat.set(k, v);
    else event[k] = v;
  }
  if (compat.size > 0) {
    const derived = new Map(decnetCompatParams(event));
    for (const [k, v] of compat) {
      const raw = el.params.find(([n]) => n === k)?.[1];
      if (derived.get(k) !== raw) event[k] = v;
    }
  }
  return event;
}
