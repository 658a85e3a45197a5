// The incident's indicators as a STIX 2.1 bundle: an identity for eksir, one indicator per
// address, access key, image, domain and file hash the incident carries, and the incident as a
// report referring to every indicator. Ids are name-based UUIDs of the incident and the content,
// times those of the investigation run: the same case gives the same bundle.
#include <algorithm>
#include <set>
#include <tuple>

#include "report/report.h"
#include "util/cidr.h"
#include "util/json_writer.h"
#include "util/uuid.h"

namespace eksir::report {
namespace {

// The namespace of every id eksir gives a STIX object.
constexpr util::Uuid kNamespace = {0x3c, 0x6f, 0x0d, 0x52, 0x8e, 0x41, 0x4b, 0x1f,
                                   0x9a, 0x57, 0x2e, 0xd4, 0x61, 0xb3, 0x0c, 0x98};

std::string stix_id(std::string_view type, std::string_view name) {
  return std::string(type) + "--" +
         util::uuid_v5(kNamespace, std::string(type) + "\n" + std::string(name));
}

struct Indicator {
  int order = 0;  // the kinds in a fixed order, then the value
  std::string kind, value, pattern, name, description;
  std::string indicator_type;  // indicator-type-ov
  bool operator<(const Indicator& o) const {
    return std::tie(order, value, pattern) < std::tie(o.order, o.value, o.pattern);
  }
};

bool is_ipv6(std::string_view v) {
  return v.find(':') != std::string_view::npos;
}

// A sha256 of 64 hex digits, lower-cased; "" otherwise.
std::string sha256_value(std::string_view v) {
  if (v.starts_with("sha256:")) v.remove_prefix(7);
  if (v.size() != 64) return "";
  std::string out;
  for (char c : v) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
    out += c;
  }
  return out;
}

std::optional<Indicator> indicator_for(std::string_view kind, const std::string& value) {
  if (value.empty()) return std::nullopt;
  Indicator i;
  i.kind = std::string(kind);
  i.value = value;
  const std::string quoted = stix_quote(value);
  if (kind == "ip") {
    if (value.find('/') != std::string::npos || !util::parse_cidr(value)) return std::nullopt;
    i.order = 0;
    i.pattern = stix_pattern(is_ipv6(value) ? "ipv6-addr:value" : "ipv4-addr:value", quoted);
    i.name = "Address " + value;
    i.description = "A routable source address of the incident's activity.";
    i.indicator_type = "malicious-activity";
  } else if (kind == "access_key") {
    // STIX has no object for a credential's identifier; the key id is what AWS records as the
    // identity of the caller (userIdentity.accessKeyId), so it is the user-account's user_id.
    i.order = 1;
    i.pattern = stix_pattern("user-account:user_id", quoted);
    i.name = "AWS access key " + value;
    i.description = "An AWS access key ID the incident's activity used or created.";
    i.indicator_type = "compromised";
  } else if (kind == "image") {
    i.order = 2;
    i.pattern = stix_pattern("software:name", quoted);
    i.name = "Container image " + value;
    i.description = "A container image the attacker ran (none the organisation runs itself).";
    i.indicator_type = "anomalous-activity";
  } else if (kind == "domain") {
    i.order = 3;
    i.pattern = stix_pattern("domain-name:value", quoted);
    i.name = "Domain " + value;
    i.description = "A domain name the incident's activity looked up or reached.";
    i.indicator_type = "malicious-activity";
  } else if (kind == "sha256") {
    std::string hex = sha256_value(value);
    if (hex.empty()) return std::nullopt;
    i.order = 4;
    i.value = hex;
    i.pattern = stix_pattern("file:hashes.'SHA-256'", stix_quote(hex));
    i.name = "File SHA-256 " + hex;
    i.description = "The SHA-256 of a file the incident's activity involved.";
    i.indicator_type = "malicious-activity";
  } else {
    return std::nullopt;
  }
  return i;
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from < list.size()) {
    size_t comma = std::min(list.find(',', from), list.size());
    if (comma > from) out.push_back(list.substr(from, comma - from));
    from = comma + 1;
  }
  return out;
}

