import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeTcpOptions,
  Prng,
  parseIPv4,
  TCP_STACKS,
  type TcpOption,
  TcpSession,
  type TcpStackName,
  type TcpStackProfile,
} from '../../../scripts/pcapgen/index.js';
import { FlowRef, type SynRecord } from '../../../src/batch/format.js';
import {
  identifyScanner,
  type ScannerSynInput,
  scannerInputFromSyn,
} from '../../../src/fingerprints/scanners.js';

// ---- inputs -----------------------------------------------------------------------------------------

const MSS = (value: number): TcpOption => ({ kind: 'mss', value });
const WS = (shift: number): TcpOption => ({ kind: 'wscale', shift });
const NOP: TcpOption = { kind: 'nop' };
const EOL: TcpOption = { kind: 'eol' };
const SOK: TcpOption = { kind: 'sackPermitted' };
const TS = (tsval: number, tsecr = 0): TcpOption => ({ kind: 'timestamps', tsval, tsecr });

const SYN = 0x02;
const DF = 0x2;

/** A plain client SYN (Linux-like); tests override what they describe. */
function syn(over: Partial<ScannerSynInput> = {}): ScannerSynInput {
  return {
    ipVersion: 4,
    dstIp: parseIPv4('198.18.0.10'),
    dstPort: 22,
    srcPort: 40001,
    ttl: 61,
    ipId: 0x1c2d,
    ipFlags: DF,
    seq: 0x12345678,
    ack: 0,
    window: 64240,
    tcpFlags: SYN,
    urgPtr: 0,
    options: encodeTcpOptions([MSS(1460), SOK, TS(1000), NOP, WS(7)]),
    payloadLen: 0,
    isSynAck: false,
    ...over,
  };
}

const u32 = (b: Uint8Array): number => ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
/** masscan's IP ID for a probe (docs/behavior.md §3.2: dst IP ⊕ dst port ⊕ seq, low 16 bits). */
const masscanIpId = (dst: Uint8Array, port: number, seq: number): number =>
  ((u32(dst) ^ port ^ seq) & 0xffff) >>> 0;

/** Decodes the first frame of a pcapgen session (Ethernet, IPv4, TCP) into a scanner input. */
function decodeSynFrame(frame: Uint8Array): ScannerSynInput {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  expect(dv.getUint16(12)).toBe(0x0800);
  const ip = 14;
  const ihl = (frame[ip]! & 0x0f) * 4;
  const tcp = ip + ihl;
  const doff = (frame[tcp + 12]! >> 4) * 4;
  return {
    ipVersion: 4,
    dstIp: frame.slice(ip + 16, ip + 20),
    dstPort: dv.getUint16(tcp + 2),
    srcPort: dv.getUint16(tcp),
    ttl: frame[ip + 8]!,
    ipId: dv.getUint16(ip + 4),
    ipFlags: frame[ip + 6]! >> 5,
    seq: dv.getUint32(tcp + 4),
    ack: dv.getUint32(tcp + 8),
    window: dv.getUint16(tcp + 14),
    tcpFlags: ((frame[tcp + 12]! & 1) << 8) | frame[tcp + 13]!,
    urgPtr: dv.getUint16(tcp + 18),
    options: frame.slice(tcp + 20, tcp + doff),
    payloadLen: dv.getUint16(ip + 2) - ihl - doff,
    isSynAck: false,
  };
}

/** The client SYN a pcapgen stack sends. */
function pcapgenSyn(stack: TcpStackName | TcpStackProfile, seed: number, hops = 0): ScannerSynInput {
  const s = new TcpSession({
    client: { ip: `203.0.113.${(seed % 250) + 1}`, port: 40000 + seed, stack, hops },
    server: { ip: '198.18.0.10', port: [22, 80, 443, 445, 3389][seed % 5]! },
    prng: new Prng(seed),
  });
  s.syn();
  return decodeSynFrame(s.packets[0]!.frame);
}

// ---- real stacks -------------------------------------------------------------------------------------

