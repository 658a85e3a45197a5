// The literal prefilter changes nothing but speed: over every sample file, the test data and the
// bundled examples, many queries find the same records (file, line, record, text) with the
// prefilter as with every record parsed, in whole-file and line-by-line chunks alike.
#include <gtest/gtest.h>

#include <iostream>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "query/query.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::sources {
namespace {

std::vector<std::string> evidence() {
  return {test::samples_dir(), test::source_dir() + "/tests/data",
          test::source_dir() + "/examples"};
}

std::string key(const EventView& ev) {
  return std::string(ev.file) + ":" + std::to_string(ev.line) + ":" + std::to_string(ev.record) +
         ":" + std::string(ev.raw);
}

std::string kql_quoted(std::string_view v) {
  std::string q = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') q.push_back('\\');
    q.push_back(c);
  }
  return q + "\"";
}

std::string unquoted(std::string_view v) {
  std::string esc;
  for (char c : v) {
    if (std::string_view("\\():<>\"*{} \t").find(c) != std::string_view::npos) esc.push_back('\\');
    esc.push_back(c);
  }
  return esc;
}

// Queries built from values the evidence holds, so that they match: exact values, wildcards, free
// text in another case, OR and NOT around them, and values no record holds.
std::vector<std::string> make_queries() {
  const char* fields[] = {"verb",
                          "objectRef.resource",
                          "objectRef.namespace",
                          "objectRef.name",
                          "user.username",
                          "user.name",
                          "event.action",
                          "eventName",
                          "eventSource",
                          "userAgent",
                          "source.ip",
                          "sourceIPAddress",
                          "requestObject.spec.containers.image",
                          "output_fields.k8s.pod.name",
                          "rule",
                          "type",
                          "requestURI",
                          "userIdentity.arn",
                          "requestParameters.name",
                          "finding_info.title",
                          "vulnerability.id",
                          "package.name",
                          "container.image.name",
                          "message"};
  std::map<std::string, std::set<std::string>> values;
  std::mutex mu;
  ScanOptions o;
  o.threads = 1;
  scan(
      evidence(), o,
      [&](const EventView& ev, ChunkOutput&) {
        std::lock_guard lock(mu);
        for (const char* f : fields) {
          auto& vs = values[f];
          if (vs.size() >= 4) continue;
          FieldRef(f).any(ev, [&](const FieldValue& v) {
            if (v.type == FieldValue::Type::String && v.str.size() >= 4 && v.str.size() < 200)
              vs.insert(std::string(v.str));
            return vs.size() >= 4;
          });
        }
      },
      [](std::vector<std::string>&) { return true; });
  std::vector<std::string> q;
  for (const auto& [f, vs] : values) {
    std::vector<std::string> list(vs.begin(), vs.end());
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string& v = list[i];
      q.push_back(f + ":" + kql_quoted(v));
      if (v.size() > 6) q.push_back(f + ":*" + unquoted(v.substr(2, v.size() - 4)) + "*");
      std::string upper = v;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      q.push_back(kql_quoted(upper));
      q.push_back(f + ":" + kql_quoted(v) + " and not verb:get");
      if (i + 1 < list.size())
        q.push_back(f + ":" + kql_quoted(v) + " or " + kql_quoted(list[i + 1]));
    }
  }
  q.push_back("verb:create and objectRef.resource:(pods or secrets)");
  q.push_back("eventName:Create* and not eventSource:iam.amazonaws.com");
  q.push_back("requestObject.spec.containers:{ image:*nginx* }");
  q.push_back("no-such-value-anywhere");
  q.push_back("eventName:NoSuchEventAnywhere or verb:nosuchverb");
  return q;
}

// Every query's matches in evidence order, one scan evaluating them all.
std::vector<std::vector<std::string>> all_matches(const std::vector<query::CompiledQuery>& qs,
                                                  size_t chunk_bytes) {
  std::vector<std::vector<std::string>> out(qs.size());
  ScanOptions o;
  o.threads = 2;
  o.chunk_bytes = chunk_bytes;
  scan(
      evidence(), o,
      [&](const EventView& ev, ChunkOutput& c) {
        for (size_t i = 0; i < qs.size(); ++i)
          if (qs[i].matches(ev)) c.items.push_back(std::to_string(i) + "\n" + key(ev));
      },
      [&](std::vector<std::string>& items) {
        for (auto& it : items) {
          size_t nl = it.find('\n');
          out[std::stoul(it.substr(0, nl))].push_back(it.substr(nl + 1));
        }
        return true;
      });
  return out;
}

