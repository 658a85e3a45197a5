#include "cli/flags.h"

#include <fmt/format.h>

#include <tuple>
#include <vector>

#include "detect/detect.h"
#include "util/colour.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace eksir::cli {

void add_threads_option(CLI::App* app, unsigned& threads) {
  app->add_option("--threads", threads, "Worker threads, 1 to 1024 (default: all cores)")
      ->check(CLI::Range(1u, 1024u));
}

void add_memory_option(CLI::App* app, size_t& bytes) {
  app->add_option("--memory", bytes,
                  "Memory for the events correlation rules count (32M, 1G, ...), and a quarter "
                  "more for the fingerprints that tell copies of a matched event apart; past it "
                  "they go to a temporary file and are read back after the scan; 0: no limit")
      ->check([](const std::string& v) {
        return v.find('-') == std::string::npos ? std::string() : "must not be negative";
      })
      ->transform(CLI::AsSizeValue(false))
      ->default_str(fmt::format("{}M", detect::kDefaultMemory >> 20));
}

void add_keep_going_option(CLI::App* app, bool& keep_going) {
  app->add_flag("--keep-going", keep_going,
                "Read the other evidence paths when one cannot be read (it is reported as missing "
                "evidence); without it, exit 2");
}

void add_colour_option(CLI::App* app, std::string& mode) {
  app->add_option("--color", mode,
                  "Colour: auto (a terminal, unless NO_COLOR is set), always or never")
      ->check([](const std::string& v) {
        return util::parse_colour_mode(v)
                   ? std::string()
                   : "must be auto, always or never, not \"" + util::visible(v) + "\"";
      });
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; }))
    add_colour_option(sub, mode);
}

std::string usage_hint(CLI::App& app) {
  auto quoted = [](std::string_view s) { return "\"" + util::visible(s) + "\""; };
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
        std::string best = util::closest_name(name, known);
        return fmt::format("{}: unknown option {}{}", where, quoted(name),
                           best.empty() ? fmt::format(" (see {} --help)", where)
                                        : "; did you mean " + quoted(best) + "?");
      }
      std::vector<std::string> commands;
      for (const CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; }))
        commands.push_back(sub->get_name());
      if (commands.empty()) continue;  // a word too many for the command's arguments
      std::string best = util::closest_name(word, commands);
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

bool time_window(std::string_view command, const std::string& since, const std::string& until,
                 TimeNs& from, TimeNs& to) {
  auto now = util::now_ns();
  std::string error;
  for (auto [flag, text, bound] :
       {std::tuple{"--since", &since, &from}, std::tuple{"--until", &until, &to}}) {
    if (text->empty()) continue;
    *bound = util::parse_time_bound(*text, now, error);
    if (*bound == kNoTime) {
      std::cerr << "eksir " << command << ": " << flag << ": " << util::visible(error) << "\n";
      return false;
    }
  }
  if (auto e = util::window_error(since, from, until, to); !e.empty()) {
    std::cerr << "eksir " << command << ": " << util::visible(e) << "\n";
    return false;
  }
  return true;
}

}  // namespace eksir::cli
