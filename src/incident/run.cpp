// `eksir investigate`: one scan for every rule, the snapshot and its checks, the correlation,
// the case written in one transaction, and the summary.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <future>
#include <mutex>
#include <ostream>
#include <thread>

#include "command/command.h"
#include "incident/context.h"
#include "incident/incident.h"
#include "incident/internal.h"
#include "sources/sources.h"
#include "store/store.h"
#include "util/json_writer.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"
#include "util/write_file.h"

namespace eksir::incident {
namespace {

// The next steps as the terminal shows them: naming this case and this evidence (shell-quoted,
// ready to paste) where the incident's text has the placeholders CASE and EVIDENCE.
void fill_in_next_steps(Incident& inc, const std::string& case_dir,
                        const std::vector<std::string>& evidence) {
  std::string paths;
  for (const auto& e : evidence) paths += (paths.empty() ? "" : " ") + command::shell_quote(e);
  const std::string quoted_case = command::shell_quote(case_dir);
  for (auto& step : inc.next_steps) {
    std::string out;
    for (size_t i = 0; i < step.size();) {
      auto placeholder = [&](std::string_view word) {
        if (step.compare(i, word.size(), word) != 0 || i == 0 || step[i - 1] != ' ') return false;
        size_t end = i + word.size();
        return end == step.size() || step[end] == ' ' || step[end] == '`';
      };
      if (placeholder("CASE")) {
        out += quoted_case;
        i += 4;
      } else if (placeholder("EVIDENCE") && !paths.empty()) {
        out += paths;
        i += 8;
      } else {
        out += step[i++];
      }
    }
    step = std::move(out);
  }
}

namespace fs = std::filesystem;

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

int run(const InvestigateOptions& o, std::ostream& out, std::ostream& err) {
  Investigation inv;
  RunInfo& info = inv.run;
  info.started = util::now_ns();
  info.tool_version = EKSIR_VERSION;
  info.operator_name = store::operator_name();
  std::error_code cwd_error;
  info.cwd = fs::current_path(cwd_error).string();  // plans find relative inputs from here
  if (o.evidence.empty() && !o.scan) {
    err << "eksir investigate: no evidence given\n";
    return 2;
  }
  if (!o.case_dir.empty())
    if (std::string why = store::check_case_dir(o.case_dir); !why.empty()) {
      err << "eksir investigate: -o " << why << "\n";
      return 2;
    }
  if (int rc = sources::check_paths(err, "investigate", o.evidence, o.keep_going)) return rc;

  cluster::Policy policy;
  bool policy_given = !o.config.empty();
  std::string policy_path, policy_sha256;  // recorded in the case: plan and respond reuse it
  if (policy_given) {
    cluster::PolicyResult pr = cluster::load_policy(o.config);
    if (!pr.ok()) {
      for (const auto& e : pr.errors) err << "eksir investigate: " << util::visible(e) << "\n";
      return 2;
    }
    policy = std::move(pr.policy);
    std::error_code ec;
    policy_path = fs::absolute(o.config, ec).lexically_normal().string();
    if (ec) policy_path = o.config;
    policy_sha256 = std::move(pr.sha256);
  }

  // While the rules load, a core that would be idle starts hashing the evidence.
  std::optional<sources::DigestAhead> ahead;
  if (!o.evidence.empty()) ahead.emplace(o.evidence);
  rules::LoadResult loaded;
  if (int rc = detect::load_rules(o.rule_paths, o.builtin, o.quiet, "investigate", err, loaded))
    return rc;
  info.rules_loaded = loaded.rules.size();
  info.builtin_rules = static_cast<size_t>(
      std::count_if(loaded.rules.begin(), loaded.rules.end(),
                    [](const rules::Rule& r) { return r.id.rfind("eksir-", 0) == 0; }));
  info.rule_paths = o.rule_paths;

  sources::ScanOptions so;
  so.threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  so.since = o.since;
  so.until = o.until;
  so.progress = o.progress && !o.quiet;
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
  detect::Engine engine(std::move(loaded.rules), eo);
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
    so.ahead = &*ahead;
  }
  if (o.scan) {
    info.stats = o.scan(engine.rules())(so, on_event, on_output);
    if (!o.evidence.empty())
      merge_stats(info.stats, sources::scan(o.evidence, so, on_event, on_output));
  } else {
    info.stats = sources::scan(o.evidence, so, on_event, on_output);
  }
  std::map<std::string, FileDigest> deferred_digests;
  std::jthread digester;  // joined on every way out
  if (auto deferred = std::move(info.stats.deferred))
    digester =
        std::jthread([&deferred_digests, deferred] { deferred_digests = deferred->finish(); });
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
    k = {};
  }
  for (auto& k : kept_work) {
    for (auto& w : k) events_work.push_back(std::move(w));
    k = {};
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
    if (!o.quiet) err << "eksir investigate: " << util::visible(line) << "\n";
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
  // What the scan kept is not read past the correlation: freed before the case is saved and
  // the reports parse the incident.
  std::vector<Event>().swap(events);
  std::vector<EventPrework>().swap(events_work);
  std::vector<detect::Finding>().swap(findings);  // inv.findings holds them
  context.release();
  for (const auto& w : engine.withheld()) inv.incident.gaps.push_back("withheld: " + w.text());
  if (std::string line = detect::spill_text(engine.spilled(), o.memory); !line.empty()) {
    if (engine.spilled().error.empty())
      inv.incident.assumptions.push_back(line);
    else
      inv.incident.gaps.push_back(line);
  }
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

  // The case.
  std::string dir = o.case_dir.empty()
                        ? (fs::path(store::default_case_root()) / inv.incident.id).string()
                        : o.case_dir;
  if (std::string why = store::check_case_dir(dir); !why.empty()) {
    err << "eksir investigate: " << why << "\n";
    return 2;
  }
  store::Status st;
  auto kase = store::Case::open(dir, true, st);
  if (!kase) {
    err << "eksir investigate: " << util::visible(st.error) << "\n";
    return 2;
  }
  store::CaseInfo ci = kase->info();
  info.case_dir = dir;
  info.case_id = ci.id.empty() ? inv.incident.id : ci.id;
  info.finished = util::now_ns();

  store::RunRecord rec;
  rec.started = info.started;
  rec.finished = info.finished;
  rec.tool_version = info.tool_version;
  rec.operator_name = info.operator_name;
  rec.rule_sources.push_back(fmt::format("built-in pack ({} rules)", info.builtin_rules));
  for (const auto& p : o.rule_paths) rec.rule_sources.push_back(p);
  rec.policy_path = policy_path;
  rec.policy_sha256 = policy_sha256;
  rec.incident_id = inv.incident.id;
  rec.title = inv.incident.title;
  rec.severity = inv.incident.undetermined.empty()
                     ? std::string(util::severity_title(inv.incident.severity))
                     : "";
  std::vector<std::string> findings_json;
  findings_json.reserve(inv.findings.size());
  for (const auto& f : inv.findings) {
    findings_json.push_back(detect::finding_json(f));
    rec.findings.push_back({f.id, f.rule_id, std::string(rules::severity_name(f.severity)), f.title,
                            f.first_seen, f.last_seen, findings_json.back()});
  }
  for (const auto& e : inv.incident.entities) {
    util::JsonWriter j;
    j.open('{');
    j.kv("key", e.key);
    j.kv("kind", e.kind);
    j.kv("id", e.id);
    j.close('}');
    rec.entities.push_back({e.key, e.kind, e.name, e.ns, std::move(j.o)});
  }
  for (const auto& t : inv.incident.timeline) {
    util::JsonWriter j;
    j.open('{');
    j.kv("file", t.evidence.file);
    j.kv_num("line", static_cast<int64_t>(t.evidence.line));
    if (t.evidence.record) j.kv_num("record", static_cast<int64_t>(t.evidence.record));
    j.kv("event_id", t.evidence.event_id);
    j.kv("finding", t.evidence.finding);
    j.close('}');
    rec.timeline.push_back(
        {t.time, std::string(tag_name(t.tag)), t.text, t.source, t.confidence, std::move(j.o)});
  }
  if (digester.joinable()) digester.join();
  info.stats.digests.merge(deferred_digests);
  // Inputs with their hashes; a file the scan did not open (none, today) is hashed here.
  for (const auto& file : sources::list_files(o.evidence)) {
    auto it = info.stats.digests.find(file);
    FileDigest d = it != info.stats.digests.end() ? it->second : sha256_file(file);
    info.inputs.push_back({file, d.hex, d.size});
  }
  for (const auto& i : info.inputs)
    if (i.sha256.empty())
      inv.incident.gaps.push_back(fmt::format("{}: could not be hashed (unreadable)", i.path));
  for (const auto& i : info.inputs) rec.inputs.push_back({i.path, i.sha256, i.size});
  // The run id is known only once saved; the document records it, so save in two steps within
  // the store's transaction: first compute the id the store will assign.
  info.id = static_cast<int64_t>(kase->runs().size()) + 1;
  rec.incident_json = to_json(inv, findings_json);
  // The reports render on a thread of their own: it parses the incident while the run is saved,
  // then reads the rest of the case from the store once the run is there.
  std::string report_error;
  bool report_ok = true;
  std::vector<std::string> reports_written;
  std::promise<bool> saved;
  std::jthread reporter;
  if (o.reports && o.write_reports)
    reporter = std::jthread([&, saved_run = saved.get_future()]() mutable {
      report_ok = o.write_reports(dir, rec.incident_json, std::move(saved_run), report_error,
                                  reports_written);
    });
  st = kase->save_run(rec);
  saved.set_value(static_cast<bool>(st));
  if (!st) {
    if (reporter.joinable()) reporter.join();
    err << "eksir investigate: " << util::visible(st.error) << "\n";
    return 2;
  }
  // Every file is written whole or not at all (util::write_file_atomic); only those written are
  // named at the end.
  std::string json_error =
      util::write_file_atomic((fs::path(dir) / "incident.json").string(), rec.incident_json);
  if (o.format == "json") {
    out << rec.incident_json;
  } else if (o.format == "ecs") {
    out << incident_ecs(inv);
  } else if (o.format == "ocsf") {
    out << incident_ocsf(inv);
  } else {
    // The incident (saved above) keeps the placeholders: it does not depend on where the case is.
    fill_in_next_steps(inv.incident, dir, o.evidence);
    write_summary(inv, out, o.colour, o.width);
  }
  out.flush();
  if (reporter.joinable()) reporter.join();
  std::vector<std::string> written = {"case.db"};
  if (json_error.empty()) written.push_back("incident.json");
  for (const auto& r : reports_written) written.push_back(r);
  if (!o.quiet) {
    sources::print_scan_summary(
        err, "investigate", info.stats,
        fmt::format("{} rules, {} findings, {} posture results, severity {}", info.rules_loaded,
                    util::thousands(inv.findings.size()), inv.posture.size(),
                    inv.incident.undetermined.empty() ? util::severity_title(inv.incident.severity)
                                                      : "undetermined"),
        false);
    err << fmt::format("eksir investigate: case {} (run {}): {}\n", util::visible(dir), rec.id,
                       fmt::join(written, ", "));
  }
  bool write_failed = !json_error.empty() || !report_ok;
  if (!json_error.empty()) err << "eksir investigate: " << util::visible(json_error) << "\n";
  if (!report_ok)
    err << "eksir investigate: the report was not written: " << util::visible(report_error) << "\n";
  if (!out) err << "eksir investigate: cannot write the output (standard output)\n";
  if (write_failed || !out) return 2;
  if (int rc = sources::check_evidence(err, "investigate", info.stats, false)) return rc;
  if (!inv.incident.undetermined.empty()) return 2;
  if (o.fail_on && inv.incident.severity >= *o.fail_on) return 1;
  return 0;
}

}  // namespace eksir::incident
