#include "respond/context_check.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "command/command.h"
#include "util/visible.h"

namespace eksir::respond {

namespace {

using nlohmann::json;

struct EksArn {
  std::string region, account, name;
};

// arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME
std::optional<EksArn> parse_eks_arn(std::string_view s) {
  std::vector<std::string_view> parts;
  for (size_t start = 0, n = 0; n < 5; ++n) {
    size_t colon = s.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    parts.push_back(s.substr(start, colon - start));
    start = colon + 1;
    if (n == 4) parts.push_back(s.substr(start));
  }
  constexpr std::string_view kCluster = "cluster/";
  if (parts[0] != "arn" || parts[2] != "eks" || !parts[5].starts_with(kCluster) ||
      parts[5].size() == kCluster.size())
    return std::nullopt;
  return EksArn{std::string(parts[3]), std::string(parts[4]),
                std::string(parts[5].substr(kCluster.size()))};
}

std::string in_quotes(std::string_view s) {
  return "\"" + util::visible(s) + "\"";
}

// The case's cluster as a person reads it: its name and ARN, or what of them is known.
std::string case_cluster(const Plan& plan) {
  if (plan.cluster.empty()) return util::visible(plan.cluster_arn);
  if (plan.cluster_arn.empty()) return util::visible(plan.cluster);
  return util::visible(plan.cluster) + " (" + util::visible(plan.cluster_arn) + ")";
}

enum class Match { yes, no, unknown };

// One name kubeconfig gives (a context or cluster entry) against the case's cluster.
Match name_matches(const Plan& plan, std::string_view name) {
  if (name.empty()) return Match::unknown;
  std::optional<EksArn> want = parse_eks_arn(plan.cluster_arn);
  std::string want_name = plan.cluster.empty() && want ? want->name : plan.cluster;
  std::string want_region = plan.region.empty() && want ? want->region : plan.region;
  std::string want_account = plan.account.empty() && want ? want->account : plan.account;
  if (auto arn = parse_eks_arn(name)) {
    if (!plan.cluster_arn.empty()) return name == plan.cluster_arn ? Match::yes : Match::no;
    bool same = arn->name == want_name && (want_region.empty() || arn->region == want_region) &&
                (want_account.empty() || arn->account == want_account);
    return same ? Match::yes : Match::no;
  }
  // eksctl writes NAME.REGION.eksctl.io, and USER@NAME.REGION.eksctl.io for the context.
  std::string_view rest =
      name.substr(name.find('@') == std::string_view::npos ? 0 : name.find('@') + 1);
  constexpr std::string_view kEksctl = ".eksctl.io";
  if (rest.ends_with(kEksctl)) {
    std::string_view host = rest.substr(0, rest.size() - kEksctl.size());
    size_t dot = host.rfind('.');
    if (dot == std::string_view::npos) return Match::unknown;
    bool same = host.substr(0, dot) == want_name &&
                (want_region.empty() || host.substr(dot + 1) == want_region);
    return same ? Match::yes : Match::no;
  }
  return !want_name.empty() && name == want_name ? Match::yes : Match::unknown;
}

// https://ID.gr7.REGION.eks.amazonaws.com: the region the API server is in; "" when not EKS's.
std::string server_region(std::string_view server) {
  constexpr std::string_view kSuffix = ".eks.amazonaws.com";
  size_t scheme = server.find("://");
  std::string_view host = scheme == std::string_view::npos ? server : server.substr(scheme + 3);
  host = host.substr(0, host.find_first_of(":/"));
  if (!host.ends_with(kSuffix)) return {};
  host.remove_suffix(kSuffix.size());
  size_t dot = host.rfind('.');
  return dot == std::string_view::npos ? std::string() : std::string(host.substr(dot + 1));
}

std::string json_string(const json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The last line of a program's complaint, for a message.
std::string complaint(const ProcessResult& r) {
  std::string text = r.err.empty() ? r.out : r.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t nl = text.rfind('\n');
  if (nl != std::string::npos) text = text.substr(nl + 1);
  return fmt::format("exit {}{}{}", r.exit_status, text.empty() ? "" : ": ", util::visible(text));
}

// In the case's region: the aws CLI needs one, and the steps' commands name it too.
command::Argv caller_identity(const Plan& plan) {
  auto b = command::Builder::aws("sts", "get-caller-identity");
  std::string region = plan.region;
  if (region.empty())
    if (auto arn = parse_eks_arn(plan.cluster_arn)) region = arn->region;
  if (!region.empty()) b.opt("--region", region);
  return b.opt("--output", "json").build();
}

}  // namespace

std::optional<KubeTarget> read_kube_target(std::string_view config_view_json, std::string& error) {
  json doc = json::parse(config_view_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "kubectl config view did not write a JSON configuration";
    return std::nullopt;
  }
  KubeTarget t;
  t.context = json_string(doc, "current-context");
  const json& contexts = doc.contains("contexts") ? doc["contexts"] : json();
  if (!contexts.is_array() || contexts.empty() || !contexts[0].is_object()) {
    error = "the kubectl configuration has no context (kubectl config current-context)";
    return std::nullopt;
  }
  if (t.context.empty()) t.context = json_string(contexts[0], "name");
  if (contexts[0].contains("context") && contexts[0]["context"].is_object())
    t.cluster = json_string(contexts[0]["context"], "cluster");
  if (doc.contains("clusters") && doc["clusters"].is_array())
    for (const auto& c : doc["clusters"])
      if (c.is_object() && json_string(c, "name") == t.cluster && c.contains("cluster") &&
          c["cluster"].is_object())
        t.server = json_string(c["cluster"], "server");
  return t;
}

std::optional<AwsCaller> read_aws_caller(std::string_view caller_identity_json,
                                         std::string& error) {
  json doc = json::parse(caller_identity_json, nullptr, false);
  AwsCaller c;
  if (!doc.is_discarded() && doc.is_object()) {
    c.account = json_string(doc, "Account");
    c.arn = json_string(doc, "Arn");
  }
  if (c.account.empty()) {
    error = "aws sts get-caller-identity did not name an account";
    return std::nullopt;
  }
  return c;
}

std::string kube_mismatch(const Plan& plan, const KubeTarget& target) {
  Match context = name_matches(plan, target.context);
  Match cluster = name_matches(plan, target.cluster);
  std::string region = server_region(target.server);
  std::optional<EksArn> want = parse_eks_arn(plan.cluster_arn);
  std::string want_region = plan.region.empty() && want ? want->region : plan.region;
  bool region_differs = !region.empty() && !want_region.empty() && region != want_region;
  if (!region_differs && context != Match::no && cluster != Match::no &&
      (context == Match::yes || cluster == Match::yes))
    return {};
  std::string server = target.server.empty() ? "" : ", server " + util::visible(target.server);
  return fmt::format("kubectl context {} points to cluster {}{}; the case's cluster is {}",
                     in_quotes(target.context), in_quotes(target.cluster), server,
                     case_cluster(plan));
}

std::string account_mismatch(const Plan& plan, const AwsCaller& caller) {
  std::string want = plan.account;
  if (want.empty())
    if (auto arn = parse_eks_arn(plan.cluster_arn)) want = arn->account;
  if (caller.account == want) return {};
  return fmt::format("the AWS credentials are of account {} ({}); the case's account is {}",
                     util::visible(caller.account), util::visible(caller.arn), util::visible(want));
}

ContextCheck check_context(const Plan& plan, const std::string& kube_context, bool kubectl,
                           bool aws, const Runner& run) {
  ContextCheck c;
  if (kubectl) {
    if (plan.cluster.empty() && plan.cluster_arn.empty()) {
      c.unchecked.push_back("the kubectl context: the case does not name its cluster");
    } else {
      auto b = command::Builder::kubectl();
      if (!kube_context.empty()) b.opt("--context", kube_context);
      command::Argv argv =
          b.word("config").word("view").flag("--minify").opt("--output", "json").build();
      if (!argv.ok()) {
        c.problems.push_back("the kubectl context cannot be read: " + argv.error);
      } else if (ProcessResult r = run(argv.words); r.exit_status != 0) {
        c.problems.push_back("the kubectl context cannot be read (kubectl config view, " +
                             complaint(r) + ")");
      } else {
        std::string error;
        if (auto t = read_kube_target(r.out, error); !t) {
          c.problems.push_back(error);
        } else if (auto m = kube_mismatch(plan, *t); !m.empty()) {
          c.problems.push_back(m);
        } else {
          c.verified.push_back(fmt::format("kubectl context {} is the case's cluster {}",
                                           in_quotes(t->context), case_cluster(plan)));
        }
      }
    }
  }
  if (aws) {
    if (plan.account.empty() && !parse_eks_arn(plan.cluster_arn)) {
      c.unchecked.push_back("the AWS account: the case does not name it");
    } else if (command::Argv argv = caller_identity(plan); !argv.ok()) {
      c.problems.push_back("the AWS account cannot be read: " + argv.error);
    } else if (ProcessResult r = run(argv.words); r.exit_status != 0) {
      c.problems.push_back("the AWS account cannot be read (aws sts get-caller-identity, " +
                           complaint(r) + ")");
    } else {
      std::string error;
      if (auto caller = read_aws_caller(r.out, error); !caller) {
        c.problems.push_back(error);
      } else if (auto m = account_mismatch(plan, *caller); !m.empty()) {
        c.problems.push_back(m);
      } else {
        c.verified.push_back(fmt::format("the AWS credentials ({}) are of the case's account {}",
                                         util::visible(caller->arn),
                                         util::visible(caller->account)));
      }
    }
  }
  return c;
}

}  // namespace eksir::respond
