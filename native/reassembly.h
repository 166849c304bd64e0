// Reassembly of the first bytes of one direction of a TCP flow, in sequence order, tolerating
// out-of-order and retransmitted segments within bounds. Buffers come from a BufferPool with a
// global byte budget, so memory stays bounded under a payload flood.
#pragma once

#include <cstdint>
#include <vector>

#include "limits.h"

namespace deckscope {

// Power-of-two buffers from kMinStreamBuffer up to the stream limit, recycled through free lists
// so steady-state capture does not call malloc per flow.
class BufferPool {
 public:
  BufferPool(uint32_t max_buffer, uint64_t budget_bytes);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A buffer of at least `size` bytes (size <= max_buffer), or nullptr when the budget is spent.
  uint8_t* Acquire(uint32_t size, uint32_t* allocated);
  void Release(uint8_t* buf, uint32_t allocated);

  uint64_t in_use_bytes() const { return in_use_; }
  uint64_t peak_bytes() const { return peak_; }

 private:
  static int ClassOf(uint32_t size);
  uint32_t max_buffer_;
  uint64_t budget_;
  uint64_t in_use_ = 0;
  uint64_t peak_ = 0;
  std::vector<std::vector<uint8_t*>> free_;  // per size class
};

// Counters of reassembly anomalies, owned by the engine.
struct ReassemblyCounters {
  uint64_t budget_exhausted = 0;   // streams cut short because the byte budget was spent
  uint64_t holes_overflow = 0;     // out-of-order segments dropped: too many holes at once
  uint64_t before_base = 0;        // segments entirely before the stream start (old data)
  uint64_t beyond_limit = 0;       // segments starting past the stream limit
};

// State of one direction. Lives inside a flow's StreamPair; 48 bytes.
struct StreamState {
  struct Range {
    uint32_t start, end;
  };
  uint8_t* buf = nullptr;
  uint32_t alloc = 0;       // bytes allocated in buf
  uint32_t contig = 0;      // bytes [0, contig) are present
  uint32_t emitted = 0;     // bytes already sent in stream records
  uint32_t base_seq = 0;    // sequence number of stream offset 0
  int64_t ts_first = 0;
  int64_t ts_last = 0;
  uint16_t emits = 0;
  uint8_t ttl = 0;
  uint8_t flags = 0;        // kBaseSet | kSynBased | kDone | kTruncated | kGap
  uint8_t nholes = 0;
  Range holes[limits::kMaxHoles];

  enum : uint8_t { kBaseSet = 1, kSynBased = 2, kDone = 4, kTruncated = 8, kGap = 16 };

  bool done() const { return flags & kDone; }
  bool has_pending() const { return contig > emitted; }
};

// Sets offset 0 of the stream to the byte after the SYN's sequence number.
void StreamSetSynBase(StreamState* st, uint32_t isn);

// Adds one segment's bytes. `len` is the segment's payload length per headers; only `caplen`
// bytes of it were captured. Returns true when the stream reached its limit (emit it, final).
bool StreamInsert(StreamState* st, uint32_t seq, const uint8_t* data, uint32_t len, uint32_t caplen,
                  int64_t ts, uint8_t ttl, uint32_t limit, BufferPool* pool, ReassemblyCounters* c);

// Appends one datagram framed as a little-endian u16 length and its bytes (UDP flows).
// Returns false when the limit or the pool's budget leaves no room.
bool StreamAppendDatagram(StreamState* st, const uint8_t* data, uint32_t n, int64_t ts, uint8_t ttl,
                          uint32_t limit, BufferPool* pool, ReassemblyCounters* c);

// Returns the buffer to the pool and marks the direction done.
void StreamRelease(StreamState* st, BufferPool* pool);

}  // namespace deckscope
