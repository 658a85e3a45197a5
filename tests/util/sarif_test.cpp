// One SARIF severity scale for detect and posture: a severity reads the same level and
// security-severity score in both outputs (they once disagreed on low: 2.0 and 3.0).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <string>

#include "test_paths.h"
#include "util/sarif.h"

namespace eksir {
namespace {

TEST(Sarif, ScaleInGitHubsBands) {
  using util::sarif::level;
  using util::sarif::security_severity;
  EXPECT_GE(security_severity("critical"), 9.0);
  EXPECT_GE(security_severity("high"), 7.0);
  EXPECT_LT(security_severity("high"), 9.0);
  EXPECT_GE(security_severity("medium"), 4.0);
  EXPECT_LT(security_severity("medium"), 7.0);
  EXPECT_GT(security_severity("low"), 0.0);
  EXPECT_LT(security_severity("low"), 4.0);
  EXPECT_EQ(security_severity("info"), 0.0);
  EXPECT_EQ(level("critical"), "error");
  EXPECT_EQ(level("high"), "error");
  EXPECT_EQ(level("medium"), "warning");
  EXPECT_EQ(level("low"), "note");
  EXPECT_EQ(level("info"), "note");
  EXPECT_EQ(util::sarif::uri("/a b/c#d.json"), "file:///a%20b/c%23d.json");
  EXPECT_EQ(util::sarif::uri("rel/x.log"), "rel/x.log");
}

// The one writer: rules in the order given, each result's ruleIndex from its rule id, levels and
// scores from the severity names, the writers' own members where they asked for them.
TEST(Sarif, OneLogWriter) {
  util::sarif::Rule a{"r-a", "A", "short a", "full a", "high", "\"tags\":[\"security\"]", ""};
  util::sarif::Rule b{"r-b", "", "short b", "full b", "low", "", "\"anchors\":\"x\""};
  util::sarif::Result ra{"r-b", "medium", "m \"1\"", "{\"x\":1}", "", "\"k\":true"};
  util::sarif::Result rb{"r-a", "critical", "m2", "", "\"f\":\"1\"", ""};
  std::string log = util::sarif::log({a, b}, {ra, rb});
  EXPECT_EQ(log,
            "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
            "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"eksir\",\"version\":\"" EKSIR_VERSION
            "\",\"rules\":[{\"id\":\"r-a\",\"name\":\"A\",\"shortDescription\":{\"text\":\"short "
            "a\"},\"fullDescription\":{\"text\":\"full a\"},\"defaultConfiguration\":{\"level\":"
            "\"error\"},\"properties\":{\"tags\":[\"security\"],\"security-severity\":\"8.0\"}},"
            "{\"id\":\"r-b\",\"shortDescription\":{\"text\":\"short b\"},\"fullDescription\":{"
            "\"text\":\"full b\"},\"defaultConfiguration\":{\"level\":\"note\"},\"properties\":{"
            "\"security-severity\":\"3.0\",\"anchors\":\"x\"}}]}},\"results\":[{\"ruleId\":\"r-b\","
            "\"ruleIndex\":1,\"level\":\"warning\",\"message\":{\"text\":\"m \\\"1\\\"\"},"
            "\"locations\":[{\"x\":1}],\"properties\":{\"k\":true}},{\"ruleId\":\"r-a\","
            "\"ruleIndex\":0,\"level\":\"error\",\"message\":{\"text\":\"m2\"},\"locations\":[],"
            "\"partialFingerprints\":{\"f\":\"1\"},\"properties\":{}}]}]}\n");
  simdjson::dom::parser p;
  simdjson::padded_string text(log);
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(text).get(doc), simdjson::SUCCESS) << log;
}

// severity -> "level security-severity" of every result of a SARIF document.
std::map<std::string, std::string> scale_of(const std::string& sarif) {
  std::map<std::string, std::string> out;
  simdjson::dom::parser p;
  simdjson::padded_string text(sarif);
  simdjson::dom::element doc;
  EXPECT_EQ(p.parse(text).get(doc), simdjson::SUCCESS) << sarif.substr(0, 300);
  for (auto r : doc["runs"].at(0)["results"].get_array()) {
    std::string severity(r["properties"]["severity"].get_string().value());
    out[severity] = std::string(r["level"].get_string().value()) + " " +
                    std::string(r["properties"]["security-severity"].get_string().value());
  }
  return out;
}

TEST(Sarif, DetectAndPostureAgree) {
  const std::string example = test::source_dir() + "/examples/incident-2026-03-14";
  auto d = test::run_eksir({"detect", example, "--format", "sarif", "-q"});
  auto p = test::run_eksir({"posture", example + "/snapshot", "--format", "sarif", "-q"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto ds = scale_of(d.out), ps = scale_of(p.out);
  size_t common = 0;
  for (const auto& [severity, scale] : ds)
    if (ps.count(severity)) {
      ++common;
      EXPECT_EQ(scale, ps[severity]) << severity;
    }
  EXPECT_GE(common, 3u);
  EXPECT_EQ(ds["low"], "note 3.0");
}

}  // namespace
}  // namespace eksir
