// SARIF 2.1.0 from the same finding list as JSON: one result per finding.
#include <fmt/format.h>

#include <map>
#include <ostream>

#include "detect/detect.h"
#include "util/sarif.h"
#include "util/text.h"

namespace eksir::detect {

double security_severity(Severity s) {
  return util::sarif::security_severity(rules::severity_name(s));
}

namespace {

std::string_view level(Severity s) {
  return util::sarif::level(rules::severity_name(s));
}

std::string text_obj(std::string_view s) {
  std::string o = "{\"text\":";
  util::append_json_string(o, s);
  return o + "}";
}

}  // namespace

void write_sarif(const std::vector<Finding>& findings, const std::vector<rules::Rule>& rules,
                 std::ostream& out) {
  std::map<std::string, const rules::Rule*> by_id;
  for (const auto& r : rules) by_id[r.id] = &r;
  std::map<std::string, size_t> index;
  std::vector<const Finding*> first_of_rule;
  for (const auto& f : findings)
    if (index.emplace(f.rule_id, first_of_rule.size()).second) first_of_rule.push_back(&f);

  std::string o =
      "{\"$schema\":\"https://json.schemastore.org/"
      "sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{";
  o += "\"tool\":{\"driver\":{\"name\":\"eksir\",\"version\":";
  util::append_json_string(o, EKSIR_VERSION);
  o += ",\"rules\":[";
  for (size_t i = 0; i < first_of_rule.size(); ++i) {
    const Finding& f = *first_of_rule[i];
    auto it = by_id.find(f.rule_id);
    const rules::Rule* r = it == by_id.end() ? nullptr : it->second;
    if (i) o += ',';
    o += "{\"id\":";
    util::append_json_string(o, f.rule_id);
    o += ",\"name\":";
    util::append_json_string(o, f.rule_title);
    o += ",\"shortDescription\":" + text_obj(f.rule_title);
    std::string desc = r ? r->description : f.rule_title;
    o += ",\"fullDescription\":" + text_obj(desc.empty() ? f.rule_title : desc);
    Severity sev = r ? r->severity : f.severity;
    o += fmt::format(",\"defaultConfiguration\":{{\"level\":\"{}\"}}", level(sev));
    o += ",\"properties\":{\"tags\":[\"security\"";
    for (const auto& t : f.attack) {
      o += ',';
      util::append_json_string(o, "attack." + t);
    }
    o += fmt::format("],\"security-severity\":\"{:.1f}\"}}}}", security_severity(sev));
  }
  o += "]}},\"results\":[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i) o += ',';
    o += "{\"ruleId\":";
    util::append_json_string(o, f.rule_id);
    o += fmt::format(",\"ruleIndex\":{},\"level\":\"{}\",\"message\":", index[f.rule_id],
                     level(f.severity));
    std::string subject;
    for (const auto& [k, v] : f.subject)
      subject += fmt::format("{}{}={}", subject.empty() ? "" : ", ", k, v);
    o += text_obj(fmt::format("{}{}{} ({} event{}, {} to {})", f.title, subject.empty() ? "" : ": ",
                              subject, f.count, f.count == 1 ? "" : "s", format_time(f.first_seen),
                              format_time(f.last_seen)));
    o += ",\"locations\":[";
    for (size_t j = 0; j < f.evidence.size(); ++j) {
      const auto& e = f.evidence[j];
      if (j) o += ',';
      o += "{\"physicalLocation\":{\"artifactLocation\":{\"uri\":";
      util::append_json_string(o, util::sarif::uri(e.file));
      o += "}";
      if (e.line) o += fmt::format(",\"region\":{{\"startLine\":{}}}", e.line);
      o += "}}";
    }
    o += "],\"partialFingerprints\":{\"eksirFinding/v1\":";
    util::append_json_string(o, f.id);
    o += fmt::format(
        "}},\"properties\":{{\"security-severity\":\"{:.1f}\",\"severity\":\"{}\",\"count\":{}",
        security_severity(f.severity), rules::severity_name(f.severity), f.count);
    o += ",\"first_seen\":";
    util::append_json_string(o, format_time(f.first_seen));
    o += ",\"last_seen\":";
    util::append_json_string(o, format_time(f.last_seen));
    if (f.sample) o += ",\"sample\":true";
    o += "}}";
  }
  o += "]}]}\n";
  out << o;
}

}  // namespace eksir::detect
