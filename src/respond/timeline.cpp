// What the journal tells the report: [RESPONSE] timeline entries and the times of containment
// and recovery.
#include <fmt/format.h>

#include "respond/respond.h"

namespace eksir::respond {

std::vector<TimelineEntry> response_timeline(const std::vector<store::JournalEntry>& journal) {
  std::vector<TimelineEntry> out;
  for (const auto& e : journal) {
    if (e.dry_run) continue;
    TimelineEntry t;
    t.time = e.finished != kNoTime ? e.finished : e.started;
    std::string how = e.kind == "skipped"    ? std::string("skipped")
                      : e.kind == "override" ? std::string("overridden")
                      : e.exit_status == 0   ? std::string("done")
                                             : fmt::format("failed, exit {}", e.exit_status);
    if (e.kind != "step" && !e.reason.empty()) how += ": " + e.reason;
    t.text = fmt::format("{}: {} — {} ({} by {})", e.phase, e.action, e.target, how,
                         e.operator_name.empty() ? std::string("unknown") : e.operator_name);
    t.step_id = e.step_id;
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<TimelineEntry> response_timeline(const store::Case& c) {
  return response_timeline(c.journal());
}

ResponseMetrics response_metrics(const std::vector<store::JournalEntry>& journal) {
  ResponseMetrics m;
  for (const auto& e : journal) {
    if (e.dry_run || e.kind != "step") continue;  // a skip or an override ran nothing
    ++m.executed;
    if (e.exit_status != 0) {
      ++m.failed;
      continue;
    }
    TimeNs t = e.finished != kNoTime ? e.finished : e.started;
    // Preserving evidence and checking are not containment or recovery by themselves.
    bool acts = e.step_id.find("/evidence/") == std::string::npos &&
                e.step_id.find("/verify-") == std::string::npos;
    if (!acts || t == kNoTime) continue;
    if (e.phase == "contain" && (m.contained == kNoTime || t > m.contained)) m.contained = t;
    if (e.phase == "recover" && (m.recovered == kNoTime || t > m.recovered)) m.recovered = t;
  }
  return m;
}

ResponseMetrics response_metrics(const store::Case& c) {
  return response_metrics(c.journal());
}

}  // namespace eksir::respond