// One query's matches in evidence order, scanned with options o (its prefilter among them).
std::vector<std::string> matches_of(const query::CompiledQuery& q, const ScanOptions& o,
                                    ScanStats* stats = nullptr) {
  std::vector<std::string> got;
  ScanStats st = scan(
      evidence(), o,
      [&](const EventView& ev, ChunkOutput& c) {
        if (q.matches(ev)) c.items.push_back(key(ev));
      },
      [&](std::vector<std::string>& items) {
        for (auto& it : items) got.push_back(std::move(it));
        return true;
      });
  if (stats) *stats = st;
  return got;
}

// Whole small files, and the same files cut into line chunks (4 KiB, the smallest); the queries
// in four shards, so that each test stays well inside its time limit under the sanitizers.
constexpr size_t kShards = 4;
class PrefilterDifferentialShard : public ::testing::TestWithParam<std::tuple<size_t, size_t>> {};

TEST_P(PrefilterDifferentialShard, SameMatchesOnEveryEvidenceFile) {
  const auto [chunk, shard] = GetParam();
  std::vector<std::string> all = make_queries();
  ASSERT_GT(all.size(), 150u);
  std::vector<std::string> texts;
  for (size_t i = shard; i < all.size(); i += kShards) texts.push_back(all[i]);
  std::vector<query::CompiledQuery> qs;
  std::vector<util::LiteralClauses> lits;
  for (const auto& t : texts) {
    auto r = query::parse(t);
    ASSERT_TRUE(r.ok()) << t << ": " << r.error().message;
    qs.push_back(query::compile(r->root));
    lits.push_back(query::text_literals(r->root));
  }
  size_t filtered = 0, matched = 0, passed_over = 0;
  auto expected = all_matches(qs, chunk);
  for (size_t i = 0; i < qs.size(); ++i) {
    if (lits[i].empty()) continue;
    ++filtered;
    SCOPED_TRACE(texts[i] + " (chunks of " + std::to_string(chunk) + " bytes)");
    ScanOptions o;
    o.threads = 2;
    o.chunk_bytes = chunk;
    o.prefilter = lits[i];
    ScanStats st;
    std::vector<std::string> got = matches_of(qs[i], o, &st);
    ASSERT_EQ(got, expected[i]);
    matched += got.size();
    passed_over += st.unparsed_lines + st.unparsed_files;
  }
  std::cout << "shard " << shard << ", chunks of " << chunk << " bytes: " << filtered << " of "
            << texts.size() << " queries filtered, " << matched << " matches, " << passed_over
            << " lines or files passed over\n";
  EXPECT_GT(filtered * 2, texts.size());  // most queries have literals
  EXPECT_GT(matched, 100u);
  EXPECT_GT(passed_over, 1000u);
}

INSTANTIATE_TEST_SUITE_P(WholeFilesAndLineChunks, PrefilterDifferentialShard,
                         ::testing::Combine(::testing::Values(size_t{8} << 20, size_t{4096}),
                                            ::testing::Range(size_t{0}, kShards)));

// Every ECS name of the field table (computed, constant and rebuilt values among them), with a
// value some record holds: exactly and as a wildcard.
TEST(PrefilterDifferential, EveryEcsFieldOnEveryEvidenceFile) {
  std::map<std::string, std::string> value;  // by field
  std::vector<FieldRef> refs;
  for (const FieldInfo& info : field_table())
    if (!info.ecs.ends_with(".*")) refs.emplace_back(info.ecs);
  std::mutex mu;
  ScanOptions o;
  o.threads = 1;
  scan(
      evidence(), o,
      [&](const EventView& ev, ChunkOutput&) {
        std::lock_guard lock(mu);
        for (const FieldRef& f : refs) {
          if (value.count(f.name()) || !f.applies_to(ev.source)) continue;
          f.any(ev, [&](const FieldValue& v) {
            if (v.type != FieldValue::Type::String || v.str.size() < 5 || v.str.size() > 200)
              return false;
            value[f.name()] = std::string(v.str);
            return true;
          });
        }
      },
      [](std::vector<std::string>&) { return true; });
  std::vector<std::string> texts;
  for (const auto& [f, v] : value) {
    texts.push_back(f + ":" + kql_quoted(v));
    texts.push_back(f + ":*" + unquoted(v.substr(1, v.size() - 2)) + "*");
  }
  ASSERT_GT(texts.size(), 100u);
  std::vector<query::CompiledQuery> qs;
  for (const auto& t : texts) {
    auto r = query::parse(t);
    ASSERT_TRUE(r.ok()) << t;
    qs.push_back(query::compile(r->root));
  }
  auto expected = all_matches(qs, size_t{8} << 20);
  size_t matched = 0, filtered = 0;
  for (size_t i = 0; i < qs.size(); ++i) {
    auto r = query::parse(texts[i]);
    ScanOptions p;
    p.threads = 2;
    p.prefilter = query::text_literals(r->root);
    if (p.prefilter.empty()) continue;
    ++filtered;
    SCOPED_TRACE(texts[i]);
    std::vector<std::string> got = matches_of(qs[i], p);
    ASSERT_EQ(got, expected[i]);
    matched += got.size();
  }
  EXPECT_GT(matched, 500u);
  EXPECT_GT(filtered, texts.size() / 3) << "of " << texts.size();
}

