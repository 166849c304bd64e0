// The flow engine: per-packet bookkeeping of TCP and UDP flows keyed by the canonical 5-tuple,
// reassembly of the first bytes of each direction, and folding of trivial (scan) flows into
// per-source summaries. It turns decoded packets into batch records (batch_format.h).
//
// Invariants:
// - Every table has a cap and an eviction rule with a counter: flows (LRU by last packet,
//   reason "evicted"), closed flows (linger, reclaimed first), scan sources (LRU), reassembly
//   bytes (global budget).
// - Memory is allocated per flow from free lists, never per packet in steady state.
// - Time is capture time (microseconds); nothing here reads the wall clock.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "batch.h"
#include "batch_format.h"
#include "decode.h"
#include "limits.h"
#include "reassembly.h"

namespace deckscope {

// One IPv4 or IPv6 prefix of the honeypot networks (--honeypots).
struct Cidr {
  uint8_t ip_version;
  uint8_t prefix;
  uint8_t addr[16];
};

struct EngineConfig {
  uint32_t max_flows = limits::kDefaultMaxFlows;
  uint32_t idle_timeout_s = limits::kDefaultIdleTimeoutS;
  uint32_t closed_linger_s = limits::kClosedLingerS;
  uint32_t stream_bytes = limits::kDefaultStreamBytes;  // 0 disables reassembly
  uint64_t reassembly_budget = limits::kDefaultReassemblyBudgetBytes;
  uint32_t udp_datagrams = limits::kDefaultUdpDatagrams;
  uint32_t max_scan_sources = limits::kDefaultMaxScanSources;
  uint32_t scan_idle_s = limits::kScanIdleS;
  uint32_t scan_window_s = limits::kScanWindowS;
  uint32_t syn_dedup_s = limits::kDefaultSynDedupS;
  uint32_t max_syn_dedup = limits::kDefaultMaxSynDedup;
  uint32_t max_ssh_windows = limits::kDefaultMaxSshWindows;  // <= limits::kMaxSshWindows
  std::vector<Cidr> honeypots;
};

struct EngineCounters {
  uint64_t packets = 0;
  uint64_t wire_bytes = 0;
  uint64_t tcp_packets = 0;
  uint64_t udp_packets = 0;
  uint64_t not_ip = 0;
  uint64_t other_transport = 0;
  uint64_t ip_fragments = 0;
  uint64_t malformed[kMalformedKinds] = {};
  uint64_t flows_created = 0;
  uint64_t tcp_flows = 0;
  uint64_t udp_flows = 0;
  uint64_t flows_ended[6] = {};  // by EndReason (index 0 unused)
  uint64_t flows_trivial = 0;
  uint64_t flows_peak = 0;
  uint64_t post_close_packets = 0;
  uint64_t port_reuse = 0;
  uint64_t retransmits = 0;
  uint64_t syn_retransmits = 0;
  uint64_t scan_summaries = 0;
  uint64_t syn_deduplicated = 0;  // SYNs folded into repeat records
  uint64_t rec_syn_repeat = 0;
  uint64_t scan_sources_evicted = 0;
  uint64_t rec_syn = 0;
  uint64_t rec_stream = 0;
  uint64_t rec_datagram = 0;
  uint64_t rec_flow_end = 0;
  uint64_t rec_ssh_window = 0;
  uint64_t ssh_flows = 0;      // TCP flows marked SSH ("SSH-" at offset 0 of either direction)
  uint64_t ssh_untracked = 0;  // of those, flows without a window: the window cap was reached
  ReassemblyCounters reassembly;
};

// A free-list pool of T in 4096-element chunks; indices are 1-based (0 = none) and stable.
template <typename T>
class Pool {
 public:
  static constexpr uint32_t kChunkShift = 12;
  static constexpr uint32_t kChunk = 1u << kChunkShift;
  ~Pool();
  uint32_t Alloc();  // zeroed element
  void Free(uint32_t idx);
  T& at(uint32_t idx) { return chunks_[(idx - 1) >> kChunkShift][(idx - 1) & (kChunk - 1)]; }
  uint32_t live() const { return live_; }
  size_t bytes() const { return chunks_.size() * kChunk * sizeof(T); }

