// Evidence readers: a file's bytes, as `eksir hunt|detect|investigate` read them — format sniffing,
// gzip (one or several members), one document, concatenated documents or JSON lines, cut into
// chunks of whole lines, every wrapper unwrapped (CloudTrail {"Records":[...]}, lookup-events,
// CloudWatch and EventBridge envelopes, GuardDuty {"Findings":[...]}, audit EventList...), then
// each event summarised, turned into an alert finding where it is one, and matched by the
// built-in rules.
//
// The scan reads files, so the input is written to a memory file and scanned through its
// /proc/self/fd path: the same Input, sniff and chunking code as for a file on disk. The chunk
// size is the smallest the scanner allows (4 KiB), so inputs above it take the path of a large
// line-oriented file (cut at newlines) and smaller ones the whole-file path.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "detect/detect.h"
#include "event/summary.h"
#include "fuzz_common.h"
#include "sources/sources.h"

using namespace eksir;

namespace {

struct Evidence {
  int fd = -1;
  std::string path;
  Evidence() {
    fd = ::memfd_create("evidence", MFD_CLOEXEC);
    if (fd < 0) std::abort();
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  void write(const uint8_t* data, size_t size) {
    if (::ftruncate(fd, 0) != 0) std::abort();
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
  }
};

const std::vector<query::CompiledQuery>& builtin_queries() {
  static const std::vector<query::CompiledQuery> queries = [] {
    std::vector<query::CompiledQuery> q;
    for (const auto& r : rules::load_paths({rules::builtin_rules_dir()}).rules)
      q.push_back(query::compile(r.match));
    return q;
  }();
  return queries;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  builtin_queries();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Evidence evidence;
  evidence.write(data, size);
  sources::ScanOptions options;
  options.threads = 1;
  options.chunk_bytes = 4096;
  options.digests = true;
  auto stats = sources::scan(
      {evidence.path}, options,
      [](const EventView& ev, sources::ChunkOutput& out) {
        Event owned = Event::from_view(ev);
        EventSummary s = summarize(ev);
        std::string id = detect::event_id(ev);
        if (auto f = detect::alert_finding(ev)) detect::finding_json(*f);
        for (const auto& q : builtin_queries())
          if (q.may_match(ev.source) && q.matches(ev)) out.items.push_back(id);
        out.items.push_back(format_time(owned.time) + s.actor + s.action + s.target);
      },
      [](std::vector<std::string>& items) {
        items.clear();
        return true;
      });
  for (const auto& s : stats.skips) s.message();
  return 0;
}
