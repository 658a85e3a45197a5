// The scope's pivot on hand-made records: what it follows, what it leaves, and why.
#include "incident/scope.h"

#include <gtest/gtest.h>

#include "cluster/cluster.h"
#include "incident/graph.h"

namespace eksir::incident {
namespace {

// A record written field by field: R().credentials({...}).ip("...").verb("create").
struct R {
  std::vector<std::string> credentials_, identities_, targets_, created_, changed_, revealed_;
  std::string ip_, owner_, granted_by_, verb_ = "get", account_;
  std::vector<std::string> aws_auth_;
  TimeNs time_ = 0;
  bool failed_ = false;
  R& credentials(std::vector<std::string> v) {
    credentials_ = std::move(v);
    return *this;
  }
  R& identities(std::vector<std::string> v) {
    identities_ = std::move(v);
    return *this;
  }
  R& targets(std::vector<std::string> v) {
    targets_ = std::move(v);
    return *this;
  }
  R& created(std::vector<std::string> v) {
    created_ = std::move(v);
    return *this;
  }
  R& changed(std::vector<std::string> v) {
    changed_ = std::move(v);
    return *this;
  }
  R& revealed(std::vector<std::string> v) {
    revealed_ = std::move(v);
    return *this;
  }
  R& ip(std::string v) {
    ip_ = std::move(v);
    return *this;
  }
  R& owner(std::string v) {
    owner_ = std::move(v);
    return *this;
  }
  R& granted_by(std::string v) {
    granted_by_ = std::move(v);
    return *this;
  }
  R& verb(std::string v) {
    verb_ = std::move(v);
    return *this;
  }
  R& account(std::string v) {
    account_ = std::move(v);
    return *this;
  }
  R& aws_auth(std::vector<std::string> v) {
    aws_auth_ = std::move(v);
    return *this;
  }
  R& time(TimeNs v) {
    time_ = v;
    return *this;
  }
  R& failed(bool v) {
    failed_ = v;
    return *this;
  }
};

ScopeRecord rec(const R& r) {
  RecordFacets f;
  f.credentials = r.credentials_;
  if (!r.ip_.empty()) {
    f.source_ip = r.ip_;
    if (r.ip_.rfind("10.", 0) != 0) f.credentials.push_back("ip:" + r.ip_);
  }
  f.identities = r.identities_;
  f.targets = r.targets_;
  for (const auto& c : r.created_) f.targets.push_back(c);
  for (const auto& c : r.changed_) f.targets.push_back(c);
  f.created = r.created_;
  f.changed = r.changed_;
  f.revealed = r.revealed_;
  f.owner = r.owner_;
  f.granted_by = r.granted_by_;
  f.verb = r.verb_;
  f.actor_account = r.account_;
  f.aws_auth = r.aws_auth_;
  f.failed = r.failed_;
  return ScopeRecord(f, r.time_, Source{});
}

ScopeContext context(const cluster::Policy& policy) {
  ScopeContext c;
  c.policy = &policy;
  c.account = "111122223333";
  return c;
}

bool pulled(const ScopeResult& r, size_t i) {
  return r.pulled.count(i) > 0;
}

const std::string kUser = "iam:arn:aws:iam::111122223333:user/ci-deployer";
const std::string kKey = "key:AKIAEXAMPLEKEY00001";

TEST(Scope, StolenKeyIsFollowedButNotItsOwnersUseFromTrustedAddresses) {
  cluster::Policy policy;
  policy.trusted_cidrs = {"198.51.100.0/24"};
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({kKey}).identities({kUser}).ip("203.0.113.45")),  // flagged
      rec(R().credentials({kKey}).identities({kUser}).ip("203.0.113.45").time(1)),
      rec(R().credentials({kKey}).identities({kUser}).ip("198.51.100.20")),  // Jenkins
      rec(R().identities({kUser}).ip("192.0.2.9")),  // same user, another key: not followed
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  EXPECT_TRUE(pulled(r, 0));
  EXPECT_TRUE(pulled(r, 1));
  EXPECT_FALSE(pulled(r, 2));
  EXPECT_FALSE(pulled(r, 3));
  EXPECT_TRUE(r.seeds.count(kKey));
  EXPECT_TRUE(r.seeds.count("ip:203.0.113.45"));
  ASSERT_TRUE(r.not_expanded.count(kUser));
  EXPECT_NE(r.not_expanded.at(kUser).find("existed before"), std::string::npos);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("1 distinct request of stolen"), std::string::npos);
}

