#include "scenarios/scorer.h"

#include "event/event.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace eksir::test::scenarios {

using nlohmann::json;

const std::vector<std::string> kCategories = {
    "stable",       "severity", "criteria",     "criteria_not", "window",   "gaps",      "timeline",
    "timeline_not", "affected", "not_affected", "plan",         "plan_not", "plan_order"};

namespace {

const json& member(const json& j, const char* key) {
  static const json null_value;
  if (!j.is_object()) return null_value;
  auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

std::string text(const json& j, const char* key) {
  const json& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::vector<std::string> strings(const json& j) {
  std::vector<std::string> out;
  if (j.is_string()) out.push_back(j.get<std::string>());
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? s.npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = " ") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string shorten(std::string s, size_t n = 140) {
  if (s.size() > n) s = s.substr(0, n - 1) + "…";
  return s;
}

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

const std::vector<std::string>& phase_order() {
  static const std::vector<std::string> p = {"contain", "eradicate", "recover"};
  return p;
}

int phase_rank(const std::string& phase) {
  const auto& p = phase_order();
  auto it = std::find(p.begin(), p.end(), phase);
  return it == p.end() ? 99 : static_cast<int>(it - p.begin());
}

std::string kubectl_alias(const std::string& flag) {
  if (flag == "-n") return "--namespace";
  if (flag == "-f") return "--filename";
  if (flag == "-o") return "--output";
  return flag;
}

std::vector<std::string> argv_of(const json& step) {
  return strings(member(member(step, "command"), "argv"));
}

std::string stdin_of(const json& step) {
  std::string s = text(member(step, "command"), "stdin");
  if (s.empty()) s = text(member(step, "manifest"), "yaml");
  return s;
}

// One step of a plan, with where it is.
struct Located {
  std::string phase;
  size_t index = 0;
  const json* step = nullptr;
};

std::vector<Located> steps_in(const std::map<std::string, json>& plans, const std::string& phases) {
  std::vector<Located> out;
  for (const auto& phase : split(phases.empty() ? "contain|eradicate|recover" : phases, '|')) {
    auto it = plans.find(phase);
    if (it == plans.end()) continue;
    const json& steps = member(it->second, "steps");
    if (!steps.is_array()) continue;
    for (size_t i = 0; i < steps.size(); ++i) out.push_back({phase, i, &steps[i]});
  }
  return out;
}

std::string describe_step(const Located& l) {
  std::string s = fmt::format("{} #{}: {}", l.phase, l.index + 1, join(argv_of(*l.step)));
  const json& b = member(*l.step, "blocked");
  if (b.is_string()) s += " [BLOCKED: " + b.get<std::string>() + "]";
  return shorten(s, 200);
}

std::string describe_want(const json& want) {
  if (want.contains("any_of")) {
    std::vector<std::string> alts;
    for (const auto& a : member(want, "any_of")) alts.push_back(describe_want(a));
    return "any of {" + join(alts, " | ") + "}";
  }
  std::string s = text(want, "phase") + ": " + join(strings(member(want, "argv")));
  const json& flags = member(want, "flags");
  if (flags.is_object())
    for (auto it = flags.begin(); it != flags.end(); ++it)
      s += " " + it.key() + " " + (it.value().is_string() ? it.value().get<std::string>() : "");
  for (const auto& c : strings(member(want, "stdin_contains"))) s += " <stdin has \"" + c + "\">";
  for (const auto& c : strings(member(want, "stdin_not_contains")))
    s += " <stdin lacks \"" + c + "\">";
  const json& b = member(want, "blocked");
  if (b.is_boolean()) s += b.get<bool>() ? " (blocked" : " (not blocked";
  if (b.is_boolean() && want.contains("blocked_contains"))
    s += ", naming " + text(want, "blocked_contains");
  if (b.is_boolean()) s += ")";
  return s;
}

// Steps whose shape matches `want` (any_of: any alternative), and among them those whose
// blocked state matches too.
struct StepMatch {
  std::vector<Located> shape, full;
};

StepMatch find_steps(const json& want, const std::map<std::string, json>& plans) {
  StepMatch m;
  if (want.contains("any_of")) {
    for (const auto& alt : member(want, "any_of")) {
      StepMatch a = find_steps(alt, plans);
      m.shape.insert(m.shape.end(), a.shape.begin(), a.shape.end());
      m.full.insert(m.full.end(), a.full.begin(), a.full.end());
    }
    return m;
  }
  for (const auto& l : steps_in(plans, text(want, "phase"))) {
    if (!step_shape_matches(want, *l.step)) continue;
    m.shape.push_back(l);
    if (step_blocked_matches(want, *l.step)) m.full.push_back(l);
  }
  return m;
}

// ---- incident helpers

std::set<std::string> likely_benign_findings(const json& inc) {
  std::set<std::string> out;
  const json& lb = member(inc, "likely_benign");
  if (lb.is_array())
    for (const auto& f : lb) out.insert(text(f, "finding"));
  out.erase("");
  return out;
}

bool name_matches(const json& want, const json& a) {
  std::string name = text(want, "name");
  std::vector<std::string> names = {text(a, "name"), text(a, "id"),
                                    text(member(a, "attributes"), "principal_arn"),
                                    text(member(a, "attributes"), "arn")};
  bool ok = false;
  for (const auto& n : names)
    if (!n.empty() && token_matches(name, n)) ok = true;
  if (!ok) return false;
  if (want.contains("namespace") && text(want, "namespace") != text(a, "namespace")) return false;
  const json& attrs = member(want, "attributes");
  if (attrs.is_object())
    for (auto it = attrs.begin(); it != attrs.end(); ++it) {
      std::string v = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
      if (!token_matches(v, text(member(a, "attributes"), it.key().c_str()))) return false;
    }
  return true;
}

std::string affected_label(const json& want) {
  std::string s = text(want, "kind") + " ";
  if (want.contains("namespace")) s += text(want, "namespace") + "/";
  s += text(want, "name");
  const json& attrs = member(want, "attributes");
  if (attrs.is_object())
    for (auto it = attrs.begin(); it != attrs.end(); ++it)
      s += " " + it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : "");
  return s;
}

std::string same_kind(const json& inc, const std::string& kind) {
  std::vector<std::string> names;
  const json& aff = member(inc, "affected");
  if (aff.is_array())
    for (const auto& a : aff)
      if (text(a, "kind") == kind)
        names.push_back((text(a, "namespace").empty() ? "" : text(a, "namespace") + "/") +
                        text(a, "name"));
  if (names.empty()) return "no " + kind + " is affected";
  return "affected " + kind + ": " + shorten(join(names, ", "), 180);
}

}  // namespace

// ---------------------------------------------------------------- matching rules

std::vector<std::string> normalise_argv(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  bool kubectl = !argv.empty() && argv.front() == "kubectl";
  for (std::string t : argv) {
    if (t.size() >= 2 && (t.front() == '\'' || t.front() == '"') && t.back() == t.front())
      t = t.substr(1, t.size() - 2);
    if (t == "--") continue;
    if (t.rfind("--", 0) == 0) {
      size_t eq = t.find('=');
      if (eq != std::string::npos) {
        out.push_back(t.substr(0, eq));
        out.push_back(t.substr(eq + 1));
        continue;
      }
    }
    out.push_back(kubectl ? kubectl_alias(t) : t);
  }
  return out;
}

bool token_matches(std::string_view want, std::string_view have) {
  if (want.find('*') == std::string_view::npos) return want == have;
  // Iterative glob with backtracking to the last '*'.
  size_t w = 0, h = 0, star = std::string_view::npos, mark = 0;
  while (h < have.size()) {
    if (w < want.size() && want[w] == '*') {
      star = w++;
      mark = h;
    } else if (w < want.size() && want[w] == have[h]) {
      ++w;
      ++h;
    } else if (star != std::string_view::npos) {
      w = star + 1;
      h = ++mark;
    } else {
      return false;
    }
  }
  while (w < want.size() && want[w] == '*') ++w;
  return w == want.size();
}

bool is_subsequence(const std::vector<std::string>& want, const std::vector<std::string>& have) {
  size_t i = 0;
  for (size_t j = 0; i < want.size() && j < have.size(); ++j)
    if (token_matches(want[i], have[j])) ++i;
  return i == want.size();
}

bool has_flag(const std::vector<std::string>& argv, const std::string& flag,
              const std::string& value) {
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == flag && token_matches(value, argv[i + 1])) return true;
  return false;
}

