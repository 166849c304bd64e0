// Fields of the `ssh_traffic` event: one JA4SSH window of an SSH flow (native SshWindowRecord).
import type { SshWindowRecord } from '../batch/format.js';
import { JA4SSH_WINDOW_PACKETS, ja4ssh } from '../fingerprints/ja4plus/ja4ssh.js';
import { isoMicros } from '../util/time.js';

export type { SshWindowRecord };

/** The `ssh_traffic` fields of one window, or null when JA4+ methods are off (JA4SSH is the
 *  event's purpose: without it no event is sent). */
export function ja4sshEventFields(
  rec: SshWindowRecord,
  opts: { ja4plus: boolean },
): Record<string, unknown> | null {
  if (!opts.ja4plus) return null;
  return {
    ja4ssh: ja4ssh(rec),
    window_index: rec.windowIndex,
    packets_client: rec.packetsClient,
    packets_server: rec.packetsServer,
    acks_client: rec.acksClient,
    acks_server: rec.acksServer,
    mode_len_client: rec.modeClient,
    mode_len_server: rec.modeServer,
    // The last window of a flow that ended before it reached 200 SSH packets.
    partial: rec.packetsClient + rec.packetsServer < JA4SSH_WINDOW_PACKETS,
    first_ts: isoMicros(rec.tsFirstUs),
  };
}
