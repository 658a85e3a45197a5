// Logging the attacker turned off, back on: a CloudTrail trail it stopped is started, one whose
// event selectors it narrowed logs every management event again (containment: what happens from
// then on is recorded), and EKS control-plane logging is turned back on (eradication: EKS runs one
// configuration update at a time, and containment's endpoint restriction is one).
#include <algorithm>
#include <cctype>

#include "respond/plan_internal.h"
#include "util/json_writer.h"

namespace eksir::respond {

namespace {

bool contains_ci(std::string_view text, std::string_view word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

// Whether a finding names the trail (by name or ARN) in its subject.
bool names_trail(const detect::Finding& f, const std::string& name, const std::string& arn,
                 std::string_view key = {}) {
  for (const auto& [k, v] : f.subject) {
    if (!key.empty() && k != key) continue;
    std::string_view last = v;
    if (last.rfind('/') != std::string_view::npos) last.remove_prefix(last.rfind('/') + 1);
    if (v == name || (!arn.empty() && v == arn) || (v.rfind("arn:", 0) == 0 && last == name))
      return true;
  }
  return false;
}

// The region a trail lives in (its calls go there): its attribute, its ARN's, else the cluster's.
std::string trail_region(const Affected& t) {
  if (std::string r = t.attr("region"); !r.empty()) return r;
  std::string arn = t.attr("arn");
  size_t a = arn.find(':', arn.find(':', arn.find(':') + 1) + 1);
  size_t b = a == std::string::npos ? a : arn.find(':', a + 1);
  if (b != std::string::npos) return arn.substr(a + 1, b - a - 1);
  return {};
}

}  // namespace

void contain_trails(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  for (const auto* t : inc.of_kind("cloudtrail_trail")) {
    std::string arn = t->attr("arn");
    std::string name = pick(Type::trail_name, {t->name, arn, t->id});
    std::string region = trail_region(*t);
    bool stopped = t->attr("stopped") == "true" || t->attr("logging") == "false";
    bool narrowed = t->attr("event_selectors_changed") == "true";
    for (const auto& f : inc.findings) {
      if (f.rule_id == "eksir-cloudtrail-stopped-or-deleted" && names_trail(f, t->name, arn))
        stopped = true;
      if (f.rule_id == "guardduty" && contains_ci(f.title, "trail " + t->name + " was disabled"))
        stopped = true;
      if ((f.rule_id == "eksir-cloudtrail-management-events-excluded" &&
           names_trail(f, t->name, arn)) ||
          (f.rule_id == "eksir-cloudtrail-trail-modified" &&
           names_trail(f, t->name, arn, "requestParameters.trailName")))
        narrowed = true;
    }
    for (const auto& g : inc.gaps)
      if (contains_ci(g, t->name) && (contains_ci(g, "stopped") || contains_ci(g, "stop")))
        stopped = true;
    if (!stopped && !narrowed && attacker(*t) == "changed")
      ctx.plan.notes.push_back("CloudTrail trail " + t->name +
                               " was changed by the attacker, but the evidence does not say how: "
                               "check aws cloudtrail get-trail-status and get-event-selectors "
                               "--trail-name " +
                               command::shell_quote(t->name));
    if (stopped) {
      Step s;
      s.id = "contain/trail-start-logging/" + t->name;
      s.kind = "change";
      s.action = "Start the CloudTrail trail the attacker stopped";
      s.target = "CloudTrail trail " + t->name + (region.empty() ? "" : " (" + region + ")");
      s.command = ctx.finish(s, ctx.aws("cloudtrail", "start-logging").opt("--name", name), region);
      s.capture =
          ctx.finish(s, ctx.aws("cloudtrail", "get-trail-status").opt("--name", name), region);
      s.reason = t->why;
      s.findings = t->findings;
      s.expected =
          "the trail records and delivers API activity again (get-trail-status: IsLogging true); "
          "what happened while it was stopped is not in it — look for it in CloudTrail event "
          "history (90 days of management events) and other trails";
      s.impact = "none on workloads; event delivery is billed";
      s.warning =
          "if the attacker deleted the trail rather than stopped it, this fails "
          "(TrailNotFoundException): re-create it from the organisation's configuration.";
      s.undo_text = "logging stays on: recovery never stops it";
      s.permanent = true;
      ctx.add(s);
    }
    if (narrowed) {
      util::JsonWriter selectors;
      selectors.open('[');
      selectors.item();
      selectors.open('{');
      selectors.kv_bool("IncludeManagementEvents", true);
      selectors.kv("ReadWriteType", "All");
      selectors.close('}');
      selectors.close(']');
      Step s;
      s.id = "contain/trail-event-selectors/" + t->name;
      s.kind = "change";
      s.action =
          "Log every management event on the trail again (the attacker narrowed its event "
          "selectors)";
      s.target = "CloudTrail trail " + t->name + (region.empty() ? "" : " (" + region + ")");
      s.command = ctx.finish(s,
                             ctx.aws("cloudtrail", "put-event-selectors")
                                 .opt("--trail-name", name)
                                 .opt("--event-selectors", selectors.o),
                             region);
      s.capture = ctx.finish(
          s, ctx.aws("cloudtrail", "get-event-selectors").opt("--trail-name", name), region);
      s.reason = t->why;
      s.findings = t->findings;
      s.expected = "read and write management events are logged by the trail again";
      s.impact = "none on workloads; event delivery is billed";
      s.warning =
          "this replaces the trail's event selectors: data events (S3 objects, Lambda) the "
          "organisation logged before the incident are not restored by it — the captured "
          "selectors show what the attacker left; add the organisation's data events back from "
          "its trail configuration.";
      s.undo_text = "the selectors stay as set: recovery never narrows them";
      s.permanent = true;
      ctx.add(s);
    }
  }
}

void eradicate_control_plane_logging(PlanContext& ctx) {
  const IncidentView& inc = ctx.incident;
  bool logging_off = inc.has_rule("eksir-eks-audit-logging-disabled") ||
                     inc.has_rule("eksir-eks-logging-disabled") ||
                     std::any_of(inc.gaps.begin(), inc.gaps.end(), [](const std::string& g) {
                       return contains_ci(g, "logging") &&
                              (contains_ci(g, "disabled") || contains_ci(g, "turned off"));
                     });
  if (!logging_off || inc.cluster.empty()) return;
  Step s;
  s.id = "eradicate/enable-logging/" + inc.cluster;
  s.kind = "change";
  s.action =
      "Turn control-plane logging back on (api, audit, authenticator, controllerManager, "
      "scheduler)";
  s.target = "EKS cluster " + inc.cluster;
  util::JsonWriter logging;
  logging.open('{');
  logging.key("clusterLogging");
  logging.open('[');
  logging.item();
  logging.open('{');
  logging.kv_bool("enabled", true);
  logging.kv_list("types", {"api", "audit", "authenticator", "controllerManager", "scheduler"});
  logging.close('}');
  logging.close(']');
  logging.close('}');
  s.command = ctx.finish(s, ctx.aws("eks", "update-cluster-config")
                                .opt("--name", inc.cluster)
                                .opt("--logging", logging.o));
  s.capture = ctx.finish(s, ctx.aws("eks", "describe-cluster").opt("--name", inc.cluster));
  s.reason = "the incident shows control-plane logging was disabled";
  s.expected = "audit events reach CloudWatch Logs again (/aws/eks/" + inc.cluster + "/cluster)";
  s.impact =
      "none on workloads; CloudWatch Logs ingestion is billed. EKS runs one "
      "configuration update at a time: wait for the endpoint update to finish";
  s.undo_text = "logging stays on";
  s.permanent = true;
  ctx.add(s);
}

}  // namespace eksir::respond
