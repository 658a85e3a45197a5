// Eradication of vulnerable images: every workload container that runs an image of the incident
// with critical or high findings (affected entries of kind image, docs/incident-json.md) is moved
// to the image rebuilt with the fixes, `kubectl set image`, acting on the top controller so that
// the change is not undone by the controller's own template. The new image is the operator's
// (--rebuilt-image); nothing in the evidence can name it.
#include <algorithm>
#include <cctype>
#include <optional>
#include <tuple>

#include "respond/plan_internal.h"
#include "util/text.h"

namespace eksir::respond {

namespace {

// The kinds kubectl set image changes for good: their pod template makes every new pod.
bool settable_kind(std::string_view k) {
  return k == "deployment" || k == "daemonset" || k == "statefulset" || k == "replicaset" ||
         k == "cronjob";
}

bool rolls_out(std::string_view k) {
  return k == "deployment" || k == "daemonset" || k == "statefulset";
}

// An image reference without its tag and digest: what --rebuilt-image may name it by.
std::string repository(std::string_view ref) {
  ref = ref.substr(0, ref.find('@'));
  size_t slash = ref.rfind('/'), colon = ref.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    ref = ref.substr(0, colon);
  return std::string(ref);
}

// One place an image runs: Kind:namespace/name, and the container when known.
struct Target {
  std::string kind, ns, name, container;
  std::string via;  // how a pod named by the incident led to its controller, "" when direct
};

// "Kind:namespace/name" (with_container: "Kind:namespace/name/container"); the container is the
// rest after the name, so that a '/' in it is seen by its rule rather than cut off.
std::optional<Target> parse_place(std::string_view text, bool with_container) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  Target t;
  t.kind = std::string(text.substr(0, colon));
  std::string_view rest = text.substr(colon + 1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  t.ns = std::string(rest.substr(0, slash));
  rest = rest.substr(slash + 1);
  if (with_container) {
    slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 == rest.size()) return std::nullopt;
    t.container = std::string(rest.substr(slash + 1));
    rest = rest.substr(0, slash);
  }
  if (rest.empty()) return std::nullopt;
  t.name = std::string(rest);
  return t;
}

// NAME-SUFFIX where SUFFIX is letters and digits (a ReplicaSet's template hash) or digits only
// (a CronJob's Job): the owner's name by Kubernetes' naming, "" when it has no such suffix.
std::string named_owner(const std::string& name, bool digits) {
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == name.size()) return {};
  for (size_t i = dash + 1; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (digits ? !std::isdigit(c) : !std::isalnum(c)) return {};
  }
  return name.substr(0, dash);
}

// The controller above a ReplicaSet (its Deployment) or a Job (its CronJob): from the incident's
// workload entities, the snapshot, else Kubernetes' naming. The same target when it has none.
Target climb(const IncidentView& inc, Target t) {
  for (int depth = 0; depth < 3; ++depth) {
    std::string k = util::ascii_lower(t.kind);
    if (k != "replicaset" && k != "job") return t;
    std::string owner_kind, owner_name;
    bool known = false;
    for (const auto* w : inc.of_kind("workload"))
      if (w->ns == t.ns && w->name == t.name && util::ascii_lower(w->attr("kind")) == k &&
          !w->attr("owner_kind").empty())
        owner_kind = w->attr("owner_kind"), owner_name = w->attr("owner_name"), known = true;
    for (const auto& c : inc.snapshot_controllers)
      if (!known && c.ns == t.ns && c.name == t.name && util::ascii_lower(c.kind) == k) {
        owner_kind = c.owner_kind, owner_name = c.owner_name;
        known = true;
      }
    if (!known) {
      owner_name = named_owner(t.name, k == "job");
      if (owner_name.empty()) return t;
      owner_kind = k == "job" ? "CronJob" : "Deployment";
      t.via +=
          (t.via.empty() ? "" : ", ") + std::string("its ") + owner_kind + " by Kubernetes' naming";
    }
    if (owner_kind.empty() || owner_name.empty()) return t;  // it has no owner
    t.kind = owner_kind;
    t.name = owner_name;
  }
  return t;
}

