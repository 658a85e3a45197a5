// `eksir respond`: the plan of one phase, dry-run unless --execute; with it, the kubectl context
// and the AWS account are checked against the case's, then every step is shown, confirmed, run
// (settings it overwrites captured first) and journaled; the first failure stops the run and says
// what is left and how to go on (--continue, --skip).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
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

// Output of a program, which may echo the evidence's names: each line made visible.
std::string visible_lines(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (!out.empty()) out += '\n';
    out += util::visible(text.substr(start, nl == std::string::npos ? nl : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string last_lines(const std::string& text, size_t max_lines = 6) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  size_t start = end, lines = 0;
  while (start > 0 && lines < max_lines) {
    --start;
    if (text[start] == '\n') ++lines;
  }
  if (start > 0 || (start < end && text[start] == '\n')) ++start;
  return text.substr(start, end - start);
}

// What the operator confirms: the argv exactly as they run (bash words), the rest made visible.
void print_step(std::ostream& out, int n, const Step& s, const command::Argv& capture,
                const command::Argv& run) {
  out << fmt::format("\n{:>2}. [{}] {}\n    target:   {}\n", n, s.kind, util::visible(s.action),
                     util::visible(s.target));
  if (!capture.words.empty()) out << "    capture:  " << command::shell_join(capture.words) << "\n";
  out << "    command:  " << command::shell_join(run.words) << "\n";
  if (!s.command.stdin_text.empty()) {
    std::istringstream lines(s.command.stdin_text);
    std::string line;
    out << "    stdin:\n";
    while (std::getline(lines, line)) out << "      " << util::visible(line) << "\n";
  }
  out << "    expected: " << util::visible(s.expected)
      << "\n    impact:   " << util::visible(s.impact) << "\n";
  if (!s.warning.empty()) out << "    WARNING:  " << util::visible(s.warning) << "\n";
}

std::string left_text(const Plan& plan, const std::vector<size_t>& left) {
  std::string out;
  for (size_t i : left)
    out += fmt::format("\n    {:>2}. {} — {}", i + 1, util::visible(plan.steps[i].action),
                       util::visible(plan.steps[i].target));
  return out;
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

Outcome carry_out(const RespondOptions& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (!o.only_step.empty())
    if (auto e = check_step_number(o.only_step, "--step"); !e.empty()) {
      err << "eksir respond: " << e << "\n";
      return Outcome::Refused;
    }
  std::vector<std::string> skip_refs = split_step_refs(o.skip);
  for (const auto& ref : skip_refs)
    if (auto e = check_step_number(ref, "--skip"); !e.empty()) {
      err << "eksir respond: " << e << "\n";
      return Outcome::Refused;
    }
  if (!o.reason.empty() && skip_refs.empty() && !o.force_context) {
    err << "eksir respond: --reason goes with --skip or --force-context\n";
    return Outcome::Refused;
  }
  if (auto e = operator_values(o.plan, o.endpoint_url); !e.empty()) {
    err << "eksir respond: " << e << "\n";
    return Outcome::Refused;
  }
  PlanOptions po = o.plan;
  std::vector<std::string> said;
  auto say = [&] {
    for (const auto& line : said) err << line;
    said.clear();
  };
  bool usable = given_policy("respond", o.config, po, said);
  say();
  if (!usable) return Outcome::Refused;
  LoadedCase lc = load_case(o.case_dir, o.execute);
  if (!lc.error.empty()) {
    err << "eksir respond: " << lc.error << "\n";
    return Outcome::Refused;
  }
  if (o.execute && !lc.store) {
    err << "eksir respond: " << lc.dir << ": no case database to journal into\n";
    return Outcome::Refused;
  }
  if (o.config.empty()) {
    usable = recorded_policy("respond", lc, po, said);
    say();
    if (!usable) return Outcome::Refused;
  }
  if (po.base_dir.empty()) po.base_dir = lc.dir;
  PlanResult pr = build_plan(lc.incident_json, o.phase, po, lc.journal);
  if (!pr.ok()) {
    err << "eksir respond: " << lc.dir << ": " << pr.error << "\n";
    return Outcome::Refused;
  }
  const Plan& plan = pr.plan;
  std::string phase(phase_name(o.phase));
  std::optional<size_t> only;
  std::set<size_t> to_skip;
  {
    std::string error;
    if (!o.only_step.empty() && !(only = find_step(plan, o.only_step, "--step", error))) {
      err << "eksir respond: " << error << "\n";
      return Outcome::Refused;
    }
    for (const auto& ref : skip_refs) {
      auto i = find_step(plan, ref, "--skip", error);
      if (!i) {
        err << "eksir respond: " << error << "\n";
        return Outcome::Refused;
      }
      to_skip.insert(*i);
    }
  }
  if (o.execute) {
    if (auto st = lc.store->save_plan(phase, plan_json(plan)); !st) {
      err << "eksir respond: " << st.error << "\n";
      return Outcome::Refused;
    }
  }
  out << fmt::format("{} plan for {} ({} steps){}\n", phase,
                     plan.incident_id.empty() ? lc.dir : plan.incident_id, plan.steps.size(),
                     o.execute ? "" : " — dry run: nothing is run or changed; add --execute");
  for (const auto& n : plan.notes) out << "note: " << util::visible(n) << "\n";

  // What becomes of each step, decided before anything runs: the context is checked only for
  // the programs the steps that run use.
  enum class Fate { run, done, skip_now, skipped_before, failed_before, blocked };
  struct Todo {
    size_t index = 0;
    Fate fate = Fate::run;
    StepState state;
    command::Argv run, capture;
    std::string why;  // blocked
  };
  std::vector<Todo> todo;
  bool uses_kubectl = false, uses_aws = false;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (only && i != *only) continue;
    const Step& s = plan.steps[i];
    Todo t;
    t.index = i;
    t.state = step_state(lc.journal, phase, s.id);
    bool named = only.has_value();  // --step runs a step that was skipped or failed before
    if (t.state.done)
      t.fate = Fate::done;
    else if (to_skip.count(i))
      t.fate = Fate::skip_now;
    else if (t.state.skipped() && !named)
      t.fate = Fate::skipped_before;
    else if (t.state.failed() && o.continue_after_failure && !named)
      t.fate = Fate::failed_before;
    if (t.fate == Fate::run) {
      t.run = exec_argv(s.command.argv, o);
      if (!s.capture.empty()) t.capture = exec_argv(s.capture.argv, o);
      t.why = s.blocked;
      if (t.why.empty() && !t.run.ok()) t.why = "unsafe to run: " + t.run.error;
      if (t.why.empty() && !t.capture.ok()) t.why = "unsafe to run (capture): " + t.capture.error;
      if (!t.why.empty()) t.fate = Fate::blocked;
    }
    if (t.fate == Fate::run)
      for (const Command* c : {&s.command, &s.capture})
        if (!c->argv.empty()) (c->argv.front() == "aws" ? uses_aws : uses_kubectl) = true;
    todo.push_back(std::move(t));
  }

  if (o.execute && (uses_kubectl || uses_aws)) {
    ContextCheck cc = check_context(plan, o.plan.kube_context, uses_kubectl, uses_aws,
                                    [&](const std::vector<std::string>& argv) {
                                      command::Argv a = exec_argv(argv, o);
                                      if (!a.ok()) return ProcessResult{127, "", a.error};
                                      return run_process(a.words, "");
                                    });
    for (const auto& v : cc.verified) out << "context: " << v << "\n";
    for (const auto& u : cc.unchecked) out << "context: not checked: " << u << "\n";
    if (!cc.ok() && !o.force_context) {
      err << "eksir respond: refused: this is not the case's cluster or account; nothing was "
             "run:\n";
      for (const auto& p : cc.problems) err << "  " << p << "\n";
      err << "  switch to the case's (kubectl config use-context, --context, AWS_PROFILE), or, to "
             "run the steps here all the same (journaled):\n    "
          << respond_line(o, lc.dir, {"--force-context"}) << "\n";
      return Outcome::Refused;
    }
    if (!cc.ok()) {
      store::JournalEntry e;
      e.kind = "override";
      e.phase = phase;
      e.step_id = phase + "/context-check";
      e.action =
          "Run although the kubectl context or AWS account is not the case's "
          "(--force-context)";
      for (const auto& p : cc.problems) e.target += (e.target.empty() ? "" : "; ") + p;
      e.reason = o.reason;
      e.operator_name = store::operator_name();
      e.started = e.finished = util::now_ns();
      if (auto st = lc.store->append_journal(e); !st) {
        err << "eksir respond: the context override could not be journaled: " << st.error << "\n";
        return Outcome::Refused;
      }
      for (const auto& p : cc.problems)
        out << "context: OVERRIDDEN (--force-context): " << p << "\n";
    }
  }

  auto left_from = [&](size_t k) {
    std::vector<size_t> left;
    for (size_t j = k; j < todo.size(); ++j)
      if (todo[j].fate == Fate::run || j == k) left.push_back(todo[j].index);
    for (const auto& t : todo)
      if (t.fate == Fate::blocked) left.push_back(t.index);
    return left;
  };

  int ran = 0, done = 0, skipped = 0;
  std::vector<size_t> blocked, not_retried;
  for (size_t k = 0; k < todo.size(); ++k) {
    const Todo& t = todo[k];
    size_t i = t.index;
    const Step& s = plan.steps[i];
    int n = static_cast<int>(i) + 1;
    std::string head =
        fmt::format("\n{:>2}. {} — {}", n, util::visible(s.action), util::visible(s.target));
    switch (t.fate) {
      case Fate::done:
        out << head
            << fmt::format(": already done at {} by {}; skipped\n",
                           format_time(t.state.done->finished),
                           util::visible(t.state.done->operator_name));
        ++done;
        continue;
      case Fate::skipped_before:
        out << head
            << fmt::format(
                   ": skipped at {} by {}{}; not run (--step {} runs it)\n",
                   format_time(t.state.last->finished), util::visible(t.state.last->operator_name),
                   t.state.last->reason.empty() ? ""
                                                : " (" + util::visible(t.state.last->reason) + ")",
                   util::visible(command::shell_quote(s.id)));
        ++skipped;
        continue;
      case Fate::failed_before:
        out << head
            << fmt::format(
                   ": failed at {} (exit {}); not retried (--continue; --step {} "
                   "retries it)\n",
                   format_time(t.state.last->finished), t.state.last->exit_status,
                   util::visible(command::shell_quote(s.id)));
        not_retried.push_back(i);
        continue;
      case Fate::blocked:
        out << head << ": BLOCKED: " << util::visible(t.why) << "\n";
        blocked.push_back(i);
        continue;
      case Fate::skip_now:
        if (!o.execute) {
          out << head << ": would be skipped (--skip)\n";
          ++skipped;
          continue;
        }
        {
          store::JournalEntry e;
          e.kind = "skipped";
          e.phase = phase;
          e.step_id = s.id;
          e.action = s.action;
          e.target = s.target;
          e.reason = o.reason;
          e.operator_name = store::operator_name();
          e.started = e.finished = util::now_ns();
          if (auto st = lc.store->append_journal(e); !st) {
            err << "eksir respond: step " << n << " could not be journaled as skipped: " << st.error
                << "\n";
            return Outcome::Refused;
          }
          out << head << ": skipped (--skip), journaled"
              << (o.reason.empty() ? "" : ": " + util::visible(o.reason)) << "\n";
          ++skipped;
        }
        continue;
      case Fate::run:
        break;
    }
    const command::Argv& run = t.run;
    const command::Argv& capture = t.capture;
    print_step(out, n, s, capture, run);
    if (!o.execute) continue;
    if (!o.yes) {
      out << fmt::format("    run step {}? [y/N] ", n) << std::flush;
      std::string answer;
      if (!std::getline(in, answer) || (answer != "y" && answer != "yes" && answer != "Y")) {
        err << fmt::format("eksir respond: step {} declined; stopped. Left:{}\n", n,
                           left_text(plan, left_from(k)))
            << how_to_go_on(o, lc.dir, n, s.id, false);
        return Outcome::StepsLeft;
      }
    }
    store::JournalEntry e;
    e.phase = phase;
    e.step_id = s.id;
    e.action = s.action;
    e.target = s.target;
    e.manifest = s.command.stdin_text;
    e.operator_name = store::operator_name();
    e.started = util::now_ns();
    std::string captured;
    bool capture_failed = false;
    if (!capture.words.empty()) {
      ProcessResult c = run_process(capture.words, "");
      captured = c.out;
      if (c.exit_status != 0) {
        // Restoring needs the capture; for the others it is evidence, and its absence is noted.
        if (s.undo_from != UndoFrom::fixed) {
          capture_failed = true;
          e.argv = capture.words;
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
    if (!capture_failed) {
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
      e.argv = run.words;
      ProcessResult r = run_process(e.argv, s.command.stdin_text);
      e.exit_status = r.exit_status;
      e.stdout_text = std::move(r.out);
      e.stderr_text = std::move(r.err);
    }
    e.captured_state = captured;
    e.finished = util::now_ns();
    if (auto st = lc.store->append_journal(e); !st) {
      err << "eksir respond: step " << n << " ran but could not be journaled: " << st.error << "\n";
      return Outcome::Refused;
    }
    if (e.exit_status != 0) {
      err << fmt::format(
                 "eksir respond: step {} failed ({}exit {}): {}\n{}\nStopped; nothing after it "
                 "ran. Left:{}\n",
                 n, capture_failed ? "capturing the current settings, " : "", e.exit_status,
                 command::shell_join(e.argv),
                 visible_lines(last_lines(e.stderr_text.empty() ? e.stdout_text : e.stderr_text)),
                 left_text(plan, left_from(k)))
          << how_to_go_on(o, lc.dir, n, s.id, true);
      return Outcome::StepsLeft;
    }
    ++ran;
    out << "    done (exit 0)\n";
  }
  size_t would_run = 0;
  for (const auto& t : todo) would_run += t.fate == Fate::run;
  std::string tally =
      fmt::format("{} already done, {} skipped, {} blocked", done, skipped, blocked.size());
  if (!not_retried.empty())
    tally += fmt::format(", {} failed before and not retried", not_retried.size());
  if (!o.execute) {
    out << fmt::format("\ndry run: {} step(s) would run, {}\n", would_run, tally);
    return Outcome::Done;
  }
  out << fmt::format("\n{}: {} step(s) ran, {}\n", phase, ran, tally);
  Outcome outcome = Outcome::Done;
  if (!not_retried.empty()) {
    err << "eksir respond: steps that failed before were not retried (--continue). Left:"
        << left_text(plan, not_retried) << "\nRetry them with:\n    " << respond_line(o, lc.dir, {})
        << "\n";
    outcome = Outcome::StepsLeft;
  }
  if (!blocked.empty()) {
    err << "eksir respond: blocked steps need more input (see above); re-run after providing "
           "it. Left:"
        << left_text(plan, blocked) << "\n";
    outcome = Outcome::StepsLeft;
  }
  return outcome;
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
