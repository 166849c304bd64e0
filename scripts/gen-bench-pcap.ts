// Benchmark pcap generator: a deterministic capture of a busy honeypot segment (scanners, TLS, SSH,
// HTTP, telnet and other probes against a few hundred decoys in 198.18.0.0/16) mirroring the mix
// of docs/performance.md §1, with a ground-truth manifest counted while writing.
//
//   node dist/scripts/gen-bench-pcap.js -o FILE [-n 3000000] [--seed 1] [--mix scan=49.5,tls=10.1,...]
//        [--eth-pad] [--active FLOWS] [--format pcap|pcapng] [--nanosecond] [--quiet]

import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  buildClientFinished,
  buildClientHello,
  buildHttpRequest,
  buildHttpResponse,
  buildKexEcdhInit,
  buildKexEcdhReplyAndNewKeys,
  buildKexinit,
  buildNewKeys,
  buildPacket,
  buildServerFlight,
  type CaptureWriter,
  type ClientHelloProfile,
  DnsType,
  dnsQuery,
  dnsResponse,
  type HttpClientProfile,
  ipv4FromU32,
  ipv4Spec,
  ipv6Spec,
  junk,
  type LinkSpec,
  LinkType,
  linkSpec,
  mysqlGreeting,
  negotiateSsh,
  openCaptureWriter,
  PacketTag,
  Prng,
  rdpConnectionConfirm,
  rdpConnectionRequest,
  redisCommand,
  Slab,
  SSH_CLIENT_PROFILES,
  SSH_SERVER_PROFILES,
  smbNegotiateRequest,
  sshEncryptedPacket,
  sshIdentification,
  sshLengthInClear,
  TCP_STACKS,
  TcpFlags,
  TcpSession,
  type TcpStackName,
  TELNET_CREDENTIALS,
  tdsPrelogin,
  telnetClientNegotiation,
  telnetServerNegotiation,
  tlsApplicationData,
} from './pcapgen/index.js';

export const MIX_KEYS = ['scan', 'tls', 'ssh', 'http', 'telnet', 'other', 'dns', 'icmp'] as const;
export type MixKey = (typeof MIX_KEYS)[number];
export type Mix = Record<MixKey, number>;

// Share of flows per kind, as in docs/performance.md §1 (DNS/ICMP split 4 + 1).
export const DEFAULT_MIX: Mix = {
  scan: 49.5,
  tls: 10.1,
  ssh: 5,
  http: 10.1,
  telnet: 7,
  other: 13.3,
  dns: 4,
  icmp: 1,
};

export interface BenchOptions {
  output: string;
  packets?: number | undefined;
  seed?: number | undefined;
  mix?: Partial<Mix> | undefined;
  ethPad?: boolean | undefined;
  // Flows in progress at any time; their packets are interleaved by timestamp.
  activeFlows?: number | undefined;
  format?: 'pcap' | 'pcapng' | undefined;
  nanosecond?: boolean | undefined;
}

export interface BenchManifest {
  generator: string;
  version: number;
  seed: number;
  mix: Mix;
  eth_pad: boolean;
  format: 'pcap' | 'pcapng';
  link_type: number;
  packets: number;
  bytes: number;
  file_bytes: number;
  payload_packets: number;
  payload_bytes: number;
  first_ts_us: number;
  last_ts_us: number;
  flows: number;
  flows_by_kind: Mix;
  tcp_flows: number;
  udp_flows: number;
  icmp_packets: number;
  ipv6_flows: number;
  vlan_flows: number;
  qinq_flows: number;
  attacker_ips: number;
  honeypot_ips: number;
  client_hellos: number;
  client_hellos_split: number;
  server_hellos: number;
  ssh_client_banners: number;
  ssh_server_banners: number;
  ssh_client_kexinits: number;
  ssh_server_kexinits: number;
  http_requests: number;
  http_responses: number;
  retransmitted_data_segments: number;
  retransmitted_syns: number;
  keepalives: number;
  out_of_order_segments: number;
  syn_only_flows: number;
  definitions: Record<string, string>;
}

const DEFINITIONS: Record<string, string> = {
  bytes: 'sum of captured frame lengths (link header included, Ethernet padding included)',
  payload_bytes: 'TCP/UDP payload bytes per the IP length fields (padding excluded)',
  tcp_flows: 'distinct TCP 5-tuples with at least one packet written (direction-independent)',
  udp_flows: 'distinct UDP 5-tuples with at least one packet written',
  client_hellos: 'TLS ClientHellos whose every segment was written (retransmitted copies not counted)',
  client_hellos_split: 'of client_hellos, those carried in 2 TCP segments',
  server_hellos: 'TLS ServerHellos written in full',
  ssh_client_banners: 'SSH client identification strings written',
  http_requests: 'HTTP requests whose every segment was written',
  retransmitted_data_segments:
    'TCP segments repeating an already-sent sequence range with data (keep-alives excluded)',
  retransmitted_syns: 'SYNs repeating an earlier SYN of the same flow',
  keepalives: 'TCP keep-alive probes (seq = next - 1)',
  syn_only_flows: 'TCP flows whose client sent nothing but SYN and RST segments',
};

const EMPTY_BUFFER = new Uint8Array(0);
const EMPTY_META = new Float64Array(0);
const BASE_TS = 1_736_899_200_000_000;
const DEFAULT_ACTIVE_FLOWS = 2000; // 2025-01-15T00:00:00Z in µs
const HONEYPOTS = 508;
const ROUTER_MAC = Uint8Array.of(0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01);

