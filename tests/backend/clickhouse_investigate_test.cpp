// `eksir investigate --on`: the bundled incident loaded into ClickHouse, its snapshot folder given
// as local evidence, must give the incident of a run on the files.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>
#include <sstream>

#include "app/app.h"
#include "backend/backend.h"
#include "backend/clickhouse_fixture.h"
#include "incident/incident.h"
#include "test_paths.h"

namespace eksir {
namespace {

std::string incident_dir() {
  return test::source_dir() + "/examples/incident-2026-03-14";
}

// The parts of the incident a responder acts on, one line each.
std::vector<std::string> incident_lines(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<std::string> out;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return {"not JSON: " + json.substr(0, 500)};
  auto str = [](simdjson::dom::element e, const char* key) {
    std::string_view v;
    return e[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string("-");
  };
  simdjson::dom::element inc = doc["incident"];
  out.push_back("severity " + str(inc, "severity"));
  out.push_back("title " + str(inc, "title"));
  for (auto c : inc["criteria"].get_array())
    out.push_back("criterion " + str(c, "level") + " " + str(c, "id") + " " + str(c, "criterion") +
                  (c["likely_benign"].get_bool().value() ? " benign" : "") + " evidence " +
                  std::to_string(c["evidence"].get_array().size()));
  std::set<std::string> affected;
  for (auto a : inc["affected"].get_array())
    affected.insert("affected " + str(a, "kind") + " " + str(a, "namespace") + "/" +
                    str(a, "name") + " node " + str(a["attributes"], "node"));
  out.insert(out.end(), affected.begin(), affected.end());
  for (auto t : inc["timeline"].get_array()) out.push_back("timeline " + str(t, "line"));
  out.push_back("first malicious " + str(inc["metrics"], "first_malicious_event"));
  return out;
}

std::string investigate(const std::vector<std::string>& evidence, const std::string& on, int& rc,
                        std::string& err_text) {
  app::InvestigateCommand o;
  o.options.evidence = evidence;
  o.on = on;
  o.case_dir = test::temp_dir() + "/case";
  o.options.config = test::source_dir() + "/examples/eksir.yaml";
  o.format = "json";
  o.options.threads = 2;
  o.options.progress = false;
  o.reports = false;
  std::ostringstream out, err;
  rc = app::investigate(o, out, err);
  err_text = err.str();
  return out.str();
}

TEST(ClickHouseInvestigate, IncidentFromTheStoreEqualsTheFiles) {
  auto& servers = test::ClickHouseServers::get();
  ASSERT_TRUE(servers.error.empty()) << servers.error;
  // The bundled incident alone, in a database of its own.
  std::string url = servers.single_url.substr(0, servers.single_url.rfind('/')) + "/incident";
  backend::LoadOptions lo;
  lo.evidence = {incident_dir()};
  lo.to = url;
  lo.quiet = true;
  std::ostringstream lout, lerr;
  ASSERT_EQ(app::load(lo, lout, lerr), 0) << lerr.str();

  int local_rc = 0, remote_rc = 0;
  std::string local_err, remote_err;
  auto local = incident_lines(investigate({incident_dir()}, "", local_rc, local_err));
  ASSERT_EQ(local_rc, 0) << local_err;
  ASSERT_GT(local.size(), 30u);
  EXPECT_EQ(local[0], "severity Critical");
  // The snapshot files are not events: they stay local evidence beside the store.
  auto remote =
      incident_lines(investigate({incident_dir() + "/snapshot"}, url, remote_rc, remote_err));
  EXPECT_EQ(remote_rc, local_rc) << remote_err;
  EXPECT_EQ(remote.size(), local.size());
  for (size_t i = 0; i < std::min(remote.size(), local.size()); ++i)
    if (remote[i] != local[i]) {
      ADD_FAILURE() << "line " << i << " differs:\n  store: " << remote[i]
                    << "\n  files: " << local[i] << "\n"
                    << remote_err;
      break;
    }
  // A pod is placed on its node from the audit pods/binding event the store returned.
  EXPECT_NE(std::find(remote.begin(), remote.end(),
                      "affected pod kube-system/backup-agent node ip-10-42-11-27.ec2.internal"),
            remote.end());
  EXPECT_NE(remote_err.find("eksir investigate: on " + url + ":"), std::string::npos) << remote_err;
}

TEST(ClickHouseInvestigate, UnreachableStoreIsAClearError) {
  auto port = test::free_ports(1)[0];
  int rc = 0;
  std::string err;
  investigate({}, "clickhouse://127.0.0.1:" + std::to_string(port) + "/eksir", rc, err);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(err.find("cannot connect to 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << err;
}

}  // namespace
}  // namespace eksir
