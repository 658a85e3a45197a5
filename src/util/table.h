// An aligned text table that streams once its column widths are known. Cells are given as they
// are (evidence included) and printed through util::visible().
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace eksir::util {

class TableWriter {
 public:
  TableWriter(std::ostream& out, std::vector<std::string> header)
      : out_(out), header_(std::move(header)) {}
  void add(std::vector<std::string> row);
  void finish();

 private:
  void flush_pending();
  void print(const std::vector<std::string>& row);

  static constexpr size_t kMeasureRows = 500;  // rows that set the widths before streaming starts
  static constexpr size_t kMaxWidth = 64;
  std::ostream& out_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> pending_;
  std::vector<size_t> widths_;
  bool streaming_ = false;
  size_t rows_ = 0;
};

}  // namespace eksir::util
