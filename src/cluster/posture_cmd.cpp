// eksir posture: snapshot + policy -> checks -> table, JSON or SARIF (all from one finding list).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <ostream>

#include "cluster/cluster.h"
#include "util/colour.h"
#include "util/sarif.h"
#include "util/table.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::cluster {
namespace {

using util::append_json_string;

std::string resource(const Finding& f) {
  return f.ns.empty() ? fmt::format("{}/{}", f.kind, f.name)
                      : fmt::format("{}/{}/{}", f.kind, f.ns, f.name);
}

double security_severity(Severity s) {
  return util::sarif::security_severity(severity_name(s));
}

std::string_view sarif_level(Severity s) {
  return util::sarif::level(severity_name(s));
}

void field(std::string& o, std::string_view key, std::string_view value, bool comma = true) {
  if (comma) o += ',';
  append_json_string(o, key);
  o += ':';
  append_json_string(o, value);
}

}  // namespace

std::string format_json(const std::vector<Finding>& findings, const Snapshot& snap,
                        const Policy& policy, const std::vector<std::string>& cluster_admins) {
  std::string o = "{\"results\":[";
  std::map<Severity, uint64_t> by_sev;
  uint64_t exempted = 0;
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i) o += ',';
    o += '{';
    field(o, "check", f.check, false);
    field(o, "severity", severity_name(f.severity));
    field(o, "kind", f.kind);
    field(o, "namespace", f.ns);
    field(o, "name", f.name);
    field(o, "field", f.field);
    field(o, "message", f.message);
    field(o, "why", f.why);
    o += fmt::format(",\"exempted\":{}}}", f.exempted ? "true" : "false");
    if (f.exempted)
      ++exempted;
    else
      ++by_sev[f.severity];
  }
  o += fmt::format("],\"summary\":{{\"results\":{},\"exempted\":{},\"by_severity\":{{",
                   findings.size(), exempted);
  bool first = true;
  for (Severity s :
       {Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info}) {
    o += fmt::format("{}\"{}\":{}", first ? "" : ",", severity_name(s), by_sev[s]);
    first = false;
  }
  o += fmt::format("}},\"files\":{},\"objects\":{},\"other_objects\":{},\"cluster_admins\":[",
                   snap.files, snap.objects, snap.other);
  for (size_t i = 0; i < cluster_admins.size(); ++i) {
    if (i) o += ',';
    append_json_string(o, cluster_admins[i]);
  }
  o += "],\"skipped\":[";
  for (size_t i = 0; i < snap.skips.size(); ++i) {
    const auto& s = snap.skips[i];
    if (i) o += ',';
    o += '{';
    field(o, "file", s.file, false);
    o += fmt::format(",\"line\":{}", s.line);
    field(o, "reason", s.reason);
    field(o, "detail", s.detail);
    o += '}';
  }
  o += "],\"suppressed\":[";
  for (size_t i = 0; i < policy.suppressions.size(); ++i) {
    const auto& s = policy.suppressions[i];
    if (i) o += ',';
    o += '{';
    field(o, "rule", s.rule, false);
    field(o, "reason", s.reason);
    o += fmt::format(",\"hits\":{}", s.hits);
    field(o, "expires", s.expires);
    o += fmt::format(",\"expired\":{}}}", s.expired ? "true" : "false");
  }
  o += "]}}\n";
  return o;
}

std::string format_sarif(const std::vector<Finding>& findings) {
  std::string o =
      "{\"$schema\":\"https://json.schemastore.org/"
      "sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":{"
      "\"driver\":{\"name\":\"eksir\",\"informationUri\":\"https://github.com/"
      "\",\"version\":\"" EKSIR_VERSION "\",\"rules\":[";
  std::vector<std::string_view> used;
  for (const auto& f : findings)
    if (std::find(used.begin(), used.end(), f.check) == used.end()) used.push_back(f.check);
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < used.size(); ++i) {
    const CheckInfo& ci = check_info(used[i]);
    index[used[i]] = i;
    if (i) o += ',';
    o += '{';
    field(o, "id", used[i], false);
    o += ",\"shortDescription\":{";
    field(o, "text", ci.title, false);
    o += "},\"fullDescription\":{";
    field(o, "text", ci.why, false);
    o += fmt::format(
        "}},\"defaultConfiguration\":{{\"level\":\"{}\"}},\"properties\":{{\"security-severity\":"
        "\"{:.1f}\"",
        sarif_level(ci.severity), security_severity(ci.severity));
    field(o, "anchors", ci.anchors);
    o += "}}";
  }
  o += "]}},\"results\":[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i) o += ',';
    o += '{';
    field(o, "ruleId", f.check, false);
    o += fmt::format(",\"ruleIndex\":{},\"level\":\"{}\",\"message\":{{", index[f.check],
                     sarif_level(f.severity));
    field(o, "text", f.message + (f.exempted ? " (exempted: EKS system component)" : ""), false);
    o += "},\"locations\":[{\"logicalLocations\":[{";
    field(o, "fullyQualifiedName", resource(f) + ":" + f.field, false);
    field(o, "name", f.field);
    field(o, "kind", "resource");
    o += "}]}],\"properties\":{";
    field(o, "severity", severity_name(f.severity), false);
    o += fmt::format(",\"security-severity\":\"{:.1f}\"", security_severity(f.severity));
    field(o, "kind", f.kind);
    field(o, "namespace", f.ns);
    field(o, "name", f.name);
    field(o, "field", f.field);
    o += fmt::format(",\"exempted\":{}}}}}", f.exempted ? "true" : "false");
  }
  o += "]}]}\n";
  return o;
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

