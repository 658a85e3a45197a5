// Recovery, derived from the journal: the undo of every containment step that ran, newest
// first, with the settings captured before each one, then checks that the workloads are back.
#include <algorithm>
#include <map>
#include <set>

#include "respond/plan_internal.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

// Replaces the CAPTURED placeholder of the planned undo by values.
Command fill(const Command& planned, const std::vector<std::string>& values) {
  Command c = planned;
  auto it = std::find(c.argv.begin(), c.argv.end(), "CAPTURED");
  if (it == c.argv.end() || values.empty()) return {};
  it = c.argv.erase(it);
  c.argv.insert(it, values.begin(), values.end());
  return c;
}

bool done(const std::vector<store::JournalEntry>& journal, const std::string& step_id) {
  return std::any_of(journal.begin(), journal.end(), [&](const store::JournalEntry& e) {
    return e.step_id == step_id && e.exit_status == 0 && !e.dry_run;
  });
}

}  // namespace

Command concrete_undo(const Step& step, std::string_view captured) {
  switch (step.undo_from) {
    case UndoFrom::fixed:
      return step.undo;
    case UndoFrom::uncordon_if_was_schedulable: {
      std::string_view v = captured;
      while (!v.empty() && (v.back() == '\n' || v.back() == ' ' || v.back() == '\''))
        v.remove_suffix(1);
      while (!v.empty() && v.front() == '\'') v.remove_prefix(1);
      if (v == "true") return {};  // it was cordoned before containment: leave it so
      return step.undo;
    }
    case UndoFrom::endpoint_cidrs: {
      json doc = json::parse(captured.begin(), captured.end(), nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) return {};
      const json& vpc =
          doc.value("cluster", json::object()).value("resourcesVpcConfig", json::object());
      std::vector<std::string> cidrs;
      for (const auto& c : string_list(vpc.value("publicAccessCidrs", json::array())))
        if (is_ipv4_cidr(c)) cidrs.push_back(c);
      bool public_access = vpc.value("endpointPublicAccess", true);
      std::string value = std::string("endpointPublicAccess=") + (public_access ? "true" : "false");
      if (public_access) {
        if (cidrs.empty()) cidrs.push_back("0.0.0.0/0");
        value += ",publicAccessCidrs=";
        for (size_t i = 0; i < cidrs.size(); ++i) value += (i ? "," : "") + cidrs[i];
      }
      return fill(step.undo, {value});
    }
    case UndoFrom::instance_groups: {
      json doc = json::parse(captured.begin(), captured.end(), nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) return {};
      std::vector<std::string> groups;
      for (const auto& r : doc.value("Reservations", json::array()))
        for (const auto& i : r.value("Instances", json::array()))
          for (const auto& g : i.value("SecurityGroups", json::array())) {
            std::string id = g.is_object() ? g.value("GroupId", "") : "";
            if (is_security_group_id(id)) groups.push_back(id);
          }
      return fill(step.undo, groups);
    }
  }
  return {};
}

