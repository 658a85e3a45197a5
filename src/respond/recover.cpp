// Recovery, derived from the journal: the undo of every containment step that ran, newest
// first, with the settings captured before each one, then checks that the workloads are back.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "respond/plan_internal.h"
#include "util/text.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

Command argv_command(command::Argv a) {
  Command c;
  if (a.ok()) c.argv = std::move(a.words);
  return c;
}

bool done(const std::vector<store::JournalEntry>& journal, const std::string& step_id) {
  return std::any_of(journal.begin(), journal.end(), [&](const store::JournalEntry& e) {
    return e.step_id == step_id && e.succeeded();
  });
}

// Recovery runs only the undo containment writes for the step the journal names, on the same
// target: whatever else a journal says is not run.
std::string undo_shape(const std::string& step_id, const std::vector<std::string>& argv) {
  auto has = [&](const std::string& w) {
    return std::find(argv.begin(), argv.end(), w) != argv.end();
  };
  auto verb = [&](std::string_view a, std::string_view b) {
    std::vector<std::string_view> words;
    for (size_t i = 1; i < argv.size() && argv[i] != "--"; ++i)
      if (argv[i].rfind("--", 0) != 0) words.push_back(argv[i]);
    return words.size() >= (b.empty() ? 1u : 2u) && words[0] == a && (b.empty() || words[1] == b);
  };
  auto rest = [&](std::string_view prefix) -> std::optional<std::string> {
    if (step_id.rfind(prefix, 0) != 0) return std::nullopt;
    return step_id.substr(prefix.size());
  };
  auto split = [](const std::string& s) {
    size_t slash = s.find('/');
    return std::pair(s.substr(0, slash), slash == s.npos ? std::string() : s.substr(slash + 1));
  };
  bool ok = false;
  if (auto node = rest("contain/cordon/")) {
    ok = verb("uncordon", "") && argv.back() == *node;
  } else if (auto r = rest("contain/netpol/")) {
    auto [ns, name] = split(*r);
    ok = verb("delete", "networkpolicy") && has("--namespace=" + ns) && argv.back() == name;
  } else if (auto r = rest("contain/quarantine-label/")) {
    ok = verb("label", "pod") && has("--namespace=" + split(*r).first) &&
         argv.back() == std::string(kQuarantineLabel) + "-";
  } else if (auto id = rest("contain/isolation-sg/")) {
    ok = verb("ec2", "modify-instance-attribute") && has("--instance-id=" + *id);
  } else if (auto cluster = rest("contain/restrict-endpoint/")) {
    ok = verb("eks", "update-cluster-config") && has("--name=" + *cluster) &&
         std::any_of(
             argv.begin(), argv.end(),
             [](const std::string& a) { return a.rfind("--resources-vpc-config=", 0) == 0; }) &&
         std::none_of(argv.begin(), argv.end(),
                      [](const std::string& a) { return a.rfind("--logging", 0) == 0; });
  }
  return ok ? std::string() : "it is not the undo containment writes for step " + step_id;
}

// The public access ranges a recovery restores, without those open to everyone: an exposure the
// incident used (the attacker reached the API through it, or opened it) is never put back.
struct Narrowed {
  std::vector<std::string> argv;     // the undo without the open ranges; empty when none is left
  std::vector<std::string> dropped;  // the open ranges taken out
  std::string why;
};

