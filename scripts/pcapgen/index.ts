// pcapgen: deterministic synthetic captures for deckscope's tests and benchmarks.
//
//   const prng = new Prng(1);
//   const s = new TcpSession({ client: { ip: '203.0.113.7', port: 51515, stack: 'linux' },
//                              server: { ip: '198.18.0.10', port: 443 }, prng });
//   s.handshake();
//   const hello = buildClientHello('chrome', prng, { sni: 'www.example.com' }); // 2 segments
//   s.send('client', hello.bytes, { tag: PacketTag.CLIENT_HELLO });
//   s.send('server', buildServerFlight(hello.spec, prng).bytes);
//   s.close('client');
//   writeCaptureFile('out.pcap', s.packets, { linkType: LinkType.ETHERNET });

export * from './addr.js';
export * from './bytes.js';
export * from './checksum.js';
export * from './frames.js';
export * from './payloads/http.js';
export * from './payloads/misc.js';
export * from './payloads/ssh.js';
export * from './payloads/tls.js';
export * from './payloads/x509.js';
export * from './prng.js';
export * from './tcp-options.js';
export * from './tcp-session.js';
export * from './writer.js';
