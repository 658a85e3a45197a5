// The commands of the command line: each holds its flags as parsed, and its run() turns them into
// the typed options of app (src/app/app.h) and calls it. Evidence commands (hunt, detect,
// investigate, load, collect) are in evidence_commands.cpp; case commands (case, plan, respond,
// report) in case_commands.cpp; rules, posture and fields in tool_commands.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/app.h"
#include "backend/backend.h"
#include "cli/flags.h"
#include "collect/collect.h"
#include "detect/detect.h"
#include "hunt/hunt.h"
#include "respond/respond.h"

namespace eksir::cli {

// What hunt and `case pin` share: the window, the source and the order of the records.
struct HuntFilters {
  std::string source, since, until, sort;
};
// Reads the filters into o; prints the problem and returns false when one is not understood.
bool hunt_filters(std::string_view command, hunt::HuntOptions& o, const HuntFilters& f);

class HuntCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  hunt::HuntOptions options_;
  HuntFilters filters_;
  std::string format_ = "table", fields_csv_, on_, case_arg_;
  bool no_prefilter_ = false;
  app::PinOptions pin_;
  app::HuntOutput output_;
  CLI::Option* note_ = nullptr;
  CLI::Option* max_ = nullptr;
  CLI::Option* author_ = nullptr;
};

class DetectCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  app::DetectCommand cmd_;
  std::string format_ = "table", min_severity_ = "info", fail_on_, since_, until_;
  bool no_builtin_ = false, no_prefilter_ = false;
};

class CollectCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  app::CollectCommand cmd_;
};

class InvestigateCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  app::InvestigateCommand cmd_;
  std::string since_, until_, fail_on_;
  bool no_builtin_ = false, no_report_ = false;
};

class LoadCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  backend::LoadOptions options_;
};

// `eksir case list|show|note|close|reopen|pin|unpin|export`.
class CaseCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  void add_pin_commands();
  void add_export();
  app::CaseCommand cmd_;  // list, show, note, close, reopen: the action set by the subcommand
  CLI::App* pin_ = nullptr;
  CLI::App* unpin_ = nullptr;
  app::PinCommand pin_cmd_;
  HuntFilters pin_filters_;
  std::vector<int64_t> unpin_ids_;
  CLI::App* export_ = nullptr;
  app::CaseExport export_cmd_;
};

// `eksir plan` and `eksir respond`: the response to a case's incident, one phase at a time.
class ResponseCli : public Command {
 public:
  void add(CLI::App& root) override;
  bool parsed() const override { return plan_->parsed() || respond_->parsed(); }
  int run(const Terminal& out) override;

 private:
  void add_shared(CLI::App* sub);
  CLI::App* plan_ = nullptr;
  CLI::App* respond_ = nullptr;
  app::PlanCommand plan_cmd_;
  respond::RespondOptions run_;
  std::string plan_phase_, run_phase_, config_;
  respond::PlanOptions common_;
  std::vector<std::string> rebuilt_images_;
};

class ReportCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  app::ReportCommand cmd_;
};

class RulesCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  app::RulesCommand cmd_;
};

class PostureCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  app::PostureOptions options_;
};

class FieldsCli : public Command {
 public:
  void add(CLI::App& root) override;
  int run(const Terminal& out) override;

 private:
  bool markdown_ = false;
};

}  // namespace eksir::cli
