// Turns batch records into events (DESIGN.md "Events"): one JSON object per line, the client
// always in src_*, `ts` from the packet. Pure: a batch in, lines and counters out.
import {
  type BatchRecord,
  END_REASONS,
  FlowEndFlag,
  type FlowEndRecord,
  type FlowRef,
  forEachRecord,
  RecordType,
  type ScanSummaryRecord,
  StreamFlag,
  type StreamRecord,
  SynFlag,
  type SynRecord,
  type SynRepeatRecord,
  splitDatagrams,
} from '../batch/format.js';
import { ja4l } from '../fingerprints/ja4plus/ja4l.js';
import { ja4t } from '../fingerprints/ja4plus/ja4t.js';
import {
  loadP0fDatabase,
  matchP0f,
  p0fInputFromSynRecord,
  p0fPacket,
  p0fParams,
  quirkNames,
  rawSignature,
} from '../fingerprints/p0f/index.js';
import { identifyScanner, matchUserAgent, scannerInputFromSyn } from '../fingerprints/scanners.js';
import { classifyIpId, classifyIsn, estimateClock } from '../fingerprints/stack-behaviour.js';
import { initialTtl, optionsSignature, synQuirks } from '../fingerprints/tcp.js';
import { parseDtlsDatagrams } from '../parsers/dtls/datagrams.js';
import { dtlsClientHelloFields, dtlsServerHelloFields } from '../parsers/dtls/fields.js';
import { looksLikeDtls } from '../parsers/dtls/record.js';
import { h2PrefaceFields, httpRequestFields, httpResponseFields } from '../parsers/http/fields.js';
import { H2_PREFACE, parseH2Preface } from '../parsers/http/h2.js';
import { looksLikeHttpRequest, parseHttpRequests } from '../parsers/http/request.js';
import { parseHttpResponseStatus } from '../parsers/http/response.js';
import {
  looksLikeQuicLongHeader,
  parseQuicClientInitials,
  parseQuicServerInitials,
} from '../parsers/quic/initial.js';
import { looksLikeSmtpClient, parseSmtpClient } from '../parsers/smtp/client.js';
import { smtpEnvelopeFields } from '../parsers/smtp/fields.js';
import { parseSmtpServer } from '../parsers/smtp/server.js';
import { looksLikeSsh } from '../parsers/ssh/banner.js';
import { kexinitFields, sshBannerFields } from '../parsers/ssh/fields.js';
import type { Kexinit } from '../parsers/ssh/kexinit.js';
import { parseSshStream } from '../parsers/ssh/stream.js';
import { parseTcpOptions, type TcpOptions } from '../parsers/tcp/options.js';
import { clientHelloFields, serverHelloFields } from '../parsers/tls/fields.js';
import { firstHandshakeSpan, locateTls } from '../parsers/tls/locate.js';
import { parseTlsStream, type TlsStreamResultWithCertificates } from '../parsers/tls/stream.js';
import { PROFILER_BODY_FIELDS } from '../profiler/fields.js';
import { IdSlots } from '../util/cache.js';
import { communityId } from '../util/community-id.js';
import { formatIp } from '../util/ip.js';
import { isoMicros } from '../util/time.js';
import { certificateFields } from './certificate.js';
import { ja4sshEventFields, type SshWindowRecord } from './ja4ssh.js';
import { fragment, LineBuffer } from './line-buffer.js';

export interface BuildOptions {
  sensorId: string;
  /** FoxIO-licensed JA4+ methods (JA4S, JA4T, ...); off with --no-ja4plus. */
  ja4plus: boolean;
  /** Also write each event's profiler projection (src/profiler/fields.ts), line for line. */
  profilerLines?: boolean;
  /** p0f.fp that SYNs are matched against (--p0f-db; default: the copy shipped in data/p0f/). */
  p0fDb?: string;
}

/** Counters a batch contributes to the run summary. */
export interface BuildCounters {
  events: Record<string, number>;
  streams: { tls: number; ssh: number; http: number; smtp: number; other: number; empty: number };
  datagrams: number;
  /** Datagram records by what their client's first datagram looked like. */
  udp: { quic: number; dtls: number; other: number };
  anomalies: Record<string, number>;
}

export function newCounters(): BuildCounters {
  return {
    events: {},
    streams: { tls: 0, ssh: 0, http: 0, smtp: 0, other: 0, empty: 0 },
    datagrams: 0,
    udp: { quic: 0, dtls: 0, other: 0 },
    anomalies: {},
  };
}

/** Adds `b` into `a`. */
export function mergeCounters(a: BuildCounters, b: BuildCounters): void {
  for (const [k, v] of Object.entries(b.events)) a.events[k] = (a.events[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.anomalies)) a.anomalies[k] = (a.anomalies[k] ?? 0) + v;
  a.streams.tls += b.streams.tls;
  a.streams.ssh += b.streams.ssh;
  a.streams.http += b.streams.http;
  a.streams.smtp += b.streams.smtp;
  a.streams.other += b.streams.other;
  a.streams.empty += b.streams.empty;
  a.datagrams += b.datagrams;
  a.udp.quic += b.udp.quic;
  a.udp.dtls += b.udp.dtls;
  a.udp.other += b.udp.other;
}

/** The envelope fields of one flow, serialized once as a JSON fragment (no braces). */
type Envelope = string;

const TLS_HANDSHAKE_RECORD = 0x16;
const TCP_CWR = 0x80;
const TCP_ECE = 0x40;

/** Envelopes kept across batches: a flow's records (SYN, streams, end) span several batches.
 *  Flow ids only grow, so the oldest entries are the ones to drop. */
const MAX_CACHED_ENVELOPES = 65_536;

/** Initial size of a batch's output buffer (bytes); it doubles when a batch needs more. */
const OUTPUT_BUFFER_BYTES = 1 << 20;

