// The correlation as a function: the same evidence gives the same incident, whatever order the
// scan's workers delivered its events in.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
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
  std::vector<Event> events;       // those behind findings
  std::vector<EventPrework> work;  // beside them, when kept as investigate keeps them
};

// The findings of the built-in pack and the events behind them: whole, or (light) as
// investigate keeps them, without the text of those that are slices of their file.
Evidence detect_in(const std::string& dir, bool light = false) {
  Evidence e;
  detect::RulesLoad loaded = detect::load_rules({}, true, true);
  EXPECT_TRUE(loaded.ok()) << (loaded.messages.empty() ? "" : loaded.messages.front());
  detect::EngineOptions eo;
  eo.workers = 1;
  detect::Engine engine(std::move(loaded.loaded.rules), eo);
  sources::ScanOptions so;
  so.threads = 1;
  sources::scan(
      {dir}, so,
      [&](const EventView& ev, sources::ChunkOutput& out) {
        if (!(engine.on_event(ev, out.worker) & detect::kFedHit)) return;
        if (!light) {
          e.events.push_back(Event::from_view(ev));
          return;
        }
        EventPrework w = prework(ev);
        e.events.push_back(keep_event(ev, w));
        e.work.push_back(std::move(w));
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

// An exec into a pod by a user with an access key, from an address; one audit line.
std::string exec_line(const std::string& id, const std::string& user, const std::string& key,
                      const std::string& ip, const std::string& pod, const std::string& time) {
  return R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":")" + id +
         R"(","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/shop/pods/)" + pod +
         R"(/exec?command=sh","verb":"create","user":{"username":")" + user +
         R"(","groups":["system:authenticated"],"extra":{"accessKeyId":[")" + key +
         R"("],"arn":["arn:aws:iam::111122223333:user/)" + user + R"("]}},"sourceIPs":[")" + ip +
         R"("],"userAgent":"kubectl/v1.31.0","objectRef":{"resource":"pods","namespace":"shop","name":")" +
         pod +
         R"(","apiVersion":"v1","subresource":"exec"},"responseStatus":{"code":101},"requestReceivedTimestamp":")" +
         time + R"(","stageTimestamp":")" + time + R"("})" + "\n";
}

std::set<std::string> actors_in(const nlohmann::json& inc) {
  std::set<std::string> out;
  for (const auto& a : inc["affected"]) {
    std::string name = a.value("name", "");
    for (std::string who : {"alice", "bob", "mallory"})
      if (name.find(who) != std::string::npos) out.insert(who);
  }
  return out;
}

TEST(Correlate, PeopleWhoOnlyTouchTheSameObjectAreNotOneIncident) {
  // Two people exec into the same pod from their own addresses; a third uses the same pod from
  // another address. The pod is common ground: three stories, not one.
  std::string dir = test::temp_dir();
  std::ofstream(fs::path(dir) / "audit.log")
      << exec_line("a1", "alice", "AKIAALICE0000000001", "192.0.2.11", "web-1",
                   "2026-05-01T10:00:00Z")
      << exec_line("b1", "bob", "AKIABOB000000000001", "192.0.2.12", "web-1",
                   "2026-05-01T11:00:00Z")
      << exec_line("m1", "mallory", "AKIAMALLORY00000001", "203.0.113.9", "web-1",
                   "2026-05-01T12:00:00Z")
      << exec_line("m2", "mallory", "AKIAMALLORY00000001", "203.0.113.9", "web-2",
                   "2026-05-01T12:05:00Z");
  Evidence e = detect_in(dir);
  ASSERT_FALSE(e.findings.empty());
  auto doc = nlohmann::json::parse(incident_json(e, e.events));
  std::vector<std::set<std::string>> stories = {actors_in(doc["incident"])};
  for (const auto& lead : doc["leads"]) stories.push_back(actors_in(lead));
  for (const auto& s : stories) EXPECT_LE(s.size(), 1u) << doc["incident"]["title"];
  std::set<std::string> all;
  for (const auto& s : stories) all.insert(s.begin(), s.end());
  EXPECT_EQ(all, (std::set<std::string>{"alice", "bob", "mallory"}));
  // The incident says why the pod did not join them.
  bool said = false;
  for (const auto& n : doc["incident"]["not_expanded"])
    if (n["entity"] == "pod shop/web-1" &&
        n["why"].get<std::string>().find("3 different identities") != std::string::npos)
      said = true;
  EXPECT_TRUE(said) << doc["incident"]["not_expanded"].dump();
}

TEST(Correlate, EventsKeptWithoutTheirTextGiveTheSameIncident) {
  // investigate keeps the events behind findings without their text and reads back the ones it
  // needs: the incident is the one it would make from the whole events.
  std::string dir = test::temp_dir();
  fs::copy(fs::path(test::source_dir()) / "examples/incident-2026-03-14/k8s-audit", dir,
           fs::copy_options::recursive);
  Evidence whole = detect_in(dir);
  Evidence light = detect_in(dir, true);
  ASSERT_EQ(light.events.size(), whole.events.size());
  size_t without_text = 0;
  for (const auto& ev : light.events) without_text += ev.raw.empty();
  EXPECT_GE(without_text, 10u);
  CorrelationInput in;
  in.findings = &light.findings;
  in.events = &light.events;
  in.prework = &light.work;
  Investigation inv;
  build(in, inv);
  EXPECT_EQ(to_json(inv), incident_json(whole, whole.events));

  // The file changed since the scan: what cannot be read back is a gap, never altered text.
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string text;
    {
      std::ifstream in_file(entry.path(), std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in_file), {});
    }
    for (auto& c : text)
      if (c == 'a') c = 'b';
    std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << text;
  }
  Investigation changed;
  build(in, changed);
  bool said = false;
  for (const auto& g : changed.incident.gaps)
    if (g.find("could not be read back from the evidence") != std::string::npos) said = true;
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace eksir::incident
