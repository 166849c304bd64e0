// Tool attribution without a payload: scanners recognised from one SYN (docs/behavior.md §3.2, checked
// against the tools' sources), and tools named by an HTTP User-Agent (data/tools/user-agents.json).
//
// SYN rules, each stated in words in `evidence` when it fires:
//  * nmap OS detection (osscan2.cc probe set, also documented at nmap.org/book/osdetect-methods.html):
//    the six SEQ probes, the ECN probe and T2–T7 each have a fixed window and a fixed option layout
//    whose timestamp is TSval 0xFFFFFFFF — no real stack sends that layout.
//  * masscan (src/templ-pkt.c): ip_id = (dst_ip ^ dst_port ^ seq) & 0xFFFF, checkable by the target;
//    with its template's window 1024, TTL 255, and no options (MSS 1460 only since Nov 2023).
//  * Mirai-family scanners: seq = dst_ip (the bot's stateless SYN scanner; Antonakakis et al., "Understanding
//    the Mirai Botnet", USENIX Security 2017, used this as the Mirai fingerprint).
//  * ZMap (src/probe_modules/packet.c, module_tcp_synscan.c): ip_id 54321 and window 65535 before 4.1.0;
//    since 4.1.0 a random ip_id, and (since #855, 2024) Windows-style options MSS 1460, NOP, WS 8, NOP,
//    NOP, SACK-permitted with window 65535 and TTL 64 — unlike Windows (window 64240 or 8192, TTL 128).
//  * nmap SYN scan (scan_engine_raw.cc, tcpip.cc): window 1024, MSS 1460 only, no DF, TTL 37–59;
//    windows 2048/3072/4096 and no options are the older nmap seen in p0f's signatures.
//  * unicornscan (scan_progs/init_packet.c, default "fingerprint 0", a Cisco IOS imitation): window 4128,
//    one MSS option (MTU − 40), TTL 255, no DF — which a real Cisco IOS also sends, hence 'medium'.
// Real OS stacks (Linux, Windows, macOS, BSD, Android, ...) never satisfy these; the tests check that.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SynFlag, type SynRecord } from '../batch/format.js';
import { parseTcpOptions, type TcpOptions } from '../parsers/tcp/options.js';
import { DeckscopeError } from '../util/errors.js';
import { initialTtl } from './tcp.js';

/** Tools recognised from packets alone. 'nmap-os' is nmap's OS-detection probe set. */
export type ScannerTool = 'nmap' | 'nmap-os' | 'masscan' | 'zmap' | 'unicornscan' | 'mirai';

/** 'high': a rule that real stacks cannot meet by chance; 'medium': a default that another sender may share. */
export type ScannerConfidence = 'high' | 'medium';

/** One identification, with the rules that fired in words. */
export interface ScannerMatch {
  tool: ScannerTool;
  confidence: ScannerConfidence;
  evidence: string[];
  /** Version range or probe the evidence points to ('<4.1', '>=4.1', 'T5', 'SEQ1', ...), or null. */
  variant: string | null;
}

/** The SYN fields the rules need, as plain numbers and bytes (see SynRecord in src/batch/format.ts). */
export interface ScannerSynInput {
  ipVersion: 4 | 6;
  /** Destination (server) address, 4 or 16 bytes. */
  dstIp: Uint8Array;
  dstPort: number;
  srcPort: number;
  /** TTL or hop limit as observed. */
  ttl: number;
  /** IPv4 identification (0 for IPv6). */
  ipId: number;
  /** IPv4 flags (DF = 0x2; 0 for IPv6). */
  ipFlags: number;
  seq: number;
  ack: number;
  window: number;
  /** The 9 TCP flag bits (FIN 0x01 … CWR 0x80, NS 0x100). */
  tcpFlags: number;
  urgPtr: number;
  /** Raw TCP option bytes. */
  options: Uint8Array;
  payloadLen: number;
  /** A server's SYN+ACK (never a scanner probe). */
  isSynAck: boolean;
}

const FIN = 0x01;
const SYN = 0x02;
const PSH = 0x08;
const ACK = 0x10;
const URG = 0x20;
const ECE = 0x40;
const CWR = 0x80;
const IP_DF = 0x2;

