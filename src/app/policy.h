// The organisation's policy a command is given (--config eksir.yaml), read once for every command.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "cluster/cluster.h"

namespace eksir::app {

struct PolicyFile {
  cluster::Policy policy;
  std::string path;    // absolute, as the case records it (plan and respond reuse it)
  std::string sha256;  // of the file read
};
// The policy in config, or nullopt when it cannot be used: why is said on err after
// "eksir <command>: ".
std::optional<PolicyFile> read_policy(const std::string& config, std::string_view command,
                                      std::ostream& err);

}  // namespace eksir::app
