// The HTML report's drawings, computed here so that the page needs no script to
// show them. Labels are placed with an estimate of their width (text_width) so
// that none overlaps another or leaves the drawing.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "report/html_text.h"
#include "util/time_math.h"
#include "util/visible.h"

namespace eksir::report {
namespace {

constexpr int64_t kSec = 1000000000LL;
// However wide the axis, no more tick lines than this per segment.
constexpr int kMaxTicks = 24;

using util::add_ns;
using util::span_ns;

// The width of text in em, as DejaVu Sans sets it: the widest of the common sans-serif faces
// (and Debian's default), so that a label measured with it fits in any other. Bold is wider.
double text_em(std::string_view visible_text, bool bold = false) {
  // Advance widths of ' ' to '~' in thousandths of an em.
  static const int ascii[95] = {
      318,  401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,  // ' '-'/'
      636,  636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,  // '0'-'?'
      1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,  // '@'-'O'
      603,  787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,  // 'P'-'_'
      500,  613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,  // '`'-'o'
      635,  635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838};      // 'p'-'~'
  double em = 0;
  for (size_t i = 0; i < visible_text.size();) {
    auto c = static_cast<unsigned char>(visible_text[i]);
    if (c < 0x80) {
      em += (c >= 32 && c < 127 ? ascii[c - 32] : 600) / 1000.0;
      ++i;
      continue;
    }
    em += 1.0;  // any other character: as wide as a wide one
    i += c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  }
  return bold ? em * 1.12 : em;
}

// The width of text drawn at font_size, with a margin for rounding and kerning.
double text_width(std::string_view visible_text, double font_size, bool bold = false) {
  return text_em(visible_text, bold) * font_size * 1.06 + 2;
}

// Text drawn in a drawing: shown as visible() shows it, then escaped.
std::string svg_text(std::string_view s) {
  return html_escape(s);
}

// The labels of the timeline chart are laid out for the largest size the page gives them
// (svg.chart text: 11 px in a wide window, 13.5 px in a narrow one, in the drawing's units).
constexpr double kChartFont = 13.5;

// Maps time to x, with the response period drawn apart when it is far from the
// incident.
struct Axis {
  struct Segment {
    TimeNs from, to;
    double x0, x1;
    // How far its labels may reach: the drawing's edge, or the segment's own edge at a break.
    double label_min, label_max;
  };
  std::vector<Segment> segments;

