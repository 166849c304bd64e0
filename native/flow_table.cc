#include "flow_table.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace deckscope {

// ---- Pool / Table ------------------------------------------------------------------------

template <typename T>
Pool<T>::~Pool() {
  for (T* c : chunks_) std::free(c);
}

template <typename T>
uint32_t Pool<T>::Alloc() {
  uint32_t idx;
  if (!free_.empty()) {
    idx = free_.back();
    free_.pop_back();
    std::memset(static_cast<void*>(&at(idx)), 0, sizeof(T));
  } else {
    idx = next_++;
    if (((idx - 1) >> kChunkShift) >= chunks_.size()) {
      // calloc: large chunks come from mmap, so untouched pages cost no resident memory.
      T* chunk = static_cast<T*>(std::calloc(kChunk, sizeof(T)));
      if (chunk == nullptr) std::abort();
      chunks_.push_back(chunk);
    }
  }
  ++live_;
  return idx;
}

template <typename T>
void Pool<T>::Free(uint32_t idx) {
  free_.push_back(idx);
  --live_;
}

template <typename T>
Table<T>::Table(uint32_t max_entries) : max_(max_entries) {
  uint32_t cap = 16;
  while (cap < max_entries * 2u) cap <<= 1;  // load factor <= 0.5
  max_slots_ = cap;
  // Start small and double with the live count: a table sized for the maximum (8 MiB of slots at
  // a million flows) misses the cache on every probe while a busy segment holds a tenth of that.
  cap = std::min(cap, limits::kInitialTableSlots);
  slots_.assign(cap, 0);
  mask_ = cap - 1;
  uint32_t idx_bits = 1;
  while (idx_bits < 32 && (uint64_t{1} << idx_bits) <= max_entries) ++idx_bits;
  tag_mask_ = idx_bits >= 32 ? 0 : ~((1u << idx_bits) - 1);
}

template <typename T>
void Table<T>::Grow() {
  std::vector<uint32_t> old(static_cast<size_t>(mask_ + 1) * 2, 0);
  old.swap(slots_);
  mask_ = static_cast<uint32_t>(slots_.size() - 1);
  for (uint32_t v : old) {
    if (v == 0) continue;
    uint32_t s = pool_.at(v & ~tag_mask_).hash & mask_;
    while (slots_[s] != 0) s = (s + 1) & mask_;
    slots_[s] = v;
  }
}

template <typename T>
uint32_t Table<T>::Insert(uint32_t hash) {
  if ((pool_.live() + 1u) * 2u > mask_ + 1u && mask_ + 1u < max_slots_) Grow();
  uint32_t idx = pool_.Alloc();
  pool_.at(idx).hash = hash;
  uint32_t s = hash & mask_;
  while (slots_[s] != 0) s = (s + 1) & mask_;
  slots_[s] = idx | (hash & tag_mask_);
  return idx;
}

template <typename T>
void Table<T>::Erase(uint32_t idx) {
  uint32_t i = pool_.at(idx).hash & mask_;
  while ((slots_[i] & ~tag_mask_) != idx) i = (i + 1) & mask_;
  // Backward-shift deletion: move later entries of the run into the hole when their home slot
  // does not lie cyclically in (i, j].
  for (uint32_t j = (i + 1) & mask_; slots_[j] != 0; j = (j + 1) & mask_) {
    uint32_t home = pool_.at(slots_[j] & ~tag_mask_).hash & mask_;
    bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (!between) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = 0;
  pool_.Free(idx);
}

template <typename T>
void Table<T>::PushBack(List* l, uint32_t idx) {
  T& e = pool_.at(idx);
  e.prev = l->tail;
  e.next = 0;
  if (l->tail) pool_.at(l->tail).next = idx;
  else l->head = idx;
  l->tail = idx;
}

template <typename T>
void Table<T>::Unlink(List* l, uint32_t idx) {
  T& e = pool_.at(idx);
  if (e.prev) pool_.at(e.prev).next = e.next;
  else l->head = e.next;
  if (e.next) pool_.at(e.next).prev = e.prev;
  else l->tail = e.prev;
  e.prev = e.next = 0;
}

template class Pool<SynMaterial>;
template class Pool<StreamPair>;
template class Pool<SshWindow>;
template class Table<Flow>;
template class Table<ScanSource>;
template class Table<SynDedupEntry>;

// ---- helpers -----------------------------------------------------------------------------

namespace {

constexpr int64_t kUsPerS = 1000000;

inline uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint32_t HashBytes(const void* p, size_t n, uint64_t seed = 0) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ n ^ Mix(seed);
  const uint8_t* b = static_cast<const uint8_t*>(p);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, b + i, 8);
    h = Mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, b + i, n - i);
  return static_cast<uint32_t>(Mix(h ^ tail));
}

// Serial-number comparisons (RFC 1982) on 32-bit sequence numbers.
inline bool SeqLt(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
inline bool SeqLeq(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) <= 0; }

inline uint32_t Sat32(int64_t v) {
  if (v < 0) return 0;
  return v > 0xffffffffLL ? 0xffffffffu : static_cast<uint32_t>(v);
}
inline int32_t SatRtt(int64_t v) {
  if (v < 0) return 0;
  return v > 0x7fffffffLL ? 0x7fffffff : static_cast<int32_t>(v);
}

// Linear-counting estimate of distinct values hashed into a 512-bit map.
uint32_t EstimateDistinct(const uint64_t bits[8]) {
  int zeros = 0;
  for (int i = 0; i < 8; ++i) zeros += 64 - __builtin_popcountll(bits[i]);
  if (zeros == 0) zeros = 1;  // saturated: report the largest estimate the map can give
  return static_cast<uint32_t>(std::lround(-512.0 * std::log(zeros / 512.0)));
}

}  // namespace

// ---- Engine ------------------------------------------------------------------------------

Engine::Engine(const EngineConfig& cfg, BatchWriter* out)
    : cfg_(cfg),
      out_(out),
      flows_(cfg.max_flows),
      scans_(cfg.max_scan_sources),
      dedup_(cfg.max_syn_dedup),
      buffers_(cfg.stream_bytes ? cfg.stream_bytes : limits::kMinStreamBuffer, cfg.reassembly_budget) {}

