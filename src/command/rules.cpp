// The rule of each value type: Kubernetes' own naming rules (apimachinery validation), IAM's
// character sets and lengths, the shapes of AWS ids, ARNs, regions and CIDRs, and the fixed words
// eksir itself writes. Every rule refuses a value starting with '-'.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "command/command.h"
#include "util/visible.h"

namespace eksir::command {

namespace {

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}
bool lower_hex(char c) {
  return (c >= 'a' && c <= 'f') || digit(c);
}
bool printable_ascii(char c) {
  return c >= 0x20 && c < 0x7f;
}

// "holds 'X'" for the character at i, shown so that a person can read it.
std::string holds(std::string_view s, size_t i) {
  util::CodePoint cp = util::decode_utf8(s, i);
  return "holds '" + util::visible(s.substr(i, cp.length ? cp.length : 1)) + "'";
}

template <typename Pred>
std::string only(std::string_view s, Pred ok) {
  for (size_t i = 0; i < s.size(); ++i)
    if (!ok(s[i])) return holds(s, i);
  return {};
}

std::string longer(size_t max) {
  return "is longer than " + std::to_string(max) + " characters";
}

// Kubernetes' DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63.
std::string dns1123_label(std::string_view s) {
  if (s.size() > 63) return longer(63);
  if (auto e = only(s, [](char c) { return lower_alnum(c) || c == '-'; }); !e.empty()) return e;
  if (!lower_alnum(s.front()) || !lower_alnum(s.back()))
    return "does not start and end with a lower-case letter or digit";
  return {};
}

// Kubernetes' DNS-1123 subdomain: labels joined by '.', at most 253 in all.
std::string dns1123_subdomain(std::string_view s) {
  if (s.size() > 253) return longer(253);
  if (auto e = only(s, [](char c) { return lower_alnum(c) || c == '-' || c == '.'; }); !e.empty())
    return e;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    auto part = s.substr(start, dot == s.npos ? s.npos : dot - start);
    if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back()))
      return "has a part that does not start and end with a lower-case letter or digit";
    if (dot == s.npos) return {};
    start = dot + 1;
  }
}

// A label name or value: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63.
std::string qualified_part(std::string_view s) {
  if (s.size() > 63) return longer(63);
  if (auto e = only(s, [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
      !e.empty())
    return e;
  if (!alnum(s.front()) || !alnum(s.back())) return "does not start and end with a letter or digit";
  return {};
}

std::string label_key(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == s.npos) return s.empty() ? "is empty" : qualified_part(s);
  if (s.find('/', slash + 1) != s.npos) return "holds more than one '/'";
  if (slash == 0) return "has an empty prefix";
  if (auto e = dns1123_subdomain(s.substr(0, slash)); !e.empty()) return "prefix " + e;
  if (slash + 1 == s.size()) return "has an empty name after '/'";
  return qualified_part(s.substr(slash + 1));
}

std::string label_value(std::string_view s) {
  return s.empty() ? std::string() : qualified_part(s);
}

// Role, ClusterRole and binding names: any path segment (ValidatePathSegmentName): not "." or
// "..", no '/' or '%'; valid UTF-8 so that what is shown is what runs.
std::string rbac_name(std::string_view s) {
  if (s.size() > 1024) return longer(1024);
  if (s == "." || s == "..") return "is '.' or '..'";
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '/' || s[i] == '%') return holds(s, i);
    util::CodePoint cp = util::decode_utf8(s, i);
    if (cp.length == 0) return "is not valid UTF-8";
    i += cp.length;
  }
  return {};
}

std::string label_selector(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    auto term = s.substr(start, comma == s.npos ? s.npos : comma - start);
    size_t op = term.find("!=");
    size_t len = 2;
    if (op == term.npos) op = term.find('='), len = 1;
    if (op == term.npos) return "has a term without '=' or '!='";
    if (auto e = label_key(term.substr(0, op)); !e.empty()) return "key " + e;
    if (auto e = label_value(term.substr(op + len)); !e.empty()) return "value " + e;
    if (comma == s.npos) return {};
    start = comma + 1;
  }
}