TEST(Scope, RoleTheAttackerCreatedIsFollowedIntoAnotherAccountAndItsSessions) {
  cluster::Policy policy;
  const std::string role = "iam:arn:aws:iam::111122223333:role/eks-backup-operator";
  const std::string session =
      "session:arn:aws:sts::111122223333:assumed-role/eks-backup-operator/backup";
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({kKey})
              .identities({kUser})
              .created({role})
              .ip("203.0.113.45")
              .verb("CreateRole")),
      rec(R().credentials({"account:444455556666"})
              .targets({role})
              .revealed({session, "key:ASIAEXAMPLESESSION1"})
              .ip("192.0.2.77")
              .verb("AssumeRole")
              .account("444455556666")),
      rec(R().credentials({session, "key:ASIAEXAMPLESESSION1"})
              .identities({role})
              .ip("192.0.2.77")
              .verb("DescribeCluster")),
      rec(R().credentials({"account:444455556666"}).ip("192.0.2.78").verb("ListBuckets")),
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  for (size_t i = 0; i < rs.size(); ++i) EXPECT_TRUE(pulled(r, i)) << i;
  EXPECT_EQ(r.seeds.at(role).role, "created");
  EXPECT_TRUE(r.seeds.at(role).owned);
  EXPECT_TRUE(r.seeds.at(session).owned);
  EXPECT_TRUE(r.seeds.count("account:444455556666"));
}

TEST(Scope, AssumingARoleTheAttackerOnlyChangedIsTheAttackerOnlyFromOutside) {
  cluster::Policy policy;
  policy.trusted_cidrs = {"10.0.0.0/8"};
  const std::string role = "iam:arn:aws:iam::111122223333:role/app";
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({kKey})
              .identities({kUser})
              .changed({role})
              .ip("203.0.113.45")
              .verb("UpdateAssumeRolePolicy")),
      rec(R().identities({"iam:arn:aws:iam::111122223333:role/web"})
              .targets({role})
              .ip("10.1.2.3")
              .verb("AssumeRole")
              .account("111122223333")),  // the app
      rec(R().credentials({"account:999988887777"})
              .targets({role})
              .ip("192.0.2.5")
              .verb("AssumeRole")
              .account("999988887777")),
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  EXPECT_FALSE(pulled(r, 1));
  EXPECT_TRUE(pulled(r, 2));
  EXPECT_EQ(r.seeds.at(role).role, "changed");
  EXPECT_FALSE(r.seeds.at(role).as_actor);
}

TEST(Scope, HubsAreNamedButNeverFollowed) {
  cluster::Policy policy;
  policy.trusted_cidrs = {"198.51.100.0/24"};
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({kKey})
              .identities({kUser})
              .ip("203.0.113.45")
              .created({"cluster:prod", "node:ip-10-0-0-1", "k8suser:system:anonymous"})),
      rec(R().identities({"k8suser:system:anonymous"}).ip("192.0.2.1")),
      rec(R().credentials({kKey}).identities({kUser}).ip("198.51.100.7")),
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  EXPECT_FALSE(r.seeds.count("cluster:prod"));
  EXPECT_FALSE(r.seeds.count("node:ip-10-0-0-1"));
  EXPECT_FALSE(r.seeds.count("k8suser:system:anonymous"));
  EXPECT_FALSE(pulled(r, 1));
  EXPECT_FALSE(pulled(r, 2));
  EXPECT_NE(hub_reason("ip:198.51.100.7", context(policy)).find("trusted"), std::string::npos);
  EXPECT_NE(hub_reason("ip:10.0.0.5", context(policy)).find("private"), std::string::npos);
  EXPECT_NE(hub_reason("cluster:prod", context(policy)), "");
  EXPECT_EQ(hub_reason("ip:203.0.113.45", context(policy)), "");
}