Engine::~Engine() = default;

size_t Engine::memory_bytes() const {
  return flows_.bytes() + scans_.bytes() + dedup_.bytes() + syns_.bytes() + streams_.bytes() +
         ssh_.bytes() + buffers_.in_use_bytes();
}

bool Engine::InHoneypots(uint8_t ip_version, const uint8_t* ip) const {
  for (const Cidr& c : cfg_.honeypots) {
    if (c.ip_version != ip_version) continue;
    uint32_t full = c.prefix / 8, rest = c.prefix % 8;
    if (std::memcmp(c.addr, ip, full) != 0) continue;
    if (rest && ((c.addr[full] ^ ip[full]) & (0xff00 >> rest) & 0xff)) continue;
    return true;
  }
  return false;
}

void Engine::Packet(int dlt, const uint8_t* data, uint32_t caplen, uint32_t wirelen, int64_t ts) {
  ++c_.packets;
  c_.wire_bytes += wirelen;
  out_->CountPacket();
  PacketView v;
  v.snapped = caplen < wirelen;
  DecodeResult r = DecodePacket(dlt, data, caplen, &v);
  switch (r) {
    case DecodeResult::kOk: break;
    case DecodeResult::kNotIp: ++c_.not_ip; return;
    case DecodeResult::kOtherTransport: ++c_.other_transport; return;
    case DecodeResult::kFragment: ++c_.ip_fragments; return;
    default: ++c_.malformed[static_cast<int>(r) - kFirstMalformed]; return;
  }
  if (ts > now_) now_ = ts;
  if (now_ - last_advance_ >= kUsPerS) Advance(now_);
  if (v.transport == kTcp) {
    ++c_.tcp_packets;
    HandleTcp(v, ts);
  } else {
    ++c_.udp_packets;
    HandleUdp(v, ts);
  }
}

uint32_t Engine::Lookup(const PacketView& v, FlowKey* key, uint32_t* hash, bool* src_is_lo) {
  size_t alen = v.ip_version == 4 ? 4 : 16;
  int cmp = std::memcmp(v.src_ip, v.dst_ip, alen);
  *src_is_lo = cmp < 0 || (cmp == 0 && v.src_port <= v.dst_port);
  std::memset(key, 0, sizeof *key);
  const uint8_t* lo = *src_is_lo ? v.src_ip : v.dst_ip;
  const uint8_t* hi = *src_is_lo ? v.dst_ip : v.src_ip;
  std::memcpy(key->ip_lo, lo, alen);
  std::memcpy(key->ip_hi, hi, alen);
  key->port_lo = *src_is_lo ? v.src_port : v.dst_port;
  key->port_hi = *src_is_lo ? v.dst_port : v.src_port;
  key->vlan = v.vlan;
  key->ip_version = v.ip_version;
  key->transport = v.transport;
  *hash = HashBytes(key, sizeof *key);
  return flows_.Find(*hash, [key](const Flow& f) { return std::memcmp(&f.key, key, sizeof *key) == 0; });
}

void Engine::MakeRoom() {
  if (flows_.size() < flows_.max()) return;
  if (closed_.head) {
    Erase(closed_.head);
    return;
  }
  Close(active_.head, kEndEvicted);
}

uint32_t Engine::Create(const FlowKey& key, uint32_t hash, bool client_is_lo, int64_t ts, uint16_t flags) {
  MakeRoom();
  uint32_t idx = flows_.Insert(hash);
  Flow& f = flows_.at(idx);
  f.key = key;
  f.client_is_lo = client_is_lo;
  f.flow_id = next_flow_id_++;
  f.ts_first = f.ts_last = ts;
  f.rtt_syn_synack = f.rtt_synack_ack = -1;
  f.iat_min = 0xffffffffu;
  f.flags = flags;
  f.lru_s = static_cast<uint32_t>(ts / kUsPerS);
  flows_.PushBack(&active_, idx);
  ++c_.flows_created;
  if (key.transport == kTcp) ++c_.tcp_flows;
  else ++c_.udp_flows;
  uint64_t live = flows_.size();
  if (live > c_.flows_peak) c_.flows_peak = live;
  return idx;
}

void Engine::Touch(Flow& f, uint32_t idx, int dir, const PacketView& v, int64_t ts) {
  if (f.packets[0] + f.packets[1] > 0) {
    int64_t gap = ts - f.ts_last;
    if (gap < 0) gap = 0;
    uint32_t g = Sat32(gap);
    if (g < f.iat_min) f.iat_min = g;
    if (g > f.iat_max) f.iat_max = g;
    f.iat_sum += static_cast<double>(gap);
  }
  if (f.packets[dir] == 0) f.ttl[dir] = v.ttl;
  ++f.packets[dir];
  f.bytes[dir] += v.payload_len;
  if (ts > f.ts_last) f.ts_last = ts;
  // The LRU list is ordered by the second of each flow's last move, not of its last packet:
  // moving on every packet costs two cache misses (the neighbours) for nothing. Idle expiry and
  // eviction are therefore exact to the second, as Advance() runs once a second anyway.
  const uint32_t sec = static_cast<uint32_t>(ts / kUsPerS);
  if (sec != f.lru_s) {
    f.lru_s = sec;
    flows_.MoveToBack(&active_, idx);
  }
}

void Engine::StoreSyn(Flow& f, int dir, const PacketView& v, int64_t ts) {
  if (f.syn_idx[dir]) {
    SynMaterial& m = syns_.at(f.syn_idx[dir]);
    if (m.count < 255) ++m.count;
    return;
  }
  uint32_t si = syns_.Alloc();
  SynMaterial& m = syns_.at(si);
  m.ts = ts;
  m.seq = v.seq;
  m.ack = v.ack;
  m.flow_label = v.flow_label;
  m.window = v.window;
  m.ip_id = v.ip_id;
  m.ip_total_len = v.ip_total_len;
  m.urg_ptr = v.urg_ptr;
  m.payload_len = static_cast<uint16_t>(v.payload_len > 0xffff ? 0xffff : v.payload_len);
  m.tcp_flags = v.tcp_flags;
  m.ttl = v.ttl;
  m.tos = v.tos;
  m.ip_flags = v.ip_flags;
  m.ip_opts_len = v.ip_opts_len;
  m.tcp_reserved = v.tcp_reserved;
  m.options_len = v.tcp_opts_len;
  m.count = 1;
  std::memcpy(m.options, v.tcp_opts, v.tcp_opts_len);
  f.syn_idx[dir] = si;
}

