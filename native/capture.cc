#include "capture.h"

#include <chrono>
#include <cstdio>
#include <cstring>

namespace deckscope {

namespace {

void ThrowCode(Napi::Env env, const char* code, const std::string& msg) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  e.ThrowAsJavaScriptException();
}

int64_t WallMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SteadyMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Reads an optional unsigned integer option within [lo, hi]; false (with a JS error) if invalid.
bool GetUint(Napi::Env env, Napi::Object o, const char* key, uint64_t lo, uint64_t hi, uint64_t* out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsNumber()) {
    ThrowCode(env, "E_BAD_OPTION", std::string("option ") + key + " must be a number");
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi)) || d != static_cast<double>(static_cast<uint64_t>(d))) {
    ThrowCode(env, "E_BAD_OPTION",
              std::string("option ") + key + " must be a whole number from " + std::to_string(lo) + " to " +
                  std::to_string(hi));
    return false;
  }
  *out = static_cast<uint64_t>(d);
  return true;
}

const char* OfflineErrorCode(const char* err) {
  if (std::strstr(err, "No such file")) return "E_NO_SUCH_FILE";
  if (std::strstr(err, "Permission denied")) return "E_FILE_PERMISSION";
  if (std::strstr(err, "truncated")) return "E_TRUNCATED_PCAP";
  if (std::strstr(err, "unknown file format") || std::strstr(err, "bad dump file format") ||
      std::strstr(err, "not a") || std::strstr(err, "Is a directory"))
    return "E_NOT_PCAP";
  return "E_PCAP_OPEN";
}

}  // namespace

Napi::Function Capture::Define(Napi::Env env) {
  return DefineClass(env, "Capture",
                     {
                         InstanceMethod<&Capture::Start>("start"),
                         InstanceMethod<&Capture::Stop>("stop"),
                         InstanceMethod<&Capture::Ack>("ack"),
                         InstanceMethod<&Capture::Stats>("stats"),
                         InstanceMethod<&Capture::LinkTypes>("linkTypes"),
                     });
}

Capture::Capture(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Capture>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    ThrowCode(env, "E_BAD_OPTION", "Capture needs an options object");
    return;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  Napi::Value files = o.Get("files");
  if (files.IsArray()) {
    Napi::Array a = files.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Value f = a.Get(i);
      if (!f.IsString()) {
        ThrowCode(env, "E_BAD_OPTION", "files must be strings");
        return;
      }
      opts_.files.push_back(f.As<Napi::String>().Utf8Value());
    }
  }
  Napi::Value iface = o.Get("interface");
  if (iface.IsString()) opts_.iface = iface.As<Napi::String>().Utf8Value();
  if (opts_.files.empty() == opts_.iface.empty()) {
    ThrowCode(env, "E_BAD_OPTION", "give either files or an interface");
    return;
  }
  Napi::Value filter = o.Get("filter");
  if (filter.IsString()) opts_.filter = filter.As<Napi::String>().Utf8Value();
  Napi::Value promisc = o.Get("promisc");
  if (promisc.IsBoolean()) opts_.promisc = promisc.As<Napi::Boolean>().Value();
  Napi::Value mode = o.Get("mode");
  if (mode.IsString()) {
    std::string m = mode.As<Napi::String>().Utf8Value();
    if (m == "full") opts_.mode = CaptureMode::kFull;
    else if (m == "flow") opts_.mode = CaptureMode::kFlowOnly;
    else if (m == "read") opts_.mode = CaptureMode::kReadOnly;
    else {
      ThrowCode(env, "E_BAD_OPTION", "mode must be full, flow or read");
      return;
    }
  }
  uint64_t v;
  EngineConfig& e = opts_.engine;