// What a pod of the incident runs under: its top controller, the pod itself (kind Pod) when it
// has none, nullopt when neither the incident nor the snapshot tells.
std::optional<Target> pod_controller(const IncidentView& inc, const std::string& ns,
                                     const std::string& name) {
  Target t{"Pod", ns, name, "", ""};
  bool named = false;  // the incident holds the pod
  for (const auto* p : inc.of_kind("pod")) {
    if (p->ns != ns || p->name != name) continue;
    named = true;
    if (!p->attr("workload_kind").empty() && !p->attr("workload_name").empty()) {
      t.kind = p->attr("workload_kind"), t.name = p->attr("workload_name");
      return climb(inc, t);
    }
    if (!p->attr("owner_kind").empty() && !p->attr("owner_name").empty()) {
      t.kind = p->attr("owner_kind"), t.name = p->attr("owner_name");
      return climb(inc, t);
    }
  }
  if (const SnapshotPod* sp = inc.have_snapshot_pods ? inc.snapshot_pod(ns, name) : nullptr) {
    if (sp->owner_kind.empty()) return t;
    t.kind = sp->owner_kind, t.name = sp->owner_name;
    return climb(inc, t);
  }
  // A pod of the incident with no owner named has none (as eradicate_workloads reads it).
  if (named) return t;
  return std::nullopt;
}

bool same_place(const Target& a, const Target& b) {
  return util::ascii_lower(a.kind) == util::ascii_lower(b.kind) && a.ns == b.ns && a.name == b.name;
}

// The incident's compromised pods that run under the target: their evidence goes first.
std::vector<const Affected*> compromised_pods(const IncidentView& inc, const Target& t) {
  std::vector<const Affected*> out;
  for (const auto* p : inc.of_kind("pod")) {
    if (p->ns != t.ns) continue;
    auto c = pod_controller(inc, p->ns, p->name);
    if ((c && same_place(*c, t)) || (util::ascii_lower(t.kind) == "pod" && p->name == t.name))
      out.push_back(p);
  }
  return out;
}

// The evidence steps of those pods that the journal does not show done.
std::vector<std::string> evidence_missing(const std::vector<const Affected*>& pods,
                                          const std::vector<store::JournalEntry>& journal) {
  std::vector<std::string> missing;
  for (const auto* p : pods)
    for (const char* what : {"pod-logs", "pod-spec"}) {
      std::string id = std::string("contain/evidence/") + what + "/" + p->ns + "/" + p->name;
      if (!journal_done(journal, id)) missing.push_back(id);
    }
  return missing;
}

const RebuiltImage* rebuilt_for(const PlanOptions& o, const Affected& image) {
  for (const auto& r : o.rebuilt_images)
    if (r.image == image.name) return &r;
  std::string repo = repository(image.name);
  for (const auto& r : o.rebuilt_images)
    if (r.image == repo) return &r;
  return nullptr;
}

// What the scanner says and what to do without a rebuilt image.
std::string rebuild_needed(const Affected& image) {
  std::string vulns = join(split_list(image.attr("vulnerabilities")));
  std::string exploit = join(split_list(image.attr("exploit_available")));
  std::string fixes = image.attr("fixes");
  std::string severity = image.attr("max_severity");
  std::string out = "no rebuilt image is given for " + image.name + ": it has " +
                    (severity.empty() ? "" : severity + " ") + "vulnerabilities " + vulns +
                    (exploit.empty() ? "" : " (exploit available: " + exploit + ")");
  // How many packages have a fixed version ("all", "some", "none"); a case written before the
  // attribute existed says it only in the text.
  std::string fixed = image.attr("fixed");
  if (fixed.empty())
    fixed = fixes.empty() || fixes == "no fix"               ? "none"
            : fixes.find("-> no fix (") == std::string::npos ? "all"
                                                             : "some";
  if (fixed == "none")
    out +=
        "; no fixed version is known: rebuild it without the vulnerable package (or on a base "
        "image that does not carry it)";
  else if (fixed == "some")
    out += "; fixes: " + fixes +
           ": rebuild the image with the fixed versions, and without the packages no fixed "
           "version is known for (or on a base image that does not carry them)";
  else
    out += "; fixes: " + fixes + ": rebuild the image with the fixed versions";
  out += ", push it, then plan again with --rebuilt-image " + repository(image.name) +
         "=<the rebuilt image>";
  return out;
}