std::string label_change(std::string_view s) {
  if (s.back() == '-' && s.find('=') == s.npos) {
    auto e = label_key(s.substr(0, s.size() - 1));
    return e.empty() ? e : "key " + e;
  }
  size_t eq = s.find('=');
  if (eq == s.npos) return "is neither key=value nor key-";
  if (auto e = label_key(s.substr(0, eq)); !e.empty()) return "key " + e;
  if (auto e = label_value(s.substr(eq + 1)); !e.empty()) return "value " + e;
  return {};
}

// Text the operator typed (a context, a file, a profile): printable, one line.
std::string operator_text(std::string_view s, size_t max) {
  if (s.size() > max) return longer(max);
  if (!util::is_visible(s)) return "holds control, bidi or zero-width characters";
  return {};
}

std::string one_of(std::string_view s, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (s == w) return {};
  std::string list;
  for (auto w : words) list += (list.empty() ? "" : ", ") + std::string(w);
  return "is not one of " + list;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), digit);
}

// 2026-03-14T09:12:31Z, optionally with fractional seconds.
bool iso_time(std::string_view s) {
  if (s.size() < 20 || s.back() != 'Z') return false;
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 'd' ? !digit(s[i]) : s[i] != shape[i]) return false;
  auto rest = s.substr(19, s.size() - 20);
  return rest.empty() || (rest.size() >= 2 && rest[0] == '.' && all_digits(rest.substr(1)));
}

// distribution/reference's grammar: a registry host (with a '.' or a ':PORT', or "localhost")
// and lower-case path parts joined by '.', '_', '__' or dashes; a tag of up to 128 word
// characters, '.' and '-'; a digest ALGORITHM:HEX.
std::string image_ref(std::string_view s) {
  if (s.size() > 512) return longer(512);
  std::string_view name = s;
  if (size_t at = s.find('@'); at != s.npos) {
    std::string_view digest = s.substr(at + 1);
    name = s.substr(0, at);
    size_t colon = digest.find(':');
    if (colon == digest.npos || colon == 0 || digest.size() - colon - 1 < 32)
      return "has a digest that is not ALGORITHM:HEX";
    if (auto e = only(
            digest.substr(0, colon),
            [](char c) { return lower_alnum(c) || c == '+' || c == '.' || c == '_' || c == '-'; });
        !e.empty())
      return "digest algorithm " + e;
    if (auto e = only(digest.substr(colon + 1), lower_hex); !e.empty()) return "digest " + e;
  }
  size_t slash = name.rfind('/'), colon = name.rfind(':');
  if (colon != name.npos && (slash == name.npos || colon > slash)) {
    std::string_view tag = name.substr(colon + 1);
    name = name.substr(0, colon);
    if (tag.empty() || tag.size() > 128) return "has a tag that is not 1 to 128 characters";
    if (tag.front() == '.' || tag.front() == '-') return "has a tag starting with '.' or '-'";
    if (auto e = only(tag, [](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
        !e.empty())
      return "tag " + e;
  }
  if (name.empty()) return "has no repository";
  if (name.size() > 255) return "has a repository longer than 255 characters";
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t next = name.find('/', start);
    parts.push_back(name.substr(start, next == name.npos ? name.npos : next - start));
    if (next == name.npos) break;
    start = next + 1;
  }
  size_t first = 0;
  if (parts.size() > 1 &&
      (parts[0].find_first_of(".:") != std::string_view::npos || parts[0] == "localhost")) {
    std::string_view host = parts[0], port;
    if (size_t c = host.find(':'); c != host.npos)
      port = host.substr(c + 1), host = host.substr(0, c);
    if (host.empty()) return "has an empty registry host";
    for (size_t start = 0;;) {
      size_t dot = host.find('.', start);
      auto label = host.substr(start, dot == host.npos ? host.npos : dot - start);
      if (label.empty() || !alnum(label.front()) || !alnum(label.back()))
        return "has a registry host part that does not start and end with a letter or digit";
      if (auto e = only(label, [](char c) { return alnum(c) || c == '-'; }); !e.empty())
        return "registry " + e;
      if (dot == host.npos) break;
      start = dot + 1;
    }
    if (parts[0].find(':') != std::string_view::npos && (port.size() > 5 || !all_digits(port)))
      return "has a registry port that is not a number";
    first = 1;
  }
  for (size_t i = first; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p.empty()) return "has an empty path part";
    if (auto e = only(p, [](char c) { return lower_alnum(c) || c == '.' || c == '_' || c == '-'; });
        !e.empty())
      return e;
    if (!lower_alnum(p.front()) || !lower_alnum(p.back()))
      return "has a path part that does not start and end with a lower-case letter or digit";
    // Between alphanumerics: '.', '_', '__' or any number of '-'.
    for (size_t k = 0; k < p.size();) {
      size_t run = k;
      while (run < p.size() && !lower_alnum(p[run])) ++run;
      auto sep = p.substr(k, run - k);
      if (!sep.empty() && sep != "." && sep != "_" && sep != "__" &&
          sep.find_first_not_of('-') != std::string_view::npos)
        return "has the separator '" + std::string(sep) + "' in a path part";
      k = run == k ? k + 1 : run;
    }
  }
  return {};
}

