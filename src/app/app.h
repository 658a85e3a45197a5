// The commands of eksir: each takes its options, runs the stages it drives as a short list of
// steps (app/steps.h), prints what they give and chooses the exit code. The stages return values;
// this layer writes to the command's streams. The one public header of the app stage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "collect/collect.h"
#include "detect/detect.h"
#include "hunt/hunt.h"
#include "incident/incident.h"
#include "respond/respond.h"

// Options of the stage a command drives, declared by that stage.
namespace eksir::backend {
struct LoadOptions;
}

namespace eksir::app {

// `eksir hunt QUERY [EVIDENCE...]`, `--case CASE` (the case's inputs) or `--on URL` (a store).
// Exit as grep's: 0 something matched, 1 nothing matched, 2 query error, unreadable evidence,
// or a skip under --strict.
struct PinOptions {
  bool pin = false;
  std::string note;              // why the analyst pins them, shown with each
  std::string author;            // "" = store::operator_name()
  uint64_t max = 50;             // more matches than this pins nothing (exit 2): narrow the query
  std::string command = "hunt";  // as messages name it: "hunt" or "case pin"
};
// What a hunt says besides its rows, and how its table is shown.
struct HuntOutput {
  bool quiet = false;   // no summary (nor progress) on stderr
  size_t width = 0;     // the table's terminal columns (lines fit, cells cut); 0: nothing cut
  bool colour = false;  // the table's header bold, severity columns coloured (util/colour.h)
};
struct HuntCommand {
  hunt::HuntOptions options;
  std::string case_arg;  // search the inputs of this case's latest run
  std::string on;        // search this store (clickhouse://...)
  PinOptions pin;        // with case_arg: also pin every match
  HuntOutput output;
};
int hunt(const HuntCommand& cmd, std::ostream& out, std::ostream& err);

// `eksir case pin CASE QUERY`: the hunt over the case's inputs, every match pinned to its
// timeline, the pinned entries listed on `out`. `eksir case unpin CASE ID...`: removes pins.
struct PinCommand {
  std::string target;      // case directory or id
  hunt::HuntOptions hunt;  // query, window, source; evidence is the case's
  PinOptions pin;
  HuntOutput output;
};
int pin(const PinCommand& cmd, std::ostream& out, std::ostream& err);
int unpin(const std::string& target, const std::vector<int64_t>& ids, std::ostream& out,
          std::ostream& err);

// `eksir detect [EVIDENCE...]` or `--on URL`: findings to `out`, summary and problems to `err`.
// Exit 0, 1 when a finding is at or above fail_on, 2 on bad rules, a policy that cannot be used
// or unreadable evidence.
struct DetectCommand {
  detect::DetectOptions options;        // the evidence, the window, the scan's
  std::string on;                       // run on this store (clickhouse://...)
  std::string config;                   // eksir.yaml: its suppressions hide findings, counted
  std::vector<std::string> rule_paths;  // --rules
  bool builtin = true;
  detect::Format format = detect::Format::Table;
  std::optional<detect::Severity> fail_on;
  bool quiet = false;       // no summary (nor progress) on stderr
  bool keep_going = false;  // an evidence path that cannot be read is skipped, not fatal
  size_t width = 0;         // the table's terminal columns (lines fit, cells cut); 0: nothing cut
  bool colour = false;      // the table's header bold and severities coloured (util/colour.h)
};
int detect(DetectCommand cmd, std::ostream& out, std::ostream& err);

// `eksir investigate EVIDENCE...` or `--on URL [LOCAL_EVIDENCE...]` (the store's events and any
// local evidence: a snapshot folder, alert files): the incident, saved in its case with
// incident.json and the reports; the summary (or the incident as json, ecs or ocsf) on `out`.
// Exit code 0; 1 when the incident's severity is at or above fail_on; 2 on a usage, rule, policy,
// evidence, store or case error.
struct InvestigateCommand {
  incident::InvestigateOptions options;  // the evidence, the policy file, the window, the scan's
  std::string on;                        // read the events from this store (clickhouse://...)
  std::string case_dir;                  // "" = <default case root>/<incident id>
  std::string format = "text";           // text | json | ecs | ocsf
  std::vector<std::string> rule_paths;
  bool builtin = true;
  bool quiet = false;
  bool keep_going = false;  // an evidence path that cannot be read is a gap, not an error
  bool reports = true;      // write report.md / report.html into the case
  size_t width = 0;         // the text summary's terminal columns; 0: not a terminal, whole lines
  bool colour = false;      // the text summary's severities and headings coloured (util/colour.h)
  std::optional<incident::Level> fail_on;
};
int investigate(const InvestigateCommand& cmd, std::ostream& out, std::ostream& err);

// `eksir rules list|validate|test [PATH...]` (no path: the built-in pack). Exit code: 0; 1 when
// validation finds errors or a test fails; 2 for an unknown action.
struct RulesCommand {
  std::string action;              // list | validate | test
  std::vector<std::string> paths;  // rule files or folders; none: the built-in pack
  size_t width = 0;     // the terminal columns `list`'s table fits (0: not a terminal, nothing cut)
  bool colour = false;  // list: the header bold and the severities coloured
};
int rules(const RulesCommand& cmd, std::ostream& out, std::ostream& err);

// `eksir load EVIDENCE... --to URL`. Exit 0; 2 usage, unreachable server, rejected batch or
// unreadable evidence.
int load(const backend::LoadOptions& options, std::ostream& out, std::ostream& err);

// `eksir report CASE [--format md|html|json|navigator|stix] [-o FILE]` (navigator: the incident's
// ATT&CK Navigator layer; stix: its indicators). Exit 0, 2 on usage or case errors.
struct ReportCommand {
  std::string target;  // case directory or id
  std::string format = "md";
  std::string output;  // "" = stdout
};
int report(const ReportCommand& cmd, std::ostream& out, std::ostream& err);

// `eksir posture SNAPSHOT...`. Exit 0, 1 (--fail-on reached) or 2 (input or usage error).
struct PostureOptions {
  std::vector<std::string> snapshot;
  std::string config;  // eksir.yaml; "" = defaults
  std::string format = "table";
  std::string min_severity = "info";
  std::string fail_on;  // "" = never exit 1
  bool quiet = false;
  size_t width = 0;     // the table's terminal columns (lines fit, cells cut); 0: nothing cut
  bool colour = false;  // the table's header bold and severities coloured (util/colour.h)
};
int posture(const PostureOptions& opts, std::ostream& out, std::ostream& err);

// `eksir collect` (or, with verify_dir, `eksir collect verify`). Exit 0 every command succeeded
// (or every file verified), 1 some command failed but the bundle was written (or a file does not
// verify), 2 usage error or the bundle could not be written.
struct CollectCommand {
  collect::CollectOptions options;
  std::string verify_dir;  // set: verify this bundle instead of collecting
};
int collect(const CollectCommand& cmd, std::ostream& out, std::ostream& err);
// Re-hashes every file the bundle's manifest lists and says what changed, went missing or was
// added.
int collect_verify(const std::string& dir, std::ostream& out, std::ostream& err);

// `eksir case list|show|note|close|reopen`. Exit code 0, 2 on usage or store errors.
struct CaseCommand {
  std::string action;           // list | show | note | close | reopen (pin, unpin: PinCommand)
  std::string target;           // case dir or id (not for list)
  std::string root;             // for list; "" = store::default_case_root()
  std::string text;             // note text / close reason
  std::string author;           // "" = the operator from the environment
  std::string format = "text";  // text | json
  size_t width = 0;     // text: the terminal's columns, lines and tables fit; 0: nothing cut
  bool colour = false;  // text: headings and severities coloured (util/colour.h)
};
int case_command(const CaseCommand& cmd, std::ostream& out, std::ostream& err);

// `eksir case export CASE -o FILE`: the case as a handover package (store::export_case). Exit
// code 0, 2 on usage or store errors and when FILE exists (unless force).
struct CaseExport {
  std::string target;  // case dir or id
  std::string output;  // the .tar.gz to write
  bool force = false;  // replace output when it exists
};
int case_export(const CaseExport& x, std::ostream& out, std::ostream& err);

// `eksir plan`: exit 0, 2 on usage or case errors, or when the plan cannot be saved in the case.
// The policy as respond::plan_for_case chooses it.
struct PlanCommand {
  std::string case_dir;
  respond::Phase phase = respond::Phase::contain;
  std::string format = "text";  // text | json | script
  std::string schemas_dir;      // validate every manifest when set
  respond::PlanOptions plan;
  std::string config;  // eksir.yaml; "" = the policy the case was investigated with, if any
};
int plan(const PlanCommand& cmd, std::ostream& out, std::ostream& err);

// `eksir respond`: exit 0 when every step ran, was already done or was skipped, 1 when a step
// failed (now, or before and not retried under --continue), was declined or is blocked, 2 on
// usage or case errors (a case database that cannot be read) and when, with --execute, the
// kubectl context or the AWS account is not the case's (nothing is run then). Each step is asked
// for on `in` unless options.yes.
int respond(const respond::RespondOptions& options, std::istream& in, std::ostream& out,
            std::ostream& err);

}  // namespace eksir::app
