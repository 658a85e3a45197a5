#include "case_file.h"

#include <algorithm>
#include <filesystem>
#include <ostream>

namespace eksir::test {
namespace {

namespace fs = std::filesystem;

// Letters, digits and single underscores: what GoogleTest accepts in a parameter's name.
std::string identifier(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum)
      out.push_back(c);
    else if (!out.empty() && out.back() != '_')
      out.push_back('_');
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string padded(size_t n) {
  std::string s = std::to_string(n);
  return std::string(s.size() < 3 ? 3 - s.size() : 0, '0') + s;
}

// The first part of the ids of a file's cases: "query/kql_eval.yaml" -> "query_kql_eval".
std::string stem_of(const std::string& relative) {
  return identifier(
      relative.substr(0, relative.size() - fs::path(relative).extension().string().size()));
}

// Whether the case of this id would be in the file of this stem: the stem, then the case's index
// (or "unreadable"). "query_kql_eval" does not hold "query_kql_eval_delete_cluster_001".
bool holds(const std::string& stem, const std::string& id) {
  if (id.size() <= stem.size() + 1 || id.compare(0, stem.size(), stem) != 0 ||
      id[stem.size()] != '_')
    return false;
  const std::string rest = id.substr(stem.size() + 1);
  return rest == "unreadable" || (rest[0] >= '0' && rest[0] <= '9');
}

void read_file(const fs::path& path, const std::string& relative, std::vector<Case>& out) {
  const std::string stem = stem_of(relative);
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
    if (!root["kind"] || !root["cases"] || !root["cases"].IsSequence())
      throw std::runtime_error("a case file needs `kind` and a list of `cases`");
  } catch (const std::exception& e) {
    Case bad;
    bad.file = relative;
    bad.id = stem + "_unreadable";
    bad.broken = e.what();
    out.push_back(bad);
    return;
  }
  const std::string kind = root["kind"].as<std::string>();
  size_t index = 0;
  for (const YAML::Node& entry : root["cases"]) {
    Case c;
    c.file = relative;
    c.line = entry.Mark().line + 1;
    c.kind = kind;
    c.fields = YAML::Node(YAML::NodeType::Map);
    for (const auto& kv : root) {
      std::string key = kv.first.as<std::string>();
      if (key != "kind" && key != "cases") c.fields[key] = kv.second;
    }
    if (entry.IsMap())
      for (const auto& kv : entry) c.fields[kv.first.as<std::string>()] = kv.second;
    else
      c.broken = "a case is a map of fields";
    c.id = stem + "_" + padded(++index);
    if (entry.IsMap() && entry["name"]) c.id += "_" + identifier(entry["name"].as<std::string>());
    out.push_back(std::move(c));
  }
}

}  // namespace

std::string Case::text(const std::string& key) const {
  YAML::Node n = fields[key];
  return n && n.IsScalar() ? n.as<std::string>() : "";
}

size_t Case::number(const std::string& key) const {
  return fields[key].as<size_t>();
}

std::vector<std::string> Case::strings(const std::string& key) const {
  std::vector<std::string> out;
  for (const YAML::Node& n : fields[key]) out.push_back(n.as<std::string>());
  return out;
}

bool Case::has(const std::string& key) const {
  return fields[key].IsDefined() && !fields[key].IsNull();
}

std::string Case::where() const {
  std::string what;
  for (const char* key : {"name", "query", "pattern", "condition", "stats"})
    if (what.empty()) what = text(key);
  return "tests/cases/" + file + ":" + std::to_string(line) +
         (what.empty() ? "" : " (" + what + ")");
}

std::vector<Case> load_cases(const std::string& dir, const std::string& id) {
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".yaml")
      files.push_back(fs::relative(e.path(), dir).generic_string());
  std::sort(files.begin(), files.end());
  std::vector<Case> out;
  for (const std::string& f : files)
    if (id.empty() || holds(stem_of(f), id)) read_file(fs::path(dir) / f, f, out);
  return out;
}

std::string fill(const std::string& templ, const Case& c) {
  return fill(templ, [&](const std::string& key) { return c.text(key); });
}

std::string fill(const std::string& templ,
                 const std::function<std::string(const std::string&)>& lookup) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = templ.find("${", pos);
    if (open == std::string::npos) break;
    size_t close = templ.find('}', open);
    if (close == std::string::npos) break;
    out.append(templ, pos, open - pos);
    size_t line_start = out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1;
    std::string indent = out.substr(line_start);
    if (indent.find_first_not_of(' ') != std::string::npos) indent.clear();
    std::string value = lookup(templ.substr(open + 2, close - open - 2));
    if (!value.empty() && value.back() == '\n') value.pop_back();
    for (size_t i = 0; i < value.size(); ++i) {
      out.push_back(value[i]);
      if (value[i] == '\n' && i + 1 < value.size()) out += indent;
    }
    pos = close + 1;
  }
  return out + templ.substr(pos);
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.where();
}

}  // namespace eksir::test
