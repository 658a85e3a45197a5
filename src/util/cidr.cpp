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

}  // namespace eksir::util
