#include "sources/unwrap_guardduty.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "sources/unwrap_raw.h"
#include "util/json_writer.h"

namespace eksir::sources::detail {

namespace dom = simdjson::dom;

namespace {

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != s.npos;
}

// ASFF keys are PascalCase; accept camelCase too.
simdjson::simdjson_result<dom::element> member(dom::element obj, std::string_view pascal) {
  auto r = obj[pascal];
  if (!r.error() || pascal.empty() || pascal.size() > 63) return r;
  char camel[64];
  pascal.copy(camel, pascal.size());
  if (camel[0] >= 'A' && camel[0] <= 'Z') camel[0] = static_cast<char>(camel[0] - 'A' + 'a');
  return obj[std::string_view(camel, pascal.size())];
}

std::string_view string_member(dom::element obj, std::string_view pascal) {
  std::string_view s;
  if (member(obj, pascal).get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// A JSON tree built in insertion order; leaves hold ready-made JSON text.
struct Node {
  std::string name;
  std::string json;
  std::vector<Node> kids;

  Node& at(std::string_view key) {
    for (Node& k : kids)
      if (k.name == key) return k;
    kids.push_back(Node{std::string(key), {}, {}});
    return kids.back();
  }
  void set_string(std::string_view key, std::string_view value) {
    if (value.empty()) return;
    util::JsonWriter w;
    w.str(value);
    at(key).json = std::move(w.o);
  }
  void write(util::JsonWriter& w) const {
    if (kids.empty()) {
      w.raw(json.empty() ? "null" : json);
      return;
    }
    w.open('{');
    for (const Node& k : kids) {
      w.key(k.name);
      k.write(w);
    }
    w.close('}');
  }
};

std::string guardduty_type(dom::element asff) {
  std::string_view chosen;
  dom::array types;
  if (member(asff, "Types").get_array().get(types) == simdjson::SUCCESS) {
    for (dom::element t : types) {
      std::string_view s;
      if (t.get_string().get(s) != simdjson::SUCCESS) continue;
      if (chosen.empty() || (!contains(chosen, ":") && contains(s, ":"))) chosen = s;
    }
  }
  size_t slash = chosen.rfind('/');
  std::string type(slash == chosen.npos ? chosen : chosen.substr(slash + 1));
  size_t colon = type.find(':');
  size_t dash = colon == type.npos ? type.npos : type.find('-', colon);
  if (dash != type.npos) type[dash] = '/';
  return type;
}

std::string guardduty_severity(dom::element asff) {
  dom::element severity;
  if (member(asff, "Severity").get(severity) != simdjson::SUCCESS) return {};
  dom::element product;
  if (member(severity, "Product").get(product) == simdjson::SUCCESS && product.is_number())
    return simdjson::minify(product);
  double normalized;
  if (member(severity, "Normalized").get_double().get(normalized) == simdjson::SUCCESS) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", normalized / 10);
    return buf;
  }
  return {};
}

std::string_view guardduty_resource_type(std::string_view asff_type) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"AwsEksCluster", "EKSCluster"},       {"AwsIamAccessKey", "AccessKey"},
      {"AwsEc2Instance", "Instance"},        {"AwsS3Bucket", "S3Bucket"},
      {"AwsEcsCluster", "ECSCluster"},       {"AwsLambdaFunction", "Lambda"},
      {"AwsRdsDbInstance", "RDSDBInstance"},
  };
  for (auto [asff, gd] : kTypes)
    if (asff == asff_type) return gd;
  return asff_type;
}

void add_resource(dom::element asff, Node& root) {
  dom::array resources;
  if (member(asff, "Resources").get_array().get(resources) != simdjson::SUCCESS) return;
  for (dom::element r : resources) {
    std::string_view type = string_member(r, "Type");
    Node& resource = root.at("resource");
    resource.set_string("resourceType", guardduty_resource_type(type));
    if (type == "AwsEksCluster") {
      Node& cluster = resource.at("eksClusterDetails");
      cluster.set_string("arn", string_member(r, "Id"));
      dom::element details;
      if (member(r, "Details").get(details) == simdjson::SUCCESS &&
          member(details, "AwsEksCluster").get(details) == simdjson::SUCCESS)
        cluster.set_string("name", string_member(details, "Name"));
    }
    root.set_string("partition", string_member(r, "Partition"));
    return;  // the first resource is the one GuardDuty reports on
  }
}

// ProductFields "aws/guardduty/service/action/actionType" -> service.action.actionType.
void add_product_fields(dom::element asff, Node& root) {
  dom::object fields;
  if (member(asff, "ProductFields").get_object().get(fields) != simdjson::SUCCESS) return;
  constexpr std::string_view kPrefix = "aws/guardduty/";
  for (dom::key_value_pair kv : fields) {
    if (kv.key.substr(0, kPrefix.size()) != kPrefix) continue;
    std::string_view path = kv.key.substr(kPrefix.size());
    Node* node = &root;
    while (!path.empty()) {
      size_t slash = path.find('/');
      node = &node->at(path.substr(0, slash));
      path = slash == path.npos ? std::string_view{} : path.substr(slash + 1);
    }
    node->kids.clear();
    node->json = simdjson::minify(kv.value);
  }
}

}  // namespace

bool guardduty_sample(dom::element finding) {
  dom::element info;
  if (finding["service"]["additionalInfo"].get(info) != simdjson::SUCCESS) return false;
  bool sample = false;
  if (info["sample"].get_bool().get(sample) == simdjson::SUCCESS) return sample;
  std::string_view value;
  if (info["value"].get_string().get(value) != simdjson::SUCCESS) return false;
  return contains(value, "\"sample\":true") || contains(value, "\"sample\": true");
}

bool asff_from_guardduty(dom::element asff) {
  return contains(string_member(asff, "ProductArn"), "product/aws/guardduty");
}

std::string_view asff_product(dom::element asff) {
  std::string_view name = string_member(asff, "ProductName");
  return name.empty() ? string_member(asff, "ProductArn") : name;
}

void asff_to_guardduty(std::string_view raw, dom::element asff, std::string& out,
                       std::string& scratch) {
  Node root;
  root.set_string("schemaVersion", string_member(asff, "SchemaVersion"));
  root.set_string("accountId", string_member(asff, "AwsAccountId"));
  root.set_string("region", string_member(asff, "Region"));
  std::string_view arn = string_member(asff, "Id");
  size_t id_at = arn.rfind("/finding/");
  root.set_string("id", id_at == arn.npos ? arn : arn.substr(id_at + 9));
  root.set_string("arn", arn);
  root.set_string("type", guardduty_type(asff));
  if (std::string severity = guardduty_severity(asff); !severity.empty())
    root.at("severity").json = severity;
  static constexpr std::pair<std::string_view, std::string_view> kCopied[] = {
      {"CreatedAt", "createdAt"},
      {"UpdatedAt", "updatedAt"},
      {"Title", "title"},
      {"Description", "description"}};
  for (auto [from, to] : kCopied) root.set_string(to, string_member(asff, from));
  add_resource(asff, root);
  add_product_fields(asff, root);
  bool sample = false;
  if (member(asff, "Sample").get_bool().get(sample) == simdjson::SUCCESS)
    root.at("service").at("additionalInfo").at("sample").json = sample ? "true" : "false";

  lower_first_letter_of_keys(raw, scratch);
  root.at("asff").json = scratch;
  util::JsonWriter w;
  w.o = std::move(out);  // its buffer, reused
  w.o.clear();
  root.write(w);
  out = std::move(w.o);
}

}  // namespace eksir::sources::detail
