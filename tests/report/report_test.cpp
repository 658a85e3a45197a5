// The report in each format for fixture incidents (docs/incident-json.md):
// every section, the severity with its criteria, every timeline line, the
// journal and notes where they belong, hostile evidence text and malformed
// documents.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "report/html_text.h"
#include "report/model.h"
#include "report/report.h"
#include "report/report_html.h"
#include "test_paths.h"

namespace eksir {
namespace {

using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fixture(const std::string& name) {
  return test::source_dir() + "/tests/report/fixtures/" + name;
}

report::ReportInput input_from(const std::string& name) {
  report::ReportInput in;
  std::string error;
  EXPECT_TRUE(report::parse_incident(read_file(fixture(name)), in.incident, error)) << error;
  in.info.dir = "cases/test";
  in.info.status = "open";
  in.generated = parse_time("2026-03-14T12:00:00Z");
  return in;
}

std::string render(const report::ReportInput& in, report::Format f) {
  std::ostringstream out;
  report::write(in, f, out);
  return out.str();
}

std::string html_escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else if (c == '\'')
      out += "&#39;";
    else
      out += c;
  }
  return out;
}

// The documentation standard's line, built here independently of the writer.
std::string expected_line(const incident::TimelineEntry& t) {
  std::string time = format_time(t.time).substr(0, 19) + "Z";
  return time + " [" + std::string(incident::tag_name(t.tag)) + "] " + t.text + " (" +
         t.confidence + " confidence, " + t.source + ")";
}