#define DS_UINT(key, lo, hi, dst)                    \
  v = dst;                                           \
  if (!GetUint(env, o, key, lo, hi, &v)) return;     \
  dst = static_cast<decltype(dst)>(v);
  DS_UINT("snaplen", limits::kMinSnaplen, 262144, opts_.snaplen);
  DS_UINT("bufferKiB", 1, 4u << 20, opts_.buffer_kib);
  DS_UINT("count", 0, UINT64_C(1) << 53, opts_.count);
  DS_UINT("batchBytes", limits::kMinBatchBytes, limits::kMaxBatchBytes, opts_.batch_bytes);
  DS_UINT("maxInflight", 1, 1024, opts_.max_inflight);
  DS_UINT("maxFlows", limits::kMinMaxFlows, limits::kMaxMaxFlows, e.max_flows);
  DS_UINT("idleTimeout", 1, 86400, e.idle_timeout_s);
  DS_UINT("closedLinger", 0, 3600, e.closed_linger_s);
  DS_UINT("streamBytes", 0, limits::kMaxStreamBytes, e.stream_bytes);
  DS_UINT("reassemblyBudget", 0, UINT64_C(1) << 40, e.reassembly_budget);
  DS_UINT("udpDatagrams", 0, limits::kMaxUdpDatagrams, e.udp_datagrams);
  DS_UINT("maxScanSources", 16, limits::kMaxMaxFlows, e.max_scan_sources);
  DS_UINT("scanIdle", 1, 86400, e.scan_idle_s);
  DS_UINT("scanWindow", 1, 86400 * 7, e.scan_window_s);
  DS_UINT("synDedup", 0, 86400, e.syn_dedup_s);
  DS_UINT("maxSynDedup", 16, limits::kMaxMaxFlows, e.max_syn_dedup);
  DS_UINT("maxSshWindows", 0, limits::kMaxSshWindows, e.max_ssh_windows);
#undef DS_UINT
  Napi::Value hp = o.Get("honeypots");
  if (hp.IsArray()) {
    Napi::Array a = hp.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      Napi::Object c = a.Get(i).As<Napi::Object>();
      Napi::Value addr = c.Get("addr");
      Napi::Value ver = c.Get("version");
      Napi::Value prefix = c.Get("prefix");
      if (!addr.IsTypedArray() || !ver.IsNumber() || !prefix.IsNumber()) {
        ThrowCode(env, "E_BAD_OPTION", "honeypots entries need {version, addr, prefix}");
        return;
      }
      Napi::Uint8Array bytes = addr.As<Napi::Uint8Array>();
      Cidr cidr{};
      cidr.ip_version = static_cast<uint8_t>(ver.As<Napi::Number>().Uint32Value());
      cidr.prefix = static_cast<uint8_t>(prefix.As<Napi::Number>().Uint32Value());
      size_t alen = cidr.ip_version == 4 ? 4 : 16;
      if ((cidr.ip_version != 4 && cidr.ip_version != 6) || bytes.ByteLength() != alen ||
          cidr.prefix > alen * 8) {
        ThrowCode(env, "E_BAD_OPTION", "bad honeypot network");
        return;
      }
      std::memcpy(cidr.addr, bytes.Data(), alen);
      e.honeypots.push_back(cidr);
    }
  }
  // A record (a stream plus its peer's prefix) must always fit in one batch.
  uint32_t dgram_bytes = e.udp_datagrams * (limits::kMaxUdpDatagramBytes + 2);
  uint32_t need = 2 * (e.stream_bytes > dgram_bytes ? e.stream_bytes : dgram_bytes) + 1024;
  if (opts_.batch_bytes < need) opts_.batch_bytes = need;

  if (!opts_.iface.empty() ? !OpenLive(env) : !OpenSources(env)) return;
  writer_ = std::make_unique<BatchWriter>(opts_.batch_bytes, [this](Batch* b) { Deliver(b); });
  if (opts_.mode != CaptureMode::kReadOnly) engine_ = std::make_unique<Engine>(opts_.engine, writer_.get());
  napi_add_env_cleanup_hook(env, &Capture::CleanupHook, this);
}

void Capture::CleanupHook(void* arg) { static_cast<Capture*>(arg)->Join(); }

Capture::~Capture() {
  napi_remove_env_cleanup_hook(Env(), &Capture::CleanupHook, this);
  Join();
  for (pcap_t* p : handles_)
    if (p) pcap_close(p);
}

