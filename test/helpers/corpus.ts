// Access to the bundled conformance corpus (test/corpus, a copy of the shared corpus).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CORPUS = fileURLToPath(new URL('../corpus/', import.meta.url));

export interface Expected {
  source: string;
  expected_file: string;
  fingerprint: string;
  value: string;
  context: Record<string, unknown> | null;
}

export interface IndexEntry {
  sha256: string;
  bytes: number;
  expected: Expected[];
}

/** The corpus index: capture path (relative to test/corpus) -> expected values. */
export function loadIndex(): Record<string, IndexEntry> {
  const raw = JSON.parse(readFileSync(`${CORPUS}EXPECTED-INDEX.json`, 'utf8')) as {
    pcaps: Record<string, IndexEntry>;
  };
  return raw.pcaps;
}
