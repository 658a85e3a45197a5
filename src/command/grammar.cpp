// The commands eksir writes, as a grammar: kubectl verbs with the kinds they act on and the type
// of the object names after "--", aws operations, and every option with the type of its value.
// validate() reads an argv against it; the Builder writes argv that validate() accepts.
#include <algorithm>
#include <array>
#include <set>

#include "command/command.h"
#include "util/text.h"
#include "util/visible.h"

namespace eksir::command {

namespace {

struct Option {
  std::string_view name;
  Type type;
  bool list = false;  // aws: --name v1 v2 ...
};

struct Kind {
  std::string_view singular, plural, display;
  Type name_type;
};

struct Verb {
  std::string_view first, second;  // "rollout" "status"; second "" for one-word verbs
  bool kind;                       // a kind word follows
  size_t min_names, max_names;
  bool changes;             // changes follow the names: label's key=value / key-, set image's
                            // container=image
  std::string_view object;  // what the names are when the verb takes no kind
  Type change_type = Type::label_change;
  std::string_view kinds;  // the kinds it acts on, space-separated ("" = any)
};

constexpr std::array kKubectlOptions = {
    Option{"--context", Type::kube_context},        Option{"--kubeconfig", Type::file_path},
    Option{"--namespace", Type::k8s_label_name},    Option{"--output", Type::kubectl_output},
    Option{"--filename", Type::stdin_file},         Option{"--timeout", Type::duration},
    Option{"--pod-selector", Type::label_selector}, Option{"--field-manager", Type::field_manager},
    Option{"--since-time", Type::k8s_time},
};

constexpr std::array<std::string_view, 10> kKubectlFlags = {
    "--ignore-not-found",  "--all-containers",
    "--timestamps",        "--prefix",
    "--ignore-daemonsets", "--delete-emptydir-data",
    "--server-side",       "--overwrite",
    "--all-namespaces",    "--minify"};

constexpr std::array kKinds = {
    Kind{"pod", "pods", "Pod", Type::k8s_name},
    Kind{"node", "nodes", "Node", Type::k8s_name},
    Kind{"namespace", "namespaces", "Namespace", Type::k8s_label_name},
    Kind{"service", "services", "Service", Type::k8s_label_name},
    Kind{"serviceaccount", "serviceaccounts", "ServiceAccount", Type::k8s_name},
    Kind{"networkpolicy", "networkpolicies", "NetworkPolicy", Type::k8s_name},
    Kind{"deployment", "deployments", "Deployment", Type::k8s_name},
    Kind{"daemonset", "daemonsets", "DaemonSet", Type::k8s_name},
    Kind{"statefulset", "statefulsets", "StatefulSet", Type::k8s_name},
    Kind{"replicaset", "replicasets", "ReplicaSet", Type::k8s_name},
    Kind{"job", "jobs", "Job", Type::k8s_name},
    Kind{"cronjob", "cronjobs", "CronJob", Type::k8s_name},
    Kind{"ingress", "ingresses", "Ingress", Type::k8s_name},
    Kind{"configmap", "configmaps", "ConfigMap", Type::k8s_name},
    Kind{"role", "roles", "Role", Type::rbac_name},
    Kind{"rolebinding", "rolebindings", "RoleBinding", Type::rbac_name},
    Kind{"clusterrole", "clusterroles", "ClusterRole", Type::rbac_name},
    Kind{"clusterrolebinding", "clusterrolebindings", "ClusterRoleBinding", Type::rbac_name},
    Kind{"constrainttemplate", "constrainttemplates", "ConstraintTemplate", Type::k8s_name},
    Kind{"k8spspprivilegedcontainer", "k8spspprivilegedcontainers", "K8sPSPPrivilegedContainer",
         Type::k8s_name},
};

constexpr std::array kVerbs = {
    Verb{"get", "", true, 0, 1, false, "", Type::label_change, ""},
    Verb{"delete", "", true, 1, 1, false, "", Type::label_change, ""},
    Verb{"logs", "", false, 1, 1, false, "Pod", Type::label_change, ""},
    Verb{"apply", "", false, 0, 0, false, "", Type::label_change, ""},
    Verb{"cordon", "", false, 1, 1, false, "Node", Type::label_change, ""},
    Verb{"uncordon", "", false, 1, 1, false, "Node", Type::label_change, ""},
    Verb{"drain", "", false, 1, 1, false, "Node", Type::label_change, ""},
    Verb{"label", "", true, 1, 64, true, "", Type::label_change, "pod"},
    Verb{"rollout", "status", true, 1, 1, false, "", Type::label_change, ""},
    Verb{"rollout", "undo", true, 1, 1, false, "", Type::label_change,
         "deployment daemonset statefulset"},
    Verb{"replace", "", false, 0, 0, false, "", Type::label_change, ""},
    Verb{"set", "image", true, 1, 1, true, "", Type::image_change,
         "deployment daemonset statefulset replicaset cronjob"},
    // The context check before --execute: which cluster kubectl talks to (never --raw).
    Verb{"config", "view", false, 0, 0, false, "", Type::label_change, ""},
};

constexpr std::array kAwsOptions = {
    Option{"--region", Type::region},
    Option{"--profile", Type::aws_profile},
    Option{"--endpoint-url", Type::url},
    Option{"--output", Type::aws_output},
    Option{"--user-name", Type::iam_user_name},
    Option{"--role-name", Type::iam_role_name},
    Option{"--policy-name", Type::iam_policy_name},
    Option{"--policy-document", Type::json_document},
    Option{"--access-key-id", Type::access_key_id},
    Option{"--status", Type::access_key_status},
    Option{"--instance-id", Type::instance_id},
    Option{"--instance-ids", Type::instance_id, true},
    Option{"--groups", Type::security_group_id, true},
    Option{"--group-id", Type::security_group_id},
    Option{"--security-group-rule-ids", Type::sg_rule_id, true},
    Option{"--snapshot-id", Type::snapshot_id},
    Option{"--instance-specification", Type::instance_spec},
    Option{"--description", Type::description},
    Option{"--copy-tags-from-source", Type::tag_source},
    Option{"--name", Type::cluster_name},
    Option{"--cluster-name", Type::cluster_name},
    Option{"--resources-vpc-config", Type::vpc_config},
    Option{"--logging", Type::json_document},
    Option{"--principal-arn", Type::iam_principal_arn},
    Option{"--nodegroup-name", Type::nodegroup_name},
    Option{"--query", Type::jmespath},
    Option{"--lookup-attributes", Type::lookup_attribute},
    Option{"--start-time", Type::aws_time},
    Option{"--end-time", Type::aws_time},
    Option{"--log-group-name", Type::log_group_name},
    Option{"--log-stream-name-prefix", Type::log_stream_prefix},
    Option{"--detector-id", Type::guardduty_id},
    Option{"--finding-criteria", Type::json_document},
    Option{"--finding-ids", Type::guardduty_id, true},
    Option{"--max-items", Type::count},
    Option{"--starting-token", Type::page_token},
    Option{"--policy-arn", Type::iam_policy_arn},
    Option{"--trail-name", Type::trail_name},
    Option{"--event-selectors", Type::json_document},
    Option{"--filter-criteria", Type::json_document},
    Option{"--registry-id", Type::aws_account_id},
    Option{"--repository-name", Type::ecr_repository_name},
    Option{"--image-id", Type::ecr_image_id},
};

// Options whose value has another type for one service: cloudtrail's --name is a trail.
constexpr std::array<std::pair<std::string_view, Option>, 1> kAwsServiceOptions = {{
    {"cloudtrail", Option{"--name", Type::trail_name}},
}};

// Every aws operation eksir runs: the response steps and collect's read-only table.
constexpr std::array<std::pair<std::string_view, std::string_view>, 47> kAwsOperations = {{
    {"iam", "update-access-key"},
    {"iam", "list-access-keys"},
    {"iam", "delete-access-key"},
    {"iam", "put-role-policy"},
    {"iam", "delete-role-policy"},
    {"iam", "get-role"},
    {"iam", "delete-role"},
    {"ec2", "create-snapshots"},
    {"ec2", "describe-instances"},
    {"ec2", "modify-instance-attribute"},
    {"ec2", "terminate-instances"},
    {"ec2", "describe-security-group-rules"},
    {"ec2", "revoke-security-group-ingress"},
    {"ec2", "describe-snapshots"},
    {"eks", "describe-cluster"},
    {"eks", "update-cluster-config"},
    {"eks", "list-nodegroups"},
    {"eks", "describe-nodegroup"},
    {"eks", "list-access-entries"},
    {"eks", "describe-access-entry"},
    {"eks", "list-associated-access-policies"},
    {"eks", "delete-access-entry"},
    {"sts", "get-caller-identity"},
    {"cloudtrail", "lookup-events"},
    {"logs", "filter-log-events"},
    {"guardduty", "list-detectors"},
    {"guardduty", "list-findings"},
    {"guardduty", "get-findings"},
    {"iam", "get-access-key-last-used"},
    {"iam", "list-attached-role-policies"},
    {"iam", "list-role-policies"},
    {"eks", "describe-update"},
    {"ec2", "describe-security-groups"},
    {"iam", "get-user"},
    {"iam", "delete-user"},
    {"iam", "list-attached-user-policies"},
    {"iam", "detach-user-policy"},
    {"iam", "list-user-policies"},
    {"iam", "delete-user-policy"},
    {"iam", "delete-login-profile"},
    {"iam", "detach-role-policy"},
    {"cloudtrail", "get-trail-status"},
    {"cloudtrail", "start-logging"},
    {"cloudtrail", "get-event-selectors"},
    {"cloudtrail", "put-event-selectors"},
    {"inspector2", "list-findings"},
    {"ecr", "describe-image-scan-findings"},
}};

// The value as a message shows it: escaped, and cut when long.
std::string shown(std::string_view v) {
  return "\"" + util::fit(v, 100) + "\"";
}

std::string failed(std::string_view what, std::string_view value, Type t, const std::string& why) {
  return std::string(what) + " " + shown(value) + " is not a valid " + std::string(rule_name(t)) +
         ": " + why;
}

// Values the aws CLI would itself replace by a file's or a URL's contents.
bool aws_loads(std::string_view v) {
  for (std::string_view p : {"file://", "fileb://", "http://", "https://"})
    if (v.size() >= p.size() && std::equal(p.begin(), p.end(), v.begin(), [](char a, char b) {
          return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
        }))
      return true;
  return false;
}

template <size_t N>
const Option* find_option(const std::array<Option, N>& table, std::string_view name) {
  for (const auto& o : table)
    if (o.name == name) return &o;
  return nullptr;
}

bool one_of_words(std::string_view words, std::string_view w) {
  for (size_t start = 0; start <= words.size();) {
    size_t space = words.find(' ', start);
    if (words.substr(start, space == words.npos ? words.npos : space - start) == w) return true;
    if (space == words.npos) break;
    start = space + 1;
  }
  return false;
}

const Kind* find_kind(std::string_view w) {
  for (const auto& k : kKinds)
    if (k.singular == w || k.plural == w) return &k;
  return nullptr;
}

std::string check_value(Tool tool, const Option& o, std::string_view v) {
  std::string why = check(o.type, v);
  if (why.empty() && tool == Tool::aws && o.type != Type::url && aws_loads(v))
    why = "the aws CLI would read it as a file or URL to load";
  return why.empty() ? why : failed(std::string(o.name), v, o.type, why);
}

// Options and flags before "--" (all of aws). words collects what is neither; for aws, list
// options take the words that follow them up to the next option.
std::string read_options(Tool tool, const std::vector<std::string>& argv, size_t end,
                         std::vector<std::string_view>& words) {
  // An aws command's service comes first (the builder writes it there).
  std::string_view service = tool == Tool::aws && argv.size() > 1 && argv[1].rfind('-', 0) != 0
                                 ? std::string_view(argv[1])
                                 : std::string_view();
  std::set<std::string_view> seen;
  for (size_t i = 1; i < end; ++i) {
    std::string_view a = argv[i];
    if (a.empty()) return "an empty word";
    if (a.front() != '-') {
      words.push_back(a);
      continue;
    }
    if (a.size() < 3 || a[1] != '-') return "a single-dash option " + shown(a);
    size_t eq = a.find('=');
    std::string_view name = a.substr(0, eq);
    if (!seen.insert(name).second) return "the option " + std::string(name) + " twice";
    bool is_flag = tool == Tool::kubectl && std::find(kKubectlFlags.begin(), kKubectlFlags.end(),
                                                      name) != kKubectlFlags.end();
    if (is_flag) {
      if (eq != a.npos) return "a value given to the flag " + std::string(name);
      continue;
    }
    const Option* o = nullptr;
    if (tool == Tool::aws)
      for (const auto& [svc, opt] : kAwsServiceOptions)
        if (svc == service && opt.name == name) o = &opt;
    if (!o)
      o = tool == Tool::kubectl ? find_option(kKubectlOptions, name)
                                : find_option(kAwsOptions, name);
    if (!o) return "an option eksir does not write: " + shown(name);
    if (o->list) {
      if (eq != a.npos) return std::string(name) + " takes its values as separate words";
      size_t n = 0;
      while (i + 1 < end && !argv[i + 1].empty() && argv[i + 1].front() != '-') {
        if (auto e = check_value(tool, *o, argv[++i]); !e.empty()) return e;
        ++n;
      }
      if (i + 1 < end && !argv[i + 1].empty() && argv[i + 1].rfind("--", 0) != 0)
        return failed(std::string(name), argv[i + 1], o->type, check(o->type, argv[i + 1]));
      if (n == 0) return std::string(name) + " has no value";
      continue;
    }
    if (eq == a.npos) return std::string(name) + " has no =VALUE";
    if (auto e = check_value(tool, *o, a.substr(eq + 1)); !e.empty()) return e;
  }
  return {};
}

std::string validate_kubectl(const std::vector<std::string>& argv) {
  auto dashes = std::find(argv.begin() + 1, argv.end(), "--");
  size_t end = static_cast<size_t>(dashes - argv.begin());
  std::vector<std::string_view> words;
  if (auto e = read_options(Tool::kubectl, argv, end, words); !e.empty()) return e;
  if (words.empty()) return "no kubectl verb";
  const Verb* verb = nullptr;
  for (const auto& v : kVerbs)
    if (v.first == words[0] && (v.second.empty() || (words.size() > 1 && words[1] == v.second)))
      verb = &v;
  if (!verb) return "a kubectl verb eksir does not run: " + shown(words[0]);
  size_t next = verb->second.empty() ? 1 : 2;
  const Kind* kind = nullptr;
  if (verb->kind) {
    if (next >= words.size()) return "kubectl " + std::string(words[0]) + " without a kind";
    kind = find_kind(words[next]);
    if (!kind) return "a kind eksir does not act on: " + shown(words[next]);
    if (!verb->kinds.empty() && !one_of_words(verb->kinds, kind->singular))
      return "kubectl " + std::string(words[0]) + " on a " + std::string(kind->singular);
    ++next;
  }
  if (next < words.size())
    return "the word " + shown(words[next]) + " before \"--\" (object names come after it)";
  std::vector<std::string_view> names, changes;
  if (dashes != argv.end())
    for (auto it = dashes + 1; it != argv.end(); ++it) {
      std::string_view n = *it;
      bool change = verb->changes && !names.empty() &&
                    (n.find('=') != n.npos ||
                     (verb->change_type == Type::label_change && !n.empty() && n.back() == '-'));
      if (!changes.empty() && !change) return "an object name after a change";
      (change ? changes : names).push_back(n);
    }
  if (dashes != argv.end() && names.empty()) return "\"--\" with no object name after it";
  if (names.size() < verb->min_names) return "no object name after \"--\"";
  if (names.size() > verb->max_names)
    return "more object names than kubectl " + std::string(words[0]) + " takes";
  if (verb->changes && changes.empty())
    return "kubectl " + std::string(words[0]) + " without a change";
  Type type = kind ? kind->name_type : Type::k8s_name;
  std::string what = std::string(kind ? kind->display : verb->object) + " name";
  for (auto n : names)
    if (auto e = check(type, n); !e.empty()) return failed(what, n, type, e);
  for (auto c : changes)
    if (auto e = check(verb->change_type, c); !e.empty())
      return failed(verb->change_type == Type::label_change ? "label change" : "image change", c,
                    verb->change_type, e);
  return {};
}

std::string validate_aws(const std::vector<std::string>& argv) {
  std::vector<std::string_view> words;
  if (auto e = read_options(Tool::aws, argv, argv.size(), words); !e.empty()) return e;
  if (words.size() != 2)
    return words.size() < 2 ? "no aws service and operation" : "a stray word " + shown(words[2]);
  for (const auto& [service, op] : kAwsOperations)
    if (words[0] == service && words[1] == op) return {};
  return "an aws operation eksir does not run: " +
         shown(std::string(words[0]) + " " + std::string(words[1]));
}

}  // namespace

std::string explain(Type t, std::string_view value, std::string_view what) {
  std::string why = check(t, value);
  return why.empty() ? why : failed(what, value, t, why);
}

std::string validate(const std::vector<std::string>& argv) {
  if (argv.empty()) return "an empty command";
  if (argv[0] == "kubectl") return validate_kubectl(argv);
  if (argv[0] == "aws") return validate_aws(argv);
  return "a program other than kubectl or aws: " + shown(argv[0]);
}

Builder Builder::kubectl() {
  return Builder(Tool::kubectl);
}

Builder Builder::aws(std::string_view service, std::string_view operation) {
  Builder b(Tool::aws);
  b.head_ = {std::string(service), std::string(operation)};
  return b;
}

Builder& Builder::word(std::string_view w) {
  if (tool_ == Tool::aws) error_ = "aws takes no words after its operation";
  head_.emplace_back(w);
  return *this;
}

Builder& Builder::opt(std::string_view name, std::string_view value) {
  std::string w(name);
  w += '=';
  w += value;
  head_.push_back(std::move(w));
  return *this;
}

Builder& Builder::flag(std::string_view name) {
  head_.emplace_back(name);
  return *this;
}

Builder& Builder::list(std::string_view name, const std::vector<std::string>& values) {
  head_.emplace_back(name);
  head_.insert(head_.end(), values.begin(), values.end());
  return *this;
}

Builder& Builder::name(std::string_view value) {
  if (tool_ == Tool::aws) error_ = "aws takes no object names";
  names_.emplace_back(value);
  return *this;
}

Argv Builder::build() const {
  Argv a;
  if (!error_.empty()) {
    a.error = error_;
    return a;
  }
  a.words.push_back(tool_ == Tool::kubectl ? "kubectl" : "aws");
  a.words.insert(a.words.end(), head_.begin(), head_.end());
  if (!names_.empty()) {
    a.words.push_back("--");
    a.words.insert(a.words.end(), names_.begin(), names_.end());
  }
  a.error = validate(a.words);
  if (!a.ok()) a.words.clear();
  return a;
}

Argv with_option(const std::vector<std::string>& argv, std::string_view name,
                 const std::vector<std::string>& values) {
  Argv a;
  if (auto e = validate(argv); !e.empty()) {
    a.error = e;
    return a;
  }
  std::string prefix = std::string(name) + "=";
  bool found = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--") {
      a.words.insert(a.words.end(), argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
      break;
    }
    if (argv[i].rfind(prefix, 0) == 0 && values.size() == 1) {
      a.words.push_back(prefix + values.front());
      found = true;
    } else if (argv[i] == name) {  // a list option: its values follow
      a.words.push_back(argv[i]);
      a.words.insert(a.words.end(), values.begin(), values.end());
      while (i + 1 < argv.size() && argv[i + 1].rfind('-', 0) != 0) ++i;
      found = true;
    } else {
      a.words.push_back(argv[i]);
    }
  }
  a.error =
      found ? validate(a.words) : std::string(name) + " with these values is not in the command";
  if (!a.ok()) a.words.clear();
  return a;
}

}  // namespace eksir::command
