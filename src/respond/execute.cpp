// Carrying out a phase's plan (`eksir respond`, app/respond.cpp): the run made ready (options,
// policy, case, plan, each step's fate), the context check, and one step run, skipped or the
// check overridden, each as the journal entry it makes.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cluster/cluster.h"
#include "command/command.h"
#include "respond/case_io.h"
#include "respond/context_check.h"
#include "respond/process.h"
#include "respond/respond.h"
#include "respond/resume.h"
#include "util/json_writer.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace eksir::respond {

namespace {

// The argv as it is executed: checked again by the grammar the plan was built with (a plan is
// data, and recovery's comes from the journal), then the configured program in argv[0] and, for
// aws, the endpoint override.
command::Argv exec_argv(const std::vector<std::string>& argv, const RespondOptions& o) {
  command::Argv a;
  a.error = command::validate(argv);
  if (!a.ok()) return a;
  a.words = argv;
  if (argv.front() == "aws") {
    a.words.front() = o.aws.empty() ? "aws" : o.aws;
    if (!o.endpoint_url.empty())
      a.words.insert(a.words.begin() + 1, "--endpoint-url=" + o.endpoint_url);
  } else {
    a.words.front() = o.kubectl.empty() ? "kubectl" : o.kubectl;
  }
  return a;
}

// Values the operator gave: a bad one is a usage error before anything is planned.
std::string operator_values(const PlanOptions& p, const std::string& endpoint_url) {
  if (!p.kube_context.empty())
    if (auto e = command::explain(command::Type::kube_context, p.kube_context, "--context");
        !e.empty())
      return e;
  if (!endpoint_url.empty())
    if (auto e = command::explain(command::Type::url, endpoint_url, "--endpoint-url"); !e.empty())
      return e;
  for (const auto& r : p.rebuilt_images) {
    std::string error;
    if (!parse_rebuilt_image(r.image + "=" + r.rebuilt, error))
      return "--rebuilt-image " + util::visible(r.image + "=" + r.rebuilt) + ": " + error;
  }
  return {};
}

// The policy's trusted CIDRs and CI/CD identities into the plan's options.
void use_policy(const cluster::Policy& policy, PlanOptions& po) {
  for (const auto& c : policy.trusted_cidrs) po.trusted_cidrs.push_back(c);
  po.cicd_identities = policy.cicd_identities;
}

// --config: loaded before the case is opened. False when it cannot be used; what it says goes to
// said, a line each.
bool given_policy(std::string_view command, const std::string& config, PlanOptions& po,
                  std::vector<std::string>& said) {
  if (config.empty()) return true;
  cluster::PolicyResult pr = cluster::load_policy(config);
  for (const auto& e : pr.errors)
    said.push_back(fmt::format("eksir {}: {}\n", command, util::visible(e)));
  if (!pr.ok()) return false;
  use_policy(pr.policy, po);
  return true;
}

// Without --config: the policy the case's latest run was investigated with, read again only when
// its SHA-256 is the one recorded then (a policy edited since would give another plan than the
// investigation's). False when it cannot be used (true also when the run had no policy); what it
// says goes to said, a line each.
bool recorded_policy(std::string_view command, const LoadedCase& lc, PlanOptions& po,
                     std::vector<std::string>& said) {
  if (!lc.store) return true;
  std::optional<store::RunRecord> run = lc.store->latest_run();
  if (!run || run->policy_path.empty()) return true;
  std::string path = util::visible(run->policy_path);
  cluster::PolicyResult pr = cluster::load_policy(run->policy_path);
  if (pr.sha256.empty()) {
    said.push_back(fmt::format(
        "eksir {}: the case was investigated with the policy {}, which cannot be read now; give "
        "--config FILE to {} with a policy\n",
        command, path, command));
    return false;
  }
  if (pr.sha256 != run->policy_sha256) {
    said.push_back(fmt::format(
        "eksir {}: the policy the case was investigated with, {}, has changed since (SHA-256 {} "
        "then, {} now); give --config FILE to {} with it as it is now\n",
        command, path, util::visible(run->policy_sha256), pr.sha256, command));
    return false;
  }
  for (const auto& e : pr.errors)
    said.push_back(fmt::format("eksir {}: {}\n", command, util::visible(e)));
  if (!pr.ok()) return false;
  said.push_back(fmt::format(
      "eksir {}: using the policy the case was investigated with: {} (SHA-256 {}, unchanged); "
      "--config FILE overrides it\n",
      command, path, pr.sha256.substr(0, 12)));
  use_policy(pr.policy, po);
  return true;
}

}  // namespace

