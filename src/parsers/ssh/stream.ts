import { parseSshIdentification, type SshIdentification, type SshParseStatus } from './banner.js';
import {
  SSH_MSG_DEBUG,
  SSH_MSG_DISCONNECT,
  SSH_MSG_IGNORE,
  SSH_MSG_KEXINIT,
  SSH_MSG_UNIMPLEMENTED,
  type SshRole,
} from './constants.js';
import { type Kexinit, parseKexinit } from './kexinit.js';
import { MAX_PACKETS_BEFORE_KEXINIT } from './limits.js';
import { readBinaryPacket } from './packet.js';
import { pushOnce } from './text.js';

/** What {@link parseSshStream} found in the first bytes of one direction of a TCP stream. */
export interface SshStreamResult {
  /**
   * 'ok': the walk reached its natural end (the first KEXINIT, or an SSH-1 identification after which
   * no SSH-2 packets follow, or a DISCONNECT before any KEXINIT); 'incomplete': more bytes are needed;
   * 'invalid': parsing stopped on an error listed in `anomalies`.
   */
  status: SshParseStatus;
  /** An identification line ("SSH-…") was found: the stream is SSH, whatever follows. */
  isSsh: boolean;
  identification: SshIdentification;
  /** The first SSH_MSG_KEXINIT, or null. */
  kexinit: Kexinit | null;
  /**
   * Offset just after the KEXINIT packet (0 without one): a caller that parses growing prefixes has
   * already reported this KEXINIT iff `kexinitEnd <= previousLength`.
   */
  kexinitEnd: number;
  /** Binary packets read, the KEXINIT included. */
  packets: number;
  /** Stable short codes of the identification, the packets and the KEXINIT, each once, in order. */
  anomalies: string[];
}

/**
 * Parses the first bytes of one direction of a TCP stream (reassembled, from stream offset 0): the
 * identification string (see {@link parseSshIdentification}; `role` 'client' forbids pre-banner lines),
 * then clear-text binary packets up to and including the first SSH_MSG_KEXINIT, which is parsed with
 * {@link parseKexinit}. Detection is by content only, never by port. Never throws.
 *
 * IGNORE, DEBUG and UNIMPLEMENTED packets before the KEXINIT are skipped; any other message is skipped
 * and flagged. Anomalies besides those of the identification, {@link readBinaryPacket} and
 * {@link parseKexinit} (parsing stops after those marked *): 'disconnect_before_kexinit',
 * 'unexpected_message_before_kexinit', 'empty_payload', 'too_many_packets_before_kexinit'*, and the packet
 * errors 'packet_too_long'*, 'bad_padding_length'*, and 'truncated_kexinit'*.
 */
export function parseSshStream(data: Uint8Array, role?: SshRole): SshStreamResult {
  const identification = parseSshIdentification(data, role);
  const result: SshStreamResult = {
    status: identification.status,
    isSsh: identification.banner !== null,
    identification,
    kexinit: null,
    kexinitEnd: 0,
    packets: 0,
    anomalies: identification.anomalies.slice(),
  };
  if (identification.status !== 'ok' || identification.sshMajorVersion === 1) return result;

  let off = identification.end;
  while (result.packets < MAX_PACKETS_BEFORE_KEXINIT) {
    const read = readBinaryPacket(data, off, result.anomalies);
    if (read.status === 'incomplete') {
      result.status = 'incomplete';
      return result;
    }
    if (read.status === 'invalid') return stop(result, read.error);
    const { payload, end } = read.packet;
    result.packets++;
    off = end;
    if (payload.length === 0) {
      pushOnce(result.anomalies, 'empty_payload');
      continue;
    }
    const msg = payload[0]!;
    if (msg === SSH_MSG_KEXINIT) {
      const parsed = parseKexinit(payload);
      if (!parsed.ok) return stop(result, parsed.error);
      for (const a of parsed.kexinit.anomalies) pushOnce(result.anomalies, a);
      result.kexinit = parsed.kexinit;
      result.kexinitEnd = end;
      result.status = 'ok';
      return result;
    }
    if (msg === SSH_MSG_DISCONNECT) {
      pushOnce(result.anomalies, 'disconnect_before_kexinit');
      result.status = 'ok';
      return result;
    }
    if (msg !== SSH_MSG_IGNORE && msg !== SSH_MSG_DEBUG && msg !== SSH_MSG_UNIMPLEMENTED) {
      pushOnce(result.anomalies, 'unexpected_message_before_kexinit');
    }
  }
  return stop(result, 'too_many_packets_before_kexinit');
}

function stop(result: SshStreamResult, code: string): SshStreamResult {
  pushOnce(result.anomalies, code);
  result.status = 'invalid';
  return result;
}
