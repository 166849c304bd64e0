// readRecording (src/cli/sessions.ts): one open/fstat/read per file with a reused 1 MiB buffer, a
// buffer of its own for a larger file, and a size cap that also holds for a file that never ends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../../src/cli/sessions.js';

const dir = mkdtempSync(join(tmpdir(), 'deckscope-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readRecording', () => {
  it('reads small and large files whole, one after the other (the reused buffer holds no leftovers)', () => {
    const big = `${'{"version": 2}\n'}${'[0.5, "o", "é✓ \\u001b[0m"]\n'.repeat(120_000)}`; // ~3.4 MiB
    const small = '{"version": 2}\n[1, "i", "x"]\n';
    const a = join(dir, 'big.cast');
    const b = join(dir, 'small.cast');
    writeFileSync(a, big);
    writeFileSync(b, small);
    expect(readRecording(a)).toBe(big);
    expect(readRecording(b)).toBe(small);
    expect(readRecording(a)).toBe(big);
  });

  it('refuses a file over the cap, and stops a file that never ends at the cap', () => {
    const f = join(dir, 'over.cast');
    writeFileSync(f, 'x'.repeat(2000));
    expect(readRecording(f, 1999)).toBeNull();
    expect(readRecording(f, 2000)).toBe('x'.repeat(2000));
    // fstat says 0 bytes; reading goes on until one byte past the cap.
    expect(readRecording('/dev/zero', 3 << 20)).toBeNull();
  });
});
