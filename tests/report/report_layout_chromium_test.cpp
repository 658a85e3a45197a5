// The HTML report's layout, measured in headless Chromium at 1400 and 800 px
// wide: no text wider than its box outside a box meant to scroll, no word or
// timestamp broken across lines, no two labels of a drawing overlapping and none
// outside it, the entity graph's labels inside their boxes, whole, and at least
// 10 px on screen, the timeline's axis dated on both sides of a break, and the
// first screen (1400 x 900) holding the title, the severity, the timeline chart
// and the key metrics; the entity graph's zoom bar worked at both widths.
//
// A copy of the report gets tests/report/layout_probe.js (allowed by a nonce
// added to the copy's policy), which walks the rendered DOM and leaves its
// measurements in the dumped DOM as JSON. The measurements
// (layout-CASE-WIDTH.json), the first screen and the whole page as screenshots
// (layout-CASE-WIDTH-first.png, layout-CASE-WIDTH.png) and a PDF printed with
// the print stylesheet stay under BUILD_DIR/test-artifacts/report/.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include "report/chromium_harness.h"
#include "report/fixture_input.h"
#include "report/report.h"
#include "report/report_html.h"
#include "test_paths.h"

namespace eksir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::chromium::artifacts;
using test::chromium::slurp;
using test::report_fixture::fixture_input;
using test::report_fixture::kHostile;

// The height of the first screen the summary must fit in.
constexpr int kFold = 900;
constexpr const char* kNonce = "eksir-layout-probe";

// The report with the probe script added; "" when the page has no policy to add its nonce to.
std::string with_probe(std::string html) {
  const std::string policy = "script-src ";
  size_t at = html.find(policy);
  if (at == std::string::npos) return "";
  html.insert(at + policy.size(), std::string("'nonce-") + kNonce + "' ");
  std::string probe = slurp(test::source_dir() + "/tests/report/layout_probe.js");
  size_t end = html.rfind("</body>");
  if (end == std::string::npos) return "";
  html.insert(end, std::string("<script nonce=\"") + kNonce + "\">" + probe + "</script>\n");
  return html;
}

struct Measured {
  json m;  // the probe's result
  std::string problem;
};

// Renders html at width x kFold, with the probe, and returns what the probe measured; keeps the
// measurements and screenshots of the report itself (first screen and whole page).
Measured measure(const std::string& chromium, const fs::path& html, const std::string& name,
                 int width) {
  Measured out;
  fs::path dir = artifacts();
  std::string tag = "layout-" + name + "-" + std::to_string(width);
  fs::path probed = dir / (tag + ".probe.html");
  std::string page = with_probe(slurp(html));
  if (page.empty()) {
    out.problem = "the report has no script-src policy or no </body>";
    return out;
  }
  std::ofstream(probed, std::ios::binary) << page;
  fs::path profile = dir / ("profile-" + tag);
  auto dump = test::chromium::args(chromium, profile);
  dump.push_back("--window-size=" + std::to_string(width) + "," + std::to_string(kFold));
  dump.push_back("--dump-dom");
  dump.push_back("file://" + fs::absolute(probed).string());
  int rc = test::chromium::run(dump, dir / (tag + ".dom.html"), dir / (tag + "-dom.err"), 120);
  std::string dom = slurp(dir / (tag + ".dom.html"));
  const std::string open = "<pre id=\"eksir-layout\" hidden=\"\">";
  size_t from = dom.find(open), to = from == std::string::npos ? from : dom.find("</pre>", from);
  if (rc != 0 || to == std::string::npos) {
    std::string err = slurp(dir / (tag + "-dom.err"));
    out.problem = "no measurement (chromium exited " + std::to_string(rc) +
                  "): " + err.substr(err.size() > 1500 ? err.size() - 1500 : 0);
    return out;
  }
  out.m = json::parse(dom.substr(from + open.size(), to - from - open.size()), nullptr, false);
  if (out.m.is_discarded()) {
    out.problem = "the measurement is not JSON";
    return out;
  }
  std::ofstream(dir / (tag + ".json")) << out.m.dump(1) << "\n";

  auto shoot = [&](const std::string& png, int height) {
    fs::remove(dir / png);
    auto shot = test::chromium::args(chromium, profile);
    shot.push_back("--window-size=" + std::to_string(width) + "," + std::to_string(height));
    shot.push_back("--screenshot=" + (dir / png).string());
    shot.push_back("file://" + fs::absolute(html).string());
    test::chromium::run(shot, dir / (tag + "-shot.out"), dir / (tag + "-shot.err"), 120);
    if (!fs::exists(dir / png)) out.problem += " no screenshot " + png + ";";
  };
  shoot(tag + "-first.png", kFold);
  int height = out.m["page"]["height"].is_number() ? out.m["page"]["height"].get<int>() : kFold;
  shoot(tag + ".png", std::clamp(height, kFold, 16000));
  std::cout << "layout " << tag << ": page height " << height << ", measurements "
            << (dir / (tag + ".json")).string() << "\n";
  return out;
}

