#include "event/fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "event/field_renames.h"

namespace eksir {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {
// Only called once the element's type is known.
simdjson::dom::array as_array(element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return {};
  return a;
}
simdjson::dom::object as_object(element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return {};
  return o;
}
}  // namespace

FieldValue FieldValue::from(element e) {
  FieldValue v;
  v.elem = e;
  v.in_document = true;
  switch (e.type()) {
    case element_type::STRING:
      v.type = Type::String;
      v.str = e.get_string().value_unsafe();
      break;
    case element_type::INT64:
      v.type = Type::Int;
      v.i = e.get_int64().value_unsafe();
      v.d = static_cast<double>(v.i);
      break;
    case element_type::UINT64:
      v.type = Type::Uint;
      v.u = e.get_uint64().value_unsafe();
      v.d = static_cast<double>(v.u);
      break;
    case element_type::DOUBLE:
      v.type = Type::Double;
      v.d = e.get_double().value_unsafe();
      break;
    case element_type::BOOL:
      v.type = Type::Bool;
      v.b = e.get_bool().value_unsafe();
      break;
    case element_type::NULL_VALUE:
      v.type = Type::Null;
      break;
    case element_type::OBJECT:
    case element_type::ARRAY:  // only reached by callers that do not flatten
      v.type = Type::Object;
      break;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Walking native paths
// ---------------------------------------------------------------------------------------------

namespace {

bool emit_flat(element e, ValueSink& sink) {
  if (e.type() == element_type::ARRAY) {
    for (element item : as_array(e))
      if (emit_flat(item, sink)) return true;
    return false;
  }
  return sink(FieldValue::from(e));
}

// Exact: the key must equal the start of the rest of the path.
struct ExactKey {
  // Returns the number of path bytes the key consumes, or npos.
  static size_t match(std::string_view key, std::string_view rest) {
    if (key.empty() || key.size() > rest.size() || key[0] != rest[0]) return std::string_view::npos;
    if (std::memcmp(key.data() + 1, rest.data() + 1, key.size() - 1) != 0)
      return std::string_view::npos;
    return key.size();
  }
};

// Loose: ASCII case and underscores are ignored (Elastic's snake_case names, PascalCase input).
struct LooseKey {
  static char fold(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  static size_t match(std::string_view key, std::string_view rest) {
    size_t k = 0, r = 0;
    while (true) {
      while (k < key.size() && key[k] == '_') ++k;
      if (k == key.size()) break;
      while (r < rest.size() && rest[r] == '_') ++r;
      if (r == rest.size()) return std::string_view::npos;
      if (key[k] == '.' || rest[r] == '.') {
        if (key[k] != rest[r]) return std::string_view::npos;
      } else if (fold(key[k]) != fold(rest[r])) {
        return std::string_view::npos;
      }
      ++k;
      ++r;
    }
    if (r == 0) return std::string_view::npos;
    while (r < rest.size() && rest[r] == '_') ++r;
    return r;
  }
};

template <class Cmp>
bool walk(element node, std::string_view rest, ValueSink& sink) {
  switch (node.type()) {
    case element_type::ARRAY:
      for (element item : as_array(node))
        if (walk<Cmp>(item, rest, sink)) return true;
      return false;
    case element_type::OBJECT:
      for (auto kv : as_object(node)) {
        size_t n = Cmp::match(kv.key, rest);
        if (n == std::string_view::npos) continue;
        if (n == rest.size()) {
          if (emit_flat(kv.value, sink)) return true;
        } else if (rest[n] == '.') {
          if (walk<Cmp>(kv.value, rest.substr(n + 1), sink)) return true;
        }
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

bool walk_path(element root, std::string_view path, ValueSink& sink) {
  if (path.empty()) return emit_flat(root, sink);
  return walk<ExactKey>(root, path, sink);
}

bool walk_leaves(element root, ValueSink& sink) {
  switch (root.type()) {
    case element_type::ARRAY:
      for (element item : as_array(root))
        if (walk_leaves(item, sink)) return true;
      return false;
    case element_type::OBJECT:
      for (auto kv : as_object(root))
        if (walk_leaves(kv.value, sink)) return true;
      return false;
    default:
      return sink(FieldValue::from(root));
  }
}

// ---------------------------------------------------------------------------------------------
// Computed fields
// ---------------------------------------------------------------------------------------------

namespace {

// First string at a native path of the event, or empty.
std::string_view first_string(const EventView& ev, std::string_view path) {
  std::string_view out;
  auto fn = [&](const FieldValue& v) {
    if (v.type != FieldValue::Type::String) return false;
    out = v.str;
    return true;
  };
  ValueSink sink(fn);
  walk_path(ev.doc, path, sink);
  return out;
}

bool has_value(const EventView& ev, std::string_view path) {
  auto fn = [](const FieldValue& v) {
    return v.type != FieldValue::Type::Null &&
           !(v.type == FieldValue::Type::String && v.str.empty());
  };
  ValueSink sink(fn);
  return walk_path(ev.doc, path, sink);
}

// Buffers for computed values that do not fit in a small stack buffer; reused, so they stop
// allocating once warm. Indexed by nesting depth in case a callback computes another field.
struct ScratchPool {
  std::array<std::string, 4> bufs;
  int depth = 0;
};
thread_local ScratchPool t_scratch;

class Scratch {
 public:
  Scratch() : index_(t_scratch.depth < 4 ? t_scratch.depth : -1) {
    ++t_scratch.depth;
    if (index_ >= 0) {
      buf_ = &t_scratch.bufs[static_cast<size_t>(index_)];
    } else {
      own_ = std::make_unique<std::string>();
      buf_ = own_.get();
    }
    buf_->clear();
  }
  ~Scratch() { --t_scratch.depth; }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string& str() { return *buf_; }

 private:
  int index_;
  std::string* buf_;
  std::unique_ptr<std::string> own_;
};

bool emit_string(ValueSink& sink, std::string_view s) {
  return sink(FieldValue::string(s));
}

// event_time(): the event's time as read by the sources stage.
bool fn_event_time(const EventView& ev, const FieldStep&, ValueSink& sink) {
  if (ev.time == kNoTime) return false;
  // Civil date from days since the epoch (Howard Hinnant's algorithm).
  int64_t secs = ev.time / 1000000000;
  int64_t ns = ev.time % 1000000000;
  if (ns < 0) {
    ns += 1000000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
  if (y < 0 || y > 9999) return false;
  char buf[32];
  auto put = [&](size_t at, int64_t v, int width) {
    for (int k = width - 1; k >= 0; --k) {
      buf[at + static_cast<size_t>(k)] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, rem / 3600, 2);
  buf[13] = ':';
  put(14, rem / 60 % 60, 2);
  buf[16] = ':';
  put(17, rem % 60, 2);
  // Fraction: milliseconds at least, more digits only when the time has them (no precision lost).
  buf[19] = '.';
  put(20, ns, 9);
  size_t end = 29;
  while (end > 23 && buf[end - 1] == '0') --end;
  buf[end] = 'Z';
  return emit_string(sink, std::string_view(buf, end + 1));
}

bool looks_like_ip(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  size_t dots = 0, colons = 0;
  for (char c : s) {
    if (c == '.')
      ++dots;
    else if (c == ':')
      ++colons;
    else if (!std::isxdigit(static_cast<unsigned char>(c)))
      return false;
  }
  if (colons >= 2) return true;  // IPv6 (possibly with an embedded IPv4)
  if (colons != 0 || dots != 3) return false;
  for (char c : s)
    if (c != '.' && !std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// ip(path): the strings at path that are IP addresses.
bool fn_ip(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  auto fn = [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::String && looks_like_ip(v.str)) return sink(v);
    return false;
  };
  ValueSink inner(fn);
  return walk_path(ev.doc, step.path, inner);
}

// arn_last(path): the part of an ARN after its last '/' (or ':').
bool fn_arn_last(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  auto fn = [&](const FieldValue& v) {
    if (v.type != FieldValue::Type::String || v.str.empty()) return false;
    size_t cut = v.str.find_last_of('/');
    if (cut == std::string_view::npos) cut = v.str.find_last_of(':');
    std::string_view last = cut == std::string_view::npos ? v.str : v.str.substr(cut + 1);
    if (last.empty()) return false;
    return emit_string(sink, last);
  };
  ValueSink inner(fn);
  return walk_path(ev.doc, step.path, inner);
}

// before(path, c): the part of the string before the first c (only when c occurs).
bool fn_before(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  auto fn = [&](const FieldValue& v) {
    if (v.type != FieldValue::Type::String || step.arg2.empty()) return false;
    size_t cut = v.str.find(step.arg2[0]);
    if (cut == std::string_view::npos || cut == 0) return false;
    return emit_string(sink, v.str.substr(0, cut));
  };
  ValueSink inner(fn);
  return walk_path(ev.doc, step.path, inner);
}

// lower(path): the string lower-cased.
bool fn_lower(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  auto fn = [&](const FieldValue& v) {
    if (v.type != FieldValue::Type::String) return sink(v);
    char small[64];
    Scratch scratch;
    char* out = small;
    if (v.str.size() > sizeof small) {
      scratch.str().resize(v.str.size());
      out = scratch.str().data();
    }
    for (size_t k = 0; k < v.str.size(); ++k)
      out[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(v.str[k])));
    return emit_string(sink, std::string_view(out, v.str.size()));
  };
  ValueSink inner(fn);
  return walk_path(ev.doc, step.path, inner);
}

// yes_no(path): Bool, false when the string is "No".
bool fn_yes_no(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  auto fn = [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Bool) return sink(v);
    if (v.type != FieldValue::Type::String) return false;
    FieldValue out;
    out.type = FieldValue::Type::Bool;
    out.b = v.str != "No";
    return sink(out);
  };
  ValueSink inner(fn);
  return walk_path(ev.doc, step.path, inner);
}

// loose(path): native path, keys compared ignoring case and underscores.
bool fn_loose(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  if (step.path.empty()) return false;
  return walk<LooseKey>(ev.doc, step.path, sink);
}

// iso_time(path): a time as ISO 8601 UTC with milliseconds, from a string or from epoch seconds
// (GuardDuty writes some times as a number: eksClusterDetails.createdAt, process.startTime).
bool fn_iso_time(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  auto fn = [&](const FieldValue& v) {
    TimeNs t = kNoTime;
    if (v.type == FieldValue::Type::String)
      t = parse_time(v.str);
    else if (v.type == FieldValue::Type::Int || v.type == FieldValue::Type::Uint ||
             v.type == FieldValue::Type::Double)
      t = static_cast<TimeNs>(std::llround(v.d * 1e3)) * 1'000'000;
    if (t == kNoTime) return false;
    const std::string text = format_time(t);
    return emit_string(sink, text);
  };
  ValueSink inner(fn);
  return walk_path(ev.doc, step.path, inner);
}

// when(path, other=VALUE): path's values when the string at `other` is VALUE (ignoring case).
bool fn_when(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  const size_t eq = step.arg2.find('=');
  if (eq == std::string::npos) return false;
  const std::string_view other = std::string_view(step.arg2).substr(0, eq);
  const std::string_view want = std::string_view(step.arg2).substr(eq + 1);
  const std::string_view got = first_string(ev, other);
  if (got.size() != want.size()) return false;
  for (size_t k = 0; k < got.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(got[k])) !=
        std::tolower(static_cast<unsigned char>(want[k])))
      return false;
  return walk_path(ev.doc, step.path, sink);
}

// all(a;b;...): the values at every one of the paths (Elastic appends them all to one field).
bool fn_all(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  std::string_view rest = step.path;
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    if (walk_path(ev.doc, rest.substr(0, semi), sink)) return true;
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
  }
  return false;
}

// severity_label(path): GuardDuty's name for a severity number, as Elastic writes it.
bool fn_severity_label(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  auto fn = [&](const FieldValue& v) {
    if (v.type != FieldValue::Type::Int && v.type != FieldValue::Type::Uint &&
        v.type != FieldValue::Type::Double)
      return false;
    // Elastic's bounds leave 3.95 or 8.95 unnamed: GuardDuty only writes one decimal.
    if (v.d >= 7.0 && v.d <= 8.9) return emit_string(sink, "High");
    if (v.d >= 4.0 && v.d <= 6.9) return emit_string(sink, "Medium");
    if (v.d >= 1.0 && v.d <= 3.9) return emit_string(sink, "Low");
    return false;
  };
  ValueSink inner(fn);
  return walk_path(ev.doc, step.path, inner);
}

bool fn_outcome_cloudtrail(const EventView& ev, const FieldStep&, ValueSink& sink) {
  if (has_value(ev, "errorCode") || has_value(ev, "errorMessage"))
    return emit_string(sink, "failure");
  if (first_string(ev, "eventName") == "ConsoleLogin") {
    std::string_view r = first_string(ev, "responseElements.ConsoleLogin");
    if (!r.empty() && r.size() < 32) {
      char buf[32];
      for (size_t k = 0; k < r.size(); ++k)
        buf[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(r[k])));
      return emit_string(sink, std::string_view(buf, r.size()));
    }
  }
  return emit_string(sink, "success");
}

// Elastic's aws.cloudtrail pipeline categorises these eventNames (its ECS categorization table);
// every other event gets event.type info and no event.category. Sorted by name (bytes).
struct CtCategory {
  std::string_view name, category, types;  // types: comma-separated
};
constexpr CtCategory kCtCategories[] = {
    {"AddUserToGroup", "iam", "group,change"},
    {"AssumeRole", "authentication", "info"},
    {"AttachGroupPolicy", "iam", "group,change"},
    {"AttachUserPolicy", "iam", "user,change"},
    {"ChangePassword", "iam", "user,change"},
    {"ConsoleLogin", "authentication", "info"},
    {"CreateAccessKey", "iam", "user,change"},
    {"CreateBucket", "file", "creation"},
    {"CreateGroup", "iam", "group,creation"},
    {"CreateKeyPair", "iam", "admin,creation"},
    {"CreateUser", "iam", "user,creation"},
    {"CreateVirtualMFADevice", "iam", "user,change"},
    {"DeactivateMFADevice", "iam", "user,change"},
    {"DeleteAccessKey", "iam", "user,change"},
    {"DeleteBucket", "file", "deletion"},
    {"DeleteGroup", "iam", "group,deletion"},
    {"DeleteGroupPolicy", "iam", "group,change"},
    {"DeleteSSHPublicKey", "iam", "user,change"},
    {"DeleteUser", "iam", "user,deletion"},
    {"DeleteUserPermissionsBoundary", "iam", "user,change"},
    {"DeleteUserPolicy", "iam", "user,change"},
    {"DeleteVirtualMFADevice", "iam", "user,change"},
    {"DetachGroupPolicy", "iam", "group,change"},
    {"DetachUserPolicy", "iam", "user,change"},
    {"EnableMFADevice", "iam", "user,change"},
    {"GetGroup", "iam", "group,info"},
    {"GetGroupPolicy", "iam", "group,info"},
    {"GetUser", "iam", "user,info"},
    {"GetUserPolicy", "iam", "user,info"},
    {"ListAttachedGroupPolicies", "iam", "group,info"},
    {"ListAttachedUserPolicies", "iam", "user,info"},
    {"ListGroupPolicies", "iam", "group,info"},
    {"ListGroups", "iam", "group,info"},
    {"ListGroupsForUser", "iam", "user,info"},
    {"ListUserPolicies", "iam", "user,info"},
    {"ListUserTags", "iam", "user,info"},
    {"ListUsers", "iam", "user,info"},
    {"PutGroupPolicy", "iam", "group,change"},
    {"PutUserPermissionsBoundary", "iam", "user,change"},
    {"PutUserPolicy", "iam", "user,change"},
    {"RemoveUserFromGroup", "iam", "group,change"},
    {"SetDefaultPolicyVersion", "iam", "admin,change"},
    {"SetSecurityTokenServicePreferences", "iam", "admin,change"},
    {"TagUser", "iam", "user,change"},
    {"UntagUser", "iam", "user,change"},
    {"UpdateAccessKey", "iam", "user,change"},
    {"UpdateAccountPasswordPolicy", "iam", "admin,change"},
    {"UpdateGroup", "iam", "group,change"},
    {"UpdateLoginProfile", "iam", "user,change"},
    {"UpdateRole", "iam", "admin,change"},
    {"UpdateSSHPublicKey", "iam", "user,change"},
    {"UpdateUser", "iam", "user,change"},
};

const CtCategory* ct_category(const EventView& ev) {
  const std::string_view name = first_string(ev, "eventName");
  auto it = std::lower_bound(std::begin(kCtCategories), std::end(kCtCategories), name,
                             [](const CtCategory& c, std::string_view n) { return c.name < n; });
  return it != std::end(kCtCategories) && it->name == name ? it : nullptr;
}

bool fn_ct_category(const EventView& ev, const FieldStep&, ValueSink& sink) {
  const CtCategory* c = ct_category(ev);
  return c && emit_string(sink, c->category);
}

bool fn_ct_type(const EventView& ev, const FieldStep&, ValueSink& sink) {
  const CtCategory* c = ct_category(ev);
  std::string_view types = c ? c->types : "info";
  while (!types.empty()) {
    const size_t comma = types.find(',');
    if (emit_string(sink, types.substr(0, comma))) return true;
    types = comma == std::string_view::npos ? std::string_view() : types.substr(comma + 1);
  }
  return false;
}

bool fn_outcome_audit(const EventView& ev, const FieldStep&, ValueSink& sink) {
  bool have_code = false;
  double code = 0;
  auto fn = [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Int || v.type == FieldValue::Type::Uint ||
        v.type == FieldValue::Type::Double) {
      have_code = true;
      code = v.d;
      return true;
    }
    return false;
  };
  ValueSink inner(fn);
  walk_path(ev.doc, "responseStatus.code", inner);
  if (have_code) return emit_string(sink, code >= 400 ? "failure" : "success");
  std::string_view decision = first_string(ev, "annotations.authorization.k8s.io/decision");
  if (decision == "allow") return emit_string(sink, "success");
  if (decision == "forbid") return emit_string(sink, "failure");
  return emit_string(sink, "unknown");
}

bool fn_outcome_ocsf(const EventView& ev, const FieldStep&, ValueSink& sink) {
  std::string_view status = first_string(ev, "status");
  if (status == "Success") return emit_string(sink, "success");
  if (status == "Failure") return emit_string(sink, "failure");
  bool have_code = false;
  double code = 0;
  auto fn = [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Int || v.type == FieldValue::Type::Uint ||
        v.type == FieldValue::Type::Double) {
      have_code = true;
      code = v.d;
      return true;
    }
    return false;
  };
  ValueSink inner(fn);
  walk_path(ev.doc, "api.response.code", inner);
  if (have_code) return emit_string(sink, code >= 400 ? "failure" : "success");
  return false;
}

bool fn_ocsf_kind(const EventView& ev, const FieldStep&, ValueSink& sink) {
  int64_t cls = -1;
  auto fn = [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Int)
      cls = v.i;
    else if (v.type == FieldValue::Type::Uint)
      cls = static_cast<int64_t>(v.u);
    return true;
  };
  ValueSink inner(fn);
  walk_path(ev.doc, "class_uid", inner);
  return emit_string(sink, cls >= 2000 && cls < 3000 ? "alert" : "event");
}

bool fn_falco_severity(const EventView& ev, const FieldStep&, ValueSink& sink) {
  static constexpr std::pair<std::string_view, int> kLevels[] = {
      {"emergency", 0}, {"alert", 1},         {"critical", 2}, {"error", 3}, {"warning", 4},
      {"notice", 5},    {"informational", 6}, {"info", 6},     {"debug", 7}};
  std::string_view p = first_string(ev, "priority");
  for (const auto& [name, level] : kLevels) {
    if (p.size() != name.size()) continue;
    bool same = true;
    for (size_t k = 0; k < p.size() && same; ++k)
      same = std::tolower(static_cast<unsigned char>(p[k])) == name[k];
    if (!same) continue;
    FieldValue v;
    v.type = FieldValue::Type::Int;
    v.i = level;
    v.d = level;
    return sink(v);
  }
  return false;
}

// resource_sub(): objectRef.resource, and "resource/subresource" when there is a subresource.
bool fn_resource_sub(const EventView& ev, const FieldStep&, ValueSink& sink) {
  std::string_view res, sub;
  bool stop = false;
  auto fn = [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::String && res.empty()) res = v.str;
    return stop = sink(v);
  };
  ValueSink inner(fn);
  walk_path(ev.doc, "objectRef.resource", inner);
  if (stop || res.empty()) return stop;
  sub = first_string(ev, "objectRef.subresource");
  if (sub.empty()) return false;
  Scratch scratch;
  std::string& s = scratch.str();
  s.append(res).append(1, '/').append(sub);
  return emit_string(sink, s);
}

// annotation(key): audit annotation by key, Elastic's underscore spelling accepted.
bool fn_annotation(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  element ann;
  if (ev.doc.type() != element_type::OBJECT) return false;
  if (ev.doc["annotations"].get(ann) != simdjson::SUCCESS) return false;
  if (ann.type() != element_type::OBJECT) return false;
  std::string_view want = step.path;
  for (auto kv : as_object(ann)) {
    std::string_view key = kv.key;
    bool same = key.size() == want.size();
    for (size_t k = 0; same && k < key.size(); ++k)
      same = key[k] == want[k] || (key[k] == '.' && want[k] == '_');
    if (same) {
      if (emit_flat(kv.value, sink)) return true;
      continue;
    }
    // A path below a value (annotations are strings, but accept objects too).
    if (want.size() > key.size() && want[key.size()] == '.' &&
        want.compare(0, key.size(), key) == 0)
      if (walk_path(kv.value, want.substr(key.size() + 1), sink)) return true;
  }
  return false;
}

// tostring(path): the object rendered as one string, as Elastic's pipeline does
// (Java's Map.toString after dropping null and empty values): {k=v, list=[a, b], o={x=y}}.
bool render_java(element e, std::string& out) {
  switch (e.type()) {
    case element_type::OBJECT: {
      size_t mark = out.size();
      out.push_back('{');
      bool first = true;
      for (auto kv : as_object(e)) {
        size_t before = out.size();
        if (!first) out.append(", ");
        out.append(kv.key).push_back('=');
        if (!render_java(kv.value, out)) {
          out.resize(before);
          continue;
        }
        first = false;
      }
      if (first) {
        out.resize(mark);
        return false;
      }
      out.push_back('}');
      return true;
    }
    case element_type::ARRAY: {
      size_t mark = out.size();
      out.push_back('[');
      bool first = true;
      for (element item : as_array(e)) {
        size_t before = out.size();
        if (!first) out.append(", ");
        if (!render_java(item, out)) {
          out.resize(before);
          continue;
        }
        first = false;
      }
      if (first) {
        out.resize(mark);
        return false;
      }
      out.push_back(']');
      return true;
    }
    case element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      if (s.empty()) return false;
      out.append(s);
      return true;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      char buf[40];
      std::to_chars_result r{};
      if (e.type() == element_type::INT64)
        r = std::to_chars(buf, buf + sizeof buf, e.get_int64().value_unsafe());
      else if (e.type() == element_type::UINT64)
        r = std::to_chars(buf, buf + sizeof buf, e.get_uint64().value_unsafe());
      else
        r = std::to_chars(buf, buf + sizeof buf, e.get_double().value_unsafe());
      out.append(buf, r.ptr);
      return true;
    }
    case element_type::BOOL:
      out.append(e.get_bool().value_unsafe() ? "true" : "false");
      return true;
    case element_type::NULL_VALUE:
      return false;
  }
  return false;
}

bool fn_tostring(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  auto fn = [&](const FieldValue& v) {
    if (!v.in_document || v.type == FieldValue::Type::Null) return false;
    Scratch scratch;
    if (!render_java(v.elem, scratch.str())) return false;
    return emit_string(sink, scratch.str());
  };
  ValueSink inner(fn);
  // The value itself, not flattened: render the whole array or object.
  element node = ev.doc;
  std::string_view path = step.path;
  if (node.type() != element_type::OBJECT) return false;
  element value;
  if (node[path].get(value) != simdjson::SUCCESS) return false;
  return inner(FieldValue::from(value));
}

struct ComputedDef {
  std::string_view name;
  ComputeFn fn;
  bool verbatim;         // values are substrings of the event's strings
  std::string_view doc;  // "$1"/"$2" stand for the arguments
};

constexpr ComputedDef kComputed[] = {
    {"event_time", fn_event_time, false, "the event time eksir read"},
    {"ip", fn_ip, true, "`$1` when it is an IP address"},
    {"arn_last", fn_arn_last, true, "last part of the ARN `$1`"},
    {"before", fn_before, true, "`$1` up to the first '$2'"},
    {"lower", fn_lower, false, "`$1` lower-cased"},
    {"yes_no", fn_yes_no, false, "`$1` is not \"No\""},
    {"camel", fn_loose, true, "`$1`, keys matched ignoring case and underscores"},
    {"iso_time", fn_iso_time, false, "`$1` as an ISO 8601 time (epoch seconds converted)"},
    {"when", fn_when, true, "`$1` when `$2`"},
    {"all", fn_all, true, "every value of `$1` (paths separated by ';')"},
    {"severity_label", fn_severity_label, false,
     "High (7.0-8.9), Medium (4.0-6.9) or Low (1.0-3.9) from `$1`"},
    {"outcome_cloudtrail", fn_outcome_cloudtrail, false, "computed: see the description"},
    {"ct_category", fn_ct_category, false, "computed: see the description"},
    {"ct_type", fn_ct_type, false, "computed: see the description"},
    {"outcome_audit", fn_outcome_audit, false, "computed: see the description"},
    {"outcome_ocsf", fn_outcome_ocsf, false, "computed: see the description"},
    {"ocsf_kind", fn_ocsf_kind, false, "alert or event, from `class_uid`"},
    {"falco_severity", fn_falco_severity, false, "`priority` as a number"},
    {"resource_sub", fn_resource_sub, true,
     "`objectRef.resource`, and also resource/subresource (pods/exec)"},
    {"annotation", fn_annotation, true, "annotation `$1` (dots or underscores)"},
    {"tostring", fn_tostring, false, "`$1` rendered as one string"},
};

const ComputedDef* find_computed(std::string_view name) {
  for (const auto& c : kComputed)
    if (c.name == name) return &c;
  return nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string substitute(std::string_view text, std::string_view rest) {
  std::string out;
  for (char c : text) {
    if (c == '*')
      out.append(rest);
    else
      out.push_back(c);
  }
  return out;
}

// Parses one cell of the table into steps; `rest` replaces '*' (prefix rows).
std::vector<FieldStep> parse_cell(std::string_view cell, std::string_view rest) {
  std::vector<FieldStep> steps;
  while (!cell.empty()) {
    size_t bar = cell.find(" | ");
    std::string_view alt = trim(cell.substr(0, bar));
    cell = bar == std::string_view::npos ? std::string_view() : cell.substr(bar + 3);
    if (alt.empty()) continue;
    FieldStep step;
    if (alt.front() == '\'') {
      if (alt.size() < 2 || alt.back() != '\'') throw std::logic_error("field table: bad constant");
      step.kind = FieldStep::Kind::Constant;
      step.verbatim = false;
      step.path = std::string(alt.substr(1, alt.size() - 2));
    } else if (alt.front() == '=') {
      size_t open = alt.find('(');
      if (open == std::string_view::npos || alt.back() != ')')
        throw std::logic_error("field table: bad computed cell " + std::string(alt));
      const ComputedDef* def = find_computed(alt.substr(1, open - 1));
      if (!def) throw std::logic_error("field table: unknown function " + std::string(alt));
      std::string_view args = alt.substr(open + 1, alt.size() - open - 2);
      size_t comma = args.find(',');
      step.kind = FieldStep::Kind::Computed;
      step.fn = def->fn;
      step.verbatim = def->verbatim;
      step.path = substitute(args.substr(0, comma), rest);
      if (comma != std::string_view::npos) step.arg2 = std::string(args.substr(comma + 1));
    } else {
      step.kind = FieldStep::Kind::Path;
      step.path = substitute(alt, rest);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

// Native paths by number, for FieldCache slots. Ids start at 1 (0: not a cached path).
uint32_t path_number(const std::string& path) {
  static std::mutex mu;
  static std::unordered_map<std::string, uint32_t> ids;
  std::lock_guard<std::mutex> lock(mu);
  auto [it, fresh] = ids.emplace(path, static_cast<uint32_t>(ids.size() + 1));
  return it->second;
}

bool starts_with_key(std::string_view name, std::string_view key) {
  return name.size() >= key.size() && name.compare(0, key.size(), key) == 0 &&
         (name.size() == key.size() || name[key.size()] == '.');
}

struct Registry {
  struct Row {
    const FieldInfo* info;
    std::string prefix;  // for prefix rows: the name without the trailing '*'
  };
  std::unordered_map<std::string_view, const FieldInfo*> exact;
  std::vector<Row> prefixes;                // longest first
  std::vector<const FieldRename*> renames;  // longest first

  Registry() {
    for (const FieldInfo& info : field_table()) {
      if (info.ecs.size() > 2 && info.ecs.compare(info.ecs.size() - 2, 2, ".*") == 0) {
        prefixes.push_back({&info, info.ecs.substr(0, info.ecs.size() - 1)});
      } else {
        exact.emplace(info.ecs, &info);
      }
      // Validate every cell now, so a bad table fails at first use, not on some query.
      for (const std::string& cell : info.native) parse_cell(cell, "x");
    }
    std::stable_sort(prefixes.begin(), prefixes.end(),
                     [](const Row& a, const Row& b) { return a.prefix.size() > b.prefix.size(); });
    for (const FieldRename& r : field_renames()) {
      std::string_view rest;
      const FieldInfo* under = find(r.ecs, rest);
      if (!under || rest.empty())
        throw std::logic_error("field table: rename outside a prefix row: " + r.ecs);
      parse_cell(r.native, "x");
      renames.push_back(&r);
    }
    std::stable_sort(
        renames.begin(), renames.end(),
        [](const FieldRename* a, const FieldRename* b) { return a->ecs.size() > b->ecs.size(); });
  }

  // The rename that covers a name (the name itself or one above it), or null.
  const FieldRename* rename(std::string_view name) const {
    for (const FieldRename* r : renames)
      if (starts_with_key(name, r->ecs)) return r;
    return nullptr;
  }

  // The row for a name and the rest of the name after a prefix row's prefix.
  const FieldInfo* find(std::string_view name, std::string_view& rest) const {
    auto it = exact.find(name);
    if (it != exact.end()) {
      rest = {};
      return it->second;
    }
    for (const Row& row : prefixes) {
      if (name.size() > row.prefix.size() && name.compare(0, row.prefix.size(), row.prefix) == 0) {
        rest = name.substr(row.prefix.size());
        return row.info;
      }
    }
    return nullptr;
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

bool top_level_known(Source s, std::string_view name) {
  for (const std::string& key : top_level_keys(s))
    if (starts_with_key(name, key)) return true;
  return false;
}

// GuardDuty PascalCase (the AWS CLI's spelling): first key known once its first letter is lowered.
bool guardduty_pascal(std::string_view name) {
  if (name.empty() || !std::isupper(static_cast<unsigned char>(name[0]))) return false;
  std::string lowered(name);
  lowered[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lowered[0])));
  return top_level_known(Source::GuardDuty, lowered);
}

constexpr std::string_view kTimePaths[kSourceCount][4] = {
    {"eventTime", "userIdentity.sessionContext.attributes.creationDate", "", ""},
    {"stageTimestamp", "requestReceivedTimestamp", "timestamp", "metadata.creationTimestamp"},
    {"createdAt", "updatedAt", "service.eventFirstSeen", "service.eventLastSeen"},
    {"time", "", "", ""},
    {"time_dt", "start_time_dt", "end_time_dt", ""},
    {"first_observed_at", "last_observed_at", "scanned_at", "updated_at"},
};

}  // namespace

FieldRef::FieldRef(std::string_view name) : name_(name) {
  const Registry& reg = registry();
  std::string_view rest;
  if (const FieldInfo* info = reg.find(name_, rest)) {
    known_ = ecs_ = true;
    time_ = info->type == "date";
    const FieldRename* rename = rest.empty() ? nullptr : reg.rename(name_);
    for (int s = 0; s < kSourceCount; ++s) {
      if (!rename || info->native[s].empty()) {
        steps_[s] = parse_cell(info->native[s], rest);
        continue;
      }
      const std::string_view below = std::string_view(name_).substr(rename->ecs.size());
      const char first = rename->native.front();
      if (first == '=' || first == '\'') {
        if (below.empty()) steps_[s] = parse_cell(rename->native, "");
      } else {
        steps_[s] = parse_cell(info->native[s], rename->native + std::string(below));
      }
    }
    number_paths();
    return;
  }
  // A native path.
  bool any_known = false;
  std::array<bool, kSourceCount> on{};
  for (int s = 0; s < kSourceCount; ++s) {
    on[s] = top_level_known(static_cast<Source>(s), name_);
    any_known = any_known || on[s];
  }
  const bool pascal = guardduty_pascal(name_);
  if (pascal) on[static_cast<int>(Source::GuardDuty)] = any_known = true;
  known_ = any_known;
  for (int s = 0; s < kSourceCount; ++s) {
    if (any_known && !on[s]) continue;
    const Source src = static_cast<Source>(s);
    if (src == Source::K8sAudit) {
      // The same as kubernetes.audit.<name>: picks up the audit refinements (annotations with
      // either spelling, objectRef.resource with its subresource).
      std::string ecs_name = "kubernetes.audit." + name_;
      std::string_view sub_rest;
      if (const FieldInfo* info = reg.find(ecs_name, sub_rest)) {
        steps_[s] = parse_cell(info->native[s], sub_rest);
        if (!steps_[s].empty()) continue;
      }
    }
    FieldStep step;
    if (src == Source::GuardDuty && pascal) {
      step.kind = FieldStep::Kind::Computed;
      step.fn = fn_loose;
    }
    step.path = name_;
    steps_[s].push_back(std::move(step));
  }
  for (int s = 0; s < kSourceCount && !time_; ++s)
    for (std::string_view p : kTimePaths[s])
      if (!p.empty() && p == name_ && on[s]) time_ = true;
  number_paths();
}

void FieldRef::number_paths() {
  for (auto& steps : steps_)
    for (FieldStep& step : steps)
      if (step.kind == FieldStep::Kind::Path) step.path_id = path_number(step.path);
}

bool FieldCache::visit(const EventView& ev, const FieldStep& step, ValueSink& sink) {
  if (step.path_id >= slots_.size()) slots_.resize(step.path_id + 64);
  Slot& slot = slots_[step.path_id];
  if (slot.generation != generation_) {
    const uint32_t begin = static_cast<uint32_t>(values_.size());
    auto keep = [this](const FieldValue& v) { values_.push_back(v); };
    ValueSink collect(keep);
    simdjson::dom::object root;
    if (step.path.empty() || ev.doc.get_object().get(root)) {
      walk_path(ev.doc, step.path, collect);
    } else {
      if (!top_ready_) {
        top_.clear();
        for (auto kv : root) top_.emplace_back(kv.key, kv.value);
        top_ready_ = true;
      }
      // walk<ExactKey>'s object step, over the cached keys.
      const std::string_view rest = step.path;
      for (const auto& [key, value] : top_) {
        size_t n = ExactKey::match(key, rest);
        if (n == std::string_view::npos) continue;
        if (n == rest.size())
          emit_flat(value, collect);
        else if (rest[n] == '.')
          walk<ExactKey>(value, rest.substr(n + 1), collect);
      }
    }
    // slots_ does not move during the walk (no lookups are made from inside it).
    slot = {generation_, begin, static_cast<uint32_t>(values_.size() - begin)};
  }
  // By index and by copy: the sink may look up other fields, which appends to values_.
  const uint32_t begin = slot.begin, count = slot.count;
  for (uint32_t i = 0; i < count; ++i) {
    FieldValue v = values_[begin + i];
    if (sink(v)) return true;
  }
  return false;
}

bool FieldRef::verbatim(Source s) const {
  for (const FieldStep& step : steps_[static_cast<size_t>(s)])
    if (!step.verbatim) return false;
  return true;
}

std::string FieldRef::describe(Source s) const {
  std::string out;
  for (const FieldStep& step : steps_[static_cast<size_t>(s)]) {
    if (!out.empty()) out += " | ";
    switch (step.kind) {
      case FieldStep::Kind::Path:
        out += step.path;
        break;
      case FieldStep::Kind::Constant:
        out += "'" + step.path + "'";
        break;
      case FieldStep::Kind::Computed: {
        std::string_view fname = "?";
        for (const auto& c : kComputed)
          if (c.fn == step.fn) fname = c.name;
        out += "=" + std::string(fname) + "(" + step.path +
               (step.arg2.empty() ? "" : "," + step.arg2) + ")";
        break;
      }
    }
  }
  return out;
}

bool FieldRef::visit(const EventView& ev, ValueSink& sink) const {
  const auto& steps = steps_[static_cast<size_t>(ev.source)];
  for (const FieldStep& step : steps) {
    size_t before = sink.count();
    bool stop = false;
    switch (step.kind) {
      case FieldStep::Kind::Path:
        stop = ev.cache && step.path_id ? ev.cache->visit(ev, step, sink)
                                        : walk_path(ev.doc, step.path, sink);
        break;
      case FieldStep::Kind::Computed:
        stop = step.fn(ev, step, sink);
        break;
      case FieldStep::Kind::Constant:
        stop = emit_string(sink, step.path);
        break;
    }
    if (stop) return true;
    if (sink.count() != before) return false;  // this step had values: later ones are fallbacks
  }
  return false;
}

bool FieldRef::exists(const EventView& ev) const {
  return any(ev, [](const FieldValue& v) { return v.type != FieldValue::Type::Null; });
}

bool FieldRef::visit_in(element root, std::string_view path, ValueSink& sink) {
  return walk_path(root, path, sink);
}

// ---------------------------------------------------------------------------------------------
// docs/fields.md
// ---------------------------------------------------------------------------------------------

namespace {

std::string render_cell(const std::string& cell) {
  if (cell.empty()) return "";
  std::string out;
  std::string_view rest = cell;
  bool first = true;
  while (!rest.empty()) {
    size_t bar = rest.find(" | ");
    std::string_view alt = trim(rest.substr(0, bar));
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 3);
    if (!first) out += ", else ";
    first = false;
    if (alt.front() == '\'') {
      out += "`\"" + std::string(alt.substr(1, alt.size() - 2)) + "\"`";
    } else if (alt.front() == '=') {
      size_t open = alt.find('(');
      const ComputedDef* def = find_computed(alt.substr(1, open - 1));
      std::string_view args = alt.substr(open + 1, alt.size() - open - 2);
      size_t comma = args.find(',');
      std::string a1(args.substr(0, comma));
      std::string a2 = comma == std::string_view::npos ? "" : std::string(args.substr(comma + 1));
      std::string doc;
      for (size_t k = 0; k < def->doc.size(); ++k) {
        if (def->doc[k] == '$' && k + 1 < def->doc.size() &&
            (def->doc[k + 1] == '1' || def->doc[k + 1] == '2')) {
          doc += def->doc[k + 1] == '1' ? a1 : a2;
          ++k;
        } else {
          doc += def->doc[k];
        }
      }
      out += doc;
    } else {
      out += "`" + std::string(alt) + "`";
    }
  }
  return out;
}

std::string escape_md(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string fields_markdown() {
  std::string md;
  md += "# Field names\n\n";
  md +=
      "<!-- Generated from src/event/field_table.cpp by fields_markdown(); do not edit by hand. "
      "-->\n\n";
  md +=
      "A field in a query is named either by its ECS name (as Elastic's AWS CloudTrail, GuardDuty\n"
      "and Kubernetes audit integrations map them, plus the playbook's aliases) or by its native\n"
      "path in the event as the source writes it (`eventName`, `objectRef.resource`,\n"
      "`requestObject.spec.containers.securityContext.privileged`, "
      "`output_fields.k8s.pod.name`).\n\n";
  md += "## How names resolve\n\n";
  md +=
      "- An ECS name reaches, on each source, the native paths of its row, tried in order: the\n"
      "  first that has a value wins. A blank cell means the field never exists on that source.\n"
      "- A name under a prefix row (`kubernetes.audit.*`, "
      "`aws.cloudtrail.flattened.request_parameters.*`,\n"
      "  `aws.guardduty.*`, `falco.*` ...) continues as a native path below it.\n"
      "- Any other name is a native path. It is *known* when its first key is a top-level key of\n"
      "  some source's events (listed below); an unknown name gives a warning and still matches\n"
      "  events that carry that path.\n"
      "- Native paths walk objects; arrays are traversed (any element), so `containers` means\n"
      "  every container. Keys may contain dots or slashes: at each object a key matches when it\n"
      "  equals the rest of the path or is a prefix of it followed by `.`\n"
      "  (`output_fields.ka.uri.param[command]`, `annotations.authorization.k8s.io/decision`,\n"
      "  `user.extra.authentication.kubernetes.io/pod-name`).\n"
      "- Kubernetes audit: a native path is the same as `kubernetes.audit.<path>`, so\n"
      "  `annotations.authorization_k8s_io/decision` (Elastic's spelling) works too, and\n"
      "  `objectRef.resource` also matches `resource/subresource` (`pods/exec`).\n"
      "- GuardDuty findings are read with camelCase keys; a PascalCase path (as `aws guardduty\n"
      "  get-findings` prints it) is matched ignoring case.\n"
      "- Vulnerability findings (Amazon Inspector, ECR image scans, Trivy, Grype) are one event "
      "per\n"
      "  image, vulnerability and package, rebuilt in one flat shape whatever the scanner: their\n"
      "  native paths are that shape's keys (`vulnerability_id`, `image_digest`,\n"
      "  `exploit_available`, `fix_available`, `inspector_score`, `status`, ...; listed below),\n"
      "  not the scanner's own. What each key holds is in "
      "`src/sources/unwrap_vulnerability.h`.\n\n";
  md += "## ECS names\n\n";
  md +=
      "| ECS name | type | CloudTrail | Kubernetes audit | GuardDuty | Falco | OCSF | "
      "Vulnerability | description |\n";
  md += "|---|---|---|---|---|---|---|---|---|\n";
  for (const FieldInfo& f : field_table()) {
    md += "| `" + f.ecs + "` | " + f.type + " |";
    for (int s = 0; s < kSourceCount; ++s) md += " " + escape_md(render_cell(f.native[s])) + " |";
    md += " " + escape_md(f.description) + " |\n";
  }
  md += "\n## GuardDuty names Elastic renames\n\n";
  md +=
      "Elastic's GuardDuty integration does not only turn camelCase into snake_case: it renames\n"
      "and restructures some fields. These names (and the names below them) resolve as listed;\n"
      "every other `aws.guardduty.*` name follows the camelCase rule.\n\n";
  md += "| Elastic name | native path |\n|---|---|\n";
  for (const FieldRename& r : field_renames())
    md += "| `" + r.ecs + "` | " + escape_md(render_cell(r.native)) + " |\n";
  md += "\n## Differences from Elastic on purpose\n\n";
  md +=
      "The same name, another value than Elastic's integration gives it, by choice. A rule "
      "written\n"
      "for Elastic's value reads the name given in the last column.\n\n";
  md += "| name | source | eksir | Elastic |\n|---|---|---|---|\n";
  for (const FieldDifference& d : field_differences())
    md += "| `" + d.ecs + "` | " + std::string(source_name(d.source)) + " | " + escape_md(d.eksir) +
          " | " + escape_md(d.elastic) + " |\n";
  md += "\n## Top-level keys of each source\n\n";
  md += "Native paths that start with one of these keys are known for that source.\n\n";
  for (int s = 0; s < kSourceCount; ++s) {
    md += "- **" + std::string(source_name(static_cast<Source>(s))) + "**: ";
    bool first = true;
    for (const std::string& k : top_level_keys(static_cast<Source>(s))) {
      if (!first) md += ", ";
      first = false;
      md += "`" + k + "`";
    }
    md += "\n";
  }
  return md;
}

}  // namespace eksir

namespace eksir {

void append_value(std::string& out, const FieldValue& v) {
  switch (v.type) {
    case FieldValue::Type::String:
      out.append(v.str);
      break;
    case FieldValue::Type::Int:
      out += std::to_string(v.i);
      break;
    case FieldValue::Type::Uint:
      out += std::to_string(v.u);
      break;
    case FieldValue::Type::Double:
      out += fmt::format("{}", v.d);
      break;
    case FieldValue::Type::Bool:
      out += v.b ? "true" : "false";
      break;
    case FieldValue::Type::Null:
      break;
    case FieldValue::Type::Object:
      out += simdjson::minify(v.elem);
      break;
  }
}

std::string field_text(const FieldRef& f, const EventView& ev) {
  std::string out;
  append_field_text(out, f, ev);
  return out;
}

void append_field_text(std::string& out, const FieldRef& f, const EventView& ev) {
  const size_t start = out.size();
  f.any(ev, [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Null) return false;
    if (out.size() > start) out += ",";
    append_value(out, v);
    return false;
  });
}

std::string path_text(simdjson::dom::element root, std::string_view path) {
  std::string out;
  FieldRef::any_in(root, path, [&](const FieldValue& v) {
    if (v.type == FieldValue::Type::Null) return false;
    append_value(out, v);
    return !out.empty();
  });
  return out;
}

std::string first_path(simdjson::dom::element root, std::initializer_list<std::string_view> paths) {
  for (auto p : paths) {
    std::string v = path_text(root, p);
    if (!v.empty()) return v;
  }
  return {};
}

}  // namespace eksir