/** The keys of a tcp_flow_timing body, each with the punctuation before its value. */
const FT = {
  packets: fragment('"packets":'),
  bytes: fragment(',"bytes":'),
  duration_s: fragment(',"duration_s":'),
  mean_iat_ms: fragment(',"mean_iat_ms":'),
  min_iat_ms: fragment(',"min_iat_ms":'),
  max_iat_ms: fragment(',"max_iat_ms":'),
  retransmits: fragment(',"retransmits":'),
  rtt_ms: fragment(',"rtt_ms":'),
  end_reason: fragment(',"end_reason":"'),
  packets_to_server: fragment('","packets_to_server":'),
  packets_to_client: fragment(',"packets_to_client":'),
  bytes_to_server: fragment(',"bytes_to_server":'),
  bytes_to_client: fragment(',"bytes_to_client":'),
  retransmits_to_server: fragment(',"retransmits_to_server":'),
  retransmits_to_client: fragment(',"retransmits_to_client":'),
  syn_retransmits: fragment(',"syn_retransmits":'),
  out_of_order: fragment(',"out_of_order":'),
  server_rtt_ms: fragment(',"server_rtt_ms":'),
  client_rtt_ms: fragment(',"client_rtt_ms":'),
  handshake: fragment(',"handshake":'),
  midstream: fragment(',"midstream":'),
  client_ttl: fragment(',"client_ttl":'),
  server_ttl: fragment(',"server_ttl":'),
  client_hops: fragment(',"client_hops":'),
  server_hops: fragment(',"server_hops":'),
  ja4l: fragment(',"ja4l":'),
  ja4ls: fragment(',"ja4ls":'),
};
/** A tcp_flow_timing body's bytes beyond its end reason and JA4L strings: the keys (~430) and
 *  at most 22 bytes for each of the 25 values (the longest JS number text). */
const FLOW_TIMING_BODY_BYTES = 1024;

/** Punctuation the hand-written bodies share. */
const COMMA = fragment(',');
const QUOTE = fragment('"');

/** The fragments of a SYN event body (tcp_syn_fingerprint / tcp_synack_fingerprint). */
const SY = {
  ttl: fragment('"ttl":'),
  initial_ttl: fragment(',"initial_ttl":'),
  hop_distance: fragment(',"hop_distance":'),
  window: fragment(',"window":'),
  mss: fragment(',"mss":'),
  wscale: fragment(',"wscale":'),
  options: fragment(',"options":'),
  options_sig: fragment(',"options_sig":"'),
  quirks: fragment('","quirks":['),
  ip_version: fragment('],"ip_version":'),
  ip_id: fragment(',"ip_id":'),
  df: fragment(',"df":'),
  isn: fragment(',"isn":'),
  ecn: fragment(',"ecn":'),
  tos: fragment(',"tos":'),
  ip_ecn: fragment(',"ip_ecn":'),
  ip_options_len: fragment(',"ip_options_len":'),
  syn_payload_len: fragment(',"syn_payload_len":'),
  ja4t: fragment(',"ja4t":"'),
  ja4ts: fragment(',"ja4ts":"'),
  syn_count: fragment(',"syn_count":'),
  synack_count: fragment(',"synack_count":'),
  scan: fragment(',"scan":true'),
  scanner: fragment(',"scanner":'),
  commaQuote: fragment(',"'),
  open: fragment('['),
  closeList: fragment(']'),
  kind: fragment('{"kind":'),
  nextKind: fragment(',{"kind":'),
  name: fragment(',"name":"'),
  value: fragment('","value":'),
  tsval: fragment('","tsval":'),
  tsecr: fragment(',"tsecr":'),
  pad: fragment('","pad":'),
  length: fragment('","length":'),
  close: fragment('}'),
};
/** A SYN event body's bytes beyond its options, signature, quirks, JA4T and p0f and scanner
 *  text: the keys (~330) and at most 22 bytes for each of the 16 numbers. */
const SYN_BODY_BYTES = 1024;
/** One option in the list: keys (~45), a name (5) and at most two numbers of 22. */
const SYN_OPTION_BYTES = 96;
/** One quirk: its name (at most 6) in quotes, with a comma. */
const SYN_QUIRK_BYTES = 16;

/** The fragments of a scan_summary body. */
const SC = {
  src_ip: fragment('"src_ip":"'),
  transport: fragment('","transport":"tcp","first_ts":"'),
  last_ts: fragment('","last_ts":"'),
  duration_s: fragment('","duration_s":'),
  flows: fragment(',"flows":'),
  syn_packets: fragment(',"syn_packets":'),
  synack_replies: fragment(',"synack_replies":'),
  rst_replies: fragment(',"rst_replies":'),
  no_reply: fragment(',"no_reply":'),
  distinct_ports_est: fragment(',"distinct_ports_est":'),
  distinct_hosts_est: fragment(',"distinct_hosts_est":'),
  sample_ports: fragment(',"sample_ports":['),
  end_reason: fragment('],"end_reason":"'),
};
/** A scan_summary body's bytes beyond its address, times, end reason and ports: the keys (~250)
 *  and at most 22 bytes for each of its 8 numbers. */
const SCAN_BODY_BYTES = 512;

/** Collects the events of one batch as JSON lines, UTF-8 encoded into one reused buffer. */
export class EventBuilder {
  private readonly envelopes = new IdSlots<Envelope>(MAX_CACHED_ENVELOPES);
  private readonly clientFields = new IdSlots<string>(MAX_CACHED_ENVELOPES);
  /** SSH flow directions (flowId * 2 + toClient) whose parse reached its end, with the stream
   *  length of the record that got there. */
  private readonly sshDone = new IdSlots<number>(MAX_CACHED_ENVELOPES);
  private readonly out = new LineBuffer(OUTPUT_BUFFER_BYTES);
  /** The profiler projections, one line per event line; null without profilerLines. */
  private readonly profileOut: LineBuffer | null;
  /** p0f results of this builder's database, by what the match reads (see p0fJson). */
  private readonly p0fMemo = new Map<string, P0fJson>();
  counters: BuildCounters = newCounters();
  private readonly sensorJson: string;

  constructor(private readonly opts: BuildOptions) {
    this.sensorJson = JSON.stringify(opts.sensorId);
    this.profileOut = opts.profilerLines ? new LineBuffer(OUTPUT_BUFFER_BYTES >> 2) : null;
  }

