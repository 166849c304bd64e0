// The Capture object exposed to JavaScript: opens live or offline pcap sources, runs the capture
// loop on its own thread (decode + flow engine), and delivers batches through one
// ThreadSafeFunction. JS acknowledges each batch; unacknowledged batches are bounded
// (file replay waits, live capture sheds and counts).
#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <napi.h>

#include "batch.h"
#include "flow_table.h"

namespace deckscope {

enum class CaptureMode { kFull, kFlowOnly, kReadOnly };

struct CaptureOptions {
  std::vector<std::string> files;  // offline: read in sequence ("-" = stdin)
  std::string iface;               // live when non-empty
  std::string filter;              // BPF
  int snaplen = limits::kDefaultSnaplen;
  int buffer_kib = limits::kDefaultBufferKiB;
  bool promisc = true;
  uint64_t count = 0;              // stop after this many packets (0 = no limit)
  uint32_t batch_bytes = limits::kDefaultBatchBytes;
  uint32_t max_inflight = limits::kDefaultMaxInflightBatches;
  CaptureMode mode = CaptureMode::kFull;
  EngineConfig engine;
};

// Counters published by the capture thread for stats(); a consistent snapshot under a mutex.
struct CaptureSnapshot {
  EngineCounters engine;
  uint64_t flows_open = 0, flows_closing = 0, scan_sources = 0, ssh_windows = 0;
  uint64_t reassembly_in_use = 0, reassembly_peak = 0, memory_bytes = 0;
  uint64_t batches = 0, batch_bytes = 0, batches_shed = 0, records_shed = 0, packets_shed = 0;
  uint64_t kernel_received = 0, kernel_dropped = 0, kernel_ifdropped = 0;
  uint64_t read_packets = 0, read_bytes = 0;  // read-only mode
  uint32_t file_index = 0;
  bool running = false;
};

class Capture : public Napi::ObjectWrap<Capture> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Capture(const Napi::CallbackInfo& info);
  ~Capture() override;

 private:
  struct Message {
    enum Kind { kBatch, kWarning, kEnd } kind;
    Batch* batch = nullptr;
    std::string code, text;
  };
  static void CallJs(Napi::Env env, Napi::Function cb, Capture* self, Message* msg);
  using Tsfn = Napi::TypedThreadSafeFunction<Capture, Message, &Capture::CallJs>;

  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Ack(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value LinkTypes(const Napi::CallbackInfo& info);

  bool OpenSources(Napi::Env env);
  bool OpenLive(Napi::Env env);
  bool ApplyFilter(Napi::Env env, pcap_t* p, const std::string& what);
  void Run();
  void RunSource(size_t index, pcap_t* p);
  void Deliver(Batch* b);
  void Post(Message* m);
  void Publish();
  void ReadKernelStats();
  void Join();
  static void CleanupHook(void* arg);

  CaptureOptions opts_;
  std::vector<pcap_t*> handles_;
  std::vector<int> dlts_;
  std::unique_ptr<BatchWriter> writer_;
  std::unique_ptr<Engine> engine_;
  std::thread thread_;
  Tsfn tsfn_;
  bool started_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<pcap_t*> current_{nullptr};

  std::mutex mu_;  // guards inflight_, snap_
  std::condition_variable cv_;
  uint32_t inflight_ = 0;
  CaptureSnapshot snap_;

  // capture-thread-only state
  uint64_t batches_ = 0, batch_bytes_ = 0, batches_shed_ = 0, records_shed_ = 0, packets_shed_ = 0;
  uint64_t read_packets_ = 0, read_bytes_ = 0;
  uint32_t file_index_ = 0;
  uint32_t last_recv_ = 0, last_drop_ = 0, last_ifdrop_ = 0;
  uint64_t kern_recv_ = 0, kern_drop_ = 0, kern_ifdrop_ = 0;
};

}  // namespace deckscope
