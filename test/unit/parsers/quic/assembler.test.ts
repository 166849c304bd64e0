import { describe, expect, it } from 'vitest';
import { MAX_ASSEMBLER_RANGES, OffsetAssembler } from '../../../../src/parsers/quic/assembler.js';

/** Stream bytes are their own offsets (mod 256), so any correctly placed piece agrees with any other. */
function piece(offset: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (offset + i) & 0xff);
}

interface Case {
  name: string;
  limit: number;
  pieces: Array<[offset: number, data: Uint8Array]>;
  returns: boolean[];
  contiguous: number;
  received: number;
  rangeCount: number;
  truncated: boolean;
  conflicting: boolean;
}

const CASES: Case[] = [
  {
    name: 'in order',
    limit: 100,
    pieces: [
      [0, piece(0, 10)],
      [10, piece(10, 10)],
    ],
    returns: [true, true],
    contiguous: 20,
    received: 20,
    rangeCount: 1,
    truncated: false,
    conflicting: false,
  },
  {
    name: 'reversed, with a gap closed last',
    limit: 100,
    pieces: [
      [20, piece(20, 5)],
      [10, piece(10, 5)],
      [0, piece(0, 10)],
      [15, piece(15, 5)],
    ],
    returns: [true, true, true, true],
    contiguous: 25,
    received: 25,
    rangeCount: 1,
    truncated: false,
    conflicting: false,
  },
  {
    name: 'overlapping and repeated pieces',
    limit: 100,
    pieces: [
      [5, piece(5, 10)],
      [0, piece(0, 8)],
      [5, piece(5, 10)],
      [12, piece(12, 8)],
    ],
    returns: [true, true, true, true],
    contiguous: 20,
    received: 20,
    rangeCount: 1,
    truncated: false,
    conflicting: false,
  },
  {
    name: 'a gap remains',
    limit: 100,
    pieces: [
      [0, piece(0, 5)],
      [10, piece(10, 5)],
    ],
    returns: [true, true],
    contiguous: 5,
    received: 10,
    rangeCount: 2,
    truncated: false,
    conflicting: false,
  },
  {
    name: 'nothing at offset 0',
    limit: 100,
    pieces: [[1, piece(1, 5)]],
    returns: [true],
    contiguous: 0,
    received: 5,
    rangeCount: 1,
    truncated: false,
    conflicting: false,
  },
  {
    name: 'cut at the limit; a piece wholly beyond it is refused',
    limit: 16,
    pieces: [
      [0, piece(0, 10)],
      [10, piece(10, 10)],
      [30, piece(30, 1)],
    ],
    returns: [true, true, false],
    contiguous: 16,
    received: 16,
    rangeCount: 1,
    truncated: true,
    conflicting: false,
  },
  {
    name: 'overlap with different bytes: the first write wins',
    limit: 100,
    pieces: [
      [0, piece(0, 10)],
      [5, Uint8Array.from(piece(5, 10), (b, i) => (i === 2 ? b ^ 0xff : b))],
    ],
    returns: [true, true],
    contiguous: 15,
    received: 15,
    rangeCount: 1,
    truncated: false,
    conflicting: true,
  },
  {
    name: 'empty pieces are accepted and change nothing; invalid offsets are refused',
    limit: 100,
    pieces: [
      [0, new Uint8Array(0)],
      [500, new Uint8Array(0)],
      [-1, piece(0, 1)],
      [0.5, piece(0, 1)],
      [Number.NaN, piece(0, 1)],
    ],
    returns: [true, true, false, false, false],
    contiguous: 0,
    received: 0,
    rangeCount: 0,
    truncated: false,
    conflicting: false,
  },
  {
    name: `more than ${MAX_ASSEMBLER_RANGES} scattered pieces: the extra ones are refused`,
    limit: 10_000,
    pieces: Array.from({ length: MAX_ASSEMBLER_RANGES + 2 }, (_, i): [number, Uint8Array] => [
      1 + 3 * i,
      piece(1 + 3 * i, 1),
    ]),
    returns: [...new Array<boolean>(MAX_ASSEMBLER_RANGES).fill(true), false, false],
    contiguous: 0,
    received: MAX_ASSEMBLER_RANGES,
    rangeCount: MAX_ASSEMBLER_RANGES,
    truncated: true,
    conflicting: false,
  },
];

describe('OffsetAssembler', () => {
  it.each(CASES)('$name', (c) => {
    const a = new OffsetAssembler(c.limit);
    expect(c.pieces.map(([offset, data]) => a.add(offset, data))).toEqual(c.returns);
    expect(a.contiguous).toBe(c.contiguous);
    expect(a.received).toBe(c.received);
    expect(a.rangeCount).toBe(c.rangeCount);
    expect(a.truncated).toBe(c.truncated);
    expect(a.conflicting).toBe(c.conflicting);
    expect(a.prefix()).toEqual(piece(0, c.contiguous));
  });

  it('at the range cap, a piece touching a stored range is still taken', () => {
    const a = new OffsetAssembler(10_000);
    for (let i = 0; i < MAX_ASSEMBLER_RANGES; i++) a.add(1 + 3 * i, piece(1 + 3 * i, 1));
    expect(a.add(0, piece(0, 1))).toBe(true);
    expect(a.truncated).toBe(false);
    expect(a.contiguous).toBe(2);
  });

  it('a prefix view keeps its bytes after the buffer grows', () => {
    const a = new OffsetAssembler(1 << 20);
    a.add(0, piece(0, 100));
    const view = a.prefix();
    a.add(100, piece(100, 5000));
    expect(view).toEqual(piece(0, 100));
    expect(a.prefix()).toEqual(piece(0, 5100));
  });
});
