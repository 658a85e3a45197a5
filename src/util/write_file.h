// The one way eksir writes a file: whole or not at all.
//
// write_file_atomic() writes to a new temporary file beside the target (created with
// O_CREAT|O_EXCL|O_NOFOLLOW, so a file or symlink someone planted at the temporary name is never
// written through), checks every write, fsyncs it, renames it over the target and fsyncs the
// folder. On any failure the temporary file is removed and the target is left as it was. A disk
// that fills up, a file-size limit or a folder that cannot be written is an error that names the
// path and the system's reason, never a file claimed and missing.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace eksir::util {

// "" when `path` now holds exactly `bytes`; else "PATH: what failed: the system's reason".
[[nodiscard]] std::string write_file_atomic(const std::string& path, std::string_view bytes,
                                            mode_t mode = 0644);

}  // namespace eksir::util
