// The one batch layout handed from the capture thread to JavaScript (decoded once, in
// src/batch/format.ts). Bump kBatchVersion on any change; test/native/batch-roundtrip.test.ts
// fails when either side changes alone.
//
// A batch is one contiguous buffer in host byte order (little-endian on every supported target;
// the magic number catches a mismatch):
//
//   BatchHeader                       32 bytes
//   Record, Record, ...               each starts 8-byte aligned with a RecordHeader
//
// Every record starts with RecordHeader {type, flags, length}; `length` includes the header and
// trailing padding and is a multiple of 8, so a reader skips unknown types. Records that concern
// one flow carry a FlowRef (the canonical tuple: the client is the SYN sender, see DESIGN.md).
// Timestamps are microseconds since the Unix epoch, from the packet's capture time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "limits.h"

namespace deckscope {

constexpr uint32_t kBatchMagic = 0x31425344;  // "DSB1" read as little-endian bytes
constexpr uint16_t kBatchVersion = 6;

enum BatchFlags : uint32_t {
  kBatchFinal = 1u << 0,  // last batch of the capture: every flow has been flushed
};

struct BatchHeader {
  uint32_t magic;         // kBatchMagic
  uint16_t version;       // kBatchVersion
  uint16_t header_size;   // sizeof(BatchHeader)
  uint32_t record_count;
  uint32_t used_bytes;    // header + records
  uint32_t flags;         // BatchFlags
  uint32_t packets;       // packets read since the previous batch (for progress)
  uint64_t sequence;      // 0, 1, 2, ... per capture
};
static_assert(sizeof(BatchHeader) == 32, "BatchHeader layout");

enum RecordType : uint16_t {
  kRecSyn = 1,          // SynRecord: a client SYN or server SYN-ACK of a flow that carried data
  kRecStream = 2,       // StreamRecord + bytes: reassembled prefix of one direction of a TCP flow
  kRecFlowEnd = 3,      // FlowEndRecord: counters of a finished non-trivial flow
  kRecDatagram = 4,     // StreamRecord + bytes: the first UDP datagrams of one direction, each
                        // as a little-endian u16 length and its bytes (same emission rules as
                        // kRecStream, prev_len/len count these framed bytes)
  kRecScanSummary = 5,  // ScanSummaryRecord: trivial flows of one source, folded
  kRecSynRepeat = 6,    // SynRepeatRecord: SYNs identical to one already sent, folded
  kRecSshWindow = 7,    // SshWindowRecord: one JA4SSH window of an SSH flow
};

struct RecordHeader {
  uint16_t type;    // RecordType
  uint16_t flags;   // per type
  uint32_t length;  // bytes including this header and padding; multiple of 8
};
static_assert(sizeof(RecordHeader) == 8, "RecordHeader layout");

enum Transport : uint8_t { kTcp = 6, kUdp = 17 };

// The canonical tuple of a flow. IPv4 addresses use the first 4 bytes of the 16.
struct FlowRef {
  uint64_t flow_id;      // unique per capture, in order of flow creation
  uint8_t ip_version;    // 4 or 6
  uint8_t transport;     // Transport
  uint16_t client_port;
  uint16_t server_port;
  uint16_t vlan;         // outermost VLAN id, 0 if untagged
  uint8_t client_ip[16];
  uint8_t server_ip[16];
};
static_assert(sizeof(FlowRef) == 48, "FlowRef layout");

enum SynFlags : uint16_t {
  kSynIsSynAck = 1u << 0,        // server SYN-ACK (else client SYN)
  kSynScanRepresentative = 1u << 1,  // the first SYN of a scan summary (not a data flow)
};

// Raw material for every TCP/IP stack fingerprint (p0f v3, JA4T/JA4TS, options, quirks).
struct SynRecord {
  RecordHeader h;        // type kRecSyn
  FlowRef flow;
  int64_t ts_us;
  uint32_t seq;          // ISN
  uint32_t ack;
  uint32_t flow_label;   // IPv6 flow label, 0 for IPv4
  uint16_t window;       // raw, unscaled
  uint16_t ip_id;        // IPv4 identification, 0 for IPv6
  uint16_t ip_total_len; // IPv4 total length / IPv6 payload length + 40
  uint16_t urg_ptr;
  uint16_t payload_len;  // TCP payload bytes on the SYN itself
  uint16_t tcp_flags;    // low 9 bits: NS CWR ECE URG ACK PSH RST SYN FIN (NS = bit 8)
  uint8_t ttl;           // IPv4 TTL / IPv6 hop limit
  uint8_t tos;           // IPv4 TOS / IPv6 traffic class (DSCP << 2 | ECN)
  uint8_t ip_flags;      // IPv4 flags bits: 0x4 reserved, 0x2 DF, 0x1 MF (IPv6: 0)
  uint8_t ip_opts_len;   // IPv4 options bytes (IHL*4 - 20); IPv6 extension header bytes
  uint8_t tcp_reserved;  // the 3 reserved bits of the TCP header (data-offset byte & 0x0e) >> 1
  uint8_t options_len;   // bytes of TCP options present (0..40)
  uint8_t syn_count;     // SYNs (or SYN-ACKs) seen for this flow direction, retransmits included
  uint8_t pad0;
  uint8_t options[40];   // raw TCP option bytes in wire order
};
static_assert(sizeof(SynRecord) == 136, "SynRecord layout");

enum StreamFlags : uint16_t {
  kStreamServerToClient = 1u << 0,  // direction: set = server -> client
  kStreamFinal = 1u << 1,           // no further record for this direction
  kStreamTruncated = 1u << 2,       // the stream limit was reached; later bytes are not kept
  kStreamGap = 1u << 3,             // bytes beyond a hole were seen but are not included
  kStreamSynSeen = 1u << 4,         // offsets are relative to ISN+1 (else to the first segment)
  kStreamFlowEnd = 1u << 5,         // sent because the flow ended
};

// Header of a stream or datagram record; `len` data bytes follow, then `peer_len` bytes of the
// other direction's prefix (only on server->client records: the client bytes already sent, so a
// tls_session can carry the ClientHello's fields without state across batches), then padding.
struct StreamRecord {
  RecordHeader h;       // type kRecStream or kRecDatagram; flags = StreamFlags
  FlowRef flow;
  int64_t ts_first_us;  // capture time of the packet holding the first byte
  int64_t ts_last_us;   // capture time of the packet that completed what is sent
  uint32_t prev_len;    // bytes of this direction already sent in earlier records
  uint32_t len;         // bytes that follow: the prefix from stream offset 0
  uint16_t emit_index;  // 0, 1, ... per direction (datagrams: index of the datagram)
  uint8_t ttl;          // IP TTL / hop limit of the sender's first data packet
  uint8_t pad0;
  uint32_t peer_len;    // bytes of the client's prefix after the data (server->client only)
};
static_assert(sizeof(StreamRecord) == 88, "StreamRecord layout");

enum EndReason : uint8_t {
  kEndFin = 1,       // both sides sent FIN
  kEndRst = 2,       // a RST was seen
  kEndIdle = 3,      // no packet for the idle timeout
  kEndEvicted = 4,   // pushed out of a full flow table
  kEndShutdown = 5,  // capture stopped or input ended
};

enum FlowEndFlags : uint16_t {
  kFlowSynSeen = 1u << 0,
  kFlowSynAckSeen = 1u << 1,
  kFlowHandshakeDone = 1u << 2,  // client ACK of the SYN-ACK seen
  kFlowClientFin = 1u << 3,
  kFlowServerFin = 1u << 4,
  kFlowClientRst = 1u << 5,
  kFlowServerRst = 1u << 6,
  kFlowMidstream = 1u << 7,  // first packet seen was not a SYN; direction from the port rule
};

struct FlowEndRecord {
  RecordHeader h;                 // type kRecFlowEnd; flags = FlowEndFlags
  FlowRef flow;
  int64_t ts_first_us;
  int64_t ts_last_us;
  uint64_t bytes[2];              // TCP/UDP payload bytes [client->server, server->client]
  uint32_t packets[2];
  uint32_t retransmits[2];        // data segments entirely below the highest sequence seen
  uint32_t syn_retransmits;       // repeated SYNs from the client
  uint32_t out_of_order;          // data segments that arrived ahead of a hole
  double iat_min_us;              // gaps between consecutive packets, both directions
  double iat_max_us;
  double iat_sum_us;              // mean = iat_sum_us / (packets[0] + packets[1] - 1)
  double syn_to_synack_us;        // -1 when not measured (A->B in JA4L terms)
  double synack_to_ack_us;        // -1 when not measured (B->C)
  double data_to_reply_us;        // first client data -> first server data after it (D->E), -1
  double reply_to_data_us;        // that server data -> the next client data (E->F), -1
  uint8_t end_reason;             // EndReason
  uint8_t client_ttl;             // TTL of the client's first packet
  uint8_t server_ttl;
  uint8_t pad0;
  uint32_t pad1;
};
static_assert(sizeof(FlowEndRecord) == 176, "FlowEndRecord layout");

// SYNs (or SYN-ACKs) whose stack fingerprint equals one already sent for the same sender within
// the dedup window: they are counted here instead of being sent one by one.
struct SynRepeatRecord {
  RecordHeader h;       // type kRecSynRepeat; flags = SynFlags (kSynIsSynAck for the server side)
  FlowRef flow;         // the flow whose SYN was sent (the first of the window)
  int64_t ts_first_us;  // that SYN's capture time
  int64_t ts_last_us;   // the last folded SYN's capture time
  uint32_t repeats;     // SYNs folded in the window (not counting the one sent)
  uint32_t window_s;    // the dedup window
  // Samples of the window's SYNs for the sender's IP ID / ISN / TCP clock behaviour: the sent SYN
  // first, then the following ones in capture order; once full, the last slot holds the latest.
  int64_t sample_ts_us[limits::kSynBehaviourSamples];
  uint32_t sample_isn[limits::kSynBehaviourSamples];
  uint32_t sample_tsval[limits::kSynBehaviourSamples];  // valid where sample_has_ts is 1
  uint16_t sample_ip_id[limits::kSynBehaviourSamples];
  uint8_t sample_has_ts[limits::kSynBehaviourSamples];
  uint8_t samples;      // slots used
  uint8_t pad0[7];
};
static_assert(sizeof(SynRepeatRecord) == 240, "SynRepeatRecord layout");

enum SshWindowFlags : uint16_t {
  kSshWindowFinal = 1u << 0,  // sent because the flow ended: the last window, shorter than 200
};

// The raw material of one JA4SSH window (docs/fingerprints.md §6) of a TCP flow whose first
// payload bytes in either direction were "SSH-". A window closes at limits::kSshWindowPackets SSH
// packets (segments with new payload, both directions together; retransmissions and keep-alive
// probes are not counted); the last, shorter one is sent when the flow ends, before its
// FlowEndRecord, unless it holds no SSH packet. Window 0 also counts the bare ACKs sent before the
// SSH mark (the handshake's last ACK), as FoxIO's reference implementation does.
struct SshWindowRecord {
  RecordHeader h;           // type kRecSshWindow; flags = SshWindowFlags
  FlowRef flow;
  int64_t ts_first_us;      // the window's first packet (window 0: the flow's first packet)
  int64_t ts_last_us;       // the window's last packet
  uint32_t window_index;    // 0, 1, ... per flow
  uint16_t mode_client;     // most frequent TCP payload length of the client's SSH packets,
  uint16_t mode_server;     //   ties to the smaller length, 0 without any (saturates at 65535)
  uint16_t packets_client;  // SSH packets per direction
  uint16_t packets_server;
  uint32_t acks_client;     // bare ACKs (TCP flags exactly ACK, no payload) per direction
  uint32_t acks_server;
  uint32_t pad0;
};
static_assert(sizeof(SshWindowRecord) == 96, "SshWindowRecord layout");

struct ScanSummaryRecord {
  RecordHeader h;                 // type kRecScanSummary
  uint8_t ip_version;
  uint8_t end_reason;             // kEndIdle, kEndEvicted, kEndShutdown, or 0 = window rollover
  uint16_t sample_port_count;     // valid entries in sample_ports
  uint32_t pad0;
  uint8_t src_ip[16];
  int64_t ts_first_us;
  int64_t ts_last_us;
  uint32_t flows;                 // trivial flows folded in
  uint32_t syn_packets;           // SYNs sent by the source, retransmits included
  uint32_t synack_replies;        // flows the honeypot answered with SYN-ACK (port open)
  uint32_t rst_replies;           // flows the honeypot answered with RST (port closed)
  uint32_t no_reply;              // flows with no answer
  uint32_t distinct_ports_est;    // estimated distinct destination ports (linear counting)
  uint32_t distinct_hosts_est;    // estimated distinct destination addresses
  uint32_t pad1;
  uint16_t sample_ports[16];      // first distinct destination ports, in order seen
};
static_assert(sizeof(ScanSummaryRecord) == 112, "ScanSummaryRecord layout");

}  // namespace deckscope
