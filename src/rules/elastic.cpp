// The Elastic detection-rules (TOML) loader.
#include "rules/elastic.h"
#include "rules/esql.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/eql.h"

namespace eksir::rules {
namespace {

uint64_t line_of(const toml::node* n) {
  return n && n->source().begin.line ? static_cast<uint64_t>(n->source().begin.line) : 0;
}

std::string str_of(const toml::table& t, std::string_view key) {
  if (auto v = t[key].value<std::string>()) return *v;
  return "";
}

std::vector<std::string> strings_of(const toml::node_view<const toml::node>& v) {
  std::vector<std::string> out;
  if (auto s = v.value<std::string>()) {
    out.push_back(*s);
  } else if (const auto* arr = v.as_array()) {
    for (const auto& item : *arr)
      if (auto s2 = item.value<std::string>()) out.push_back(*s2);
  }
  return out;
}

// Collapses runs of whitespace (TOML multi-line strings) into single spaces, trimmed.
std::string one_line(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// "now-6m" → 6m; "now-7d" → 7d; 0 when not of that form.
TimeNs now_minus(std::string_view text) {
  if (text.substr(0, 4) != "now-") return 0;
  return parse_duration(text.substr(4));
}

void add_source(std::vector<Source>& into, Source s) {
  if (std::find(into.begin(), into.end(), s) == into.end()) into.push_back(s);
}

// Routing from the index patterns, else from the dataset the query names.
std::vector<Source> route(const std::vector<std::string>& index, std::string_view query) {
  std::vector<Source> out;
  for (const auto& i : index) {
    if (i.rfind("logs-aws.cloudtrail", 0) == 0 || i.rfind("aws-", 0) == 0)
      add_source(out, Source::CloudTrail);
    else if (i.rfind("logs-kubernetes.audit_logs", 0) == 0)
      add_source(out, Source::K8sAudit);
  }
  if (query.find("aws.cloudtrail") != std::string_view::npos) add_source(out, Source::CloudTrail);
  if (query.find("kubernetes.audit_logs") != std::string_view::npos ||
      query.find("kubernetes.audit.") != std::string_view::npos)
    add_source(out, Source::K8sAudit);
  return out;
}

class Reader {
 public:
  Reader(std::string_view file, ElasticLoad& out) : file_(file), out_(out) {}

  void error(uint64_t line, std::string msg) {
    out_.result.errors.push_back({file_, line ? line : line_, id_, std::move(msg)});
  }
  void warning(uint64_t line, std::string msg) {
    out_.result.warnings.push_back({file_, line ? line : line_, id_, std::move(msg)});
  }
  void skip(std::string type, std::string reason) {
    out_.skipped.push_back({file_, id_, name_, std::move(type), std::move(reason)});
  }

  // An EQL query into r; false when the rule is skipped or fails (said already).
  bool eql_query(Rule& r, const toml::table& rule, uint64_t qline) {
    // The query's first line: counted back from where the string ends (a multi-line string
    // starts on the line after its key).
    uint64_t first = qline;
    if (const auto* q = rule["query"].node(); q && q->source().end.line) {
      auto newlines =
          static_cast<uint64_t>(std::count(r.condition.begin(), r.condition.end(), '\n'));
      if (q->source().end.line > newlines) first = q->source().end.line - newlines;
    }
    eql::Compiled c =
        eql::compile_rule(r.condition, str_of(rule, "event_category_override"), first, r);
    for (auto& w : c.warnings) warning(first, std::move(w));
    if (c.outcome == eql::Compiled::Skipped) {
      skip("eql", c.line ? fmt::format("line {}: {}", c.line, c.message) : c.message);
      return false;
    }
    if (c.outcome == eql::Compiled::Failed) {
      error(c.line ? c.line : first, fmt::format("{}: {}", name_, c.message));
      return false;
    }
    return true;
  }

  void read(const toml::table& doc) {
    const toml::table* rule = doc["rule"].as_table();
    if (!rule) {
      error(1, "no [rule] table (not an Elastic detection rule)");
      return;
    }
    line_ = line_of(rule);
    id_ = str_of(*rule, "rule_id");
    name_ = str_of(*rule, "name");
    std::string type = str_of(*rule, "type");
    std::string language = str_of(*rule, "language");
    if (id_.empty()) error(line_, "'rule.rule_id' is required");
    if (name_.empty()) error(line_, "'rule.name' is required");
    if (type.empty()) {
      error(line_, "'rule.type' is required");
      return;
    }
    if (type == "machine_learning") {
      skip(type, "machine-learning rules need an Elastic ML job");
      return;
    }
    if (type != "query" && type != "new_terms" && type != "threshold" && type != "eql" &&
        type != "esql") {
      skip(type, fmt::format("rule type '{}' is not supported", type));
      return;
    }
    if (type == "eql" && language != "eql") {
      skip(type + "/" + language, fmt::format("query language '{}' in an EQL rule", language));
      return;
    }
    if (type == "esql" && language != "esql") {
      skip(type, fmt::format("an ES|QL rule with language '{}' (esql expected)", language));
      return;
    }
    if (type != "eql" && type != "esql" &&
        (language == "lucene" || (language != "kuery" && !language.empty()))) {
      skip(type + "/" + language,
           fmt::format("query language '{}' is not supported (KQL only)", language));
      return;
    }
    if (language.empty()) {
      skip(type + "/(none)", "no 'rule.language' (KQL rules say language = \"kuery\")");
      return;
    }

    Rule r;
    r.origin = "elastic";
    r.file = file_;
    r.line = line_;
    r.id = id_;
    r.title = name_;
    r.description = one_line(str_of(*rule, "description"));
    std::string sev = str_of(*rule, "severity");
    if (auto s = parse_severity(sev); s && sev == severity_name(*s))
      r.severity = *s;
    else
      error(line_of((*rule)["severity"].node()),
            fmt::format("bad severity '{}' (critical, high, medium, low)", sev));
    std::vector<std::string> authors = strings_of((*rule)["author"]);
    for (const auto& a : authors) r.author += (r.author.empty() ? "" : ", ") + a;
    for (const auto& fp : strings_of((*rule)["false_positives"]))
      r.false_positives.push_back(one_line(fp));
    r.references = strings_of((*rule)["references"]);
    if (const auto* threats = (*rule)["threat"].as_array()) {
      for (const auto& th : *threats) {
        // threat[].tactic: its name ("Privilege Escalation") or, failing that, its id (TA0004).
        if (const auto* tactic = th.as_table() ? (*th.as_table())["tactic"].as_table() : nullptr)
          for (const char* key : {"name", "id"})
            if (auto name = (*tactic)[key].value<std::string>())
              if (auto t = tactic_short_name(*name)) {
                add_tactic(r.tactics, std::move(*t));
                break;
              }
        const auto* techniques = th.as_table() ? (*th.as_table())["technique"].as_array() : nullptr;
        if (!techniques) continue;
        for (const auto& te : *techniques) {
          const auto* tt = te.as_table();
          if (!tt) continue;
          if (auto tid = (*tt)["id"].value<std::string>()) add_attack(r.attack, *tid);
          if (const auto* subs = (*tt)["subtechnique"].as_array())
            for (const auto& st : *subs)
              if (const auto* stt = st.as_table())
                if (auto sid = (*stt)["id"].value<std::string>()) add_attack(r.attack, *sid);
        }
      }
    }
    r.condition = str_of(*rule, "query");
    uint64_t qline = line_of((*rule)["query"].node());
    r.sources = route(strings_of((*rule)["index"]), r.condition);
    if (type == "eql") {
      if (!eql_query(r, *rule, qline)) return;
    } else if (type == "esql") {
      if (!esql(r, qline, str_of(*rule, "from"))) return;
    } else if (auto parsed = query::parse(r.condition); !parsed) {
      error(qline, fmt::format("{}: query: bad KQL at column {}: {}", name_, parsed.error().column,
                               parsed.error().message));
      return;
    } else {
      for (const auto& w : parsed->warnings) warning(qline, fmt::format("query: {}", w));
      r.match = std::move(parsed->root);
    }

    if (type == "new_terms") {
      const toml::table* nt = (*rule)["new_terms"].as_table();
      Correlation& c = r.correlation;
      c.type = CorrelationType::FirstSeen;
      if (nt) {
        c.group_by = strings_of((*nt)["value"]);
        if (const auto* hist = (*nt)["history_window_start"].as_array())
          for (const auto& h : *hist)
            if (const auto* ht = h.as_table())
              if (auto v = (*ht)["value"].value<std::string>()) c.history = now_minus(*v);
      }
      if (c.group_by.empty())
        error(line_, "new_terms: 'rule.new_terms.value' (fields) is required");
      if (c.history <= 0)
        error(line_, "new_terms: 'history_window_start' must be a look-back such as now-7d");
      r.subject = c.group_by;
    } else if (type == "threshold") {
      const toml::table* th = (*rule)["threshold"].as_table();
      Correlation& c = r.correlation;
      c.type = CorrelationType::Count;
      std::string from = str_of(*rule, "from");
      c.window = from.empty() ? parse_duration("5m") : now_minus(from);
      if (c.window <= 0) error(line_, fmt::format("threshold: bad look-back 'from = {}'", from));
      int64_t value = 0;
      if (th) {
        c.group_by = strings_of((*th)["field"]);
        value = (*th)["value"].value<int64_t>().value_or(0);
        if (const auto* card = (*th)["cardinality"].as_array()) {
          for (const auto& cd : *card) {
            const auto* ct = cd.as_table();
            if (!ct) continue;
            c.type = CorrelationType::DistinctCount;
            c.field = (*ct)["field"].value<std::string>().value_or("");
            value = (*ct)["value"].value<int64_t>().value_or(0);
          }
          int64_t base = (*th)["value"].value<int64_t>().value_or(1);
          if (c.type == CorrelationType::DistinctCount && base > 1)
            warning(line_, fmt::format("threshold: the event count ({}) is not checked beside "
                                       "the cardinality",
                                       base));
        }
      }
      if (value < 1) error(line_, "threshold: 'rule.threshold.value' must be a whole number >= 1");
      c.threshold = static_cast<uint64_t>(std::max<int64_t>(value, 1));
      if (c.group_by.empty())
        error(line_,
              "threshold: no 'rule.threshold.field' (counting over all events is not "
              "supported)");
      if (c.type == CorrelationType::DistinctCount && c.field.empty())
        error(line_, "threshold: cardinality without a field");
      r.subject = c.group_by;
    }
    bool ok = std::none_of(out_.result.errors.begin(), out_.result.errors.end(),
                           [&](const Diagnostic& d) { return d.file == file_; });
    if (ok) {
      r.tactics = tactics_for(r.tactics, r.attack);
      out_.result.rules.push_back(std::move(r));
      ++out_.loaded_by_type[type];
    }
  }

  // ES|QL: the filter and STATS subset compiles (rules/esql.h); the rest is skipped, naming
  // the construct and its line.
  bool esql(Rule& r, uint64_t qline, const std::string& from) {
    TimeNs lookback = from.empty() ? parse_duration("5m") : now_minus(from);
    // Query line 1 is the line after `query = '''` when the query spans lines.
    bool multi = r.condition.find('\n') != std::string::npos;
    esql::Result e =
        esql::compile(r.condition, lookback, static_cast<uint32_t>(qline + (multi ? 1 : 0)));
    uint64_t line = e.issue.line ? e.issue.line : qline;
    if (e.status == esql::Result::Status::Unsupported) {
      skip("esql", fmt::format("line {}: {}", line, e.issue.message));
      return false;
    }
    if (e.status == esql::Result::Status::Error) {
      error(line, fmt::format("{}: query: bad ES|QL: {}", name_, e.issue.message));
      return false;
    }
    r.sources = route(e.compiled.indices, r.condition);
    if (r.sources.empty()) {
      skip("esql", fmt::format("FROM {} names no CloudTrail or Kubernetes audit index",
                               fmt::join(e.compiled.indices, ", ")));
      return false;
    }
    r.match = std::move(e.compiled.match);
    r.correlation = std::move(e.compiled.correlation);
    if (r.correlation.type != CorrelationType::None && r.correlation.window <= 0) {
      error(line_, fmt::format("esql: bad look-back 'from = {}'", from));
      return false;
    }
    r.subject = r.correlation.group_by;
    for (const auto& f : e.compiled.fields) {
      FieldRef ref(f);
      if (!ref.known())
        warning(qline, fmt::format("query: unknown field '{}' (see `eksir fields`)", f));
      else if (std::none_of(r.sources.begin(), r.sources.end(),
                            [&](Source s) { return ref.applies_to(s); }))
        warning(qline, fmt::format("query: field '{}' is never present on the rule's events, "
                                   "so the rule cannot match",
                                   f));
    }
    return true;
  }

 private:
  std::string file_;
  ElasticLoad& out_;
  std::string id_, name_;
  uint64_t line_ = 0;
};

}  // namespace

std::map<std::string, size_t> ElasticLoad::skipped_by_type() const {
  std::map<std::string, size_t> out;
  for (const auto& s : skipped) ++out[s.type];
  return out;
}

void ElasticLoad::merge(ElasticLoad&& o) {
  result.merge(std::move(o.result));
  for (auto& s : o.skipped) skipped.push_back(std::move(s));
  for (const auto& [k, v] : o.loaded_by_type) loaded_by_type[k] += v;
}

bool is_elastic_file(std::string_view path) {
  return path.size() > 5 && path.substr(path.size() - 5) == ".toml";
}

namespace {

// One file; a file found in a folder (in_folder) with neither [rule] nor [metadata] holds no
// Elastic rule at all and is skipped_files.
ElasticLoad load_one(std::string_view text, std::string_view file, bool in_folder) {
  ElasticLoad out;
  toml::table doc;
  try {
    doc = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    out.result.files = 1;
    out.result.errors.push_back({std::string(file), static_cast<uint64_t>(e.source().begin.line),
                                 "", fmt::format("invalid TOML: {}", e.description())});
    return out;
  }
  if (in_folder && !doc["rule"] && !doc["metadata"]) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : doc)
      if (keys.size() < 5) keys.emplace_back(k.str());
    out.result.skipped_files.push_back(
        {std::string(file), keys.empty()
                                ? std::string("no Elastic rule structure (an empty TOML file)")
                                : fmt::format("no Elastic rule structure (top-level key{} {}{})",
                                              doc.size() == 1 ? "" : "s", fmt::join(keys, ", "),
                                              doc.size() > keys.size() ? ", ..." : "")});
    return out;
  }
  out.result.files = 1;
  Reader(file, out).read(doc);
  return out;
}

}  // namespace

ElasticLoad load_elastic_text(std::string_view text, std::string_view file) {
  return load_one(text, file, false);
}

namespace {
std::vector<std::string> toml_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec) && is_elastic_file(it->path().string()))
      files.push_back(it->path().string());
  std::sort(files.begin(), files.end());
  return files;
}
}  // namespace

bool has_elastic_rules(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return !toml_files(path).empty();
  return is_elastic_file(path);
}

ElasticLoad load_elastic_paths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  ElasticLoad out;
  for (const auto& p : paths) {
    std::error_code ec;
    std::vector<std::string> files;
    bool folder = fs::is_directory(p, ec);
    if (folder) {
      files = toml_files(p);
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      out.result.errors.push_back({p, 0, "", "no such file or folder"});
      continue;
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in) {
        out.result.errors.push_back({f, 0, "", "cannot read the file"});
        continue;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      out.merge(load_one(ss.str(), f, folder));
    }
  }
  return out;
}

}  // namespace eksir::rules
