// `eksir investigate`: one scan for every rule, the snapshot and its checks, the correlation,
// the case written in one transaction, and the summary; over evidence files or a store.
#include <fmt/format.h>

#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>

#include "app/app.h"
#include "app/evidence.h"
#include "app/policy.h"
#include "app/steps.h"
#include "backend/backend.h"
#include "incident/incident.h"
#include "report/report.h"
#include "sources/sources.h"
#include "store/store.h"
#include "util/json_writer.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"
#include "util/write_file.h"

namespace eksir::app {
namespace {

namespace fs = std::filesystem;

struct State {
  State(const InvestigateCommand& c, std::ostream& o, std::ostream& e)
      : cmd(c), options(c.options), out(o), err(e) {}
  const InvestigateCommand& cmd;
  incident::InvestigateOptions options;
  std::ostream& out;
  std::ostream& err;
  std::optional<backend::StoreScan> store;  // --on
  bool store_failed = false;
  incident::RunInfo run;
  PolicyFile policy;  // defaults without --config
  // While the rules load, a core that would be idle starts hashing the evidence.
  std::optional<sources::DigestAhead> ahead;
  rules::LoadResult loaded;
  std::string builtin_missing;  // the built-in pack was asked for and not found there
  incident::Investigated investigated;
  std::string dir;
  std::unique_ptr<store::Case> kase;
  store::RunRecord rec;
  // The reports render on a thread of their own: it parses the incident while the run is saved,
  // then reads the rest of the case from the store once the run is there.
  std::string report_error;
  bool report_ok = true;
  std::vector<std::string> reports_written;
  std::promise<bool> saved;
  std::jthread reporter;
  std::string json_error;
};

StepResult open_store(State& s) {
  if (s.cmd.on.empty()) return next();
  std::string error;
  s.store = backend::investigate_scan(s.cmd.on, error);
  if (!s.store) {
    s.err << "eksir investigate: " << error << "\n";
    return stop(2);
  }
  s.options.scan = s.store->scan;
  s.options.source = s.cmd.on;
  return next();
}

StepResult check_inputs(State& s) {
  incident::RunInfo& info = s.run;
  info.started = util::now_ns();
  info.tool_version = EKSIR_VERSION;
  info.operator_name = store::operator_name();
  std::error_code cwd_error;
  info.cwd = fs::current_path(cwd_error).string();  // plans find relative inputs from here
  info.rule_paths = s.cmd.rule_paths;
  if (s.options.evidence.empty() && !s.options.scan) {
    s.err << "eksir investigate: no evidence given\n";
    return stop(2);
  }
  if (!s.cmd.case_dir.empty())
    if (std::string why = store::check_case_dir(s.cmd.case_dir); !why.empty()) {
      s.err << "eksir investigate: -o " << why << "\n";
      return stop(2);
    }
  if (int rc = check_paths(s.err, "investigate", s.options.evidence, s.cmd.keep_going))
    return stop(rc);
  return next();
}

StepResult use_policy(State& s) {
  if (s.options.config.empty()) return next();
  std::optional<PolicyFile> file = read_policy(s.options.config, "investigate", s.err);
  if (!file) return stop(2);
  s.policy = std::move(*file);
  return next();
}

StepResult read_rules(State& s) {
  if (!s.options.evidence.empty()) s.ahead.emplace(s.options.evidence);
  if (int rc = load_rules(s.err, "investigate", s.cmd.rule_paths, s.cmd.builtin, s.cmd.quiet,
                          s.loaded, &s.builtin_missing))
    return stop(rc);
  return next();
}

StepResult scan(State& s) {
  incident::InvestigateOptions o = s.options;
  o.progress = o.progress && !s.cmd.quiet;
  s.investigated = incident::investigate(o, std::move(s.run), std::move(s.loaded.rules),
                                         s.policy.policy, s.ahead ? &*s.ahead : nullptr);
  // An incident from no rule at all reads as one where the rules found nothing: said in it.
  if (!s.builtin_missing.empty())
    s.investigated.investigation.incident.gaps.push_back(fmt::format(
        "the built-in rule pack was not found at {} (set EKSIR_RULES_DIR, or reinstall eksir): "
        "none of its rules ran, so what they would have found is missing from this incident and "
        "its severity",
        s.builtin_missing));
  if (!s.cmd.quiet)
    for (const auto& line : s.investigated.suppressions)
      s.err << "eksir investigate: " << util::visible(line) << "\n";
  return next();
}

StepResult open_case(State& s) {
  incident::Investigation& inv = s.investigated.investigation;
  s.dir = s.cmd.case_dir.empty() ? (fs::path(store::default_case_root()) / inv.incident.id).string()
                                 : s.cmd.case_dir;
  if (std::string why = store::check_case_dir(s.dir); !why.empty()) {
    s.err << "eksir investigate: " << why << "\n";
    return stop(2);
  }
  store::Status st;
  s.kase = store::Case::open(s.dir, true, st);
  if (!s.kase) {
    s.err << "eksir investigate: " << util::visible(st.error) << "\n";
    return stop(2);
  }
  store::CaseInfo ci = s.kase->info();
  inv.run.case_dir = s.dir;
  inv.run.case_id = ci.id.empty() ? inv.incident.id : ci.id;
  inv.run.finished = util::now_ns();
  return next();
}

// The run as the case records it: its findings, entities and timeline, each with its JSON.
void record_run(State& s, std::vector<std::string>& findings_json) {
  const incident::Investigation& inv = s.investigated.investigation;
  const incident::RunInfo& info = inv.run;
  store::RunRecord& rec = s.rec;
  rec.started = info.started;
  rec.finished = info.finished;
  rec.tool_version = info.tool_version;
  rec.operator_name = info.operator_name;
  rec.rule_sources.push_back(fmt::format("built-in pack ({} rules)", info.builtin_rules));
  for (const auto& p : s.cmd.rule_paths) rec.rule_sources.push_back(p);
  rec.policy_path = s.policy.path;
  rec.policy_sha256 = s.policy.sha256;
  rec.incident_id = inv.incident.id;
  rec.title = inv.incident.title;
  rec.severity = inv.incident.undetermined.empty()
                     ? std::string(util::severity_title(inv.incident.severity))
                     : "";
  findings_json.reserve(inv.findings.size());
  for (const auto& f : inv.findings) {
    findings_json.push_back(detect::finding_json(f));
    rec.findings.push_back({f.id, f.rule_id, std::string(rules::severity_name(f.severity)), f.title,
                            f.first_seen, f.last_seen, findings_json.back()});
  }
  for (const auto& e : inv.incident.entities) {
    util::JsonWriter j;
    j.open('{');
    j.kv("key", e.key);
    j.kv("kind", e.kind);
    j.kv("id", e.id);
    j.close('}');
    rec.entities.push_back({e.key, e.kind, e.name, e.ns, std::move(j.o)});
  }
  for (const auto& t : inv.incident.timeline) {
    util::JsonWriter j;
    j.open('{');
    j.kv("file", t.evidence.file);
    j.kv_num("line", static_cast<int64_t>(t.evidence.line));
    if (t.evidence.record) j.kv_num("record", static_cast<int64_t>(t.evidence.record));
    j.kv("event_id", t.evidence.event_id);
    j.kv("finding", t.evidence.finding);
    j.close('}');
    rec.timeline.push_back({t.time, std::string(incident::tag_name(t.tag)), t.text, t.source,
                            t.confidence, std::move(j.o)});
  }
}

StepResult save_case(State& s) {
  incident::Investigation& inv = s.investigated.investigation;
  std::vector<std::string> findings_json;
  record_run(s, findings_json);
  incident::add_inputs(s.investigated, s.options.evidence);
  for (const auto& i : inv.run.inputs) s.rec.inputs.push_back({i.path, i.sha256, i.size});
  // The run id is known only once saved; the document records it, so save in two steps within
  // the store's transaction: first compute the id the store will assign.
  inv.run.id = static_cast<int64_t>(s.kase->runs().size()) + 1;
  s.rec.incident_json = incident::to_json(inv, findings_json);
  if (s.cmd.reports)
    s.reporter = std::jthread(
        [&s, write = report::case_report_writer(), saved_run = s.saved.get_future()]() mutable {
          s.report_ok = write(s.dir, s.rec.incident_json, std::move(saved_run), s.report_error,
                              s.reports_written);
        });
  store::Status st = s.kase->save_run(s.rec);
  s.saved.set_value(static_cast<bool>(st));
  if (!st) {
    if (s.reporter.joinable()) s.reporter.join();
    s.err << "eksir investigate: " << util::visible(st.error) << "\n";
    return stop(2);
  }
  return next();
}

// Every file is written whole or not at all (util::write_file_atomic); only those written are
// named at the end.
StepResult write_outputs(State& s) {
  incident::Investigation& inv = s.investigated.investigation;
  s.json_error =
      util::write_file_atomic((fs::path(s.dir) / "incident.json").string(), s.rec.incident_json);
  if (s.cmd.format == "json") {
    s.out << s.rec.incident_json;
  } else if (s.cmd.format == "ecs") {
    s.out << incident::incident_ecs(inv);
  } else if (s.cmd.format == "ocsf") {
    s.out << incident::incident_ocsf(inv);
  } else {
    // The incident (saved above) keeps the placeholders: it does not depend on where the case is.
    incident::fill_in_next_steps(inv.incident, s.dir, s.options.evidence);
    incident::write_summary(inv, s.out, s.cmd.colour, s.cmd.width);
  }
  s.out.flush();
  if (s.reporter.joinable()) s.reporter.join();
  return next();
}

StepResult print_summary(State& s) {
  const incident::Investigation& inv = s.investigated.investigation;
  std::vector<std::string> written = {"case.db"};
  if (s.json_error.empty()) written.push_back("incident.json");
  for (const auto& r : s.reports_written) written.push_back(r);
  if (!s.cmd.quiet) {
    s.err << sources::scan_summary(
        "investigate", inv.run.stats,
        fmt::format("{} rules, {} findings, {} posture results, severity {}", inv.run.rules_loaded,
                    util::thousands(inv.findings.size()), inv.posture.size(),
                    inv.incident.undetermined.empty() ? util::severity_title(inv.incident.severity)
                                                      : "undetermined"),
        false);
    s.err << fmt::format("eksir investigate: case {} (run {}): {}\n", util::visible(s.dir),
                         s.rec.id, fmt::join(written, ", "));
  }
  bool write_failed = !s.json_error.empty() || !s.report_ok;
  if (!s.json_error.empty()) s.err << "eksir investigate: " << util::visible(s.json_error) << "\n";
  if (!s.report_ok)
    s.err << "eksir investigate: the report was not written: " << util::visible(s.report_error)
          << "\n";
  if (!s.out) s.err << "eksir investigate: cannot write the output (standard output)\n";
  if (write_failed || !s.out) return stop(2);
  if (int rc = check_evidence(s.err, "investigate", inv.run.stats, false)) return stop(rc);
  if (!inv.incident.undetermined.empty()) return stop(2);
  if (s.cmd.fail_on && inv.incident.severity >= *s.cmd.fail_on) return stop(1);
  return next();
}

// Whatever the steps did: the reports finished, and with --on what the store said.
void finish(State& s) {
  if (s.reporter.joinable()) s.reporter.join();
  if (!s.store) return;
  if (std::string failure = s.store->failure(); !failure.empty()) {
    s.err << fmt::format("eksir investigate: {}: {}\n", util::visible(s.cmd.on),
                         util::visible(failure));
    s.store_failed = true;
    return;
  }
  if (!s.cmd.quiet) s.err << s.store->summary();
}

}  // namespace

int investigate(const InvestigateCommand& cmd, std::ostream& out, std::ostream& err) {
  State s(cmd, out, err);
  int rc = run_steps(s,
                     {open_store, check_inputs, use_policy, read_rules, scan, open_case, save_case,
                      write_outputs, print_summary},
                     finish);
  return s.store_failed ? 2 : rc;
}

}  // namespace eksir::app
