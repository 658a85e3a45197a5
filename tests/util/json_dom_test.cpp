// util::parse_json gives the document nlohmann's own parser gives, faster.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_paths.h"
#include "util/json_dom.h"

namespace eksir::util {
namespace {

nlohmann::json reference(std::string_view text) {
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
}

TEST(JsonDom, SameDocumentAsNlohmann) {
  for (std::string_view text : {
           R"({"a":1,"b":-2,"c":18446744073709551615,"d":1.5,"e":"x\u00e9\ud83d\ude00","f":null,)"
           R"("g":[true,false,[],{}],"h":{"i":{"j":[1,"2",3.0e2]}}})",
           R"([])",
           R"("just a string")",
           R"(  42  )",
       }) {
    nlohmann::json got = parse_json(text);
    ASSERT_FALSE(got.is_discarded()) << text;
    EXPECT_EQ(got, reference(text)) << text;
    EXPECT_EQ(got.dump(), reference(text).dump()) << text;  // number kinds too
  }
}

TEST(JsonDom, TheFixtureIncidentParsesTheSame) {
  std::ifstream in(test::source_dir() + "/tests/report/fixtures/incident-2026-03-14.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(parse_json(text), reference(text));
}

TEST(JsonDom, RepeatedKeysKeepTheLastValueAsNlohmannDoes) {
  std::string text = R"({"k":1,"k":2})";
  EXPECT_EQ(parse_json(text), reference(text));
  EXPECT_EQ(parse_json(text)["k"], 2);
}

TEST(JsonDom, WhatSimdjsonRefusesNlohmannStillReads) {
  // An integer beyond 64 bits: nlohmann reads it as a double.
  std::string text = R"({"n":123456789012345678901234567890})";
  nlohmann::json got = parse_json(text);
  ASSERT_FALSE(got.is_discarded());
  EXPECT_EQ(got, reference(text));
}

TEST(JsonDom, NotJsonIsDiscarded) {
  for (std::string_view text : {"", "{", "{\"a\":}", "not json", "[1,2"})
    EXPECT_TRUE(parse_json(text).is_discarded()) << text;
}

}  // namespace
}  // namespace eksir::util
