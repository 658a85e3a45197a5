#include "collect/manifest.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/text.h"

namespace eksir::collect {

namespace {

void str(std::string& o, std::string_view s) {
  util::append_json_string(o, s);
}

void time_or_null(std::string& o, TimeNs t) {
  if (t == kNoTime)
    o += "null";
  else
    str(o, format_time(t));
}

void file_json(std::string& o, const std::optional<OutputFile>& f) {
  if (!f) {
    o += "null";
    return;
  }
  o += "{\"path\": ";
  if (f->path.empty())
    o += "null";
  else
    str(o, f->path);
  o += fmt::format(", \"size\": {}, \"sha256\": ", f->size);
  str(o, f->sha256);
  o += "}";
}

void record_json(std::string& o, const Record& r) {
  o += "    {\"argv\": [";
  str(o, r.program);
  for (const auto& a : r.command.args) {
    o += ", ";
    str(o, a);
  }
  o += "],\n     \"started\": ";
  time_or_null(o, r.result.start);
  o += ", \"ended\": ";
  time_or_null(o, r.result.end);
  o += ", \"exitStatus\": ";
  o += r.result.exit_code >= 0 ? std::to_string(r.result.exit_code) : "null";
  if (r.result.signal != 0) o += fmt::format(", \"signal\": {}", r.result.signal);
  o += fmt::format(", \"timedOut\": {}", r.result.timed_out ? "true" : "false");
  if (!r.result.error.empty()) {
    o += ", \"error\": ";
    str(o, r.result.error);
  }
  if (!r.refused.empty()) {
    o += ", \"refused\": ";
    str(o, r.refused);
  }
  o += ",\n     \"stdout\": ";
  file_json(o, r.out);
  o += ",\n     \"stderr\": ";
  file_json(o, r.err);
  o += "}";
}

}  // namespace

std::string manifest_json(const Manifest& m) {
  std::string o = "{\n  \"apiVersion\": \"eksir/v1\",\n  \"kind\": \"CollectionManifest\",\n";
  o += "  \"metadata\": {\"name\": ";
  std::string started = iso_seconds(m.started);
  started.erase(
      std::remove_if(started.begin(), started.end(), [](char c) { return c == '-' || c == ':'; }),
      started.end());
  str(o, fmt::format("{}-{}", m.cluster, started));
  o += ", \"creationTimestamp\": ";
  time_or_null(o, m.finished);
  o += "},\n  \"tool\": ";
  str(o, "eksir " + m.version);
  o += ",\n  \"target\": {\"cluster\": ";
  str(o, m.cluster);
  o += ", \"region\": ";
  str(o, m.region);
  o += ", \"profile\": ";
  str(o, m.profile);
  o += ", \"endpointUrl\": ";
  str(o, m.endpoint_url);
  o += ", \"namespaces\": [";
  for (size_t i = 0; i < m.namespaces.size(); ++i) {
    if (i) o += ", ";
    str(o, m.namespaces[i]);
  }
  o += "], \"since\": ";
  time_or_null(o, m.since);
  o += ", \"until\": ";
  time_or_null(o, m.until);
  o += "},\n  \"operator\": {\"user\": ";
  str(o, m.op.user);
  o += fmt::format(", \"uid\": {}, \"host\": ", m.op.uid);
  str(o, m.op.host);
  o += ", \"awsCallerIdentity\": ";
  if (m.op.aws_arn.empty()) {
    o += "null";
  } else {
    o += "{\"account\": ";
    str(o, m.op.aws_account);
    o += ", \"arn\": ";
    str(o, m.op.aws_arn);
    o += ", \"userId\": ";
    str(o, m.op.aws_user_id);
    o += "}";
  }
  o += "},\n  \"started\": ";
  time_or_null(o, m.started);
  o += ",\n  \"finished\": ";
  time_or_null(o, m.finished);
  o += ",\n  \"commands\": [\n";
  std::vector<const OutputFile*> files;
  for (size_t i = 0; i < m.records.size(); ++i) {
    record_json(o, m.records[i]);
    o += i + 1 < m.records.size() ? ",\n" : "\n";
    for (const auto* f : {&m.records[i].out, &m.records[i].err})
      if (*f && !(*f)->path.empty()) files.push_back(&**f);
  }
  std::sort(files.begin(), files.end(),
            [](const OutputFile* a, const OutputFile* b) { return a->path < b->path; });
  o += "  ],\n  \"imagesNotScanned\": [";
  for (size_t i = 0; i < m.images_not_scanned.size(); ++i) {
    o += i ? ",\n    {\"image\": " : "\n    {\"image\": ";
    str(o, m.images_not_scanned[i].image);
    o += ", \"reason\": ";
    str(o, m.images_not_scanned[i].reason);
    o += "}";
  }
  o += m.images_not_scanned.empty() ? "],\n  \"gaps\": [" : "\n  ],\n  \"gaps\": [";
  for (size_t i = 0; i < m.gaps.size(); ++i) {
    o += i ? ",\n    {\"source\": " : "\n    {\"source\": ";
    str(o, m.gaps[i].source);
    o += ", \"subject\": ";
    str(o, m.gaps[i].subject);
    o += ", \"note\": ";
    str(o, m.gaps[i].note);
    o += "}";
  }
  o += m.gaps.empty() ? "],\n" : "\n  ],\n";
  o += "  \"files\": [\n";
  for (size_t i = 0; i < files.size(); ++i) {
    o += "    ";
    file_json(o, *files[i]);
    o += i + 1 < files.size() ? ",\n" : "\n";
  }
  o += "  ]\n}\n";
  return o;
}

}  // namespace eksir::collect