  double x(TimeNs t) const {
    for (const auto& s : segments) {
      if (t < s.from || t > s.to) continue;
      if (s.to == s.from) return (s.x0 + s.x1) / 2;
      return s.x0 + (s.x1 - s.x0) * static_cast<double>(span_ns(s.from, t)) /
                        static_cast<double>(span_ns(s.from, s.to));
    }
    if (!segments.empty() && t < segments.front().from) return segments.front().x0;
    return segments.empty() ? 0 : segments.back().x1;
  }
};

std::string date_of(TimeNs t) {
  return format_time(t).substr(0, 10);  // 2026-03-14
}

// A tick's time line: whole days as dates, else the time of day.
std::string tick_time(TimeNs t, int64_t step) {
  std::string iso = format_time(t);  // 2026-03-14T09:12:31.250Z
  if (iso.size() < 19) return iso;
  if (step >= 86400 * kSec) return iso.substr(0, 10);
  if (step < 60 * kSec) return iso.substr(11, 8);
  return iso.substr(11, 5);
}

struct TickRows {
  double time_y, date_y;
};

// Grid lines and labels of one segment. A label is drawn only where it stays within the
// segment's label range, so labels on either side of a break never meet. The first label of a
// segment, and each whose day differs from the one before, has its date on a second line; a
// segment where no tick label fits is labelled at its middle.
void ticks(std::string& svg, const Axis::Segment& s, double y0, double y1, const TickRows& rows) {
  static const int64_t steps[] = {1,     5,     10,     30,     60,      120,     300,
                                  600,   900,   1800,   3600,   7200,    10800,   21600,
                                  43200, 86400, 172800, 604800, 2592000, 31536000};
  int64_t span = span_ns(s.from, s.to);
  const double date_w = text_width("2026-03-14", kChartFont);
  const double spacing = date_w + 14;
  int max_ticks = std::clamp(static_cast<int>((s.x1 - s.x0) / spacing), 1, kMaxTicks);
  int64_t step = 0;
  for (int64_t st : steps)
    if (span / (st * kSec) <= max_ticks) {
      step = st * kSec;
      break;
    }
  // Wider than the longest step covers: whole years, as many as keep to max_ticks.
  if (step == 0) {
    int64_t year = steps[std::size(steps) - 1] * kSec;
    step = (span / max_ticks / year + 1) * year;
  }
  auto x_of = [&](TimeNs t) {
    return s.x0 +
           (s.x1 - s.x0) *
               (span ? static_cast<double>(span_ns(s.from, t)) / static_cast<double>(span) : 0.5);
  };
  std::string last_date;
  bool dated_days = step >= 86400 * kSec;  // the time line is the date already
  auto label = [&](double x, TimeNs t, int64_t label_step) {
    std::string time = tick_time(t, label_step), date = date_of(t);
    bool with_date = !dated_days && date != last_date;
    double w = std::max(text_width(time, kChartFont), with_date ? date_w : 0.0);
    if (x - w / 2 < s.label_min || x + w / 2 > s.label_max) return false;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}",
                       x, rows.time_y, svg_text(time));
    svg += "</text>";
    if (with_date)
      svg += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>", x,
          rows.date_y, date);
    svg += "\n";
    last_date = date;
    return true;
  };
  TimeNs first = add_ns(s.from, -((s.from % step + step) % step));
  if (first < s.from) first = add_ns(first, step);
  int drawn = 0, labelled = 0;
  for (TimeNs t = first; t <= s.to && drawn <= max_ticks; t = add_ns(t, step), ++drawn) {
    double x = x_of(t);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"grid\"/>", x, y0,
        y1);
    if (label(x, t, step)) ++labelled;
  }
  if (labelled == 0) {
    TimeNs mid = add_ns(s.from, span / 2);
    label((s.x0 + s.x1) / 2, mid, std::min<int64_t>(step, 60 * kSec));
  }
}

std::string mark(const std::string& tag, double x, double y) {
  if (tag == "DETECTION")
    return fmt::format(
        "<polygon class=\"m-det\" points=\"{:.1f},{:.1f} "
        "{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\">",
        x, y - 7, x + 7, y, x, y + 7, x - 7, y);
  if (tag == "RESPONSE")
    return fmt::format(
        "<rect class=\"m-resp\" x=\"{:.1f}\" y=\"{:.1f}\" "
        "width=\"11\" height=\"11\">",
        x - 5.5, y - 5.5);
  if (tag == "ANALYST")
    return fmt::format(
        "<polygon class=\"m-ana\" points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\">", x, y - 7,
        x + 7, y + 6, x - 7, y + 6);
  return fmt::format("<circle class=\"m-inc\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\">", x, y);
}

std::string mark_end(const std::string& tag) {
  if (tag == "DETECTION" || tag == "ANALYST") return "</polygon>";
  if (tag == "RESPONSE") return "</rect>";
  return "</circle>";
}

// A label at x on the line at y: to the right of x when it fits in the drawing, else to its left.
std::string side_label(double x, double y, double width, const std::string& cls,
                       const std::string& text) {
  double w = text_width(text, kChartFont);
  bool right = x + 4 + w <= width - 2 || x - 4 - w < 2;
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"{}\" text-anchor=\"{}\">{}</text>\n",
                     right ? x + 4 : x - 4, y, cls, right ? "start" : "end", svg_text(text));
}

}  // namespace

