#include <fmt/format.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>

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

Verification verify_bundle(const std::string& dir) {
  Verification v;
  std::string manifest_path = dir + "/" + kManifestFile;
  simdjson::padded_string text;
  if (simdjson::padded_string::load(manifest_path).get(text)) {
    v.error = util::visible(manifest_path) + ": cannot read";
    return v;
  }
  simdjson::dom::parser parser;
  simdjson::dom::array files;
  if (parser.parse(text)["files"].get_array().get(files)) {
    v.error = util::visible(manifest_path) + ": not an eksir collection manifest";
    return v;
  }
  std::map<std::string, Expected> expected;
  for (auto f : files) {
    std::string_view path, sha;
    uint64_t size = 0;
    if (f["path"].get_string().get(path) || f["sha256"].get_string().get(sha) ||
        f["size"].get_uint64().get(size) || !inside(path)) {
      v.error = util::visible(manifest_path) + ": malformed file entry";
      return v;
    }
    expected[std::string(path)] = {size, std::string(sha)};
  }

  auto report = [&](const std::string& line) {
    v.problems.push_back(util::visible(line));  // file names in the bundle are anyone's
  };
  // The manifest itself, against the digest written beside it when it is there.
  std::string recorded_hash;
  if (std::ifstream hf(dir + "/" + kManifestHashFile); hf) hf >> recorded_hash;
  v.manifest_sha256 = sha256_hex(std::string_view(text.data(), text.size()));
  if (!recorded_hash.empty() && recorded_hash != v.manifest_sha256)
    report(fmt::format("changed: {} (sha256 {}, {} says {})", kManifestFile, v.manifest_sha256,
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
  v.files = expected.size();
  return v;
}

}  // namespace eksir::collect