std::string evidence_text(const std::vector<std::string>& missing,
                          const std::vector<const Affected*>& pods) {
  std::vector<std::string> names;
  for (const auto* p : pods) names.push_back(p->ns + "/" + p->name);
  return "preserve the evidence first: " + join(missing) +
         " not journaled as done (eksir respond CASE --phase contain --execute); the new image "
         "replaces the compromised pod(s) " +
         join(names);
}

void rebuild_step(PlanContext& ctx, const Affected& image, const Target& t,
                  const std::vector<store::JournalEntry>& journal) {
  const IncidentView& inc = ctx.incident;
  std::string k = util::ascii_lower(t.kind);
  const RebuiltImage* rebuilt = rebuilt_for(ctx.options, image);
  std::string cves = join(split_list(image.attr("vulnerabilities")));
  Step s;
  s.id = "eradicate/rebuild-image/" + t.ns + "/" + k + "/" + t.name + "/" + t.container;
  s.kind = "change";
  s.target = t.kind + " " + t.ns + "/" + t.name + " container " + t.container;
  s.reason = image.why.empty() ? "image " + image.name + " has vulnerabilities " + cves : image.why;
  if (!t.via.empty()) s.reason += " (" + t.via + ")";
  s.findings = image.findings;
  s.warning = production_warning(inc, t.ns);
  // Every value from the evidence is checked by its rule first, so that a blocked step names the
  // value that failed rather than the whole change.
  ctx.require(s, Type::k8s_label_name, t.ns, "namespace");
  ctx.require(s, Type::k8s_name, t.name, t.kind + " name");
  ctx.require(s, Type::k8s_label_name, t.container, "container name");

  std::vector<std::string> reasons;
  if (!rebuilt) {
    reasons.push_back(rebuild_needed(image));
  } else if (rebuilt->rebuilt == image.name) {
    reasons.push_back("the rebuilt image given, " + rebuilt->rebuilt +
                      ", is the image the workload runs: push the fix under a new tag or give it "
                      "by digest (REPOSITORY@sha256:…), or kubectl changes nothing");
  }
  auto pods = compromised_pods(inc, t);
  auto missing = evidence_missing(pods, journal);
  if (!missing.empty()) reasons.push_back(evidence_text(missing, pods));
  std::string new_image = rebuilt ? rebuilt->rebuilt : "<the rebuilt image>";

  if (!settable_kind(k)) {
    // A pod without a controller (or a Job) takes no new template: it is made again.
    bool bare = k == "pod";
    s.action = bare
                   ? "Re-create the pod (it has no controller) from its manifest with container " +
                         t.container + " on the rebuilt image"
                   : "Re-create the " + t.kind + " from its manifest with container " +
                         t.container + " on the rebuilt image (kubectl set image cannot change it)";
    s.capture = ctx.finish(s, ctx.kubectl()
                                  .word("get")
                                  .word(k)
                                  .opt("--namespace", t.ns)
                                  .opt("--output", "yaml")
                                  .name(t.name));
    std::string manual =
        "manual: nothing rolls " + t.kind + " " + t.ns + "/" + t.name +
        " onto a new image: take its manifest (this step's capture" +
        (bare ? ", or contain/evidence/pod-spec/" + t.ns + "/" + t.name : std::string()) +
        "), set container " + t.container + "'s image to " + new_image +
        ", drop its status and server-set fields, delete it and apply the edited manifest";
    reasons.insert(reasons.begin(), manual);
    s.expected = t.kind + " " + t.ns + "/" + t.name + " runs again with " + new_image;
    s.impact = bare ? "the pod is down between its deletion and its re-creation"
                    : "the " + t.kind + " is stopped and started again";
    s.undo_text = "re-create it from the manifest captured in the journal (the vulnerable image)";
    s.permanent = true;
    if (s.blocked.empty()) s.blocked = join(reasons, "; ");
    ctx.add(std::move(s));
    return;
  }

  s.action = "Move container " + t.container + " of the " + t.kind +
             " to the image rebuilt with the fixes" + (cves.empty() ? "" : " for " + cves);
  if (rebuilt)
    s.command = ctx.finish(s, ctx.kubectl()
                                  .word("set")
                                  .word("image")
                                  .word(k)
                                  .opt("--namespace", t.ns)
                                  .name(t.name)
                                  .name(t.container + "=" + rebuilt->rebuilt));
  s.capture = ctx.finish(s, ctx.kubectl()
                                .word("get")
                                .word(k)
                                .opt("--namespace", t.ns)
                                .opt("--output", "yaml")
                                .name(t.name));
  if (k == "cronjob") {
    s.expected = "the CronJob's next Jobs run " + new_image +
                 "; a Job running now keeps the old "
                 "image until it ends";
    s.impact = "none until the next scheduled run";
  } else if (k == "replicaset") {
    s.expected = "new pods of the ReplicaSet run " + new_image +
                 "; the pods running now keep the old image until they are deleted";
    s.impact = "none until its pods are replaced (delete them one at a time)";
  } else {
    s.expected = "the rollout finishes with every pod of " + t.kind + " " + t.ns + "/" + t.name +
                 " running " + new_image + " (kubectl rollout status " + k + "/" + t.name +
                 " --namespace " + t.ns + ")";
    s.impact = "a rolling restart of the " + t.kind +
               ": its pods are replaced by new ones on the rebuilt image, a few at a time "
               "(its update strategy and any PodDisruptionBudget apply)";
  }
  // Recovery keeps the rebuilt image: rolling back would bring the vulnerable one back. The undo
  // is written out for a rebuilt image that breaks the workload.
  if (rolls_out(k)) {
    s.undo = ctx.finish(
        s,
        ctx.kubectl().word("rollout").word("undo").word(k).opt("--namespace", t.ns).name(t.name));
    s.undo_text =
        "kubectl rollout undo goes back to the previous revision — the vulnerable image — so only "
        "if the rebuilt image breaks the workload (recovery keeps the rebuilt image)";
  } else {
    s.undo_text =
        "set the image back from the manifest captured in the journal — the vulnerable image — "
        "only if the rebuilt image breaks the workload (recovery keeps the rebuilt image)";
  }
  s.permanent = true;
  if (s.blocked.empty() && !reasons.empty()) s.blocked = join(reasons, "; ");
  ctx.add(std::move(s));
}

