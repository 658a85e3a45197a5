// Manifest validation against the official JSON schemas (Kubernetes standalone-strict; for
// Gatekeeper constraints the parameters schema of their ConstraintTemplate), plus the rules those
// schemas leave out: apiVersion, kind and metadata.name present, names and labels well formed.
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "respond/plan_internal.h"
#include "util/json_schema.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

json yaml_to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json j = json::object();
      for (const auto& kv : n) j[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return j;
    }
    case YAML::NodeType::Sequence: {
      json j = json::array();
      for (const auto& v : n) j.push_back(yaml_to_json(v));
      return j;
    }
    case YAML::NodeType::Scalar: {
      std::string s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      json num = json::parse(s, nullptr, false);
      if (!num.is_discarded() && num.is_number()) return num;
      return s;
    }
    default:
      return nullptr;
  }
}

struct LoadedSchema {
  util::JsonSchema schema;
  json gatekeeper_kind;  // for templates: spec.crd.spec.names.kind
  std::string error;
};

std::shared_ptr<LoadedSchema> load(const std::string& path, bool is_template) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<LoadedSchema>> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  auto loaded = std::make_shared<LoadedSchema>();
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      loaded->error = path + ": cannot read the schema";
    } else {
      std::stringstream ss;
      ss << in.rdbuf();
      json doc;
      if (is_template) {
        json tmpl = yaml_to_json(YAML::Load(ss.str()));
        const json& crd = tmpl["spec"]["crd"]["spec"];
        loaded->gatekeeper_kind = crd["names"]["kind"];
        doc = crd["validation"]["openAPIV3Schema"];
        if (!doc.is_object()) doc = json::object();
      } else {
        doc = json::parse(ss.str(), nullptr, false);
      }
      if (doc.is_discarded()) {
        loaded->error = path + ": not JSON";
      } else {
        loaded->schema = util::JsonSchema::compile(doc, util::JsonSchema::Draft::V4);
        if (!loaded->schema.error().empty()) loaded->error = path + ": " + loaded->schema.error();
      }
    }
  } catch (const std::exception& e) {
    loaded->error = path + ": " + e.what();
  }
  cache[path] = loaded;
  return loaded;
}

void run(const util::JsonSchema& schema, const json& target, const std::string& what,
         std::vector<std::string>& problems) {
  schema.validate(target, what, problems);
}

void check_metadata(const json& m, bool namespaced_allowed, std::vector<std::string>& problems) {
  if (!m.contains("apiVersion") || !m["apiVersion"].is_string())
    problems.push_back("apiVersion is missing");
  if (!m.contains("kind") || !m["kind"].is_string()) problems.push_back("kind is missing");
  const json* meta = m.contains("metadata") ? &m["metadata"] : nullptr;
  if (!meta || !meta->is_object()) {
    problems.push_back("metadata is missing");
    return;
  }
  std::string name = meta->value("name", "");
  if (!command::valid(Type::k8s_name, name))
    problems.push_back("metadata.name \"" + util::visible(name) + "\" is not a DNS-1123 subdomain");
  if (meta->contains("namespace")) {
    if (!namespaced_allowed) problems.push_back("metadata.namespace on a cluster-scoped kind");
    std::string ns =
        (*meta)["namespace"].is_string() ? (*meta)["namespace"].get<std::string>() : "";
    if (!command::valid(Type::k8s_label_name, ns))
      problems.push_back("metadata.namespace \"" + util::visible(ns) +
                         "\" is not a DNS-1123 label");
  }
  for (const char* field : {"labels"}) {
    if (!meta->contains(field)) continue;
    for (auto it = (*meta)[field].begin(); it != (*meta)[field].end(); ++it) {
      if (!command::valid(Type::label_key, it.key()))
        problems.push_back("label key \"" + util::visible(it.key()) + "\" is invalid");
      if (!it.value().is_string() ||
          !command::valid(Type::label_value, it.value().get<std::string>()))
        problems.push_back("label value of \"" + util::visible(it.key()) + "\" is invalid");
    }
  }
}

