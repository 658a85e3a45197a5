#include "collect/manifest.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/json_writer.h"

namespace eksir::collect {

namespace {

void file_json(util::JsonWriter& j, const std::optional<OutputFile>& f) {
  if (!f) {
    j.null();
    return;
  }
  j.open('{', true);
  j.kv_or_null("path", f->path);
  j.kv_num("size", f->size);
  j.kv("sha256", f->sha256);
  j.close('}');
}

// One command on three lines and more: its argv, how it ran, where its output went.
void record_json(util::JsonWriter& j, const Record& r) {
  j.item();
  j.open('{', true);
  j.key("argv");
  j.open('[');
  j.item();
  j.str(r.program);
  for (const auto& a : r.command.args) {
    j.item();
    j.str(a);
  }
  j.close(']');
  j.break_line(5);
  j.kv_time("started", r.result.start);
  j.kv_time("ended", r.result.end);
  j.key("exitStatus");
  if (r.result.exit_code >= 0)
    j.num(r.result.exit_code);
  else
    j.null();
  if (r.result.signal != 0) j.kv_num("signal", r.result.signal);
  j.kv_bool("timedOut", r.result.timed_out);
  if (!r.result.error.empty()) j.kv("error", r.result.error);
  if (!r.refused.empty()) j.kv("refused", r.refused);
  j.break_line(5);
  j.key("stdout");
  file_json(j, r.out);
  j.break_line(5);
  j.key("stderr");
  file_json(j, r.err);
  j.close('}');
}

}  // namespace

// Pretty-printed to two levels, each entry of a list on a line of its own; a list of commands or
// files is never written [] but as an empty block.
std::string manifest_json(const Manifest& m) {
  util::JsonWriter j;
  j.indent = 2;
  j.open('{');
  j.kv("apiVersion", "eksir/v1");
  j.kv("kind", "CollectionManifest");
  j.key("metadata");
  j.open('{', true);
  std::string started = iso_seconds(m.started);
  started.erase(
      std::remove_if(started.begin(), started.end(), [](char c) { return c == '-' || c == ':'; }),
      started.end());
  j.kv("name", fmt::format("{}-{}", m.cluster, started));
  j.kv_time("creationTimestamp", m.finished);
  j.close('}');
  j.kv("tool", "eksir " + m.version);
  j.key("target");
  j.open('{', true);
  j.kv("cluster", m.cluster);
  j.kv("region", m.region);
  j.kv("profile", m.profile);
  j.kv("endpointUrl", m.endpoint_url);
  j.kv_list("namespaces", m.namespaces);
  j.kv_time("since", m.since);
  j.kv_time("until", m.until);
  j.close('}');
  j.key("operator");
  j.open('{', true);
  j.kv("user", m.op.user);
  j.kv_num("uid", m.op.uid);
  j.kv("host", m.op.host);
  j.key("awsCallerIdentity");
  if (m.op.aws_arn.empty()) {
    j.null();
  } else {
    j.open('{');
    j.kv("account", m.op.aws_account);
    j.kv("arn", m.op.aws_arn);
    j.kv("userId", m.op.aws_user_id);
    j.close('}');
  }
  j.close('}');
  j.kv_time("started", m.started);
  j.kv_time("finished", m.finished);
  j.key("commands");
  j.open('[');
  std::vector<const OutputFile*> files;
  for (const auto& r : m.records) {
    record_json(j, r);
    for (const auto* f : {&r.out, &r.err})
      if (*f && !(*f)->path.empty()) files.push_back(&**f);
  }
  if (m.records.empty()) j.raw("\n  ");
  j.close(']');
  std::sort(files.begin(), files.end(),
            [](const OutputFile* a, const OutputFile* b) { return a->path < b->path; });
  j.key("imagesNotScanned");
  j.open('[');
  for (const auto& i : m.images_not_scanned) {
    j.item();
    j.open('{', true);
    j.kv("image", i.image);
    j.kv("reason", i.reason);
    j.close('}');
  }
  j.close(']');
  j.key("gaps");
  j.open('[');
  for (const auto& g : m.gaps) {
    j.item();
    j.open('{', true);
    j.kv("source", g.source);
    j.kv("subject", g.subject);
    j.kv("note", g.note);
    j.close('}');
  }
  j.close(']');
  j.key("files");
  j.open('[');
  for (const auto* f : files) {
    j.item();
    file_json(j, *f);
  }
  if (files.empty()) j.raw("\n  ");
  j.close(']');
  j.close('}');
  j.raw("\n");
  return std::move(j.o);
}

}  // namespace eksir::collect
