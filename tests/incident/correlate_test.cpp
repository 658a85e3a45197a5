// The correlation as a function: the same evidence gives the same incident, whatever order the
// scan's workers delivered its events in.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <random>
#include <sstream>

#include "detect/detect.h"
#include "incident/incident.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir::incident {
namespace {

namespace fs = std::filesystem;

struct Evidence {
  std::vector<detect::Finding> findings;
  std::vector<Event> events;  // those behind findings, as investigate keeps them
};

Evidence detect_in(const std::string& dir) {
  Evidence e;
  rules::LoadResult loaded;
  std::ostringstream err;
  EXPECT_EQ(detect::load_rules({}, true, true, "test", err, loaded), 0) << err.str();
  detect::EngineOptions eo;
  eo.workers = 1;
  detect::Engine engine(std::move(loaded.rules), eo);
  sources::ScanOptions so;
  so.threads = 1;
  sources::scan(
      {dir}, so,
      [&](const EventView& ev, sources::ChunkOutput& out) {
        if (engine.on_event(ev, out.worker) & detect::kFedHit)
          e.events.push_back(Event::from_view(ev));
      },
      [](std::vector<std::string>&) { return true; });
  e.findings = engine.finish();
  return e;
}

std::string incident_json(const Evidence& e, const std::vector<Event>& events) {
  CorrelationInput in;
  in.findings = &e.findings;
  in.events = &events;
  Investigation inv;
  build(in, inv);
  return to_json(inv);
}

TEST(Correlate, TheIncidentDoesNotDependOnTheOrderEventsArrive) {
  // The example's audit log exported twice (two files, one auditID per event): of each pair the
  // copy cited must be the same run after run.
  std::string dir = test::temp_dir();
  fs::path audit = fs::path(test::source_dir()) / "examples/incident-2026-03-14/k8s-audit";
  fs::copy(audit, fs::path(dir) / "a", fs::copy_options::recursive);
  fs::copy(audit, fs::path(dir) / "b", fs::copy_options::recursive);
  Evidence e = detect_in(dir);
  ASSERT_FALSE(e.findings.empty());
  ASSERT_GT(e.events.size(), 10u);

  const std::string want = incident_json(e, e.events);
  std::vector<Event> reversed(e.events.rbegin(), e.events.rend());
  EXPECT_EQ(incident_json(e, reversed), want);
  std::vector<Event> shuffled = e.events;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  EXPECT_EQ(incident_json(e, shuffled), want);
  // The timeline cites the first copy in evidence order: the one under a/.
  auto doc = nlohmann::json::parse(want);
  ASSERT_FALSE(doc["incident"]["timeline"].empty());
  for (const auto& t : doc["incident"]["timeline"]) {
    std::string file = t["evidence"]["file"];
    EXPECT_NE(file.find("/a/"), std::string::npos) << file;
  }
}

}  // namespace
}  // namespace eksir::incident