void check_selector_labels(const json& m, std::vector<std::string>& problems) {
  if (!m.contains("spec") || !m["spec"].is_object()) return;
  const json& spec = m["spec"];
  if (!spec.contains("podSelector") || !spec["podSelector"].contains("matchLabels")) return;
  for (auto it = spec["podSelector"]["matchLabels"].begin();
       it != spec["podSelector"]["matchLabels"].end(); ++it) {
    if (!command::valid(Type::label_key, it.key()))
      problems.push_back("selector key \"" + util::visible(it.key()) + "\" is invalid");
    if (!it.value().is_string() ||
        !command::valid(Type::label_value, it.value().get<std::string>()))
      problems.push_back("selector value of \"" + util::visible(it.key()) + "\" is invalid");
  }
}

void check_gatekeeper(const json& m, const std::string& schemas_dir,
                      std::vector<std::string>& problems) {
  std::string kind = m.value("kind", "");
  auto tmpl = load(schemas_dir + "/gatekeeper/" + util::ascii_lower(kind) + "/template.yaml", true);
  if (!tmpl->error.empty()) {
    problems.push_back(tmpl->error);
    return;
  }
  if (tmpl->gatekeeper_kind != kind)
    problems.push_back("kind " + kind + " is not the template's " + tmpl->gatekeeper_kind.dump());
  if (m.value("apiVersion", "") != "constraints.gatekeeper.sh/v1beta1" &&
      m.value("apiVersion", "") != "constraints.gatekeeper.sh/v1")
    problems.push_back("apiVersion must be constraints.gatekeeper.sh/v1beta1");
  static const std::vector<std::string> kTop{"apiVersion", "kind", "metadata", "spec"};
  static const std::vector<std::string> kSpec{"enforcementAction", "scopedEnforcementActions",
                                              "match", "parameters"};
  static const std::vector<std::string> kMatch{
      "kinds", "namespaces", "excludedNamespaces", "labelSelector", "namespaceSelector", "scope",
      "name",  "source"};
  auto only = [&](const json& obj, const std::vector<std::string>& allowed, const char* where) {
    if (!obj.is_object()) {
      problems.push_back(std::string(where) + " must be an object");
      return;
    }
    for (auto it = obj.begin(); it != obj.end(); ++it)
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
        problems.push_back(std::string(where) + "." + it.key() + " is not a constraint field");
  };
  only(m, kTop, "constraint");
  if (!m.contains("spec")) return;
  only(m["spec"], kSpec, "spec");
  if (!m["spec"].is_object()) return;
  std::string action = m["spec"].value("enforcementAction", "deny");
  if (action != "deny" && action != "dryrun" && action != "warn" && action != "scoped")
    problems.push_back("spec.enforcementAction \"" + action + "\" is not deny, dryrun or warn");
  if (m["spec"].contains("match")) {
    only(m["spec"]["match"], kMatch, "spec.match");
    const json& kinds = m["spec"]["match"].value("kinds", json::array());
    if (!kinds.is_array()) problems.push_back("spec.match.kinds must be a list");
  }
  if (m["spec"].contains("parameters"))
    run(tmpl->schema, m["spec"]["parameters"], "spec.parameters", problems);
}

}  // namespace

std::vector<std::string> validate_manifest(std::string_view manifest_json,
                                           const std::string& schemas_dir) {
  std::vector<std::string> problems;
  json m = json::parse(manifest_json.begin(), manifest_json.end(), nullptr, false);
  if (m.is_discarded() || !m.is_object()) return {"the manifest is not a JSON object"};
  std::string api = m.value("apiVersion", ""), kind = m.value("kind", "");
  if (api.rfind("constraints.gatekeeper.sh/", 0) == 0) {
    check_metadata(m, false, problems);
    check_gatekeeper(m, schemas_dir, problems);
    return problems;
  }
  std::string group, version = api;
  if (size_t slash = api.find('/'); slash != std::string::npos) {
    group = api.substr(0, slash);
    version = api.substr(slash + 1);
  }
  std::string file = util::ascii_lower(kind);
  if (!group.empty()) file += "-" + group.substr(0, group.find('.'));
  file += "-" + version + ".json";
  auto schema = load(schemas_dir + "/kubernetes/v1.31.0/" + file, false);
  if (!schema->error.empty()) return {schema->error};
  bool cluster_scoped = kind == "Namespace" || kind == "ClusterRole" ||
                        kind == "ClusterRoleBinding" || kind == "Node";
  check_metadata(m, !cluster_scoped, problems);
  check_selector_labels(m, problems);
  run(schema->schema, m, kind, problems);
  return problems;
}

}  // namespace eksir::respond
