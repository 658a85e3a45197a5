// The eksir command line: flags in, library calls out. Each command's flags and their checks are
// its own (cli/commands.h); here, the one parse and the choice of the command it names.
#include <unistd.h>

#include <array>
#include <iostream>

#include "cli/commands.h"
#include "util/colour.h"
#include "util/terminal.h"

namespace {

int dispatch(int argc, char** argv) {
  using namespace eksir::cli;
  CLI::App app{"eksir — incident response for Amazon EKS: read the evidence, find what happened."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("eksir ") + EKSIR_VERSION);
  HuntCli hunt;
  DetectCli detect;
  RulesCli rules;
  PostureCli posture;
  CollectCli collect;
  InvestigateCli investigate;
  LoadCli load;
  CaseCli cases;
  ResponseCli response;
  ReportCli report;
  FieldsCli fields;
  // In the order `eksir --help` lists them.
  const std::array<Command*, 11> commands{&hunt,     &detect,      &rules, &posture,
                                          &collect,  &investigate, &load,  &cases,
                                          &response, &report,      &fields};
  for (Command* c : commands) c->add(app);
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
  // Colour, decided here once for standard output: the stages only follow it.
  const Terminal out{
      eksir::util::terminal_width(STDOUT_FILENO),
      eksir::util::use_colour(
          eksir::util::parse_colour_mode(colour_mode).value_or(eksir::util::ColourMode::Auto),
          STDOUT_FILENO)};
  for (Command* c : commands)
    if (c->parsed()) return c->run(out);
  return 2;
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
