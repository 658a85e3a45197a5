// Falco rules files into rules (see falco.h).
#include "rules/falco.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "rules/falco_check.h"
#include "rules/falco_condition.h"
#include "util/text.h"

namespace eksir::rules {

using falco::Expr;
using falco::Unsupported;

namespace {

uint64_t line_of(const YAML::Node& n) {
  return n.Mark().line >= 0 ? static_cast<uint64_t>(n.Mark().line) + 1 : 0;
}

std::string scalar(const YAML::Node& n) {
  return n && n.IsScalar() ? n.Scalar() : std::string();
}

void scalars(const YAML::Node& n, std::vector<std::string>& out) {
  if (!n) return;
  if (n.IsScalar()) out.push_back(n.Scalar());
  if (n.IsSequence())
    for (const auto& x : n) scalars(x, out);
}

bool truthy(const YAML::Node& n) {
  std::string s = util::ascii_lower(scalar(n));
  return s == "true" || s == "yes" || s == "on";
}

// One item of an exception tuple: a single value or a list of values.
struct Item {
  std::vector<std::string> values;
  bool list = false;
};

struct Exception {
  std::string name;
  bool single = false;  // `fields` names one field
  std::vector<std::string> fields, comps;
  std::vector<std::vector<Item>> values;
};

struct RuleDef {
  std::string name, desc, condition, output, priority, source = "syscall", file;
  std::vector<std::string> tags;
  std::vector<Exception> exceptions;
  bool enabled = true;
  uint64_t line = 0;
};

std::vector<Exception> read_exceptions(const YAML::Node& n) {
  std::vector<Exception> out;
  if (!n || !n.IsSequence()) return out;
  for (const auto& e : n) {
    if (!e.IsMap()) continue;
    Exception x;
    x.name = scalar(e["name"]);
    const YAML::Node f = e["fields"];
    x.single = f && f.IsScalar();
    scalars(f, x.fields);
    scalars(e["comps"], x.comps);
    const YAML::Node v = e["values"];
    if (v && v.IsSequence()) {
      for (const auto& tuple : v) {
        std::vector<Item> t;
        if (x.single || !tuple.IsSequence()) {
          Item it;
          scalars(tuple, it.values);
          it.list = tuple.IsSequence();
          t.push_back(std::move(it));
        } else {
          for (const auto& item : tuple) {
            Item it;
            scalars(item, it.values);
            it.list = item.IsSequence();
            t.push_back(std::move(it));
          }
        }
        x.values.push_back(std::move(t));
      }
    }
    out.push_back(std::move(x));
  }
  return out;
}

void merge_exceptions(std::vector<Exception>& into, std::vector<Exception> more) {
  for (auto& m : more) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const Exception& e) { return e.name == m.name; });
    if (it == into.end()) {
      into.push_back(std::move(m));
      continue;
    }
    for (auto& v : m.values) it->values.push_back(std::move(v));
  }
}

bool set_op(const std::string& op) {
  return op == "in" || op == "intersects" || op == "pmatch";
}

Expr check(const std::string& field, const std::string& op, const Item& item, bool as_list) {
  Expr c;
  c.kind = Expr::Kind::Check;
  c.field = field;
  c.op = op;
  c.list = as_list;
  for (const auto& v : item.values) c.values.push_back({v, false});
  return c;
}

