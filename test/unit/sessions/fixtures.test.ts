// Profiles of the real asciinema recordings in test/fixtures/casts (made by scripts/record-casts.ts)
// against values computed here, independently, from the recorded event times and the plan.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CastPlan } from '../../../scripts/record-casts.js';
import { profileSession, type SessionProfile } from '../../../src/sessions/profile.js';
import { parseRecordings, type Recording } from '../../../src/sessions/recording.js';
import { mergeShards, readV2, v2ToShard, v2ToV3 } from '../../helpers/asciicast.js';

const DIR = fileURLToPath(new URL('../../fixtures/casts/', import.meta.url));
const cast = (name: string): string => readFileSync(`${DIR}${name}.cast`, 'utf8');
const plans = JSON.parse(readFileSync(`${DIR}plans.json`, 'utf8')) as CastPlan[];
const plan = (name: string): CastPlan => plans.find((p) => p.name === name)!;

function parseOne(text: string, fileName?: string): Recording {
  const r = parseRecordings(text, fileName);
  if (!r.ok) throw new Error(r.error);
  expect(r.sessions).toHaveLength(1);
  return r.sessions[0]!;
}

const json = (p: unknown): string => JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

// --- independent reference calculations -------------------------------------------------------

/** Percentile with linear interpolation between closest ranks, position (n-1)·q. */
function pct(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
const avg = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

function fnv(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}
function refSimhash(tokens: [string, number][]): bigint {
  let out = 0n;
  for (let bit = 0n; bit < 64n; bit++) {
    let v = 0;
    for (const [tok, w] of tokens) v += (fnv(tok) >> bit) & 1n ? w : -w;
    if (v > 0) out |= 1n << bit;
  }
  return BigInt.asIntN(64, out);
}
const bucket = (ms: number): number => [30, 60, 120, 250, 500, 1000].filter((e) => ms >= e).length;

interface Expected {
  ikis: number[];
  enterLat: number[];
  digraphs: Map<string, number[]>;
}

/** Walks the recorded "i" events with the plan's labels: IKIs between consecutive typed-key
 *  events, with the chain broken at pastes and at password (secret) keys. */
function reference(text: string, p: CastPlan): Expected {
  const inputs = readV2(text).events.filter((e) => e.code === 'i');
  expect(inputs.map((e) => e.data)).toEqual(p.writes.map((w) => w.data)); // one read per write
  const ikis: number[] = [];
  const enterLat: number[] = [];
  const digraphs = new Map<string, number[]>();
  let prev: { t: number; data: string } | null = null;
  inputs.forEach((e, i) => {
    const label = p.writes[i]!.label;
    if (label !== 'key') {
      prev = null;
      return;
    }
    if (prev !== null) {
      const iki = (e.t - prev.t) * 1000;
      ikis.push(iki);
      if (e.data === '\r' && prev.data !== '\r') enterLat.push(iki);
      const printable = (s: string): boolean => s.length === 1 && s >= ' ' && s !== '\x7f';
      if (printable(prev.data) && printable(e.data)) {
        const d = prev.data + e.data;
        digraphs.set(d, [...(digraphs.get(d) ?? []), iki]);
      }
    }
    prev = e;
  });
  return { ikis, enterLat, digraphs };
}

/** Input lines holding secret (no-echo) writes: runs of consecutive 'secret' writes, split at an
 *  Enter / ^C / ^D write (kd_noecho_lines). */
function noechoLines(p: CastPlan): number {
  let lines = 0;
  let open = false;
  for (const w of p.writes) {
    if (w.label === 'secret' && !open) {
      lines++;
      open = true;
    }
    if (w.label !== 'secret' || ['\r', '\x03', '\x04'].includes(w.data)) open = false;
  }
  return lines;
}

// --- tests --------------------------------------------------------------------------------------

describe('human fixture (real asciinema recording)', () => {
  const text = cast('human');
  const p = plan('human');
  const rec = parseOne(text);
  const prof = profileSession(rec);
  const ref = reference(text, p);

  it('is an asciicast v2 recording with input', () => {
    expect(rec.format).toBe('asciicast-v2');
    expect(rec.cols).toBe(80);
    expect(rec.rows).toBe(24);
    expect(prof.kd_timing_source).toBe('input');
  });

  it('counts the keystrokes that were sent', () => {
    const e = p.expected;
    expect(prof.kd_total_keystrokes).toBe(e.keystrokes);
    expect(prof.kd_noecho_lines).toBe(noechoLines(p));
    expect(noechoLines(p)).toBe(1); // the password line
    expect(prof.kd_backspace_rate).toBeCloseTo(e.backspaces / e.keystrokes, 12);
    expect(prof.kd_ctrl_w_rate).toBeCloseTo(e.ctrlW / e.keystrokes, 12);
    expect(prof.kd_ctrl_u_rate).toBeCloseTo(e.ctrlU / e.keystrokes, 12);
    expect(prof.kd_ctrl_c_rate).toBeCloseTo(e.ctrlC / e.keystrokes, 12);
    expect(prof.kd_ctrl_d_rate).toBe(0);
    expect(prof.kd_arrow_rate).toBeCloseTo(e.arrows / e.keystrokes, 12);
    expect(prof.kd_tab_rate).toBeCloseTo(e.tabs / e.keystrokes, 12);
    expect(prof.kd_paste_count).toBe(e.pastes);
    expect(prof.kd_paste_chars).toBe(e.pasteChars);
    expect(prof.kd_multichar_reads).toBe(0);
    expect([e.backspaces, e.ctrlW, e.ctrlU, e.ctrlC, e.arrows, e.tabs, e.pastes]).toEqual([
      2, 1, 1, 1, 1, 1, 1,
    ]);
  });

  it('matches IKI statistics computed from the recorded input times', () => {
    const k = ref.ikis;
    expect(prof.kd_iki_count).toBe(k.length);
    const m = avg(k);
    expect(prof.kd_iki_mean_ms).toBeCloseTo(m, 9);
    expect(prof.kd_iki_stdev_ms).toBeCloseTo(Math.sqrt(avg(k.map((x) => (x - m) ** 2))), 9);
    expect(prof.kd_iki_p50_ms).toBeCloseTo(pct(k, 0.5), 9);
    expect(prof.kd_iki_p95_ms).toBeCloseTo(pct(k, 0.95), 9);
    expect(prof.kd_max_pause_s).toBeCloseTo(Math.max(...k) / 1000, 12);
    expect(prof.kd_max_pause_s).toBeGreaterThan(3); // the planned 3 s think pause
    expect(prof.kd_enter_latency_p50_ms).toBeCloseTo(pct(ref.enterLat, 0.5), 9);
    expect(prof.kd_enter_latency_p95_ms).toBeCloseTo(pct(ref.enterLat, 0.95), 9);
    const burst = k.filter((x) => x < 200).length;
    const think = k.filter((x) => x >= 200 && x < 1500).length;
    expect(prof.kd_pause_hist).toEqual({ burst, think, distracted: k.length - burst - think });
    expect(prof.kd_burst_ratio).toBeCloseTo(burst / k.length, 12);
    expect(prof.kd_think_ratio).toBeCloseTo(think / k.length, 12);
    const med = pct(k, 0.5);
    const rb = k.filter((x) => x < 2 * med).length;
    const rt = k.filter((x) => x >= 2 * med && x < 8 * med).length;
    expect(prof.kd_pause_hist_rel).toEqual({ burst: rb, think: rt, distracted: k.length - rb - rt });
    expect(prof.kd_timing_obfuscated).toBe(false);
    expect(prof.kd_start_latency_ms).toBeGreaterThan(2000);
  });

  it('matches the digraph table and SimHash computed from echoed typed characters', () => {
    const list = [...ref.digraphs].map(([d, iats]) => ({ digraph: d, count: iats.length, mean: avg(iats) }));
    list.sort((a, b) => b.count - a.count || (a.digraph < b.digraph ? -1 : 1));
    expect(prof.kd_top_digraphs.map((d) => [d.digraph, d.count])).toEqual(
      list.slice(0, 32).map((d) => [d.digraph, d.count]),
    );
    prof.kd_top_digraphs.forEach((d, i) => {
      expect(d.mean_iat_ms).toBeCloseTo(list[i]!.mean, 9);
    });
    const tokens: [string, number][] = [...ref.digraphs].map(([d, iats]) => [
      `${d}:${bucket(pct(iats, 0.5))}`,
      iats.length,
    ]);
    expect(prof.kd_digraph_simhash).toBe(refSimhash(tokens));
  });

  it('leaks nothing of the password typed at the no-echo prompt', () => {
    const pw = p.password!;
    expect(text).toContain('Password: '); // the prompt was recorded…
    const s = json(prof);
    expect(s).not.toContain(pw);
    for (let i = 0; i + 2 <= pw.length; i++) {
      const bigram = pw.slice(i, i + 2);
      expect(prof.kd_top_digraphs.some((d) => d.digraph === bigram)).toBe(false);
    }
    // …and the password keys are in no IKI or digraph: the reference excludes them and matched.
  });

  it('is judged human', () => {
    expect(prof.verdict).toBe('human');
    expect(prof.verdict_evidence.some((e) => e.signal === 'corrections' && e.supports === 'human')).toBe(
      true,
    );
  });
});

describe('the same session as asciicast v3 and as a DECNET shard', () => {
  const text = cast('human');
  const v2 = profileSession(parseOne(text));

  it('v3 (intervals, comments, exit event) gives the same profile', () => {
    const v3text = v2ToV3(text);
    expect(v3text).toContain('"x"');
    const rec = parseOne(v3text);
    expect(rec.format).toBe('asciicast-v3');
    expect(profileSession(rec)).toEqual(v2);
  });

  it('a shard with another session interleaved gives the same profile per sid', () => {
    const epoch = 1_736_121_600;
    const shard = mergeShards(
      v2ToShard(text, 'sess-human', epoch, { attacker_ip: '203.0.113.7', decky: 'decky-01', service: 'ssh' }),
      v2ToShard(cast('scripted-chars'), 'sess-bot', epoch + 5.25, { src_ip: '198.51.100.9' }),
    );
    const r = parseRecordings(shard, 'decky-02/ssh/2025-01-06.jsonl');
    if (!r.ok) throw new Error(r.error);
    expect(r.sessions.map((s) => s.sid).sort()).toEqual(['sess-bot', 'sess-human']);
    const human = r.sessions.find((s) => s.sid === 'sess-human')!;
    const bot = r.sessions.find((s) => s.sid === 'sess-bot')!;
    expect(human).toMatchObject({
      format: 'decnet-shard',
      startedAt: epoch,
      attackerIp: '203.0.113.7',
      honeypot: 'decky-01',
      service: 'ssh',
    });
    expect(bot).toMatchObject({ startedAt: epoch + 5.25, attackerIp: '198.51.100.9', honeypot: 'decky-02' });
    expect(profileSession(human)).toEqual(v2);
    expect(profileSession(bot)).toEqual(profileSession(parseOne(cast('scripted-chars'))));
  });
});

describe('verdicts of the recorded bots and paste session', () => {
  const prof = (name: string): SessionProfile => profileSession(parseOne(cast(name)));

  it('constant 10 ms character-by-character typing is scripted', () => {
    const p = prof('scripted-chars');
    expect(p.kd_total_keystrokes).toBe(plan('scripted-chars').expected.keystrokes);
    expect(p.kd_iki_p50_ms).toBeLessThan(25);
    expect(p.verdict).toBe('scripted');
  });

  it('whole-command writes are scripted', () => {
    const p = prof('scripted-lines');
    const e = plan('scripted-lines').expected;
    expect(p.kd_total_keystrokes).toBe(e.keystrokes);
    const writes = plan('scripted-lines').writes;
    expect(p.kd_multichar_reads).toBe(writes.filter((w) => [...w.data].length >= 4).length); // "id\r" is 3
    expect(p.kd_multichar_reads).toBe(e.enters - 1);
    expect(p.kd_enter_latency_p50_ms).toBeNull(); // no Enter starts a read
    expect(p.verdict).toBe('scripted');
    expect(p.verdict_evidence.find((x) => x.signal === 'whole_command_write_share')?.value).toBe(1);
  });

  it('bracketed pastes followed by Enter are pasted', () => {
    const p = prof('pasted');
    const e = plan('pasted').expected;
    expect(p.kd_paste_count).toBe(e.pastes);
    expect(p.kd_paste_chars).toBe(e.pasteChars);
    expect(p.kd_total_keystrokes).toBe(e.enters);
    expect(p.verdict).toBe('pasted');
  });
});
