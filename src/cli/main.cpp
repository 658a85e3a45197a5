// The eksir command line: flags in, library calls out. No logic lives here.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <charconv>
#include <chrono>
#include <iostream>
#include <tuple>

#include "app/app.h"
#include "backend/backend.h"
#include "collect/collect.h"
#include "detect/detect.h"
#include "event/fields.h"
#include "hunt/hunt.h"
#include "incident/incident.h"
#include "respond/respond.h"
#include "util/colour.h"
#include "util/terminal.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace {

// --threads: a usage error outside 1..1024, never a thread the system cannot start.
void add_threads_option(CLI::App* app, unsigned& threads) {
  app->add_option("--threads", threads, "Worker threads, 1 to 1024 (default: all cores)")
      ->check(CLI::Range(1u, 1024u));
}

// --memory: what the events correlation rules count may hold before they go to a temporary file.
void add_memory_option(CLI::App* app, size_t& bytes) {
  app->add_option("--memory", bytes,
                  "Memory for the events correlation rules count (128M, 1G, ...); past it they "
                  "go to a temporary file and are read back after the scan; 0: no limit")
      ->check([](const std::string& v) {
        return v.find('-') == std::string::npos ? std::string() : "must not be negative";
      })
      ->transform(CLI::AsSizeValue(false))
      ->default_str("128M");
}

// --keep-going: an evidence path that cannot be read is reported and skipped instead of stopping.
void add_keep_going_option(CLI::App* app, bool& keep_going) {
  app->add_flag("--keep-going", keep_going,
                "Read the other evidence paths when one cannot be read (it is reported as missing "
                "evidence); without it, exit 2");
}

int dispatch(int argc, char** argv);

// --color on eksir and on every command under it (`eksir --color=never detect ...` and `eksir
// detect ... --color=never` alike): one value, checked once.
void add_colour_option(CLI::App* app, std::string& mode) {
  app->add_option("--color", mode,
                  "Colour: auto (a terminal, unless NO_COLOR is set), always or never")
      ->check([](const std::string& v) {
        return eksir::util::parse_colour_mode(v)
                   ? std::string()
                   : "must be auto, always or never, not \"" + eksir::util::visible(v) + "\"";
      });
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; }))
    add_colour_option(sub, mode);
}

// After a parse error: the first word CLI11 could not place, named with the closest name it knows
// ("unknown command "investgate"; did you mean "investigate"?"); "" when every word was placed and
// the parse error is about something else (a missing value, a check that failed).
std::string usage_hint(CLI::App& app) {
  auto quoted = [](std::string_view s) { return "\"" + eksir::util::visible(s) + "\""; };
  // From the top down: `eksir plna case` leaves "plna" with eksir, though `case` was parsed.
  std::string where = "eksir";
  for (CLI::App* at = &app; at;) {
    for (const std::string& word : at->remaining()) {
      if (word.size() > 1 && word[0] == '-') {
        std::string name = word.substr(0, word.find('='));
        // A long option by its long names (one letter cannot tell which short one was meant).
        std::vector<std::string> known;
        if (name.starts_with("--"))
          for (const CLI::Option* o : at->get_options())
            for (const auto& l : o->get_lnames()) known.push_back("--" + l);
        std::string best = eksir::util::closest_name(name, known);
        return fmt::format("{}: unknown option {}{}", where, quoted(name),
                           best.empty() ? fmt::format(" (see {} --help)", where)
                                        : "; did you mean " + quoted(best) + "?");
      }
      std::vector<std::string> commands;
      for (const CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; }))
        commands.push_back(sub->get_name());
      if (commands.empty()) continue;  // a word too many for the command's arguments
      std::string best = eksir::util::closest_name(word, commands);
      return fmt::format("{}: unknown command {}{}", where, quoted(word),
                         best.empty() ? fmt::format(" (commands: {})", fmt::join(commands, ", "))
                                      : "; did you mean " + quoted(best) + "?");
    }
    auto parsed = at->get_subcommands();
    at = parsed.empty() ? nullptr : parsed.front();
    if (at) where += " " + at->get_name();
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  // A failure no command handles (a thread or memory the system refuses) ends the run with a
  // message and exit 2, not an abort.
  try {
    int rc = dispatch(argc, argv);
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "eksir: cannot write to standard output (disk full or closed)\n";
      return 2;
    }
    return rc;
  } catch (const std::bad_alloc&) {
    std::cerr << "eksir: out of memory\n";
  } catch (const std::exception& e) {
    std::cerr << "eksir: " << e.what() << "\n";
  }
  return 2;
}