std::string show(const json& j, size_t max = 5) {
  if (!j.is_array()) return j.dump();
  json cut = json::array();
  for (size_t i = 0; i < j.size() && i < max; ++i) cut.push_back(j[i]);
  return cut.dump(1) + (j.size() > max ? " (" + std::to_string(j.size()) + " in all)" : "");
}

const json& drawing(const json& m, const std::string& cls) {
  static const json none;
  for (const auto& s : m["svgs"])
    if (s["cls"] == cls) return s;
  return none;
}

// What every report must satisfy at every width.
void expect_clean_layout(const json& m, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(m["overflow"]["elements"].size(), 0u)
      << "text wider than its box outside a scroll container: " << show(m["overflow"]["elements"]);
  EXPECT_LE(m["page"]["scroll_width"].get<int>(), m["viewport"]["width"].get<int>())
      << "the page scrolls sideways";
  EXPECT_EQ(m["broken"]["words"].size(), 0u)
      << "words broken across lines: " << show(m["broken"]["words"]);
  EXPECT_EQ(m["broken"]["times"].size(), 0u)
      << "timestamps broken across lines: " << show(m["broken"]["times"]);
  EXPECT_GT(m["broken"]["checked"].get<int>(), 100);
  ASSERT_FALSE(m["svgs"].empty());
  for (const auto& s : m["svgs"]) {
    std::string cls = s["cls"];
    EXPECT_EQ(s["overlaps"].size(), 0u) << cls << ": labels overlap: " << show(s["overlaps"]);
    EXPECT_EQ(s["outside"].size(), 0u)
        << cls << ": labels outside the drawing: " << show(s["outside"]);
    EXPECT_EQ(s["smallFonts"].size(), 0u)
        << cls << ": text under 10 px on screen: " << show(s["smallFonts"]);
    EXPECT_EQ(s["labelsOutsideBox"].size(), 0u)
        << cls << ": labels outside their box: " << show(s["labelsOutsideBox"]);
    EXPECT_EQ(s["truncated"].size(), 0u) << cls << ": labels cut short: " << show(s["truncated"]);
  }
  EXPECT_FALSE(drawing(m, "chart").is_null()) << "no timeline chart";
  EXPECT_FALSE(drawing(m, "graph").is_null()) << "no entity graph";
  EXPECT_GT(m["print_rules"].get<int>(), 0) << "no print stylesheet";
}

// The manager's first screen at 1400 x 900: title, severity, timeline chart and key metrics.
void expect_first_screen(const json& m) {
  for (const char* part : {"title", "severity", "chart", "metrics"}) {
    const json& r = m["first_screen"][part];
    ASSERT_TRUE(r.is_object()) << part << " is not on the page";
    EXPECT_LE(r["bottom"].get<int>(), kFold) << part << " is below the first screen: " << r.dump();
  }
}

class ReportLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = test::chromium::find_chromium();
    if (chromium_.empty())
      GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs Debian's chromium)";
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (std::string why = test::chromium::cannot_start(chromium_, "layout-" + name); !why.empty())
      GTEST_SKIP() << "chromium cannot start here (" << why << ")";
  }
  // The report of `in` as HTML under the artifacts folder.
  static fs::path write(const report::ReportInput& in, const std::string& name) {
    fs::path html = artifacts() / ("layout-" + name + ".html");
    std::ofstream out(html, std::ios::binary);
    report::write(in, report::Format::Html, out);
    return html;
  }
  std::string chromium_;
};

// The bundled example, investigated by the CLI from its absolute path, as a responder runs it.
TEST_F(ReportLayout, BundledExampleAt1400And800) {
  fs::path kase = artifacts() / "layout-case-incident-2026-03-14";
  fs::remove_all(kase);
  std::string ex = fs::canonical(test::source_dir() + "/examples").string();
  std::string root = ex + "/incident-2026-03-14";
  auto inv = test::run_eksir(
      {"investigate", root + "/", "--config", ex + "/eksir.yaml", "-o", kase.string(), "-q"});
  ASSERT_TRUE(inv.exit_code == 0 || inv.exit_code == 1) << inv.err;
  fs::path html = kase / "report.html";
  ASSERT_TRUE(fs::exists(html));

  Measured wide = measure(chromium_, html, "example", 1400);
  ASSERT_TRUE(wide.problem.empty()) << wide.problem;
  expect_clean_layout(wide.m, "example at 1400 px");
  expect_first_screen(wide.m);
  Measured narrow = measure(chromium_, html, "example", 800);
  ASSERT_TRUE(narrow.problem.empty()) << narrow.problem;
  expect_clean_layout(narrow.m, "example at 800 px");

  // The entity graph zooms: out, to the page's width (no sideways scroll left), in, and back.
  for (const Measured* w : {&wide, &narrow}) {
    const json& z = w->m["zoom"];
    ASSERT_TRUE(z.is_object()) << "no zoom bar on the entity graph";
    SCOPED_TRACE(z.dump());
    EXPECT_TRUE(z["shown"].get<bool>());
    EXPECT_EQ(z["buttons"], 4);
    const int natural = z["natural"], container = z["container"];
    EXPECT_NEAR(z["out"].get<int>(), natural / 1.25, 2);
    EXPECT_LE(z["fit"].get<int>(), container);
    EXPECT_GE(z["fit"].get<int>(), container - 2);
    EXPECT_FALSE(z["fit_scrolls"].get<bool>());
    EXPECT_GT(z["in"].get<int>(), z["fit"].get<int>());
    EXPECT_EQ(z["reset"], natural);
    EXPECT_EQ(z["reset_level"], "100%");
  }
  // At 800 px the graph is wider than the page: fitting it shrinks it.
  EXPECT_GT(narrow.m["zoom"]["natural"].get<int>(), narrow.m["zoom"]["container"].get<int>());

  // Evidence lists are folded, each with its count.
  const json& d = wide.m["details"];
  EXPECT_GE(d["closed"].get<int>(), 3) << d.dump();
  EXPECT_GE(d["with_count"].get<int>(), 3) << d.dump();
  // Evidence paths are shown relative to the evidence root, the full path in the tooltip.
  std::string page = test::without_break_hints(slurp(html));
  EXPECT_NE(page.find("relative to the evidence root <code>" + root + "</code>"), std::string::npos)
      << "the evidence root is not named";
  EXPECT_EQ(page.find("<code>" + root + "/"), std::string::npos) << "a path is shown whole";
  EXPECT_EQ(page.find(">" + root + "/"), std::string::npos) << "a path is shown whole";
  EXPECT_NE(page.find("title=\"" + root + "/falco/falco.jsonl"), std::string::npos);
  EXPECT_NE(page.find(">falco/falco.jsonl:"), std::string::npos);
  // The JSON report keeps the paths whole.
  auto rep = test::run_eksir({"report", kase.string(), "--format", "json"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  json doc = json::parse(rep.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  std::string first = doc["summary"]["criteria"][0]["evidence"][0]["evidence"]["file"];
  EXPECT_TRUE(first.starts_with(root + "/")) << first;
  EXPECT_EQ(doc["investigation"]["evidence_root"], root);

  // Printed: the print stylesheet's PDF, kept beside the screenshots.
  fs::path pdf = artifacts() / "layout-example.pdf";
  fs::remove(pdf);
  auto print = test::chromium::args(chromium_, artifacts() / "profile-layout-example-print");
  print.push_back("--no-pdf-header-footer");
  print.push_back("--print-to-pdf=" + pdf.string());
  print.push_back("file://" + html.string());
  test::chromium::run(print, artifacts() / "layout-example-print.out",
                      artifacts() / "layout-example-print.err", 120);
  ASSERT_TRUE(fs::exists(pdf)) << slurp(artifacts() / "layout-example-print.err");
  EXPECT_EQ(slurp(pdf).substr(0, 5), "%PDF-");
  // The print stylesheet measured on screen (a copy whose print rules apply to the screen too)
  // at the width of an A4 page: nothing wider than the page, every folded list open, no
  // navigation. Times in tables may break after their date there.
  std::string copy = slurp(html);
  const std::string print_rules = "@media print {";
  size_t at = copy.find(print_rules);
  ASSERT_NE(at, std::string::npos);
  copy.replace(at, print_rules.size(), "@media screen, print {");
  fs::path as_printed = artifacts() / "layout-example-as-printed.html";
  std::ofstream(as_printed, std::ios::binary) << copy;
  Measured paper = measure(chromium_, as_printed, "example-as-printed", 720);
  ASSERT_TRUE(paper.problem.empty()) << paper.problem;
  EXPECT_EQ(paper.m["overflow"]["elements"].size(), 0u) << show(paper.m["overflow"]["elements"]);
  EXPECT_EQ(paper.m["overflow"]["scrollers"].size(), 0u) << show(paper.m["overflow"]["scrollers"]);
  EXPECT_EQ(paper.m["broken"]["words"].size(), 0u) << show(paper.m["broken"]["words"]);
  EXPECT_EQ(paper.m["details"]["content_hidden"], 0) << paper.m["details"].dump();
  EXPECT_EQ(paper.m["first_screen"]["nav"]["bottom"], paper.m["first_screen"]["nav"]["top"]);
}

// Names as long as an attacker makes them, and text written to break out of HTML.
TEST_F(ReportLayout, HostileAndLongNamesAt1400And800) {
  report::ReportInput in = fixture_input();
  auto& inc = in.incident->incident;
  const std::string long_name =
      "payments-reconciliation-worker-with-a-very-long-generated-name-7f9c4d6b5-x2x9q";
  const std::string container = "containerd-shim-runc-v2-sidecar-injector-mutatingwebhook";
  inc.title = std::string("Long title ") + kHostile + " " + long_name;
  inc.timeline[0].text = kHostile;
  inc.timeline[1].text = "arn:aws:iam::111122223333:role/" + long_name + " assumed " + container;
  for (auto& a : inc.affected) {
    a.name = a.name + "-" + long_name;
    a.why = "container " + container + " in " + long_name + " " + kHostile;
  }
  inc.affected[0].name = kHostile;
  for (auto& e : inc.entities) e.name = e.name + "-" + long_name;
  inc.entities[0].name = kHostile;
  // Few enough relations that the graph labels its edges, one of them far too long to.
  inc.links.resize(8);
  inc.links[0].relation = kHostile;
  inc.links[1].relation = "bound cluster-admin to the service account of";
  for (auto& c : inc.criteria)
    for (auto& ev : c.evidence)
      ev.file = "/srv/ir/evidence-bundle-" + long_name + "/k8s-audit/" + container + "/" + ev.file;
  in.notes[0].text = std::string("impact: ") + kHostile;
  in.journal[0].target = kHostile;
  in.journal[0].argv = {"kubectl", "annotate", "pod", long_name, "eksir/contained=" + container};
  fs::path html = write(in, "hostile");

  for (int width : {1400, 800}) {
    Measured got = measure(chromium_, html, "hostile", width);
    ASSERT_TRUE(got.problem.empty()) << got.problem;
    expect_clean_layout(got.m, "hostile names at " + std::to_string(width) + " px");
  }
  std::string page = slurp(html);
  EXPECT_EQ(page.find("<script>document"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
}

// Containment months after the attack: the axis is broken, and both sides name their date.
TEST_F(ReportLayout, ContainmentMonthsLaterDatesBothSidesOfTheBreak) {
  report::ReportInput in = fixture_input();
  in.journal[0].started = parse_time("2026-07-02T10:15:00Z");
  in.journal[0].finished = parse_time("2026-07-02T10:15:04Z");
  in.incident->incident.links.resize(6);  // the graph labels its edges
  fs::path html = write(in, "months-later");

  for (int width : {1400, 800}) {
    Measured got = measure(chromium_, html, "months-later", width);
    ASSERT_TRUE(got.problem.empty()) << got.problem;
    expect_clean_layout(got.m, "months later at " + std::to_string(width) + " px");
    const json& chart = drawing(got.m, "chart");
    ASSERT_TRUE(chart.is_object());
    // The ticks left and right of the break, in the order drawn: a date on each side.
    const std::regex date(R"(2026-03-14|03-14|Mar 14)"), later(R"(2026-07-02|07-02|Jul 2)");
    bool before = false, after = false;
    for (const auto& t : chart["ticks"]) {
      std::string text = t["text"];
      before = before || std::regex_search(text, date);
      after = after || std::regex_search(text, later);
    }
    EXPECT_TRUE(before) << "no date on the incident's side of the break: " << chart["ticks"];
    EXPECT_TRUE(after) << "no date on the containment's side of the break: " << chart["ticks"];
  }
}

// The probe sees what it looks for: overflow, a broken word, overlapping and cut labels, small
// text. Without this, a probe that measured nothing would pass every test above.
TEST_F(ReportLayout, ProbeSeesOverflowBrokenWordsAndOverlaps) {
  fs::path html = artifacts() / "layout-bad.html";
  std::ofstream(html)
      << "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'sha256-AAAA'\"><title>bad</title></head><body>"
         "<div style=\"width:200px\"><code style=\"white-space:nowrap\">"
         "a-path-far-too-long-for-its-two-hundred-pixel-box/and/more/and/more</code></div>"
         "<table style=\"width:60px\"><tr><td style=\"overflow-wrap:anywhere\">container "
         "2026-03-14T08:47:20Z</td></tr></table>"
         "<svg class=\"chart\" viewBox=\"0 0 2000 100\" style=\"width:400px\">"
         "<text x=\"10\" y=\"50\" font-size=\"30\">08:45</text>"
         "<text x=\"20\" y=\"55\" font-size=\"30\">08:50</text>"
         "<text x=\"1990\" y=\"50\" font-size=\"30\">edge</text></svg>"
         "<svg class=\"graph\" viewBox=\"0 0 200 100\" style=\"width:200px\">"
         "<g class=\"node\"><rect x=\"0\" y=\"0\" width=\"50\" height=\"20\"/>"
         "<text x=\"2\" y=\"14\">a-name-wider-than-the-box…</text></g></svg>"
         "</body></html>\n";
  Measured got = measure(chromium_, html, "bad", 800);
  ASSERT_TRUE(got.problem.empty()) << got.problem;
  const json& m = got.m;
  EXPECT_FALSE(m["overflow"]["elements"].empty()) << m["overflow"].dump(1);
  EXPECT_FALSE(m["broken"]["words"].empty()) << m["broken"].dump(1);
  EXPECT_FALSE(m["broken"]["times"].empty()) << m["broken"].dump(1);
  const json& chart = drawing(m, "chart");
  EXPECT_EQ(chart["overlaps"].size(), 1u) << chart.dump(1);
  EXPECT_EQ(chart["outside"].size(), 1u) << chart.dump(1);
  EXPECT_FALSE(chart["smallFonts"].empty()) << chart.dump(1);
  const json& graph = drawing(m, "graph");
  EXPECT_EQ(graph["labelsOutsideBox"].size(), 1u) << graph.dump(1);
  EXPECT_EQ(graph["truncated"].size(), 1u) << graph.dump(1);
}

}  // namespace
}  // namespace eksir
