// The case commands: case (list, show, note, close, reopen, pin, unpin, export), plan, respond
// and report.
#include <iostream>

#include "cli/commands.h"
#include "util/visible.h"

namespace eksir::cli {

void CaseCli::add(CLI::App& root) {
  sub_ = root.add_subcommand(
      "case", "Cases kept by `eksir investigate`: list, show, note, pin, close, export");
  sub_->require_subcommand(1);
  auto action = [this](CLI::App* sub, const char* name) {
    sub->callback([this, name] { cmd_.action = name; });
  };
  auto* list = sub_->add_subcommand("list", "The cases under the case root, newest first");
  list->add_option("--root", cmd_.root, "Case root (default: $EKSIR_CASES, else ./eksir-cases)");
  list->add_option("--format", cmd_.format, "Output: text or json")->capture_default_str();
  action(list, "list");
  auto* show = sub_->add_subcommand("show", "A case: header, runs, the incident, notes, journal");
  show->add_option("case", cmd_.target, "Case directory or id")->required();
  show->add_option("--format", cmd_.format, "Output: text or json")->capture_default_str();
  action(show, "show");
  auto* note = sub_->add_subcommand("note", "Add an analyst note to a case");
  note->add_option("case", cmd_.target, "Case directory or id")->required();
  note->add_option("text", cmd_.text, "The note (quote it)")->required();
  note->add_option("--author", cmd_.author, "Author (default: $EKSIR_OPERATOR, else login)");
  action(note, "note");
  auto* close = sub_->add_subcommand("close", "Close a case with a reason");
  close->add_option("case", cmd_.target, "Case directory or id")->required();
  close->add_option("--reason", cmd_.text, "Why the case is closed")->required();
  action(close, "close");
  auto* reopen = sub_->add_subcommand("reopen", "Reopen a closed case");
  reopen->add_option("case", cmd_.target, "Case directory or id")->required();
  action(reopen, "reopen");
  add_pin_commands();
  add_export();
}

// `eksir case pin` and `eksir case unpin`.
void CaseCli::add_pin_commands() {
  pin_ = sub_->add_subcommand(
      "pin",
      "Hunt the case's inputs and put every match on its timeline, tagged [ANALYST] in the report");
  pin_->add_option("case", pin_cmd_.target, "Case directory or id")->required();
  pin_->add_option("query", pin_cmd_.hunt.query, "KQL query, as for `eksir hunt`")->required();
  pin_->add_option("--note", pin_cmd_.pin.note, "Why these records matter (shown with each)");
  pin_->add_option("--author", pin_cmd_.pin.author,
                   "Who pins them (default: $EKSIR_OPERATOR, else login)");
  pin_->add_option("--max", pin_cmd_.pin.max,
                   "Pin nothing when more records than this match (default 50)");
  pin_->add_option("--since", pin_filters_.since, "Only records at or after this time");
  pin_->add_option("--until", pin_filters_.until, "Only records before this time");
  pin_->add_option("--source", pin_filters_.source, "Only records of one source");
  pin_->add_flag("--keep-duplicates", pin_cmd_.hunt.keep_duplicates,
                 "Pin every export of a record, not the first alone");
  add_threads_option(pin_, pin_cmd_.hunt.threads);
  pin_->add_flag("-q,--quiet", pin_cmd_.output.quiet, "No scan summary on stderr");
  unpin_ = sub_->add_subcommand("unpin", "Take pinned records off a case's timeline");
  unpin_->add_option("case", pin_cmd_.target, "Case directory or id")->required();
  unpin_->add_option("ids", unpin_ids_, "Pin ids, as `eksir case show` lists them")->required();
}

// `eksir case export`: a command object of its own, as it writes a file rather than a view.
void CaseCli::add_export() {
  export_ = sub_->add_subcommand(
      "export",
      "The case as a handover package (.tar.gz): database, reports, journal captures, "
      "inputs and a manifest of SHA-256 digests");
  export_->add_option("case", export_cmd_.target, "Case directory or id")->required();
  export_->add_option("-o,--output", export_cmd_.output, "The .tar.gz to write")->required();
  export_->add_flag("--force", export_cmd_.force, "Replace the file when it exists");
}

int CaseCli::run(const Terminal& out) {
  if (pin_->parsed()) {
    pin_cmd_.output.width = out.width;
    pin_cmd_.output.colour = out.colour;
    if (!hunt_filters("case pin", pin_cmd_.hunt, pin_filters_)) return 2;
    std::ios::sync_with_stdio(false);
    return app::pin(pin_cmd_, std::cout, std::cerr);
  }
  if (unpin_->parsed()) return app::unpin(pin_cmd_.target, unpin_ids_, std::cout, std::cerr);
  if (export_->parsed()) return app::case_export(export_cmd_, std::cout, std::cerr);
  cmd_.width = out.width;
  cmd_.colour = out.colour;
  return app::case_command(cmd_, std::cout, std::cerr);
}

void ResponseCli::add_shared(CLI::App* sub) {
  sub->add_option("case", plan_cmd_.case_dir, "Case directory or id")->required();
  sub->add_option("--trusted-cidr", common_.trusted_cidrs,
                  "Source range that keeps API access when the endpoint is restricted "
                  "(repeatable; also trusted_cidrs in --config)");
  sub->add_option("--isolation-sg", common_.isolation_sg,
                  "Security group (no rules) that isolates a compromised node");
  sub->add_option("--context", common_.kube_context, "kubectl context of the cluster");
  sub->add_option("--config", config_,
                  "Organisation policy (eksir.yaml): trusted CIDRs, CI/CD (default: the one the "
                  "case was investigated with)");
  sub->add_flag("--gatekeeper", common_.gatekeeper, "Gatekeeper is installed in the cluster");
  sub->add_option("--rebuilt-image", rebuilt_images_,
                  "IMAGE=NEW: the image rebuilt with the fixes for a vulnerable image of the "
                  "incident (IMAGE: as the incident names it, or its repository); eradication "
                  "moves the workloads to NEW (repeatable)");
}

void ResponseCli::add(CLI::App& root) {
  plan_ = root.add_subcommand(
      "plan", "The containment, eradication or recovery steps for the case's incident");
  add_shared(plan_);
  plan_->add_option("--phase", plan_phase_, "contain, eradicate or recover")->required();
  plan_->add_option("--format", plan_cmd_.format, "Output: text, json or script")
      ->capture_default_str();
  plan_->add_option("--schemas", plan_cmd_.schemas_dir,
                    "Validate every manifest against these JSON schemas (default: "
                    "$EKSIR_SCHEMAS_DIR)");
  respond_ = root.add_subcommand(
      "respond", "Carry out a phase's plan: dry run unless --execute; journaled in the case");
  add_shared(respond_);
  respond_->add_option("--phase", run_phase_, "contain, eradicate or recover")->required();
  respond_->add_flag("--execute", run_.execute, "Run the steps (each asked for first)");
  respond_->add_flag("--yes", run_.yes, "Do not ask before each step (automation)");
  respond_->add_option("--step", run_.only_step,
                       "Only this step: its id, or its number (1-based); also runs a step that "
                       "was skipped or failed before");
  respond_->add_flag("--continue", run_.continue_after_failure,
                     "Go on after a failed step: steps whose last run failed are not retried "
                     "(they stay failed in the journal), the others run");
  respond_->add_option("--skip", run_.skip,
                       "Skip this step: its id, or its number, or numbers as 1,3 (repeatable); "
                       "journaled as skipped with who and when, not run again unless --step "
                       "names it");
  respond_->add_option("--reason", run_.reason,
                       "Why, for the journal: with --skip and --force-context");
  respond_->add_flag("--force-context", run_.force_context,
                     "Run although the kubectl context or the AWS account is not the case's "
                     "(journaled)");
  respond_->add_option("--aws", run_.aws, "aws program (default: $EKSIR_AWS, else aws)");
  respond_->add_option("--kubectl", run_.kubectl,
                       "kubectl program (default: $EKSIR_KUBECTL, else kubectl)");
  respond_->add_option("--endpoint-url", run_.endpoint_url, "Passed to every aws command");
}

int ResponseCli::run(const Terminal&) {
  bool is_plan = plan_->parsed();
  const char* name = is_plan ? "plan" : "respond";
  auto phase = respond::parse_phase(is_plan ? plan_phase_ : run_phase_);
  if (!phase) {
    std::cerr << "eksir " << name << ": --phase must be contain, eradicate or recover\n";
    return 2;
  }
  for (const auto& text : rebuilt_images_) {
    std::string error;
    auto rebuilt = respond::parse_rebuilt_image(text, error);
    if (!rebuilt) {
      std::cerr << "eksir " << name << ": --rebuilt-image \"" << util::visible(text)
                << "\": " << util::visible(error) << "\n";
      return 2;
    }
    common_.rebuilt_images.push_back(std::move(*rebuilt));
  }
  if (is_plan) {
    plan_cmd_.phase = *phase;
    plan_cmd_.plan = common_;
    plan_cmd_.config = config_;
    return app::plan(plan_cmd_, std::cout, std::cerr);
  }
  run_.case_dir = plan_cmd_.case_dir;
  run_.phase = *phase;
  run_.plan = common_;
  run_.config = config_;
  return app::respond(run_, std::cin, std::cout, std::cerr);
}

void ReportCli::add(CLI::App& root) {
  sub_ = root.add_subcommand(
      "report",
      "The incident report of a case: Markdown, self-contained HTML or JSON; or its ATT&CK "
      "Navigator layer, or its indicators as a STIX 2.1 bundle");
  sub_->add_option("case", cmd_.target, "Case directory or id")->required();
  sub_->add_option("--format", cmd_.format,
                   "Output: md, html, json, navigator (the incident's ATT&CK Navigator layer) or "
                   "stix (the incident's indicators as a STIX 2.1 bundle)")
      ->capture_default_str();
  sub_->add_option("-o,--output", cmd_.output, "Write to this file instead of stdout");
}

int ReportCli::run(const Terminal&) {
  return app::report(cmd_, std::cout, std::cerr);
}

}  // namespace eksir::cli
