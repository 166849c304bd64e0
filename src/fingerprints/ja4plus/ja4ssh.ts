// JA4SSH, SSH session traffic (FoxIO License 1.1, see LICENSE-FoxIO-1.1.txt beside this file), per
// FoxIO's JA4SSH diagram and docs/fingerprints.md §6: for each window of 200 SSH packets (both
// directions together; the last window of a flow may be shorter)
//   c<modeC>s<modeS>_c<pktC>s<pktS>_c<ackC>s<ackS>
// mode = the most frequent TCP payload length of the side's SSH packets in the window (ties to the
// smaller length, 0 when the side sent none), pkt = SSH packets (segments carrying SSH data) per
// side, ack = bare ACKs (TCP flags exactly ACK, no payload) per side. Client = the initiator.
// The native engine counts the windows (batch_format.h SshWindowRecord); this is the pure form.

/** SSH packets per window (native limits::kSshWindowPackets, FoxIO's sample size). */
export const JA4SSH_WINDOW_PACKETS = 200;

/** The counts of one window, client first. */
export interface Ja4sshWindow {
  modeClient: number;
  modeServer: number;
  packetsClient: number;
  packetsServer: number;
  acksClient: number;
  acksServer: number;
}

/** The JA4SSH string of one window. */
export function ja4ssh(w: Ja4sshWindow): string {
  return `c${w.modeClient}s${w.modeServer}_c${w.packetsClient}s${w.packetsServer}_c${w.acksClient}s${w.acksServer}`;
}

/** The mode of a list of TCP payload lengths: the most frequent, ties to the smaller; 0 if empty. */
export function payloadLengthMode(lengths: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i]!;
    const n = (counts.get(len) ?? 0) + 1;
    counts.set(len, n);
    if (n > bestCount || (n === bestCount && len < best)) {
      best = len;
      bestCount = n;
    }
  }
  return best;
}