void Capture::Join() {
  stop_ = true;
  pcap_t* c = current_.load();
  if (c) pcap_breakloop(c);
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Capture::ApplyFilter(Napi::Env env, pcap_t* p, const std::string& what) {
  if (opts_.filter.empty()) return true;
  struct bpf_program prog;
  if (pcap_compile(p, &prog, opts_.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    ThrowCode(env, "E_BAD_FILTER",
              "invalid capture filter '" + opts_.filter + "': " + pcap_geterr(p) + " (see man pcap-filter)");
    return false;
  }
  int rc = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (rc != 0) {
    ThrowCode(env, "E_BAD_FILTER", "cannot apply filter to " + what + ": " + pcap_geterr(p));
    return false;
  }
  return true;
}

bool Capture::OpenSources(Napi::Env env) {
  for (const std::string& path : opts_.files) {
    char err[PCAP_ERRBUF_SIZE] = {0};
    pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
    if (p == nullptr) {
      ThrowCode(env, OfflineErrorCode(err), path + ": " + err);
      return false;
    }
    handles_.push_back(p);
    // libpcap reads files through stdio, which refills 4 KiB at a time by default; a larger
    // buffer means ~250x fewer read() calls on a big capture.
    if (FILE* fp = pcap_file(p)) std::setvbuf(fp, nullptr, _IOFBF, limits::kFileReadBufferBytes);
    int dlt = pcap_datalink(p);
    if (!LinkTypeSupported(dlt)) {
      const char* name = pcap_datalink_val_to_name(dlt);
      ThrowCode(env, "E_UNSUPPORTED_LINKTYPE",
                path + ": link type " + std::to_string(dlt) + (name ? std::string(" (") + name + ")" : "") +
                    " is not supported (Ethernet, 802.1Q, Linux SLL/SLL2, raw IP and BSD loopback are)");
      return false;
    }
    dlts_.push_back(dlt);
    if (!ApplyFilter(env, p, path)) return false;
  }
  return true;
}

bool Capture::OpenLive(Napi::Env env) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_create(opts_.iface.c_str(), err);
  if (p == nullptr) {
    ThrowCode(env, "E_CAPTURE_OPEN", opts_.iface + ": " + err);
    return false;
  }
  handles_.push_back(p);
  pcap_set_snaplen(p, opts_.snaplen);
  pcap_set_promisc(p, opts_.promisc ? 1 : 0);
  pcap_set_timeout(p, limits::kPcapTimeoutMs);
  pcap_set_buffer_size(p, opts_.buffer_kib * 1024);
  pcap_set_immediate_mode(p, 0);  // TPACKET_V3 blocks batch packets for us
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
  int rc = pcap_activate(p);
  if (rc < 0) {
    std::string detail = pcap_geterr(p);
    switch (rc) {
      case PCAP_ERROR_NO_SUCH_DEVICE:
        ThrowCode(env, "E_NO_SUCH_INTERFACE",
                  "no interface named '" + opts_.iface + "' (deckscope -D lists the interfaces)");
        break;
      case PCAP_ERROR_PERM_DENIED:
        ThrowCode(env, "E_CAPTURE_PERMISSION",
                  "capturing on '" + opts_.iface +
                      "' needs CAP_NET_RAW (and CAP_NET_ADMIN for promiscuous mode and large buffers): run as "
                      "root, or see README 'Capture rights' (" + detail + ")");
        break;
      case PCAP_ERROR_IFACE_NOT_UP:
        ThrowCode(env, "E_INTERFACE_DOWN", "interface '" + opts_.iface + "' is down: ip link set " + opts_.iface + " up");
        break;
      default:
        ThrowCode(env, "E_CAPTURE_OPEN", "cannot capture on '" + opts_.iface + "': " + detail);
    }
    return false;
  }
  int dlt = pcap_datalink(p);
  if (!LinkTypeSupported(dlt)) {
    ThrowCode(env, "E_UNSUPPORTED_LINKTYPE", opts_.iface + ": link type " + std::to_string(dlt) + " is not supported");
    return false;
  }
  dlts_.push_back(dlt);
  return ApplyFilter(env, p, opts_.iface);
}

Napi::Value Capture::LinkTypes(const Napi::CallbackInfo& info) {
  Napi::Array a = Napi::Array::New(info.Env(), dlts_.size());
  for (size_t i = 0; i < dlts_.size(); ++i) a.Set(static_cast<uint32_t>(i), dlts_[i]);
  return a;
}

Napi::Value Capture::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (started_) {
    ThrowCode(env, "E_STATE", "capture already started");
    return env.Undefined();
  }
  if (info.Length() < 1 || !info[0].IsFunction()) {
    ThrowCode(env, "E_BAD_OPTION", "start(callback) needs a function");
    return env.Undefined();
  }
  started_ = true;
  tsfn_ = Tsfn::New(env, info[0].As<Napi::Function>(), "deckscope-capture", 0, 1, this);
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap_.running = true;
  }
  thread_ = std::thread([this] { Run(); });
  return env.Undefined();
}