/** Real OS SYNs (besides pcapgen's linux/windows/macos), from p0f v3 signatures and captures. */
const REAL_STACKS: Array<[string, Partial<ScannerSynInput>]> = [
  ['Linux 2.6', { window: 5840, options: encodeTcpOptions([MSS(1460), SOK, TS(5), NOP, WS(7)]) }],
  ['Linux 3.x', { window: 29200, options: encodeTcpOptions([MSS(1460), SOK, TS(5), NOP, WS(7)]) }],
  ['Android', { window: 65535, options: encodeTcpOptions([MSS(1460), SOK, TS(5), NOP, WS(8)]) }],
  ['Windows XP', { ttl: 128, window: 65535, options: encodeTcpOptions([MSS(1460), NOP, NOP, SOK]) }],
  [
    'Windows 7',
    { ttl: 128, window: 8192, options: encodeTcpOptions([MSS(1460), NOP, WS(8), NOP, NOP, SOK]) },
  ],
  [
    'Windows 10',
    { ttl: 128, window: 64240, options: encodeTcpOptions([MSS(1460), NOP, WS(8), NOP, NOP, SOK]) },
  ],
  [
    'Windows, tuned window',
    { ttl: 128, window: 65535, options: encodeTcpOptions([MSS(1460), NOP, WS(8), NOP, NOP, SOK]) },
  ],
  ['FreeBSD', { window: 65535, options: encodeTcpOptions([MSS(1460), NOP, WS(6), SOK, TS(9)]) }],
  [
    'OpenBSD',
    { window: 16384, options: encodeTcpOptions([MSS(1460), NOP, NOP, SOK, NOP, WS(3), NOP, NOP, TS(9)]) },
  ],
  [
    'iOS',
    { ipId: 0, window: 65535, options: encodeTcpOptions([MSS(1460), NOP, WS(6), NOP, NOP, TS(9), SOK, EOL]) },
  ],
  ['Linux barebone (MSS only, DF)', { window: 1024, options: encodeTcpOptions([MSS(1460)]) }],
  ['Linux 2.0 (MSS only, no DF)', { ipFlags: 0, window: 16384, options: encodeTcpOptions([MSS(1460)]) }],
  ['IPv6 Linux', { ipVersion: 6, dstIp: new Uint8Array(16).fill(0x20), ipId: 0, ipFlags: 0 }],
];

