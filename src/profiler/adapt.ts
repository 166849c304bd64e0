// Wire formats -> ProfilerEvent: the sensor's JSON events (as the pipeline writes them) and honeypot
// service records (src/syslog/honeypot.ts). Pure; used by the main-thread runtime (runtime.ts).

import type { HoneypotRecord } from '../syslog/honeypot.js';
import { type ConnectionOutcome, kindOfEventType, type ProfilerEvent, type ProfilerKind } from './types.js';

/** The day (`YYYY-MM-DD`) isoSeconds parsed last, and its milliseconds since the epoch. */
let lastDay = '';
let lastDayMs = Number.NaN;

/** Two ASCII digits of `s` at `i` as a number, or -1. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Seconds since the epoch of an ISO-8601 UTC time, keeping microseconds; null when invalid. The
 *  sensor's own form (`YYYY-MM-DDTHH:MM:SS[.fff[fff]]Z`) is read without Date.parse, the day looked
 *  up once; the result is the same number the general path computes. */
export function isoSeconds(iso: string): number | null {
  const n = iso.length;
  if ((n === 20 || n === 24 || n === 27) && iso.charCodeAt(10) === 84 && iso.charCodeAt(n - 1) === 90) {
    const h = digits2(iso, 11);
    const m = digits2(iso, 14);
    const sec = digits2(iso, 17);
    const frac = n === 20 ? '' : iso.slice(20, n - 1);
    if (
      h >= 0 &&
      h < 24 &&
      m >= 0 &&
      m < 60 &&
      sec >= 0 &&
      sec < 60 &&
      iso.charCodeAt(13) === 58 &&
      iso.charCodeAt(16) === 58 &&
      (n === 20 || (iso.charCodeAt(19) === 46 && /^\d+$/.test(frac)))
    ) {
      const day = iso.slice(0, 10);
      if (day !== lastDay) {
        lastDayMs = /^\d{4}-\d\d-\d\d$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
        lastDay = day;
      }
      if (Number.isFinite(lastDayMs)) {
        const ms = lastDayMs + ((h * 60 + m) * 60 + sec) * 1000 + (n === 20 ? 0 : Number(frac.slice(0, 3)));
        return ms / 1000 + (n === 27 ? Number(frac.slice(3)) / 1e6 : 0);
      }
    }
  }
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  const frac = /\.\d{3}(\d{1,3})/.exec(iso)?.[1];
  return ms / 1000 + (frac === undefined ? 0 : Number(frac.padEnd(3, '0')) / 1e6);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The service name of a sensor event type (the episode key's service); flow summaries and SYNs
 *  have none, so the key falls back to `port/N` (the tracker ties a connection's events to the key
 *  of its first labelled event by flow id). */
const SENSOR_SERVICES: Readonly<Record<string, string>> = {
  tls_client_hello: 'tls',
  quic_client_hello: 'quic',
  dtls_client_hello: 'dtls',
  http_request: 'http',
  http2_preface: 'http',
  ssh_client_banner: 'ssh',
  smtp_envelope: 'smtp',
};

/** How the decoy answered, from a tcp_flow_timing summary. */
function flowOutcome(e: Record<string, unknown>): ConnectionOutcome | undefined {
  if (e.transport !== 'tcp') return undefined;
  if (e.handshake === true) return 'established';
  if (e.midstream === true) return undefined;
  return int(e.packets_to_client) === 0 ? 'unanswered' : 'rejected';
}

/** One sensor JSON event -> ProfilerEvent (null when it names no source or time). */
export function fromSensorEvent(e: Record<string, unknown>): ProfilerEvent | null {
  const type = str(e.event_type);
  const src = str(e.src_ip);
  const iso = str(e.ts);
  if (type === undefined || src === undefined || iso === undefined) return null;
  const ts = isoSeconds(iso);
  if (ts === null) return null;
  const ev: ProfilerEvent = {
    ts,
    src_ip: src,
    kind: kindOfEventType(type, 'sensor'),
    source: 'sensor',
    event_type: type,
  };
  const service = SENSOR_SERVICES[type];
  if (service !== undefined) ev.service = service;
  const dst = str(e.dst_ip);
  if (dst !== undefined) ev.dst_ip = dst;
  const port = int(e.dst_port);
  if (port !== undefined) ev.dst_port = port;
  const flow = int(e.flow_id);
  if (flow !== undefined) ev.conn_id = `${str(e.sensor_id) ?? ''}:${flow}`;
  const sni = str(e.sni);
  if (sni !== undefined) ev.sni = sni;
  const host = str(e.host);
  if (host !== undefined) ev.host = host;
  const ua = str(e.user_agent);
  if (ua !== undefined) ev.user_agent = ua;
  const tool = str(e.tool);
  if (tool !== undefined) ev.tool = tool;
  const cat = str(e.tool_category);
  if (cat !== undefined) ev.tool_category = cat;
  const ja3 = str(e.ja3);
  if (ja3 !== undefined && ev.kind === 'request') ev.ja3 = ja3;
  const ja4 = str(e.ja4);
  if (ja4 !== undefined && ev.kind === 'request') ev.ja4 = ja4;
  const ja4h = str(e.ja4h);
  if (ja4h !== undefined) ev.ja4h = ja4h;
  const os = str(e.os_guess);
  if (os !== undefined && type === 'tcp_syn_fingerprint') ev.os_guess = os;
  if (type === 'tcp_flow_timing') {
    const o = flowOutcome(e);
    if (o !== undefined) ev.outcome = o;
    const bytes = int(e.bytes);
    if (bytes !== undefined) ev.bytes = bytes;
  }
  if (type === 'scan_summary') {
    const answered = int(e.synack_replies) ?? 0;
    const failed = (int(e.rst_replies) ?? 0) + (int(e.no_reply) ?? 0);
    const first = str(e.first_ts) === undefined ? null : isoSeconds(e.first_ts as string);
    const last = str(e.last_ts) === undefined ? null : isoSeconds(e.last_ts as string);
    ev.probes = {
      answered,
      failed,
      ...(first !== null ? { first_ts: first } : {}),
      ...(last !== null ? { last_ts: last } : {}),
    };
  }
  return ev;
}

/**
 * The profiler kind of a honeypot record. The profiler's own event-type table decides when it knows
 * the name; otherwise the record's kind, with the direction of file transfers made the profiler's
 * (a file *into* the decoy is a `download`, ingress tool transfer; a file *out of* it an `upload`):
 * DECNET's `file_captured`/`file_upload` (the attacker dropped a file on the decoy) are downloads,
 * FTP's `download_attempt` (the attacker fetched a file from the decoy) is an upload. sshd's own
 * `Failed/Accepted … from` lines (`login_result`) are 'other': the attempt is already counted from
 * DECNET's PAM helper line, and counting both would double it (src/syslog/README.md).
 */
export function honeypotKind(rec: HoneypotRecord): ProfilerKind {
  const known = kindOfEventType(rec.event_type, 'honeypot');
  if (known !== 'other' && rec.kind !== 'upload' && rec.kind !== 'login_result') return known;
  switch (rec.kind) {
    case 'connect':
      return 'connection';
    case 'login_attempt':
      return 'auth';
    case 'command':
      return 'command';
    case 'request':
      return 'request';
    case 'download':
      return 'upload';
    case 'upload':
      return 'download';
    default:
      return 'other';
  }
}

/** One honeypot record -> ProfilerEvent (null when it names no attacker or its time is invalid).
 *  The decky's name stands for the destination (traversal path, scan targets). */
export function fromHoneypotRecord(rec: HoneypotRecord): ProfilerEvent | null {
  if (rec.src_ip === null) return null;
  const ts = isoSeconds(rec.ts);
  if (ts === null) return null;
  const kind = honeypotKind(rec);
  const ev: ProfilerEvent = {
    ts,
    src_ip: rec.src_ip,
    kind,
    source: 'honeypot',
    event_type: rec.event_type,
    service: rec.service,
  };
  if (rec.decky !== null) ev.dst_ip = rec.decky;
  const f = rec.fields;
  if (kind === 'connection') ev.outcome = 'established';
  if (kind === 'auth') {
    const t = rec.event_type.toLowerCase();
    if (f.success === 'true' || t === 'auth_success' || t === 'login_success') ev.success = true;
    if (f.username !== undefined) ev.username = f.username;
  }
  if (kind === 'command' && f.command !== undefined) ev.command = f.command;
  if (f.ja4h !== undefined && f.ja4h !== '') ev.ja4h = f.ja4h;
  if (f.user_agent !== undefined && f.user_agent !== '') ev.user_agent = f.user_agent;
  if (f.host !== undefined && f.host !== '') ev.host = f.host;
  const size = f.size === undefined ? Number.NaN : Number(f.size);
  if (Number.isFinite(size)) ev.bytes = size;
  return ev;
}

/** A honeypot record as a JSON event line for the events table: `event_type` is
 *  `honeypot_<kind>` (never a sensor type, so no sensor-event upsert reads it), the service's own
 *  MSGID is `msgid`, the decky's name `decky`, the record's fields (secrets already removed) under
 *  `fields`. The line is deterministic, so ingesting the same log twice stores each event once. */
export function honeypotEventLine(rec: HoneypotRecord, sensorId: string): string {
  return `${JSON.stringify(
    {
      ts: rec.ts,
      event_type: `honeypot_${rec.kind}`,
      sensor_id: sensorId,
      src_ip: rec.src_ip,
      src_port: rec.src_port,
      decky: rec.decky,
      service: rec.service,
      msgid: rec.event_type,
      fields: rec.fields,
      truncated: rec.truncated,
    },
    noNul,
  )}\n`;
}

/** JSON.stringify replacer: NUL becomes U+FFFD (PostgreSQL's jsonb and text cannot hold U+0000). */
export function noNul(_key: string, v: unknown): unknown {
  return typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\ufffd') : v;
}
