// Names the attacker wrote, put everywhere a manifest carries text: the JSON kept for validation
// is what nlohmann wrote before (keys sorted, its escapes), and the YAML piped to kubectl is what
// the YAML writer wrote before (anything YAML could misread quoted, ASCII only).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "respond/manifest.h"

namespace eksir::respond {
namespace {

const std::vector<std::string>& hostile() {
  static const std::vector<std::string> names = {"quote\"d",
                                                 "back\\slash",
                                                 "new\nline",
                                                 "tab\tcr\r",
                                                 std::string("nul\0one\x1f", 9),
                                                 "del\x7f",
                                                 "--option",
                                                 "-n",
                                                 "a/b</script>",
                                                 "caf\xc3\xa9",
                                                 "rtl\xe2\x80\xae"
                                                 "gpj.exe",
                                                 "emoji\xf0\x9f\x92\xa3",
                                                 "true",
                                                 "null",
                                                 "",
                                                 "# comment",
                                                 "key: value",
                                                 "plain-name.ok"};
  return names;
}

// The same manifest, built the way the plan builds one and as an nlohmann document.
Manifest hostile_manifest() {
  const auto& h = hostile();
  Manifest m;
  m["kind"] = "NetworkPolicy";
  m["apiVersion"] = "v1";
  m["metadata"]["name"] = h[6];
  m["metadata"]["namespace"] = h[2];
  Manifest& labels = m["metadata"]["labels"];
  Manifest items = Manifest::array();
  for (size_t i = 0; i < h.size(); ++i) {
    labels[h[i]] = h[(i + 1) % h.size()];
    items.push_back(h[i]);
  }
  m["metadata"]["annotations"]["eksir/incident"] = h[0] + h[9] + h[11];
  m["spec"]["podSelector"]["matchLabels"] = labels;
  m["spec"]["policyTypes"] = items;
  m["spec"]["ingress"] = Manifest::array();
  m["spec"]["egress"] = Manifest();
  Manifest kinds;
  kinds["apiGroups"] = Manifest::array({""});
  kinds["kinds"] = Manifest::array();
  m["spec"]["match"]["kinds"] = Manifest::array({kinds, Manifest::array({"x", Manifest::array()})});
  return m;
}

nlohmann::json hostile_document() {
  using nlohmann::json;
  const auto& h = hostile();
  json m = {{"apiVersion", "v1"}, {"kind", "NetworkPolicy"}};
  m["metadata"]["name"] = h[6];
  m["metadata"]["namespace"] = h[2];
  json labels = json::object();
  json items = json::array();
  for (size_t i = 0; i < h.size(); ++i) {
    labels[h[i]] = h[(i + 1) % h.size()];
    items.push_back(h[i]);
  }
  m["metadata"]["labels"] = labels;
  m["metadata"]["annotations"] = {{"eksir/incident", h[0] + h[9] + h[11]}};
  m["spec"]["podSelector"]["matchLabels"] = labels;
  m["spec"]["policyTypes"] = items;
  m["spec"]["ingress"] = json::array();
  m["spec"]["egress"] = json::object();
  m["spec"]["match"]["kinds"] = {{{"apiGroups", {""}}, {"kinds", json::array()}},
                                 json::array({"x", json::array()})};
  return m;
}

TEST(Manifest, HostileNamesGiveTheJsonNlohmannWrote) {
  Manifest m = hostile_manifest();
  nlohmann::json doc = hostile_document();
  EXPECT_EQ(m.json(2), doc.dump(2));
  EXPECT_EQ(m.json(), doc.dump());
  nlohmann::json read = nlohmann::json::parse(m.json(2), nullptr, false);
  ASSERT_FALSE(read.is_discarded());
  EXPECT_EQ(read, doc);
  EXPECT_EQ(read["metadata"]["name"], "--option");
  EXPECT_EQ(read["metadata"]["labels"][hostile()[4]], hostile()[5]);
}

TEST(Manifest, HostileNamesGiveTheYamlWrittenBefore) {
  const std::string expected = R"yaml(apiVersion: v1
kind: NetworkPolicy
metadata:
  annotations:
    eksir/incident: "quote\"dcaf\u00e9emoji\U0001f4a3"
  labels:
    "": "# comment"
    "# comment": "key: value"
    "--option": "-n"
    "-n": "a/b</script>"
    "a/b</script>": "caf\u00e9"
    "back\\slash": "new\nline"
    "caf\u00e9": "rtl\u202egpj.exe"
    "del\u007f": "--option"
    "emoji\U0001f4a3": "true"
    "key: value": plain-name.ok
    "new\nline": "tab\tcr\r"
    "nul\u0000one\u001f\u0000": "del\u007f"
    "null": ""
    plain-name.ok: "quote\"d"
    "quote\"d": "back\\slash"
    "rtl\u202egpj.exe": "emoji\U0001f4a3"
    "tab\tcr\r": "nul\u0000one\u001f\u0000"
    "true": "null"
  name: "--option"
  namespace: "new\nline"
spec:
  egress: {}
  ingress: []
  match:
    kinds:
    - apiGroups:
      - ""
      kinds: []
    -
      - x
      - []
  podSelector:
    matchLabels:
      "": "# comment"
      "# comment": "key: value"
      "--option": "-n"
      "-n": "a/b</script>"
      "a/b</script>": "caf\u00e9"
      "back\\slash": "new\nline"
      "caf\u00e9": "rtl\u202egpj.exe"
      "del\u007f": "--option"
      "emoji\U0001f4a3": "true"
      "key: value": plain-name.ok
      "new\nline": "tab\tcr\r"
      "nul\u0000one\u001f\u0000": "del\u007f"
      "null": ""
      plain-name.ok: "quote\"d"
      "quote\"d": "back\\slash"
      "rtl\u202egpj.exe": "emoji\U0001f4a3"
      "tab\tcr\r": "nul\u0000one\u001f\u0000"
      "true": "null"
  policyTypes:
  - "quote\"d"
  - "back\\slash"
  - "new\nline"
  - "tab\tcr\r"
  - "nul\u0000one\u001f\u0000"
  - "del\u007f"
  - "--option"
  - "-n"
  - "a/b</script>"
  - "caf\u00e9"
  - "rtl\u202egpj.exe"
  - "emoji\U0001f4a3"
  - "true"
  - "null"
  - ""
  - "# comment"
  - "key: value"
  - plain-name.ok
)yaml";
  std::string yaml = to_yaml(hostile_manifest());
  EXPECT_EQ(yaml, expected);
  for (unsigned char c : yaml) EXPECT_LT(c, 0x7f) << "a character past ASCII in the YAML";
}

// YAML reads each name back as it was, a character above U+FFFF too.
TEST(Manifest, HostileNamesReadBackFromTheYaml) {
  Manifest m;
  Manifest items = Manifest::array();
  for (const auto& name : hostile()) {
    m["metadata"]["labels"][name] = name;
    items.push_back(name);
  }
  m["spec"]["policyTypes"] = items;
  YAML::Node read = YAML::Load(to_yaml(m));
  size_t i = 0;
  for (const auto& name : hostile()) {
    EXPECT_EQ(read["metadata"]["labels"][name].as<std::string>(), name);
    EXPECT_EQ(read["spec"]["policyTypes"][i++].as<std::string>(), name);
  }
}

TEST(Manifest, KeysAreSortedAndMembersStayPut) {
  Manifest m;
  Manifest& b = m["b"];
  b["x"] = "1";
  m["c"] = "3";
  m["a"] = "0";
  b["y"] = "2";
  EXPECT_EQ(m.json(), R"({"a":"0","b":{"x":"1","y":"2"},"c":"3"})");
  EXPECT_EQ(m.text_at({"b", "y"}), "2");
  EXPECT_EQ(m.text_at({"b", "z"}), "");
  EXPECT_EQ(m.text_at({"b"}), "");
}

}  // namespace
}  // namespace eksir::respond
