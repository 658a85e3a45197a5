// load_all_yaml(): every document of a YAML stream as YAML::LoadAll reads it, and a syntax error
// (never an endless loop) for a document the parser cannot get past. Found by fuzzing (snapshot,
// rule and Sigma/Falco targets): yaml-cpp 0.7's LoadAll allocates until memory runs out on ",".
#include "util/yaml_load.h"

#include <gtest/gtest.h>

#include "test_paths.h"

namespace eksir::util {
namespace {

TEST(YamlLoad, ReadsEveryDocumentAsLoadAllDoes) {
  for (const char* text : {"", "a: 1\n", "a: 1\n---\nb: [2, 3]\n", "---\n---\n---\nx\n",
                           "%YAML 1.2\n--- a\n...\n--- b\n", "- a\n- b\n", "a, b\n", "{a: 1}\n"}) {
    auto ours = load_all_yaml(text);
    auto theirs = YAML::LoadAll(text);
    ASSERT_EQ(ours.size(), theirs.size()) << text;
    for (size_t i = 0; i < ours.size(); ++i)
      EXPECT_EQ(YAML::Dump(ours[i]), YAML::Dump(theirs[i])) << text;
  }
}

TEST(YamlLoad, ADocumentStartingWithACommaIsASyntaxErrorNotAnEndlessLoop) {
  struct Case {
    const char* text;
    int line;  // 0-based, as YAML::Mark counts
  };
  for (const Case& c :
       {Case{",", 0}, Case{", a", 0}, Case{"a: 1\n---\n,\n", 2}, Case{"- x\n---\n  ,   y\n", 2},
        Case{"a: 1\n...\n,\n", 2}, Case{"- a\n,\n", 1}}) {
    ASSERT_TRUE(test::returns_within(10, [&] {
      try {
        load_all_yaml(c.text);
      } catch (const YAML::Exception&) {
      }
    })) << c.text;
    try {
      load_all_yaml(c.text);
      ADD_FAILURE() << "no error for " << c.text;
    } catch (const YAML::ParserException& e) {
      EXPECT_EQ(e.mark.line, c.line) << c.text;
      EXPECT_NE(std::string(e.msg).find("unexpected ','"), std::string::npos) << e.msg;
    }
  }
}

}  // namespace
}  // namespace eksir::util