// Whether eradication already deletes the target (the attacker's workload): nothing to rebuild.
bool deleted(const Plan& plan, const Target& t) {
  std::string id = "eradicate/delete-" + util::ascii_lower(t.kind) + "/" + t.ns + "/" + t.name;
  return std::any_of(plan.steps.begin(), plan.steps.end(),
                     [&](const Step& s) { return s.id == id; });
}

bool attacker_pod(const IncidentView& inc, const Target& t) {
  for (const auto* p : inc.of_kind("pod"))
    if (p->ns == t.ns && p->name == t.name && attacker_created(*p)) return true;
  return false;
}

}  // namespace

std::optional<RebuiltImage> parse_rebuilt_image(std::string_view text, std::string& error) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    error =
        "expected IMAGE=NEW (the vulnerable image or its repository, '=', the rebuilt image), "
        "e.g. 111122223333.dkr.ecr.us-west-2.amazonaws.com/shop/web="
        "111122223333.dkr.ecr.us-west-2.amazonaws.com/shop/web:2026.03.19-1";
    return std::nullopt;
  }
  RebuiltImage r{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
  if (auto e = command::explain(Type::image_ref, r.image, "image"); !e.empty()) {
    error = e;
    return std::nullopt;
  }
  if (auto e = command::explain(Type::image_ref, r.rebuilt, "rebuilt image"); !e.empty()) {
    error = e;
    return std::nullopt;
  }
  return r;
}