describe('identifyScanner: real OS stacks are never scanners', () => {
  it.each(['linux', 'windows', 'macos'] as const)('pcapgen %s SYNs', (stack) => {
    for (let seed = 1; seed <= 50; seed++)
      expect(identifyScanner(pcapgenSyn(stack, seed, seed % 20))).toBeNull();
  });

  it.each(REAL_STACKS)('%s', (_name, over) => {
    expect(identifyScanner(syn(over))).toBeNull();
  });

  it('random ports, sequence numbers, IP IDs and hop counts on real layouts', () => {
    const layout = fc.constantFrom(...REAL_STACKS.map(([, o]) => o), {});
    fc.assert(
      fc.property(
        layout,
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 0xffff }),
        fc.integer({ min: 0, max: 25 }),
        (over, dstIp, dstPort, seq, ipId, hops) => {
          const base = syn(over);
          if (base.ipVersion === 6) return;
          fc.pre(seq !== u32(dstIp)); // Mirai's rule (1 in 2^32)
          const r = identifyScanner({ ...base, dstIp, dstPort, seq, ipId, ttl: base.ttl - hops });
          expect(r).toBeNull();
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// ---- scanners ----------------------------------------------------------------------------------------

describe('nmap SYN scan (docs/behavior.md §3.2)', () => {
  const nmap = (over: Partial<ScannerSynInput> = {}) =>
    syn({ ipFlags: 0, window: 1024, options: encodeTcpOptions([MSS(1460)]), ttl: 45, ...over });

  it('window 1024, MSS 1460 only, no DF, TTL 37–59: high', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 37, max: 59 }),
        fc.nat({ max: 0xffff }),
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 1, max: 65535 }),
        (ttl, ipId, seq, dstPort) => {
          const input = nmap({ ttl, ipId, seq, dstPort });
          fc.pre(masscanIpId(input.dstIp, dstPort, seq) !== ipId && seq !== u32(input.dstIp));
          expect(identifyScanner(input)).toMatchObject({ tool: 'nmap', confidence: 'high', variant: null });
        },
      ),
      { numRuns: 1000 },
    );
    expect(identifyScanner(nmap())!.evidence).toEqual([
      'window == 1024 (nmap SYN scan default)',
      'only MSS 1460 (nmap SYN scan)',
      'TTL 45 ≤ 59 (nmap picks 37–59)',
      'DF not set',
    ]);
  });

  it('the old 2048/3072/4096 windows and option-less SYNs: medium', () => {
    for (const window of [2048, 3072, 4096]) {
      expect(identifyScanner(nmap({ window }))).toMatchObject({ tool: 'nmap', confidence: 'medium' });
    }
    expect(identifyScanner(nmap({ options: new Uint8Array(0) }))).toMatchObject({
      tool: 'nmap',
      confidence: 'medium',
    });
    expect(identifyScanner(nmap({ ttl: 64 }))).toMatchObject({ tool: 'nmap', confidence: 'medium' });
  });

  it('IPv6 (hop limit, no IP ID)', () => {
    const v6 = nmap({ ipVersion: 6, dstIp: new Uint8Array(16).fill(0x20), ipId: 0 });
    expect(identifyScanner(v6)).toMatchObject({ tool: 'nmap', confidence: 'high' });
  });

  it('what nmap never sends is not nmap: DF, TTL > 64, payload, other windows', () => {
    expect(identifyScanner(nmap({ ipFlags: DF }))).toBeNull();
    expect(identifyScanner(nmap({ ttl: 120 }))).toBeNull();
    expect(identifyScanner(nmap({ payloadLen: 10 }))).toBeNull();
    expect(identifyScanner(nmap({ window: 1025 }))).toBeNull();
    expect(identifyScanner(nmap({ options: encodeTcpOptions([MSS(1400)]) }))).toBeNull();
    expect(identifyScanner(nmap({ isSynAck: true }))).toBeNull();
  });

  it("pcapgen's nmap stack follows nmap (TTL 45, window 1024, MSS 1460, random IP ID)", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const input = pcapgenSyn('nmap', seed);
      if (masscanIpId(input.dstIp, input.dstPort, input.seq) === input.ipId) continue; // 1 in 65536
      expect(identifyScanner(input)).toMatchObject({ tool: 'nmap', confidence: 'high' });
    }
  });
});

