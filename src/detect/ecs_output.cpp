// Findings as Elastic alerts: ECS documents in the shape of Kibana's own alert documents, and the
// _bulk request body that indexes them into a data stream.
#include <algorithm>
#include <array>
#include <map>
#include <ostream>
#include <set>

#include "detect/detect.h"
#include "event/fields.h"
#include "util/cidr.h"
#include "util/json_writer.h"

namespace eksir::detect {

std::string_view elastic_severity(Severity s) {
  switch (s) {
    case Severity::Critical:
      return "critical";
    case Severity::High:
      return "high";
    case Severity::Medium:
      return "medium";
    default:
      return "low";
  }
}

int elastic_risk_score(Severity s) {
  switch (s) {
    case Severity::Critical:
      return 99;
    case Severity::High:
      return 73;
    case Severity::Medium:
      return 47;
    default:
      return 21;
  }
}

namespace {

struct EcsTarget {
  std::string name, type;
};

// The field table turned around: per source, the ECS names whose rows read a native path (in the
// table's order, so a field's own row comes before its aliases), and the prefix rows.
struct ReverseTable {
  std::array<std::map<std::string, std::vector<EcsTarget>, std::less<>>, kSourceCount> exact;
  // (native prefix, ECS prefix), the longest native prefix first; "" is every path ("*").
  std::array<std::vector<std::pair<std::string, std::string>>, kSourceCount> prefixes;
  std::map<std::string, std::string, std::less<>> types;  // ECS name -> type
};

std::vector<std::string> alternatives(std::string_view cell) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= cell.size()) {
    size_t end = std::min(cell.find(" | ", start), cell.size());
    out.emplace_back(cell.substr(start, end - start));
    start = end + 3;
  }
  return out;
}

const ReverseTable& reverse_table() {
  static const ReverseTable table = [] {
    ReverseTable t;
    for (const FieldInfo& row : field_table()) {
      const bool prefix = row.ecs.ends_with(".*");
      if (!prefix) t.types.emplace(row.ecs, row.type);
      for (int s = 0; s < kSourceCount; ++s) {
        for (std::string path : alternatives(row.native[s])) {
          if (path.empty() || path[0] == '\'') continue;  // not there, or a constant
          if (path[0] == '=') {
            // Computed: only =ip(path), the path's value when it is an address (checked on use).
            if (!path.starts_with("=ip(") || !path.ends_with(")")) continue;
            path = path.substr(4, path.size() - 5);
          }
          if (prefix) {
            if (path == "*")
              t.prefixes[s].emplace_back("", row.ecs.substr(0, row.ecs.size() - 1));
            else if (path.ends_with(".*"))
              t.prefixes[s].emplace_back(path.substr(0, path.size() - 1),
                                         row.ecs.substr(0, row.ecs.size() - 1));
          } else {
            t.exact[s][path].push_back({row.ecs, row.type});
          }
        }
      }
    }
    for (auto& p : t.prefixes)
      std::stable_sort(p.begin(), p.end(), [](const auto& a, const auto& b) {
        return a.first.size() > b.first.size();
      });
    return t;
  }();
  return table;
}

// eksir's own subject words (detect/alerts.cpp and the identity the engine adds) and the ECS name
// each stands for, on every source.
constexpr std::pair<std::string_view, std::string_view> kSubjectWords[] = {
    {"account", "cloud.account.id"},     {"cluster", "orchestrator.cluster.name"},
    {"container", "container.name"},     {"image", "container.image.name"},
    {"instance", "cloud.instance.id"},   {"namespace", "orchestrator.namespace"},
    {"node", "host.hostname"},           {"pod", "orchestrator.resource.name"},
    {"process", "process.command_line"}, {"region", "cloud.region"},
    {"source_ip", "source.ip"},          {"user", "user.name"},
};
// The identity the engine adds to CloudTrail and audit findings, by the native path it reads
// (detect/engine.cpp): mapped as that path is.
struct IdentityPath {
  std::string_view word;
  Source source;
  std::string_view path;
};
constexpr IdentityPath kIdentityPaths[] = {
    {"arn", Source::CloudTrail, "userIdentity.arn"},
    {"arn", Source::K8sAudit, "user.extra.arn"},
    {"access_key_id", Source::CloudTrail, "userIdentity.accessKeyId"},
    {"access_key_id", Source::K8sAudit, "user.extra.accessKeyId"},
    {"session_name", Source::K8sAudit, "user.extra.sessionName"},
    {"source_ip", Source::CloudTrail, "sourceIPAddress"},
    {"source_ip", Source::K8sAudit, "sourceIPs"},
};

bool is_address(std::string_view v) {
  return v.find('/') == std::string_view::npos && util::parse_cidr(v).has_value();
}