// The index keeps the addresses and people it counts in blocks of its own. A key longer than a
// quarter block (a hostile source address of 300 KB), met first, took a block of its own that
// the short keys after it were then written into: past its end, and over it.
TEST(Scope, AHugeFirstAddressDoesNotTakeTheOtherKeysBlock) {
  cluster::Policy policy;
  const std::string dev = "iam:arn:aws:iam::111122223333:role/Developer";
  auto session = [](const std::string& who) {
    return "session:arn:aws:sts::111122223333:assumed-role/Developer/" + who;
  };
  const std::string huge = std::string(300000, '9');
  std::vector<ScopeRecord> rs = {rec(R().credentials({session("x")}).identities({dev}).ip(huge))};
  // Enough short keys after it to run past the huge key's block.
  for (int i = 0; i < 4000; ++i)
    rs.push_back(rec(R().credentials({session("person-with-a-long-name-" + std::to_string(i))})
                         .identities({dev})
                         .ip("192.0.2." + std::to_string(i % 200))));
  const ScopeIndex index(rs, context(policy));
  ASSERT_EQ(index.shared.size(), 200u);
  EXPECT_EQ(index.shared.at("192.0.2.7"), 20u);
  EXPECT_EQ(index.by_actor.count("ip:" + huge), 1u);
}

// An address several people act from (an office egress): the attacker's session acting from it
// does not make everyone else's work from it the attacker's.
TEST(Scope, AnAddressManyPeopleShareIsNotTheAttackers) {
  cluster::Policy policy;  // no trusted_cidrs: nobody said the office is trusted
  const std::string dev = "iam:arn:aws:iam::111122223333:role/Developer";
  auto session = [](const std::string& who) {
    return "session:arn:aws:sts::111122223333:assumed-role/Developer/" + who;
  };
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({session("dana")}).identities({dev}).ip("192.0.2.60")),  // flagged
      rec(R().credentials({session("alice")}).identities({dev}).ip("192.0.2.60")),
      rec(R().credentials({session("bob")}).identities({dev}).ip("192.0.2.60")),
      rec(R().credentials({session("chen")}).identities({dev}).ip("192.0.2.60")),
      // the same person with the session's changing temporary keys counts once
      rec(R().credentials({session("chen"), "key:ASIAEXAMPLE00000001"})
              .identities({dev})
              .ip("203.0.113.7")),
      rec(R().credentials({session("chen"), "key:ASIAEXAMPLE00000002"})
              .identities({dev})
              .ip("203.0.113.7")),
      rec(R().credentials({"key:ASIAEXAMPLE00000003"}).identities({dev}).ip("203.0.113.7")),
      rec(R().credentials({session("dana")}).identities({dev}).ip("10.0.0.9")),
  };
  const ScopeIndex index(rs, context(policy));
  ASSERT_EQ(index.shared.size(), 1u);
  EXPECT_EQ(index.shared.at("192.0.2.60"), 4u);
  EXPECT_FALSE(index.shared.count("203.0.113.7"));  // chen and one key: two people
  EXPECT_FALSE(index.shared.count("10.0.0.9"));     // private: a hub already
  ScopeResult r = pivot(rs, index, {0}, {}, context(policy));
  EXPECT_TRUE(pulled(r, 0));
  EXPECT_FALSE(pulled(r, 1));
  EXPECT_FALSE(pulled(r, 2));
  EXPECT_FALSE(pulled(r, 3));
  EXPECT_TRUE(pulled(r, 7));  // the stolen session itself is still followed
  ASSERT_TRUE(r.not_expanded.count("ip:192.0.2.60"));
  EXPECT_NE(r.not_expanded.at("ip:192.0.2.60").find("4 people"), std::string::npos);
  // A trusted address is not reported as shared: it is a hub for its own reason.
  policy.trusted_cidrs = {"192.0.2.0/24"};
  EXPECT_TRUE(ScopeIndex(rs, context(policy)).shared.empty());
}

// A stolen session's name is also its owner's: her own logins (another key, her own address) are
// not the attacker's; another key from the attacker's address is.
TEST(Scope, AnotherLoginOfTheSessionNameIsItsOwners) {
  cluster::Policy policy;
  const std::string role = "iam:arn:aws:iam::111122223333:role/Developer";
  const std::string dana = "session:arn:aws:sts::111122223333:assumed-role/Developer/dana";
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({dana, "key:ASIASTOLEN000000001"})
              .identities({role})
              .ip("203.0.113.88")),  // flagged
      rec(R().credentials({dana, "key:ASIADANA00000000001"}).identities({role}).ip("192.0.2.61")),
      rec(R().credentials({dana, "key:ASIASTOLEN000000002"}).identities({role}).ip("203.0.113.88")),
      rec(R().credentials({dana, "key:ASIASTOLEN000000001"})
              .identities({role})
              .ip("198.51.100.99")),
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  EXPECT_FALSE(pulled(r, 1));
  EXPECT_TRUE(pulled(r, 2));  // the attacker's address
  EXPECT_TRUE(pulled(r, 3));  // the attacker's key
  bool noted = false;
  for (const auto& n : r.notes)
    if (n.find(
            "1 distinct request of the attacker's session name signed with another access key") !=
        std::string::npos)
      noted = true;
  EXPECT_TRUE(noted);
}

