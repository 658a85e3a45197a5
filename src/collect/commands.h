// The commands eksir collect may run: a fixed table of read-only operations, and builders that
// turn the target (cluster, region, window...) and the names earlier commands returned into
// argument lists through the command stage's typed builder. Nothing outside the table is ever
// executed, and a name that fails its rule refuses its command.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collect/images.h"
#include "command/command.h"
#include "event/event.h"

namespace eksir::collect {

enum class Tool { kubectl, aws };
std::string_view tool_name(Tool t);

// One read-only operation: `kubectl get`, `aws eks describe-cluster`...
struct Verb {
  Tool tool;
  std::string_view service;    // aws service ("" for kubectl)
  std::string_view operation;  // kubectl verb or aws operation
};
// Every operation collect runs. Each one only reads.
const std::vector<Verb>& read_only_verbs();
// True when args (the words after the program name) start with an operation of the table.
bool is_read_only(Tool tool, const std::vector<std::string>& args);

struct Target {
  std::string cluster, region, profile, endpoint_url;
  std::string kubeconfig, context;
  std::vector<std::string> namespaces;  // empty: all namespaces
  TimeNs since = kNoTime, until = kNoTime;
};

struct Command {
  Tool tool = Tool::aws;
  std::vector<std::string> args;  // after the program name; empty when refused
  std::string output;             // where stdout goes, relative to the bundle
  bool paginate = false;          // the aws CLI's --max-items / --starting-token apply
  std::string refused;            // why it is not run: a value failed its rule
};

// The values of the target the operator gave: "" when each meets its rule, else the first that
// does not (a usage error).
std::string check_target(const Target& t);

// `kubectl get KIND -o json` for every kind the snapshot reader knows, per namespace when the
// target names namespaces (cluster-scoped kinds once), plus kube-system/aws-auth.
std::vector<Command> snapshot_commands(const Target& t);
// kubectl ARGS... [--kubeconfig=F] [--context=C]
Command kubectl_command(const Target& t, command::Builder b, std::string output);
// `aws SERVICE OPERATION ARGS... --region=R [--profile=P] [--endpoint-url=U] --output=json`;
// text selects `--output=text` (used for id lists, which are not evidence themselves).
Command aws_command(const Target& t, command::Builder b, std::string output, bool text = false);
// c with --max-items and, after the first page, --starting-token (checked like every value).
Command page_command(const Command& c, size_t items, const std::string& token);

// The evidence commands that need nothing but the target.
Command caller_identity_command(const Target& t);
Command describe_cluster_command(const Target& t);
Command list_access_entries_command(const Target& t);
Command list_nodegroups_command(const Target& t);
std::vector<Command> cloudtrail_commands(const Target& t);
Command audit_log_command(const Target& t);
Command list_detectors_command(const Target& t);
// Commands that follow from what an earlier one returned.
std::vector<Command> access_entry_commands(const Target& t, const std::string& principal_arn);
Command describe_nodegroup_command(const Target& t, const std::string& nodegroup);
Command list_findings_command(const Target& t, const std::string& detector);
std::vector<Command> get_findings_commands(const Target& t, const std::string& detector,
                                           const std::vector<std::string>& finding_ids);
Command pod_logs_command(const Target& t, const std::string& ns, const std::string& pod);

// Amazon Inspector's active package vulnerabilities of the container images in these ECR
// repositories of account: `aws inspector2 list-findings --filter-criteria=JSON`, ten
// repositories a call (the most one filter takes). A name failing ECR's rule never reaches the
// JSON: it is left out, with why.
struct InspectorCommands {
  std::vector<Command> commands;
  std::vector<std::vector<std::string>> asked;  // the repositories of each command
  std::vector<UnscannedImage> left_out;         // image: the repository name
};
InspectorCommands inspector_findings_commands(const Target& t, const std::string& account,
                                              const std::vector<std::string>& repositories);
// `aws ecr describe-image-scan-findings` of one image of account's registry, by digest when it is
// known, else by tag.
Command image_scan_findings_command(const Target& t, const std::string& account,
                                    const EcrImage& image);

// A name safe as one path component: anything but [A-Za-z0-9._-] becomes '_'.
std::string safe_name(std::string_view s);
// "2026-03-14T09:12:31Z"
std::string iso_seconds(TimeNs t);
// The command as bash words, exactly (command::shell_join), for messages.
std::string display(std::string_view program, const std::vector<std::string>& args);

}  // namespace eksir::collect
