// A rule that fires thousands of times on one activity: the incident's timeline keeps one line
// for it, counting the rest (how many, when, the ids of up to kMaxAlsoIds), and a record a rule
// matched past those its finding cites says so rather than "no rule fired".
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/app.h"
#include "incident/incident.h"
#include "test_paths.h"

using eksir::test::run_eksir;

namespace {

// An audit record at 09:MM:SS.mmm of 2026-03-14 (i seconds past 09:00), by a user signed in with
// an IAM session (its access key is what the scope follows).
std::string audit_line(int i, const std::string& user, const std::string& key,
                       const std::string& ip, const std::string& verb, const std::string& resource,
                       const std::string& name, const std::string& extra = "") {
  char ts[64];
  std::snprintf(ts, sizeof ts, "2026-03-14T09:%02d:%02d.%03dZ", i / 60 % 60, i % 60, i % 1000);
  std::string extra_user = key.empty() ? ""
                                       : R"(,"extra":{"accessKeyId":[")" + key +
                                             R"("],"sessionName":[")" + user + R"("]})";
  return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-)" +
         std::to_string(i) + R"(","stage":"ResponseComplete","verb":")" + verb +
         R"(","user":{"username":")" + user + R"(","groups":["system:authenticated"])" +
         extra_user + R"(},"sourceIPs":[")" + ip +
         R"("],"userAgent":"kubectl/v1.29.0","objectRef":{"resource":")" + resource +
         R"(","namespace":"prod","name":")" + name +
         R"(","apiVersion":"v1"},"responseStatus":{"code":200},)" + extra +
         R"("requestReceivedTimestamp":")" + ts + R"(","stageTimestamp":")" + ts +
         R"(","annotations":{"authorization.k8s.io/decision":"allow"}})" + "\n";
}

struct Line {
  std::string text, time, until;
  uint64_t repeats = 0;
  size_t also = 0;
};

// The attacker's way in, then the same secret read 1,500 times; a benign user's busy listing
// beside it; and last, one read of the same secret from another address of the attacker's.
std::string write_evidence() {
  const std::string dir = eksir::test::temp_dir();
  std::filesystem::create_directories(dir + "/evidence");
  const std::string mallory = "arn:aws:sts::111122223333:assumed-role/ops/mallory";
  const std::string key = "ASIAMALLORYKEY000001";
  std::string text;
  text +=
      audit_line(0, mallory, key, "203.0.113.9", "create", "clusterrolebindings", "backdoor",
                 R"("requestObject":{"kind":"ClusterRoleBinding","metadata":{"name":"backdoor"},)"
                 R"("roleRef":{"kind":"ClusterRole","name":"cluster-admin"},)"
                 R"("subjects":[{"kind":"User","name":"mallory"}]},)");
  for (int i = 1; i <= 1500; ++i)
    text += audit_line(i, mallory, key, "203.0.113.9", "get", "secrets", "db-credentials");
  for (int i = 1501; i <= 2500; ++i)
    text += audit_line(i, "bob", "", "10.0.4.7", "list", "services", "");
  text += audit_line(2501, mallory, key, "198.51.100.77", "get", "secrets", "db-credentials");
  std::ofstream(dir + "/evidence/audit.jsonl") << text;
  return dir;
}

// What both runs must show: one line for the 1,500 reads, one for the read from elsewhere, no
// line of the benign user's, and the whole window.
void expect_folded(const std::string& incident_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(incident_json);
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(padded).get(doc), simdjson::SUCCESS);
  std::vector<Line> lines;
  for (auto t : doc["incident"]["timeline"].get_array()) {
    Line l;
    l.text = std::string(t["text"].get_string().value());
    l.time = std::string(t["time"].get_string().value());
    std::string_view until;
    if (t["until"].get(until) == simdjson::SUCCESS) l.until = std::string(until);
    uint64_t n = 0;
    if (t["repeats"].get(n) == simdjson::SUCCESS) l.repeats = n;
    simdjson::dom::array also;
    if (t["also_event_ids"].get(also) == simdjson::SUCCESS) l.also = also.size();
    lines.push_back(std::move(l));
  }
  std::string all;
  for (const auto& l : lines) all += l.time + " " + l.text + "\n";

  // One line for the 1,500 reads from the first address, at the first of them.
  std::vector<const Line*> reads;
  for (const auto& l : lines)
    if (l.text.find("get secrets prod/db-credentials from 203.0.113.9") != std::string::npos)
      reads.push_back(&l);
  ASSERT_EQ(reads.size(), 1u) << all;
  EXPECT_EQ(reads[0]->time, "2026-03-14T09:00:01.001Z");
  EXPECT_NE(reads[0]->text.find("Secret read by a user — and 1499 more times until "
                                "2026-03-14T09:25:00.500Z"),
            std::string::npos)
      << reads[0]->text;
  EXPECT_EQ(reads[0]->repeats, 1499u);
  EXPECT_EQ(reads[0]->until, "2026-03-14T09:25:00.500Z");
  // The ids of some of them, to look them up; the count has them all.
  EXPECT_EQ(reads[0]->also, eksir::incident::kMaxAlsoIds);

  // The read from the other address: the rule matched it, past the 50 records its finding cites.
  bool other = false;
  for (const auto& l : lines)
    if (l.text.find("from 198.51.100.77") != std::string::npos) {
      other = true;
      EXPECT_NE(l.text.find("— Secret read by a user (not among the records its finding cites); "),
                std::string::npos)
          << l.text;
      EXPECT_EQ(l.text.find("no rule fired"), std::string::npos) << l.text;
    }
  EXPECT_TRUE(other) << all;
  EXPECT_EQ(all.find("bob"), std::string::npos) << all;
  EXPECT_LT(lines.size(), 10u) << all;

  // The window still runs from the first record of the attack to the last.
  auto metrics = doc["incident"]["metrics"];
  EXPECT_EQ(std::string(metrics["first_malicious_event"].get_string().value()),
            "2026-03-14T09:00:00.000Z");
  EXPECT_EQ(std::string(metrics["last_malicious_event"].get_string().value()),
            "2026-03-14T09:41:41.501Z");
}

}  // namespace

TEST(TimelineFoldE2E, ARuleFiringThousandsOfTimesOnOneActivityIsOneCountedLine) {
  const std::string dir = write_evidence();
  auto r = run_eksir({"investigate", dir + "/evidence", "-o", dir + "/case", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_folded(r.out);
}

TEST(TimelineFoldE2E, PastTheEventsKeptWholeMatchedCallsAreKeptAsRecordsNotDropped) {
  // Only the first 5 API calls rules matched are kept whole: the others (and the places the
  // finding cites among them) are kept as the scope's other records, and the incident is the
  // same; the run says so, and no gap says events were left out.
  const std::string dir = write_evidence();
  eksir::app::InvestigateCommand o;
  o.options.evidence = {dir + "/evidence"};
  o.case_dir = dir + "/case";
  o.format = "json";
  o.options.threads = 2;
  o.options.progress = false;
  o.reports = false;
  o.options.max_kept_events = 5;
  std::ostringstream out, err;
  ASSERT_EQ(eksir::app::investigate(o, out, err), 0) << err.str();
  expect_folded(out.str());
  const std::string text = out.str();
  EXPECT_NE(text.find("API calls rules matched, past the first 5 kept whole, were kept as the "
                      "scope's other records"),
            std::string::npos);
  EXPECT_EQ(text.find("fed findings"), std::string::npos);
}
