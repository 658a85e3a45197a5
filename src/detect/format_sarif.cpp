// SARIF 2.1.0 from the same finding list as JSON: one result per finding, through the one SARIF
// writer (util/sarif.h) posture's results use too.
#include <fmt/format.h>

#include <map>
#include <ostream>

#include "detect/detect.h"
#include "util/json_writer.h"
#include "util/sarif.h"

namespace eksir::detect {

double security_severity(Severity s) {
  return util::sarif::security_severity(rules::severity_name(s));
}

void write_sarif(const std::vector<Finding>& findings, const std::vector<rules::Rule>& rules,
                 std::ostream& out) {
  std::map<std::string, const rules::Rule*> by_id;
  for (const auto& r : rules) by_id[r.id] = &r;
  std::map<std::string, size_t> index;
  std::vector<util::sarif::Rule> log_rules;
  for (const auto& f : findings) {
    if (!index.emplace(f.rule_id, log_rules.size()).second) continue;
    auto it = by_id.find(f.rule_id);
    const rules::Rule* r = it == by_id.end() ? nullptr : it->second;
    util::sarif::Rule lr;
    lr.id = f.rule_id;
    lr.name = f.rule_title;
    lr.short_text = f.rule_title;
    std::string desc = r ? r->description : f.rule_title;
    lr.full_text = desc.empty() ? f.rule_title : desc;
    lr.severity = rules::severity_name(r ? r->severity : f.severity);
    util::JsonWriter tags;
    std::vector<std::string> t = {"security"};
    for (const auto& a : f.attack) t.push_back("attack." + a);
    tags.kv_list("tags", t);
    lr.properties_before = std::move(tags.o);
    log_rules.push_back(std::move(lr));
  }
  std::vector<util::sarif::Result> results;
  results.reserve(findings.size());
  for (const Finding& f : findings) {
    util::sarif::Result res;
    res.rule_id = f.rule_id;
    res.severity = rules::severity_name(f.severity);
    std::string subject;
    for (const auto& [k, v] : f.subject)
      subject += fmt::format("{}{}={}", subject.empty() ? "" : ", ", k, v);
    res.message = fmt::format("{}{}{} ({} event{}, {} to {})", f.title, subject.empty() ? "" : ": ",
                              subject, f.count, f.count == 1 ? "" : "s", format_time(f.first_seen),
                              format_time(f.last_seen));
    util::JsonWriter loc;
    for (const auto& e : f.evidence) {
      loc.item();
      loc.open('{');
      loc.key("physicalLocation");
      loc.open('{');
      loc.key("artifactLocation");
      loc.open('{');
      loc.kv("uri", util::sarif::uri(e.file));
      loc.close('}');
      if (e.line) {
        loc.key("region");
        loc.open('{');
        loc.kv_num("startLine", static_cast<int64_t>(e.line));
        loc.close('}');
      }
      loc.close('}');
      loc.close('}');
    }
    res.locations = std::move(loc.o);
    util::JsonWriter fp;
    fp.kv("eksirFinding/v1", f.id);
    res.fingerprints = std::move(fp.o);
    util::JsonWriter props;
    props.kv("security-severity", fmt::format("{:.1f}", security_severity(f.severity)));
    props.kv("severity", rules::severity_name(f.severity));
    props.kv_num("count", static_cast<int64_t>(f.count));
    props.kv("first_seen", format_time(f.first_seen));
    props.kv("last_seen", format_time(f.last_seen));
    if (f.sample) props.kv_bool("sample", true);
    res.properties = std::move(props.o);
    results.push_back(std::move(res));
  }
  out << util::sarif::log(log_rules, results);
}

}  // namespace eksir::detect
