// The images the incident's workloads run, and what scanners report about them: the playbook's
// "vulnerable components identified but not actively exploited" (Medium) and "active
// exploitation of critical vulnerabilities" (Critical: a public exploit for the image a workload
// runs, and that workload exploited at runtime).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "event/fields.h"
#include "incident/internal.h"
#include "util/text.h"

namespace eksir::incident {
namespace {

using cluster::ImageIndex;
using cluster::ImageJoin;
using cluster::ImageVulnerability;

struct Running {
  std::string pod_key;  // pod:NS/NAME
  std::string ns, pod, container, image, image_id;
  std::string controller;  // Kind:NS/NAME of the pod's top controller, "" for a bare pod
};

// A detector's alert about code run through the workload: a shell or interpreter its process
// started, a reverse shell, a binary dropped and run, a miner. Not a plain policy alert (a
// privileged pod, a mounted path).
bool exploitation_shaped(const FindingFacts& ff) {
  if (!ff.alert || ff.benign || ff.finding->severity < detect::Severity::Medium) return false;
  std::string t = ff.finding->rule_id + " " + ff.finding->title;
  for (const auto& [k, v] : ff.finding->subject)
    if (k == "type") t += " " + v;
  t = util::ascii_lower(t);
  static constexpr std::string_view kWords[] = {
      "reverse shell", "reverseshell", "netcat",        "remote code",       "shell in container",
      "run shell",     "spawned",      "drop and exec", "newbinary",         "new binary",
      "binary exec",   "miner",        "cryptocurrenc", "bitcoin",           "webshell",
      "backdoor",      "execution:",   "exploit",       "unexpected process"};
  for (auto w : kWords)
    if (t.find(w) != std::string::npos) return true;
  for (const auto& a : ff.finding->attack)
    if (a.rfind("T1190", 0) == 0 || a.rfind("T1203", 0) == 0 || a.rfind("T1059", 0) == 0)
      return true;
  return false;
}

// The snapshot's workloads by kind, namespace and name: every pod is looked up, so once.
class SnapshotWorkloads {
 public:
  explicit SnapshotWorkloads(const cluster::Snapshot* snap) {
    if (snap)
      for (const auto& w : snap->workloads) by_key_.emplace(key(w.kind, w.ns, w.name), &w);
  }
  const cluster::Workload* find(std::string_view kind, std::string_view ns,
                                std::string_view name) const {
    auto it = by_key_.find(key(kind, ns, name));
    return it == by_key_.end() ? nullptr : it->second;
  }

