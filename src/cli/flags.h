// What every command of the command line shares: the options several commands take, the one
// check of --since/--until, the hint after a usage error, and the shape of a command.
#pragma once

#include <CLI/CLI.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "util/time.h"

namespace eksir::cli {

// --threads: a usage error outside 1..1024, never a thread the system cannot start.
void add_threads_option(CLI::App* app, unsigned& threads);
// --memory: what the events correlation rules count may hold before they go to a temporary file.
void add_memory_option(CLI::App* app, size_t& bytes);
// --keep-going: an evidence path that cannot be read is reported and skipped instead of stopping.
void add_keep_going_option(CLI::App* app, bool& keep_going);
// --color on eksir and on every command under it (`eksir --color=never detect ...` and `eksir
// detect ... --color=never` alike): one value, checked once.
void add_colour_option(CLI::App* app, std::string& mode);

// After a parse error: the first word CLI11 could not place, named with the closest name it knows
// ("unknown command "investgate"; did you mean "investigate"?"); "" when every word was placed and
// the parse error is about something else (a missing value, a check that failed).
std::string usage_hint(CLI::App& app);

// Reads --since/--until into bounds; prints the problem and returns false when one is unreadable
// or --since is later than --until.
bool time_window(std::string_view command, const std::string& since, const std::string& until,
                 TimeNs& from, TimeNs& to);

// Standard output as the command writes to it, decided once after the parse: tables and
// summaries fit a terminal (piped or redirected, nothing is cut), colour only where it shows.
struct Terminal {
  size_t width = 0;
  bool colour = false;
};

// One command (or a family of them, as `case ...`): adds its flags to the command line, and when
// the parse chose it, turns them into typed options and calls app.
class Command {
 public:
  virtual ~Command() = default;
  virtual void add(CLI::App& root) = 0;
  // Whether the parse chose this command (its subcommand, set by add()).
  virtual bool parsed() const { return sub_ && sub_->parsed(); }
  virtual int run(const Terminal& out) = 0;

 protected:
  CLI::App* sub_ = nullptr;
};

}  // namespace eksir::cli
