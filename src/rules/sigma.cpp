// Sigma rules translated to the internal rule form (see sigma.h).
#include "rules/sigma.h"
#include "util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

namespace eksir::rules {
namespace {

using query::Node;
using query::NodeKind;
using query::Pattern;

// A feature the translation does not support: the rule is skipped with this text.
struct Unsupported {
  std::string feature;
};

uint64_t line_of(const YAML::Node& n) {
  return n.Mark().line >= 0 ? static_cast<uint64_t>(n.Mark().line) + 1 : 0;
}

using query::exists_node;
using query::negate;

// query::combine, refusing what Sigma leaves undefined (nothing to combine).
Node combine_nonempty(NodeKind kind, std::vector<Node> children) {
  if (children.empty()) throw Unsupported{"an empty selection or value list"};
  return query::combine(kind, std::move(children));
}

struct Modifiers {
  bool contains = false, startswith = false, endswith = false, all = false, re = false;
  bool cased = false, exists = false, re_icase = false, re_multiline = false, fieldref = false;
  bool cidr = false;
};

std::string regex_escape(char c) {
  static const std::string_view kSpecial = "\\^$.|?*+()[]{}/";
  return kSpecial.find(c) != std::string_view::npos ? std::string{'\\', c} : std::string{c};
}

// A Sigma string value (with `*`, `?` wildcards and `\` escapes) as a Pattern.
Pattern sigma_pattern(std::string_view raw, const Modifiers& m) {
  struct Piece {
    char c;
    int wild;  // 0 literal, 1 '*', 2 '?'
  };
  std::vector<Piece> pieces;
  for (size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (c == '\\' && k + 1 < raw.size() &&
        (raw[k + 1] == '*' || raw[k + 1] == '?' || raw[k + 1] == '\\')) {
      pieces.push_back({raw[++k], 0});
    } else if (c == '*') {
      pieces.push_back({c, 1});
    } else if (c == '?') {
      pieces.push_back({c, 2});
    } else {
      pieces.push_back({c, 0});
    }
  }
  if (m.contains || m.endswith)
    if (pieces.empty() || pieces.front().wild != 1) pieces.insert(pieces.begin(), {'*', 1});
  if (m.contains || m.startswith)
    if (pieces.empty() || pieces.back().wild != 1) pieces.push_back({'*', 1});
  Pattern p;
  p.icase = !m.cased;
  p.quoted = true;
  bool single =
      std::any_of(pieces.begin(), pieces.end(), [](const Piece& x) { return x.wild == 2; });
  if (single) {  // `?`: only the regex matcher has a one-character wildcard
    p.regex = true;
    p.text = "^";
    for (const Piece& x : pieces)
      p.text += x.wild == 1 ? "[\\s\\S]*" : x.wild == 2 ? "[\\s\\S]" : regex_escape(x.c);
    p.text += "$";
    return p;
  }
  for (const Piece& x : pieces) {
    if (x.wild == 1) p.wildcards.push_back(static_cast<uint32_t>(p.text.size()));
    p.text.push_back(x.c);
  }
  return p;
}

// Field names of SigmaHQ kubernetes/audit rules that are not native audit paths (they follow the
// Aurora/pySigma Kubernetes field names) → the native path.
const std::map<std::string, std::string, std::less<>> kK8sFields = {
    {"apiGroup", "objectRef.apiGroup"},
    {"hostPath", "requestObject.spec.volumes.hostPath"},
    {"capabilities", "requestObject.spec.containers.securityContext.capabilities"},
};

class Translator {
 public:
  Translator(const YAML::Node& detection,
             const std::map<std::string, std::string, std::less<>>* map)
      : detection_(detection), map_(map) {}

