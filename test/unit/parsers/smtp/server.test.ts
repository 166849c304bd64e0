import { describe, expect, it } from 'vitest';
import { parseSmtpClient } from '../../../../src/parsers/smtp/client.js';
import { smtpEnvelopeFields } from '../../../../src/parsers/smtp/fields.js';
import { MAX_REPLY_LINES } from '../../../../src/parsers/smtp/limits.js';
import { parseSmtpServer } from '../../../../src/parsers/smtp/server.js';

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const crlf = (...lines: string[]): string => lines.map((l) => `${l}\r\n`).join('');

describe('parseSmtpServer (RFC 5321 §4.2, §4.1.1.1)', () => {
  const postfix = crlf(
    '220 mail.example.com ESMTP Postfix (Debian/GNU)',
    '250-mail.example.com',
    '250-PIPELINING',
    '250-SIZE 10240000',
    '250-VRFY',
    '250-ETRN',
    '250-STARTTLS',
    '250-AUTH PLAIN LOGIN',
    '250-AUTH=PLAIN LOGIN',
    '250-ENHANCEDSTATUSCODES',
    '250-8BITMIME',
    '250-DSN',
    '250-SMTPUTF8',
    '250 CHUNKING',
    '250 2.1.0 Ok',
  );

  it('greeting, EHLO keywords in order, AUTH mechanisms, SIZE', () => {
    const r = parseSmtpServer(ascii(postfix));
    expect(r).toMatchObject({
      status: 'ok',
      isSmtp: true,
      greetingCode: 220,
      banner: 'mail.example.com ESMTP Postfix (Debian/GNU)',
      hostName: 'mail.example.com',
      software: 'ESMTP Postfix (Debian/GNU)',
      greetingLines: 1,
      ehloReply: true,
      ehloHost: 'mail.example.com',
      extensions: [
        'PIPELINING',
        'SIZE',
        'VRFY',
        'ETRN',
        'STARTTLS',
        'AUTH',
        'AUTH=PLAIN',
        'ENHANCEDSTATUSCODES',
        '8BITMIME',
        'DSN',
        'SMTPUTF8',
        'CHUNKING',
      ],
      authMechanisms: ['PLAIN', 'LOGIN'],
      sizeLimit: 10240000,
      replyCodes: [220, 250, 250],
      tlsOffset: -1,
      anomalies: [],
    });
    expect(r.end).toBe(postfix.length);
  });

  it('fills server_banner and the server fields of smtp_envelope', () => {
    const client = parseSmtpClient(ascii(crlf('EHLO c.example', 'QUIT')));
    const f = smtpEnvelopeFields(client, parseSmtpServer(ascii(postfix)));
    expect(f).toMatchObject({
      server_banner: 'mail.example.com ESMTP Postfix (Debian/GNU)',
      server_host: 'mail.example.com',
      server_software: 'ESMTP Postfix (Debian/GNU)',
      server_greeting_code: 220,
      server_auth_mechanisms: ['PLAIN', 'LOGIN'],
    });
    expect((f.server_extensions as string[])[0]).toBe('PIPELINING');
  });

  it('a multi-line greeting; a HELO reply has no extensions', () => {
    const r = parseSmtpServer(
      ascii(crlf('220-smtp.example Welcome', '220-No UCE', '220 ready', '250 smtp.example')),
    );
    expect(r).toMatchObject({
      greetingLines: 3,
      banner: 'smtp.example Welcome',
      hostName: 'smtp.example',
      ehloReply: true,
      ehloHost: 'smtp.example',
      extensions: [],
      replyCodes: [220, 250],
    });
  });

  it('a later 250 single-line reply is not mistaken for the EHLO reply', () => {
    const r = parseSmtpServer(ascii(crlf('220 h ESMTP', '503 5.5.1 send EHLO first', '250 2.0.0 Ok')));
    expect(r).toMatchObject({ ehloReply: false, ehloHost: null, replyCodes: [220, 503, 250] });
  });

  it('a refusing greeting', () => {
    const r = parseSmtpServer(ascii(crlf('554 5.7.1 no service for you')));
    expect(r).toMatchObject({ greetingCode: 554, hostName: '5.7.1', anomalies: ['greeting_not_220'] });
  });

  it('TLS after the 220 reply to STARTTLS ends parsing', () => {
    const head = ascii(crlf('220 h ESMTP', '250-h', '250 STARTTLS', '220 2.0.0 Ready to start TLS'));
    const r = parseSmtpServer(new Uint8Array([...head, 0x16, 3, 3, 0, 2, 1, 2]));
    expect(r).toMatchObject({
      status: 'ok',
      tlsOffset: head.length,
      extensions: ['STARTTLS'],
      anomalies: [],
    });
    const odd = parseSmtpServer(new Uint8Array([...ascii(crlf('220 h', '250 h')), 0x16, 3, 1]));
    expect(odd.anomalies).toEqual(['tls_without_220']);
  });

  it('bad keywords are skipped; framing anomalies', () => {
    const r = parseSmtpServer(ascii('220 h\n250-h\r\n250-BAD KEY!\r\n250-@@@\r\n251 X\r\n'));
    expect(r.extensions).toEqual(['BAD', 'X']);
    expect(r.anomalies).toEqual(['bare_lf', 'inconsistent_multiline_code', 'bad_ehlo_keyword']);
  });

  it('not SMTP, malformed, incomplete, too many lines', () => {
    expect(parseSmtpServer(ascii('SSH-2.0-OpenSSH_9.6\r\n'))).toMatchObject({
      status: 'invalid',
      isSmtp: false,
      anomalies: ['not_smtp'],
    });
    expect(parseSmtpServer(ascii('220 h\r\nhello\r\n'))).toMatchObject({
      status: 'invalid',
      greetingCode: 220,
      anomalies: ['malformed_reply'],
    });
    expect(parseSmtpServer(ascii('220-h\r\n220-more\r\n'))).toMatchObject({
      status: 'incomplete',
      greetingCode: null,
    });
    expect(parseSmtpServer(ascii('220 h ESM'))).toMatchObject({ status: 'incomplete', greetingCode: null });
    const many = parseSmtpServer(ascii('250-x\r\n'.repeat(MAX_REPLY_LINES + 1)));
    expect(many).toMatchObject({ status: 'invalid', anomalies: ['too_many_replies'] });
  });
});
