// `eksir respond`: the plan of one phase, dry-run unless --execute; with it, every step is shown,
// confirmed, run (settings it overwrites captured first) and journaled; the first failure stops
// the run and says what is left.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>
#include <sstream>

#include "cluster/cluster.h"
#include "command/command.h"
#include "respond/case_io.h"
#include "respond/process.h"
#include "respond/respond.h"
#include "util/visible.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

TimeNs now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

// --config: loaded before the case is opened. Exit code 0, 2 when it cannot be used.
int given_policy(std::string_view command, const std::string& config, PlanOptions& po,
                 std::ostream& err) {
  if (config.empty()) return 0;
  cluster::PolicyResult pr = cluster::load_policy(config);
  for (const auto& e : pr.errors) err << "eksir " << command << ": " << util::visible(e) << "\n";
  if (!pr.ok()) return 2;
  use_policy(pr.policy, po);
  return 0;
}

// Without --config: the policy the case's latest run was investigated with, read again only when
// its SHA-256 is the one recorded then (a policy edited since would give another plan than the
// investigation's). Exit code 0 (also when the run had no policy), 2 when it cannot be used.
int recorded_policy(std::string_view command, const LoadedCase& lc, PlanOptions& po,
                    std::ostream& err) {
  if (!lc.store) return 0;
  std::optional<store::RunRecord> run = lc.store->latest_run();
  if (!run || run->policy_path.empty()) return 0;
  std::string path = util::visible(run->policy_path);
  cluster::PolicyResult pr = cluster::load_policy(run->policy_path);
  if (pr.sha256.empty()) {
    err << fmt::format(
        "eksir {}: the case was investigated with the policy {}, which cannot be read now; give "
        "--config FILE to {} with a policy\n",
        command, path, command);
    return 2;
  }
  if (pr.sha256 != run->policy_sha256) {
    err << fmt::format(
        "eksir {}: the policy the case was investigated with, {}, has changed since (SHA-256 {} "
        "then, {} now); give --config FILE to {} with it as it is now\n",
        command, path, util::visible(run->policy_sha256), pr.sha256, command);
    return 2;
  }
  for (const auto& e : pr.errors) err << "eksir " << command << ": " << util::visible(e) << "\n";
  if (!pr.ok()) return 2;
  err << fmt::format(
      "eksir {}: using the policy the case was investigated with: {} (SHA-256 {}, unchanged); "
      "--config FILE overrides it\n",
      command, path, pr.sha256.substr(0, 12));
  use_policy(pr.policy, po);
  return 0;
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

int respond(const RespondOptions& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (o.only_step && *o.only_step < 1) {
    err << fmt::format("eksir respond: --step {}: steps are numbered from 1\n", *o.only_step);
    return 2;
  }
  if (auto e = operator_values(o.plan, o.endpoint_url); !e.empty()) {
    err << "eksir respond: " << e << "\n";
    return 2;
  }
  PlanOptions po = o.plan;
  if (int rc = given_policy("respond", o.config, po, err)) return rc;
  LoadedCase lc = load_case(o.case_dir, o.execute);
  if (!lc.error.empty()) {
    err << "eksir respond: " << lc.error << "\n";
    return 2;
  }
  if (o.execute && !lc.store) {
    err << "eksir respond: " << lc.dir << ": no case database to journal into\n";
    return 2;
  }
  if (o.config.empty())
    if (int rc = recorded_policy("respond", lc, po, err)) return rc;
  if (po.base_dir.empty()) po.base_dir = lc.dir;
  PlanResult pr = build_plan(lc.incident_json, o.phase, po, lc.journal);
  if (!pr.ok()) {
    err << "eksir respond: " << lc.dir << ": " << pr.error << "\n";
    return 2;
  }
  const Plan& plan = pr.plan;
  std::string phase(phase_name(o.phase));
  if (o.only_step && *o.only_step > static_cast<int>(plan.steps.size())) {
    err << fmt::format("eksir respond: --step {}: the {} plan has {} steps\n", *o.only_step, phase,
                       plan.steps.size());
    return 2;
  }
  if (o.execute) {
    if (auto st = lc.store->save_plan(phase, plan_json(plan)); !st) {
      err << "eksir respond: " << st.error << "\n";
      return 2;
    }
  }
  out << fmt::format("{} plan for {} ({} steps){}\n", phase,
                     plan.incident_id.empty() ? lc.dir : plan.incident_id, plan.steps.size(),
                     o.execute ? "" : " — dry run: nothing is run or changed; add --execute");
  for (const auto& n : plan.notes) out << "note: " << util::visible(n) << "\n";

  auto done_at = [&](const std::string& id) -> const store::JournalEntry* {
    const store::JournalEntry* found = nullptr;
    for (const auto& e : lc.journal)
      if (e.phase == phase && e.step_id == id && e.exit_status == 0 && !e.dry_run) found = &e;
    return found;
  };
  std::vector<size_t> todo;
  for (size_t i = 0; i < plan.steps.size(); ++i)
    if (!o.only_step || static_cast<int>(i) + 1 == *o.only_step) todo.push_back(i);

  int ran = 0, skipped = 0;
  std::vector<size_t> blocked;
  for (size_t k = 0; k < todo.size(); ++k) {
    size_t i = todo[k];
    const Step& s = plan.steps[i];
    int n = static_cast<int>(i) + 1;
    if (const auto* e = done_at(s.id)) {
      out << fmt::format("\n{:>2}. {} — {}: already done at {} by {}; skipped\n", n,
                         util::visible(s.action), util::visible(s.target), format_time(e->finished),
                         util::visible(e->operator_name));
      ++skipped;
      continue;
    }
    command::Argv run = exec_argv(s.command.argv, o), capture;
    if (!s.capture.empty()) capture = exec_argv(s.capture.argv, o);
    std::string why = s.blocked;
    if (why.empty() && !run.ok()) why = "unsafe to run: " + run.error;
    if (why.empty() && !capture.ok()) why = "unsafe to run (capture): " + capture.error;
    if (!why.empty()) {
      out << fmt::format("\n{:>2}. {} — {}: BLOCKED: {}\n", n, util::visible(s.action),
                         util::visible(s.target), util::visible(why));
      blocked.push_back(i);
      continue;
    }
    print_step(out, n, s, capture, run);
    if (!o.execute) continue;
    if (!o.yes) {
      out << fmt::format("    run step {}? [y/N] ", n) << std::flush;
      std::string answer;
      if (!std::getline(in, answer) || (answer != "y" && answer != "yes" && answer != "Y")) {
        std::vector<size_t> left(todo.begin() + k, todo.end());
        left.insert(left.end(), blocked.begin(), blocked.end());
        err << fmt::format("eksir respond: step {} declined; stopped. Left:{}\n", n,
                           left_text(plan, left));
        return 1;
      }
    }
    store::JournalEntry e;
    e.phase = phase;
    e.step_id = s.id;
    e.action = s.action;
    e.target = s.target;
    e.manifest = s.command.stdin_text;
    e.operator_name = store::operator_name();
    e.started = now_ns();
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
          captured = json({{"capture_failed", c.exit_status}, {"stderr", c.err}}).dump();
        }
      }
    }
    if (!capture_failed) {
      Command undo = concrete_undo(s, captured);
      if (!undo.empty() && !command::validate(undo.argv).empty()) undo = {};
      e.undo_json = json({{"argv", undo.argv},
                          {"stdin", undo.stdin_text},
                          {"text", s.undo_text},
                          {"permanent", s.permanent}})
                        .dump(-1, ' ', false, json::error_handler_t::replace);
      e.argv = run.words;
      ProcessResult r = run_process(e.argv, s.command.stdin_text);
      e.exit_status = r.exit_status;
      e.stdout_text = std::move(r.out);
      e.stderr_text = std::move(r.err);
    }
    e.captured_state = captured;
    e.finished = now_ns();
    if (auto st = lc.store->append_journal(e); !st) {
      err << "eksir respond: step " << n << " ran but could not be journaled: " << st.error << "\n";
      return 2;
    }
    if (e.exit_status != 0) {
      std::vector<size_t> left(todo.begin() + k, todo.end());
      left.insert(left.end(), blocked.begin(), blocked.end());
      err << fmt::format(
          "eksir respond: step {} failed ({}exit {}): {}\n{}\nStopped; nothing after it ran. "
          "Left:{}\n",
          n, capture_failed ? "capturing the current settings, " : "", e.exit_status,
          command::shell_join(e.argv),
          visible_lines(last_lines(e.stderr_text.empty() ? e.stdout_text : e.stderr_text)),
          left_text(plan, left));
      return 1;
    }
    ++ran;
    out << "    done (exit 0)\n";
  }
  if (!o.execute) {
    out << fmt::format("\ndry run: {} step(s) would run, {} already done, {} blocked\n",
                       todo.size() - skipped - blocked.size(), skipped, blocked.size());
    return 0;
  }
  out << fmt::format("\n{}: {} step(s) ran, {} already done, {} blocked\n", phase, ran, skipped,
                     blocked.size());
  if (!blocked.empty()) {
    err << "eksir respond: blocked steps need more input (see above); re-run after providing "
           "it. Left:"
        << left_text(plan, blocked) << "\n";
    return 1;
  }
  return 0;
}

