// util::parse_cidr / cidr_contains: the one address-range test behind KQL's CIDR values, Sigma's
// |cidr and the policy's known networks.
#include <gtest/gtest.h>

#include "util/cidr.h"

namespace eksir::util {
namespace {

bool in(std::string_view ip, std::string_view range) {
  auto r = parse_cidr(range);
  return r && cidr_contains(*r, ip);
}

TEST(Cidr, Ipv4AndIpv6Ranges) {
  EXPECT_TRUE(in("10.1.2.3", "10.0.0.0/8"));
  EXPECT_FALSE(in("11.1.2.3", "10.0.0.0/8"));
  EXPECT_TRUE(in("192.168.1.130", "192.168.1.128/25"));
  EXPECT_FALSE(in("192.168.1.127", "192.168.1.128/25"));
  EXPECT_TRUE(in("203.0.113.45", "203.0.113.45"));  // one address
  EXPECT_FALSE(in("203.0.113.46", "203.0.113.45/32"));
  EXPECT_TRUE(in("1.2.3.4", "0.0.0.0/0"));
  EXPECT_TRUE(in("2001:db8::1", "2001:db8::/32"));
  EXPECT_FALSE(in("2001:db9::1", "2001:db8::/32"));
  EXPECT_TRUE(in("fe80::1", "fe80::/10"));
}

TEST(Cidr, OtherFamilyOrNotAnAddressIsOutside) {
  EXPECT_FALSE(in("2001:db8::1", "10.0.0.0/8"));
  EXPECT_FALSE(in("10.0.0.1", "::/0"));
  EXPECT_FALSE(in("", "10.0.0.0/8"));
  EXPECT_FALSE(in("10.0.0", "10.0.0.0/8"));
  EXPECT_FALSE(in("not an ip", "0.0.0.0/0"));
  EXPECT_FALSE(in(std::string(100, '1'), "0.0.0.0/0"));
}

TEST(Cidr, BadRangesAreRefused) {
  for (std::string_view bad : {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0.0/", "10.0/8",
                               "::/129", "host/24", ""})
    EXPECT_FALSE(parse_cidr(bad)) << bad;
}

TEST(Cidr, PublicAndRoutableAddresses) {
  for (const char* ip : {"203.0.113.45", "8.8.8.8", "2001:db8::7", "2600:1f18::1"})
    EXPECT_TRUE(is_routable(ip)) << ip;
  EXPECT_TRUE(is_public_ipv4("203.0.113.45"));
  for (const char* ip :
       {"10.42.11.27", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "127.0.0.1",
        "169.254.169.254", "0.1.2.3", "224.0.0.1", "::1", "::", "fd00::1", "fe80::1",
        "not-an-address", "10.0.0.0/8", "2001:db8::/32", "1.2.3"})
    EXPECT_FALSE(is_routable(ip)) << ip;
  EXPECT_FALSE(is_public_ipv4("2001:db8::7"));  // IPv4 only
  EXPECT_TRUE(is_routable("172.32.0.1"));
}

}  // namespace
}  // namespace eksir::util
