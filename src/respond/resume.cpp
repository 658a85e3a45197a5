#include "respond/resume.h"

#include <fmt/format.h>

#include <algorithm>

#include "command/command.h"
#include "util/visible.h"

namespace eksir::respond {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

StepState step_state(const std::vector<store::JournalEntry>& journal, std::string_view phase,
                     std::string_view step_id) {
  StepState st;
  for (const auto& e : journal) {
    if (e.dry_run || e.phase != phase || e.step_id != step_id) continue;
    if (e.kind != "step" && e.kind != "skipped") continue;
    if (e.succeeded()) st.done = &e;
    st.last = &e;
  }
  return st;
}

std::string check_step_number(std::string_view ref, std::string_view option) {
  bool negative = ref.size() > 1 && ref[0] == '-' && all_digits(ref.substr(1));
  if (negative || (all_digits(ref) && ref.find_first_not_of('0') == std::string_view::npos))
    return fmt::format("{} {}: steps are numbered from 1", option, util::visible(ref));
  return {};
}

std::optional<size_t> find_step(const Plan& plan, std::string_view ref, std::string_view option,
                                std::string& error) {
  if (auto e = check_step_number(ref, option); !e.empty()) {
    error = e;
    return std::nullopt;
  }
  if (all_digits(ref)) {
    size_t n = ref.size() > 6 ? 0 : std::stoul(std::string(ref));
    if (n >= 1 && n <= plan.steps.size()) return n - 1;
    error = fmt::format("{} {}: the {} plan has {} steps", option, util::visible(ref),
                        phase_name(plan.phase), plan.steps.size());
    return std::nullopt;
  }
  for (size_t i = 0; i < plan.steps.size(); ++i)
    if (plan.steps[i].id == ref) return i;
  error = fmt::format(
      "{} \"{}\": no step of the {} plan has this id (eksir plan CASE --phase {} lists them)",
      option, util::visible(ref), phase_name(plan.phase), phase_name(plan.phase));
  return std::nullopt;
}

std::vector<std::string> split_step_refs(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    bool numbers = v.find(',') != std::string::npos && std::all_of(v.begin(), v.end(), [](char c) {
                     return c == ',' || (c >= '0' && c <= '9');
                   });
    if (!numbers) {
      out.push_back(v);
      continue;
    }
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      std::string part = v.substr(start, comma == std::string::npos ? comma : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::string respond_line(const RespondOptions& o, const std::string& case_dir,
                         const std::vector<std::string>& extra) {
  std::vector<std::string> w = {
      "eksir", "respond", case_dir, "--phase", std::string(phase_name(o.phase)), "--execute"};
  if (o.yes) w.push_back("--yes");
  if (!o.config.empty()) w.insert(w.end(), {"--config", o.config});
  if (!o.plan.kube_context.empty()) w.insert(w.end(), {"--context", o.plan.kube_context});
  for (const auto& c : o.plan.trusted_cidrs) w.insert(w.end(), {"--trusted-cidr", c});
  if (!o.plan.isolation_sg.empty()) w.insert(w.end(), {"--isolation-sg", o.plan.isolation_sg});
  if (o.plan.gatekeeper) w.push_back("--gatekeeper");
  for (const auto& r : o.plan.rebuilt_images)
    w.insert(w.end(), {"--rebuilt-image", r.image + "=" + r.rebuilt});
  if (!o.aws.empty() && o.aws != "aws") w.insert(w.end(), {"--aws", o.aws});
  if (!o.kubectl.empty() && o.kubectl != "kubectl") w.insert(w.end(), {"--kubectl", o.kubectl});
  if (!o.endpoint_url.empty()) w.insert(w.end(), {"--endpoint-url", o.endpoint_url});
  if (o.force_context) w.push_back("--force-context");
  w.insert(w.end(), extra.begin(), extra.end());
  // shell_join quotes every word so that it can be pasted; visible() keeps it so on a terminal.
  return util::visible(command::shell_join(w));
}

std::string how_to_go_on(const RespondOptions& o, const std::string& case_dir, int number,
                         const std::string& step_id, bool failed) {
  std::string out = fmt::format("To go on (step {} is {}{}):\n", number,
                                util::visible(command::shell_quote(step_id)),
                                failed ? ", journaled as failed" : "");
  if (failed)
    out += "  without it — it stays failed in the journal, the steps after it run:\n    " +
           respond_line(o, case_dir, {"--continue"}) + "\n";
  out += std::string(failed ? "  retrying it, then the steps after it:\n    "
                            : "  asked again, from it on:\n    ") +
         respond_line(o, case_dir, {}) + "\n";
  out +=
      "  skipping it for good — journaled as skipped, with who and when (add --reason TEXT "
      "for why):\n    " +
      respond_line(o, case_dir, {"--skip", step_id}) + "\n";
  return out;
}

}  // namespace eksir::respond