// What the incident carries: the routable addresses and the access keys among its affected
// resources and entities; the images the attacker brought (those of the pods and workloads it
// created, and those its findings name) but never one the organisation runs itself (an image of
// a pod or workload the attacker did not create, a scanned image of its own: a vulnerable
// component exploited is not an indicator of the attacker); domains and file hashes its findings
// name. Likely-benign findings are left out.
std::vector<Indicator> collect(const incident::Investigation& inv) {
  std::set<Indicator> out;
  auto add = [&](std::string_view kind, const std::string& value) {
    if (kind == "ip" && !util::is_routable(value)) return;  // not a node's or a pod's
    if (auto i = indicator_for(kind, value)) out.insert(std::move(*i));
  };
  std::set<std::string> brought, own;
  for (const auto& a : inv.incident.affected) {
    if (a.kind == "ip" || a.kind == "access_key") add(a.kind, a.name);
    if (a.kind == "image") own.insert(a.name);
    if (a.kind != "pod" && a.kind != "workload") continue;
    for (auto& image : split_list(a.attr("images")))
      (a.attr("attacker") == "created" ? brought : own).insert(std::move(image));
  }
  for (const auto& e : inv.incident.entities)
    if (e.kind == "ip" || e.kind == "access_key") add(e.kind, e.id.empty() ? e.name : e.id);
  std::set<std::string_view> benign;
  for (const auto& b : inv.incident.likely_benign) benign.insert(b.finding);
  std::set<std::string_view> in_incident(inv.incident.findings.begin(),
                                         inv.incident.findings.end());
  for (const auto& f : inv.findings) {
    if (!in_incident.contains(f.id) || benign.contains(f.id)) continue;
    for (const auto& [name, value] : detect::subject_ecs(f)) {
      if (name == "dns.question.name") add("domain", value);
      if (name == "file.hash.sha256") add("sha256", value);
      if (name == "container.image.name") brought.insert(value);
    }
  }
  for (const auto& image : brought)
    if (!own.contains(image)) add("image", image);
  return {out.begin(), out.end()};
}

void common(util::JsonWriter& j, std::string_view type, const std::string& id,
            const std::string& time, std::string_view created_by) {
  j.kv("type", type);
  j.kv("spec_version", "2.1");
  j.kv("id", id);
  if (!created_by.empty()) j.kv("created_by_ref", created_by);
  j.kv("created", time);
  j.kv("modified", time);
}

}  // namespace

std::string stix_quote(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string stix_pattern(std::string_view object_path, std::string_view quoted) {
  return "[" + std::string(object_path) + " = '" + std::string(quoted) + "']";
}

std::string stix_bundle(const incident::Investigation& inv) {
  const incident::Incident& inc = inv.incident;
  TimeNs when = inv.run.finished != kNoTime ? inv.run.finished : inv.run.started;
  if (when == kNoTime) when = 0;
  const std::string time = format_time(when);
  TimeNs first = inc.metrics.first_malicious != kNoTime ? inc.metrics.first_malicious : when;
  const std::string valid_from = format_time(first);
  const std::string identity = stix_id("identity", "eksir");
  const std::vector<Indicator> indicators = collect(inv);

  util::JsonWriter j;
  j.open('{');
  j.kv("type", "bundle");
  j.kv("id", stix_id("bundle", inc.id));
  j.key("objects");
  j.open('[');

  j.item();
  j.open('{');
  common(j, "identity", identity, format_time(0), "");
  j.kv("name", "eksir");
  j.kv("description", "Incident response for Amazon EKS");
  j.kv("identity_class", "system");
  j.close('}');

  std::vector<std::string> refs;
  for (const auto& i : indicators) {
    std::string id = stix_id("indicator", inc.id + "\n" + i.pattern);
    refs.push_back(id);
    j.item();
    j.open('{');
    common(j, "indicator", id, time, identity);
    j.kv("name", i.name);
    j.kv("description", i.description);
    j.kv_list("indicator_types", {i.indicator_type});
    j.kv("pattern", i.pattern);
    j.kv("pattern_type", "stix");
    j.kv("pattern_version", "2.1");
    j.kv("valid_from", valid_from);
    j.kv_list("labels", {"eksir:" + i.kind});
    j.close('}');
  }

  j.item();
  j.open('{');
  common(j, "report", stix_id("report", inc.id), time, identity);
  j.kv("name", inc.title.empty() ? inc.id : inc.title);
  if (!inc.summary.empty()) j.kv("description", inc.summary);
  j.kv_list("report_types", {"threat-report"});
  j.kv("published", time);
  // A report refers to at least one object: without an indicator, to the producer.
  j.kv_list("object_refs", refs.empty() ? std::vector<std::string>{identity} : refs);
  j.key("external_references");
  j.open('[');
  j.item();
  j.open('{');
  j.kv("source_name", "eksir");
  j.kv("external_id", inc.id);
  j.kv("description", "The eksir incident (incident.json of the case)");
  j.close('}');
  j.close(']');
  j.close('}');

  j.close(']');
  j.close('}');
  j.raw("\n");
  return std::move(j.o);
}

}  // namespace eksir::report