describe('nmap OS detection probes (osscan2.cc; nmap.org/book/osdetect-methods.html)', () => {
  const FF = 0xffffffff;
  const T_OPTS = [WS(10), NOP, MSS(265), TS(FF), SOK];
  /** The probe set as nmap documents it: name, window, options, TCP flags. */
  const PROBES: Array<[string, number, TcpOption[], number]> = [
    ['SEQ1', 1, [WS(10), NOP, MSS(1460), TS(FF), SOK], SYN],
    ['SEQ2', 63, [MSS(1400), WS(0), SOK, TS(FF), EOL], SYN],
    ['SEQ3', 4, [TS(FF), NOP, NOP, WS(5), NOP, MSS(640)], SYN],
    ['SEQ4', 4, [SOK, TS(FF), WS(10), EOL], SYN],
    ['SEQ5', 16, [MSS(536), SOK, TS(FF), WS(10), EOL], SYN],
    ['SEQ6', 512, [MSS(265), SOK, TS(FF)], SYN],
    ['ECN', 3, [WS(10), NOP, MSS(1460), SOK, NOP, NOP], SYN | 0x40 | 0x80],
    ['T2', 128, T_OPTS, 0],
    ['T3', 256, T_OPTS, SYN | 0x01 | 0x20 | 0x08],
    ['T4', 1024, T_OPTS, 0x10],
    ['T5', 31337, T_OPTS, SYN],
    ['T6', 32768, T_OPTS, 0x10],
    ['T7', 65535, [WS(15), NOP, MSS(265), TS(FF), SOK], 0x01 | 0x08 | 0x20],
  ];

  it.each(PROBES)('%s', (name, window, opts, tcpFlags) => {
    const input = syn({
      window,
      tcpFlags,
      options: encodeTcpOptions(opts),
      ttl: 50,
      ipFlags: 0,
      ack: 0x5a5a5a5a,
      urgPtr: name === 'ECN' ? 0xf7f5 : 0,
    });
    const r = identifyScanner(input);
    expect(r).toMatchObject({ tool: 'nmap-os', confidence: 'high', variant: name });
    expect(r!.evidence[0]).toContain(`nmap OS probe ${name}`);
  });

  it('the ECN layout without its flags and urgent pointer is not enough', () => {
    const opts = encodeTcpOptions([WS(10), NOP, MSS(1460), SOK, NOP, NOP]);
    expect(identifyScanner(syn({ window: 3, options: opts, ipFlags: 0, ttl: 50 }))).toBeNull();
  });

  it('a probe layout with an unexpected window is medium; first-generation probes are medium', () => {
    const r = identifyScanner(syn({ window: 999, options: encodeTcpOptions(T_OPTS), ttl: 50 }));
    expect(r).toMatchObject({ tool: 'nmap-os', confidence: 'medium', variant: null });
    const gen1 = encodeTcpOptions([WS(10), NOP, MSS(265), TS(0x3f3f3f3f), EOL]);
    expect(identifyScanner(syn({ window: 3072, options: gen1, ipFlags: 0, ttl: 41 }))).toMatchObject({
      tool: 'nmap-os',
      confidence: 'medium',
      variant: 'gen1',
    });
  });
});

describe('masscan (src/templ-pkt.c)', () => {
  const masscan = (over: Partial<ScannerSynInput> = {}): ScannerSynInput => {
    const base = syn({ ipFlags: 0, ttl: 255, window: 1024, options: new Uint8Array(0), ...over });
    return { ...base, ipId: over.ipId ?? masscanIpId(base.dstIp, base.dstPort, base.seq) };
  };

  it('ip_id == (dst_ip ^ dst_port ^ seq) & 0xFFFF with the template: high, for any target', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 230, max: 255 }),
        fc.boolean(),
        (dstIp, dstPort, seq, ttl, mss) => {
          fc.pre(seq !== u32(dstIp));
          const options = mss ? encodeTcpOptions([MSS(1460)]) : new Uint8Array(0);
          const r = identifyScanner(masscan({ dstIp, dstPort, seq, ttl, options }));
          expect(r).toMatchObject({ tool: 'masscan', confidence: 'high' });
          expect(r!.evidence[0]).toBe('ip_id == (dst_ip ^ dst_port ^ seq) & 0xFFFF (masscan)');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('evidence names each rule', () => {
    expect(identifyScanner(masscan({ options: encodeTcpOptions([MSS(1460)]) }))!.evidence).toEqual([
      'ip_id == (dst_ip ^ dst_port ^ seq) & 0xFFFF (masscan)',
      'window == 1024 (masscan template)',
      'initial TTL 255 (masscan default)',
      'only MSS 1460 (masscan default --tcp-mss since Nov 2023)',
    ]);
  });

  it('an nmap SYN whose random ip_id happens to fit the equation is at most medium masscan', () => {
    const input = masscan({ ttl: 45, options: encodeTcpOptions([MSS(1460)]) });
    expect(identifyScanner(input)).toMatchObject({ tool: 'masscan', confidence: 'medium' });
  });

  it('the equation with one template trait is medium; alone (1 SYN in 65536 by chance) it is nothing', () => {
    const linuxOpts = encodeTcpOptions([MSS(1460), SOK, TS(5), NOP, WS(7)]);
    expect(identifyScanner(masscan({ ttl: 60, options: linuxOpts }))).toMatchObject({
      tool: 'masscan',
      confidence: 'medium',
    });
    expect(identifyScanner(masscan({ ttl: 60, window: 64240, options: linuxOpts, ipFlags: DF }))).toBeNull();
  });

  it("pcapgen's masscan stack does not follow masscan: its IP ID is random, not the equation", () => {
    // scripts/pcapgen/tcp-options.ts models masscan with ipId 'random'; the masscan SYNs above are
    // built from docs/behavior.md §3.2 instead. Without the equation the SYN is masscan's template only.
    expect(TCP_STACKS.masscan.ipId).toBe('random');
    let equationHeld = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const input = pcapgenSyn('masscan', seed);
      if (masscanIpId(input.dstIp, input.dstPort, input.seq) === input.ipId) equationHeld++;
      expect(identifyScanner(input)?.tool ?? null).not.toBe('masscan');
    }
    expect(equationHeld).toBe(0);
  });
});

