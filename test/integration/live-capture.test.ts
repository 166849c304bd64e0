// Live capture on a veth pair into a network namespace of our own (198.18.0.0/24, RFC 2544
// benchmarking space): a real TLS client (curl) talks to a real server (openssl s_server) while
// deckscope captures. tcpdump records the same traffic so tshark's JA3/JA3S of it are the
// independent expected values. Needs root (CI is root); skips with the reason otherwise.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pipeline } from '../../src/pipeline.js';
import { MemorySink } from '../../src/sinks/memory.js';

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['ip', 'openssl', 'curl', 'tcpdump', 'tshark'].filter((c) => !have(c));
const isRoot = process.getuid?.() === 0;
const reason = !isRoot
  ? 'not root (live capture needs CAP_NET_RAW)'
  : missing.length
    ? `missing ${missing.join(', ')}`
    : '';
if (reason) console.log(`live capture test skipped: ${reason}`);

const NS = `ds${process.pid}`;
const HOST_IF = `vds${process.pid % 100000}a`;
const NS_IF = `vds${process.pid % 100000}b`;
const HOST_IP = '198.18.0.1';
const NS_IP = '198.18.0.2';
const sh = (args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(Boolean(reason))('live capture on a veth pair', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-live-'));
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    sh(['ip', 'netns', 'add', NS]);
    sh(['ip', 'link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF]);
    sh(['ip', 'link', 'set', NS_IF, 'netns', NS]);
    sh(['ip', 'addr', 'add', `${HOST_IP}/24`, 'dev', HOST_IF]);
    sh(['ip', 'link', 'set', HOST_IF, 'up']);
    sh(['ip', 'netns', 'exec', NS, 'ip', 'addr', 'add', `${NS_IP}/24`, 'dev', NS_IF]);
    sh(['ip', 'netns', 'exec', NS, 'ip', 'link', 'set', NS_IF, 'up']);
    sh(['ip', 'netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
    sh([
      'openssl',
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      '/CN=decoy.test',
      '-days',
      '1',
    ]);
    server = spawn(
      'ip',
      [
        'netns',
        'exec',
        NS,
        'openssl',
        's_server',
        '-quiet',
        '-accept',
        `${NS_IP}:8443`,
        '-cert',
        join(dir, 'cert.pem'),
        '-key',
        join(dir, 'key.pem'),
        '-www',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 50; i++) {
      const probe = spawnSync('ip', ['netns', 'exec', NS, 'sh', '-c', `ss -ltn | grep -q ${NS_IP}:8443`]);
      if (probe.status === 0) break;
      await sleep(100);
    }
  });

  afterAll(() => {
    server?.kill('SIGKILL');
    spawnSync('ip', ['link', 'del', HOST_IF]);
    spawnSync('ip', ['netns', 'del', NS]);
  });

  it('fingerprints a real TLS handshake as it happens', async () => {
    const pcap = join(dir, 'witness.pcap');
    const witness = spawn('tcpdump', ['-i', HOST_IF, '-U', '-w', pcap, 'tcp port 8443'], { stdio: 'ignore' });
    const sink = new MemorySink();
    const pipeline = new Pipeline({
      interface: HOST_IF,
      filter: 'tcp port 8443',
      sensorId: 'live-test',
      ja4plus: true,
      workers: 1,
      honeypots: [],
      sink,
    });
    const done = pipeline.run();
    await sleep(500); // tcpdump needs a moment to open its handle
    for (const args of [['--tlsv1.3'], ['--tlsv1.2', '--tls-max', '1.2']]) {
      const r = spawnSync('curl', ['-sk', '--max-time', '5', ...args, `https://${NS_IP}:8443/`], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(0);
    }
    await sleep(1500);
    pipeline.stop();
    const summary = await done;
    witness.kill('SIGINT');
    await new Promise((r) => witness.once('exit', r));

    expect(summary.capture.kernel).not.toBeNull();
    expect(summary.capture.kernel?.dropped).toBe(0);
    const hellos = sink.events.filter((e) => e.event_type === 'tls_client_hello');
    const sessions = sink.events.filter((e) => e.event_type === 'tls_session');
    expect(hellos).toHaveLength(2);
    expect(sessions).toHaveLength(2);
    for (const h of hellos) {
      expect(h).toMatchObject({
        src_ip: HOST_IP,
        dst_ip: NS_IP,
        dst_port: 8443,
        transport: 'tcp',
        sni: null,
      });
      // No SNI (curl to an address); ALPN is what this curl build offers first (h2 or http/1.1).
      expect(h.ja4).toMatch(/^t1[23]i\d{4}(h2|h1|00)_[0-9a-f]{12}_[0-9a-f]{12}$/);
    }
    expect(sessions.map((s) => s.tls_version).sort()).toEqual(['TLS 1.2', 'TLS 1.3']);

    // Independent oracle: tshark's JA3/JA3S over tcpdump's copy of the same packets.
    const tsv = execFileSync(
      'tshark',
      [
        '-r',
        pcap,
        '-Y',
        'tls.handshake.type==1 || tls.handshake.type==2',
        '-T',
        'fields',
        '-e',
        'tls.handshake.ja3',
        '-e',
        'tls.handshake.ja3s',
      ],
      { encoding: 'utf8' },
    );
    const ja3 = tsv
      .split('\n')
      .map((l) => l.split('\t')[0])
      .filter(Boolean)
      .sort();
    const ja3s = tsv
      .split('\n')
      .map((l) => l.split('\t')[1])
      .filter(Boolean)
      .sort();
    expect(hellos.map((h) => h.ja3).sort()).toEqual(ja3);
    expect(sessions.map((s) => s.ja3s).sort()).toEqual(ja3s);
    // Both connections come from the same stack: one SYN event, the second SYN counted.
    const syns = sink.events.filter((e) => e.event_type === 'tcp_syn_fingerprint');
    expect(syns).toHaveLength(1);
    expect(syns[0]).toMatchObject({ src_ip: HOST_IP, ttl: 64, initial_ttl: 64 });
    expect(sink.events.filter((e) => e.event_type === 'tcp_syn_repeat')).toEqual([
      expect.objectContaining({ repeats: 1, src_ip: HOST_IP }),
    ]);
  });
});