/** Adapter from the capture engine's SYN record (addresses copied out of the batch buffer). */
export function scannerInputFromSyn(rec: SynRecord): ScannerSynInput {
  const v4 = rec.flow.ipVersion === 4;
  return {
    ipVersion: rec.flow.ipVersion,
    dstIp: rec.flow.serverIp.slice(),
    dstPort: rec.flow.serverPort,
    srcPort: rec.flow.clientPort,
    ttl: rec.ttl,
    ipId: v4 ? rec.ipId : 0,
    ipFlags: v4 ? rec.ipFlags : 0,
    seq: rec.seq >>> 0,
    ack: rec.ack >>> 0,
    window: rec.window,
    tcpFlags: rec.tcpFlags,
    urgPtr: rec.urgPtr,
    options: rec.options.slice(),
    payloadLen: rec.payloadLen,
    isSynAck: (rec.flags & SynFlag.isSynAck) !== 0,
  };
}

/**
 * Options in wire order as a comparable string: "ws10,nop,mss1460,ts:ffffffff/0,sok,eol". Values are
 * kept where the rules need them; a malformed option list ends in "bad".
 */
export function optionLayout(opts: TcpOptions): string {
  const parts = opts.list.map((o) => {
    switch (o.name) {
      case 'mss':
        return `mss${o.value}`;
      case 'ws':
        return `ws${o.value}`;
      case 'ts':
        return `ts:${o.tsval.toString(16)}/${o.tsecr.toString(16)}`;
      case 'other':
        return `opt${o.kind}`;
      default:
        return o.name;
    }
  });
  if (opts.bad) parts.push('bad');
  return parts.join(',');
}

/** nmap's OS-detection probes: window, option layout, and the flags that tell them apart. */
interface NmapOsProbe {
  name: string;
  window: number;
  layout: string;
  flags: number;
}

const NMAP_TS = 'ts:ffffffff/0';
const T_LAYOUT = `ws10,nop,mss265,${NMAP_TS},sok`;
const NMAP_OS_PROBES: readonly NmapOsProbe[] = [
  { name: 'SEQ1', window: 1, layout: `ws10,nop,mss1460,${NMAP_TS},sok`, flags: SYN },
  { name: 'SEQ2', window: 63, layout: `mss1400,ws0,sok,${NMAP_TS},eol`, flags: SYN },
  { name: 'SEQ3', window: 4, layout: `${NMAP_TS},nop,nop,ws5,nop,mss640`, flags: SYN },
  { name: 'SEQ4', window: 4, layout: `sok,${NMAP_TS},ws10,eol`, flags: SYN },
  { name: 'SEQ5', window: 16, layout: `mss536,sok,${NMAP_TS},ws10,eol`, flags: SYN },
  { name: 'SEQ6', window: 512, layout: `mss265,sok,${NMAP_TS}`, flags: SYN },
  { name: 'ECN', window: 3, layout: 'ws10,nop,mss1460,sok,nop,nop', flags: SYN | ECE | CWR },
  { name: 'T2', window: 128, layout: T_LAYOUT, flags: 0 },
  { name: 'T3', window: 256, layout: T_LAYOUT, flags: SYN | FIN | URG | PSH },
  { name: 'T4', window: 1024, layout: T_LAYOUT, flags: ACK },
  { name: 'T5', window: 31337, layout: T_LAYOUT, flags: SYN },
  { name: 'T6', window: 32768, layout: T_LAYOUT, flags: ACK },
  { name: 'T7', window: 65535, layout: `ws15,nop,mss265,${NMAP_TS},sok`, flags: FIN | PSH | URG },
];
/** The ECN probe's urgent pointer, sent without URG (p0f calls it uptr+). */
const NMAP_ECN_URG_PTR = 0xf7f5;
/** First-generation nmap OS detection (nmap < 4.20): TSval 0x3F3F3F3F ("????"), windows 1024–4096. */
const NMAP_OS_GEN1_LAYOUT = 'ws10,nop,mss265,ts:3f3f3f3f/0,eol';

/** ZMap ≥ 4.1 default "windows" probe options (module_tcp_synscan.c, set_tcp_options). */
const ZMAP_WINDOWS_LAYOUT = 'mss1460,nop,ws8,nop,nop,sok';
const ZMAP_OLD_IP_ID = 54321;
const NMAP_SYN_WINDOWS = new Set([1024, 2048, 3072, 4096]);
/** nmap picks a TTL of (rand % 23) + 37 when none is set. */
const NMAP_MAX_TTL = 59;
const UNICORNSCAN_WINDOW = 4128;

