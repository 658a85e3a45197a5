#include "collect/collect.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>

#include "cluster/cluster.h"
#include "collect/commands.h"
#include "collect/exec.h"
#include "collect/gaps.h"
#include "collect/images.h"
#include "collect/manifest.h"
#include "collect/outputs.h"
#include "command/command.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/time_math.h"
#include "util/visible.h"
#include "util/write_file.h"

namespace eksir::collect {

namespace fs = std::filesystem;

namespace {

std::string program_for(const std::string& option, const char* env, const char* fallback) {
  if (!option.empty()) return option;
  if (const char* e = std::getenv(env); e && *e) return e;
  return fallback;
}

Operator local_operator() {
  Operator op;
  op.uid = static_cast<int64_t>(::geteuid());
  if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) op.user = pw->pw_name;
  for (const char* var : {"USER", "LOGNAME"})
    if (const char* v = std::getenv(var); op.user.empty() && v) op.user = v;
  // Under sudo the account that asked matters as much as the one that ran.
  if (const char* s = std::getenv("SUDO_USER"); s && *s && op.user != s)
    op.user += fmt::format(" (sudo from {})", s);
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) op.host = host;
  return op;
}

class Collector {
 public:
  Collector(const CollectOptions& o, const Say& say)
      : o_(o),
        say_(say),
        aws_(program_for(o.aws, "EKSIR_AWS", "aws")),
        kubectl_(program_for(o.kubectl, "EKSIR_KUBECTL", "kubectl")) {}

  Manifest& manifest() { return m_; }
  const Record& run(Command c);
  // Runs c, following NextToken into further files when paging is on.
  void run_paged(Command c);
  bool all_ok() const { return failed_.empty(); }
  // The record's error is the service's answer (no scan of an image): not counted as failed.
  void answered(size_t record) { std::erase(failed_, record); }
  const std::vector<size_t>& failed() const { return failed_; }
  std::string path(const std::string& rel) const { return o_.out_dir + "/" + rel; }

 private:
  std::string unique_output(const std::string& rel);

  const CollectOptions& o_;
  const Say& say_;
  std::string aws_, kubectl_;
  Manifest m_;
  std::set<std::string> used_;
  std::vector<size_t> failed_;
};

std::string Collector::unique_output(const std::string& rel) {
  if (used_.insert(rel).second) return rel;
  size_t dot = rel.rfind('.');
  if (dot == std::string::npos || dot < rel.rfind('/')) dot = rel.size();
  for (int n = 2;; ++n) {
    std::string alt = fmt::format("{}-{}{}", rel.substr(0, dot), n, rel.substr(dot));
    if (used_.insert(alt).second) return alt;
  }
}

const Record& Collector::run(Command c) {
  Record r;
  r.program = c.tool == Tool::aws ? aws_ : kubectl_;
  c.output = unique_output(c.output);
  r.command = c;
  std::string shown = c.refused.empty() ? util::fit(display(tool_name(c.tool), c.args), 150)
                                        : std::string(tool_name(c.tool)) + " (refused)";
  if (!c.refused.empty() || !is_read_only(c.tool, c.args)) {
    r.refused = c.refused.empty() ? "not a read-only operation" : c.refused;
    r.result.error = "refused: " + r.refused;
    r.result.start = r.result.end = util::now_ns();
  } else {
    std::string err_rel = "stderr/" + c.output + ".err";
    std::error_code ec;
    fs::create_directories(fs::path(path(c.output)).parent_path(), ec);
    fs::create_directories(fs::path(path(err_rel)).parent_path(), ec);
    std::vector<std::string> argv = {r.program};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    r.result = exec(argv, path(c.output), path(err_rel), std::chrono::seconds(o_.timeout_seconds));
    r.out = seal(o_.out_dir, c.output);
    r.err = seal(o_.out_dir, err_rel);
  }
  bool ok = r.result.ok();
  if (!ok) failed_.push_back(m_.records.size());
  if (!o_.quiet)
    say_(fmt::format("  [{}] {}: {}, {:.1f} s\n", m_.records.size() + 1, shown,
                     util::visible(r.result.describe()),
                     static_cast<double>(r.result.end - r.result.start) / 1e9));
  m_.records.push_back(std::move(r));
  return m_.records.back();
}

