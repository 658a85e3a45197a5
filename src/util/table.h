// An aligned text table that streams once its column widths are known. Cells are given as they
// are (evidence included) and printed through util::visible().
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace eksir::util {

class TableWriter {
 public:
  // width: the columns of the terminal the table is shown on (util::terminal_width): every line
  // fits in it, the widest columns are narrowed first (a column of fixed-width values such as
  // times last) and a cell longer than its column is cut with "…". 0, when the output is not a
  // terminal: no cell is cut; a column is as wide as nine in ten of its cells, up to kAlign, and
  // a longer cell pushes the rest of its row right, which lines up again at the first cell that
  // leaves room.
  TableWriter(std::ostream& out, std::vector<std::string> header, size_t width = 0)
      : out_(out), header_(std::move(header)), width_(width) {}
  // Colour (util/colour.h), off unless the caller's options say so: the header bold, and the
  // cells of each column given to colour_column() wrapped in the SGR code sgr(cell) returns ("" for
  // none). Widths and cuts are those of the text alone; a cut cell keeps its colour.
  void set_colour(bool on) { colour_ = on; }
  void colour_column(size_t column, std::function<std::string_view(std::string_view)> sgr);
  // On a terminal narrower than `columns`, the column is left out, so that the others stay
  // readable (not on a terminal, it is always there). Before the first add().
  void hide_below(size_t column, size_t columns);
  void add(std::vector<std::string> row);
  void finish();

 private:
  void flush_pending();
  void drop_hidden(std::vector<std::string>& row) const;
  void layout();
  void print(const std::vector<std::string>& row, bool header = false);

  static constexpr size_t kMeasureRows = 500;  // rows that set the widths before streaming starts
  static constexpr size_t kMinWidth = 6;       // a narrowed column keeps at least this
  static constexpr size_t kAlign = 40;         // not a terminal: the widest a column is padded to
  std::ostream& out_;
  std::vector<std::string> header_;
  size_t width_ = 0;
  std::vector<std::vector<std::string>> pending_;
  std::vector<size_t> widths_;
  bool streaming_ = false;
  size_t rows_ = 0;
  bool colour_ = false;
  std::vector<std::function<std::string_view(std::string_view)>> sgr_;  // by column
  std::vector<bool> hidden_;  // by column as given; left out of every row and the header
};

}  // namespace eksir::util
