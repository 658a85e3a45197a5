// Investigate's scan and correlation: one scan for every rule, the snapshot and its checks, the
// correlation, and what the run says of them.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

#include "incident/context.h"
#include "incident/incident.h"
#include "incident/internal.h"
#include "sources/sources.h"
#include "util/sha256.h"
#include "util/text.h"

namespace eksir::incident {
namespace {

// What of the input is hashed after the scan, on the core the correlation leaves idle: the
// correlation's time grows with the input (the scope's candidates, the kept events), and one core
// hashes about 1.6 GB/s with SHA extensions, so a share of the input, up to what it hashes in the
// correlation of a large case. Also the most read twice (from the page cache: the scan has just
// read it).
constexpr double kDeferredDigestShare = 0.3;
constexpr uint64_t kDeferredDigestBytes = 512ull << 20;

// The scheduler placing a pod on a node: the pod → node link the correlation needs, read from
// the audit events that record it (the snapshot may no longer hold the pod).
query::Node pod_binding_query() {
  auto parsed = query::parse("objectRef.resource:pods and objectRef.subresource:binding");
  return std::move(parsed.value().root);
}

// A kubelet reporting a pod's status: which image (by digest) each container runs.
query::Node pod_status_query() {
  auto parsed = query::parse("objectRef.resource:pods and objectRef.subresource:status");
  return std::move(parsed.value().root);
}

// Adds the counts of a second scan (local files beside a --on store) to the first.
void merge_stats(sources::ScanStats& a, sources::ScanStats b) {
  a.files += b.files;
  a.events += b.events;
  a.bytes += b.bytes;
  a.bytes_on_disk += b.bytes_on_disk;
  a.skipped += b.skipped;
  a.ignored += b.ignored;
  for (auto& [k, v] : b.ignored_by_reason) a.ignored_by_reason[k] += v;
  for (auto& f : b.ignored_files) a.ignored_files.push_back(std::move(f));
  a.filtered += b.filtered;
  a.samples += b.samples;
  for (auto& [k, v] : b.skipped_by_reason) a.skipped_by_reason[k] += v;
  for (auto& f : b.skips) a.skips.push_back(std::move(f));
  for (auto& [k, v] : b.events_by_source) a.events_by_source[k] += v;
  a.digests.merge(b.digests);
  if (b.deferred) {
    if (a.deferred)
      a.deferred->absorb(*b.deferred);
    else
      a.deferred = std::move(b.deferred);
  }
  a.seconds += b.seconds;
}

}  // namespace

Investigated investigate(const InvestigateOptions& o, RunInfo run, std::vector<rules::Rule> rules,
                         const cluster::Policy& policy, sources::DigestAhead* ahead) {
  Investigated result;
  Investigation& inv = result.investigation;
  RunInfo& info = inv.run;
  info = std::move(run);
  const bool policy_given = !o.config.empty();
  info.rules_loaded = rules.size();
  info.builtin_rules =
      static_cast<size_t>(std::count_if(rules.begin(), rules.end(), [](const rules::Rule& r) {
        return r.id.rfind("eksir-", 0) == 0;
      }));

  sources::ScanOptions so;
  so.threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  so.since = o.since;
  so.until = o.until;
  so.progress = o.progress;
  so.max_recorded_skips = 1000000;  // every passed-over file: the snapshot is read from them
  // Each input's SHA-256 from the bytes the scan reads (read once, not twice), except the last
  // part: that is hashed after the scan beside the correlation, which leaves a core free.
  so.digests = true;
  so.digest_defer = kDeferredDigestBytes;
  so.digest_defer_share = kDeferredDigestShare;
  detect::EngineOptions eo;
  eo.workers = so.threads;
  eo.memory = o.memory;
  eo.watch.push_back(pod_binding_query());
  eo.watch.push_back(pod_status_query());
  detect::Engine engine(std::move(rules), eo);
  std::vector<std::vector<Event>> kept(so.threads);
  std::vector<std::vector<EventPrework>> kept_work(so.threads);
  std::atomic<size_t> kept_total{0};
  std::atomic<uint64_t> kept_compact{0};
  // Every other record that could be the attacker's, for the scope to pull from.
  ContextStore context(so.threads);
  ImageEvidence images(so.threads);
  auto on_event = [&](const EventView& ev, sources::ChunkOutput& chunk) {
    // Events behind single-event findings and alerts; a correlation's own events (often
    // thousands of ordinary calls it counts) are named by its subject instead.
    uint32_t rule = detect::Engine::kNoRule;
    unsigned fed = engine.on_event(ev, chunk.worker, rule);
    bool binding = false;
    if (ev.source == Source::Vulnerability) {
      images.offer(ev, chunk.worker);
      if (!(fed & detect::kFedHit)) return;
    } else if ((fed & detect::kFedWatch) && ev.source == Source::K8sAudit) {
      binding = !images.offer(ev, chunk.worker);
    }
    if (!(fed & detect::kFedHit) && !binding) {
      context.offer(ev, chunk.worker);
      return;
    }
    // Past the bound, API calls a rule matched are kept as the scope's other records are: their
    // facets and place, the same request again counted on its first copies.
    if ((ev.source == Source::CloudTrail || ev.source == Source::K8sAudit) && !binding &&
        kept_total.fetch_add(1, std::memory_order_relaxed) >= o.max_kept_events) {
      context.offer_hit(ev, chunk.worker, rule);
      kept_compact.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    // A record that is a slice of its file is kept without its text, which the correlation
    // reads back for the few it cites: a noisy rule set keeps a hundred thousand events.
    EventPrework work = prework(ev, &context.interner());
    work.rule = rule;
    const size_t w = chunk.worker % kept.size();
    kept[w].push_back(keep_event(ev, work));
    kept_work[w].push_back(std::move(work));
  };
  auto on_output = [](std::vector<std::string>&) { return true; };
  if (ahead) {
    ahead->stop();
    so.ahead = ahead;
  }
  if (o.scan) {
    info.stats = o.scan(engine.rules())(so, on_event, on_output);
    if (!o.evidence.empty())
      merge_stats(info.stats, sources::scan(o.evidence, so, on_event, on_output));
  } else {
    info.stats = sources::scan(o.evidence, so, on_event, on_output);
  }
  if (auto deferred = std::move(info.stats.deferred))
    result.deferred_digests =
        std::async(std::launch::async, [deferred] { return deferred->finish(); });
  std::vector<detect::Finding> findings;
  for (auto& f : engine.finish())
    if (!suppressed(f, policy)) findings.push_back(std::move(f));

  // The snapshot is read from the files the scan passed over as not event evidence (kubectl
  // JSON, YAML), not by reading every event file a second time.
  const std::vector<std::string> snapshot_files = sources::passed_over_files(info.stats);
  // The snapshot and its posture checks on a thread of their own, while the scan's records are
  // merged.
  cluster::Snapshot snap;
  std::vector<cluster::Finding> posture;
  images.move_into(snap);
  std::jthread snapshot_reader([&] {
    if (!snapshot_files.empty()) cluster::load_snapshot(snapshot_files, snap);
    if (snap.objects) posture = cluster::run_checks(snap, policy);
  });
  std::vector<Event> events;
  std::vector<EventPrework> events_work;
  // One vector of each, made at its size, each worker's freed as it is moved.
  size_t kept_count = 0;
  for (const auto& k : kept) kept_count += k.size();
  events.reserve(kept_count);
  events_work.reserve(kept_count);
  for (auto& k : kept) {
    for (auto& e : k) events.push_back(std::move(e));
    std::vector<Event>().swap(k);
  }
  for (auto& k : kept_work) {
    for (auto& w : k) events_work.push_back(std::move(w));
    std::vector<EventPrework>().swap(k);
  }
  context.seal();
  snapshot_reader.join();
  info.snapshot_files = snap.files;
  info.snapshot_objects = snap.objects;
  CorrelationInput in;
  in.context = &context;
  in.findings = &findings;
  in.events = &events;
  in.prework = &events_work;
  in.rules = &engine.rules();
  in.snapshot = &snap;
  in.posture = &posture;
  in.policy = &policy;
  in.policy_given = policy_given;
  in.stats = &info.stats;
  in.now = info.started;
  build(in, inv);
  for (const auto& line : suppression_report(policy, o.config)) {
    inv.incident.assumptions.push_back(line);
    result.suppressions.push_back(line);
  }
  if (!o.source.empty())
    inv.incident.assumptions.push_back(fmt::format(
        "events were read from {}, not from files: their inputs and hashes are those `eksir load` "
        "recorded there",
        o.source));
  if (kept_compact)
    inv.incident.assumptions.push_back(fmt::format(
        "{} API calls rules matched, past the first {} kept whole, were kept as the scope's "
        "other records (where they are and what they name; the same request again counted)",
        util::thousands(kept_compact), util::thousands(o.max_kept_events)));
  if (context.repeats())
    inv.incident.assumptions.push_back(fmt::format(
        "{} requests repeated an earlier one exactly (same credential, address, action and "
        "object) and were counted on it rather than kept one by one",
        util::thousands(context.repeats())));
  for (const auto& [ip, n] : context.egress())
    if (n)
      inv.incident.assumptions.push_back(fmt::format(
          "{} is the VPC's egress address (the sessions of several nodes act from it): {} calls "
          "of nodes' sessions through it were taken as the nodes' own and not kept",
          ip, util::thousands(n)));
  if (context.dropped())
    inv.incident.gaps.push_back(fmt::format(
        "{} of {} records that could be the attacker's were not kept for the scope ({}): the "
        "incident may miss activity among them",
        util::thousands(context.dropped()), util::thousands(context.candidates()),
        context.error().empty() ? "too many" : context.error()));
  if (context.unread())
    inv.incident.gaps.push_back(fmt::format(
        "{} record{} the scope pulled could not be read back from the evidence ({}): the incident "
        "lacks them",
        util::thousands(context.unread()), context.unread() == 1 ? "" : "s",
        context.unread_error()));
  if (context.facets_unread())
    inv.incident.gaps.push_back(fmt::format(
        "what {} record{} of the scope named could not be read back from the temporary file "
        "({}): the scope may miss activity through them",
        util::thousands(context.facets_unread()), context.facets_unread() == 1 ? "" : "s",
        context.facets_error()));
  // What the scan kept is not read past the correlation: freed before the case is saved and
  // the reports parse the incident.
  std::vector<Event>().swap(events);
  std::vector<EventPrework>().swap(events_work);
  std::vector<detect::Finding>().swap(findings);  // inv.findings holds them
  context.release();
  for (const auto& w : engine.withheld()) inv.incident.gaps.push_back("withheld: " + w.text());
  const detect::SpillStats& spilled = engine.spilled();
  if (std::string line = detect::spill_text(spilled, o.memory); !line.empty())
    (spilled.error.empty() ? inv.incident.assumptions : inv.incident.gaps).push_back(line);
  if (std::string line = detect::print_spill_text(spilled, o.memory); !line.empty())
    (spilled.print_error.empty() ? inv.incident.assumptions : inv.incident.gaps).push_back(line);
  // Evidence that could not be read is evidence missing from the incident.
  for (const auto& [reason, n] : info.stats.skipped_by_reason) {
    std::string where;
    for (const auto& sk : info.stats.skips)
      if (sk.reason == reason) {
        where = sk.message();
        break;
      }
    inv.incident.gaps.push_back(fmt::format(
        "{} record{} or file{} skipped ({}): what they held is missing from this incident; first: "
        "{}",
        n, n == 1 ? "" : "s", n == 1 ? "" : "s", reason, where));
  }

  return result;
}

void add_inputs(Investigated& x, const std::vector<std::string>& evidence) {
  RunInfo& info = x.investigation.run;
  if (x.deferred_digests.valid()) info.stats.digests.merge(x.deferred_digests.get());
  // Inputs with their hashes; a file the scan did not open (none, today) is hashed here.
  for (const auto& file : sources::list_files(evidence)) {
    auto it = info.stats.digests.find(file);
    FileDigest d = it != info.stats.digests.end() ? it->second : sha256_file(file);
    info.inputs.push_back({file, d.hex, d.size});
  }
  for (const auto& i : info.inputs)
    if (i.sha256.empty())
      x.investigation.incident.gaps.push_back(
          fmt::format("{}: could not be hashed (unreadable)", i.path));
}

}  // namespace eksir::incident
