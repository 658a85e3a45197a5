// The report's executive summary, and the graph of the incident's entities.
#include <fmt/format.h>

#include <map>
#include <set>

#include "report/sections.h"
#include "util/text.h"
#include "util/time_math.h"

namespace eksir::report::sections {

namespace {

int graph_layer(std::string_view kind) {
  if (kind == "ip") return 0;
  if (kind == "access_key" || kind == "iam_user" || kind == "iam_role" || kind == "access_entry" ||
      kind == "user" || kind == "k8s_user" || kind == "group")
    return 1;
  if (kind == "pod") return 3;
  if (kind == "node") return 4;
  if (kind == "instance") return 5;
  return 2;
}

}  // namespace

void executive_summary(const CaseData&, Report& rep, Found& found) {
  if (!rep.has_incident) {
    rep.executive_summary =
        "The case holds no investigation yet: run `eksir "
        "investigate` on the evidence.";
    return;
  }
  std::vector<std::string> parts;
  std::string head = rep.title.empty() ? "An incident" : rep.title;
  if (!rep.cluster.empty() && !contains(head, rep.cluster))
    head += " (cluster " + rep.cluster + ")";
  parts.push_back(head + ".");
  // The criteria that set the severity, by name; those of lower levels, by count.
  std::vector<std::string> met;
  size_t lower = 0;
  for (const auto& c : rep.criteria) {
    if (c.likely_benign) continue;
    if (c.level == rep.severity)
      met.push_back(c.text);
    else
      ++lower;
  }
  std::string also = lower ? fmt::format(" ({} criteria of lower levels are met too)", lower) : "";
  if (!rep.undetermined.empty())
    parts.push_back(
        fmt::format("The severity is undetermined, not Low: {}. Nothing in this report can rule a "
                    "compromise in or out until the evidence is read.",
                    rep.undetermined));
  else if (!rep.severity.empty())
    parts.push_back(met.empty()
                        ? fmt::format("Severity {}{}.", rep.severity, also)
                        : fmt::format("Severity {}: {}{}.", rep.severity, join(met, "; "), also));
  if (found.first_malicious != kNoTime)
    parts.push_back(fmt::format("Malicious activity is seen from {} to {}.",
                                time_seconds(found.first_malicious),
                                time_seconds(found.last_malicious)));
  if (rep.discovered != kNoTime) {
    std::string by = found.first_detection && !found.first_detection->source.empty()
                         ? " by " + found.first_detection->source
                         : "";
    int64_t lag = util::seconds_between(found.first_malicious, rep.discovered).value_or(-1);
    parts.push_back(fmt::format("It was first detected at {}{}{}.", time_seconds(rep.discovered),
                                by,
                                lag >= 0 ? ", " + human_duration(lag) + " after it began" : ""));
  } else {
    parts.push_back("No detection time is known.");
  }
  if (!rep.affected.empty()) {
    std::vector<std::string> kinds;
    for (const auto& [kind, names] : found.by_kind)
      kinds.push_back(fmt::format("{} {}", names.size(), kind_label(kind, names.size())));
    parts.push_back(
        fmt::format("{} resources are affected ({}).", rep.affected.size(), join(kinds, ", ")));
  }
  if (rep.contained != kNoTime)
    parts.push_back(fmt::format("Containment was complete at {}.", time_seconds(rep.contained)));
  else if (!rep.actions.empty())
    parts.push_back(fmt::format("{} response actions are journaled; containment is not complete.",
                                rep.actions.size()));
  else
    parts.push_back("No containment action is journaled yet.");
  if (rep.case_status == "closed")
    parts.push_back("The case is closed" +
                    (rep.close_reason.empty() ? std::string(".") : ": " + rep.close_reason + "."));
  if (!rep.gaps.empty())
    parts.push_back(fmt::format("The evidence has {} gap{} (see Lessons learned).", rep.gaps.size(),
                                rep.gaps.size() == 1 ? "" : "s"));
  rep.executive_summary = join(parts, " ");
}

void graph(const CaseData& ctx, Report& rep, Found&) {
  std::set<std::string> affected_keys;
  for (const auto& a : rep.affected) affected_keys.insert(a.kind + "|" + a.ns + "|" + a.name);
  std::map<std::string, size_t> index;
  auto add_node = [&](GraphNode n) {
    if (n.key.empty() || index.count(n.key)) return;
    n.layer = graph_layer(n.kind);
    n.affected = affected_keys.count(n.kind + "|" + n.ns + "|" + n.name) > 0;
    index[n.key] = rep.graph_nodes.size();
    rep.graph_nodes.push_back(std::move(n));
  };
  for (const auto& e : ctx.inc.entities)
    add_node({t(e.key), t(e.kind), t(e.name), t(e.ns), 0, false});
  if (rep.graph_nodes.empty())
    for (const auto& a : rep.affected)
      add_node({a.kind + ":" + qualified(a), a.kind, a.name, a.ns, 0, false});
  for (const auto& l : ctx.inc.links) {
    GraphEdge e{t(l.from), t(l.to), t(l.relation)};
    if (e.from.empty() || e.to.empty() || e.from == e.to) continue;
    for (const auto* k : {&e.from, &e.to}) {
      if (index.count(*k)) continue;
      size_t colon = k->find(':');
      std::string kind = colon == std::string::npos ? "other" : k->substr(0, colon);
      add_node({*k, kind, colon == std::string::npos ? *k : k->substr(colon + 1), "", 0, false});
    }
    rep.graph_edges.push_back(std::move(e));
  }
}

}  // namespace eksir::report::sections
