#include "decode.h"

#include <cstring>

#include "limits.h"

namespace deckscope {

const char* const kMalformedNames[kMalformedKinds] = {
    "truncated_link", "truncated_ip",      "bad_ip_version", "bad_ip_header_len", "bad_ip_total_len",
    "bad_ipv6_ext_chain", "truncated_tcp", "bad_tcp_offset", "truncated_udp",     "bad_udp_len",
};

namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint16_t kEthVlan = 0x8100;
constexpr uint16_t kEthQinQ = 0x88a8;
constexpr uint16_t kEthQinQOld = 0x9100;
constexpr uint16_t kEthPppoeSession = 0x8864;
constexpr uint16_t kPppIpv4 = 0x0021;
constexpr uint16_t kPppIpv6 = 0x0057;

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

DecodeResult DecodeTransport(uint8_t proto, const uint8_t* p, uint32_t avail, uint32_t seg_len,
                             PacketView* v) {
  // `avail` = captured bytes of the segment, `seg_len` = length per the IP header.
  if (proto == 6) {
    if (seg_len < 20) return DecodeResult::kTruncatedTcp;
    if (avail < 20) return DecodeResult::kTruncatedTcp;
    uint32_t off = (p[12] >> 4) * 4u;
    if (off < 20 || off > seg_len) return DecodeResult::kBadTcpOffset;
    if (off > avail) return DecodeResult::kTruncatedTcp;
    v->transport = 6;
    v->src_port = Be16(p);
    v->dst_port = Be16(p + 2);
    v->seq = Be32(p + 4);
    v->ack = Be32(p + 8);
    v->tcp_reserved = static_cast<uint8_t>((p[12] & 0x0e) >> 1);
    v->tcp_flags = static_cast<uint16_t>(((p[12] & 0x01) << 8) | p[13]);
    v->window = Be16(p + 14);
    v->urg_ptr = Be16(p + 18);
    v->tcp_opts_len = static_cast<uint8_t>(off - 20);
    v->tcp_opts = p + 20;
    v->payload = p + off;
    v->payload_len = seg_len - off;
    v->payload_caplen = avail - off < v->payload_len ? avail - off : v->payload_len;
    return DecodeResult::kOk;
  }
  if (proto == 17) {
    if (seg_len < 8 || avail < 8) return DecodeResult::kTruncatedUdp;
    uint32_t ulen = Be16(p + 4);
    if (ulen < 8 || ulen > seg_len) return DecodeResult::kBadUdpLen;
    v->transport = 17;
    v->src_port = Be16(p);
    v->dst_port = Be16(p + 2);
    v->tcp_flags = 0;
    v->tcp_opts_len = 0;
    v->tcp_opts = nullptr;
    v->payload = p + 8;
    v->payload_len = ulen - 8;
    uint32_t cap = avail - 8;
    v->payload_caplen = cap < v->payload_len ? cap : v->payload_len;
    return DecodeResult::kOk;
  }
  return DecodeResult::kOtherTransport;
}

DecodeResult DecodeIpv4(const uint8_t* p, uint32_t len, PacketView* v) {
  if (len < 20) return DecodeResult::kTruncatedIp;
  if ((p[0] >> 4) != 4) return DecodeResult::kBadIpVersion;
  uint32_t ihl = (p[0] & 0x0f) * 4u;
  if (ihl < 20) return DecodeResult::kBadIpHeaderLen;
  if (ihl > len) return DecodeResult::kTruncatedIp;
  uint32_t total = Be16(p + 2);
  // A total length below the header is malformed. TSO-captured frames report 0; treat 0 as
  // "use what was captured" like Wireshark does.
  if (total == 0) total = len;
  if (total < ihl) return DecodeResult::kBadIpTotalLen;
  if (total > len && !v->snapped) return DecodeResult::kBadIpTotalLen;
  v->ip_version = 4;
  v->tos = p[1];
  v->ip_total_len = static_cast<uint16_t>(total);
  v->ip_id = Be16(p + 4);
  uint16_t frag = Be16(p + 6);
  v->ip_flags = static_cast<uint8_t>(frag >> 13);
  v->ttl = p[8];
  v->ip_opts_len = static_cast<uint8_t>(ihl - 20);
  v->flow_label = 0;
  v->src_ip = p + 12;
  v->dst_ip = p + 16;
  if ((frag & 0x2000) || (frag & 0x1fff)) return DecodeResult::kFragment;
  // Captured bytes of the IP datagram: the frame may be longer (Ethernet padding) or shorter
  // (snaplen). Payload lengths come from the header, never from the frame.
  uint32_t avail = (len < total ? len : total) - ihl;
  return DecodeTransport(p[9], p + ihl, avail, total - ihl, v);
}

DecodeResult DecodeIpv6(const uint8_t* p, uint32_t len, PacketView* v) {
  if (len < 40) return DecodeResult::kTruncatedIp;
  if ((p[0] >> 4) != 6) return DecodeResult::kBadIpVersion;
  uint32_t plen = Be16(p + 4);
  if (plen == 0) return DecodeResult::kBadIpTotalLen;  // jumbogram or lying length
  v->ip_version = 6;
  v->tos = static_cast<uint8_t>(((p[0] & 0x0f) << 4) | (p[1] >> 4));
  v->flow_label = (static_cast<uint32_t>(p[1] & 0x0f) << 16) | Be16(p + 2);
  v->ttl = p[7];
  v->ip_id = 0;
  v->ip_flags = 0;
  v->ip_total_len = static_cast<uint16_t>(plen + 40 > 0xffff ? 0xffff : plen + 40);
  v->src_ip = p + 8;
  v->dst_ip = p + 24;
  uint8_t next = p[6];
  uint32_t off = 40;
  uint32_t end = 40 + plen;  // per header
  if (end > len && !v->snapped) return DecodeResult::kBadIpTotalLen;
  uint32_t cap_end = len < end ? len : end;
  for (int i = 0;; ++i) {
    switch (next) {
      case 0:    // hop-by-hop
      case 43:   // routing
      case 60:   // destination options
      case 135:  // mobility
      case 51: { // authentication header: length in 4-byte units minus 2
        if (i >= limits::kMaxIpv6ExtHeaders) return DecodeResult::kBadIpv6ExtChain;
        if (off + 2 > cap_end) return DecodeResult::kTruncatedIp;
        uint32_t hlen = next == 51 ? (p[off + 1] + 2u) * 4u : (p[off + 1] + 1u) * 8u;
        if (off + hlen > end) return DecodeResult::kBadIpv6ExtChain;
        next = p[off];
        off += hlen;
        continue;
      }
      case 44: {  // fragment header
        if (i >= limits::kMaxIpv6ExtHeaders) return DecodeResult::kBadIpv6ExtChain;
        if (off + 8 > cap_end) return DecodeResult::kTruncatedIp;
        uint16_t fo = Be16(p + off + 2);
        next = p[off];
        off += 8;
        if ((fo & 0xfff8) != 0 || (fo & 1) != 0) {
          v->ip_opts_len = static_cast<uint8_t>(off - 40 > 255 ? 255 : off - 40);
          return DecodeResult::kFragment;
        }
        continue;  // atomic fragment: the whole datagram is here
      }
      default:
        break;
    }
    break;
  }
  v->ip_opts_len = static_cast<uint8_t>(off - 40 > 255 ? 255 : off - 40);
  if (off > cap_end) return DecodeResult::kTruncatedIp;
  return DecodeTransport(next, p + off, cap_end - off, end - off, v);
}

DecodeResult DecodeByEthertype(uint16_t type, const uint8_t* p, uint32_t len, PacketView* v) {
  if (type == kEthIpv4) return DecodeIpv4(p, len, v);
  if (type == kEthIpv6) return DecodeIpv6(p, len, v);
  if (type == kEthPppoeSession) {
    // RFC 2516 session stage: 6-byte PPPoE header, then the 2-byte PPP protocol field.
    if (len < 8) return DecodeResult::kTruncatedLink;
    uint16_t proto = Be16(p + 6);
    if (proto == kPppIpv4) return DecodeIpv4(p + 8, len - 8, v);
    if (proto == kPppIpv6) return DecodeIpv6(p + 8, len - 8, v);
    return DecodeResult::kNotIp;
  }
  return DecodeResult::kNotIp;
}

DecodeResult DecodeByVersionNibble(const uint8_t* p, uint32_t len, PacketView* v) {
  if (len < 1) return DecodeResult::kTruncatedIp;
  switch (p[0] >> 4) {
    case 4: return DecodeIpv4(p, len, v);
    case 6: return DecodeIpv6(p, len, v);
    default: return DecodeResult::kBadIpVersion;
  }
}

DecodeResult DecodeBsdFamily(uint32_t family, const uint8_t* p, uint32_t len, PacketView* v) {
  if (family == 2) return DecodeIpv4(p, len, v);
  // AF_INET6 differs per BSD: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS); 10 is Linux.
  if (family == 24 || family == 28 || family == 30 || family == 10) return DecodeIpv6(p, len, v);
  return DecodeResult::kNotIp;
}

}  // namespace

