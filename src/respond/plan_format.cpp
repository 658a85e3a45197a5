// The plan as JSON (kept in the case), as text for the terminal and as a bash script a human
// reviews before running.
#include <fmt/format.h>

#include "respond/plan_internal.h"
#include "util/json_writer.h"
#include "util/visible.h"

namespace eksir::respond {

namespace {

void kv_command(util::JsonWriter& j, std::string_view k, const Command& c) {
  j.key(k);
  j.open('{');
  j.kv_list("argv", c.argv);
  if (!c.stdin_text.empty()) j.kv("stdin", c.stdin_text);
  j.close('}');
}

std::string_view undo_from_name(UndoFrom u) {
  switch (u) {
    case UndoFrom::fixed:
      return "fixed";
    case UndoFrom::uncordon_if_was_schedulable:
      return "uncordon_if_was_schedulable";
    case UndoFrom::endpoint_cidrs:
      return "endpoint_cidrs";
    case UndoFrom::instance_groups:
      return "instance_groups";
  }
  return "fixed";
}

// Text carries evidence (names, reasons) and goes through util::visible; argv are shown as bash
// words by shell_join, exactly as they run.
std::string argv_text(const Command& c) {
  return c.argv.empty() ? std::string("(none)") : command::shell_join(c.argv);
}

std::string heredoc_marker(const std::string& text) {
  std::string marker = "EKSIR_MANIFEST";
  while (text.find(marker) != std::string::npos) marker += "_";
  return marker;
}

}  // namespace

// Members in the order of their names, as the document has always had them.
std::string plan_json(const Plan& plan) {
  util::JsonWriter j;
  j.indent = 2;
  j.open('{');
  j.kv("account", plan.account);
  j.kv("case", plan.case_dir);
  j.kv("cluster", plan.cluster);
  j.kv("cluster_arn", plan.cluster_arn);
  j.kv("generated", format_time(plan.generated));
  j.kv("incident", plan.incident_id);
  j.kv_list("notes", plan.notes);
  j.kv("phase", phase_name(plan.phase));
  j.kv("region", plan.region);
  j.kv("schema", "eksir.plan/1");
  j.kv("severity", plan.severity);
  j.key("steps");
  j.open('[');
  int n = 0;
  for (const auto& s : plan.steps) {
    j.item();
    j.open('{');
    j.kv("action", s.action);
    j.kv_or_null("blocked", s.blocked);
    if (!s.capture.empty()) kv_command(j, "capture", s.capture);
    kv_command(j, "command", s.command);
    j.kv("expected", s.expected);
    j.kv_list("findings", s.findings);
    j.kv("id", s.id);
    j.kv("impact", s.impact);
    j.kv("kind", s.kind);
    if (!s.manifest_kind.empty()) {
      j.key("manifest");
      j.open('{');
      j.kv("kind", s.manifest_kind);
      j.kv("yaml", s.command.stdin_text);
      j.close('}');
    }
    j.kv_num("number", ++n);
    j.kv_bool("permanent", s.permanent);
    j.kv("reason", s.reason);
    j.kv("target", s.target);
    j.key("undo");
    j.open('{');
    if (!s.undo.empty()) kv_command(j, "command", s.undo);
    j.kv("from", undo_from_name(s.undo_from));
    j.kv("text", s.undo_text);
    j.close('}');
    j.kv("warning", s.warning);
    j.close('}');
  }
  j.close(']');
  j.kv("title", plan.title);
  j.close('}');
  j.raw("\n");
  return std::move(j.o);
}

std::string plan_text(const Plan& plan) {
  std::string out =
      fmt::format("{} plan for {} — {} ({})\n", phase_name(plan.phase),
                  util::visible(plan.incident_id.empty() ? "the incident" : plan.incident_id),
                  util::visible(plan.title), util::visible(plan.severity));
  if (!plan.cluster.empty())
    out +=
        fmt::format("cluster {} in {}\n", util::visible(plan.cluster), util::visible(plan.region));
  out += fmt::format("generated {}; nothing runs without eksir respond --execute\n",
                     format_time(plan.generated));
  for (const auto& n : plan.notes) out += "note: " + util::visible(n) + "\n";
  int i = 0;
  for (const auto& s : plan.steps) {
    out += fmt::format("\n{:>2}. [{}] {}\n", ++i, s.kind, util::visible(s.action));
    out += "    target:   " + util::visible(s.target) + "\n";
    if (!s.capture.empty()) out += "    capture:  " + argv_text(s.capture) + "\n";
    out += "    command:  " + argv_text(s.command) + "\n";
    if (!s.command.stdin_text.empty()) {
      out += "    manifest (stdin):\n";
      size_t start = 0;
      const std::string& m = s.command.stdin_text;
      while (start < m.size()) {
        size_t nl = m.find('\n', start);
        out += "      " +
               util::visible(m.substr(start, nl == std::string::npos ? nl : nl - start)) + "\n";
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
    }
    if (!s.reason.empty()) out += "    why:      " + util::visible(s.reason) + "\n";
    if (!s.findings.empty()) {
      std::string f;
      for (const auto& id : s.findings) f += (f.empty() ? "" : ", ") + util::visible(id);
      out += "    findings: " + f + "\n";
    }
    out += "    expected: " + util::visible(s.expected) + "\n";
    out += "    impact:   " + util::visible(s.impact) + "\n";
    if (!s.warning.empty()) out += "    WARNING:  " + util::visible(s.warning) + "\n";
    std::string undo = s.undo.empty()
                           ? util::visible(s.undo_text)
                           : argv_text(s.undo) + "  (" + util::visible(s.undo_text) + ")";
    out += "    undo:     " + undo + "\n";
    if (!s.blocked.empty()) out += "    BLOCKED:  " + util::visible(s.blocked) + "\n";
  }
  if (plan.steps.empty()) out += "\nno steps\n";
  return out;
}

std::string plan_script(const Plan& plan) {
  std::string out = "#!/usr/bin/env bash\n";
  out += fmt::format("# eksir {} plan for {} — {} ({})\n", phase_name(plan.phase),
                     util::visible(plan.incident_id), util::visible(plan.title),
                     util::visible(plan.severity));
  out += "# Generated " + format_time(plan.generated) +
         ". Review every step before running it; each runs only after you confirm.\n";
  out += "# `eksir respond CASE --phase " + std::string(phase_name(plan.phase)) +
         " --execute` does the same and journals each step in the case.\n";
  for (const auto& n : plan.notes) out += "# note: " + util::visible(n) + "\n";
  out += "set -euo pipefail\n\n";
  out += "confirm() { read -r -p \"$1 [y/N] \" answer </dev/tty; [ \"$answer\" = y ]; }\n";
  int i = 0;
  for (const auto& s : plan.steps) {
    out += fmt::format("\n# {:>2}. [{}] {}\n", ++i, s.kind, util::visible(s.action));
    out += "#     target:   " + util::visible(s.target) + "\n";
    if (!s.reason.empty()) out += "#     why:      " + util::visible(s.reason) + "\n";
    out += "#     expected: " + util::visible(s.expected) + "\n";
    out += "#     impact:   " + util::visible(s.impact) + "\n";
    if (!s.warning.empty()) out += "#     WARNING:  " + util::visible(s.warning) + "\n";
    out += "#     undo:     " + (s.undo.empty() ? util::visible(s.undo_text) : argv_text(s.undo)) +
           "\n";
    if (!s.blocked.empty() || s.command.empty()) {
      out += "#     BLOCKED:  " + util::visible(s.blocked) + "\n";
      if (!s.command.empty()) out += "#     " + argv_text(s.command) + "\n";
      continue;
    }
    out +=
        fmt::format("if confirm {}; then\n",
                    command::shell_quote(fmt::format("Step {}: {}", i, util::visible(s.action))));
    if (!s.capture.empty())
      out += "  " + argv_text(s.capture) + " > " +
             command::shell_quote(fmt::format("eksir-step-{}-before.out", i)) + "\n";
    if (s.command.stdin_text.empty()) {
      out += "  " + argv_text(s.command) + "\n";
    } else {
      std::string marker = heredoc_marker(s.command.stdin_text);
      // A quoted here-document marker: the shell expands nothing inside the manifest.
      out += "  " + argv_text(s.command) + " <<'" + marker + "'\n" + s.command.stdin_text;
      if (s.command.stdin_text.back() != '\n') out += "\n";
      out += marker + "\n";
    }
    out += "fi\n";
  }
  return out;
}

}  // namespace eksir::respond
