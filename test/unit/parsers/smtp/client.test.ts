import { describe, expect, it } from 'vitest';
import { looksLikeSmtpClient, parseSmtpClient } from '../../../../src/parsers/smtp/client.js';
import { smtpEnvelopeFields } from '../../../../src/parsers/smtp/fields.js';
import { MAX_COMMANDS, MAX_LINE_SCAN_BYTES, MAX_RCPT_DOMAINS } from '../../../../src/parsers/smtp/limits.js';

/** Bytes of a session written with \r\n line ends (latin1: one byte per char). */
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
/** Bytes of a session with UTF-8 text (SMTPUTF8). */
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

/** Asserts that none of `secrets` (local parts, credentials) appears anywhere in the parse or the fields. */
function expectNoLeak(data: Uint8Array, secrets: string[]): void {
  const r = parseSmtpClient(data);
  const json = JSON.stringify([r, smtpEnvelopeFields(r)]).toLowerCase();
  for (const secret of secrets) expect(json, secret).not.toContain(secret.toLowerCase());
}

describe('parseSmtpClient: a full session (RFC 5321 §4.1, §D.1 scenario)', () => {
  const session = crlf(
    'EHLO client.example.org',
    'MAIL FROM:<alice.sender@Example.ORG> SIZE=1234 BODY=8BITMIME',
    'RCPT TO:<bob@example.net>',
    'RCPT TO:<carol@Example.NET>',
    'RCPT TO:<dave@other.example>',
    'DATA',
    'Received: from client.example.org',
    'From: Alice <alice.sender@example.org>',
    'X-Mailer: gophish',
    'Subject: hi',
    '',
    'X-Mailer: not a header (body)',
    '..leading dot, transparency (RFC 5321 §4.5.2)',
    '.',
    'QUIT',
  );

  it('extracts helo, domains and counts', () => {
    const r = parseSmtpClient(ascii(session));
    expect(r).toMatchObject({
      status: 'ok',
      isSmtp: true,
      helo: 'client.example.org',
      heloKind: 'ehlo',
      mailFromDomain: 'example.org',
      mailFromDomains: ['example.org'],
      rcptDomains: ['example.net', 'other.example'],
      rcptCount: 3,
      data: true,
      messages: 1,
      quit: true,
      starttls: false,
      parameters: ['SIZE', 'BODY'],
      commands: ['EHLO', 'MAIL', 'RCPT', 'RCPT', 'RCPT', 'DATA', 'QUIT'],
      xMailer: 'gophish',
      anomalies: [],
    });
    expect(r.end).toBe(session.length);
  });

  it('builds the smtp_envelope fields', () => {
    const f = smtpEnvelopeFields(parseSmtpClient(ascii(session)));
    expect(f).toMatchObject({
      helo: 'client.example.org',
      helo_kind: 'ehlo',
      mail_from_domain: 'example.org',
      rcpt_domains: ['example.net', 'other.example'],
      rcpt_count: 3,
      starttls: false,
      auth_mechanism: null,
      data: true,
      server_banner: null,
      x_mailer: 'gophish',
    });
  });

  it('never keeps a local part, nor message content', () => {
    expectNoLeak(ascii(session), ['alice.sender', 'bob@', 'carol', 'dave', 'Subject', 'leading dot']);
  });

  it('a prefix ending mid-message is incomplete, with what came before', () => {
    const cut = session.indexOf('Subject');
    const r = parseSmtpClient(ascii(session.slice(0, cut)));
    expect(r).toMatchObject({ status: 'incomplete', data: true, messages: 0, rcptCount: 3, quit: false });
  });
});