Napi::Value Capture::Stop(const Napi::CallbackInfo& info) {
  stop_ = true;
  pcap_t* c = current_.load();
  if (c) pcap_breakloop(c);
  cv_.notify_all();
  return info.Env().Undefined();
}

Napi::Value Capture::Ack(const Napi::CallbackInfo& info) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (inflight_ > 0) --inflight_;
  }
  cv_.notify_all();
  return info.Env().Undefined();
}

void Capture::Post(Message* m) {
  if (tsfn_.BlockingCall(m) != napi_ok) {
    if (m->batch) writer_->Recycle(m->batch);
    delete m;
  }
}

void Capture::Deliver(Batch* b) {
  ++batches_;
  batch_bytes_ += b->used;
  if (opts_.mode != CaptureMode::kFull) {
    writer_->Recycle(b);
    return;
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!opts_.iface.empty()) {
      if (inflight_ >= opts_.max_inflight) {
        // JS is behind: the kernel ring must keep draining, so this batch is shed, and counted.
        ++batches_shed_;
        records_shed_ += b->records;
        packets_shed_ += b->packets;
        lock.unlock();
        writer_->Recycle(b);
        return;
      }
    } else {
      // Files lose nothing by waiting.
      cv_.wait(lock, [this] { return inflight_ < opts_.max_inflight || stop_.load(); });
    }
    ++inflight_;
  }
  Message* m = new Message();
  m->kind = Message::kBatch;
  m->batch = b;
  Post(m);
}

void Capture::ReadKernelStats() {
  if (opts_.iface.empty() || handles_.empty()) return;
  struct pcap_stat st;
  if (pcap_stats(handles_[0], &st) != 0) return;
  // 32-bit counters that wrap: accumulate deltas modulo 2^32.
  kern_recv_ += static_cast<uint32_t>(st.ps_recv - last_recv_);
  kern_drop_ += static_cast<uint32_t>(st.ps_drop - last_drop_);
  kern_ifdrop_ += static_cast<uint32_t>(st.ps_ifdrop - last_ifdrop_);
  last_recv_ = st.ps_recv;
  last_drop_ = st.ps_drop;
  last_ifdrop_ = st.ps_ifdrop;
}

void Capture::Publish() {
  ReadKernelStats();
  std::lock_guard<std::mutex> lock(mu_);
  if (engine_) {
    snap_.engine = engine_->counters();
    snap_.flows_open = engine_->flows_open();
    snap_.flows_closing = engine_->flows_closing();
    snap_.scan_sources = engine_->scan_sources();
    snap_.ssh_windows = engine_->ssh_windows();
    snap_.reassembly_in_use = engine_->reassembly_in_use();
    snap_.reassembly_peak = engine_->reassembly_peak();
    snap_.memory_bytes = engine_->memory_bytes();
  }
  snap_.batches = batches_;
  snap_.batch_bytes = batch_bytes_;
  snap_.batches_shed = batches_shed_;
  snap_.records_shed = records_shed_;
  snap_.packets_shed = packets_shed_;
  snap_.kernel_received = kern_recv_;
  snap_.kernel_dropped = kern_drop_;
  snap_.kernel_ifdropped = kern_ifdrop_;
  snap_.read_packets = read_packets_;
  snap_.read_bytes = read_bytes_;
  snap_.file_index = file_index_;
}