int plan_command(const PlanCommand& c, std::ostream& out, std::ostream& err) {
  if (c.format != "text" && c.format != "json" && c.format != "script") {
    err << "eksir plan: --format must be text, json or script\n";
    return 2;
  }
  if (auto e = operator_values(c.plan, ""); !e.empty()) {
    err << "eksir plan: " << e << "\n";
    return 2;
  }
  PlanOptions po = c.plan;
  if (int rc = given_policy("plan", c.config, po, err)) return rc;
  LoadedCase lc = load_case(c.case_dir, true);
  if (!lc.error.empty()) {
    err << "eksir plan: " << lc.error << "\n";
    return 2;
  }
  if (c.config.empty())
    if (int rc = recorded_policy("plan", lc, po, err)) return rc;
  if (po.base_dir.empty()) po.base_dir = lc.dir;
  PlanResult pr = build_plan(lc.incident_json, c.phase, po, lc.journal);
  if (!pr.ok()) {
    err << "eksir plan: " << lc.dir << ": " << pr.error << "\n";
    return 2;
  }
  if (!c.schemas_dir.empty()) {
    bool bad = false;
    for (const auto& s : pr.plan.steps) {
      if (s.manifest_json.empty()) continue;
      for (const auto& p : validate_manifest(s.manifest_json, c.schemas_dir)) {
        err << "eksir plan: step " << util::visible(s.id) << ": manifest invalid: " << p << "\n";
        bad = true;
      }
    }
    if (bad) return 2;
  }
  std::string json_text = plan_json(pr.plan);
  if (lc.store) {
    if (auto st = lc.store->save_plan(phase_name(c.phase), json_text); !st) {
      err << "eksir plan: the plan could not be saved in the case: " << st.error << "\n";
      return 2;
    }
  }
  if (c.format == "json")
    out << json_text;
  else if (c.format == "script")
    out << plan_script(pr.plan);
  else
    out << plan_text(pr.plan);
  return 0;
}

}  // namespace eksir::respond