describe('pipelining (RFC 2920)', () => {
  it('reads every command of a pipelined group (RFC 2920 §3.1 example)', () => {
    const data = ascii(
      crlf(
        'EHLO dbc.mtview.ca.us',
        'MAIL FROM:<mrose@dbc.mtview.ca.us>',
        'RCPT TO:<ned@innosoft.com>',
        'RCPT TO:<dan@innosoft.com>',
        'RCPT TO:<kvc@innosoft.com>',
        'DATA',
      ),
    );
    const r = parseSmtpClient(data);
    expect(r).toMatchObject({
      status: 'incomplete',
      mailFromDomain: 'dbc.mtview.ca.us',
      rcptDomains: ['innosoft.com'],
      rcptCount: 3,
      data: true,
    });
    expectNoLeak(data, ['mrose', 'ned@', 'dan@', 'kvc']);
  });

  it('DATA refused (no recipient accepted): the next command is parsed, not skipped as content', () => {
    const r = parseSmtpClient(ascii(crlf('HELO x.example', 'MAIL FROM:<a@b.example>', 'DATA', 'QUIT')));
    expect(r).toMatchObject({ status: 'ok', data: true, messages: 0, quit: true });
    expect(r.anomalies).toEqual(['no_message_after_data']);
  });

  it('several transactions in one session', () => {
    const r = parseSmtpClient(
      ascii(
        crlf(
          'EHLO a.example',
          'MAIL FROM:<x@one.example>',
          'RCPT TO:<y@t.example>',
          'RSET',
          'MAIL FROM:<x@two.example>',
          'RCPT TO:<y@t.example>',
          'MAIL FROM:<x@ONE.example>',
        ),
      ),
    );
    expect(r).toMatchObject({
      mailFromDomain: 'one.example',
      mailFromDomains: ['one.example', 'two.example'],
      mailFromCount: 3,
      rcptDomains: ['t.example'],
      rcptCount: 2,
    });
  });
});

