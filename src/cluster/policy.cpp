// eksir.yaml: the organisation's policy. Every key is optional; anything malformed is an error
// naming the key and the line, never ignored.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>

#include "cluster/cluster.h"
#include "util/sha256.h"

namespace eksir::cluster {
namespace {

std::string today_utc() {
  auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  std::chrono::year_month_day ymd{now};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

// YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]
bool is_iso_time(std::string_view s) {
  if (s.size() < 10 || !is_date(s.substr(0, 10))) return false;
  if (s.size() == 10) return true;
  if (s[10] != 'T' && s[10] != ' ') return false;
  if (s.size() < 16 || s[13] != ':') return false;
  for (size_t i : {11, 12, 14, 15})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool is_hhmm(std::string_view s) {
  return s.size() == 5 && s[2] == ':' && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[1])) &&
         std::isdigit(static_cast<unsigned char>(s[3])) &&
         std::isdigit(static_cast<unsigned char>(s[4])) && (s[0] - '0') * 10 + (s[1] - '0') < 24 &&
         (s[3] - '0') * 10 + (s[4] - '0') < 60;
}

struct Parser {
  std::string file;
  std::vector<std::string>& errors;

  void error(const YAML::Node& n, std::string_view key, std::string_view what) {
    errors.push_back(fmt::format("{}:{}: {}: {}", file, n.Mark().line + 1, key, what));
  }

  bool string_list(const YAML::Node& n, std::string_view key, std::vector<std::string>& out) {
    if (n.IsNull()) {
      out.clear();
      return true;
    }
    if (!n.IsSequence()) {
      error(n, key, "expected a list of strings");
      return false;
    }
    out.clear();
    for (const auto& e : n) {
      if (!e.IsScalar() || e.Scalar().empty()) {
        error(e, key, "expected a non-empty string");
        return false;
      }
      out.push_back(e.Scalar());
    }
    return true;
  }

  bool scalar(const YAML::Node& n, std::string_view key, std::string& out) {
    if (!n.IsScalar()) {
      error(n, key, "expected a string");
      return false;
    }
    out = n.Scalar();
    return true;
  }

  void windows(const YAML::Node& n, std::vector<MaintenanceWindow>& out) {
    if (!n.IsSequence()) return error(n, "maintenance_windows", "expected a list");
    for (const auto& w : n) {
      if (!w.IsMap()) {
        error(w, "maintenance_windows", "expected a mapping with start/end or days/from/to");
        continue;
      }
      MaintenanceWindow mw;
      for (const auto& kv : w) {
        std::string k = kv.first.Scalar();
        std::string key = "maintenance_windows." + k;
        if (k == "start" || k == "end") {
          std::string& dst = k == "start" ? mw.start : mw.end;
          if (scalar(kv.second, key, dst) && !is_iso_time(dst))
            error(kv.second, key, "bad date/time '" + dst + "'");
        } else if (k == "from" || k == "to") {
          std::string& dst = k == "from" ? mw.from : mw.to;
          if (scalar(kv.second, key, dst) && !is_hhmm(dst))
            error(kv.second, key, "expected HH:MM, got '" + dst + "'");
        } else if (k == "days") {
          if (string_list(kv.second, key, mw.days))
            for (const auto& d : mw.days) {
              static const std::vector<std::string> names{"mon", "tue", "wed", "thu",
                                                          "fri", "sat", "sun"};
              std::string l = d.substr(0, 3);
              for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
              if (std::find(names.begin(), names.end(), l) == names.end())
                error(kv.second, key, "unknown day '" + d + "'");
            }
        } else {
          error(kv.first, key, "unknown key");
        }
      }
      bool abs = !mw.start.empty() || !mw.end.empty(),
           weekly = !mw.days.empty() || !mw.from.empty() || !mw.to.empty();
      if (abs == weekly)
        error(w, "maintenance_windows", "give either start and end, or days with from and to");
      else if (abs && (mw.start.empty() || mw.end.empty()))
        error(w, "maintenance_windows", "start and end are both required");
      else if (weekly && (mw.days.empty() || mw.from.empty() || mw.to.empty()))
        error(w, "maintenance_windows", "days, from and to are all required");
      out.push_back(std::move(mw));
    }
  }

