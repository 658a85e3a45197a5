// The binary's allocator gives freed memory back within a second (src/cli/allocator.cpp): what a
// spilling scan frees is not counted again when it takes the next pages.
#include <gtest/gtest.h>

#include "test_paths.h"

namespace eksir {
namespace {

TEST(Allocator, FreedMemoryIsReturnedWithinASecond) {
  // stats_print: jemalloc prints its options at exit; a build without it (the sanitizers bring
  // their own allocator) prints nothing.
  auto r = test::run_eksir_env({"--version"}, {"MALLOC_CONF=stats_print:true"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (r.err.find("opt.dirty_decay_ms") == std::string::npos)
    GTEST_SKIP() << "this build does not use jemalloc";
  EXPECT_NE(r.err.find("opt.dirty_decay_ms: 1000 "), std::string::npos) << r.err.substr(0, 2000);
}

TEST(Allocator, TheEnvironmentStillOverridesIt) {
  auto r = test::run_eksir_env({"--version"}, {"MALLOC_CONF=stats_print:true,dirty_decay_ms:5000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (r.err.find("opt.dirty_decay_ms") == std::string::npos)
    GTEST_SKIP() << "this build does not use jemalloc";
  EXPECT_NE(r.err.find("opt.dirty_decay_ms: 5000 "), std::string::npos) << r.err.substr(0, 2000);
}

}  // namespace
}  // namespace eksir