// The exceptions as one expression the condition must not meet; false when there are none.
bool exceptions_expr(const std::vector<Exception>& exceptions, Expr& out) {
  Expr any;
  any.kind = Expr::Kind::Or;
  for (const auto& x : exceptions) {
    if (x.fields.empty()) throw Unsupported{fmt::format("exception '{}' without 'fields'", x.name)};
    if (x.single) {
      std::string op = x.comps.empty() ? "in" : x.comps[0];
      if (!falco::is_operator(op))
        throw Unsupported{fmt::format("exception '{}': operator '{}'", x.name, op)};
      Item all;
      all.list = true;
      for (const auto& t : x.values)
        for (const auto& it : t)
          all.values.insert(all.values.end(), it.values.begin(), it.values.end());
      if (all.values.empty()) continue;
      if (set_op(op)) {
        any.children.push_back(check(x.fields[0], op, all, true));
      } else {
        for (const auto& v : all.values)
          any.children.push_back(check(x.fields[0], op, Item{{v}, false}, false));
      }
      continue;
    }
    std::vector<std::string> comps = x.comps;
    if (comps.empty()) comps.assign(x.fields.size(), "=");
    if (comps.size() != x.fields.size())
      throw Unsupported{fmt::format("exception '{}': {} fields but {} comps", x.name,
                                    x.fields.size(), comps.size())};
    for (const auto& op : comps)
      if (!falco::is_operator(op))
        throw Unsupported{fmt::format("exception '{}': operator '{}'", x.name, op)};
    for (const auto& t : x.values) {
      if (t.size() != x.fields.size())
        throw Unsupported{fmt::format("exception '{}': a value tuple of {} items for {} fields",
                                      x.name, t.size(), x.fields.size())};
      Expr all;
      all.kind = Expr::Kind::And;
      for (size_t i = 0; i < t.size(); ++i) {
        if (t[i].list && !set_op(comps[i]))
          throw Unsupported{
              fmt::format("exception '{}': a list of values with '{}'", x.name, comps[i])};
        all.children.push_back(check(x.fields[i], comps[i], t[i], set_op(comps[i])));
      }
      if (all.children.size() == 1)
        any.children.push_back(std::move(all.children[0]));
      else
        any.children.push_back(std::move(all));
    }
  }
  if (any.children.empty()) return false;
  Expr n;
  n.kind = Expr::Kind::Not;
  if (any.children.size() == 1)
    n.children.push_back(std::move(any.children[0]));
  else
    n.children.push_back(std::move(any));
  out = std::move(n);
  return true;
}

std::optional<Severity> priority_severity(const std::string& p) {
  std::string s = util::ascii_lower(p);
  if (s == "emergency" || s == "alert" || s == "critical") return Severity::Critical;
  if (s == "error") return Severity::High;
  if (s == "warning") return Severity::Medium;
  if (s == "notice") return Severity::Low;
  if (s == "informational" || s == "info" || s == "debug") return Severity::Info;
  return std::nullopt;
}

bool attack_id(const std::string& t) {
  if (t.size() != 5 && t.size() != 9) return false;
  if (t[0] != 'T' || !std::all_of(t.begin() + 1, t.begin() + 5, ::isdigit)) return false;
  return t.size() == 5 || (t[5] == '.' && std::all_of(t.begin() + 6, t.end(), ::isdigit));
}

const std::set<std::string> kRuleKeys = {"rule",
                                         "desc",
                                         "condition",
                                         "output",
                                         "priority",
                                         "source",
                                         "tags",
                                         "enabled",
                                         "exceptions",
                                         "append",
                                         "override",
                                         "warn_evttypes",
                                         "skip-if-unknown-filter",
                                         "capture",
                                         "capture_duration",
                                         "required_engine_version"};

}  // namespace

bool is_falco(const YAML::Node& doc) {
  if (!doc.IsSequence() || doc.size() == 0) return false;
  for (const auto& item : doc) {
    if (!item.IsMap()) return false;
    if (item["rule"] || item["macro"] || item["list"] || item["required_engine_version"] ||
        item["required_plugin_versions"])
      return true;
  }
  return false;
}

struct FalcoSet::Impl {
  falco::Definitions defs;
  std::map<std::string, std::pair<std::string, uint64_t>> list_at, macro_at;
  std::vector<std::string> order;
  std::map<std::string, RuleDef> rules;
  bool any = false;

  void warn(LoadResult& out, std::string_view file, const YAML::Node& at, std::string rule,
            std::string msg) {
    out.warnings.push_back({std::string(file), line_of(at), std::move(rule), std::move(msg)});
  }

  // `override: {key: append|replace}` → (key → "append"/"replace").
  static std::map<std::string, std::string> overrides(const YAML::Node& item) {
    std::map<std::string, std::string> m;
    const YAML::Node o = item["override"];
    if (o && o.IsMap())
      for (const auto& kv : o) m[kv.first.Scalar()] = util::ascii_lower(scalar(kv.second));
    return m;
  }

  void list(const YAML::Node& item, std::string_view file, LoadResult& out) {
    std::string name = scalar(item["list"]);
    std::vector<std::string> items;
    scalars(item["items"], items);
    auto ov = overrides(item);
    bool append = truthy(item["append"]) || ov["items"] == "append";
    auto it = defs.lists.find(name);
    if (append && it != defs.lists.end()) {
      it->second.insert(it->second.end(), items.begin(), items.end());
      return;
    }
    if (append)
      warn(out, file, item, "",
           fmt::format("Falco list '{}' is appended to before any definition: defined here", name));
    defs.lists[name] = std::move(items);
    list_at[name] = {std::string(file), line_of(item)};
  }