 private:
  std::vector<T*> chunks_;
  std::vector<uint32_t> free_;
  uint32_t next_ = 1;
  uint32_t live_ = 0;
};

// Linear-probing hash index of Pool<T> indices with backward-shift deletion (no tombstones, so
// probe lengths cannot degenerate under churn), plus intrusive doubly-linked LRU lists.
// T needs members `uint32_t hash, prev, next`.
template <typename T>
class Table {
 public:
  explicit Table(uint32_t max_entries);
  template <typename Eq>
  uint32_t Find(uint32_t hash, Eq eq) {
    // A slot holds the pool index in its low bits and the top bits of the hash above them, so a
    // probe past other keys costs no visit to their (cache-cold) entries.
    const uint32_t tag = hash & tag_mask_;
    for (uint32_t s = hash & mask_;; s = (s + 1) & mask_) {
      uint32_t v = slots_[s];
      if (v == 0) return 0;
      if ((v & tag_mask_) != tag) continue;
      uint32_t idx = v & ~tag_mask_;
      T& e = pool_.at(idx);
      if (e.hash == hash && eq(e)) return idx;
    }
  }
  uint32_t Insert(uint32_t hash);  // caller guarantees size() < max()
  void Erase(uint32_t idx);
  T& at(uint32_t idx) { return pool_.at(idx); }
  uint32_t size() const { return pool_.live(); }
  uint32_t max() const { return max_; }
  size_t bytes() const { return pool_.bytes() + slots_.size() * sizeof(uint32_t); }

  struct List {
    uint32_t head = 0, tail = 0;
  };
  void PushBack(List* l, uint32_t idx);
  void Unlink(List* l, uint32_t idx);
  void MoveToBack(List* l, uint32_t idx) {
    if (l->tail == idx) return;
    Unlink(l, idx);
    PushBack(l, idx);
  }