bool step_shape_matches(const json& want, const json& step) {
  std::vector<std::string> have = normalise_argv(argv_of(step));
  std::vector<std::string> w = strings(member(want, "argv"));
  if (!w.empty() && w.front() == "kubectl")
    for (auto& t : w) t = kubectl_alias(t);
  if (!is_subsequence(normalise_argv(w), have)) return false;
  const json& flags = member(want, "flags");
  bool kubectl = !have.empty() && have.front() == "kubectl";
  if (flags.is_object())
    for (auto it = flags.begin(); it != flags.end(); ++it) {
      std::string flag = kubectl ? kubectl_alias(it.key()) : it.key();
      if (!it.value().is_string() || !has_flag(have, flag, it.value().get<std::string>()))
        return false;
    }
  std::string in = stdin_of(step);
  for (const auto& c : strings(member(want, "stdin_contains")))
    if (!contains(in, c)) return false;
  for (const auto& c : strings(member(want, "stdin_not_contains")))
    if (contains(in, c)) return false;
  for (const auto& c : strings(member(want, "argv_not_contains")))
    for (const auto& t : have)
      if (contains(t, c)) return false;
  return true;
}

bool step_blocked_matches(const json& want, const json& step) {
  const json& b = member(step, "blocked");
  bool blocked = b.is_string() && !b.get<std::string>().empty();
  const json& wb = member(want, "blocked");
  if (wb.is_boolean() && wb.get<bool>() != blocked) return false;
  std::string needle = text(want, "blocked_contains");
  if (!needle.empty() && !(blocked && contains(b.get<std::string>(), needle))) return false;
  return true;
}