describe('ZMap (src/probe_modules/packet.c, module_tcp_synscan.c)', () => {
  const zmapOld = (over: Partial<ScannerSynInput> = {}) =>
    syn({
      ipFlags: 0,
      ttl: 255,
      ipId: 54321,
      window: 65535,
      options: encodeTcpOptions([MSS(1460)]),
      ...over,
    });
  const WINDOWS_STYLE = encodeTcpOptions([MSS(1460), NOP, WS(8), NOP, NOP, SOK]);

  it('before 4.1.0: ip_id 54321 with window 65535 (TTL 255 before 3.0, 64 after; no options or MSS 1460)', () => {
    for (const over of [{}, { ttl: 64 }, { ttl: 250, options: new Uint8Array(0) }]) {
      expect(identifyScanner(zmapOld(over))).toMatchObject({
        tool: 'zmap',
        confidence: 'high',
        variant: '<4.1',
      });
    }
    expect(identifyScanner(zmapOld())!.evidence).toEqual([
      'ip_id == 54321 (ZMap before 4.1.0)',
      'window == 65535 (ZMap)',
      'initial TTL 255 (ZMap before 3.0.0)',
      'only MSS 1460 (ZMap 2.x–4.0)',
    ]);
  });

  it('ip_id 54321 alone is not ZMap (raw-socket code copied from tutorials uses it too)', () => {
    expect(identifyScanner(zmapOld({ window: 5840 }))).toBeNull();
  });

  it('4.1.0+: random ip_id, Windows-style options, window 65535, TTL 64, no DF: medium', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffff }), fc.integer({ min: 40, max: 64 }), (ipId, ttl) => {
        fc.pre(ipId !== 54321);
        const input = syn({ ipFlags: 0, ttl, ipId, window: 65535, options: WINDOWS_STYLE });
        fc.pre(masscanIpId(input.dstIp, input.dstPort, input.seq) !== ipId);
        expect(identifyScanner(input)).toMatchObject({
          tool: 'zmap',
          confidence: 'medium',
          variant: '>=4.1',
        });
      }),
      { numRuns: 500 },
    );
    const smallest = syn({ ipFlags: 0, ttl: 60, window: 65535, options: encodeTcpOptions([MSS(1460)]) });
    expect(identifyScanner(smallest)).toMatchObject({ tool: 'zmap', confidence: 'medium' });
  });

  it('the same options from Windows itself (TTL 128, DF, window 64240/8192/65535) are not ZMap', () => {
    for (const window of [64240, 8192, 65535]) {
      expect(identifyScanner(syn({ ttl: 127, window, options: WINDOWS_STYLE }))).toBeNull();
    }
    expect(identifyScanner(syn({ ttl: 64, window: 65535, options: WINDOWS_STYLE }))).toBeNull(); // DF set
  });

  it("pcapgen's zmap stack is ZMap before 4.1 (ip_id 54321, TTL 255, window 65535, MSS 1460)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      expect(identifyScanner(pcapgenSyn('zmap', seed))).toMatchObject({ tool: 'zmap', variant: '<4.1' });
    }
  });
});

