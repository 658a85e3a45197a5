// Name-based UUIDs (version 5): the RFC's construction, checked against known values.
#include "util/uuid.h"

#include <gtest/gtest.h>

namespace eksir::util {
namespace {

TEST(Uuid, Version5MatchesKnownValues) {
  auto dns = parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  auto url = parse_uuid("6BA7B811-9DAD-11D1-80B4-00C04FD430C8");
  ASSERT_TRUE(dns && url);
  EXPECT_EQ(uuid_v5(*dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
  EXPECT_EQ(uuid_v5(*url, ""), "1b4db7eb-4057-5ddf-91e0-36dec72071f5");
  EXPECT_EQ(format_uuid(*url), "6ba7b811-9dad-11d1-80b4-00c04fd430c8");
}

TEST(Uuid, ParseRefusesWhatIsNotTheForm) {
  EXPECT_FALSE(parse_uuid(""));
  EXPECT_FALSE(parse_uuid("6ba7b8109dad11d180b400c04fd430c8"));
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430cg"));
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4_00c04fd430c8"));
}

}  // namespace
}  // namespace eksir::util
