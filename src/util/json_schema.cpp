#include "util/json_schema.h"

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

namespace eksir::util {

struct JsonSchema::Compiled {
  valijson::Schema schema;
};

JsonSchema JsonSchema::compile(const nlohmann::json& doc, Draft draft) {
  JsonSchema out;
  try {
    auto c = std::make_shared<Compiled>();
    valijson::SchemaParser parser(draft == Draft::V7 ? valijson::SchemaParser::kDraft7
                                                     : valijson::SchemaParser::kDraft4);
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, c->schema);
    out.compiled_ = std::move(c);
  } catch (const std::exception& e) {
    out.error_ = e.what();
  }
  return out;
}

std::shared_ptr<const JsonSchema> JsonSchema::load(const std::string& path, Draft draft) {
  static std::mutex mu;
  static std::map<std::pair<std::string, Draft>, std::shared_ptr<const JsonSchema>> cache;
  std::lock_guard lock(mu);
  auto key = std::make_pair(path, draft);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto loaded = std::make_shared<JsonSchema>();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    loaded->error_ = path + ": cannot read the schema";
  } else {
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json doc = nlohmann::json::parse(ss.str(), nullptr, false);
    if (doc.is_discarded()) {
      loaded->error_ = path + ": not JSON";
    } else {
      *loaded = compile(doc, draft);
      if (!loaded->error_.empty()) loaded->error_ = path + ": " + loaded->error_;
    }
  }
  cache[key] = loaded;
  return loaded;
}

bool JsonSchema::validate(const nlohmann::json& target, const std::string& what,
                          std::vector<std::string>& problems) const {
  if (!compiled_) {
    problems.push_back(error_.empty() ? what + ": no schema" : error_);
    return false;
  }
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(target);
  if (validator.validate(compiled_->schema, adapter, &results)) return true;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    std::string path;
    for (const auto& p : e.context) path += p;
    problems.push_back(what + ": " + path + ": " + e.description);
  }
  return false;
}

}  // namespace eksir::util
