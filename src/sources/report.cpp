#include <fmt/format.h>

#include <string>

#include "sources/sources.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::sources {

std::string scan_summary(std::string_view command, const ScanStats& st, std::string_view result,
                         bool strict) {
  std::string text;
  double mbps = st.seconds > 0 ? static_cast<double>(st.bytes) / 1e6 / st.seconds : 0;
  std::string by_source;
  for (const auto& [src, n] : st.events_by_source)
    by_source +=
        fmt::format("{}{} {}", by_source.empty() ? "" : ", ", util::thousands(n), source_name(src));
  text +=
      fmt::format("eksir {}: {} files, {} events{}, {}, {}, {} skipped, {:.2f} s, {:.0f} MB/s\n",
                  command, util::thousands(st.files), util::thousands(st.events),
                  by_source.empty() ? "" : " (" + by_source + ")", util::human_bytes(st.bytes),
                  result, util::thousands(st.skipped), st.seconds, mbps);
  if (st.unparsed_lines || st.unparsed_files) {
    std::string what;
    if (st.unparsed_lines)
      what = fmt::format("{} {}", util::thousands(st.unparsed_lines),
                         st.unparsed_lines == 1 ? "line" : "lines");
    if (st.unparsed_files)
      what += fmt::format("{}{} whole {}", what.empty() ? "" : " and ",
                          util::thousands(st.unparsed_files),
                          st.unparsed_files == 1 ? "file" : "files");
    text += fmt::format(
        "  {} without the {} words were not parsed: their events are not counted above "
        "(--no-prefilter parses every record)\n",
        what, command == "hunt" ? "query's" : "rules'");
  }
  if (st.filtered)
    text += fmt::format("  {} events outside --since/--until/--source were not searched\n",
                        util::thousands(st.filtered));
  if (st.ignored) {
    std::string reasons;
    for (const auto& [r, n] : st.ignored_by_reason)
      reasons += fmt::format("{}{}: {}", reasons.empty() ? "" : ", ", util::visible(r), n);
    text += fmt::format("  {} files or records are not event evidence and were passed over ({})\n",
                        util::thousands(st.ignored), reasons);
    for (const auto& f : st.ignored_files)
      if (f.reason == "eksir case")
        text +=
            fmt::format("  passed over {}: an eksir case folder (case.db), not evidence\n", f.file);
  }
  if (st.samples)
    text += fmt::format("  {} GuardDuty sample findings (additionalInfo.sample) were read\n",
                        st.samples);
  if (st.skipped == 0) return text;
  std::string reasons;
  for (const auto& [r, n] : st.skipped_by_reason)
    reasons += fmt::format("{}{}: {}", reasons.empty() ? "" : ", ", util::visible(r), n);
  text += "  skipped by reason: " + reasons + "\n";
  // Runs of skips with the same file and reason (every element of one odd array) read as one
  // line and a count; --strict lists every skip.
  const size_t kShow = strict ? st.skips.size() : 20;
  size_t shown = 0, listed = 0;
  for (size_t i = 0; i < st.skips.size() && shown < kShow;) {
    size_t j = i + 1;
    if (!strict)
      while (j < st.skips.size() && st.skips[j].file == st.skips[i].file &&
             st.skips[j].reason == st.skips[i].reason)
        ++j;
    // File names and details quote the evidence.
    text += "  skip: " + util::visible(st.skips[i].message()) + "\n";
    if (j - i > 1) text += fmt::format("        and {} more like it in this file\n", j - i - 1);
    ++shown;
    listed += j - i;
    i = j;
  }
  if (st.skipped > listed)
    text += fmt::format("  ... and {} more skips\n", util::thousands(st.skipped - listed));
  return text;
}

std::string evidence_problem(const ScanStats& st, bool strict) {
  if (st.files == 0 && st.skipped == 0 && st.ignored == 0)
    return "no evidence files found in the given paths";
  if (st.events == 0 && st.filtered == 0 && (st.skipped > 0 || st.ignored > 0))
    return "no event could be read; the result cannot be trusted";
  if (strict && st.skipped > 0)
    return fmt::format("--strict: {} records or files were skipped", st.skipped);
  return "";
}

}  // namespace eksir::sources
