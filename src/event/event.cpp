#include "event/event.h"

#include <array>
#include <cctype>
#include <charconv>
#include <ctime>

namespace eksir {

std::string_view source_name(Source s) {
  switch (s) {
    case Source::CloudTrail:
      return "cloudtrail";
    case Source::K8sAudit:
      return "k8s_audit";
    case Source::GuardDuty:
      return "guardduty";
    case Source::Falco:
      return "falco";
    case Source::Ocsf:
      return "ocsf";
    case Source::Vulnerability:
      return "vulnerability";
  }
  return "unknown";
}

std::optional<Source> parse_source(std::string_view name) {
  std::string n;
  for (char c : name)
    n.push_back(c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (n == "cloudtrail" || n == "aws" || n == "aws_cloudtrail") return Source::CloudTrail;
  if (n == "k8s_audit" || n == "k8s" || n == "audit" || n == "kubernetes" ||
      n == "kubernetes_audit" || n == "eks_audit")
    return Source::K8sAudit;
  if (n == "guardduty" || n == "gd") return Source::GuardDuty;
  if (n == "falco" || n == "runtime") return Source::Falco;
  if (n == "ocsf" || n == "edr" || n == "xdr") return Source::Ocsf;
  if (n == "vulnerability" || n == "vulnerabilities" || n == "vuln" || n == "vulns")
    return Source::Vulnerability;
  return std::nullopt;
}

Event Event::place_of(const EventView& v) {
  Event e;
  e.source = v.source;
  e.file = std::string(v.file);
  e.line = v.line;
  e.record = v.record;
  e.time = v.time;
  e.sample = v.sample;
  return e;
}

Event Event::from_view(const EventView& v) {
  Event e = place_of(v);
  e.raw = std::string(v.raw);
  // Only GuardDuty findings are re-keyed (CLI output, ASFF), vulnerability findings rebuilt and
  // records with integers wider than 64 bits rewritten, so that raw no longer parses to doc; every
  // other record's raw is its event's own text.
  if (v.source == Source::GuardDuty || v.source == Source::Vulnerability || v.rewritten) {
    std::string normalised = simdjson::minify(v.doc);
    if (normalised != e.raw) e.json = std::move(normalised);
  }
  return e;
}

}  // namespace eksir