  // Sigma `condition` → tree; the aggregation part (after '|') is returned in `aggregation`.
  Node condition(const std::string& text, std::string& aggregation) {
    std::string expr = text;
    if (auto bar = text.find('|'); bar != std::string::npos) {
      expr = text.substr(0, bar);
      aggregation = text.substr(bar + 1);
    }
    tokens_.clear();
    pos_ = 0;
    std::string cur;
    for (char c : expr) {
      if (std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')') {
        if (!cur.empty()) tokens_.push_back(std::move(cur));
        cur.clear();
        if (c == '(' || c == ')') tokens_.push_back(std::string(1, c));
      } else {
        cur.push_back(c);
      }
    }
    if (!cur.empty()) tokens_.push_back(std::move(cur));
    Node n = parse_or();
    if (pos_ != tokens_.size())
      throw Unsupported{fmt::format("condition syntax near '{}'", tokens_[pos_])};
    return n;
  }

  Node selection(const std::string& name) {
    if (auto it = cache_.find(name); it != cache_.end()) return it->second;
    YAML::Node sel = detection_[name];
    if (!sel) throw Unsupported{fmt::format("condition names an unknown selection '{}'", name)};
    Node n = selection_node(sel);
    cache_.emplace(name, n);
    return n;
  }

 private:
  const std::string& peek() const {
    static const std::string kEnd;
    return pos_ < tokens_.size() ? tokens_[pos_] : kEnd;
  }
  bool accept(std::string_view kw) {
    if (pos_ < tokens_.size() && util::ascii_lower(tokens_[pos_]) == kw) {
      ++pos_;
      return true;
    }
    return false;
  }

  Node parse_or() {
    std::vector<Node> kids{parse_and()};
    while (accept("or")) kids.push_back(parse_and());
    return combine_nonempty(NodeKind::Or, std::move(kids));
  }
  Node parse_and() {
    std::vector<Node> kids{parse_not()};
    while (accept("and")) kids.push_back(parse_not());
    return combine_nonempty(NodeKind::And, std::move(kids));
  }
  Node parse_not() {
    if (accept("not")) return negate(parse_not());
    return parse_primary();
  }
  Node parse_primary() {
    if (accept("(")) {
      Node n = parse_or();
      if (!accept(")")) throw Unsupported{"condition syntax: missing ')'"};
      return n;
    }
    std::string tok = peek();
    if (tok.empty()) throw Unsupported{"condition syntax: unexpected end"};
    if ((tok == "1" || util::ascii_lower(tok) == "all" || util::ascii_lower(tok) == "any") &&
        pos_ + 1 < tokens_.size() && util::ascii_lower(tokens_[pos_ + 1]) == "of") {
      bool all = util::ascii_lower(tok) == "all";
      pos_ += 2;
      std::string target = peek();
      if (target.empty()) throw Unsupported{"condition syntax: 'of' without a target"};
      ++pos_;
      std::vector<Node> kids;
      for (const auto& name : matching(target)) kids.push_back(selection(name));
      if (kids.empty())
        throw Unsupported{fmt::format("condition: no selection matches '{}'", target)};
      return combine_nonempty(all ? NodeKind::And : NodeKind::Or, std::move(kids));
    }
    static const std::set<std::string> kKeywords = {"and", "or", "not", ")", "of"};
    if (kKeywords.count(util::ascii_lower(tok)))
      throw Unsupported{fmt::format("condition syntax near '{}'", tok)};
    ++pos_;
    return selection(tok);
  }

  // Selection names matching `them` or a pattern with `*`.
  std::vector<std::string> matching(const std::string& target) {
    std::vector<std::string> out;
    for (const auto& kv : detection_) {
      std::string name = kv.first.Scalar();
      if (name == "condition" || name == "timeframe") continue;
      if (target == "them" || glob(target, name)) out.push_back(name);
    }
    return out;
  }
  static bool glob(std::string_view pat, std::string_view s) {
    if (pat.empty()) return s.empty();
    if (pat[0] == '*') return glob(pat.substr(1), s) || (!s.empty() && glob(pat, s.substr(1)));
    return !s.empty() && pat[0] == s[0] && glob(pat.substr(1), s.substr(1));
  }