  /** Builds the events of every record of a batch; returns JSON lines (each ending in \n) as
   *  UTF-8 bytes in a standalone, exact-size ArrayBuffer, and the number of records read. */
  build(batch: ArrayBuffer): { jsonl: Uint8Array; profile?: Uint8Array; records: number } {
    const records = forEachRecord(batch, this.onRecord);
    const jsonl = this.out.take();
    return this.profileOut ? { jsonl, profile: this.profileOut.take(), records } : { jsonl, records };
  }

  private readonly onRecord = (rec: BatchRecord): void => {
    switch (rec.type) {
      case RecordType.syn:
        this.syn(rec);
        break;
      case RecordType.stream:
        this.stream(rec);
        break;
      case RecordType.flowEnd:
        this.flowEnd(rec);
        break;
      case RecordType.scanSummary:
        this.scanSummary(rec);
        break;
      case RecordType.synRepeat:
        this.synRepeat(rec);
        break;
      case RecordType.datagram:
        this.datagram(rec);
        break;
      case RecordType.sshWindow:
        this.sshWindow(rec);
        break;
    }
  };

  private envelope(f: FlowRef): Envelope {
    let e = this.envelopes.get(f.flowId);
    if (e === undefined) {
      // Hand-serialized: addresses, numbers and base64 only, nothing that needs escaping.
      const cid = communityId(f.clientIp, f.clientPort, f.serverIp, f.serverPort, f.transport);
      e =
        `"flow_id":${f.flowId},"community_id":"${cid}","src_ip":"${formatIp(f.clientIp)}","src_port":${f.clientPort}` +
        `,"dst_ip":"${formatIp(f.serverIp)}","dst_port":${f.serverPort},"transport":"${f.transport === 6 ? 'tcp' : 'udp'}"` +
        (f.vlan ? `,"vlan":${f.vlan}` : '');
      this.envelopes.set(f.flowId, e);
    }
    return e;
  }

  /** Appends one JSON line. Built from serialized fragments: spreading many-keyed objects into a
   *  new literal is ~20x slower in V8 than serializing the parts. Keys never repeat across parts. */
  private emit(
    type: string,
    tsUs: number,
    env: Envelope | null,
    fields: Record<string, unknown> | string,
    /** With profilerLines and string `fields`: the profiler's members among them, as a JSON
     *  fragment starting with a comma (hand-serialized events know them; otherwise the fragment
     *  is parsed for them). */
    profilerExtra?: string,
  ): void {
    const head = this.head(type, tsUs);
    // A serialized object without its braces: `{}` leaves nothing.
    const body = typeof fields === 'string' ? fields : JSON.stringify(fields).slice(1, -1);
    this.out.pushEvent(head, env || null, body);
    this.written(
      type,
      head,
      env,
      !this.profileOut
        ? null
        : typeof fields !== 'string'
          ? profilerMembers(fields)
          : (profilerExtra ??
            (fields ? profilerMembers(JSON.parse(`{${fields}}`) as Record<string, unknown>) : '')),
    );
  }

  /** The start of an event line: `{"ts":…,"event_type":…,"sensor_id":…`. */
  private head(type: string, tsUs: number): string {
    return `{"ts":"${isoMicros(tsUs)}","event_type":"${type}","sensor_id":${this.sensorJson}`;
  }

  /** Counts an event whose line is written (by emit, or in place: this.out.open … close), and
   *  writes its profiler projection: `profilerExtra`, the profiler's members, is given with
   *  profilerLines. */
  private written(type: string, head: string, env: Envelope | null, profilerExtra: string | null): void {
    if (this.profileOut) {
      const extra = profilerExtra ?? '';
      this.profileOut.push(env ? `${head},${env}${extra}}` : `${head}${extra}}`);
    }
    this.counters.events[type] = (this.counters.events[type] ?? 0) + 1;
  }

  private anomaly(code: string): void {
    this.counters.anomalies[code] = (this.counters.anomalies[code] ?? 0) + 1;
  }

  // SYN events are a fifth of all events: written in place, field by field (fixed keys; numbers,
  // booleans and ASCII built here, nothing attacker-chosen; p0f's text and the scanner match,
  // which come from data files, as UTF-8).
  private syn(r: SynRecord): void {
    const synAck = (r.flags & SynFlag.isSynAck) !== 0;
    const opts = parseTcpOptions(r.options);
    if (opts.bad) this.anomaly('tcp_options_bad');
    const ittl = initialTtl(r.ttl);
    const quirks = synQuirks(
      {
        ipVersion: r.flow.ipVersion,
        ipFlags: r.ipFlags,
        ipId: r.ipId,
        tos: r.tos,
        flowLabel: r.flowLabel,
        seq: r.seq,
        ack: r.ack,
        tcpFlags: r.tcpFlags,
        urgPtr: r.urgPtr,
        isSynAck: synAck,
      },
      opts,
    );
    // ECN: on a SYN, ECE+CWR together ask for ECN (RFC 3168 §6.1.1); on a SYN-ACK, ECE alone agrees.
    const eceCwr = r.tcpFlags & (TCP_ECE | TCP_CWR);
    const p0f = p0fJson(r, this.opts.p0fDb, this.p0fMemo);
    const ecn = synAck ? eceCwr === TCP_ECE : eceCwr === (TCP_ECE | TCP_CWR);
    const sig = optionsSignature(opts);
    const fp = this.opts.ja4plus ? ja4t(r.window, opts) : '';
    const scanner = identifyScanner(scannerInputFromSyn(r));
    const scannerJson = scanner ? JSON.stringify(scanner) : '';
    const type = synAck ? 'tcp_synack_fingerprint' : 'tcp_syn_fingerprint';
    const head = this.head(type, r.tsUs);
    const env = this.envelope(r.flow);
    const o = this.out;
    o.open(
      head,
      env,
      SYN_BODY_BYTES +
        opts.list.length * SYN_OPTION_BYTES +
        sig.length +
        quirks.length * SYN_QUIRK_BYTES +
        fp.length +
        (p0f.json.length + scannerJson.length) * 3,
    );
    o.raw(SY.ttl);
    o.int(r.ttl);
    o.raw(SY.initial_ttl);
    o.int(ittl);
    o.raw(SY.hop_distance);
    o.int(Math.min(64, Math.max(0, ittl - r.ttl)));
    o.raw(SY.window);
    o.int(r.window);
    o.raw(SY.mss);
    if (opts.mss === null) o.nul();
    else o.int(opts.mss);
    o.raw(SY.wscale);
    if (opts.wscale === null) o.nul();
    else o.int(opts.wscale);
    o.raw(SY.options);
    writeOptions(o, opts);
    o.raw(SY.options_sig);
    o.ascii(sig);
    o.raw(SY.quirks);
    for (let i = 0; i < quirks.length; i++) {
      o.raw(i === 0 ? QUOTE : SY.commaQuote);
      o.ascii(quirks[i]!);
      o.raw(QUOTE);
    }
    o.raw(SY.ip_version);
    o.int(r.flow.ipVersion);
    o.raw(SY.ip_id);
    o.int(r.ipId);
    o.raw(SY.df);
    o.bool((r.ipFlags & 0x2) !== 0);
    o.raw(SY.isn);
    o.int(r.seq);
    o.raw(SY.ecn);
    o.bool(ecn);
    o.raw(SY.tos);
    o.int(r.tos);
    o.raw(SY.ip_ecn);
    o.int(r.tos & 3);
    o.raw(SY.ip_options_len);
    o.int(r.ipOptsLen);
    o.raw(SY.syn_payload_len);
    o.int(r.payloadLen);
    o.raw(COMMA);
    o.text(p0f.json);
    if (this.opts.ja4plus) {
      o.raw(synAck ? SY.ja4ts : SY.ja4t);
      o.ascii(fp);
      o.raw(QUOTE);
    }
    o.raw(synAck ? SY.synack_count : SY.syn_count);
    o.int(r.synCount);
    if (r.flags & SynFlag.scanRepresentative) o.raw(SY.scan);
    if (scanner) {
      o.raw(SY.scanner);
      o.text(scannerJson);
    }
    o.close();
    this.written(type, head, env, this.profileOut ? `,"os_guess":${p0f.label}` : null);
  }