void Capture::RunSource(size_t index, pcap_t* p) {
  const int dlt = dlts_[index];
  const bool live = !opts_.iface.empty();
  const bool read_only = opts_.mode == CaptureMode::kReadOnly;
  int64_t last_flush = SteadyMillis();
  uint32_t n = 0;
  current_ = p;
  while (!stop_.load(std::memory_order_relaxed)) {
    struct pcap_pkthdr* h;
    const u_char* d;
    int rc = pcap_next_ex(p, &h, &d);
    bool tick = false;
    if (rc == 1) {
      if (read_only) {
        ++read_packets_;
        read_bytes_ += h->len;
      } else {
        int64_t ts = static_cast<int64_t>(h->ts.tv_sec) * 1000000 + h->ts.tv_usec;
        engine_->Packet(dlt, d, h->caplen, h->len, ts);
      }
      uint64_t total = read_only ? read_packets_ : engine_->counters().packets;
      if (opts_.count && total >= opts_.count) {
        stop_ = true;
        break;
      }
      tick = (++n & 63) == 0;  // a clock read every 64 packets costs < 1 ns per packet
    } else if (rc == 0) {
      tick = true;  // live read timeout: a quiet link still needs expiry and flushes
      if (engine_) engine_->Advance(WallMicros());
    } else if (rc == PCAP_ERROR_BREAK) {
      break;  // end of file, or pcap_breakloop
    } else {
      std::string text = pcap_geterr(p);
      Message* m = new Message();
      m->kind = Message::kWarning;
      m->code = text.find("truncated") != std::string::npos ? "E_TRUNCATED_PCAP" : "E_CAPTURE_ERROR";
      m->text = (live ? opts_.iface : opts_.files[index]) + ": " + text;
      Post(m);
      break;
    }
    if (tick) {
      int64_t now = SteadyMillis();
      if (live && !writer_->Empty() && now - last_flush >= limits::kBatchFlushMs) {
        writer_->Flush();
        last_flush = now;
      }
      // A snapshot every 64 packets (~1.5 ns per packet) keeps stats() current even when the
      // input stalls, e.g. a pipe on stdin.
      Publish();
    }
  }
  current_ = nullptr;
}

void Capture::Run() {
  for (size_t i = 0; i < handles_.size() && !stop_.load(); ++i) {
    file_index_ = static_cast<uint32_t>(i);
    RunSource(i, handles_[i]);
  }
  // Drain: end every flow and scan summary, then seal the final batch. This runs after a stop
  // too, so what was captured is never lost; a stop only ends the reading.
  bool was_stopped = stop_.exchange(false);
  if (engine_) engine_->Shutdown();
  else writer_->Flush(kBatchFinal);
  stop_ = was_stopped;
  Publish();
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap_.running = false;
  }
  Message* m = new Message();
  m->kind = Message::kEnd;
  Post(m);
  tsfn_.Release();
}

void Capture::CallJs(Napi::Env env, Napi::Function cb, Capture* self, Message* msg) {
  if (env == nullptr || cb.IsEmpty()) {
    if (msg->batch) self->writer_->Recycle(msg->batch);
    delete msg;
    return;
  }
  switch (msg->kind) {
    case Message::kBatch: {
      // Copy into a fresh, transferable ArrayBuffer; the native buffer goes straight back to the
      // pool (a 256 KiB copy costs ~25 us, far less than a per-packet crossing).
      Batch* b = msg->batch;
      Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, b->used);
      std::memcpy(ab.Data(), b->bytes.data(), b->used);
      self->writer_->Recycle(b);
      cb.Call({Napi::String::New(env, "batch"), ab});
      break;
    }
    case Message::kWarning:
      cb.Call({Napi::String::New(env, "warning"), Napi::String::New(env, msg->code),
               Napi::String::New(env, msg->text)});
      break;
    case Message::kEnd:
      if (self->thread_.joinable()) self->thread_.join();
      cb.Call({Napi::String::New(env, "end")});
      break;
  }
  delete msg;
}

