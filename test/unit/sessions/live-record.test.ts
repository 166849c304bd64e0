// Records a short session live with the real asciinema recorder (when installed) and checks the
// profile's counts (timing-insensitive).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { livePlan, recordCast } from '../../../scripts/record-casts.js';
import { profileSession } from '../../../src/sessions/profile.js';
import { parseRecordings } from '../../../src/sessions/recording.js';

const onPath = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['asciinema', 'script', 'bash'].filter((c) => !onPath(c));
const reason = missing.length > 0 ? `skipped: ${missing.join(', ')} not on PATH` : '';

describe.skipIf(missing.length > 0)(`live asciinema recording ${reason}`, () => {
  it('records typed keys, an arrow, ^C, a correction and a no-echo password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deckscope-live-'));
    try {
      const plan = livePlan();
      const file = join(dir, '203.0.113.7_decky-01_ssh_live.cast');
      await recordCast(plan, file);
      const text = readFileSync(file, 'utf8');
      const r = parseRecordings(text, file);
      if (!r.ok) throw new Error(r.error);
      const rec = r.sessions[0]!;
      expect(rec).toMatchObject({ format: 'asciicast-v2', attackerIp: '203.0.113.7', service: 'ssh' });
      const p = profileSession(rec);
      const e = plan.expected;
      expect(p.kd_total_keystrokes).toBe(e.keystrokes);
      // one no-echo line (the password line), counted as a line, not as its length
      expect(p.kd_noecho_lines).toBe(plan.writes.some((w) => w.label === 'secret') ? 1 : 0);
      expect(p.kd_backspace_rate! * p.kd_total_keystrokes).toBeCloseTo(e.backspaces, 9);
      expect(p.kd_arrow_rate! * p.kd_total_keystrokes).toBeCloseTo(e.arrows, 9);
      expect(p.kd_ctrl_c_rate! * p.kd_total_keystrokes).toBeCloseTo(e.ctrlC, 9);
      expect(JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
        plan.password,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
