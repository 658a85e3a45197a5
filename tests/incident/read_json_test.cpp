// incident::read_json, the inverse of to_json: the document every example investigates to reads
// back to an investigation whose to_json is that document, byte for byte; bad documents are
// errors or read as empty, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "incident/incident.h"
#include "test_paths.h"

namespace eksir::incident {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Example {
  std::string name, evidence, config;
};

std::vector<Example> examples() {
  std::string ex = test::source_dir() + "/examples/";
  std::vector<Example> out = {
      {"incident-2026-03-14", ex + "incident-2026-03-14", ex + "eksir.yaml"}};
  for (const char* s : {"access-entry-xacct", "anonymous-binding", "aws-auth-cronjob",
                        "benign-cicd-day", "imds-s3-exfil", "logging-off", "web-pod-miner",
                        "vulnerable-web-image", "vulnerable-images-benign"})
    out.push_back({s, ex + "scenarios/" + s, ex + "scenarios/" + s + ".eksir.yaml"});
  return out;
}

TEST(IncidentReadJson, EveryExampleRoundTripsByteForByte) {
  std::string tmp = test::temp_dir();
  for (const auto& e : examples()) {
    if (!fs::is_directory(e.evidence)) continue;
    std::string dir = tmp + "/" + e.name;
    auto r = test::run_eksir(
        {"investigate", e.evidence, "--config", e.config, "-o", dir, "-q", "--no-report"});
    ASSERT_NE(r.exit_code, 2) << e.name << ": " << r.err;
    std::string written = slurp(fs::path(dir) / "incident.json");
    ReadResult read = read_json(written);
    ASSERT_TRUE(read.ok()) << e.name << ": " << read.error;
    EXPECT_TRUE(read.has_incident);
    EXPECT_TRUE(read.has_run);
    EXPECT_EQ(read.schema, "eksir.incident/1");
    std::string again = to_json(read.investigation);
    if (again != written) {
      size_t at = 0;
      while (at < again.size() && at < written.size() && again[at] == written[at]) ++at;
      ADD_FAILURE() << e.name << ": differs at byte " << at << ":\n  written "
                    << written.substr(at > 80 ? at - 80 : 0, 200) << "\n  re-read "
                    << again.substr(at > 80 ? at - 80 : 0, 200);
    }
  }
  fs::remove_all(tmp);
}

TEST(IncidentReadJson, TypedValuesComeBack) {
  Investigation inv;
  inv.run.id = 3;
  inv.run.case_id = "INC-1";
  inv.run.cwd = "/ir";
  inv.run.inputs.push_back({"a.log", "ab", 10});
  inv.run.stats.events = 7;
  inv.run.stats.events_by_source[Source::K8sAudit] = 7;
  inv.incident.id = "INC-1";
  inv.incident.severity = Level::High;
  inv.incident.cluster = {"c", "eu-west-1", "111122223333",
                          "arn:aws:eks:eu-west-1:111122223333:cluster/c"};
  inv.incident.production = false;
  Affected a;
  a.kind = "iam_role";
  a.name = "ledger-audit";
  a.attributes = {{"account", "135792468013"}, {"attacker", "used"}};
  inv.incident.affected.push_back(a);
  TimelineEntry t;
  t.time = parse_time("2026-04-02T13:43:19.123Z");
  t.tag = Tag::Detection;
  t.text = "x";
  inv.incident.timeline.push_back(t);
  inv.incident.metrics.first_malicious = parse_time("2026-04-02T13:00:00.999Z");
  inv.incident.metrics.first_detection = parse_time("2026-04-02T13:00:02.000Z");
  inv.incident.not_expanded.emplace_back("node:n1", "a hub");
  detect::Finding f;
  f.id = "f1";
  f.rule_id = "r";
  f.severity = detect::Severity::High;
  f.subject = {{"zeta", "1"}, {"alpha", "2"}};  // not in key order: kept as written
  f.evidence.push_back({Source::Falco, "falco.json", 4, 0, kNoTime, ""});
  inv.findings.push_back(f);
  inv.leads.push_back(inv.incident);
  inv.leads.back().id = "LEAD-1";

  std::string text = to_json(inv);
  ReadResult r = read_json(text);
  ASSERT_TRUE(r.ok()) << r.error;
  const Investigation& back = r.investigation;
  EXPECT_EQ(back.run.id, 3);
  EXPECT_EQ(back.run.cwd, "/ir");
  ASSERT_EQ(back.run.inputs.size(), 1u);
  EXPECT_EQ(back.run.inputs[0].size, 10u);
  EXPECT_EQ(back.run.stats.events_by_source.at(Source::K8sAudit), 7u);
  EXPECT_EQ(back.incident.severity, Level::High);
  EXPECT_FALSE(back.incident.production);
  EXPECT_EQ(back.incident.cluster.account, "111122223333");
  ASSERT_EQ(back.incident.affected.size(), 1u);
  EXPECT_EQ(back.incident.affected[0].attr("account"), "135792468013");
  EXPECT_EQ(back.incident.affected[0].attr("missing"), "");
  EXPECT_EQ(back.incident.timeline[0].tag, Tag::Detection);
  EXPECT_EQ(back.incident.timeline[0].time, t.time);
  EXPECT_EQ(back.incident.not_expanded.size(), 1u);
  ASSERT_EQ(back.findings.size(), 1u);
  EXPECT_EQ(back.findings[0].subject, f.subject);
  EXPECT_EQ(back.findings[0].evidence[0].source, Source::Falco);
  ASSERT_EQ(back.leads.size(), 1u);
  EXPECT_EQ(back.leads[0].id, "LEAD-1");
  EXPECT_EQ(to_json(back), text);
  // Durations are those of the times as written (to the millisecond): 13:00:00.999 to
  // 13:00:02.000 is 1 s, whatever the nanoseconds behind them.
  EXPECT_NE(text.find("\"time_to_detection_seconds\":1,"), std::string::npos);
}

TEST(IncidentReadJson, BytesThatAreNotUtf8SettleAfterOneRoundTrip) {
  Investigation inv;
  inv.incident.title = std::string("pod \xff\xfe name");
  std::string first = to_json(inv);
  std::string second = to_json(read_json(first).investigation);
  std::string third = to_json(read_json(second).investigation);
  EXPECT_EQ(second, third);
}

TEST(IncidentReadJson, BadDocumentsAreErrorsOrEmptyNeverACrash) {
  for (const char* text : {"", "{", "[1,2]", "\"x\"", "{\"schema\":\"other/1\"}"})
    EXPECT_FALSE(read_json(text).ok()) << text;
  EXPECT_NE(read_json("{\"schema\":\"other/1\"}").error.find("schema \"other/1\""),
            std::string::npos);

  ReadResult empty = read_json("{}");
  EXPECT_TRUE(empty.ok());
  EXPECT_FALSE(empty.has_incident);
  EXPECT_FALSE(empty.has_run);

  ReadResult odd = read_json(
      "{\"incident\":{\"timeline\":\"x\",\"criteria\":[1,null,{\"evidence\":7}],"
      "\"affected\":[1,\"x\",{\"kind\":\"pod\",\"attributes\":{\"n\":5,\"b\":true,\"o\":{}}}],"
      "\"metrics\":[],\"severity\":3,\"production\":\"yes\"},"
      "\"findings\":[{\"rule\":\"r\",\"count\":-5,\"evidence\":[{\"line\":-1}]}],"
      "\"run\":{\"id\":1e300,\"events\":{\"falco\":\"x\",\"total\":123456789012345678901234}}}");
  ASSERT_TRUE(odd.ok()) << odd.error;
  EXPECT_TRUE(odd.has_incident);
  const Incident& inc = odd.investigation.incident;
  EXPECT_EQ(inc.severity, Level::Low);
  EXPECT_TRUE(inc.production);
  EXPECT_EQ(inc.criteria.size(), 1u);
  ASSERT_EQ(inc.affected.size(), 1u);
  EXPECT_EQ(inc.affected[0].attr("n"), "5");
  EXPECT_EQ(inc.affected[0].attr("b"), "true");
  EXPECT_EQ(inc.affected[0].attributes.count("o"), 0u);
  ASSERT_EQ(odd.investigation.findings.size(), 1u);
  EXPECT_EQ(odd.investigation.findings[0].rule_id, "r");
  EXPECT_EQ(odd.investigation.findings[0].count, 0u);
  EXPECT_EQ(odd.investigation.findings[0].evidence[0].line, 0u);
  EXPECT_EQ(odd.investigation.run.id, 0);
}

}  // namespace
}  // namespace eksir::incident
