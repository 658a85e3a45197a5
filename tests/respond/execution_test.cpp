// The respond stage makes a run ready as a value: the options checked, the case and plan loaded
// and each step's fate decided before anything runs; nothing is printed or run by it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "respond/respond.h"
#include "test_paths.h"

namespace eksir::respond {
namespace {

namespace fs = std::filesystem;

class PreparedRun : public ::testing::Test {
 protected:
  void SetUp() override {
    case_dir_ = test::temp_dir() + "/case";
    fs::create_directories(case_dir_);
    fs::copy_file(test::source_dir() + "/tests/respond/fixtures/stolen-key.json",
                  case_dir_ + "/incident.json");
    o_.case_dir = case_dir_;
    o_.phase = Phase::contain;
  }
  std::string case_dir_;
  RespondOptions o_;
};

TEST_F(PreparedRun, ADryRunDecidesEveryStepsFateFromThePlan) {
  Execution x = prepare_execution(o_);
  ASSERT_TRUE(x.ok()) << x.error;
  EXPECT_EQ(x.phase, "contain");
  EXPECT_EQ(x.dir, case_dir_);
  EXPECT_EQ(x.store, nullptr);  // a dry run makes no case database
  ASSERT_FALSE(x.plan.steps.empty());
  ASSERT_EQ(x.todo.size(), x.plan.steps.size());
  for (size_t i = 0; i < x.todo.size(); ++i) {
    const StepTodo& t = x.todo[i];
    EXPECT_EQ(t.index, i);
    const Step& s = x.plan.steps[i];
    if (!s.blocked.empty()) {
      EXPECT_EQ(t.fate, Fate::blocked) << s.id;
      EXPECT_EQ(t.why, s.blocked);
      continue;
    }
    ASSERT_EQ(t.fate, Fate::run) << s.id;
    // The argv as executed: the planned one, with the configured program in argv[0].
    ASSERT_EQ(t.run.size(), s.command.argv.size());
    EXPECT_EQ(t.run.front(), s.command.argv.front() == "aws" ? "aws" : "kubectl");
    EXPECT_TRUE(std::equal(t.run.begin() + 1, t.run.end(), s.command.argv.begin() + 1));
    EXPECT_EQ(t.capture.empty(), s.capture.empty());
  }
  EXPECT_TRUE(x.uses_aws);
}

TEST_F(PreparedRun, ProgramsAndTheEndpointAreTheConfiguredOnes) {
  o_.aws = "/opt/aws";
  o_.kubectl = "/opt/kubectl";
  o_.endpoint_url = "http://127.0.0.1:4566";
  Execution x = prepare_execution(o_);
  ASSERT_TRUE(x.ok()) << x.error;
  bool saw_aws = false;
  for (const auto& t : x.todo) {
    if (t.fate != Fate::run) continue;
    if (t.run.front() == "/opt/aws") {
      saw_aws = true;
      ASSERT_GE(t.run.size(), 2u);
      EXPECT_EQ(t.run[1], "--endpoint-url=http://127.0.0.1:4566");
    } else {
      EXPECT_EQ(t.run.front(), "/opt/kubectl");
    }
  }
  EXPECT_TRUE(saw_aws);
}

TEST_F(PreparedRun, SkipAndStepChooseTheFates) {
  o_.skip = {"1"};
  Execution skipped = prepare_execution(o_);
  ASSERT_TRUE(skipped.ok()) << skipped.error;
  EXPECT_EQ(skipped.todo.front().fate, Fate::skip_now);
  o_.skip.clear();
  o_.only_step = "2";
  Execution one = prepare_execution(o_);
  ASSERT_TRUE(one.ok()) << one.error;
  ASSERT_EQ(one.todo.size(), 1u);
  EXPECT_EQ(one.todo.front().index, 1u);
}

TEST_F(PreparedRun, UsageErrorsRefuseWithWhatIsWrong) {
  o_.only_step = "0";
  Execution bad_step = prepare_execution(o_);
  EXPECT_FALSE(bad_step.ok());
  EXPECT_NE(bad_step.error.find("--step"), std::string::npos) << bad_step.error;
  o_.only_step.clear();
  o_.reason = "change ticket 42";
  Execution reason = prepare_execution(o_);
  EXPECT_FALSE(reason.ok());
  EXPECT_EQ(reason.error, "--reason goes with --skip or --force-context");
  o_.reason.clear();
  o_.only_step = "no-such-step";
  Execution unknown = prepare_execution(o_);
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error.find("no-such-step"), std::string::npos) << unknown.error;
  o_.only_step.clear();
  o_.execute = true;
  o_.case_dir = test::temp_dir() + "/empty";
  fs::create_directories(o_.case_dir);
  Execution empty = prepare_execution(o_);
  EXPECT_FALSE(empty.ok());
  EXPECT_NE(empty.error.find("no investigation in this case"), std::string::npos) << empty.error;
  EXPECT_TRUE(empty.todo.empty());
}

}  // namespace
}  // namespace eksir::respond
