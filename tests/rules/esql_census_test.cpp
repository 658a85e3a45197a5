// Every ES|QL rule of the shared Elastic set: how many load as single-event rules, as count and
// as distinct-count correlations, and which construct each of the others is reported for.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "rules/elastic.h"
#include "test_paths.h"

namespace eksir::rules {
namespace {

std::string elastic_dir() {
  return test::shared_dir() + "/rules/elastic";
}

TEST(EsqlCensus, LoadsTheSubsetAndReportsTheRestByConstruct) {
  ElasticLoad el = load_elastic_paths({elastic_dir()});
  std::map<std::string, size_t> loaded;
  for (const auto& r : el.result.rules) {
    std::ifstream in(r.file);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("type = \"esql\"") == std::string::npos) continue;
    ++loaded[std::string(correlation_name(r.correlation.type))];
    EXPECT_FALSE(r.sources.empty()) << r.file;
  }
  std::map<std::string, size_t> reported;
  const std::regex line(R"(^line (\d+): )");
  for (const auto& s : el.skipped) {
    if (s.type != "esql") continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(s.reason, m, line)) << s.file << ": " << s.reason;
    EXPECT_GT(std::stoul(m[1]), 20u) << s.file;  // a line of the file, inside the query
    ++reported[m.suffix()];
  }
  EXPECT_EQ(el.loaded_by_type.at("esql"), 13u);
  EXPECT_EQ(loaded,
            (std::map<std::string, size_t>{{"none", 6}, {"count", 1}, {"distinct_count", 6}}));
  EXPECT_EQ(
      reported,
      (std::map<std::string, size_t>{
          {"ES|QL command `GROK` is not supported", 11},
          {"ES|QL command `DISSECT` is not supported", 4},
          {"a condition on the aggregate `SUM()` is not supported (COUNT and COUNT_DISTINCT "
           "only)",
           2},
          {"a condition on the aggregate `MAX()` is not supported (COUNT and COUNT_DISTINCT "
           "only)",
           1},
          {"a condition on the aggregate `MIN()` is not supported (COUNT and COUNT_DISTINCT "
           "only)",
           1},
          {"`<` on a count is not a threshold (only `>=`, `>`)", 1},
          {"`==` on a count is not a threshold (only `>=`, `>`)", 1},
          {"a comparison with arithmetic is not supported", 1},
          {"`STATS … BY` on an EVAL column (`Esql.aws_cloudtrail_user_identity_access_key_id`, "
           "line 112) is not supported",
           1},
          {"WHERE on an EVAL column (`Esql.cloud_vendor`, line 144) is not supported", 1},
      }));
  size_t skipped_esql = 0;
  for (const auto& [k, n] : reported) skipped_esql += n;
  EXPECT_EQ(skipped_esql, 24u);
  for (const auto& e : el.result.errors) ADD_FAILURE() << e.text();
}

}  // namespace
}  // namespace eksir::rules
