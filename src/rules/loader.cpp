// The YAML rule loader and its validation.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "rules/falco.h"
#include "rules/rules.h"
#include "rules/sigma.h"
#include "rules/yaml_json.h"
#include "util/yaml_load.h"

namespace eksir::rules {
namespace {

const std::set<std::string> kRuleKeys = {"id",      "title",           "description", "severity",
                                         "attack",  "criterion",       "sources",     "condition",
                                         "subject", "false_positives", "references",  "correlation",
                                         "tests",   "origin",          "author",      "tactics"};
const std::set<std::string> kCorrelationKeys = {"type",  "group_by", "window", "threshold",
                                                "field", "steps",    "history"};
const std::set<std::string> kTestKeys = {"positive", "negative"};

uint64_t line_of(const YAML::Node& n) {
  return n.Mark().line >= 0 ? static_cast<uint64_t>(n.Mark().line) + 1 : 0;
}

class RuleReader {
 public:
  RuleReader(std::string_view file, LoadResult& out) : file_(file), out_(out) {}

  void error(const YAML::Node& at, std::string msg) {
    out_.errors.push_back({file_, at ? line_of(at) : line_, id_, std::move(msg)});
    ok_ = false;
  }
  void warning(const YAML::Node& at, std::string msg) {
    out_.warnings.push_back({file_, at ? line_of(at) : line_, id_, std::move(msg)});
  }

  bool scalar(const YAML::Node& n, std::string_view key, std::string& into) {
    if (!n.IsScalar()) {
      error(n, fmt::format("'{}' must be a string", key));
      return false;
    }
    into = n.Scalar();
    return true;
  }

  bool list(const YAML::Node& n, std::string_view key, std::vector<std::string>& into) {
    if (n.IsScalar()) {
      into.push_back(n.Scalar());
      return true;
    }
    if (!n.IsSequence()) {
      error(n, fmt::format("'{}' must be a list of strings", key));
      return false;
    }
    for (const auto& item : n) {
      if (!item.IsScalar()) {
        error(item, fmt::format("'{}' must be a list of strings", key));
        return false;
      }
      into.push_back(item.Scalar());
    }
    return true;
  }

  std::optional<query::Node> kql(const YAML::Node& at, std::string_view key,
                                 const std::string& text) {
    auto parsed = query::parse(text);
    if (!parsed) {
      error(at, fmt::format("{}: bad KQL at column {}: {}", key, parsed.error().column,
                            parsed.error().message));
      return std::nullopt;
    }
    for (const auto& w : parsed->warnings) warning(at, fmt::format("{}: {}", key, w));
    return parsed->root;
  }

  void tests(const YAML::Node& n, bool scenarios, Rule& r) {
    if (!n.IsMap()) {
      error(n, "'tests' must be a map with 'positive' and 'negative' lists");
      return;
    }
    for (const auto& kv : n) {
      std::string k = kv.first.Scalar();
      if (!kTestKeys.count(k)) {
        error(kv.first, fmt::format("unknown key 'tests.{}' (expected positive, negative)", k));
        continue;
      }
      auto& into = k == "positive" ? r.positive : r.negative;
      if (!kv.second.IsSequence()) {
        error(kv.second, fmt::format("'tests.{}' must be a list", k));
        continue;
      }
      for (const auto& item : kv.second) {
        TestCase tc;
        tc.line = line_of(item);
        if (scenarios) {
          if (!item.IsSequence()) {
            error(
                item,
                fmt::format(
                    "'tests.{}': a correlation rule's test is a list of events (one scenario)", k));
            continue;
          }
          for (const auto& ev : item) add_event(ev, k, tc);
        } else {
          add_event(item, k, tc);
        }
        into.push_back(std::move(tc));
      }
    }
  }

  void add_event(const YAML::Node& ev, std::string_view k, TestCase& tc) {
    TestEvent te;
    std::string hint, err;
    if (!yaml_to_event_json(ev, te.json, hint, err)) {
      error(ev, fmt::format("'tests.{}': {}", k, err));
      return;
    }
    if (!hint.empty()) {
      te.hint = parse_source(hint);
      if (!te.hint) error(ev, fmt::format("'tests.{}': unknown _source '{}'", k, hint));
    }
    tc.events.push_back(std::move(te));
  }

