// KQL tree → a ClickHouse WHERE clause. Each node becomes SQL that is exact, or a superset of
// the events the node matches (then the local engine decides on the rows it returns).
#include <fmt/format.h>

#include <charconv>

#include "backend/store.h"

namespace eksir::backend {
namespace {

struct Part {
  std::string sql;  // "" = no condition (every row)
  bool exact = false;
};

// True when the local engine could read the value as a number or boolean (then it would also
// match non-string JSON values, which the typed columns do not hold).
bool maybe_number(const std::string& text) {
  if (text.empty()) return false;
  if (text == "true" || text == "false") return true;
  char c = text.front();
  if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') return true;
  std::string lower;
  for (char ch : text.substr(0, 3)) lower.push_back(static_cast<char>(std::tolower(ch)));
  return lower == "inf" || lower == "nan";
}

// Printable ASCII that JSON encoders never escape: such text appears as is in the raw event.
bool raw_safe(const std::string& text) {
  if (text.empty()) return false;
  for (unsigned char c : text)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '/' || c == '<' || c == '>' ||
        c == '&' || c == '\'')
      return false;
  return true;
}

// A wildcard pattern as an anchored RE2 expression ('.' also matches newlines).
std::string wildcard_regex(const query::Pattern& p) {
  std::string re = "(?s)^";
  for (size_t i = 0; i < p.text.size(); ++i) {
    char c = p.text[i];
    if (c == '*' && p.is_wildcard(i)) {
      re += ".*";
      continue;
    }
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) re.push_back('\\');
    re.push_back(c);
  }
  return re + "$";
}

std::string bit(const char* mask, unsigned b) {
  return fmt::format("bitTest({}, {})", mask, b);
}

// The text of an event's document: the record as written, else (GuardDuty re-keyed, a
// vulnerability rebuilt, wide integers rewritten) its normalised JSON, where the values and keys a
// query reads are.
constexpr const char* kDocText = "if(empty(norm), raw, norm)";

class Translator {
 public:
  Translation& out;
  explicit Translator(Translation& t) : out(t) {}

  // The node's required literals: what the document of every event it matches contains.
  Part literals(const query::Node& node) {
    query::CompiledQuery c = query::compile(node);
    std::string sql;
    for (const auto& lit : c.required_literals())
      sql += fmt::format("{}position({}, {}) > 0", sql.empty() ? "" : " AND ", kDocText,
                         sql_string(lit));
    // A native path reaches its values through a key ending in the path's last name, so the
    // document holds that name (in another letter case when a GuardDuty path is written as the
    // CLI prints it).
    if (!node.field.empty() && node.kind != query::NodeKind::FreeText &&
        !FieldRef(node.field).ecs()) {
      std::string_view last(node.field);
      if (size_t dot = last.rfind('.'); dot != std::string_view::npos) last.remove_prefix(dot + 1);
      bool plain = last.size() >= 3;
      for (char ch : last)
        plain = plain && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-');
      if (plain)
        sql += fmt::format("{}positionCaseInsensitive({}, {}) > 0", sql.empty() ? "" : " AND ",
                           kDocText, sql_string(last));
    }
    out.local.push_back(query::to_string(node));
    return {sql, false};
  }

  Part match(const query::Node& n) {
    FieldRef field(n.field);
    const TypedField* t = typed_field_for(field);
    const query::Pattern& p = n.value;
    if (t && !p.regex && !p.fieldref && !p.cidr && !p.objects) {
      std::string col = t->column;
      if (p.plain() && !p.icase) {
        std::string has = fmt::format("has({}, {})", col, sql_string(p.text));
        if (!maybe_number(p.text)) {
          out.on_server.push_back(query::to_string(n));
          return {has, true};
        }
        out.local.push_back(query::to_string(n));
        return {fmt::format("({} OR {})", has, bit("irregular", t->bit)), false};
      }
      if (!p.icase) {
        out.local.push_back(query::to_string(n));
        return {fmt::format("(arrayExists(v -> match(v, {}), {}) OR {})",
                            sql_string(wildcard_regex(p)), col, bit("irregular", t->bit)),
                false};
      }
      if (p.wildcards.empty()) {
        std::string lower;
        for (char c : p.text) lower.push_back(static_cast<char>(std::tolower(c)));
        out.local.push_back(query::to_string(n));
        return {fmt::format("(has(arrayMap(v -> lower(v), {}), {}) OR {})", col, sql_string(lower),
                            bit("irregular", t->bit)),
                false};
      }
    }
    return literals(n);
  }

  Part node(const query::Node& n) {
    using query::NodeKind;
    switch (n.kind) {
      case NodeKind::All:
        return {"", true};
      case NodeKind::And: {
        Part r{"", true};
        for (const auto& c : n.children) {
          Part p = node(c);
          r.exact = r.exact && p.exact;
          if (!p.sql.empty()) r.sql += (r.sql.empty() ? "" : " AND ") + p.sql;
        }
        if (!r.sql.empty()) r.sql = "(" + r.sql + ")";
        return r;
      }
      case NodeKind::Or: {
        Part r{"", true};
        bool everything = false;
        for (const auto& c : n.children) {
          Part p = node(c);
          r.exact = r.exact && p.exact;
          if (p.sql.empty()) everything = true;
          r.sql += (r.sql.empty() ? "" : " OR ") + p.sql;
        }
        if (everything) return {"", r.exact};
        return {"(" + r.sql + ")", r.exact};
      }
      case NodeKind::Not: {
        size_t server = out.on_server.size(), local = out.local.size();
        Part c = node(n.children[0]);
        if (c.exact) return {c.sql.empty() ? "0" : "NOT " + c.sql, true};
        // A superset cannot be negated: the whole `not` is decided locally.
        out.on_server.resize(server);
        out.local.resize(local);
        out.local.push_back(query::to_string(n));
        return {"", false};
      }
      case NodeKind::Match:
        return match(n);
      case NodeKind::Exists: {
        if (const TypedField* t = typed_field_for(FieldRef(n.field))) {
          out.on_server.push_back(query::to_string(n));
          return {bit("present", t->bit), true};
        }
        return literals(n);
      }
      case NodeKind::FreeText: {
        const query::Pattern& p = n.value;
        if (p.wildcards.empty() && !p.regex && !p.fieldref && !p.cidr && raw_safe(p.text) &&
            !maybe_number(p.text)) {
          out.local.push_back(query::to_string(n));
          return {fmt::format("positionCaseInsensitive({}, {}) > 0", kDocText, sql_string(p.text)),
                  false};
        }
        return literals(n);
      }
      default:  // ranges, nested queries, translator predicates
        return literals(n);
    }
  }
};

}  // namespace

Translation translate(const query::Node& root) {
  Translation t;
  Translator tr(t);
  Part p = tr.node(root);
  t.where = p.sql.empty() ? "1" : p.sql;
  t.exact = p.exact;
  return t;
}

}  // namespace eksir::backend