TEST(Scope, OwnershipFromCronJobToJobToPodIsTheAttackers) {
  cluster::Policy policy;
  const std::string cj = "workload:CronJob/kube-system/log-rotate";
  const std::string job = "workload:Job/kube-system/log-rotate-1";
  const std::string pod = "pod:kube-system/log-rotate-1-abc";
  const std::string controller = "sa:kube-system/job-controller";
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({kKey})
              .identities({kUser})
              .created({cj})
              .ip("203.0.113.45")
              .verb("create")),
      rec(R().identities({"sa:kube-system/cronjob-controller"})
              .created({job})
              .ip("10.0.0.2")
              .owner(cj)
              .verb("create")),
      rec(R().identities({controller}).created({pod}).ip("10.0.0.2").owner(job).verb("create")),
      rec(R().identities({"node:ip-10-0-0-9"})
              .targets({pod, "node:ip-10-0-0-9"})
              .ip("10.0.0.9")
              .verb("patch")),  // the kubelet running it
      rec(R().identities({controller})
              .created({"pod:web/web-1"})
              .ip("10.0.0.2")
              .owner("workload:ReplicaSet/web/web-7d")
              .verb("create")),  // not the attacker's
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  for (size_t i : {0, 1, 2, 3}) EXPECT_TRUE(pulled(r, i)) << i;
  EXPECT_FALSE(pulled(r, 4));
  EXPECT_TRUE(r.pulled.at(0).by_attacker);
  EXPECT_FALSE(r.pulled.at(1).by_attacker);
  EXPECT_FALSE(r.pulled.at(3).by_attacker);
  EXPECT_EQ(r.seeds.at(job).role, "created");
  EXPECT_EQ(r.seeds.at(pod).role, "created");
  // The controller is not the attacker.
  EXPECT_FALSE(r.seeds.count(controller));
}