  void macro(const YAML::Node& item, std::string_view file, LoadResult& out) {
    std::string name = scalar(item["macro"]);
    std::string cond = scalar(item["condition"]);
    auto ov = overrides(item);
    bool append = truthy(item["append"]) || ov["condition"] == "append";
    auto it = defs.macros.find(name);
    if (append && it != defs.macros.end()) {
      it->second += " " + cond;
      return;
    }
    if (append)
      warn(
          out, file, item, "",
          fmt::format("Falco macro '{}' is appended to before any definition: defined here", name));
    defs.macros[name] = cond;
    macro_at[name] = {std::string(file), line_of(item)};
  }

  void rule(const YAML::Node& item, std::string_view file, LoadResult& out) {
    std::string name = scalar(item["rule"]);
    for (const auto& kv : item) {
      std::string k = kv.first.Scalar();
      if (!kRuleKeys.count(k))
        warn(out, file, kv.first, name, fmt::format("Falco rule key '{}' ignored", k));
    }
    auto ov = overrides(item);
    const bool append = truthy(item["append"]);
    auto existing = rules.find(name);
    // Only `enabled` (besides the name): switch an existing rule on or off.
    bool only_enabled = item["enabled"] && item.size() == 2;
    if ((append || !ov.empty() || only_enabled) && existing == rules.end()) {
      warn(out, file, item, name,
           "Falco rule extends or switches a rule that is not defined (before it): ignored");
      return;
    }
    if (only_enabled) {
      existing->second.enabled = truthy(item["enabled"]);
      return;
    }
    if (append) {
      RuleDef& r = existing->second;
      if (item["condition"]) r.condition += " " + scalar(item["condition"]);
      if (item["exceptions"]) merge_exceptions(r.exceptions, read_exceptions(item["exceptions"]));
      if (item["output"]) r.output += " " + scalar(item["output"]);
      if (item["desc"]) r.desc += " " + scalar(item["desc"]);
      scalars(item["tags"], r.tags);
      return;
    }
    if (!ov.empty()) {
      RuleDef& r = existing->second;
      for (const auto& [key, how] : ov) {
        const YAML::Node v = item[key];
        if (!v) {
          warn(out, file, item, name,
               fmt::format("Falco override of '{}' without a '{}' value: ignored", key, key));
          continue;
        }
        const bool add = how == "append";
        if (key == "condition")
          r.condition = add ? r.condition + " " + scalar(v) : scalar(v);
        else if (key == "output")
          r.output = add ? r.output + " " + scalar(v) : scalar(v);
        else if (key == "desc")
          r.desc = add ? r.desc + " " + scalar(v) : scalar(v);
        else if (key == "exceptions") {
          if (!add) r.exceptions.clear();
          merge_exceptions(r.exceptions, read_exceptions(v));
        } else if (key == "tags") {
          if (!add) r.tags.clear();
          scalars(v, r.tags);
        } else if (key == "priority")
          r.priority = scalar(v);
        else if (key == "enabled")
          r.enabled = truthy(v);
        else if (key == "source")
          r.source = scalar(v);
        else
          warn(out, file, item, name, fmt::format("Falco override of '{}' ignored", key));
      }
      // Keys given without an override entry still replace (Falco requires the entry; be kind).
      if (item["enabled"] && !ov.count("enabled")) r.enabled = truthy(item["enabled"]);
      return;
    }
    RuleDef r;
    r.name = name;
    r.desc = scalar(item["desc"]);
    r.condition = scalar(item["condition"]);
    r.output = scalar(item["output"]);
    r.priority = scalar(item["priority"]);
    if (item["source"]) r.source = scalar(item["source"]);
    scalars(item["tags"], r.tags);
    r.exceptions = read_exceptions(item["exceptions"]);
    if (item["enabled"]) r.enabled = truthy(item["enabled"]);
    r.file = std::string(file);
    r.line = line_of(item);
    if (existing == rules.end()) order.push_back(name);
    rules[name] = std::move(r);
  }

