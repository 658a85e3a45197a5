// Kubernetes and AWS naming rules, and POSIX shell quoting: nothing from the evidence reaches an
// argv unless it has the shape its field allows.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "respond/plan_internal.h"
#include "respond/respond.h"

namespace eksir::respond {

namespace {

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool upper_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool hex(char c) {
  return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9');
}

// [a-z0-9A-Z]([-a-zA-Z0-9_.]*[a-zA-Z0-9])? of at most 63: a label name or value.
bool qualified_name_part(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool prefixed_id(std::string_view s, std::string_view prefix, size_t min, size_t max) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  auto rest = s.substr(prefix.size());
  return rest.size() >= min && rest.size() <= max && std::all_of(rest.begin(), rest.end(), hex);
}

}  // namespace

bool is_dns1123_label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return lower_alnum(c) || c == '-'; });
}

bool is_dns1123_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    auto part = s.substr(start, dot == s.npos ? s.npos : dot - start);
    if (!is_dns1123_label(part)) return false;
    if (dot == s.npos) return true;
    start = dot + 1;
  }
}

bool is_label_key(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == s.npos) return qualified_name_part(s);
  if (s.find('/', slash + 1) != s.npos) return false;
  return is_dns1123_subdomain(s.substr(0, slash)) && qualified_name_part(s.substr(slash + 1));
}

bool is_label_value(std::string_view s) {
  return s.empty() || qualified_name_part(s);
}

bool is_access_key_id(std::string_view s) {
  return s.size() == 20 && (s.substr(0, 4) == "AKIA" || s.substr(0, 4) == "ASIA") &&
         std::all_of(s.begin(), s.end(), upper_alnum);
}

bool is_iam_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return alnum(c) || std::string_view("+=,.@_-").find(c) != std::string_view::npos;
  });
}

bool is_iam_arn(std::string_view s) {
  bool partition = s.substr(0, 8) == "arn:aws:" || s.substr(0, 11) == "arn:aws-cn:" ||
                   s.substr(0, 15) == "arn:aws-us-gov:";
  if (s.size() > 2048 || !partition) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return alnum(c) || std::string_view("+=,.@_-:/").find(c) != std::string_view::npos;
  });
}

bool is_cluster_name(std::string_view s) {
  return !s.empty() && s.size() <= 100 && alnum(s.front()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return alnum(c) || c == '-' || c == '_'; });
}

bool is_region(std::string_view s) {
  return s.size() >= 9 && s.size() <= 20 && lower_alnum(s.front()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return lower_alnum(c) || c == '-'; }) &&
         s.find('-') != s.npos;
}

bool is_security_group_id(std::string_view s) {
  return prefixed_id(s, "sg-", 8, 17);
}
bool is_sg_rule_id(std::string_view s) {
  return prefixed_id(s, "sgr-", 8, 17);
}
bool is_instance_id(std::string_view s) {
  return prefixed_id(s, "i-", 8, 17);
}

bool is_ipv4_cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == s.npos) return false;
  auto prefix = s.substr(slash + 1);
  if (prefix.empty() || prefix.size() > 2 ||
      !std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(std::string(prefix)) > 32)
    return false;
  auto addr = s.substr(0, slash);
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = addr.find('.', start);
    auto octet = addr.substr(start, dot == addr.npos ? addr.npos : dot - start);
    if (octet.empty() || octet.size() > 3 ||
        !std::all_of(octet.begin(), octet.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(octet)) > 255)
      return false;
    ++parts;
    if (dot == addr.npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

std::string shell_quote(std::string_view s) {
  bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return alnum(c) || std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
  });
  if (safe) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += "'";
  return out;
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(a);
  }
  return out;
}

}  // namespace eksir::respond