describe('paths (RFC 5321 §4.1.2)', () => {
  const one = (mail: string, rcpt = 'RCPT TO:<r@rcpt.example>') =>
    parseSmtpClient(ascii(crlf('EHLO h.example', mail, rcpt)));

  it('null reverse-path <>', () => {
    const r = one('MAIL FROM:<>');
    expect(r).toMatchObject({ mailFromDomain: null, nullSender: true, mailFromCount: 1, anomalies: [] });
  });

  it('source route: accepted and ignored (RFC 5321 §4.1.2, C.)', () => {
    const r = one('MAIL FROM:<@relay1.example,@relay2.example:route.user@final.example>');
    expect(r.mailFromDomain).toBe('final.example');
    expect(r.anomalies).toEqual(['source_route']);
    expectNoLeak(ascii(crlf('MAIL FROM:<@a.example,@b.example:route.user@final.example>')), ['route.user']);
  });

  it('quoted local part containing @, >, spaces and escapes', () => {
    const cases: Array<[string, string]> = [
      ['"john@smith"@quoted.example', 'john@smith'],
      ['"we\\"ird>l@cal"@quoted.example', 'we\\"ird>l@cal'],
      ['"with space"@quoted.example', 'with space'],
    ];
    for (const [mailbox, secret] of cases) {
      const r = one(`MAIL FROM:<${mailbox}>`, `RCPT TO:<${mailbox}>`);
      expect(r.mailFromDomain, mailbox).toBe('quoted.example');
      expect(r.rcptDomains, mailbox).toEqual(['quoted.example']);
      expect(r.anomalies, mailbox).toEqual([]);
      expectNoLeak(ascii(crlf('EHLO h', `MAIL FROM:<${mailbox}>`, `RCPT TO:<${mailbox}>`)), [secret]);
    }
  });

  it('IDN domains with SMTPUTF8 (RFC 6531) are decoded and lower-cased', () => {
    const data = utf8(
      crlf(
        'EHLO mail.example',
        'MAIL FROM:<用户@例子.广告> SMTPUTF8',
        'RCPT TO:<jöran@ÜBER.Example>',
        'RCPT TO:<x@xn--bcher-kva.example>',
      ),
    );
    const r = parseSmtpClient(data);
    expect(r).toMatchObject({
      mailFromDomain: '例子.广告',
      rcptDomains: ['über.example', 'xn--bcher-kva.example'],
      smtputf8: true,
      anomalies: [],
    });
    expectNoLeak(data, ['用户', 'jöran']);
  });

  it('UTF-8 without SMTPUTF8 is parsed and flagged', () => {
    const r = parseSmtpClient(utf8(crlf('EHLO m', 'MAIL FROM:<émile@café.example>')));
    expect(r.mailFromDomain).toBe('café.example');
    expect(r.anomalies).toEqual(['utf8_without_smtputf8']);
  });

  it('invalid UTF-8 in a domain is dropped', () => {
    const r = parseSmtpClient(ascii(crlf('EHLO m', 'MAIL FROM:<a@caf\xc3.example> SMTPUTF8')));
    expect(r.mailFromDomain).toBeNull();
    expect(r.anomalies).toContain('bad_utf8_domain');
  });

  it('address literals (RFC 5321 §4.1.3)', () => {
    const r = parseSmtpClient(
      ascii(
        crlf(
          'EHLO [198.18.0.7]',
          'MAIL FROM:<a@[198.18.0.1]>',
          'RCPT TO:<b@[IPv6:2001:DB8::1]>',
          'RCPT TO:<c@[ipv6:2001:db8::1]>',
          'RCPT TO:<d@[999.1.1.1]>',
          'RCPT TO:<e@[x-tag:opaque]>',
        ),
      ),
    );
    expect(r.helo).toBe('[198.18.0.7]');
    expect(r.mailFromDomain).toBe('[198.18.0.1]');
    expect(r.rcptDomains).toEqual(['[IPv6:2001:db8::1]']);
    expect(r.rcptCount).toBe(4);
    expect(r.anomalies).toEqual(['bad_address_literal', 'general_address_literal']);
  });

  it('RCPT TO:<Postmaster> (no domain) is counted, with no domain', () => {
    const r = one('MAIL FROM:<a@b.example>', 'RCPT TO:<Postmaster>');
    expect(r).toMatchObject({ rcptCount: 1, rcptDomains: [], anomalies: [] });
  });

  it('tolerated deviations are flagged: space after colon, no angle brackets, trailing dot, case', () => {
    const r = parseSmtpClient(
      ascii(
        crlf(
          'ehlo lower.example',
          'mail from: <a@Spaced.Example.>',
          'rcpt to:bare@Bare.Example NOTIFY=NEVER',
        ),
      ),
    );
    expect(r).toMatchObject({
      helo: 'lower.example',
      mailFromDomain: 'spaced.example',
      rcptDomains: ['bare.example'],
      parameters: ['NOTIFY'],
    });
    expect(r.anomalies).toEqual(['space_after_colon', 'missing_angle_brackets']);
  });

  it('malformed paths and commands never yield a domain', () => {
    const bad = [
      'MAIL FROM:<a@b@c.example>',
      'MAIL FROM:<a@bad domain.example>',
      'MAIL FROM:<a@exa$mple.com>',
      'MAIL FROM:<"unterminated@x.example>',
      'MAIL FROM:<a@x.example',
      'MAIL FROM:<@route-without-colon>',
      'MAIL FROM <a@x.example>',
      'MAIL TO:<a@x.example>',
      'MAIL FROM:',
      `MAIL FROM:<a@${'l'.repeat(64)}.example>`,
      `MAIL FROM:<a@${'a.'.repeat(130)}example>`,
    ];
    for (const cmd of bad) {
      const r = parseSmtpClient(ascii(crlf('EHLO h', cmd)));
      expect(r.mailFromDomain, cmd).toBeNull();
      expect(r.mailFromCount, cmd).toBe(1);
      expect(r.anomalies.length, cmd).toBeGreaterThan(0);
      expect(r.status, cmd).toBe('ok');
    }
  });

  it('parameter values are never kept (AUTH= and ORCPT= carry mailboxes)', () => {
    const data = ascii(
      crlf(
        'EHLO h',
        'MAIL FROM:<a@b.example> AUTH=<secretsender@b.example> ENVID=QQ314159',
        'RCPT TO:<c@d.example> ORCPT=rfc822;origrcpt@d.example NOTIFY=SUCCESS,FAILURE',
      ),
    );
    const r = parseSmtpClient(data);
    expect(r.parameters).toEqual(['AUTH', 'ENVID', 'ORCPT', 'NOTIFY']);
    expectNoLeak(data, ['secretsender', 'origrcpt', 'QQ314159']);
  });

  it('keeps at most MAX_RCPT_DOMAINS distinct domains, counts them all', () => {
    const rcpts = Array.from({ length: MAX_RCPT_DOMAINS + 20 }, (_, i) => `RCPT TO:<u@d${i}.example>`);
    const r = parseSmtpClient(ascii(crlf('EHLO h', 'MAIL FROM:<>', ...rcpts)));
    expect(r.rcptCount).toBe(MAX_RCPT_DOMAINS + 20);
    expect(r.rcptDomains).toHaveLength(MAX_RCPT_DOMAINS);
  });
});

