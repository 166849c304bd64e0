/**
 * Test-only: what the live tests share. A network namespace of our own joined to the host by a veth
 * pair (a /24 of 198.18.0.0/15, RFC 2544 benchmarking space: .1 on the host end, .2 inside), and a
 * live capture by deckscope on the host end while tcpdump records the same traffic as the independent
 * witness. Needs root; liveSkipReason says why a test cannot run.
 */
import { type ChildProcess, execFileSync, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline } from '../../src/pipeline.js';
import { MemorySink } from '../../src/sinks/memory.js';

export const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
export const sh = (args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why live tests needing `commands` cannot run here, or '' when they can. */
export function liveSkipReason(commands: readonly string[]): string {
  const missing = commands.filter((c) => !have(c));
  return process.getuid?.() !== 0
    ? 'not root (live capture needs CAP_NET_RAW)'
    : missing.length
      ? `missing ${missing.join(', ')}`
      : '';
}

export interface VethNamespace {
  ns: string;
  hostIf: string;
  nsIf: string;
  hostIp: string;
  nsIp: string;
}

/** Names (unique to this process, from `tag`) and addresses (`${subnet}.1` and .2) of a namespace. */
export function vethNamespace(tag: string, subnet: string): VethNamespace {
  const id = process.pid % 100000;
  return {
    ns: `${tag}${process.pid}`,
    hostIf: `v${tag}${id}a`,
    nsIf: `v${tag}${id}b`,
    hostIp: `${subnet}.1`,
    nsIp: `${subnet}.2`,
  };
}

/** Creates the namespace and the veth pair, addressed and up (loopback too). */
export function createNamespace({ ns, hostIf, nsIf, hostIp, nsIp }: VethNamespace): void {
  sh(['ip', 'netns', 'add', ns]);
  sh(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
  sh(['ip', 'link', 'set', nsIf, 'netns', ns]);
  sh(['ip', 'addr', 'add', `${hostIp}/24`, 'dev', hostIf]);
  sh(['ip', 'link', 'set', hostIf, 'up']);
  sh(['ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `${nsIp}/24`, 'dev', nsIf]);
  sh(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up']);
  sh(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
}

/** Removes the veth pair and the namespace (whatever of them exists). */
export function deleteNamespace({ ns, hostIf }: VethNamespace): void {
  spawnSync('ip', ['link', 'del', hostIf]);
  spawnSync('ip', ['netns', 'del', ns]);
}

/** Starts `args` inside the namespace (output ignored unless `opts` says otherwise). */
export function inNamespace({ ns }: VethNamespace, args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...args], { stdio: 'ignore', ...opts });
}

/** Waits (up to 5 s) until something listens on TCP `port` inside the namespace. */
export async function listening({ ns, nsIp }: VethNamespace, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const probe = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', `ss -ltn | grep -q ':${port} '`]);
    if (probe.status === 0) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${nsIp}:${port}`);
}

/** Captures on `hostIf` while `traffic` runs; returns deckscope's events and summary, and tcpdump's copy. */
export async function captureLive(hostIf: string, filter: string, traffic: () => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-live-'));
  const pcap = join(dir, 'witness.pcap');
  const witness = spawn('tcpdump', ['-i', hostIf, '-U', '-w', pcap, filter], { stdio: 'ignore' });
  const sink = new MemorySink();
  const pipeline = new Pipeline({
    interface: hostIf,
    filter,
    sensorId: 'live-test',
    ja4plus: true,
    workers: 1,
    honeypots: [],
    sink,
  });
  const done = pipeline.run();
  await sleep(500); // tcpdump needs a moment to open its handle
  await traffic();
  await sleep(1500);
  pipeline.stop();
  const summary = await done;
  witness.kill('SIGINT');
  await new Promise((r) => witness.once('exit', r));
  return { events: sink.events as Array<Record<string, unknown>>, summary, pcap };
}
