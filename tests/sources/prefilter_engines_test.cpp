// The prefilter's two search engines (Hyperscan where built in, memmem everywhere) find the same
// hits, and what a unit of text must have parsed follows the clauses and the guards.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sources/prefilter.h"
#include "test_paths.h"

namespace eksir::sources::detail {
namespace {

using util::Literal;
using util::LiteralClauses;

std::vector<std::pair<uint64_t, uint32_t>> hits_of(const Prefilter& p, std::string_view text) {
  auto scratch = p.scratch();
  std::vector<PrefilterHit> hits;
  p.find(text, *scratch, hits);
  std::vector<std::pair<uint64_t, uint32_t>> out;
  for (const auto& h : hits) out.emplace_back(h.end, h.id);
  std::sort(out.begin(), out.end());  // equal ends may come in either order
  return out;
}

bool parse(const Prefilter& p, std::string_view text) {
  auto scratch = p.scratch();
  std::vector<PrefilterHit> hits;
  p.find(text, *scratch, hits);
  return must_parse(p, hits.data(), hits.data() + hits.size());
}

const LiteralClauses kClauses = {{{"create", false}}, {{"Pods", true}, {"secrets", false}}};

TEST(PrefilterEngines, SameHitsOnTheSamples) {
  auto fast = Prefilter::make(kClauses);
  auto portable = Prefilter::make(kClauses, {}, true);
  ASSERT_TRUE(fast && portable);
  for (const char* file :
       {"/k8s-audit/eks/panther-normalized/panther__aws_eks_rules_tests.jsonl",
        "/cloudtrail/stratus-red-team-detonation-logs/aws.execution.ssm-start-session.json",
        "/README.md"}) {
    std::ifstream in(test::samples_dir() + file);
    std::stringstream ss;
    ss << in.rdbuf();
    ASSERT_GT(ss.str().size(), 1000u) << file;
    auto hits = hits_of(*fast, ss.str());
    EXPECT_FALSE(hits.empty()) << file;
    EXPECT_EQ(hits, hits_of(*portable, ss.str())) << file;
  }
  std::string text = R"({"verb":"create","objectRef":{"resource":"PODS"}}\u0041 matches)";
  EXPECT_EQ(hits_of(*fast, text), hits_of(*portable, text));
  EXPECT_EQ(hits_of(*fast, text).size(), 4u);  // create, PODS, \u, matches
}

TEST(PrefilterEngines, ClausesAndGuards) {
  for (bool portable : {false, true}) {
    SCOPED_TRACE(portable ? "memmem" : "default");
    auto p = Prefilter::make(kClauses, {}, portable);
    ASSERT_TRUE(p);
    EXPECT_TRUE(parse(*p, R"({"verb":"create","resource":"pods"})"));
    EXPECT_TRUE(parse(*p, R"({"verb":"create","resource":"secrets"})"));
    EXPECT_FALSE(parse(*p, R"({"verb":"create","resource":"Secrets"})"));  // case-sensitive
    EXPECT_FALSE(parse(*p, R"({"verb":"get","resource":"pods"})"));
    EXPECT_FALSE(parse(*p, R"({"verb":"CREATE","resource":"pods"})"));
    // Guards: a \u escape, the keys of rebuilt records.
    EXPECT_TRUE(parse(*p, R"({"verb":"\u0063reate","resource":"pods"})"));
    EXPECT_TRUE(parse(*p, R"({"FindingArn":"x"})"));
    EXPECT_TRUE(parse(*p, R"({"imageScanFindings":{}})"));
    EXPECT_TRUE(parse(*p, R"({"ArtifactName":"web"})"));
    EXPECT_TRUE(parse(*p, R"({"matches":[]})"));
    EXPECT_TRUE(parse(*p, R"({"ProductArn":"arn"})"));
  }
  EXPECT_EQ(Prefilter::make({}), nullptr);
  EXPECT_EQ(Prefilter::make({{}}), nullptr);
}

TEST(PrefilterEngines, TheCallersMarksToo) {
  const std::vector<LiteralClauses> marks = {
      {{{"rule", true}}, {{"priority", true}}, {{"output", true}}}, {{{"class_uid", false}}}};
  for (bool portable : {false, true}) {
    SCOPED_TRACE(portable ? "memmem" : "default");
    auto p = Prefilter::make(kClauses, marks, portable);
    ASSERT_TRUE(p);
    EXPECT_FALSE(parse(*p, R"({"verb":"get","resource":"pods"})"));
    EXPECT_TRUE(parse(*p, R"({"rule":"Terminal shell","Priority":"Notice","output":"x"})"));
    // One key of the three (a pod spec's priority) is not a Falco alert.
    EXPECT_FALSE(parse(*p, R"({"verb":"get","spec":{"priority":0}})"));
    EXPECT_TRUE(parse(*p, R"({"class_uid":2004,"metadata":{}})"));
    EXPECT_FALSE(parse(*p, R"({"CLASS_UID":2004})"));  // found as given: case-sensitive
  }
  // Marks alone do not make a prefilter: without clauses every record is parsed anyway.
  EXPECT_EQ(Prefilter::make({}, marks), nullptr);
  // Marks that cannot all be searched make none either: a record one names is never passed over.
  EXPECT_EQ(Prefilter::make(kClauses, {{{{"", false}}}}), nullptr);
  EXPECT_EQ(Prefilter::make(kClauses, {{}}), nullptr);
  std::vector<LiteralClauses> many;
  for (int i = 0; i < 65; ++i) many.push_back({{{"key" + std::to_string(i), false}}});
  EXPECT_EQ(Prefilter::make(kClauses, many), nullptr);
  many.pop_back();
  EXPECT_NE(Prefilter::make(kClauses, many), nullptr);
}

}  // namespace
}  // namespace eksir::sources::detail