 private:
  Pool<T> pool_;
  void Grow();  // doubles the slot array (rehash), up to max_slots_
  std::vector<uint32_t> slots_;  // 0 = empty, else pool index | (hash & tag_mask_)
  uint32_t mask_;
  uint32_t max_slots_;  // slot count at max_ entries (load factor 1/2)
  uint32_t tag_mask_;  // the bits of a slot above the largest pool index (max_)
  uint32_t max_;
};

// Canonical flow key: endpoints ordered (lower address/port first), so both directions match.
struct FlowKey {
  uint8_t ip_lo[16];
  uint8_t ip_hi[16];
  uint16_t port_lo;
  uint16_t port_hi;
  uint16_t vlan;
  uint8_t ip_version;
  uint8_t transport;
};
static_assert(sizeof(FlowKey) == 40, "FlowKey is hashed as 5 words");

// What a SYN or SYN-ACK looked like, kept until the flow proves to carry data.
struct SynMaterial {
  int64_t ts;
  uint32_t seq, ack, flow_label;
  uint16_t window, ip_id, ip_total_len, urg_ptr, payload_len, tcp_flags;
  uint8_t ttl, tos, ip_flags, ip_opts_len, tcp_reserved, options_len, count, pad;
  uint8_t options[40];
};

// One (sender, role, stack fingerprint) dedup window.
struct SynDedupEntry {
  uint64_t sig;
  uint32_t hash, prev, next;
  int64_t ts_first, ts_last;
  uint32_t repeats;
  uint16_t flags;  // SynFlags of the sent SYN
  uint8_t samples; // slots of the sample arrays used
  FlowRef ref;
  int64_t sample_ts[limits::kSynBehaviourSamples];
  uint32_t sample_isn[limits::kSynBehaviourSamples];
  uint32_t sample_tsval[limits::kSynBehaviourSamples];
  uint16_t sample_ip_id[limits::kSynBehaviourSamples];
  uint8_t sample_has_ts[limits::kSynBehaviourSamples];
};

struct StreamPair {
  StreamState dir[2];
  // Application-data times for JA4L (capture µs, 0 = not seen): D = first client data, E = first
  // server data after D, F = next client data after E.
  int64_t app_d, app_e, app_f;
};

// The JA4SSH window being filled for one SSH flow (batch_format.h SshWindowRecord). The payload
// lengths are kept, not a histogram, so the mode at window close is exact in fixed memory.
struct SshWindow {
  int64_t ts_first, ts_last;
  uint32_t index;    // windows already sent for the flow
  uint32_t acks[2];  // bare ACKs per direction
  uint16_t packets[2];
  uint8_t started;   // ts_first is set
  uint8_t pad;
  uint16_t lens[limits::kSshWindowPackets];  // payload length of each SSH packet (saturated)
  uint8_t server[(limits::kSshWindowPackets + 7) / 8];  // bit i: lens[i] was sent by the server
};

struct Flow {
  FlowKey key;
  uint32_t hash, prev, next;
  uint32_t syn_idx[2];    // SynMaterial pool indices: client SYN, server SYN-ACK
  uint32_t streams_idx;   // StreamPair pool index, 0 until the flow carries payload
  uint32_t packets[2];
  uint32_t retrans[2];
  uint32_t hi_seq[2];     // highest sequence number (end of data) seen per direction
  uint32_t gap_lo[2];     // the first hole below hi_seq per direction (valid: kGapValid bit)
  uint32_t gap_hi[2];
  uint32_t syn_retrans;
  uint32_t ooo;
  uint64_t flow_id;
  int64_t ts_first, ts_last;
  uint64_t bytes[2];
  int64_t ts_syn, ts_synack;
  int32_t rtt_syn_synack, rtt_synack_ack;  // microseconds, -1 unknown
  uint32_t iat_min, iat_max;               // microseconds (saturating)
  double iat_sum;
  uint16_t flags;         // FlowEndFlags
  uint8_t state;          // kOpen / kClosed
  uint8_t client_is_lo;   // the client is key.ip_lo/port_lo
  uint8_t ttl[2];
  uint8_t seq_init;       // bit per direction: hi_seq valid; kGapValid << dir: gap valid
  uint8_t iflags;         // kSynEmitted | kHasPayload | kSshChecked << dir | kSshFlow
  union {
    uint8_t dgrams[2];    // UDP: datagrams passed on per direction
    uint16_t ssh_idx;     // TCP with kSshFlow: SshWindow pool index, 0 = over the window cap
  };
  uint8_t last_ack_dir;   // after FIN+FIN: the direction whose ACK ends the connection
  uint32_t lru_s;         // capture second of the last move to the LRU tail (moves are lazy)
};
static_assert(sizeof(Flow) <= 208, "1M flows must fit the budget in limits.h (kDefaultMaxFlows)");
static_assert(limits::kMaxSshWindows <= 0xffff, "Flow::ssh_idx is 16 bits");

struct ScanSource {
  uint8_t ip[16];
  uint8_t ip_version;
  uint8_t has_rep;
  uint16_t nsample;
  uint32_t hash, prev, next;
  int64_t ts_first, ts_last;
  uint32_t flows, syn_packets, synack, rst, noreply;
  uint16_t sample_ports[limits::kScanSamplePorts];
  uint64_t port_bits[8];
  uint64_t host_bits[8];
  FlowRef rep_flow;       // the first probe, kept as a representative SYN
  SynMaterial rep;
};

class Engine {
 public:
  Engine(const EngineConfig& cfg, BatchWriter* out);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Decodes one frame and updates flows; may append records to the batch writer.
  void Packet(int dlt, const uint8_t* data, uint32_t caplen, uint32_t wirelen, int64_t ts_us);
  // Ends flows and scan summaries idle at `now_us` (capture time).
  void Advance(int64_t now_us);
  // Ends everything (reason shutdown) and seals the final batch.
  void Shutdown();

