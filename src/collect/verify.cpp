#include <fmt/format.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>

#include "collect/collect.h"
#include "collect/manifest.h"
#include "util/sha256.h"
#include "util/visible.h"

namespace eksir::collect {

namespace fs = std::filesystem;

namespace {

struct Expected {
  uint64_t size = 0;
  std::string sha256;
};

// A manifest path must name a file inside the bundle.
bool inside(std::string_view rel) {
  if (rel.empty() || rel.front() == '/') return false;
  fs::path p(rel);
  for (const auto& part : p)
    if (part == "..") return false;
  return true;
}

}  // namespace

int verify(const std::string& dir, std::ostream& out, std::ostream& err) {
  std::string manifest_path = dir + "/" + kManifestFile;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(manifest_path).get(text)) {
    err << "eksir collect --verify: " << util::visible(manifest_path) << ": cannot read\n";
    return 2;
  }
  simdjson::dom::parser parser;
  simdjson::dom::array files;
  if (parser.parse(text)["files"].get_array().get(files)) {
    err << "eksir collect --verify: " << util::visible(manifest_path)
        << ": not an eksir collection manifest\n";
    return 2;
  }
  std::map<std::string, Expected> expected;
  for (auto f : files) {
    std::string_view path, sha;
    uint64_t size = 0;
    if (f["path"].get_string().get(path) || f["sha256"].get_string().get(sha) ||
        f["size"].get_uint64().get(size) || !inside(path)) {
      err << "eksir collect --verify: " << util::visible(manifest_path)
          << ": malformed file entry\n";
      return 2;
    }
    expected[std::string(path)] = {size, std::string(sha)};
  }

  size_t problems = 0;
  auto report = [&](const std::string& line) {
    out << util::visible(line) << "\n";  // file names in the bundle are anyone's
    ++problems;
  };
  // The manifest itself, against the digest written beside it when it is there.
  std::string recorded_hash;
  if (std::ifstream hf(dir + "/" + kManifestHashFile); hf) hf >> recorded_hash;
  std::string manifest_hash = sha256_hex(std::string_view(text.data(), text.size()));
  if (!recorded_hash.empty() && recorded_hash != manifest_hash)
    report(fmt::format("changed: {} (sha256 {}, {} says {})", kManifestFile, manifest_hash,
                       kManifestHashFile, recorded_hash));

  for (const auto& [rel, want] : expected) {
    auto d = sha256_file(dir + "/" + rel);
    if (!d.ok())
      report(fmt::format("missing: {} ({})", rel, d.error));
    else if (d.hex != want.sha256 || d.size != want.size)
      report(fmt::format("changed: {} (sha256 {}, {} bytes; manifest: sha256 {}, {} bytes)", rel,
                         d.hex, d.size, want.sha256, want.size));
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) continue;
    std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    if (rel == kManifestFile || rel == kManifestHashFile) continue;
    if (!expected.count(rel)) report(fmt::format("not in manifest: {}", rel));
  }
  if (ec) report(fmt::format("unreadable: {} ({})", dir, ec.message()));

  if (problems == 0) {
    out << fmt::format("ok: {} files match the manifest (manifest sha256 {})\n", expected.size(),
                       manifest_hash);
    return 0;
  }
  err << fmt::format("eksir collect --verify: {} problem{} in {}\n", problems,
                     problems == 1 ? "" : "s", util::visible(dir));
  return 1;
}

}  // namespace eksir::collect
