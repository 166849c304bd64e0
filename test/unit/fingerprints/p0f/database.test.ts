// The p0f.fp reader on hand-written lines (format: p0f 3.09b docs/README §5) and on the shipped file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_P0F_DB,
  loadP0fDatabase,
  P0F_DB_MAX_DIAGNOSTICS,
  type P0fDatabase,
  type P0fTcpSignature,
  parseP0fDatabase,
  Quirk,
} from '../../../../src/fingerprints/p0f/index.js';

const HEAD = 'classes = win,unix,other\n\n[tcp:request]\n\nlabel = s:unix:Linux:3.x\n';

function only(db: P0fDatabase): P0fTcpSignature {
  const all = [...db.request.values(), ...db.response.values()].flat();
  expect(all).toHaveLength(1);
  return all[0]!;
}

function sig(value: string): P0fTcpSignature {
  const db = parseP0fDatabase(`${HEAD}sig = ${value}\n`);
  expect(db.diagnostics).toEqual([]);
  return only(db);
}

function refused(value: string): string {
  const db = parseP0fDatabase(`${HEAD}sig = ${value}\n`);
  expect(db.signatures).toBe(0);
  expect(db.diagnostics).toHaveLength(1);
  expect(db.diagnostics[0]!.line).toBe(6);
  return db.diagnostics[0]!.message;
}

describe('parseP0fDatabase: signatures', () => {
  it('reads every field of a signature', () => {
    const s = sig('*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0');
    expect(s).toMatchObject({
      ipVersion: null,
      ttl: 64,
      randomTtl: false,
      ipOptLen: 0,
      mss: -1,
      windowType: 'mss',
      window: 20,
      wscale: 10,
      layout: [2, 4, 8, 1, 3],
      eolPad: 0,
      quirks: Quirk.df | Quirk.idNonZero,
      payClass: 0,
      line: 6,
      text: '*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0',
    });
    expect(s.label).toMatchObject({
      type: 's',
      osClass: 'unix',
      name: 'Linux',
      flavor: '3.x',
      text: 'Linux 3.x',
    });
  });

  it.each([
    [
      '4:128:0:1460:8192,8:mss:df:0',
      { ipVersion: 4, ttl: 128, mss: 1460, windowType: 'fixed', window: 8192 },
    ],
    [
      '6:64:0:*:*,*:mss::+',
      { ipVersion: 6, windowType: 'any', window: 0, wscale: -1, quirks: 0, payClass: 1 },
    ],
    ['*:64:0:*:%8192,0:mss::*', { windowType: 'mod', window: 8192, payClass: -1 }],
    ['4:128:0:1460:mtu*2,0:mss,nop,ws::0', { windowType: 'mtu', window: 2 }],
    ['*:64-:0:1460:1024,0:mss::0', { ttl: 64, randomTtl: true }],
    ['*:54+10:0:1460:1024,0:mss::0', { ttl: 64, randomTtl: false }],
    ['4:64:12:1460:1024,0:mss::0', { ipOptLen: 12 }],
    [
      '*:64:0:*:65535,1:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0',
      { layout: [2, 1, 3, 1, 1, 8, 4, 0], eolPad: 1 },
    ],
    ['*:64:0:0:4,10:sok,ts,ws,eol+0:ack+:0', { layout: [4, 8, 3, 0], eolPad: 0, quirks: Quirk.ackNonZero }],
    ['*:64:0:0:4,10:?30,sack,?254::0', { layout: [30, 5, 254] }],
    ['*:64:0:0:4,10:::0', { layout: [], layoutKey: '' }],
    ['*:64::0:4,10:::0', { ipOptLen: 0 }],
  ])('%s', (value, fields) => {
    expect(sig(value)).toMatchObject(fields);
  });

  it('reads every quirk', () => {
    const s = sig(
      '4:64:0:0:0,0::df,id+,id-,ecn,0+,seq-,ack+,ack-,uptr+,urgf+,pushf+,ts1-,ts2+,opt+,exws,bad:0',
    );
    expect(s.quirks).toBe((1 << 17) - 1 - Quirk.flow);
    expect(sig('6:64:0:0:0,0::flow,ecn:0').quirks).toBe(Quirk.flow | Quirk.ecn);
  });

  it.each([
    ['5:64:0:*:*,*:mss::0', 'unrecognized IP version'],
    ['4-64:0:*:*,*:mss::0', 'malformed signature'],
    ['4::0:*:*,*:mss::0', 'bogus initial TTL'],
    ['4:256:0:*:*,*:mss::0', 'bogus initial TTL'],
    ['4:250+10:0:*:*,*:mss::0', 'bogus initial TTL'],
    ['4:64-5:0:*:*,*:mss::0', 'malformed signature'],
    ['4:64x:0:*:*,*:mss::0', 'malformed initial TTL'],
    ['4:64:256:*:*,*:mss::0', 'bogus IP option length'],
    ['4:64:0:65536:*,*:mss::0', 'bogus MSS'],
    ['4:64:0:*:%1,*:mss::0', "bogus '%' window"],
    ['4:64:0:*:mss*0,*:mss::0', 'bogus MSS/MTU multiplier'],
    ['4:64:0:*:mss*1001,*:mss::0', 'bogus MSS/MTU multiplier'],
    ['4:64:0:*:65536,*:mss::0', 'bogus window size'],
    ['4:64:0:*:1024:mss::0', 'malformed window size'],
    ['4:64:0:*:*,256:mss::0', 'bogus window scale'],
    ['4:64:0:*:*,*:mss,foo::0', 'unrecognized TCP option'],
    ['4:64:0:*:*,*:mssx::0', 'malformed TCP options'],
    ['4:64:0:*:*,*:eol+1,mss::0', 'malformed EOL padding (EOL must be the last option)'],
    ['4:64:0:*:*,*:eol:df:0', 'malformed EOL option'],
    ['4:64:0:*:*,*:?256::0', "bogus '?' option"],
    [`4:64:0:*:*,*:${Array(25).fill('nop').join(',')}::0`, 'too many TCP options'],
    ['4:64:0:*:*,*:mss:df,wat:0', 'unrecognized quirk'],
    ['6:64:0:*:*,*:mss:df:0', "'df' is not valid for IPv6"],
    ['6:64:0:*:*,*:mss:0+:0', "'0+' is not valid for IPv6"],
    ['4:64:0:*:*,*:mss:flow:0', "'flow' is not valid for IPv4"],
    ['4:64:0:*:*,*:mss::1', 'malformed payload class'],
    ['4:64:0:*:*,*:mss::0:extra', 'malformed payload class'],
    ['4:64:0:*:*,*:mss', 'malformed TCP options'],
  ])('refuses %s (%s)', (value, message) => {
    expect(refused(value).slice(0, message.length)).toBe(message);
  });
});

