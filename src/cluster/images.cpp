// Images: scanners' findings read from vulnerability events, image references taken apart, and
// the join of a finding to the image a container runs (by digest first).
#include <algorithm>
#include <cctype>

#include "cluster/cluster.h"
#include "event/fields.h"

namespace eksir::cluster {
namespace {

std::string_view strip_scheme(std::string_view ref) {
  if (size_t p = ref.find("://"); p != std::string_view::npos) ref.remove_prefix(p + 3);
  return ref;
}

// A finding's image as an ImageRef: its name (registry/repository) or repository alone.
ImageRef finding_ref(const ImageVulnerability& v) {
  if (!v.image_name.empty()) return parse_image_ref(v.image_name);
  ImageRef r;  // ECR's repository name: no registry, and not Docker Hub's
  r.repository = v.repository;
  return r;
}

bool same_image(const ImageVulnerability& v, const ImageRef& run) {
  if (run.repository.empty()) return false;
  ImageRef f = finding_ref(v);
  // A repository alone (ECR basic scanning without the region) names no registry.
  if (v.image_name.empty()) return f.canonical_repository() == run.canonical_repository();
  return f.canonical() == run.canonical();
}

}  // namespace

// Version order as package managers mostly agree on it: numeric runs compared as numbers,
// the rest as text (2.17.1 > 2.9.0; 1.1.1f-1ubuntu2.17 > 1.1.1f-1ubuntu2.16).
bool version_less(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    bool da = std::isdigit(static_cast<unsigned char>(a[i])),
         db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string_view na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
      while (na.size() > 1 && na[0] == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb[0] == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

// The lowest version that fixes every one of a package's findings: the highest of their fixed
// versions. A finding may name several (one per release line: "2.12.2, 2.15.0"): its highest.
std::string fix_for_all(const std::vector<std::string>& fixed) {
  std::string best;
  for (const auto& f : fixed) {
    std::string_view list = f;
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view one = list.substr(0, comma);
      while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
      if (!one.empty() && (best.empty() || version_less(best, one))) best = std::string(one);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  return best;
}

int ImageVulnerability::rank() const {
  if (severity == "CRITICAL") return 4;
  if (severity == "HIGH") return 3;
  if (severity == "MEDIUM") return 2;
  if (severity == "LOW") return 1;
  return 0;
}

std::optional<ImageVulnerability> image_vulnerability(const EventView& ev) {
  if (ev.source != Source::Vulnerability) return std::nullopt;
  std::string status = path_text(ev.doc, "status");
  if (status == "CLOSED" || status == "SUPPRESSED") return std::nullopt;
  ImageVulnerability v;
  v.id = path_text(ev.doc, "vulnerability_id");
  v.severity = path_text(ev.doc, "severity");
  double score = 0;
  if (ev.doc["score"].get(score) == simdjson::SUCCESS) v.score = score;
  bool exploit = false;
  if (ev.doc["exploit_available"].get(exploit) == simdjson::SUCCESS) v.exploit_available = exploit;
  v.fix_available = path_text(ev.doc, "fix_available");
  v.package = path_text(ev.doc, "package_name");
  v.version = path_text(ev.doc, "package_version");
  v.fixed_version = path_text(ev.doc, "package_fixed_version");
  v.image_name = path_text(ev.doc, "image_name");
  v.repository = path_text(ev.doc, "image_repository");
  v.digest = path_text(ev.doc, "image_digest");
  simdjson::dom::array tags;
  if (ev.doc["image_tags"].get(tags) == simdjson::SUCCESS)
    for (auto t : tags) {
      std::string_view s;
      if (t.get(s) == simdjson::SUCCESS) v.tags.emplace_back(s);
    }
  v.scanner = path_text(ev.doc, "scanner_vendor");
  v.event_id = path_text(ev.doc, "id");
  v.file = std::string(ev.file);
  v.line = ev.line;
  v.time = ev.time;
  if (v.id.empty()) return std::nullopt;
  return v;
}

ImageRef parse_image_ref(std::string_view ref) {
  ImageRef r;
  ref = strip_scheme(ref);
  if (size_t at = ref.find('@'); at != std::string_view::npos) {
    r.digest = std::string(ref.substr(at + 1));
    ref = ref.substr(0, at);
  } else if (ref.rfind("sha256:", 0) == 0) {
    r.digest = std::string(ref);
    return r;
  }
  if (size_t slash = ref.find('/'); slash != std::string_view::npos) {
    std::string_view first = ref.substr(0, slash);
    if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
        first == "localhost") {
      r.registry = std::string(first);
      ref.remove_prefix(slash + 1);
    }
  }
  if (r.registry.empty()) r.registry = "docker.io";
  size_t colon = ref.rfind(':');
  if (colon != std::string_view::npos && ref.find('/', colon) == std::string_view::npos) {
    r.tag = std::string(ref.substr(colon + 1));
    ref = ref.substr(0, colon);
  }
  r.repository = std::string(ref);
  return r;
}

std::string ImageRef::canonical_repository() const {
  bool hub = registry == "docker.io" || registry == "index.docker.io" ||
             registry == "registry-1.docker.io";
  if (hub && !repository.empty() && repository.find('/') == std::string::npos)
    return "library/" + repository;
  return repository;
}

std::string ImageRef::canonical() const {
  bool hub = registry == "index.docker.io" || registry == "registry-1.docker.io";
  return (hub ? std::string("docker.io") : registry) + "/" + canonical_repository();
}

std::string running_digest(std::string_view image, std::string_view image_id) {
  // A bare sha256:... is the image's configuration id (an image built on the node), not the
  // manifest digest registries and scanners name.
  if (image_id.find('@') != std::string_view::npos) {
    ImageRef id = parse_image_ref(image_id);
    if (id.digest.rfind("sha256:", 0) == 0) return id.digest;
  }
  return parse_image_ref(image).digest;
}

ImageJoin image_join(const ImageVulnerability& v, std::string_view image,
                     std::string_view image_id) {
  ImageRef run = parse_image_ref(image);
  if (run.repository.empty() && !image_id.empty()) run = parse_image_ref(image_id);
  if (!same_image(v, run)) return ImageJoin::none;
  std::string digest = running_digest(image, image_id);
  if (!v.digest.empty() && !digest.empty())
    return v.digest == digest ? ImageJoin::digest : ImageJoin::none;
  // One side knows no digest: the tag is all there is to go by.
  std::string tag = run.tag.empty() && run.digest.empty() ? "latest" : run.tag;
  if (!tag.empty() && std::find(v.tags.begin(), v.tags.end(), tag) != v.tags.end())
    return ImageJoin::tag;
  return ImageJoin::none;
}

ImageIndex::ImageIndex(const std::vector<ImageVulnerability>& v) : all_(&v) {
  for (size_t i = 0; i < v.size(); ++i) {
    std::string repo = finding_ref(v[i]).canonical_repository();
    if (!repo.empty()) by_repository_[repo].push_back(i);
  }
}

ImageIndex::Match ImageIndex::match(std::string_view image, std::string_view image_id) const {
  Match m;
  ImageRef run = parse_image_ref(image);
  if (run.repository.empty() && !image_id.empty()) run = parse_image_ref(image_id);
  auto it = by_repository_.find(run.canonical_repository());
  if (it == by_repository_.end()) return m;
  for (size_t i : it->second) {
    const ImageVulnerability& v = (*all_)[i];
    ImageJoin how = image_join(v, image, image_id);
    if (how == ImageJoin::none) continue;
    if (std::find(m.findings.begin(), m.findings.end(), &v) != m.findings.end()) continue;
    m.findings.push_back(&v);
    if (how == ImageJoin::digest || m.how == ImageJoin::none) m.how = how;
  }
  std::stable_sort(m.findings.begin(), m.findings.end(),
                   [](const ImageVulnerability* a, const ImageVulnerability* b) {
                     if (a->rank() != b->rank()) return a->rank() > b->rank();
                     if (a->exploit_available != b->exploit_available) return a->exploit_available;
                     if (a->score != b->score) return a->score > b->score;
                     return a->id < b->id;
                   });
  return m;
}

}  // namespace eksir::cluster
