// required_literals(): the scanner's prefilter. A soundness check over every sample event: whenever
// a query matches, its raw text contains every literal. Its cases are data:
// tests/cases/query/required_literals.yaml.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "query/query.h"
#include "query/sample_events.h"

namespace eksir::query {
namespace {

using test::SampleEvents;

// Every sample event, with its source.
std::vector<std::shared_ptr<SampleEvents>> all_samples() {
  namespace fs = std::filesystem;
  std::vector<std::shared_ptr<SampleEvents>> out;
  const std::string root = test::samples_dir();
  auto add_dir = [&](const std::string& dir, Source s, const std::string& ext) {
    for (const auto& e : fs::recursive_directory_iterator(root + "/" + dir)) {
      if (!e.is_regular_file()) continue;
      std::string p = e.path().string();
      if (p.size() < ext.size() || p.compare(p.size() - ext.size(), ext.size(), ext) != 0) continue;
      if (p.find(".index.json") != std::string::npos ||
          p.find("metrics-snapshot") != std::string::npos)
        continue;
      out.push_back(SampleEvents::file(p.substr(root.size() + 1), s));
    }
  };
  add_dir("k8s-audit", Source::K8sAudit, ".json");
  add_dir("k8s-audit", Source::K8sAudit, ".jsonl");
  add_dir("cloudtrail", Source::CloudTrail, ".json");
  add_dir("guardduty/elastic-integrations", Source::GuardDuty, ".jsonl");
  add_dir("falco", Source::Falco, ".jsonl");
  add_dir("ocsf", Source::Ocsf, ".ocsf.json");
  return out;
}

std::string quote(std::string_view v) {
  std::string q = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') q.push_back('\\');
    q.push_back(c);
  }
  return q + "\"";
}

TEST(RequiredLiterals, SoundOnEverySample) {
  auto samples = all_samples();
  size_t events = 0;
  for (const auto& s : samples) events += s->size();
  ASSERT_GT(events, 400u);

  // Queries built from values the samples really hold, so that they match something.
  const char* fields[] = {"verb",
                          "objectRef.resource",
                          "objectRef.namespace",
                          "user.username",
                          "user.name",
                          "event.action",
                          "eventName",
                          "eventSource",
                          "userAgent",
                          "user_agent.original",
                          "source.ip",
                          "sourceIPAddress",
                          "requestObject.spec.containers.image",
                          "output_fields.k8s.pod.name",
                          "rule",
                          "type",
                          "requestURI",
                          "userIdentity.arn",
                          "requestParameters.name",
                          "annotations.authorization.k8s.io/reason",
                          "finding_info.title"};
  std::set<std::string> queries;
  for (const auto& s : samples) {
    for (const auto& item : *s) {
      for (const char* f : fields) {
        std::string value;
        FieldRef(f).any(item.view, [&](const FieldValue& v) {
          if (v.type != FieldValue::Type::String || v.str.size() < 4) return false;
          value = std::string(v.str);
          return true;
        });
        if (value.empty()) continue;
        queries.insert(std::string(f) + ":" + quote(value));
        queries.insert(std::string(f) + ":" + quote(value) + " and verb:create");
        // A wildcard form: *<middle>*, escaped for an unquoted value.
        std::string mid = value.substr(1, value.size() - 2), esc;
        for (char c : mid) {
          if (std::string_view("\\():<>\"*{} \t").find(c) != std::string_view::npos)
            esc.push_back('\\');
          esc.push_back(c);
        }
        queries.insert(std::string(f) + ":*" + esc + "*");
      }
    }
  }
  ASSERT_GT(queries.size(), 500u);
  size_t checked = 0, with_literals = 0;
  for (const std::string& text : queries) {
    ParseResult r = parse(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().message;
    CompiledQuery q = compile(r->root);
    const auto& lits = q.required_literals();
    if (lits.empty()) continue;
    ++with_literals;
    for (const auto& s : samples) {
      for (const auto& item : *s) {
        if (!q.matches(item.view)) continue;
        ++checked;
        for (const std::string& l : lits)
          ASSERT_NE(item.view.raw.find(l), std::string_view::npos)
              << "query " << text << " matched " << s->name() << " #" << item.view.record
              << " whose text lacks literal '" << l << "'";
      }
    }
  }
  EXPECT_GT(with_literals, queries.size() / 2);
  EXPECT_GT(checked, 500u);
}

}  // namespace
}  // namespace eksir::query
