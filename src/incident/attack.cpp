// The incident's ATT&CK techniques and tactics, and the ATT&CK Navigator layer of them.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "incident/incident.h"
#include "util/json_writer.h"
#include "util/visible.h"

namespace eksir::incident {
namespace {

void add_once(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

AttackView attack_view(const Investigation& inv) {
  const Incident& inc = inv.incident;
  std::map<std::string_view, const detect::Finding*> by_id;
  for (const auto& f : inv.findings) by_id.emplace(f.id, &f);
  std::set<std::string_view> benign;
  for (const auto& b : inc.likely_benign) benign.insert(b.finding);
  // The met criteria each finding's evidence supports.
  std::map<std::string_view, std::vector<std::string>> criteria_of;
  for (const auto& c : inc.criteria) {
    if (c.likely_benign) continue;
    for (const auto& e : c.evidence)
      if (!e.finding.empty()) add_once(criteria_of[e.finding], c.id);
  }

  AttackView view;
  std::map<std::string, AttackTechnique> techniques;
  std::map<std::string, std::vector<std::string>> finding_tactics;  // by technique
  for (const auto& id : inc.findings) {
    if (benign.count(id)) continue;
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    const detect::Finding& f = *it->second;
    for (const auto& t : f.tactics) rules::add_tactic(view.tactics, t);
    for (const auto& tid : f.attack) {
      AttackTechnique& t = techniques[tid];
      t.id = tid;
      if (std::find(t.findings.begin(), t.findings.end(), f.id) != t.findings.end()) continue;
      t.findings.push_back(f.id);
      add_once(t.titles, f.title.empty() ? f.rule_title : f.title);
      t.severity = std::max(t.severity, f.severity);
      if (auto c = criteria_of.find(f.id); c != criteria_of.end())
        for (const auto& cid : c->second) add_once(t.criteria, cid);
      for (const auto& tac : f.tactics) rules::add_tactic(finding_tactics[tid], tac);
    }
  }
  for (auto& [tid, t] : techniques) {
    t.tactics = rules::technique_tactics(tid);
    if (t.tactics.empty()) t.tactics = finding_tactics[tid];
    for (const auto& tac : t.tactics) rules::add_tactic(view.tactics, tac);
    view.techniques.push_back(std::move(t));
  }
  auto rank = [](const AttackTechnique& t) {
    return t.tactics.empty() ? 100 : rules::tactic_rank(t.tactics.front());
  };
  std::stable_sort(view.techniques.begin(), view.techniques.end(),
                   [&](const AttackTechnique& a, const AttackTechnique& b) {
                     return rank(a) != rank(b) ? rank(a) < rank(b) : a.id < b.id;
                   });
  return view;
}

namespace {

// Navigator colours of the findings' highest severity, darkest for the worst.
std::string_view severity_colour(detect::Severity s) {
  switch (s) {
    case detect::Severity::Critical:
      return "#c0392b";
    case detect::Severity::High:
      return "#e67e22";
    case detect::Severity::Medium:
      return "#f4d03f";
    case detect::Severity::Low:
      return "#aed6f1";
    case detect::Severity::Info:
      return "#d5d8dc";
  }
  return "#d5d8dc";
}

void metadata(util::JsonWriter& j,
              std::initializer_list<std::pair<std::string_view, std::string>> kv) {
  j.key("metadata");
  j.open('[');
  for (const auto& [name, value] : kv) {
    if (value.empty()) continue;
    j.item();
    j.open('{');
    j.kv("name", name);
    j.kv("value", value);
    j.close('}');
  }
  j.close(']');
}

}  // namespace

std::string navigator_layer(const Investigation& inv) {
  const Incident& inc = inv.incident;
  const AttackView view = attack_view(inv);
  const std::string severity =
      inc.undetermined.empty() ? std::string(util::severity_title(inc.severity)) : "undetermined";
  util::JsonWriter j;
  j.open('{');
  j.kv("name", util::visible(fmt::format("eksir {} — {}", inc.id, inc.title)));
  j.key("versions");
  j.open('{');
  j.kv("attack", "16");
  j.kv("navigator", "5.1.0");
  j.kv("layer", "4.5");
  j.close('}');
  j.kv("domain", "enterprise-attack");
  j.kv("description",
       util::visible(fmt::format(
           "ATT&CK techniques cited by the findings of incident {} ({}, severity {}{}), likely "
           "benign findings left out. Score: the findings that cite the technique plus the "
           "playbook criteria met on them; colour: their highest severity.",
           inc.id, inc.title, severity,
           inv.run.case_id.empty() ? "" : ", case " + inv.run.case_id)));
  j.kv_num("sorting", 3);  // by score, highest first
  j.key("layout");
  j.open('{');
  j.kv("layout", "side");
  j.kv("aggregateFunction", "max");
  j.kv_bool("showID", true);
  j.kv_bool("showName", true);
  j.kv_bool("showAggregateScores", false);
  j.kv_bool("countUnscored", false);
  j.close('}');
  j.kv_bool("hideDisabled", false);
  j.key("techniques");
  j.open('[');
  size_t max_score = 0;
  // A sub-technique is drawn under its technique, folded unless the technique says otherwise.
  std::set<std::string> expanded;
  for (const auto& t : view.techniques)
    if (size_t dot = t.id.find('.'); dot != std::string::npos) expanded.insert(t.id.substr(0, dot));
  for (const auto& t : view.techniques) {
    max_score = std::max(max_score, t.score());
    j.item();
    j.open('{');
    j.kv("techniqueID", t.id);
    j.kv_num("score", static_cast<int64_t>(t.score()));
    j.kv("color", severity_colour(t.severity));
    std::string comment;
    const size_t shown = std::min<size_t>(t.titles.size(), 10);
    for (size_t i = 0; i < shown; ++i) comment += (i ? "; " : "") + util::visible(t.titles[i]);
    if (t.titles.size() > shown) comment += fmt::format("; … {} more", t.titles.size() - shown);
    j.kv("comment", comment);
    j.kv_bool("enabled", true);
    if (expanded.erase(t.id)) j.kv_bool("showSubtechniques", true);
    metadata(j, {{"tactics", rules::join_ids(t.tactics)},
                 {"findings", std::to_string(t.findings.size())},
                 {"criteria", rules::join_ids(t.criteria)},
                 {"severity", std::string(rules::severity_name(t.severity))}});
    j.close('}');
  }
  // The techniques not cited themselves: an entry that only unfolds them.
  for (const auto& parent : expanded) {
    j.item();
    j.open('{');
    j.kv("techniqueID", parent);
    j.kv_bool("enabled", true);
    j.kv_bool("showSubtechniques", true);
    j.close('}');
  }
  j.close(']');
  j.key("gradient");
  j.open('{');
  j.key("colors");
  j.open('[');
  for (std::string_view c : {"#ffffff", "#ff6666"}) {
    j.item();
    j.str(c);
  }
  j.close(']');
  j.kv_num("minValue", 0);
  j.kv_num("maxValue", static_cast<int64_t>(std::max<size_t>(max_score, 1)));
  j.close('}');
  j.key("legendItems");
  j.open('[');
  for (auto s : {detect::Severity::Critical, detect::Severity::High, detect::Severity::Medium,
                 detect::Severity::Low, detect::Severity::Info}) {
    if (std::none_of(view.techniques.begin(), view.techniques.end(),
                     [&](const AttackTechnique& t) { return t.severity == s; }))
      continue;
    j.item();
    j.open('{');
    j.kv("label", fmt::format("highest finding severity: {}", rules::severity_name(s)));
    j.kv("color", severity_colour(s));
    j.close('}');
  }
  j.close(']');
  metadata(j, {{"incident", util::visible(inc.id)},
               {"severity", severity},
               {"case", util::visible(inv.run.case_id)},
               {"tactics", rules::join_ids(view.tactics)}});
  j.kv_bool("showTacticRowBackground", false);
  j.kv_bool("selectTechniquesAcrossTactics", true);
  j.kv_bool("selectSubtechniquesWithParent", false);
  j.close('}');
  j.o += '\n';
  return std::move(j.o);
}

}  // namespace eksir::incident
