// The evidence commands: hunt, detect, collect, investigate and load.
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <iostream>

#include "cli/commands.h"
#include "incident/incident.h"
#include "util/visible.h"

namespace eksir::cli {

bool hunt_filters(std::string_view command, hunt::HuntOptions& o, const HuntFilters& c) {
  if (!c.source.empty()) {
    o.only = parse_source(c.source);
    if (!o.only) {
      std::cerr << fmt::format(
          "eksir {}: unknown --source '{}' (cloudtrail, k8s_audit, guardduty, falco, ocsf, "
          "vulnerability)\n",
          command, util::visible(c.source));
      return false;
    }
  }
  if (!c.sort.empty()) {
    auto order = hunt::parse_order(c.sort);
    if (!order) {
      std::cerr << fmt::format("eksir {}: --sort must be time or evidence, not '{}'\n", command,
                               util::visible(c.sort));
      return false;
    }
    o.order = *order;
  }
  return time_window(command, c.since, c.until, o.since, o.until);
}

void HuntCli::add(CLI::App& root) {
  sub_ = root.add_subcommand(
      "hunt", "Search every event of the evidence with a KQL query (ECS or native field names)");
  sub_->add_option(
          "query", options_.query,
          "KQL query, e.g. 'event.provider:\"eks.amazonaws.com\" and event.action:Delete*'")
      ->required();
  sub_->add_option("evidence", options_.evidence,
                   "Evidence files or folders (read recursively, plain or gzip)");
  sub_->add_option("--on", on_,
                   "Search a ClickHouse store filled by `eksir load` instead of files: "
                   "clickhouse://HOST:PORT/DB");
  sub_->add_option("--case", case_arg_,
                   "Search the evidence files a case was investigated from (its latest run), "
                   "warning of any gone or changed since");
  sub_->add_flag(
      "--pin", pin_.pin,
      "With --case: also put every match on the case's timeline ([ANALYST] in the report)");
  note_ = sub_->add_option("--note", pin_.note, "With --pin: why these records matter");
  author_ = sub_->add_option("--author", pin_.author,
                             "With --pin: who pins them (default: $EKSIR_OPERATOR, else login)");
  max_ = sub_->add_option("--max", pin_.max,
                          "With --pin: pin nothing when more records than this match (default 50)");
  sub_->add_option("--since", filters_.since,
                   "Only events at or after this time (ISO 8601) or duration before now (24h, 7d)");
  sub_->add_option("--until", filters_.until,
                   "Only events before this time or duration before now");
  sub_->add_option("--source", filters_.source,
                   "Only events of one source: cloudtrail, k8s_audit, guardduty, falco, ocsf, "
                   "vulnerability");
  sub_->add_option("--format", format_,
                   "Output: table, json, ndjson (each record as in the evidence) or csv")
      ->capture_default_str();
  sub_->add_option("--fields", fields_csv_,
                   "Comma-separated fields to show instead of the default columns");
  sub_->add_option(
      "--sort", filters_.sort,
      "Row order: time (oldest first; the default for table) or evidence (as read; the "
      "default for json, ndjson and csv)");
  sub_->add_flag("--keep-duplicates", options_.keep_duplicates,
                 "Show every export of a record (S3 object and lookup-events, audit log and "
                 "filter-log-events...), not the first alone");
  sub_->add_option("--limit", options_.limit,
                   "Only this many matches: the first in the output's order");
  sub_->add_flag("--count", options_.count_only, "Print only the number of matches");
  sub_->add_flag("--strict", options_.strict, "Exit 2 if any record or file had to be skipped");
  sub_->add_flag("--no-prefilter", no_prefilter_,
                 "Parse every record, also the lines that cannot hold a match (the same matches; "
                 "the summary counts every event)");
  add_keep_going_option(sub_, options_.keep_going);
  add_threads_option(sub_, options_.threads);
  sub_->add_flag("-q,--quiet", output_.quiet, "No summary on stderr");
}

int HuntCli::run(const Terminal& out) {
  output_.width = out.width;
  output_.colour = out.colour;
  if (!fields_csv_.empty()) {
    size_t start = 0;
    while (start <= fields_csv_.size()) {
      size_t comma = fields_csv_.find(',', start);
      std::string f =
          fields_csv_.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!f.empty()) options_.fields.push_back(f);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  options_.prefilter = !no_prefilter_;
  auto f = hunt::parse_format(format_);
  if (!f) {
    std::cerr << "eksir hunt: --format must be table, json, ndjson or csv\n";
    return 2;
  }
  options_.format = *f;
  if (!hunt_filters("hunt", options_, filters_)) return 2;
  if (!pin_.pin)
    for (const CLI::Option* opt : {note_, max_, author_})
      if (opt->count()) {
        std::cerr << "eksir hunt: " << opt->get_name() << " goes with --pin\n";
        return 2;
      }
  std::ios::sync_with_stdio(false);
  return app::hunt({std::move(options_), case_arg_, on_, pin_, output_}, std::cout, std::cerr);
}

void DetectCli::add(CLI::App& root) {
  sub_ = root.add_subcommand(
      "detect", "Run the rule packs and alert mappings over the evidence: findings out");
  sub_->add_option("evidence", cmd_.options.evidence,
                   "Evidence files or folders (read recursively, plain or gzip)");
  sub_->add_option("--on", cmd_.on,
                   "Run on a ClickHouse store filled by `eksir load` instead of files: "
                   "clickhouse://HOST:PORT/DB");
  sub_->add_option("--rules", cmd_.rule_paths,
                   "Rule files or folders (YAML) to run besides the built-in pack");
  sub_->add_flag("--no-builtin", no_builtin_, "Do not load the built-in rule pack");
  sub_->add_option("--config", cmd_.config,
                   "Organisation policy (eksir.yaml): its suppressions hide findings, counted");
  sub_->add_option("--min-severity", min_severity_,
                   "Only findings at or above: critical, high, medium, low, info")
      ->capture_default_str();
  sub_->add_option("--fail-on", fail_on_, "Exit 1 when a finding is at or above this severity");
  sub_->add_option("--format", format_,
                   "Output: table, json, ndjson, sarif, ecs (an Elastic _bulk body of alert "
                   "documents) or ocsf (OCSF Detection Findings, one per line)")
      ->capture_default_str();
  sub_->add_option("--since", since_,
                   "Only events at or after this time (ISO 8601) or duration before now (24h, 7d)");
  sub_->add_option("--until", until_, "Only events before this time or duration before now");
  add_keep_going_option(sub_, cmd_.keep_going);
  add_threads_option(sub_, cmd_.options.threads);
  add_memory_option(sub_, cmd_.options.memory);
  sub_->add_flag("--no-prefilter", no_prefilter_,
                 "Parse every record, also the lines that hold none of the rules' words (the "
                 "same findings; the summary counts every event)");
  sub_->add_flag("-q,--quiet", cmd_.quiet, "No summary on stderr");
}

int DetectCli::run(const Terminal& out) {
  cmd_.builtin = !no_builtin_;
  cmd_.width = out.width;
  cmd_.colour = out.colour;
  detect::DetectOptions& o = cmd_.options;
  o.prefilter = !no_prefilter_;
  auto f = detect::parse_format(format_);
  if (!f) {
    std::cerr << "eksir detect: --format must be table, json, ndjson, sarif, ecs or ocsf\n";
    return 2;
  }
  cmd_.format = *f;
  auto sev = rules::parse_severity(min_severity_);
  if (!sev) {
    std::cerr << "eksir detect: --min-severity must be critical, high, medium, low or info\n";
    return 2;
  }
  o.min_severity = *sev;
  if (!fail_on_.empty()) {
    cmd_.fail_on = rules::parse_severity(fail_on_);
    if (!cmd_.fail_on) {
      std::cerr << "eksir detect: --fail-on must be critical, high, medium, low or info\n";
      return 2;
    }
  }
  if (!time_window("detect", since_, until_, o.since, o.until)) return 2;
  std::ios::sync_with_stdio(false);
  return app::detect(std::move(cmd_), std::cout, std::cerr);
}

void CollectCli::add(CLI::App& root) {
  collect::CollectOptions& collect = cmd_.options;
  sub_ = root.add_subcommand(
      "collect", "Gather a live cluster's and account's evidence into a hashed bundle (read-only)");
  sub_->add_option("--cluster", collect.cluster, "EKS cluster name");
  sub_->add_option("--region", collect.region, "AWS region of the cluster");
  sub_->add_option("--since", collect.since,
                   "Window start: ISO 8601 time or duration before now (24h, 7d)")
      ->capture_default_str();
  sub_->add_option("--until", collect.until,
                   "Window end: time or duration before now (default: now)");
  sub_->add_option("--namespace", collect.namespaces,
                   "Only this namespace (repeatable; default: all namespaces)");
  sub_->add_option("--profile", collect.profile, "AWS CLI profile");
  sub_->add_option("-o,--out", collect.out_dir, "New or empty folder for the bundle");
  sub_->add_option("--endpoint-url", collect.endpoint_url,
                   "Endpoint URL passed to every aws command");
  sub_->add_option("--aws", collect.aws, "aws CLI program (default: $EKSIR_AWS, else aws on PATH)");
  sub_->add_option("--kubectl", collect.kubectl,
                   "kubectl program (default: $EKSIR_KUBECTL, else kubectl on PATH)");
  sub_->add_option("--kubeconfig", collect.kubeconfig, "kubeconfig file passed to kubectl");
  sub_->add_option("--context", collect.context, "kubeconfig context passed to kubectl");
  sub_->add_option("--config", collect.config,
                   "Organisation policy (eksir.yaml) for the checks that choose pods for logs");
  sub_->add_option("--logs-min-severity", collect.logs_min_severity,
                   "Collect logs of pods with a posture result at or above this severity")
      ->capture_default_str();
  sub_->add_option("--max-pod-logs", collect.max_pod_logs, "Collect logs of at most this many pods")
      ->capture_default_str();
  sub_->add_option("--page-items", collect.page_items,
                   "Write CloudTrail and audit logs in files of this many items (0: one file)")
      ->capture_default_str();
  sub_->add_option("--timeout", collect.timeout_seconds, "Seconds each command may run")
      ->capture_default_str();
  sub_->add_option("--verify", cmd_.verify_dir,
                   "Re-hash the bundle in this folder against its manifest (exit 1 on a mismatch)");
  sub_->add_flag("-q,--quiet", collect.quiet, "No line per command on stderr");
  auto* verify = sub_->add_subcommand("verify", "Re-hash a bundle against its manifest");
  verify->add_option("dir", cmd_.verify_dir, "The bundle folder")->required();
}

int CollectCli::run(const Terminal&) {
  return app::collect(cmd_, std::cout, std::cerr);
}

void InvestigateCli::add(CLI::App& root) {
  sub_ = root.add_subcommand(
      "investigate",
      "The main job: read every source, run all rules and posture checks, build the incident "
      "(severity, timeline, scope) and write the case");
  sub_->add_option("evidence", cmd_.options.evidence,
                   "Evidence files or folders: events of every source and cluster snapshots, mixed "
                   "(with --on: local evidence besides the store, e.g. a snapshot folder)");
  sub_->add_option("--on", cmd_.on,
                   "Read the events from ClickHouse (clickhouse://HOST:PORT/DB, see "
                   "docs/clickhouse.md) instead of event files");
  sub_->add_option("-o,--case", cmd_.case_dir,
                   "Case directory (created or added to; default: $EKSIR_CASES or ./eksir-cases, "
                   "then the incident id)");
  sub_->add_option("--config", cmd_.options.config,
                   "Organisation policy (eksir.yaml, see docs/config.md)");
  sub_->add_option("--format", cmd_.format,
                   "Output: text, json (the incident JSON contract), ecs (an Elastic _bulk body: "
                   "the incident and its findings as alerts) or ocsf (the incident's findings as "
                   "OCSF Detection Findings)")
      ->check(CLI::IsMember({"text", "json", "ecs", "ocsf"}))
      ->capture_default_str();
  sub_->add_option("--rules", cmd_.rule_paths,
                   "Rule files or folders to run besides the built-in pack");
  sub_->add_flag("--no-builtin", no_builtin_, "Do not load the built-in rule pack");
  sub_->add_flag("--no-report", no_report_, "Do not write report.md and report.html");
  sub_->add_option("--since", since_, "Only events at or after this time or duration before now");
  sub_->add_option("--until", until_, "Only events before this time or duration before now");
  sub_->add_option("--fail-on", fail_on_,
                   "Exit 1 when the incident is at or above: critical, high, medium, low");
  add_keep_going_option(sub_, cmd_.keep_going);
  add_threads_option(sub_, cmd_.options.threads);
  add_memory_option(sub_, cmd_.options.memory);
  sub_->add_flag("-q,--quiet", cmd_.quiet, "No scan summary on stderr");
}

int InvestigateCli::run(const Terminal& out) {
  cmd_.width = out.width;
  cmd_.colour = out.colour;
  cmd_.builtin = !no_builtin_;
  cmd_.reports = !no_report_;
  cmd_.options.progress = isatty(STDERR_FILENO);
  if (!fail_on_.empty()) {
    cmd_.fail_on = incident::parse_level(fail_on_);
    if (!cmd_.fail_on) {
      std::cerr << "eksir investigate: --fail-on: expected critical, high, medium or low\n";
      return 2;
    }
  }
  if (!time_window("investigate", since_, until_, cmd_.options.since, cmd_.options.until)) return 2;
  return app::investigate(cmd_, std::cout, std::cerr);
}

void LoadCli::add(CLI::App& root) {
  sub_ = root.add_subcommand(
      "load", "Load evidence into ClickHouse for hunt/detect --on (see docs/clickhouse.md)");
  sub_->add_option("evidence", options_.evidence,
                   "Evidence files or folders (read recursively, plain or gzip)")
      ->required();
  sub_->add_option("--to", options_.to,
                   "clickhouse://HOST:PORT/DB, or clickhouse://H1:P1,H2:P2/DB?cluster=NAME")
      ->required();
  sub_->add_option("--batch-mb", options_.batch_bytes, "Megabytes of rows per INSERT")
      ->transform([](std::string s) {
        unsigned mb = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), mb);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || mb == 0 || mb > 4096)
          throw CLI::ValidationError("--batch-mb", "a number of megabytes from 1 to 4096");
        return std::to_string(static_cast<uint64_t>(mb) << 20);
      });
  add_threads_option(sub_, options_.threads);
  sub_->add_flag("--strict", options_.strict, "Exit 2 if any record or file had to be skipped");
  sub_->add_flag("-q,--quiet", options_.quiet, "No summary on stderr");
}

int LoadCli::run(const Terminal&) {
  return app::load(options_, std::cout, std::cerr);
}

}  // namespace eksir::cli
