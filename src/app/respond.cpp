// `eksir respond`: the plan of one phase, dry-run unless --execute; with it, the kubectl context
// and the AWS account are checked against the case's, then every step is shown, confirmed, run
// (settings it overwrites captured first) and journaled; the first failure stops the run and says
// what is left and how to go on (--continue, --skip). Exit 0 when every step ran, was done before
// or was skipped, 1 when steps are left (failed, declined, blocked), 2 when refused.
#include <fmt/format.h>

#include <cstdlib>
#include <istream>
#include <ostream>
#include <sstream>

#include "app/app.h"
#include "app/steps.h"
#include "command/command.h"
#include "respond/respond.h"
#include "util/time.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

constexpr int kStepsLeft = 1, kRefused = 2;

struct State {
  State(const respond::RespondOptions& o, std::istream& in, std::ostream& out, std::ostream& err)
      : opts(o), in(in), out(out), err(err) {}
  respond::RespondOptions opts;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  respond::Execution x;
  int ran = 0, done = 0, skipped = 0;
  std::vector<size_t> blocked, not_retried;  // plan indexes
};

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
void print_step(std::ostream& out, int n, const respond::Step& s,
                const std::vector<std::string>& capture, const std::vector<std::string>& run) {
  out << fmt::format("\n{:>2}. [{}] {}\n    target:   {}\n", n, s.kind, util::visible(s.action),
                     util::visible(s.target));
  if (!capture.empty()) out << "    capture:  " << command::shell_join(capture) << "\n";
  out << "    command:  " << command::shell_join(run) << "\n";
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

std::string left_text(const respond::Plan& plan, const std::vector<size_t>& left) {
  std::string out;
  for (size_t i : left)
    out += fmt::format("\n    {:>2}. {} — {}", i + 1, util::visible(plan.steps[i].action),
                       util::visible(plan.steps[i].target));
  return out;
}

// The steps left when the run stops at todo[k]: it and the ones after it that would run, then
// the blocked ones.
std::vector<size_t> left_from(const State& s, size_t k) {
  const auto& todo = s.x.todo;
  std::vector<size_t> left;
  for (size_t j = k; j < todo.size(); ++j)
    if (todo[j].fate == respond::Fate::run || j == k) left.push_back(todo[j].index);
  for (const auto& t : todo)
    if (t.fate == respond::Fate::blocked) left.push_back(t.index);
  return left;
}

// $EKSIR_AWS and $EKSIR_KUBECTL stand in for the default programs.
StepResult choose_programs(State& s) {
  if (s.opts.aws == "aws")
    if (const char* env = std::getenv("EKSIR_AWS"); env && *env) s.opts.aws = env;
  if (s.opts.kubectl == "kubectl")
    if (const char* env = std::getenv("EKSIR_KUBECTL"); env && *env) s.opts.kubectl = env;
  return next();
}

StepResult prepare(State& s) {
  s.x = respond::prepare_execution(s.opts);
  for (const auto& line : s.x.said) s.err << line;
  if (s.x.ok()) return next();
  if (!s.x.error.empty()) s.err << "eksir respond: " << s.x.error << "\n";
  return stop(kRefused);
}

StepResult show_plan(State& s) {
  const respond::Plan& plan = s.x.plan;
  s.out << fmt::format(
      "{} plan for {} ({} steps){}\n", s.x.phase,
      plan.incident_id.empty() ? s.x.dir : plan.incident_id, plan.steps.size(),
      s.opts.execute ? "" : " — dry run: nothing is run or changed; add --execute");
  for (const auto& n : plan.notes) s.out << "note: " << util::visible(n) << "\n";
  return next();
}

// Executing: the programs the steps use must reach the case's cluster and account, unless the
// operator overrides it (journaled).
StepResult check_context(State& s) {
  if (!s.opts.execute) return next();
  respond::ContextCheck cc = respond::check_execution_context(s.x, s.opts);
  for (const auto& v : cc.verified) s.out << "context: " << v << "\n";
  for (const auto& u : cc.unchecked) s.out << "context: not checked: " << u << "\n";
  if (cc.ok()) return next();
  if (!s.opts.force_context) {
    s.err << "eksir respond: refused: this is not the case's cluster or account; nothing was "
             "run:\n";
    for (const auto& p : cc.problems) s.err << "  " << p << "\n";
    s.err << "  switch to the case's (kubectl config use-context, --context, AWS_PROFILE), or, "
             "to run the steps here all the same (journaled):\n    "
          << respond::respond_line(s.opts, s.x.dir, {"--force-context"}) << "\n";
    return stop(kRefused);
  }
  store::JournalEntry override = respond::context_override_entry(s.x, cc, s.opts.reason);
  if (auto st = s.x.store->append_journal(override); !st) {
    s.err << "eksir respond: the context override could not be journaled: " << st.error << "\n";
    return stop(kRefused);
  }
  for (const auto& p : cc.problems) s.out << "context: OVERRIDDEN (--force-context): " << p << "\n";
  return next();
}

std::string step_head(const respond::Step& step, int n) {
  return fmt::format("\n{:>2}. {} — {}", n, util::visible(step.action), util::visible(step.target));
}

// A step this run does not run: said, counted, and a --skip journaled when executing.
StepResult pass_over(State& s, const respond::StepTodo& t) {
  const respond::Step& step = s.x.plan.steps[t.index];
  int n = static_cast<int>(t.index) + 1;
  std::string head = step_head(step, n);
  std::string id = util::visible(command::shell_quote(step.id));
  switch (t.fate) {
    case respond::Fate::done:
      s.out << head
            << fmt::format(": already done at {} by {}; skipped\n", format_time(t.done->finished),
                           util::visible(t.done->operator_name));
      ++s.done;
      break;
    case respond::Fate::skipped_before:
      s.out << head
            << fmt::format(": skipped at {} by {}{}; not run (--step {} runs it)\n",
                           format_time(t.last->finished), util::visible(t.last->operator_name),
                           t.last->reason.empty() ? "" : " (" + util::visible(t.last->reason) + ")",
                           id);
      ++s.skipped;
      break;
    case respond::Fate::failed_before:
      s.out << head
            << fmt::format(
                   ": failed at {} (exit {}); not retried (--continue; --step {} "
                   "retries it)\n",
                   format_time(t.last->finished), t.last->exit_status, id);
      s.not_retried.push_back(t.index);
      break;
    case respond::Fate::blocked:
      s.out << head << ": BLOCKED: " << util::visible(t.why) << "\n";
      s.blocked.push_back(t.index);
      break;
    case respond::Fate::skip_now:
      if (s.opts.execute) {
        store::JournalEntry e = respond::skip_entry(s.x, t, s.opts.reason);
        if (auto st = s.x.store->append_journal(e); !st) {
          s.err << "eksir respond: step " << n << " could not be journaled as skipped: " << st.error
                << "\n";
          return stop(kRefused);
        }
        s.out << head << ": skipped (--skip), journaled"
              << (s.opts.reason.empty() ? "" : ": " + util::visible(s.opts.reason)) << "\n";
      } else {
        s.out << head << ": would be skipped (--skip)\n";
      }
      ++s.skipped;
      break;
    case respond::Fate::run:
      break;
  }
  return next();
}

// todo[k], which runs: shown; executing, confirmed (unless --yes), run and journaled.
StepResult run_one(State& s, size_t k) {
  const respond::StepTodo& t = s.x.todo[k];
  const respond::Step& step = s.x.plan.steps[t.index];
  int n = static_cast<int>(t.index) + 1;
  print_step(s.out, n, step, t.capture, t.run);
  if (!s.opts.execute) return next();
  if (!s.opts.yes) {
    s.out << fmt::format("    run step {}? [y/N] ", n) << std::flush;
    std::string answer;
    if (!std::getline(s.in, answer) || (answer != "y" && answer != "yes" && answer != "Y")) {
      s.err << fmt::format("eksir respond: step {} declined; stopped. Left:{}\n", n,
                           left_text(s.x.plan, left_from(s, k)))
            << respond::how_to_go_on(s.opts, s.x.dir, n, step.id, false);
      return stop(kStepsLeft);
    }
  }
  respond::StepRun r = respond::run_step(s.x, t);
  store::JournalEntry& e = r.entry;
  if (auto st = s.x.store->append_journal(e); !st) {
    s.err << "eksir respond: step " << n << " ran but could not be journaled: " << st.error << "\n";
    return stop(kRefused);
  }
  if (e.exit_status != 0) {
    s.err << fmt::format(
                 "eksir respond: step {} failed ({}exit {}): {}\n{}\nStopped; nothing after it "
                 "ran. Left:{}\n",
                 n, r.capture_failed ? "capturing the current settings, " : "", e.exit_status,
                 command::shell_join(e.argv),
                 visible_lines(last_lines(e.stderr_text.empty() ? e.stdout_text : e.stderr_text)),
                 left_text(s.x.plan, left_from(s, k)))
          << respond::how_to_go_on(s.opts, s.x.dir, n, step.id, true);
    return stop(kStepsLeft);
  }
  ++s.ran;
  s.out << "    done (exit 0)\n";
  return next();
}

StepResult carry_out(State& s) {
  for (size_t k = 0; k < s.x.todo.size(); ++k) {
    StepResult r =
        s.x.todo[k].fate == respond::Fate::run ? run_one(s, k) : pass_over(s, s.x.todo[k]);
    if (!r.proceed) return r;
  }
  return next();
}

StepResult tally(State& s) {
  size_t would_run = 0;
  for (const auto& t : s.x.todo) would_run += t.fate == respond::Fate::run;
  std::string tally =
      fmt::format("{} already done, {} skipped, {} blocked", s.done, s.skipped, s.blocked.size());
  if (!s.not_retried.empty())
    tally += fmt::format(", {} failed before and not retried", s.not_retried.size());
  if (!s.opts.execute) {
    s.out << fmt::format("\ndry run: {} step(s) would run, {}\n", would_run, tally);
    return stop(0);
  }
  s.out << fmt::format("\n{}: {} step(s) ran, {}\n", s.x.phase, s.ran, tally);
  int rc = 0;
  if (!s.not_retried.empty()) {
    s.err << "eksir respond: steps that failed before were not retried (--continue). Left:"
          << left_text(s.x.plan, s.not_retried) << "\nRetry them with:\n    "
          << respond::respond_line(s.opts, s.x.dir, {}) << "\n";
    rc = kStepsLeft;
  }
  if (!s.blocked.empty()) {
    s.err << "eksir respond: blocked steps need more input (see above); re-run after providing "
             "it. Left:"
          << left_text(s.x.plan, s.blocked) << "\n";
    rc = kStepsLeft;
  }
  return stop(rc);
}

}  // namespace

int respond(const respond::RespondOptions& options, std::istream& in, std::ostream& out,
            std::ostream& err) {
  State s(options, in, out, err);
  return run_steps(s, {choose_programs, prepare, show_plan, check_context, carry_out, tally});
}

}  // namespace eksir::app