namespace {

// Reads --since/--until into bounds; prints the problem and returns false when one is unreadable
// or --since is later than --until.
bool time_window(std::string_view command, const std::string& since, const std::string& until,
                 eksir::TimeNs& from, eksir::TimeNs& to) {
  auto now = eksir::util::now_ns();
  std::string error;
  for (auto [flag, text, bound] :
       {std::tuple{"--since", &since, &from}, std::tuple{"--until", &until, &to}}) {
    if (text->empty()) continue;
    *bound = eksir::util::parse_time_bound(*text, now, error);
    if (*bound == eksir::kNoTime) {
      std::cerr << "eksir " << command << ": " << flag << ": " << eksir::util::visible(error)
                << "\n";
      return false;
    }
  }
  if (auto e = eksir::util::window_error(since, from, until, to); !e.empty()) {
    std::cerr << "eksir " << command << ": " << eksir::util::visible(e) << "\n";
    return false;
  }
  return true;
}

// What hunt and `case pin` share: the window, the source, the order and the copies.
struct HuntCli {
  std::string format = "table", source, since, until, fields_csv, sort, on, case_arg;
  bool no_prefilter = false;
  eksir::app::PinOptions pin;
  eksir::app::HuntOutput output;
  CLI::Option* note = nullptr;
  CLI::Option* max = nullptr;
  CLI::Option* author = nullptr;
};

bool hunt_filters(std::string_view command, eksir::hunt::HuntOptions& o, const HuntCli& c) {
  if (!c.source.empty()) {
    o.only = eksir::parse_source(c.source);
    if (!o.only) {
      std::cerr << fmt::format(
          "eksir {}: unknown --source '{}' (cloudtrail, k8s_audit, guardduty, falco, ocsf, "
          "vulnerability)\n",
          command, eksir::util::visible(c.source));
      return false;
    }
  }
  if (!c.sort.empty()) {
    auto order = eksir::hunt::parse_order(c.sort);
    if (!order) {
      std::cerr << fmt::format("eksir {}: --sort must be time or evidence, not '{}'\n", command,
                               eksir::util::visible(c.sort));
      return false;
    }
    o.order = *order;
  }
  return time_window(command, c.since, c.until, o.since, o.until);
}

int hunt_command(eksir::hunt::HuntOptions& o, const HuntCli& c) {
  o.prefilter = !c.no_prefilter;
  auto f = eksir::hunt::parse_format(c.format);
  if (!f) {
    std::cerr << "eksir hunt: --format must be table, json, ndjson or csv\n";
    return 2;
  }
  o.format = *f;
  if (!hunt_filters("hunt", o, c)) return 2;
  if (!c.pin.pin)
    for (const CLI::Option* opt : {c.note, c.max, c.author})
      if (opt->count()) {
        std::cerr << "eksir hunt: " << opt->get_name() << " goes with --pin\n";
        return 2;
      }
  std::ios::sync_with_stdio(false);
  return eksir::app::hunt({std::move(o), c.case_arg, c.on, c.pin, c.output}, std::cout, std::cerr);
}

int detect_command(eksir::app::DetectCommand& cmd, const std::string& format,
                   const std::string& min_severity, const std::string& fail_on,
                   const std::string& since, const std::string& until) {
  eksir::detect::DetectOptions& o = cmd.options;
  auto f = eksir::detect::parse_format(format);
  if (!f) {
    std::cerr << "eksir detect: --format must be table, json, ndjson, sarif, ecs or ocsf\n";
    return 2;
  }
  cmd.format = *f;
  auto sev = eksir::rules::parse_severity(min_severity);
  if (!sev) {
    std::cerr << "eksir detect: --min-severity must be critical, high, medium, low or info\n";
    return 2;
  }
  o.min_severity = *sev;
  if (!fail_on.empty()) {
    cmd.fail_on = eksir::rules::parse_severity(fail_on);
    if (!cmd.fail_on) {
      std::cerr << "eksir detect: --fail-on must be critical, high, medium, low or info\n";
      return 2;
    }
  }
  if (!time_window("detect", since, until, o.since, o.until)) return 2;
  std::ios::sync_with_stdio(false);
  return eksir::app::detect(std::move(cmd), std::cout, std::cerr);
}

// `eksir case pin` and `eksir case unpin`.
struct PinCli {
  CLI::App* pin = nullptr;
  CLI::App* unpin = nullptr;
  eksir::app::PinCommand cmd;
  HuntCli hunt;
  std::vector<int64_t> ids;
};

// `eksir case list|show|note|close|reopen|pin|unpin`: fills cmd, whose action is set by the
// subcommand (pin and unpin fill p).
CLI::App* add_case_command(CLI::App& app, eksir::app::CaseCommand& cmd, PinCli& p) {
  auto* cs = app.add_subcommand(
      "case", "Cases kept by `eksir investigate`: list, show, note, pin, close, export");
  cs->require_subcommand(1);
  auto action = [&cmd](CLI::App* sub, const char* name) {
    sub->callback([&cmd, name] { cmd.action = name; });
  };
  auto* list = cs->add_subcommand("list", "The cases under the case root, newest first");
  list->add_option("--root", cmd.root, "Case root (default: $EKSIR_CASES, else ./eksir-cases)");
  list->add_option("--format", cmd.format, "Output: text or json")->capture_default_str();
  action(list, "list");
  auto* show = cs->add_subcommand("show", "A case: header, runs, the incident, notes, journal");
  show->add_option("case", cmd.target, "Case directory or id")->required();
  show->add_option("--format", cmd.format, "Output: text or json")->capture_default_str();
  action(show, "show");
  auto* note = cs->add_subcommand("note", "Add an analyst note to a case");
  note->add_option("case", cmd.target, "Case directory or id")->required();
  note->add_option("text", cmd.text, "The note (quote it)")->required();
  note->add_option("--author", cmd.author, "Author (default: $EKSIR_OPERATOR, else login)");
  action(note, "note");
  auto* close = cs->add_subcommand("close", "Close a case with a reason");
  close->add_option("case", cmd.target, "Case directory or id")->required();
  close->add_option("--reason", cmd.text, "Why the case is closed")->required();
  action(close, "close");
  auto* reopen = cs->add_subcommand("reopen", "Reopen a closed case");
  reopen->add_option("case", cmd.target, "Case directory or id")->required();
  action(reopen, "reopen");

  p.pin = cs->add_subcommand(
      "pin",
      "Hunt the case's inputs and put every match on its timeline, tagged [ANALYST] in the report");
  p.pin->add_option("case", p.cmd.target, "Case directory or id")->required();
  p.pin->add_option("query", p.cmd.hunt.query, "KQL query, as for `eksir hunt`")->required();
  p.pin->add_option("--note", p.cmd.pin.note, "Why these records matter (shown with each)");
  p.pin->add_option("--author", p.cmd.pin.author,
                    "Who pins them (default: $EKSIR_OPERATOR, else login)");
  p.pin->add_option("--max", p.cmd.pin.max,
                    "Pin nothing when more records than this match (default 50)");
  p.pin->add_option("--since", p.hunt.since, "Only records at or after this time");
  p.pin->add_option("--until", p.hunt.until, "Only records before this time");
  p.pin->add_option("--source", p.hunt.source, "Only records of one source");
  p.pin->add_flag("--keep-duplicates", p.cmd.hunt.keep_duplicates,
                  "Pin every export of a record, not the first alone");
  add_threads_option(p.pin, p.cmd.hunt.threads);
  p.pin->add_flag("-q,--quiet", p.cmd.output.quiet, "No scan summary on stderr");
  p.unpin = cs->add_subcommand("unpin", "Take pinned records off a case's timeline");
  p.unpin->add_option("case", p.cmd.target, "Case directory or id")->required();
  p.unpin->add_option("ids", p.ids, "Pin ids, as `eksir case show` lists them")->required();
  return cs;
}

// `eksir case export`: its own command object, as it writes a file rather than a view.
CLI::App* add_case_export(CLI::App* cs, eksir::app::CaseExport& x) {
  auto* ex = cs->add_subcommand(
      "export",
      "The case as a handover package (.tar.gz): database, reports, journal captures, "
      "inputs and a manifest of SHA-256 digests");
  ex->add_option("case", x.target, "Case directory or id")->required();
  ex->add_option("-o,--output", x.output, "The .tar.gz to write")->required();
  ex->add_flag("--force", x.force, "Replace the file when it exists");
  return ex;
}

// `eksir plan` and `eksir respond`: the response to a case's incident, one phase at a time.
struct ResponseCli {
  CLI::App* plan = nullptr;
  CLI::App* respond = nullptr;
  eksir::app::PlanCommand plan_cmd;
  eksir::respond::RespondOptions run;
  std::string plan_phase, run_phase, config;
  eksir::respond::PlanOptions common;
  std::vector<std::string> rebuilt_images;
};

void add_response_commands(CLI::App& app, ResponseCli& r) {
  auto shared = [&r](CLI::App* sub) {
    sub->add_option("case", r.plan_cmd.case_dir, "Case directory or id")->required();
    sub->add_option("--trusted-cidr", r.common.trusted_cidrs,
                    "Source range that keeps API access when the endpoint is restricted "
                    "(repeatable; also trusted_cidrs in --config)");
    sub->add_option("--isolation-sg", r.common.isolation_sg,
                    "Security group (no rules) that isolates a compromised node");
    sub->add_option("--context", r.common.kube_context, "kubectl context of the cluster");
    sub->add_option("--config", r.config,
                    "Organisation policy (eksir.yaml): trusted CIDRs, CI/CD (default: the one the "
                    "case was investigated with)");
    sub->add_flag("--gatekeeper", r.common.gatekeeper, "Gatekeeper is installed in the cluster");
    sub->add_option("--rebuilt-image", r.rebuilt_images,
                    "IMAGE=NEW: the image rebuilt with the fixes for a vulnerable image of the "
                    "incident (IMAGE: as the incident names it, or its repository); eradication "
                    "moves the workloads to NEW (repeatable)");
  };
  r.plan = app.add_subcommand(
      "plan", "The containment, eradication or recovery steps for the case's incident");
  shared(r.plan);
  r.plan->add_option("--phase", r.plan_phase, "contain, eradicate or recover")->required();
  r.plan->add_option("--format", r.plan_cmd.format, "Output: text, json or script")
      ->capture_default_str();
  r.plan->add_option("--schemas", r.plan_cmd.schemas_dir,
                     "Validate every manifest against these JSON schemas (default: "
                     "$EKSIR_SCHEMAS_DIR)");
  r.respond = app.add_subcommand(
      "respond", "Carry out a phase's plan: dry run unless --execute; journaled in the case");
  shared(r.respond);
  r.respond->add_option("--phase", r.run_phase, "contain, eradicate or recover")->required();
  r.respond->add_flag("--execute", r.run.execute, "Run the steps (each asked for first)");
  r.respond->add_flag("--yes", r.run.yes, "Do not ask before each step (automation)");
  r.respond->add_option("--step", r.run.only_step,
                        "Only this step: its id, or its number (1-based); also runs a step that "
                        "was skipped or failed before");
  r.respond->add_flag("--continue", r.run.continue_after_failure,
                      "Go on after a failed step: steps whose last run failed are not retried "
                      "(they stay failed in the journal), the others run");
  r.respond->add_option("--skip", r.run.skip,
                        "Skip this step: its id, or its number, or numbers as 1,3 (repeatable); "
                        "journaled as skipped with who and when, not run again unless --step "
                        "names it");
  r.respond->add_option("--reason", r.run.reason,
                        "Why, for the journal: with --skip and --force-context");
  r.respond->add_flag("--force-context", r.run.force_context,
                      "Run although the kubectl context or the AWS account is not the case's "
                      "(journaled)");
  r.respond->add_option("--aws", r.run.aws, "aws program (default: $EKSIR_AWS, else aws)");
  r.respond->add_option("--kubectl", r.run.kubectl,
                        "kubectl program (default: $EKSIR_KUBECTL, else kubectl)");
  r.respond->add_option("--endpoint-url", r.run.endpoint_url, "Passed to every aws command");
}

int run_response_command(ResponseCli& r) {
  bool is_plan = r.plan->parsed();
  const char* name = is_plan ? "plan" : "respond";
  auto phase = eksir::respond::parse_phase(is_plan ? r.plan_phase : r.run_phase);
  if (!phase) {
    std::cerr << "eksir " << name << ": --phase must be contain, eradicate or recover\n";
    return 2;
  }
  for (const auto& text : r.rebuilt_images) {
    std::string error;
    auto rebuilt = eksir::respond::parse_rebuilt_image(text, error);
    if (!rebuilt) {
      std::cerr << "eksir " << name << ": --rebuilt-image \"" << eksir::util::visible(text)
                << "\": " << eksir::util::visible(error) << "\n";
      return 2;
    }
    r.common.rebuilt_images.push_back(std::move(*rebuilt));
  }
  if (is_plan) {
    r.plan_cmd.phase = *phase;
    r.plan_cmd.plan = r.common;
    r.plan_cmd.config = r.config;
    return eksir::app::plan(r.plan_cmd, std::cout, std::cerr);
  }
  r.run.case_dir = r.plan_cmd.case_dir;
  r.run.phase = *phase;
  r.run.plan = r.common;
  r.run.config = r.config;
  return eksir::app::respond(r.run, std::cin, std::cout, std::cerr);
}

int dispatch(int argc, char** argv) {
  CLI::App app{"eksir — incident response for Amazon EKS: read the evidence, find what happened."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("eksir ") + EKSIR_VERSION);

  eksir::hunt::HuntOptions hunt;
  HuntCli hc;
  auto* h = app.add_subcommand(
      "hunt", "Search every event of the evidence with a KQL query (ECS or native field names)");
  h->add_option("query", hunt.query,
                "KQL query, e.g. 'event.provider:\"eks.amazonaws.com\" and event.action:Delete*'")
      ->required();
  h->add_option("evidence", hunt.evidence,
                "Evidence files or folders (read recursively, plain or gzip)");
  h->add_option("--on", hc.on,
                "Search a ClickHouse store filled by `eksir load` instead of files: "
                "clickhouse://HOST:PORT/DB");
  h->add_option("--case", hc.case_arg,
                "Search the evidence files a case was investigated from (its latest run), "
                "warning of any gone or changed since");
  h->add_flag("--pin", hc.pin.pin,
              "With --case: also put every match on the case's timeline ([ANALYST] in the report)");
  hc.note = h->add_option("--note", hc.pin.note, "With --pin: why these records matter");
  hc.author = h->add_option("--author", hc.pin.author,
                            "With --pin: who pins them (default: $EKSIR_OPERATOR, else login)");
  hc.max = h->add_option("--max", hc.pin.max,
                         "With --pin: pin nothing when more records than this match (default 50)");
  h->add_option("--since", hc.since,
                "Only events at or after this time (ISO 8601) or duration before now (24h, 7d)");
  h->add_option("--until", hc.until, "Only events before this time or duration before now");
  h->add_option("--source", hc.source,
                "Only events of one source: cloudtrail, k8s_audit, guardduty, falco, ocsf, "
                "vulnerability");
  h->add_option("--format", hc.format,
                "Output: table, json, ndjson (each record as in the evidence) or csv")
      ->capture_default_str();
  h->add_option("--fields", hc.fields_csv,
                "Comma-separated fields to show instead of the default columns");
  h->add_option("--sort", hc.sort,
                "Row order: time (oldest first; the default for table) or evidence (as read; the "
                "default for json, ndjson and csv)");
  h->add_flag("--keep-duplicates", hunt.keep_duplicates,
              "Show every export of a record (S3 object and lookup-events, audit log and "
              "filter-log-events...), not the first alone");
  h->add_option("--limit", hunt.limit, "Only this many matches: the first in the output's order");
  h->add_flag("--count", hunt.count_only, "Print only the number of matches");
  h->add_flag("--strict", hunt.strict, "Exit 2 if any record or file had to be skipped");
  h->add_flag("--no-prefilter", hc.no_prefilter,
              "Parse every record, also the lines that cannot hold a match (the same matches; "
              "the summary counts every event)");
  add_keep_going_option(h, hunt.keep_going);
  add_threads_option(h, hunt.threads);
  h->add_flag("-q,--quiet", hc.output.quiet, "No summary on stderr");

  eksir::app::DetectCommand detect;
  std::string d_format = "table", d_min = "info", d_fail, d_since, d_until;
  bool no_builtin = false;
  auto* d = app.add_subcommand(
      "detect", "Run the rule packs and alert mappings over the evidence: findings out");
  d->add_option("evidence", detect.options.evidence,
                "Evidence files or folders (read recursively, plain or gzip)");
  d->add_option("--on", detect.on,
                "Run on a ClickHouse store filled by `eksir load` instead of files: "
                "clickhouse://HOST:PORT/DB");
  d->add_option("--rules", detect.rule_paths,
                "Rule files or folders (YAML) to run besides the built-in pack");
  d->add_flag("--no-builtin", no_builtin, "Do not load the built-in rule pack");
  d->add_option("--config", detect.config,
                "Organisation policy (eksir.yaml): its suppressions hide findings, counted");
  d->add_option("--min-severity", d_min,
                "Only findings at or above: critical, high, medium, low, info")
      ->capture_default_str();
  d->add_option("--fail-on", d_fail, "Exit 1 when a finding is at or above this severity");
  d->add_option("--format", d_format,
                "Output: table, json, ndjson, sarif, ecs (an Elastic _bulk body of alert "
                "documents) or ocsf (OCSF Detection Findings, one per line)")
      ->capture_default_str();
  d->add_option("--since", d_since,
                "Only events at or after this time (ISO 8601) or duration before now (24h, 7d)");
  d->add_option("--until", d_until, "Only events before this time or duration before now");
  add_keep_going_option(d, detect.keep_going);
  add_threads_option(d, detect.options.threads);
  add_memory_option(d, detect.options.memory);
  d->add_flag("-q,--quiet", detect.quiet, "No summary on stderr");

  auto* rl =
      app.add_subcommand("rules", "Inspect, lint and unit-test rules (default: the built-in pack)");
  rl->require_subcommand(1);
  eksir::app::RulesCommand rules_cmd;
  for (const char* action : {"list", "validate", "test"}) {
    const char* help = action == std::string("list") ? "List the rules"
                       : action == std::string("validate")
                           ? "Check rules for errors (exit 1 on any)"
                           : "Run every rule against its own test events";
    auto* sub = rl->add_subcommand(action, help);
    sub->add_option("paths", rules_cmd.paths, "Rule files or folders");
    sub->callback([&rules_cmd, action] { rules_cmd.action = action; });
  }

  eksir::app::PostureOptions posture;
  auto* ps = app.add_subcommand(
      "posture", "Posture checks over a cluster snapshot (kubectl -o json|yaml, aws eks JSON)");
  ps->add_option("snapshot", posture.snapshot, "Snapshot files or folders")->required();
  ps->add_option("--config", posture.config, "Organisation policy file (eksir.yaml)");
  ps->add_option("--format", posture.format, "Output: table, json or sarif")->capture_default_str();
  ps->add_option("--min-severity", posture.min_severity,
                 "Show results at or above: info, low, medium, high, critical")
      ->capture_default_str();
  ps->add_option("--fail-on", posture.fail_on,
                 "Exit 1 when a result (not exempted) is at or above this severity");
  ps->add_flag("-q,--quiet", posture.quiet, "No summary on stderr");

  eksir::app::CollectCommand collect_cmd;
  eksir::collect::CollectOptions& collect = collect_cmd.options;
  auto* co = app.add_subcommand(
      "collect", "Gather a live cluster's and account's evidence into a hashed bundle (read-only)");
  co->add_option("--cluster", collect.cluster, "EKS cluster name");
  co->add_option("--region", collect.region, "AWS region of the cluster");
  co->add_option("--since", collect.since,
                 "Window start: ISO 8601 time or duration before now (24h, 7d)")
      ->capture_default_str();
  co->add_option("--until", collect.until,
                 "Window end: time or duration before now (default: now)");
  co->add_option("--namespace", collect.namespaces,
                 "Only this namespace (repeatable; default: all namespaces)");
  co->add_option("--profile", collect.profile, "AWS CLI profile");
  co->add_option("-o,--out", collect.out_dir, "New or empty folder for the bundle");
  co->add_option("--endpoint-url", collect.endpoint_url,
                 "Endpoint URL passed to every aws command");
  co->add_option("--aws", collect.aws, "aws CLI program (default: $EKSIR_AWS, else aws on PATH)");
  co->add_option("--kubectl", collect.kubectl,
                 "kubectl program (default: $EKSIR_KUBECTL, else kubectl on PATH)");
  co->add_option("--kubeconfig", collect.kubeconfig, "kubeconfig file passed to kubectl");
  co->add_option("--context", collect.context, "kubeconfig context passed to kubectl");
  co->add_option("--config", collect.config,
                 "Organisation policy (eksir.yaml) for the checks that choose pods for logs");
  co->add_option("--logs-min-severity", collect.logs_min_severity,
                 "Collect logs of pods with a posture result at or above this severity")
      ->capture_default_str();
  co->add_option("--max-pod-logs", collect.max_pod_logs, "Collect logs of at most this many pods")
      ->capture_default_str();
  co->add_option("--page-items", collect.page_items,
                 "Write CloudTrail and audit logs in files of this many items (0: one file)")
      ->capture_default_str();
  co->add_option("--timeout", collect.timeout_seconds, "Seconds each command may run")
      ->capture_default_str();
  co->add_option("--verify", collect_cmd.verify_dir,
                 "Re-hash the bundle in this folder against its manifest (exit 1 on a mismatch)");
  co->add_flag("-q,--quiet", collect.quiet, "No line per command on stderr");
  auto* co_verify = co->add_subcommand("verify", "Re-hash a bundle against its manifest");
  co_verify->add_option("dir", collect_cmd.verify_dir, "The bundle folder")->required();

  eksir::app::InvestigateCommand inv;
  std::string inv_since, inv_until, inv_fail;
  bool inv_no_builtin = false, inv_no_report = false;
  auto* iv = app.add_subcommand(
      "investigate",
      "The main job: read every source, run all rules and posture checks, build the incident "
      "(severity, timeline, scope) and write the case");
  iv->add_option("evidence", inv.options.evidence,
                 "Evidence files or folders: events of every source and cluster snapshots, mixed "
                 "(with --on: local evidence besides the store, e.g. a snapshot folder)");
  iv->add_option("--on", inv.on,
                 "Read the events from ClickHouse (clickhouse://HOST:PORT/DB, see "
                 "docs/clickhouse.md) instead of event files");
  iv->add_option("-o,--case", inv.case_dir,
                 "Case directory (created or added to; default: $EKSIR_CASES or ./eksir-cases, "
                 "then the incident id)");
  iv->add_option("--config", inv.options.config,
                 "Organisation policy (eksir.yaml, see docs/config.md)");
  iv->add_option("--format", inv.format,
                 "Output: text, json (the incident JSON contract), ecs (an Elastic _bulk body: "
                 "the incident and its findings as alerts) or ocsf (the incident's findings as "
                 "OCSF Detection Findings)")
      ->check(CLI::IsMember({"text", "json", "ecs", "ocsf"}))
      ->capture_default_str();
  iv->add_option("--rules", inv.rule_paths,
                 "Rule files or folders to run besides the built-in pack");
  iv->add_flag("--no-builtin", inv_no_builtin, "Do not load the built-in rule pack");
  iv->add_flag("--no-report", inv_no_report, "Do not write report.md and report.html");
  iv->add_option("--since", inv_since, "Only events at or after this time or duration before now");
  iv->add_option("--until", inv_until, "Only events before this time or duration before now");
  iv->add_option("--fail-on", inv_fail,
                 "Exit 1 when the incident is at or above: critical, high, medium, low");
  add_keep_going_option(iv, inv.keep_going);
  add_threads_option(iv, inv.options.threads);
  add_memory_option(iv, inv.options.memory);
  iv->add_flag("-q,--quiet", inv.quiet, "No scan summary on stderr");

  eksir::backend::LoadOptions load;
  auto* ld = app.add_subcommand(
      "load", "Load evidence into ClickHouse for hunt/detect --on (see docs/clickhouse.md)");
  ld->add_option("evidence", load.evidence,
                 "Evidence files or folders (read recursively, plain or gzip)")
      ->required();
  ld->add_option("--to", load.to,
                 "clickhouse://HOST:PORT/DB, or clickhouse://H1:P1,H2:P2/DB?cluster=NAME")
      ->required();
  ld->add_option("--batch-mb", load.batch_bytes, "Megabytes of rows per INSERT")
      ->transform([](std::string s) {
        unsigned mb = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), mb);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size() || mb == 0 || mb > 4096)
          throw CLI::ValidationError("--batch-mb", "a number of megabytes from 1 to 4096");
        return std::to_string(static_cast<uint64_t>(mb) << 20);
      });
  add_threads_option(ld, load.threads);
  ld->add_flag("--strict", load.strict, "Exit 2 if any record or file had to be skipped");
  ld->add_flag("-q,--quiet", load.quiet, "No summary on stderr");

  eksir::app::CaseCommand case_cmd;
  PinCli pin_cli;
  auto* cs = add_case_command(app, case_cmd, pin_cli);
  eksir::app::CaseExport case_export;
  auto* cx = add_case_export(cs, case_export);

  ResponseCli response;
  add_response_commands(app, response);

  eksir::app::ReportCommand report_cmd;
  auto* rp = app.add_subcommand(
      "report",
      "The incident report of a case: Markdown, self-contained HTML or JSON; or its ATT&CK "
      "Navigator layer, or its indicators as a STIX 2.1 bundle");
  rp->add_option("case", report_cmd.target, "Case directory or id")->required();
  rp->add_option("--format", report_cmd.format,
                 "Output: md, html, json, navigator (the incident's ATT&CK Navigator layer) or "
                 "stix (the incident's indicators as a STIX 2.1 bundle)")
      ->capture_default_str();
  rp->add_option("-o,--output", report_cmd.output, "Write to this file instead of stdout");

  bool fields_markdown = false;
  auto* fl = app.add_subcommand(
      "fields", "List the field names queries can use (ECS names and native paths)");
  fl->add_flag("--markdown", fields_markdown, "Print the table as Markdown (docs/fields.md)");

  std::string colour_mode = "auto";
  add_colour_option(&app, colour_mode);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0)
      if (std::string hint = usage_hint(app); !hint.empty()) {
        std::cerr << hint << "\n";
        return 2;
      }
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  // Tables and summaries fit a terminal; piped or redirected, nothing is cut.
  const size_t width = eksir::util::terminal_width(STDOUT_FILENO);
  hc.output.width = detect.width = inv.width = posture.width = case_cmd.width = width;
  // Colour, decided here once for standard output: the stages only follow it.
  const bool colour = eksir::util::use_colour(
      eksir::util::parse_colour_mode(colour_mode).value_or(eksir::util::ColourMode::Auto),
      STDOUT_FILENO);
  hc.output.colour = detect.colour = inv.colour = posture.colour = case_cmd.colour = colour;

  if (h->parsed()) {
    if (!hc.fields_csv.empty()) {
      size_t start = 0;
      while (start <= hc.fields_csv.size()) {
        size_t comma = hc.fields_csv.find(',', start);
        std::string f = hc.fields_csv.substr(
            start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!f.empty()) hunt.fields.push_back(f);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    return hunt_command(hunt, hc);
  }
  if (pin_cli.pin->parsed()) {
    pin_cli.cmd.output.width = width;
    pin_cli.cmd.output.colour = colour;
    if (!hunt_filters("case pin", pin_cli.cmd.hunt, pin_cli.hunt)) return 2;
    std::ios::sync_with_stdio(false);
    return eksir::app::pin(pin_cli.cmd, std::cout, std::cerr);
  }
  if (pin_cli.unpin->parsed())
    return eksir::app::unpin(pin_cli.cmd.target, pin_cli.ids, std::cout, std::cerr);
  if (d->parsed()) {
    detect.builtin = !no_builtin;
    return detect_command(detect, d_format, d_min, d_fail, d_since, d_until);
  }
  if (iv->parsed()) {
    inv.builtin = !inv_no_builtin;
    inv.reports = !inv_no_report;
    inv.options.progress = isatty(STDERR_FILENO);
    if (!inv_fail.empty()) {
      inv.fail_on = eksir::incident::parse_level(inv_fail);
      if (!inv.fail_on) {
        std::cerr << "eksir investigate: --fail-on: expected critical, high, medium or low\n";
        return 2;
      }
    }
    if (!time_window("investigate", inv_since, inv_until, inv.options.since, inv.options.until))
      return 2;
    return eksir::app::investigate(inv, std::cout, std::cerr);
  }
  if (response.plan->parsed() || response.respond->parsed()) return run_response_command(response);
  if (cx->parsed()) return eksir::app::case_export(case_export, std::cout, std::cerr);
  if (cs->parsed()) return eksir::app::case_command(case_cmd, std::cout, std::cerr);
  if (ld->parsed()) return eksir::app::load(load, std::cout, std::cerr);
  if (ps->parsed()) return eksir::app::posture(posture, std::cout, std::cerr);
  if (co->parsed()) return eksir::app::collect(collect_cmd, std::cout, std::cerr);
  if (rl->parsed()) {
    rules_cmd.width = width;
    rules_cmd.colour = colour;
    return eksir::app::rules(rules_cmd, std::cout, std::cerr);
  }
  if (rp->parsed()) return eksir::app::report(report_cmd, std::cout, std::cerr);
  if (fl->parsed()) {
    if (fields_markdown) {
      std::cout << eksir::fields_markdown();
      return 0;
    }
    for (const auto& f : eksir::field_table())
      std::cout << eksir::util::fit_line(fmt::format("{:<55} {}", f.ecs, f.description), width)
                << "\n";
    return 0;
  }
  return 2;
}

}  // namespace
