// Runs one external command without a shell: stdout and stderr to files, stdin from /dev/null,
// killed (with its process group) when it outlives its timeout.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "event/event.h"

namespace eksir::collect {

struct ExecResult {
  int exit_code = -1;      // the process's exit status; -1 when it did not exit normally
  int signal = 0;          // the signal that ended it, if any
  bool timed_out = false;  // killed because it ran longer than the timeout
  std::string error;       // could not be started (file not found, not executable...)
  TimeNs start = kNoTime, end = kNoTime;
  bool ok() const { return error.empty() && !timed_out && exit_code == 0; }
  std::string describe() const;  // "exit 0", "exit 254", "timed out after 30 s", ...
};

// argv[0] is looked up on PATH when it holds no '/'.
ExecResult exec(const std::vector<std::string>& argv, const std::string& stdout_path,
                const std::string& stderr_path, std::chrono::milliseconds timeout);

}  // namespace eksir::collect
