// --syslog: every event also leaves as an RFC 5424 line in DECNET's format, to a file or a UDP
// collector. What arrives, parsed back by our own parser, carries the same fields as the JSON
// lines of the same run.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { syslogToEvent } from '../../src/syslog/format.js';
import { parseRfc5424 } from '../../src/syslog/parse.js';
import { CORPUS } from '../helpers/corpus.js';

const BIN = fileURLToPath(new URL('../../bin/deckscope.js', import.meta.url));
const PCAP = `${CORPUS}foxio-ja4/pcap/tls-alpn-h2.pcap`;
const dir = mkdtempSync(join(tmpdir(), 'deckscope-syslog-'));

function back(line: string): Record<string, unknown> {
  const p = parseRfc5424(line, { unescapeControls: true });
  if (!p.ok) throw new Error(`unparsable: ${line}`);
  return syslogToEvent(p.message) ?? {};
}

describe('--syslog', () => {
  it('to a file: one line per event, the same fields as the JSON lines', () => {
    const json = join(dir, 'events.jsonl');
    const log = join(dir, 'events.log');
    const r = spawnSync(process.execPath, [BIN, '-q', '-r', PCAP, '-o', json, '--syslog', log], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const events = readFileSync(json, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(events.length);
    for (const [i, line] of lines.entries()) {
      expect(line).toMatch(/^<1\d\d>1 \S+ \S+ sniffer - [a-z_0-9]+ \[relay@55555 /);
      const got = back(line);
      const want = events[i]!;
      expect(got.event_type).toBe(want.event_type);
      for (const k of ['src_ip', 'src_port', 'dst_ip', 'dst_port', 'ja3', 'ja4', 'ja4s', 'ja4x', 'p0f_sig']) {
        if (want[k] !== undefined && want[k] !== null)
          expect(String(got[k]), `${want.event_type}.${k}`).toBe(String(want[k]));
      }
    }
  });

  it('to a UDP collector', async () => {
    const sock = createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    const child = spawn(process.execPath, [BIN, '-q', '-r', PCAP, '--syslog', `udp://127.0.0.1:${port}`], {
      stdio: 'ignore',
    });
    const code = await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 200));
    sock.close();
    expect(code).toBe(0);
    const types = got.map((l) => back(l).event_type);
    expect(types).toContain('tls_client_hello');
    expect(types).toContain('tls_certificate');
    expect(got.length).toBeGreaterThanOrEqual(7);
  });

  it('a bad destination is a usage error that says what is accepted', () => {
    const r = spawnSync(process.execPath, [BIN, '-r', PCAP, '--syslog', 'udp://nohostport'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/udp:\/\/HOST:PORT/);
  });
});
