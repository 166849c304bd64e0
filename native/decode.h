// Decoding of one captured frame into a PacketView: link layer -> IPv4/IPv6 -> TCP/UDP.
// Pure and allocation-free; every read is checked against the captured length. Malformed frames
// are classified by DecodeResult so the caller can count them by reason.
#pragma once

#include <cstddef>
#include <cstdint>

namespace deckscope {

// Link types we decode (libpcap DLT_* values as pcap_datalink() reports them).
enum LinkType : int {
  kLinkNull = 0,        // BSD loopback, host-order 4-byte family
  kLinkEthernet = 1,
  kLinkRawLinux = 12,   // DLT_RAW on Linux (LINKTYPE_RAW 101 in files)
  kLinkRawBsd = 14,     // DLT_RAW on OpenBSD
  kLinkLoop = 108,      // OpenBSD loopback, network-order family
  kLinkRaw = 101,       // LINKTYPE_RAW, should libpcap hand it through unmapped
  kLinkSll = 113,       // Linux cooked v1
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkSll2 = 276,      // Linux cooked v2
};

// Whether we can decode frames of this DLT.
bool LinkTypeSupported(int dlt);

enum class DecodeResult : uint8_t {
  kOk = 0,
  kNotIp,              // ARP, LLDP, ... (not an error)
  kOtherTransport,     // ICMP, SCTP, ESP, ... (not an error)
  kFragment,           // IP fragment: counted and skipped (no IP reassembly)
  // malformed, by reason (keep in step with kMalformedNames)
  kTruncatedLink,
  kTruncatedIp,
  kBadIpVersion,
  kBadIpHeaderLen,
  kBadIpTotalLen,
  kBadIpv6ExtChain,
  kTruncatedTcp,
  kBadTcpOffset,
  kTruncatedUdp,
  kBadUdpLen,
  kCount
};
constexpr int kFirstMalformed = static_cast<int>(DecodeResult::kTruncatedLink);
constexpr int kMalformedKinds = static_cast<int>(DecodeResult::kCount) - kFirstMalformed;
extern const char* const kMalformedNames[kMalformedKinds];

// Header fields of one decoded packet. Pointers point into the captured frame.
struct PacketView {
  uint8_t ip_version;     // 4 or 6
  uint8_t transport;      // 6 TCP, 17 UDP
  uint8_t ttl;
  uint8_t tos;
  uint8_t ip_flags;       // IPv4 flag bits (reserved/DF/MF)
  uint8_t ip_opts_len;    // IPv4 options / IPv6 extension header bytes
  uint16_t ip_id;
  uint16_t ip_total_len;
  uint16_t vlan;          // outermost VLAN id or 0
  uint32_t flow_label;
  const uint8_t* src_ip;  // 4 or 16 bytes
  const uint8_t* dst_ip;
  uint16_t src_port;
  uint16_t dst_port;
  // TCP only
  uint32_t seq;
  uint32_t ack;
  uint16_t tcp_flags;     // 9 bits, NS = 0x100
  uint16_t window;
  uint16_t urg_ptr;
  uint8_t tcp_reserved;
  uint8_t tcp_opts_len;
  const uint8_t* tcp_opts;
  // Payload: `payload_len` is what the IP header says the segment carries (Ethernet padding
  // excluded); `payload_caplen` is how much of it was captured (less under a small snaplen).
  const uint8_t* payload;
  uint32_t payload_len;
  uint32_t payload_caplen;
  // Set by the caller: the frame was cut by the snaplen (caplen < wire length). Only then may an
  // IP length exceed the captured bytes; otherwise the length lies and the packet is malformed.
  bool snapped;
};

// TCP flag bits as in the header (NS is bit 8).
enum TcpFlag : uint16_t {
  kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20,
  kEce = 0x40, kCwr = 0x80, kNs = 0x100,
};

// Decodes one frame of link type `dlt`.
DecodeResult DecodePacket(int dlt, const uint8_t* data, uint32_t caplen, PacketView* out);

}  // namespace deckscope