  Node selection_node(const YAML::Node& sel) {
    if (sel.IsMap()) {
      std::vector<Node> kids;
      for (const auto& kv : sel) kids.push_back(field_node(kv.first.Scalar(), kv.second));
      return combine_nonempty(NodeKind::And, std::move(kids));
    }
    if (sel.IsSequence()) {
      std::vector<Node> kids;
      for (const auto& item : sel) {
        if (item.IsMap()) {
          kids.push_back(selection_node(item));
        } else if (item.IsScalar()) {  // keyword: free text anywhere in the event
          Node n;
          n.kind = NodeKind::FreeText;
          n.value = sigma_pattern(item.Scalar(), Modifiers{});
          if (n.value.regex) throw Unsupported{"'?' wildcard in a keyword"};
          kids.push_back(std::move(n));
        } else {
          throw Unsupported{"nested lists in a selection"};
        }
      }
      return combine_nonempty(NodeKind::Or, std::move(kids));
    }
    if (sel.IsScalar()) {
      Node n;
      n.kind = NodeKind::FreeText;
      n.value = sigma_pattern(sel.Scalar(), Modifiers{});
      if (n.value.regex) throw Unsupported{"'?' wildcard in a keyword"};
      return n;
    }
    throw Unsupported{"a selection that is neither a map nor a list"};
  }

  Node field_node(const std::string& key, const YAML::Node& value) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
      size_t bar = key.find('|', start);
      parts.push_back(key.substr(start, bar == std::string::npos ? bar : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    std::string field = parts[0];
    if (field.empty()) throw Unsupported{"keyword with modifiers (a field name is required)"};
    if (map_)
      if (auto it = map_->find(field); it != map_->end()) field = it->second;
    Modifiers m;
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string& mod = parts[i];
      if (mod == "contains")
        m.contains = true;
      else if (mod == "startswith")
        m.startswith = true;
      else if (mod == "endswith")
        m.endswith = true;
      else if (mod == "all")
        m.all = true;
      else if (mod == "re")
        m.re = true;
      else if (mod == "i" && m.re)
        m.re_icase = true;
      else if (mod == "m" && m.re)
        m.re_multiline = true;
      else if (mod == "cased")
        m.cased = true;
      else if (mod == "exists")
        m.exists = true;
      else if (mod == "fieldref")
        m.fieldref = true;
      else if (mod == "cidr")
        m.cidr = true;
      else
        throw Unsupported{fmt::format("modifier '|{}'", mod)};
    }
    if (m.exists) {
      if (!value.IsScalar()) throw Unsupported{"'|exists' needs true or false"};
      std::string v = util::ascii_lower(value.Scalar());
      if (v != "true" && v != "false") throw Unsupported{"'|exists' needs true or false"};
      return v == "true" ? exists_node(field) : negate(exists_node(field));
    }
    std::vector<Node> kids;
    auto one = [&](const YAML::Node& v) {
      if (!v || v.IsNull()) {  // null: absent or null
        kids.push_back(negate(exists_node(field)));
        return;
      }
      if (!v.IsScalar()) throw Unsupported{"a map as a field value"};
      Node n;
      n.kind = NodeKind::Match;
      n.field = field;
      if (m.cidr) {
        if (m.contains || m.startswith || m.endswith || m.re || m.fieldref)
          throw Unsupported{"'|cidr' combined with another modifier"};
        n.value.text = v.Scalar();
        n.value.cidr = true;
      } else if (m.fieldref) {
        if (m.contains || m.startswith || m.endswith || m.re)
          throw Unsupported{"'|fieldref' combined with another modifier"};
        n.value.text = v.Scalar();
        n.value.fieldref = true;
        n.value.icase = !m.cased;
      } else if (m.re) {
        n.value.text = v.Scalar();
        n.value.regex = true;
        n.value.icase = m.re_icase;
        if (m.re_multiline) throw Unsupported{"modifier '|re|m'"};
        if (std::string why = query::regex_error(n.value.text, n.value.icase); !why.empty())
          throw Unsupported{"'|re' pattern outside RE2 syntax (" + why + ")"};
      } else {
        n.value = sigma_pattern(v.Scalar(), m);
        if (n.value.text == "*" && n.value.wildcards.size() == 1) {  // any value, objects too
          kids.push_back(exists_node(field));
          return;
        }
        n.value.objects = true;  // `requestObject|contains: x` searches the object's JSON text
      }
      kids.push_back(std::move(n));
    };
    if (value.IsSequence()) {
      for (const auto& v : value) one(v);
    } else {
      one(value);
    }
    return combine_nonempty(m.all ? NodeKind::And : NodeKind::Or, std::move(kids));
  }

