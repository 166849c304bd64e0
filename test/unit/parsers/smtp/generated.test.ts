// A synthetic capture (generated-capture.ts) checked against tshark 4.0.17 as an independent oracle. The
// tshark output below was produced once from the capture whose SHA-256 is pinned here (the test fails if
// the generator's bytes change, because then the pasted oracle no longer describes them):
//   tshark -r gen.pcap -Y smtp.req -T fields -e tcp.stream -e smtp.req.command -e smtp.req.parameter
//   tshark -r gen.pcap -Y smtp.response -T fields -e tcp.stream -e smtp.response.code -e smtp.rsp.parameter
//   tshark -r gen.pcap -Y imf -T fields -e imf.ext.mailer
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSmtpClient } from '../../../../src/parsers/smtp/client.js';
import { smtpEnvelopeFields } from '../../../../src/parsers/smtp/fields.js';
import { parseSmtpServer } from '../../../../src/parsers/smtp/server.js';
import { readTcpStreams } from '../tls/pcap-streams.js';
import { generatedSmtpCapture } from './generated-capture.js';

const SHA256 = 'd9b3eaa8850f5bab207a763c0c4ba7acf05e593404da2219f9bd7d961645879b';

/** tshark output, verbatim. Rows with several commands are one TCP segment of pipelined commands
 *  (values joined by ','); the two empty rows are the AUTH LOGIN responses (smtp.auth.username/password). */
const TSHARK_REQUESTS = `0\tEHLO\t[198.51.100.7]
0\tAUTH\tLOGIN
0\t\t
0\t\t
0\tMAIL,RCPT\tFROM:<"billing@dept"@Bank-Secure.Example> BODY=8BITMIME,TO:<@relay.example:victim.one@Target.Example>
0\tRCPT,RCPT,DATA\tTO:<victim.two@target.example>,TO:<victim.three@[198.18.0.1]>
0\tQUIT\t`;
const TSHARK_RESPONSES = `0\t220\tmx.honeypot.example ESMTP Postfix (Ubuntu)
0\t250\tmx.honeypot.example,PIPELINING,SIZE 52428800,AUTH PLAIN LOGIN,8BITMIME,SMTPUTF8
0\t334\tVXNlcm5hbWU6
0\t334\tUGFzc3dvcmQ6
0\t235\t2.7.0 Authentication successful
0\t250,250,250,250,354\t2.1.0 Ok,2.1.5 Ok,2.1.5 Ok,2.1.5 Ok,End data
0\t250\t2.0.0 Ok: queued as 4XyZ
0\t221\t2.0.0 Bye`;
const TSHARK_X_MAILER = 'PHPMailer 6.8.0';

const rows = (tsv: string) => tsv.split('\n').map((l) => l.split('\t'));

/** Commands and parameters of the tshark rows, one entry per command (empty rows dropped). */
function tsharkCommands(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [, cmds, params] of rows(TSHARK_REQUESTS)) {
    if (cmds === '') continue;
    const c = cmds!.split(',');
    // Parameters are joined with ',' too; none of these contains one, and DATA/QUIT have none.
    const p = params!.split(',');
    for (let i = 0; i < c.length; i++) out.push([c[i]!, p[i] ?? '']);
  }
  return out;
}

/** The domain a parameter names, read the simple way: after the last '@', up to '>' (oracle side). */
const domainOf = (param: string): string =>
  param.slice(param.lastIndexOf('@') + 1, param.indexOf('>', param.lastIndexOf('@'))).toLowerCase();

describe('generated SMTP capture vs tshark', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deckscope-smtp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bytes = generatedSmtpCapture();
  const path = join(dir, 'gen.pcap');
  writeFileSync(path, bytes);
  const streams = readTcpStreams(path);
  const client = parseSmtpClient(streams.find((s) => s.dstPort === 25)!.data);
  const server = parseSmtpServer(streams.find((s) => s.srcPort === 25)!.data);

  it('is the capture the oracle was produced from', () => {
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(SHA256);
  });

  it('client commands, helo, domains and X-Mailer agree with tshark', () => {
    const cmds = tsharkCommands();
    expect(client.commands).toEqual(cmds.map(([c]) => c));
    expect(client.helo).toBe(cmds[0]![1]);
    expect(client.authMechanisms).toEqual([cmds[1]![1]]);
    const mail = cmds.filter(([c]) => c === 'MAIL').map(([, p]) => domainOf(p));
    const rcpt = cmds.filter(([c]) => c === 'RCPT').map(([, p]) => domainOf(p));
    expect(client.mailFromDomain).toBe(mail[0]);
    expect(client.rcptCount).toBe(rcpt.length);
    expect(client.rcptDomains).toEqual([...new Set(rcpt)]);
    expect(client.xMailer).toBe(TSHARK_X_MAILER);
    expect(client).toMatchObject({
      status: 'ok',
      saslResponses: 2,
      data: true,
      messages: 1,
      quit: true,
      anomalies: ['source_route'],
    });
  });

  it('server replies agree with tshark', () => {
    const replies = rows(TSHARK_RESPONSES);
    expect(server.replyCodes).toEqual(replies.flatMap(([, codes]) => codes!.split(',').map(Number)));
    expect(server.banner).toBe(replies[0]![2]);
    const ehlo = replies[1]![2]!.split(',');
    expect(server.ehloHost).toBe(ehlo[0]);
    expect(server.extensions).toEqual(ehlo.slice(1).map((l) => l.split(' ')[0]));
    expect(server.authMechanisms).toEqual(['PLAIN', 'LOGIN']);
  });

  it('no local part or credential reaches the event', () => {
    const json = JSON.stringify(smtpEnvelopeFields(client, server)).toLowerCase();
    for (const secret of [
      'billing',
      'victim',
      'webmaster',
      'summer2024',
      'd2vibwfzdgvy',
      'u3vtbwvymjaynce=',
    ]) {
      expect(json).not.toContain(secret);
    }
    expect(smtpEnvelopeFields(client, server)).toMatchObject({
      helo: '[198.51.100.7]',
      mail_from_domain: 'bank-secure.example',
      rcpt_domains: ['target.example', '[198.18.0.1]'],
      rcpt_count: 3,
      auth_mechanism: 'LOGIN',
      data: true,
      server_banner: 'mx.honeypot.example ESMTP Postfix (Ubuntu)',
    });
  });
});
