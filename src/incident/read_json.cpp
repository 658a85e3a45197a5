// The incident JSON contract read back (docs/incident-json.md): the inverse of to_json, for the
// stages that read a case's incident (report, plan, respond). Tolerant: a member that is missing
// or of another type reads as empty; only a document that is not a JSON object, or names another
// schema, is an error. Members keep their order (a finding's subject), so that to_json of what is
// read gives back the document it read.
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>

#include "incident/incident.h"

namespace eksir::incident {
namespace {

namespace dom = simdjson::dom;

// One value of the document, or nothing (a missing member).
class Node {
 public:
  Node() = default;
  explicit Node(dom::element e) : e_(e), present_(true) {}

  bool present() const { return present_; }
  bool is_object() const { return present_ && e_.type() == dom::element_type::OBJECT; }
  bool is_array() const { return present_ && e_.type() == dom::element_type::ARRAY; }

  // The member named key; a repeated key reads as its last value.
  Node operator[](std::string_view key) const {
    Node out;
    if (!is_object()) return out;
    dom::object obj = e_.get_object().value_unsafe();
    for (auto field : obj)
      if (field.key == key) out = Node(field.value);
    return out;
  }

  std::vector<Node> items() const {
    std::vector<Node> out;
    if (!is_array()) return out;
    dom::array arr = e_.get_array().value_unsafe();
    for (dom::element x : arr) out.emplace_back(x);
    return out;
  }

  // Members in document order.
  template <typename F>
  void each_member(F f) const {
    if (!is_object()) return;
    dom::object obj = e_.get_object().value_unsafe();
    for (auto field : obj) f(field.key, Node(field.value));
  }

  std::string str() const {
    if (!present_ || e_.type() != dom::element_type::STRING) return {};
    return std::string(e_.get_string().value_unsafe());
  }

  // A string, or a number or boolean as its JSON text (attribute values).
  std::string text() const {
    if (!present_) return {};
    switch (e_.type()) {
      case dom::element_type::STRING:
        return str();
      case dom::element_type::INT64:
      case dom::element_type::UINT64:
      case dom::element_type::DOUBLE:
      case dom::element_type::BOOL:
        return simdjson::minify(e_);
      default:
        return {};
    }
  }

  int64_t num(int64_t missing = 0) const {
    if (!present_) return missing;
    switch (e_.type()) {
      case dom::element_type::INT64:
        return e_.get_int64().value_unsafe();
      case dom::element_type::UINT64: {
        uint64_t u = e_.get_uint64().value_unsafe();
        return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
      }
      case dom::element_type::DOUBLE: {
        double d = e_.get_double().value_unsafe();
        if (!std::isfinite(d) || d > 9e18 || d < -9e18) return missing;
        return static_cast<int64_t>(d);
      }
      default:
        return missing;
    }
  }

  uint64_t count() const {
    int64_t n = num(0);
    return n > 0 ? static_cast<uint64_t>(n) : 0;
  }

  bool boolean(bool missing = false) const {
    if (!present_ || e_.type() != dom::element_type::BOOL) return missing;
    return e_.get_bool().value_unsafe();
  }

  TimeNs time() const {
    std::string s = str();
    return s.empty() ? kNoTime : parse_time(s);
  }

  std::vector<std::string> strings() const {
    std::vector<std::string> out;
    for (const auto& n : items())
      if (n.present_ && n.e_.type() == dom::element_type::STRING) out.push_back(n.str());
    return out;
  }

  std::map<std::string, std::string> string_map() const {
    std::map<std::string, std::string> out;
    each_member([&](std::string_view k, const Node& v) {
      std::string t = v.text();
      if (!t.empty() || v.e_.type() == dom::element_type::STRING)
        out.insert_or_assign(std::string(k), std::move(t));
    });
    return out;
  }

