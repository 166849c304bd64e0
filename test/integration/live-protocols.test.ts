// Real clients against real servers in a network namespace of our own (198.18.0.0/24, RFC 2544
// benchmarking space), captured live on the host end of a veth pair: OpenSSH against sshd on a
// non-standard port, curl against an HTTP server on 8080, an SMTP dialogue, and an nmap SYN scan.
// tcpdump records the same traffic so tshark's view of it gives the independent expected values
// (HASSH, HASSHServer, HTTP request lines). Needs root (CI is root); skips with the reason
// otherwise, and each part skips when its client is not installed.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureLive,
  createNamespace,
  deleteNamespace,
  have,
  inNamespace,
  listening,
  liveSkipReason,
  sh,
  vethNamespace,
} from '../helpers/netns.js';

const reason = liveSkipReason(['ip', 'tcpdump', 'tshark']);
if (reason) console.log(`live protocol tests skipped: ${reason}`);
const haveSsh = have('ssh') && have('ssh-keygen') && spawnSync('test', ['-x', '/usr/sbin/sshd']).status === 0;
const haveCurl = have('curl');
const haveNmap = have('nmap');
if (!reason && !haveSsh) console.log('live SSH test skipped: openssh-server/openssh-client missing');
if (!reason && !haveNmap) console.log('live nmap test skipped: nmap missing');

const NET = vethNamespace('dp', '198.18.1');
const { hostIf: HOST_IF, hostIp: HOST_IP, nsIp: NS_IP } = NET;
const SSH_PORT = 2222;
const HTTP_PORT = 8080;
const SMTP_PORT = 2525;
const inNs = (args: string[]) => inNamespace(NET, args);
const capture = (filter: string, traffic: () => Promise<void>) => captureLive(HOST_IF, filter, traffic);

