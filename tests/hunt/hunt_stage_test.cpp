// The hunt stage as values: prepare() says what is wrong with the query or the evidence paths,
// scan() hands the rows to the caller's sink and returns what it found.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "hunt/hunt.h"
#include "test_paths.h"

namespace eksir::hunt {
namespace {

struct Rows final : Sink {
  std::vector<std::string> rows;
  std::vector<uint64_t> copies;
  void row(std::string_view r, uint64_t c) override {
    rows.emplace_back(r);
    copies.push_back(c);
  }
};

HuntOptions example(const std::string& query) {
  HuntOptions o;
  o.query = query;
  o.evidence = {test::source_dir() + "/examples/incident-2026-03-14"};
  o.progress = false;
  o.threads = 2;
  return o;
}

bool has_note(const std::vector<std::string>& notes, std::string_view part) {
  return std::any_of(notes.begin(), notes.end(),
                     [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

TEST(HuntPrepare, AQueryThatDoesNotParseIsAnErrorValue) {
  Prepared p = prepare(example("verb:(create or"));
  EXPECT_FALSE(p.ok());
  ASSERT_TRUE(p.query_error);
  EXPECT_GT(p.query_error->column, 0u);
  EXPECT_FALSE(p.query_error->message.empty());
  EXPECT_TRUE(p.notes.empty());
}

TEST(HuntPrepare, UnknownFieldsAndUnreadablePathsAreNotes) {
  HuntOptions o = example("verb:create");
  o.fields = {"user.name", "no_such_field_anywhere"};
  o.evidence.push_back("/nonexistent/eksir-evidence");
  Prepared p = prepare(o);
  EXPECT_FALSE(p.query_error);
  EXPECT_TRUE(p.unreadable);
  EXPECT_FALSE(p.ok());
  EXPECT_TRUE(has_note(p.notes, "unknown field 'no_such_field_anywhere' in --fields"));
  EXPECT_TRUE(has_note(p.notes, "/nonexistent/eksir-evidence"));

  o.keep_going = true;
  p = prepare(o);
  EXPECT_TRUE(p.ok());
  EXPECT_TRUE(has_note(p.notes, "/nonexistent/eksir-evidence"));
}

TEST(HuntScan, RowsGoToTheSinkAndTheCountsComeBack) {
  HuntOptions o = example("eventName:UpdateClusterConfig");
  o.format = Format::Ndjson;
  Prepared p = prepare(o);
  ASSERT_TRUE(p.ok());
  Rows sink;
  Hunt h = scan(o, p, sink);
  ASSERT_EQ(sink.rows.size(), 1u);
  EXPECT_NE(sink.rows[0].find("\"eventName\":\"UpdateClusterConfig\""), std::string::npos);
  EXPECT_EQ(sink.rows[0].find('\n'), std::string::npos);
  EXPECT_EQ(h.matched, 1u);
  EXPECT_EQ(h.shown, 1u);
  EXPECT_EQ(h.folded, 1u);  // the example holds the call twice: S3 object and lookup-events
  EXPECT_EQ(h.order, Order::Evidence);
  EXPECT_GT(h.stats.events, 0u);
  EXPECT_FALSE(h.sort_failed);

  // A table row is its cells; sorted by time (the table's default), copies handed with the row.
  o.format = Format::Table;
  Rows table;
  h = scan(o, p, table);
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(h.order, Order::Time);
  EXPECT_EQ(table.copies[0], 1u);
  std::vector<std::string> cells = table_cells(table.rows[0]);
  ASSERT_EQ(cells.size(), 6u);
  EXPECT_EQ(cells[1], "cloudtrail");
  EXPECT_EQ(cells[3], "eks:UpdateClusterConfig");
}

TEST(HuntScan, ACountHandsNoRows) {
  HuntOptions o = example("*");
  o.count_only = true;
  Prepared p = prepare(o);
  ASSERT_TRUE(p.ok());
  Rows sink;
  Hunt h = scan(o, p, sink);
  EXPECT_TRUE(sink.rows.empty());
  EXPECT_GT(h.matched, 100u);
}

TEST(HuntScan, AFieldNoEventHasIsANoteAfterTheScan) {
  HuntOptions o = example("objectRef.resourse:*");
  o.prefilter = false;
  Prepared p = prepare(o);
  ASSERT_TRUE(p.ok());
  Rows sink;
  Hunt h = scan(o, p, sink);
  EXPECT_EQ(h.matched, 0u);
  EXPECT_TRUE(has_note(h.notes, "no event in the evidence has the field 'objectRef.resourse'"));
}

TEST(HuntWriter, TheJsonDocumentSaysTheScansFigures) {
  HuntOptions o = example("eventName:UpdateClusterConfig");
  o.format = Format::Json;
  o.order = Order::Time;  // sorted, a row knows its copies
  Prepared p = prepare(o);
  ASSERT_TRUE(p.ok());
  std::ostringstream out;
  Writer writer(out, o);
  Hunt h = scan(o, p, writer);
  writer.finish(h);
  const std::string doc = out.str();
  EXPECT_EQ(doc.rfind("{\"events\":[\n{", 0), 0u) << doc;
  EXPECT_NE(doc.find("\"copies\":1}"), std::string::npos) << doc;
  EXPECT_NE(doc.find("\"duplicates\":[\n{\"source\":\"cloudtrail\""), std::string::npos) << doc;
  EXPECT_NE(doc.find("\"matched\":1,\"duplicates\":1,\"order\":\"time\""), std::string::npos)
      << doc;
  EXPECT_EQ(h.duplicates.size(), 1u);
}

}  // namespace
}  // namespace eksir::hunt