TEST(Scope, AFindingOnAControllerDoesNotMakeItTheAttacker) {
  cluster::Policy policy;
  std::vector<ScopeRecord> rs = {
      rec(R().identities({"sa:kube-system/daemon-set-controller"})
              .created({"pod:mon/exp-1"})
              .ip("10.0.0.2")
              .owner("workload:DaemonSet/mon/exp")
              .verb("create")),
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  EXPECT_TRUE(pulled(r, 0));
  EXPECT_FALSE(r.pulled.at(0).by_attacker);
  EXPECT_TRUE(r.seeds.empty());
}

TEST(Scope, StolenSystemTokenFromTheInternetIsNotMachinery) {
  cluster::Policy policy;
  const std::string ds = "workload:DaemonSet/kube-ops/helper";
  std::vector<ScopeRecord> rs = {
      rec(R().identities({"sa:kube-system/argocd-manager"})
              .created({ds})
              .ip("203.0.113.60")
              .verb("create")),
      rec(R().identities({"sa:kube-system/argocd-manager"}).ip("203.0.113.60").verb("list")),
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  EXPECT_TRUE(r.pulled.at(0).by_attacker);
  EXPECT_TRUE(pulled(r, 1));
  EXPECT_EQ(r.seeds.at(ds).role, "created");
}

TEST(Scope, TheBindingThatLetsAnonymousRequestsInIsFollowed) {
  cluster::Policy policy;
  const std::string b = "binding:ClusterRoleBinding/system:public-info-viewer-ext";
  std::vector<ScopeRecord> rs = {
      rec(R().identities({"k8suser:system:anonymous"})
              .targets({"secret:shop/db"})
              .ip("203.0.113.99")
              .granted_by(b)
              .verb("get")),
      rec(R().identities({"k8suser:system:anonymous"})
              .ip("192.0.2.50")
              .granted_by(b)
              .verb("list")),  // another caller through the same binding
      rec(R().identities({"k8suser:system:anonymous"})
              .ip("198.51.100.130")
              .granted_by("binding:ClusterRoleBinding/system:public-info-viewer")
              .verb("get")),
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  EXPECT_TRUE(r.seeds.count(b));
  EXPECT_FALSE(r.seeds.at(b).as_actor);
  EXPECT_TRUE(pulled(r, 1));
  EXPECT_TRUE(r.seeds.count("ip:192.0.2.50"));
  EXPECT_FALSE(pulled(r, 2));
}

TEST(Scope, NodeSessionIsTheAttackersOnlyFromOutsideTheVpc) {
  cluster::Policy policy;
  policy.trusted_cidrs = {"198.51.100.10/32"};
  const std::string role = "iam:arn:aws:iam::111122223333:role/node-role";
  const std::string session =
      "session:arn:aws:sts::111122223333:assumed-role/node-role/i-0abc1234def567890";
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({session, "key:ASIANODE0000000001"})
              .identities({role})
              .ip("203.0.113.61")
              .verb("ListObjects")),  // flagged
      rec(R().credentials({session, "key:ASIANODE0000000001"})
              .identities({role})
              .ip("203.0.113.61")
              .verb("GetObject")
              .targets({"bucket:exports"})),
      rec(R().credentials({session, "key:ASIANODE0000000001"})
              .identities({role})
              .ip("10.0.3.4")
              .verb("GetAuthorizationToken")),
      rec(R().credentials({session, "key:ASIANODE0000000001"})
              .identities({role})
              .ip("198.51.100.10")
              .verb("DescribeInstances")),  // NAT
  };
  ScopeResult r = pivot(rs, {0}, {}, context(policy));
  EXPECT_TRUE(pulled(r, 1));
  EXPECT_FALSE(pulled(r, 2));
  EXPECT_FALSE(pulled(r, 3));
  ASSERT_TRUE(r.not_expanded.count(role));
  EXPECT_NE(r.not_expanded.at(role).find("instance role"), std::string::npos);
}

TEST(Scope, AwsAuthEntryAddedIsTheDifferenceFromTheLastWrite) {
  cluster::Policy policy;
  const std::string node =
      "role|arn:aws:iam::111122223333:role/node|system:node:{{EC2PrivateDNSName}}|system:nodes";
  const std::string admin =
      "role|arn:aws:iam::111122223333:role/platform-admin|admin|system:masters";
  const std::string added = "role|arn:aws:iam::111122223333:role/backdoor|backup|system:masters";
  std::vector<ScopeRecord> rs = {
      rec(R().identities({"k8suser:terraform"})
              .changed({"configmap:kube-system/aws-auth"})
              .ip("10.0.0.5")
              .verb("update")
              .aws_auth({node, admin})
              .time(10)),
      rec(R().credentials({kKey})
              .identities({kUser})
              .changed({"configmap:kube-system/aws-auth"})
              .ip("203.0.113.45")
              .verb("patch")
              .aws_auth({node, admin, added})
              .time(20)),
      rec(R().identities({"iam:arn:aws:iam::111122223333:role/backdoor", "k8suser:backup"})
              .ip("192.0.2.8")
              .verb("list")
              .time(30)),
      rec(R().identities({"iam:arn:aws:iam::111122223333:role/platform-admin", "k8suser:admin"})
              .ip("192.0.2.9")
              .verb("list")
              .time(40)),
  };
  ScopeResult r = pivot(rs, {1}, {}, context(policy));
  ASSERT_EQ(r.aws_auth_added.size(), 1u);
  EXPECT_EQ(r.aws_auth_added[0].first, added);
  EXPECT_EQ(r.aws_auth_added[0].second, 1u);
  EXPECT_TRUE(pulled(r, 2));
  EXPECT_FALSE(pulled(r, 3));
  EXPECT_EQ(r.seeds.at("iam:arn:aws:iam::111122223333:role/backdoor").role, "admitted");
}

TEST(Scope, AwsAuthWithoutEarlierContentNamesOnlyWhatIsTiedToTheAttacker) {
  cluster::Policy policy;
  const std::string backdoor = "iam:arn:aws:iam::111122223333:role/backdoor";
  std::vector<ScopeRecord> rs = {
      rec(R().credentials({kKey})
              .identities({kUser})
              .created({backdoor})
              .ip("203.0.113.45")
              .verb("CreateRole")
              .time(5)),
      rec(R().credentials({kKey})
              .identities({kUser})
              .changed({"configmap:kube-system/aws-auth"})
              .ip("203.0.113.45")
              .verb("patch")
              .time(20)
              .aws_auth({"role|arn:aws:iam::111122223333:role/platform-admin|admin|system:masters",
                         "role|arn:aws:iam::111122223333:role/backdoor|backup|system:masters",
                         "role|arn:aws:iam::555566667777:role/ext|ext|system:masters"})),
  };
  ScopeResult r = pivot(rs, {0, 1}, {}, context(policy));
  ASSERT_EQ(r.aws_auth_added.size(), 2u);  // the attacker's own role, and another account's
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("platform-admin"), std::string::npos);
}

