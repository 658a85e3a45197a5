// `eksir hunt --case CASE` and `eksir case pin`: the hunt over a case's own inputs, and its
// results put on the case's timeline for the report.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <memory>
#include <ostream>

#include "app/app.h"
#include "app/hunt_case.h"
#include "app/hunt_run.h"
#include "app/steps.h"
#include "hunt/hunt.h"
#include "store/store.h"
#include "util/sha256.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

namespace fs = std::filesystem;

// Where the run was made (its relative input paths start there), from its incident document.
std::string run_cwd(const std::string& incident_json) {
  simdjson::dom::parser parser;
  std::string_view cwd;
  if (parser.parse(incident_json)["run"]["cwd"].get_string().get(cwd)) return {};
  return std::string(cwd);
}

// The record's gist as a timeline line says it.
std::string gist(const hunt::Match& m) {
  std::string out;
  for (const std::string* part : {&m.actor, &m.action, &m.target})
    if (!part->empty()) out += (out.empty() ? "" : " ") + *part;
  if (!m.outcome.empty()) out += (out.empty() ? "" : " ") + ("(" + m.outcome + ")");
  return out.empty() ? std::string(source_name(m.source)) + " record" : out;
}

std::string short_digest(const std::string& hex) {
  return hex.size() > 12 ? hex.substr(0, 12) + "…" : hex;
}

struct State {
  State(const std::string& case_arg, hunt::HuntOptions o, const HuntOutput& output,
        const PinOptions& pin, std::ostream& out, std::ostream& err)
      : case_arg(case_arg),
        o(std::move(o)),
        output(output),
        pin(pin),
        out(out),
        err(err),
        prefix("eksir " + pin.command + ": ") {}
  const std::string& case_arg;
  hunt::HuntOptions o;
  const HuntOutput& output;
  const PinOptions& pin;
  std::ostream& out;
  std::ostream& err;
  const std::string prefix;
  std::string dir;
  std::unique_ptr<store::Case> c;
  std::optional<store::RunRecord> run_record;
  std::map<std::string, std::string> recorded;  // path searched -> SHA-256 the run recorded
  std::vector<std::string> gone;
  size_t changed = 0;
  std::vector<hunt::Match> matches;
  uint64_t match_count = 0;
  int rc = 0;
};

StepResult check_options(State& s) {
  if (!s.o.evidence.empty()) {
    s.err << s.prefix << "--case searches the inputs the case recorded: give the query alone, not "
          << "evidence paths (" << util::visible(s.o.evidence.front()) << ")\n";
    return stop(2);
  }
  if (s.pin.pin && s.pin.max == 0) {
    s.err << s.prefix << "--max must be at least 1\n";
    return stop(2);
  }
  return next();
}

StepResult open_case(State& s) {
  s.dir = store::resolve_case(s.case_arg);
  store::Status st;
  // A hunt only reads the case; pinning writes to it.
  s.c = s.pin.pin ? store::Case::open(s.dir, false, st) : store::Case::open_readonly(s.dir, st);
  if (!s.c) {
    s.err << s.prefix << util::visible(st.error) << "\n";
    return stop(2);
  }
  s.run_record = s.c->latest_run();
  if (store::Status read = s.c->read_status(); !read) {
    s.err << s.prefix << util::visible(read.error) << "\n";
    return stop(2);
  }
  if (!s.run_record) {
    s.err << s.prefix
          << fmt::format(
                 "{}: the case holds no investigation yet, so no inputs to search (`eksir "
                 "investigate EVIDENCE -o {}` first)\n",
                 util::visible(s.dir), util::visible(s.dir));
    return stop(2);
  }
  if (s.run_record->inputs.empty()) {
    s.err << s.prefix
          << fmt::format(
                 "{}: run {} of the case read no evidence files (its events came from a store: "
                 "search it with --on)\n",
                 util::visible(s.dir), s.run_record->id);
    return stop(2);
  }
  return next();
}

