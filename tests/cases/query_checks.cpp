// The query stage's kinds of case: KQL parsed into a tree or an error, evaluated on events, and
// the literals the scanners' prefilters take from it.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "checks.h"
#include "query/query.h"
#include "query/sample_events.h"

namespace eksir::test {

const SampleEvents& sample_events(const Case& c) {
  static std::map<std::string, std::shared_ptr<SampleEvents>> cache;
  std::optional<Source> source = parse_source(c.text("source"));
  if (!source) throw std::runtime_error("unknown source '" + c.text("source") + "'");
  const bool from_file = c.has("sample");
  const std::string what = from_file ? c.text("sample") : c.text("events");
  auto& slot = cache[c.text("source") + "\n" + what];
  if (!slot)
    slot = from_file ? SampleEvents::file(what, *source) : SampleEvents::text(what, *source);
  return *slot;
}

namespace {

void kql_eval(const Case& c) {
  query::ParseResult r = query::parse(c.text("query"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  query::CompiledQuery q = query::compile(r->root);
  size_t n = 0;
  for (const auto& item : sample_events(c))
    if (q.matches(item.view)) ++n;
  EXPECT_EQ(n, c.number("matches"));
}

void kql_tree(const Case& c) {
  query::ParseResult r = query::parse(c.text("query"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(query::to_string(r->root), c.text("tree"));
}

void kql_error(const Case& c) {
  query::ParseResult r = query::parse(c.text("query"));
  ASSERT_FALSE(r.ok()) << query::to_string(r->root);
  EXPECT_EQ(r.error().column, c.number("column"));
  EXPECT_EQ(r.error().message, c.text("message"));
}

void kql_required_literals(const Case& c) {
  query::ParseResult r = query::parse(c.text("query"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(query::compile(r->root).required_literals(), c.strings("literals"));
}

// Clauses written as text: clauses joined by " & ", the literals of one by " | ", a literal
// ignoring case in ~...~.
std::string show(const util::LiteralClauses& clauses) {
  std::string out;
  for (const auto& clause : clauses) {
    if (!out.empty()) out += " & ";
    std::string one;
    for (const auto& l : clause) {
      if (!one.empty()) one += " | ";
      one += l.icase ? "~" + l.text + "~" : l.text;
    }
    out += one;
  }
  return out;
}

void kql_text_literals(const Case& c) {
  query::ParseResult r = query::parse(c.text("query"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(show(query::text_literals(r->root)), c.text("clauses"));
}

}  // namespace

void add_query_checks(Checks& checks) {
  checks["kql-eval"] = kql_eval;
  checks["kql-tree"] = kql_tree;
  checks["kql-error"] = kql_error;
  checks["kql-required-literals"] = kql_required_literals;
  checks["kql-text-literals"] = kql_text_literals;
}

}  // namespace eksir::test
