// `eksir posture`: snapshot + policy -> checks -> table, JSON or SARIF, and a summary on stderr.
#include <fmt/format.h>

#include <optional>
#include <ostream>

#include "app/app.h"
#include "app/steps.h"
#include "cluster/cluster.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

struct State {
  State(const PostureOptions& o, std::ostream& out, std::ostream& err)
      : opts(o), out(out), err(err) {}
  const PostureOptions& opts;
  std::ostream& out;
  std::ostream& err;
  cluster::Severity min = cluster::Severity::Info;
  std::optional<cluster::Severity> fail_on;
  cluster::Policy policy;
  cluster::Snapshot snap;
  std::vector<std::string> admins;
  std::vector<cluster::Finding> shown;
};

StepResult check_options(State& s) {
  auto min = cluster::parse_severity(s.opts.min_severity);
  if (!min) {
    s.err << "eksir posture: --min-severity must be info, low, medium, high or critical\n";
    return stop(2);
  }
  s.min = *min;
  if (!s.opts.fail_on.empty() && !(s.fail_on = cluster::parse_severity(s.opts.fail_on))) {
    s.err << "eksir posture: --fail-on must be info, low, medium, high or critical\n";
    return stop(2);
  }
  if (s.opts.format != "table" && s.opts.format != "json" && s.opts.format != "sarif") {
    s.err << "eksir posture: --format must be table, json or sarif\n";
    return stop(2);
  }
  return next();
}

StepResult read_policy(State& s) {
  if (s.opts.config.empty()) return next();
  cluster::PolicyResult pr = cluster::load_policy(s.opts.config);
  if (!pr.ok()) {
    for (const auto& e : pr.errors) s.err << "eksir posture: " << util::visible(e) << "\n";
    return stop(2);
  }
  s.policy = std::move(pr.policy);
  return next();
}

StepResult read_snapshot(State& s) {
  s.snap = cluster::read_posture_snapshot(s.opts.snapshot);
  if (s.snap.objects == 0) {
    for (const auto& k : s.snap.skips)
      s.err << "eksir posture: skipped " << util::visible(k.message()) << "\n";
    s.err << "eksir posture: no Kubernetes or EKS objects could be read\n";
    return stop(2);
  }
  return next();
}

StepResult check(State& s) {
  s.shown = cluster::posture_results(cluster::run_checks(s.snap, s.policy, &s.admins), s.min);
  return next();
}

StepResult print_results(State& s) {
  if (s.opts.format == "json")
    s.out << cluster::format_json(s.shown, s.snap, s.policy, s.admins);
  else if (s.opts.format == "sarif")
    s.out << cluster::format_sarif(s.shown);
  else
    cluster::format_table(s.out, s.shown, s.opts.width, s.opts.colour);
  return next();
}

// Every line on stderr starts "eksir posture: ", as every command's do; a list under one is
// indented.
StepResult print_summary(State& s) {
  if (s.opts.quiet) return next();
  uint64_t exempted = 0;
  for (const auto& f : s.shown) exempted += f.exempted;
  s.err << fmt::format(
      "eksir posture: {} files, {} objects ({} of kinds no check reads), {} results ({} "
      "exempted EKS system components)\n",
      s.snap.files, s.snap.objects, s.snap.other, s.shown.size(), exempted);
  if (!s.admins.empty()) {
    s.err << "eksir posture: cluster-admin holders:\n";
    for (const auto& a : s.admins) s.err << "  " << util::visible(a) << "\n";
  }
  for (const auto& p : s.policy.suppressions)
    s.err << fmt::format(
        "eksir posture: suppression {} ({}): {} {}{}\n", util::visible(p.rule),
        util::visible(p.reason), p.hits, p.hits == 1 ? "finding hidden" : "findings hidden",
        p.expired ? fmt::format(" — EXPIRED {}, not applied", util::visible(p.expires))
                  : std::string());
  for (const auto& k : s.snap.skips)
    s.err << "eksir posture: skipped " << util::visible(k.message()) << "\n";
  if (s.snap.vulnerability_records == 0)
    s.err << "eksir posture: no image scan results given: no check of the images' known "
             "vulnerabilities (give Amazon Inspector or ECR scan findings, or Trivy / Grype "
             "reports, with the snapshot)\n";
  else
    s.err << fmt::format("eksir posture: image scan results: {} records, {} critical or high\n",
                         s.snap.vulnerability_records, s.snap.vulnerabilities.size());
  return next();
}

StepResult fail_on(State& s) {
  if (s.fail_on)
    for (const auto& f : s.shown)
      if (!f.exempted && f.severity >= *s.fail_on) return stop(1);
  return next();
}

}  // namespace

int posture(const PostureOptions& opts, std::ostream& out, std::ostream& err) {
  State s(opts, out, err);
  return run_steps(
      s, {check_options, read_policy, read_snapshot, check, print_results, print_summary, fail_on});
}

}  // namespace eksir::app
