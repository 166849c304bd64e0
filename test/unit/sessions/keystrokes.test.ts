// Tokeniser vectors: escape sequences, control keys, bracketed paste, multi-key reads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenizeInput } from '../../../src/sessions/keystrokes.js';

const kinds = (reads: string | string[]): string[] =>
  tokenizeInput(reads).map((t) =>
    t.kind === 'paste' ? `paste:${t.chars}` : t.kind === 'printable' ? t.char! : t.kind,
  );

describe('tokenizeInput', () => {
  it('printable characters, including a surrogate pair, are one keystroke each', () => {
    expect(kinds('ls -a')).toEqual(['l', 's', ' ', '-', 'a']);
    expect(kinds('é😀x')).toEqual(['é', '😀', 'x']);
  });

  it('control keys', () => {
    expect(kinds('\x7f\x08\x17\x15\x03\x04\t\r\x01\n\x1a')).toEqual([
      'backspace',
      'backspace',
      'ctrl_w',
      'ctrl_u',
      'ctrl_c',
      'ctrl_d',
      'tab',
      'enter',
      'control',
      'enter',
      'control',
    ]);
    expect(kinds('a\r\nb')).toEqual(['a', 'enter', 'b']); // CR LF in one read is one Enter
  });

  it('arrows in normal (CSI) and application (SS3) cursor mode, with modifiers', () => {
    expect(kinds('\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA\x1bOD\x1b[1;5C')).toEqual(Array(7).fill('arrow'));
  });

  it('other escape sequences are one keystroke each', () => {
    // Home, Delete, F5 (CSI), F1 (SS3), Alt+b, lone ESC at the end of a read
    expect(kinds('\x1b[H\x1b[3~\x1b[15~\x1bOP\x1bbx\x1b')).toEqual([
      'escape_sequence',
      'escape_sequence',
      'escape_sequence',
      'escape_sequence',
      'escape_sequence',
      'x',
      'escape_sequence',
    ]);
    expect(kinds('\x1b\x1b[A')).toEqual(['escape_sequence', 'arrow']);
    expect(kinds('\x1b[12')).toEqual(['escape_sequence']); // cut-off CSI
  });

  it('bracketed paste content is one paste, not keystrokes', () => {
    expect(kinds('a\x1b[200~rm -rf /\r\x1b[201~b')).toEqual(['a', 'paste:9', 'b']);
    expect(kinds('\x1b[200~\x1b[201~')).toEqual(['paste:0']);
  });

  it('a paste spanning reads, with its end marker split across reads', () => {
    const t = tokenizeInput(['\x1b[200~abc', 'def\x1b[2', '01~g']);
    expect(t).toEqual([
      { kind: 'paste', chars: 6, t: 0 },
      { kind: 'printable', char: 'g', t: 2 },
    ]);
    // a false marker prefix at the end of a read is content
    expect(kinds(['\x1b[200~ab\x1b[', 'Xc\x1b[201~'])).toEqual(['paste:6']);
  });

  it('an unterminated paste is reported at the end', () => {
    expect(kinds(['\x1b[200~abc', 'de'])).toEqual(['paste:5']);
  });

  it('a multi-key read gives keystrokes at the same time', () => {
    expect(tokenizeInput(['ls\r', 'x']).map((t) => t.t)).toEqual([0, 0, 0, 1]);
  });

  it('is total (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 8 }), (reads) => {
        expect(Array.isArray(tokenizeInput(reads))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