LoadedCase load_case(const std::string& arg, bool create) {
  namespace fs = std::filesystem;
  LoadedCase lc;
  lc.dir = store::resolve_case(arg);
  std::error_code ec;
  bool has_db = fs::exists(fs::path(lc.dir) / "case.db", ec);
  bool has_file = fs::is_regular_file(fs::path(lc.dir) / "incident.json", ec);
  if (has_db || (create && has_file)) {
    store::Status st;
    lc.store = store::Case::open(lc.dir, !has_db && create, st);
    if (!lc.store) {
      lc.error = st.error;
      return lc;
    }
    // A database that cannot be read stops the command: incident.json may be older than it, and
    // the journal is what says what was done.
    lc.incident_json = lc.store->latest_incident_json(&st);
    if (st) lc.journal = lc.store->journal(&st);
    if (!st) {
      lc.error = st.error;
      lc.store.reset();
      return lc;
    }
  }
  // A case without an investigation run in its database (made from incident.json by respond).
  if (lc.incident_json.empty() && has_file) {
    std::ifstream in(fs::path(lc.dir) / "incident.json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    lc.incident_json = ss.str();
  }
  if (lc.incident_json.empty())
    lc.error = lc.dir + ": no investigation in this case (run eksir investigate EVIDENCE -o " +
               lc.dir + ")";
  return lc;
}

Execution prepare_execution(const RespondOptions& o) {
  Execution x;
  auto refuse = [&](std::string error) {
    x.refused = true;
    x.error = std::move(error);
    return std::move(x);
  };
  if (!o.only_step.empty())
    if (auto e = check_step_number(o.only_step, "--step"); !e.empty()) return refuse(e);
  std::vector<std::string> skip_refs = split_step_refs(o.skip);
  for (const auto& ref : skip_refs)
    if (auto e = check_step_number(ref, "--skip"); !e.empty()) return refuse(e);
  if (!o.reason.empty() && skip_refs.empty() && !o.force_context)
    return refuse("--reason goes with --skip or --force-context");
  if (auto e = operator_values(o.plan, o.endpoint_url); !e.empty()) return refuse(e);
  PlanOptions po = o.plan;
  if (!given_policy("respond", o.config, po, x.said)) return refuse("");  // said why
  LoadedCase lc = load_case(o.case_dir, o.execute);
  if (!lc.error.empty()) return refuse(lc.error);
  if (o.execute && !lc.store) return refuse(lc.dir + ": no case database to journal into");
  if (o.config.empty() && !recorded_policy("respond", lc, po, x.said))
    return refuse("");  // said why
  if (po.base_dir.empty()) po.base_dir = lc.dir;
  x.dir = lc.dir;
  x.store = std::move(lc.store);
  x.journal = std::move(lc.journal);
  x.phase = phase_name(o.phase);
  PlanResult pr = build_plan(lc.incident_json, o.phase, po, x.journal);
  if (!pr.ok()) return refuse(x.dir + ": " + pr.error);
  x.plan = std::move(pr.plan);
  const Plan& plan = x.plan;
  std::optional<size_t> only;
  std::set<size_t> to_skip;
  std::string error;
  if (!o.only_step.empty() && !(only = find_step(plan, o.only_step, "--step", error)))
    return refuse(error);
  for (const auto& ref : skip_refs) {
    auto i = find_step(plan, ref, "--skip", error);
    if (!i) return refuse(error);
    to_skip.insert(*i);
  }
  if (o.execute)
    if (auto st = x.store->save_plan(x.phase, plan_json(plan)); !st) return refuse(st.error);
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (only && i != *only) continue;
    const Step& s = plan.steps[i];
    StepTodo t;
    t.index = i;
    StepState state = step_state(x.journal, x.phase, s.id);
    t.done = state.done;
    t.last = state.last;
    bool named = only.has_value();  // --step runs a step that was skipped or failed before
    if (state.done)
      t.fate = Fate::done;
    else if (to_skip.count(i))
      t.fate = Fate::skip_now;
    else if (state.skipped() && !named)
      t.fate = Fate::skipped_before;
    else if (state.failed() && o.continue_after_failure && !named)
      t.fate = Fate::failed_before;
    if (t.fate == Fate::run) {
      command::Argv run = exec_argv(s.command.argv, o), capture;
      if (!s.capture.empty()) capture = exec_argv(s.capture.argv, o);
      t.why = s.blocked;
      if (t.why.empty() && !run.ok()) t.why = "unsafe to run: " + run.error;
      if (t.why.empty() && !capture.ok()) t.why = "unsafe to run (capture): " + capture.error;
      if (!t.why.empty()) t.fate = Fate::blocked;
      t.run = std::move(run.words);
      t.capture = std::move(capture.words);
    }
    if (t.fate == Fate::run)
      for (const Command* c : {&s.command, &s.capture})
        if (!c->argv.empty()) (c->argv.front() == "aws" ? x.uses_aws : x.uses_kubectl) = true;
    x.todo.push_back(std::move(t));
  }
  return x;
}