// Parses "scan=49.5,tls=10" into weights; keys left out are 0.
export function parseMix(text: string): Mix {
  const mix: Mix = { scan: 0, tls: 0, ssh: 0, http: 0, telnet: 0, other: 0, dns: 0, icmp: 0 };
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const [k, v] = part.split('=');
    const key = k?.trim() as MixKey;
    const val = Number(v);
    if (!MIX_KEYS.includes(key))
      throw new RangeError(`unknown mix key "${k}" (known: ${MIX_KEYS.join(', ')})`);
    if (!Number.isFinite(val) || val < 0) throw new RangeError(`bad weight for ${key}: "${v}"`);
    mix[key] = val;
  }
  if (MIX_KEYS.every((k) => mix[k] === 0)) throw new RangeError('mix has no positive weight');
  return mix;
}

interface FlowPacket {
  ts: number;
  frame: Uint8Array;
  tags: number;
  fromClient: boolean;
  flags: number;
  payloadLength: number;
}

// Per-packet fields of a packed flow, META_STRIDE numbers per packet in Flow.meta.
const META_TS = 0;
const META_LEN = 1;
const META_PAYLOAD = 2;
const META_BITS = 3; // tags | TCP flags << 16 | from-client << 25
const META_STRIDE = 4;
const BIT_FROM_CLIENT = 1 << 25;

// A flow waiting to be written: its frames back to back in `bytes` from `pos`, and their metadata.
// Packing frees the per-packet objects right after a flow is built, so they never reach the old
// generation of the garbage collector.
interface Flow {
  kind: number;
  count: number;
  idx: number;
  bytes: Uint8Array;
  pos: number;
  // This flow's packets are meta[metaAt, metaAt + count * META_STRIDE).
  meta: Float64Array;
  metaAt: number;
  tcp: boolean;
  udp: boolean;
  v6: boolean;
  vlan: number; // 0 none, 1 802.1Q, 2 QinQ
  attacker: number;
  honeypot: number;
  started: boolean;
  clientNonSyn: boolean;
}

// Bump allocator for packed flow bytes (64 KiB chunks: a long-lived flow pins only its chunk).
class PackArena {
  chunk = Buffer.allocUnsafeSlow(64 << 10);
  off = 0;

  // Makes room for n bytes; returns the offset in `chunk` to write them at.
  take(n: number): number {
    if (this.off + n > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(Math.max(64 << 10, n));
      this.off = 0;
    }
    const at = this.off;
    this.off += n;
    return at;
  }
}

// Bump allocator for flow metadata: one small typed array per flow would cost more than the flow.
class MetaArena {
  chunk = new Float64Array(1 << 14);
  off = 0;

  // Makes room for n numbers; returns the offset in `chunk` to write them at.
  take(n: number): number {
    if (this.off + n > this.chunk.length) {
      this.chunk = new Float64Array(Math.max(1 << 14, n));
      this.off = 0;
    }
    const at = this.off;
    this.off += n;
    return at;
  }
}

function isReserved(ip: number): boolean {
  const a = ip >>> 24;
  const b = (ip >>> 16) & 0xff;
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    a >= 224 ||
    (a === 100 && b >= 64 && b < 128) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19 || b === 51)) ||
    (a === 203 && b === 0)
  );
}

const CONNECT_STACKS: readonly TcpStackName[] = ['linux', 'linux', 'linux', 'windows', 'windows', 'macos'];
const SCAN_STACKS: readonly TcpStackName[] = ['masscan', 'zmap', 'nmap', 'nmap', 'linux'];
const SCAN_PORTS = [
  22, 23, 80, 443, 445, 3389, 8080, 21, 25, 53, 110, 135, 139, 143, 993, 995, 1433, 1521, 2222, 2323, 3306,
  5060, 5432, 5900, 6379, 7547, 8000, 8443, 8888, 9200, 11211, 27017,
];
const TLS_PROFILES: readonly ClientHelloProfile[] = [
  'chrome',
  'chrome-x25519',
  'firefox',
  'curl-tls12',
  'go',
  'python-openssl3',
];
const TLS_WEIGHTS = [12, 8, 8, 20, 30, 22];
const SSH_WEIGHTS = [15, 10, 35, 20, 15, 5];
const HTTP_PROFILES: readonly HttpClientProfile[] = [
  'curl',
  'python-requests',
  'go',
  'zgrab',
  'chrome',
  'wget',
  'mirai',
];
const HTTP_WEIGHTS = [15, 20, 20, 20, 10, 5, 10];
const SNI_NAMES = [
  'mail.example.com',
  'vpn.example.net',
  'portal.example.org',
  'www.example.com',
  'owa.example.com',
];
const DNS_NAMES = [
  'example.com',
  'version.bind',
  'isc.org',
  'google.com',
  'ripe.net',
  'sl',
  'cloudflare.com',
];

const latin = (t: string): Buffer => Buffer.from(t, 'latin1');
const TELNET_SERVER_NEG = telnetServerNegotiation();
const TELNET_CLIENT_NEG = telnetClientNegotiation();
const TELNET_FIRST_LOGIN = latin('\r\nlogin: ');
const TELNET_LOGIN = latin('login: ');
const TELNET_PASSWORD = latin('Password: ');
const TELNET_PROMPT = latin('\r\n# ');
const TELNET_INCORRECT = latin('\r\nLogin incorrect\r\n');
const TELNET_LINES = TELNET_CREDENTIALS.map(([u, pw]) => [latin(`${u}\r\n`), latin(`${pw}\r\n`)] as const);
const TELNET_COMMANDS = ['enable', 'system', 'shell', 'sh', '/bin/busybox MIRAI'].map(
  (c) => [latin(`${c}\r\n`), latin(`${c}: applet not found\r\n# `)] as const,
);
const HTTP_BODY_SIZES = [612, 612, 1450, 3200, 5800, 11000, 24000];
const REDIS_NOAUTH = latin('-NOAUTH Authentication required.\r\n');
const RDP_USERS = ['Administr', 'admin', 'user', 'test'].map((u) => rdpConnectionRequest(u));
const REDIS_COMMANDS = [['INFO'], ['PING'], ['CONFIG', 'GET', 'dir'], ['KEYS', '*']].map((c) =>
  redisCommand(c),
);
const RDP_CONFIRM = rdpConnectionConfirm();

