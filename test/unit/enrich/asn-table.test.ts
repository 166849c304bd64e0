// The ASN range table (src/enrich/asn-table.ts) on small hand-written CSVs: rows out of start order
// are sorted, an overlap is clipped so the later row wins from its start, and the prefix is the
// largest CIDR block around the address inside its range (worked out by hand below).
import { describe, expect, it } from 'vitest';
import { AsnTable } from '../../../src/enrich/asn-table.js';

const v4 = (a: number, b: number, c: number, d: number) => new Uint8Array([a, b, c, d]);
const n4 = (a: number, b: number, c: number, d: number) =>
  String(((a << 24) | (b << 16) | (c << 8) | d) >>> 0);

describe('AsnTable', () => {
  it('IPv4: sorts rows given out of order and clips an overlap (the later row wins)', () => {
    const csv = [
      `${n4(10, 0, 1, 0)},${n4(10, 0, 1, 255)},64502,"Two, Inc."`, // out of order
      `${n4(10, 0, 0, 0)},${n4(10, 0, 0, 255)},64501,One`,
      `${n4(10, 0, 1, 128)},${n4(10, 0, 2, 255)},64503,Three`, // overlaps the row before it
    ].join('\n');
    const t = AsnTable.parse(csv, 4);
    expect(t.info).toMatchObject({ rows: 3, clipped: 1, skipped: 0 });
    expect(t.lookup(v4(10, 0, 0, 7))).toEqual({ asn: 64501, org: 'One', prefix: '10.0.0.0/24' });
    // 10.0.1.0-10.0.1.127 after clipping: a /25.
    expect(t.lookup(v4(10, 0, 1, 5))).toEqual({ asn: 64502, org: 'Two, Inc.', prefix: '10.0.1.0/25' });
    // 10.0.1.128-10.0.2.255: 10.0.1.200 lies in 10.0.1.128/25.
    expect(t.lookup(v4(10, 0, 1, 200))).toEqual({ asn: 64503, org: 'Three', prefix: '10.0.1.128/25' });
    expect(t.lookup(v4(10, 0, 3, 0))).toBeNull();
  });

  it('IPv6: sorts rows given out of order (they were skipped before)', () => {
    const base = 0x20010db8n << 96n; // 2001:db8::
    const row = (lo: bigint, hi: bigint, asn: number) => `${base + lo},${base + hi},${asn},AS${asn}`;
    const t = AsnTable.parse([row(0x100n, 0x1ffn, 64511), row(0n, 0xffn, 64510)].join('\n'), 6);
    expect(t.info).toMatchObject({ rows: 2, skipped: 0 });
    const addr = (low: number) => {
      const b = new Uint8Array(16);
      b.set([0x20, 0x01, 0x0d, 0xb8]);
      b[14] = low >> 8;
      b[15] = low & 255;
      return b;
    };
    expect(t.lookup(addr(0x10))).toEqual({ asn: 64510, org: 'AS64510', prefix: '2001:db8::/120' });
    expect(t.lookup(addr(0x180))).toEqual({ asn: 64511, org: 'AS64511', prefix: '2001:db8::100/120' });
    expect(t.lookup(addr(0x200))).toBeNull();
  });

  it('skips ASN 0, an end before its start and numbers out of range', () => {
    const csv = ['1,2,0,zero', '9,3,64500,backwards', '1,4294967296,64500,too big', '5,6,64500,ok'].join(
      '\n',
    );
    expect(AsnTable.parse(csv, 4).info).toMatchObject({ rows: 1, skipped: 3 });
  });
});