void build_recover(PlanContext& ctx, const std::vector<store::JournalEntry>& journal) {
  // The latest successful run of each step of containment and eradication, in execution order.
  std::map<std::string, size_t> latest;
  for (size_t i = 0; i < journal.size(); ++i) {
    const auto& e = journal[i];
    if (e.dry_run || e.exit_status != 0) continue;
    if (e.phase != "contain" && e.phase != "eradicate") continue;
    latest[e.step_id] = i;
  }
  std::vector<size_t> order;
  for (const auto& [id, i] : latest) order.push_back(i);
  std::sort(order.begin(), order.end(), std::greater<>());
  if (order.empty()) {
    ctx.plan.notes.push_back(
        "nothing to recover: no containment or eradication step has been executed in this case "
        "(eksir respond CASE --phase contain --execute)");
    return;
  }
  for (size_t i : order) {
    const auto& e = journal[i];
    json undo = json::parse(e.undo_json.begin(), e.undo_json.end(), nullptr, false);
    if (undo.is_discarded() || !undo.is_object()) continue;
    std::vector<std::string> argv = string_list(undo.value("argv", json::array()));
    std::string text = undo.value("text", "");
    if (undo.value("permanent", false)) {
      if (e.step_id.find("/evidence/") == std::string::npos)
        ctx.plan.notes.push_back("kept: " + e.action + " (" + e.target + "): " + text);
      continue;
    }
    if (argv.empty()) {
      if (!text.empty()) ctx.plan.notes.push_back("nothing to undo for " + e.target + ": " + text);
      continue;
    }
    if (argv.front() != "kubectl" && argv.front() != "aws") continue;
    Step s;
    s.id = "recover/undo/" + e.step_id;
    s.kind = "change";
    s.action = "Undo: " + e.action;
    s.target = e.target;
    s.command.argv = argv;
    s.command.stdin_text = undo.value("stdin", "");
    s.reason =
        "step " + e.step_id + " ran at " + format_time(e.finished) + " by " + e.operator_name;
    s.expected = text.empty() ? e.target + " as it was before containment" : text;
    s.impact = "the restriction " + e.step_id + " put in place is lifted";
    s.warning = production_warning(ctx.incident, "");
    s.undo_text = "re-run the containment step (eksir respond --phase contain)";
    s.permanent = true;
    ctx.add(s);
  }
  // Verification: the workloads of the incident's namespaces are back.
  std::set<std::string> namespaces;
  for (const auto* p : ctx.incident.of_kind("pod")) {
    if (!is_dns1123_label(p->ns)) continue;
    namespaces.insert(p->ns);
    std::string kind = p->attr("workload_kind"), name = p->attr("workload_name");
    std::string k = kind;
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
    if ((k != "deployment" && k != "daemonset" && k != "statefulset") ||
        !is_dns1123_subdomain(name) ||
        done(journal, "eradicate/delete-" + k + "/" + p->ns + "/" + name))
      continue;
    Step s;
    s.id = "recover/verify-rollout/" + p->ns + "/" + k + "/" + name;
    s.kind = "verify";
    s.action = "Check the workload's rollout is complete and its pods are ready";
    s.target = kind + " " + p->ns + "/" + name;
    s.command =
        ctx.kubectl({"rollout", "status", k + "/" + name, "--namespace", p->ns, "--timeout=300s"});
    s.reason = "the workload of " + p->ns + "/" + p->name;
    s.expected = "\"successfully rolled out\"";
    s.impact = "none (read-only)";
    s.undo_text = "nothing to undo";
    s.permanent = true;
    ctx.add(s);
  }
  for (const auto& ns : namespaces) {
    Step s;
    s.id = "recover/verify-pods/" + ns;
    s.kind = "verify";
    s.action = "List the namespace's pods: all Running and Ready, none restarting";
    s.target = "namespace " + ns;
    s.command = ctx.kubectl({"get", "pods", "--namespace", ns, "--output", "wide"});
    s.reason = "the incident's pods ran in " + ns;
    s.expected = "every pod Running with all containers ready";
    s.impact = "none (read-only)";
    s.undo_text = "nothing to undo";
    s.permanent = true;
    ctx.add(s);
  }
  if (std::any_of(order.begin(), order.end(),
                  [&](size_t i) { return journal[i].step_id.rfind("contain/cordon/", 0) == 0; })) {
    Step s;
    s.id = "recover/verify-nodes";
    s.kind = "verify";
    s.action = "List the nodes: all Ready, none SchedulingDisabled";
    s.target = "nodes";
    s.command = ctx.kubectl({"get", "nodes", "--output", "wide"});
    s.reason = "nodes were cordoned during containment";
    s.expected = "every node Ready and schedulable";
    s.impact = "none (read-only)";
    s.undo_text = "nothing to undo";
    s.permanent = true;
    ctx.add(s);
  }
}

}  // namespace eksir::respond
