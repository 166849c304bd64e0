// Module entry: exports only. Logic lives in capture.cc (thread, pcap), flow_table.cc (flows),
// decode.cc (headers), reassembly.cc (streams) and batch.cc (records).
#include <napi.h>
#include <pcap/pcap.h>

#include <cstddef>
#include <cstring>

#include "batch_format.h"
#include "capture.h"

namespace deckscope {
namespace {

// One field of a batch struct: the single C++-side description, built with offsetof so it
// follows the structs. Exported by layout() and used by encodeTestRecords() for the round-trip
// test against src/batch/format.ts.
struct Field {
  const char* name;
  uint32_t offset;
  char kind;  // 'u' unsigned int, 'i' signed int, 'f' double, 'b' bytes
  uint32_t size;
};
struct StructDesc {
  const char* name;
  uint32_t size;
  std::vector<Field> fields;
};

#define F(S, m, k) Field{#m, static_cast<uint32_t>(offsetof(S, m)), k, static_cast<uint32_t>(sizeof(S::m))}
#define FR(S, m, sub, k) \
  Field{#m "." #sub, static_cast<uint32_t>(offsetof(S, m) + offsetof(FlowRef, sub)), k, static_cast<uint32_t>(sizeof(FlowRef::sub))}
#define FLOWREF(S) FR(S, flow, flow_id, 'u'), FR(S, flow, ip_version, 'u'), FR(S, flow, transport, 'u'), \
    FR(S, flow, client_port, 'u'), FR(S, flow, server_port, 'u'), FR(S, flow, vlan, 'u'),             \
    FR(S, flow, client_ip, 'b'), FR(S, flow, server_ip, 'b')

const std::vector<StructDesc>& Structs() {
  static const std::vector<StructDesc> structs = {
      {"BatchHeader", sizeof(BatchHeader),
       {F(BatchHeader, magic, 'u'), F(BatchHeader, version, 'u'), F(BatchHeader, header_size, 'u'),
        F(BatchHeader, record_count, 'u'), F(BatchHeader, used_bytes, 'u'), F(BatchHeader, flags, 'u'),
        F(BatchHeader, packets, 'u'), F(BatchHeader, sequence, 'u')}},
      {"SynRecord", sizeof(SynRecord),
       {FLOWREF(SynRecord), F(SynRecord, ts_us, 'i'), F(SynRecord, seq, 'u'), F(SynRecord, ack, 'u'),
        F(SynRecord, flow_label, 'u'), F(SynRecord, window, 'u'), F(SynRecord, ip_id, 'u'),
        F(SynRecord, ip_total_len, 'u'), F(SynRecord, urg_ptr, 'u'), F(SynRecord, payload_len, 'u'),
        F(SynRecord, tcp_flags, 'u'), F(SynRecord, ttl, 'u'), F(SynRecord, tos, 'u'), F(SynRecord, ip_flags, 'u'),
        F(SynRecord, ip_opts_len, 'u'), F(SynRecord, tcp_reserved, 'u'), F(SynRecord, options_len, 'u'),
        F(SynRecord, syn_count, 'u'), F(SynRecord, options, 'b')}},
      {"StreamRecord", sizeof(StreamRecord),
       {FLOWREF(StreamRecord), F(StreamRecord, ts_first_us, 'i'), F(StreamRecord, ts_last_us, 'i'),
        F(StreamRecord, prev_len, 'u'), F(StreamRecord, len, 'u'), F(StreamRecord, emit_index, 'u'),
        F(StreamRecord, ttl, 'u'), F(StreamRecord, peer_len, 'u')}},
      {"FlowEndRecord", sizeof(FlowEndRecord),
       {FLOWREF(FlowEndRecord), F(FlowEndRecord, ts_first_us, 'i'), F(FlowEndRecord, ts_last_us, 'i'),
        Field{"bytes.0", static_cast<uint32_t>(offsetof(FlowEndRecord, bytes)), 'u', 8},
        Field{"bytes.1", static_cast<uint32_t>(offsetof(FlowEndRecord, bytes) + 8), 'u', 8},
        Field{"packets.0", static_cast<uint32_t>(offsetof(FlowEndRecord, packets)), 'u', 4},
        Field{"packets.1", static_cast<uint32_t>(offsetof(FlowEndRecord, packets) + 4), 'u', 4},
        Field{"retransmits.0", static_cast<uint32_t>(offsetof(FlowEndRecord, retransmits)), 'u', 4},
        Field{"retransmits.1", static_cast<uint32_t>(offsetof(FlowEndRecord, retransmits) + 4), 'u', 4},
        F(FlowEndRecord, syn_retransmits, 'u'), F(FlowEndRecord, out_of_order, 'u'),
        F(FlowEndRecord, iat_min_us, 'f'), F(FlowEndRecord, iat_max_us, 'f'), F(FlowEndRecord, iat_sum_us, 'f'),
        F(FlowEndRecord, syn_to_synack_us, 'f'), F(FlowEndRecord, synack_to_ack_us, 'f'),
        F(FlowEndRecord, data_to_reply_us, 'f'), F(FlowEndRecord, reply_to_data_us, 'f'),
        F(FlowEndRecord, end_reason, 'u'), F(FlowEndRecord, client_ttl, 'u'), F(FlowEndRecord, server_ttl, 'u')}},
      {"SynRepeatRecord", sizeof(SynRepeatRecord),
       {FLOWREF(SynRepeatRecord), F(SynRepeatRecord, ts_first_us, 'i'), F(SynRepeatRecord, ts_last_us, 'i'),
        F(SynRepeatRecord, repeats, 'u'), F(SynRepeatRecord, window_s, 'u'), F(SynRepeatRecord, sample_ts_us, 'b'),
        F(SynRepeatRecord, sample_isn, 'b'), F(SynRepeatRecord, sample_tsval, 'b'),
        F(SynRepeatRecord, sample_ip_id, 'b'), F(SynRepeatRecord, sample_has_ts, 'b'),
        F(SynRepeatRecord, samples, 'u')}},
      {"ScanSummaryRecord", sizeof(ScanSummaryRecord),
       {F(ScanSummaryRecord, ip_version, 'u'), F(ScanSummaryRecord, end_reason, 'u'),
        F(ScanSummaryRecord, sample_port_count, 'u'), F(ScanSummaryRecord, src_ip, 'b'),
        F(ScanSummaryRecord, ts_first_us, 'i'), F(ScanSummaryRecord, ts_last_us, 'i'),
        F(ScanSummaryRecord, flows, 'u'), F(ScanSummaryRecord, syn_packets, 'u'),
        F(ScanSummaryRecord, synack_replies, 'u'), F(ScanSummaryRecord, rst_replies, 'u'),
        F(ScanSummaryRecord, no_reply, 'u'), F(ScanSummaryRecord, distinct_ports_est, 'u'),
        F(ScanSummaryRecord, distinct_hosts_est, 'u'), F(ScanSummaryRecord, sample_ports, 'b')}},
      {"SshWindowRecord", sizeof(SshWindowRecord),
       {FLOWREF(SshWindowRecord), F(SshWindowRecord, ts_first_us, 'i'), F(SshWindowRecord, ts_last_us, 'i'),
        F(SshWindowRecord, window_index, 'u'), F(SshWindowRecord, mode_client, 'u'),
        F(SshWindowRecord, mode_server, 'u'), F(SshWindowRecord, packets_client, 'u'),
        F(SshWindowRecord, packets_server, 'u'), F(SshWindowRecord, acks_client, 'u'),
        F(SshWindowRecord, acks_server, 'u')}},
  };
  return structs;
}
#undef F
#undef FR
#undef FLOWREF

Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("magic", kBatchMagic);
  out.Set("version", kBatchVersion);
  out.Set("recordHeaderSize", static_cast<uint32_t>(sizeof(RecordHeader)));
  Napi::Object types = Napi::Object::New(env);
  types.Set("syn", static_cast<uint32_t>(kRecSyn));
  types.Set("stream", static_cast<uint32_t>(kRecStream));
  types.Set("flowEnd", static_cast<uint32_t>(kRecFlowEnd));
  types.Set("datagram", static_cast<uint32_t>(kRecDatagram));
  types.Set("scanSummary", static_cast<uint32_t>(kRecScanSummary));
  types.Set("synRepeat", static_cast<uint32_t>(kRecSynRepeat));
  types.Set("sshWindow", static_cast<uint32_t>(kRecSshWindow));
  out.Set("recordTypes", types);
  for (const StructDesc& s : Structs()) {
    Napi::Object so = Napi::Object::New(env);
    so.Set("size", s.size);
    Napi::Object fo = Napi::Object::New(env);
    for (const Field& f : s.fields) {
      Napi::Object d = Napi::Object::New(env);
      d.Set("offset", f.offset);
      d.Set("size", f.size);
      d.Set("kind", std::string(1, f.kind));
      fo.Set(f.name, d);
    }
    so.Set("fields", fo);
    out.Set(s.name, so);
  }
  return out;
}

// Writes test records, described as {struct, flags, fields: {name: value}, data?}, through the
// real BatchWriter and returns the sealed batch. Used only by the round-trip test.
Napi::Value EncodeTestRecords(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "encodeTestRecords(records[])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array recs = info[0].As<Napi::Array>();
  std::vector<uint8_t> result;
  BatchWriter writer(1 << 20, [&](Batch* b) {
    result.assign(b->bytes.begin(), b->bytes.begin() + b->used);
    delete b;
  });
  static const std::pair<const char*, uint16_t> kTypes[] = {{"SynRecord", kRecSyn},
                                                            {"StreamRecord", kRecStream},
                                                            {"FlowEndRecord", kRecFlowEnd},
                                                            {"SynRepeatRecord", kRecSynRepeat},
                                                            {"ScanSummaryRecord", kRecScanSummary},
                                                            {"SshWindowRecord", kRecSshWindow}};
  for (uint32_t i = 0; i < recs.Length(); ++i) {
    Napi::Object r = recs.Get(i).As<Napi::Object>();
    std::string sname = r.Get("struct").As<Napi::String>().Utf8Value();
    const StructDesc* desc = nullptr;
    for (const StructDesc& s : Structs())
      if (sname == s.name) desc = &s;
    uint16_t type = 0;
    for (const auto& t : kTypes)
      if (sname == t.first) type = t.second;
    if (desc == nullptr || type == 0) {
      Napi::TypeError::New(env, "unknown struct " + sname).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (sname == "StreamRecord" && r.Get("datagram").ToBoolean().Value()) type = kRecDatagram;
    Napi::Value data = r.Get("data");
    uint32_t extra = data.IsTypedArray() ? static_cast<uint32_t>(data.As<Napi::Uint8Array>().ByteLength()) : 0;
    uint16_t flags = static_cast<uint16_t>(r.Get("flags").ToNumber().Uint32Value());
    uint8_t* p = writer.Reserve(type, flags, desc->size + extra);
    Napi::Object fields = r.Get("fields").As<Napi::Object>();
    for (const Field& f : desc->fields) {
      Napi::Value v = fields.Get(f.name);
      if (v.IsUndefined()) continue;
      uint8_t* dst = p + f.offset;
      if (f.kind == 'b') {
        Napi::Uint8Array b = v.As<Napi::Uint8Array>();
        std::memcpy(dst, b.Data(), b.ByteLength() < f.size ? b.ByteLength() : f.size);
      } else if (f.kind == 'f') {
        double d = v.ToNumber().DoubleValue();
        std::memcpy(dst, &d, 8);
      } else {
        int64_t n = v.IsBigInt() ? v.As<Napi::BigInt>().Int64Value(nullptr) : v.ToNumber().Int64Value();
        std::memcpy(dst, &n, f.size);  // little-endian: the low bytes
      }
    }
    if (extra) std::memcpy(p + desc->size, data.As<Napi::Uint8Array>().Data(), extra);
  }
  writer.Flush(kBatchFinal);
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, result.size());
  std::memcpy(ab.Data(), result.data(), result.size());
  return ab;
}

Napi::Value LibVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pcap_lib_version());
}