  YAML::Node detection_;
  const std::map<std::string, std::string, std::less<>>* map_;
  std::map<std::string, Node> cache_;
  std::vector<std::string> tokens_;
  size_t pos_ = 0;
};

std::string scalar_or_empty(const YAML::Node& n) {
  return n && n.IsScalar() ? n.Scalar() : std::string();
}

std::vector<std::string> list_of(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) out.push_back(n.Scalar());
  if (n.IsSequence())
    for (const auto& item : n)
      if (item.IsScalar()) out.push_back(item.Scalar());
  return out;
}

// `count() > 5`, `count(field) by group > 5` → a correlation.
void aggregation(std::string text, const YAML::Node& timeframe, Rule& r) {
  std::vector<std::string> tok;
  std::string cur;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) tok.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) tok.push_back(std::move(cur));
  if (tok.empty()) throw Unsupported{"an empty aggregation after '|'"};
  if (util::ascii_lower(tok[0]) == "near") throw Unsupported{"the 'near' aggregation"};
  if (tok[0].rfind("count(", 0) != 0 || tok[0].back() != ')')
    throw Unsupported{fmt::format("the aggregation '{}'", text)};
  std::string counted = tok[0].substr(6, tok[0].size() - 7);
  size_t i = 1;
  std::vector<std::string> group_by;
  if (i < tok.size() && util::ascii_lower(tok[i]) == "by") {
    if (i + 1 >= tok.size()) throw Unsupported{"aggregation syntax: 'by' without a field"};
    group_by.push_back(tok[i + 1]);
    i += 2;
  }
  if (i + 2 != tok.size()) throw Unsupported{fmt::format("aggregation syntax '{}'", text)};
  const std::string& op = tok[i];
  char* end = nullptr;
  long long n = std::strtoll(tok[i + 1].c_str(), &end, 10);
  if (*end || n < 0) throw Unsupported{fmt::format("aggregation threshold '{}'", tok[i + 1])};
  uint64_t threshold;
  if (op == ">")
    threshold = static_cast<uint64_t>(n) + 1;
  else if (op == ">=")
    threshold = std::max<uint64_t>(1, static_cast<uint64_t>(n));
  else
    throw Unsupported{fmt::format("aggregation comparison '{}' (only > and >=)", op)};
  TimeNs window = timeframe ? parse_duration(scalar_or_empty(timeframe)) : 0;
  if (window <= 0) throw Unsupported{"an aggregation without a 'timeframe'"};
  Correlation& c = r.correlation;
  c.type = counted.empty() ? CorrelationType::Count : CorrelationType::DistinctCount;
  c.field = counted;
  c.group_by = std::move(group_by);
  c.window = window;
  c.threshold = threshold;
}

// A rule read but not loaded: a warning for `detect`, and counted by `rules validate` as the
// other public formats' are.
void skip(const Rule& r, std::string reason, LoadResult& out) {
  out.warnings.push_back({r.file, r.line, r.id, "Sigma rule skipped: " + reason});
  out.not_loaded.push_back({"sigma", r.file, r.line, r.id, false, std::move(reason)});
}

}  // namespace

bool is_sigma(const YAML::Node& doc) {
  return doc.IsMap() && doc["logsource"] && doc["detection"];
}

