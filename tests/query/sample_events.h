// Test helper: events from the shared samples (or inline JSON) as EventViews, built by hand with
// the source the test names, so field and query tests do not depend on the sources stage.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "test_paths.h"

namespace eksir::test {

class SampleEvents {
 public:
  // Loads a file under samples_dir(): a JSON array of records, a {"Records": [...]} or
  // {"Findings": [...]} wrapper, a single (pretty-printed) object, or one object per line.
  static std::shared_ptr<SampleEvents> file(const std::string& relative, Source source) {
    std::ifstream in(samples_dir() + "/" + relative, std::ios::binary);
    if (!in) throw std::runtime_error("missing sample " + relative);
    std::stringstream ss;
    ss << in.rdbuf();
    return text(ss.str(), source, relative);
  }

  // Same, from JSON text.
  static std::shared_ptr<SampleEvents> text(const std::string& json, Source source,
                                            const std::string& name = "inline") {
    auto out = std::make_shared<SampleEvents>();
    out->name_ = name;
    auto whole = std::make_unique<simdjson::dom::parser>();
    simdjson::dom::element root;
    if (whole->parse(json).get(root) == simdjson::SUCCESS) {
      std::vector<simdjson::dom::element> items;
      simdjson::dom::element inner;
      if (root.is_array()) {
        for (auto e : root.get_array()) items.push_back(e);
      } else if (root["Records"].get(inner) == simdjson::SUCCESS && inner.is_array()) {
        for (auto e : inner.get_array()) items.push_back(e);
      } else if (root["Findings"].get(inner) == simdjson::SUCCESS && inner.is_array()) {
        for (auto e : inner.get_array()) items.push_back(e);
      } else {
        items.push_back(root);
      }
      for (auto e : items) out->add(source, simdjson::minify(e), e);
      out->parsers_.push_back(std::move(whole));
      return out;
    }
    std::istringstream lines(json);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto p = std::make_unique<simdjson::dom::parser>();
      simdjson::dom::element e;
      if (p->parse(line).get(e) != simdjson::SUCCESS)
        throw std::runtime_error("bad JSON line in " + name);
      out->add(source, line, e);
      out->parsers_.push_back(std::move(p));
    }
    return out;
  }

  size_t size() const { return events_.size(); }
  const EventView& operator[](size_t i) const { return events_.at(i).view; }
  const std::string& name() const { return name_; }
  auto begin() const { return events_.begin(); }
  auto end() const { return events_.end(); }

  struct Item {
    std::unique_ptr<std::string> raw;
    EventView view;
  };

 private:
  void add(Source source, std::string raw, simdjson::dom::element doc) {
    Item item;
    item.raw = std::make_unique<std::string>(std::move(raw));
    item.view.source = source;
    item.view.file = name_;
    item.view.line = events_.size() + 1;
    item.view.record = events_.size();
    item.view.raw = *item.raw;
    item.view.doc = doc;
    item.view.time = time_of(source, doc);
    events_.push_back(std::move(item));
  }

  static TimeNs time_of(Source source, simdjson::dom::element doc) {
    const char* const candidates[kSourceCount][3] = {
        {"eventTime", nullptr, nullptr},
        {"stageTimestamp", "requestReceivedTimestamp", "timestamp"},
        {"updatedAt", "createdAt", nullptr},
        {"time", nullptr, nullptr},
        {"time_dt", nullptr, nullptr},
        {"first_observed_at", "scanned_at", nullptr},
    };
    for (const char* key : candidates[static_cast<int>(source)]) {
      if (!key) break;
      std::string_view s;
      if (doc[key].get(s) == simdjson::SUCCESS) {
        TimeNs t = parse_time(s);
        if (t != kNoTime) return t;
      }
    }
    return kNoTime;
  }

  std::string name_;
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers_;
  std::vector<Item> events_;
};

inline const char* const kAuditDir = "k8s-audit/falco-trace-files/";
inline const char* const kStratusDir = "cloudtrail/stratus-red-team-detonation-logs/";

}  // namespace eksir::test
