// Before `respond --execute` runs a step: is kubectl pointed at the case's cluster, and are the
// AWS credentials of the case's account? Read from `kubectl config view --minify` and `aws sts
// get-caller-identity`, so that a plan is never carried out on another cluster or account.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "respond/process.h"
#include "respond/respond.h"

namespace eksir::respond {

// What kubectl's minified configuration names: the context and the cluster entry it points to.
struct KubeTarget {
  std::string context, cluster, server;
};
// Whose the AWS credentials are.
struct AwsCaller {
  std::string account, arn;
};

// nullopt and error (in words) when the output is not what kubectl or aws write.
std::optional<KubeTarget> read_kube_target(std::string_view config_view_json, std::string& error);
std::optional<AwsCaller> read_aws_caller(std::string_view caller_identity_json, std::string& error);

// "" when the target is the plan's cluster; else what differs, naming both sides. A target that
// names no EKS cluster eksir can recognise (an ARN, NAME, NAME.REGION.eksctl.io) differs too:
// the check must confirm, not merely fail to object.
std::string kube_mismatch(const Plan& plan, const KubeTarget& target);
// "" when the caller's account is the plan's; else what differs, naming both sides.
std::string account_mismatch(const Plan& plan, const AwsCaller& caller);

// Runs a command of the grammar (argv[0] "kubectl" or "aws"), as execution would.
using Runner = std::function<ProcessResult(const std::vector<std::string>& argv)>;

// Checks the kubectl side when kubectl is true, the AWS side when aws is true; kube_context is
// the --context the plan's kubectl commands carry ("" = kubectl's current context).
ContextCheck check_context(const Plan& plan, const std::string& kube_context, bool kubectl,
                           bool aws, const Runner& run);

}  // namespace eksir::respond