TEST(FacetKeys, PublicAddresses) {
  for (const char* ip : {"203.0.113.45", "8.8.8.8", "1.2.3.4", "100.128.0.1"})
    EXPECT_TRUE(is_public_ip(ip)) << ip;
  for (const char* ip : {"10.0.0.1",
                         "172.16.5.4",
                         "172.31.255.255",
                         "192.168.1.1",
                         "127.0.0.1",
                         "169.254.169.254",
                         "100.64.0.1",
                         "0.0.0.0",
                         "224.0.0.1",
                         "256.1.1.1",
                         "1.2.3",
                         "1.2.3.4.5",
                         "1.2.3.4 ",
                         " 1.2.3.4",
                         "1.2.3.x",
                         "",
                         "1..2.3",
                         "1234.1.1.1",
                         "eks.amazonaws.com",
                         "2001:db8::1"})
    EXPECT_FALSE(is_public_ip(ip)) << ip;
}

TEST(FacetKeys, DisplayAndKinds) {
  EXPECT_EQ(key_display("key:AKIA1"), "access key AKIA1");
  EXPECT_EQ(key_display("session:arn:aws:sts::1:assumed-role/r/s"), "session r/s");
  EXPECT_EQ(key_display("iam:arn:aws:iam::1:role/r"), "role r");
  EXPECT_EQ(key_display("workload:CronJob/ns/x"), "CronJob ns/x");
  EXPECT_EQ(workload_kind("cronjobs"), "CronJob");
  EXPECT_EQ(workload_kind("CronJob"), "CronJob");
  EXPECT_EQ(workload_key("cronjobs", "ns", "x"), workload_key("CronJob", "ns", "x"));
  EXPECT_EQ(workload_key("pods", "ns", "p"), "pod:ns/p");
  EXPECT_EQ(session_instance("session:arn:aws:sts::1:assumed-role/node/i-0abc1234def567890"),
            "i-0abc1234def567890");
  EXPECT_EQ(session_instance("session:arn:aws:sts::1:assumed-role/r/i-am-alice"), "");
  EXPECT_EQ(binding_from_reason("RBAC: allowed by ClusterRoleBinding \"x:y\" of ClusterRole "
                                "\"cluster-admin\" to Group \"system:unauthenticated\""),
            "binding:ClusterRoleBinding/x:y");
  EXPECT_EQ(binding_from_reason("RBAC: allowed by RoleBinding \"rb/shop\" of Role \"r\" to "
                                "ServiceAccount \"web/shop\""),
            "binding:RoleBinding/shop/rb");
  EXPECT_EQ(role_from_reason("RBAC: allowed by ClusterRoleBinding \"x\" of ClusterRole "
                             "\"cluster-admin\" to User \"u\""),
            "ClusterRole/cluster-admin");
}