std::string image_change(std::string_view s) {
  size_t eq = s.find('=');
  if (eq == s.npos) return "is not CONTAINER=IMAGE";
  if (eq == 0) return "has no container name";
  if (auto e = dns1123_label(s.substr(0, eq)); !e.empty()) return "container name " + e;
  if (eq + 1 == s.size()) return "has no image";
  if (auto e = image_ref(s.substr(eq + 1)); !e.empty()) return "image " + e;
  return {};
}

bool iam_char(char c) {
  return alnum(c) || std::string_view("+=,.@_-").find(c) != std::string_view::npos;
}

std::string iam_name(std::string_view s, size_t max) {
  if (s.size() > max) return longer(max);
  return only(s, iam_char);
}

std::string aws_id(std::string_view s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix)
    return "does not start with '" + std::string(prefix) + "'";
  auto rest = s.substr(prefix.size());
  if (rest.size() != 8 && rest.size() != 17)
    return "is not '" + std::string(prefix) + "' and 8 or 17 hex digits";
  return only(rest, lower_hex);
}

bool aws_partition(std::string_view p) {
  static constexpr std::array<std::string_view, 8> partitions = {
      "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"};
  return std::find(partitions.begin(), partitions.end(), p) != partitions.end();
}

// arn:PARTITION:iam::ACCOUNT:(user|role)/[PATH/]NAME
std::string iam_arn(std::string_view s, bool roles_only) {
  if (s.size() > 2048) return longer(2048);
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = s.find(':', start);
    if (colon == s.npos) return "is not arn:PARTITION:iam::ACCOUNT:RESOURCE";
    parts.push_back(s.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = s.substr(start);
  if (parts[0] != "arn") return "does not start with 'arn:'";
  if (!aws_partition(parts[1])) return "names no AWS partition";
  if (parts[2] != "iam") return "is not an IAM ARN";
  if (!parts[3].empty()) return "names a region (IAM ARNs have none)";
  if (parts[4].size() != 12 || !all_digits(parts[4])) return "has no 12-digit account";
  std::string_view kind = resource.substr(0, resource.find('/'));
  if (kind != "role" && (roles_only || kind != "user"))
    return roles_only ? "is not a role ARN" : "is not a user or role ARN";
  auto path = resource.substr(kind.size());
  if (path.size() < 2) return "has no name";
  size_t name_start = path.rfind('/') + 1;
  if (name_start == path.size()) return "has no name";
  if (path.size() - name_start > 64) return "has a name longer than 64 characters";
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/' && path[i - 1] == '/') return "has an empty path part";
    if (path[i] != '/' && !iam_char(path[i])) return holds(path, i);
  }
  return {};
}