void Engine::HandleTcp(const PacketView& v, int64_t ts) {
  FlowKey key;
  uint32_t hash;
  bool src_is_lo;
  uint32_t idx = Lookup(v, &key, &hash, &src_is_lo);
  const bool syn = v.tcp_flags & kSyn, ack = v.tcp_flags & kAck;
  const bool bare_syn = syn && !ack;
  if (idx) {
    Flow& f = flows_.at(idx);
    if (f.state == kClosed) {
      if (!bare_syn) {
        ++c_.post_close_packets;
        return;
      }
      ++c_.port_reuse;  // a new connection on a recently closed 4-tuple
      Erase(idx);
      idx = 0;
    }
  }
  if (!idx) {
    bool client_is_src;
    uint16_t flags = 0;
    if (bare_syn) {
      client_is_src = true;
    } else if (syn) {
      client_is_src = false;  // SYN-ACK: its receiver sent the SYN we missed
    } else {
      flags |= kFlowMidstream;
      bool src_hp = InHoneypots(v.ip_version, v.src_ip), dst_hp = InHoneypots(v.ip_version, v.dst_ip);
      if (src_hp != dst_hp) client_is_src = dst_hp;
      else client_is_src = v.src_port > v.dst_port || (v.src_port == v.dst_port && !src_is_lo);
    }
    idx = Create(key, hash, client_is_src == src_is_lo, ts, flags);
  }
  Flow& f = flows_.at(idx);
  const int dir = (src_is_lo == static_cast<bool>(f.client_is_lo)) ? 0 : 1;
  const uint8_t bit = static_cast<uint8_t>(1u << dir);
  Touch(f, idx, dir, v, ts);

  if (bare_syn) {
    if (dir == 0) {
      if (f.flags & kFlowSynSeen) {
        ++f.syn_retrans;
        ++c_.syn_retransmits;
      }
      f.flags |= kFlowSynSeen;
      f.ts_syn = ts;
      StoreSyn(f, 0, v, ts);
      if (!(f.seq_init & bit)) {
        f.hi_seq[0] = v.seq + 1;
        f.seq_init |= bit;
      }
    }
  } else if (syn) {
    if (dir == 1) {
      if (!(f.flags & kFlowSynAckSeen)) {
        f.flags |= kFlowSynAckSeen;
        f.ts_synack = ts;
        if (f.flags & kFlowSynSeen) f.rtt_syn_synack = SatRtt(ts - f.ts_syn);
      }
      StoreSyn(f, 1, v, ts);
      if (!(f.seq_init & bit)) {
        f.hi_seq[1] = v.seq + 1;
        f.seq_init |= bit;
      }
    }
  } else if (ack && dir == 0 && (f.flags & kFlowSynAckSeen) && !(f.flags & kFlowHandshakeDone)) {
    f.flags |= kFlowHandshakeDone;
    f.rtt_synack_ack = SatRtt(ts - f.ts_synack);
  }

  bool new_data = false;  // payload not seen before: neither a retransmission nor a keep-alive
  if (v.payload_len > 0 && !syn) {
    const bool first_data = !(f.seq_init & bit);
    if (first_data) {
      f.hi_seq[dir] = v.seq;
      f.seq_init |= bit;
    }
    const uint32_t end = v.seq + v.payload_len;
    const uint8_t gap_bit = static_cast<uint8_t>(kGapValid << dir);
    if (SeqLeq(end, f.hi_seq[dir])) {
      if ((f.seq_init & gap_bit) && SeqLeq(f.gap_lo[dir], v.seq) && SeqLeq(end, f.gap_hi[dir])) {
        // Inside the hole left by a segment that overtook it: reordered, not resent.
        if (v.seq == f.gap_lo[dir]) f.gap_lo[dir] = end;
        else f.gap_hi[dir] = v.seq;  // a piece from the middle: keep the part before it
        if (!SeqLt(f.gap_lo[dir], f.gap_hi[dir])) f.seq_init &= static_cast<uint8_t>(~gap_bit);
        new_data = true;
      } else if (!(v.payload_len == 1 && v.seq == f.hi_seq[dir] - 1)) {
        // Entirely below what was already seen: a retransmission, unless it is a keep-alive
        // probe (one byte just below the next expected sequence number).
        ++f.retrans[dir];
        ++c_.retransmits;
      }
    } else {
      if (SeqLt(f.hi_seq[dir], v.seq)) {
        ++f.ooo;  // arrived ahead of a hole; remember the first hole
        if (!(f.seq_init & gap_bit)) {
          f.gap_lo[dir] = f.hi_seq[dir];
          f.gap_hi[dir] = v.seq;
          f.seq_init |= gap_bit;
        }
      }
      f.hi_seq[dir] = end;
      new_data = true;
    }
    BecomeNonTrivial(f);
    if (!(f.iflags & (kSshChecked << dir))) SshDetect(f, dir, v, first_data);
    if (cfg_.stream_bytes) {
      if (!f.streams_idx) f.streams_idx = streams_.Alloc();
      StreamPair& sp = streams_.at(f.streams_idx);
      if (dir == 0) {
        if (!sp.app_d) sp.app_d = ts;
        else if (sp.app_e && !sp.app_f) sp.app_f = ts;
      } else if (sp.app_d && !sp.app_e) {
        sp.app_e = ts;
      }
      StreamState& st = sp.dir[dir];
      if (!st.done()) {
        if (f.syn_idx[dir]) StreamSetSynBase(&st, syns_.at(f.syn_idx[dir]).seq);
        if (StreamInsert(&st, v.seq, v.payload, v.payload_len, v.payload_caplen, ts, v.ttl,
                         cfg_.stream_bytes, &buffers_, &c_.reassembly)) {
          EmitStream(f, dir, kStreamTruncated, true);
          StreamRelease(&st, &buffers_);
        }
      }
      // A turn: the peer's pending bytes form a complete flight (a ClientHello answered by a
      // ServerHello, a banner answered by a banner), so send them now rather than at flow end.
      StreamState& other = sp.dir[1 - dir];
      if (!other.done() && other.has_pending() && other.emits + 1 < limits::kMaxStreamEmits)
        EmitStream(f, 1 - dir, 0, false);
    }
  } else if (syn && v.payload_len > 0) {
    BecomeNonTrivial(f);  // data on a SYN (TFO): the flow carries payload
  }
  // Before the close checks, so the ACK that ends a connection is counted.
  if (f.iflags & kSshFlow) SshCount(f, dir, v, ts, new_data);

  if (v.tcp_flags & kRst) {
    f.flags |= dir == 0 ? kFlowClientRst : kFlowServerRst;
    Close(idx, kEndRst);
    return;
  }
  const bool both_fin_before = (f.flags & kFlowClientFin) && (f.flags & kFlowServerFin);
  if (both_fin_before) {
    // The ACK of the second FIN, from the side that closed first, completes the connection.
    if (ack && dir == f.last_ack_dir) Close(idx, kEndFin);
    return;
  }
  if (v.tcp_flags & kFin) {
    f.flags |= dir == 0 ? kFlowClientFin : kFlowServerFin;
    uint32_t fin_end = v.seq + v.payload_len + 1;
    if ((f.seq_init & bit) && SeqLt(f.hi_seq[dir], fin_end)) f.hi_seq[dir] = fin_end;
    if ((f.flags & kFlowClientFin) && (f.flags & kFlowServerFin)) f.last_ack_dir = static_cast<uint8_t>(1 - dir);
  }
}