  // Identical SYN fingerprints folded by the engine's dedup window: counted, never dropped.
  private synRepeat(r: SynRepeatRecord): void {
    const synAck = (r.flags & SynFlag.isSynAck) !== 0;
    this.emit(
      synAck ? 'tcp_synack_repeat' : 'tcp_syn_repeat',
      r.tsLastUs,
      this.envelope(r.flow),
      `"repeats":${r.repeats},"first_ts":"${isoMicros(r.tsFirstUs)}","last_ts":"${isoMicros(r.tsLastUs)}","window_s":${r.windowS}` +
        behaviourJson(r),
    );
  }

  private stream(r: StreamRecord): void {
    if (r.data.length === 0) {
      this.counters.streams.empty++;
      return;
    }
    const toClient = (r.flags & StreamFlag.serverToClient) !== 0;
    // By content, never by port: SSH on 2222, HTTP on 8080, TLS after STARTTLS or CONNECT.
    if (looksLikeSsh(r.data, toClient ? 'server' : 'client')) {
      this.counters.streams.ssh++;
      const dirKey = r.flow.flowId * 2 + (toClient ? 1 : 0);
      // Skip only records that continue the one whose parse reached the end (a record sent
      // earlier but handled later still gets parsed).
      const doneAt = this.sshDone.get(dirKey);
      if ((doneAt === undefined || r.prevLen < doneAt) && this.ssh(r, toClient)) {
        this.sshDone.set(dirKey, r.prevLen + r.data.length);
      }
      return;
    }
    let http = false;
    let smtp = false;
    if (!toClient && startsWith(r.data, H2_PREFACE)) http = this.h2Preface(r);
    else if (!toClient && looksLikeHttpRequest(r.data)) http = this.httpRequests(r);
    else if (toClient && startsWith(r.data, HTTP_VERSION_PREFIX)) http = this.httpResponse(r);
    else if (toClient && looksLikeSmtpClient(r.peer)) smtp = this.smtp(r);
    else if (!toClient && looksLikeSmtpClient(r.data)) smtp = true; // reported with the server's side
    const parts = tlsIn(r.data, toClient ? 2 : 1, r.prevLen);
    if (!parts) {
      if (http) this.counters.streams.http++;
      else if (smtp) this.counters.streams.smtp++;
      else this.counters.streams.other++;
      return;
    }
    this.counters.streams.tls++;
    const proto = { ja4plus: this.opts.ja4plus, protocol: 't' as const };
    let client: string | null = null;
    for (const { tls, offset } of parts) {
      if (offset >= r.prevLen) for (const a of tls.anomalies) this.anomaly(`tls_${a}`);
      for (const { chain, end } of tls.certificates) {
        if (offset + end > r.prevLen) this.certificates(r, chain, toClient ? 'server' : 'client');
      }
      if (!toClient) {
        if (tls.sslv2ClientHello && r.prevLen === 0) {
          this.emit('tls_client_hello', r.tsFirstUs, this.envelope(r.flow), { sslv2: true });
        }
        for (const { hello, end } of tls.clientHellos) {
          if (offset + end <= r.prevLen) continue; // already reported from an earlier record
          const fields = clientHelloFields(hello, proto);
          this.emit('tls_client_hello', r.tsFirstUs, this.envelope(r.flow), fields);
          this.rememberClient(r.flow.flowId, fields);
        }
        continue;
      }
      for (const { hello, end } of tls.serverHellos) {
        if (offset + end <= r.prevLen) continue;
        if (client === null) client = this.clientFieldsJson(r);
        const server = JSON.stringify(serverHelloFields(hello, proto)).slice(1, -1);
        this.emit('tls_session', r.tsFirstUs, this.envelope(r.flow), client ? `${server},${client}` : server);
      }
    }
  }

