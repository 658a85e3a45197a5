// Posture: the snapshot with the image scans beside it, the results as shown, and the table, JSON
// and SARIF of them (all from one finding list).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>

#include "cluster/cluster.h"
#include "util/colour.h"
#include "util/json_writer.h"
#include "util/sarif.h"
#include "util/table.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::cluster {
namespace {

std::string resource(const Finding& f) {
  return f.ns.empty() ? fmt::format("{}/{}", f.kind, f.name)
                      : fmt::format("{}/{}/{}", f.kind, f.ns, f.name);
}

}  // namespace

std::string format_json(const std::vector<Finding>& findings, const Snapshot& snap,
                        const Policy& policy, const std::vector<std::string>& cluster_admins) {
  util::JsonWriter j;
  j.open('{');
  j.key("results");
  j.open('[');
  std::map<Severity, uint64_t> by_sev;
  uint64_t exempted = 0;
  for (const Finding& f : findings) {
    j.item();
    j.open('{');
    j.kv("check", f.check);
    j.kv("severity", severity_name(f.severity));
    j.kv("kind", f.kind);
    j.kv("namespace", f.ns);
    j.kv("name", f.name);
    j.kv("field", f.field);
    j.kv("message", f.message);
    j.kv("why", f.why);
    j.kv_bool("exempted", f.exempted);
    j.close('}');
    if (f.exempted)
      ++exempted;
    else
      ++by_sev[f.severity];
  }
  j.close(']');
  j.key("summary");
  j.open('{');
  j.kv_num("results", static_cast<int64_t>(findings.size()));
  j.kv_num("exempted", static_cast<int64_t>(exempted));
  j.key("by_severity");
  j.open('{');
  for (Severity s :
       {Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info})
    j.kv_num(severity_name(s), static_cast<int64_t>(by_sev[s]));
  j.close('}');
  j.kv_num("files", static_cast<int64_t>(snap.files));
  j.kv_num("objects", static_cast<int64_t>(snap.objects));
  j.kv_num("other_objects", static_cast<int64_t>(snap.other));
  j.kv_list("cluster_admins", cluster_admins);
  j.key("skipped");
  j.open('[');
  for (const auto& s : snap.skips) {
    j.item();
    j.open('{');
    j.kv("file", s.file);
    j.kv_num("line", static_cast<int64_t>(s.line));
    j.kv("reason", s.reason);
    j.kv("detail", s.detail);
    j.close('}');
  }
  j.close(']');
  j.key("suppressed");
  j.open('[');
  for (const auto& s : policy.suppressions) {
    j.item();
    j.open('{');
    j.kv("rule", s.rule);
    j.kv("reason", s.reason);
    j.kv_num("hits", static_cast<int64_t>(s.hits));
    j.kv("expires", s.expires);
    j.kv_bool("expired", s.expired);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.close('}');
  j.raw("\n");
  return std::move(j.o);
}

std::string format_sarif(const std::vector<Finding>& findings) {
  std::vector<std::string_view> used;
  for (const auto& f : findings)
    if (std::find(used.begin(), used.end(), f.check) == used.end()) used.push_back(f.check);
  std::vector<util::sarif::Rule> rules;
  for (std::string_view id : used) {
    const CheckInfo& ci = check_info(id);
    util::sarif::Rule r;
    r.id = std::string(id);
    r.short_text = ci.title;
    r.full_text = ci.why;
    r.severity = severity_name(ci.severity);
    util::JsonWriter after;
    after.kv("anchors", ci.anchors);
    r.properties_after = std::move(after.o);
    rules.push_back(std::move(r));
  }
  std::vector<util::sarif::Result> results;
  results.reserve(findings.size());
  for (const Finding& f : findings) {
    util::sarif::Result r;
    r.rule_id = f.check;
    r.severity = severity_name(f.severity);
    r.message = f.message + (f.exempted ? " (exempted: EKS system component)" : "");
    util::JsonWriter loc;
    loc.open('{');
    loc.key("logicalLocations");
    loc.open('[');
    loc.item();
    loc.open('{');
    loc.kv("fullyQualifiedName", resource(f) + ":" + f.field);
    loc.kv("name", f.field);
    loc.kv("kind", "resource");
    loc.close('}');
    loc.close(']');
    loc.close('}');
    r.locations = std::move(loc.o);
    util::JsonWriter props;
    props.kv("severity", severity_name(f.severity));
    props.kv("security-severity",
             fmt::format("{:.1f}", util::sarif::security_severity(severity_name(f.severity))));
    props.kv("kind", f.kind);
    props.kv("namespace", f.ns);
    props.kv("name", f.name);
    props.kv("field", f.field);
    props.kv_bool("exempted", f.exempted);
    r.properties = std::move(props.o);
    results.push_back(std::move(r));
  }
  return util::sarif::log(rules, results);
}

void format_table(std::ostream& out, const std::vector<Finding>& findings, size_t width,
                  bool colour) {
  util::TableWriter t(out, {"SEVERITY", "CHECK", "RESOURCE", "FIELD", "MESSAGE"}, width);
  t.set_colour(colour);
  // An exempted EKS system component is not the responder's to act on: dim, whatever its level.
  t.colour_column(0, [](std::string_view sev) {
    return sev.ends_with("(exempt)") ? util::sgr::kDim : util::severity_sgr(sev);
  });
  for (const auto& f : findings)
    t.add({std::string(severity_name(f.severity)) + (f.exempted ? " (exempt)" : ""), f.check,
           resource(f), f.field, f.message});
  t.finish();
}

Snapshot read_posture_snapshot(const std::vector<std::string>& paths) {
  Snapshot snap;
  // One read of the inputs: image scan results beside the snapshot (Inspector, ECR, Trivy,
  // Grype) are evidence files and read as such; the files the scan passes over are the snapshot.
  sources::ScanOptions so;
  so.threads = 1;
  so.progress = false;
  so.max_recorded_skips = SIZE_MAX;  // every passed-over file: the snapshot is read from them
  const sources::ScanStats scanned = sources::scan(
      paths, so,
      [&](const EventView& ev, sources::ChunkOutput&) {
        if (ev.source != Source::Vulnerability) return;
        ++snap.vulnerability_records;
        if (auto v = image_vulnerability(ev); v && v->rank() >= 3)
          snap.vulnerabilities.push_back(std::move(*v));
      },
      [](std::vector<std::string>&) { return true; });
  const std::vector<std::string> snapshot_files = sources::passed_over_files(scanned);
  load_snapshot(snapshot_files, snap);
  // Evidence the scan could not read (a damaged line of a scan report) is said, as the
  // snapshot's own skips are.
  for (const auto& s : scanned.skips)
    if (!std::binary_search(snapshot_files.begin(), snapshot_files.end(), s.file))
      snap.skips.push_back(s);
  return snap;
}

std::vector<Finding> posture_results(std::vector<Finding> all, Severity min) {
  std::vector<Finding> shown;
  shown.reserve(all.size());
  for (auto& f : all)
    if (f.severity >= min) shown.push_back(std::move(f));
  // Most severe first; exempted EKS system components after everything else.
  std::stable_sort(shown.begin(), shown.end(), [](const Finding& a, const Finding& b) {
    if (a.exempted != b.exempted) return b.exempted;
    return a.severity > b.severity;
  });
  return shown;
}

}  // namespace eksir::cluster
