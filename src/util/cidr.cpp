#include "util/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace eksir::util {

std::optional<Cidr> parse_cidr(std::string_view text) {
  Cidr c;
  size_t slash = text.find('/');
  std::string addr(text.substr(0, slash));
  c.family = addr.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  const int max = c.family == AF_INET ? 32 : 128;
  c.bits = max;
  if (slash != std::string_view::npos) {
    std::string_view b = text.substr(slash + 1);
    auto r = std::from_chars(b.data(), b.data() + b.size(), c.bits);
    if (r.ec != std::errc() || r.ptr != b.data() + b.size() || c.bits < 0 || c.bits > max)
      return std::nullopt;
  }
  if (inet_pton(c.family, addr.c_str(), c.addr) != 1) return std::nullopt;
  return c;
}

bool cidr_contains(const Cidr& range, std::string_view ip) {
  if (ip.empty() || ip.size() > 45) return false;  // INET6_ADDRSTRLEN - 1
  char buf[46];
  std::memcpy(buf, ip.data(), ip.size());
  buf[ip.size()] = 0;
  unsigned char a[16];
  if (inet_pton(range.family, buf, a) != 1) return false;
  const int full = range.bits / 8, rest = range.bits % 8;
  if (std::memcmp(a, range.addr, static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[full] & mask) == (range.addr[full] & mask);
}

bool is_public_ipv4(std::string_view ip) {
  // Dotted quad, each part 0-255 without sign or space; nothing after it.
  unsigned part[4] = {};
  size_t i = 0;
  for (int n = 0; n < 4; ++n) {
    if (n > 0) {
      if (i >= ip.size() || ip[i] != '.') return false;
      ++i;
    }
    size_t start = i;
    unsigned v = 0;
    while (i < ip.size() && ip[i] >= '0' && ip[i] <= '9' && i - start < 3)
      v = v * 10 + (ip[i++] - '0');
    if (i == start || v > 255) return false;
    part[n] = v;
  }
  if (i != ip.size()) return false;
  unsigned a = part[0], b = part[1];
  if (a == 10 || a == 127 || a == 0 || a >= 224) return false;
  if (a == 172 && b >= 16 && b <= 31) return false;
  if (a == 192 && b == 168) return false;
  if (a == 169 && b == 254) return false;
  if (a == 100 && b >= 64 && b <= 127) return false;
  return true;
}

bool is_routable(std::string_view ip) {
  if (ip.find(':') == std::string_view::npos) return is_public_ipv4(ip);
  static const Cidr local[] = {*parse_cidr("::1/128"), *parse_cidr("::/128"),
                               *parse_cidr("fc00::/7"), *parse_cidr("fe80::/10")};
  if (!parse_cidr(ip) || ip.find('/') != std::string_view::npos) return false;
  for (const Cidr& c : local)
    if (cidr_contains(c, ip)) return false;
  return true;
}

}  // namespace eksir::util
