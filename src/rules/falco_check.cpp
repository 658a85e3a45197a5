// Falco conditions to the query tree, and output strings (see falco_check.h).
#include "rules/falco_check.h"

#include <fmt/format.h>
#include <fnmatch.h>
#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <unordered_set>

#include "rules/falco_fields.h"

namespace eksir::rules::falco {

namespace {

using query::Node;
using query::NodeKind;

enum class Op : uint8_t {
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Contains,
  IContains,
  StartsWith,
  EndsWith,
  Glob,
  IGlob,
  PMatch,
  In,
  Intersects,
  Exists,
  Regex
};

Op op_of(const std::string& op) {
  static const std::map<std::string, Op> kOps = {{"=", Op::Eq},
                                                 {"!=", Op::Ne},
                                                 {"<", Op::Lt},
                                                 {"<=", Op::Le},
                                                 {">", Op::Gt},
                                                 {">=", Op::Ge},
                                                 {"contains", Op::Contains},
                                                 {"icontains", Op::IContains},
                                                 {"startswith", Op::StartsWith},
                                                 {"endswith", Op::EndsWith},
                                                 {"glob", Op::Glob},
                                                 {"iglob", Op::IGlob},
                                                 {"pmatch", Op::PMatch},
                                                 {"in", Op::In},
                                                 {"intersects", Op::Intersects},
                                                 {"exists", Op::Exists},
                                                 {"regex", Op::Regex}};
  auto it = kOps.find(op);
  if (it == kOps.end()) throw Unsupported{fmt::format("operator '{}'", op)};
  return it->second;
}

bool is_set_op(Op op) {
  return op == Op::In || op == Op::Intersects || op == Op::PMatch;
}

char fold(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool number(std::string_view s, double& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// A path equals one of the prefixes or lies under it.
bool path_prefix(std::string_view v, const std::vector<std::string>& prefixes) {
  for (std::string p : prefixes) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (v == p) return true;
    if (v.size() > p.size() && v.substr(0, p.size()) == p && (p == "/" || v[p.size()] == '/'))
      return true;
  }
  return false;
}

class Check final : public query::Predicate {
 public:
  Check(Field f, Op op, std::vector<std::string> rhs, std::string text, Source source)
      : field_(std::move(f)),
        op_(op),
        rhs_(std::move(rhs)),
        text_(std::move(text)),
        source_(source) {
    set_.insert(rhs_.begin(), rhs_.end());
    if (op_ == Op::Regex) {
      re2::RE2::Options o;
      o.set_log_errors(false);
      regex_ = std::make_shared<re2::RE2>(rhs_.at(0), o);
      if (!regex_->ok()) throw Unsupported{fmt::format("regex '{}': {}", rhs_[0], regex_->error())};
    }
  }

  bool matches(const EventView& ev) const override {
    thread_local Values values;
    if (!field_.extract(ev, values)) return false;
    if (op_ == Op::Exists) return field_.list ? !values.empty() : true;
    if (field_.list) {
      if (op_ == Op::In) {
        for (size_t i = 0; i < values.size(); ++i)
          if (!set_.count(values.items[i])) return false;
        return true;
      }
      for (size_t i = 0; i < values.size(); ++i)
        if (set_.count(values.items[i])) return true;
      return false;
    }
    return one(values[0]);
  }

  bool applies_to(Source s) const override { return s == source_; }
  std::string text() const override { return text_; }

 private:
  bool one(std::string_view v) const {
    const std::string& r = rhs_.empty() ? empty_ : rhs_[0];
    switch (op_) {
      case Op::Eq:
        return v == r;
      case Op::Ne:
        return v != r;
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        double a, b;
        int c;
        if (number(v, a) && number(r, b))
          c = a < b ? -1 : a > b ? 1 : 0;
        else
          c = v.compare(r);
        return op_ == Op::Lt ? c < 0 : op_ == Op::Le ? c <= 0 : op_ == Op::Gt ? c > 0 : c >= 0;
      }
      case Op::Contains:
        return v.find(r) != std::string_view::npos;
      case Op::IContains: {
        if (r.size() > v.size()) return false;
        for (size_t k = 0; k + r.size() <= v.size(); ++k) {
          size_t j = 0;
          while (j < r.size() && fold(v[k + j]) == fold(r[j])) ++j;
          if (j == r.size()) return true;
        }
        return false;
      }
      case Op::StartsWith:
        return v.substr(0, r.size()) == r;
      case Op::EndsWith:
        return v.size() >= r.size() && v.substr(v.size() - r.size()) == r;
      case Op::Glob:
      case Op::IGlob: {
        std::string s(v);
        return fnmatch(r.c_str(), s.c_str(), op_ == Op::IGlob ? FNM_CASEFOLD : 0) == 0;
      }
      case Op::PMatch:
        return path_prefix(v, rhs_);
      case Op::In:
      case Op::Intersects:
        return set_.count(std::string(v)) > 0;
      case Op::Regex:
        return re2::RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *regex_);
      case Op::Exists:
        return true;
    }
    return false;
  }

