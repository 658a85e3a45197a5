// The EQL parser's kinds of case: a query into the tree of its first step, or an error.
#include <gtest/gtest.h>

#include <string>

#include "checks.h"
#include "rules/eql.h"
#include "rules/eql_tree_text.h"

namespace eksir::test {
namespace {

namespace eql = rules::eql;

void eql_tree(const Case& c) {
  eql::Result r = eql::parse(c.text("query"));
  const eql::Error* e = std::get_if<eql::Error>(&r);
  ASSERT_EQ(e, nullptr) << e->line << ":" << e->column << " " << e->message;
  EXPECT_EQ(show_tree(std::get<eql::Query>(r).steps.at(0).match), c.text("tree"));
}

void eql_error(const Case& c) {
  eql::Result r = eql::parse(c.text("query"));
  const eql::Error* e = std::get_if<eql::Error>(&r);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->line, c.number("line")) << e->message;
  EXPECT_EQ(e->column, c.number("column")) << e->message;
  EXPECT_NE(e->message.find(c.text("message_contains")), std::string::npos) << e->message;
  EXPECT_EQ(e->unsupported, c.fields["unsupported"].as<bool>()) << e->message;
}

}  // namespace

void add_eql_checks(Checks& checks) {
  checks["eql-tree"] = eql_tree;
  checks["eql-error"] = eql_error;
}

}  // namespace eksir::test
