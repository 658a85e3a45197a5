// The report drawn from an incident document that carries absurd times (an older run's, or one
// edited by hand, without the incident's implausible_time marks): the chart's axis, its ticks and
// the metrics stay within the plausible times, and the page stays small.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "report/report.h"
#include "test_paths.h"

namespace eksir {
namespace {

using nlohmann::json;

// The bundled incident's document with lines at absurd times added (drop: without them).
report::ReportInput absurd_input(bool with_absurd = true) {
  std::ifstream in(test::source_dir() + "/tests/report/fixtures/incident-2026-03-14.json");
  std::stringstream ss;
  ss << in.rdbuf();
  json doc = json::parse(ss.str());
  json& timeline = doc["incident"]["timeline"];
  EXPECT_FALSE(timeline.empty());
  if (with_absurd)
    for (const char* when : {"1700-03-14T09:00:00.000Z", "2261-12-31T00:00:00.000Z"}) {
      json line = timeline[0];
      line["time"] = when;
      line["tag"] = "DETECTION";
      line["text"] = std::string("an alert dated ") + when;
      line.erase("implausible_time");
      timeline.push_back(line);
    }
  report::ReportInput input;
  std::string error;
  EXPECT_TRUE(report::parse_incident(doc.dump(), input.incident, error)) << error;
  input.info.dir = "cases/test";
  input.info.status = "open";
  input.generated = parse_time("2026-03-14T12:00:00Z");
  return input;
}

std::string render(const report::ReportInput& in, report::Format f) {
  std::ostringstream out;
  report::write(in, f, out);
  return out.str();
}

TEST(ReportAbsurdTimes, TheChartAndMetricsKeepToPlausibleTimes) {
  auto in = absurd_input();
  auto plain_in = absurd_input(false);
  std::string html = render(in, report::Format::Html);
  std::string plain = render(plain_in, report::Format::Html);
  // About the size of the same report without the two lines: no tick per year across centuries.
  EXPECT_LT(html.size(), plain.size() + 8192);
  EXPECT_NE(html.find("2 events with implausible times are not drawn"), std::string::npos);
  EXPECT_EQ(html.find("class=\"tick\" text-anchor=\"middle\">1700"), std::string::npos);
  std::string md = render(in, report::Format::Markdown);
  EXPECT_NE(md.find("an alert dated 1700-03-14T09:00:00.000Z (High confidence"), std::string::npos);
  EXPECT_NE(md.find("[implausible time]"), std::string::npos);
  EXPECT_EQ(md.find("days after the first malicious event"), std::string::npos);
  json doc = json::parse(render(in, report::Format::Json));
  for (const auto& e : doc["timeline"]["events"]) {
    if (e["text"].get<std::string>().rfind("an alert dated", 0) == 0) {
      EXPECT_TRUE(e["implausible_time"].get<bool>());
    }
  }
}

}  // namespace
}  // namespace eksir