void Engine::HandleUdp(const PacketView& v, int64_t ts) {
  FlowKey key;
  uint32_t hash;
  bool src_is_lo;
  uint32_t idx = Lookup(v, &key, &hash, &src_is_lo);
  if (!idx) {
    // No handshake: the honeypot side is the server when configured, else the first sender is
    // the client.
    bool src_hp = InHoneypots(v.ip_version, v.src_ip), dst_hp = InHoneypots(v.ip_version, v.dst_ip);
    bool client_is_src = src_hp != dst_hp ? dst_hp : true;
    idx = Create(key, hash, client_is_src == src_is_lo, ts, 0);
  }
  Flow& f = flows_.at(idx);
  const int dir = (src_is_lo == static_cast<bool>(f.client_is_lo)) ? 0 : 1;
  Touch(f, idx, dir, v, ts);
  if (v.payload_len > 0) {
    f.iflags |= kHasPayload;
    if (f.dgrams[dir] < cfg_.udp_datagrams) {
      // The first datagrams of each direction travel together in one record, sent like a TCP
      // stream's prefix: when the peer answers, at the limit, or when the flow ends.
      if (!f.streams_idx) f.streams_idx = streams_.Alloc();
      StreamPair& sp = streams_.at(f.streams_idx);
      const uint32_t n = v.payload_caplen < limits::kMaxUdpDatagramBytes ? v.payload_caplen
                                                                         : limits::kMaxUdpDatagramBytes;
      const uint32_t limit = cfg_.udp_datagrams * (limits::kMaxUdpDatagramBytes + 2);
      if (StreamAppendDatagram(&sp.dir[dir], v.payload, n, ts, v.ttl, limit, &buffers_, &c_.reassembly)) {
        if (++f.dgrams[dir] == cfg_.udp_datagrams) EmitStream(f, dir, 0, true);
      }
      StreamState& other = sp.dir[1 - dir];
      if (!other.done() && other.has_pending() && other.emits + 1 < limits::kMaxStreamEmits)
        EmitStream(f, 1 - dir, 0, false);
    }
  }
}

void Engine::BecomeNonTrivial(Flow& f) {
  f.iflags |= kHasPayload;
  if (f.iflags & kSynEmitted) return;
  f.iflags |= kSynEmitted;
  FlowRef ref;
  FillRef(f, &ref);
  if (f.syn_idx[0]) EmitSynDeduped(ref, syns_.at(f.syn_idx[0]), 0);
  if (f.syn_idx[1]) EmitSynDeduped(ref, syns_.at(f.syn_idx[1]), kSynIsSynAck);
}

namespace {

// The stack fingerprint of a SYN: every header field a fingerprint reads, with the values that
// change per connection (ports, ISN, ACK, IP ID, flow label, timestamp values) left out.
uint64_t StackSignature(const SynMaterial& m, const uint8_t* sender_ip, uint8_t ip_version, uint16_t flags) {
  uint8_t b[16 + 16 + 40];
  std::memset(b, 0, sizeof b);
  std::memcpy(b, sender_ip, 16);
  b[16] = ip_version;
  b[17] = static_cast<uint8_t>(flags);
  b[18] = m.ttl;
  b[19] = m.tos;
  b[20] = m.ip_flags;
  b[21] = m.ip_opts_len;
  std::memcpy(b + 22, &m.window, 2);
  std::memcpy(b + 24, &m.tcp_flags, 2);
  b[26] = m.tcp_reserved;
  b[27] = m.options_len;
  b[28] = m.payload_len != 0;
  b[29] = m.flow_label != 0;
  b[30] = m.urg_ptr != 0;
  b[31] = m.ack != 0;
  uint8_t* o = b + 32;
  std::memcpy(o, m.options, m.options_len);
  // Blank the timestamp option's values (they tick per connection).
  for (uint32_t i = 0; i < m.options_len;) {
    uint8_t kind = o[i];
    if (kind == 0) break;
    if (kind == 1) { ++i; continue; }
    if (i + 1 >= m.options_len || o[i + 1] < 2) break;
    uint8_t len = o[i + 1];
    if (kind == 8 && len == 10 && i + 10 <= m.options_len) {
      // Keep whether TSval / TSecr are zero (p0f quirks ts1-, ts2+), not their values.
      bool tsval0 = o[i + 2] == 0 && o[i + 3] == 0 && o[i + 4] == 0 && o[i + 5] == 0;
      bool tsecr0 = o[i + 6] == 0 && o[i + 7] == 0 && o[i + 8] == 0 && o[i + 9] == 0;
      std::memset(o + i + 2, 0, 8);
      o[i + 2] = tsval0;
      o[i + 6] = tsecr0;
    }
    i += len;
  }
  // Both halves cover every byte (the low half is also the table's slot hash).
  uint64_t h1 = HashBytes(b, sizeof b, 1);
  uint64_t h2 = HashBytes(b, sizeof b, 2);
  return h1 << 32 | h2;
}

}  // namespace

