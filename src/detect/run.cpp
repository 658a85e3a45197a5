// `eksir detect`: load the rules, scan once, write the findings.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <thread>

#include "detect/detect.h"
#include "rules/elastic.h"
#include "sources/sources.h"
#include "util/text.h"

namespace eksir::detect {
namespace {

std::string severity_counts(const std::vector<Finding>& findings, bool json) {
  uint64_t n[5] = {0, 0, 0, 0, 0};
  for (const auto& f : findings) ++n[static_cast<int>(f.severity)];
  std::string out;
  for (int s = 4; s >= 0; --s) {
    auto name = rules::severity_name(static_cast<Severity>(s));
    if (json)
      out += fmt::format("{}\"{}\":{}", out.empty() ? "" : ",", name, n[s]);
    else if (n[s])
      out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n[s], name);
  }
  return out;
}

}  // namespace

int run(const DetectOptions& o, std::ostream& out, std::ostream& err) {
  rules::LoadResult loaded;
  if (o.builtin) {
    std::string dir = rules::builtin_rules_dir();
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec))
      loaded = rules::load_paths({dir});
    else
      err << fmt::format("eksir detect: warning: built-in rule pack not found at {}\n", dir);
  }
  if (!o.rule_paths.empty()) {
    // Elastic TOML rules: a .toml file, or a folder holding .toml files (beside any YAML).
    std::vector<std::string> yaml_paths, elastic_paths;
    for (const auto& p : o.rule_paths) {
      if (!rules::is_elastic_file(p)) yaml_paths.push_back(p);
      if (rules::has_elastic_rules(p)) elastic_paths.push_back(p);
    }
    if (!yaml_paths.empty()) loaded.merge(rules::load_paths(yaml_paths));
    if (!elastic_paths.empty()) {
      rules::ElasticLoad el = rules::load_elastic_paths(elastic_paths);
      if (!o.quiet && !el.skipped.empty()) {
        std::string by_type;
        for (const auto& [type, n] : el.skipped_by_type())
          by_type += fmt::format("{}{} {}", by_type.empty() ? "" : ", ", n, type);
        err << fmt::format(
            "eksir detect: {} Elastic rule{} skipped, not run ({}; see `eksir rules validate`)\n",
            el.skipped.size(), el.skipped.size() == 1 ? "" : "s", by_type);
      }
      size_t new_terms = 0;
      TimeNs shortest = 0, longest = 0;
      for (const auto& r : el.result.rules) {
        if (r.correlation.type != rules::CorrelationType::FirstSeen) continue;
        ++new_terms;
        TimeNs h = r.correlation.history;
        shortest = shortest == 0 ? h : std::min(shortest, h);
        longest = std::max(longest, h);
      }
      if (!o.quiet && new_terms)
        err << fmt::format(
            "eksir detect: {} Elastic new_terms rule{} run as first_seen: a value is reported as "
            "new only when the evidence covers the rule's history window ({}) before it; values "
            "first seen earlier are withheld, not reported\n",
            new_terms, new_terms == 1 ? "" : "s",
            shortest == longest
                ? rules::format_duration(longest)
                : rules::format_duration(shortest) + " to " + rules::format_duration(longest));
      loaded.merge(std::move(el.result));
    }
  }
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) err << "eksir detect: rule error: " << e.text() << "\n";
    err << fmt::format(
        "eksir detect: {} rule error{}; nothing was run (see `eksir rules validate`)\n",
        loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s");
    return 2;
  }
  if (!o.quiet && !loaded.warnings.empty())
    err << fmt::format("eksir detect: {} rule warning{} (see `eksir rules validate`)\n",
                       loaded.warnings.size(), loaded.warnings.size() == 1 ? "" : "s");

  sources::ScanOptions so;
  so.threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  so.since = o.since;
  so.until = o.until;
  so.progress = o.progress && !o.quiet;
  EngineOptions eo;
  eo.workers = so.threads;
  size_t rule_count = loaded.rules.size();
  Engine engine(std::move(loaded.rules), eo);

  auto on_event = [&](const EventView& ev, sources::ChunkOutput& chunk) {
    engine.on_event(ev, chunk.worker);
  };
  auto on_output = [](std::vector<std::string>&) { return true; };
  sources::ScanStats st = sources::scan(o.evidence, so, on_event, on_output);

  std::vector<Finding> all = engine.finish();
  std::vector<Finding> findings;
  for (auto& f : all)
    if (f.severity >= o.min_severity) findings.push_back(std::move(f));

  std::string summary = fmt::format(
      "{{\"files\":{},\"events\":{},\"bytes\":{},\"skipped\":{},\"rules\":{},\"findings\":{},"
      "\"below_min_severity\":{},"
      "\"by_severity\":{{{}}},\"seconds\":{:.3f}}}",
      st.files, st.events, st.bytes, st.skipped, rule_count, findings.size(),
      all.size() - findings.size(), severity_counts(findings, true), st.seconds);
  switch (o.format) {
    case Format::Json:
      write_json(findings, summary, out);
      break;
    case Format::Ndjson:
      write_ndjson(findings, out);
      break;
    case Format::Table:
      write_table(findings, out);
      break;
    case Format::Sarif:
      write_sarif(findings, engine.rules(), out);
      break;
  }
  out.flush();
  if (!o.quiet) {
    std::string counts = severity_counts(findings, false);
    sources::print_scan_summary(
        err, "detect", st,
        fmt::format("{} rules, {} findings{}", rule_count, util::thousands(findings.size()),
                    counts.empty() ? "" : " (" + counts + ")"),
        false);
  }
  if (int rc = sources::check_evidence(err, "detect", st, false)) return rc;
  if (o.fail_on)
    for (const auto& f : findings)
      if (f.severity >= *o.fail_on) return 1;
  return 0;
}

}  // namespace eksir::detect
