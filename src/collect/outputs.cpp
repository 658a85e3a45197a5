#include "collect/outputs.h"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/sha256.h"

namespace eksir::collect {

namespace {

std::optional<simdjson::dom::object> load_object(simdjson::dom::parser& parser,
                                                 const std::string& path) {
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text)) return std::nullopt;
  simdjson::dom::object obj;
  if (parser.parse(text).get_object().get(obj)) return std::nullopt;
  return obj;
}

}  // namespace

std::vector<std::string> json_strings(const std::string& path, std::string_view key) {
  simdjson::dom::parser parser;
  std::vector<std::string> out;
  auto obj = load_object(parser, path);
  simdjson::dom::array arr;
  if (!obj || (*obj)[key].get_array().get(arr)) return out;
  for (auto el : arr) {
    std::string_view s;
    if (!el.get_string().get(s)) out.emplace_back(s);
  }
  return out;
}

std::string json_string(const std::string& path, std::string_view key) {
  simdjson::dom::parser parser;
  auto obj = load_object(parser, path);
  std::string_view s;
  if (!obj || (*obj)[key].get_string().get(s)) return {};
  return std::string(s);
}

std::string json_string_at(const std::string& path, std::initializer_list<std::string_view> keys) {
  simdjson::dom::parser parser;
  simdjson::padded_string text;
  simdjson::dom::element e;
  if (simdjson::padded_string::load(path).get(text) || parser.parse(text).get(e)) return {};
  for (auto k : keys)
    if (e[k].get(e)) return {};
  std::string_view s;
  if (e.get_string().get(s)) return {};
  return std::string(s);
}

std::vector<std::string> text_words(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string w;
  while (in >> w)
    if (w != "None") out.push_back(w);
  return out;
}

std::string telling_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, first;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (first.empty()) first = line;
    if (line.find("rror") != std::string::npos) {
      if (line.find("Invalid choice") != std::string::npos)
        line += " (this aws CLI predates the operation; a newer one has it)";
      return line;
    }
  }
  return first;
}

std::optional<OutputFile> seal(const std::string& root, const std::string& rel) {
  std::string path = root + "/" + rel;
  auto d = sha256_file(path);
  if (!d.ok()) return std::nullopt;
  OutputFile f{rel, d.size, d.hex};
  if (d.size <= 4096) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find_first_not_of(" \t\r\n") == std::string::npos) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
      f.path.clear();
    }
  }
  return f;
}

}  // namespace eksir::collect