// The ECS name value goes under, or "" when none takes it.
std::string ecs_name_of(std::string_view key, std::string_view value, Source source) {
  const ReverseTable& t = reverse_table();
  auto fits = [&](std::string_view type) {
    if (type == "ip") return is_address(value);
    return type == "keyword" || type == "text";
  };
  if (auto it = t.types.find(key); it != t.types.end()) return fits(it->second) ? it->first : "";
  std::string_view path = key;
  for (const auto& id : kIdentityPaths)
    if (id.word == key && id.source == source) path = id.path;
  const size_t s = static_cast<size_t>(source);
  if (auto it = t.exact[s].find(path); it != t.exact[s].end())
    for (const auto& target : it->second)
      if (fits(target.type)) return target.name;
  for (const auto& [word, ecs] : kSubjectWords)
    if (word == key) {
      auto type = t.types.find(ecs);
      return type != t.types.end() && fits(type->second) ? std::string(ecs) : "";
    }
  for (const auto& [native, ecs] : t.prefixes[s])
    if (path.starts_with(native) && path.size() > native.size())
      return ecs + std::string(path.substr(native.size()));
  return "";
}

std::string technique_url(std::string_view id) {
  std::string path(id);
  std::replace(path.begin(), path.end(), '.', '/');
  return "https://attack.mitre.org/techniques/" + path + "/";
}

void kv_strings(util::JsonWriter& j, std::string_view key, const std::vector<std::string>& v) {
  if (!v.empty()) j.kv_list(key, v);
}

// threat.* (ECS): the tactics, techniques and sub-techniques (with their parent technique).
void write_threat(util::JsonWriter& j, const Finding& f) {
  if (f.tactics.empty() && f.attack.empty()) return;
  std::vector<std::string> tactic_ids, tactic_names, tactic_refs, ids, refs, sub_ids, sub_refs;
  for (const auto& t : f.tactics) {
    std::string_view id = rules::tactic_id(t);
    tactic_names.push_back(rules::tactic_display_name(t));
    if (!id.empty()) {
      tactic_ids.emplace_back(id);
      tactic_refs.push_back("https://attack.mitre.org/tactics/" + std::string(id) + "/");
    }
  }
  for (const auto& t : f.attack) {
    std::string base = t.substr(0, t.find('.'));
    if (std::find(ids.begin(), ids.end(), base) == ids.end()) {
      ids.push_back(base);
      refs.push_back(technique_url(base));
    }
    if (base != t) {
      sub_ids.push_back(t);
      sub_refs.push_back(technique_url(t));
    }
  }
  j.kv("threat.framework", "MITRE ATT&CK");
  kv_strings(j, "threat.tactic.id", tactic_ids);
  kv_strings(j, "threat.tactic.name", tactic_names);
  kv_strings(j, "threat.tactic.reference", tactic_refs);
  kv_strings(j, "threat.technique.id", ids);
  kv_strings(j, "threat.technique.reference", refs);
  kv_strings(j, "threat.technique.subtechnique.id", sub_ids);
  kv_strings(j, "threat.technique.subtechnique.reference", sub_refs);
}

// The dataset and module of the evidence's source, as the field table's constants give them.
std::string table_constant(std::string_view ecs, Source s) {
  for (const FieldInfo& row : field_table())
    if (row.ecs == ecs) {
      const std::string& cell = row.native[static_cast<size_t>(s)];
      if (cell.size() >= 2 && cell.front() == '\'' && cell.back() == '\'')
        return cell.substr(1, cell.size() - 2);
    }
  return "";
}

std::string reason(const Finding& f) {
  std::string out = f.title;
  for (size_t i = 0; i < f.subject.size(); ++i)
    out += (i ? ", " : ": ") + f.subject[i].first + "=" + f.subject[i].second;
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> subject_ecs(const Finding& f) {
  const Source source = f.evidence.empty() ? Source::CloudTrail : f.evidence.front().source;
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : f.subject) {
    std::string name = ecs_name_of(key, value, source);
    if (!name.empty() && !value.empty()) out.emplace(std::move(name), value);
  }
  return {out.begin(), out.end()};
}

