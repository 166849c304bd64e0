// The corpus's SMTP capture, checked against independent oracles read off the capture: tshark 4.0.17
// (`tshark -r X -Y smtp.req -T fields -e tcp.stream -e smtp.req.command -e smtp.req.parameter`, and the
// same with `-Y smtp.response -e smtp.response.code -e smtp.rsp.parameter`), pasted below as data, and
// Arkime's own expected output for the capture (tests/pcap/smtp-starttls.test: smtpHello).
import { describe, expect, it } from 'vitest';
import { parseSmtpClient } from '../../../../src/parsers/smtp/client.js';
import { smtpEnvelopeFields } from '../../../../src/parsers/smtp/fields.js';
import { parseSmtpServer } from '../../../../src/parsers/smtp/server.js';
import { parseTlsStream } from '../../../../src/parsers/tls/stream.js';
import { CORPUS } from '../../../helpers/corpus.js';
import { readTcpStreams } from '../tls/pcap-streams.js';

const CAPTURE = `${CORPUS}arkime/tests/pcap/smtp-starttls.pcap`;

/**
 * tshark output, verbatim (tab-separated). tshark 4.0's SMTP dissector takes the first four characters
 * of a request line as the command and what follows the fifth as the parameter, so "STARTTLS" comes out
 * as "STAR" + "TLS".
 */
const TSHARK_REQUESTS = `0\tEHLO\txxxxxxxxxxxxx.xxx.com
0\tSTAR\tTLS`;
const TSHARK_RESPONSES = `0\t220\tmx.google.com ESMTP s4si9696358qcc.63 - gsmtp
0\t250\tmx.google.com at your service, [10.000.000.01],SIZE 35882577,8BITMIME,STARTTLS,ENHANCEDSTATUSCODES,PIPELINING,CHUNKING
0\t220\t2.0.0 Ready to start TLS`;
/** Arkime's expected `email.smtpHello` for this capture. */
const ARKIME_SMTP_HELLO = ['xxxxxxxxxxxxx.xxx.com'];

const rows = (tsv: string) => tsv.split('\n').map((l) => l.split('\t'));

describe('arkime smtp-starttls.pcap', () => {
  const streams = readTcpStreams(CAPTURE);
  const client = streams.find((s) => s.dstPort === 25)!;
  const server = streams.find((s) => s.srcPort === 25)!;

  it('client side matches tshark and Arkime', () => {
    const r = parseSmtpClient(client.data);
    const lines = Buffer.from(client.data.subarray(0, r.tlsOffset)).toString('latin1').split('\r\n');
    const requests = rows(TSHARK_REQUESTS);
    expect(lines.slice(0, -1).map((l) => [l.slice(0, 4), l.slice(5)])).toEqual(
      requests.map((q) => q.slice(1)),
    );
    expect(r.commands).toEqual(lines.slice(0, -1).map((l) => l.split(' ')[0]));
    expect(r.helo).toBe(rows(TSHARK_REQUESTS)[0]![2]);
    expect([r.helo]).toEqual(ARKIME_SMTP_HELLO);
    expect(r).toMatchObject({ status: 'ok', heloKind: 'ehlo', starttls: true, anomalies: [] });
    // What follows STARTTLS is the ClientHello (TLS 1.0, as the corpus's JA3 oracle has it).
    const tls = parseTlsStream(client.data.subarray(r.tlsOffset));
    expect(tls.clientHellos).toHaveLength(1);
  });

  it('server side matches tshark', () => {
    const r = parseSmtpServer(server.data);
    const replies = rows(TSHARK_RESPONSES);
    expect(r.replyCodes).toEqual(replies.map(([, code]) => Number(code)));
    expect(r.banner).toBe(replies[0]![2]);
    const ehloLines = replies[1]![2]!.split(/,(?=[A-Z0-9])/);
    expect(r.ehloHost).toBe(ehloLines[0]!.split(' ')[0]);
    expect(r.extensions).toEqual(ehloLines.slice(1).map((l) => l.split(' ')[0]));
    expect(r).toMatchObject({
      status: 'ok',
      hostName: 'mx.google.com',
      software: 'ESMTP s4si9696358qcc.63 - gsmtp',
      sizeLimit: 35882577,
      anomalies: [],
    });
    expect(parseTlsStream(server.data.subarray(r.tlsOffset)).serverHellos).toHaveLength(1);
  });

  it('smtp_envelope fields', () => {
    const f = smtpEnvelopeFields(parseSmtpClient(client.data), parseSmtpServer(server.data));
    expect(f).toMatchObject({
      helo: 'xxxxxxxxxxxxx.xxx.com',
      helo_kind: 'ehlo',
      mail_from_domain: null,
      rcpt_domains: [],
      rcpt_count: 0,
      starttls: true,
      auth_mechanism: null,
      data: false,
      server_banner: 'mx.google.com ESMTP s4si9696358qcc.63 - gsmtp',
    });
  });
});
