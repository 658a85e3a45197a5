// The eksir command line: flags in, library calls out. No logic lives here.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <tuple>

#include "cluster/cluster.h"
#include "detect/detect.h"
#include "event/fields.h"
#include "hunt/hunt.h"

namespace {

// Reads --since/--until into bounds; prints the problem and returns false when one is unreadable.
bool time_window(std::string_view command, const std::string& since, const std::string& until,
                 eksir::TimeNs& from, eksir::TimeNs& to) {
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string error;
  for (auto [flag, text, bound] :
       {std::tuple{"--since", &since, &from}, std::tuple{"--until", &until, &to}}) {
    if (text->empty()) continue;
    *bound = eksir::hunt::parse_time_bound(*text, now, error);
    if (*bound == eksir::kNoTime) {
      std::cerr << "eksir " << command << ": " << flag << ": " << error << "\n";
      return false;
    }
  }
  return true;
}

int hunt_command(CLI::App& app, eksir::hunt::HuntOptions& o, const std::string& format,
                 const std::string& source, const std::string& since, const std::string& until) {
  (void)app;
  auto f = eksir::hunt::parse_format(format);
  if (!f) {
    std::cerr << "eksir hunt: --format must be table, json, ndjson or csv\n";
    return 2;
  }
  o.format = *f;
  if (!source.empty()) {
    o.only = eksir::parse_source(source);
    if (!o.only) {
      std::cerr << fmt::format(
          "eksir hunt: unknown --source '{}' (cloudtrail, k8s_audit, guardduty, falco, ocsf)\n",
          source);
      return 2;
    }
  }
  if (!time_window("hunt", since, until, o.since, o.until)) return 2;
  std::ios::sync_with_stdio(false);
  return eksir::hunt::run(o, std::cout, std::cerr);
}

int detect_command(eksir::detect::DetectOptions& o, const std::string& format,
                   const std::string& min_severity, const std::string& fail_on,
                   const std::string& since, const std::string& until) {
  auto f = eksir::detect::parse_format(format);
  if (!f) {
    std::cerr << "eksir detect: --format must be table, json, ndjson or sarif\n";
    return 2;
  }
  o.format = *f;
  auto sev = eksir::rules::parse_severity(min_severity);
  if (!sev) {
    std::cerr << "eksir detect: --min-severity must be critical, high, medium, low or info\n";
    return 2;
  }
  o.min_severity = *sev;
  if (!fail_on.empty()) {
    o.fail_on = eksir::rules::parse_severity(fail_on);
    if (!o.fail_on) {
      std::cerr << "eksir detect: --fail-on must be critical, high, medium, low or info\n";
      return 2;
    }
  }
  if (!time_window("detect", since, until, o.since, o.until)) return 2;
  std::ios::sync_with_stdio(false);
  return eksir::detect::run(o, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"eksir — incident response for Amazon EKS: read the evidence, find what happened."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("eksir ") + EKSIR_VERSION);

  eksir::hunt::HuntOptions hunt;
  std::string format = "table", source, since, until, fields_csv;
  auto* h = app.add_subcommand(
      "hunt", "Search every event of the evidence with a KQL query (ECS or native field names)");
  h->add_option("query", hunt.query,
                "KQL query, e.g. 'event.provider:\"eks.amazonaws.com\" and event.action:Delete*'")
      ->required();
  h->add_option("evidence", hunt.evidence,
                "Evidence files or folders (read recursively, plain or gzip)")
      ->required();
  h->add_option("--since", since,
                "Only events at or after this time (ISO 8601) or duration before now (24h, 7d)");
  h->add_option("--until", until, "Only events before this time or duration before now");
  h->add_option("--source", source,
                "Only events of one source: cloudtrail, k8s_audit, guardduty, falco, ocsf");
  h->add_option("--format", format,
                "Output: table, json, ndjson (each record as in the evidence) or csv")
      ->capture_default_str();
  h->add_option("--fields", fields_csv,
                "Comma-separated fields to show instead of the default columns");
  h->add_option("--limit", hunt.limit, "Stop after this many matches (in evidence order)");
  h->add_flag("--count", hunt.count_only, "Print only the number of matches");
  h->add_flag("--strict", hunt.strict, "Exit 2 if any record or file had to be skipped");
  h->add_option("--threads", hunt.threads, "Worker threads (default: all cores)");
  h->add_flag("-q,--quiet", hunt.quiet, "No summary on stderr");

  eksir::detect::DetectOptions detect;
  std::string d_format = "table", d_min = "info", d_fail, d_since, d_until;
  bool no_builtin = false;
  auto* d = app.add_subcommand(
      "detect", "Run the rule packs and alert mappings over the evidence: findings out");
  d->add_option("evidence", detect.evidence,
                "Evidence files or folders (read recursively, plain or gzip)")
      ->required();
  d->add_option("--rules", detect.rule_paths,
                "Rule files or folders (YAML) to run besides the built-in pack");
  d->add_flag("--no-builtin", no_builtin, "Do not load the built-in rule pack");
  d->add_option("--min-severity", d_min,
                "Only findings at or above: critical, high, medium, low, info")
      ->capture_default_str();
  d->add_option("--fail-on", d_fail, "Exit 1 when a finding is at or above this severity");
  d->add_option("--format", d_format, "Output: table, json, ndjson or sarif")
      ->capture_default_str();
  d->add_option("--since", d_since,
                "Only events at or after this time (ISO 8601) or duration before now (24h, 7d)");
  d->add_option("--until", d_until, "Only events before this time or duration before now");
  d->add_option("--threads", detect.threads, "Worker threads (default: all cores)");
  d->add_flag("-q,--quiet", detect.quiet, "No summary on stderr");

  auto* rl =
      app.add_subcommand("rules", "Inspect, lint and unit-test rules (default: the built-in pack)");
  rl->require_subcommand(1);
  std::vector<std::string> rule_paths;
  std::string rules_action;
  for (const char* action : {"list", "validate", "test"}) {
    const char* help = action == std::string("list") ? "List the rules"
                       : action == std::string("validate")
                           ? "Check rules for errors (exit 1 on any)"
                           : "Run every rule against its own test events";
    auto* sub = rl->add_subcommand(action, help);
    sub->add_option("paths", rule_paths, "Rule files or folders");
    sub->callback([&rules_action, action] { rules_action = action; });
  }

  eksir::cluster::PostureOptions posture;
  auto* ps = app.add_subcommand(
      "posture", "Posture checks over a cluster snapshot (kubectl -o json|yaml, aws eks JSON)");
  ps->add_option("snapshot", posture.snapshot, "Snapshot files or folders")->required();
  ps->add_option("--config", posture.config, "Organisation policy file (eksir.yaml)");
  ps->add_option("--format", posture.format, "Output: table, json or sarif")->capture_default_str();
  ps->add_option("--min-severity", posture.min_severity,
                 "Show results at or above: info, low, medium, high, critical")
      ->capture_default_str();
  ps->add_option("--fail-on", posture.fail_on,
                 "Exit 1 when a result (not exempted) is at or above this severity");
  ps->add_flag("-q,--quiet", posture.quiet, "No summary on stderr");

  bool fields_markdown = false;
  auto* fl = app.add_subcommand(
      "fields", "List the field names queries can use (ECS names and native paths)");
  fl->add_flag("--markdown", fields_markdown, "Print the table as Markdown (docs/fields.md)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (h->parsed()) {
    if (!fields_csv.empty()) {
      size_t start = 0;
      while (start <= fields_csv.size()) {
        size_t comma = fields_csv.find(',', start);
        std::string f = fields_csv.substr(
            start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!f.empty()) hunt.fields.push_back(f);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    return hunt_command(*h, hunt, format, source, since, until);
  }
  if (d->parsed()) {
    detect.builtin = !no_builtin;
    return detect_command(detect, d_format, d_min, d_fail, d_since, d_until);
  }
  if (ps->parsed()) return eksir::cluster::run_posture(posture, std::cout, std::cerr);
  if (rl->parsed())
    return eksir::detect::rules_command(rules_action, rule_paths, std::cout, std::cerr);
  if (fl->parsed()) {
    if (fields_markdown) {
      std::cout << eksir::fields_markdown();
      return 0;
    }
    for (const auto& f : eksir::field_table())
      std::cout << fmt::format("{:<55} {}\n", f.ecs, f.description);
    return 0;
  }
  return 2;
}