  void compile(const RuleDef& d, LoadResult& out) {
    auto skip = [&](std::string reason, bool disabled = false) {
      out.not_loaded.push_back({"falco", d.file, d.line, d.name, disabled, reason});
      if (!disabled)
        out.warnings.push_back(
            {d.file, d.line, d.name, fmt::format("Falco rule skipped: {}", reason)});
    };
    const bool cloudtrail = d.source == "aws_cloudtrail";
    if (d.source != "k8s_audit" && !cloudtrail) {
      skip(fmt::format("source '{}' (eksir runs Falco's k8s_audit and aws_cloudtrail rules)",
                       d.source));
      return;
    }
    // A disabled rule is compiled all the same, as Falco does: an override that enables it must
    // not be the first to find that it cannot run.
    try {
      if (d.condition.empty()) throw Unsupported{"a rule without 'condition'"};
      if (d.output.empty()) throw Unsupported{"a rule without 'output'"};
      auto sev = priority_severity(d.priority);
      if (!sev) throw Unsupported{fmt::format("priority '{}'", d.priority)};
      Expr cond;
      std::string err;
      if (!falco::parse_condition(d.condition, cond, err))
        throw Unsupported{fmt::format("condition: {}", err)};
      Expr exc;
      if (exceptions_expr(d.exceptions, exc)) {
        Expr both;
        both.kind = Expr::Kind::And;
        both.children.push_back(std::move(cond));
        both.children.push_back(std::move(exc));
        cond = std::move(both);
      }
      falco::Compiler compiler(
          defs, cloudtrail ? falco::FieldSource::CloudTrail : falco::FieldSource::K8sAudit);
      Rule r;
      r.match = compiler.compile(cond);
      std::vector<std::string> unknown;
      r.render = falco::compile_output(d.output, unknown);
      for (const auto& u : unknown)
        out.warnings.push_back(
            {d.file, d.line, d.name, fmt::format("Falco output field '{}' is not known: <NA>", u)});
      r.id = d.name;
      r.title = d.name;
      r.description = d.desc;
      r.severity = *sev;
      r.level = d.priority;
      r.origin = "falco";
      r.condition = d.condition;
      if (cloudtrail) {
        r.sources = {Source::CloudTrail};
        r.subject = {"userIdentity.arn", "sourceIPAddress"};
      } else {
        r.sources = {Source::K8sAudit};
        r.subject = {"user.username", "objectRef.namespace", "objectRef.name"};
      }
      for (const auto& t : d.tags) {
        if (attack_id(t)) add_attack(r.attack, t);
        // mitre_<tactic> (mitre_privilege_escalation); other mitre_ tags name no tactic.
        if (t.starts_with("mitre_"))
          if (auto tactic = tactic_short_name(t)) add_tactic(r.tactics, std::move(*tactic));
      }
      r.tactics = tactics_for(r.tactics, r.attack);
      r.file = d.file;
      r.line = d.line;
      if (d.enabled)
        out.rules.push_back(std::move(r));
      else
        skip("disabled (enabled: false); it compiles", true);
    } catch (const Unsupported& u) {
      if (d.enabled)
        skip(fmt::format("unsupported {}", u.feature));
      else
        skip(
            fmt::format("disabled (enabled: false), and would not load: unsupported {}", u.feature),
            true);
    }
  }
};

FalcoSet::FalcoSet() : impl_(std::make_unique<Impl>()) {}
FalcoSet::~FalcoSet() = default;

bool FalcoSet::empty() const {
  return !impl_->any;
}

void FalcoSet::add(const YAML::Node& doc, std::string_view file, LoadResult& out) {
  impl_->any = true;
  for (const auto& item : doc) {
    try {
      if (!item.IsMap()) {
        impl_->warn(out, file, item, "", "Falco item that is not a map: ignored");
      } else if (item["rule"]) {
        impl_->rule(item, file, out);
      } else if (item["macro"]) {
        impl_->macro(item, file, out);
      } else if (item["list"]) {
        impl_->list(item, file, out);
      } else if (!item["required_engine_version"] && !item["required_plugin_versions"]) {
        impl_->warn(out, file, item, "", "Falco item of an unknown kind: ignored");
      }
    } catch (const YAML::Exception& e) {
      out.errors.push_back({std::string(file), line_of(item), "", "invalid Falco item: " + e.msg});
    }
  }
}

void FalcoSet::finish(LoadResult& out) {
  for (const auto& name : impl_->order) impl_->compile(impl_->rules[name], out);
  impl_->order.clear();
  impl_->rules.clear();
}

}  // namespace eksir::rules