  void correlation(const YAML::Node& n, Rule& r) {
    Correlation& c = r.correlation;
    if (!n.IsMap()) {
      error(n, "'correlation' must be a map");
      return;
    }
    for (const auto& kv : n) {
      std::string k = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      std::string s;
      if (!kCorrelationKeys.count(k)) {
        error(kv.first, fmt::format("unknown key 'correlation.{}'", k));
      } else if (k == "type") {
        if (!scalar(v, "correlation.type", s)) continue;
        if (s == "count")
          c.type = CorrelationType::Count;
        else if (s == "distinct_count")
          c.type = CorrelationType::DistinctCount;
        else if (s == "sequence")
          c.type = CorrelationType::Sequence;
        else if (s == "first_seen")
          c.type = CorrelationType::FirstSeen;
        else
          error(v,
                fmt::format(
                    "bad correlation.type '{}' (count, distinct_count, sequence, first_seen)", s));
      } else if (k == "group_by") {
        list(v, "correlation.group_by", c.group_by);
      } else if (k == "window" || k == "history") {
        if (!scalar(v, "correlation." + k, s)) continue;
        TimeNs d = parse_duration(s);
        if (d <= 0)
          error(v,
                fmt::format("bad correlation.{} '{}' (a duration such as 30s, 5m, 2h, 7d)", k, s));
        (k == "window" ? c.window : c.history) = d;
      } else if (k == "threshold") {
        if (!scalar(v, "correlation.threshold", s)) continue;
        char* end = nullptr;
        long long t = std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || *end || t < 1)
          error(v, fmt::format("bad correlation.threshold '{}' (a whole number >= 1)", s));
        else
          c.threshold = static_cast<uint64_t>(t);
      } else if (k == "field") {
        scalar(v, "correlation.field", c.field);
      } else if (k == "steps") {
        if (!v.IsSequence()) {
          error(v, "'correlation.steps' must be a list of KQL conditions");
          continue;
        }
        size_t i = 0;
        for (const auto& step : v) {
          ++i;
          if (!scalar(step, "correlation.steps", s)) continue;
          c.steps.push_back(s);
          if (auto node = kql(step, fmt::format("correlation.steps[{}]", i), s))
            c.step_nodes.push_back(*node);
        }
      }
    }
    switch (c.type) {
      case CorrelationType::None:
        error(n, "'correlation.type' is required");
        break;
      case CorrelationType::Count:
      case CorrelationType::DistinctCount:
        if (c.group_by.empty()) error(n, "correlation: 'group_by' is required");
        if (c.window <= 0) error(n, "correlation: 'window' is required");
        if (c.type == CorrelationType::DistinctCount && c.field.empty())
          error(n, "correlation: distinct_count needs 'field'");
        break;
      case CorrelationType::Sequence:
        if (c.steps.size() < 2) error(n, "correlation: a sequence needs at least two 'steps'");
        if (c.group_by.empty()) error(n, "correlation: 'group_by' (the join key) is required");
        if (c.window <= 0) error(n, "correlation: 'window' (the maximum span) is required");
        break;
      case CorrelationType::FirstSeen:
        if (c.group_by.empty()) error(n, "correlation: 'group_by' is required");
        if (c.history <= 0) error(n, "correlation: first_seen needs 'history'");
        break;
    }
  }