std::string timeline_svg(const Report& r) {
  std::vector<const TimelineLine*> lines;
  size_t left_out = 0;
  for (const auto& l : r.timeline) {
    if (l.time == kNoTime) continue;
    if (l.implausible)
      ++left_out;
    else
      lines.push_back(&l);
  }
  std::string note =
      left_out == 0 ? ""
      : left_out == 1
          ? "<p class=\"basis\">1 event with an implausible time is not drawn (listed below, "
            "marked).</p>\n"
          : fmt::format(
                "<p class=\"basis\">{} events with implausible times are not drawn "
                "(listed below, marked).</p>\n",
                left_out);
  if (lines.empty()) return "<p>No timed events to draw.</p>\n" + note;

  static const std::vector<std::string> order = {
      "Kubernetes audit", "CloudTrail", "GuardDuty", "Falco", "EDR", "Other", "Response"};
  std::map<std::string, int> counts;
  for (const auto* l : lines) ++counts[l->layer];
  std::vector<std::string> rows;
  for (const auto& layer : order)
    if (counts.count(layer) || (layer != "Other" && layer != "Response")) rows.push_back(layer);
  std::vector<std::string> row_labels;
  double label_w = 0;
  for (const auto& row : rows) {
    row_labels.push_back(fmt::format("{} ({})", row, counts[row]));
    label_w = std::max(label_w, text_width(row_labels.back(), kChartFont, true));
  }

  // Incident and detection times on one segment; response times far after them
  // on a second.
  TimeNs a0 = INT64_MAX, a1 = INT64_MIN, b0 = INT64_MAX, b1 = INT64_MIN;
  for (const auto* l : lines) {
    bool resp = l->tag == "RESPONSE";
    TimeNs& lo = resp ? b0 : a0;
    TimeNs& hi = resp ? b1 : a1;
    lo = std::min(lo, l->time);
    hi = std::max(hi, l->time);
  }
  if (a0 == INT64_MAX) {
    a0 = b0;
    a1 = b1;
    b0 = INT64_MAX;
  }
  int64_t span_a = std::max<int64_t>(span_ns(a0, a1), 60 * kSec);
  bool split = b0 != INT64_MAX && b0 > add_ns(a1, span_a / 2);
  if (!split && b0 != INT64_MAX) {
    a0 = std::min(a0, b0);
    a1 = std::max(a1, b1);
  }
  auto pad = [](TimeNs& lo, TimeNs& hi) {
    int64_t p = std::max<int64_t>(span_ns(lo, hi) / 40, 30 * kSec);
    lo = add_ns(lo, -p);
    hi = add_ns(hi, p);
  };
  pad(a0, a1);

  auto in_chart = [&](TimeNs t, TimeNs lo, TimeNs hi) {
    return t != kNoTime && t >= lo && t <= hi;
  };
  const double width = 1000, right = 16, row_h = 34;
  const double left = std::clamp(std::ceil(label_w) + 14, 120.0, 340.0);
  const double plot_w = width - left - right;
  const double gap = 40;  // between the segments of a broken axis

  Axis axis;
  if (split) {
    pad(b0, b1);
    double cut = left + plot_w * 0.72;
    axis.segments.push_back({a0, a1, left, cut, 2, cut});
    axis.segments.push_back({b0, b1, cut + gap, left + plot_w, cut + gap, width - 2});
  } else {
    axis.segments.push_back({a0, a1, left, left + plot_w, 2, width - 2});
  }
  auto drawn = [&](TimeNs t) {
    for (const auto& s : axis.segments)
      if (in_chart(t, s.from, s.to)) return true;
    return false;
  };
  // Marker labels above the rows: detection on the first line, containment on the second.
  const bool mark_det = drawn(r.discovered), mark_cont = drawn(r.contained);
  const double det_y = 16, cont_y = mark_det ? 33 : 16;
  const double top = mark_cont ? cont_y + 9 : mark_det ? det_y + 9 : 12;
  const double bottom_y = top + row_h * static_cast<double>(rows.size());
  const TickRows tick_rows{bottom_y + 17, bottom_y + 33};
  double y = tick_rows.date_y + 6;
  const double break_y = y + 14;
  if (split) y += 20;
  const double legend_y = y + 16;
  const double height = legend_y + 14;

  std::string svg = fmt::format(
      "<div class=\"scroll\"><svg class=\"chart\" viewBox=\"0 0 {:.0f} {:.0f}\" "
      "role=\"img\" aria-label=\"Timeline chart: events per "
      "layer over time\">\n",
      width, height);
  for (size_t i = 0; i < rows.size(); ++i) {
    double ry = top + row_h * static_cast<double>(i);
    for (const auto& s : axis.segments)
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.0f}\" class=\"{}\"/>", s.x0,
          ry, s.x1 - s.x0, row_h, i % 2 ? "band1" : "band0");
    svg += fmt::format(
        "<text x=\"{:.0f}\" y=\"{:.1f}\" class=\"rowlabel\" "
        "text-anchor=\"end\">{}</text>\n",
        left - 10, ry + row_h / 2 + 4, svg_text(row_labels[i]));
  }
  for (const auto& s : axis.segments) {
    ticks(svg, s, top, bottom_y, tick_rows);
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"axis\"/>\n", s.x0,
        bottom_y, s.x1, bottom_y);
  }
  const bool dated = split || span_ns(a0, a1) > 86400 * kSec;
  if (split) {
    // The break: two strokes across the axis in the gap, and how much time it leaves out on a
    // line of its own.
    const auto& sa = axis.segments[0];
    const auto& sb = axis.segments[1];
    double x = (sa.x1 + sb.x0) / 2;
    svg += fmt::format(
        "<path class=\"brk\" d=\"M{:.1f},{:.1f} L{:.1f},{:.1f} M{:.1f},{:.1f} L{:.1f},{:.1f}\"/>",
        x - 7, bottom_y + 6, x - 1, bottom_y - 6, x + 1, bottom_y + 6, x + 7, bottom_y - 6);
    int64_t skipped = span_ns(sa.to, sb.from) / kSec;
    std::string text = "axis broken: " + human_duration(skipped) + " left out";
    double w = text_width(text, kChartFont);
    double cx = std::clamp(x, w / 2 + 2, width - w / 2 - 2);
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"brk-label\" text-anchor=\"middle\">{}</text>\n",
        cx, break_y, svg_text(text));
  }
  auto marker_line = [&](TimeNs t, const char* cls, const char* label, double label_y) {
    double x = axis.x(t);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" class=\"{3}\"/>", x,
        label_y - 10, bottom_y, cls);
    std::string when = time_seconds(t);  // 2026-03-14T09:12:31Z
    std::string text = std::string(label) + " " +
                       (dated ? when.substr(0, 10) + " " + when.substr(11, 8) : when.substr(11, 8));
    svg += side_label(x, label_y, width, std::string(cls) + "-label", text);
  };
  if (mark_det) marker_line(r.discovered, "v-det", "detected", det_y);
  if (mark_cont) marker_line(r.contained, "v-cont", "contained", cont_y);
  for (const auto* l : lines) {
    auto it = std::find(rows.begin(), rows.end(), l->layer);
    size_t row = it == rows.end() ? rows.size() - 1 : static_cast<size_t>(it - rows.begin());
    double my = top + row_h * static_cast<double>(row) + row_h / 2;
    svg += mark(l->tag, axis.x(l->time), my) + "<title>" + svg_text(timeline_line(*l)) +
           "</title>" + mark_end(l->tag) + "\n";
  }
  std::vector<std::pair<std::string, std::string>> legend = {
      {"INCIDENT", "incident"}, {"DETECTION", "detection"}, {"RESPONSE", "response"}};
  if (std::any_of(lines.begin(), lines.end(), [](const auto* l) { return l->tag == "ANALYST"; }))
    legend.emplace_back("ANALYST", "pinned by an analyst");
  double lx = left;
  for (const auto& [tag, text] : legend) {
    svg += mark(tag, lx + 6, legend_y) + mark_end(tag);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"legend\">{}</text>", lx + 16,
                       legend_y + 4, text);
    lx += 16 + text_width(text, kChartFont) + 20;
  }
  svg += "</svg></div>\n";
  return svg + note;
}