  /** ssh_client_banner / ssh_server_banner and ssh_kexinit, each once per direction: reported
   *  from the record whose bytes complete it. */
  private ssh(r: StreamRecord, toClient: boolean): boolean {
    const role = toClient ? 'server' : 'client';
    const ssh = parseSshStream(r.data, role);
    if (ssh.identification.end > r.prevLen || (r.prevLen === 0 && ssh.identification.banner !== null)) {
      for (const a of ssh.anomalies) this.anomaly(`ssh_${a}`);
      if (ssh.identification.banner !== null) {
        this.emit(
          toClient ? 'ssh_server_banner' : 'ssh_client_banner',
          r.tsFirstUs,
          this.envelope(r.flow),
          sshBannerFields(ssh.identification),
        );
      }
    }
    if (ssh.kexinit !== null && ssh.kexinitEnd > r.prevLen) {
      this.emit('ssh_kexinit', r.tsLastUs, this.envelope(r.flow), kexinitJson(ssh.kexinit, role));
    }
    // Past the KEXINIT (or an SSH-1 banner) the rest is encrypted: later records of this
    // direction need no parsing.
    return ssh.status !== 'incomplete';
  }

  /** One http_request per request head completed by this record (pipelined requests too). */
  private httpRequests(r: StreamRecord): boolean {
    const res = parseHttpRequests(r.data);
    for (const req of res.requests) {
      if (req.end <= r.prevLen) continue;
      for (const a of req.anomalies) this.anomaly(`http_${a}`);
      this.emit(
        'http_request',
        r.tsFirstUs,
        this.envelope(r.flow),
        withTool(httpRequestFields(req, { ja4plus: this.opts.ja4plus })),
      );
    }
    return res.requests.length > 0 || res.status === 'incomplete';
  }

  /** smtp_envelope, once per flow: from the server's last record, which carries the client's
   *  whole dialogue as `peer` (commands up to STARTTLS; domains only, never local parts). */
  private smtp(r: StreamRecord): boolean {
    if ((r.flags & StreamFlag.final) === 0) return true;
    const client = parseSmtpClient(r.peer);
    const server = parseSmtpServer(r.data);
    for (const a of client.anomalies) this.anomaly(`smtp_${a}`);
    this.emit('smtp_envelope', r.tsFirstUs, this.envelope(r.flow), smtpEnvelopeFields(client, server));
    return true;
  }

  /** http_response for the server's first status line. */
  private httpResponse(r: StreamRecord): boolean {
    const res = parseHttpResponseStatus(r.data);
    if (res.response === null) return res.status === 'incomplete';
    if (res.response.end > r.prevLen) {
      this.emit('http_response', r.tsFirstUs, this.envelope(r.flow), httpResponseFields(res.response));
    }
    return true;
  }

  /** http2_preface: cleartext HTTP/2 with prior knowledge, its SETTINGS in wire order. */
  private h2Preface(r: StreamRecord): boolean {
    if (r.prevLen > 0) return true;
    const p = parseH2Preface(r.data);
    if (p.settings !== null)
      this.emit('http2_preface', r.tsFirstUs, this.envelope(r.flow), h2PrefaceFields(p));
    return true;
  }

  // One JA4SSH window of an SSH flow (none with --no-ja4plus).
  private sshWindow(rec: SshWindowRecord): void {
    const f = ja4sshEventFields(rec, { ja4plus: this.opts.ja4plus });
    if (f) this.emit('ssh_traffic', rec.tsLastUs, this.envelope(rec.flow), f);
  }

  /** The first UDP datagrams of one direction of a flow: QUIC Initials or DTLS hellos, told
   *  apart by content (any port). A record repeats the datagrams already sent (`prevLen` bytes of
   *  them), so only hellos completed by the new datagrams are reported. */
  private datagram(r: StreamRecord): void {
    this.counters.datagrams++;
    const dgrams = splitDatagrams(r.data);
    if (dgrams.length === 0) return;
    const toClient = (r.flags & StreamFlag.serverToClient) !== 0;
    const client = toClient ? splitDatagrams(r.peer) : dgrams;
    const first = client[0] ?? dgrams[0]!;
    const quic = looksLikeQuicLongHeader(first);
    if (!quic && !looksLikeDtls(first)) {
      this.counters.udp.other++;
      return;
    }
    const already = r.prevLen > 0 ? splitDatagrams(r.data.subarray(0, r.prevLen)) : [];
    if (quic) {
      this.counters.udp.quic++;
      if (toClient) this.quicServer(r, dgrams, client, already);
      else this.quicClient(r, dgrams, already);
    } else {
      this.counters.udp.dtls++;
      this.dtls(r, dgrams, toClient, client, already.length);
    }
  }

  private quicClient(r: StreamRecord, dgrams: Uint8Array[], already: Uint8Array[]): void {
    const q = parseQuicClientInitials(dgrams);
    for (const a of q.anomalies) this.anomaly(`quic_${a}`);
    if (q.clientHello === null) return;
    if (already.length > 0 && parseQuicClientInitials(already).clientHello !== null) return;
    const fields = clientHelloFields(q.clientHello, { ja4plus: this.opts.ja4plus, protocol: 'q' });
    fields.quic_version = quicVersionName(q.version);
    for (const a of q.clientHello.anomalies) this.anomaly(`tls_${a}`);
    this.emit('quic_client_hello', r.tsFirstUs, this.envelope(r.flow), fields);
  }

  private quicServer(
    r: StreamRecord,
    dgrams: Uint8Array[],
    client: Uint8Array[],
    already: Uint8Array[],
  ): void {
    const c = parseQuicClientInitials(client);
    if (c.dcid === null || c.version === null) return;
    const dcid = c.retryDcid ?? c.dcid;
    const s = parseQuicServerInitials(dgrams, dcid, c.version);
    for (const a of s.anomalies) this.anomaly(`quic_${a}`);
    if (s.serverHello === null) return;
    if (already.length > 0 && parseQuicServerInitials(already, dcid, c.version).serverHello !== null) return;
    const proto = { ja4plus: this.opts.ja4plus, protocol: 'q' as const };
    const fields = serverHelloFields(s.serverHello, proto);
    fields.quic_version = quicVersionName(s.version ?? c.version);
    let json = JSON.stringify(fields).slice(1, -1);
    if (c.clientHello !== null)
      json += `,${JSON.stringify(clientSide(clientHelloFields(c.clientHello, proto))).slice(1, -1)}`;
    this.emit('quic_session', r.tsFirstUs, this.envelope(r.flow), json);
  }

