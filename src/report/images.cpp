// The vulnerable images of the incident (affected entries of kind image, docs/incident-json.md)
// as the report lists them, and what the root cause says of them: an image a workload of the
// incident was exploited through is the entry point; the others are conditions.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "report/model.h"

namespace eksir::report {

namespace {

std::string attribute(const Affected& a, std::string_view key) {
  for (const auto& [k, v] : a.attributes)
    if (k == key) return v;
  return {};
}

std::string trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= s.size();) {
    size_t at = s.find(sep, start);
    std::string part = trim(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (!part.empty()) out.push_back(std::move(part));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// "path/to/file:line" as an evidence reference.
EvidenceRef record_ref(const std::string& record, const std::string& scanner) {
  EvidenceRef r;
  r.source = scanner.empty() ? "vulnerability scan" : scanner;
  size_t colon = record.rfind(':');
  uint64_t line = 0;
  if (colon != std::string::npos && colon + 1 < record.size()) {
    auto [end, ec] =
        std::from_chars(record.data() + colon + 1, record.data() + record.size(), line);
    if (ec == std::errc() && end == record.data() + record.size()) {
      r.file = record.substr(0, colon);
      r.line = line;
      return r;
    }
  }
  r.file = record;
  return r;
}

// One fix as the incident writes it: "PACKAGE INSTALLED -> FIXED (ID, ...)".
struct Fix {
  std::string package, installed, fixed;
  std::vector<std::string> ids;
};

std::vector<Fix> parse_fixes(std::string_view fixes) {
  std::vector<Fix> out;
  for (const auto& item : split(fixes, ';')) {
    Fix f;
    std::string rest = item;
    if (size_t open = rest.rfind(" ("); open != std::string::npos && rest.back() == ')') {
      f.ids = split(std::string_view(rest).substr(open + 2, rest.size() - open - 3), ',');
      rest = trim(rest.substr(0, open));
    }
    size_t arrow = rest.find(" -> ");
    if (arrow == std::string::npos) continue;  // "no fix"
    std::string left = trim(rest.substr(0, arrow));
    f.fixed = trim(rest.substr(arrow + 4));
    size_t space = left.rfind(' ');
    f.package = space == std::string::npos ? left : left.substr(0, space);
    f.installed = space == std::string::npos ? "" : left.substr(space + 1);
    out.push_back(std::move(f));
  }
  return out;
}

// The vulnerability a workload was most likely exploited through: the first with an exploit
// available (the incident lists the worst first), else the first.
std::string likely_cve(const VulnerableImage& i) {
  for (const auto& id : i.vulnerabilities)
    if (std::find(i.exploit_available.begin(), i.exploit_available.end(), id) !=
        i.exploit_available.end())
      return id;
  if (!i.exploit_available.empty()) return i.exploit_available.front();
  return i.vulnerabilities.empty() ? std::string() : i.vulnerabilities.front();
}

// "log4j-core 2.14.1 (fixed in 2.17.1)" for the fix of cve; "" when the incident names none.
std::string package_text(const VulnerableImage& i, const std::string& cve) {
  auto fixes = parse_fixes(i.fixes);
  const Fix* fix = nullptr;
  for (const auto& f : fixes)
    if (!fix && std::find(f.ids.begin(), f.ids.end(), cve) != f.ids.end()) fix = &f;
  if (!fix && fixes.size() == 1 && fixes.front().ids.empty()) fix = &fixes.front();
  if (!fix) return {};
  std::string out = fix->package;
  if (!fix->installed.empty()) out += " " + fix->installed;
  out += fix->fixed.empty() || fix->fixed == "no fix" ? " (no fixed version known)"
                                                      : " (fixed in " + fix->fixed + ")";
  return out;
}

std::string runs_in(const VulnerableImage& i) {
  if (i.workloads.empty()) return "";
  return ", which " + join(i.workloads) + (i.workloads.size() == 1 ? " runs" : " run");
}

}  // namespace

std::string joined_text(const VulnerableImage& i) {
  if (i.joined_by == "digest") return "by digest" + (i.digest.empty() ? "" : " " + i.digest);
  if (i.joined_by == "tag") return "by tag only: the digest the pod runs is not known";
  return i.joined_by.empty() ? "not known" : i.joined_by;
}

std::string vulnerabilities_text(const VulnerableImage& i) {
  std::string vulns = join_list(i.vulnerabilities);
  if (!i.max_severity.empty()) vulns += " (worst " + i.max_severity + ")";
  return vulns;
}

std::string exploit_text(const VulnerableImage& i) {
  std::string exploit = i.exploit_available.empty() ? "none known" : join_list(i.exploit_available);
  if (i.exploited) exploit += " — exploited: a workload running it shows exploitation";
  return exploit;
}

std::vector<VulnerableImage> vulnerable_images(const std::vector<Affected>& affected) {
  std::vector<VulnerableImage> out;
  for (const auto& a : affected) {
    if (a.kind != "image") continue;
    VulnerableImage i;
    i.vulnerabilities = split(attribute(a, "vulnerabilities"), ',');
    if (i.vulnerabilities.empty()) continue;
    i.name = a.name.empty() ? a.id : a.name;
    i.digest = attribute(a, "digest");
    i.joined_by = attribute(a, "joined_by");
    i.workloads = split(attribute(a, "workloads"), ',');
    i.exploit_available = split(attribute(a, "exploit_available"), ',');
    i.max_severity = attribute(a, "max_severity");
    i.fixes = attribute(a, "fixes");
    i.scanner = attribute(a, "scanner");
    std::string record = attribute(a, "record");
    if (!record.empty()) i.record = record_ref(record, i.scanner);
    i.exploited = attribute(a, "exploited") == "true";
    out.push_back(std::move(i));
  }
  // Exploited first, then by how bad.
  std::stable_sort(out.begin(), out.end(), [](const VulnerableImage& a, const VulnerableImage& b) {
    auto rank = [](const VulnerableImage& i) {
      return std::pair(i.exploited ? 0 : 1, i.max_severity == "CRITICAL" ? 0 : 1);
    };
    return rank(a) < rank(b);
  });
  return out;
}

std::vector<Statement> image_entry_points(const std::vector<VulnerableImage>& images) {
  std::vector<Statement> out;
  for (const auto& i : images) {
    if (!i.exploited) continue;
    std::string cve = likely_cve(i), package = package_text(i, cve);
    // The vulnerability and the exploitation are each shown by a record; that one came through
    // the other is inferred.
    out.push_back(
        {"hypothesis",
         fmt::format("Entry point: exploitation of {}{} in image {}{} — a runtime alert shows the "
                     "workload exploited, and {} reports an exploit available{}",
                     cve.empty() ? "a vulnerability" : cve, package.empty() ? "" : " in " + package,
                     i.name, runs_in(i), i.scanner.empty() ? "the scanner" : i.scanner,
                     i.vulnerabilities.size() > 1
                         ? fmt::format(" (the image has {} critical or high vulnerabilities: {})",
                                       i.vulnerabilities.size(), join(i.vulnerabilities))
                         : ""),
         "High", i.record});
  }
  return out;
}

std::vector<Statement> image_conditions(const std::vector<VulnerableImage>& images) {
  std::vector<Statement> out;
  for (const auto& i : images) {
    if (i.exploited) continue;
    if (out.size() == 5) {
      out.push_back({"fact", "More vulnerable images are listed under Impact", "", {}});
      break;
    }
    std::string cve = likely_cve(i), package = package_text(i, cve);
    out.push_back(
        {"fact",
         fmt::format("Contributing condition: image {}{} carries {}{}{} — not shown "
                     "exploited",
                     i.name, i.workloads.empty() ? "" : runs_in(i) + ",", join(i.vulnerabilities),
                     package.empty() ? "" : " (" + cve + " in " + package + ")",
                     i.exploit_available.empty()
                         ? ""
                         : ", with an exploit available for " + join(i.exploit_available)),
         "High", i.record});
  }
  return out;
}

}  // namespace eksir::report
