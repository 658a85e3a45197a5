// The incident's next steps as the terminal shows them: ready to paste for this case.
#include "command/command.h"
#include "incident/incident.h"

namespace eksir::incident {

void fill_in_next_steps(Incident& inc, const std::string& case_dir,
                        const std::vector<std::string>& evidence) {
  std::string paths;
  for (const auto& e : evidence) paths += (paths.empty() ? "" : " ") + command::shell_quote(e);
  const std::string quoted_case = command::shell_quote(case_dir);
  for (auto& step : inc.next_steps) {
    std::string out;
    for (size_t i = 0; i < step.size();) {
      auto placeholder = [&](std::string_view word) {
        if (step.compare(i, word.size(), word) != 0 || i == 0 || step[i - 1] != ' ') return false;
        size_t end = i + word.size();
        return end == step.size() || step[end] == ' ' || step[end] == '`';
      };
      if (placeholder("CASE")) {
        out += quoted_case;
        i += 4;
      } else if (placeholder("EVIDENCE") && !paths.empty()) {
        out += paths;
        i += 8;
      } else {
        out += step[i++];
      }
    }
    step = std::move(out);
  }
}

}  // namespace eksir::incident