  private dtls(
    r: StreamRecord,
    dgrams: Uint8Array[],
    toClient: boolean,
    client: Uint8Array[],
    alreadyCount: number,
  ): void {
    const d = parseDtlsDatagrams(dgrams);
    for (const a of d.anomalies) this.anomaly(`dtls_${a}`);
    const opts = { ja4plus: this.opts.ja4plus };
    if (!toClient) {
      d.clientHellos.forEach((ch, i) => {
        if (d.clientHelloEnds[i]! <= alreadyCount) return;
        this.emit('dtls_client_hello', r.tsFirstUs, this.envelope(r.flow), dtlsClientHelloFields(ch, opts));
      });
      return;
    }
    let clientJson: string | null = null;
    d.serverHellos.forEach((sh, i) => {
      if (d.serverHelloEnds[i]! <= alreadyCount) return;
      if (clientJson === null) {
        const hellos = parseDtlsDatagrams(client).clientHellos;
        const last = hellos[hellos.length - 1]; // the one after a HelloVerifyRequest
        clientJson = last ? JSON.stringify(clientSide(dtlsClientHelloFields(last, opts))).slice(1, -1) : '';
      }
      const server = JSON.stringify(dtlsServerHelloFields(sh, opts)).slice(1, -1);
      this.emit(
        'dtls_session',
        r.tsFirstUs,
        this.envelope(r.flow),
        clientJson ? `${server},${clientJson}` : server,
      );
    });
  }

  /** One tls_certificate event per certificate of a chain seen in clear (TLS ≤ 1.2). `cert_role`
   *  says whose it is: the server's (the decoy's own, usually) or a client certificate. */
  private certificates(r: StreamRecord, chain: Uint8Array[], role: 'server' | 'client'): void {
    for (let i = 0; i < chain.length; i++) {
      const f = certificateFields(chain[i]!, { ja4plus: this.opts.ja4plus });
      f.cert_role = role;
      f.chain_index = i;
      f.chain_length = chain.length;
      this.emit('tls_certificate', r.tsFirstUs, this.envelope(r.flow), f);
    }
  }

  /** Keeps a flow's ClientHello fields for its tls_session (bounded; usually used within a batch
   *  or two by the same worker). */
  private rememberClient(flowId: number, fields: Record<string, unknown>): void {
    this.clientFields.set(flowId, JSON.stringify(clientSide(fields)).slice(1, -1));
  }

  /** The ClientHello fields for a tls_session as a JSON fragment: remembered from this flow's
   *  tls_client_hello, or parsed from the client bytes the server record carries. */
  private clientFieldsJson(r: StreamRecord): string {
    const known = this.clientFields.get(r.flow.flowId);
    if (known !== undefined) {
      this.clientFields.delete(r.flow.flowId);
      return known;
    }
    const ch = r.peer.length ? tlsIn(r.peer, 1, 0)?.[0]?.tls.clientHellos[0] : undefined;
    if (!ch) return '';
    const proto = { ja4plus: this.opts.ja4plus, protocol: 't' as const };
    return JSON.stringify(clientSide(clientHelloFields(ch.hello, proto))).slice(1, -1);
  }

  // Written in place, field by field (one per TCP flow: the commonest event). Keys, numbers and
  // fixed words only; the line is the one JSON.stringify would give for the same members.
  private flowEnd(r: FlowEndRecord): void {
    if (r.flow.transport !== 6) return;
    const packets = r.packets[0] + r.packets[1];
    const bytes = r.bytes[0] + r.bytes[1];
    const gaps = packets - 1;
    const rtt = r.synToSynAckUs >= 0 && r.synAckToAckUs >= 0 ? r.synToSynAckUs + r.synAckToAckUs : -1;
    const handshake = (r.flags & FlowEndFlag.handshakeDone) !== 0;
    const midstream = (r.flags & FlowEndFlag.midstream) !== 0;
    const endReason = END_REASONS[r.endReason] ?? 'unknown';
    const l = this.opts.ja4plus ? ja4l(r.synAckToAckUs, r.clientTtl, r.replyToDataUs) : null;
    const ls = this.opts.ja4plus ? ja4l(r.synToSynAckUs, r.serverTtl, r.dataToReplyUs) : null;
    const head = this.head('tcp_flow_timing', r.tsFirstUs);
    const env = this.envelope(r.flow);
    const o = this.out;
    o.open(head, env, FLOW_TIMING_BODY_BYTES + endReason.length + (l?.length ?? 0) + (ls?.length ?? 0));
    o.raw(FT.packets);
    o.int(packets);
    o.raw(FT.bytes);
    o.int(bytes);
    o.raw(FT.duration_s);
    o.scaled(r.tsLastUs - r.tsFirstUs, 6);
    o.raw(FT.mean_iat_ms);
    if (gaps > 0) o.scaled(Math.round(r.iatSumUs / gaps), 3);
    else o.nul();
    o.raw(FT.min_iat_ms);
    if (gaps > 0) o.scaled(Math.round(r.iatMinUs), 3);
    else o.nul();
    o.raw(FT.max_iat_ms);
    if (gaps > 0) o.scaled(Math.round(r.iatMaxUs), 3);
    else o.nul();
    o.raw(FT.retransmits);
    o.int(r.retransmits[0] + r.retransmits[1]);
    o.raw(FT.rtt_ms);
    if (rtt >= 0) o.scaled(Math.round(rtt), 3);
    else o.nul();
    o.raw(FT.end_reason);
    o.ascii(endReason);
    o.raw(FT.packets_to_server);
    o.int(r.packets[0]);
    o.raw(FT.packets_to_client);
    o.int(r.packets[1]);
    o.raw(FT.bytes_to_server);
    o.int(r.bytes[0]);
    o.raw(FT.bytes_to_client);
    o.int(r.bytes[1]);
    o.raw(FT.retransmits_to_server);
    o.int(r.retransmits[0]);
    o.raw(FT.retransmits_to_client);
    o.int(r.retransmits[1]);
    o.raw(FT.syn_retransmits);
    o.int(r.synRetransmits);
    o.raw(FT.out_of_order);
    o.int(r.outOfOrder);
    o.raw(FT.server_rtt_ms);
    if (r.synToSynAckUs >= 0) o.scaled(Math.round(r.synToSynAckUs), 3);
    else o.nul();
    o.raw(FT.client_rtt_ms);
    if (r.synAckToAckUs >= 0) o.scaled(Math.round(r.synAckToAckUs), 3);
    else o.nul();
    o.raw(FT.handshake);
    o.bool(handshake);
    o.raw(FT.midstream);
    o.bool(midstream);
    o.raw(FT.client_ttl);
    o.int(r.clientTtl);
    o.raw(FT.server_ttl);
    if (r.serverTtl) o.int(r.serverTtl);
    else o.nul();
    o.raw(FT.client_hops);
    if (r.clientTtl) o.int(initialTtl(r.clientTtl) - r.clientTtl);
    else o.nul();
    o.raw(FT.server_hops);
    if (r.serverTtl) o.int(initialTtl(r.serverTtl) - r.serverTtl);
    else o.nul();
    if (this.opts.ja4plus) {
      o.raw(FT.ja4l);
      if (l === null) o.nul();
      else o.ascii(`"${l}"`);
      o.raw(FT.ja4ls);
      if (ls === null) o.nul();
      else o.ascii(`"${ls}"`);
    }
    o.close();
    this.written(
      'tcp_flow_timing',
      head,
      env,
      this.profileOut
        ? `,"handshake":${handshake},"midstream":${midstream},"packets_to_client":${r.packets[1]},"bytes":${bytes}`
        : null,
    );
  }