bool LinkTypeSupported(int dlt) {
  switch (dlt) {
    case kLinkNull: case kLinkEthernet: case kLinkRawLinux: case kLinkRawBsd: case kLinkLoop:
    case kLinkRaw: case kLinkSll: case kLinkIpv4: case kLinkIpv6: case kLinkSll2:
      return true;
    default:
      return false;
  }
}

DecodeResult DecodePacket(int dlt, const uint8_t* data, uint32_t caplen, PacketView* v) {
  v->vlan = 0;
  switch (dlt) {
    case kLinkEthernet: {
      if (caplen < 14) return DecodeResult::kTruncatedLink;
      uint32_t off = 12;
      uint16_t type = Be16(data + off);
      for (int tags = 0; type == kEthVlan || type == kEthQinQ || type == kEthQinQOld; ++tags) {
        if (tags >= limits::kMaxVlanTags) return DecodeResult::kNotIp;
        if (off + 6 > caplen) return DecodeResult::kTruncatedLink;
        if (tags == 0) v->vlan = Be16(data + off + 2) & 0x0fff;
        off += 4;
        type = Be16(data + off);
      }
      off += 2;
      return DecodeByEthertype(type, data + off, caplen - off, v);
    }
    case kLinkSll: {
      if (caplen < 16) return DecodeResult::kTruncatedLink;
      return DecodeByEthertype(Be16(data + 14), data + 16, caplen - 16, v);
    }
    case kLinkSll2: {
      if (caplen < 20) return DecodeResult::kTruncatedLink;
      return DecodeByEthertype(Be16(data), data + 20, caplen - 20, v);
    }
    case kLinkRaw: case kLinkRawLinux: case kLinkRawBsd:
      return DecodeByVersionNibble(data, caplen, v);
    case kLinkIpv4: return DecodeIpv4(data, caplen, v);
    case kLinkIpv6: return DecodeIpv6(data, caplen, v);
    case kLinkNull: {
      if (caplen < 4) return DecodeResult::kTruncatedLink;
      uint32_t fam;
      std::memcpy(&fam, data, 4);  // host byte order of the capturing machine
      if (fam > 0xffff) fam = __builtin_bswap32(fam);  // captured on the other endianness
      return DecodeBsdFamily(fam, data + 4, caplen - 4, v);
    }
    case kLinkLoop: {
      if (caplen < 4) return DecodeResult::kTruncatedLink;
      return DecodeBsdFamily(Be32(data), data + 4, caplen - 4, v);
    }
    default:
      return DecodeResult::kNotIp;
  }
}

}  // namespace deckscope