  void suppressions(const YAML::Node& n, std::vector<Suppression>& out, const std::string& today) {
    if (!n.IsSequence()) return error(n, "suppressions", "expected a list");
    for (const auto& s : n) {
      if (!s.IsMap()) {
        error(s, "suppressions", "expected a mapping with rule and reason");
        continue;
      }
      Suppression sup;
      sup.line = s.Mark().line + 1;
      for (const auto& kv : s) {
        std::string k = kv.first.Scalar();
        std::string key = "suppressions." + k;
        std::string* dst = k == "rule"        ? &sup.rule
                           : k == "namespace" ? &sup.ns
                           : k == "name"      ? &sup.name
                           : k == "principal" ? &sup.principal
                           : k == "reason"    ? &sup.reason
                           : k == "expires"   ? &sup.expires
                                              : nullptr;
        if (!dst) {
          error(kv.first, key, "unknown key");
          continue;
        }
        if (scalar(kv.second, key, *dst) && k == "expires" && !is_date(*dst))
          error(kv.second, key, "expected a date YYYY-MM-DD, got '" + *dst + "'");
      }
      if (sup.rule.empty()) error(s, "suppressions.rule", "required");
      if (sup.reason.empty())
        error(s, "suppressions.reason", "required: say why the finding is accepted");
      sup.expired = !sup.expires.empty() && sup.expires < today;
      out.push_back(std::move(sup));
    }
  }
};

bool glob_match(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && (pat[p] == s[i] || pat[p] == '?')) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

bool field_match(const std::string& want, std::string_view have) {
  return want.empty() || glob_match(want, have);
}

}  // namespace

bool policy_glob(std::string_view pattern, std::string_view s) {
  return glob_match(pattern, s);
}

bool Policy::suppressed(std::string_view rule, std::string_view ns, std::string_view name,
                        std::string_view principal) const {
  for (const auto& s : suppressions) {
    if (s.expired) continue;
    if (!glob_match(s.rule, rule) || !field_match(s.ns, ns) || !field_match(s.name, name) ||
        !field_match(s.principal, principal))
      continue;
    ++s.hits;
    return true;
  }
  return false;
}

PolicyResult parse_policy(std::string_view text, std::string_view file, std::string today) {
  PolicyResult r;
  if (today.empty()) today = today_utc();
  Parser p{std::string(file), r.errors};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& ex) {
    r.errors.push_back(fmt::format("{}:{}: invalid YAML: {}", file, ex.mark.line + 1, ex.msg));
    return r;
  }
  if (!root || root.IsNull()) return r;
  if (!root.IsMap()) {
    p.error(root, "(top level)", "expected a mapping of keys");
    return r;
  }
  Policy& pol = r.policy;
  for (const auto& kv : root) {
    std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    const YAML::Node& v = kv.second;
    if (k == "trusted_registries")
      p.string_list(v, k, pol.trusted_registries);
    else if (k == "expected_namespaces")
      p.string_list(v, k, pol.expected_namespaces);
    else if (k == "trusted_cidrs")
      p.string_list(v, k, pol.trusted_cidrs);
    else if (k == "admin_principals")
      p.string_list(v, k, pol.admin_principals);
    else if (k == "cicd_identities")
      p.string_list(v, k, pol.cicd_identities);
    else if (k == "expected_nodegroups")
      p.string_list(v, k, pol.expected_nodegroups);
    else if (k == "expected_daemonsets")
      p.string_list(v, k, pol.expected_daemonsets);
    else if (k == "maintenance_windows")
      p.windows(v, pol.maintenance_windows);
    else if (k == "suppressions")
      p.suppressions(v, pol.suppressions, today);
    else if (k == "production") {
      if (!v.IsMap()) {
        p.error(v, k, "expected a mapping with clusters and namespaces");
        continue;
      }
      for (const auto& pk : v) {
        std::string sk = pk.first.Scalar();
        if (sk == "clusters")
          p.string_list(pk.second, "production.clusters", pol.production_clusters);
        else if (sk == "namespaces")
          p.string_list(pk.second, "production.namespaces", pol.production_namespaces);
        else
          p.error(pk.first, "production." + sk, "unknown key");
      }
    } else {
      p.error(kv.first, k, "unknown key");
    }
  }
  return r;
}

PolicyResult load_policy(const std::string& path, std::string today) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    PolicyResult r;
    r.errors.push_back(path + ": cannot open the policy file");
    return r;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  PolicyResult r = parse_policy(text, path, std::move(today));
  r.sha256 = sha256_hex(text);
  return r;
}

}  // namespace eksir::cluster
