#include "batch.h"

#include <cstring>

namespace deckscope {

BatchWriter::BatchWriter(uint32_t capacity, Sink sink) : capacity_(capacity), sink_(std::move(sink)) {}

BatchWriter::~BatchWriter() {
  delete cur_;
  for (Batch* b : free_) delete b;
}

Batch* BatchWriter::Take() {
  {
    std::lock_guard<std::mutex> lock(free_mu_);
    if (!free_.empty()) {
      Batch* b = free_.back();
      free_.pop_back();
      return b;
    }
  }
  Batch* b = new Batch();
  b->bytes.resize(capacity_);
  return b;
}

void BatchWriter::Recycle(Batch* b) {
  b->used = 0;
  b->records = 0;
  b->packets = 0;
  std::lock_guard<std::mutex> lock(free_mu_);
  free_.push_back(b);
}

uint8_t* BatchWriter::Reserve(uint16_t type, uint16_t flags, uint32_t len) {
  len = (len + 7u) & ~7u;
  if (cur_ != nullptr && cur_->used + len > capacity_) Flush();
  if (cur_ == nullptr) {
    cur_ = Take();
    cur_->used = sizeof(BatchHeader);
  }
  // The engine sizes batches so any single record fits (capacity >= stream limit + headers).
  uint8_t* p = cur_->bytes.data() + cur_->used;
  std::memset(p, 0, len);
  RecordHeader h{type, flags, len};
  std::memcpy(p, &h, sizeof h);
  cur_->used += len;
  ++cur_->records;
  return p;
}

void BatchWriter::Flush(uint32_t flags) {
  if (cur_ == nullptr) {
    if (flags == 0 && packets_ == 0) return;
    cur_ = Take();
    cur_->used = sizeof(BatchHeader);
  }
  if (cur_->records == 0 && flags == 0 && packets_ == 0) return;
  BatchHeader h{};
  h.magic = kBatchMagic;
  h.version = kBatchVersion;
  h.header_size = sizeof(BatchHeader);
  h.record_count = cur_->records;
  h.used_bytes = cur_->used;
  h.flags = flags;
  h.packets = packets_;
  h.sequence = sequence_++;
  std::memcpy(cur_->bytes.data(), &h, sizeof h);
  cur_->packets = packets_;
  packets_ = 0;
  Batch* b = cur_;
  cur_ = nullptr;
  sink_(b);
}

}  // namespace deckscope