describe('unicornscan and Mirai', () => {
  it('unicornscan default (Cisco IOS imitation: window 4128, MSS only, TTL 255, no DF): medium', () => {
    const u = syn({ ipFlags: 0, ttl: 252, window: 4128, options: encodeTcpOptions([MSS(1460)]) });
    expect(identifyScanner(u)).toMatchObject({ tool: 'unicornscan', confidence: 'medium' });
    expect(identifyScanner({ ...u, ipFlags: DF })).toBeNull();
    expect(identifyScanner({ ...u, ttl: 60 })).toBeNull();
  });

  it('Mirai: seq == dst_ip', () => {
    const dstIp = parseIPv4('198.18.7.9');
    const r = identifyScanner(
      syn({ dstIp, dstPort: 23, seq: u32(dstIp), window: 23456, ipFlags: 0, options: new Uint8Array(0) }),
    );
    expect(r).toMatchObject({ tool: 'mirai', confidence: 'high' });
    expect(r!.evidence).toEqual([
      'seq == dst_ip (Mirai-family SYN scanner)',
      'dst_port 23 (Mirai telnet scan)',
      'no TCP options',
    ]);
  });
});

describe('scannerInputFromSyn', () => {
  /** A SynRecord as src/batch/format.ts decodes one (FlowRef addresses live at base+24 / base+40). */
  function record(over: Partial<SynRecord>, ipVersion: 4 | 6 = 4): SynRecord {
    const bytes = new Uint8Array(64);
    bytes.set(parseIPv4('203.0.113.5'), 24);
    bytes.set(parseIPv4('198.18.0.10'), 40);
    const flow = new FlowRef(bytes, 0, 7, ipVersion, 6, 51000, 1080, 0);
    return {
      type: 1,
      flags: 0,
      flow,
      tsUs: 0,
      seq: 0,
      ack: 0,
      flowLabel: 0,
      window: 1024,
      ipId: 0,
      ipTotalLen: 44,
      urgPtr: 0,
      payloadLen: 0,
      tcpFlags: SYN,
      ttl: 255,
      tos: 0,
      ipFlags: 0,
      ipOptsLen: 0,
      tcpReserved: 0,
      synCount: 1,
      options: new Uint8Array(0),
      ...over,
    };
  }

  it('maps the record and copies addresses and options out of the batch', () => {
    const seq = 0x9abcdef0;
    const ipId = masscanIpId(parseIPv4('198.18.0.10'), 1080, seq);
    const rec = record({ seq, ipId, flags: 2 /* scanRepresentative */ });
    const input = scannerInputFromSyn(rec);
    expect(input).toMatchObject({
      ipVersion: 4,
      dstPort: 1080,
      srcPort: 51000,
      ttl: 255,
      ipId,
      seq,
      window: 1024,
      isSynAck: false,
    });
    expect([...input.dstIp]).toEqual([198, 18, 0, 10]);
    expect(input.dstIp.buffer).not.toBe(rec.flow.serverIp.buffer);
    expect(identifyScanner(input)).toMatchObject({ tool: 'masscan', confidence: 'high' });
  });

  it('a SYN+ACK record is never a scanner', () => {
    const rec = record({
      flags: 1,
      tcpFlags: 0x12,
      window: 1024,
      ttl: 50,
      options: encodeTcpOptions([MSS(1460)]),
    });
    expect(scannerInputFromSyn(rec).isSynAck).toBe(true);
    expect(identifyScanner(scannerInputFromSyn(rec))).toBeNull();
  });
});

// ---- p0f v3's own request signatures as a second opinion ----------------------------------------------

/** The repository's copy, else a system one (Debian's p0f package); the test is skipped without either. */
const P0F_DB = [fileURLToPath(new URL('../../../data/p0f/p0f.fp', import.meta.url)), '/etc/p0f/p0f.fp'].find(
  (p) => existsSync(p),
);