// The TSval of a SYN's timestamp option (kind 8, length 10), if it has one.
static bool SynTsval(const SynMaterial& m, uint32_t* tsval) {
  for (uint32_t i = 0; i < m.options_len;) {
    const uint8_t kind = m.options[i];
    if (kind == 0) return false;  // EOL
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= m.options_len) return false;
    const uint8_t len = m.options[i + 1];
    if (len < 2 || i + len > m.options_len) return false;
    if (kind == 8 && len == 10) {
      *tsval = (uint32_t{m.options[i + 2]} << 24) | (uint32_t{m.options[i + 3]} << 16) |
               (uint32_t{m.options[i + 4]} << 8) | m.options[i + 5];
      return true;
    }
    i += len;
  }
  return false;
}

void Engine::AddBehaviourSample(SynDedupEntry* e, const SynMaterial& m) {
  uint32_t slot = e->samples < limits::kSynBehaviourSamples ? e->samples++ : limits::kSynBehaviourSamples - 1;
  e->sample_ts[slot] = m.ts;
  e->sample_isn[slot] = m.seq;
  e->sample_ip_id[slot] = m.ip_id;
  uint32_t tsval = 0;
  e->sample_has_ts[slot] = SynTsval(m, &tsval) ? 1 : 0;
  e->sample_tsval[slot] = tsval;
}

void Engine::EmitSynDeduped(const FlowRef& ref, const SynMaterial& m, uint16_t flags) {
  if (cfg_.syn_dedup_s == 0) {
    EmitSyn(ref, m, flags);
    return;
  }
  const uint8_t* sender = (flags & kSynIsSynAck) ? ref.server_ip : ref.client_ip;
  const uint64_t sig = StackSignature(m, sender, ref.ip_version, flags);
  const uint32_t hash = static_cast<uint32_t>(sig);
  const int64_t window = static_cast<int64_t>(cfg_.syn_dedup_s) * kUsPerS;
  uint32_t idx = dedup_.Find(hash, [sig](const SynDedupEntry& e) { return e.sig == sig; });
  if (idx) {
    SynDedupEntry& e = dedup_.at(idx);
    if (m.ts - e.ts_first < window) {
      ++e.repeats;
      if (m.ts > e.ts_last) e.ts_last = m.ts;
      AddBehaviourSample(&e, m);
      ++c_.syn_deduplicated;
      return;
    }
    EmitSynRepeat(e);  // the window is over: report it and start a new one with this SYN
    dedup_.Unlink(&dedup_order_, idx);
  } else {
    if (dedup_.size() >= dedup_.max()) {
      uint32_t oldest = dedup_order_.head;
      EmitSynRepeat(dedup_.at(oldest));
      dedup_.Unlink(&dedup_order_, oldest);
      dedup_.Erase(oldest);
    }
    idx = dedup_.Insert(hash);
  }
  SynDedupEntry& e = dedup_.at(idx);
  e.sig = sig;
  e.ts_first = e.ts_last = m.ts;
  e.repeats = 0;
  e.flags = flags;
  e.ref = ref;
  e.samples = 0;
  AddBehaviourSample(&e, m);
  dedup_.PushBack(&dedup_order_, idx);
  EmitSyn(ref, m, flags);
}

void Engine::EmitSynRepeat(const SynDedupEntry& e) {
  if (e.repeats == 0) return;
  SynRepeatRecord* r = reinterpret_cast<SynRepeatRecord*>(out_->Reserve(kRecSynRepeat, e.flags, sizeof(SynRepeatRecord)));
  r->flow = e.ref;
  r->ts_first_us = e.ts_first;
  r->ts_last_us = e.ts_last;
  r->repeats = e.repeats;
  r->window_s = cfg_.syn_dedup_s;
  r->samples = e.samples;
  for (uint32_t i = 0; i < e.samples; ++i) {
    r->sample_ts_us[i] = e.sample_ts[i];
    r->sample_isn[i] = e.sample_isn[i];
    r->sample_tsval[i] = e.sample_tsval[i];
    r->sample_ip_id[i] = e.sample_ip_id[i];
    r->sample_has_ts[i] = e.sample_has_ts[i];
  }
  ++c_.rec_syn_repeat;
}