void eradicate_images(PlanContext& ctx, const std::vector<store::JournalEntry>& journal) {
  const IncidentView& inc = ctx.incident;
  std::vector<const Affected*> images;
  for (const auto* a : inc.of_kind("image"))
    if (!split_list(a->attr("vulnerabilities")).empty()) images.push_back(a);
  for (const auto& r : ctx.options.rebuilt_images) {
    bool used = std::any_of(images.begin(), images.end(), [&](const Affected* a) {
      return r.image == a->name || r.image == repository(a->name);
    });
    if (!used)
      ctx.plan.notes.push_back("--rebuilt-image " + r.image + "=" + r.rebuilt +
                               " names no vulnerable image of the incident: not used");
  }
  for (const auto* image : images) {
    std::vector<Target> targets;
    auto add = [&](Target t) {
      for (const auto& have : targets)
        if (same_place(have, t) && have.container == t.container) return;
      targets.push_back(std::move(t));
    };
    auto resolve = [&](Target t) -> std::optional<Target> {
      std::string k = util::ascii_lower(t.kind);
      if (k == "pod") {
        auto c = pod_controller(inc, t.ns, t.name);
        if (!c) return std::nullopt;
        if (util::ascii_lower(c->kind) != "pod")
          c->via = "pod " + t.ns + "/" + t.name + " runs under it" +
                   (c->via.empty() ? "" : ", " + c->via);
        c->container = t.container;
        return c;
      }
      Target up = climb(inc, t);
      up.container = t.container;
      return up;
    };
    std::vector<std::string> unknown;
    for (const auto& text : split_list(image->attr("containers"))) {
      auto t = parse_place(text, true);
      if (!t) {
        ctx.plan.notes.push_back("image " + image->name + ": the container \"" + text +
                                 "\" is not Kind:namespace/name/container: not acted on");
        continue;
      }
      if (auto r = resolve(*t))
        add(*r);
      else
        unknown.push_back(text);
    }
    // Workloads the containers do not cover: the container comes from the snapshot, when it
    // shows the workload's pods running the image.
    for (const auto& text : split_list(image->attr("workloads"))) {
      auto t = parse_place(text, false);
      if (!t) continue;
      auto r = resolve(*t);
      if (!r) {
        unknown.push_back(text);
        continue;
      }
      if (std::any_of(targets.begin(), targets.end(),
                      [&](const Target& have) { return same_place(have, *r); }))
        continue;
      bool found = false;
      for (const auto& sp : inc.snapshot_pods) {
        if (sp.ns != r->ns) continue;
        auto c = pod_controller(inc, sp.ns, sp.name);
        if (!c || !same_place(*c, *r)) continue;
        for (const auto& [name, ref] : sp.containers)
          if (ref == image->name || repository(ref) == repository(image->name)) {
            Target with = *r;
            with.container = name;
            add(with);
            found = true;
          }
      }
      if (!found)
        ctx.plan.notes.push_back(
            "image " + image->name + " runs in " + r->kind + " " + r->ns + "/" + r->name +
            ", but neither the incident nor the snapshot says which container: find it (kubectl "
            "get " +
            util::ascii_lower(r->kind) + " " + command::shell_quote(r->name) + " --namespace " +
            command::shell_quote(r->ns) + " --output yaml) and set its image to the rebuilt one");
    }
    for (const auto& u : unknown)
      ctx.plan.notes.push_back("image " + image->name + " runs in " + u +
                               ", whose controller is not known (no snapshot of it): find it "
                               "(kubectl get pod --output yaml, metadata.ownerReferences) and "
                               "move it to the rebuilt image");
    std::sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) {
      return std::tie(a.ns, a.kind, a.name, a.container) <
             std::tie(b.ns, b.kind, b.name, b.container);
    });
    for (const auto& t : targets) {
      if (deleted(ctx.plan, t) && (util::ascii_lower(t.kind) != "pod" || attacker_pod(inc, t)))
        continue;
      rebuild_step(ctx, *image, t, journal);
    }
  }
}

}  // namespace eksir::respond
