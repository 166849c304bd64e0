// Live capture on a veth pair into a network namespace of our own (198.18.0.0/24, RFC 2544
// benchmarking space): a real TLS client (curl) talks to a real server (openssl s_server) while
// deckscope captures. tcpdump records the same traffic so tshark's JA3/JA3S of it are the
// independent expected values. Needs root (CI is root); skips with the reason otherwise.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureLive,
  createNamespace,
  deleteNamespace,
  inNamespace,
  listening,
  liveSkipReason,
  sh,
  vethNamespace,
} from '../helpers/netns.js';

const reason = liveSkipReason(['ip', 'openssl', 'curl', 'tcpdump', 'tshark']);
if (reason) console.log(`live capture test skipped: ${reason}`);

const NET = vethNamespace('ds', '198.18.0');
const { hostIf: HOST_IF, hostIp: HOST_IP, nsIp: NS_IP } = NET;

describe.skipIf(Boolean(reason))('live capture on a veth pair', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-live-'));
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    createNamespace(NET);
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
    server = inNamespace(NET, [
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
    ]);
    await listening(NET, 8443);
  });

  afterAll(() => {
    server?.kill('SIGKILL');
    deleteNamespace(NET);
  });

  it('fingerprints a real TLS handshake as it happens', async () => {
    const { events, summary, pcap } = await captureLive(HOST_IF, 'tcp port 8443', async () => {
      for (const args of [['--tlsv1.3'], ['--tlsv1.2', '--tls-max', '1.2']]) {
        const r = spawnSync('curl', ['-sk', '--max-time', '5', ...args, `https://${NS_IP}:8443/`], {
          encoding: 'utf8',
        });
        expect(r.status).toBe(0);
      }
    });

    expect(summary.capture.kernel).not.toBeNull();
    expect(summary.capture.kernel?.dropped).toBe(0);
    const hellos = events.filter((e) => e.event_type === 'tls_client_hello');
    const sessions = events.filter((e) => e.event_type === 'tls_session');
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
    const syns = events.filter((e) => e.event_type === 'tcp_syn_fingerprint');
    expect(syns).toHaveLength(1);
    expect(syns[0]).toMatchObject({ src_ip: HOST_IP, ttl: 64, initial_ttl: 64 });
    expect(events.filter((e) => e.event_type === 'tcp_syn_repeat')).toEqual([
      expect.objectContaining({ repeats: 1, src_ip: HOST_IP }),
    ]);
  });
});