  // Written in place like syn(): numbers, an address, times and fixed words, nothing to escape.
  private scanSummary(r: ScanSummaryRecord): void {
    const src = formatIp(r.srcIp);
    const first = isoMicros(r.tsFirstUs);
    const last = isoMicros(r.tsLastUs);
    const endReason = END_REASONS[r.endReason] || 'window';
    const head = this.head('scan_summary', r.tsFirstUs);
    const o = this.out;
    o.open(
      head,
      null,
      SCAN_BODY_BYTES + src.length + first.length + last.length + endReason.length + r.samplePorts.length * 6,
    );
    o.raw(SC.src_ip);
    o.ascii(src);
    o.raw(SC.transport);
    o.ascii(first);
    o.raw(SC.last_ts);
    o.ascii(last);
    o.raw(SC.duration_s);
    o.scaled(r.tsLastUs - r.tsFirstUs, 6);
    o.raw(SC.flows);
    o.int(r.flows);
    o.raw(SC.syn_packets);
    o.int(r.synPackets);
    o.raw(SC.synack_replies);
    o.int(r.synAckReplies);
    o.raw(SC.rst_replies);
    o.int(r.rstReplies);
    o.raw(SC.no_reply);
    o.int(r.noReply);
    o.raw(SC.distinct_ports_est);
    o.int(r.distinctPortsEst);
    o.raw(SC.distinct_hosts_est);
    o.int(r.distinctHostsEst);
    o.raw(SC.sample_ports);
    for (let i = 0; i < r.samplePorts.length; i++) {
      if (i > 0) o.raw(COMMA);
      o.int(r.samplePorts[i]!);
    }
    o.raw(SC.end_reason);
    o.ascii(endReason);
    o.raw(QUOTE);
    o.close();
    this.written(
      'scan_summary',
      head,
      null,
      this.profileOut
        ? `,"src_ip":"${src}","transport":"tcp","synack_replies":${r.synAckReplies},"rst_replies":${r.rstReplies}` +
            `,"no_reply":${r.noReply},"first_ts":"${first}","last_ts":"${last}"`
        : null,
    );
  }
}

/** The sender's stack behaviour over the window's sampled SYNs (stack-behaviour.ts): IP ID and
 *  ISN classes with at least 4 samples, the TCP timestamp clock with 4 spanning 2 s. */
function behaviourJson(r: SynRepeatRecord): string {
  const ipId = classifyIpId(r.samples);
  const isn = classifyIsn(r.samples);
  const clock = estimateClock(r.samples);
  let out = `,"behaviour_samples":${r.samples.length},"ip_id_class":${ipId === null ? null : `"${ipId}"`}`;
  out += `,"isn_class":${isn === null ? null : `"${isn}"`}`;
  out += clock
    ? `,"tcp_clock_hz":${clock.hz},"clock_skew_ppm":${clock.skewPpm},"clock_span_s":${clock.spanS}`
    : ',"tcp_clock_hz":null,"clock_skew_ppm":null';
  return out;
}

/** p0f results as JSON are memoised per builder (one database each) by everything matching and
 *  params= read beyond the raw signature: direction (SYN and SYN+ACK match different sections of
 *  p0f.fp), observed TTL, window and DSCP (params= prints tos:0x..). A sensor sees the same stacks
 *  over and over. Bounded; cleared when full. */
const P0F_MEMO_MAX_ENTRIES = 4096;
/** The p0f members of a SYN event, and its os_guess as JSON (for the profiler projection). */
interface P0fJson {
  json: string;
  label: string;
}

/** `p0f_sig` (p0f 3.09b's raw_sig), `os_guess` (its os=, null for ???), `p0f_distance`,
 *  `p0f_params` (generic / fuzzy / none) and `p0f_quirks` (p0f's own quirk names). */
function p0fJson(r: SynRecord, dbPath: string | undefined, memo: Map<string, P0fJson>): P0fJson {
  const p = p0fPacket(p0fInputFromSynRecord(r));
  const sig = rawSignature(p);
  const key = `${p.synAck ? 1 : 0}|${sig}|${p.ttl}|${p.window}|${p.dscp}`;
  let out = memo.get(key);
  if (out === undefined) {
    const guess = matchP0f(loadP0fDatabase(dbPath), p);
    const label = JSON.stringify(guess.label);
    out = {
      json:
        `"p0f_sig":${JSON.stringify(sig)},"os_guess":${label}` +
        `,"p0f_distance":${guess.distance},"p0f_params":${JSON.stringify(p0fParams(p, guess))}` +
        `,"p0f_quirks":${JSON.stringify(quirkNames(p.quirks))}`,
      label,
    };
    if (memo.size >= P0F_MEMO_MAX_ENTRIES) memo.clear();
    memo.set(key, out);
  }
  return out;
}

