#include "util/table.h"

#include <algorithm>
#include <ostream>

#include "util/text.h"
#include "util/visible.h"

namespace eksir::util {

void TableWriter::add(std::vector<std::string> row) {
  ++rows_;
  if (streaming_) {
    print(row);
    return;
  }
  pending_.push_back(std::move(row));
  if (pending_.size() >= kMeasureRows) flush_pending();
}

void TableWriter::flush_pending() {
  widths_.assign(header_.size(), 0);
  for (size_t i = 0; i < header_.size(); ++i) widths_[i] = util::display_width(header_[i]);
  for (const auto& r : pending_)
    for (size_t i = 0; i < r.size() && i < widths_.size(); ++i)
      widths_[i] = std::max(widths_[i], std::min(kMaxWidth, util::display_width(r[i])));
  std::vector<std::string> upper;
  for (auto h : header_) {
    for (char& c : h)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    upper.push_back(h);
  }
  print(upper);
  for (const auto& r : pending_) print(r);
  pending_.clear();
  streaming_ = true;
}

// Every cell is shown through visible(): a value from the evidence cannot move the cursor, end
// the row or reorder the text, and the widths are those of what is printed.
void TableWriter::print(const std::vector<std::string>& row) {
  std::string line;
  for (size_t i = 0; i < widths_.size(); ++i) {
    std::string_view cell = i < row.size() ? std::string_view(row[i]) : std::string_view();
    if (i + 1 == widths_.size()) {
      util::append_visible(line, cell);
      break;
    }
    size_t cols = util::append_fit(line, cell, widths_[i]);
    line.append(widths_[i] - cols + 2, ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out_ << line << '\n';
}

void TableWriter::finish() {
  if (!streaming_ && rows_ > 0) flush_pending();
}

}  // namespace eksir::util
