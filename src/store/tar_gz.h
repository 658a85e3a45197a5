// A gzip-compressed ustar archive, written whole in memory: what `case export` hands over, read
// by any tar. Internal to the store.
#pragma once

#include <string>
#include <vector>

#include "event/event.h"

namespace eksir::store {

struct TarFile {
  std::string path;  // inside the archive, '/'-separated, relative; directories end with '/'
  std::string data;  // empty for a directory
};

// The archive's bytes, every entry with mode 0644 (0755 for directories), owner 0 and the given
// time. error is set, and nothing returned, when a path does not fit a ustar header.
std::string ustar(const std::vector<TarFile>& files, TimeNs mtime, std::string& error);
// data compressed as one gzip member; error is set when it could not be.
std::string gzip(const std::string& data, std::string& error);

}  // namespace eksir::store
