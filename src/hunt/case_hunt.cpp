// `eksir hunt --case CASE`, `eksir case pin` and `eksir case unpin`: the hunt over a case's own
// inputs, and its results put on the case's timeline for the report.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include <filesystem>
#include <map>
#include <ostream>

#include "hunt/hunt.h"
#include "store/store.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::hunt {
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
std::string gist(const Match& m) {
  std::string out;
  for (const std::string* part : {&m.actor, &m.action, &m.target})
    if (!part->empty()) out += (out.empty() ? "" : " ") + *part;
  if (!m.outcome.empty()) out += (out.empty() ? "" : " ") + ("(" + m.outcome + ")");
  return out.empty() ? std::string(source_name(m.source)) + " record" : out;
}

std::string short_digest(const std::string& hex) {
  return hex.size() > 12 ? hex.substr(0, 12) + "…" : hex;
}

}  // namespace

int run_on_case(const std::string& case_arg, HuntOptions o, const PinOptions& pin,
                std::ostream& out, std::ostream& err) {
  const std::string prefix = "eksir " + pin.command + ": ";
  if (!o.evidence.empty()) {
    err << prefix << "--case searches the inputs the case recorded: give the query alone, not "
        << "evidence paths (" << util::visible(o.evidence.front()) << ")\n";
    return 2;
  }
  if (pin.pin && pin.max == 0) {
    err << prefix << "--max must be at least 1\n";
    return 2;
  }
  std::string dir = store::resolve_case(case_arg);
  store::Status st;
  // A hunt only reads the case; pinning writes to it.
  auto c = pin.pin ? store::Case::open(dir, false, st) : store::Case::open_readonly(dir, st);
  if (!c) {
    err << prefix << util::visible(st.error) << "\n";
    return 2;
  }
  auto run_record = c->latest_run();
  if (store::Status read = c->read_status(); !read) {
    err << prefix << util::visible(read.error) << "\n";
    return 2;
  }
  if (!run_record) {
    err << prefix
        << fmt::format(
               "{}: the case holds no investigation yet, so no inputs to search (`eksir "
               "investigate EVIDENCE -o {}` first)\n",
               util::visible(dir), util::visible(dir));
    return 2;
  }
  if (run_record->inputs.empty()) {
    err << prefix
        << fmt::format(
               "{}: run {} of the case read no evidence files (its events came from a store: "
               "search it with --on)\n",
               util::visible(dir), run_record->id);
    return 2;
  }

  // The inputs as the run recorded them, found from where it ran.
  const std::string cwd = run_cwd(run_record->incident_json);
  std::map<std::string, std::string> recorded;  // path searched -> SHA-256 the run recorded
  std::vector<std::string> gone;
  for (const auto& in : run_record->inputs) {
    fs::path p(in.path);
    if (p.is_relative() && !cwd.empty()) p = fs::path(cwd) / p;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      gone.push_back(p.string());
      err << prefix
          << fmt::format("warning: input gone since the investigation: {} ({})\n",
                         util::visible(p.string()),
                         ec              ? ec.message()
                         : fs::exists(p) ? "not a file"
                                         : "no such file");
      continue;
    }
    if (recorded.emplace(p.string(), in.sha256).second) o.evidence.push_back(p.string());
  }
  if (o.evidence.empty()) {
    err << prefix
        << fmt::format(
               "none of the {} inputs of run {} of {} is where the investigation read it: "
               "nothing to search\n",
               run_record->inputs.size(), run_record->id, util::visible(dir));
    return 2;
  }
  if (!o.quiet)
    err << prefix
        << fmt::format("searching the {} {} of run {} of case {}\n", o.evidence.size(),
                       o.evidence.size() == 1 ? "input" : "inputs", run_record->id,
                       util::visible(c->info().id));

  size_t changed = 0;
  o.digests = true;
  o.on_stats = [&](const sources::ScanStats& s) {
    for (const auto& [path, sha] : recorded) {
      auto it = s.digests.find(path);
      std::string now =
          it != s.digests.end() && it->second.ok() ? it->second.hex : sha256_file(path).hex;
      if (sha.empty() || now == sha) continue;
      ++changed;
      err << prefix
          << fmt::format(
                 "warning: input changed since the investigation: {} (SHA-256 now {}, recorded "
                 "{}): its records may not be those the case was built from\n",
                 util::visible(path), short_digest(now), short_digest(sha));
    }
  };

  std::vector<Match> matches;
  uint64_t match_count = 0;
  if (pin.pin)
    o.on_match = [&](Match&& m) {
      if (++match_count <= pin.max) matches.push_back(std::move(m));
    };
  int rc = run(o, out, err);
  if (o.strict && (changed || !gone.empty()) && rc != 2) {
    err << prefix
        << fmt::format("--strict: {} of the case's inputs gone, {} changed\n", gone.size(),
                       changed);
    rc = 2;
  }
  if (!pin.pin) return rc;
  if (rc == 2) {
    err << prefix << "nothing was pinned\n";
    return 2;
  }
  if (match_count == 0) {
    err << prefix << "nothing matched: nothing was pinned\n";
    return 1;
  }
  if (match_count > pin.max) {
    err << prefix
        << fmt::format(
               "{} records matched, more than --max {}: nothing was pinned (narrow the query, "
               "or raise --max)\n",
               match_count, pin.max);
    return 2;
  }
  std::vector<store::Pin> pins;
  for (auto& m : matches) {
    store::Pin p;
    p.author = pin.author;
    p.query = o.query;
    p.note = pin.note;
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
  if (store::Status s = c->add_pins(pins, &already); !s) {
    err << prefix << util::visible(s.error) << "\n";
    return 2;
  }
  std::vector<std::string> ids;
  for (const auto& p : pins) ids.push_back(std::to_string(p.id));
  std::ostream& said = pin.command == "hunt" ? err : out;
  size_t added = pins.size() - already;
  said << prefix
       << fmt::format(
              "pinned {} {} to the timeline of case {} (pin {}){}; `eksir report {}` "
              "shows {} tagged [ANALYST]\n",
              added, added == 1 ? "record" : "records", util::visible(c->info().id),
              fmt::join(ids, ", "),
              already ? fmt::format(", {} of them pinned already", already) : "",
              util::visible(dir), pins.size() == 1 ? "it" : "them");
  return 0;
}

int pin_command(const PinCommand& cmd, std::ostream& out, std::ostream& err) {
  PinOptions pin = cmd.pin;
  pin.pin = true;
  pin.command = "case pin";
  return run_on_case(cmd.target, cmd.hunt, pin, out, err);
}

int unpin_command(const std::string& target, const std::vector<int64_t>& ids, std::ostream& out,
                  std::ostream& err) {
  if (ids.empty()) {
    err << "eksir case unpin: which pins? (their ids, as `eksir case show` lists them)\n";
    return 2;
  }
  std::string dir = store::resolve_case(target);
  store::Status st;
  auto c = store::Case::open(dir, false, st);
  if (!c) {
    err << "eksir case unpin: " << util::visible(st.error) << "\n";
    return 2;
  }
  if (st = c->remove_pins(ids); !st) {
    err << "eksir case unpin: " << util::visible(st.error) << "\n";
    return 2;
  }
  out << fmt::format("unpinned {} from {}\n",
                     ids.size() == 1 ? "1 pin" : std::to_string(ids.size()) + " pins",
                     util::visible(dir));
  return 0;
}

}  // namespace eksir::hunt
