// Every cap of the syslog input and output paths, with its unit and the reason for its value.

/** Largest syslog message accepted or sent (bytes of the message, without framing). RFC 5425 §4.3.1
 *  asks receivers to handle 8192 octets and RFC 5426 §3.2 allows 65507 over IPv4 UDP; our own
 *  tls_certificate lines with hundreds of SANs reach tens of KiB, so 64 KiB. */
export const SYSLOG_MAX_MESSAGE_BYTES = 64 * 1024;

/** Largest octet count a TCP frame header may announce and still be skipped to stay in sync
 *  (bytes). A frame above SYSLOG_MAX_MESSAGE_BYTES but below this is an honest oversize message:
 *  its bytes are discarded without buffering. Above it the header is taken for garbage. */
export const SYSLOG_MAX_SKIP_BYTES = 16 * 1024 * 1024;

/** Digits of an octet-counting MSG-LEN (RFC 6587 §3.4.1); 8 digits already exceed every cap. */
export const SYSLOG_MAX_LEN_DIGITS = 8;

/** SD-ELEMENTs in one message (elements). RFC 5424 sets no cap; DECNET writes one. */
export const SYSLOG_MAX_SD_ELEMENTS = 64;

/** SD-PARAMs in one message, all elements together (params). Our widest event has ~40. */
export const SYSLOG_MAX_SD_PARAMS = 1024;

/** PARAM-NAME and SD-ID length (characters), RFC 5424 §6.3.2/§6.3.3 (SD-NAME = 1*32PRINTUSASCII). */
export const SD_NAME_MAX_CHARS = 32;

/** Header field caps (characters), RFC 5424 §6.2. */
export const HOSTNAME_MAX_CHARS = 255;
export const APP_NAME_MAX_CHARS = 48;
export const PROCID_MAX_CHARS = 128;
export const MSGID_MAX_CHARS = 32;

/** UDP payload ceilings (bytes), RFC 5426 §3.2: 65535 − 8 (UDP) − 20 (IPv4) / − 40 (IPv6). */
export const SYSLOG_UDP_MAX_PAYLOAD_IPV4 = 65_507;
export const SYSLOG_UDP_MAX_PAYLOAD_IPV6 = 65_487;

/** UDP datagrams handed to the kernel and not yet reported sent (datagrams): beyond it a sender
 *  drops and counts instead of queueing without bound. */
export const SYSLOG_UDP_MAX_INFLIGHT = 4096;

/** TCP sender queue while disconnected or backpressured (messages / bytes). */
export const SYSLOG_TCP_MAX_QUEUE_MESSAGES = 65_536;
export const SYSLOG_TCP_MAX_QUEUE_BYTES = 32 * 1024 * 1024;

/** TCP sender reconnect backoff (ms): doubles from the first to the last, with jitter. */
export const SYSLOG_TCP_BACKOFF_MIN_MS = 200;
export const SYSLOG_TCP_BACKOFF_MAX_MS = 30_000;

/** TCP connect timeout of a sender (ms). */
export const SYSLOG_TCP_CONNECT_TIMEOUT_MS = 10_000;

/** File writer buffer (bytes): lines beyond it are dropped and counted until a flush empties it. */
export const SYSLOG_FILE_MAX_BUFFER_BYTES = 16 * 1024 * 1024;

/** Bytes gathered before the file writer flushes on its own (bytes). */
export const SYSLOG_FILE_FLUSH_BYTES = 256 * 1024;

/** Concurrent TCP connections a listener accepts (connections); more are refused and counted. */
export const SYSLOG_LISTENER_MAX_CONNECTIONS = 256;

/** Idle time after which a listener closes a TCP connection (ms). */
export const SYSLOG_LISTENER_IDLE_TIMEOUT_MS = 5 * 60_000;

/** Fields kept in a honeypot record besides the typed ones (fields), and their length (characters):
 *  the record is for profiling, not an archive of the raw line. */
export const HONEYPOT_MAX_FIELDS = 32;
export const HONEYPOT_MAX_FIELD_CHARS = 2048;
