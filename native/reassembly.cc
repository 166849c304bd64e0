#include "reassembly.h"

#include <cstdlib>
#include <cstring>

namespace deckscope {

namespace {
// Free buffers kept per size class; more are returned to the allocator.
constexpr size_t kMaxFreePerClass = 256;
}  // namespace

BufferPool::BufferPool(uint32_t max_buffer, uint64_t budget_bytes)
    : max_buffer_(max_buffer), budget_(budget_bytes), free_(ClassOf(max_buffer) + 1) {}

BufferPool::~BufferPool() {
  for (auto& list : free_)
    for (uint8_t* b : list) std::free(b);
}

int BufferPool::ClassOf(uint32_t size) {
  int c = 0;
  uint32_t s = limits::kMinStreamBuffer;
  while (s < size) {
    s <<= 1;
    ++c;
  }
  return c;
}

uint8_t* BufferPool::Acquire(uint32_t size, uint32_t* allocated) {
  if (size > max_buffer_) size = max_buffer_;
  int c = ClassOf(size);
  uint32_t bytes = limits::kMinStreamBuffer << c;
  if (in_use_ + bytes > budget_) return nullptr;
  uint8_t* b;
  if (!free_[c].empty()) {
    b = free_[c].back();
    free_[c].pop_back();
  } else {
    b = static_cast<uint8_t*>(std::malloc(bytes));
    if (b == nullptr) return nullptr;
  }
  in_use_ += bytes;
  if (in_use_ > peak_) peak_ = in_use_;
  *allocated = bytes;
  return b;
}

void BufferPool::Release(uint8_t* buf, uint32_t allocated) {
  if (buf == nullptr) return;
  in_use_ -= allocated;
  int c = ClassOf(allocated);
  if (free_[c].size() < kMaxFreePerClass) {
    free_[c].push_back(buf);
  } else {
    std::free(buf);
  }
}

void StreamSetSynBase(StreamState* st, uint32_t isn) {
  if (st->flags & StreamState::kBaseSet) return;
  st->base_seq = isn + 1;
  st->flags |= StreamState::kBaseSet | StreamState::kSynBased;
}

void StreamRelease(StreamState* st, BufferPool* pool) {
  pool->Release(st->buf, st->alloc);
  st->buf = nullptr;
  st->alloc = 0;
  st->nholes = 0;
  st->flags |= StreamState::kDone;
}

namespace {

// Makes room for `need` bytes, doubling; false when the pool's budget is spent.
bool Grow(StreamState* st, uint32_t need, uint32_t limit, BufferPool* pool) {
  if (need <= st->alloc) return true;
  uint32_t want = st->alloc ? st->alloc : limits::kMinStreamBuffer;
  while (want < need) want <<= 1;
  if (want > limit) want = limit;
  uint32_t got = 0;
  uint8_t* nb = pool->Acquire(want, &got);
  if (nb == nullptr) return false;
  if (st->buf != nullptr) {
    // Copy everything that may hold data: the prefix and any out-of-order ranges.
    uint32_t used = st->contig;
    for (int i = 0; i < st->nholes; ++i)
      if (st->holes[i].end > used) used = st->holes[i].end;
    std::memcpy(nb, st->buf, used);
    pool->Release(st->buf, st->alloc);
  }
  st->buf = nb;
  st->alloc = got;
  return true;
}

// Records [start, end) as present beyond the prefix. False when no slot is left.
bool AddRange(StreamState* st, uint32_t start, uint32_t end) {
  // Merge with any overlapping or touching ranges.
  for (int i = 0; i < st->nholes;) {
    StreamState::Range& r = st->holes[i];
    if (r.end < start || r.start > end) {
      ++i;
      continue;
    }
    if (r.start < start) start = r.start;
    if (r.end > end) end = r.end;
    st->holes[i] = st->holes[--st->nholes];
  }
  if (st->nholes >= limits::kMaxHoles) return false;
  st->holes[st->nholes++] = {start, end};
  return true;
}

// Extends the contiguous prefix over ranges it now reaches.
void AbsorbRanges(StreamState* st) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (int i = 0; i < st->nholes; ++i) {
      if (st->holes[i].start <= st->contig) {
        if (st->holes[i].end > st->contig) st->contig = st->holes[i].end;
        st->holes[i] = st->holes[--st->nholes];
        changed = true;
        break;
      }
    }
  }
}

}  // namespace

bool StreamInsert(StreamState* st, uint32_t seq, const uint8_t* data, uint32_t len, uint32_t caplen,
                  int64_t ts, uint8_t ttl, uint32_t limit, BufferPool* pool, ReassemblyCounters* c) {
  if (st->flags & StreamState::kDone) return false;
  if (!(st->flags & StreamState::kBaseSet)) {
    st->base_seq = seq;
    st->flags |= StreamState::kBaseSet;
  }
  uint32_t off = seq - st->base_seq;  // modulo 2^32
  if (off >= 0x80000000u) {
    // Starts before offset 0: keep only the part at or after it.
    uint32_t skip = st->base_seq - seq;
    if (skip >= len) {
      ++c->before_base;
      return false;
    }
    data += skip;
    len -= skip;
    caplen = caplen > skip ? caplen - skip : 0;
    off = 0;
  }
  if (off >= limit) {
    ++c->beyond_limit;
    return false;
  }
  uint32_t end = off + (caplen < len ? caplen : len);
  if (end > limit) end = limit;
  if (end <= off) return false;  // nothing captured (snaplen cut it all)
  if (st->ts_first == 0) {
    st->ts_first = ts;
    st->ttl = ttl;
  }
  if (!Grow(st, end, limit, pool)) {
    ++c->budget_exhausted;
    st->flags |= StreamState::kTruncated;
    return true;  // emit what there is, final
  }
  if (off > st->contig) {
    if (!AddRange(st, off, end)) {
      ++c->holes_overflow;
      return false;
    }
    std::memcpy(st->buf + off, data, end - off);
    st->flags |= StreamState::kGap;
    return false;
  }
  if (end > st->contig) {
    // Only the bytes past the prefix are written: what is already there stays (first wins).
    std::memcpy(st->buf + st->contig, data + (st->contig - off), end - st->contig);
    st->contig = end;
    st->ts_last = ts;
    AbsorbRanges(st);
    if (st->nholes == 0) st->flags &= static_cast<uint8_t>(~StreamState::kGap);
  }
  if (st->contig >= limit) {
    st->flags |= StreamState::kTruncated;
    return true;
  }
  return false;
}

bool StreamAppendDatagram(StreamState* st, const uint8_t* data, uint32_t n, int64_t ts, uint8_t ttl,
                          uint32_t limit, BufferPool* pool, ReassemblyCounters* c) {
  if (st->flags & StreamState::kDone) return false;
  uint32_t need = st->contig + 2 + n;
  if (need > limit) return false;
  if (!Grow(st, need, limit, pool)) {
    ++c->budget_exhausted;
    return false;
  }
  if (st->ts_first == 0) {
    st->ts_first = ts;
    st->ttl = ttl;
  }
  st->buf[st->contig] = static_cast<uint8_t>(n & 0xff);
  st->buf[st->contig + 1] = static_cast<uint8_t>(n >> 8);
  std::memcpy(st->buf + st->contig + 2, data, n);
  st->contig = need;
  st->ts_last = ts;
  return true;
}

}  // namespace deckscope
