// `eksir detect`: load the rules, scan once, write the findings.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <ostream>
#include <thread>

#include "detect/detect.h"
#include "rules/elastic.h"
#include "sources/sources.h"
#include "util/json_writer.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::detect {
namespace {

std::array<uint64_t, 5> tally(const std::vector<Finding>& findings) {
  std::array<uint64_t, 5> n{};
  for (const auto& f : findings) ++n[static_cast<size_t>(f.severity)];
  return n;
}

std::string severity_counts(const std::vector<Finding>& findings) {
  auto n = tally(findings);
  std::string out;
  for (int s = 4; s >= 0; --s)
    if (n[s])
      out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n[s],
                         rules::severity_name(static_cast<Severity>(s)));
  return out;
}

}  // namespace

namespace {

// A budget as --memory takes it: 128M, 64K, 1000.
std::string memory_flag(size_t bytes) {
  if (bytes && bytes % (size_t{1} << 30) == 0) return fmt::format("{}G", bytes >> 30);
  if (bytes && bytes % (size_t{1} << 20) == 0) return fmt::format("{}M", bytes >> 20);
  if (bytes && bytes % (size_t{1} << 10) == 0) return fmt::format("{}K", bytes >> 10);
  return std::to_string(bytes);
}

}  // namespace

std::string spill_text(const SpillStats& s, size_t memory) {
  if (s.lost)
    return fmt::format(
        "correlation events could not be read back from their temporary file ({}): correlation "
        "rules ran without some of the {} events that had gone to it",
        util::visible(s.error), util::thousands(s.tuples));
  if (!s.error.empty())
    return fmt::format(
        "the temporary file for correlation events failed ({}): {} events went to it and the "
        "rest stayed in memory, past --memory",
        util::visible(s.error), util::thousands(s.tuples));
  if (!s.tuples) return "";
  return fmt::format(
      "{} events counted by correlation rules ({}) went to a temporary file to stay within "
      "--memory {}, and were read back after the scan",
      util::thousands(s.tuples), util::human_bytes(s.bytes), memory_flag(memory));
}

std::string print_spill_text(const SpillStats& s, size_t memory) {
  if (s.prints_lost)
    return fmt::format(
        "the fingerprints of matched events could not be read back from their temporary file "
        "({}): copies of one event (an audit event's two stages, a log read twice) may count "
        "twice in the findings' counts",
        util::visible(s.print_error));
  if (!s.print_error.empty())
    return fmt::format(
        "the temporary file for the fingerprints of matched events failed ({}): {} went to it "
        "and the rest stayed in memory, past --memory",
        util::visible(s.print_error), util::thousands(s.prints));
  if (!s.prints) return "";
  return fmt::format(
      "{} fingerprints of matched events ({}, what tells copies of one event apart) went to a "
      "temporary file to stay within --memory {}, and were merged after the scan",
      util::thousands(s.prints), util::human_bytes(s.print_bytes), memory_flag(memory));
}

Detection detect(const DetectOptions& o, std::vector<rules::Rule> rules) {
  sources::ScanOptions so;
  so.threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  so.since = o.since;
  so.until = o.until;
  so.progress = o.progress;
  EngineOptions eo;
  eo.workers = so.threads;
  eo.memory = o.memory;
  Detection d;
  d.rules = rules.size();
  d.engine = std::make_unique<Engine>(std::move(rules), eo);
  Engine& engine = *d.engine;
  if (o.prefilter && !o.scan) engine.prefilter(so);

  auto on_event = [&](const EventView& ev, sources::ChunkOutput& chunk) {
    engine.on_event(ev, chunk.worker);
  };
  auto on_output = [](std::vector<std::string>&) { return true; };
  d.stats = o.scan ? o.scan(engine.rules())(so, on_event, on_output)
                   : sources::scan(o.evidence, so, on_event, on_output);

  std::vector<Finding> all = engine.finish();
  for (auto& f : all)
    if (f.severity >= o.min_severity && (!o.keep || o.keep(f))) d.findings.push_back(std::move(f));
  d.left_out = all.size() - d.findings.size();
  return d;
}

namespace {

std::string summary_json(const Detection& d) {
  const sources::ScanStats& st = d.stats;
  const Engine& engine = *d.engine;
  util::JsonWriter j;
  j.open('{');
  j.kv_num("files", st.files);
  j.kv_num("events", st.events);
  j.kv_num("bytes", st.bytes);
  j.kv_num("skipped", st.skipped);
  j.kv_num("rules", d.rules);
  j.kv_num("findings", d.findings.size());
  j.kv_num("below_min_severity", d.left_out);
  j.key("by_severity");
  j.open('{');
  auto by_severity = tally(d.findings);
  for (int s = 4; s >= 0; --s)
    j.kv_num(rules::severity_name(static_cast<Severity>(s)), by_severity[s]);
  j.close('}');
  j.key("withheld");
  j.open('[');
  for (const auto& w : engine.withheld()) {
    j.item();
    j.open('{');
    j.kv("rule_id", w.rule_id);
    j.kv_num("history_seconds", w.history / 1000000000);
    j.kv("evidence_start", format_time(w.evidence_start));
    j.kv_num("values", w.values);
    j.kv("text", w.text());
    j.close('}');
  }
  j.close(']');
  if (const SpillStats& sp = engine.spilled(); sp.tuples || !sp.error.empty()) {
    j.key("spilled");
    j.open('{');
    j.kv_num("events", sp.tuples);
    j.kv_num("bytes", sp.bytes);
    if (!sp.error.empty()) j.kv("error", sp.error);
    if (sp.lost) j.kv_bool("lost", true);
    j.close('}');
  }
  if (const SpillStats& sp = engine.spilled(); sp.prints || !sp.print_error.empty()) {
    j.key("spilled_fingerprints");
    j.open('{');
    j.kv_num("fingerprints", sp.prints);
    j.kv_num("bytes", sp.print_bytes);
    if (!sp.print_error.empty()) j.kv("error", sp.print_error);
    if (sp.prints_lost) j.kv_bool("lost", true);
    j.close('}');
  }
  j.kv_num("seconds", st.seconds, 3);
  j.close('}');
  return std::move(j.o);
}

}  // namespace

void write_findings(const Detection& d, Format format, std::ostream& out, size_t width,
                    bool colour) {
  const std::vector<Finding>& findings = d.findings;
  switch (format) {
    case Format::Json:
      write_json(findings, summary_json(d), out);
      break;
    case Format::Ndjson:
      write_ndjson(findings, out);
      break;
    case Format::Table:
      write_table(findings, out, width, colour);
      break;
    case Format::Sarif:
      write_sarif(findings, d.engine->rules(), out);
      break;
    case Format::Ecs:
      write_ecs(findings, out);
      break;
    case Format::Ocsf:
      write_ocsf(findings, out);
      break;
  }
}

std::string result_text(const Detection& d) {
  std::string counts = severity_counts(d.findings);
  return fmt::format("{} rules, {} findings{}", d.rules, util::thousands(d.findings.size()),
                     counts.empty() ? "" : " (" + counts + ")");
}

}  // namespace eksir::detect