Napi::Value Capture::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CaptureSnapshot s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = snap_;
  }
  auto num = [&](uint64_t v) { return Napi::Number::New(env, static_cast<double>(v)); };
  Napi::Object o = Napi::Object::New(env);
  const EngineCounters& c = s.engine;
  bool read_only = opts_.mode == CaptureMode::kReadOnly;
  o.Set("running", s.running);
  o.Set("fileIndex", num(s.file_index));
  o.Set("packets", num(read_only ? s.read_packets : c.packets));
  o.Set("wireBytes", num(read_only ? s.read_bytes : c.wire_bytes));
  o.Set("tcpPackets", num(c.tcp_packets));
  o.Set("udpPackets", num(c.udp_packets));
  o.Set("notIp", num(c.not_ip));
  o.Set("otherTransport", num(c.other_transport));
  o.Set("ipFragments", num(c.ip_fragments));
  Napi::Object mal = Napi::Object::New(env);
  uint64_t mal_total = 0;
  for (int i = 0; i < kMalformedKinds; ++i) {
    mal.Set(kMalformedNames[i], num(c.malformed[i]));
    mal_total += c.malformed[i];
  }
  o.Set("malformed", mal);
  o.Set("malformedTotal", num(mal_total));
  o.Set("flowsCreated", num(c.flows_created));
  o.Set("tcpFlows", num(c.tcp_flows));
  o.Set("udpFlows", num(c.udp_flows));
  o.Set("flowsOpen", num(s.flows_open));
  o.Set("flowsClosing", num(s.flows_closing));
  o.Set("flowsPeak", num(c.flows_peak));
  Napi::Object ended = Napi::Object::New(env);
  ended.Set("fin", num(c.flows_ended[kEndFin]));
  ended.Set("rst", num(c.flows_ended[kEndRst]));
  ended.Set("idle", num(c.flows_ended[kEndIdle]));
  ended.Set("evicted", num(c.flows_ended[kEndEvicted]));
  ended.Set("shutdown", num(c.flows_ended[kEndShutdown]));
  o.Set("flowsEnded", ended);
  o.Set("flowsTrivial", num(c.flows_trivial));
  o.Set("postClosePackets", num(c.post_close_packets));
  o.Set("portReuse", num(c.port_reuse));
  o.Set("retransmits", num(c.retransmits));
  o.Set("synRetransmits", num(c.syn_retransmits));
  o.Set("scanSources", num(s.scan_sources));
  o.Set("scanSummaries", num(c.scan_summaries));
  o.Set("scanSourcesEvicted", num(c.scan_sources_evicted));
  o.Set("synDeduplicated", num(c.syn_deduplicated));
  Napi::Object ssh = Napi::Object::New(env);
  ssh.Set("flows", num(c.ssh_flows));
  ssh.Set("untracked", num(c.ssh_untracked));
  ssh.Set("windowsInUse", num(s.ssh_windows));
  o.Set("ssh", ssh);
  Napi::Object rec = Napi::Object::New(env);
  rec.Set("syn", num(c.rec_syn));
  rec.Set("stream", num(c.rec_stream));
  rec.Set("datagram", num(c.rec_datagram));
  rec.Set("flowEnd", num(c.rec_flow_end));
  rec.Set("scanSummary", num(c.scan_summaries));
  rec.Set("synRepeat", num(c.rec_syn_repeat));
  rec.Set("sshWindow", num(c.rec_ssh_window));
  o.Set("records", rec);
  Napi::Object ra = Napi::Object::New(env);
  ra.Set("bytesInUse", num(s.reassembly_in_use));
  ra.Set("peakBytes", num(s.reassembly_peak));
  ra.Set("budgetExhausted", num(c.reassembly.budget_exhausted));
  ra.Set("holesOverflow", num(c.reassembly.holes_overflow));
  ra.Set("beforeBase", num(c.reassembly.before_base));
  ra.Set("beyondLimit", num(c.reassembly.beyond_limit));
  o.Set("reassembly", ra);
  o.Set("engineMemoryBytes", num(s.memory_bytes));
  o.Set("batches", num(s.batches));
  o.Set("batchBytes", num(s.batch_bytes));
  o.Set("batchesShed", num(s.batches_shed));
  o.Set("recordsShed", num(s.records_shed));
  o.Set("packetsShed", num(s.packets_shed));
  if (!opts_.iface.empty()) {
    Napi::Object k = Napi::Object::New(env);
    k.Set("received", num(s.kernel_received));
    k.Set("dropped", num(s.kernel_dropped));
    k.Set("ifDropped", num(s.kernel_ifdropped));
    o.Set("kernel", k);
  } else {
    o.Set("kernel", env.Null());
  }
  return o;
}

}  // namespace deckscope
