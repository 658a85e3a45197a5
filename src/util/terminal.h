// The width of the terminal output is shown on: what tables and summaries are fitted to.
#pragma once

#include <cstddef>

namespace eksir::util {

// The columns of the terminal fd writes to: $COLUMNS when it is a number, else the terminal's
// size (ioctl TIOCGWINSZ), else 80. 0 when fd is not a terminal (a pipe, a file): the output is
// read by a program or kept, and nothing is cut to fit.
size_t terminal_width(int fd);

}  // namespace eksir::util