// Probabilities that drive retransmissions (tuned to the per-packet rates of performance.md §1).
const P_DATA_RETX = 0.015;
const P_HANDSHAKE_SYN_RETX = 0.015;
const P_FILTERED_SYN_RETX = 0.15;

// Builds the flows of the benchmark mix (one TcpSession or datagram exchange per flow), packed for writing.
export class BenchGenerator {
  readonly prng: Prng;
  readonly mixWeights: number[];
  readonly attackerPool: Uint32Array;
  readonly honeypots: Uint32Array;
  readonly ethPad: boolean;
  readonly used = new Set<number>();
  readonly attackerIps: Array<Uint8Array | undefined>;
  readonly attackerIps6: Array<Uint8Array | undefined>;
  readonly honeypotIps: Uint8Array[] = [];
  readonly honeypotIps6: Uint8Array[] = [];
  readonly honeypotMacs: Uint8Array[] = [];
  readonly linkBase: LinkSpec;
  readonly arena = new PackArena();
  readonly metaArena = new MetaArena();
  readonly vlanLinks: LinkSpec[][];
  // Frames of one flow land back to back here, so packing a flow rarely needs a copy.
  readonly slab = new Slab(64 << 10, 1);

  constructor(seed: number, packets: number, mix: Mix, ethPad: boolean) {
    this.prng = new Prng(seed);
    this.mixWeights = MIX_KEYS.map((k) => mix[k]);
    this.ethPad = ethPad;
    this.linkBase = { type: LinkType.ETHERNET, padToMinimum: ethPad };
    this.vlanLinks = [1, 2].map((mode) =>
      Array.from(
        { length: 8 },
        (_, i): LinkSpec => ({
          ...this.linkBase,
          vlans: mode === 2 ? [300, 100 + i] : [100 + i],
          qinq: mode === 2,
        }),
      ),
    );
    const poolSize = Math.max(256, Math.round(packets / 39));
    const pool = new Uint32Array(poolSize);
    const seen = new Set<number>();
    for (let i = 0; i < poolSize; ) {
      const ip = this.prng.u32();
      if (isReserved(ip) || seen.has(ip)) continue;
      seen.add(ip);
      pool[i++] = ip;
    }
    this.attackerPool = pool;
    // Filled up front so the arrays stay packed (a sparse write would turn them into dictionaries).
    this.attackerIps = new Array<Uint8Array | undefined>(poolSize).fill(undefined);
    this.attackerIps6 = new Array<Uint8Array | undefined>(poolSize).fill(undefined);
    const hp = new Uint32Array(HONEYPOTS);
    const hpSeen = new Set<number>();
    for (let i = 0; i < HONEYPOTS; ) {
      const low = this.prng.u32() & 0xffff;
      const last = low & 0xff;
      if (last === 0 || last === 255 || hpSeen.has(low)) continue;
      hpSeen.add(low);
      hp[i++] = ((198 << 24) | (18 << 16) | low) >>> 0;
    }
    this.honeypots = hp;
    for (let i = 0; i < HONEYPOTS; i++) {
      const v4 = hp[i]!;
      this.honeypotIps.push(ipv4FromU32(v4));
      const v6 = new Uint8Array(16); // 2001:db8:dec0::<low 16 bits of the IPv4 address>
      v6.set([0x20, 0x01, 0x0d, 0xb8, 0xde, 0xc0]);
      v6[14] = (v4 >>> 8) & 0xff;
      v6[15] = v4 & 0xff;
      this.honeypotIps6.push(v6);
      this.honeypotMacs.push(Uint8Array.of(0x02, 0xdc, 0x0e, 0x00, i >>> 8, i & 0xff));
    }
  }

  // Attacker index with a heavy head: a few sources send most flows.
  pickAttacker(): number {
    const u = this.prng.float();
    return Math.floor(this.attackerPool.length * u * u * u);
  }

