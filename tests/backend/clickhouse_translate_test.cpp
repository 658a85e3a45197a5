// KQL → ClickHouse SQL, and the store's address and text codecs (no server needed).
#include <gtest/gtest.h>

#include "backend/backend.h"
#include "backend/store.h"

namespace eksir::backend {
namespace {

Translation tr(const char* q) {
  auto p = query::parse(q);
  EXPECT_TRUE(p.ok()) << q;
  return translate(p->root);
}

TEST(ClickHouseTranslate, TypedFieldsBecomeColumns) {
  auto t = tr("verb:create and kubernetes.audit.objectRef.resource:pods");
  EXPECT_EQ(t.where, "(has(f_k8s_verb, 'create') AND has(f_k8s_resource, 'pods'))");
  EXPECT_TRUE(t.exact);
  EXPECT_EQ(tr("event.action:CreateCluster").where, "has(f_action, 'CreateCluster')");
  EXPECT_EQ(tr("not source.ip:*").where, "NOT bitTest(present, 5)");
  EXPECT_TRUE(tr("not source.ip:*").exact);
}

TEST(ClickHouseTranslate, WhatCannotBeSaidExactlyIsASupersetCheckedLocally) {
  auto w = tr("event.action:Delete*");
  EXPECT_FALSE(w.exact);
  EXPECT_NE(w.where.find("match(v, '(?s)^Delete.*$')"), std::string::npos) << w.where;
  auto n = tr("responseStatus.code:403");
  EXPECT_FALSE(n.exact);
  auto native = tr("requestObject.spec.hostNetwork:true and objectRef.subresource:exec");
  EXPECT_FALSE(native.exact);
  auto ft = tr("CreateCluster");
  EXPECT_EQ(ft.where, "positionCaseInsensitive(if(empty(norm), raw, norm), 'CreateCluster') > 0");
  // A superset cannot be negated: the `not` is decided locally.
  auto neg = tr("not event.action:Delete*");
  EXPECT_EQ(neg.where, "1");
  EXPECT_EQ(neg.local, std::vector<std::string>{"(not (match event.action Delete*))"});
  EXPECT_EQ(tr("verb:get or requestObject.spec.hostNetwork:true and x:y").exact, false);
  EXPECT_EQ(tr("").where, "1");
  EXPECT_TRUE(tr("").exact);
}

TEST(ClickHouseTranslate, ValuesAreQuoted) {
  auto t = tr("event.action:\"it's \\\\ tab\\t\"");
  EXPECT_EQ(t.where, "has(f_action, 'it\\'s \\\\ tab\\t')");
}

TEST(ClickHouseTarget, ParsesAddresses) {
  std::string error;
  auto t = parse_target("clickhouse://db1:9123/ir", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->shards.size(), 1u);
  EXPECT_EQ(t->shards[0].host, "db1");
  EXPECT_EQ(t->shards[0].port, 9123);
  EXPECT_EQ(t->database, "ir");
  t = parse_target("clickhouse://a:1,b:2/ir?cluster=c", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->shards.size(), 2u);
  EXPECT_EQ(t->cluster, "c");
  EXPECT_TRUE(t->distributed());
  t = parse_target("clickhouse://[::1]:8123/x", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->shards[0].host, "::1");
  EXPECT_FALSE(parse_target("http://a/b", error));
  EXPECT_FALSE(parse_target("clickhouse://a:99999/b", error));
  EXPECT_FALSE(parse_target("clickhouse://a,b/c", error));  // shards without a cluster
  EXPECT_FALSE(parse_target("clickhouse://a/b;drop", error));
}

TEST(ClickHouseTsv, EscapesRoundTrip) {
  std::string text = std::string("a\tb\nc\\d'e\0f", 12);
  std::string out;
  append_tsv(out, text);
  EXPECT_EQ(out.find('\t'), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(unescape_tsv(out), text);
}

TEST(ClickHouseTypedFields, AreKnownFields) {
  for (const auto& f : typed_fields()) {
    EXPECT_TRUE(FieldRef(f.field).known()) << f.field;
    EXPECT_EQ(typed_field_for(FieldRef(f.field)), &f) << f.field;
  }
  EXPECT_EQ(typed_field_for(FieldRef("requestObject.spec.hostNetwork")), nullptr);
}

}  // namespace
}  // namespace eksir::backend