  void read(const YAML::Node& n) {
    line_ = line_of(n);
    if (!n.IsMap()) {
      error(n, "a rule must be a YAML map");
      return;
    }
    Rule r;
    r.file = file_;
    r.line = line_;
    if (auto idn = n["id"]; idn && idn.IsScalar()) id_ = idn.Scalar();
    r.id = id_;
    if (id_.empty()) error(n, "'id' is required");
    std::optional<YAML::Node> tests_node, cond_node, corr_node;
    for (const auto& kv : n) {
      std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
      const YAML::Node& v = kv.second;
      std::string s;
      if (!kRuleKeys.count(k)) {
        error(kv.first, fmt::format("unknown key '{}'", k));
      } else if (k == "title") {
        scalar(v, k, r.title);
      } else if (k == "description") {
        scalar(v, k, r.description);
      } else if (k == "severity") {
        if (!scalar(v, k, s)) continue;
        auto sev = parse_severity(s);
        if (!sev || s != severity_name(*sev))
          error(v, fmt::format("bad severity '{}' (critical, high, medium, low, info)", s));
        else
          r.severity = *sev;
      } else if (k == "attack") {
        std::vector<std::string> ids;
        list(v, k, ids);
        for (auto& t : ids) add_attack(r.attack, std::move(t));
        for (const auto& t : r.attack) {
          bool good = t.size() >= 5 && t[0] == 'T' &&
                      std::all_of(t.begin() + 1, t.begin() + 5, ::isdigit) &&
                      (t.size() == 5 || (t.size() == 9 && t[5] == '.' &&
                                         std::all_of(t.begin() + 6, t.end(), ::isdigit)));
          if (!good) error(v, fmt::format("bad ATT&CK technique id '{}' (T1234 or T1234.001)", t));
        }
      } else if (k == "tactics") {
        std::vector<std::string> names;
        list(v, k, names);
        for (const auto& t : names) {
          if (auto tactic = tactic_short_name(t))
            add_tactic(r.tactics, std::move(*tactic));
          else
            error(v, fmt::format("unknown ATT&CK tactic '{}' (initial-access, execution, "
                                 "persistence, privilege-escalation, defense-evasion, ...)",
                                 t));
        }
      } else if (k == "criterion") {
        if (!scalar(v, k, r.criterion)) continue;
        if (!is_criterion(r.criterion))
          error(v, fmt::format("unknown criterion '{}'", r.criterion));
      } else if (k == "sources") {
        std::vector<std::string> names;
        list(v, k, names);
        for (const auto& name : names) {
          if (auto src = parse_source(name))
            r.sources.push_back(*src);
          else
            error(v,
                  fmt::format("unknown source '{}' (cloudtrail, k8s_audit, guardduty, falco, ocsf)",
                              name));
        }
      } else if (k == "condition") {
        cond_node.emplace(v);
        scalar(v, k, r.condition);
      } else if (k == "subject") {
        list(v, k, r.subject);
      } else if (k == "false_positives") {
        list(v, k, r.false_positives);
      } else if (k == "references") {
        list(v, k, r.references);
      } else if (k == "origin") {
        scalar(v, k, r.origin);
      } else if (k == "author") {
        scalar(v, k, r.author);
      } else if (k == "correlation") {
        corr_node.emplace(v);
      } else if (k == "tests") {
        tests_node.emplace(v);
      }
    }
    if (r.title.empty()) error(n, "'title' is required");
    if (!n["severity"]) error(n, "'severity' is required");
    if (corr_node) correlation(*corr_node, r);
    bool sequence = r.correlation.type == CorrelationType::Sequence;
    if (cond_node) {
      if (auto node = kql(*cond_node, "condition", r.condition)) r.match = std::move(*node);
    } else if (!sequence) {
      error(n, "'condition' is required");
    }
    if (!tests_node) {
      error(n, "'tests' are required (at least one positive event)");
    } else {
      tests(*tests_node, r.correlation.type != CorrelationType::None, r);
      if (r.positive.empty()) error(*tests_node, "'tests.positive' needs at least one case");
      if (r.negative.empty()) warning(*tests_node, "no negative test ('tests.negative')");
    }
    r.tactics = tactics_for(r.tactics, r.attack);
    if (ok_) out_.rules.push_back(std::move(r));
  }

 private:
  std::string file_;
  LoadResult& out_;
  std::string id_;
  uint64_t line_ = 0;
  bool ok_ = true;
};

}  // namespace