  attackerHash(a: number, salt: number): number {
    let h = Math.imul(a ^ salt, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    return (h ^ (h >>> 13)) >>> 0;
  }

  attackerIp(a: number, v6: boolean): Uint8Array {
    const cache = v6 ? this.attackerIps6 : this.attackerIps;
    const hit = cache[a];
    if (hit) return hit;
    const v4 = this.attackerPool[a]!;
    let b: Uint8Array;
    if (!v6) b = ipv4FromU32(v4);
    else {
      b = new Uint8Array(16);
      b.set([0x20, 0x01, 0x0d, 0xb8, v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff]);
      const h = this.attackerHash(a, 0x66);
      b.set([h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff], 12);
    }
    cache[a] = b;
    return b;
  }

  honeypotIp(h: number, v6: boolean): Uint8Array {
    return (v6 ? this.honeypotIps6 : this.honeypotIps)[h]!;
  }

  honeypotMac(h: number): Uint8Array {
    return this.honeypotMacs[h]!;
  }

  // Reserves a 5-tuple never used before in this file. Keys are a 30-bit digest of the tuple (small
  // integers keep the Set fast): equal tuples always collide, so none repeats; a false collision
  // between different tuples only costs a retry with another source port.
  claimTuple(udp: boolean, a: number, h: number, v6: boolean, dport: number, lo: number, hi: number): number {
    const flowHi = Math.imul((a * HONEYPOTS + h) * 4 + (v6 ? 2 : 0) + (udp ? 1 : 0), 0x9e3779b1);
    for (;;) {
      const sport = this.prng.range(lo, hi);
      let x = Math.imul(((sport << 16) | dport) ^ flowHi, 0x85ebca6b);
      x ^= x >>> 15;
      x = Math.imul(x ^ flowHi, 0xc2b2ae35);
      const key = (x ^ (x >>> 13)) & 0x3fffffff;
      if (!this.used.has(key)) {
        this.used.add(key);
        return sport;
      }
    }
  }

  retx(nSegments: number): number[] {
    const p = this.prng;
    if (!p.chance(P_DATA_RETX)) return [];
    return [p.int(nSegments)];
  }

  segmentsOf(len: number, mss: number): number {
    return Math.max(1, Math.ceil(len / mss));
  }

  makeFlow(start: number): Flow {
    const p = this.prng;
    const kind = p.weighted(this.mixWeights);
    const key = MIX_KEYS[kind]!;
    const attacker = this.pickAttacker();
    const honeypot = p.int(HONEYPOTS);
    const v6 = p.chance(0.02);
    const vr = p.float();
    const vlan = vr < 0.005 ? 2 : vr < 0.035 ? 1 : 0;
    const link: LinkSpec = vlan === 0 ? this.linkBase : this.vlanLinks[vlan - 1]![honeypot & 7]!;
    const flow: Flow = {
      kind,
      count: 0,
      idx: 0,
      bytes: EMPTY_BUFFER,
      pos: 0,
      meta: EMPTY_META,
      metaAt: 0,
      tcp: key !== 'dns' && key !== 'icmp',
      udp: key === 'dns',
      v6,
      vlan,
      attacker,
      honeypot,
      started: false,
      clientNonSyn: false,
    };
    const ah = this.attackerHash(attacker, 1);
    const rtt = Math.round(8000 * 2 ** ((ah % 1000) / 200)); // 8 ms .. ~250 ms, stable per attacker
    const hops = 6 + (ah % 20);
    const slabBytes = this.slab.chunkBytes;
    const slabAt = this.slab.offset;
    if (key === 'dns' || key === 'icmp') {
      this.pack(flow, this.buildDatagramFlow(flow, key, link, start, rtt, hops), slabBytes, slabAt);
      return flow;
    }
    const scanning = key === 'scan';
    const stackName = scanning
      ? SCAN_STACKS[this.attackerHash(attacker, 2) % SCAN_STACKS.length]!
      : CONNECT_STACKS[this.attackerHash(attacker, 3) % CONNECT_STACKS.length]!;
    const stack = TCP_STACKS[stackName];
    const dport = this.pickPort(key);
    const sport = this.claimTuple(
      false,
      attacker,
      honeypot,
      v6,
      dport,
      stack.ephemeralPorts[0],
      stack.ephemeralPorts[1],
    );
    const s = new TcpSession({
      client: { ip: this.attackerIp(attacker, v6), port: sport, mac: ROUTER_MAC, stack: stackName, hops },
      server: {
        ip: this.honeypotIp(honeypot, v6),
        port: dport,
        mac: this.honeypotMac(honeypot),
        stack: 'linux',
      },
      link,
      startTs: start,
      rttUs: rtt,
      serverDelayUs: 150 + p.int(400),
      prng: p,
      slab: this.slab,
    });
    switch (key) {
      case 'scan':
        this.scanFlow(s);
        break;
      case 'tls':
        this.tlsFlow(s, dport);
        break;
      case 'ssh':
        this.sshFlow(s);
        break;
      case 'http':
        this.httpFlow(s, honeypot, dport);
        break;
      case 'telnet':
        this.telnetFlow(s);
        break;
      default:
        this.otherFlow(s, dport);
    }
    this.pack(flow, s.packets, slabBytes, slabAt);
    return flow;
  }

  // Records a flow's per-packet fields in the metadata arena and its frames as one byte range: where
  // the slab put them (adjacent, since only this flow used the slab since the mark slabBytes/slabAt),
  // or copied into the pack arena when the slab moved to a new chunk meanwhile.
  pack(flow: Flow, packets: readonly FlowPacket[], slabBytes: Uint8Array, slabAt: number): void {
    const n = packets.length;
    let bytes: Uint8Array;
    let at: number;
    if (this.slab.chunkBytes === slabBytes) {
      bytes = slabBytes;
      at = slabAt;
    } else {
      let total = 0;
      for (const pk of packets) total += pk.frame.length;
      at = this.arena.take(total);
      bytes = this.arena.chunk;
      let off = at;
      for (const pk of packets) {
        bytes.set(pk.frame, off);
        off += pk.frame.length;
      }
    }
    const metaAt = this.metaArena.take(n * META_STRIDE);
    const meta = this.metaArena.chunk;
    for (let i = 0; i < n; i++) {
      const pk = packets[i]!;
      const m = metaAt + i * META_STRIDE;
      meta[m + META_TS] = pk.ts;
      meta[m + META_LEN] = pk.frame.length;
      meta[m + META_PAYLOAD] = pk.payloadLength;
      meta[m + META_BITS] = pk.tags | (pk.flags << 16) | (pk.fromClient ? BIT_FROM_CLIENT : 0);
    }
    flow.count = n;
    flow.bytes = bytes;
    flow.pos = at;
    flow.meta = meta;
    flow.metaAt = metaAt;
  }

  pickPort(key: MixKey): number {
    const p = this.prng;
    switch (key) {
      case 'scan':
        return p.chance(0.7) ? p.pick(SCAN_PORTS) : p.range(1, 65535);
      case 'tls': {
        const r = p.float();
        return r < 0.8 ? 443 : r < 0.9 ? 8443 : p.pick([993, 995, 465]);
      }
      case 'ssh':
        return p.chance(0.85) ? 22 : 2222;
      case 'http':
        return p.chance(0.75) ? 80 : 8080;
      case 'telnet':
        return p.chance(0.8) ? 23 : 2323;
      default: {
        const r = p.float();
        if (r < 0.25) return 445;
        if (r < 0.45) return 3389;
        if (r < 0.6) return 6379;
        if (r < 0.75) return 3306;
        if (r < 0.85) return 1433;
        // junk goes to ports no dissector claims
        return p.range(20000, 30000);
      }
    }
  }

  handshake(s: TcpSession): void {
    s.handshake({ synRetransmits: this.prng.chance(P_HANDSHAKE_SYN_RETX) ? 1 : 0 });
  }

  // Sends a message with an occasional retransmitted segment.
  send(s: TcpSession, from: 'client' | 'server', data: Uint8Array, tag = 0, ack = false): void {
    const n = this.segmentsOf(data.length, s.maxSegment(from));
    s.send(from, data, { tag, retransmit: this.retx(n), ack });
  }

  finish(s: TcpSession): void {
    const r = this.prng.float();
    if (r < 0.55) s.close('client');
    else if (r < 0.85) s.close('server');
    else s.rst('client');
  }

  scanFlow(s: TcpSession): void {
    const p = this.prng;
    const r = p.float();
    if (r < 0.58) s.probe('closed');
    else if (r < 0.9) s.probe('open');
    else s.probe('filtered', { synRetransmits: p.chance(P_FILTERED_SYN_RETX) ? 1 : 0 });
  }

  tlsFlow(s: TcpSession, dport: number): void {
    const p = this.prng;
    this.handshake(s);
    if (p.chance(0.03)) {
      s.close('client');
      return;
    }
    const profile = TLS_PROFILES[p.weighted(TLS_WEIGHTS)]!;
    const browser = profile.startsWith('chrome') || profile === 'firefox';
    const sni = p.chance(browser ? 0.8 : 0.3) ? p.pick(SNI_NAMES) : undefined;
    const alpn = dport === 443 ? undefined : [];
    const ch = buildClientHello(profile, p, { sni, alpn });
    const segs = this.segmentsOf(ch.bytes.length, s.maxSegment('client'));
    const tag = PacketTag.CLIENT_HELLO | (segs === 2 ? PacketTag.CLIENT_HELLO_SPLIT : 0);
    s.send('client', ch.bytes, { tag, retransmit: this.retx(segs), ack: segs > 1 || p.chance(0.3) });
    if (p.chance(0.06)) {
      s.rst('server');
      return;
    }
    const flight = buildServerFlight(ch.spec, p, { tls13: p.chance(0.85), commonName: sni ?? 'localhost' });
    const fsegs = this.segmentsOf(flight.bytes.length, s.maxSegment('server'));
    const first = s.send('server', flight.bytes, { tag: 0, retransmit: this.retx(fsegs) });
    // The ServerHello record sits at the start of the flight: it is complete in the first segment.
    const head = first[0];
    if (head) head.tags |= PacketTag.SERVER_HELLO;
    if (p.chance(0.1)) {
      s.rst('client');
      return;
    }
    this.send(s, 'client', buildClientFinished(flight.version, p));
    const rounds = p.chance(0.6) ? 1 + p.int(2) : 0;
    for (let i = 0; i < rounds; i++) {
      this.send(s, 'client', tlsApplicationData(120 + p.int(500), p));
      this.send(s, 'server', tlsApplicationData(Math.min(16000, 300 + Math.round(p.exp(2500))), p));
      if (p.chance(0.5)) s.ack('client');
    }
    this.finish(s);
  }

  sshFlow(s: TcpSession): void {
    const p = this.prng;
    this.handshake(s);
    const cp = SSH_CLIENT_PROFILES[p.weighted(SSH_WEIGHTS)]!;
    const sp = SSH_SERVER_PROFILES[this.attackerHash(s.serverNext, 7) % SSH_SERVER_PROFILES.length]!;
    this.send(s, 'server', sshIdentification(sp.banner), PacketTag.SSH_SERVER_BANNER);
    const together = cp.kexinitWithBanner || p.chance(0.1);
    const grabOnly = p.chance(0.05);
    if (together && !grabOnly) {
      const data = Buffer.concat([sshIdentification(cp.banner), buildKexinit(cp.lists, p)]);
      this.send(s, 'client', data, PacketTag.SSH_CLIENT_BANNER | PacketTag.SSH_CLIENT_KEXINIT);
    } else this.send(s, 'client', sshIdentification(cp.banner), PacketTag.SSH_CLIENT_BANNER);
    this.send(s, 'server', buildKexinit(sp.lists, p), PacketTag.SSH_SERVER_KEXINIT);
    if (grabOnly) {
      this.finish(s);
      return;
    }
    if (!together) this.send(s, 'client', buildKexinit(cp.lists, p), PacketTag.SSH_CLIENT_KEXINIT);
    this.send(s, 'client', buildKexEcdhInit(p));
    this.send(s, 'server', buildKexEcdhReplyAndNewKeys(p));
    this.send(s, 'client', buildNewKeys(p));
    const { cipher, mac } = negotiateSsh(cp.lists, sp.lists);
    const clear = sshLengthInClear(cipher, mac);
    const attempts = 1 + p.int(6);
    for (let i = 0; i < attempts; i++) {
      this.send(s, 'client', sshEncryptedPacket(p, 40 + p.int(80), clear));
      this.send(s, 'server', sshEncryptedPacket(p, 20 + p.int(40), clear));
    }
    if (p.chance(0.3)) {
      // a shell session after a successful login
      const rounds = 2 + p.int(5);
      for (let i = 0; i < rounds; i++) {
        this.send(s, 'client', sshEncryptedPacket(p, 36 + p.int(64), clear));
        this.send(s, 'server', sshEncryptedPacket(p, 100 + p.int(1300), clear));
      }
    }
    if (p.chance(0.01)) s.keepAlive('client', { idleUs: 2_000_000 + p.int(8_000_000) });
    this.finish(s);
  }

  httpFlow(s: TcpSession, honeypot: number, dport: number): void {
    const p = this.prng;
    this.handshake(s);
    const profile = HTTP_PROFILES[p.weighted(HTTP_WEIGHTS)]!;
    const v4 = this.honeypots[honeypot]!;
    const host = `198.18.${(v4 >>> 8) & 0xff}.${v4 & 0xff}${dport === 80 ? '' : `:${dport}`}`;
    const requests = p.chance(0.25) ? 2 + p.int(2) : 1;
    for (let i = 0; i < requests; i++) {
      this.send(s, 'client', buildHttpRequest(profile, host, p), PacketTag.HTTP_REQUEST);
      if (p.chance(0.03)) {
        s.rst('server');
        return;
      }
      const status = p.pick([200, 200, 404, 404, 404, 301, 403]);
      const bodyLength = status === 200 ? p.pick(HTTP_BODY_SIZES) : undefined;
      const resp = buildHttpResponse(status, s.now, { close: i === requests - 1, bodyLength });
      this.send(s, 'server', resp, PacketTag.HTTP_RESPONSE);
      if (p.chance(0.5)) s.ack('client');
    }
    if (p.chance(0.8)) s.close('server');
    else this.finish(s);
  }

  telnetFlow(s: TcpSession): void {
    const p = this.prng;
    this.handshake(s);
    this.send(s, 'server', TELNET_SERVER_NEG);
    this.send(s, 'client', TELNET_CLIENT_NEG);
    const tries = 1 + p.int(3);
    for (let i = 0; i < tries; i++) {
      const cred = p.int(TELNET_LINES.length);
      this.send(s, 'server', i === 0 ? TELNET_FIRST_LOGIN : TELNET_LOGIN);
      this.send(s, 'client', TELNET_LINES[cred]![0]);
      this.send(s, 'server', TELNET_PASSWORD);
      this.send(s, 'client', TELNET_LINES[cred]![1]);
      if (p.chance(0.3)) {
        this.send(s, 'server', TELNET_PROMPT);
        for (const [cmd, answer] of TELNET_COMMANDS) {
          this.send(s, 'client', cmd);
          this.send(s, 'server', answer);
        }
        break;
      }
      this.send(s, 'server', TELNET_INCORRECT);
    }
    if (p.chance(0.01)) s.keepAlive('client', { idleUs: 2_000_000 + p.int(8_000_000) });
    this.finish(s);
  }

  otherFlow(s: TcpSession, dport: number): void {
    const p = this.prng;
    this.handshake(s);
    switch (dport) {
      case 445:
        this.send(s, 'client', smbNegotiateRequest(p));
        this.send(s, 'server', junk(p, 180 + p.int(200)));
        break;
      case 3389:
        this.send(s, 'client', p.pick(RDP_USERS));
        this.send(s, 'server', RDP_CONFIRM);
        break;
      case 6379:
        this.send(s, 'client', p.pick(REDIS_COMMANDS));
        this.send(s, 'server', REDIS_NOAUTH);
        break;
      case 3306:
        this.send(s, 'server', mysqlGreeting(p));
        if (p.chance(0.5)) this.send(s, 'client', junk(p, 60 + p.int(60)));
        break;
      case 1433:
        this.send(s, 'client', tdsPrelogin(p));
        this.send(s, 'server', junk(p, 40 + p.int(20)));
        break;
      default: {
        const n = 20 + p.int(1200);
        if (n > 600 && p.chance(0.1)) s.send('client', junk(p, n), { segments: 2, order: [1, 0] });
        else this.send(s, 'client', junk(p, n));
        if (p.chance(0.5)) this.send(s, 'server', junk(p, 10 + p.int(300)));
      }
    }
    this.finish(s);
  }

  buildDatagramFlow(
    flow: Flow,
    key: MixKey,
    link: LinkSpec,
    start: number,
    rtt: number,
    hops: number,
  ): FlowPacket[] {
    const p = this.prng;
    const a = flow.attacker;
    const h = flow.honeypot;
    const v6 = flow.v6;
    const cIp = this.attackerIp(a, v6);
    const sIp = this.honeypotIp(h, v6);
    const cLink = linkSpec(link, ROUTER_MAC, this.honeypotMac(h));
    const sLink = linkSpec(link, this.honeypotMac(h), ROUTER_MAC);
    const ttl = 64 - hops;
    const ipOf = (fromClient: boolean, id: number) =>
      v6
        ? ipv6Spec(fromClient ? cIp : sIp, fromClient ? sIp : cIp, 0, fromClient ? ttl : 64)
        : ipv4Spec(fromClient ? cIp : sIp, fromClient ? sIp : cIp, !fromClient, fromClient ? ttl : 64, id);
    let t = start;
    const packets: FlowPacket[] = [];
    const push = (fromClient: boolean, frame: Uint8Array, payloadLength: number): void => {
      packets.push({ ts: t, frame, tags: 0, fromClient, flags: 0, payloadLength });
    };
    if (key === 'dns') {
      const sport = this.claimTuple(true, a, h, v6, 53, 1024, 65535);
      const queries = p.chance(0.8) ? 1 : 2 + p.int(2);
      for (let i = 0; i < queries; i++) {
        const id = p.u32() & 0xffff;
        const name = p.pick(DNS_NAMES);
        const qtype = p.pick([DnsType.A, DnsType.A, DnsType.ANY, DnsType.TXT, DnsType.AAAA]);
        const q = dnsQuery(id, name, qtype, p.chance(0.5));
        push(
          true,
          buildPacket(
            {
              link: cLink,
              ip: ipOf(true, p.u32() & 0xffff),
              l4: { proto: 'udp', srcPort: sport, dstPort: 53 },
              payload: q,
            },
            this.slab,
          ),
          q.length,
        );
        if (p.chance(0.9)) {
          t += 100 + p.int(500);
          const r = dnsResponse(id, name, qtype, p.chance(0.5) ? ipv4FromU32(p.u32()) : undefined);
          push(
            false,
            buildPacket(
              {
                link: sLink,
                ip: ipOf(false, p.u32() & 0xffff),
                l4: { proto: 'udp', srcPort: 53, dstPort: sport },
                payload: r,
              },
              this.slab,
            ),
            r.length,
          );
        }
        t += rtt + p.int(2_000_000);
      }
    } else {
      const ident = p.u32() & 0xffff;
      const n = 1 + p.int(4);
      const data = p.bytes(56);
      for (let i = 0; i < n; i++) {
        const rest = (ident << 16) | (i + 1);
        push(
          true,
          buildPacket(
            {
              link: cLink,
              ip: ipOf(true, p.u32() & 0xffff),
              l4: { proto: 'icmp', type: v6 ? 128 : 8, rest },
              payload: data,
            },
            this.slab,
          ),
          0,
        );
        t += 80 + p.int(300);
        push(
          false,
          buildPacket(
            {
              link: sLink,
              ip: ipOf(false, p.u32() & 0xffff),
              l4: { proto: 'icmp', type: v6 ? 129 : 0, rest },
              payload: data,
            },
            this.slab,
          ),
          0,
        );
        t += 1_000_000 + p.int(10_000);
      }
    }
    return packets;
  }
}

// A min-heap of flow slots ordered by the time of their next packet.
class SlotHeap {
  private readonly heap: Int32Array;
  private readonly key: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.heap = new Int32Array(capacity);
    this.key = new Float64Array(capacity);
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private swap(i: number, j: number): void {
    const t = this.heap[i]!;
    this.heap[i] = this.heap[j]!;
    this.heap[j] = t;
  }