// The inputs as the run recorded them, found from where it ran.
StepResult find_inputs(State& s) {
  const std::string cwd = run_cwd(s.run_record->incident_json);
  for (const auto& in : s.run_record->inputs) {
    fs::path p(in.path);
    if (p.is_relative() && !cwd.empty()) p = fs::path(cwd) / p;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      s.gone.push_back(p.string());
      s.err << s.prefix
            << fmt::format("warning: input gone since the investigation: {} ({})\n",
                           util::visible(p.string()),
                           ec              ? ec.message()
                           : fs::exists(p) ? "not a file"
                                           : "no such file");
      continue;
    }
    if (s.recorded.emplace(p.string(), in.sha256).second) s.o.evidence.push_back(p.string());
  }
  if (s.o.evidence.empty()) {
    s.err << s.prefix
          << fmt::format(
                 "none of the {} inputs of run {} of {} is where the investigation read it: "
                 "nothing to search\n",
                 s.run_record->inputs.size(), s.run_record->id, util::visible(s.dir));
    return stop(2);
  }
  if (!s.output.quiet)
    s.err << s.prefix
          << fmt::format("searching the {} {} of run {} of case {}\n", s.o.evidence.size(),
                         s.o.evidence.size() == 1 ? "input" : "inputs", s.run_record->id,
                         util::visible(s.c->info().id));
  return next();
}

StepResult search(State& s) {
  s.o.digests = true;
  // Said before the summary.
  auto check_inputs = [&s](const sources::ScanStats& stats) {
    for (const auto& [path, sha] : s.recorded) {
      auto it = stats.digests.find(path);
      std::string now =
          it != stats.digests.end() && it->second.ok() ? it->second.hex : sha256_file(path).hex;
      if (sha.empty() || now == sha) continue;
      ++s.changed;
      s.err << s.prefix
            << fmt::format(
                   "warning: input changed since the investigation: {} (SHA-256 now {}, recorded "
                   "{}): its records may not be those the case was built from\n",
                   util::visible(path), short_digest(now), short_digest(sha));
    }
  };
  if (s.pin.pin)
    s.o.on_match = [&s](hunt::Match&& m) {
      if (++s.match_count <= s.pin.max) s.matches.push_back(std::move(m));
    };
  s.rc = run_hunt(s.o, s.output, s.out, s.err, check_inputs);
  if (s.o.strict && (s.changed || !s.gone.empty()) && s.rc != 2) {
    s.err << s.prefix
          << fmt::format("--strict: {} of the case's inputs gone, {} changed\n", s.gone.size(),
                         s.changed);
    s.rc = 2;
  }
  return s.pin.pin ? next() : stop(s.rc);
}

StepResult pin_matches(State& s) {
  if (s.rc == 2) {
    s.err << s.prefix << "nothing was pinned\n";
    return stop(2);
  }
  if (s.match_count == 0) {
    s.err << s.prefix << "nothing matched: nothing was pinned\n";
    return stop(1);
  }
  if (s.match_count > s.pin.max) {
    s.err << s.prefix
          << fmt::format(
                 "{} records matched, more than --max {}: nothing was pinned (narrow the query, "
                 "or raise --max)\n",
                 s.match_count, s.pin.max);
    return stop(2);
  }
  std::vector<store::Pin> pins;
  for (auto& m : s.matches) {
    store::Pin p;
    p.author = s.pin.author;
    p.query = s.o.query;
    p.note = s.pin.note;
    p.time = m.time;
    p.source = std::string(source_name(m.source));
    p.event_id = std::move(m.event_id);
    p.file = std::move(m.file);
    p.line = m.line;
    p.record = m.record;
    p.text = gist(m);
    p.raw = std::move(m.raw);
    p.copies = m.copies;
    pins.push_back(std::move(p));
  }
  size_t already = 0;
  if (store::Status st = s.c->add_pins(pins, &already); !st) {
    s.err << s.prefix << util::visible(st.error) << "\n";
    return stop(2);
  }
  std::vector<std::string> ids;
  for (const auto& p : pins) ids.push_back(std::to_string(p.id));
  std::ostream& said = s.pin.command == "hunt" ? s.err : s.out;
  size_t added = pins.size() - already;
  said << s.prefix
       << fmt::format(
              "pinned {} {} to the timeline of case {} (pin {}){}; `eksir report {}` "
              "shows {} tagged [ANALYST]\n",
              added, added == 1 ? "record" : "records", util::visible(s.c->info().id),
              fmt::join(ids, ", "),
              already ? fmt::format(", {} of them pinned already", already) : "",
              util::visible(s.dir), pins.size() == 1 ? "it" : "them");
  return next();
}

// The case is closed before the command returns, whatever the steps did.
void close_case(State& s) {
  s.c.reset();
}

}  // namespace

int hunt_case(const std::string& case_arg, hunt::HuntOptions options, const HuntOutput& output,
              const PinOptions& pin, std::ostream& out, std::ostream& err) {
  State s(case_arg, std::move(options), output, pin, out, err);
  return run_steps(s, {check_options, open_case, find_inputs, search, pin_matches}, close_case);
}

}  // namespace eksir::app
