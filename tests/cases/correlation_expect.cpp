// A rule's correlation against the case's `correlation` map: only the keys the case gives.
#include <gtest/gtest.h>

#include "checks.h"
#include "util/time.h"

namespace eksir::test {

void expect_correlation(const Case& c, const rules::Correlation& got) {
  const YAML::Node want = c.fields["correlation"];
  if (!want) return;
  if (want["type"]) {
    EXPECT_EQ(rules::correlation_name(got.type), want["type"].as<std::string>());
  }
  if (want["group_by"]) {
    EXPECT_EQ(got.group_by, want["group_by"].as<std::vector<std::string>>());
  }
  if (want["field"]) {
    EXPECT_EQ(got.field, want["field"].as<std::string>());
  }
  if (want["threshold"]) {
    EXPECT_EQ(got.threshold, want["threshold"].as<uint64_t>());
  }
  if (want["window"]) {
    EXPECT_EQ(format_duration(got.window), want["window"].as<std::string>());
  }
  if (want["history"]) {
    EXPECT_EQ(format_duration(got.history), want["history"].as<std::string>());
  }
  if (want["until"]) {
    EXPECT_EQ(got.until.has_value(), want["until"].as<bool>());
  }
  if (want["steps_by"]) {
    EXPECT_EQ(got.step_by.size(), want["steps_by"].as<size_t>());
  }
}

}  // namespace eksir::test
