// Signals and stdin, as tcpdump users expect: SIGINT/SIGTERM stop reading and flush everything
// captured (exit 0), a second SIGINT exits at once (130), SIGUSR2 prints live counters.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../helpers/corpus.js';

const BIN = fileURLToPath(new URL('../../bin/deckscope.js', import.meta.url));
const PCAP = readFileSync(`${CORPUS}foxio-ja4/pcap/http2-with-cookies.pcapng`); // 1607 packets
const tmp = mkdtempSync(join(tmpdir(), 'deckscope-sig-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[]): {
  p: ChildProcessWithoutNullStreams;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const p = spawn(process.execPath, [BIN, ...args]);
  let err = '';
  p.stderr.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  return { p, stderr: () => err, exit };
}

describe('signals and stdin', () => {
  it('reads a capture from stdin with -r -', async () => {
    const out = join(tmp, 'stdin.jsonl');
    const run = start(['-r', '-', '-o', out, '--stats-json', '-', '-q']);
    run.p.stdin.end(PCAP);
    expect(await run.exit).toBe(0);
    expect(JSON.parse(run.stderr()).packets).toBe(1607);
  });

  it('stops after -c packets', async () => {
    const run = start([
      '-r',
      `${CORPUS}foxio-ja4/pcap/http2-with-cookies.pcapng`,
      '-c',
      '100',
      '-o',
      '/dev/null',
      '--stats-json',
      '-',
      '-q',
    ]);
    expect(await run.exit).toBe(0);
    expect(JSON.parse(run.stderr()).packets).toBe(100);
  });

  it('prints live stats on SIGUSR2 and drains on SIGINT, exiting 0', async () => {
    const out = join(tmp, 'int.jsonl');
    const run = start(['-r', '-', '-o', out, '--stats-json', '-']);
    run.p.stdin.write(PCAP.subarray(0, PCAP.length >> 1));
    await sleep(1000);
    run.p.kill('SIGUSR2');
    await sleep(300);
    const live = JSON.parse(run.stderr().split('\n')[0]!);
    expect(live.capture.running).toBe(true);
    expect(live.capture.packets).toBeGreaterThan(500);
    run.p.kill('SIGINT');
    await sleep(200);
    run.p.stdin.end(); // the writer of a pipe ends too when the user presses ^C
    expect(await run.exit).toBe(0);
    const summary = JSON.parse(run.stderr().trim().split('\n').pop()!);
    expect(summary.stopped_early).toBe(true);
    expect(summary.flows.ended.shutdown).toBeGreaterThan(0); // open flows were flushed, not lost
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean).length).toBe(summary.output_lines);
  });

  it('exits 130 on a second SIGINT even while the capture is blocked', async () => {
    const run = start(['-r', '-', '-o', '/dev/null']);
    run.p.stdin.write(PCAP.subarray(0, 4096));
    await sleep(800);
    run.p.kill('SIGINT');
    await sleep(200);
    run.p.kill('SIGINT');
    expect(await run.exit).toBe(130);
    run.p.stdin.destroy();
  });

  it('drains on SIGTERM', async () => {
    const run = start(['-r', '-', '-o', '/dev/null', '-q', '--stats-json', '-']);
    run.p.stdin.write(PCAP);
    await sleep(800);
    run.p.kill('SIGTERM');
    await sleep(200);
    run.p.stdin.end();
    expect(await run.exit).toBe(0);
    expect(JSON.parse(run.stderr()).packets).toBe(1607);
  });
});
