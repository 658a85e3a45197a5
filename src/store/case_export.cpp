// `eksir case export CASE -o bundle.tar.gz`: the case as a handover package. Everything in it is
// listed with its SHA-256 in manifest.sha256, whose own SHA-256 is the bundle's digest (in
// manifest-digest.txt and on stdout, to be passed on apart from the bundle).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "store/store.h"
#include "store/tar_gz.h"
#include "util/json_writer.h"
#include "util/sha256.h"
#include "util/visible.h"
#include "util/write_file.h"

namespace eksir::store {

namespace {

namespace fs = std::filesystem;

// A file name made from evidence (a step id): safe characters only, cut to `max` bytes.
std::string slug(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_';
    if (c == '.' && !out.empty() && out.back() == '.') c = '_';  // never a ".." in a name
    out += safe ? c : '_';
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  return out.empty() ? "entry" : out;
}

std::string json_time(TimeNs t) {
  return t == kNoTime ? std::string() : format_time(t);
}

std::string slurp(const fs::path& p, bool& ok) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  ok = static_cast<bool>(in) || in.eof();
  return ss.str();
}

// The bundle's files, each under the top folder, before the manifest is added.
struct Bundle {
  std::string top;
  std::vector<TarFile> files;
  void add(const std::string& path, std::string data) {
    files.push_back({top + "/" + path, std::move(data)});
  }
};

// Members in the order of their names, as the documents have always had them; pretty-printed.
std::string inputs_json(const Case& c) {
  util::JsonWriter j;
  j.indent = 2;
  j.open('{');
  j.key("runs");
  j.open('[');
  for (const auto& r : c.runs()) {
    j.item();
    j.open('{');
    j.key("inputs");
    j.open('[');
    for (const auto& in : r.inputs) {
      j.item();
      j.open('{');
      j.kv("path", in.path);
      j.kv("sha256", in.sha256);
      j.kv_num("size", in.size);
      j.close('}');
    }
    j.close(']');
    j.kv("operator", r.operator_name);
    j.key("policy");
    j.open('{');
    j.kv("path", r.policy_path);
    j.kv("sha256", r.policy_sha256);
    j.close('}');
    j.kv_num("run", r.id);
    j.kv("started", json_time(r.started));
    j.kv("tool_version", r.tool_version);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.raw("\n");
  return std::move(j.o);
}

// The journal as JSON, and each entry's captures (output, manifest, settings, undo) as files.
std::string journal_files(const Case& c, Bundle& b) {
  util::JsonWriter j;
  j.indent = 2;
  j.open('{');
  j.key("journal");
  j.open('[');
  for (const auto& e : c.journal()) {
    std::string dir = fmt::format("journal/{:04}-{}", e.id, slug(e.step_id, 60));
    std::vector<std::string> files;
    auto file = [&](const char* name, const std::string& data) {
      if (data.empty()) return;
      b.add(dir + "/" + name, data);
      files.push_back(dir + "/" + name);
    };
    file("stdout.txt", e.stdout_text);
    file("stderr.txt", e.stderr_text);
    file("manifest.yaml", e.manifest);
    file("captured-state.json", e.captured_state);
    file("undo.json", e.undo_json);
    j.item();
    j.open('{');
    j.kv("action", e.action);
    j.kv_list("argv", e.argv);
    j.kv_bool("dry_run", e.dry_run);
    j.kv_num("exit_status", e.exit_status);
    j.kv_list("files", files);
    j.kv("finished", json_time(e.finished));
    j.kv_num("id", e.id);
    j.kv("kind", e.kind);
    j.kv("operator", e.operator_name);
    j.kv("phase", e.phase);
    j.kv("reason", e.reason);
    j.kv("started", json_time(e.started));
    j.kv("step_id", e.step_id);
    j.kv("target", e.target);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.raw("\n");
  return std::move(j.o);
}

}  // namespace

ExportedCase export_case(const std::string& dir, const std::string& output) {
  ExportedCase x;
  // Every error is said as it may be printed.
  auto failed = [&x](std::string error) {
    x.error = std::move(error);
    return x;
  };
  std::error_code ec;
  Status st;
  auto c = Case::open_readonly(dir, st);
  if (!c) return failed(util::visible(st.error));
  CaseInfo info = c->info();
  Bundle b;
  b.top = "eksir-case-" + slug(info.id.empty() ? fs::path(dir).filename().string() : info.id, 80);

  std::string db;
  if (st = c->database_bytes(db); !st) return failed(util::visible(st.error));
  b.add("case.db", std::move(db));
  if (std::string incident = c->latest_incident_json(&st); !incident.empty())
    b.add("incident.json", incident);
  b.add("inputs.json", inputs_json(*c));
  b.add("journal.json", journal_files(*c, b));
  // The reports investigate and `eksir report -o` wrote into the case folder.
  std::vector<std::string> reports;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("report.", 0) == 0 && entry.is_regular_file(ec)) reports.push_back(name);
  }
  std::sort(reports.begin(), reports.end());
  for (const auto& name : reports) {
    bool ok = false;
    std::string data = slurp(fs::path(dir) / name, ok);
    if (!ok) return failed(util::visible(dir + "/" + name) + ": cannot be read");
    b.add(slug(name, 80), std::move(data));
  }
  if (Status read = c->read_status(); !read || !st)
    return failed(util::visible(read ? st.error : read.error));

  std::sort(b.files.begin(), b.files.end(),
            [](const TarFile& a, const TarFile& z) { return a.path < z.path; });
  std::string manifest;
  for (const auto& f : b.files)
    manifest += sha256_hex(f.data) + "  " + f.path.substr(b.top.size() + 1) + "\n";
  std::string digest = sha256_hex(manifest);
  size_t listed = b.files.size();
  b.add("manifest.sha256", manifest);
  b.add("manifest-digest.txt", digest + "  manifest.sha256\n");

  // Folders first, so that every tar makes them before their files.
  std::vector<TarFile> entries{{b.top + "/", ""}};
  std::vector<std::string> dirs;
  for (const auto& f : b.files)
    for (size_t slash = f.path.find('/', b.top.size() + 1); slash != std::string::npos;
         slash = f.path.find('/', slash + 1))
      dirs.push_back(f.path.substr(0, slash + 1));
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  for (const auto& d : dirs) entries.push_back({d, ""});
  entries.insert(entries.end(), b.files.begin(), b.files.end());

  std::string error;
  std::string tar = ustar(entries, c->info().updated, error);
  std::string gz = error.empty() ? gzip(tar, error) : std::string();
  if (error.empty()) error = util::write_file_atomic(output, gz);
  if (!error.empty()) return failed(util::visible(error));
  x.files = listed;
  x.bytes = gz.size();
  x.manifest_digest = digest;
  return x;
}

}  // namespace eksir::store
