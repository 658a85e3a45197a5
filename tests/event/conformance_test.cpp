// Conformance with Elastic's integrations: input records beside the ECS values Elastic's ingest
// pipelines give them (tests/data/conformance/<source>.json), compared field by field through
// eksir's field lookup, as a rule would read them. Prints the agreement per source. Fails on a
// name eksir claims (an ECS name of its table, on that source) whose values differ from Elastic's,
// unless docs/fields.md lists the difference as intended (field_differences()). Names eksir does
// not claim (related.*) are counted apart.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "event/field_renames.h"
#include "event/fields.h"
#include "sources/sources.h"
#include "test_paths.h"

namespace eksir {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The events of a case, as the sources stage reads them (normalised keys, the event's time).
std::vector<Event> case_events(simdjson::dom::element c, const std::string& name) {
  std::string path;
  std::string_view sample;
  if (c["sample"].get(sample) == simdjson::SUCCESS) {
    path = test::samples_dir() + "/" + std::string(sample);
  } else {
    path = test::temp_dir() + "/case.json";
    std::ofstream(path) << simdjson::minify(c["input"].value());
  }
  std::vector<Event> events = sources::read_all({path});
  int64_t record = 0;
  if (c["record"].get(record) == simdjson::SUCCESS) {
    if (static_cast<size_t>(record) >= events.size()) {
      ADD_FAILURE() << name << ": no record " << record;
      return {};
    }
    return {events[static_cast<size_t>(record)]};
  }
  EXPECT_EQ(events.size(), 1u) << name;
  return events;
}

std::string text_of(const FieldValue& v) {
  std::string out;
  append_value(out, v);
  return out;
}

// Equal as text, as numbers (8 and 8.0) or as times (18:45:30Z and 18:45:30.000Z).
bool same_value(const std::string& a, const std::string& b) {
  if (a == b) return true;
  double x = 0, y = 0;
  auto rx = std::from_chars(a.data(), a.data() + a.size(), x);
  auto ry = std::from_chars(b.data(), b.data() + b.size(), y);
  if (rx.ec == std::errc() && rx.ptr == a.data() + a.size() && ry.ec == std::errc() &&
      ry.ptr == b.data() + b.size())
    return x == y;
  const TimeNs ta = parse_time(a), tb = parse_time(b);
  return ta != kNoTime && ta == tb && a.size() > 10 && b.size() > 10;
}

bool same_values(const std::vector<std::string>& ours, const std::vector<std::string>& theirs) {
  auto covered = [](const std::vector<std::string>& from, const std::vector<std::string>& to) {
    for (const std::string& f : from) {
      bool found = false;
      for (const std::string& t : to) found = found || same_value(f, t);
      if (!found) return false;
    }
    return true;
  };
  return !ours.empty() && covered(ours, theirs) && covered(theirs, ours);
}

std::string joined(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const std::string& v : values) out += (out.size() > 1 ? ", " : "") + v;
  return out + "]";
}

bool intended(const std::string& name, Source source) {
  for (const FieldDifference& d : field_differences())
    if (d.ecs == name && d.source == source) return true;
  return false;
}

struct Tally {
  size_t claimed = 0, agree = 0, intended = 0, differ = 0;
  std::set<std::string> unclaimed;
  std::vector<std::string> failures;
};

Tally measure(const std::string& file) {
  Tally tally;
  simdjson::dom::parser parser;
  const std::string text = read_text(test::source_dir() + "/tests/data/conformance/" + file);
  simdjson::dom::element root = parser.parse(text);
  const std::optional<Source> source = parse_source(std::string_view(root["source"]));
  if (!source) {
    ADD_FAILURE() << file << ": unknown source";
    return tally;
  }
  for (simdjson::dom::element c : root["cases"].get_array()) {
    const std::string name{std::string_view(c["name"])};
    for (const Event& event : case_events(c, name)) {
      simdjson::dom::parser event_parser;
      const std::string doc_text(event.normalised());
      EventView ev;
      ev.source = event.source;
      ev.time = event.time;
      ev.raw = event.raw;
      ev.doc = event_parser.parse(doc_text);
      EXPECT_EQ(ev.source, *source) << name;
      for (auto [key, expected] : c["elastic"].get_object()) {
        const FieldRef field(key);
        std::vector<std::string> theirs, ours;
        auto keep = [&](const FieldValue& v) {
          if (v.type != FieldValue::Type::Null) theirs.push_back(text_of(v));
        };
        ValueSink sink(keep);
        walk_leaves(expected, sink);
        field.any(ev, [&](const FieldValue& v) {
          if (v.type != FieldValue::Type::Null) ours.push_back(text_of(v));
          return false;
        });
        if (!field.ecs() || !field.applies_to(*source)) {
          tally.unclaimed.insert(std::string(key));
          continue;
        }
        ++tally.claimed;
        if (same_values(ours, theirs)) {
          ++tally.agree;
        } else if (intended(std::string(key), *source)) {
          ++tally.intended;
        } else {
          ++tally.differ;
          tally.failures.push_back(name + ": " + std::string(key) + ": eksir " + joined(ours) +
                                   ", Elastic " + joined(theirs));
        }
      }
    }
  }
  return tally;
}

class Conformance : public ::testing::TestWithParam<const char*> {};

TEST_P(Conformance, AgreesWithElasticOnTheNamesEksirClaims) {
  const Tally t = measure(std::string(GetParam()) + ".json");
  ASSERT_GT(t.claimed, 0u);
  std::string unclaimed;
  for (const std::string& u : t.unclaimed) unclaimed += (unclaimed.empty() ? "" : ", ") + u;
  std::printf(
      "conformance %s: %zu values on names eksir claims, %zu agree (%.1f %%), %zu differ on "
      "purpose (docs/fields.md), %zu differ; names eksir does not claim: %s\n",
      GetParam(), t.claimed, t.agree, 100.0 * static_cast<double>(t.agree) / t.claimed, t.intended,
      t.differ, unclaimed.empty() ? "none" : unclaimed.c_str());
  for (const std::string& f : t.failures) ADD_FAILURE() << f;
}

INSTANTIATE_TEST_SUITE_P(Sources, Conformance,
                         ::testing::Values("guardduty", "cloudtrail", "k8s_audit"));

// A difference listed as intended must still be one: the day eksir agrees, the list is stale.
TEST(Conformance, IntendedDifferencesAreReal) {
  for (const FieldDifference& d : field_differences()) {
    const FieldRef field(d.ecs);
    EXPECT_TRUE(field.ecs() && field.applies_to(d.source)) << d.ecs;
    EXPECT_FALSE(d.eksir.empty() || d.elastic.empty()) << d.ecs;
  }
}

}  // namespace
}  // namespace eksir
