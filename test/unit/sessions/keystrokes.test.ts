// Tokeniser vectors: escape sequences, control keys, bracketed paste, multi-key reads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KEY_KIND_NAMES,
  KeyKind,
  type KeystrokeSink,
  KeystrokeTokenizer,
  MAX_PASTE_CHARS,
  tokenizeInput,
} from '../../../src/sessions/keystrokes.js';

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

/** Tokenises reads at t = index with a tokenizer whose bracketed-paste mode is `paste`;
 *  `between[i]` runs before read i (e.g. to switch the mode). */
function withMode(
  reads: string[],
  paste: boolean,
  between: Record<number, (tok: KeystrokeTokenizer, sink: KeystrokeSink) => void> = {},
): string[] {
  const out: string[] = [];
  const sink: KeystrokeSink = {
    key(kind, cp) {
      out.push(kind === KeyKind.PRINTABLE ? String.fromCodePoint(cp) : KEY_KIND_NAMES[kind]!);
    },
    paste(_t, chars) {
      out.push(`paste:${chars}`);
    },
  };
  const tok = new KeystrokeTokenizer();
  tok.setBracketedPaste(paste, sink);
  reads.forEach((r, i) => {
    between[i]?.(tok, sink);
    tok.feed(r, i, sink);
  });
  tok.finish(sink);
  return out;
}

describe('lone surrogates', () => {
  it('are control keystrokes, never printable', () => {
    expect(kinds('a\ud800b\udc00')).toEqual(['a', 'control', 'b', 'control']);
    expect(kinds('\udc00\ud800')).toEqual(['control', 'control']); // reversed pair: two lone halves
    expect(kinds('x\ud83d')).toEqual(['x', 'control']); // high surrogate at the end of the read
    expect(kinds('\ud83d\ude00')).toEqual(['😀']); // a real pair stays one printable
  });

  it('Alt + lone high surrogate consumes two units, not the following character', () => {
    expect(kinds('\x1b\ud800a')).toEqual(['escape_sequence', 'a']);
    expect(kinds('\x1b\ud83d\ude00a')).toEqual(['escape_sequence', 'a']);
  });
});

describe('bracketed paste mode and bounds', () => {
  it('with the mode off, ESC[200~ and ESC[201~ are one escape-sequence keystroke each', () => {
    expect(withMode(['\x1b[200~ab\x1b[201~'], false)).toEqual([
      'escape_sequence',
      'a',
      'b',
      'escape_sequence',
    ]);
  });

  it('switching the mode off ends a paste in progress', () => {
    const off = { 1: (tok: KeystrokeTokenizer, sink: KeystrokeSink) => tok.setBracketedPaste(false, sink) };
    expect(withMode(['\x1b[200~abc', 'de'], true, off)).toEqual(['paste:3', 'd', 'e']);
    // a pending marker prefix ("ESC [ 2", 3 units) is content when the paste is cut off
    expect(withMode(['\x1b[200~ab\x1b[2', 'x'], true, off)).toEqual(['paste:5', 'x']);
  });

  it(`a paste ends after ${MAX_PASTE_CHARS} characters; the rest is keystrokes`, () => {
    expect(kinds(`\x1b[200~${'x'.repeat(MAX_PASTE_CHARS)}yz`)).toEqual([
      `paste:${MAX_PASTE_CHARS}`,
      'y',
      'z',
    ]);
    // across reads: MAX − 1 in the first read, one more in the second
    expect(kinds([`\x1b[200~${'a'.repeat(MAX_PASTE_CHARS - 1)}`, 'bcd'])).toEqual([
      `paste:${MAX_PASTE_CHARS}`,
      'c',
      'd',
    ]);
    // the end marker beyond the bound is a stray end (ignored while the mode is on)
    expect(kinds(`\x1b[200~${'x'.repeat(MAX_PASTE_CHARS + 1)}\x1b[201~q`)).toEqual([
      `paste:${MAX_PASTE_CHARS}`,
      'x',
      'q',
    ]);
    // exactly MAX characters then the marker: an ordinary paste
    expect(kinds(`\x1b[200~${'x'.repeat(MAX_PASTE_CHARS)}\x1b[201~q`)).toEqual([
      `paste:${MAX_PASTE_CHARS}`,
      'q',
    ]);
  });
});
