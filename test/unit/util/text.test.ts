import { describe, expect, it } from 'vitest';
import { latin1 as httpLatin1 } from '../../../src/parsers/http/syntax.js';
import { asciiLower, latin1 } from '../../../src/util/text.js';

describe('asciiLower', () => {
  it('folds A-Z only', () => {
    expect(asciiLower('User-Agent')).toBe('user-agent');
    expect(asciiLower('ACCEPT-LANGUAGE')).toBe('accept-language');
    expect(asciiLower('already-lower')).toBe('already-lower');
    expect(asciiLower('')).toBe('');
  });

  it('leaves latin1 letters alone, even beside ASCII capitals', () => {
    // U+00C0 (À) and U+00DE (Þ) have lower-case forms that String#toLowerCase would apply.
    expect(asciiLower('\u00c0B\u00de-X')).toBe('\u00c0b\u00de-x');
    expect(asciiLower('\u00c0\u00de')).toBe('\u00c0\u00de');
  });
});

describe('latin1 decoding', () => {
  it('maps byte n to U+00nn, 0x80-0x9f included (not windows-1252)', () => {
    const bytes = Uint8Array.from([0x41, 0x80, 0x9f, 0xe9, 0xff]);
    expect(latin1(bytes)).toBe('A\u0080\u009f\u00e9\u00ff');
    expect(httpLatin1(bytes, 1, 4)).toBe('\u0080\u009f\u00e9');
  });

  it('decodes every byte value at every length, short runs and long ones alike', () => {
    // Byte n is U+00nn by definition of ISO-8859-1; the expected string is built code unit by
    // code unit, independently of either decoding path.
    const all = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) % 256);
    const padded = new Uint8Array(all.length + 3);
    padded.set(all, 3);
    for (const n of [0, 1, 23, 24, 25, 64, 255, 256, 600]) {
      const view = padded.subarray(3, 3 + n); // an offset view, as parsers pass
      let expected = '';
      for (let i = 0; i < n; i++) expected += String.fromCodePoint(all[i]!);
      expect(latin1(view), `length ${n}`).toBe(expected);
    }
  });

  it('http latin1 reads each input, not the one decoded before it', () => {
    const a = new Uint8Array(new ArrayBuffer(16), 4, 8).fill(0x61);
    const b = new Uint8Array(new ArrayBuffer(16), 4, 8).fill(0x62);
    expect(httpLatin1(a, 0, 3)).toBe('aaa');
    expect(httpLatin1(b, 0, 3)).toBe('bbb');
    expect(httpLatin1(a.subarray(2), 0, 3)).toBe('aaa');
    a[0] = 0x7a; // the same view, changed: still read afresh
    expect(httpLatin1(a, 0, 2)).toBe('za');
  });
});
