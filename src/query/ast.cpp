// The query tree: printing and inspection helpers.
#include <algorithm>
#include <set>

#include "query/query.h"

namespace eksir::query {

bool Pattern::is_wildcard(size_t offset) const {
  return std::binary_search(wildcards.begin(), wildcards.end(), static_cast<uint32_t>(offset));
}

std::vector<std::string> Pattern::segments() const {
  std::vector<std::string> out;
  size_t start = 0;
  for (uint32_t w : wildcards) {
    out.push_back(text.substr(start, w - start));
    start = w + 1;
  }
  out.push_back(text.substr(start));
  return out;
}

std::string_view range_op_text(RangeOp op) {
  switch (op) {
    case RangeOp::Lt:
      return "<";
    case RangeOp::Le:
      return "<=";
    case RangeOp::Gt:
      return ">";
    case RangeOp::Ge:
      return ">=";
  }
  return "?";
}

namespace {

void put_pattern(const Pattern& p, std::string& out) {
  if (p.quoted) {
    out.push_back('"');
    for (char c : p.text) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
    return;
  }
  for (size_t k = 0; k < p.text.size(); ++k) {
    char c = p.text[k];
    switch (c) {
      case '*':
        if (!p.is_wildcard(k)) out.push_back('\\');
        out.push_back('*');
        break;
      case '\\':
      case '(':
      case ')':
      case ':':
      case '<':
      case '>':
      case '"':
      case '{':
      case '}':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
}

void put(const Node& n, std::string& out) {
  switch (n.kind) {
    case NodeKind::All:
      out += "(all)";
      return;
    case NodeKind::And:
    case NodeKind::Or:
      out += n.kind == NodeKind::And ? "(and" : "(or";
      for (const Node& c : n.children) {
        out.push_back(' ');
        put(c, out);
      }
      out.push_back(')');
      return;
    case NodeKind::Not:
      out += "(not ";
      put(n.children.at(0), out);
      out.push_back(')');
      return;
    case NodeKind::Match:
      out += "(match " + n.field + " ";
      put_pattern(n.value, out);
      out.push_back(')');
      return;
    case NodeKind::Exists:
      out += "(exists " + n.field + ")";
      return;
    case NodeKind::Range:
      out += "(range " + n.field + " " + std::string(range_op_text(n.op)) + " ";
      put_pattern(n.value, out);
      out.push_back(')');
      return;
    case NodeKind::Nested:
      out += "(nested " + n.field + " ";
      put(n.children.at(0), out);
      out.push_back(')');
      return;
    case NodeKind::FreeText:
      out += "(text ";
      put_pattern(n.value, out);
      out.push_back(')');
      return;
    case NodeKind::Custom:
      out += "(custom " + (n.predicate ? n.predicate->text() : std::string()) + ")";
      return;
  }
}

void collect(const Node& n, const std::string& prefix, std::vector<std::string>& out,
             std::set<std::string>& seen) {
  switch (n.kind) {
    case NodeKind::Match:
    case NodeKind::Exists:
    case NodeKind::Range:
    case NodeKind::Nested: {
      std::string name = prefix.empty() ? n.field : prefix + "." + n.field;
      if (seen.insert(name).second) out.push_back(name);
      if (n.kind == NodeKind::Nested)
        for (const Node& c : n.children) collect(c, name, out, seen);
      return;
    }
    default:
      for (const Node& c : n.children) collect(c, prefix, out, seen);
  }
}

}  // namespace

Node combine(NodeKind kind, std::vector<Node> children) {
  if (children.size() == 1) return std::move(children[0]);
  Node n;
  n.kind = kind;
  for (auto& c : children) {
    if (c.kind == kind) {
      for (auto& g : c.children) n.children.push_back(std::move(g));
    } else {
      n.children.push_back(std::move(c));
    }
  }
  return n;
}

Node negate(Node child) {
  Node n;
  n.kind = NodeKind::Not;
  n.children.push_back(std::move(child));
  return n;
}

Node exists_node(const std::string& field) {
  Node n;
  n.kind = NodeKind::Exists;
  n.field = field;
  return n;
}

std::string to_string(const Node& node) {
  std::string out;
  put(node, out);
  return out;
}

std::vector<std::string> fields(const Node& node) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  collect(node, "", out, seen);
  return out;
}

}  // namespace eksir::query