// arn:PARTITION:iam::aws|ACCOUNT:policy/[PATH/]NAME: a managed policy (AWS's or the account's).
std::string iam_policy_arn(std::string_view s) {
  if (s.size() > 2048) return longer(2048);
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = s.find(':', start);
    if (colon == s.npos) return "is not arn:PARTITION:iam::ACCOUNT:policy/NAME";
    parts.push_back(s.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts[0] != "arn" || !aws_partition(parts[1])) return "is not an AWS ARN";
  if (parts[2] != "iam") return "is not an IAM ARN";
  if (!parts[3].empty()) return "names a region (IAM ARNs have none)";
  if (parts[4] != "aws" && (parts[4].size() != 12 || !all_digits(parts[4])))
    return "has neither 'aws' nor a 12-digit account";
  std::string_view resource = s.substr(start);
  if (resource.substr(0, 7) != "policy/") return "is not a policy ARN";
  auto path = resource.substr(6);
  size_t name_start = path.rfind('/') + 1;
  if (name_start == path.size()) return "has no name";
  if (path.size() - name_start > 128) return "has a name longer than 128 characters";
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/' && path[i - 1] == '/') return "has an empty path part";
    if (path[i] != '/' && !iam_char(path[i])) return holds(path, i);
  }
  return {};
}

// A CloudTrail trail name (3 to 128 letters, digits, '.', '_', '-', starting and ending with a
// letter or digit, no two of '.', '_', '-' in a row) or its ARN
// (arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME).
std::string trail_name(std::string_view s) {
  if (s.substr(0, 4) == "arn:") {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (int i = 0; i < 5; ++i) {
      size_t colon = s.find(':', start);
      if (colon == s.npos) return "is not arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME";
      parts.push_back(s.substr(start, colon - start));
      start = colon + 1;
    }
    if (!aws_partition(parts[1]) || parts[2] != "cloudtrail") return "is not a CloudTrail ARN";
    if (parts[3].empty() ||
        !only(parts[3], [](char c) { return lower_alnum(c) || c == '-'; }).empty())
      return "names no region";
    if (parts[4].size() != 12 || !all_digits(parts[4])) return "has no 12-digit account";
    std::string_view resource = s.substr(start);
    if (resource.substr(0, 6) != "trail/") return "is not a trail ARN";
    s = resource.substr(6);
  }
  if (s.size() < 3 || s.size() > 128) return "is not 3 to 128 characters";
  if (auto e = only(s, [](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
      !e.empty())
    return e;
  if (!alnum(s.front()) || !alnum(s.back())) return "does not start and end with a letter or digit";
  for (size_t i = 1; i < s.size(); ++i)
    if (!alnum(s[i]) && !alnum(s[i - 1])) return "has two of '.', '_', '-' in a row";
  return {};
}

std::string ipv4_cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == s.npos) return "has no /prefix";
  auto prefix = s.substr(slash + 1);
  if (prefix.empty() || prefix.size() > 2 || !all_digits(prefix) ||
      std::stoi(std::string(prefix)) > 32)
    return "has a prefix that is not 0 to 32";
  auto addr = s.substr(0, slash);
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = addr.find('.', start);
    auto octet = addr.substr(start, dot == addr.npos ? addr.npos : dot - start);
    if (octet.empty() || octet.size() > 3 || !all_digits(octet) ||
        std::stoi(std::string(octet)) > 255)
      return "is not an IPv4 address";
    ++parts;
    if (dot == addr.npos) break;
    start = dot + 1;
  }
  return parts == 4 ? std::string() : "is not an IPv4 address";
}

std::string vpc_config(std::string_view s) {
  constexpr std::string_view head = "endpointPublicAccess=", cidrs = ",publicAccessCidrs=";
  if (s.substr(0, head.size()) != head) return "does not start with endpointPublicAccess=";
  auto rest = s.substr(head.size());
  size_t comma = rest.find(',');
  if (auto e = one_of(rest.substr(0, comma), {"true", "false"}); !e.empty())
    return "endpointPublicAccess " + e;
  if (comma == rest.npos) return {};
  rest = rest.substr(comma);
  if (rest.substr(0, cidrs.size()) != cidrs) return "has something else than publicAccessCidrs";
  rest = rest.substr(cidrs.size());
  size_t start = 0;
  while (true) {
    size_t c = rest.find(',', start);
    if (auto e = ipv4_cidr(rest.substr(start, c == rest.npos ? rest.npos : c - start)); !e.empty())
      return "publicAccessCidrs " + e;
    if (c == rest.npos) return {};
    start = c + 1;
  }
}