Napi::Value ListInterfaces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pcap_if_t* all = nullptr;
  char err[PCAP_ERRBUF_SIZE] = {0};
  if (pcap_findalldevs(&all, err) != 0) {
    Napi::Error e = Napi::Error::New(env, std::string("cannot list interfaces: ") + err);
    e.Set("code", Napi::String::New(env, "E_CAPTURE_OPEN"));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (pcap_if_t* d = all; d; d = d->next) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", d->name);
    o.Set("description", d->description ? Napi::Value(Napi::String::New(env, d->description)) : env.Null());
    o.Set("up", (d->flags & PCAP_IF_UP) != 0);
    o.Set("running", (d->flags & PCAP_IF_RUNNING) != 0);
    o.Set("loopback", (d->flags & PCAP_IF_LOOPBACK) != 0);
    out.Set(i++, o);
  }
  pcap_freealldevs(all);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Capture", Capture::Define(env));
  exports.Set("libVersion", Napi::Function::New(env, LibVersion));
  exports.Set("listInterfaces", Napi::Function::New(env, ListInterfaces));
  exports.Set("layout", Napi::Function::New(env, Layout));
  exports.Set("encodeTestRecords", Napi::Function::New(env, EncodeTestRecords));
  return exports;
}

}  // namespace
}  // namespace deckscope

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return deckscope::Init(env, exports); }

NODE_API_MODULE(deckscope, InitModule)