void Collector::run_paged(Command c) {
  if (o_.page_items == 0 || !c.paginate) {
    run(std::move(c));
    return;
  }
  std::string base = c.output.substr(0, c.output.rfind('.'));
  std::string token;
  for (int page = 1; page <= 100000; ++page) {
    // The token comes from the previous reply: it is checked like any other value.
    Command p = page_command(c, o_.page_items, token);
    if (page > 1) p.output = fmt::format("{}.p{:04}.json", base, page);
    const Record& r = run(std::move(p));
    if (!r.result.ok() || !r.out || r.out->path.empty()) return;
    token = json_string(path(r.out->path), "NextToken");
    if (token.empty()) return;
  }
}

// The cluster's account: from its ARN as EKS describes it, else the caller's.
std::string cluster_account(const std::string& describe_cluster, const Operator& op) {
  std::string arn = json_string_at(describe_cluster, {"cluster", "arn"});
  size_t from = 0;
  for (int i = 0; i < 4 && from != std::string::npos; ++i) {
    from = arn.find(':', from);
    if (from != std::string::npos) ++from;
  }
  std::string account =
      from == std::string::npos ? std::string() : arn.substr(from, arn.find(':', from) - from);
  for (const auto& a : {account, op.aws_account})
    if (command::valid(command::Type::aws_account_id, a)) return a;
  return {};
}

// Records what the failed commands from records[first] on leave out, in the words of gaps.h.
void note_gaps(Collector& c, size_t first, const std::string& source, const std::string& subject) {
  Manifest& m = c.manifest();
  for (size_t i = first; i < m.records.size(); ++i) {
    const Record& r = m.records[i];
    if (r.result.ok() || !r.refused.empty()) continue;
    std::string line = r.err && !r.err->path.empty() ? telling_line(c.path(r.err->path)) : "";
    std::string operation = r.command.args.size() > 1 ? r.command.args[1] : "";
    std::string note = vulnerability_gap(operation, line);
    if (note.empty()) note = line.empty() ? r.result.describe() : line;
    m.gaps.push_back({source, subject, note});
    if (is_answer(operation, line)) c.answered(i);
  }
}

// Amazon Inspector's and ECR's findings on the images the snapshot shows in ECR of the cluster's
// account and region; every other image is listed as not scanned by them. Returns how many
// images were asked about.
size_t collect_vulnerabilities(Collector& c, const Target& t, const std::string& account,
                               const std::vector<std::string>& snapshot_files) {
  Manifest& m = c.manifest();
  ImageSurvey s = survey_images(snapshot_files, account, t.region);
  m.images_not_scanned = s.not_scanned;
  if (s.ecr.empty()) return 0;
  auto inspector = inspector_findings_commands(t, account, s.repositories);
  for (const auto& l : inspector.left_out)
    m.gaps.push_back({"Amazon Inspector", "repository " + l.image, "left out: " + l.reason});
  for (size_t i = 0; i < inspector.commands.size(); ++i) {
    size_t first = m.records.size();
    c.run_paged(std::move(inspector.commands[i]));
    std::string repos;
    for (const auto& r : inspector.asked[i]) repos += (repos.empty() ? "" : ", ") + r;
    note_gaps(c, first, "Amazon Inspector", "repositories " + repos);
  }
  for (const auto& image : s.ecr) {
    size_t first = m.records.size();
    const Record& r = c.run(image_scan_findings_command(t, account, image));
    if (!r.refused.empty()) m.images_not_scanned.push_back({image.image, "refused: " + r.refused});
    note_gaps(c, first, "Amazon ECR",
              image.repository + (image.digest.empty() ? ":" + image.tag : "@" + image.digest));
  }
  return s.ecr.size();
}

// Pods the posture checks flag at or above the threshold, in snapshot order.
std::vector<std::pair<std::string, std::string>> flagged_pods(const std::string& snapshot_dir,
                                                              const cluster::Policy& policy,
                                                              cluster::Severity min) {
  cluster::Snapshot snap;
  cluster::load_snapshot({snapshot_dir}, snap);
  std::vector<std::pair<std::string, std::string>> pods;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& f : cluster::run_checks(snap, policy)) {
    if (f.kind != "Pod" || f.exempted || f.severity < min) continue;
    if (seen.insert({f.ns, f.name}).second) pods.emplace_back(f.ns, f.name);
  }
  return pods;
}

bool empty_or_absent(const std::string& dir, std::string& problem) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  if (!fs::is_directory(dir, ec)) {
    problem = "exists and is not a folder";
    return false;
  }
  if (!fs::is_empty(dir, ec)) {
    problem = "already holds files; collect into a new folder so the bundle holds only this run";
    return false;
  }
  return true;
}

}  // namespace

