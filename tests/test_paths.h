// Where the tests find the project, the shared samples and the built CLI.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace eksir::test {
std::string source_dir();    // the project checkout
std::string shared_dir();    // ../shared beside the checkout (EKSIR_SHARED overrides)
std::string samples_dir();   // shared_dir() + "/samples"
std::string eksir_binary();  // the built `eksir`
std::string temp_dir();      // a fresh directory for one test
std::string gzip(const std::string& data);  // data as one gzip member
// Runs fn in a child process that SIGALRM ends after `seconds`: true when fn returned in time.
// For input that once made a function loop forever (allocating as it went): check this first,
// then call fn in the test itself for the assertions.
bool returns_within(unsigned seconds, const std::function<void()>& fn);

struct RunResult {
  int exit_code;
  std::string out;
  std::string err;
};
// Runs the CLI with argv (no shell), capturing stdout and stderr; in cwd when given.
RunResult run_eksir(const std::vector<std::string>& args, const std::string& cwd = "");
// The same with the environment changed for the child: "NAME=value" sets NAME, "NAME" unsets it.
RunResult run_eksir_env(const std::vector<std::string>& args, const std::vector<std::string>& env);
// The same with stdout on a pseudo-terminal (util-linux `script`) of `columns` columns: $COLUMNS
// when use_columns_env, else the terminal's own size (stty). out is what the terminal received,
// carriage returns removed; err is the command's stderr alone. env as for run_eksir_env.
RunResult run_eksir_tty(const std::vector<std::string>& args, unsigned columns,
                        bool use_columns_env = true, const std::string& cwd = "",
                        const std::vector<std::string>& env = {});
// The same with a file-size limit: max_file_bytes is the child's RLIMIT_FSIZE (SIGXFSZ ignored,
// so a write past it fails with EFBIG): a disk that fills up, for every file the child writes but
// the captured stdout and stderr.
RunResult run_eksir(const std::vector<std::string>& args, uint64_t max_file_bytes);
}  // namespace eksir::test