/** The destination IPv4 address as an unsigned 32-bit number. */
function ipv4U32(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

function nmapOs(syn: ScannerSynInput, layout: string): ScannerMatch | null {
  const flags = syn.tcpFlags & 0xff;
  if (layout === NMAP_OS_GEN1_LAYOUT && NMAP_SYN_WINDOWS.has(syn.window)) {
    return {
      tool: 'nmap-os',
      confidence: 'medium',
      variant: 'gen1',
      evidence: [
        'tcp options == WS 10, NOP, MSS 265, TS(0x3F3F3F3F, 0), EOL (first-generation nmap OS probe)',
        `window == ${syn.window} (nmap 1024/2048/3072/4096 rotation)`,
      ],
    };
  }
  if (!layout.includes(NMAP_TS) && layout !== NMAP_OS_PROBES[6]!.layout) return null;
  const sameLayout = NMAP_OS_PROBES.filter((p) => p.layout === layout);
  if (sameLayout.length === 0) return null;
  const probe = sameLayout.find(
    (p) => p.window === syn.window && (p.flags & ~ECE & ~CWR) === (flags & ~ECE & ~CWR),
  );
  if (probe === undefined) {
    // The ECN layout alone is not distinctive (it is a plausible stack's); everything else carries TSval 0xFFFFFFFF.
    if (layout === NMAP_OS_PROBES[6]!.layout) return null;
    return {
      tool: 'nmap-os',
      confidence: 'medium',
      variant: null,
      evidence: [
        `tcp options == nmap OS probe layout ${layout} (TSval 0xFFFFFFFF)`,
        `window ${syn.window} fits no probe`,
      ],
    };
  }
  const evidence = [`window == ${probe.window} and tcp options == ${layout} (nmap OS probe ${probe.name})`];
  if (probe.name === 'ECN') {
    if ((flags & (ECE | CWR)) !== (ECE | CWR) || syn.urgPtr !== NMAP_ECN_URG_PTR) return null;
    evidence.push('flags SYN+ECE+CWR with urgent pointer 0xF7F5 and no URG (nmap ECN probe)');
  } else {
    evidence.push('timestamp TSval == 0xFFFFFFFF, TSecr == 0 (nmap OS probe)');
  }
  return { tool: 'nmap-os', confidence: 'high', variant: probe.name, evidence };
}

function masscan(syn: ScannerSynInput, layout: string): ScannerMatch | null {
  if (syn.ipVersion !== 4 || syn.dstIp.length !== 4) return null;
  if (((ipv4U32(syn.dstIp) ^ syn.dstPort ^ syn.seq) & 0xffff) !== syn.ipId) return null;
  const evidence = ['ip_id == (dst_ip ^ dst_port ^ seq) & 0xFFFF (masscan)'];
  if (syn.window === 1024) evidence.push('window == 1024 (masscan template)');
  const ttl255 = initialTtl(syn.ttl) === 255;
  if (ttl255) evidence.push('initial TTL 255 (masscan default)');
  if (layout === '') evidence.push('no TCP options (masscan before 1.3.3)');
  else if (layout === 'mss1460') evidence.push('only MSS 1460 (masscan default --tcp-mss since Nov 2023)');
  // The equation alone holds by chance for 1 SYN in 65536: it needs the template to agree. nmap's SYN
  // shares window 1024 and MSS 1460, so 'high' also needs masscan's TTL.
  if (evidence.length === 1) return null;
  const confidence = ttl255 && evidence.length >= 3 ? 'high' : 'medium';
  return { tool: 'masscan', confidence, variant: null, evidence };
}

function mirai(syn: ScannerSynInput, layout: string): ScannerMatch | null {
  if (syn.ipVersion !== 4 || syn.dstIp.length !== 4 || syn.seq !== ipv4U32(syn.dstIp)) return null;
  const evidence = ['seq == dst_ip (Mirai-family SYN scanner)'];
  if (syn.dstPort === 23 || syn.dstPort === 2323)
    evidence.push(`dst_port ${syn.dstPort} (Mirai telnet scan)`);
  if (layout === '') evidence.push('no TCP options');
  return { tool: 'mirai', confidence: 'high', variant: null, evidence };
}

function zmap(syn: ScannerSynInput, layout: string): ScannerMatch | null {
  if (syn.window !== 65535) return null;
  const ittl = initialTtl(syn.ttl);
  const noDf = (syn.ipFlags & IP_DF) === 0;
  if (syn.ipVersion === 4 && syn.ipId === ZMAP_OLD_IP_ID) {
    const evidence = ['ip_id == 54321 (ZMap before 4.1.0)', 'window == 65535 (ZMap)'];
    if (ittl === 255) evidence.push('initial TTL 255 (ZMap before 3.0.0)');
    else if (ittl === 64) evidence.push('initial TTL 64 (ZMap 3.0.0+ default)');
    if (layout === '') evidence.push('no TCP options (early ZMap)');
    else if (layout === 'mss1460') evidence.push('only MSS 1460 (ZMap 2.x–4.0)');
    return { tool: 'zmap', confidence: 'high', variant: '<4.1', evidence };
  }
  if (ittl !== 64 || !noDf) return null;
  if (layout === ZMAP_WINDOWS_LAYOUT) {
    return {
      tool: 'zmap',
      confidence: 'medium',
      variant: '>=4.1',
      evidence: [
        'tcp options == MSS 1460, NOP, WS 8, NOP, NOP, SACK-permitted (ZMap 4.1+ default Windows-style probe)',
        'window == 65535 (Windows itself sends 64240 or 8192)',
        'initial TTL 64 and DF not set (Windows sends TTL 128 with DF)',
      ],
    };
  }
  if (layout === 'mss1460' && syn.payloadLen === 0) {
    return {
      tool: 'zmap',
      confidence: 'medium',
      variant: '>=4.1',
      evidence: [
        'only MSS 1460 with window 65535 (ZMap --probe-args=smallest-probes)',
        'ip_id != 54321 (ZMap randomises it since 4.1.0)',
        'initial TTL 64 and DF not set',
      ],
    };
  }
  return null;
}

function nmapSyn(syn: ScannerSynInput, layout: string): ScannerMatch | null {
  if (!NMAP_SYN_WINDOWS.has(syn.window) || (layout !== 'mss1460' && layout !== '')) return null;
  if (syn.ttl > 64 || (syn.ipFlags & IP_DF) !== 0 || syn.payloadLen !== 0) return null;
  const modern = syn.window === 1024 && layout === 'mss1460' && syn.ttl <= NMAP_MAX_TTL;
  const evidence = [
    syn.window === 1024
      ? 'window == 1024 (nmap SYN scan default)'
      : `window == ${syn.window} (old nmap 1024–4096 rotation)`,
    layout === 'mss1460' ? 'only MSS 1460 (nmap SYN scan)' : 'no TCP options (old nmap)',
    syn.ttl <= NMAP_MAX_TTL ? `TTL ${syn.ttl} ≤ 59 (nmap picks 37–59)` : `TTL ${syn.ttl} ≤ 64`,
  ];
  if (syn.ipVersion === 4) evidence.push('DF not set');
  return { tool: 'nmap', confidence: modern ? 'high' : 'medium', variant: modern ? null : 'old', evidence };
}

function unicornscan(syn: ScannerSynInput, layout: string): ScannerMatch | null {
  if (syn.window !== UNICORNSCAN_WINDOW || !/^mss\d+$/.test(layout)) return null;
  if (initialTtl(syn.ttl) !== 255 || (syn.ipFlags & IP_DF) !== 0) return null;
  return {
    tool: 'unicornscan',
    confidence: 'medium',
    variant: null,
    evidence: [
      'window == 4128 with a lone MSS option (unicornscan default Cisco IOS imitation)',
      'initial TTL 255 and DF not set',
    ],
  };
}

/**
 * The scanner that sent this SYN, judged from the packet alone, or null (every real OS stack, and
 * anything the rules above do not pin down). A SYN+ACK is never a probe: null.
 */
export function identifyScanner(syn: ScannerSynInput): ScannerMatch | null {
  if (syn.isSynAck) return null;
  const layout = optionLayout(parseTcpOptions(syn.options));
  const os = nmapOs(syn, layout);
  if (os !== null) return os;
  if ((syn.tcpFlags & (SYN | ACK | FIN | URG)) !== SYN) return null;
  return (
    mirai(syn, layout) ??
    masscan(syn, layout) ??
    zmap(syn, layout) ??
    nmapSyn(syn, layout) ??
    unicornscan(syn, layout)
  );
}

// ---------------------------------------------------------------------------------------------------
// User-Agent → tool (data/tools/user-agents.json: sources and licences are listed in the file).

/** How a pattern is compared with a User-Agent (always case-insensitively). */
export type UserAgentMatchKind = 'substring' | 'prefix' | 'regex';

/** One row of data/tools/user-agents.json. */
export interface UserAgentRule {
  pattern: string;
  match: UserAgentMatchKind;
  tool: string;
  category: string;
  /** Key into the file's `sources` (which names the licence). */
  source: string;
}

/** What {@link matchUserAgent} returns: the first rule that matched. */
export interface UserAgentMatch {
  tool: string;
  category: string;
  pattern: string;
  source: string;
}

/** Characters of a User-Agent examined: real ones are < 512; the bound caps the regex work per request. */
export const MAX_USER_AGENT_CHARS = 1024;

/** data/tools/user-agents.json of the package, from src/ (tests) or dist/src/ (the built package). */
export const DEFAULT_USER_AGENT_TABLE: string = fileURLToPath(
  new URL(
    import.meta.url.includes('/dist/')
      ? '../../../data/tools/user-agents.json'
      : '../../data/tools/user-agents.json',
    import.meta.url,
  ),
);

interface CompiledRule extends UserAgentRule {
  lower: string;
  regex: RegExp | null;
}

const tables = new Map<string, CompiledRule[]>();

function badTable(path: string, why: string): DeckscopeError {
  return new DeckscopeError(
    'E_BAD_OPTION',
    `user-agent table ${path}: ${why} (reinstall deckscope, or fix the file: see data/tools/user-agents.json)`,
  );
}

/** The rules of the table at `path` (default: the shipped one), read and checked once per process.
 *  Throws DeckscopeError when the file is missing or malformed. */
export function loadUserAgentRules(path: string = DEFAULT_USER_AGENT_TABLE): readonly UserAgentRule[] {
  return compiledRules(path);
}

function compiledRules(path: string): CompiledRule[] {
  const hit = tables.get(path);
  if (hit) return hit;
  let doc: { sources?: Record<string, { licence?: string }>; entries?: unknown[] };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as typeof doc;
  } catch (err) {
    throw new DeckscopeError(
      'E_NO_SUCH_FILE',
      `user-agent table ${path}: cannot read it as JSON (reinstall deckscope)`,
      {
        cause: err,
      },
    );
  }
  if (!Array.isArray(doc.entries) || typeof doc.sources !== 'object')
    throw badTable(path, 'no entries/sources');
  const rules: CompiledRule[] = [];
  for (const raw of doc.entries) {
    const e = raw as Partial<UserAgentRule>;
    if (
      typeof e.pattern !== 'string' ||
      e.pattern.length === 0 ||
      typeof e.tool !== 'string' ||
      typeof e.category !== 'string' ||
      typeof e.source !== 'string' ||
      (e.match !== 'substring' && e.match !== 'prefix' && e.match !== 'regex')
    )
      throw badTable(path, `malformed entry ${JSON.stringify(raw)}`);
    if (typeof doc.sources[e.source]?.licence !== 'string')
      throw badTable(path, `source '${e.source}' has no licence`);
    let regex: RegExp | null = null;
    if (e.match === 'regex') {
      try {
        regex = new RegExp(e.pattern, 'i');
      } catch {
        throw badTable(path, `bad regex ${e.pattern}`);
      }
    }
    const rule = { pattern: e.pattern, match: e.match, tool: e.tool, category: e.category, source: e.source };
    rules.push({ ...rule, lower: e.pattern.toLowerCase(), regex });
  }
  tables.set(path, rules);
  return rules;
}

/**
 * The tool a User-Agent names, from the first matching rule of data/tools/user-agents.json (case-
 * insensitive; only the first 1024 characters are examined), or null. A User-Agent is trivially
 * forged: treat a match as evidence to combine with JA4/JA4H and packet signatures.
 */
export function matchUserAgent(ua: string, path: string = DEFAULT_USER_AGENT_TABLE): UserAgentMatch | null {
  const rules = compiledRules(path);
  const text = ua.length > MAX_USER_AGENT_CHARS ? ua.slice(0, MAX_USER_AGENT_CHARS) : ua;
  const lower = text.toLowerCase();
  for (const r of rules) {
    const hit =
      r.match === 'substring'
        ? lower.includes(r.lower)
        : r.match === 'prefix'
          ? lower.startsWith(r.lower)
          : r.regex!.test(text);
    if (hit) return { tool: r.tool, category: r.category, pattern: r.pattern, source: r.source };
  }
  return null;
}