 private:
  static std::string key(std::string_view kind, std::string_view ns, std::string_view name) {
    return fmt::format("{}/{}/{}", kind, ns, name);
  }
  std::map<std::string, const cluster::Workload*> by_key_;
};

// The top controller of a pod: through the graph's ownership links (from the audit log), else
// through the snapshot's owner references (ReplicaSet → Deployment).
std::string controller_of(const std::string& pod_key, const Graph& g, const SnapshotWorkloads& snap,
                          std::string_view ns, std::string_view pod) {
  std::string at = pod_key, found;
  for (int depth = 0; depth < 4; ++depth) {
    std::string next;
    for (const auto& [other, link] : g.neighbours(at))
      if (link->from == at && link->relation == "owned by" && other.rfind("workload:", 0) == 0)
        next = other;
    if (next.empty()) break;
    if (const Entity* w = g.find(next)) {
      auto kind = w->attributes.find("kind");
      found =
          fmt::format("{}:{}/{}", kind == w->attributes.end() ? "" : kind->second, w->ns, w->name);
    }
    at = next;
  }
  if (!found.empty()) return found;
  std::string kind = "Pod", name(pod);
  for (int depth = 0; depth < 4; ++depth) {
    const cluster::Workload* self = snap.find(kind, ns, name);
    if (!self || self->owners.empty()) break;
    kind = self->owners.front().kind;
    name = self->owners.front().name;
    found = fmt::format("{}:{}/{}", kind, ns, name);
  }
  return found;
}

// The containers of a pod: the snapshot's (with what the kubelet said it runs), else the
// images the audit log names for it.
void containers_of(const std::string& pod_key, const Graph& g, const cluster::Snapshot* snap,
                   const SnapshotWorkloads& workloads, std::vector<Running>& out) {
  const Entity* e = g.find(pod_key);
  std::string rest = pod_key.substr(4);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return;
  std::string ns = rest.substr(0, slash), pod = rest.substr(slash + 1);
  std::string controller = controller_of(pod_key, g, workloads, ns, pod);
  // Known only from the kubelet's status writes in the audit log, else.
  auto audit_id = [&](const std::string& container) {
    if (!snap) return std::string();
    auto it = snap->audit_image_ids.find(ns + "/" + pod + "/" + container);
    return it == snap->audit_image_ids.end() ? std::string() : it->second;
  };
  if (const cluster::Workload* w = workloads.find("Pod", ns, pod)) {
    for (const auto* list : {&w->pod.containers, &w->pod.init_containers})
      for (const auto& c : *list)
        out.push_back({pod_key, ns, pod, c.name, c.image,
                       c.image_id.empty() ? audit_id(c.name) : c.image_id, controller});
    return;
  }
  size_t before = out.size();
  if (e)
    if (auto images = e->attributes.find("images"); images != e->attributes.end()) {
      std::string_view list = images->second;
      while (!list.empty()) {
        size_t comma = list.find(',');
        out.push_back({pod_key, ns, pod, "", std::string(list.substr(0, comma)), "", controller});
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
    }
  if (out.size() > before || !snap) return;
  std::string prefix = ns + "/" + pod + "/";
  for (auto it = snap->audit_image_ids.lower_bound(prefix);
       it != snap->audit_image_ids.end() && it->first.rfind(prefix, 0) == 0; ++it)
    out.push_back({pod_key, ns, pod, it->first.substr(prefix.size()), "", it->second, controller});
}

struct ImageFacts {
  std::string image, digest;
  ImageJoin how = ImageJoin::none;
  std::vector<const ImageVulnerability*> findings;  // worst first
  std::set<std::string> workloads, containers, pods;
  std::vector<const FindingFacts*> exploited_by;  // runtime alerts on its workloads
};

// "2 CRITICAL, 1 HIGH"
std::string severity_counts(const std::vector<const ImageVulnerability*>& findings) {
  std::vector<std::pair<std::string, size_t>> counts;
  std::set<std::string> counted;
  for (const auto* v : findings) {
    if (!counted.insert(v->id).second) continue;
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return c.first == v->severity; });
    if (it == counts.end())
      counts.emplace_back(v->severity, 1);
    else
      ++it->second;
  }
  std::vector<std::string> parts;
  for (const auto& [sev, n] : counts) parts.push_back(fmt::format("{} {}", n, sev));
  return fmt::format("{}", fmt::join(parts, ", "));
}

Evidence vulnerability_evidence(const ImageVulnerability& v, const ImageFacts& im) {
  Evidence e;
  e.source = std::string(source_label(Source::Vulnerability));
  e.file = v.file;
  e.line = v.line;
  e.event_id = v.event_id;
  e.time = v.time;
  e.text = fmt::format(
      "{} ({}{}{}) in {} {} of {}, run by {}: {}; {} (joined by {})", v.id, v.severity,
      v.score > 0 ? fmt::format(", CVSS {:.1f}", v.score) : "",
      v.exploit_available ? ", exploit available" : "", v.package, v.version, im.image,
      fmt::join(im.workloads, ", "),
      v.fixed_version.empty() ? "no fixed version known" : "fixed in " + v.fixed_version, v.scanner,
      im.how == ImageJoin::digest ? "digest" : "tag only");
  return e;
}

}  // namespace