void Engine::Close(uint32_t idx, uint8_t reason) {
  Flow& f = flows_.at(idx);
  if (f.state == kClosed) return;
  // Both FINs were exchanged and only the last ACK was missing: the connection did close.
  if ((f.flags & kFlowClientFin) && (f.flags & kFlowServerFin) && reason != kEndRst) reason = kEndFin;
  ++c_.flows_ended[reason];
  if (f.key.transport != kTcp) {
    if (f.streams_idx) {
      EmitStream(f, 0, kStreamFlowEnd, true);
      EmitStream(f, 1, kStreamFlowEnd, true);
    }
  } else {
    if (!(f.iflags & kHasPayload)) {
      ++c_.flows_trivial;
      FoldScan(f, reason);
    } else {
      if (f.streams_idx) {
        // Client first: its bytes are then "sent" and ride along on the server's record.
        EmitStream(f, 0, kStreamFlowEnd, true);
        EmitStream(f, 1, kStreamFlowEnd, true);
      }
      if ((f.iflags & kSshFlow) && f.ssh_idx) {
        const SshWindow& w = ssh_.at(f.ssh_idx);
        if (w.packets[0] + w.packets[1] > 0) EmitSshWindow(f, kSshWindowFinal);
      }
      EmitFlowEnd(f, reason);
    }
  }
  for (int d = 0; d < 2; ++d) {
    if (f.syn_idx[d]) syns_.Free(f.syn_idx[d]);
    f.syn_idx[d] = 0;
  }
  if ((f.iflags & kSshFlow) && f.ssh_idx) {
    ssh_.Free(f.ssh_idx);
    f.ssh_idx = 0;
  }
  if (f.streams_idx) {
    StreamPair& sp = streams_.at(f.streams_idx);
    StreamRelease(&sp.dir[0], &buffers_);
    StreamRelease(&sp.dir[1], &buffers_);
    streams_.Free(f.streams_idx);
    f.streams_idx = 0;
  }
  if (reason == kEndFin || reason == kEndRst) {
    // Linger so the last ACKs and RSTs are absorbed rather than opening a new flow.
    f.state = kClosed;
    flows_.Unlink(&active_, idx);
    flows_.PushBack(&closed_, idx);
    ++closed_count_;
  } else {
    Erase(idx);
  }
}

void Engine::Erase(uint32_t idx) {
  Flow& f = flows_.at(idx);
  if (f.state == kClosed) {
    flows_.Unlink(&closed_, idx);
    --closed_count_;
  } else {
    flows_.Unlink(&active_, idx);
  }
  flows_.Erase(idx);
}

void Engine::Advance(int64_t now) {
  if (now > now_) now_ = now;
  last_advance_ = now_;
  const int64_t idle = static_cast<int64_t>(cfg_.idle_timeout_s) * kUsPerS;
  while (active_.head && flows_.at(active_.head).ts_last + idle < now_) Close(active_.head, kEndIdle);
  const int64_t linger = static_cast<int64_t>(cfg_.closed_linger_s) * kUsPerS;
  while (closed_.head && flows_.at(closed_.head).ts_last + linger < now_) Erase(closed_.head);
  const int64_t dedup_window = static_cast<int64_t>(cfg_.syn_dedup_s) * kUsPerS;
  while (dedup_order_.head && dedup_.at(dedup_order_.head).ts_first + dedup_window <= now_) {
    uint32_t d = dedup_order_.head;
    EmitSynRepeat(dedup_.at(d));
    dedup_.Unlink(&dedup_order_, d);
    dedup_.Erase(d);
  }
  const int64_t scan_idle = static_cast<int64_t>(cfg_.scan_idle_s) * kUsPerS;
  while (scan_lru_.head && scans_.at(scan_lru_.head).ts_last + scan_idle < now_) {
    uint32_t s = scan_lru_.head;
    EmitScan(scans_.at(s), kEndIdle);
    scans_.Unlink(&scan_lru_, s);
    scans_.Erase(s);
  }
}

void Engine::Shutdown() {
  while (active_.head) Close(active_.head, kEndShutdown);
  while (dedup_order_.head) {
    uint32_t d = dedup_order_.head;
    EmitSynRepeat(dedup_.at(d));
    dedup_.Unlink(&dedup_order_, d);
    dedup_.Erase(d);
  }
  while (closed_.head) Erase(closed_.head);
  while (scan_lru_.head) {
    uint32_t s = scan_lru_.head;
    EmitScan(scans_.at(s), kEndShutdown);
    scans_.Unlink(&scan_lru_, s);
    scans_.Erase(s);
  }
  out_->Flush(kBatchFinal);
}

void Engine::FillRef(const Flow& f, FlowRef* ref) const {
  ref->flow_id = f.flow_id;
  ref->ip_version = f.key.ip_version;
  ref->transport = f.key.transport;
  ref->vlan = f.key.vlan;
  if (f.client_is_lo) {
    std::memcpy(ref->client_ip, f.key.ip_lo, 16);
    std::memcpy(ref->server_ip, f.key.ip_hi, 16);
    ref->client_port = f.key.port_lo;
    ref->server_port = f.key.port_hi;
  } else {
    std::memcpy(ref->client_ip, f.key.ip_hi, 16);
    std::memcpy(ref->server_ip, f.key.ip_lo, 16);
    ref->client_port = f.key.port_hi;
    ref->server_port = f.key.port_lo;
  }
}

void Engine::EmitSyn(const FlowRef& ref, const SynMaterial& m, uint16_t flags) {
  SynRecord* r = reinterpret_cast<SynRecord*>(out_->Reserve(kRecSyn, flags, sizeof(SynRecord)));
  r->flow = ref;
  r->ts_us = m.ts;
  r->seq = m.seq;
  r->ack = m.ack;
  r->flow_label = m.flow_label;
  r->window = m.window;
  r->ip_id = m.ip_id;
  r->ip_total_len = m.ip_total_len;
  r->urg_ptr = m.urg_ptr;
  r->payload_len = m.payload_len;
  r->tcp_flags = m.tcp_flags;
  r->ttl = m.ttl;
  r->tos = m.tos;
  r->ip_flags = m.ip_flags;
  r->ip_opts_len = m.ip_opts_len;
  r->tcp_reserved = m.tcp_reserved;
  r->options_len = m.options_len;
  r->syn_count = m.count;
  std::memcpy(r->options, m.options, m.options_len);
  ++c_.rec_syn;
}