Outcome collect(const CollectOptions& o, const Say& say) {
  std::vector<std::string> missing;
  if (o.cluster.empty()) missing.push_back("--cluster");
  if (o.region.empty()) missing.push_back("--region");
  if (o.out_dir.empty()) missing.push_back("-o");
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    say(std::string("eksir collect: missing ") + list + " (or --verify DIR)\n");
    return Outcome::NotCollected;
  }
  if (o.timeout_seconds <= 0) {
    say("eksir collect: --timeout must be a positive number of seconds\n");
    return Outcome::NotCollected;
  }
  auto min_sev = cluster::parse_severity(o.logs_min_severity);
  if (!min_sev) {
    say("eksir collect: --logs-min-severity must be info, low, medium, high or critical\n");
    return Outcome::NotCollected;
  }
  cluster::Policy policy;
  if (!o.config.empty()) {
    auto pr = cluster::load_policy(o.config);
    if (!pr.ok()) {
      for (const auto& e : pr.errors) say(std::string("eksir collect: ") + util::visible(e) + "\n");
      return Outcome::NotCollected;
    }
    policy = std::move(pr.policy);
  }

  Target t;
  t.cluster = o.cluster;
  t.region = o.region;
  t.profile = o.profile;
  t.endpoint_url = o.endpoint_url;
  t.kubeconfig = o.kubeconfig;
  t.context = o.context;
  t.namespaces = o.namespaces;
  if (auto e = check_target(t); !e.empty()) {
    say(std::string("eksir collect: ") + e + "\n");
    return Outcome::NotCollected;
  }
  TimeNs now = util::now_ns();
  std::string error;
  t.since = util::parse_time_bound(o.since.empty() ? "24h" : o.since, now, error);
  if (t.since == kNoTime) {
    say(std::string("eksir collect: --since: ") + util::visible(error) + "\n");
    return Outcome::NotCollected;
  }
  t.until = o.until.empty() ? now : util::parse_time_bound(o.until, now, error);
  if (t.until == kNoTime) {
    say(std::string("eksir collect: --until: ") + util::visible(error) + "\n");
    return Outcome::NotCollected;
  }
  if (auto e = util::window_error(o.since.empty() ? "24h" : o.since, t.since,
                                  o.until.empty() ? "now" : o.until, t.until, true);
      !e.empty()) {
    say(std::string("eksir collect: ") + util::visible(e) + "\n");
    return Outcome::NotCollected;
  }

  std::string problem;
  if (!empty_or_absent(o.out_dir, problem)) {
    say(std::string("eksir collect: ") + util::visible(o.out_dir) + ": " + problem + "\n");
    return Outcome::NotCollected;
  }
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) {
    say(std::string("eksir collect: ") + util::visible(o.out_dir) + ": " + ec.message() + "\n");
    return Outcome::NotCollected;
  }

  Collector c(o, say);
  Manifest& m = c.manifest();
  m.version = EKSIR_VERSION;
  m.cluster = t.cluster;
  m.region = t.region;
  m.profile = t.profile;
  m.endpoint_url = t.endpoint_url;
  m.namespaces = t.namespaces;
  m.since = t.since;
  m.until = t.until;
  m.started = now;
  m.op = local_operator();
  if (!o.quiet)
    say(fmt::format("eksir collect: {} in {}, {} to {}\n", util::visible(t.cluster),
                    util::visible(t.region), iso_seconds(t.since), iso_seconds(t.until)));

  // Who is collecting, as AWS sees it.
  if (const auto& r = c.run(caller_identity_command(t)); r.result.ok() && r.out) {
    auto words = text_words(c.path(r.out->path));
    if (words.size() == 3) {
      m.op.aws_account = words[0];
      m.op.aws_arn = words[1];
      m.op.aws_user_id = words[2];
    }
  }

  // The cluster as EKS describes it, who may reach it, and its node groups.
  std::string described;
  if (const auto& r = c.run(describe_cluster_command(t)); r.out && !r.out->path.empty())
    described = c.path(r.out->path);
  if (const auto& r = c.run(list_access_entries_command(t)); r.result.ok() && r.out) {
    for (const auto& arn : json_strings(c.path(r.out->path), "accessEntries"))
      for (auto& cmd : access_entry_commands(t, arn)) c.run(std::move(cmd));
  }
  if (const auto& r = c.run(list_nodegroups_command(t)); r.result.ok() && r.out) {
    for (const auto& ng : json_strings(c.path(r.out->path), "nodegroups"))
      c.run(describe_nodegroup_command(t, ng));
  }

  // The cluster's objects; pods and workloads name the images it runs.
  std::vector<std::string> workload_files;
  for (auto& cmd : snapshot_commands(t)) {
    static const std::set<std::string> kWorkloads = {
        "pods", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs"};
    bool workloads = cmd.args.size() > 1 && kWorkloads.count(cmd.args[1]);
    const auto& r = c.run(std::move(cmd));
    if (workloads && r.result.ok() && r.out && !r.out->path.empty())
      workload_files.push_back(c.path(r.out->path));
  }

  // Control-plane activity in the window.
  for (auto& cmd : cloudtrail_commands(t)) c.run_paged(std::move(cmd));
  c.run_paged(audit_log_command(t));

  // GuardDuty findings about this cluster.
  if (const auto& r = c.run(list_detectors_command(t)); r.result.ok() && r.out) {
    std::vector<std::string> detectors =
        r.out->path.empty() ? std::vector<std::string>{} : text_words(c.path(r.out->path));
    for (const auto& d : detectors) {
      const auto& lr = c.run(list_findings_command(t, d));
      if (!lr.result.ok() || !lr.out || lr.out->path.empty()) continue;
      auto ids = text_words(c.path(lr.out->path));
      for (auto& cmd : get_findings_commands(t, d, ids)) c.run(std::move(cmd));
    }
  }

  // What the account's scanners found in those images.
  std::string account = cluster_account(described, m.op);
  size_t images = collect_vulnerabilities(c, t, account, workload_files);

  // Logs of the pods the checks flag.
  auto pods = flagged_pods(c.path("snapshot"), policy, *min_sev);
  size_t logged = std::min(pods.size(), o.max_pod_logs);
  for (size_t i = 0; i < logged; ++i) c.run(pod_logs_command(t, pods[i].first, pods[i].second));

  m.finished = util::now_ns();
  std::string manifest = manifest_json(m);
  std::string digest = sha256_hex(manifest);
  for (auto [file, text] :
       {std::pair{kManifestFile, manifest},
        std::pair{kManifestHashFile, fmt::format("{}  {}\n", digest, kManifestFile)}})
    if (std::string e = util::write_file_atomic(c.path(file), text); !e.empty()) {
      say(std::string("eksir collect: the manifest was not written: ") + util::visible(e) + "\n");
      return Outcome::NotCollected;
    }

  uint64_t files = 0, bytes = 0;
  for (const auto& r : m.records)
    for (const auto* f : {&r.out, &r.err})
      if (*f && !(*f)->path.empty()) {
        ++files;
        bytes += (*f)->size;
      }
  size_t n = m.records.size(), failed = c.failed().size();
  say(fmt::format(
      "eksir collect: {} commands, {} succeeded, {} failed; {} files, {}, {:.1f} s -> {}\n", n,
      n - failed, failed, files, util::human_bytes(bytes),
      static_cast<double>(m.finished - m.started) / 1e9, util::visible(o.out_dir)));
  for (size_t i : c.failed()) {
    const Record& r = m.records[i];
    std::string why = util::visible(r.result.describe());
    std::string where;
    if (r.err && !r.err->path.empty()) {
      std::string line = telling_line(c.path(r.err->path));
      if (!line.empty()) why += ": " + util::fit(line, 200);
      where = " (" + util::visible(r.err->path) + ")";
    }
    std::string shown = r.command.args.empty()
                            ? std::string(tool_name(r.command.tool))
                            : util::fit(display(tool_name(r.command.tool), r.command.args), 120);
    say(fmt::format("  failed: {}: {}{}\n", shown, util::visible(why), where));
  }
  say(fmt::format("eksir collect: pod logs of {} flagged pods{}\n", logged,
                  pods.size() > logged ? fmt::format(" ({} more not collected, --max-pod-logs)",
                                                     pods.size() - logged)
                                       : ""));
  say(fmt::format(
      "eksir collect: vulnerability findings of {} ECR image{}{}; {} images not scanned by "
      "Inspector or ECR (manifest imagesNotScanned)\n",
      images, images == 1 ? "" : "s",
      account.empty() ? "" : fmt::format(" of {} in {}", account, t.region),
      m.images_not_scanned.size()));
  for (const auto& g : m.gaps)
    say(fmt::format("  gap: {}: {}: {}\n", g.source, util::visible(util::fit(g.subject, 120)),
                    util::visible(util::fit(g.note, 300))));
  say(fmt::format("eksir collect: manifest {} sha256 {}\n", util::visible(c.path(kManifestFile)),
                  digest));
  return c.all_ok() ? Outcome::Collected : Outcome::SomeFailed;
}

}  // namespace eksir::collect
