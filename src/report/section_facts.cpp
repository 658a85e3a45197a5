// The report's facts: the incident's identity, criteria and affected resources, and the case's
// notes filed under the sections they name.
#include <fmt/format.h>

#include "report/sections.h"
#include "util/text.h"

namespace eksir::report::sections {

namespace {

// "impact: text" files a note under Impact; unprefixed notes belong to the
// investigation.
std::pair<std::string, std::string> note_section(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> prefixes = {
      {"summary", "summary"},
      {"timeline", "timeline"},
      {"investigation", "investigation"},
      {"impact", "impact"},
      {"containment", "actions"},
      {"remediation", "actions"},
      {"eradication", "actions"},
      {"recovery", "actions"},
      {"response", "actions"},
      {"actions", "actions"},
      {"root cause", "root_cause"},
      {"root-cause", "root_cause"},
      {"rootcause", "root_cause"},
      {"lessons learned", "lessons"},
      {"lessons", "lessons"},
      {"lesson", "lessons"},
      {"detection", "lessons"},
      {"metrics", "metrics"},
      {"metric", "metrics"},
  };
  size_t colon = text.find(':');
  if (colon != std::string::npos && colon <= 20) {
    std::string head = util::ascii_lower(text.substr(0, colon));
    while (!head.empty() && head.front() == ' ') head.erase(0, 1);
    while (!head.empty() && head.back() == ' ') head.pop_back();
    for (const auto& [p, section] : prefixes) {
      if (head == p) {
        std::string rest = text.substr(colon + 1);
        while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
        return {section, rest};
      }
    }
  }
  return {"investigation", text};
}

}  // namespace

void summary_facts(const CaseData& ctx, Report& rep, Found& found) {
  rep.id = t(ctx.inc.id);
  if (rep.id.empty()) rep.id = t(ctx.inv.run.case_id);
  if (rep.id.empty()) rep.id = valid_utf8(ctx.in.info.id);
  rep.title = t(ctx.inc.title);
  if (rep.title.empty()) rep.title = valid_utf8(ctx.in.info.title);
  rep.type = t(ctx.inc.type);
  if (ctx.has_incident && !ctx.inc.undetermined.empty()) {
    rep.undetermined = t(ctx.inc.undetermined);
  } else {
    if (ctx.has_incident) rep.severity = std::string(util::severity_title(ctx.inc.severity));
    if (rep.severity.empty()) rep.severity = valid_utf8(ctx.in.info.severity);
  }
  rep.cluster = t(ctx.inc.cluster.name);
  rep.region = t(ctx.inc.cluster.region);
  rep.account = t(ctx.inc.cluster.account);
  rep.cluster_arn = t(ctx.inc.cluster.arn);
  if (ctx.has_incident) {
    rep.production_known = true;
    rep.production = ctx.inc.production;
  }
  for (const auto& c : ctx.inc.criteria) {
    Criterion cr;
    cr.level = std::string(util::severity_title(c.level));
    cr.id = t(c.id);
    cr.text = t(c.criterion);
    cr.likely_benign = c.likely_benign;
    for (const auto& e : c.evidence) cr.evidence.push_back({t(e.text), evidence_ref(e)});
    rep.criteria.push_back(std::move(cr));
  }
  for (const auto& a : ctx.inc.affected) {
    Affected af;
    af.kind = t(a.kind);
    af.name = t(a.name);
    af.ns = t(a.ns);
    af.id = t(a.id);
    af.why = t(a.why);
    af.findings = a.findings.size();
    for (const auto& [k, v] : a.attributes)
      if (!v.empty()) af.attributes.emplace_back(t(k), t(v));
    if (af.name.empty() && af.id.empty()) continue;
    rep.affected.push_back(std::move(af));
  }
  rep.images = vulnerable_images(rep.affected);
  for (const auto& a : rep.affected) found.by_kind[a.kind].push_back(qualified(a));
  if (!rep.cluster.empty()) {
    std::string line = "EKS cluster " + rep.cluster;
    std::vector<std::string> where;
    if (!rep.region.empty()) where.push_back(rep.region);
    if (!rep.account.empty()) where.push_back("account " + rep.account);
    if (rep.production_known) where.push_back(rep.production ? "production" : "not production");
    if (!where.empty()) line += " (" + join(where, ", ") + ")";
    rep.affected_systems.push_back(line);
  }
  for (const auto& [kind, names] : found.by_kind) {
    if (kind == "cluster" && names.size() == 1 && names[0] == rep.cluster) continue;
    rep.affected_systems.push_back(
        fmt::format("{} {}: {}", names.size(), kind_label(kind, names.size()), list_some(names)));
  }
  rep.investigation_summary = t(ctx.inc.summary);
}

void notes(const CaseData& ctx, Report& rep, Found&) {
  for (const auto& n : ctx.in.notes) {
    auto [section, text] = note_section(valid_utf8(n.text));
    rep.notes[section].push_back({n.time, valid_utf8(n.author), text});
  }
}

}  // namespace eksir::report::sections
