// Response: the containment, eradication and recovery steps for one incident, as exact kubectl
// and aws argv with their manifests, and the executor that carries them out one approved step at
// a time, journaling each into the case so that recovery can undo exactly what was done. The
// one public header of the respond stage.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "store/store.h"

namespace eksir::respond {

enum class Phase { contain, eradicate, recover };
std::optional<Phase> parse_phase(std::string_view s);
std::string_view phase_name(Phase p);

// One program run: argv[0] is "kubectl" or "aws"; stdin_text is piped in (manifests, -f -).
struct Command {
  std::vector<std::string> argv;
  std::string stdin_text;
  bool empty() const { return argv.empty(); }
};

// How the undo of a step is made concrete from the settings captured before it ran.
enum class UndoFrom {
  fixed,                        // the undo command as planned
  uncordon_if_was_schedulable,  // capture: the node's .spec.unschedulable
  endpoint_cidrs,               // capture: aws eks describe-cluster
  instance_groups,              // capture: aws ec2 describe-instances
};

struct Step {
  std::string id;      // stable across re-plans: "contain/netpol/kube-system/backup-agent"
  std::string kind;    // evidence | change | verify
  std::string action;  // what it does, one line
  std::string target;  // the resource it acts on
  Command command;
  std::string manifest_kind;  // Kubernetes kind of command.stdin_text ("" when none)
  std::string manifest_json;  // the same manifest as JSON, for schema validation
  std::string reason;         // the finding / entity that calls for it
  std::vector<std::string> findings;
  std::string expected, impact, warning;
  Command capture;  // read-only, run first; its output is kept as the captured state
  Command undo;     // what reverses the step (recovery runs it unless permanent); made from the
                    // command and the captured settings instead when undo_from is not fixed
  UndoFrom undo_from = UndoFrom::fixed;
  std::string undo_text;   // the undo in words (also when there is no command)
  bool permanent = false;  // recovery leaves it in place (a revoked credential)
  std::string blocked;     // why it cannot run as planned; "" when it can
};

struct Plan {
  Phase phase = Phase::contain;
  std::string case_dir, incident_id, title, severity, cluster, region;
  std::string account, cluster_arn;  // the incident's, "" when the evidence did not tell
  TimeNs generated = kNoTime;
  std::vector<std::string> notes;  // what the plan could not tell, what it assumed
  std::vector<Step> steps;
};

// --rebuilt-image IMAGE=NEW: the image rebuilt with the fixes for a vulnerable image of the
// incident. IMAGE is the image as the incident names it, or its repository without tag or digest.
struct RebuiltImage {
  std::string image, rebuilt;
};
// Reads IMAGE=NEW; nullopt and error (what is wrong, in words) when it is not that.
std::optional<RebuiltImage> parse_rebuilt_image(std::string_view text, std::string& error);

struct PlanOptions {
  std::vector<std::string> trusted_cidrs;    // for the API endpoint restriction
  std::vector<std::string> cicd_identities;  // user names or ARNs whose keys pipelines use
  std::string isolation_sg;                  // pre-made security group for a compromised node
  std::string kube_context;                  // inserted into every kubectl argv when set
  bool gatekeeper = false;                   // Gatekeeper is installed (also found in the snapshot)
  std::vector<RebuiltImage> rebuilt_images;  // the fixed images eradication moves workloads to
  std::string base_dir;  // relative run.inputs start here when the incident has no run.cwd
  TimeNs now = kNoTime;  // the time revocations take effect (default: now)
};

struct PlanResult {
  Plan plan;
  std::string error;  // the incident JSON could not be used
  bool ok() const { return error.empty(); }
};

// The plan for one phase from the incident JSON (docs/incident-json.md). Recovery is derived
// from the journal: it undoes, in reverse order, what containment and eradication did.
PlanResult build_plan(std::string_view incident_json, Phase phase, const PlanOptions& options,
                      const std::vector<store::JournalEntry>& journal = {});

std::string plan_json(const Plan& plan);
std::string plan_text(const Plan& plan);
std::string plan_script(const Plan& plan);  // a commented bash script, every word quoted

// JSON schema validation of a manifest against ../shared/schemas (Kubernetes v1.31.0
// standalone-strict, and Gatekeeper constraints through their template's parameter schema).
// Returns the problems, empty when valid.
std::vector<std::string> validate_manifest(std::string_view manifest_json,
                                           const std::string& schemas_dir);

// The concrete undo of a step once its capture ran (captured = the capture's stdout).
Command concrete_undo(const Step& step, std::string_view captured);

// ---------------------------------------------------------------- execution

struct RespondOptions {
  std::string case_dir;
  Phase phase = Phase::contain;
  bool execute = false;
  bool yes = false;
  std::string only_step;  // one step: its id, or its 1-based number; "" = all
  // Steps to skip (ids or numbers; "1,3" is two numbers): journaled as skipped with the operator,
  // the time and `reason`, and not run by later runs unless named by only_step.
  std::vector<std::string> skip;
  std::string reason;  // why: for skip and force_context
  // Steps whose last run failed are not retried; the steps after them run. Without it, a re-run
  // starts again at the failed step.
  bool continue_after_failure = false;
  // Run although the kubectl context or the AWS account is not the case's (journaled).
  bool force_context = false;
  std::string aws = "aws", kubectl = "kubectl";  // programs (EKSIR_AWS / EKSIR_KUBECTL)
  std::string endpoint_url;                      // passed to every aws command
  std::string format = "text";
  PlanOptions plan;
  std::string config;  // eksir.yaml; "" = the policy the case was investigated with, if any
};

// What becomes of a step in this run, decided before anything runs.
enum class Fate {
  run,             // runs (a dry run shows it)
  done,            // done before: not run again
  skip_now,        // named by --skip: journaled as skipped
  skipped_before,  // skipped by an earlier run: not run unless --step names it
  failed_before,   // failed before and not retried (--continue)
  blocked,         // cannot run as planned (why)
};
struct StepTodo {
  size_t index = 0;  // in plan.steps
  Fate fate = Fate::run;
  const store::JournalEntry* done = nullptr;  // the step's latest successful run (in journal)
  const store::JournalEntry* last = nullptr;  // its latest run or skip (in journal)
  // The argv as they are executed: checked again by the grammar, the configured program in argv[0]
  // and, for aws, the endpoint override. Set when fate is run.
  std::vector<std::string> run, capture;
  std::string why;  // blocked
};

// A phase's plan for the case made ready to carry out: the options checked, the policy and the
// case loaded, the plan built (and, executing, saved in the case) and each step's fate decided.
struct Execution {
  std::string dir;                           // the case's folder
  std::unique_ptr<store::Case> store;        // null when the folder has no case database
  std::vector<store::JournalEntry> journal;  // as it was before this run
  std::string phase;
  Plan plan;
  std::vector<StepTodo> todo;                   // in plan order
  bool uses_kubectl = false, uses_aws = false;  // by the steps that run
  std::vector<std::string> said;                // what the policy said: whole lines
  bool refused = false;                         // usage, the policy, the case: nothing can run
  std::string error;  // why, said after "eksir respond: " ("" when said says it)
  bool ok() const { return !refused; }
};
Execution prepare_execution(const RespondOptions& o);

// The kubectl context and the AWS account against the case's.
struct ContextCheck {
  std::vector<std::string> verified;   // what matched, for the output
  std::vector<std::string> unchecked;  // what the case does not name
  std::vector<std::string> problems;   // mismatches and what could not be read
  bool ok() const { return problems.empty(); }
};
// Checked only for the programs the steps that run use (nothing is checked when none does).
ContextCheck check_execution_context(const Execution& e, const RespondOptions& o);

// The journal entries of a run: a step run (its capture first; an entry whose exit_status is not
// 0 failed), a step skipped by --skip, the context check overridden by --force-context.
struct StepRun {
  store::JournalEntry entry;
  bool capture_failed = false;  // the settings the step overwrites could not be captured: the
                                // step did not run (entry holds the capture's run)
};
StepRun run_step(const Execution& e, const StepTodo& t);
store::JournalEntry skip_entry(const Execution& e, const StepTodo& t, const std::string& reason);
store::JournalEntry context_override_entry(const Execution& e, const ContextCheck& c,
                                           const std::string& reason);

// `eksir respond` for the same case, phase and options as o, followed by extra: bash words.
std::string respond_line(const RespondOptions& o, const std::string& case_dir,
                         const std::vector<std::string>& extra);

// The lines that say how to go on after step `number` (id `step_id`) failed or was declined.
std::string how_to_go_on(const RespondOptions& o, const std::string& case_dir, int number,
                         const std::string& step_id, bool failed);

// A phase's plan for a case, as `eksir plan` makes it: the policy's trusted CIDRs and CI/CD
// identities from `config`, else from the policy the case's latest run was investigated with
// (said), which must still have the SHA-256 recorded then: a policy gone or changed is an error
// unless `config` is given. A case with only an incident.json gets its database.
struct CasePlan {
  bool ok = false;                     // false: no plan (said says why)
  std::vector<std::string> said;       // lines for the operator, in order, each whole
  std::string dir;                     // the case's folder
  std::unique_ptr<store::Case> store;  // null when the folder has no case database
  Plan plan;
};
CasePlan plan_for_case(const std::string& case_dir, Phase phase, const PlanOptions& options,
                       const std::string& config);

// [RESPONSE] timeline entries from the journal, for the report and the investigation.
struct TimelineEntry {
  TimeNs time = kNoTime;
  std::string text;
  std::string source = "eksir respond";
  std::string confidence = "High";
  std::string step_id;
};
std::vector<TimelineEntry> response_timeline(const store::Case& c);
std::vector<TimelineEntry> response_timeline(const std::vector<store::JournalEntry>& journal);

struct ResponseMetrics {
  TimeNs contained = kNoTime;  // the last successful containment step
  TimeNs recovered = kNoTime;  // the last successful recovery step
  int executed = 0, failed = 0;
};
ResponseMetrics response_metrics(const store::Case& c);
ResponseMetrics response_metrics(const std::vector<store::JournalEntry>& journal);

}  // namespace eksir::respond