std::string instance_spec(std::string_view s) {
  constexpr std::string_view head = "InstanceId=", tail = ",ExcludeBootVolume=";
  size_t at = s.find(tail);
  if (s.substr(0, head.size()) != head || at == s.npos)
    return "is not InstanceId=ID,ExcludeBootVolume=BOOL";
  if (auto e = aws_id(s.substr(head.size(), at - head.size()), "i-"); !e.empty())
    return "InstanceId " + e;
  return one_of(s.substr(at + tail.size()), {"true", "false"});
}

// ECR's repository name rule: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*,
// 2 to 256 characters.
std::string ecr_repository_name(std::string_view s) {
  if (s.size() < 2 || s.size() > 256) return "is not 2 to 256 characters";
  if (auto e = only(
          s, [](char c) { return lower_alnum(c) || c == '.' || c == '_' || c == '-' || c == '/'; });
      !e.empty())
    return e;
  for (size_t i = 0; i < s.size(); ++i) {
    bool sep = !lower_alnum(s[i]);
    bool edge = i == 0 || i + 1 == s.size();
    if (sep && (edge || !lower_alnum(s[i - 1])))
      return "has a '.', '_', '-' or '/' that is not between letters or digits";
  }
  return {};
}

// imageDigest=sha256:<64 lower-case hex digits> or imageTag=TAG, TAG as ECR and the OCI
// distribution spec have it: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
std::string ecr_image_id(std::string_view s) {
  constexpr std::string_view digest = "imageDigest=", tag = "imageTag=";
  if (s.substr(0, digest.size()) == digest) {
    auto d = s.substr(digest.size());
    if (d.substr(0, 7) != "sha256:" || d.size() != 7 + 64 || !only(d.substr(7), lower_hex).empty())
      return "has a digest that is not sha256: and 64 lower-case hex digits";
    return {};
  }
  if (s.substr(0, tag.size()) != tag) return "is neither imageDigest=DIGEST nor imageTag=TAG";
  auto t = s.substr(tag.size());
  if (t.empty() || t.size() > 128) return "has a tag that is not 1 to 128 characters";
  if (t.front() == '.' || t.front() == '-') return "has a tag that starts with '.' or '-'";
  if (auto e = only(t, [](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
      !e.empty())
    return "has a tag that " + e;
  return {};
}

std::string json_document(std::string_view s) {
  if (s.size() > 131072) return longer(131072);
  if (s.front() != '{' && s.front() != '[') return "is not a JSON object or array";
  if (!nlohmann::json::accept(s)) return "is not valid JSON";
  return {};
}

}  // namespace

std::string_view rule_name(Type t) {
  switch (t) {
    case Type::k8s_name:
      return "Kubernetes object name (DNS-1123 subdomain)";
    case Type::k8s_label_name:
      return "DNS-1123 label";
    case Type::rbac_name:
      return "RBAC name (a path segment)";
    case Type::label_key:
      return "label key";
    case Type::label_value:
      return "label value";
    case Type::label_selector:
      return "label selector";
    case Type::label_change:
      return "label change (key=value or key-)";
    case Type::image_ref:
      return "image reference";
    case Type::image_change:
      return "image change (container=image)";
    case Type::kube_context:
      return "kubeconfig context";
    case Type::file_path:
      return "file path";
    case Type::k8s_time:
      return "RFC 3339 UTC time";
    case Type::duration:
      return "duration";
    case Type::kubectl_output:
      return "kubectl output format";
    case Type::stdin_file:
      return "stdin marker";
    case Type::field_manager:
      return "field manager";
    case Type::iam_user_name:
      return "IAM user name";
    case Type::iam_role_name:
      return "IAM role name";
    case Type::iam_policy_name:
      return "IAM policy name";
    case Type::iam_principal_arn:
      return "IAM user or role ARN";
    case Type::iam_role_arn:
      return "IAM role ARN";
    case Type::iam_policy_arn:
      return "IAM managed policy ARN";
    case Type::access_key_id:
      return "access key id";
    case Type::access_key_status:
      return "access key status";
    case Type::instance_id:
      return "EC2 instance id";
    case Type::security_group_id:
      return "security group id";
    case Type::sg_rule_id:
      return "security group rule id";
    case Type::snapshot_id:
      return "EBS snapshot id";
    case Type::cluster_name:
      return "EKS cluster name";
    case Type::trail_name:
      return "CloudTrail trail name or ARN";
    case Type::nodegroup_name:
      return "EKS node group name";
    case Type::region:
      return "AWS region";
    case Type::ipv4_cidr:
      return "IPv4 CIDR";
    case Type::vpc_config:
      return "endpoint access setting";
    case Type::instance_spec:
      return "instance specification";
    case Type::tag_source:
      return "tag source";
    case Type::description:
      return "description";
    case Type::json_document:
      return "JSON document";
    case Type::aws_output:
      return "aws output format";
    case Type::aws_profile:
      return "AWS profile";
    case Type::url:
      return "endpoint URL";
    case Type::aws_time:
      return "time";
    case Type::log_group_name:
      return "log group name";
    case Type::log_stream_prefix:
      return "log stream prefix";
    case Type::jmespath:
      return "query";
    case Type::lookup_attribute:
      return "lookup attribute";
    case Type::guardduty_id:
      return "GuardDuty id";
    case Type::count:
      return "count";
    case Type::page_token:
      return "page token";
    case Type::aws_account_id:
      return "AWS account id";
    case Type::ecr_repository_name:
      return "ECR repository name";
    case Type::ecr_image_id:
      return "ECR image id";
  }
  return "value";
}

std::string check(Type t, std::string_view s) {
  if (t == Type::stdin_file) return s == "-" ? std::string() : "is not '-'";
  if (t == Type::label_value && s.empty()) return {};
  if (s.empty()) return "is empty";
  if (s.front() == '-') return "starts with '-' (it would be read as an option)";
  if (s.find('\0') != s.npos) return "holds a NUL byte";
  switch (t) {
    case Type::k8s_name:
      return dns1123_subdomain(s);
    case Type::k8s_label_name:
      return dns1123_label(s);
    case Type::rbac_name:
      return rbac_name(s);
    case Type::label_key:
      return label_key(s);
    case Type::label_value:
      return label_value(s);
    case Type::label_selector:
      return label_selector(s);
    case Type::label_change:
      return label_change(s);
    case Type::image_ref:
      return image_ref(s);
    case Type::image_change:
      return image_change(s);
    case Type::kube_context:
      return operator_text(s, 253);
    case Type::file_path:
      return operator_text(s, 4096);
    case Type::k8s_time:
      return iso_time(s) ? std::string() : "is not like 2026-03-14T09:12:31Z";
    case Type::duration:
      return s.size() <= 7 && all_digits(s.substr(0, s.size() - 1)) &&
                     std::string_view("smh").find(s.back()) != std::string_view::npos
                 ? std::string()
                 : "is not a number of s, m or h";
    case Type::kubectl_output:
      return one_of(s, {"json", "yaml", "wide", "name", "jsonpath={.spec.unschedulable}"});
    case Type::stdin_file:
      return {};
    case Type::field_manager:
      return s.size() <= 63 && std::all_of(s.begin(), s.end(),
                                           [](char c) { return lower_alnum(c) || c == '-'; })
                 ? std::string()
                 : "is not a lower-case word";
    case Type::iam_user_name:
    case Type::iam_role_name:
      return iam_name(s, 64);
    case Type::iam_policy_name:
      return iam_name(s, 128);
    case Type::iam_principal_arn:
      return iam_arn(s, false);
    case Type::iam_role_arn:
      return iam_arn(s, true);
    case Type::iam_policy_arn:
      return iam_policy_arn(s);
    case Type::trail_name:
      return trail_name(s);
    case Type::access_key_id:
      if (s.size() < 16 || s.size() > 128) return "is not 16 to 128 characters";
      if (s.substr(0, 4) != "AKIA" && s.substr(0, 4) != "ASIA")
        return "does not start with AKIA or ASIA";
      return only(s, [](char c) { return (c >= 'A' && c <= 'Z') || digit(c); });
    case Type::access_key_status:
      return one_of(s, {"Active", "Inactive"});
    case Type::instance_id:
      return aws_id(s, "i-");
    case Type::security_group_id:
      return aws_id(s, "sg-");
    case Type::sg_rule_id:
      return aws_id(s, "sgr-");
    case Type::snapshot_id:
      return aws_id(s, "snap-");
    case Type::cluster_name:
    case Type::nodegroup_name: {
      size_t max = t == Type::cluster_name ? 100 : 63;
      if (s.size() > max) return longer(max);
      if (!alnum(s.front())) return "does not start with a letter or digit";
      return only(s, [](char c) { return alnum(c) || c == '-' || c == '_'; });
    }
    case Type::region: {
      if (s.size() > 25) return longer(25);
      if (auto e = only(s, [](char c) { return lower_alnum(c) || c == '-'; }); !e.empty()) return e;
      size_t last = s.rfind('-');
      if (s.size() < 9 || s[2] != '-' ||
          !std::all_of(s.begin(), s.begin() + 2, [](char c) { return c >= 'a' && c <= 'z'; }) ||
          last == s.npos || !all_digits(s.substr(last + 1)) || s.size() - last > 3)
        return "is not like us-east-1";
      return {};
    }
    case Type::ipv4_cidr:
      return ipv4_cidr(s);
    case Type::vpc_config:
      return vpc_config(s);
    case Type::instance_spec:
      return instance_spec(s);
    case Type::tag_source:
      return one_of(s, {"volume"});
    case Type::description:
      if (s.size() > 255) return longer(255);
      return only(s, printable_ascii);
    case Type::json_document:
      return json_document(s);
    case Type::aws_output:
      return one_of(s, {"json", "text"});
    case Type::aws_profile:
      if (s.size() > 128) return longer(128);
      return only(s, [](char c) { return printable_ascii(c) && c != ' '; });
    case Type::url:
      if (s.size() > 2048) return longer(2048);
      if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0)
        return "does not start with http:// or https://";
      return only(s, [](char c) { return printable_ascii(c) && c != ' '; });
    case Type::aws_time:
      return (all_digits(s) && s.size() <= 16) || iso_time(s)
                 ? std::string()
                 : "is neither epoch milliseconds nor like 2026-03-14T09:12:31Z";
    case Type::log_group_name:
      if (s.size() > 512) return longer(512);
      return only(s, [](char c) {
        return alnum(c) || std::string_view("._/#-").find(c) != std::string_view::npos;
      });
    case Type::log_stream_prefix:
      if (s.size() > 512) return longer(512);
      return only(s, [](char c) {
        return alnum(c) || std::string_view("._/-").find(c) != std::string_view::npos;
      });
    case Type::jmespath:
      if (s.size() > 100) return longer(100);
      return only(s, [](char c) {
        return alnum(c) || std::string_view("[],.").find(c) != std::string_view::npos;
      });
    case Type::lookup_attribute: {
      constexpr std::string_view head = "AttributeKey=EventSource,AttributeValue=",
                                 tail = ".amazonaws.com";
      if (s.substr(0, head.size()) != head || s.size() <= head.size() + tail.size() ||
          s.substr(s.size() - tail.size()) != tail)
        return "is not AttributeKey=EventSource,AttributeValue=SERVICE.amazonaws.com";
      return only(s.substr(head.size(), s.size() - head.size() - tail.size()),
                  [](char c) { return lower_alnum(c) || c == '-'; });
    }
    case Type::guardduty_id:
      if (s.size() > 300) return longer(300);
      return only(s, lower_alnum);
    case Type::count:
      return s.size() <= 9 && all_digits(s) && s.front() != '0' ? std::string()
                                                                : "is not a positive integer";
    case Type::page_token:
      if (s.size() > 8192) return longer(8192);
      return only(s, [](char c) { return printable_ascii(c) && c != ' '; });
    case Type::aws_account_id:
      return s.size() == 12 && all_digits(s) ? std::string() : "is not 12 digits";
    case Type::ecr_repository_name:
      return ecr_repository_name(s);
    case Type::ecr_image_id:
      return ecr_image_id(s);
  }
  return "has no rule";
}

}  // namespace eksir::command
