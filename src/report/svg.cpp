// The HTML report's drawings, computed here so that the page needs no script to
// show them.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "report/html_text.h"
#include "util/time_math.h"

namespace eksir::report {
namespace {

constexpr int64_t kSec = 1000000000LL;
// However wide the axis, no more tick lines than this per segment.
constexpr int kMaxTicks = 24;

using util::add_ns;
using util::span_ns;

std::string short_text(std::string_view s, size_t max) {
  // Cut at a code-point boundary.
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

// Maps time to x, with the response period drawn apart when it is far from the
// incident.
struct Axis {
  struct Segment {
    TimeNs from, to;
    double x0, x1;
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

std::string tick_label(TimeNs t, int64_t step, int64_t span) {
  std::string iso = format_time(t);  // 2026-03-14T09:12:31.250Z
  if (iso.size() < 19) return iso;
  if (span > 366 * 86400 * kSec) return iso.substr(0, 10);
  if (span > 86400 * kSec) return iso.substr(5, 5) + " " + iso.substr(11, 5);
  if (step < 60 * kSec) return iso.substr(11, 8);
  return iso.substr(11, 5);
}

void ticks(std::string& svg, const Axis::Segment& s, double y0, double y1) {
  static const int64_t steps[] = {1,     5,     10,     30,     60,      120,     300,
                                  600,   900,   1800,   3600,   7200,    10800,   21600,
                                  43200, 86400, 172800, 604800, 2592000, 31536000};
  int64_t span = span_ns(s.from, s.to);
  int max_ticks = std::clamp(static_cast<int>((s.x1 - s.x0) / 90), 2, kMaxTicks);
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
  TimeNs first = add_ns(s.from, -((s.from % step + step) % step));
  if (first < s.from) first = add_ns(first, step);
  int drawn = 0;
  for (TimeNs t = first; t <= s.to && drawn <= max_ticks; t = add_ns(t, step), ++drawn) {
    double x = s.x0 + (s.x1 - s.x0) * (span ? static_cast<double>(span_ns(s.from, t)) /
                                                  static_cast<double>(span)
                                            : 0.5);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" "
        "y2=\"{2:.1f}\" class=\"grid\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" class=\"tick\" "
        "text-anchor=\"middle\">{4}</text>\n",
        x, y0, y1, y1 + 14, tick_label(t, step, span));
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

  const double width = 1000, left = 150, right = 24, top = 16, row_h = 34;
  const double plot_w = width - left - right;
  const double bottom_y = top + row_h * static_cast<double>(rows.size());
  const double height = bottom_y + 60;

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
  Axis axis;
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
  if (split) {
    pad(b0, b1);
    double cut = left + plot_w * 0.74;
    axis.segments.push_back({a0, a1, left, cut});
    axis.segments.push_back({b0, b1, cut + 24, left + plot_w});
  } else {
    axis.segments.push_back({a0, a1, left, left + plot_w});
  }

  std::string svg = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {:.0f} {:.0f}\" "
      "role=\"img\" aria-label=\"Timeline chart: events per "
      "layer over time\">\n",
      width, height);
  for (size_t i = 0; i < rows.size(); ++i) {
    double y = top + row_h * static_cast<double>(i);
    svg += fmt::format(
        "<rect x=\"{:.0f}\" y=\"{:.1f}\" width=\"{:.0f}\" "
        "height=\"{:.0f}\" class=\"{}\"/>",
        left, y, plot_w, row_h, i % 2 ? "band1" : "band0");
    svg += fmt::format(
        "<text x=\"{:.0f}\" y=\"{:.1f}\" class=\"rowlabel\" "
        "text-anchor=\"end\">{} ({})</text>\n",
        left - 8, y + row_h / 2 + 4, html_escape(rows[i]), counts[rows[i]]);
  }
  for (const auto& s : axis.segments) ticks(svg, s, top, bottom_y);
  if (split) {
    double x = (axis.segments[0].x1 + axis.segments[1].x0) / 2;
    svg += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"brk\" "
        "text-anchor=\"middle\">//</text>",
        x, bottom_y + 14);
  }
  auto marker_line = [&](TimeNs t, const char* cls, const char* label) {
    if (t == kNoTime) return;
    bool inside = false;
    for (const auto& s : axis.segments) inside = inside || (t >= s.from && t <= s.to);
    if (!inside) return;
    double x = axis.x(t);
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" "
        "y2=\"{2:.1f}\" class=\"{3}\"/>"
        "<text x=\"{4:.1f}\" y=\"{5:.1f}\" "
        "class=\"{3}-label\">{6} {7}</text>\n",
        x, top - 4, bottom_y, cls, x + 3, top - 5, label, time_seconds(t).substr(11, 8));
  };
  marker_line(r.discovered, "v-det", "detected");
  marker_line(r.contained, "v-cont", "contained");
  for (const auto* l : lines) {
    auto it = std::find(rows.begin(), rows.end(), l->layer);
    size_t row = it == rows.end() ? rows.size() - 1 : static_cast<size_t>(it - rows.begin());
    double y = top + row_h * static_cast<double>(row) + row_h / 2;
    svg += mark(l->tag, axis.x(l->time), y) + "<title>" + html_escape(timeline_line(*l)) +
           "</title>" + mark_end(l->tag) + "\n";
  }
  double ly = bottom_y + 40;
  svg += mark("INCIDENT", left + 6, ly) + mark_end("INCIDENT");
  svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"legend\">incident</text>", left + 16,
                     ly + 4);
  svg += mark("DETECTION", left + 96, ly) + mark_end("DETECTION");
  svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"legend\">detection</text>",
                     left + 106, ly + 4);
  svg += mark("RESPONSE", left + 196, ly) + mark_end("RESPONSE");
  svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"legend\">response</text>", left + 206,
                     ly + 4);
  if (std::any_of(lines.begin(), lines.end(), [](const auto* l) { return l->tag == "ANALYST"; })) {
    svg += mark("ANALYST", left + 296, ly) + mark_end("ANALYST");
    svg +=
        fmt::format("<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"legend\">pinned by an analyst</text>",
                    left + 306, ly + 4);
  }
  svg += "</svg>\n";
  return svg + note;
}

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
  const double box_w = 172, box_h = 36, gap_y = 14, top = 34, margin = 10;
  size_t tallest = 0;
  for (const auto& [layer, list] : columns) tallest = std::max(tallest, list.size());
  const double ncols = static_cast<double>(columns.size());
  const double col_gap =
      ncols > 1 ? std::max(80.0, (1000 - 2 * margin - ncols * box_w) / (ncols - 1)) : 0;
  const double width = 2 * margin + ncols * box_w + (ncols - 1) * col_gap;
  const double height = top + static_cast<double>(tallest) * (box_h + gap_y) + 20;
  std::map<std::string, std::pair<double, double>> xy;  // top-left corner
  int c = 0;
  for (const auto& [layer, list] : columns) {
    double x = margin + c * (box_w + col_gap);
    double offset = (static_cast<double>(tallest - list.size()) * (box_h + gap_y)) / 2;
    for (size_t i = 0; i < list.size(); ++i)
      xy[list[i]->key] = {x, top + offset + static_cast<double>(i) * (box_h + gap_y)};
    ++c;
  }
  static const std::map<int, std::string> layer_names = {
      {0, "source addresses"}, {1, "principals"}, {2, "objects"}, {3, "pods"}, {4, "nodes"},
      {5, "instances"}};
  std::string svg = fmt::format(
      "<svg class=\"graph\" viewBox=\"0 0 {:.0f} {:.0f}\" "
      "role=\"img\" aria-label=\"Entity graph\">\n"
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
        "<text x=\"{:.1f}\" y=\"18\" class=\"colhead\" "
        "text-anchor=\"middle\">{}</text>\n",
        margin + c * (box_w + col_gap) + box_w / 2, it == layer_names.end() ? "" : it->second);
    ++c;
  }
  bool labels = r.graph_edges.size() <= 8;  // more would overlap; the list below names them
  for (const auto& e : r.graph_edges) {
    auto f = xy.find(e.from), t = xy.find(e.to);
    if (f == xy.end() || t == xy.end()) continue;
    double fx = f->second.first, fy = f->second.second + box_h / 2;
    double tx = t->second.first, ty = t->second.second + box_h / 2;
    double x1, x2;
    if (fx < tx) {
      x1 = fx + box_w;
      x2 = tx;
    } else if (fx > tx) {
      x1 = fx;
      x2 = tx + box_w;
    } else {  // same column: loop out to the right
      x1 = fx + box_w;
      x2 = tx + box_w;
    }
    double mx = fx == tx ? x1 + 40 : (x1 + x2) / 2;
    svg += fmt::format(
        "<path class=\"edge\" d=\"M{:.1f},{:.1f} C{:.1f},{:.1f} "
        "{:.1f},{:.1f} {:.1f},{:.1f}\" "
        "marker-end=\"url(#arrow)\"><title>{}</title></path>\n",
        x1, fy, mx, fy, mx, ty, x2, ty, html_escape(e.from + " — " + e.relation + " → " + e.to));
    if (labels && !e.relation.empty())
      svg += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"edgelabel\" "
          "text-anchor=\"middle\">{}</text>\n",
          mx, (fy + ty) / 2 - 3, html_escape(short_text(e.relation, 24)));
  }
  for (const auto* n : nodes) {
    auto [x, y] = xy[n->key];
    std::string name = n->ns.empty() ? n->name : n->ns + "/" + n->name;
    svg += fmt::format(
        "<g class=\"node k-{}{}\"><title>{}</title><rect x=\"{:.1f}\" "
        "y=\"{:.1f}\" width=\"{:.0f}\" "
        "height=\"{:.0f}\" rx=\"5\"/><text x=\"{:.1f}\" y=\"{:.1f}\" "
        "class=\"kind\">{}</text>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"name\">{}</text></g>\n",
        html_escape(std::to_string(n->layer)), n->affected ? " affected" : "",
        html_escape(n->kind + ": " + name + (n->affected ? " (affected)" : "")), x, y, box_w, box_h,
        x + 7, y + 13, html_escape(short_text(n->kind, 24)), x + 7, y + 28,
        html_escape(short_text(name, 22)));
  }
  svg += "</svg>\n";
  if (!r.graph_edges.empty()) {
    svg += "<details open class=\"relations\"><summary>Relations</summary><ul>\n";
    for (const auto& e : r.graph_edges)
      svg += "<li>" + html_escape(e.from) + " — " + html_escape(e.relation) + " → " +
             html_escape(e.to) + "</li>\n";
    svg += "</ul></details>\n";
  }
  if (dropped) svg += fmt::format("<p>{} further entities are not drawn.</p>\n", dropped);
  return svg;
}

}  // namespace eksir::report
