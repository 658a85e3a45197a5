// `eksir case export`: the handover package holds the database, the incident, the reports, the
// journal's captures as files and the inputs, every file listed with its SHA-256 in a manifest
// whose own digest is given; read back with tar and sha256sum.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/app.h"
#include "store/store.h"
#include "store/store_helpers.h"
#include "test_paths.h"
#include "util/sha256.h"

namespace eksir::store {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A shell command's stdout and exit status (the test's own commands, no evidence in them).
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return {-1, out};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string make_case() {
  std::string dir = eksir::test::temp_dir() + "/INC-20260314-3f9a1c";
  Status st;
  auto c = Case::open(dir, true, st);
  EXPECT_TRUE(c) << st.error;
  RunRecord run = test::sample_run(1);
  EXPECT_TRUE(c->save_run(run));
  JournalEntry logs;
  logs.phase = "contain";
  logs.step_id = "contain/evidence/pod-logs/kube-system/backup-agent";
  logs.action = "Preserve the pod's logs";
  logs.argv = {"kubectl",          "logs", "--namespace=kube-system",
               "--all-containers", "--",   "backup-agent"};
  logs.stdout_text = "2026-03-14T09:12:31Z xmrig started\n";
  JournalEntry spec;
  spec.phase = "contain";
  spec.step_id = "contain/evidence/pod-spec/kube-system/../../etc/\x1b[2Jbackup-agent";
  spec.stdout_text = R"({"kind":"Pod"})";
  spec.captured_state = R"({"unschedulable":false})";
  JournalEntry skipped;
  skipped.phase = "contain";
  skipped.step_id = "contain/cordon/n1";
  skipped.kind = "skipped";
  skipped.reason = "node replaced";
  for (auto* e : {&logs, &spec, &skipped}) EXPECT_TRUE(c->append_journal(*e));
  std::ofstream(dir + "/report.md") << "# Incident report\n";
  std::ofstream(dir + "/report.html") << "<html></html>\n";
  return dir;
}

TEST(CaseExport, BundleHoldsEverythingWithVerifiableDigests) {
  std::string dir = make_case();
  std::string bundle = eksir::test::temp_dir() + "/bundle.tar.gz";
  ExportedCase exported = export_case(dir, bundle);
  ASSERT_EQ(exported.error, "");
  EXPECT_EQ(exported.manifest_digest.size(), 64u);

  auto [rc, listing] = shell("tar -tzf '" + bundle + "'");
  ASSERT_EQ(rc, 0) << listing;
  std::set<std::string> names;
  std::istringstream lines(listing);
  for (std::string l; std::getline(lines, l);) names.insert(l);
  const std::string top = "eksir-case-INC-20260314-3f9a1c/";
  for (const char* f : {"case.db", "incident.json", "inputs.json", "journal.json", "report.md",
                        "report.html", "manifest.sha256", "manifest-digest.txt",
                        "journal/0001-contain_evidence_pod-logs_kube-system_backup-agent/"
                        "stdout.txt"})
    EXPECT_TRUE(names.count(top + f)) << f << "\n" << listing;
  // A step id from the evidence becomes a safe file name: no '..' path, no escape.
  for (const auto& n : names) {
    EXPECT_EQ(n.find(".."), std::string::npos) << n;
    EXPECT_EQ(n.find('\x1b'), std::string::npos) << n;
    EXPECT_EQ(n.rfind(top, 0), 0u) << n;
  }

  std::string x = eksir::test::temp_dir();
  ASSERT_EQ(shell("tar -xzf '" + bundle + "' -C '" + x + "'").first, 0);
  std::string root = x + "/" + top;
  // Every file is in the manifest with its digest, and sha256sum agrees.
  auto check = shell("cd '" + root + "' && sha256sum --strict -c manifest.sha256 2>&1");
  EXPECT_EQ(check.first, 0) << check.second;
  std::string manifest = slurp(root + "manifest.sha256");
  size_t listed = 0;
  for (char ch : manifest) listed += ch == '\n';
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) files += e.is_regular_file();
  EXPECT_EQ(listed, files - 2);  // all but the manifest and its digest
  std::string digest = sha256_hex(manifest);
  EXPECT_EQ(slurp(root + "manifest-digest.txt"), digest + "  manifest.sha256\n");
  EXPECT_EQ(exported.manifest_digest, digest);
  EXPECT_EQ(shell("cd '" + root + "' && sha256sum --strict -c manifest-digest.txt").first, 0);

  // The captures as files, the database whole and readable.
  EXPECT_EQ(slurp(root + "journal/0001-contain_evidence_pod-logs_kube-system_backup-agent/"
                         "stdout.txt"),
            "2026-03-14T09:12:31Z xmrig started\n");
  Status st;
  auto copy = Case::open_readonly(root, st);
  ASSERT_TRUE(copy) << st.error;
  EXPECT_EQ(copy->journal().size(), 3u);
  EXPECT_EQ(copy->journal()[2].kind, "skipped");
  EXPECT_EQ(copy->runs().size(), 1u);
  std::string inputs = slurp(root + "inputs.json");
  EXPECT_NE(inputs.find("evidence/k8s-audit/audit.log"), std::string::npos) << inputs;
  EXPECT_NE(inputs.find(std::string(64, 'a')), std::string::npos);
  std::string journal = slurp(root + "journal.json");
  EXPECT_NE(journal.find("\"reason\": \"node replaced\""), std::string::npos) << journal;
}

TEST(CaseExport, RefusesToOverwriteUnlessForced) {
  std::string dir = make_case();
  std::string bundle = eksir::test::temp_dir() + "/bundle.tar.gz";
  std::ofstream(bundle) << "keep me";
  std::ostringstream out, err;
  EXPECT_EQ(app::case_export({dir, bundle, false}, out, err), 2);
  EXPECT_NE(err.str().find("exists; give another -o, or --force"), std::string::npos) << err.str();
  EXPECT_EQ(slurp(bundle), "keep me");
  EXPECT_EQ(app::case_export({dir, bundle, true}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("manifest digest (SHA-256 of manifest.sha256): "), std::string::npos);
  EXPECT_EQ(shell("tar -tzf '" + bundle + "' >/dev/null").first, 0);
}

TEST(CaseExport, ThroughTheCommandLine) {
  std::string dir = make_case();
  std::string bundle = eksir::test::temp_dir() + "/handover.tar.gz";
  auto r = eksir::test::run_eksir({"case", "export", dir, "-o", bundle});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("manifest digest"), std::string::npos) << r.out;
  auto again = eksir::test::run_eksir({"case", "export", dir, "-o", bundle});
  EXPECT_EQ(again.exit_code, 2);
  auto missing = eksir::test::run_eksir(
      {"case", "export", eksir::test::temp_dir() + "/none", "-o", bundle + "2"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_FALSE(fs::exists(bundle + "2"));
}

}  // namespace
}  // namespace eksir::store
