/**
 * Every limit the SMTP parsers enforce, with its unit and reason. Exceeding a soft limit is reported as
 * an anomaly and parsing goes on; exceeding a hard limit (marked *) stops parsing of that stream with
 * status 'invalid'. Nothing is allocated from a length field before it is checked against these limits
 * and against the bytes actually present.
 */

/**
 * Bytes of a command line, CR LF included (RFC 5321 §4.5.3.1.4: "The maximum total length of a command
 * line including the command word and the <CRLF> is 512 octets"). Longer lines are parsed and flagged
 * 'line_too_long' (service extensions such as SIZE or DSN parameters legitimately add a few dozen).
 */
export const MAX_COMMAND_LINE_BYTES = 512;

/**
 * Bytes of an AUTH command line with its initial response, CR LF included (RFC 4954 §4: a server
 * "MUST support" AUTH lines of 12288 octets). Only longer AUTH lines are flagged 'line_too_long'.
 */
export const MAX_AUTH_LINE_BYTES = 12288;

/**
 * * Bytes scanned for the LF that ends one command or reply line. Above every legitimate line (the
 * AUTH limit plus CR LF); a line without LF within this many bytes is not SMTP ('unterminated_line').
 */
export const MAX_LINE_SCAN_BYTES = 12290;

/**
 * Bytes of a reply line, CR LF included (RFC 5321 §4.5.3.1.5: "The maximum total length of a reply
 * line including the reply code and the <CRLF> is 512 octets"). Longer lines are flagged.
 */
export const MAX_REPLY_LINE_BYTES = 512;

/**
 * Bytes of a line of message content, CR LF included (RFC 5321 §4.5.3.1.6: 1000 octets). Longer lines
 * inside DATA are flagged 'data_line_too_long'; the content itself is skipped, never kept.
 */
export const MAX_TEXT_LINE_BYTES = 1000;

/**
 * * Command lines (SASL responses and skipped lines included) read from one client stream. A 16 KiB
 * prefix holds at most ~2700 six-byte lines; 1024 bounds the work on a hostile stream of tiny lines
 * while exceeding any real session's first flights ('too_many_commands').
 */
export const MAX_COMMANDS = 1024;

/**
 * Command verbs kept, in order, in `commands` (the command sequence is a client fingerprint; the first
 * 64 carry it). Later commands are still parsed and counted.
 */
export const MAX_COMMAND_VERBS_KEPT = 64;

/**
 * Distinct recipient domains kept. RFC 5321 §4.5.3.1.8: servers must accept at least 100 recipients per
 * message; more distinct domains than that in one session are counted in `rcptCount` but not listed.
 */
export const MAX_RCPT_DOMAINS = 100;

/** Distinct MAIL FROM domains kept (one per transaction; a session rarely has more than a few). */
export const MAX_MAIL_FROM_DOMAINS = 32;

/**
 * Octets of a domain (RFC 5321 §4.5.3.1.2: "The maximum total length of a domain name or number is 255
 * octets"). A longer domain is dropped with 'domain_too_long'.
 */
export const MAX_DOMAIN_OCTETS = 255;

/** Octets of one domain label (RFC 1035 §2.3.4: 63). A longer label makes the domain 'bad_domain'. */
export const MAX_LABEL_OCTETS = 63;

/**
 * Characters of the escaped EHLO/HELO argument kept. The argument is a domain or address literal, so
 * 255 octets; longer arguments are cut and flagged 'helo_too_long'.
 */
export const MAX_HELO_CHARS = 255;

/** Characters of a SASL mechanism name (RFC 4422 §3.1: "20 characters"); longer names are refused. */
export const MAX_SASL_MECHANISM_CHARS = 20;

/** Distinct AUTH mechanisms kept per stream (clients and servers use a handful). */
export const MAX_AUTH_MECHANISMS = 16;

/** Characters of free text kept (greeting software text, X-Mailer value), escaped. */
export const MAX_TEXT_CHARS = 512;

/**
 * * Reply lines read from one server stream. A greeting, an EHLO reply with its extensions and a few
 * command replies fit well within 256 lines ('too_many_replies').
 */
export const MAX_REPLY_LINES = 256;

/** Reply codes kept, in order, in `replyCodes`. */
export const MAX_REPLY_CODES_KEPT = 64;

/** EHLO extension keywords kept, in order. Real servers advertise 5–15. */
export const MAX_EHLO_KEYWORDS = 64;

/** Characters of one EHLO keyword (RFC 5321 §4.1.1.1 sets no limit; registered ones are < 20). */
export const MAX_EHLO_KEYWORD_CHARS = 64;

/** Decimal digits of a BDAT chunk size (RFC 3030 §2); 15 digits stay exact as a JS number. */
export const MAX_BDAT_SIZE_DIGITS = 15;

/** MAIL/RCPT parameter keywords kept per command (values are never kept). */
export const MAX_PARAMETERS_KEPT = 16;