describe('EHLO / HELO', () => {
  it('HELO is reported as helo_kind helo', () => {
    const r = parseSmtpClient(ascii(crlf('HELO old.example', 'HELO second.example')));
    expect(r).toMatchObject({ helo: 'old.example', heloKind: 'helo', heloCount: 2 });
  });

  it('an argument with @ keeps only what follows the last @', () => {
    const data = ascii(crlf('EHLO someone@host.example'));
    expect(parseSmtpClient(data)).toMatchObject({ helo: 'host.example', anomalies: ['helo_contains_at'] });
    expectNoLeak(data, ['someone']);
  });

  it('missing, overlong and binary arguments', () => {
    expect(parseSmtpClient(ascii('EHLO\r\n'))).toMatchObject({
      helo: '',
      anomalies: ['missing_helo_argument'],
    });
    const long = parseSmtpClient(ascii(`EHLO ${'a'.repeat(600)}\r\n`));
    expect(long.helo).toHaveLength(255);
    expect(long.anomalies).toEqual(['line_too_long', 'helo_too_long']);
    const bin = parseSmtpClient(ascii('EHLO \x00\x01\xff\r\n'));
    expect(bin.helo).toBe('\\x00\\x01\\xff');
    expect(bin.anomalies).toEqual(['control_characters']);
  });
});

describe('AUTH (RFC 4954): mechanism only, never credentials', () => {
  it('AUTH PLAIN with an initial response', () => {
    // base64("\0user\0hunter2")
    const ir = Buffer.from('\0brutus\0hunter2').toString('base64');
    const data = ascii(crlf('EHLO h', `AUTH PLAIN ${ir}`, 'QUIT'));
    const r = parseSmtpClient(data);
    expect(r).toMatchObject({ authMechanisms: ['PLAIN'], authAttempts: 1, quit: true, anomalies: [] });
    expect(smtpEnvelopeFields(r).auth_mechanism).toBe('PLAIN');
    expectNoLeak(data, [ir, 'brutus', 'hunter2']);
  });

  it('AUTH LOGIN: the SASL responses are counted and skipped, then commands resume', () => {
    const user = Buffer.from('brutus').toString('base64');
    const pass = Buffer.from('hunter2').toString('base64');
    const data = ascii(
      crlf('EHLO h', 'AUTH LOGIN', user, pass, 'auth login', user, '*', 'MAIL FROM:<a@b.example>', 'QUIT'),
    );
    const r = parseSmtpClient(data);
    expect(r).toMatchObject({
      authMechanisms: ['LOGIN'],
      authAttempts: 2,
      saslResponses: 4,
      mailFromDomain: 'b.example',
      quit: true,
      unknownCommands: 0,
      anomalies: [],
    });
    expectNoLeak(data, [user, pass]);
  });

  it('a malformed mechanism is flagged', () => {
    const r = parseSmtpClient(ascii(crlf('EHLO h', 'AUTH', 'AUTH pl@in')));
    expect(r.authMechanisms).toEqual([]);
    expect(r.anomalies).toEqual(['bad_auth_mechanism']);
  });
});

describe('STARTTLS (RFC 3207), BDAT (RFC 3030), QUIT', () => {
  const tls = [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5];

  it('STARTTLS stops parsing; TLS starts right after its line', () => {
    const head = ascii(crlf('EHLO h.example', 'STARTTLS'));
    const data = new Uint8Array([...head, ...tls]);
    const r = parseSmtpClient(data);
    expect(r).toMatchObject({ status: 'ok', starttls: true, tlsOffset: head.length, anomalies: [] });
    expect(smtpEnvelopeFields(r).starttls).toBe(true);
  });

  it('plaintext pipelined after STARTTLS (command injection, CVE-2011-0411 class) is flagged', () => {
    const r = parseSmtpClient(ascii(crlf('EHLO h', 'STARTTLS', 'RCPT TO:<x@injected.example>')));
    expect(r).toMatchObject({ starttls: true, rcptCount: 0, rcptDomains: [] });
    expect(r.anomalies).toEqual(['plaintext_after_starttls']);
  });

  it('BDAT chunks are skipped by size', () => {
    const chunk1 = 'RCPT TO:<not@a-command.example>\r\n';
    const chunk2 = 'tail';
    const data = ascii(
      `EHLO h\r\nMAIL FROM:<a@b.example>\r\nBDAT ${chunk1.length}\r\n${chunk1}BDAT ${chunk2.length} LAST\r\n${chunk2}QUIT\r\n`,
    );
    const r = parseSmtpClient(data);
    expect(r).toMatchObject({
      status: 'ok',
      bdat: true,
      messages: 1,
      rcptCount: 0,
      quit: true,
      anomalies: [],
    });
    expect(smtpEnvelopeFields(r).data).toBe(true);
    const cut = parseSmtpClient(data.subarray(0, data.length - 12));
    expect(cut).toMatchObject({ status: 'incomplete', bdat: true, messages: 0 });
    expect(parseSmtpClient(ascii('EHLO h\r\nBDAT 1x\r\n'))).toMatchObject({
      status: 'invalid',
      anomalies: ['bad_bdat_size'],
    });
  });

  it('QUIT stops parsing; anything after it is flagged', () => {
    const r = parseSmtpClient(ascii(crlf('HELO h', 'QUIT', 'MAIL FROM:<a@late.example>')));
    expect(r).toMatchObject({ status: 'ok', quit: true, mailFromCount: 0, anomalies: ['data_after_quit'] });
  });
});

