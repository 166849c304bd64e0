// RFC 5424 syslog: DECNET-compatible output of sensor events, injection-safe input of honeypot
// service events, and the UDP/TCP/file transports. See src/syslog/README.md.
export * from './format.js';
export * from './honeypot.js';
export * from './limits.js';
export * from './listener.js';
export * from './message.js';
export * from './parse.js';
export * from './transport.js';