/** The profiler's members of an event's fields (PROFILER_BODY_FIELDS present at top level), as a
 *  JSON fragment starting with a comma. */
function profilerMembers(fields: Record<string, unknown>): string {
  let out = '';
  for (const k of PROFILER_BODY_FIELDS) {
    const v = fields[k];
    if (v !== undefined) out += `,"${k}":${JSON.stringify(v)}`;
  }
  return out;
}

/** The options list as JSON, written in place: [{"kind":2,"name":"mss","value":1460},...] (see
 *  TcpOption). At most SYN_OPTION_BYTES an option. */
function writeOptions(o: LineBuffer, opts: TcpOptions): void {
  o.raw(SY.open);
  for (let i = 0; i < opts.list.length; i++) {
    const opt = opts.list[i]!;
    o.raw(i === 0 ? SY.kind : SY.nextKind);
    o.int(opt.kind);
    o.raw(SY.name);
    o.ascii(opt.name);
    switch (opt.name) {
      case 'mss':
      case 'ws':
        o.raw(SY.value);
        o.int(opt.value);
        break;
      case 'ts':
        o.raw(SY.tsval);
        o.int(opt.tsval);
        o.raw(SY.tsecr);
        o.int(opt.tsecr);
        break;
      case 'eol':
        o.raw(SY.pad);
        o.int(opt.pad);
        break;
      case 'sack':
      case 'other':
        o.raw(SY.length);
        o.int(opt.length);
        break;
      default:
        o.raw(QUOTE);
    }
    o.raw(SY.close);
  }
  o.raw(SY.closeList);
}

const TLS_CHANGE_CIPHER_SPEC = 0x14;
const CERTIFICATES = { certificates: true } as const;

/** One group of handshake records parsed out of a stream, at its offset there. */
interface TlsPart {
  tls: TlsStreamResultWithCertificates;
  offset: number;
}

/** The TLS handshake at the start of a stream, or after another protocol's preamble (STARTTLS,
 *  CONNECT, SOCKS), parsed one handshake message (and the records carrying it) at a time.
 *  Groups lying entirely within the `reported` bytes of an earlier record are not parsed again.
 *  A ChangeCipherSpec is skipped; after it, only a record holding exactly one plaintext hello of
 *  `msgType` is read (the second ClientHello after a HelloRetryRequest, RFC 8446 D.4). Returns
 *  null when the stream holds no TLS. */
function tlsIn(data: Uint8Array, msgType: 1 | 2, reported: number): TlsPart[] | null {
  let pos = 0;
  if (data[0] !== TLS_HANDSHAKE_RECORD) {
    const tls = parseTlsStream(data, CERTIFICATES); // SSLv2 hellos, and what is not TLS at all
    if (tls.isTls) return [{ tls, offset: 0 }];
    pos = locateTls(data, msgType);
    if (pos <= 0) return null;
  }
  const parts: TlsPart[] = [];
  let afterCcs = false;
  while (pos + 5 <= data.length) {
    const type = data[pos];
    const recLen = (data[pos + 3]! << 8) | data[pos + 4]!;
    if (type === TLS_CHANGE_CIPHER_SPEC) {
      afterCcs = true;
      pos += 5 + recLen;
      continue;
    }
    if (type !== TLS_HANDSHAKE_RECORD) break;
    if (afterCcs) {
      const msgLen =
        pos + 9 <= data.length ? (data[pos + 6]! << 16) | (data[pos + 7]! << 8) | data[pos + 8]! : -1;
      if (data[pos + 5] !== msgType || msgLen + 4 !== recLen) break; // encrypted from here on
    }
    const span = firstHandshakeSpan(data, pos);
    const end = span > 0 ? pos + span : data.length;
    if (end > reported)
      parts.push({ tls: parseTlsStream(data.subarray(pos, end), CERTIFICATES), offset: pos });
    if (span <= 0) break;
    pos = end;
  }
  return parts;
}

/** KEXINIT event fields as JSON, by sender and parsed KEXINIT: parseKexinit gives KEXINITs that
 *  differ only in their cookie the same name-list arrays, so the identity of `kexAlgorithms` stands
 *  for all of them (brute-forcers repeat one client build thousands of times, and the escaped lists
 *  are most of the cost of the event). Entries go when parseKexinit's memo lets go of the lists. */
const kexinitMemo = new WeakMap<readonly string[], { client?: string; server?: string }>();

function kexinitJson(kex: Kexinit, role: 'client' | 'server'): string {
  let byRole = kexinitMemo.get(kex.kexAlgorithms);
  if (byRole === undefined) {
    byRole = {};
    kexinitMemo.set(kex.kexAlgorithms, byRole);
  }
  let json = byRole[role];
  if (json === undefined) {
    json = JSON.stringify(kexinitFields(kex, role)).slice(1, -1);
    byRole[role] = json;
  }
  return json;
}

/** Adds `tool` and `tool_category` from the User-Agent table (data/tools/user-agents.json). */
function withTool(f: Record<string, unknown>): Record<string, unknown> {
  const ua = f.user_agent;
  const m = typeof ua === 'string' ? matchUserAgent(ua) : null;
  f.tool = m?.tool ?? null;
  f.tool_category = m?.category ?? null;
  return f;
}

const HTTP_VERSION_PREFIX = Uint8Array.from('HTTP/', (c) => c.charCodeAt(0));

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/** QUIC version as a name ('v1', 'v2') or 0x-hex. */
function quicVersionName(v: number | null): string | null {
  if (v === null) return null;
  if (v === 0x00000001) return 'v1';
  if (v === 0x6b3343cf) return 'v2';
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

/** The ClientHello fields a tls_session carries (renamed where the server has its own value). */
function clientSide(f: Record<string, unknown>): Record<string, unknown> {
  return {
    ja3: f.ja3,
    ja3_full: f.ja3_full,
    ja4: f.ja4,
    ja4_r: f.ja4_r,
    ja4_o: f.ja4_o,
    ja4_ro: f.ja4_ro,
    sni: f.sni,
    client_alpn: f.alpn,
    client_tls_version: f.tls_version,
  };
}
