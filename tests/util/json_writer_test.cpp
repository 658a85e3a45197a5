// util::JsonWriter: commas, nesting, escaping and null forms, as the output contracts need them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "util/json_writer.h"

namespace eksir::util {
namespace {

TEST(JsonWriter, NestedObjectsAndArraysWithEveryValueForm) {
  JsonWriter j;
  j.open('{');
  j.kv("s", "a \"quoted\" \\ line\nnext");
  j.kv_or_null("none", "");
  j.kv_or_null("some", "x");
  j.kv_time("t", parse_time("2026-03-14T09:12:31.250Z"));
  j.kv_time("never", kNoTime);
  j.kv_num("n", -42);
  j.kv_bool("b", true);
  j.kv_map("m", {{"k1", "v1"}, {"k2", "v2"}});
  j.kv_list("l", {"x", "y"});
  j.kv_list("empty", {});
  j.key("objs");
  j.open('[');
  for (int i = 0; i < 2; ++i) {
    j.item();
    j.open('{');
    j.kv_num("i", i);
    j.close('}');
  }
  j.close(']');
  j.key("raw");
  j.raw("{\"already\":1}");
  j.close('}');
  EXPECT_EQ(j.o, R"({"s":"a \"quoted\" \\ line\nnext","none":null,"some":"x",)"
                 R"("t":"2026-03-14T09:12:31.250Z","never":null,"n":-42,"b":true,)"
                 R"("m":{"k1":"v1","k2":"v2"},"l":["x","y"],"empty":[],)"
                 R"("objs":[{"i":0},{"i":1}],"raw":{"already":1}})");
  EXPECT_FALSE(nlohmann::json::parse(j.o, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace eksir::util