// The scope keeps every candidate record of weeks of evidence: the index is built from their
// encoded facets and only the records the pivot reaches are decoded.
TEST(Scope, OnlyTheRecordsThePivotReachesAreDecoded) {
  cluster::Policy policy;
  std::vector<std::string> encodings;
  for (int i = 0; i < 2000; ++i) {
    RecordFacets f;
    f.identities = {"iam:arn:aws:iam::111122223333:user/u" + std::to_string(i)};
    f.credentials = {"key:AKIAOTHER" + std::to_string(100000 + i)};
    f.source_ip = "10.0.0.1";
    f.verb = "ListBuckets";
    encodings.push_back(encode_facets(f));
  }
  RecordFacets attacker;
  attacker.credentials = {kKey, "ip:203.0.113.45"};
  attacker.identities = {kUser};
  attacker.source_ip = "203.0.113.45";
  attacker.verb = "GetCallerIdentity";
  encodings.push_back(encode_facets(attacker));
  encodings.push_back(encode_facets(attacker));
  std::vector<ScopeRecord> rs;
  for (const auto& e : encodings) rs.emplace_back(std::string_view(e), 1, Source::CloudTrail);
  ScopeResult r = pivot(rs, {2000}, {}, context(policy));
  EXPECT_TRUE(pulled(r, 2001));
  EXPECT_EQ(r.pulled.size(), 2u);
  size_t decoded = 0;
  for (const auto& x : rs) decoded += x.decoded();
  EXPECT_LE(decoded, 2u);
  // Decoding gives back what was encoded.
  EXPECT_EQ(rs[2001].facets().credentials, attacker.credentials);
  EXPECT_EQ(rs[2001].facets().source_ip, "203.0.113.45");
  EXPECT_EQ(rs[7].facets().identities[0], "iam:arn:aws:iam::111122223333:user/u7");
}

TEST(Scope, EncodedFacetsRoundTripAndNewlinesCannotForgeAnItem) {
  RecordFacets f;
  f.credentials = {"key:AKIAEXAMPLEKEY00001"};
  f.targets = {"pod:default/x", "node:ip-10-0-0-1"};
  f.user_agent = "curl/8\ni:iam:arn:aws:iam::111122223333:role/forged";
  f.verb = "create";
  f.read_only = false;
  f.failed = true;
  RecordFacets d = decode_facets(encode_facets(f));
  EXPECT_EQ(d.credentials, f.credentials);
  EXPECT_EQ(d.targets, f.targets);
  EXPECT_TRUE(d.identities.empty());  // the newline in the agent did not make an identity
  EXPECT_EQ(d.user_agent, "curl/8 i:iam:arn:aws:iam::111122223333:role/forged");
  EXPECT_TRUE(d.failed);
  EXPECT_FALSE(d.read_only);
  ScopeRecord owned(f, 5, Source::K8sAudit);
  ScopeRecord copy = owned;
  EXPECT_EQ(copy.encoded(), owned.encoded());
  EXPECT_EQ(copy.facets().targets, f.targets);
}

}  // namespace
}  // namespace eksir::incident

namespace eksir::incident {
namespace {

// A record's encoding survives copies, moves and assignment, whoever owns it; the owned one is
// the record's own (a copy does not share it), a view stays a view of the caller's text.
TEST(ScopeRecordValue, CopiesMovesAndAssignmentKeepTheEncoding) {
  RecordFacets f;
  f.credentials = {"key:AKIAEXAMPLE"};
  f.verb = "ListSecrets";
  const std::string encoding = encode_facets(f);
  ScopeRecord owned = ScopeRecord::owning(encoding, 5, Source::CloudTrail);
  ScopeRecord copy = owned;
  EXPECT_EQ(copy.encoded(), encoding);
  EXPECT_NE(copy.encoded().data(), owned.encoded().data());
  ScopeRecord moved = std::move(owned);
  EXPECT_EQ(moved.encoded(), encoding);
  EXPECT_EQ(moved.time, 5);
  EXPECT_EQ(moved.source, Source::CloudTrail);
  ScopeRecord view(std::string_view(encoding), 6, Source::K8sAudit);
  EXPECT_EQ(view.encoded().data(), encoding.data());
  view = copy;  // a view replaced by an owned copy
  EXPECT_EQ(view.encoded(), encoding);
  EXPECT_EQ(view.time, 5);
  copy = ScopeRecord(std::string_view(encoding), 7, Source::K8sAudit);  // and back
  EXPECT_EQ(copy.encoded().data(), encoding.data());
  EXPECT_EQ(view.facets().verb, "ListSecrets");
  EXPECT_TRUE(view.decoded());
  std::vector<ScopeRecord> grown;
  for (int i = 0; i < 100; ++i)
    grown.push_back(ScopeRecord::owning(encoding, i, Source::CloudTrail));
  for (const auto& r : grown) EXPECT_EQ(r.encoded(), encoding);
}

}  // namespace
}  // namespace eksir::incident
