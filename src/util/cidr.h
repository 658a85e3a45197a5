// IPv4 and IPv6 address ranges ("10.0.0.0/8", "2001:db8::/32", or one address).
#pragma once

#include <optional>
#include <string_view>

namespace eksir::util {

struct Cidr {
  int family = 0;  // AF_INET or AF_INET6
  int bits = 0;    // prefix length
  unsigned char addr[16] = {};
};

// The range, or nullopt when text is not an address with an optional /bits within its family.
std::optional<Cidr> parse_cidr(std::string_view text);
// True when ip is an address of the range's family inside it.
bool cidr_contains(const Cidr& range, std::string_view ip);
// A dotted-quad IPv4 address outside the private, shared (100.64/10), loopback, link-local,
// "this network" and multicast/reserved ranges: one that can name a party beyond the network.
bool is_public_ipv4(std::string_view ip);
// The same for IPv4 and IPv6 (not loopback, unspecified, unique-local or link-local).
bool is_routable(std::string_view ip);

}  // namespace eksir::util