Fixes fixes_of(const std::vector<const ImageVulnerability*>& findings) {
  // package installed -> fixed (ids), in the order the worst finding of each package comes.
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>> by;
  for (const auto* v : findings) {
    std::string key = v->package + " " + v->version;
    if (!by.count(key)) order.push_back(key);
    auto& [fixed, ids] = by[key];
    if (!v->fixed_version.empty()) fixed.push_back(v->fixed_version);
    if (std::find(ids.begin(), ids.end(), v->id) == ids.end()) ids.push_back(v->id);
  }
  std::vector<std::string> parts;
  size_t with_fix = 0;
  for (const auto& key : order) {
    const auto& [fixed, ids] = by[key];
    std::string fix = cluster::fix_for_all(fixed);
    with_fix += !fix.empty();
    parts.push_back(
        fmt::format("{} -> {} ({})", key, fix.empty() ? "no fix" : fix, fmt::join(ids, ", ")));
  }
  return {fmt::format("{}", fmt::join(parts, "; ")), with_fix == order.size() ? "all"
                                                     : with_fix == 0          ? "none"
                                                                              : "some"};
}

void assess_images(Incident& inc, const std::vector<const FindingFacts*>& group, const Graph& g,
                   const CorrelationInput& in, bool whole_cluster) {
  const cluster::Snapshot* snap = in.snapshot;
  if (!snap || snap->vulnerabilities.empty()) return;
  ImageIndex index(snap->vulnerabilities);

  // The pods to look at: the incident's, with the pods of its workloads; or every pod known.
  std::vector<std::string> pods;
  std::set<std::string> seen;
  auto add_pod = [&](const std::string& key) {
    if (seen.insert(key).second) pods.push_back(key);
  };
  std::set<std::string> controllers;  // Kind:NS/NAME of the incident's workloads
  for (const auto& a : inc.affected) {
    // What the attacker brought is not the organisation's vulnerable component.
    if (a.attr("attacker") == "created") continue;
    if (a.kind == "pod") add_pod("pod:" + a.ns + "/" + a.name);
    if (a.kind == "workload") {
      auto kind = a.attributes.find("kind");
      controllers.insert(
          fmt::format("{}:{}/{}", kind == a.attributes.end() ? "" : kind->second, a.ns, a.name));
    }
  }
  SnapshotWorkloads workloads(snap);
  for (const auto& w : snap->workloads)
    if (w.kind == "Pod") {
      std::string key = "pod:" + w.ns + "/" + w.name;
      if (whole_cluster || (!controllers.empty() &&
                            controllers.count(controller_of(key, g, workloads, w.ns, w.name))))
        add_pod(key);
    }
  if (whole_cluster)
    for (const auto& [where, id] : snap->audit_image_ids)
      if (size_t last = where.rfind('/'); last != std::string::npos)
        add_pod("pod:" + where.substr(0, last));

  std::vector<Running> running;
  for (const auto& p : pods) containers_of(p, g, snap, workloads, running);

  std::map<std::string, ImageFacts> images;  // image as run (+ digest) → facts
  for (const auto& r : running) {
    auto m = index.match(r.image.empty() ? r.image_id : r.image, r.image_id);
    if (m.findings.empty()) continue;
    std::vector<const ImageVulnerability*> serious;
    for (const auto* v : m.findings)
      if (v->rank() >= 3) serious.push_back(v);
    if (serious.empty()) continue;
    std::string digest = cluster::running_digest(r.image, r.image_id);
    std::string name = r.image.empty() ? r.image_id : r.image;
    ImageFacts& im = images[name + "|" + digest];
    if (im.image.empty()) {
      im.image = name;
      im.digest = digest;
      im.how = m.how;
      im.findings = serious;
    } else if (m.how == ImageJoin::tag) {
      im.how = ImageJoin::tag;  // the weakest join any of its workloads was made by
    }
    std::string workload =
        r.controller.empty() ? fmt::format("Pod:{}/{}", r.ns, r.pod) : r.controller;
    im.workloads.insert(workload);
    im.pods.insert(r.pod_key);
    if (!r.container.empty()) im.containers.insert(workload + "/" + r.container);
  }
  if (images.empty()) return;

  // Runtime evidence of exploitation, per pod.
  std::map<std::string, std::vector<const FindingFacts*>> exploited;
  for (const FindingFacts* ff : group)
    if (exploitation_shaped(*ff))
      for (const auto& k : ff->entities)
        if (k.rfind("pod:", 0) == 0) exploited[k].push_back(ff);

  for (auto& [key, im] : images) {
    for (const auto& p : im.pods)
      if (auto it = exploited.find(p); it != exploited.end())
        for (const auto* ff : it->second)
          if (std::find(im.exploited_by.begin(), im.exploited_by.end(), ff) ==
              im.exploited_by.end())
            im.exploited_by.push_back(ff);
    const ImageVulnerability& top = *im.findings.front();
    std::vector<std::string> ids, exploitable;
    for (const auto* v : im.findings) {
      if (std::find(ids.begin(), ids.end(), v->id) == ids.end()) ids.push_back(v->id);
      if (v->exploit_available &&
          std::find(exploitable.begin(), exploitable.end(), v->id) == exploitable.end())
        exploitable.push_back(v->id);
    }
    bool exploited_now = !im.exploited_by.empty() && !exploitable.empty();

    Affected a;
    a.kind = "image";
    a.name = im.image;
    a.id = im.digest.empty() ? im.image : im.digest;
    std::vector<std::string> shown(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), 3));
    a.why = fmt::format(
        "{} vulnerabilit{} ({}{}{}), run by {}{}", severity_counts(im.findings),
        ids.size() == 1 ? "y" : "ies", fmt::join(shown, ", "),
        ids.size() > shown.size() ? ", …" : "", exploitable.empty() ? "" : "; exploit available",
        fmt::join(im.workloads, ", "), exploited_now ? ", exploited at runtime" : "");
    if (!im.digest.empty()) a.attributes["digest"] = im.digest;
    a.attributes["joined_by"] = im.how == ImageJoin::digest ? "digest" : "tag";
    a.attributes["workloads"] = fmt::format("{}", fmt::join(im.workloads, ","));
    if (!im.containers.empty())
      a.attributes["containers"] = fmt::format("{}", fmt::join(im.containers, ","));
    a.attributes["vulnerabilities"] = fmt::format("{}", fmt::join(ids, ","));
    if (!exploitable.empty())
      a.attributes["exploit_available"] = fmt::format("{}", fmt::join(exploitable, ","));
    a.attributes["max_severity"] = top.severity;
    Fixes fixes = fixes_of(im.findings);
    a.attributes["fixes"] = std::move(fixes.text);
    a.attributes["fixed"] = std::move(fixes.known);
    a.attributes["scanner"] = top.scanner;
    a.attributes["record"] = fmt::format("{}:{}", top.file, top.line);
    if (exploited_now) a.attributes["exploited"] = "true";
    // The image may be in scope already: a finding named it.
    auto same = std::find_if(inc.affected.begin(), inc.affected.end(), [&](const Affected& x) {
      return x.kind == "image" && x.name == a.name;
    });
    if (same == inc.affected.end()) {
      inc.affected.push_back(std::move(a));
    } else {
      for (auto& [k, v] : a.attributes) same->attributes[k] = std::move(v);
      same->id = a.id;
      same->why += "; " + a.why;
    }

    // The workloads an exploited image runs in are part of the incident: they are what is
    // rebuilt. Tied in, not the attacker's: never deleted.
    if (exploited_now)
      for (const auto& w : im.workloads) {
        size_t colon = w.find(':'), slash = w.find('/');
        if (colon == std::string::npos || slash == std::string::npos) continue;
        std::string kind = w.substr(0, colon), ns = w.substr(colon + 1, slash - colon - 1),
                    name = w.substr(slash + 1);
        if (kind == "Pod") continue;
        bool present =
            std::any_of(inc.affected.begin(), inc.affected.end(), [&](const Affected& x) {
              return x.kind == "workload" && x.ns == ns && x.name == name;
            });
        if (present) continue;
        Affected wa;
        wa.kind = "workload";
        wa.name = name;
        wa.ns = ns;
        wa.id = ns + "/" + name;
        wa.attributes["kind"] = kind;
        wa.why = fmt::format("runs {}, exploited at runtime in one of its pods", im.image);
        inc.affected.push_back(std::move(wa));
      }
    // Not "not actively exploited" when it was.
    if (!exploited_now) {
      size_t cited = 0;
      for (const auto* v : im.findings)
        if (cited++ < 5)
          add_criterion(inc.criteria, "medium.vulnerable_component",
                        vulnerability_evidence(*v, im));
      continue;
    }
    for (const auto* v : im.findings)
      if (v->exploit_available) {
        Evidence e = vulnerability_evidence(*v, im);
        e.text = "known exploitable: " + e.text;
        add_criterion(inc.criteria, "critical.active_exploitation", std::move(e));
        break;
      }
    for (const auto* ff : im.exploited_by) {
      Evidence e;
      e.finding = ff->finding->id;
      e.rule = ff->finding->rule_id;
      e.time = ff->finding->first_seen;
      if (!ff->events.empty()) {
        e = event_evidence(*ff->events.front(), "");
        e.finding = ff->finding->id;
        e.rule = ff->finding->rule_id;
      }
      e.text = fmt::format("exploited at runtime: {} in a workload running {} ({})",
                           ff->finding->title, im.image, fmt::join(exploitable, ", "));
      add_criterion(inc.criteria, "critical.active_exploitation", std::move(e));
    }
  }
  std::stable_sort(inc.criteria.begin(), inc.criteria.end(),
                   [](const Criterion& a, const Criterion& b) {
                     if (a.likely_benign != b.likely_benign) return !a.likely_benign;
                     return a.level > b.level;
                   });
  inc.severity = level_of(inc.criteria);
}

}  // namespace eksir::incident

