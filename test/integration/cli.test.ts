// The command line as a user meets it: exit codes (0 ok, 1 runtime, 2 usage) and messages that
// say what to do, for each kind of bad input the issue names.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../helpers/corpus.js';

const BIN = fileURLToPath(new URL('../../bin/deckscope.js', import.meta.url));
const TLS_PCAP = `${CORPUS}foxio-ja4/pcap/tls-alpn-h2.pcap`;
const tmp = mkdtempSync(join(tmpdir(), 'deckscope-cli-'));

function run(args: string[], opts: { user?: string } = {}) {
  const cmd = opts.user ? 'runuser' : process.execPath;
  const argv = opts.user ? ['-u', opts.user, '--', process.execPath, BIN, ...args] : [BIN, ...args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const isRoot = process.getuid?.() === 0;
const hasRunuser = spawnSync('runuser', ['--help']).status === 0;

describe('deckscope CLI', () => {
  it('replays a pcap to JSON lines on stdout and prints a summary on stderr', () => {
    const r = run(['-r', TLS_PCAP]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => e.event_type)).toContain('tls_client_hello');
    expect(r.stderr).toMatch(/^deckscope: 9 packets/m);
  });

  it('writes --stats-json and -o files', () => {
    const out = join(tmp, 'events.jsonl');
    const stats = join(tmp, 'stats.json');
    const r = run(['-q', '-r', TLS_PCAP, '-o', out, '--stats-json', stats]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const s = JSON.parse(readFileSync(stats, 'utf8'));
    expect(s.packets).toBe(9);
    expect(s.output_lines).toBe(readFileSync(out, 'utf8').trim().split('\n').length);
  });

  it('prints its version and libpcap version with -V', () => {
    const r = run(['-V']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deckscope \d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/libpcap version/);
  });

  it.each([
    [[], /nothing to read/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['-r', TLS_PCAP, '-i', 'lo'], /either -r FILE or -i IFACE/],
    [['-r', TLS_PCAP, '--max-flows', 'lots'], /--max-flows: 'lots' is not a whole number/],
    [['-r', TLS_PCAP, '--max-flows', '3'], /--max-flows: 3 is outside 16\.\./],
    [['-r', TLS_PCAP, '--honeypots', '10.0.0.0/33'], /--honeypots: '10.0.0.0\/33'/],
    [['-r', TLS_PCAP, 'tcp', 'port', 'banana'], /invalid capture filter 'tcp port banana'/],
  ])('exits 2 on usage errors: %j', (args, message) => {
    const r = run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('applies a trailing BPF expression', () => {
    const r = run(['-q', '-r', TLS_PCAP, '--stats-json', '-', 'tcp', 'port', '9']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stderr).packets).toBe(0);
  });

  it('names a missing file', () => {
    const r = run(['-r', join(tmp, 'nope.pcap')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.pcap: no such file/);
  });

  describe('--p0f-db', () => {
    const SSH_PCAP = `${CORPUS}foxio-ja4/pcap/ssh2.pcapng`;
    const STOCK_P0F = fileURLToPath(new URL('../../data/p0f/p0f.fp', import.meta.url));
    const guesses = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event_type: string; os_guess?: string | null })
        .filter((e) => e.event_type === 'tcp_syn_fingerprint')
        .map((e) => e.os_guess ?? null);

    it('matches SYNs against the named p0f.fp', () => {
      // The bundled database with its Windows labels renamed: the same SYNs must get the new names.
      const renamed = join(tmp, 'renamed-p0f.fp');
      writeFileSync(
        renamed,
        readFileSync(STOCK_P0F, 'latin1').replace(/^(label = [^:]+:[^:]+:)Windows:/gm, '$1TestOS:'),
        'latin1',
      );
      const stock = run(['-q', '-r', SSH_PCAP]);
      const mine = run(['-q', '-r', SSH_PCAP, '--p0f-db', renamed]);
      expect(stock.code).toBe(0);
      expect(mine.code).toBe(0);
      const before = guesses(stock.stdout);
      expect(before.filter((g) => g?.startsWith('Windows')).length).toBeGreaterThan(0);
      expect(guesses(mine.stdout)).toEqual(before.map((g) => g?.replace(/^Windows/, 'TestOS') ?? null));
    });

    it('stops before reading when the file is missing or is not a p0f database', () => {
      const missing = run(['-r', SSH_PCAP, '--p0f-db', join(tmp, 'no-such.fp')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/no-such\.fp: no such file: give --p0f-db the path of a p0f 3 p0f\.fp/);
      expect(missing.stdout).toBe('');
      const notP0f = join(tmp, 'not-p0f.fp');
      writeFileSync(notP0f, 'this is not a fingerprint database\n');
      const bad = run(['-r', SSH_PCAP, '--p0f-db', notP0f]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/not-p0f\.fp: no TCP signature in it .*is it really a p0f 3 p0f\.fp\?/);
      expect(bad.stdout).toBe('');
    });
  });

  it('says a non-pcap file is not a capture', () => {
    const f = join(tmp, 'notes.txt');
    writeFileSync(f, 'this is not a packet capture\n'.repeat(10));
    const r = run(['-r', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a pcap or pcapng file/);
  });

  it('says a file cut inside its header is truncated', () => {
    const f = join(tmp, 'cut-header.pcap');
    writeFileSync(f, readFileSync(TLS_PCAP).subarray(0, 10));
    const r = run(['-r', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/truncated|cut short/);
  });

  it('keeps what precedes a cut inside a packet record and warns', () => {
    const f = join(tmp, 'cut-record.pcap');
    const whole = readFileSync(TLS_PCAP);
    writeFileSync(f, whole.subarray(0, whole.length - 20));
    const r = run(['-r', f, '-o', join(tmp, 'cut.jsonl')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*truncated dump file/);
    expect(r.stderr).toMatch(/^deckscope: 8 packets/m);
  });

  it('names a missing interface', () => {
    const r = run(['-i', 'nosuchif0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no interface named 'nosuchif0'.*-D lists/);
  });

  it.skipIf(!isRoot || !hasRunuser)('explains a missing capture permission (CAP_NET_RAW)', () => {
    const r = run(['-i', 'lo'], { user: 'nobody' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/needs CAP_NET_RAW/);
  });

  it.skipIf(!isRoot || !hasRunuser)('explains an unreadable file', () => {
    const f = join(tmp, 'secret.pcap');
    copyFileSync(TLS_PCAP, f);
    chmodSync(f, 0o600);
    chmodSync(tmp, 0o755);
    const r = run(['-r', f], { user: 'nobody' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not readable by this user/);
  });
});
