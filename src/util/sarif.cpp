#include "util/sarif.h"

#include <fmt/format.h>

#include <map>

#include "util/json_writer.h"

namespace eksir::util::sarif {

double security_severity(std::string_view severity) {
  if (severity == "critical") return 9.5;
  if (severity == "high") return 8.0;
  if (severity == "medium") return 5.5;
  if (severity == "low") return 3.0;
  return 0.0;
}

std::string_view level(std::string_view severity) {
  if (severity == "critical" || severity == "high") return "error";
  if (severity == "medium") return "warning";
  return "note";
}

std::string uri(std::string_view path) {
  std::string out = !path.empty() && path[0] == '/' ? "file://" : "";
  for (unsigned char c : path) {
    if (c == ' ' || c == '%' || c == '#' || c == '?' || c < 0x20)
      out += fmt::format("%{:02X}", c);
    else
      out.push_back(static_cast<char>(c));
  }
  return out;
}

std::string log(const std::vector<Rule>& rules, const std::vector<Result>& results) {
  JsonWriter j;
  j.open('{');
  j.kv("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  j.kv("version", "2.1.0");
  j.key("runs");
  j.open('[');
  j.item();
  j.open('{');
  j.key("tool");
  j.open('{');
  j.key("driver");
  j.open('{');
  j.kv("name", "eksir");
  j.kv("version", EKSIR_VERSION);
  j.key("rules");
  j.open('[');
  std::map<std::string_view, size_t> index;
  auto text = [&](std::string_view key, std::string_view t) {
    j.key(key);
    j.open('{');
    j.kv("text", t);
    j.close('}');
  };
  auto members = [&](std::string_view raw) {
    if (raw.empty()) return;
    j.item();
    j.raw(raw);
  };
  for (const Rule& r : rules) {
    index.emplace(r.id, index.size());
    j.item();
    j.open('{');
    j.kv("id", r.id);
    if (!r.name.empty()) j.kv("name", r.name);
    text("shortDescription", r.short_text);
    text("fullDescription", r.full_text);
    j.key("defaultConfiguration");
    j.open('{');
    j.kv("level", level(r.severity));
    j.close('}');
    j.key("properties");
    j.open('{');
    members(r.properties_before);
    j.kv("security-severity", fmt::format("{:.1f}", security_severity(r.severity)));
    members(r.properties_after);
    j.close('}');
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.close('}');
  j.key("results");
  j.open('[');
  for (const Result& r : results) {
    j.item();
    j.open('{');
    j.kv("ruleId", r.rule_id);
    auto it = index.find(r.rule_id);
    j.kv_num("ruleIndex", it == index.end() ? 0 : static_cast<int64_t>(it->second));
    j.kv("level", level(r.severity));
    text("message", r.message);
    j.key("locations");
    j.open('[');
    if (!r.locations.empty()) {
      j.item();
      j.raw(r.locations);
    }
    j.close(']');
    if (!r.fingerprints.empty()) {
      j.key("partialFingerprints");
      j.open('{');
      members(r.fingerprints);
      j.close('}');
    }
    j.key("properties");
    j.open('{');
    members(r.properties);
    j.close('}');
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.close(']');
  j.close('}');
  j.raw("\n");
  return std::move(j.o);
}

}  // namespace eksir::util::sarif