namespace {

// A name's lines in a box max_width wide at font_size: broken after spaces and separators, a
// piece wider than a line split where it must. At most max_lines: a longer name ends in "…" (the
// box's tooltip and the relation list name it whole).
std::vector<std::string> wrap(const std::string& visible_text, double font_size, bool bold,
                              double max_width, size_t max_lines) {
  std::vector<std::string> pieces;
  std::string piece;
  for (size_t i = 0; i < visible_text.size();) {
    auto c = static_cast<unsigned char>(visible_text[i]);
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    piece.append(visible_text, i, len);
    i += len;
    if (len == 1 && std::string_view(" /:.,;-_=@&?|+)]}>").find(static_cast<char>(c)) !=
                        std::string_view::npos) {
      pieces.push_back(std::move(piece));
      piece.clear();
    }
  }
  if (!piece.empty()) pieces.push_back(std::move(piece));
  std::vector<std::string> lines;
  std::string line;
  auto fits = [&](const std::string& s) { return text_width(s, font_size, bold) <= max_width; };
  for (const auto& p : pieces) {
    if (fits(line + p)) {
      line += p;
      continue;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    line.clear();
    // A piece wider than a line: as much as fits, character by character.
    for (size_t i = 0; i < p.size();) {
      auto c = static_cast<unsigned char>(p[i]);
      size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      std::string next = line + p.substr(i, len);
      if (!line.empty() && !fits(next)) {
        lines.push_back(std::move(line));
        line = p.substr(i, len);
      } else {
        line = std::move(next);
      }
      i += len;
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));
  for (auto& l : lines) {
    while (!l.empty() && l.back() == ' ') l.pop_back();
    while (!l.empty() && l.front() == ' ') l.erase(0, 1);
  }
  std::erase_if(lines, [](const std::string& l) { return l.empty(); });
  if (lines.size() > max_lines) {
    lines.resize(max_lines);
    std::string& last = lines.back();
    while (!last.empty() && !fits(last + "…")) {
      size_t cut = last.size() - 1;
      while (cut > 0 && (static_cast<unsigned char>(last[cut]) & 0xc0) == 0x80) --cut;
      last.resize(cut);
    }
    last += "…";
  }
  return lines;
}

struct Box {
  double x, y, w, h;
  bool meets(const Box& o) const {
    return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h;
  }
};

}  // namespace

std::string graph_svg(const Report& r) {
  if (r.graph_nodes.empty()) return "<p>No entities to draw.</p>";
  constexpr size_t kMaxNodes = 80;
  // Keep linked and affected entities first when there are too many to draw.
  std::set<std::string> linked;
  for (const auto& e : r.graph_edges) {
    linked.insert(e.from);
    linked.insert(e.to);
  }
  std::vector<const GraphNode*> nodes;
  for (const auto& n : r.graph_nodes) nodes.push_back(&n);
  std::stable_sort(nodes.begin(), nodes.end(), [&](const GraphNode* a, const GraphNode* b) {
    int sa = (linked.count(a->key) ? 2 : 0) + (a->affected ? 1 : 0);
    int sb = (linked.count(b->key) ? 2 : 0) + (b->affected ? 1 : 0);
    return sa > sb;
  });
  size_t dropped = nodes.size() > kMaxNodes ? nodes.size() - kMaxNodes : 0;
  if (dropped) nodes.resize(kMaxNodes);

  // One column per stage: source addresses, principals, objects, pods, nodes, instances.
  std::map<int, std::vector<const GraphNode*>> columns;
  for (const auto* n : nodes) columns[n->layer].push_back(n);
  std::map<std::string, std::pair<int, double>> pos;  // key → (column index, order)
  std::map<std::string, std::vector<std::string>> neighbours;
  for (const auto& e : r.graph_edges) {
    neighbours[e.from].push_back(e.to);
    neighbours[e.to].push_back(e.from);
  }
  int col = 0;
  for (auto& [layer, list] : columns) {
    // Order each column by the mean position of its neighbours in earlier
    // columns.
    std::vector<std::pair<double, const GraphNode*>> keyed;
    for (size_t i = 0; i < list.size(); ++i) {
      double sum = 0;
      int n = 0;
      for (const auto& nb : neighbours[list[i]->key]) {
        auto it = pos.find(nb);
        if (it == pos.end() || it->second.first >= col) continue;
        sum += it->second.second;
        ++n;
      }
      keyed.emplace_back(n ? sum / n : static_cast<double>(i) + 1000, list[i]);
    }
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < keyed.size(); ++i) {
      list[i] = keyed[i].second;
      pos[list[i]->key] = {col, static_cast<double>(i)};
    }
    ++col;
  }