// Text between a heading and the next heading of the same level.
std::string section(const std::string& md, const std::string& heading) {
  size_t at = md.find(heading);
  if (at == std::string::npos) return "";
  size_t end = md.find("\n## ", at + heading.size());
  return md.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

store::JournalEntry journal(int64_t id, std::string phase, std::string action, std::string target,
                            const char* started, int exit_status, bool dry_run = false) {
  store::JournalEntry j;
  j.id = id;
  j.phase = std::move(phase);
  j.step_id = action + ":" + target;
  j.action = std::move(action);
  j.target = std::move(target);
  j.argv = {"kubectl", "apply", "-f", "-"};
  j.started = parse_time(started);
  j.finished = j.started + 2'000'000'000LL;
  j.exit_status = exit_status;
  j.stdout_text = exit_status == 0 ? "networkpolicy.networking.k8s.io/isolate created\n" : "";
  j.stderr_text = exit_status == 0 ? "" : "error: forbidden\n";
  j.operator_name = "alice";
  j.captured_state = exit_status == 0 ? "{\"labels\":{\"app\":\"backup-agent\"}}" : "";
  j.dry_run = dry_run;
  return j;
}

const char* const kSections[] = {"## 1. Incident summary",
                                 "## 2. Timeline",
                                 "## 3. Technical investigation",
                                 "## 4. Impact",
                                 "## 5. Containment and remediation actions",
                                 "## 6. Root cause",
                                 "## 7. Lessons learned and detection improvements",
                                 "## 8. Key metrics"};

TEST(Report, MarkdownHasEverySectionSeverityCriteriaAndTimeline) {
  auto in = input_from("incident-2026-03-14.json");
  std::string md = render(in, report::Format::Markdown);
  size_t last = 0;
  for (const char* s : kSections) {
    size_t at = md.find(s);
    ASSERT_NE(at, std::string::npos) << s;
    EXPECT_GT(at, last) << "sections out of order at " << s;
    last = at;
  }
  EXPECT_NE(md.find("| Severity | **Critical** |"), std::string::npos);
  EXPECT_NE(md.find("| Incident ID | INC-20260314-3f9a1c |"), std::string::npos);
  EXPECT_NE(md.find("| Incident type | Credential compromise |"), std::string::npos);
  EXPECT_NE(md.find("| Discovered | 2026-03-14T08:49:31Z |"), std::string::npos);
  EXPECT_NE(md.find("| Contained | not known |"), std::string::npos);
  for (const auto& c : in.incident->incident.criteria)
    EXPECT_NE(md.find(c.criterion), std::string::npos) << c.criterion;
  for (const auto& t : in.incident->incident.timeline)
    EXPECT_NE(md.find("\n" + expected_line(t) + "\n"), std::string::npos) << expected_line(t);
  EXPECT_NE(md.find("EKS cluster prod-payments (us-east-1, account "
                    "111122223333, production)"),
            std::string::npos);
  EXPECT_NE(md.find("Severity Critical: Unauthorized access to cluster-admin "
                    "credentials"),
            std::string::npos);
}

TEST(Report, InvestigationListsRulesRunsAndEvidenceRecords) {
  auto in = input_from("incident-2026-03-14.json");
  std::string inv = section(render(in, report::Format::Markdown), "## 3. Technical investigation");
  EXPECT_NE(inv.find("| 1 | 2026-11-27T23:40:00Z | 2026-11-27T23:40:00Z | "
                     "alice | 2 | 19 |"),
            std::string::npos)
      << inv;
  EXPECT_NE(inv.find("`eksir-k8s-crb-cluster-admin`"), std::string::npos);
  EXPECT_NE(inv.find("`evidence/k8s-audit/kube-apiserver-audit.log:141, event id "
                     "0ebb7564-c770-4a1f-b2c3-d4e5f6a7b8c9`"),
            std::string::npos);
  EXPECT_NE(inv.find("Kubernetes audit 256"), std::string::npos);
  // The likely-benign CI/CD finding is reported as such, not as a rule of the
  // incident.
  EXPECT_NE(inv.find("CI/CD deployment"), std::string::npos);
  EXPECT_EQ(inv.find("`eksir-k8s-deployment-image-changed`"), std::string::npos);
}

TEST(Report, ImpactRootCauseLessonsAndMetrics) {
  auto in = input_from("incident-2026-03-14.json");
  std::string md = render(in, report::Format::Markdown);
  std::string impact = section(md, "## 4. Impact");
  EXPECT_NE(impact.find("Secrets exposed: secret payments/payments-db-credentials"),
            std::string::npos);
  EXPECT_NE(impact.find("Nodes and instances: node ip-10-42-11-27.ec2.internal"),
            std::string::npos);
  EXPECT_NE(impact.find("**[not known]** Service impact"), std::string::npos);
  std::string root = section(md, "## 6. Root cause");
  EXPECT_NE(root.find("**[fact]** Entry point: IAM access key "
                      "AKIARQ4WZT7KHB3D6FXQ of IAM user "
                      "ci-deployer used from 203.0.113.45"),
            std::string::npos)
      << root;
  EXPECT_NE(root.find("**[hypothesis, Medium confidence]** 2026-03-14T08:42:10Z"),
            std::string::npos);
  EXPECT_NE(root.find("Contributing condition: ClusterRoleBinding ci-deployers-admin"),
            std::string::npos);
  std::string lessons = section(md, "## 7. Lessons learned");
  EXPECT_NE(lessons.find("no Kubernetes audit events after 2026-03-14T09:08:31Z"),
            std::string::npos);
  EXPECT_NE(lessons.find("eks:DescribeCluster prod-payments from 203.0.113.45"), std::string::npos)
      << "an attack step no rule fired on";
  EXPECT_NE(lessons.find("- [x] Review and update EKS-specific detection rules"),
            std::string::npos);
  EXPECT_NE(lessons.find("- [x] Evaluate the need for container image scanning"),
            std::string::npos);
  EXPECT_NE(lessons.find("- [ ] Consider implementing Kubernetes runtime monitoring"),
            std::string::npos);
  EXPECT_NE(lessons.find("Late: GuardDuty alert at 2026-03-14T08:49:31Z, 8 min 24 s after the "
                         "first malicious event"),
            std::string::npos);
  EXPECT_NE(lessons.find("eksir-aws-new-source-ip"), std::string::npos);
  EXPECT_NE(lessons.find("matched at 2026-03-14T08:41:07Z, 8 min 24 s before the first detection"),
            std::string::npos);
  std::string metrics = section(md, "## 8. Key metrics");
  EXPECT_NE(metrics.find("| Time to detection | 8 min 24 s |"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("| Time to containment | not known |"), std::string::npos);
  EXPECT_NE(metrics.find("| Number of affected resources | 14 |"), std::string::npos);
  EXPECT_NE(metrics.find("| Duration of service impact | not known |"), std::string::npos);
  EXPECT_NE(metrics.find("| Time to root cause | not known |"), std::string::npos);
}

TEST(Report, JournalBecomesResponseLinesActionsAndContainment) {
  auto in = input_from("incident-2026-03-14.json");
  in.journal.push_back(
      journal(1, "contain", "isolate-pod", "kube-system/backup-agent", "2026-03-14T09:47:00Z", 0));
  in.journal.push_back(journal(2, "contain", "cordon-node", "ip-10-42-11-27.ec2.internal",
                               "2026-03-14T09:48:00Z", 0, /*dry_run=*/true));
  in.journal.push_back(
      journal(3, "contain", "deactivate-key", "AKIARQ4WZT7KHB3D6FXQ", "2026-03-14T09:49:00Z", 1));
  in.journal.push_back(
      journal(4, "contain", "deactivate-key", "AKIARQ4WZT7KHB3D6FXQ", "2026-03-14T09:50:00Z", 0));
  std::string md = render(in, report::Format::Markdown);
  EXPECT_NE(md.find("\n2026-03-14T09:47:02Z [RESPONSE] contain: isolate-pod — "
                    "kube-system/backup-agent (done by alice) (High confidence, eksir respond)\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("\n2026-03-14T09:49:02Z [RESPONSE] contain: deactivate-key — "
                    "AKIARQ4WZT7KHB3D6FXQ (failed, exit 1 by alice) (High confidence, eksir "
                    "respond)\n"),
            std::string::npos);
  EXPECT_EQ(md.find("cordon-node ip-10-42-11-27"), std::string::npos) << "a dry run is no action";
  std::string actions = section(md, "## 5. Containment and remediation actions");
  EXPECT_NE(actions.find("| 2026-03-14T09:47:00Z | contain | isolate-pod "
                         "kube-system/backup-agent | "
                         "alice | `kubectl apply -f -` | succeeded (exit 0): "
                         "networkpolicy.networking.k8s.io/isolate created |"),
            std::string::npos)
      << actions;
  EXPECT_NE(actions.find("failed (exit 1): error: forbidden"), std::string::npos);
  EXPECT_NE(actions.find("1 further step(s) were shown as a dry run only"), std::string::npos);
  // Contained when the last successful containment step finished.
  EXPECT_NE(md.find("| Contained | 2026-03-14T09:50:02Z (the last successful "
                    "containment step in "
                    "the journal) |"),
            std::string::npos);
  EXPECT_NE(md.find("| Time to containment | 1 h 0 min 30 s |"), std::string::npos);
}

TEST(Report, NotesAppearInTheirSections) {
  auto in = input_from("incident-2026-03-14.json");
  auto note = [&](const char* time, const char* text) {
    store::Note n;
    n.time = parse_time(time);
    n.author = "carol";
    n.text = text;
    in.notes.push_back(n);
  };
  note("2026-03-14T10:05:00Z", "Root cause: the key leaked from the old Jenkins host");
  note("2026-03-14T10:06:00Z", "impact: payments API latency rose for 4 minutes");
  note("2026-03-14T10:07:00Z", "asked the payments team to rotate the DB password");
  note("2026-03-14T10:08:00Z", "lessons: retire the Jenkins IAM user");
  std::string md = render(in, report::Format::Markdown);
  EXPECT_NE(section(md, "## 6. Root cause").find("the key leaked from the old Jenkins host"),
            std::string::npos);
  EXPECT_NE(section(md, "## 4. Impact").find("payments API latency rose for 4 minutes"),
            std::string::npos);
  EXPECT_NE(section(md, "## 3. Technical investigation").find("rotate the DB password"),
            std::string::npos);
  EXPECT_NE(section(md, "## 7. Lessons").find("retire the Jenkins IAM user"), std::string::npos);
  EXPECT_NE(md.find("**[analyst note, carol, 2026-03-14T10:05:00Z]**"), std::string::npos);
  // A root-cause note dates the root cause: 10:05:00 - 08:49:31.512.
  EXPECT_NE(section(md, "## 8. Key metrics").find("| Time to root cause | 1 h 15 min 28 s |"),
            std::string::npos);
}

TEST(Report, JsonIsTheReportAsSections) {
  auto in = input_from("incident-2026-03-14.json");
  in.journal.push_back(
      journal(1, "contain", "isolate-pod", "kube-system/backup-agent", "2026-03-14T09:47:00Z", 0));
  json j = json::parse(render(in, report::Format::Json));
  EXPECT_EQ(j["schema"], "eksir.report/1");
  for (const char* key : {"summary", "timeline", "investigation", "impact", "actions", "root_cause",
                          "lessons", "metrics"})
    ASSERT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["summary"]["severity"], "Critical");
  EXPECT_EQ(j["summary"]["criteria"].size(), 4u);
  EXPECT_EQ(j["summary"]["criteria"][0]["id"], "critical.cluster_admin");
  const auto& fixture_timeline = in.incident->incident.timeline;
  const auto& events = j["timeline"]["events"];
  ASSERT_EQ(events.size(), fixture_timeline.size() + 1);
  std::set<std::string> lines;
  for (const auto& e : events) lines.insert(e["line"].get<std::string>());
  for (const auto& t : fixture_timeline)
    EXPECT_TRUE(lines.count(expected_line(t))) << expected_line(t);
  EXPECT_EQ(j["actions"]["actions"].size(), 1u);
  EXPECT_EQ(j["impact"]["affected"].size(), 14u);
  EXPECT_EQ(j["metrics"]["metrics"][0]["name"], "Time to detection");
  EXPECT_EQ(j["metrics"]["metrics"][0]["seconds"], 504);
  EXPECT_EQ(j["graph"]["edges"].size(), 13u);
}

TEST(Report, HtmlIsSelfContainedWithChartGraphAndSortableTables) {
  auto in = input_from("incident-2026-03-14.json");
  std::string html = render(in, report::Format::Html);
  for (const char* s : kSections) {
    std::string title = std::string(s).substr(3);  // "1. Incident summary"
    EXPECT_NE(html.find("<h2>" + title + "</h2>"), std::string::npos) << title;
  }
  EXPECT_NE(html.find("<span class=\"sev sev-Critical\">Critical</span>"), std::string::npos);
  for (const auto& t : in.incident->incident.timeline)
    EXPECT_NE(html.find(html_escaped(expected_line(t))), std::string::npos) << expected_line(t);
  EXPECT_NE(html.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"graph\""), std::string::npos);
  EXPECT_NE(html.find("<table class=\"sortable\" id=\"findings\">"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"sortable\" id=\"affected\">"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  // Every layer has a row in the chart; the graph has a box per entity.
  for (const char* layer :
       {"Kubernetes audit (", "CloudTrail (", "GuardDuty (", "Falco (", "EDR ("})
    EXPECT_NE(html.find(layer), std::string::npos) << layer;
  EXPECT_NE(html.find("class=\"node k-3 affected\""), std::string::npos);
  // Nothing loads from the network.
  std::regex external(R"((src|href|action|xlink:href)\s*=\s*["']?\s*(https?:)?//)",
                      std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, external));
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url(http"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

const char* const kHostile =
    "</script><script>document.body.setAttribute('data-pwned','1')</script>"
    "<img src=x onerror=\"document.title='PWNED'\"> ]]> <!-- `rm -rf` | *bold* "
    "[link](http://evil.example/) "
    "\"' & {{x}} \x01\xff end";

// Markdown without its fenced blocks and code spans: what a renderer would
// parse as markup.
std::string strip_code(const std::string& md) {
  std::string out;
  size_t i = 0;
  while (i < md.size()) {
    if (md[i] != '`') {
      out += md[i++];
      continue;
    }
    size_t n = 0;
    while (i + n < md.size() && md[i + n] == '`') ++n;
    // The closing run has exactly n backticks.
    size_t j = i + n, close = std::string::npos;
    while (j < md.size()) {
      if (md[j] != '`') {
        ++j;
        continue;
      }
      size_t m = 0;
      while (j + m < md.size() && md[j + m] == '`') ++m;
      if (m == n) {
        close = j;
        break;
      }
      j += m;
    }
    if (close == std::string::npos) {
      out.append(md, i, n);
      i += n;
    } else {
      i = close + n;
    }
  }
  return out;
}

report::ReportInput hostile_input() {
  auto in = input_from("incident-2026-03-14.json");
  auto& inc = in.incident->incident;
  inc.title = std::string("Title ") + kHostile;
  inc.timeline[0].text = std::string("Timeline ") + kHostile;
  inc.timeline[0].source = kHostile;
  inc.affected[0].name = std::string("Name ") + kHostile;
  inc.affected[0].why = kHostile;
  inc.criteria[0].evidence[0].text = kHostile;
  inc.entities[0].name = kHostile;
  inc.links[0].relation = kHostile;
  in.incident->findings[0].rule_title = kHostile;
  store::Note n;
  n.time = parse_time("2026-03-14T10:00:00Z");
  n.author = kHostile;
  n.text = std::string("impact: ") + kHostile;
  in.notes.push_back(n);
  in.journal.push_back(journal(1, "contain", kHostile, kHostile, "2026-03-14T09:47:00Z", 0));
  in.journal.back().argv = {"sh", "-c", kHostile};
  return in;
}

TEST(Report, HostileEvidenceTextIsEscapedInEveryFormat) {
  auto in = hostile_input();
  std::string html = render(in, report::Format::Html);
  EXPECT_EQ(html.find("<script>document"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("onerror=\""), std::string::npos);
  EXPECT_EQ(html.find("<!-- `rm"), std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;script&gt;"), std::string::npos);
  // One script element: the page's own.
  size_t scripts = 0;
  for (size_t at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1))
    ++scripts;
  EXPECT_EQ(scripts, 1u);
  std::regex external(R"((src|href)\s*=\s*["']?\s*(https?:)?//)", std::regex::icase);
  EXPECT_FALSE(std::regex_search(html, external));

  // Outside code blocks and code spans (which render verbatim), markup is
  // backslash-escaped.
  std::string md = render(in, report::Format::Markdown);
  std::string prose = strip_code(md);
  EXPECT_FALSE(std::regex_search(prose, std::regex(R"((^|[^\\])<[a-zA-Z/!])"))) << prose;
  EXPECT_FALSE(std::regex_search(prose, std::regex(R"((^|[^\\])\[link)")));
  EXPECT_NE(prose.find("\\<img src=x"), std::string::npos);
  // The timeline block still holds the event on one line.
  EXPECT_NE(md.find("\n2026-03-14T08:41:07Z [INCIDENT] Timeline </script><script>"),
            std::string::npos);

  std::string text = render(in, report::Format::Json);
  json j = json::parse(text);  // valid JSON despite the invalid UTF-8 and control bytes
  EXPECT_NE(j["summary"]["incident_title"].get<std::string>().find("<img src=x"),
            std::string::npos);
}

TEST(Report, SmallerIncidentWithoutMetricsOrRuntimeSources) {
  auto in = input_from("incident-staging-high.json");
  std::string md = render(in, report::Format::Markdown);
  EXPECT_NE(md.find("| Severity | **High** |"), std::string::npos);
  EXPECT_NE(md.find("- **High** — Suspicious privileged pods deployed"), std::string::npos);
  for (const auto& t : in.incident->incident.timeline)
    EXPECT_NE(md.find("\n" + expected_line(t) + "\n"), std::string::npos) << expected_line(t);
  EXPECT_NE(md.find("staging-1 is not a production cluster"), std::string::npos);
  EXPECT_NE(md.find("no CloudTrail events among the inputs"), std::string::npos);
  EXPECT_NE(md.find("no cluster snapshot"), std::string::npos);
  EXPECT_NE(md.find("- [x] Consider implementing Kubernetes runtime monitoring"),
            std::string::npos);
  EXPECT_NE(md.find("- [x] Implement additional GuardDuty EKS Protection features"),
            std::string::npos);
  EXPECT_NE(md.find("| Time to detection | 0 s |"), std::string::npos);
  EXPECT_NE(md.find("Entry point: credentials of service account ci/deployer"), std::string::npos);
  EXPECT_NE(md.find("No response action is journaled"), std::string::npos);
  std::string html = render(in, report::Format::Html);
  EXPECT_NE(html.find("<svg class=\"graph\""), std::string::npos) << "drawn from affected";
}

TEST(Report, MalformedOrEmptyDocumentsNeverCrash) {
  const char* docs[] = {
      "{}",
      "{\"incident\":null}",
      "{\"incident\":{\"timeline\":\"x\",\"criteria\":[1,null,{\"evidence\":7}]"
      ",\"affected\":{},"
      "\"metrics\":[],\"entities\":[{\"key\":5}],\"links\":[{\"from\":\"a\","
      "\"to\":\"a\"},{\"from\":"
      "\"a:x\",\"to\":\"b:y\"}],\"severity\":3}}",
      "{\"incident\":{\"timeline\":[{\"time\":\"garbage\",\"tag\":7},{}],"
      "\"metrics\":{"
      "\"time_to_detection_seconds\":1e300,\"first_detection\":\"2026-13-45T99:"
      "99:99Z\"}},"
      "\"findings\":[{\"rule\":\"r\",\"count\":-5,\"evidence\":[{\"line\":-1}]}"
      "],\"run\":{"
      "\"events\":{\"falco\":\"x\"}}}",
  };
  for (const char* d : docs) {
    report::ReportInput in;
    std::string error;
    ASSERT_TRUE(report::parse_incident(d, in.incident, error)) << d;
    EXPECT_EQ(in.incident.has_value(),
              std::string_view(d).find("\"incident\":{") != std::string_view::npos)
        << d;
    for (auto f : {report::Format::Markdown, report::Format::Html, report::Format::Json}) {
      std::string out = render(in, f);
      EXPECT_FALSE(out.empty());
      if (f == report::Format::Json) {
        EXPECT_TRUE(json::accept(out)) << d;
      }
    }
  }
  report::ReportInput in;
  std::string error;
  EXPECT_FALSE(report::parse_incident("[1,2", in.incident, error));
  EXPECT_FALSE(error.empty());
  std::string md = render(in, report::Format::Markdown);
  EXPECT_NE(md.find("The case holds no investigation yet"), std::string::npos);
  EXPECT_NE(md.find("## 8. Key metrics"), std::string::npos);
}

TEST(Report, FormatNames) {
  EXPECT_EQ(report::parse_format("md"), report::Format::Markdown);
  EXPECT_EQ(report::parse_format("markdown"), report::Format::Markdown);
  EXPECT_EQ(report::parse_format("html"), report::Format::Html);
  EXPECT_EQ(report::parse_format("json"), report::Format::Json);
  EXPECT_FALSE(report::parse_format("pdf"));
}

}  // namespace
// Text is copied in runs between the bytes that need care; each of those is still replaced.
// Controls stay in the model: the writers show them (util::visible), JSON escapes them.
TEST(Report, ValidUtf8KeepsTextAndReplacesOnlyBadBytes) {
  using report::valid_utf8;
  EXPECT_EQ(valid_utf8("plain text\tand a tab\n"), "plain text\tand a tab\n");
  EXPECT_EQ(valid_utf8("a \xE2\x80\x94 dash"), "a \xE2\x80\x94 dash");
  EXPECT_EQ(valid_utf8("bell\x07here"), "bell\x07here");
  EXPECT_EQ(valid_utf8("del\x7f"), "del\x7f");
  EXPECT_EQ(valid_utf8("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(valid_utf8("cut \xE2\x80"), "cut \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(valid_utf8("\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80!"),
            "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80!");
  EXPECT_EQ(valid_utf8(""), "");
}

TEST(Report, HtmlEscapeReplacesEachSpecialCharacterWhereverItStands) {
  using report::html_escape;
  EXPECT_EQ(html_escape("plain"), "plain");
  EXPECT_EQ(html_escape("<a href=\"x\">it's & that</a>"),
            "&lt;a href=&quot;x&quot;&gt;it&#39;s &amp; that&lt;/a&gt;");
  EXPECT_EQ(html_escape("&"), "&amp;");
  EXPECT_EQ(html_escape("<<>>"), "&lt;&lt;&gt;&gt;");
  EXPECT_EQ(html_escape("bad \xFF<"), "bad \\xff&lt;");
  EXPECT_EQ(html_escape("esc\x1b[2Jrlo\xE2\x80\xAE"), "esc\\x1b[2Jrlo\\u202e");
  EXPECT_EQ(html_escape(""), "");
}

TEST(Report, HtmlTextMarksWhereLongNamesMayBreakAndKeepsTimesWhole) {
  using report::html_escape;
  using report::html_text;
  // A long name breaks after its separators; a short one is left to the browser.
  EXPECT_EQ(html_text("arn:aws:iam::111122223333:user/ci-deployer"),
            "arn:<wbr>aws:<wbr>iam::<wbr>111122223333:<wbr>user/<wbr>ci-<wbr>deployer");
  EXPECT_EQ(html_text("ci-deployer in kube-system/x"), "ci-deployer in kube-system/x");
  // Dates and times are one <time>, never broken; in a long word too.
  EXPECT_EQ(html_text("at 2026-03-14T08:47:20Z."), "at <time>2026-03-14T08:47:20Z</time>.");
  EXPECT_EQ(html_text("id 2026-03-14T08:52:41.190554027Z/rule-name"),
            "id <time>2026-03-14T08:52:41.190554027Z</time>/<wbr>rule-<wbr>name");
  EXPECT_EQ(html_text("since 2026-03-14"), "since <time>2026-03-14</time>");
  EXPECT_EQ(html_text("12026-03-14"), "12026-03-14");
  // More than 40 letters and digits in a row: a break every 20; 40 are one word.
  EXPECT_EQ(html_text(std::string(45, 'A')),
            std::string(20, 'A') + "<wbr>" + std::string(20, 'A') + "<wbr>" + std::string(5, 'A'));
  EXPECT_EQ(html_text(std::string(40, 'b')), std::string(40, 'b'));
  // Escaped as html_escape escapes it, controls shown; the hints never split an escape.
  EXPECT_EQ(html_text("</script>"), "&lt;/script&gt;");
  EXPECT_EQ(html_text("esc\x1b[2Jrlo\xE2\x80\xAE"), html_escape("esc\x1b[2Jrlo\xE2\x80\xAE"));
  for (std::string s : {std::string("<img src=x onerror=\"alert('1')\">&amp;/long/path/here"),
                        std::string("bad \xFF</script><script>x</script>--->"),
                        std::string("\x1b]8;;http://evil.example/\x07click-here-please\n2026"),
                        std::string(300, 'Z') + "/" + std::string(50, '9')})
    EXPECT_EQ(test::without_break_hints(html_text(s)), html_escape(s)) << s;
}

TEST(Report, EvidenceRootIsTheFolderAllInputsShare) {
  using report::common_folder;
  using report::relative_to;
  EXPECT_EQ(common_folder({"ev/k8s/a.log", "ev/ct/b.json.gz", "ev/f.jsonl"}), "ev");
  EXPECT_EQ(common_folder({"/cases/ev/k8s/a.log", "/cases/ev/k8s/b.log"}), "/cases/ev/k8s");
  EXPECT_EQ(common_folder({"/cases/ev-1/a.log", "/cases/ev-2/b.log"}), "/cases");
  EXPECT_EQ(common_folder({"/cases/ev/a.log", "/cases/evidence/b.log"}), "/cases");
  EXPECT_EQ(common_folder({"/x/a.log", "/y/b.log"}), "");
  EXPECT_EQ(common_folder({"a.log", "b.log"}), "");
  EXPECT_EQ(common_folder({}), "");
  EXPECT_EQ(relative_to("/cases/ev/k8s/a.log", "/cases/ev"), "k8s/a.log");
  EXPECT_EQ(relative_to("/cases/evidence/a.log", "/cases/ev"), "/cases/evidence/a.log");
  EXPECT_EQ(relative_to("/other/a.log", "/cases/ev"), "/other/a.log");
  EXPECT_EQ(relative_to("/cases/ev/a.log", ""), "/cases/ev/a.log");
}

}  // namespace eksir