void load_sigma(const YAML::Node& doc, std::string_view file, LoadResult& out) {
  Rule r;
  r.file = std::string(file);
  r.line = line_of(doc);
  r.origin = "sigma";
  r.title = scalar_or_empty(doc["title"]);
  r.id = scalar_or_empty(doc["id"]);
  if (r.id.empty()) r.id = r.title;
  if (r.id.empty()) {
    out.errors.push_back({r.file, r.line, "", "a Sigma rule needs 'id' or 'title'"});
    return;
  }
  try {
    r.description = scalar_or_empty(doc["description"]);
    r.author = scalar_or_empty(doc["author"]);
    r.references = list_of(doc["references"]);
    r.false_positives = list_of(doc["falsepositives"]);
    std::string level = util::ascii_lower(scalar_or_empty(doc["level"]));
    if (level == "informational") level = "info";
    if (level.empty()) level = "medium";
    auto sev = parse_severity(level);
    if (!sev) throw Unsupported{fmt::format("level '{}'", level)};
    r.severity = *sev;
    for (const auto& tag : list_of(doc["tags"])) {
      std::string t = util::ascii_lower(tag);
      // attack.<tactic> (attack.privilege-escalation, the older attack.privilege_escalation).
      if (t.starts_with("attack."))
        if (auto tactic = tactic_short_name(t.substr(7))) add_tactic(r.tactics, std::move(*tactic));
      if (t.rfind("attack.t", 0) != 0 || t.size() < 12) continue;
      std::string id = "T" + t.substr(8);
      bool good = std::all_of(id.begin() + 1, id.begin() + 5, ::isdigit) &&
                  (id.size() == 5 || (id.size() == 9 && id[5] == '.' &&
                                      std::all_of(id.begin() + 6, id.end(), ::isdigit)));
      if (good) add_attack(r.attack, id);
    }

    const YAML::Node ls = doc["logsource"];
    std::string product = util::ascii_lower(scalar_or_empty(ls["product"]));
    std::string service = util::ascii_lower(scalar_or_empty(ls["service"]));
    if (product == "kubernetes" && (service.empty() || service == "audit"))
      r.sources.push_back(Source::K8sAudit);
    else if (product == "aws" && (service.empty() || service == "cloudtrail"))
      r.sources.push_back(Source::CloudTrail);
    else
      throw Unsupported{fmt::format("logsource product '{}' service '{}'", product, service)};

    const YAML::Node det = doc["detection"];
    if (!det.IsMap()) throw Unsupported{"'detection' that is not a map"};
    const YAML::Node cond = det["condition"];
    std::vector<std::string> conditions;
    if (cond && cond.IsScalar())
      conditions.push_back(cond.Scalar());
    else if (cond && cond.IsSequence())
      conditions = list_of(cond);
    if (conditions.empty()) throw Unsupported{"a missing 'condition'"};
    if (conditions.size() > 1) throw Unsupported{"several conditions"};
    Translator tr(det, r.sources[0] == Source::K8sAudit ? &kK8sFields : nullptr);
    std::string agg;
    r.condition = conditions[0];
    r.match = tr.condition(conditions[0], agg);
    if (!agg.empty())
      aggregation(agg, det["timeframe"], r);
    else if (det["timeframe"])
      throw Unsupported{"'timeframe' without an aggregation (a multi-event correlation)"};
  } catch (const Unsupported& u) {
    skip(r, fmt::format("unsupported {}", u.feature), out);
    return;
  } catch (const YAML::Exception& e) {
    skip(r, fmt::format("invalid rule: {}", e.msg), out);
    return;
  }
  for (const auto& f : query::fields(r.match))
    if (!FieldRef(f).known())
      out.warnings.push_back({r.file, r.line, r.id, fmt::format("unknown field '{}'", f)});
  r.tactics = tactics_for(r.tactics, r.attack);
  out.rules.push_back(std::move(r));
}

}  // namespace eksir::rules