  // Drawn at its own size (the page scrolls it sideways rather than shrink its text): names in
  // 12 px bold, kinds and relations in 10 px, wrapped to the box rather than cut.
  constexpr double kName = 12, kKind = 10, kHead = 11, kEdge = 10, kPad = 8;
  constexpr double kMinBox = 150, kMaxBox = 230, kGapY = 12, kTop = 30, kMargin = 10;
  constexpr size_t kMaxLines = 10;
  struct Laid {
    std::vector<std::string> kind, name;
    Box box{};
  };
  static const std::map<int, std::string> layer_names = {
      {0, "source addresses"}, {1, "principals"}, {2, "objects"}, {3, "pods"}, {4, "nodes"},
      {5, "instances"}};
  std::map<std::string, Laid> laid;
  std::vector<double> col_w;
  for (const auto& [layer, list] : columns) {
    auto head = layer_names.find(layer);
    double w = std::max(kMinBox, head == layer_names.end() ? 0 : text_width(head->second, kHead));
    for (const auto* n : list) {
      Laid& l = laid[n->key];
      std::string name = util::visible(n->ns.empty() ? n->name : n->ns + "/" + n->name);
      std::string kind = util::visible(n->kind);
      std::string upper = kind;
      for (auto& ch : upper)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      l.name = wrap(name, kName, true, kMaxBox - 2 * kPad, kMaxLines);
      l.kind = wrap(upper, kKind, false, kMaxBox - 2 * kPad, 2);
      for (const auto& line : l.name) w = std::max(w, text_width(line, kName, true) + 2 * kPad);
      for (const auto& line : l.kind) w = std::max(w, text_width(line, kKind) + 2 * kPad);
    }
    col_w.push_back(std::min(std::ceil(w), kMaxBox));
  }
  bool edge_labels = r.graph_edges.size() <= 8;  // more would crowd; the list below names them
  double col_gap = 64;
  if (edge_labels)
    for (const auto& e : r.graph_edges)
      col_gap =
          std::max(col_gap, std::min(170.0, text_width(util::visible(e.relation), kEdge) + 24));
  std::vector<double> col_h, col_x;
  double x = kMargin;
  for (const auto& [layer, list] : columns) {
    double h = 0;
    for (const auto* n : list) {
      Laid& l = laid[n->key];
      l.box.h = 6 + 12 * static_cast<double>(l.kind.size()) + 3 +
                15 * static_cast<double>(l.name.size()) + 6;
      h += l.box.h + (h > 0 ? kGapY : 0);
    }
    col_h.push_back(h);
    col_x.push_back(x);
    x += col_w[col_x.size() - 1] + col_gap;
  }
  const double width = x - col_gap + kMargin;
  const double tallest = *std::max_element(col_h.begin(), col_h.end());
  const double height = kTop + tallest + 16;
  size_t c = 0;
  for (const auto& [layer, list] : columns) {
    double y = kTop + (tallest - col_h[c]) / 2;
    for (const auto* n : list) {
      Laid& l = laid[n->key];
      l.box.x = col_x[c];
      l.box.y = y;
      l.box.w = col_w[c];
      y += l.box.h + kGapY;
    }
    ++c;
  }

