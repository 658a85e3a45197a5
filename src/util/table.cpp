#include "util/table.h"

#include <algorithm>
#include <numeric>
#include <ostream>

#include "util/colour.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::util {

namespace {

size_t sum(const std::vector<size_t>& v) {
  return std::accumulate(v.begin(), v.end(), size_t{0});
}

// Widths between lo and hi (lo <= hi, sum(lo) <= budget) that fill the budget: each column at
// the same level, clamped to its bounds, the highest level that fits; what is left goes to the
// columns still below hi, left to right.
std::vector<size_t> level_fill(const std::vector<size_t>& lo, const std::vector<size_t>& hi,
                               size_t budget) {
  auto at = [&](size_t level) {
    std::vector<size_t> w(lo.size());
    for (size_t i = 0; i < w.size(); ++i) w[i] = std::clamp(level, lo[i], hi[i]);
    return w;
  };
  size_t low = 0, high = *std::max_element(hi.begin(), hi.end());
  while (low < high) {  // the highest level whose widths fit
    size_t mid = low + (high - low + 1) / 2;
    if (sum(at(mid)) <= budget)
      low = mid;
    else
      high = mid - 1;
  }
  std::vector<size_t> w = at(low);
  size_t left = budget - sum(w);
  for (size_t i = 0; i < w.size() && left; ++i) {
    size_t more = std::min(left, hi[i] - w[i]);
    w[i] += more;
    left -= more;
  }
  return w;
}

}  // namespace

void TableWriter::colour_column(size_t column,
                                std::function<std::string_view(std::string_view)> sgr) {
  if (sgr_.size() <= column) sgr_.resize(column + 1);
  sgr_[column] = std::move(sgr);
}

void TableWriter::hide_below(size_t column, size_t columns) {
  if (width_ == 0 || width_ >= columns) return;
  if (hidden_.size() <= column) hidden_.resize(column + 1);
  hidden_[column] = true;
}

void TableWriter::drop_hidden(std::vector<std::string>& row) const {
  if (hidden_.empty()) return;
  size_t kept = 0;
  for (size_t i = 0; i < row.size(); ++i)
    if (i >= hidden_.size() || !hidden_[i]) {
      if (kept != i) row[kept] = std::move(row[i]);  // never onto itself: that empties it
      ++kept;
    }
  row.resize(kept);
}

void TableWriter::add(std::vector<std::string> row) {
  ++rows_;
  drop_hidden(row);
  if (streaming_) {
    print(row);
    return;
  }
  pending_.push_back(std::move(row));
  if (pending_.size() >= kMeasureRows) flush_pending();
}

// The widths from the header and the measured rows.
void TableWriter::layout() {
  size_t n = header_.size();
  std::vector<size_t> head(n), widest(n), typical(n);
  std::vector<bool> uniform(n, !pending_.empty());
  std::vector<size_t> cells;
  for (size_t i = 0; i < n; ++i) {
    head[i] = display_width(header_[i]);
    cells.clear();
    for (const auto& r : pending_) cells.push_back(i < r.size() ? display_width(r[i]) : 0);
    std::sort(cells.begin(), cells.end());
    widest[i] = std::max(head[i], cells.empty() ? 0 : cells.back());
    // Nine in ten cells fit: one long value does not widen every row.
    size_t ninety = cells.empty() ? 0 : cells[(cells.size() * 9 + 9) / 10 - 1];
    typical[i] = std::max(head[i], ninety);
    uniform[i] = !cells.empty() && cells.front() == cells.back();
  }
  if (width_ == 0) {
    for (size_t i = 0; i < n; ++i)
      widths_.push_back(std::max(head[i], std::min(typical[i], kAlign)));
    return;
  }
  size_t gaps = 2 * (n - 1);
  size_t budget = width_ > gaps + n ? width_ - gaps : n;
  if (sum(widest) <= budget) {
    widths_ = widest;
  } else if (sum(typical) <= budget) {
    widths_ = level_fill(typical, widest, budget);
  } else {
    // Narrow the widest columns; a column whose cells all have one width (times, ids) only when
    // the others cannot give enough.
    std::vector<size_t> floor(n), least(n);
    for (size_t i = 0; i < n; ++i) {
      least[i] = std::min(typical[i], kMinWidth);
      floor[i] = uniform[i] ? typical[i] : least[i];
    }
    if (sum(floor) <= budget)
      widths_ = level_fill(floor, typical, budget);
    else if (sum(least) <= budget)
      widths_ = level_fill(least, typical, budget);
    else
      widths_ = least;  // a terminal too narrow for the columns: print() cuts the line
  }
}

void TableWriter::flush_pending() {
  if (!hidden_.empty()) {
    drop_hidden(header_);
    decltype(sgr_) kept;
    for (size_t i = 0; i < sgr_.size(); ++i)
      if (i >= hidden_.size() || !hidden_[i]) kept.push_back(std::move(sgr_[i]));
    sgr_ = std::move(kept);
  }
  layout();
  std::vector<std::string> upper;
  for (auto h : header_) {
    for (char& c : h)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    upper.push_back(h);
  }
  print(upper, true);
  for (const auto& r : pending_) print(r);
  pending_.clear();
  streaming_ = true;
}

// Every cell is shown through visible(): a value from the evidence cannot move the cursor, end
// the row or reorder the text, and the widths are those of what is printed. Colour goes around
// the visible text of a cell, never inside it, and takes no columns.
void TableWriter::print(const std::vector<std::string>& row, bool header) {
  std::string line;
  size_t at = 0, start = 0;  // printed columns so far; where the cell is due to start
  for (size_t i = 0; i < widths_.size(); ++i) {
    std::string_view cell = i < row.size() ? std::string_view(row[i]) : std::string_view();
    if (i > 0) {
      start += widths_[i - 1] + 2;
      size_t gap = at + 2 <= start ? start - at : 2;
      if (cell.empty() && i + 1 == widths_.size()) break;
      line.append(gap, ' ');
      at += gap;
    }
    std::string_view code;
    if (colour_ && !cell.empty())
      code = header ? sgr::kBold : i < sgr_.size() && sgr_[i] ? sgr_[i](cell) : "";
    if (!code.empty()) line.append("\x1b[").append(code).append("m");
    if (width_)
      at += append_fit(line, cell, widths_[i]);
    else {
      append_visible(line, cell);
      at += display_width(cell);
    }
    if (!code.empty()) line.append("\x1b[0m");
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  // Visible already: fit_line() keeps it, and measures it without the colour sequences.
  if (width_ && at > width_) line = fit_line(line, width_);
  out_ << line << '\n';
}

void TableWriter::finish() {
  if (!streaming_ && rows_ > 0) flush_pending();
}

}  // namespace eksir::util
