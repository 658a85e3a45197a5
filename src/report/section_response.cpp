// The report's actions (the response plans and what was done) and its metrics.
#include <fmt/format.h>

#include "command/command.h"
#include "report/sections.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::report::sections {

namespace {

std::string first_line(std::string_view s, size_t max = 160) {
  while (!s.empty() && (s.front() == '\n' || s.front() == ' ')) s.remove_prefix(1);
  s = s.substr(0, s.find('\n'));
  std::string out = valid_utf8(s);
  if (out.size() > max) {
    size_t cut = max;  // at a character boundary
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "…";
  }
  return out;
}

}  // namespace

void actions(const CaseData& ctx, Report& rep, Found&) {
  for (const auto& j : ctx.in.journal) {
    if (j.dry_run) {
      ++rep.dry_runs;
      continue;
    }
    Action a;
    a.phase = valid_utf8(j.phase);
    a.step_id = valid_utf8(j.step_id);
    a.action = valid_utf8(j.action);
    a.target = valid_utf8(j.target);
    a.command = valid_utf8(command::shell_join(j.argv));  // exact bash words
    a.operator_name = valid_utf8(j.operator_name);
    a.started = j.started;
    a.finished = j.finished;
    a.exit_status = j.exit_status;
    a.result = j.kind == "skipped"    ? "skipped by the operator (nothing ran)"
               : j.kind == "override" ? "check overridden by the operator"
               : j.exit_status == 0   ? "succeeded (exit 0)"
                                      : fmt::format("failed (exit {})", j.exit_status);
    if (j.kind != "step" && !j.reason.empty()) a.result += ": " + valid_utf8(j.reason);
    std::string out = first_line(j.exit_status == 0 ? j.stdout_text : j.stderr_text);
    if (out.empty()) out = first_line(j.exit_status == 0 ? j.stderr_text : j.stdout_text);
    a.verification = out.empty() ? a.result : a.result + ": " + out;
    std::vector<std::string> ev;
    ev.push_back(fmt::format("journal entry #{}", j.id));
    if (!j.manifest.empty()) ev.push_back("manifest applied is journaled");
    if (!j.captured_state.empty()) ev.push_back("previous settings captured for recovery");
    if (!j.undo_json.empty()) ev.push_back("undo step recorded");
    a.evidence = join(ev, "; ");
    rep.actions.push_back(std::move(a));
  }
}

void metrics(const CaseData& ctx, Report& rep, Found& found) {
  auto duration = [](TimeNs a, TimeNs b) -> int64_t {
    if (a == kNoTime || b == kNoTime || b < a) return -1;
    return *util::seconds_between(a, b);
  };
  auto add = [&](std::string name, int64_t secs, std::string basis) {
    Metric m{std::move(name), "not known", std::move(basis), secs >= 0, secs};
    if (secs >= 0) m.value = human_duration(secs);
    rep.metrics.push_back(std::move(m));
  };
  const incident::Metrics& m = ctx.inc.metrics;
  int64_t ttd = seconds_between(m.first_malicious, m.first_detection);
  if (ttd < 0) ttd = duration(found.first_malicious, rep.discovered);
  add("Time to detection", ttd,
      ttd >= 0 ? fmt::format("first malicious event {} to first detection {}",
                             time_seconds(found.first_malicious), time_seconds(rep.discovered))
               : "no detection time in the evidence");
  int64_t ttc = seconds_between(m.first_malicious, m.contained);
  std::string ttc_basis;
  if (ttc >= 0) {
    ttc_basis = "the incident's metrics";
  } else {
    ttc = duration(rep.discovered, rep.contained);
    ttc_basis = ttc >= 0 ? fmt::format("first detection {} to containment {} ({})",
                                       time_seconds(rep.discovered), time_seconds(rep.contained),
                                       rep.contained_basis)
                         : "no successful containment step is journaled";
  }
  add("Time to containment", ttc, ttc_basis);
  int64_t n = ctx.has_incident ? static_cast<int64_t>(m.affected_resources)
                               : static_cast<int64_t>(rep.affected.size());
  std::vector<std::string> kinds;
  for (const auto& [kind, names] : found.by_kind)
    kinds.push_back(fmt::format("{} {}", names.size(), kind_label(kind, names.size())));
  rep.metrics.push_back({"Number of affected resources", std::to_string(n),
                         kinds.empty() ? "no affected resource listed" : join(kinds, ", "), true,
                         -1});
  add("Duration of service impact", -1,
      "the evidence shows no service disruption and no analyst note records "
      "one");
  TimeNs rc_note = kNoTime;
  auto it = rep.notes.find("root_cause");
  if (it != rep.notes.end())
    for (const auto& note : it->second)
      if (note.time != kNoTime && (rc_note == kNoTime || note.time < rc_note)) rc_note = note.time;
  int64_t ttrc = duration(rep.discovered, rc_note);
  add("Time to root cause", ttrc,
      ttrc >= 0 ? fmt::format("first detection {} to the first root-cause note {}",
                              time_seconds(rep.discovered), time_seconds(rc_note))
                : "no analyst note confirms the root cause (add one: `root cause: "
                  "…`)");
  add("Duration of malicious activity", duration(found.first_malicious, found.last_malicious),
      fmt::format("first malicious event {} to last {}", time_seconds(found.first_malicious),
                  time_seconds(found.last_malicious)));
  int64_t ttr = seconds_between(m.first_malicious, m.recovered);
  if (ttr < 0) ttr = duration(rep.discovered, rep.resolved);
  add("Time to recovery", ttr,
      ttr >= 0 ? fmt::format("first detection to {} ({})", time_seconds(rep.resolved),
                             rep.resolved_basis)
               : "no recovery is recorded");
}

}  // namespace eksir::report::sections
