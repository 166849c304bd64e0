import { describe, expect, it } from 'vitest';
import {
  looksLikeSsh,
  parseSshIdentification,
  type SshIdentification,
} from '../../../../src/parsers/ssh/banner.js';
import type { SshRole } from '../../../../src/parsers/ssh/constants.js';
import {
  MAX_IDENTIFICATION_SCAN_BYTES,
  MAX_PRE_BANNER_BYTES,
  MAX_PRE_BANNER_LINES,
} from '../../../../src/parsers/ssh/limits.js';
import { ascii } from './builders.js';

interface Case {
  name: string;
  input: string;
  role?: SshRole;
  expect: Partial<SshIdentification>;
}

const LONG_SOFTWARE = 'OpenSSH_9.2p1' + ' '.repeat(300);

/** RFC 4253 §4.2 / §5 cases; expected values are read off the RFC text. */
const CASES: Case[] = [
  {
    name: 'plain identification, CR LF',
    input: 'SSH-2.0-OpenSSH_9.6\r\n',
    expect: {
      status: 'ok',
      banner: 'SSH-2.0-OpenSSH_9.6',
      protoVersion: '2.0',
      softwareVersion: 'OpenSSH_9.6',
      comments: null,
      sshMajorVersion: 2,
      preBannerLines: [],
      end: 21,
      anomalies: [],
    },
  },
  {
    name: 'comments after SP; bytes after the line are not part of it (DECNET vector)',
    input: 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\nkex-init...',
    expect: {
      status: 'ok',
      banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2',
      softwareVersion: 'OpenSSH_9.2p1',
      comments: 'Debian-2',
      end: 32,
      anomalies: [],
    },
  },
  {
    name: 'bare LF accepted (§4.2 compatibility note; DECNET vector)',
    input: 'SSH-2.0-libssh2_1.10.0\n',
    expect: { status: 'ok', banner: 'SSH-2.0-libssh2_1.10.0', end: 23, anomalies: ['bare_lf'] },
  },
  {
    name: 'SSH-1.99 (§5.1: server compatible with 1.x and 2.0) speaks SSH-2',
    input: 'SSH-1.99-OpenSSH_3.9p1\r\n',
    expect: {
      status: 'ok',
      protoVersion: '1.99',
      softwareVersion: 'OpenSSH_3.9p1',
      sshMajorVersion: 2,
      anomalies: [],
    },
  },
  {
    name: 'SSH-1.5 is SSH-1',
    input: 'SSH-1.5-1.2.26\n',
    expect: {
      status: 'ok',
      protoVersion: '1.5',
      softwareVersion: '1.2.26',
      sshMajorVersion: 1,
      anomalies: ['bare_lf'],
    },
  },
  {
    name: 'comments keep their spaces; a minus in softwareversion is tolerated',
    input: 'SSH-2.0-JSCH-0.1.54 a b  c\r\n',
    expect: { softwareVersion: 'JSCH-0.1.54', comments: 'a b  c', anomalies: [] },
  },
  { name: 'SP with empty comments', input: 'SSH-2.0-x \r\n', expect: { comments: '', anomalies: [] } },
  {
    name: 'server pre-banner lines (§4.2: the server MAY send other lines first)',
    input: 'Welcome\r\nLegal notice\n\r\nSSHX\r\nSSH-2.0-srv\r\n',
    role: 'server',
    expect: {
      status: 'ok',
      banner: 'SSH-2.0-srv',
      preBannerLines: ['Welcome', 'Legal notice', '', 'SSHX'],
      end: 43,
      anomalies: [],
    },
  },
  {
    name: 'pre-banner lines also without a role',
    input: 'hello\r\nSSH-2.0-srv\r\n',
    expect: { status: 'ok', preBannerLines: ['hello'], end: 20 },
  },
  {
    name: 'a client may not send pre-banner lines',
    input: 'hello\r\nSSH-2.0-cli\r\n',
    role: 'client',
    expect: { status: 'invalid', banner: null, anomalies: ['not_ssh'] },
  },
  {
    name: 'HTTP from a client is not SSH (DECNET vector)',
    input: 'GET / HTTP/1.1\r\n',
    role: 'client',
    expect: { status: 'invalid', banner: null, anomalies: ['not_ssh'] },
  },
  {
    name: 'HTTP without a role could still be a preamble: incomplete',
    input: 'GET / HTTP/1.1\r\n',
    expect: { status: 'incomplete', banner: null, preBannerLines: ['GET / HTTP/1.1'] },
  },
  {
    name: 'TLS bytes are not SSH (DECNET vector; NUL in a pre-banner line)',
    input: '\x16\x03\x01\x00',
    expect: { status: 'invalid', anomalies: ['not_ssh'] },
  },
  {
    name: 'empty input (DECNET vector)',
    input: '',
    expect: { status: 'incomplete', banner: null, anomalies: [] },
  },
  {
    name: 'a prefix of "SSH-"',
    input: 'SS',
    role: 'client',
    expect: { status: 'incomplete', anomalies: [] },
  },
  {
    name: 'identification without its LF yet',
    input: 'SSH-2.0-OpenSSH_9.6',
    expect: { status: 'incomplete', banner: null, end: 0, anomalies: [] },
  },
  {
    name: 'overlong line (> 255 with CR LF) is reported truncated to 253 (DECNET drops it)',
    input: `SSH-2.0-${LONG_SOFTWARE}\r\n`,
    expect: {
      status: 'ok',
      banner: `SSH-2.0-${LONG_SOFTWARE}`.slice(0, 253),
      softwareVersion: 'OpenSSH_9.2p1',
      end: 8 + LONG_SOFTWARE.length + 2,
      anomalies: ['banner_too_long'],
    },
  },
  {
    name: 'exactly 255 bytes with CR LF is fine',
    input: `SSH-2.0-${'a'.repeat(245)}\r\n`,
    expect: { status: 'ok', banner: `SSH-2.0-${'a'.repeat(245)}`, anomalies: [] },
  },
  {
    name: '256 bytes with CR LF is too long',
    input: `SSH-2.0-${'a'.repeat(246)}\r\n`,
    expect: { status: 'ok', banner: `SSH-2.0-${'a'.repeat(245)}`, anomalies: ['banner_too_long'] },
  },
  {
    name: '"SSH-" alone (DECNET vector): reported, malformed',
    input: 'SSH-\r\n',
    expect: {
      status: 'ok',
      banner: 'SSH-',
      protoVersion: '',
      softwareVersion: '',
      sshMajorVersion: null,
      anomalies: ['malformed_identification'],
    },
  },
  {
    name: 'no softwareversion',
    input: 'SSH-2.0\r\n',
    expect: {
      protoVersion: '2.0',
      softwareVersion: '',
      sshMajorVersion: 2,
      anomalies: ['malformed_identification'],
    },
  },
  {
    name: 'unknown protoversion',
    input: 'SSH-3.0-future\r\n',
    expect: { status: 'ok', sshMajorVersion: null, anomalies: ['unknown_protoversion'] },
  },
  {
    name: 'non-ASCII bytes are escaped as \\xHH (DECNET vector)',
    input: 'SSH-2.0-\xff\xfe\r\n',
    expect: {
      status: 'ok',
      banner: 'SSH-2.0-\\xff\\xfe',
      softwareVersion: '\\xff\\xfe',
      anomalies: ['non_printable_banner'],
    },
  },
  {
    name: 'terminal escapes and NUL are escaped; a lone CR is part of the line',
    input: 'SSH-2.0-a\x00\x1b[31m\rb\r\n',
    expect: { banner: 'SSH-2.0-a\\x00\\x1b[31m\\x0db', anomalies: ['non_printable_banner'] },
  },
  {
    name: 'a backslash is doubled so the escaping stays reversible',
    input: 'SSH-2.0-a\\x41\r\n',
    expect: { banner: 'SSH-2.0-a\\\\x41', anomalies: [] },
  },
  {
    name: 'pre-banner line over 255 bytes: kept truncated',
    input: `${'x'.repeat(300)}\r\nSSH-2.0-s\r\n`,
    expect: { status: 'ok', preBannerLines: ['x'.repeat(253)], anomalies: ['pre_banner_line_too_long'] },
  },
  {
    name: `more than ${MAX_PRE_BANNER_LINES} pre-banner lines`,
    input: 'line\r\n'.repeat(MAX_PRE_BANNER_LINES + 1) + 'SSH-2.0-s\r\n',
    expect: { status: 'invalid', banner: null, anomalies: ['too_many_pre_banner_lines'] },
  },
  {
    name: `exactly ${MAX_PRE_BANNER_LINES} pre-banner lines`,
    input: 'line\r\n'.repeat(MAX_PRE_BANNER_LINES) + 'SSH-2.0-s\r\n',
    expect: { status: 'ok', banner: 'SSH-2.0-s' },
  },
  {
    name: `no line end within ${MAX_PRE_BANNER_BYTES} pre-banner bytes`,
    input: 'x'.repeat(MAX_PRE_BANNER_BYTES + 10),
    expect: { status: 'invalid', anomalies: ['pre_banner_too_long'] },
  },
  {
    name: 'a long unfinished pre-banner line below the cap: incomplete',
    input: 'x'.repeat(MAX_PRE_BANNER_BYTES - 10),
    expect: { status: 'incomplete', anomalies: [] },
  },
  {
    name: `identification without LF within ${MAX_IDENTIFICATION_SCAN_BYTES} bytes: invalid, still reported`,
    input: 'SSH-2.0-' + 'A'.repeat(MAX_IDENTIFICATION_SCAN_BYTES),
    expect: {
      status: 'invalid',
      banner: 'SSH-2.0-' + 'A'.repeat(245),
      end: 0,
      anomalies: ['banner_too_long', 'unterminated_banner'],
    },
  },
  {
    name: 'identification without LF, below the scan cap: incomplete',
    input: 'SSH-2.0-' + 'A'.repeat(1000),
    expect: { status: 'incomplete', banner: null, anomalies: [] },
  },
];