  Field field_;
  Op op_;
  std::vector<std::string> rhs_;
  std::unordered_set<std::string> set_;
  std::shared_ptr<re2::RE2> regex_;
  std::string text_;
  Source source_;
  std::string empty_;
};

using query::combine;
using query::exists_node;
using query::negate;

Node match(const std::string& field, std::string text, std::vector<uint32_t> wild = {}) {
  Node n;
  n.kind = NodeKind::Match;
  n.field = field;
  n.value.text = std::move(text);
  n.value.quoted = true;
  n.value.wildcards = std::move(wild);
  return n;
}

std::string describe(const Expr& e, const std::vector<std::string>& rhs) {
  std::string out = e.field + " " + e.op;
  if (e.op == "exists") return out;
  if (e.list || rhs.size() != 1) {
    out += " (";
    for (size_t i = 0; i < rhs.size(); ++i) out += (i ? ", " : "") + rhs[i];
    return out + ")";
  }
  return out + " " + rhs[0];
}

}  // namespace

void Compiler::expand_into(const std::string& item, std::vector<std::string>& out, int depth) {
  auto it = defs_.lists.find(item);
  if (it == defs_.lists.end() || depth > 32) {
    out.push_back(item);
    return;
  }
  for (const auto& x : it->second) expand_into(x, out, depth + 1);
}

std::vector<std::string> Compiler::expand(const std::vector<Value>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (v.quoted)
      out.push_back(v.text);
    else
      expand_into(v.text, out, 0);
  }
  return out;
}

Node Compiler::check(const Expr& e) {
  std::string err;
  auto f = bind_field(e.field, err);
  if (!f) throw Unsupported{err};
  if (f->source != FieldSource::Any && f->source != source_)
    throw Unsupported{
        fmt::format("field '{}' of the {} source", f->base,
                    f->source == FieldSource::K8sAudit ? "k8s_audit" : "aws_cloudtrail")};
  Op op = op_of(e.op);
  if (op == Op::Eq || op == Op::Ne || op == Op::Lt || op == Op::Le || op == Op::Gt ||
      op == Op::Ge) {
    if (e.list) throw Unsupported{fmt::format("a value list after '{}'", e.op)};
  }
  if (e.op == "bcontains" || e.op == "bstartswith")
    throw Unsupported{fmt::format("operator '{}' (byte strings)", e.op)};
  if (f->list && op != Op::Exists && op != Op::In && op != Op::Intersects)
    throw Unsupported{fmt::format(
        "operator '{}' on the list field '{}' (Falco compares list fields only with exists, in, "
        "intersects)",
        e.op, f->base)};
  std::vector<std::string> rhs = is_set_op(op) ? expand(e.values) : [&] {
    std::vector<std::string> r;
    for (const auto& v : e.values) r.push_back(v.text);
    return r;
  }();
  if (op != Op::Exists && !is_set_op(op) && rhs.size() != 1)
    throw Unsupported{fmt::format("operator '{}' needs one value", e.op)};
  const std::string& nat = f->native;
  if (!nat.empty() && !f->list) {
    switch (op) {
      case Op::Exists:
        return exists_node(nat);
      case Op::Eq:
        return match(nat, rhs[0]);
      case Op::Ne: {
        std::vector<Node> both{exists_node(nat), negate(match(nat, rhs[0]))};
        return combine(NodeKind::And, std::move(both));
      }
      case Op::In:
      case Op::Intersects: {
        if (rhs.empty()) break;
        std::vector<Node> any;
        for (const auto& v : rhs) any.push_back(match(nat, v));
        return combine(NodeKind::Or, std::move(any));
      }
      case Op::StartsWith:
        return match(nat, rhs[0] + "*", {static_cast<uint32_t>(rhs[0].size())});
      case Op::EndsWith:
        return match(nat, "*" + rhs[0], {0});
      case Op::Contains:
        return match(nat, "*" + rhs[0] + "*", {0, static_cast<uint32_t>(rhs[0].size() + 1)});
      default:
        break;
    }
  }
  std::string text = describe(e, rhs);
  Node n;
  n.kind = NodeKind::Custom;
  n.predicate = std::make_shared<Check>(
      std::move(*f), op, std::move(rhs), std::move(text),
      source_ == FieldSource::CloudTrail ? Source::CloudTrail : Source::K8sAudit);
  return n;
}