void Engine::EmitStream(Flow& f, int dir, uint16_t extra_flags, bool final) {
  if (!f.streams_idx) return;
  StreamState& st = streams_.at(f.streams_idx).dir[dir];
  if (st.done()) return;
  if (st.has_pending()) {
    uint16_t flags = extra_flags;
    if (dir == 1) flags |= kStreamServerToClient;
    if (final) flags |= kStreamFinal;
    if (st.flags & StreamState::kTruncated) flags |= kStreamTruncated;
    if (st.flags & StreamState::kGap) flags |= kStreamGap;
    if (st.flags & StreamState::kSynBased) flags |= kStreamSynSeen;
    // The client's prefix rides along on server records, up to what was already sent.
    const StreamState* peer = dir == 1 ? &streams_.at(f.streams_idx).dir[0] : nullptr;
    uint32_t peer_len = peer && peer->buf ? peer->emitted : 0;
    const uint16_t type = f.key.transport == kTcp ? kRecStream : kRecDatagram;
    uint8_t* p = out_->Reserve(type, flags, sizeof(StreamRecord) + st.contig + peer_len);
    StreamRecord* r = reinterpret_cast<StreamRecord*>(p);
    r->peer_len = peer_len;
    if (peer_len) std::memcpy(p + sizeof(StreamRecord) + st.contig, peer->buf, peer_len);
    FillRef(f, &r->flow);
    r->ts_first_us = st.ts_first;
    r->ts_last_us = st.ts_last;
    r->prev_len = st.emitted;
    r->len = st.contig;
    r->emit_index = st.emits;
    r->ttl = st.ttl;
    std::memcpy(p + sizeof(StreamRecord), st.buf, st.contig);
    st.emitted = st.contig;
    ++st.emits;
    if (type == kRecStream) ++c_.rec_stream;
    else ++c_.rec_datagram;
  }
}

void Engine::EmitFlowEnd(Flow& f, uint8_t reason) {
  FlowEndRecord* r = reinterpret_cast<FlowEndRecord*>(out_->Reserve(kRecFlowEnd, f.flags, sizeof(FlowEndRecord)));
  FillRef(f, &r->flow);
  r->ts_first_us = f.ts_first;
  r->ts_last_us = f.ts_last;
  for (int d = 0; d < 2; ++d) {
    r->bytes[d] = f.bytes[d];
    r->packets[d] = f.packets[d];
    r->retransmits[d] = f.retrans[d];
  }
  r->syn_retransmits = f.syn_retrans;
  r->out_of_order = f.ooo;
  bool any_gap = f.packets[0] + f.packets[1] > 1;
  r->iat_min_us = any_gap ? f.iat_min : 0;
  r->iat_max_us = any_gap ? f.iat_max : 0;
  r->iat_sum_us = f.iat_sum;
  r->syn_to_synack_us = f.rtt_syn_synack;
  r->synack_to_ack_us = f.rtt_synack_ack;
  r->data_to_reply_us = -1;
  r->reply_to_data_us = -1;
  if (f.streams_idx) {
    const StreamPair& sp = streams_.at(f.streams_idx);
    if (sp.app_d && sp.app_e) r->data_to_reply_us = static_cast<double>(sp.app_e - sp.app_d);
    if (sp.app_e && sp.app_f) r->reply_to_data_us = static_cast<double>(sp.app_f - sp.app_e);
  }
  r->end_reason = reason;
  r->client_ttl = f.ttl[0];
  r->server_ttl = f.ttl[1];
  ++c_.rec_flow_end;
}

void Engine::SshDetect(Flow& f, int dir, const PacketView& v, bool first_data) {
  // Offset 0 of the direction's stream: ISN + 1 when its SYN was seen, else its first data
  // segment (as in reassembly). Until a segment starts there (the first one was lost or is
  // late), the direction stays unchecked.
  const bool at_start = f.syn_idx[dir] ? v.seq == syns_.at(f.syn_idx[dir]).seq + 1 : first_data;
  if (!at_start) return;
  f.iflags |= static_cast<uint8_t>(kSshChecked << dir);
  if (v.payload_caplen < 4 || std::memcmp(v.payload, "SSH-", 4) != 0) return;
  f.iflags |= kSshChecked | (kSshChecked << 1) | kSshFlow;
  ++c_.ssh_flows;
  if (ssh_.live() >= cfg_.max_ssh_windows) {
    ++c_.ssh_untracked;
    f.ssh_idx = 0;
    return;
  }
  f.ssh_idx = static_cast<uint16_t>(ssh_.Alloc());
  SshWindow& w = ssh_.at(f.ssh_idx);
  w.ts_first = f.ts_first;
  w.started = 1;
  // Window 0 starts with the flow, as in FoxIO's reference: the bare ACKs sent before this
  // segment count too. Before its first payload a side sends only SYNs (or SYN-ACKs) and ACKs,
  // so those are its packets so far minus its SYNs. A side that already sent payload (bytes that
  // did not start with "SSH-") is not estimated.
  for (int e = 0; e < 2; ++e) {
    const uint32_t before = f.packets[e] - (e == dir ? 1 : 0);
    const uint64_t earlier_bytes = f.bytes[e] - (e == dir ? v.payload_len : 0);
    const uint32_t syns = f.syn_idx[e] ? syns_.at(f.syn_idx[e]).count : 0;
    if (earlier_bytes == 0 && before > syns) w.acks[e] = before - syns;
  }
}

void Engine::SshCount(Flow& f, int dir, const PacketView& v, int64_t ts, bool new_data) {
  if (!f.ssh_idx) return;  // over the window cap: counted in ssh_untracked when marked
  SshWindow& w = ssh_.at(f.ssh_idx);
  if (!w.started) {
    w.started = 1;
    w.ts_first = ts;
  }
  if (ts > w.ts_last) w.ts_last = ts;
  if (v.payload_len == 0) {
    if ((v.tcp_flags & 0x1ff) == kAck) ++w.acks[dir];
    return;
  }
  if (!new_data || (v.tcp_flags & kSyn)) return;
  const uint32_t n = w.packets[0] + w.packets[1];
  w.lens[n] = static_cast<uint16_t>(v.payload_len > 0xffff ? 0xffff : v.payload_len);
  if (dir == 1) w.server[n >> 3] |= static_cast<uint8_t>(1u << (n & 7));
  ++w.packets[dir];
  if (n + 1 == limits::kSshWindowPackets) {
    EmitSshWindow(f, 0);
    const uint32_t next = w.index + 1;
    std::memset(static_cast<void*>(&w), 0, sizeof w);
    w.index = next;
  }
}

