/**
 * Test-only: a deterministic synthetic SMTP capture (scripts/pcapgen) of a spam-bot-like session —
 * AUTH LOGIN, a pipelined envelope (RFC 2920) in two segments of several commands, a quoted local part with
 * '@', a source route, an address literal, a DATA message — so that tshark can serve as an independent
 * oracle for it (its output is pasted in generated.test.ts, with the capture's SHA-256).
 */
import { captureFileBytes, LinkType, Prng, TcpSession } from '../../../../scripts/pcapgen/index.js';

const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

export const GENERATED_CLIENT_IP = '203.0.113.66';

/** Pcap bytes of the session. */
export function generatedSmtpCapture(): Buffer {
  const s = new TcpSession({
    client: { ip: GENERATED_CLIENT_IP, port: 49723, stack: 'windows' },
    server: { ip: '198.18.0.25', port: 25 },
    prng: new Prng(25),
    startTs: 1_736_899_200_000_000,
  });
  s.handshake();
  s.send('server', text('220 mx.honeypot.example ESMTP Postfix (Ubuntu)\r\n'));
  s.send('client', text('EHLO [198.51.100.7]\r\n'));
  s.send(
    'server',
    text(
      '250-mx.honeypot.example\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-AUTH PLAIN LOGIN\r\n' +
        '250-8BITMIME\r\n250 SMTPUTF8\r\n',
    ),
  );
  s.send('client', text('AUTH LOGIN\r\n'));
  s.send('server', text('334 VXNlcm5hbWU6\r\n'));
  s.send('client', text(`${Buffer.from('webmaster').toString('base64')}\r\n`));
  s.send('server', text('334 UGFzc3dvcmQ6\r\n'));
  s.send('client', text(`${Buffer.from('Summer2024!').toString('base64')}\r\n`));
  s.send('server', text('235 2.7.0 Authentication successful\r\n'));
  const envelope =
    'MAIL FROM:<"billing@dept"@Bank-Secure.Example> BODY=8BITMIME\r\n' +
    'RCPT TO:<@relay.example:victim.one@Target.Example>\r\n' +
    'RCPT TO:<victim.two@target.example>\r\n' +
    'RCPT TO:<victim.three@[198.18.0.1]>\r\n' +
    'DATA\r\n';
  const firstSegment = envelope.indexOf('RCPT TO:<victim.two');
  s.send('client', text(envelope), { segments: [firstSegment, envelope.length - firstSegment] });
  s.send('server', text('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data\r\n'));
  s.send(
    'client',
    text(
      'From: "Bank" <billing@bank-secure.example>\r\nTo: victim.one@target.example\r\n' +
        'Subject: Account verification\r\nX-Mailer: PHPMailer 6.8.0\r\n\r\nPlease log in.\r\n.\r\n',
    ),
  );
  s.send('server', text('250 2.0.0 Ok: queued as 4XyZ\r\n'));
  s.send('client', text('QUIT\r\n'));
  s.send('server', text('221 2.0.0 Bye\r\n'));
  s.close('server');
  return captureFileBytes(s.packets, { linkType: LinkType.ETHERNET });
}
