import type { SmtpClientSession } from './client.js';
import type { SmtpServerSession } from './server.js';

/**
 * Event fields for `smtp_envelope` (DESIGN.md Events). DECNET's names first: `helo`, `mail_from_domain`,
 * `rcpt_domains` (distinct, in order; domains only, never local parts — nothing in either session holds
 * one), then `helo_kind`, `rcpt_count`, `starttls`, `auth_mechanism` (the first AUTH mechanism), `data`
 * (DATA or BDAT sent), and `server_banner` (the 220 greeting's text, null without a server side). The
 * rest describe the session further for profiling. Every string is escaped or a validated domain.
 */
export function smtpEnvelopeFields(
  client: SmtpClientSession,
  server?: SmtpServerSession | null,
): Record<string, unknown> {
  return {
    helo: client.helo,
    helo_kind: client.heloKind,
    mail_from_domain: client.mailFromDomain,
    rcpt_domains: client.rcptDomains.slice(),
    rcpt_count: client.rcptCount,
    starttls: client.starttls,
    auth_mechanism: client.authMechanisms[0] ?? null,
    data: client.data || client.bdat,
    server_banner: server?.banner ?? null,
    null_sender: client.nullSender,
    mail_from_domains: client.mailFromDomains.slice(),
    mail_from_count: client.mailFromCount,
    auth_mechanisms: client.authMechanisms.slice(),
    auth_attempts: client.authAttempts,
    smtputf8: client.smtputf8,
    messages: client.messages,
    vrfy_count: client.vrfyCount,
    expn_count: client.expnCount,
    quit: client.quit,
    commands: client.commands.slice(),
    x_mailer: client.xMailer,
    anomalies: client.anomalies.slice(),
    server_host: server?.hostName ?? null,
    server_software: server?.software ?? null,
    server_greeting_code: server?.greetingCode ?? null,
    server_extensions: server ? server.extensions.slice() : [],
    server_auth_mechanisms: server ? server.authMechanisms.slice() : [],
    server_anomalies: server ? server.anomalies.slice() : [],
  };
}