std::string to_second(std::string_view iso) {
  return std::string(iso.substr(0, std::min<size_t>(iso.size(), 19)));
}

// ---------------------------------------------------------------- scoring

std::string incident_difference(const json& a, const json& b) {
  const json& x = member(a, "incident");
  const json& y = member(b, "incident");
  auto set_of = [](const json& list, auto key) {
    std::set<std::string> out;
    if (list.is_array())
      for (const auto& v : list) out.insert(key(v));
    return out;
  };
  auto diff = [](const std::string& what, const std::set<std::string>& p,
                 const std::set<std::string>& q) -> std::string {
    std::vector<std::string> only_p, only_q;
    for (const auto& v : p)
      if (!q.count(v)) only_p.push_back(v);
    for (const auto& v : q)
      if (!p.count(v)) only_q.push_back(v);
    if (only_p.empty() && only_q.empty()) return "";
    return fmt::format("{}: {} only in the first run ({}), {} only in the second ({})", what,
                       only_p.size(), shorten(join(only_p, ", "), 90), only_q.size(),
                       shorten(join(only_q, ", "), 90));
  };
  if (text(x, "severity") != text(y, "severity"))
    return "severity " + text(x, "severity") + " vs " + text(y, "severity");
  auto crit = [](const json& c) { return text(c, "id"); };
  if (auto d = diff("criteria", set_of(member(x, "criteria"), crit),
                    set_of(member(y, "criteria"), crit));
      !d.empty())
    return d;
  for (const char* m : {"first_malicious_event", "last_malicious_event"})
    if (text(member(x, "metrics"), m) != text(member(y, "metrics"), m))
      return fmt::format("{} {} vs {}", m, text(member(x, "metrics"), m),
                         text(member(y, "metrics"), m));
  auto aff = [](const json& a) {
    return text(a, "kind") + ":" + text(a, "namespace") + "/" + text(a, "name");
  };
  if (auto d =
          diff("affected", set_of(member(x, "affected"), aff), set_of(member(y, "affected"), aff));
      !d.empty())
    return d;
  auto tl = [](const json& t) {
    return to_second(text(t, "time")) + " " + text(t, "tag") + " " +
           text(member(t, "evidence"), "event_id") + " " + text(t, "text");
  };
  if (auto d =
          diff("timeline", set_of(member(x, "timeline"), tl), set_of(member(y, "timeline"), tl));
      !d.empty())
    return d;
  // What the incident says it assumed and could not see, counts included.
  auto line = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  for (const char* list : {"assumptions", "gaps"})
    if (auto d = diff(list, set_of(member(x, list), line), set_of(member(y, list), line));
        !d.empty())
      return d;
  return "";
}