Narrowed without_open_ranges(const IncidentView& incident, const std::vector<std::string>& argv) {
  Narrowed out;
  constexpr std::string_view option = "--resources-vpc-config=";
  constexpr std::string_view cidrs_key = ",publicAccessCidrs=";
  std::string value;
  for (const auto& a : argv)
    if (a.rfind(option, 0) == 0) value = a.substr(option.size());
  size_t at = value.find(cidrs_key);
  if (at == std::string::npos) return out;
  std::vector<std::string> kept;
  for (const auto& c : split_list(value.substr(at + cidrs_key.size())))
    (c == "0.0.0.0/0" ? out.dropped : kept).push_back(c);
  if (out.dropped.empty()) return out;
  out.why = incident.has_rule("eksir-eks-endpoint-public")
                ? "the attacker opened the endpoint to everyone during the incident"
                : "the endpoint was open to everyone during the incident, and the attacker "
                  "reached the API from outside through it";
  if (kept.empty()) return out;
  std::string narrowed = value.substr(0, at) + std::string(cidrs_key) + join(kept, ",");
  out.argv = argv_command(command::with_option(argv, "--resources-vpc-config", {narrowed})).argv;
  return out;
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
      std::vector<std::string> cidrs = string_list(vpc.value("publicAccessCidrs", json::array()));
      bool public_access = vpc.value("endpointPublicAccess", true);
      std::string value = std::string("endpointPublicAccess=") + (public_access ? "true" : "false");
      if (public_access) {
        if (cidrs.empty()) cidrs.push_back("0.0.0.0/0");
        value += ",publicAccessCidrs=";
        for (size_t i = 0; i < cidrs.size(); ++i) value += (i ? "," : "") + cidrs[i];
      }
      // Made from the step's own command, and checked again: a captured range that is not a
      // CIDR leaves no undo rather than a changed one.
      return argv_command(
          command::with_option(step.command.argv, "--resources-vpc-config", {value}));
    }
    case UndoFrom::instance_groups: {
      json doc = json::parse(captured.begin(), captured.end(), nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) return {};
      std::vector<std::string> groups;
      for (const auto& r : doc.value("Reservations", json::array()))
        for (const auto& i : r.value("Instances", json::array()))
          for (const auto& g : i.value("SecurityGroups", json::array()))
            if (g.is_object() && g.contains("GroupId") && g["GroupId"].is_string())
              groups.push_back(g["GroupId"].get<std::string>());
      if (groups.empty()) return {};
      return argv_command(command::with_option(step.command.argv, "--groups", groups));
    }
  }
  return {};
}

