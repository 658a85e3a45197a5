#include "collect/images.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>

#include "cluster/cluster.h"
#include "command/command.h"

namespace eksir::collect {

using cluster::ImageRef;
using cluster::parse_image_ref;

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == s.npos ? s.npos : at - start));
    if (at == s.npos) return parts;
    start = at + 1;
  }
}

std::string_view str(simdjson::dom::element e, std::string_view key) {
  std::string_view s;
  if (e[key].get_string().get(s)) return {};
  return s;
}

// A pod's spec wherever the object keeps one: a Pod's own, a workload's template, a CronJob's
// job template.
bool pod_spec(simdjson::dom::element item, simdjson::dom::element& spec) {
  auto s = item["spec"];
  return !s["jobTemplate"]["spec"]["template"]["spec"].get(spec) ||
         !s["template"]["spec"].get(spec) || !s.get(spec);
}

// The references of one snapshot, each with the digests pods report running under it.
class Seen {
 public:
  void add(std::string_view image, std::string_view digest) {
    std::string key(image);
    if (!digests_.count(key)) order_.push_back(key);
    auto& d = digests_[key];
    if (!digest.empty() && std::find(d.begin(), d.end(), digest) == d.end()) d.emplace_back(digest);
  }
  const std::vector<std::string>& order() const { return order_; }
  const std::vector<std::string>& digests(const std::string& image) const {
    return digests_.at(image);
  }

 private:
  std::vector<std::string> order_;
  std::map<std::string, std::vector<std::string>> digests_;
};

void read_item(simdjson::dom::element item, Seen& seen) {
  simdjson::dom::element spec;
  if (!pod_spec(item, spec)) return;
  std::map<std::string, std::string, std::less<>> image_ids;  // container name -> imageID
  for (const char* list :
       {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"}) {
    simdjson::dom::array statuses;
    if (item["status"][list].get_array().get(statuses)) continue;
    for (auto s : statuses) image_ids[std::string(str(s, "name"))] = std::string(str(s, "imageID"));
  }
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    simdjson::dom::array containers;
    if (spec[list].get_array().get(containers)) continue;
    for (auto c : containers) {
      std::string_view image = str(c, "image");
      if (image.empty()) continue;
      ImageRef ref = parse_image_ref(image);
      std::string digest = ref.digest;
      if (auto it = image_ids.find(str(c, "name")); digest.empty() && it != image_ids.end()) {
        // The runtime names the manifest it pulled; a bare sha256:... is a config id instead.
        ImageRef ran = parse_image_ref(it->second);
        if (ran.canonical() == ref.canonical()) digest = ran.digest;
      }
      seen.add(image, digest);
    }
  }
}

void read_file(const std::string& path, simdjson::dom::parser& parser, Seen& seen) {
  simdjson::dom::element doc;
  if (parser.load(path).get(doc)) return;
  simdjson::dom::array items;
  if (doc["items"].get_array().get(items)) {
    read_item(doc, seen);
    return;
  }
  for (auto item : items) read_item(item, seen);
}

}  // namespace

EcrRegistry ecr_registry(std::string_view host) {
  auto parts = split(host, '.');
  std::string_view account, region;
  if (parts.size() >= 6 && parts[1] == "dkr" && (parts[2] == "ecr" || parts[2] == "ecr-fips") &&
      parts[4] == "amazonaws" && parts[5] == "com" &&
      (parts.size() == 6 || (parts.size() == 7 && parts[6] == "cn"))) {
    account = parts[0];
    region = parts[3];
  } else if (parts.size() == 5 && parts[1] == "dkr-ecr" && parts[3] == "on" && parts[4] == "aws") {
    account = parts[0];
    region = parts[2];
  }
  if (!command::valid(command::Type::aws_account_id, account) ||
      !command::valid(command::Type::region, region))
    return {};
  return {std::string(account), std::string(region)};
}

ImageSurvey survey_images(const std::vector<std::string>& snapshot_files, std::string_view account,
                          std::string_view region) {
  Seen seen;
  simdjson::dom::parser parser;
  for (const auto& f : snapshot_files) read_file(f, parser, seen);

  ImageSurvey s;
  std::set<std::pair<std::string, std::string>> queried;  // repository, digest or "tag:" tag
  for (const auto& image : seen.order()) {
    ImageRef ref = parse_image_ref(image);
    EcrRegistry reg = ecr_registry(ref.registry);
    std::string why;
    if (ref.registry == "public.ecr.aws")
      why = "ECR Public, which Inspector and ECR image scanning do not cover";
    else if (!reg.ok())
      why = fmt::format("registry {} is not Amazon ECR", ref.registry);
    else if (account.empty())
      why = "the cluster's account is not known (describe-cluster and get-caller-identity failed)";
    else if (reg.account != account)
      why = fmt::format("ECR of account {}, not the cluster's account {}", reg.account, account);
    else if (reg.region != region)
      why = fmt::format("ECR in {}, not the cluster's region {}", reg.region, region);
    if (!why.empty()) {
      s.not_scanned.push_back({image, why});
      continue;
    }
    auto add = [&](std::string digest, std::string key) {
      if (!queried.insert({ref.repository, std::move(key)}).second) return;
      if (std::find(s.repositories.begin(), s.repositories.end(), ref.repository) ==
          s.repositories.end())
        s.repositories.push_back(ref.repository);
      s.ecr.push_back({ref.repository, std::move(digest), ref.tag, image});
    };
    const auto& digests = seen.digests(image);
    for (const auto& d : digests) add(d, d);
    if (digests.empty()) {
      if (ref.tag.empty()) ref.tag = "latest";
      add("", "tag:" + ref.tag);
    }
  }
  return s;
}

}  // namespace eksir::collect