  const EngineCounters& counters() const { return c_; }
  uint32_t flows_open() const { return flows_.size() - closed_count_; }
  uint32_t flows_closing() const { return closed_count_; }
  uint32_t scan_sources() const { return scans_.size(); }
  uint32_t syn_dedup_entries() const { return dedup_.size(); }
  uint64_t reassembly_in_use() const { return buffers_.in_use_bytes(); }
  uint64_t reassembly_peak() const { return buffers_.peak_bytes(); }
  uint32_t ssh_windows() const { return ssh_.live(); }
  // Bytes held by the tables, pools and reassembly buffers (allocated chunks, not RSS).
  size_t memory_bytes() const;

 private:
  enum : uint8_t { kOpen = 0, kClosed = 1 };
  // kSshChecked << dir: that direction's first payload bytes were looked at; kSshFlow: they
  // started with "SSH-" in one direction (the flow has JA4SSH windows unless over the cap).
  enum : uint8_t { kSynEmitted = 1, kHasPayload = 2, kSshChecked = 4, kSshFlow = 16 };
  static constexpr uint8_t kGapValid = 4;  // in Flow::seq_init, shifted by the direction

  void HandleTcp(const PacketView& v, int64_t ts);
  void HandleUdp(const PacketView& v, int64_t ts);
  uint32_t Lookup(const PacketView& v, FlowKey* key, uint32_t* hash, bool* src_is_lo);
  uint32_t Create(const FlowKey& key, uint32_t hash, bool client_is_lo, int64_t ts, uint16_t flags);
  bool InHoneypots(uint8_t ip_version, const uint8_t* ip) const;
  void MakeRoom();
  void Touch(Flow& f, uint32_t idx, int dir, const PacketView& v, int64_t ts);
  void Close(uint32_t idx, uint8_t reason);
  void Erase(uint32_t idx);
  void BecomeNonTrivial(Flow& f);
  void StoreSyn(Flow& f, int dir, const PacketView& v, int64_t ts);
  void EmitSyn(const FlowRef& ref, const SynMaterial& m, uint16_t flags);
  // Sends a SYN unless an identical fingerprint from the same sender is in its dedup window.
  void EmitSynDeduped(const FlowRef& ref, const SynMaterial& m, uint16_t flags);
  void EmitSynRepeat(const SynDedupEntry& e);
  void AddBehaviourSample(SynDedupEntry* e, const SynMaterial& m);
  // Sends the direction's prefix if it has unsent bytes; the caller releases the buffer.
  void EmitStream(Flow& f, int dir, uint16_t extra_flags, bool final);
  void EmitFlowEnd(Flow& f, uint8_t reason);
  // Marks the flow SSH when this segment starts its direction's stream with "SSH-".
  void SshDetect(Flow& f, int dir, const PacketView& v, bool first_data);
  // Counts one packet of an SSH flow into its window; sends the window when it is full.
  void SshCount(Flow& f, int dir, const PacketView& v, int64_t ts, bool new_data);
  void EmitSshWindow(Flow& f, uint16_t flags);
  void FoldScan(Flow& f, uint8_t reason);
  void EmitScan(ScanSource& s, uint8_t reason);
  void FillRef(const Flow& f, FlowRef* ref) const;

  EngineConfig cfg_;
  BatchWriter* out_;
  EngineCounters c_;
  Table<Flow> flows_;
  Table<Flow>::List active_;
  Table<Flow>::List closed_;
  uint32_t closed_count_ = 0;
  Table<ScanSource> scans_;
  Table<ScanSource>::List scan_lru_;
  Table<SynDedupEntry> dedup_;
  Table<SynDedupEntry>::List dedup_order_;  // by window start
  Pool<SynMaterial> syns_;
  Pool<StreamPair> streams_;
  Pool<SshWindow> ssh_;
  BufferPool buffers_;
  uint64_t next_flow_id_ = 1;
  int64_t now_ = 0;
  int64_t last_advance_ = 0;
};

}  // namespace deckscope
