// Packs records into batch buffers (layout: batch_format.h) and hands full ones to a sink.
// Buffers are recycled through a free list, so steady-state capture allocates nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "batch_format.h"

namespace deckscope {

struct Batch {
  std::vector<uint8_t> bytes;  // capacity fixed at creation
  uint32_t used = 0;
  uint32_t records = 0;
  uint32_t packets = 0;
};

class BatchWriter {
 public:
  // `sink` takes ownership of a full batch and must eventually pass it to Recycle().
  using Sink = std::function<void(Batch*)>;
  BatchWriter(uint32_t capacity, Sink sink);
  ~BatchWriter();
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Space for one record of `len` bytes (header included; rounded up to 8), zeroed, with its
  // RecordHeader filled in. Flushes the current batch first when the record does not fit.
  uint8_t* Reserve(uint16_t type, uint16_t flags, uint32_t len);
  void CountPacket() { ++packets_; }
  bool Empty() const { return cur_ == nullptr || cur_->records == 0; }
  // Seals the current batch (even if empty when `flags` is non-zero) and hands it to the sink.
  void Flush(uint32_t flags = 0);
  // Returns a batch to the free list; callable from any thread.
  void Recycle(Batch* b);
  uint32_t capacity() const { return capacity_; }
  uint64_t batches() const { return sequence_; }

 private:
  Batch* Take();
  uint32_t capacity_;
  Sink sink_;
  Batch* cur_ = nullptr;
  uint32_t packets_ = 0;
  uint64_t sequence_ = 0;
  std::mutex free_mu_;
  std::vector<Batch*> free_;
};

}  // namespace deckscope