void build_recover(PlanContext& ctx, const std::vector<store::JournalEntry>& journal) {
  // The latest successful run of each step of containment and eradication, in execution order.
  std::map<std::string, size_t> latest;
  for (size_t i = 0; i < journal.size(); ++i) {
    const auto& e = journal[i];
    if (!e.succeeded()) continue;
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
  // Instances eradication terminated, with their nodes: their containment has nothing left to
  // undo (the node group replaced them), and an uncordon or a security-group restore would fail
  // or, for a node name reused, act on the replacement.
  std::map<std::string, std::string> terminated;  // step id it would undo → the instance
  for (const auto& [id, i] : latest) {
    constexpr std::string_view kTerminate = "eradicate/terminate-instance/";
    if (id.rfind(kTerminate, 0) != 0) continue;
    std::string instance = id.substr(kTerminate.size());
    terminated["contain/isolation-sg/" + instance] = instance;
    terminated["contain/evidence/ebs-snapshot/" + instance] = instance;
    for (const auto* n : ctx.incident.of_kind("node"))
      if (n->attr("instance_id") == instance) {
        terminated["contain/cordon/" + n->name] = instance;
        terminated["contain/drain/" + n->name] = instance;
      }
    for (const auto* in : ctx.incident.of_kind("instance"))
      if ((in->name == instance || in->id == instance) && !in->attr("node").empty()) {
        terminated["contain/cordon/" + in->attr("node")] = instance;
        terminated["contain/drain/" + in->attr("node")] = instance;
      }
  }
  for (size_t i : order) {
    const auto& e = journal[i];
    if (auto t = terminated.find(e.step_id); t != terminated.end()) {
      if (e.step_id.find("/evidence/") == std::string::npos)
        ctx.plan.notes.push_back("nothing to undo for " + e.target + ": its instance " + t->second +
                                 " was terminated in eradication (" + e.action + ")");
      continue;
    }
    json undo = json::parse(e.undo_json.begin(), e.undo_json.end(), nullptr, false);
    if (undo.is_discarded() || !undo.is_object()) {
      ctx.plan.notes.push_back("the journal's undo of " + e.step_id +
                               " cannot be read: it is not recovered");
      continue;
    }
    auto text_of = [&](const char* key) {
      auto it = undo.find(key);
      return it != undo.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::vector<std::string> argv = string_list(undo.value("argv", json::array()));
    std::string text = text_of("text");
    auto permanent = undo.find("permanent");
    if (permanent != undo.end() && permanent->is_boolean() && permanent->get<bool>()) {
      if (e.step_id.find("/evidence/") == std::string::npos)
        ctx.plan.notes.push_back("kept: " + e.action + " (" + e.target + "): " + text);
      continue;
    }
    if (argv.empty()) {
      if (!text.empty()) ctx.plan.notes.push_back("nothing to undo for " + e.target + ": " + text);
      continue;
    }
    Step s;
    s.id = "recover/undo/" + e.step_id;
    s.kind = "change";
    s.action = "Undo: " + e.action;
    s.target = e.target;
    // The journal is a file in the case directory: what it says to run is checked again, by the
    // same grammar and rules the plan was built with, before it becomes a step.
    std::string problem = command::validate(argv);
    if (problem.empty()) problem = undo_shape(e.step_id, argv);
    if (problem.empty() && !text_of("stdin").empty())
      problem = "it carries input on stdin, which no undo command takes";
    std::string kept_closed;  // what of the captured setting recovery does not put back
    if (problem.empty() && e.step_id.rfind("contain/restrict-endpoint/", 0) == 0) {
      auto narrowed = without_open_ranges(ctx.incident, argv);
      if (!narrowed.dropped.empty()) {
        if (narrowed.argv.empty()) {
          ctx.plan.notes.push_back(
              "kept: " + e.action + " (" + e.target +
              "): the endpoint stays restricted to the "
              "ranges containment set — " +
              narrowed.why +
              "; widen it to the ranges its clients need (aws eks update-cluster-config "
              "--resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=…), never to " +
              join(narrowed.dropped));
          continue;
        }
        argv = std::move(narrowed.argv);
        kept_closed = "; " + join(narrowed.dropped) + " is not put back: " + narrowed.why;
      }
    }
    if (problem.empty())
      s.command.argv = argv;
    else
      s.blocked = "the journal's undo command is not run: " + problem;
    s.reason =
        "step " + e.step_id + " ran at " + format_time(e.finished) + " by " + e.operator_name;
    s.expected = (text.empty() ? e.target + " as it was before containment" : text) + kept_closed;
    s.impact = "the restriction " + e.step_id + " put in place is lifted";
    s.warning = production_warning(ctx.incident, "");
    s.undo_text = "re-run the containment step (eksir respond --phase contain)";
    s.permanent = true;
    ctx.add(s);
  }
  // Verification: the workloads of the incident's namespaces are back.
  auto verify_rollout = [&](const std::string& kind, const std::string& ns, const std::string& name,
                            std::string reason) {
    std::string k = util::ascii_lower(kind);
    if ((k != "deployment" && k != "daemonset" && k != "statefulset") || name.empty() ||
        done(journal, "eradicate/delete-" + k + "/" + ns + "/" + name))
      return;
    Step s;
    s.id = "recover/verify-rollout/" + ns + "/" + k + "/" + name;
    s.kind = "verify";
    s.action = "Check the workload's rollout is complete and its pods are ready";
    s.target = kind + " " + ns + "/" + name;
    s.command = ctx.finish(s, ctx.kubectl()
                                  .word("rollout")
                                  .word("status")
                                  .word(k)
                                  .opt("--namespace", ns)
                                  .opt("--timeout", "300s")
                                  .name(name));
    s.reason = std::move(reason);
    s.expected = "\"successfully rolled out\"";
    s.impact = "none (read-only)";
    s.undo_text = "nothing to undo";
    s.permanent = true;
    ctx.add(s);
  };
  std::set<std::string> namespaces;
  for (const auto* p : ctx.incident.of_kind("pod")) {
    namespaces.insert(p->ns);
    verify_rollout(p->attr("workload_kind"), p->ns, p->attr("workload_name"),
                   "the workload of " + p->ns + "/" + p->name);
  }
  // Workloads eradication moved to a rebuilt image: eradicate/rebuild-image/NS/KIND/NAME/C.
  for (const auto& [id, i] : latest) {
    constexpr std::string_view kRebuild = "eradicate/rebuild-image/";
    if (id.rfind(kRebuild, 0) != 0) continue;
    std::vector<std::string> parts;
    for (size_t start = kRebuild.size();;) {
      size_t slash = id.find('/', start);
      parts.push_back(id.substr(start, slash == std::string::npos ? slash : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (parts.size() != 4) continue;
    namespaces.insert(parts[0]);
    verify_rollout(
        parts[1], parts[0], parts[2],
        "its container " + parts[3] + " was moved to the rebuilt image (step " + id + ")");
  }
  for (const auto& ns : namespaces) {
    Step s;
    s.id = "recover/verify-pods/" + ns;
    s.kind = "verify";
    s.action = "List the namespace's pods: all Running and Ready, none restarting";
    s.target = "namespace " + ns;
    s.command = ctx.finish(
        s, ctx.kubectl().word("get").word("pods").opt("--namespace", ns).opt("--output", "wide"));
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
    s.command = ctx.finish(s, ctx.kubectl().word("get").word("nodes").opt("--output", "wide"));
    s.reason = "nodes were cordoned during containment";
    s.expected = "every node Ready and schedulable";
    s.impact = "none (read-only)";
    s.undo_text = "nothing to undo";
    s.permanent = true;
    ctx.add(s);
  }
}

}  // namespace eksir::respond