Score score(const json& truth, const json& incident_doc, const std::map<std::string, json>& plans,
            const json* rerun) {
  Score s;
  const json& e = member(truth, "expect");
  const json& inc = member(incident_doc, "incident");
  auto add = [&](const std::string& cat, std::string item, bool pass, std::string detail) {
    s.items.push_back({cat, std::move(item), pass, std::move(detail)});
  };

  // the same evidence gives the same incident
  if (rerun) {
    std::string d = incident_difference(incident_doc, *rerun);
    add("stable", "a second investigation of the same evidence gives the same incident", d.empty(),
        d.empty() ? "same severity, criteria, window, affected and timeline" : d);
  }

  // severity
  if (e.contains("severity")) {
    std::string want = text(e, "severity"), got = text(inc, "severity");
    add("severity", want, want == got, "got " + (got.empty() ? std::string("none") : got));
  }

  // criteria met (not likely benign), and not met
  auto met = [&](const std::string& id) -> std::string {
    const json& cs = member(inc, "criteria");
    std::string state = "not met";
    if (cs.is_array())
      for (const auto& c : cs)
        if (text(c, "id") == id) {
          if (!member(c, "likely_benign").is_boolean() || !c["likely_benign"].get<bool>())
            return "met";
          state = "met but likely benign";
        }
    return state;
  };
  for (const auto& id : strings(member(e, "criteria"))) {
    std::string st = met(id);
    add("criteria", id, st == "met", st);
  }
  for (const auto& id : strings(member(e, "criteria_not"))) {
    std::string st = met(id);
    add("criteria_not", id, st != "met", st);
  }

  // window of malicious activity, to the second
  const json& win = member(e, "window");
  const json& metrics = member(inc, "metrics");
  for (auto [key, metric] : {std::pair<const char*, const char*>{"first", "first_malicious_event"},
                             {"last", "last_malicious_event"}}) {
    if (!win.contains(key)) continue;
    std::string want = text(win, key), got = text(metrics, metric);
    add("window", std::string(key) + " " + want, to_second(want) == to_second(got),
        "got " + (got.empty() ? std::string("null") : got));
  }

  // gaps named
  for (const auto& g : strings(member(e, "gaps"))) {
    std::string found;
    for (const auto& gap : strings(member(inc, "gaps")))
      if (contains(gap, g)) found = gap;
    add("gaps", "a gap mentions \"" + g + "\"", !found.empty(),
        found.empty() ? "no gap mentions it" : shorten(found));
  }

  // timeline: every attack record, at its time, with its tag
  const json& tl = member(inc, "timeline");
  std::set<std::string> benign = likely_benign_findings(inc);
  // The entries of a record: by its id, or another id the same record goes by (an OCSF finding's
  // metadata.uid beside its finding_info.uid).
  auto entries_for = [&](const json& want) {
    std::vector<std::string> ids = strings(member(want, "alt_event_ids"));
    ids.push_back(text(want, "event_id"));
    std::vector<const json*> out;
    if (tl.is_array())
      for (const auto& t : tl) {
        bool hit =
            std::find(ids.begin(), ids.end(), text(member(t, "evidence"), "event_id")) != ids.end();
        // A line that stands for the same activity done again lists the ids of the repeats.
        for (const auto& also : strings(member(t, "also_event_ids")))
          hit = hit || std::find(ids.begin(), ids.end(), also) != ids.end();
        if (hit) out.push_back(&t);
      }
    return out;
  };
  for (const auto& want : member(e, "timeline")) {
    std::string id = text(want, "event_id"), when = text(want, "time"), tag = text(want, "tag");
    std::string label = fmt::format("{} {} {}", to_second(when), tag, id);
    if (want.contains("what")) label += " (" + text(want, "what") + ")";
    bool pass = false;
    std::string detail = "not in the timeline";
    for (const json* t : entries_for(want)) {
      // An audit record carries two times (received and completed); either is its time.
      TimeNs a = parse_time(text(*t, "time")), b = parse_time(when);
      TimeNs until = parse_time(text(*t, "until"));
      bool same_time =
          to_second(text(*t, "time")) == to_second(when) ||
          (a != kNoTime && b != kNoTime && std::llabs(a - b) <= 1000000000LL) ||
          (until != kNoTime && b != kNoTime && b >= a - 1000000000LL && b <= until + 1000000000LL);
      bool same_tag = tag.empty() || text(*t, "tag") == tag;
      if (same_time && same_tag) {
        pass = true;
        detail = "present";
        break;
      }
      detail = "present at " + text(*t, "time") + " tagged " + text(*t, "tag");
    }
    add("timeline", label, pass, detail);
  }
  for (const auto& want : member(e, "timeline_not")) {
    std::string id = text(want, "event_id");
    std::string label = id + (want.contains("what") ? " (" + text(want, "what") + ")" : "");
    std::string detail = "not in the timeline";
    bool pass = true;
    for (const json* t : entries_for(want)) {
      std::string finding = text(member(*t, "evidence"), "finding");
      bool marked =
          (member(*t, "likely_benign").is_boolean() && (*t)["likely_benign"].get<bool>()) ||
          (!finding.empty() && benign.count(finding));
      if (marked) {
        detail = "in the timeline, marked likely benign";
        continue;
      }
      pass = false;
      detail = "in the timeline at " + text(*t, "time") + " (" +
               text(member(*t, "evidence"), "rule") + ")";
      break;
    }
    add("timeline_not", label, pass, detail);
  }

  // affected resources
  const json& aff = member(inc, "affected");
  auto find_affected = [&](const json& want) -> const json* {
    if (aff.is_array())
      for (const auto& a : aff)
        if (text(a, "kind") == text(want, "kind") && name_matches(want, a)) return &a;
    return nullptr;
  };
  for (const auto& want : member(e, "affected")) {
    const json* a = find_affected(want);
    add("affected", affected_label(want), a != nullptr,
        a ? "present" : same_kind(inc, text(want, "kind")));
  }
  for (const auto& want : member(e, "not_affected")) {
    const json* a = find_affected(want);
    add("not_affected", affected_label(want), a == nullptr,
        a ? "listed: " + shorten(text(*a, "why")) : "not listed");
  }

  // plans
  for (const auto& want : member(e, "plan")) {
    StepMatch m = find_steps(want, plans);
    std::string detail;
    if (!m.full.empty())
      detail = describe_step(m.full.front());
    else if (!m.shape.empty())
      detail = "only with the wrong blocked state: " + describe_step(m.shape.front());
    else
      detail = "no such step";
    if (want.contains("why") && m.full.empty()) detail += " — " + text(want, "why");
    add("plan", describe_want(want), !m.full.empty(), detail);
  }
  for (const auto& want : member(e, "plan_not")) {
    StepMatch m = find_steps(want, plans);
    std::string detail = m.full.empty() ? "absent" : "present: " + describe_step(m.full.front());
    if (want.contains("why") && !m.full.empty()) detail += " — " + text(want, "why");
    add("plan_not", "no " + describe_want(want), m.full.empty(), detail);
  }
  for (const auto& chain : member(e, "plan_order")) {
    if (!chain.is_array() || chain.empty()) continue;
    std::vector<std::string> names;
    std::vector<std::pair<int, size_t>> pos;
    bool first_found = false, ordered = true;
    std::string detail;
    for (size_t k = 0; k < chain.size(); ++k) {
      names.push_back(describe_want(chain[k]));
      StepMatch m = find_steps(chain[k], plans);
      if (m.full.empty()) {
        if (k == 0) detail = "first step absent";
        continue;
      }
      if (k == 0) first_found = true;
      // The earliest matching step.
      auto best =
          *std::min_element(m.full.begin(), m.full.end(), [](const Located& a, const Located& b) {
            return std::pair(phase_rank(a.phase), a.index) <
                   std::pair(phase_rank(b.phase), b.index);
          });
      std::pair<int, size_t> p{phase_rank(best.phase), best.index};
      if (!pos.empty() && p <= pos.back()) {
        ordered = false;
        detail = describe_step(best) + " comes too early";
      }
      pos.push_back(p);
    }
    if (first_found && ordered)
      detail = fmt::format("{} of {} present, in order", pos.size(), chain.size());
    add("plan_order", join(names, "  BEFORE  "), first_found && ordered, detail);
  }

  for (const auto& cat : kCategories) {
    Tally t;
    for (const auto& i : s.items)
      if (i.category == cat) {
        ++t.total;
        t.passed += i.pass;
      }
    if (t.total) s.categories.push_back({cat, t});
    s.overall.total += t.total;
    s.overall.passed += t.passed;
  }
  return s;
}

std::string table(const Score& s, std::string_view title) {
  std::string out = fmt::format("=== {} ===\n", title);
  for (const auto& i : s.items)
    out += fmt::format("{} {:<13} {}\n{:>20}{}\n", i.pass ? "PASS" : "FAIL", i.category, i.item, "",
                       i.detail);
  out += fmt::format("--- {}: per category\n", title);
  for (const auto& [cat, t] : s.categories)
    out += fmt::format("  {:<13} {:>4}/{:<4} {:5.1f}%\n", cat, t.passed, t.total, t.percent());
  out += fmt::format("  {:<13} {:>4}/{:<4} {:5.1f}%\n", "overall", s.overall.passed,
                     s.overall.total, s.overall.percent());
  return out;
}

}  // namespace eksir::test::scenarios
