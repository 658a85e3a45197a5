// The bundle's manifest.json: what was run, by whom, when, and the hash of every file written.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "collect/commands.h"
#include "collect/exec.h"

namespace eksir::collect {

struct OutputFile {
  std::string path;  // relative to the bundle; "" when not kept (blank output)
  uint64_t size = 0;
  std::string sha256;
};

struct Record {
  std::string program;  // as executed
  Command command;
  ExecResult result;
  std::optional<OutputFile> out, err;  // nullopt: the stream could not be read
  std::string refused;  // why it was never run (outside the read-only table, a value failing
                        // its rule); "" when it ran
};

struct Operator {
  std::string user, host;
  int64_t uid = -1;
  std::string aws_account, aws_arn, aws_user_id;  // from sts get-caller-identity when it worked
};

// Evidence the bundle lacks and why: a source that refused or could not answer.
struct Gap {
  std::string source;   // "Amazon Inspector", "Amazon ECR"
  std::string subject;  // what was asked about: repositories, an image
  std::string note;
};

struct Manifest {
  std::string version, cluster, region, profile, endpoint_url;
  std::vector<std::string> namespaces;
  TimeNs since = kNoTime, until = kNoTime, started = kNoTime, finished = kNoTime;
  Operator op;
  std::deque<Record> records;  // a deque: references to earlier records stay valid
  std::vector<UnscannedImage> images_not_scanned;  // by Inspector and ECR scanning
  std::vector<Gap> gaps;
};

inline constexpr const char* kManifestFile = "manifest.json";
inline constexpr const char* kManifestHashFile = "manifest.sha256";

// The manifest as JSON. It has apiVersion / kind / metadata like a Kubernetes object, so the
// evidence readers pass it over as state rather than report it as unrecognised evidence.
std::string manifest_json(const Manifest& m);

}  // namespace eksir::collect