describe('parseSshIdentification (RFC 4253 §4.2)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = parseSshIdentification(ascii(c.input), c.role);
    expect(r).toMatchObject(c.expect);
  });

  it('every text field is printable ASCII, whatever the input bytes', () => {
    const all = Uint8Array.from({ length: 250 }, (_, i) => (i + 1) % 256);
    const r = parseSshIdentification(
      new Uint8Array([...ascii('SSH-2.0-'), ...all.filter((b) => b !== 10), 10]),
    );
    expect(r.status).toBe('ok');
    for (const v of [r.banner, r.protoVersion, r.softwareVersion, r.comments]) {
      if (v !== null) expect(v).toMatch(/^[\x20-\x7e]*$/);
    }
  });
});

describe('looksLikeSsh (content, not port)', () => {
  const cases: Array<[string, string, SshRole | undefined, boolean]> = [
    ['identification', 'SSH-2.0-x', undefined, true],
    ['identification, client', 'SSH-2.0-x', 'client', true],
    ['too short to decide', 'SS', undefined, false],
    ['after server pre-banner lines', 'hello\r\nworld\nSSH-2.0-x', undefined, true],
    ['pre-banner lines from a client', 'hello\r\nSSH-2.0-x', 'client', false],
    ['HTTP', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', undefined, false],
    ['TLS', '\x16\x03\x01\x02\x00\x01', undefined, false],
    ['NUL before the line', 'a\x00\nSSH-2.0-x', undefined, false],
    ['too many lines first', 'a\n'.repeat(MAX_PRE_BANNER_LINES + 1) + 'SSH-2.0-x', undefined, false],
    ['"SSH-" not at a line start', 'xSSH-2.0-x', undefined, false],
  ];
  it.each(cases)('%s', (_n, input, role, expected) => {
    expect(looksLikeSsh(ascii(input), role)).toBe(expected);
  });
});
