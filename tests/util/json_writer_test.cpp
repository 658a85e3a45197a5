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

// Pretty-printed as nlohmann's dump(2) lays out the same document: the report, plans and the case
// export were written by it and keep its bytes.
TEST(JsonWriter, PrettyIsLaidOutAsNlohmannDumps) {
  JsonWriter j;
  j.indent = 2;
  j.open('{');
  j.kv("a", "x\ty");
  j.kv_list("empty_list", {});
  j.key("empty_object");
  j.open('{');
  j.close('}');
  j.key("list");
  j.open('[');
  j.item();
  j.num(uint64_t{18446744073709551615u});
  j.item();
  j.open('{');
  j.kv_num("n", -1);
  j.kv_bool("t", false);
  j.key("z");
  j.null();
  j.close('}');
  j.item();
  j.list({"p", "q"});
  j.close(']');
  j.kv_time("never", kNoTime);
  j.close('}');
  nlohmann::json doc = nlohmann::json::parse(j.o);
  EXPECT_EQ(j.o, doc.dump(2));
  EXPECT_EQ(j.o,
            "{\n  \"a\": \"x\\ty\",\n  \"empty_list\": [],\n  \"empty_object\": {},\n"
            "  \"list\": [\n    18446744073709551615,\n    {\n      \"n\": -1,\n"
            "      \"t\": false,\n      \"z\": null\n    },\n    [\n      \"p\",\n"
            "      \"q\"\n    ]\n  ],\n  \"never\": null\n}");
}

// A container opened on one line keeps everything in it on that line, spaced, unless a line
// break is asked for; the pretty levels around it go on as before.
TEST(JsonWriter, OneLineContainersAndLineBreaks) {
  JsonWriter j;
  j.indent = 2;
  j.open('{');
  j.key("inline");
  j.open('{', true);
  j.kv_list("argv", {"aws", "sts"});
  j.break_line(3);
  j.kv_num("n", 7);
  j.key("nested");
  j.open('{');
  j.kv("k", "v");
  j.close('}');
  j.close('}');
  j.key("rows");
  j.open('[');
  for (int i = 0; i < 2; ++i) {
    j.item();
    j.open('{', true);
    j.kv_num("i", i);
    j.kv_bool("odd", i % 2);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  EXPECT_EQ(j.o,
            "{\n  \"inline\": {\"argv\": [\"aws\", \"sts\"],\n   \"n\": 7, \"nested\": {\"k\": "
            "\"v\"}},\n  \"rows\": [\n    {\"i\": 0, \"odd\": false},\n    {\"i\": 1, \"odd\": "
            "true}\n  ]\n}");
  EXPECT_FALSE(nlohmann::json::parse(j.o, nullptr, false).is_discarded());
}

TEST(JsonWriter, NumbersOfEveryWidthAndFixedPoint) {
  JsonWriter j;
  j.open('[');
  j.item();
  j.num(int64_t{-9223372036854775807} - 1);
  j.item();
  j.num(size_t{42});
  j.item();
  j.num(0.0005, 3);
  j.item();
  j.num(12.3456, 3);
  j.item();
  j.num(2.0, 0);
  j.close(']');
  EXPECT_EQ(j.o, "[-9223372036854775808,42,0.001,12.346,2]");
}

// The writer can be emptied as it goes (a stream written piece by piece): its place in the
// document is kept.
TEST(JsonWriter, WrittenOutPieceByPiece) {
  JsonWriter j;
  std::string out;
  j.open('[');
  for (int i = 0; i < 3; ++i) {
    j.item();
    j.num(i);
    out += j.o;
    j.o.clear();
  }
  j.close(']');
  out += j.o;
  EXPECT_EQ(out, "[0,1,2]");
}

// Every writer escapes the same way: control characters, quotes, and bytes that are not UTF-8
// (each such byte one U+FFFD).
TEST(JsonWriter, InvalidUtf8IsReplacedAndTheDocumentStaysValid) {
  JsonWriter j;
  j.indent = 2;
  j.open('{');
  j.kv("s", std::string("a\x01\xff\xe2\x82"
                        "b\xc3\xa9\"",
                        9));
  j.close('}');
  EXPECT_EQ(j.o, "{\n  \"s\": \"a\\u0001\\ufffd\\ufffd\\ufffdb\xc3\xa9\\\"\"\n}");
  auto doc = nlohmann::json::parse(j.o, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["s"],
            "a\x01\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
            "b\xc3\xa9\"");
}

// ASCII only: as nlohmann's dump with ensure_ascii writes a string (DEL and every character past
// ASCII as \u escapes, lower-case hex, surrogate pairs above U+FFFF).
TEST(JsonWriter, AsciiOnlyEscapesAsNlohmannEnsureAscii) {
  for (std::string s : {std::string("a\x7f\xc3\xa9\xe2\x80\xae\xf0\x9f\x92\xa3/\n\"\\"),
                        std::string("nul\0\x1f\x08\x0c\r\t end", 13), std::string("--option"),
                        std::string("\xef\xbb\xbf\xe4\xb8\xad\xf4\x8f\xbf\xbf")}) {
    JsonWriter j;
    j.ascii = true;
    j.str(s);
    EXPECT_EQ(j.o, nlohmann::json(s).dump(-1, ' ', true)) << s;
  }
  JsonWriter j;
  j.ascii = true;
  j.str("bad\xff");
  EXPECT_EQ(j.o, "\"bad\\ufffd\"");
}

}  // namespace
}  // namespace eksir::util
