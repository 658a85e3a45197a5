// `eksir report`: the report of a case, or its ATT&CK Navigator layer or STIX bundle.
#include <fmt/format.h>

#include <optional>
#include <ostream>

#include "app/app.h"
#include "app/steps.h"
#include "report/report.h"
#include "util/visible.h"
#include "util/write_file.h"

namespace eksir::app {
namespace {

struct State {
  State(const ReportCommand& c, std::ostream& o, std::ostream& e) : cmd(c), out(o), err(e) {}
  const ReportCommand& cmd;
  std::ostream& out;
  std::ostream& err;
  // navigator and stix: the incident's ATT&CK Navigator layer (incident::navigator_layer) and
  // its indicators (report::stix_bundle), not a report.
  bool navigator = false, stix = false;
  std::optional<report::Format> format;
  std::string dir;
  std::optional<report::ReportInput> input;
};

StepResult choose_format(State& s) {
  s.navigator = s.cmd.format == "navigator";
  s.stix = s.cmd.format == "stix";
  s.format = report::parse_format(s.cmd.format);
  if (!s.format && !s.navigator && !s.stix) {
    s.err << "eksir report: --format must be md, html, json, navigator or stix\n";
    return stop(2);
  }
  return next();
}

StepResult read_case(State& s) {
  s.dir = store::resolve_case(s.cmd.target);
  std::string error;
  s.input = report::load_case(s.dir, error);
  if (!s.input) {
    s.err << "eksir report: " << util::visible(error) << "\n";
    return stop(2);
  }
  if (!s.input->incident) {
    s.err << fmt::format(
        "eksir report: {}: the case holds no investigation yet "
        "(run `eksir investigate ... -o "
        "{}`)\n",
        util::visible(s.dir), util::visible(s.dir));
    return stop(2);
  }
  return next();
}

StepResult write_output(State& s) {
  const bool to_stdout = s.cmd.output.empty() || s.cmd.output == "-";
  std::string error;
  if (s.navigator || s.stix) {
    std::string layer = s.navigator ? incident::navigator_layer(*s.input->incident)
                                    : report::stix_bundle(*s.input->incident);
    if (to_stdout) {
      s.out << layer;
      s.out.flush();
      return stop(s.out ? 0 : 2);
    }
    error = util::write_file_atomic(s.cmd.output, layer);
  } else if (to_stdout) {
    report::write(*s.input, *s.format, s.out);
    s.out.flush();
    return stop(s.out ? 0 : 2);
  } else {
    error = report::write_report_file(s.cmd.output, *s.input, *s.format);
  }
  if (!error.empty()) {
    s.err << "eksir report: " << util::visible(error) << "\n";
    return stop(2);
  }
  return next();
}

}  // namespace

int report(const ReportCommand& cmd, std::ostream& out, std::ostream& err) {
  State s{cmd, out, err};
  return run_steps(s, {choose_format, read_case, write_output});
}

}  // namespace eksir::app
