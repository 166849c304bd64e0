// Every cap and timeout of the native capture path, with its unit and the reason for its default.
// src/config/limits.ts mirrors the user-settable ones; option validation happens there first and
// the constructor re-checks against the hard bounds below.
#pragma once

#include <cstddef>
#include <cstdint>

namespace deckscope {
namespace limits {

// ---- capture -------------------------------------------------------------------------------
// Bytes of each packet libpcap hands us. 65535 covers any frame on a normal segment; a smaller
// snaplen cuts payload that reassembly needs (a ClientHello is often > 1500 bytes in total).
constexpr int kDefaultSnaplen = 65535;
constexpr int kMinSnaplen = 96;
// Kernel ring size in KiB (tcpdump's -B unit). 64 MiB rides out bursts of a busy MACVLAN
// segment while the capture thread is descheduled for ~100 ms at 500 kpps x 250 B.
constexpr int kDefaultBufferKiB = 64 * 1024;
// pcap read timeout in ms: how long a live handle may hold packets before waking the thread.
// Also the granularity of time-based batch flushes on a quiet link.
constexpr int kPcapTimeoutMs = 50;
// stdio buffer for reading capture files (bytes): 1 MiB turns ~270k read() calls per GiB into ~1k.
constexpr size_t kFileReadBufferBytes = 1 << 20;

// ---- flow table ----------------------------------------------------------------------------
// Concurrent TCP/UDP flows tracked. 1M flows fit in < 300 MiB (sizeof(Flow) ~ 200 B plus a
// 2x index); a scan-heavy honeypot segment holds ~600k live 5-tuples per 5M packets.
constexpr uint32_t kDefaultMaxFlows = 1u << 20;
constexpr uint32_t kMinMaxFlows = 16;
constexpr uint32_t kMaxMaxFlows = 1u << 26;
// Seconds without a packet before an open flow ends with reason "idle" (capture time).
// DECNET uses 120 s; 60 s keeps the table small under scans while TCP keep-alive (>= 75 s on
// Linux, 2 h default) sessions are rare on decoys.
constexpr uint32_t kDefaultIdleTimeoutS = 60;
// Seconds a flow stays in the table after FIN+FIN or RST, so its last ACKs and RSTs are
// absorbed instead of opening a new mid-stream flow (a short TIME_WAIT).
constexpr uint32_t kClosedLingerS = 5;

// ---- reassembly ----------------------------------------------------------------------------
// Bytes of each direction of each TCP flow reassembled and handed to the parsers. 16 KiB holds a
// post-quantum ClientHello (~1.8 KiB), a server's first flight with a 3-certificate chain, an
// SSH banner + KEXINIT and a full set of HTTP request headers.
constexpr uint32_t kDefaultStreamBytes = 16 * 1024;
constexpr uint32_t kMaxStreamBytes = 1024 * 1024;
// Total bytes of all reassembly buffers at once. Bounds memory under a payload flood: 1M flows
// with payload would otherwise pin 1M x 2 x 16 KiB. When exhausted, new streams are not
// reassembled and stream_budget_exhausted counts them.
constexpr uint64_t kDefaultReassemblyBudgetBytes = 128ull << 20;
// Out-of-order byte ranges remembered per direction before further holes are given up on
// (a hostile peer could otherwise make us track one range per byte).
constexpr int kMaxHoles = 8;
// Stream records sent per direction before only the final one (cap reached or flow end) is.
// Each record re-sends the prefix, so this bounds re-sent bytes to 4 x the stream limit.
constexpr int kMaxStreamEmits = 4;
// Smallest reassembly buffer (bytes); buffers double up to the stream limit. Most streams are
// short (an SSH banner, an HTTP request, a ClientHello), and a buffer lives as long as its flow:
// on the bench mix a 2 KiB floor held 92 MiB at peak, this one 24 MiB, at no cost in speed.
constexpr uint32_t kMinStreamBuffer = 512;

// ---- UDP -----------------------------------------------------------------------------------
// First datagrams of each direction of a UDP flow passed to the parsers (QUIC Initial, DTLS
// ClientHello and their replies), and the bytes kept of each. Three datagrams hold a QUIC
// ClientHello split over two Initial packets (post-quantum key shares) plus one more.
constexpr uint32_t kDefaultUdpDatagrams = 3;
constexpr uint32_t kMaxUdpDatagrams = 16;
constexpr uint32_t kMaxUdpDatagramBytes = 2048;

// ---- scan summaries ------------------------------------------------------------------------
// Sources with trivial flows (no payload either way: SYN only, SYN->RST, half-open) are folded
// into one summary per source instead of one record per probe.
constexpr uint32_t kDefaultMaxScanSources = 1u << 17;
// Seconds a source may go without a new probe before its summary is emitted.
constexpr uint32_t kScanIdleS = 60;
// Seconds after which a still-active source's summary is emitted and restarted, so a scan that
// never pauses still shows up.
constexpr uint32_t kScanWindowS = 300;
// Distinct destination ports kept verbatim per summary (the rest are only estimated).
constexpr int kScanSamplePorts = 16;

// ---- SYN fingerprint dedup -----------------------------------------------------------------
// Seconds during which SYNs with the same stack fingerprint from the same sender are counted
// instead of sent one by one (DECNET's 300 s dedup window, but counting, not dropping). 0 = off.
constexpr uint32_t kDefaultSynDedupS = 300;
// (sender, fingerprint) pairs tracked at once; the oldest window is reported and dropped first.
constexpr uint32_t kDefaultMaxSynDedup = 1u << 16;
// Slots every hash table starts with (it doubles as entries arrive, up to its maximum at load
// factor 1/2): 4096 slots are 16 KiB, so an idle sensor stays small and a busy one grows in
// log2(max/4096) rehashes.
constexpr uint32_t kInitialTableSlots = 4096;

// SYNs of one dedup window kept as samples of the sender's IP ID, ISN and TCP timestamp clock:
// the sent SYN, the next ones, and always the latest (so the span covers the window). 8 gives
// nmap's six-probe sequence tests room; 40 bytes each, 320 bytes per window.
constexpr uint32_t kSynBehaviourSamples = 8;

// ---- JA4SSH windows ------------------------------------------------------------------------
// SSH packets (TCP segments with new payload, both directions together) per JA4SSH window: the
// sample size of FoxIO's method; windows of other sizes would not compare with theirs.
constexpr uint32_t kSshWindowPackets = 200;
// Concurrent SSH flows with a JA4SSH window (unit: flows; 464 B each: 15 MiB at the default, in
// 4096-window chunks allocated as needed). Bounds memory under an SSH brute-force flood, where
// every attempt is an SSH flow: flows marked SSH beyond the cap are counted (ssh.untracked) and
// get no windows. At most 65535: a flow's window index lives in 16 bits of Flow (shared with the
// UDP datagram counts, so 1M flows still fit the budget above). 0 turns windows off.
constexpr uint32_t kDefaultMaxSshWindows = 1u << 15;
constexpr uint32_t kMaxSshWindows = 65535;

// ---- batches -------------------------------------------------------------------------------
// Bytes of one batch buffer handed to JS. A few hundred KiB amortises the crossing and the
// worker hand-off (~100 us) over ~2000 packets; larger buffers cost cache misses on copy.
constexpr uint32_t kDefaultBatchBytes = 256 * 1024;
constexpr uint32_t kMinBatchBytes = 16 * 1024;
constexpr uint32_t kMaxBatchBytes = 16 * 1024 * 1024;
// Wall-clock ms after which a non-empty batch is sent even if not full (live latency).
constexpr uint32_t kBatchFlushMs = 100;
// Batches delivered to JS but not yet acknowledged. File replay waits when reached (nothing is
// lost); live capture sheds the batch and counts it, because the kernel ring must keep draining.
constexpr uint32_t kDefaultMaxInflightBatches = 16;

// ---- decoding ------------------------------------------------------------------------------
// VLAN tags (802.1Q / QinQ) unwrapped before giving up.
constexpr int kMaxVlanTags = 4;
// IPv6 extension headers followed before giving up.
constexpr int kMaxIpv6ExtHeaders = 8;

}  // namespace limits
}  // namespace deckscope