describe('framing and limits', () => {
  it('bare LF is accepted and flagged; bare CR is flagged', () => {
    const r = parseSmtpClient(ascii('EHLO h\nMAIL FROM:<a@lf.example>\nRCPT TO:<b@c\r.example>\r\n'));
    expect(r.mailFromDomain).toBe('lf.example');
    expect(r.anomalies).toEqual(['bare_lf', 'bare_cr', 'bad_domain']);
  });

  it('end-of-data variants used for SMTP smuggling are flagged', () => {
    const variants = ['\n.\n', '\r\n.\n', '\n.\r\n'];
    for (const end of variants) {
      const r = parseSmtpClient(ascii(`EHLO h\r\nMAIL FROM:<a@b.example>\r\nDATA\r\nbody${end}QUIT\r\n`));
      expect(r.messages, JSON.stringify(end)).toBe(1);
      expect(r.anomalies, JSON.stringify(end)).toContain('data_end_bare_lf');
    }
    const cr = parseSmtpClient(ascii('EHLO h\r\nDATA\r\nbody\r.\r\r\n.\r\nQUIT\r\n'));
    expect(cr.anomalies).toEqual(['bare_cr_in_data']);
    expect(cr.quit).toBe(true);
  });

  it('unknown commands are counted; VRFY/EXPN arguments are not kept', () => {
    const data = ascii(crlf('EHLO h', 'VRFY rootuser', 'EXPN staff-list', 'XYZZY plugh', 'NOOP'));
    const r = parseSmtpClient(data);
    expect(r).toMatchObject({
      vrfyCount: 1,
      expnCount: 1,
      unknownCommands: 1,
      anomalies: ['unknown_command'],
    });
    expect(r.commands).toEqual(['EHLO', 'VRFY', 'EXPN', 'NOOP']);
    expectNoLeak(data, ['rootuser', 'staff-list', 'plugh']);
  });

  it('not SMTP, incomplete, unterminated and too many lines', () => {
    expect(parseSmtpClient(ascii('GET / HTTP/1.1\r\n'))).toMatchObject({
      status: 'invalid',
      isSmtp: false,
      anomalies: ['not_smtp'],
    });
    expect(parseSmtpClient(ascii('EHLO h.exa'))).toMatchObject({ status: 'incomplete', helo: null });
    expect(parseSmtpClient(new Uint8Array(0))).toMatchObject({ status: 'ok', isSmtp: false });
    const endless = parseSmtpClient(ascii(`EHLO h\r\nNOOP ${'x'.repeat(MAX_LINE_SCAN_BYTES)}`));
    expect(endless).toMatchObject({ status: 'invalid', helo: 'h', anomalies: ['unterminated_line'] });
    const many = parseSmtpClient(ascii('NOOP\r\n'.repeat(MAX_COMMANDS + 1)));
    expect(many).toMatchObject({ status: 'invalid', anomalies: ['too_many_commands'] });
    expect(many.commands).toHaveLength(64);
  });
});

describe('looksLikeSmtpClient', () => {
  it.each([
    ['EHLO x\r\n', true],
    ['helo x\r\n', true],
    ['EHLO\r\n', true],
    ['MAIL FROM:<a@b>\r\n', true],
    ['RCPT TO:<a@b>\r\n', true],
    ['EHLOx\r\n', false],
    ['QUIT\r\n', false],
    ['USER anonymous\r\n', false],
    ['GET / HTTP/1.1\r\n', false],
    ['EHL', false],
    ['mail from:<a@b>\r\n', true],
    ['rcpt to:<a@b>\r\n', true],
    ['\xffEHLO x\r\n', false],
    ['\xc5HLO x\r\n', false],
  ])('%j -> %s', (text, want) => {
    expect(looksLikeSmtpClient(ascii(text))).toBe(want);
  });
});