// The marks of text the literals cannot speak for make the prefilter parse it anyway.
TEST(PrefilterDifferential, EscapesAndDamageAreParsed) {
  std::string dir = test::temp_dir();
  std::string lines;
  // A first record (always parsed), then: a value spelled with a \u escape, a line cut short,
  // a banner, a record without the word.
  lines +=
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a0","stage":"ResponseComplete","verb":"get","requestURI":"/x","stageTimestamp":"2026-03-14T09:00:00Z"})"
      "\n";
  lines +=
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseComplete","verb":"\u0064elete","requestURI":"/x","stageTimestamp":"2026-03-14T09:00:01Z"})"
      "\n";
  lines += R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a2","verb":"get")"
           "\n";
  lines += "some banner text\n";
  lines +=
      R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a3","stage":"ResponseComplete","verb":"get","requestURI":"/x","stageTimestamp":"2026-03-14T09:00:03Z"})"
      "\n";
  std::string big;
  while (big.size() < 6000) big += lines;
  {
    FILE* f = fopen((dir + "/audit.jsonl").c_str(), "w");
    fwrite(big.data(), 1, big.size(), f);
    fclose(f);
  }
  auto r = query::parse("verb:delete");
  ASSERT_TRUE(r.ok());
  auto q = query::compile(r->root);
  for (bool prefilter : {false, true}) {
    ScanOptions o;
    o.threads = 1;
    o.chunk_bytes = 4096;
    if (prefilter) o.prefilter = query::text_literals(r->root);
    ASSERT_EQ(prefilter, !o.prefilter.empty());
    size_t n = 0;
    ScanStats st = scan(
        {dir}, o, [&](const EventView& ev, ChunkOutput&) { n += q.matches(ev); },
        [](std::vector<std::string>&) { return true; });
    size_t copies = (big.size() / lines.size());
    EXPECT_EQ(n, copies);
    // The cut line and the banner, each time, with or without the prefilter.
    EXPECT_EQ(st.skipped_by_reason["invalid JSON"], copies);
    EXPECT_EQ(st.skipped_by_reason["not a JSON line"], copies);
    if (prefilter) {
      EXPECT_EQ(st.unparsed_lines, 2 * copies - 1);
    }
  }
}

// Records rebuilt from other values are always parsed: an ASFF finding's resource type
// AwsEksCluster is read as GuardDuty's EKSCluster, a word its text does not hold.
TEST(PrefilterDifferential, RebuiltRecordsAreParsed) {
  std::ifstream in(test::samples_dir() +
                   "/ocsf/ocsf-examples__v1.1.0__securityhub-guardduty.raw.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string type = "\"Type\": \"AwsIamAccessKey\"";
  size_t at = text.find(type);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, type.size(), "\"Type\": \"AwsEksCluster\"");
  std::string dir = test::temp_dir();
  std::ofstream(dir + "/asff.json") << text;
  auto r = query::parse("resource.resourceType:EKSCluster");
  ASSERT_TRUE(r.ok());
  auto q = query::compile(r->root);
  ScanOptions o;
  o.threads = 1;
  o.prefilter = query::text_literals(r->root);
  ASSERT_FALSE(o.prefilter.empty());
  size_t n = 0;
  ScanStats st = scan(
      {dir}, o, [&](const EventView& ev, ChunkOutput&) { n += q.matches(ev); },
      [](std::vector<std::string>&) { return true; });
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(st.unparsed_files, 0u);
}

}  // namespace
}  // namespace eksir::sources