function tsharkFields(pcap: string, display: string, fields: string[], decodeAs: string[] = []): string[][] {
  const out = execFileSync(
    'tshark',
    [
      '-r',
      pcap,
      ...decodeAs.flatMap((d) => ['-d', d]),
      '-Y',
      display,
      '-T',
      'fields',
      ...fields.flatMap((f) => ['-e', f]),
    ],
    {
      encoding: 'utf8',
    },
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}

const run = (cmd: string, args: string[]) =>
  new Promise<number | null>((resolve) => {
    const p = spawn(cmd, args, { stdio: 'ignore' });
    p.once('exit', (code) => resolve(code));
  });

describe.skipIf(Boolean(reason))('live protocols in a network namespace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-ns-'));
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    createNamespace(NET);

    // HTTP and SMTP decoys: small Node servers inside the namespace.
    const httpJs = join(dir, 'http.mjs');
    writeFileSync(
      httpJs,
      `import http from 'node:http';
http.createServer((q, s) => { s.setHeader('Server', 'decoy/1.0'); s.end('ok\\n'); }).listen(${HTTP_PORT}, '${NS_IP}');`,
    );
    const smtpJs = join(dir, 'smtp.mjs');
    writeFileSync(
      smtpJs,
      `import net from 'node:net';
net.createServer((c) => {
  c.write('220 decoy.test ESMTP Postfix\\r\\n');
  let inData = false, buf = '';
  c.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\\r$/, ''); buf = buf.slice(i + 1);
      if (inData) { if (line === '.') { inData = false; c.write('250 2.0.0 Ok: queued\\r\\n'); } continue; }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') c.write('250-decoy.test\\r\\n250-PIPELINING\\r\\n250 8BITMIME\\r\\n');
      else if (verb === 'DATA') { inData = true; c.write('354 End data with <CR><LF>.<CR><LF>\\r\\n'); }
      else if (verb === 'QUIT') { c.end('221 2.0.0 Bye\\r\\n'); }
      else c.write('250 2.1.0 Ok\\r\\n');
    }
  });
}).listen(${SMTP_PORT}, '${NS_IP}');`,
    );
    servers.push(inNs([process.execPath, httpJs]), inNs([process.execPath, smtpJs]));
    if (haveSsh) {
      sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
      spawnSync('mkdir', ['-p', '/run/sshd']);
      servers.push(
        inNs([
          '/usr/sbin/sshd',
          '-D',
          '-e',
          '-f',
          '/dev/null',
          '-p',
          String(SSH_PORT),
          '-o',
          `ListenAddress=${NS_IP}`,
          '-h',
          join(dir, 'host_ed25519'),
          '-o',
          'PidFile=none',
        ]),
      );
    }
    await listening(NET, HTTP_PORT);
    await listening(NET, SMTP_PORT);
    if (haveSsh) await listening(NET, SSH_PORT);
  });

  afterAll(() => {
    for (const s of servers) s.kill('SIGKILL');
    deleteNamespace(NET);
  });

  it.skipIf(!haveSsh)(
    'OpenSSH on port 2222: banners and both KEXINITs, HASSH as tshark computes it',
    async () => {
      const { events, pcap } = await capture(`tcp port ${SSH_PORT}`, async () => {
        // Authentication fails (no keys, BatchMode), after the key exchange we fingerprint.
        await run('ssh', [
          '-o',
          'BatchMode=yes',
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'ConnectTimeout=5',
          '-p',
          String(SSH_PORT),
          `nobody@${NS_IP}`,
          'true',
        ]);
      });
      const client = events.find((e) => e.event_type === 'ssh_client_banner');
      const server = events.find((e) => e.event_type === 'ssh_server_banner');
      expect(client).toMatchObject({ src_ip: HOST_IP, dst_ip: NS_IP, dst_port: SSH_PORT });
      expect(String(client?.banner)).toMatch(/^SSH-2\.0-OpenSSH_/);
      expect(String(server?.banner)).toMatch(/^SSH-2\.0-OpenSSH_/);
      expect(server).toMatchObject({ src_ip: HOST_IP, dst_port: SSH_PORT }); // the client stays src
      const kex = events.filter((e) => e.event_type === 'ssh_kexinit');
      expect(kex.map((k) => k.direction).sort()).toEqual(['client', 'server']);
      // tshark needs telling that 2222 is SSH; deckscope goes by content.
      const rows = tsharkFields(
        pcap,
        'ssh.kex.hassh || ssh.kex.hasshserver',
        ['ssh.kex.hassh', 'ssh.kex.hasshserver'],
        [`tcp.port==${SSH_PORT},ssh`],
      );
      const want = {
        hassh: rows.map((r) => r[0]).filter(Boolean),
        server: rows.map((r) => r[1]).filter(Boolean),
      };
      expect(want.hassh).toHaveLength(1);
      expect(kex.find((k) => k.direction === 'client')?.hassh).toBe(want.hassh[0]);
      expect(kex.find((k) => k.direction === 'server')?.hassh_server).toBe(want.server[0]);
    },
  );

  it.skipIf(!haveCurl)('curl against HTTP on 8080: http_request and http_response match tshark', async () => {
    const { events, pcap } = await capture(`tcp port ${HTTP_PORT}`, async () => {
      await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '--max-time',
        '5',
        `http://${NS_IP}:${HTTP_PORT}/admin/login.php?x=1`,
      ]);
    });
    const rows = tsharkFields(pcap, 'http.request', [
      'http.request.method',
      'http.request.uri',
      'http.user_agent',
      'http.host',
    ]);
    expect(rows).toHaveLength(1);
    const [method, uri, ua, host] = rows[0]!;
    const req = events.filter((e) => e.event_type === 'http_request');
    expect(req).toHaveLength(1);
    expect(req[0]).toMatchObject({
      src_ip: HOST_IP,
      dst_port: HTTP_PORT,
      method,
      path: uri,
      user_agent: ua,
      host,
      header_names: ['Host', 'User-Agent', 'Accept'],
      tool: 'curl', // data/tools/user-agents.json
    });
    // JA4H (FoxIO spec): ge, HTTP/1.1, no cookie, no referer, 3 headers, no language; then the
    // hash of the header names in order; no cookies.
    const names = createHash('sha256').update('Host,User-Agent,Accept').digest('hex').slice(0, 12);
    expect(req[0]?.ja4h).toBe(`ge11nn030000_${names}_000000000000_000000000000`);
    const res = events.filter((e) => e.event_type === 'http_response');
    expect(res).toEqual([
      expect.objectContaining({ status_code: 200, server: 'decoy/1.0', src_ip: HOST_IP }),
    ]);
  });

  it('an SMTP dialogue: smtp_envelope with domains only', async () => {
    const { events } = await capture(`tcp port ${SMTP_PORT}`, async () => {
      const net = await import('node:net');
      await new Promise<void>((resolve, reject) => {
        const c = net.connect(SMTP_PORT, NS_IP);
        const script = [
          'EHLO attacker.example\r\n',
          'MAIL FROM:<spammer@bulk.example>\r\n',
          'RCPT TO:<alice@victim.example>\r\n',
          'RCPT TO:<bob@other.example>\r\n',
          'DATA\r\n',
          'Subject: hi\r\n\r\nhello\r\n.\r\n',
          'QUIT\r\n',
        ];
        let step = 0;
        c.on('data', () => {
          if (step < script.length) c.write(script[step++]!);
        });
        c.on('close', () => resolve());
        c.on('error', reject);
        c.setTimeout(5000, () => c.destroy(new Error('SMTP dialogue timed out')));
      });
    });
    const env = events.filter((e) => e.event_type === 'smtp_envelope');
    expect(env).toHaveLength(1);
    expect(env[0]).toMatchObject({
      src_ip: HOST_IP,
      dst_port: SMTP_PORT,
      helo: 'attacker.example',
      mail_from_domain: 'bulk.example',
      rcpt_domains: ['victim.example', 'other.example'],
      rcpt_count: 2,
    });
    const json = JSON.stringify(events);
    for (const local of ['spammer', 'alice', 'bob']) expect(json).not.toContain(local);
  });

  it.skipIf(!haveNmap)('an nmap SYN scan: one scan_summary, the probe attributed to nmap', async () => {
    const { events } = await capture(`host ${NS_IP}`, async () => {
      await run('nmap', [
        '-sS',
        '-n',
        '-Pn',
        '-p',
        `1-1024,${SSH_PORT},${HTTP_PORT}`,
        '--max-retries',
        '0',
        NS_IP,
      ]);
    });
    const scans = events.filter((e) => e.event_type === 'scan_summary' && e.src_ip === HOST_IP);
    expect(scans).toHaveLength(1);
    expect(Number(scans[0]?.syn_packets)).toBeGreaterThanOrEqual(1000);
    expect(Number(scans[0]?.synack_replies)).toBeGreaterThanOrEqual(1); // the open decoy ports
    const rep = events.find((e) => e.event_type === 'tcp_syn_fingerprint' && e.scan === true);
    expect(rep?.scanner).toMatchObject({ tool: 'nmap' });
  });
});
