/**
 * Every limit the X.509 reader enforces, with its unit and reason. The reader never recurses (the
 * nesting it follows is fixed by the RFC 5280 schema), never allocates from a length field before
 * checking it against the bytes present, and its output is bounded by these caps and the input size.
 */

/**
 * Bytes of one DER certificate. Real certificates are 0.5–8 KiB (a few with thousands of SANs reach
 * ~60 KiB); this equals the TLS handshake message cap, so any certificate a TLS stream can carry fits.
 */
export const MAX_CERTIFICATE_BYTES = 128 * 1024;

/**
 * Attributes (AttributeTypeAndValue) in one Name, across all its RDNs. Real names have fewer than 15;
 * the cap bounds the per-name output. Exceeding it fails the parse (a truncated list would give a
 * wrong JA4X).
 */
export const MAX_NAME_ATTRIBUTES = 256;

/** Extensions in one certificate. Real ones have fewer than 20; exceeding the cap fails the parse. */
export const MAX_EXTENSIONS = 256;

/**
 * subjectAltName entries kept (all kinds together). Large multi-domain certificates list a few hundred;
 * entries past the cap are dropped and reported ('too_many_sans'); JA4X does not depend on them.
 */
export const MAX_SAN_ENTRIES = 1024;

/**
 * Characters of one decoded text value (attribute value or SAN entry). RFC 5280 upper bounds are
 * 64–255 characters (ub-common-name 64, ub-emailaddress-length 255); longer values are cut and
 * reported ('long_value') so that one hostile certificate cannot blow up an event.
 */
export const MAX_TEXT_CHARS = 1024;

/**
 * Content octets of an OBJECT IDENTIFIER rendered in dotted form. Real OIDs are under 40 bytes (a
 * 2.25 UUID OID is ~20); longer ones are kept as hex only (dotted form null, 'bad_oid'), which bounds
 * the big-integer work per arc.
 */
export const MAX_OID_BYTES = 128;