Node Compiler::compile(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::And:
    case Expr::Kind::Or: {
      std::vector<Node> kids;
      for (const auto& c : e.children) kids.push_back(compile(c));
      return combine(e.kind == Expr::Kind::And ? NodeKind::And : NodeKind::Or, std::move(kids));
    }
    case Expr::Kind::Not:
      return negate(compile(e.children.at(0)));
    case Expr::Kind::Check:
      return check(e);
    case Expr::Kind::Macro: {
      auto def = defs_.macros.find(e.name);
      if (def == defs_.macros.end())
        throw Unsupported{fmt::format("undefined macro or list '{}'", e.name)};
      if (visiting_.count(e.name))
        throw Unsupported{fmt::format("macro '{}' refers to itself", e.name)};
      auto it = parsed_.find(e.name);
      if (it == parsed_.end()) {
        Expr body;
        std::string err;
        if (!parse_condition(def->second, body, err))
          throw Unsupported{fmt::format("macro '{}': {}", e.name, err)};
        it = parsed_.emplace(e.name, std::move(body)).first;
      }
      visiting_.insert(e.name);
      Node n = compile(it->second);
      visiting_.erase(e.name);
      return n;
    }
  }
  throw Unsupported{"an empty condition"};
}

std::function<std::string(const EventView&)> compile_output(const std::string& output,
                                                            std::vector<std::string>& unknown) {
  struct Piece {
    std::string text;
    std::shared_ptr<const Field> field;  // null: literal text
    bool missing = false;                // an unknown field: <NA>
  };
  std::vector<Piece> pieces;
  std::string lit;
  std::string_view s = output;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%' || i + 1 >= s.size()) {
      lit.push_back(s[i] == '\n' ? ' ' : s[i]);
      continue;
    }
    std::string_view rest = s.substr(i + 1);
    bool paren = rest[0] == '(';
    if (paren) rest.remove_prefix(1);
    size_t len = field_length(rest);
    if (len == 0) {
      size_t n = 0;
      while (n < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[n])) ||
                                 rest[n] == '.' || rest[n] == '_'))
        ++n;
      if (n == 0) {
        lit.push_back('%');
        continue;
      }
      unknown.emplace_back(rest.substr(0, n));
      if (!lit.empty()) pieces.push_back({std::move(lit), nullptr, false});
      lit.clear();
      pieces.push_back({"", nullptr, true});
      i += n + (paren ? 1 : 0);
      if (paren && i + 1 < s.size() && s[i + 1] == ')') ++i;
      continue;
    }
    std::string err;
    auto f = bind_field(rest.substr(0, len), err);
    if (!lit.empty()) pieces.push_back({std::move(lit), nullptr, false});
    lit.clear();
    if (f) {
      pieces.push_back({"", std::make_shared<const Field>(std::move(*f)), false});
    } else {
      unknown.emplace_back(rest.substr(0, len));
      pieces.push_back({"", nullptr, true});
    }
    i += len + (paren ? 1 : 0);
    if (paren && i + 1 < s.size() && s[i + 1] == ')') ++i;
  }
  if (!lit.empty()) pieces.push_back({std::move(lit), nullptr, false});
  return [pieces = std::move(pieces)](const EventView& ev) {
    std::string out;
    Values values;
    for (const auto& p : pieces) {
      if (!p.field) {
        out += p.missing ? std::string("<NA>") : p.text;
        continue;
      }
      if (!p.field->extract(ev, values)) {
        out += "<NA>";
      } else if (p.field->list) {
        out.push_back('(');
        for (size_t k = 0; k < values.size(); ++k) {
          if (k) out.push_back(',');
          out += values[k];
        }
        out.push_back(')');
      } else {
        out += values[0];
      }
    }
    return out;
  };
}

}  // namespace eksir::rules::falco
