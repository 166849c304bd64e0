// Records the asciicast fixtures of test/fixtures/casts with the real asciinema recorder
// (asciinema 2.x: `asciinema rec --stdin`), typing into an interactive bash at known times.
//
// asciinema needs a terminal, so it runs under util-linux `script` (which allocates a pty and
// forwards our piped stdin to it); each planned write is one write() to that pipe, so it reaches
// the shell as one read.
//
//   npx tsc --outDir /tmp/record-casts --module nodenext --moduleResolution nodenext \
//     --target es2022 --types node scripts/record-casts.ts
//   node /tmp/record-casts/record-casts.js [OUT_DIR]    (default test/fixtures/casts)
//
// Writes human.cast, scripted-chars.cast, scripted-lines.cast, pasted.cast and plans.json (what
// was sent when, with the counts a profile must find).

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One write to the terminal, `atMs` after the start of the recording. */
export interface PlannedWrite {
  atMs: number;
  data: string;
  /** What the write is: a typed key, a paste, a whole command, or a no-echo (password) key. */
  label: 'key' | 'paste' | 'line' | 'secret';
}

/** A recording plan and the counts it implies. */
export interface CastPlan {
  name: string;
  writes: PlannedWrite[];
  /** A password typed at a no-echo prompt (must not leak into a profile), if any. */
  password?: string;
  /** Keystrokes typed while echo was on (each escape sequence counts once). */
  expected: {
    keystrokes: number;
    backspaces: number;
    ctrlW: number;
    ctrlU: number;
    ctrlC: number;
    arrows: number;
    tabs: number;
    enters: number;
    pastes: number;
    pasteChars: number;
    noechoKeystrokes: number;
  };
}

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class PlanBuilder {
  readonly writes: PlannedWrite[] = [];
  atMs: number;
  readonly expected: CastPlan['expected'] = {
    keystrokes: 0,
    backspaces: 0,
    ctrlW: 0,
    ctrlU: 0,
    ctrlC: 0,
    arrows: 0,
    tabs: 0,
    enters: 0,
    pastes: 0,
    pasteChars: 0,
    noechoKeystrokes: 0,
  };
  constructor(
    startMs: number,
    private readonly delay: () => number,
  ) {
    this.atMs = startMs;
  }
  wait(ms: number): this {
    this.atMs += ms;
    return this;
  }
  /** One keystroke (a character, a control character or one escape sequence). */
  key(data: string, label: 'key' | 'secret' = 'key'): this {
    this.atMs += this.delay();
    this.writes.push({ atMs: Math.round(this.atMs), data, label });
    if (label === 'secret') {
      this.expected.noechoKeystrokes++;
      return this;
    }
    const e = this.expected;
    e.keystrokes++;
    if (data === '\x7f') e.backspaces++;
    else if (data === '\x17') e.ctrlW++;
    else if (data === '\x15') e.ctrlU++;
    else if (data === '\x03') e.ctrlC++;
    else if (data === '\t') e.tabs++;
    else if (data === '\r') e.enters++;
    else if (/^\x1b(\[|O)[A-D]$/.test(data)) e.arrows++;
    return this;
  }
  type(text: string, label: 'key' | 'secret' = 'key'): this {
    for (const ch of text) this.key(ch, label);
    return this;
  }
  paste(text: string): this {
    this.atMs += this.delay();
    this.writes.push({ atMs: Math.round(this.atMs), data: `\x1b[200~${text}\x1b[201~`, label: 'paste' });
    this.expected.pastes++;
    this.expected.pasteChars += text.length;
    return this;
  }
  /** A whole command line (with its Enter) in one write. */
  line(text: string): this {
    this.atMs += this.delay();
    this.writes.push({ atMs: Math.round(this.atMs), data: `${text}\r`, label: 'line' });
    this.expected.keystrokes += [...text].length + 1;
    this.expected.enters++;
    return this;
  }
}

/** Shell start-up time before the first write, ms. */
const SHELL_READY_MS = 1200;
export const FIXTURE_PASSWORD = 'Kx7Qz4Wj';

/** Human-like typing: log-normal key delays (median 170 ms), a 3 s think pause, corrections. */
export function humanPlan(seed = 7): CastPlan {
  const rnd = prng(seed);
  const gauss = (): number => {
    const u = Math.max(rnd(), 1e-9);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const delay = (): number => Math.min(600, Math.max(70, Math.exp(Math.log(170) + 0.35 * gauss())));
  const b = new PlanBuilder(SHELL_READY_MS, delay);
  b.type('echo helo').key('\x7f').key('\x7f').type('llo world').key('\r');
  b.wait(3000).type('uname -a').key('\r');
  b.wait(800).key('\x1b[A').wait(400).key('\x03');
  b.type('ech').key('\t').wait(300).type('done').key('\r');
  b.type('echo bad').key('\x17').type('good').key('\r');
  b.type('rm -rf x').key('\x15').type('pwd').key('\r');
  b.wait(500).paste('echo pasted line').wait(500).key('\r');
  b.type("read -s -p 'Password: ' pw").key('\r');
  b.wait(600).type(FIXTURE_PASSWORD, 'secret').key('\r', 'secret');
  b.type('echo ok').key('\r');
  b.type('exit').key('\r');
  return { name: 'human', writes: b.writes, password: FIXTURE_PASSWORD, expected: b.expected };
}

const BOT_COMMANDS = ['uname -a', 'id', 'cat /etc/hostname', 'whoami', 'echo scripted', 'pwd'];

/** expect-style bot: every character 10 ms apart, 300 ms between commands. */
export function scriptedCharsPlan(): CastPlan {
  let next = 10;
  const b = new PlanBuilder(SHELL_READY_MS, () => next);
  for (const cmd of BOT_COMMANDS) {
    next = 10;
    b.type(cmd).key('\r');
    b.wait(300);
  }
  b.type('exit').key('\r');
  return { name: 'scripted-chars', writes: b.writes, expected: b.expected };
}

/** paramiko/Go-style bot: each command line with its Enter in one write, 400 ms apart. */
export function scriptedLinesPlan(): CastPlan {
  const b = new PlanBuilder(SHELL_READY_MS, () => 400);
  for (const cmd of BOT_COMMANDS) b.line(cmd);
  b.line('exit');
  return { name: 'scripted-lines', writes: b.writes, expected: b.expected };
}

/** Operator (or LLM agent) pasting commands with bracketed paste, pressing Enter after each. */
export function pastedPlan(): CastPlan {
  const b = new PlanBuilder(SHELL_READY_MS, () => 700);
  for (const cmd of ['uname -a; id; cat /etc/hostname', 'echo pasted-only session', 'ls -la / | head -n 3'])
    b.paste(cmd).key('\r').wait(1500);
  b.paste('exit').key('\r');
  return { name: 'pasted', writes: b.writes, expected: b.expected };
}

/** A short session for the live recorder test (counts only; timing-insensitive). */
export function livePlan(): CastPlan {
  const b = new PlanBuilder(SHELL_READY_MS, () => 120);
  b.type('echo live').key('\x7f').type('e').key('\r');
  b.key('\x1b[A').key('\x03');
  b.type("read -s -p 'Password: ' pw").key('\r');
  b.wait(500).type('Pw9x', 'secret').key('\r', 'secret');
  b.type('exit').key('\r');
  return { name: 'live', writes: b.writes, password: 'Pw9x', expected: b.expected };
}

/** Extra time allowed after the last write for the shell to exit, ms. */
const EXIT_GRACE_MS = 5000;

/** Records `plan` into the asciicast v2 file `outFile` with asciinema under `script`. */
export async function recordCast(plan: CastPlan, outFile: string): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'record-casts-'));
  const shell = 'bash --norc --noprofile -i';
  const cmd = `stty cols 80 rows 24 2>/dev/null; exec asciinema rec --stdin -q --overwrite -c '${shell}' '${outFile}'`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    stdio: ['pipe', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      ASCIINEMA_CONFIG_HOME: join(home, '.config', 'asciinema'),
      TERM: 'xterm-256color',
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
    },
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const t0 = performance.now();
  for (const w of plan.writes) {
    const wait = w.atMs - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    child.stdin.write(w.data);
  }
  const timeout = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), EXIT_GRACE_MS).unref());
  const result = await Promise.race([exited, timeout]);
  child.stdin.end();
  if (result === 'timeout') {
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
  const text = readFileSync(outFile, 'utf8');
  if (!text.startsWith('{')) throw new Error(`asciinema produced no cast in ${outFile}`);
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? 'test/fixtures/casts');
  mkdirSync(outDir, { recursive: true });
  const plans = [humanPlan(), scriptedCharsPlan(), scriptedLinesPlan(), pastedPlan()];
  for (const plan of plans) {
    await recordCast(plan, join(outDir, `${plan.name}.cast`));
    process.stdout.write(`recorded ${plan.name}.cast\n`);
  }
  writeFileSync(join(outDir, 'plans.json'), `${JSON.stringify(plans, null, 2)}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
