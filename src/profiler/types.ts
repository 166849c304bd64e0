// The profiler's input: one small typed event per sensor event or honeypot service event, whatever
// its origin (our JSON events, DECNET-style RFC 5424 service logs). The adapters that build these
// from wire formats live with the main thread; everything under src/profiler/ is pure over them.
//
// Time is the capture (or log) timestamp in seconds since the Unix epoch, never the wall clock at
// processing time, so a replay profiles the same way the live traffic did.

/**
 * What an event means to the profiler, independent of who emitted it:
 *  - connection:   a transport connection or probe towards a decoy; `outcome` says how the decoy answered
 *  - request:      application data on a connection (TLS/QUIC/DTLS hello, HTTP request, SSH banner, SMTP envelope)
 *  - auth:         one login attempt; `success` when the honeypot says it succeeded
 *  - command:      one command run in a session (`command` holds its text when known)
 *  - download:     a file fetched into the decoy (wget/curl/tftp by the attacker, or an upload to the decoy)
 *  - upload:       a file sent out of the decoy (scp out, curl -T, exfiltration)
 *  - scan_summary: the sensor's per-source summary of payload-less probes (`probes`)
 *  - fingerprint:  a passive fingerprint with no connection meaning of its own (SYN/SYN-ACK, KEXINIT, certificate, ServerHello)
 *  - other:        anything else (kept for counts, histogram and services)
 */
export type ProfilerKind =
  | 'connection'
  | 'request'
  | 'auth'
  | 'command'
  | 'download'
  | 'upload'
  | 'scan_summary'
  | 'fingerprint'
  | 'other';

/** How the decoy answered a connection attempt (TRW's success = 'established'). */
export type ConnectionOutcome = 'established' | 'rejected' | 'unanswered';

/** Who emitted the event: the passive sensor, or a honeypot service (syslog ingest). */
export type EventSource = 'sensor' | 'honeypot';

/** Counts of a scan_summary: probes answered (SYN-ACK) and not (RST or nothing). */
export interface ProbeCounts {
  /** Probes a decoy service answered: first contacts that succeeded. */
  answered: number;
  /** Probes that hit a closed port or a dark address: first contacts that failed. */
  failed: number;
  /** Distinct (host, port) targets, when the sensor estimated it. */
  distinct_targets?: number;
  /** First and last probe time, seconds; `ts` of the event when absent. */
  first_ts?: number;
  last_ts?: number;
}

/** One event as the profiler sees it. Only `ts`, `src_ip`, `kind`, `source` and `event_type` are required. */
export interface ProfilerEvent {
  /** Capture or log time, seconds since the Unix epoch (fractional). */
  ts: number;
  /** The attacker (the client; our sensor's `src_ip`). */
  src_ip: string;
  kind: ProfilerKind;
  source: EventSource;
  /** The original event type (`tls_client_hello`, `login_attempt`, ...): the DECNET baseline and the tactic map read it. */
  event_type: string;
  /** Service name as the honeypot or the sensor's protocol detection gives it (`ssh`, `http`, `https`, `smtp`). */
  service?: string;
  /** The decoy. */
  dst_ip?: string;
  dst_port?: number;
  /** Connection identity (our `flow_id`): events with the same id are one connection. */
  conn_id?: string;
  /** TLS SNI of the connection. */
  sni?: string;
  /** HTTP Host header. */
  host?: string;
  user_agent?: string;
  /** Tool named by the sensor (User-Agent table, scanner SYN rules, SSH client software). */
  tool?: string;
  /** The tool's category (`scanner`, `bruteforce`, `library`, `exploit`, `botnet`). */
  tool_category?: string;
  /** connection: how the decoy answered. */
  outcome?: ConnectionOutcome;
  /** auth: whether the login succeeded. */
  success?: boolean;
  /** auth: the user name tried (never a password). */
  username?: string;
  /** command: its text. */
  command?: string;
  /** Payload or file size in bytes, when known. */
  bytes?: number;
  /** scan_summary: the probe counts. */
  probes?: ProbeCounts;
  /** TLS client fingerprints and HTTP fingerprint, for attribution evidence. */
  ja3?: string;
  ja4?: string;
  ja4h?: string;
  /** Passive OS guess (p0f label, e.g. 'Windows 7 or 8', 'Linux 3.11 and newer'). */
  os_guess?: string;
}

/** Sensor event types (docs/DESIGN.md, README "Events") and what they mean to the profiler. */
const SENSOR_KINDS: Readonly<Record<string, ProfilerKind>> = {
  tcp_flow_timing: 'connection',
  tls_client_hello: 'request',
  quic_client_hello: 'request',
  dtls_client_hello: 'request',
  http_request: 'request',
  http2_preface: 'request',
  ssh_client_banner: 'request',
  smtp_envelope: 'request',
  scan_summary: 'scan_summary',
  tcp_syn_fingerprint: 'fingerprint',
  tcp_synack_fingerprint: 'fingerprint',
  tcp_syn_repeat: 'fingerprint',
  tcp_synack_repeat: 'fingerprint',
  tls_session: 'fingerprint',
  quic_session: 'fingerprint',
  dtls_session: 'fingerprint',
  tls_certificate: 'fingerprint',
  ssh_server_banner: 'fingerprint',
  ssh_kexinit: 'fingerprint',
  ssh_traffic: 'fingerprint',
  http_response: 'fingerprint',
};

/**
 * Honeypot service event types (DECNET's service containers and Cowrie-style names) and their kinds.
 * The command names are DECNET's `attackers.commands` list (docs/decnet-reference.md §4.2).
 */
const HONEYPOT_KINDS: Readonly<Record<string, ProfilerKind>> = {
  connection: 'connection',
  connect: 'connection',
  session_start: 'connection',
  banner: 'connection',
  probe: 'connection',
  scan: 'connection',
  request: 'request',
  http_request: 'request',
  http_access: 'request',
  http_request_fingerprint: 'request',
  login_attempt: 'auth',
  login_success: 'auth',
  login_failed: 'auth',
  auth: 'auth',
  auth_attempt: 'auth',
  auth_failure: 'auth',
  auth_success: 'auth',
  command: 'command',
  exec: 'command',
  query: 'command',
  input: 'command',
  shell_input: 'command',
  execute: 'command',
  run: 'command',
  sql_query: 'command',
  redis_command: 'command',
  download: 'download',
  file_download: 'download',
  upload: 'upload',
  file_transfer: 'upload',
  data_exfil: 'upload',
};

/** The profiler kind of an event type from the given source ('other' when unknown). */
export function kindOfEventType(eventType: string, source: EventSource): ProfilerKind {
  const table = source === 'sensor' ? SENSOR_KINDS : HONEYPOT_KINDS;
  return table[eventType] ?? (source === 'sensor' ? 'other' : (SENSOR_KINDS[eventType] ?? 'other'));
}

/** Finite-number guard used by every public entry point (NaN and ±Infinity are not times). */
export function isFiniteTs(ts: number): boolean {
  return typeof ts === 'number' && Number.isFinite(ts);
}
