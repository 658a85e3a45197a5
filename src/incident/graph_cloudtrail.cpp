// A CloudTrail record: the caller (IAM principal, its access key, another account), its address,
// and what the call acted on (users, roles and their trust, keys, access entries, security groups,
// instances, buckets, trails, clusters).
#include <fmt/format.h>

#include <algorithm>

#include "cluster/cluster.h"
#include "event/fields.h"
#include "incident/facets.h"
#include "incident/graph_event.h"
#include "util/text.h"

namespace eksir::incident::graph_parts {

void EventReader::cloudtrail() {
  std::string account = path_text(d, "recipientAccountId");
  if (account.empty()) account = path_text(d, "userIdentity.accountId");
  std::string region = path_text(d, "awsRegion");
  if (g.cluster.region.empty()) g.cluster.region = region;
  if (g.cluster.account.empty()) g.cluster.account = account;
  std::string arn = path_text(d, "userIdentity.arn");
  std::string who = iam(arn);
  if (who.empty()) who = iam(path_text(d, "userIdentity.sessionContext.sessionIssuer.arn"));
  std::string caller_account = path_text(d, "userIdentity.accountId");
  if (who.empty() && path_text(d, "userIdentity.type") == "AWSAccount" && !caller_account.empty() &&
      caller_account != account) {
    // Another account calling in: CloudTrail names only the account.
    Entity& a = g.add("aws_account", caller_account, caller_account);
    a.attributes["external"] = "true";
    who = a.key;
  }
  actor(who);
  std::string key = access_key(path_text(d, "userIdentity.accessKeyId"), who);
  if (!key.empty()) actor(key);
  // A node's instance-profile session is named after its instance.
  if (std::string inst = session_instance(arn); !inst.empty() && !who.empty()) {
    std::string ik = g.add("instance", inst, inst).key;
    g.entities[who].attributes["node_role"] = "true";
    g.link(who, ik, "instance role of", ev);
  }
  std::string name = path_text(d, "eventName");
  out.verb = name;
  ip(path_text(d, "sourceIPAddress"), who);
  auto rp = [&](std::string_view p) {
    std::string v = path_text(d, fmt::format("requestParameters.{}", p));
    return v.find('%') == std::string::npos ? v : util::percent_decode(v);
  };
  std::string rel = name;
  auto act_on = [&](const std::string& t) {
    if (t.empty()) return;
    target(t);
    for (const auto& a : out.actors) g.link(a, t, rel, ev);
  };
  if (std::string n = rp("userName"); !n.empty()) {
    std::string u = iam(user_arn_of(account, n));
    act_on(u);
    if (std::string k = path_text(d, "responseElements.accessKey.accessKeyId"); !k.empty())
      act_on(access_key(k, u));
    if (std::string k = rp("accessKeyId"); !k.empty()) act_on(access_key(k, u));
  }
  std::string role_key, user_key;
  if (std::string n = rp("userName"); !n.empty()) user_key = iam_key(user_arn_of(account, n));
  if (std::string r = rp("roleName"); !r.empty()) act_on(role_key = iam(role_arn_of(account, r)));
  if (std::string r = rp("roleArn"); !r.empty()) act_on(role_key = iam(r));
  if (!role_key.empty()) {
    // The accounts a role's trust policy lets in (CreateRole, UpdateAssumeRolePolicy).
    std::string doc = rp("assumeRolePolicyDocument");
    if (doc.empty()) doc = rp("policyDocument");
    if (doc.find('%') != std::string::npos) doc = util::percent_decode(doc);
    for (size_t p = doc.find("arn:aws:iam::"); p != std::string::npos;
         p = doc.find("arn:aws:iam::", p + 1)) {
      std::string trusted = doc.substr(p + 13, 12);
      if (trusted.size() != 12 || trusted == account ||
          !std::all_of(trusted.begin(), trusted.end(), ::isdigit))
        continue;
      add_to_list(g.entities[role_key].attributes["trusted_accounts"], trusted);
      Entity& ta = g.add("aws_account", trusted, trusted);
      ta.attributes["external"] = "true";
      g.link(role_key, ta.key, "trusts", ev);
    }
    if (name.rfind("AssumeRole", 0) == 0) {
      std::string session = path_text(d, "responseElements.assumedRoleUser.arn");
      size_t slash = session.rfind('/');
      if (slash != std::string::npos)
        add_to_list(g.entities[role_key].attributes["session_names"], session.substr(slash + 1));
    }
  }
  // Policies attached to a user or role, so that what was attached can be detached.
  if (path_text(d, "errorCode").empty())
    for (const std::string& who : {user_key, role_key}) {
      if (who.empty() || !g.find(who)) continue;
      Entity& e = g.entities[who];
      if (std::string pol = rp("policyArn"); !pol.empty() && name.rfind("Attach", 0) == 0)
        add_to_list(e.attributes["attached_policies"], pol);
      if (std::string pol = rp("policyName"); !pol.empty() && name.rfind("Put", 0) == 0)
        add_to_list(e.attributes["inline_policies"], pol);
    }
  if (std::string p = rp("principalArn"); p.rfind("arn:", 0) == 0) {
    std::string principal = iam(p);
    act_on(principal);
    std::string cn = rp("clusterName");
    if (cn.empty()) cn = rp("name");
    if (cn.empty()) cn = path_text(d, "responseElements.accessEntry.clusterName");
    if (!cn.empty()) {
      Entity& ae = g.add("access_entry", cn + "/" + p, p);
      ae.attributes["principal_arn"] = p;
      ae.attributes["cluster"] = cn;
      if (std::string pol = rp("policyArn"); !pol.empty())
        add_to_list(ae.attributes["policies"], pol.substr(pol.rfind('/') + 1));
      std::string username = path_text(d, "responseElements.accessEntry.username");
      if (username.empty()) username = rp("username");
      if (!username.empty()) ae.attributes["username"] = username;
      std::string aek = ae.key;
      act_on(aek);
      g.link(aek, principal, "grants cluster access to", ev);
      if (!username.empty() && username.find("{{") == std::string::npos) {
        std::string uk = k8s_user_key(username);
        if (uk.rfind("k8suser:", 0) == 0) g.add("k8s_user", username, username);
        g.link(uk, principal, "mapped from (access entry)", ev);
      }
      if (std::string acct = account_of(p); !acct.empty() && acct != account) {
        g.entities[principal].attributes["external_account"] = acct;
      }
    }
  }
  if (std::string sg = rp("groupId"); starts_with(sg, "sg-")) {
    std::string sgk = g.add("security_group", sg, sg).key;
    for (const auto& r :
         all_texts(d, "responseElements.securityGroupRuleSet.items.securityGroupRuleId"))
      add_to_list(g.entities[sgk].attributes["rules"], r);
    for (const auto& c :
         all_texts(d, "requestParameters.ipPermissions.items.ipRanges.items.cidrIp")) {
      std::string port = path_text(d, "requestParameters.ipPermissions.items.fromPort");
      add_to_list(g.entities[sgk].attributes["opened"], port.empty() ? c : port + " from " + c);
    }
    act_on(sgk);
  }
  for (const auto& i : all_texts(d, "requestParameters.instancesSet.items.instanceId"))
    act_on(g.add("instance", i, i).key);
  if (std::string b = rp("bucketName"); !b.empty()) {
    Entity& bucket = g.add("s3_bucket", b, b);
    if (std::string k = rp("key"); !k.empty()) add_to_list(bucket.attributes["objects"], k);
    act_on(bucket.key);
  }
  std::string src = path_text(d, "eventSource");
  if (src == "cloudtrail.amazonaws.com") {
    std::string t = rp("name");
    if (!t.empty()) {
      Entity& trail =
          g.add("cloudtrail_trail", t.substr(t.rfind('/') + 1), t.substr(t.rfind('/') + 1));
      if (t.rfind("arn:", 0) == 0) trail.attributes["arn"] = t;
      trail.attributes["region"] = region;
      act_on(trail.key);
    }
  }
  if (src == "eks.amazonaws.com") {
    std::string cn = rp("name");
    if (cn.empty()) cn = rp("clusterName");
    if (!cn.empty()) {
      std::string carn = fmt::format("arn:aws:eks:{}:{}:cluster/{}", region, account, cn);
      cluster(cn, carn);
      target("cluster:" + cn);
    }
  }
}

}  // namespace eksir::incident::graph_parts