namespace eksir::incident {

ImageEvidence::ImageEvidence(unsigned workers, size_t max_kept)
    : parts_(std::max(1u, workers)), max_per_part_(std::max<size_t>(1, max_kept / parts_.size())) {}

bool ImageEvidence::offer(const EventView& ev, unsigned worker) {
  Part& part = parts_[worker % parts_.size()];
  if (ev.source == Source::Vulnerability) {
    ++part.records;
    if (auto v = cluster::image_vulnerability(ev); v && v->rank() >= 3) {
      if (part.vulnerabilities.size() < max_per_part_)
        part.vulnerabilities.push_back(std::move(*v));
      else
        ++part.dropped;
    }
    return true;
  }
  if (ev.source != Source::K8sAudit || path_text(ev.doc, "objectRef.resource") != "pods" ||
      path_text(ev.doc, "objectRef.subresource") != "status")
    return false;
  std::string ns = path_text(ev.doc, "objectRef.namespace");
  std::string pod = path_text(ev.doc, "objectRef.name");
  for (const char* object : {"requestObject", "responseObject"})
    for (const char* list : {"containerStatuses", "initContainerStatuses"}) {
      simdjson::dom::array statuses;
      if (ev.doc[object]["status"][list].get(statuses) != simdjson::SUCCESS) continue;
      for (auto st : statuses) {
        std::string_view name, id;
        if (st["name"].get(name) != simdjson::SUCCESS ||
            st["imageID"].get(id) != simdjson::SUCCESS || id.empty())
          continue;
        part.image_ids.push_back(
            {fmt::format("{}/{}/{}", ns, pod, name), std::string(id), ev.time});
      }
    }
  return true;
}

void ImageEvidence::move_into(cluster::Snapshot& snap) {
  std::vector<Part::ImageId> ids;
  for (auto& p : parts_) {
    snap.vulnerability_records += p.records;
    snap.vulnerabilities_dropped += p.dropped;
    for (auto& v : p.vulnerabilities) snap.vulnerabilities.push_back(std::move(v));
    for (auto& i : p.image_ids) ids.push_back(std::move(i));
    p = Part();
  }
  // The same evidence in any split among workers gives the same order.
  std::sort(snap.vulnerabilities.begin(), snap.vulnerabilities.end(),
            [](const cluster::ImageVulnerability& a, const cluster::ImageVulnerability& b) {
              return std::tie(a.file, a.line, a.event_id) < std::tie(b.file, b.line, b.event_id);
            });
  // What the kubelet said last; the snapshot's own status, when it has one, is read from it.
  std::sort(ids.begin(), ids.end(), [](const Part::ImageId& a, const Part::ImageId& b) {
    return std::tie(a.where, a.time, a.id) < std::tie(b.where, b.time, b.id);
  });
  for (auto& i : ids) snap.audit_image_ids[i.where] = std::move(i.id);
}

}  // namespace eksir::incident