ContextCheck check_execution_context(const Execution& x, const RespondOptions& o) {
  if (!x.uses_kubectl && !x.uses_aws) return {};
  return check_context(x.plan, o.plan.kube_context, x.uses_kubectl, x.uses_aws,
                       [&](const std::vector<std::string>& argv) {
                         command::Argv a = exec_argv(argv, o);
                         if (!a.ok()) return ProcessResult{127, "", a.error};
                         return run_process(a.words, "");
                       });
}

namespace {

// The journal entry of a step of the run, begun now by the operator.
store::JournalEntry step_entry(const Execution& x, const Step& s) {
  store::JournalEntry e;
  e.phase = x.phase;
  e.step_id = s.id;
  e.action = s.action;
  e.target = s.target;
  e.operator_name = store::operator_name();
  e.started = util::now_ns();
  return e;
}

}  // namespace

StepRun run_step(const Execution& x, const StepTodo& t) {
  const Step& s = x.plan.steps[t.index];
  StepRun r;
  r.entry = step_entry(x, s);
  store::JournalEntry& e = r.entry;
  e.manifest = s.command.stdin_text;
  std::string captured;
  if (!t.capture.empty()) {
    ProcessResult c = run_process(t.capture, "");
    captured = c.out;
    if (c.exit_status != 0) {
      // Restoring needs the capture; for the others it is evidence, and its absence is noted.
      if (s.undo_from != UndoFrom::fixed) {
        r.capture_failed = true;
        e.argv = t.capture;
        e.exit_status = c.exit_status;
        e.stdout_text = c.out;
        e.stderr_text = c.err;
      } else {
        util::JsonWriter j;
        j.open('{');
        j.kv_num("capture_failed", c.exit_status);
        j.kv("stderr", c.err);
        j.close('}');
        captured = std::move(j.o);
      }
    }
  }
  if (!r.capture_failed) {
    Command undo = concrete_undo(s, captured);
    if (!undo.empty() && !command::validate(undo.argv).empty()) undo = {};
    util::JsonWriter j;  // members in the order of their names, as it has always been
    j.open('{');
    j.kv_list("argv", undo.argv);
    j.kv_bool("permanent", s.permanent);
    j.kv("stdin", undo.stdin_text);
    j.kv("text", s.undo_text);
    j.close('}');
    e.undo_json = std::move(j.o);
    e.argv = t.run;
    ProcessResult p = run_process(e.argv, s.command.stdin_text);
    e.exit_status = p.exit_status;
    e.stdout_text = std::move(p.out);
    e.stderr_text = std::move(p.err);
  }
  e.captured_state = captured;
  e.finished = util::now_ns();
  return r;
}

store::JournalEntry skip_entry(const Execution& x, const StepTodo& t, const std::string& reason) {
  store::JournalEntry e = step_entry(x, x.plan.steps[t.index]);
  e.kind = "skipped";
  e.reason = reason;
  e.finished = e.started;
  return e;
}

store::JournalEntry context_override_entry(const Execution& x, const ContextCheck& c,
                                           const std::string& reason) {
  store::JournalEntry e;
  e.kind = "override";
  e.phase = x.phase;
  e.step_id = x.phase + "/context-check";
  e.action = "Run although the kubectl context or AWS account is not the case's (--force-context)";
  for (const auto& p : c.problems) e.target += (e.target.empty() ? "" : "; ") + p;
  e.reason = reason;
  e.operator_name = store::operator_name();
  e.started = e.finished = util::now_ns();
  return e;
}

CasePlan plan_for_case(const std::string& case_dir, Phase phase, const PlanOptions& options,
                       const std::string& config) {
  CasePlan cp;
  if (auto e = operator_values(options, ""); !e.empty()) {
    cp.said.push_back("eksir plan: " + e + "\n");
    return cp;
  }
  PlanOptions po = options;
  if (!given_policy("plan", config, po, cp.said)) return cp;
  LoadedCase lc = load_case(case_dir, true);
  if (!lc.error.empty()) {
    cp.said.push_back("eksir plan: " + lc.error + "\n");
    return cp;
  }
  if (config.empty() && !recorded_policy("plan", lc, po, cp.said)) return cp;
  if (po.base_dir.empty()) po.base_dir = lc.dir;
  PlanResult pr = build_plan(lc.incident_json, phase, po, lc.journal);
  if (!pr.ok()) {
    cp.said.push_back("eksir plan: " + lc.dir + ": " + pr.error + "\n");
    return cp;
  }
  cp.ok = true;
  cp.dir = lc.dir;
  cp.store = std::move(lc.store);
  cp.plan = std::move(pr.plan);
  return cp;
}

}  // namespace eksir::respond