  push(slot: number, t: number): void {
    this.key[slot] = t;
    let i = this.size++;
    this.heap[i] = slot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  top(): number {
    return this.heap[0]!;
  }

  topKey(): number {
    return this.key[this.heap[0]!]!;
  }

  // Changes the key of the top slot and restores order.
  updateTop(t: number): void {
    this.key[this.heap[0]!] = t;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.less(l, m)) m = l;
      if (r < this.size && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}

function emptyMix(): Mix {
  return { scan: 0, tls: 0, ssh: 0, http: 0, telnet: 0, other: 0, dns: 0, icmp: 0 };
}

// Generates the benchmark capture and its manifest (also written beside it as FILE.manifest.json).
export function generateBenchPcap(opts: BenchOptions): BenchManifest {
  // Payload builders make many 100 B - 3 KiB Buffers; a larger allocation pool (than 8 KiB) saves an
  // ArrayBuffer allocation every few flows. Restored afterwards.
  const savedPoolSize = Buffer.poolSize;
  Buffer.poolSize = 64 << 10;
  try {
    return generate(opts);
  } finally {
    Buffer.poolSize = savedPoolSize;
  }
}

function generate(opts: BenchOptions): BenchManifest {
  const packets = opts.packets ?? 3_000_000;
  const seed = opts.seed ?? 1;
  const mix: Mix = { ...(opts.mix ? { ...emptyMix(), ...opts.mix } : DEFAULT_MIX) };
  const ethPad = opts.ethPad ?? false;
  // A few thousand flows in progress at once; fewer for small files so that few are cut off at the end.
  const active = Math.max(
    1,
    opts.activeFlows ?? Math.min(DEFAULT_ACTIVE_FLOWS, Math.max(16, Math.round(packets / 400))),
  );
  const format = opts.format ?? 'pcap';
  const gen = new BenchGenerator(seed, packets, mix, ethPad);
  const writer: CaptureWriter = openCaptureWriter({
    path: opts.output,
    linkType: LinkType.ETHERNET,
    format,
    nanosecond: opts.nanosecond,
  });
  const m: BenchManifest = {
    generator: 'deckscope scripts/gen-bench-pcap',
    version: 1,
    seed,
    mix,
    eth_pad: ethPad,
    format,
    link_type: LinkType.ETHERNET,
    packets: 0,
    bytes: 0,
    file_bytes: 0,
    payload_packets: 0,
    payload_bytes: 0,
    first_ts_us: 0,
    last_ts_us: 0,
    flows: 0,
    flows_by_kind: emptyMix(),
    tcp_flows: 0,
    udp_flows: 0,
    icmp_packets: 0,
    ipv6_flows: 0,
    vlan_flows: 0,
    qinq_flows: 0,
    attacker_ips: 0,
    honeypot_ips: 0,
    client_hellos: 0,
    client_hellos_split: 0,
    server_hellos: 0,
    ssh_client_banners: 0,
    ssh_server_banners: 0,
    ssh_client_kexinits: 0,
    ssh_server_kexinits: 0,
    http_requests: 0,
    http_responses: 0,
    retransmitted_data_segments: 0,
    retransmitted_syns: 0,
    keepalives: 0,
    out_of_order_segments: 0,
    syn_only_flows: 0,
    definitions: DEFINITIONS,
  };
  const attackers = new Uint8Array(gen.attackerPool.length);
  const honeypots = new Uint8Array(HONEYPOTS);
  const retire = (f: Flow): void => {
    if (f.started && f.tcp && !f.clientNonSyn) m.syn_only_flows++;
  };

  const slots: Flow[] = [];
  const heap = new SlotHeap(active);
  for (let i = 0; i < active; i++) {
    const start = BASE_TS + gen.prng.int(1_000_000);
    const f = gen.makeFlow(start);
    slots.push(f);
    heap.push(i, f.meta[f.metaAt + META_TS]!);
  }

  let last = 0;
  for (let n = 0; n < packets; n++) {
    const slot = heap.top();
    const f = slots[slot]!;
    const meta = f.meta;
    const mi = f.metaAt + f.idx * META_STRIDE;
    const len = meta[mi + META_LEN]!;
    const payloadLength = meta[mi + META_PAYLOAD]!;
    const bits = meta[mi + META_BITS]!;
    const ts = Math.max(heap.topKey(), last + 1);
    last = ts;
    writer.writeRange(ts, f.bytes, f.pos, len);
    f.pos += len;
    m.bytes += len;
    if (payloadLength > 0) {
      m.payload_packets++;
      m.payload_bytes += payloadLength;
    }
    if (!f.started) {
      f.started = true;
      m.flows++;
      m.flows_by_kind[MIX_KEYS[f.kind]!]++;
      if (f.tcp) m.tcp_flows++;
      else if (f.udp) m.udp_flows++;
      if (f.v6) m.ipv6_flows++;
      if (f.vlan === 1) m.vlan_flows++;
      if (f.vlan === 2) m.qinq_flows++;
      attackers[f.attacker] = 1;
      honeypots[f.honeypot] = 1;
    }
    if (!f.tcp && !f.udp) m.icmp_packets++;
    if (f.tcp && bits & BIT_FROM_CLIENT && !((bits >>> 16) & (TcpFlags.SYN | TcpFlags.RST)))
      f.clientNonSyn = true;
    const tg = bits & 0xffff;
    if (tg !== 0) {
      if (tg & PacketTag.CLIENT_HELLO) m.client_hellos++;
      if (tg & PacketTag.CLIENT_HELLO_SPLIT) m.client_hellos_split++;
      if (tg & PacketTag.SERVER_HELLO) m.server_hellos++;
      if (tg & PacketTag.SSH_CLIENT_BANNER) m.ssh_client_banners++;
      if (tg & PacketTag.SSH_SERVER_BANNER) m.ssh_server_banners++;
      if (tg & PacketTag.SSH_CLIENT_KEXINIT) m.ssh_client_kexinits++;
      if (tg & PacketTag.SSH_SERVER_KEXINIT) m.ssh_server_kexinits++;
      if (tg & PacketTag.HTTP_REQUEST) m.http_requests++;
      if (tg & PacketTag.HTTP_RESPONSE) m.http_responses++;
      if (tg & PacketTag.DATA_RETRANSMIT) m.retransmitted_data_segments++;
      if (tg & PacketTag.SYN_RETRANSMIT) m.retransmitted_syns++;
      if (tg & PacketTag.KEEPALIVE) m.keepalives++;
      if (tg & PacketTag.OUT_OF_ORDER) m.out_of_order_segments++;
    }
    if (m.first_ts_us === 0) m.first_ts_us = ts;
    f.idx++;
    if (f.idx < f.count) heap.updateTop(ts + (meta[mi + META_STRIDE + META_TS]! - meta[mi + META_TS]!));
    else {
      retire(f);
      const nf = gen.makeFlow(ts + Math.round(gen.prng.exp(2000)));
      slots[slot] = nf;
      heap.updateTop(Math.max(nf.meta[nf.metaAt + META_TS]!, ts + 1));
    }
  }
  for (const f of slots) retire(f);
  m.last_ts_us = last;
  m.packets = writer.packets;
  writer.close();
  m.file_bytes = fs.statSync(opts.output).size;
  for (const a of attackers) m.attacker_ips += a;
  for (const h of honeypots) m.honeypot_ips += h;
  fs.writeFileSync(`${opts.output}.manifest.json`, `${JSON.stringify(m, null, 2)}\n`);
  return m;
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      output: { type: 'string', short: 'o' },
      packets: { type: 'string', short: 'n' },
      seed: { type: 'string' },
      mix: { type: 'string' },
      'eth-pad': { type: 'boolean' },
      active: { type: 'string' },
      format: { type: 'string' },
      nanosecond: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help || !values.output) {
    process.stderr.write(
      'usage: gen-bench-pcap -o FILE [-n PACKETS=3000000] [--seed 1] [--mix scan=49.5,tls=10.1,...]\n' +
        '                      [--eth-pad] [--active FLOWS] [--format pcap|pcapng] [--nanosecond] [--quiet]\n' +
        `mix keys: ${MIX_KEYS.join(', ')} (keys left out of --mix are 0)\n`,
    );
    return values.help ? 0 : 2;
  }
  const int = (s: string | undefined, name: string, dflt: number): number => {
    if (s === undefined) return dflt;
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`--${name} must be a non-negative integer, got "${s}"`);
    return v;
  };
  const format = values.format ?? 'pcap';
  if (format !== 'pcap' && format !== 'pcapng')
    throw new RangeError(`--format must be pcap or pcapng, got "${format}"`);
  const t0 = process.hrtime.bigint();
  const m = generateBenchPcap({
    output: values.output,
    packets: int(values.packets, 'packets', 3_000_000),
    seed: int(values.seed, 'seed', 1),
    mix: values.mix === undefined ? undefined : parseMix(values.mix),
    ethPad: values['eth-pad'] ?? false,
    activeFlows: values.active === undefined ? undefined : int(values.active, 'active', 0),
    format,
    nanosecond: values.nanosecond ?? false,
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!values.quiet) {
    process.stderr.write(
      `wrote ${m.packets} packets (${m.file_bytes} bytes, ${m.tcp_flows} TCP + ${m.udp_flows} UDP flows) to ${values.output} ` +
        `in ${s.toFixed(2)} s (${Math.round(m.packets / s)} pkt/s); manifest: ${values.output}.manifest.json\n`,
    );
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`gen-bench-pcap: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