  std::string svg = fmt::format(
      "<div class=\"scroll\"><svg class=\"graph\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" role=\"img\" aria-label=\"Entity graph\">\n"
      "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" "
      "refX=\"10\" refY=\"5\" markerWidth=\"7\" "
      "markerHeight=\"7\" orient=\"auto-start-reverse\"><path "
      "d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"/>"
      "</marker></defs>\n",
      width, height);
  c = 0;
  for (const auto& [layer, list] : columns) {
    auto it = layer_names.find(layer);
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"18\" class=\"colhead\" text-anchor=\"middle\">{}</text>\n",
        col_x[c] + col_w[c] / 2, it == layer_names.end() ? "" : it->second);
    ++c;
  }
  std::vector<Box> taken;  // node boxes and relation labels placed so far
  for (const auto& [key, l] : laid) taken.push_back(l.box);
  for (const auto& e : r.graph_edges) {
    auto f = laid.find(e.from), t = laid.find(e.to);
    if (f == laid.end() || t == laid.end()) continue;
    const Box& fb = f->second.box;
    const Box& tb = t->second.box;
    double fy = fb.y + fb.h / 2, ty = tb.y + tb.h / 2;
    double x1, x2;
    if (fb.x < tb.x) {
      x1 = fb.x + fb.w;
      x2 = tb.x;
    } else if (fb.x > tb.x) {
      x1 = fb.x;
      x2 = tb.x + tb.w;
    } else {  // same column: loop out to the right
      x1 = fb.x + fb.w;
      x2 = tb.x + tb.w;
    }
    double mx = fb.x == tb.x ? x1 + 40 : (x1 + x2) / 2;
    svg += fmt::format(
        "<path class=\"edge\" d=\"M{:.1f},{:.1f} C{:.1f},{:.1f} "
        "{:.1f},{:.1f} {:.1f},{:.1f}\" "
        "marker-end=\"url(#arrow)\"><title>{}</title></path>\n",
        x1, fy, mx, fy, mx, ty, x2, ty, svg_text(e.from + " — " + e.relation + " → " + e.to));
    if (!edge_labels || e.relation.empty()) continue;
    // A relation's label where it meets no box and no other label; the list below names it
    // either way.
    std::string text = util::visible(e.relation);
    double w = text_width(text, kEdge);
    Box lb{mx - w / 2, (fy + ty) / 2 - 13, w, 14};
    if (lb.x < 0 || lb.x + lb.w > width ||
        std::any_of(taken.begin(), taken.end(), [&](const Box& b) { return b.meets(lb); }))
      continue;
    taken.push_back(lb);
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"edgelabel\" text-anchor=\"middle\">{}</text>\n",
        mx, (fy + ty) / 2 - 3, svg_text(text));
  }
  for (const auto* n : nodes) {
    const Laid& l = laid[n->key];
    std::string name = n->ns.empty() ? n->name : n->ns + "/" + n->name;
    svg += fmt::format(
        "<g class=\"node k-{}{}\"><title>{}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" "
        "width=\"{:.0f}\" height=\"{:.0f}\" rx=\"5\"/>",
        svg_text(std::to_string(n->layer)), n->affected ? " affected" : "",
        svg_text(n->kind + ": " + name + (n->affected ? " (affected)" : "")), l.box.x, l.box.y,
        l.box.w, l.box.h);
    double ty = l.box.y + 6;
    for (const auto& line : l.kind) {
      ty += 12;
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"kind\">{}</text>", l.box.x + kPad,
                         ty - 2.5, html_escape(line));
    }
    ty += 3;
    for (const auto& line : l.name) {
      ty += 15;
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"name\">{}</text>", l.box.x + kPad,
                         ty - 3, html_escape(line));
    }
    svg += "</g>\n";
  }
  svg += "</svg></div>\n";
  if (!r.graph_edges.empty()) {
    svg +=
        "<details class=\"relations\"><summary>" +
        fmt::format("{} relation{}", r.graph_edges.size(), r.graph_edges.size() == 1 ? "" : "s") +
        "</summary><ul>\n";
    for (const auto& e : r.graph_edges)
      svg += "<li>" + html_text(e.from) + " — " + html_text(e.relation) + " → " + html_text(e.to) +
             "</li>\n";
    svg += "</ul></details>\n";
  }
  if (dropped) svg += fmt::format("<p>{} further entities are not drawn.</p>\n", dropped);
  return svg;
}

}  // namespace eksir::report