namespace {

// The most frequent payload length of one direction's SSH packets in a window; ties go to the
// smaller length; 0 when the direction sent none.
uint16_t PayloadLengthMode(const SshWindow& w, int dir) {
  uint16_t v[limits::kSshWindowPackets];
  uint32_t n = 0;
  const uint32_t total = w.packets[0] + w.packets[1];
  for (uint32_t i = 0; i < total; ++i) {
    const int d = (w.server[i >> 3] >> (i & 7)) & 1;
    if (d == dir) v[n++] = w.lens[i];
  }
  if (n == 0) return 0;
  std::sort(v, v + n);
  uint16_t best = v[0];
  uint32_t best_run = 0;
  for (uint32_t i = 0; i < n;) {
    uint32_t j = i;
    while (j < n && v[j] == v[i]) ++j;
    if (j - i > best_run) {  // strictly longer: an equal run of a larger length loses the tie
      best_run = j - i;
      best = v[i];
    }
    i = j;
  }
  return best;
}

}  // namespace

void Engine::EmitSshWindow(Flow& f, uint16_t flags) {
  const SshWindow& w = ssh_.at(f.ssh_idx);
  SshWindowRecord* r =
      reinterpret_cast<SshWindowRecord*>(out_->Reserve(kRecSshWindow, flags, sizeof(SshWindowRecord)));
  FillRef(f, &r->flow);
  r->ts_first_us = w.ts_first;
  r->ts_last_us = w.ts_last;
  r->window_index = w.index;
  r->mode_client = PayloadLengthMode(w, 0);
  r->mode_server = PayloadLengthMode(w, 1);
  r->packets_client = w.packets[0];
  r->packets_server = w.packets[1];
  r->acks_client = w.acks[0];
  r->acks_server = w.acks[1];
  ++c_.rec_ssh_window;
}

void Engine::FoldScan(Flow& f, uint8_t reason) {
  FlowRef ref;
  FillRef(f, &ref);
  uint8_t ip[16];
  std::memcpy(ip, ref.client_ip, 16);
  uint8_t kb[17];
  std::memcpy(kb, ip, 16);
  kb[16] = f.key.ip_version;
  uint32_t hash = HashBytes(kb, sizeof kb);
  uint32_t si = scans_.Find(hash, [&](const ScanSource& s) {
    return s.ip_version == f.key.ip_version && std::memcmp(s.ip, ip, 16) == 0;
  });
  if (!si) {
    if (scans_.size() >= scans_.max()) {
      uint32_t victim = scan_lru_.head;
      EmitScan(scans_.at(victim), kEndEvicted);
      ++c_.scan_sources_evicted;
      scans_.Unlink(&scan_lru_, victim);
      scans_.Erase(victim);
    }
    si = scans_.Insert(hash);
    ScanSource& s = scans_.at(si);
    std::memcpy(s.ip, ip, 16);
    s.ip_version = f.key.ip_version;
    s.ts_first = f.ts_first;
    scans_.PushBack(&scan_lru_, si);
  } else {
    scans_.MoveToBack(&scan_lru_, si);
  }
  ScanSource& s = scans_.at(si);
  ++s.flows;
  if (f.flags & kFlowSynSeen) s.syn_packets += 1 + f.syn_retrans;
  if (f.flags & kFlowSynAckSeen) ++s.synack;
  else if (f.flags & kFlowServerRst) ++s.rst;
  else ++s.noreply;
  if (f.ts_first < s.ts_first) s.ts_first = f.ts_first;
  if (f.ts_last > s.ts_last) s.ts_last = f.ts_last;
  uint32_t ph = HashBytes(&ref.server_port, 2) & 511;
  s.port_bits[ph >> 6] |= 1ull << (ph & 63);
  uint32_t hh = HashBytes(ref.server_ip, 16) & 511;
  s.host_bits[hh >> 6] |= 1ull << (hh & 63);
  if (s.nsample < limits::kScanSamplePorts) {
    bool seen = false;
    for (int i = 0; i < s.nsample; ++i) seen |= s.sample_ports[i] == ref.server_port;
    if (!seen) s.sample_ports[s.nsample++] = ref.server_port;
  }
  if (!s.has_rep && f.syn_idx[0]) {
    s.has_rep = 1;
    s.rep = syns_.at(f.syn_idx[0]);
    s.rep_flow = ref;
  }
  const int64_t window = static_cast<int64_t>(cfg_.scan_window_s) * kUsPerS;
  if (s.ts_last - s.ts_first >= window) {
    EmitScan(s, 0);  // window rollover: report and start a new window for this source
    uint32_t keep_hash = s.hash, prev = s.prev, next = s.next;
    uint8_t ver = s.ip_version;
    std::memset(static_cast<void*>(&s), 0, sizeof s);
    std::memcpy(s.ip, ip, 16);
    s.ip_version = ver;
    s.hash = keep_hash;
    s.prev = prev;
    s.next = next;
    s.ts_first = s.ts_last = f.ts_last;
  }
  (void)reason;
}

void Engine::EmitScan(ScanSource& s, uint8_t reason) {
  if (s.flows == 0) return;
  if (s.has_rep) {
    EmitSyn(s.rep_flow, s.rep, kSynScanRepresentative);
    s.has_rep = 0;
  }
  ScanSummaryRecord* r =
      reinterpret_cast<ScanSummaryRecord*>(out_->Reserve(kRecScanSummary, 0, sizeof(ScanSummaryRecord)));
  r->ip_version = s.ip_version;
  r->end_reason = reason;
  r->sample_port_count = s.nsample;
  std::memcpy(r->src_ip, s.ip, 16);
  r->ts_first_us = s.ts_first;
  r->ts_last_us = s.ts_last;
  r->flows = s.flows;
  r->syn_packets = s.syn_packets;
  r->synack_replies = s.synack;
  r->rst_replies = s.rst;
  r->no_reply = s.noreply;
  r->distinct_ports_est = EstimateDistinct(s.port_bits);
  r->distinct_hosts_est = EstimateDistinct(s.host_bits);
  std::memcpy(r->sample_ports, s.sample_ports, sizeof r->sample_ports);
  ++c_.scan_summaries;
}

}  // namespace deckscope