std::string ecs_document(const Finding& f, std::string_view incident_id,
                         std::string_view extra_members) {
  // The fields this document sets itself: an event field of the same name is not written again.
  static const std::set<std::string, std::less<>> kOwn = {
      "@timestamp",    "message",      "rule.name", "rule.category", "rule.ruleset", "event.kind",
      "event.dataset", "event.module", "event.id",  "event.start",   "event.end"};
  util::JsonWriter j;
  j.open('{');
  // A data stream refuses a document without @timestamp: a finding whose evidence carries no
  // usable time is dated the epoch (as OCSF's time is 0), its eksir.first_seen null.
  const TimeNs when = f.first_seen != kNoTime ? f.first_seen : f.last_seen;
  j.kv_time("@timestamp", when != kNoTime ? when : 0);
  j.kv("ecs.version", "8.11.0");
  j.kv("event.kind", "alert");
  j.kv_list("event.category", {"intrusion_detection"});
  j.kv_list("event.type", {"info"});
  j.kv("event.id", f.id);
  if (!f.evidence.empty()) {
    const Source source = f.evidence.front().source;
    if (auto d = table_constant("event.dataset", source); !d.empty()) j.kv("event.dataset", d);
    if (auto m = table_constant("event.module", source); !m.empty()) j.kv("event.module", m);
  }
  if (f.first_seen != kNoTime) j.kv_time("event.start", f.first_seen);
  if (f.last_seen != kNoTime) j.kv_time("event.end", f.last_seen);
  j.kv_num("event.risk_score", elastic_risk_score(f.severity));
  j.kv("message", f.title);
  j.kv("rule.id", f.rule_id);
  j.kv("rule.name", f.rule_title);
  j.kv("rule.description", f.description.empty() ? f.rule_title : f.description);
  std::vector<std::string> references;
  for (const auto& t : f.attack) references.push_back(technique_url(t));
  kv_strings(j, "rule.reference", references);
  j.kv("rule.ruleset", f.origin);
  if (!f.author.empty()) j.kv_list("rule.author", {f.author});
  j.kv("kibana.alert.rule.name", f.rule_title);
  j.kv("kibana.alert.rule.rule_id", f.rule_id);
  j.kv("kibana.alert.severity", elastic_severity(f.severity));
  j.kv_num("kibana.alert.risk_score", elastic_risk_score(f.severity));
  j.kv("kibana.alert.reason", reason(f));
  j.kv("kibana.alert.workflow_status", "open");
  if (!f.evidence.empty() && f.evidence.front().time != kNoTime)
    j.kv_time("kibana.alert.original_time", f.evidence.front().time);
  write_threat(j, f);

  // The event's own fields: several values of one name are an array.
  std::map<std::string, std::vector<std::string>> fields;
  for (auto& [name, value] : subject_ecs(f))
    if (!kOwn.contains(name)) fields[name].push_back(value);
  for (const auto& [name, values] : fields) {
    if (values.size() == 1)
      j.kv(name, values.front());
    else
      j.kv_list(name, values);
  }

  if (incident_id != f.id) j.kv("eksir.finding.id", f.id);
  if (!incident_id.empty()) j.kv("eksir.incident.id", incident_id);
  j.kv("eksir.severity", rules::severity_name(f.severity));
  j.kv_num("eksir.count", static_cast<int64_t>(f.count));
  j.kv_time("eksir.first_seen", f.first_seen);
  j.kv_time("eksir.last_seen", f.last_seen);
  if (!f.criterion.empty()) j.kv("eksir.criterion", f.criterion);
  if (!f.note.empty()) j.kv("eksir.note", f.note);
  if (f.sample) j.kv_bool("eksir.sample", true);
  // Name and value pairs, not an object: a subject key is any native path, and as object keys they
  // would become mapped fields of every shape.
  j.key("eksir.subject");
  j.open('[');
  for (const auto& [k, v] : f.subject) {
    j.item();
    j.open('{');
    j.kv("name", k);
    j.kv("value", v);
    j.close('}');
  }
  j.close(']');
  j.key("eksir.evidence");
  j.open('[');
  for (const auto& e : f.evidence) {
    j.item();
    j.open('{');
    j.kv("source", source_name(e.source));
    j.kv("file", e.file);
    j.kv_num("line", static_cast<int64_t>(e.line));
    j.kv_num("record", static_cast<int64_t>(e.record));
    std::string at = e.file + ":" + std::to_string(e.line);
    if (e.record) at += "#" + std::to_string(e.record);
    j.kv("location", at);
    if (e.time != kNoTime) j.kv_time("time", e.time);
    if (!e.event_id.empty()) j.kv("event_id", e.event_id);
    j.close('}');
  }
  j.close(']');
  if (!extra_members.empty()) {
    j.raw(",");
    j.raw(extra_members);
  }
  j.close('}');
  return std::move(j.o);
}

void write_ecs_bulk(const std::vector<std::string>& documents, std::ostream& out) {
  for (const auto& d : documents) out << "{\"create\":{}}\n" << d << '\n';
}

void write_ecs(const std::vector<Finding>& findings, std::ostream& out) {
  std::vector<std::string> documents;
  documents.reserve(findings.size());
  for (const auto& f : findings) documents.push_back(ecs_document(f));
  write_ecs_bulk(documents, out);
}

}  // namespace eksir::detect