describe('parseP0fDatabase: file structure', () => {
  it('reads labels, classes, sys and sections; names fold case-insensitively to the first spelling', () => {
    const db = parseP0fDatabase(
      [
        '; comment',
        'classes = win,unix,other',
        '[tcp:request]',
        '  label = g:unix:Mac OS X:',
        'sig = *:64:0:*:65535,*:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0',
        'label = s:!:NMap:SYN scan',
        'sys   = @unix,@win, Linux',
        'sig   = *:64-:0:1460:1024,0:mss::0',
        '[tcp:response]',
        'label = s:WIN:mac os x:10.x',
        'sig = *:64:0:*:65535,0:mss::0',
      ].join('\n'),
    );
    expect(db.diagnostics).toEqual([]);
    expect(db.classes).toEqual(['win', 'unix', 'other']);
    expect(db.signatures).toBe(3);
    const [mac, nmap] = db.request.get('2,1,3,1,1,8,4,0')!.concat(db.request.get('2')!);
    expect(mac!.label).toMatchObject({
      type: 'g',
      osClass: 'unix',
      name: 'Mac OS X',
      flavor: '',
      text: 'Mac OS X',
    });
    expect(nmap!.label).toMatchObject({
      osClass: '!',
      text: 'NMap SYN scan',
      sys: ['@unix', '@win', 'Linux'],
    });
    expect(db.response.get('2')![0]!.label).toMatchObject({
      osClass: 'WIN',
      name: 'Mac OS X',
      text: 'Mac OS X 10.x',
    });
  });

  it('reports refused lines with their numbers and keeps the rest', () => {
    const db = parseP0fDatabase(
      [
        'classes = win,unix', // 1
        '[tcp:request]', // 2
        'sig = *:64:0:*:*,*:mss::0', // 3: no label yet
        'label = s:bsd:FreeBSD:9', // 4: unknown class
        'sig = *:64:0:*:*,*:mss::0', // 5: under the refused label
        'label = s:unix:Linux:3', // 6
        'sig = *:64:0:*:*,*:mss::0', // 7: ok
        'sys = Linux', // 8: sys only after a '!' label
        'label = s:!:Tool:', // 9
        'sig = *:64:0:*:*,*:mss::0', // 10: sys missing
        'sys = @bsd', // 11: unknown class
        'what = ever', // 12
        'garbage', // 13
        'classes = other', // 14: classes after a section
        '[tcp:sideways]', // 15
        'label = s:unix:Linux:3', // 16: skipped with the bad section
        'sig = nonsense', // 17: skipped with the bad section
        '[tcp:response]', // 18
        'label = s:unix:Linux:3', // 19
        'sig = *:64:0:*:*,*:mss::0', // 20: ok
        'label = x:unix:Linux:3', // 21
        'label = s:unix::3', // 22
        'label = s:unix:Linux', // 23
      ].join('\n'),
    );
    expect(db.signatures).toBe(2);
    expect(db.diagnostics.map((d) => d.line)).toEqual([3, 4, 5, 8, 10, 11, 12, 13, 14, 15, 21, 22, 23]);
    expect(db.errorCount).toBe(13);
    expect(db.diagnostics.find((d) => d.line === 4)!.message).toMatch(/unknown class 'bsd'/);
  });

  it('refuses a signature an earlier specific one already covers, as p0f does', () => {
    const db = parseP0fDatabase(
      [
        'classes = unix',
        '[tcp:request]',
        'label = s:unix:A:',
        'sig = 4:64:0:1460:%1024,0:mss::0',
        'label = s:unix:B:',
        'sig = 4:64:0:1460:4096,0:mss::0', // a multiple of 1024: covered by line 4
        'sig = 4:64:0:1460:%1024,0:mss::0', // identical to line 4
        'sig = 4:64:0:1460:%1024,0:mss::+', // different payload class: fine
        'label = g:unix:C:',
        'sig = 4:64:0:1460:4000,0:mss::0', // fine
        'label = s:unix:D:',
        'sig = 4:64:0:1460:4000,0:mss::0', // covered only by a generic one: fine
      ].join('\n'),
    );
    expect(db.diagnostics).toEqual([
      { line: 6, message: 'signature already covered by line 4' },
      { line: 7, message: 'signature already covered by line 4' },
    ]);
    expect(db.signatures).toBe(4);
  });

  it('tolerates CRLF line ends and trailing blanks', () => {
    const db = parseP0fDatabase(`${HEAD.replaceAll('\n', '\r\n')}sig = *:64:0:*:*,*:mss::0 \t\r\n`);
    expect(db.diagnostics).toEqual([]);
    expect(db.signatures).toBe(1);
  });

  it(`keeps at most ${P0F_DB_MAX_DIAGNOSTICS} diagnostics and counts the rest`, () => {
    const db = parseP0fDatabase(`${HEAD}${'sig = nope\n'.repeat(1000)}`);
    expect(db.diagnostics).toHaveLength(P0F_DB_MAX_DIAGNOSTICS);
    expect(db.errorCount).toBe(1000);
  });

  it('returns an immutable index', () => {
    const db = parseP0fDatabase(`${HEAD}sig = *:64:0:*:*,*:mss::0\n`);
    const s = only(db);
    expect(Object.isFrozen(db)).toBe(true);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.label)).toBe(true);
    expect(Object.isFrozen(db.request.get('2'))).toBe(true);
    expect(() => (db.request as Map<string, P0fTcpSignature[]>).set('x', [])).toThrow(TypeError);
    expect(() => (db.request as Map<string, P0fTcpSignature[]>).clear()).toThrow(TypeError);
  });
});

describe('the shipped p0f.fp (Debian p0f 3.09b-3)', () => {
  it('loads without a refused line: 91 SYN and 101 SYN+ACK signatures', () => {
    const db = loadP0fDatabase();
    expect(db.diagnostics).toEqual([]);
    const count = (m: ReadonlyMap<string, readonly P0fTcpSignature[]>) => [...m.values()].flat().length;
    expect(count(db.request)).toBe(91);
    expect(count(db.response)).toBe(101);
    expect(loadP0fDatabase()).toBe(db);
  });

  it('is where the package expects it, beside its licence', () => {
    expect(readFileSync(DEFAULT_P0F_DB, 'latin1')).toMatch(/^;\n; p0f - fingerprint database/);
    expect(readFileSync(new URL('LICENSE-LGPL-2.1.txt', `file://${DEFAULT_P0F_DB}`), 'utf8')).toMatch(
      /GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1/,
    );
  });

  it('throws a typed error for a missing file', () => {
    expect(() => loadP0fDatabase('/nonexistent/p0f.fp')).toThrow(
      expect.objectContaining({ code: 'E_NO_SUCH_FILE' }),
    );
  });
});
