// Runs one program with an argv (fork and exec, never a shell), feeding stdin and collecting
// stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace eksir::respond {

struct ProcessResult {
  int exit_status = -1;  // 128 + signal when killed; 127 when the program could not start
  std::string out, err;
};

// argv[0] is looked up on PATH when it holds no '/'.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text);

}  // namespace eksir::respond