 private:
  dom::element e_;
  bool present_ = false;
};

Evidence read_evidence(const Node& e) {
  Evidence ev;
  ev.text = e["text"].str();
  ev.finding = e["finding"].str();
  ev.rule = e["rule"].str();
  ev.source = e["source"].str();
  ev.time = e["time"].time();
  ev.file = e["file"].str();
  ev.line = e["line"].count();
  ev.record = e["record"].count();
  ev.event_id = e["event_id"].str();
  return ev;
}

Level read_level(const Node& n) {
  return parse_level(n.str()).value_or(Level::Low);
}

Tag read_tag(const Node& n) {
  std::string t = n.str();
  if (t == "DETECTION") return Tag::Detection;
  if (t == "RESPONSE") return Tag::Response;
  return Tag::Incident;
}

std::vector<Criterion> read_criteria(const Node& list) {
  std::vector<Criterion> out;
  for (const auto& c : list.items()) {
    if (!c.is_object()) continue;
    Criterion cr;
    cr.level = read_level(c["level"]);
    cr.id = c["id"].str();
    cr.criterion = c["criterion"].str();
    cr.likely_benign = c["likely_benign"].boolean();
    for (const auto& e : c["evidence"].items())
      if (e.is_object()) cr.evidence.push_back(read_evidence(e));
    out.push_back(std::move(cr));
  }
  return out;
}

std::vector<Affected> read_affected(const Node& list) {
  std::vector<Affected> out;
  for (const auto& a : list.items()) {
    if (!a.is_object()) continue;
    Affected af;
    af.kind = a["kind"].str();
    af.name = a["name"].str();
    af.ns = a["namespace"].str();
    af.id = a["id"].str();
    af.why = a["why"].str();
    af.findings = a["findings"].strings();
    af.attributes = a["attributes"].string_map();
    af.labels = a["labels"].string_map();
    out.push_back(std::move(af));
  }
  return out;
}

std::vector<Benign> read_benign(const Node& list) {
  std::vector<Benign> out;
  for (const auto& b : list.items()) {
    if (!b.is_object()) continue;
    Benign x;
    x.finding = b["finding"].str();
    x.rule = b["rule"].str();
    x.title = b["title"].str();
    x.reason = b["reason"].str();
    x.kind = b["kind"].str();
    x.severity = rules::parse_severity(b["severity"].str()).value_or(detect::Severity::Info);
    out.push_back(std::move(x));
  }
  return out;
}

// The incident, or a lead (which carries fewer members: to_json leaves the others out).
Incident read_incident(const Node& n) {
  Incident inc;
  inc.id = n["id"].str();
  inc.title = n["title"].str();
  inc.type = n["type"].str();
  inc.severity = read_level(n["severity"]);
  if (n["assessment"].str() == "undetermined") {
    inc.undetermined = n["assessment_reason"].str();
    if (inc.undetermined.empty()) inc.undetermined = "no event was read";
  }
  Node cl = n["cluster"];
  inc.cluster = {cl["name"].str(), cl["region"].str(), cl["account"].str(), cl["arn"].str()};
  inc.production = n["production"].boolean(true);
  inc.criteria = read_criteria(n["criteria"]);
  inc.affected = read_affected(n["affected"]);
  for (const auto& t : n["timeline"].items()) {
    if (!t.is_object()) continue;
    TimelineEntry e;
    e.time = t["time"].time();
    e.tag = read_tag(t["tag"]);
    e.text = t["text"].str();
    e.source = t["source"].str();
    e.confidence = t["confidence"].str();
    e.evidence = read_evidence(t["evidence"]);
    e.implausible_time = t["implausible_time"].boolean();
    e.repeats = t["repeats"].count();
    e.from = t["from"].time();
    e.until = t["until"].time();
    e.also = t["also_event_ids"].strings();
    inc.timeline.push_back(std::move(e));
  }
  Node m = n["metrics"];
  inc.metrics.first_malicious = m["first_malicious_event"].time();
  inc.metrics.first_detection = m["first_detection"].time();
  inc.metrics.last_malicious = m["last_malicious_event"].time();
  inc.metrics.affected_resources = m["affected_resources"].count();
  inc.metrics.contained = m["contained"].time();
  inc.metrics.recovered = m["recovered"].time();
  inc.metrics.implausible_times = m["implausible_times_ignored"].count();
  inc.likely_benign = read_benign(n["likely_benign"]);
  inc.assumptions = n["assumptions"].strings();
  inc.gaps = n["gaps"].strings();
  for (const auto& x : n["not_expanded"].items())
    if (x.is_object()) inc.not_expanded.emplace_back(x["entity"].str(), x["why"].str());
  inc.summary = n["summary"].str();
  inc.next_steps = n["next_steps"].strings();
  inc.findings = n["findings"].strings();
  for (const auto& e : n["entities"].items()) {
    if (!e.is_object()) continue;
    Entity en;
    en.key = e["key"].str();
    en.kind = e["kind"].str();
    en.name = e["name"].str();
    en.ns = e["namespace"].str();
    en.id = e["id"].str();
    inc.entities.push_back(std::move(en));
  }
  for (const auto& l : n["links"].items()) {
    if (!l.is_object()) continue;
    inc.links.push_back(
        {l["from"].str(), l["to"].str(), l["relation"].str(), read_evidence(l["evidence"])});
  }
  return inc;
}

// A finding as detect::finding_json writes it (its rule also as a bare id).
detect::Finding read_finding(const Node& f) {
  detect::Finding x;
  x.id = f["id"].str();
  Node rule = f["rule"];
  if (rule.is_object()) {
    x.rule_id = rule["id"].str();
    x.rule_title = rule["title"].str();
    x.origin = rule["origin"].str();
    x.author = rule["author"].str();
  } else {
    x.rule_id = rule.str();
  }
  x.severity = rules::parse_severity(f["severity"].str()).value_or(detect::Severity::Info);
  x.title = f["title"].str();
  x.description = f["description"].str();
  x.first_seen = f["first_seen"].time();
  x.last_seen = f["last_seen"].time();
  Node count = f["count"];
  x.count = count.present() ? count.count() : 1;
  x.attack = f["attack"].strings();
  x.tactics = f["tactics"].strings();
  x.criterion = f["criterion"].str();
  f["subject"].each_member(
      [&](std::string_view k, const Node& v) { x.subject.emplace_back(std::string(k), v.text()); });
  x.sample = f["sample"].boolean();
  x.note = f["note"].str();
  for (const auto& e : f["evidence"].items()) {
    if (!e.is_object()) continue;
    detect::EvidenceRef r;
    r.source = parse_source(e["source"].str()).value_or(Source::CloudTrail);
    r.file = e["file"].str();
    r.line = e["line"].count();
    r.record = e["record"].count();
    r.time = e["time"].time();
    r.event_id = e["event_id"].str();
    x.evidence.push_back(std::move(r));
  }
  return x;
}

void read_run(const Node& doc, RunInfo& r) {
  r.case_id = doc["case"]["id"].str();
  r.case_dir = doc["case"]["dir"].str();
  Node run = doc["run"];
  r.id = run["id"].num();
  r.tool_version = run["tool_version"].str();
  r.started = run["started"].time();
  r.finished = run["finished"].time();
  r.operator_name = run["operator"].str();
  r.cwd = run["cwd"].str();
  for (const auto& in : run["inputs"].items())
    if (in.is_object())
      r.inputs.push_back({in["path"].str(), in["sha256"].str(), in["size"].count()});
  r.builtin_rules = run["rules"]["builtin"].count();
  r.rules_loaded = run["rules"]["loaded"].count();
  r.rule_paths = run["rules"]["paths"].strings();
  run["events"].each_member([&](std::string_view k, const Node& v) {
    if (k == "total") {
      r.stats.events = v.count();
    } else if (auto s = parse_source(k); s && source_name(*s) == k) {
      r.stats.events_by_source[*s] = v.count();
    }
  });
  r.snapshot_files = run["snapshot"]["files"].count();
  r.snapshot_objects = run["snapshot"]["objects"].count();
  r.stats.skipped = run["skipped"].count();
}

}  // namespace

ReadResult read_json(std::string_view text) {
  ReadResult out;
  dom::parser parser;
  dom::element root;
  std::string reserialised;
  if (parser.parse(simdjson::padded_string(text)).get(root) != simdjson::SUCCESS) {
    // What simdjson refuses but JSON allows (an integer beyond 64 bits), in members' order.
    auto doc = nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded()) {
      out.error = "the incident document is not JSON";
      return out;
    }
    reserialised = doc.dump();
    if (parser.parse(simdjson::padded_string(reserialised)).get(root) != simdjson::SUCCESS) {
      out.error = "the incident document is not JSON";
      return out;
    }
  }
  Node doc(root);
  if (!doc.is_object()) {
    out.error = "the incident document is not a JSON object";
    return out;
  }
  out.schema = doc["schema"].str();
  if (!out.schema.empty() && out.schema.rfind("eksir.incident/", 0) != 0) {
    out.error = "not an eksir incident document (schema \"" + out.schema + "\")";
    return out;
  }
  Investigation& inv = out.investigation;
  out.has_run = doc["run"].is_object();
  read_run(doc, inv.run);
  Node inc = doc["incident"];
  out.has_incident = inc.is_object();
  inv.incident = read_incident(inc);
  for (const auto& l : doc["leads"].items())
    if (l.is_object()) inv.leads.push_back(read_incident(l));
  for (const auto& f : doc["findings"].items())
    if (f.is_object()) inv.findings.push_back(read_finding(f));
  for (const auto& p : doc["posture"].items()) {
    if (!p.is_object()) continue;
    cluster::Finding c;
    c.check = p["check"].str();
    c.severity = cluster::parse_severity(p["severity"].str()).value_or(cluster::Severity::Info);
    c.kind = p["kind"].str();
    c.ns = p["namespace"].str();
    c.name = p["name"].str();
    c.field = p["field"].str();
    c.message = p["message"].str();
    c.why = p["why"].str();
    c.exempted = p["exempted"].boolean();
    inv.posture.push_back(std::move(c));
  }
  return out;
}

}  // namespace eksir::incident