namespace {

// Whether a document has the structure of rules of a format eksir reads, well-formed or not: a
// Falco item list (rule, macro, list, required_*), a Sigma rule (logsource, detection), an eksir
// rule (condition or correlation, or two of its keys) or a list of them.
bool looks_like_rules(const YAML::Node& doc) {
  auto rule_like = [](const YAML::Node& n) {
    if (!n.IsMap()) return false;
    if (n["condition"] || n["correlation"] || n["logsource"] || n["detection"]) return true;
    int keys = 0;
    for (const auto& kv : n) keys += kv.first.IsScalar() && kRuleKeys.count(kv.first.Scalar());
    return keys >= 2;
  };
  if (doc.IsSequence()) {
    for (const auto& item : doc) {
      if (!item.IsMap()) continue;
      if (item["rule"] || item["macro"] || item["list"] || item["required_engine_version"] ||
          item["required_plugin_versions"] || rule_like(item))
        return true;
    }
    return false;
  }
  return rule_like(doc);
}

// What a document holds instead of rules, for the warning: "top-level keys trace_files".
std::string instead_of_rules(const YAML::Node& doc) {
  if (doc.IsMap()) {
    std::vector<std::string> keys;
    for (const auto& kv : doc)
      if (keys.size() < 5 && kv.first.IsScalar()) keys.push_back(kv.first.Scalar());
    return fmt::format("top-level key{} {}{}", doc.size() == 1 ? "" : "s", fmt::join(keys, ", "),
                       doc.size() > keys.size() ? ", ..." : "");
  }
  if (doc.IsSequence()) return fmt::format("a list of {} items that are not rules", doc.size());
  return "a single value";
}

// One file's documents into out; Falco documents into `falco`, compiled by the caller. A file
// found in a folder (in_folder) none of whose documents looks like rules is skipped_files.
void load_documents(std::string_view yaml, std::string_view file, LoadResult& out, FalcoSet& falco,
                    bool in_folder = false) {
  std::vector<YAML::Node> docs;
  try {
    docs = util::load_all_yaml(yaml);
  } catch (const YAML::Exception& e) {
    out.files += 1;
    out.errors.push_back({std::string(file),
                          e.mark.line >= 0 ? static_cast<uint64_t>(e.mark.line) + 1 : 0, "",
                          "invalid YAML: " + e.msg});
    return;
  }
  if (in_folder) {
    const YAML::Node* first = nullptr;
    bool rules = false;
    try {
      for (const auto& doc : docs) {
        if (doc.IsNull()) continue;
        if (!first) first = &doc;
        if ((rules = looks_like_rules(doc))) break;
      }
    } catch (const YAML::Exception&) {
      rules = true;  // let the loader report it
    }
    if (first && !rules) {
      out.skipped_files.push_back(
          {std::string(file),
           fmt::format("no eksir, Sigma or Falco rule structure ({})", instead_of_rules(*first))});
      return;
    }
  }
  out.files += 1;
  try {
    for (const auto& doc : docs) {
      if (doc.IsNull()) continue;
      if (is_falco(doc)) {
        falco.add(doc, file, out);
      } else if (doc.IsSequence()) {
        for (const auto& item : doc) RuleReader(file, out).read(item);
      } else if (is_sigma(doc)) {
        load_sigma(doc, file, out);
      } else {
        RuleReader(file, out).read(doc);
      }
    }
  } catch (const YAML::Exception& e) {
    out.errors.push_back({std::string(file),
                          e.mark.line >= 0 ? static_cast<uint64_t>(e.mark.line) + 1 : 0, "",
                          "invalid rule: " + e.msg});
  }
}

}  // namespace

LoadResult load_text(std::string_view yaml, std::string_view file) {
  LoadResult out;
  FalcoSet falco;
  load_documents(yaml, file, out, falco);
  falco.finish(out);
  return out;
}

LoadResult load_paths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  LoadResult out;
  // Falco files make one rule set across files (later files extend earlier ones).
  FalcoSet falco;
  for (const auto& p : paths) {
    std::error_code ec;
    std::vector<std::string> files;
    bool folder = fs::is_directory(p, ec);
    if (folder) {
      for (auto it = fs::recursive_directory_iterator(p, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        auto ext = it->path().extension().string();
        if (it->is_regular_file(ec) && (ext == ".yml" || ext == ".yaml"))
          files.push_back(it->path().string());
      }
      std::sort(files.begin(), files.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      out.errors.push_back({p, 0, "", "no such file or folder"});
      continue;
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in) {
        out.errors.push_back({f, 0, "", "cannot read the file"});
        continue;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      load_documents(ss.str(), f, out, falco, folder);
    }
  }
  falco.finish(out);
  std::set<std::string> seen;
  std::vector<Rule> unique;
  for (auto& r : out.rules) {
    if (!seen.insert(r.id).second) {
      out.errors.push_back({r.file, r.line, r.id, "duplicate rule id"});
      continue;
    }
    unique.push_back(std::move(r));
  }
  out.rules = std::move(unique);
  return out;
}

}  // namespace eksir::rules