/** The SYN a p0f v3 request signature describes (ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass). */
function synFromP0f(sig: string, label: string, windowIfAny: number): ScannerSynInput {
  const [, ittl, , mssText, win, layout, quirks] = sig.split(':') as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const q = new Set(quirks.split(',').filter(Boolean));
  const mss = mssText === '*' ? 1460 : Number(mssText);
  const [wsize, scaleText] = win.split(',') as [string, string];
  const scale = scaleText === '*' ? 7 : Number(scaleText);
  let window = windowIfAny;
  if (wsize.startsWith('mss*')) window = mss * Number(wsize.slice(4));
  else if (wsize.startsWith('mtu*')) window = (mss + 40) * Number(wsize.slice(4));
  else if (wsize.startsWith('%')) window = Number(wsize.slice(1)) * 2;
  else if (wsize !== '*') window = Number(wsize);
  const nmapOs = label.includes('NMap:OS');
  const bytes: number[] = [];
  for (const o of layout.split(',')) {
    if (o === 'nop') bytes.push(1);
    else if (o === 'mss') bytes.push(2, 4, mss >> 8, mss & 0xff);
    else if (o === 'ws') bytes.push(3, 3, scale);
    else if (o === 'sok') bytes.push(4, 2);
    else if (o === 'ts')
      bytes.push(
        8,
        10,
        ...(nmapOs ? [255, 255, 255, 255] : q.has('ts1-') ? [0, 0, 0, 0] : [0, 1, 2, 3]),
        0,
        0,
        0,
        q.has('ts2+') ? 1 : 0,
      );
    else if (o.startsWith('eol+')) bytes.push(0, ...new Array<number>(Number(o.slice(4))).fill(0));
    else if (o === 'sack') bytes.push(5, 10, 0, 0, 0, 1, 0, 0, 0, 2);
    else if (o.startsWith('?')) bytes.push(Number(o.slice(1)), 2);
  }
  const ttlMax = Number.parseInt(ittl, 10);
  return syn({
    ttl: ittl.endsWith('-') ? 50 : ttlMax - 2,
    ipFlags: q.has('df') ? DF : 0,
    ipId: q.has('id-') ? 0 : q.has('df') && !q.has('id+') ? 0 : 0x3b1f,
    window,
    ack: q.has('ack+') ? 0x5a5a5a5a : 0,
    urgPtr: q.has('uptr+') ? 0xf7f5 : 0,
    tcpFlags: SYN | (q.has('ecn') ? 0xc0 : 0),
    options: new Uint8Array(bytes),
  });
}

describe.skipIf(P0F_DB === undefined)('p0f v3 request signatures', () => {
  it('NMap rows are nmap / nmap-os; every OS row is null', () => {
    const text = readFileSync(P0F_DB!, 'latin1');
    const section = text.slice(text.indexOf('[tcp:request]'), text.indexOf('[tcp:response]'));
    let label = '';
    const tally = { nmap: 0, nmapOs: 0, os: 0 };
    for (const line of section.split('\n')) {
      const m = /^(label|sig)\s*=\s*(.*)$/.exec(line.trim());
      if (m === null) continue;
      if (m[1] === 'label') {
        label = m[2]!;
        continue;
      }
      for (const windowIfAny of [29200, 65535, 1024]) {
        const r = identifyScanner(synFromP0f(m[2]!, label, windowIfAny));
        const at = `${label} ${m[2]} (window ${windowIfAny})`;
        if (label.includes('NMap:SYN scan')) {
          expect(r?.tool, at).toBe('nmap');
          tally.nmap++;
        } else if (label.includes('NMap:OS')) {
          expect(r?.tool, at).toBe('nmap-os');
          tally.nmapOs++;
        } else {
          expect(r, at).toBeNull();
          tally.os++;
        }
      }
    }
    expect(tally.nmap).toBeGreaterThanOrEqual(4);
    expect(tally.nmapOs).toBeGreaterThanOrEqual(8);
    expect(tally.os).toBeGreaterThan(100);
  });
});
