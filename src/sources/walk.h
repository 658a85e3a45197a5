// Private to sources/: expands the paths a user gave into the evidence files to read.
#pragma once

#include <string>
#include <vector>

#include "sources/sources.h"

namespace eksir::sources::detail {

struct FileEntry {
  std::string path;
  uint64_t size = 0;
};

// Files in the order given; folders recursively with their entries sorted by name, so runs are
// deterministic. Symlinks are followed; a folder reached twice (a symlink loop) is reported once
// and not entered again. Problems become Skips, never exceptions.
std::vector<FileEntry> walk(const std::vector<std::string>& paths, std::vector<Skip>& problems);

}  // namespace eksir::sources::detail