int run_posture(const PostureOptions& opts, std::ostream& out, std::ostream& err) {
  auto min = parse_severity(opts.min_severity);
  if (!min) {
    err << "eksir posture: --min-severity must be info, low, medium, high or critical\n";
    return 2;
  }
  std::optional<Severity> fail_on;
  if (!opts.fail_on.empty() && !(fail_on = parse_severity(opts.fail_on))) {
    err << "eksir posture: --fail-on must be info, low, medium, high or critical\n";
    return 2;
  }
  if (opts.format != "table" && opts.format != "json" && opts.format != "sarif") {
    err << "eksir posture: --format must be table, json or sarif\n";
    return 2;
  }
  Policy policy;
  if (!opts.config.empty()) {
    PolicyResult pr = load_policy(opts.config);
    if (!pr.ok()) {
      for (const auto& e : pr.errors) err << "eksir posture: " << util::visible(e) << "\n";
      return 2;
    }
    policy = std::move(pr.policy);
  }
  Snapshot snap;
  // One read of the inputs: image scan results beside the snapshot (Inspector, ECR, Trivy,
  // Grype) are evidence files and read as such; the files the scan passes over are the snapshot.
  sources::ScanOptions so;
  so.threads = 1;
  so.progress = false;
  so.max_recorded_skips = SIZE_MAX;  // every passed-over file: the snapshot is read from them
  const sources::ScanStats scanned = sources::scan(
      opts.snapshot, so,
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
  if (snap.objects == 0) {
    for (const auto& s : snap.skips)
      err << "eksir posture: skipped " << util::visible(s.message()) << "\n";
    err << "eksir posture: no Kubernetes or EKS objects could be read\n";
    return 2;
  }
  std::vector<std::string> admins;
  std::vector<Finding> all = run_checks(snap, policy, &admins);
  std::vector<Finding> shown;
  shown.reserve(all.size());
  for (auto& f : all)
    if (f.severity >= *min) shown.push_back(std::move(f));
  // Most severe first; exempted EKS system components after everything else.
  std::stable_sort(shown.begin(), shown.end(), [](const Finding& a, const Finding& b) {
    if (a.exempted != b.exempted) return b.exempted;
    return a.severity > b.severity;
  });

  if (opts.format == "json")
    out << format_json(shown, snap, policy, admins);
  else if (opts.format == "sarif")
    out << format_sarif(shown);
  else
    format_table(out, shown, opts.width, opts.colour);

  // Every line on stderr starts "eksir posture: ", as every command's do; a list under one is
  // indented.
  if (!opts.quiet) {
    uint64_t exempted = 0;
    for (const auto& f : shown) exempted += f.exempted;
    err << fmt::format(
        "eksir posture: {} files, {} objects ({} of kinds no check reads), {} results ({} "
        "exempted EKS system components)\n",
        snap.files, snap.objects, snap.other, shown.size(), exempted);
    if (!admins.empty()) {
      err << "eksir posture: cluster-admin holders:\n";
      for (const auto& a : admins) err << "  " << util::visible(a) << "\n";
    }
    for (const auto& s : policy.suppressions)
      err << fmt::format(
          "eksir posture: suppression {} ({}): {} {}{}\n", util::visible(s.rule),
          util::visible(s.reason), s.hits, s.hits == 1 ? "finding hidden" : "findings hidden",
          s.expired ? fmt::format(" — EXPIRED {}, not applied", util::visible(s.expires))
                    : std::string());
    for (const auto& s : snap.skips)
      err << "eksir posture: skipped " << util::visible(s.message()) << "\n";
    if (snap.vulnerability_records == 0)
      err << "eksir posture: no image scan results given: no check of the images' known "
             "vulnerabilities (give Amazon Inspector or ECR scan findings, or Trivy / Grype "
             "reports, with the snapshot)\n";
    else
      err << fmt::format("eksir posture: image scan results: {} records, {} critical or high\n",
                         snap.vulnerability_records, snap.vulnerabilities.size());
  }
  if (fail_on)
    for (const auto& f : shown)
      if (!f.exempted && f.severity >= *fail_on) return 1;
  return 0;
}

}  // namespace eksir::cluster
