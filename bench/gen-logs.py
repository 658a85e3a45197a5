#!/usr/bin/env python3
"""Generate large, realistic EKS evidence files for benchmarks.

  --kind audit       Kubernetes audit log: audit.k8s.io/v1 Events, one per line, shaped like an
                     EKS cluster's (EKS audit policy levels, aws-iam-authenticator user.extra,
                     service-account pod extras), about 1.1 KB per event on average.
  --kind cloudtrail  CloudTrail records, one per line (--format lines), or S3 delivery objects
                     AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz holding
                     {"Records":[...]} (--format s3, -o is then a directory).

The output is deterministic for a given --kind, --seed, --size and --format. Events are mostly
routine traffic (node leases and status, controllers, kubelets, add-ons, EKS components, apps,
people and CI); a small fraction is what a responder hunts for (pods/exec, secret reads,
cluster-admin bindings, privileged pods, forbidden and anonymous requests; in CloudTrail access
entries, logging changes, security-group openings, new access keys, denied calls).

    python3 bench/gen-logs.py --kind audit --size 1G --seed 1 -o bench/data/audit-1G.jsonl
    python3 bench/gen-logs.py --kind audit --size 100M --gzip -o audit-100M.jsonl.gz
    python3 bench/gen-logs.py --kind cloudtrail --size 200M --format s3 -o /tmp/ct

--size takes K, M or G (powers of 1024). Generation stops at the first whole event at or past the
size. A summary (events, bytes, seconds, MB/s, and how many events match the default benchmark
filter) goes to stderr.
"""

import argparse
import calendar
import gzip
import hashlib
import heapq
import json
import os
import random
import re
import sys
import time

ACCOUNT = "111122223333"
REGION = "us-east-1"
CLUSTER = "prod-payments"


# ---------------------------------------------------------------------------------------------
# Templates: a JSON object written once with json.dumps, with sentinel values turned into
# str.format fields. "@@name@@" inside a string becomes {name} (the caller passes a JSON-safe
# string); the whole string "@@#name@@" becomes a bare {name} (the caller passes a number or a
# JSON fragment).
# ---------------------------------------------------------------------------------------------
class Template:
    def __init__(self, obj):
        s = json.dumps(obj, separators=(",", ":"))
        s = s.replace("{", "{{").replace("}", "}}")
        s = re.sub(r'"@@#(\w+)@@"', r"{\1}", s)
        s = re.sub(r"@@(\w+)@@", r"{\1}", s)
        self.fmt = s
        self.format = s.format


def F(name):
    """A string field."""
    return f"@@{name}@@"


def R(name):
    """A raw field (number, null, object)."""
    return f"@@#{name}@@"


def frag(obj):
    """A JSON fragment to pass for a raw field."""
    return json.dumps(obj, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------
class Clock:
    """Microsecond clock with a cached second prefix, so formatting a timestamp is cheap."""

    def __init__(self, start_us):
        self.now = start_us
        self._sec = -1
        self._prefix = ""

    def stamp(self, us):
        sec, frac = divmod(us, 1_000_000)
        if sec != self._sec:
            self._sec = sec
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(sec))
        return f"{self._prefix}{frac:06d}Z"


def parse_start(text):
    t = time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    return calendar.timegm(t) * 1_000_000


# ---------------------------------------------------------------------------------------------
# Random helpers (all from one seeded generator)
# ---------------------------------------------------------------------------------------------
class Rand:
    HEX = "0123456789abcdef"

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.random = self.r.random
        self.randrange = self.r.randrange
        self.getrandbits = self.r.getrandbits

    def uuid(self):
        h = "%032x" % self.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def suffix(self, n=5, alphabet="bcdfghjklmnpqrstvwxz2456789"):
        return "".join(alphabet[int(self.random() * len(alphabet))] for _ in range(n))

    def akid(self, prefix):
        a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        return prefix + "".join(a[int(self.random() * 32)] for _ in range(16))


# ---------------------------------------------------------------------------------------------
# Kubernetes audit
# ---------------------------------------------------------------------------------------------
def iam_user(username, groups, arn, canonical, session, key, principal):
    return {"username": username, "uid": f"aws-iam-authenticator:{ACCOUNT}:{principal.split(':')[0]}",
            "groups": groups + ["system:authenticated"],
            "extra": {"accessKeyId": [key], "arn": [arn], "canonicalArn": [canonical], "principalId": [principal],
                      "sessionName": [session], "sigs.k8s.io/aws-iam-authenticator/principalId": [principal]}}


def sa_user(rnd, ns, sa, pod, pod_uid, node):
    return {"username": f"system:serviceaccount:{ns}:{sa}", "uid": rnd.uuid(),
            "groups": ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"],
            "extra": {"authentication.kubernetes.io/credential-id": [f"JTI={rnd.uuid()}"],
                      "authentication.kubernetes.io/node-name": [node["name"]],
                      "authentication.kubernetes.io/node-uid": [node["uid"]],
                      "authentication.kubernetes.io/pod-name": [pod], "authentication.kubernetes.io/pod-uid": [pod_uid]}}


def crb_reason(binding, role, kind, name):
    return f'RBAC: allowed by ClusterRoleBinding "{binding}" of ClusterRole "{role}" to {kind} "{name}"'


def rb_reason(binding, ns, role, kind, name):
    return f'RBAC: allowed by RoleBinding "{binding}/{ns}" of ClusterRole "{role}" to {kind} "{name}"'


def ev(level, stage, uri, verb, user, src, ua, objref, status, req=None, resp=None, annotations=None):
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": F("aid"), "stage": stage,
         "requestURI": uri, "verb": verb, "user": user, "sourceIPs": src, "userAgent": ua}
    if objref is not None:
        e["objectRef"] = objref
    e["responseStatus"] = status
    if req is not None:
        e["requestObject"] = req
    if resp is not None:
        e["responseObject"] = resp
    e["requestReceivedTimestamp"] = F("rts")
    e["stageTimestamp"] = F("sts")
    ann = {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}
    ann.update(annotations or {})
    e["annotations"] = ann
    return e


POLICY_GROUPS = {"", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "apps",
                 "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "extensions",
                 "metrics.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "scheduling.k8s.io",
                 "settings.k8s.io", "storage.k8s.io"}


def policy_level(resource, group, verb):
    """The level at which the EKS audit policy (EKS Best Practices Guide, detective controls) logs a request."""
    if group == "" and resource in ("secrets", "configmaps") or resource == "tokenreviews":
        return "Metadata"
    if group not in POLICY_GROUPS:
        return "Metadata"
    return "Request" if verb in ("get", "list", "watch") else "RequestResponse"


def ok(code=200):
    return {"metadata": {}, "code": code}


NAMESPACES = {
    "payments": ["payments-api", "payments-worker", "ledger"],
    "checkout": ["checkout-web", "cart"],
    "orders": ["orders-api", "orders-consumer"],
    "search": ["search-api", "indexer"],
    "monitoring": ["prometheus", "grafana", "alertmanager"],
    "logging": ["fluent-bit", "loki"],
    "cert-manager": ["cert-manager", "cert-manager-cainjector"],
    "argocd": ["argocd-application-controller", "argocd-repo-server", "argocd-server"],
    "karpenter": ["karpenter"],
    "ingress-nginx": ["ingress-nginx-controller"],
    "data-pipeline": ["airflow-scheduler", "airflow-worker"],
    "ml-serving": ["model-server"],
}
KUBE_SYSTEM = ["coredns", "aws-node", "kube-proxy", "ebs-csi-controller", "ebs-csi-node", "metrics-server",
               "aws-load-balancer-controller", "eks-pod-identity-agent"]


class AuditWorld:
    def __init__(self, rnd, n_nodes=48):
        self.rnd = rnd
        self.nodes = []
        for i in range(n_nodes):
            a, b = 10 + (i % 3) * 32 + rnd.randrange(16), rnd.randrange(1, 254)
            name = f"ip-10-42-{a}-{b}.ec2.internal"
            inst = "i-0" + "%016x" % rnd.getrandbits(64)
            node = {"name": name, "ip": f"10.42.{a}.{b}", "uid": rnd.uuid(), "instance": inst}
            node["user"] = iam_user(f"system:node:{name}", ["system:bootstrappers", "system:nodes"],
                                    f"arn:aws:sts::{ACCOUNT}:assumed-role/prod-payments-node-role/{inst}",
                                    f"arn:aws:iam::{ACCOUNT}:role/prod-payments-node-role", inst,
                                    rnd.akid("ASIA"), f"AROARQ4WZT7KFJ6YT2XBN:{inst}")
            self.nodes.append(node)
        # pods: (namespace, app, sa, pod name, pod uid, node, pod ip, user)
        self.pods = []
        for ns, apps in list(NAMESPACES.items()) + [("kube-system", KUBE_SYSTEM)]:
            for app in apps:
                rs = "%010x" % rnd.getrandbits(40)
                for _ in range(1 + rnd.randrange(4)):
                    node = rnd.pick(self.nodes)
                    pod = f"{app}-{rs[:10]}-{rnd.suffix()}"
                    pod_uid = rnd.uuid()
                    ip = f"10.42.{node['ip'].split('.')[2]}.{rnd.randrange(2, 254)}"
                    self.pods.append({"ns": ns, "app": app, "sa": app, "name": pod, "uid": pod_uid, "node": node,
                                      "ip": ip, "user": sa_user(rnd, ns, app, pod, pod_uid, node)})
        self.humans = []
        for who, role, groups, ip in (
                ("alice@example.com", "AWSReservedSSO_PlatformAdmin_2b7c9e1f4a6d8c0e", ["platform:admins"], "192.0.2.31"),
                ("bob@example.com", "AWSReservedSSO_PlatformAdmin_2b7c9e1f4a6d8c0e", ["platform:admins"], "192.0.2.32"),
                ("chen@example.com", "AWSReservedSSO_Developer_7d1e3f5a9b2c4d6e", ["dev:payments"], "198.51.100.61"),
                ("dana@example.com", "AWSReservedSSO_Developer_7d1e3f5a9b2c4d6e", ["dev:orders"], "198.51.100.62"),
                ("eve@example.com", "AWSReservedSSO_ReadOnly_5f0e3c2b1a9d8e7f", ["readonly"], "198.51.100.63"),
                ("GitHubActions", "github-actions-deploy", ["payments:deployers"], "192.0.2.140"),
                ("oncall-bot", "incident-automation", ["platform:admins"], "198.51.100.70")):
            arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{who}"
            rid = "AROA" + rnd.akid("")[:17].upper()
            self.humans.append({"user": iam_user(arn, groups, arn, f"arn:aws:iam::{ACCOUNT}:role/{role}", who,
                                                 rnd.akid("ASIA"), f"{rid}:{who}"),
                                "ip": ip, "group": groups[0],
                                "ua": rnd.pick(["kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819",
                                                "kubectl/v1.30.6 (darwin/arm64) kubernetes/00f20d4",
                                                "kubectl/v1.32.2 (darwin/arm64) kubernetes/67a30c0",
                                                "kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0"])})
        self.cp_ips = ["172.16.51.17", "172.16.88.203"]


KUBELET_UA = "kubelet/v1.32.1-eks-5d632ec (linux/amd64) kubernetes/5d632ec"
KCM_UA = "kube-controller-manager/v1.32.2-eks-bc803b4 (linux/amd64) kubernetes/bc803b4"
NODE_CONDS = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]


def build_audit_kinds(w):
    """Returns [(weight, name, render(clock_us) -> list[str of JSON line])]. Each render draws its variable parts."""
    rnd = w.rnd
    kinds = []

    def add(weight, name, fn):
        kinds.append((weight, name, fn))

    # Each kind prebuilds one Template per identity that does not change, so a render is a
    # handful of random picks and one str.format.
    # 1. node lease renewals (the bulk of any EKS audit log)
    lease = {}
    for n in w.nodes:
        lease[n["name"]] = Template(ev("Metadata", "ResponseComplete",
                                       f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{n['name']}?timeout=10s",
                                       "update", n["user"], [n["ip"]], KUBELET_UA,
                                       {"resource": "leases", "namespace": "kube-node-lease", "name": n["name"],
                                        "apiGroup": "coordination.k8s.io", "apiVersion": "v1"}, ok()))
    leases = [lease[n["name"]].format for n in w.nodes]
    add(12, "node-lease", lambda a: [rnd.pick(leases)(**a)])

    # 2. control-plane leader-election leases
    cp = []
    for user, ua, name, reason in (
            ("system:kube-controller-manager", KCM_UA + "/leader-election", "kube-controller-manager",
             crb_reason("system:kube-controller-manager", "system:kube-controller-manager", "User", "system:kube-controller-manager")),
            ("system:kube-scheduler", "kube-scheduler/v1.32.2-eks-bc803b4 (linux/amd64) kubernetes/bc803b4/leader-election", "kube-scheduler",
             crb_reason("system:kube-scheduler", "system:kube-scheduler", "User", "system:kube-scheduler")),
            ("eks:cloud-controller-manager", "aws-cloud-controller-manager/v0.0.0 (linux/amd64) kubernetes/$Format/leader-election",
             "cloud-controller-manager", crb_reason("eks:cloud-controller-manager", "eks:cloud-controller-manager", "User", "eks:cloud-controller-manager")),
            ("eks:vpc-resource-controller", "controller/v0.0.0 (linux/amd64) kubernetes/$Format/leader-election", "cp-vpc-resource-controller",
             crb_reason("eks:vpc-resource-controller", "eks:vpc-resource-controller", "User", "eks:vpc-resource-controller"))):
        for verb in ("get", "update"):
            cp.append(Template(ev("Metadata", "ResponseComplete",
                                  f"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/{name}?timeout=5s", verb,
                                  {"username": user, "groups": ["system:authenticated"]}, [R("src")], ua,
                                  {"resource": "leases", "namespace": "kube-system", "name": name, "apiGroup": "coordination.k8s.io",
                                   "apiVersion": "v1"}, ok(), annotations={"authorization.k8s.io/reason": reason})).format)
    add(30, "cp-lease", lambda a: [rnd.pick(cp)(src=frag(rnd.pick(w.cp_ips)), **a)])

    # 3. node status patches (Request level, small strategic-merge patch)
    nst = {}
    for n in w.nodes:
        patch = {"status": {"$setElementOrder/conditions": [{"type": c} for c in NODE_CONDS],
                            "conditions": [{"lastHeartbeatTime": F("hb"), "type": c} for c in NODE_CONDS]}}
        nst[n["name"]] = Template(ev("Request", "ResponseComplete", f"/api/v1/nodes/{n['name']}/status?timeout=10s", "patch",
                                     n["user"], [n["ip"]], KUBELET_UA,
                                     {"resource": "nodes", "name": n["name"], "apiVersion": "v1", "subresource": "status"},
                                     ok(), req=patch)).format
    nsts = list(nst.values())
    add(3, "node-status", lambda a: [rnd.pick(nsts)(hb=a["rts"][:19] + "Z", **a)])

    # 4. pod status patches by the kubelet
    pst = []
    for p in w.pods:
        patch = {"metadata": {"uid": p["uid"]},
                 "status": {"$setElementOrder/conditions": [{"type": t} for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")],
                            "conditions": [{"lastProbeTime": None, "lastTransitionTime": F("hb"), "status": R("ready"), "type": "Ready"},
                                           {"lastProbeTime": None, "lastTransitionTime": F("hb"), "status": R("ready"), "type": "ContainersReady"}],
                            "containerStatuses": [{"containerID": "containerd://" + "%064x" % rnd.getrandbits(256),
                                                   "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{p['app']}:2026.03.1{rnd.randrange(10)}",
                                                   "imageID": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{p['app']}@sha256:" + "%064x" % rnd.getrandbits(256),
                                                   "lastState": {}, "name": p["app"], "ready": R("readyb"), "restartCount": 0,
                                                   "started": True, "state": {"running": {"startedAt": F("hb")}}}]}}
        n = p["node"]
        pst.append(Template(ev("Request", "ResponseComplete", f"/api/v1/namespaces/{p['ns']}/pods/{p['name']}/status", "patch",
                               n["user"], [n["ip"]], KUBELET_UA,
                               {"resource": "pods", "namespace": p["ns"], "name": p["name"], "apiVersion": "v1", "subresource": "status"},
                               ok(), req=patch)).format)

    def pod_status(a):
        r = rnd.random() < 0.9
        return [rnd.pick(pst)(hb=a["rts"][:19] + "Z", ready='"True"' if r else '"False"', readyb="true" if r else "false", **a)]
    add(2, "pod-status", pod_status)

    # 5. kubelets reading configmaps and secrets of their pods (Metadata)
    kget = []
    for p in w.pods:
        n = p["node"]
        for res, name in (("configmaps", "kube-root-ca.crt"), ("configmaps", f"{p['app']}-config"), ("secrets", f"{p['app']}-env")):
            for verb, q in (("get", ""), ("list", "?fieldSelector=metadata.name%3D" + name + "&limit=500&resourceVersion=0")):
                kget.append(Template(ev("Metadata", "ResponseComplete",
                                        f"/api/v1/namespaces/{p['ns']}/{res}" + (f"/{name}" if verb == "get" else q), verb,
                                        n["user"], [n["ip"]], KUBELET_UA,
                                        {"resource": res, "namespace": p["ns"], "name": name, "apiVersion": "v1"}, ok())).format)
    add(8, "kubelet-read", lambda a: [rnd.pick(kget)(**a)])

    # 6. kubelets requesting projected service-account tokens (Request level)
    ktok = []
    for p in w.pods:
        n = p["node"]
        req = {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
               "spec": {"audiences": None, "expirationSeconds": 3607,
                        "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": p["name"], "uid": p["uid"]}},
               "status": {"token": "", "expirationTimestamp": None}}
        ktok.append(Template(ev("Request", "ResponseComplete", f"/api/v1/namespaces/{p['ns']}/serviceaccounts/{p['sa']}/token",
                                "create", n["user"], [n["ip"]], KUBELET_UA,
                                {"resource": "serviceaccounts", "namespace": p["ns"], "name": p["sa"], "apiVersion": "v1",
                                 "subresource": "token"}, ok(201), req=req,
                                annotations={"authentication.kubernetes.io/issued-credential-id": "JTI=" + F("jti")})).format)
    add(4, "kubelet-token", lambda a: [rnd.pick(ktok)(jti=rnd.uuid(), **a)])

    # 7. controllers and operators in pods: get/list/watch (Request level)
    ctl = []
    targets = [("pods", "", "v1"), ("services", "", "v1"), ("endpointslices", "discovery.k8s.io", "v1"),
               ("deployments", "apps", "v1"), ("ingresses", "networking.k8s.io", "v1"), ("nodes", "", "v1"),
               ("configmaps", "", "v1"), ("leases", "coordination.k8s.io", "v1"), ("certificates", "cert-manager.io", "v1"),
               ("applications", "argoproj.io", "v1alpha1"), ("nodeclaims", "karpenter.sh", "v1")]
    for p in w.pods:
        for _ in range(3):
            res, grp, ver = rnd.pick(targets)
            verb = rnd.pick(["get", "list", "watch", "watch"])
            base = f"/api/{ver}" if not grp else f"/apis/{grp}/{ver}"
            ns = None if res in ("nodes",) or rnd.random() < 0.3 else rnd.pick(list(NAMESPACES))
            path = base + (f"/namespaces/{ns}" if ns else "") + f"/{res}"
            level = policy_level(res, grp, verb)
            if verb == "get":
                name = f"{res[:-1]}-{rnd.suffix()}"
                uri, objref = path + "/" + name, {"resource": res, "namespace": ns, "name": name}
            elif verb == "list":
                uri, objref = path + "?limit=500&resourceVersion=0", {"resource": res, "namespace": ns}
            else:
                uri = path + "?allowWatchBookmarks=true&resourceVersion=" + R("rv") + "&timeout=" + R("to") + "&timeoutSeconds=" + R("tos") + "&watch=true"
                objref = {"resource": res, "namespace": ns}
            objref = {k: v for k, v in objref.items() if v}
            if grp:
                objref["apiGroup"] = grp
            objref["apiVersion"] = ver
            reason = rb_reason(p["app"], p["ns"], p["app"], "ServiceAccount", f"{p['sa']}/{p['ns']}") if ns == p["ns"] else \
                crb_reason(p["app"], p["app"], "ServiceAccount", f"{p['sa']}/{p['ns']}")
            ua = f"{p['app']}/v0.0.0 (linux/amd64) kubernetes/$Format"
            ctl.append((verb, Template(ev(level, "ResponseComplete", uri, verb, p["user"], [p["ip"]], ua, objref, ok(),
                                          annotations={"authorization.k8s.io/reason": reason})).format))

    def controller(a):
        verb, fmt = rnd.pick(ctl)
        if verb == "watch":
            to = 300 + rnd.randrange(300)
            a = dict(a, rts=a["_clock"].stamp(a["_now"] - to * 1_000_000))
            return [fmt(rv=str(180_000_000 + rnd.randrange(9_000_000)), to=f"{to // 60}m{to % 60}s", tos=str(to), **a)]
        return [fmt(**a)]
    add(8, "controller", controller)

    # 7b. controllers inside kube-controller-manager (service-account credentials, no pod extras)
    kcm = []
    for ctl_name, verb, res, grp in (
            ("replicaset-controller", "get", "replicasets", "apps"), ("deployment-controller", "get", "deployments", "apps"),
            ("endpointslice-controller", "update", "endpointslices", "discovery.k8s.io"),
            ("generic-garbage-collector", "get", "replicasets", "apps"), ("namespace-controller", "get", "namespaces", ""),
            ("horizontal-pod-autoscaler", "get", "horizontalpodautoscalers", "autoscaling"),
            ("job-controller", "get", "jobs", "batch"), ("cronjob-controller", "get", "cronjobs", "batch"),
            ("daemon-set-controller", "get", "daemonsets", "apps"), ("node-controller", "get", "nodes", "")):
        user = {"username": f"system:serviceaccount:kube-system:{ctl_name}", "uid": rnd.uuid(),
                "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]}
        reason = crb_reason(f"system:controller:{ctl_name}", f"system:controller:{ctl_name}", "ServiceAccount", f"{ctl_name}/kube-system")
        for ns, apps in list(NAMESPACES.items())[:8]:
            name = rnd.pick(apps) if res not in ("namespaces", "nodes") else (ns if res == "namespaces" else rnd.pick(w.nodes)["name"])
            namespaced = res not in ("namespaces", "nodes")
            base = "/api/v1" if not grp else f"/apis/{grp}/v1"
            uri = base + (f"/namespaces/{ns}" if namespaced else "") + f"/{res}/{name}"
            objref = {"resource": res}
            if namespaced:
                objref["namespace"] = ns
            objref["name"] = name
            if grp:
                objref["apiGroup"] = grp
            objref["apiVersion"] = "v1"
            kcm.append(Template(ev(policy_level(res, grp, verb), "ResponseComplete", uri, verb, user, [R("src")],
                                   f"{KCM_UA}/system:serviceaccount:kube-system:{ctl_name}", objref, ok(),
                                   annotations={"authorization.k8s.io/reason": reason})).format)
    add(16, "kcm-controller", lambda a: [rnd.pick(kcm)(src=frag(rnd.pick(w.cp_ips)), **a)])

    # 8. EKS-internal users
    eks = []
    for user, ua, uri, objref, reason_user in (
            ("eks:k8s-metrics", "eks-k8s-metrics/v0.0.0 (linux/amd64) kubernetes/$Format",
             "/apis/apps/v1/namespaces/kube-system/deployments?fieldSelector=metadata.name%3Dcoredns",
             {"resource": "deployments", "namespace": "kube-system", "name": "coredns", "apiGroup": "apps", "apiVersion": "v1"}, "eks:k8s-metrics"),
            ("eks:k8s-metrics", "eks-k8s-metrics/v0.0.0 (linux/amd64) kubernetes/$Format",
             "/apis/apps/v1/namespaces/kube-system/deployments?fieldSelector=metadata.name%3Dvpc-resource-controller",
             {"resource": "deployments", "namespace": "kube-system", "name": "vpc-resource-controller", "apiGroup": "apps", "apiVersion": "v1"}, "eks:k8s-metrics"),
            ("eks:certificate-controller", "eks-certificate-controller/v1.32.2-eks-bc803b4 (linux/amd64) kubernetes/$Format",
             "/apis/certificates.k8s.io/v1/certificatesigningrequests?limit=500",
             {"resource": "certificatesigningrequests", "apiGroup": "certificates.k8s.io", "apiVersion": "v1"}, "eks:certificate-controller"),
            ("eks:node-manager", "eks-node-manager/v0.0.0 (linux/amd64) kubernetes/$Format", "/api/v1/nodes?limit=500",
             {"resource": "nodes", "apiVersion": "v1"}, "eks:node-manager"),
            ("eks:addon-manager", "eks-addon-manager/v0.0.0 (linux/amd64) kubernetes/$Format",
             "/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node",
             {"resource": "daemonsets", "namespace": "kube-system", "name": "aws-node", "apiGroup": "apps", "apiVersion": "v1"}, "eks:addon-manager")):
        verb = "get" if objref.get("name") and "fieldSelector" not in uri else "list"
        eks.append(Template(ev("Request", "ResponseComplete", uri, verb, {"username": user, "groups": ["system:authenticated"]},
                               [R("src")], ua, objref, ok(),
                               annotations={"authorization.k8s.io/reason": crb_reason(reason_user, reason_user, "User", reason_user)})).format)
    add(14, "eks-internal", lambda a: [rnd.pick(eks)(src=frag(rnd.pick(w.cp_ips)), **a)])

    # 9. token and access reviews by add-ons
    rev = []
    for p in w.pods:
        if p["app"] in ("metrics-server", "prometheus", "aws-load-balancer-controller", "argocd-server"):
            for res in ("tokenreviews",):
                grp = "authentication.k8s.io"
                rev.append(Template(ev("Metadata", "ResponseComplete", f"/apis/{grp}/v1/{res}", "create", p["user"], [p["ip"]],
                                       f"{p['app']}/v0.0.0 (linux/amd64) kubernetes/$Format",
                                       {"resource": res, "apiGroup": grp, "apiVersion": "v1"}, ok(201),
                                       annotations={"authorization.k8s.io/reason": crb_reason(f"{p['app']}:system:auth-delegator", "system:auth-delegator", "ServiceAccount", f"{p['sa']}/{p['ns']}")})).format)
    add(2, "review", lambda a: [rnd.pick(rev)(**a)])

    # 10. endpointslice updates by the controller manager
    esl = []
    for ns, apps in NAMESPACES.items():
        for app in apps:
            esl.append(Template(ev("Metadata", "ResponseComplete", f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/{app}-" + F("sfx"),
                                   "update", {"username": "system:serviceaccount:kube-system:endpointslice-controller", "uid": rnd.uuid(),
                                              "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
                                   [R("src")], KCM_UA + "/system:serviceaccount:kube-system:endpointslice-controller",
                                   {"resource": "endpointslices", "namespace": ns, "name": f"{app}-" + F("sfx"), "apiGroup": "discovery.k8s.io",
                                    "apiVersion": "v1", "resourceVersion": R("rvq")}, ok(),
                                   annotations={"authorization.k8s.io/reason": crb_reason("system:controller:endpointslice-controller", "system:controller:endpointslice-controller", "ServiceAccount", "endpointslice-controller/kube-system")})).format)
    add(3, "endpointslice", lambda a: [rnd.pick(esl)(sfx=rnd.suffix(), src=frag(rnd.pick(w.cp_ips)), rvq='"' + str(180_000_000 + rnd.randrange(9_000_000)) + '"', **a)])

    # 11. applications reading their own configmaps and secrets
    app = []
    for p in w.pods:
        if p["ns"] == "kube-system":
            continue
        for res in ("configmaps", "secrets"):
            name = f"{p['app']}-{'config' if res == 'configmaps' else 'credentials'}"
            app.append(Template(ev("Metadata", "ResponseComplete", f"/api/v1/namespaces/{p['ns']}/{res}/{name}", "get", p["user"],
                                   [p["ip"]], f"{p['app']}/2026.03 (linux/amd64) client-go/v0.32.1",
                                   {"resource": res, "namespace": p["ns"], "name": name, "apiVersion": "v1"}, ok(),
                                   annotations={"authorization.k8s.io/reason": rb_reason(f"{p['app']}-reader", p["ns"], f"{p['app']}-reader", "ServiceAccount", f"{p['sa']}/{p['ns']}")})).format)
    add(4, "app-read", lambda a: [rnd.pick(app)(**a)])

    # 12. people and CI reading things
    hum = []
    for h in w.humans:
        for res, grp in (("pods", ""), ("deployments", "apps"), ("services", ""), ("ingresses", "networking.k8s.io"), ("nodes", ""), ("namespaces", "")):
            ns = None if res in ("nodes", "namespaces") else rnd.pick(list(NAMESPACES))
            base = "/api/v1" if not grp else f"/apis/{grp}/v1"
            objref = {"resource": res}
            if ns:
                objref["namespace"] = ns
            if grp:
                objref["apiGroup"] = grp
            objref["apiVersion"] = "v1"
            reason = crb_reason("platform-admins", "cluster-admin", "Group", h["group"]) if h["group"] == "platform:admins" else \
                crb_reason(f"{h['group']}-view", "view", "Group", h["group"])
            hum.append(Template(ev("Request", "ResponseComplete", base + (f"/namespaces/{ns}" if ns else "") + f"/{res}?limit=500", "list",
                                   h["user"], [h["ip"]], h["ua"], objref, ok(),
                                   annotations={"authorization.k8s.io/reason": reason})).format)
        hum.append(Template(ev("Metadata", "ResponseComplete", "/api?timeout=32s", "get", h["user"], [h["ip"]], h["ua"], None, ok(),
                               annotations={"authorization.k8s.io/reason": crb_reason("system:discovery", "system:discovery", "Group", "system:authenticated")})).format)
    add(3, "human-read", lambda a: [rnd.pick(hum)(**a)])

    # 13. CI rollouts: deployment patch with the full Deployment in the response
    dep = []
    for ns, apps in NAMESPACES.items():
        for appn in apps:
            h = w.humans[5]
            body = {"kind": "Deployment", "apiVersion": "apps/v1",
                    "metadata": {"name": appn, "namespace": ns, "uid": rnd.uuid(), "resourceVersion": R("rvq"), "generation": R("gen"),
                                 "creationTimestamp": "2025-06-03T08:22:41Z", "labels": {"app.kubernetes.io/name": appn},
                                 "annotations": {"deployment.kubernetes.io/revision": R("revq")}},
                    "spec": {"replicas": 3, "selector": {"matchLabels": {"app.kubernetes.io/name": appn}},
                             "template": {"metadata": {"labels": {"app.kubernetes.io/name": appn}},
                                          "spec": {"containers": [{"name": appn, "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{appn}:" + F("tag"),
                                                                   "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                                                                   "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "512Mi"}},
                                                                   "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                                                                   "imagePullPolicy": "IfNotPresent"}],
                                                   "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                                                   "serviceAccountName": appn, "serviceAccount": appn, "securityContext": {}, "schedulerName": "default-scheduler"}},
                             "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                             "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
                    "status": {"observedGeneration": R("gen"), "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
                               "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": "2026-03-13T08:22:41Z",
                                               "lastTransitionTime": "2026-03-13T08:22:41Z", "reason": "MinimumReplicasAvailable",
                                               "message": "Deployment has minimum availability."}]}}
            patch = {"spec": {"template": {"spec": {"containers": [{"name": appn, "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{appn}:" + F("tag")}]}}}}
            dep.append(Template(ev("RequestResponse", "ResponseComplete", f"/apis/apps/v1/namespaces/{ns}/deployments/{appn}?fieldManager=kubectl-set",
                                   "patch", h["user"], [h["ip"]], "kubectl/v1.32.2 (linux/amd64) kubernetes/67a30c0",
                                   {"resource": "deployments", "namespace": ns, "name": appn, "apiGroup": "apps", "apiVersion": "v1"}, ok(),
                                   req=patch, resp=body,
                                   annotations={"authorization.k8s.io/reason": rb_reason("deployers", ns, "edit", "Group", "payments:deployers")})).format)

    def deploy(a):
        g = 20 + rnd.randrange(200)
        return [rnd.pick(dep)(tag=f"2026.03.{10 + rnd.randrange(20)}-{rnd.randrange(9)}", rvq='"' + str(180_000_000 + rnd.randrange(9_000_000)) + '"',
                              gen=str(g), revq=f'"{g - 1}"', **a)]
    add(0.5, "ci-deploy", deploy)

    # 14. pods created by the replicaset controller (full pod in request and response)
    pcr = []
    for p in w.pods[:60]:
        spec = {"containers": [{"name": p["app"], "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{p['app']}:2026.03.14-1",
                                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                                "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "512Mi"}},
                                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "serviceAccountName": p["sa"],
                "serviceAccount": p["sa"], "securityContext": {}, "schedulerName": "default-scheduler",
                "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
                "priority": 0, "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority"}
        rsname = p["name"].rsplit("-", 1)[0]
        md = {"generateName": rsname + "-", "namespace": p["ns"], "labels": {"app.kubernetes.io/name": p["app"], "pod-template-hash": rsname.rsplit("-", 1)[1]},
              "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rsname, "uid": rnd.uuid(), "controller": True, "blockOwnerDeletion": True}]}
        req = {"kind": "Pod", "apiVersion": "v1", "metadata": dict(md, creationTimestamp=None), "spec": spec, "status": {}}
        resp = {"kind": "Pod", "apiVersion": "v1",
                "metadata": dict(md, name=rsname + "-" + F("sfx"), uid=F("puid"), resourceVersion=R("rvq"), creationTimestamp=F("cts")),
                "spec": spec, "status": {"phase": "Pending", "qosClass": "Burstable"}}
        pcr.append(Template(ev("RequestResponse", "ResponseComplete", f"/api/v1/namespaces/{p['ns']}/pods", "create",
                               {"username": "system:serviceaccount:kube-system:replicaset-controller", "uid": rnd.uuid(),
                                "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"]},
                               [R("src")], KCM_UA + "/system:serviceaccount:kube-system:replicaset-controller",
                               {"resource": "pods", "namespace": p["ns"], "name": rsname + "-" + F("sfx"), "apiVersion": "v1"}, ok(201),
                               req=req, resp=resp,
                               annotations={"authorization.k8s.io/reason": crb_reason("system:controller:replicaset-controller", "system:controller:replicaset-controller", "ServiceAccount", "replicaset-controller/kube-system"),
                                            "pod-security.kubernetes.io/enforce-policy": "privileged:latest"})).format)
    add(0.6, "pod-create", lambda a: [rnd.pick(pcr)(sfx=rnd.suffix(), puid=rnd.uuid(), rvq='"' + str(180_000_000 + rnd.randrange(9_000_000)) + '"',
                                                      cts=a["rts"][:19] + "Z", src=frag(rnd.pick(w.cp_ips)), **a)])

    # ---- the rare, interesting events ----
    # 15. exec into a pod: kubectl < 1.31 uses POST (verb create), newer kubectl uses WebSockets (verb get).
    #     Logged twice: ResponseStarted when the stream opens, ResponseComplete when it closes.
    exe = []
    for h in w.humans:
        verb = "create" if "v1.29" in h["ua"] or "v1.30" in h["ua"] else "get"
        for p in rnd.r.sample(w.pods, 6):
            cmd = rnd.pick(["sh", "bash", "cat", "env", "ls"])
            uri = f"/api/v1/namespaces/{p['ns']}/pods/{p['name']}/exec?command={cmd}&container={p['app']}&stdin=true&stdout=true&tty=true"
            objref = {"resource": "pods", "namespace": p["ns"], "name": p["name"], "apiVersion": "v1", "subresource": "exec"}
            reason = crb_reason("platform-admins", "cluster-admin", "Group", h["group"]) if h["group"] == "platform:admins" else \
                rb_reason(f"{h['group']}-exec", p["ns"], "edit", "Group", h["group"])
            mk = lambda stage: Template(ev(policy_level("pods", "", verb), stage, uri, verb, h["user"], [h["ip"]], h["ua"], objref, ok(101),
                                           annotations={"authorization.k8s.io/reason": reason})).format
            exe.append((mk("ResponseStarted"), mk("ResponseComplete")))

    def exec_(a):
        started, complete = rnd.pick(exe)
        dur = 5_000_000 + rnd.randrange(900_000_000)
        a["_later"](a["_now"] + dur, complete, {"aid": a["aid"], "rts": a["rts"]})
        return [started(**a)]
    add(0.06, "exec", exec_)

    # 16. people reading secrets, pods/log, port-forward
    sec = []
    for h in w.humans:
        for ns in rnd.r.sample(list(NAMESPACES), 4):
            name = rnd.pick(NAMESPACES[ns]) + rnd.pick(["-credentials", "-env", "-tls", "-db"])
            reason = crb_reason("platform-admins", "cluster-admin", "Group", h["group"]) if h["group"] == "platform:admins" else \
                rb_reason(f"{h['group']}-edit", ns, "edit", "Group", h["group"])
            sec.append(Template(ev("Metadata", "ResponseComplete", f"/api/v1/namespaces/{ns}/secrets/{name}", "get", h["user"], [h["ip"]], h["ua"],
                                   {"resource": "secrets", "namespace": ns, "name": name, "apiVersion": "v1"}, ok(),
                                   annotations={"authorization.k8s.io/reason": reason})).format)
            p = rnd.pick(w.pods)
            sec.append(Template(ev("Request", "ResponseComplete", f"/api/v1/namespaces/{p['ns']}/pods/{p['name']}/log?container={p['app']}&tailLines=200",
                                   "get", h["user"], [h["ip"]], h["ua"],
                                   {"resource": "pods", "namespace": p["ns"], "name": p["name"], "apiVersion": "v1", "subresource": "log"}, ok(),
                                   annotations={"authorization.k8s.io/reason": reason})).format)
    add(0.4, "secret-or-log", lambda a: [rnd.pick(sec)(**a)])

    # 17. RBAC changes: cluster-admin bindings (rare)
    rbac = []
    for h in w.humans[:2] + w.humans[6:]:
        for subj in ({"kind": "ServiceAccount", "name": "backup-sa", "namespace": "default"},
                     {"kind": "Group", "name": "oncall:breakglass", "apiGroup": "rbac.authorization.k8s.io"},
                     {"kind": "User", "name": "temp-admin", "apiGroup": "rbac.authorization.k8s.io"}):
            name = subj["name"] + "-admin"
            body = {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": name, "creationTimestamp": None},
                    "subjects": [subj], "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}}
            resp = dict(body, metadata={"name": name, "uid": F("puid"), "resourceVersion": R("rvq"), "creationTimestamp": F("cts")})
            rbac.append(Template(ev("RequestResponse", "ResponseComplete",
                                    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?fieldManager=kubectl-create&fieldValidation=Strict",
                                    "create", h["user"], [h["ip"]], h["ua"],
                                    {"resource": "clusterrolebindings", "name": name, "apiGroup": "rbac.authorization.k8s.io", "apiVersion": "v1"},
                                    ok(201), req=body, resp=resp,
                                    annotations={"authorization.k8s.io/reason": crb_reason("platform-admins", "cluster-admin", "Group", h["group"])})).format)
    add(0.01, "crb-create", lambda a: [rnd.pick(rbac)(puid=rnd.uuid(), rvq='"' + str(180_000_000 + rnd.randrange(9_000_000)) + '"',
                                                        cts=a["rts"][:19] + "Z", **a)])

    # 18. privileged hostPath pods created by a person (rarer still)
    priv = []
    for h in w.humans[:2] + w.humans[6:]:
        for ns in ("kube-system", "default"):
            spec = {"volumes": [{"name": "host", "hostPath": {"path": "/"}}],
                    "containers": [{"name": "debug", "image": "docker.io/library/alpine:3.21", "command": ["sleep", "3600"], "resources": {},
                                    "volumeMounts": [{"name": "host", "mountPath": "/host"}], "securityContext": {"privileged": True}}],
                    "hostPID": True, "hostNetwork": True, "tolerations": [{"operator": "Exists"}]}
            req = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "node-debugger", "namespace": ns, "creationTimestamp": None},
                   "spec": spec, "status": {}}
            resp = {"kind": "Pod", "apiVersion": "v1",
                    "metadata": {"name": "node-debugger", "namespace": ns, "uid": F("puid"), "resourceVersion": R("rvq"), "creationTimestamp": F("cts")},
                    "spec": dict(spec, restartPolicy="Always", dnsPolicy="ClusterFirst", serviceAccountName="default", schedulerName="default-scheduler"),
                    "status": {"phase": "Pending", "qosClass": "BestEffort"}}
            priv.append(Template(ev("RequestResponse", "ResponseComplete", f"/api/v1/namespaces/{ns}/pods?fieldManager=kubectl-run", "create",
                                    h["user"], [h["ip"]], h["ua"], {"resource": "pods", "namespace": ns, "name": "node-debugger", "apiVersion": "v1"},
                                    ok(201), req=req, resp=resp,
                                    annotations={"authorization.k8s.io/reason": crb_reason("platform-admins", "cluster-admin", "Group", h["group"]),
                                                 "pod-security.kubernetes.io/enforce-policy": "privileged:latest"})).format)
    add(0.005, "privileged-pod", lambda a: [rnd.pick(priv)(puid=rnd.uuid(), rvq='"' + str(180_000_000 + rnd.randrange(9_000_000)) + '"',
                                                            cts=a["rts"][:19] + "Z", **a)])

    # 19. forbidden requests and anonymous probes
    deny = []
    for h in w.humans[2:5]:
        for ns in ("kube-system", "payments"):
            deny.append(Template(ev("Metadata", "ResponseComplete", f"/api/v1/namespaces/{ns}/secrets?limit=500", "list", h["user"], [h["ip"]], h["ua"],
                                    {"resource": "secrets", "namespace": ns, "apiVersion": "v1"},
                                    {"metadata": {}, "status": "Failure",
                                     "message": f'secrets is forbidden: User "{h["user"]["username"]}" cannot list resource "secrets" in API group "" in the namespace "{ns}"',
                                     "reason": "Forbidden", "details": {"kind": "secrets"}, "code": 403},
                                    annotations={"authorization.k8s.io/decision": "forbid"})).format)
    for path in ("/api/v1/namespaces/kube-system/secrets", "/api/v1/pods", "/apis/apps/v1/deployments"):
        deny.append(Template(ev(policy_level(path.rsplit("/", 1)[1], "apps" if "/apps/" in path else "", "list"), "ResponseComplete", path, "list",
                                {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
                                [R("src")], "python-requests/2.32.3", {"resource": path.rsplit("/", 1)[1], "apiVersion": "v1"},
                                {"metadata": {}, "status": "Failure",
                                 "message": f'{path.rsplit("/", 1)[1]} is forbidden: User "system:anonymous" cannot list resource "{path.rsplit("/", 1)[1]}"',
                                 "reason": "Forbidden", "details": {"kind": path.rsplit("/", 1)[1]}, "code": 403},
                                annotations={"authorization.k8s.io/decision": "forbid"})).format)
    anon_ips = [f"203.0.113.{i}" for i in range(10, 250, 7)]
    add(0.2, "forbidden", lambda a: [rnd.pick(deny)(src=frag(rnd.pick(anon_ips)), **a)])
    return kinds


# ---------------------------------------------------------------------------------------------
# CloudTrail
# ---------------------------------------------------------------------------------------------
def build_cloudtrail_kinds(rnd):
    """Returns [(weight, name, render)] like build_audit_kinds; a kind holds one template per identity."""
    groups = {}   # kind name -> (weight, [(format, source IPs)])

    def add(weight, name, fmt, ips):
        groups.setdefault(name, (weight, []))[1].append((fmt, ips))

    def rec(identity, source, name, ua, params, resp, read_only, version="1.09", resources=None, extra=None,
            error=None, host=None, console=False, ip=None):
        r = {"eventVersion": version, "userIdentity": identity, "eventTime": F("et"), "eventSource": source, "eventName": name,
             "awsRegion": REGION, "sourceIPAddress": ip or F("ip"), "userAgent": ua}
        if error:
            r["errorCode"], r["errorMessage"] = error
        r["requestParameters"] = params
        r["responseElements"] = resp
        if extra:
            r.update(extra)
        r["requestID"] = F("rid")
        r["eventID"] = F("eid")
        r["readOnly"] = read_only
        if resources:
            r["resources"] = resources
        r["eventType"] = "AwsApiCall"
        r["managementEvent"] = True
        r["recipientAccountId"] = ACCOUNT
        r["eventCategory"] = "Management"
        if host is not False:
            r["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                               "clientProvidedHostHeader": host or f"{source.split('.')[0]}.{REGION}.amazonaws.com"}
        if console:
            r["sessionCredentialFromConsole"] = "true"
        return Template(r).format

    def role_id():
        return "AROA" + "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[int(rnd.random() * 32)] for _ in range(17))

    def role(role_name, session, rid, ec2=False, web=False, path=""):
        ctx = {"sessionIssuer": {"type": "Role", "principalId": rid, "arn": f"arn:aws:iam::{ACCOUNT}:role/{path}{role_name}",
                                 "accountId": ACCOUNT, "userName": role_name},
               "attributes": {"creationDate": F("ct"), "mfaAuthenticated": "false"}}
        if ec2:
            ctx["ec2RoleDelivery"] = "2.0"
        if web:
            ctx["webIdFederationData"] = {"federatedProvider": OIDC_ARN, "attributes": {}}
        return {"type": "AssumedRole", "principalId": f"{rid}:{session}", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}",
                "accountId": ACCOUNT, "accessKeyId": F("ak"), "sessionContext": ctx}

    OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.{REGION}.amazonaws.com/id/7F3A9C2E1B0D4E5F6A7B8C9D0E1F2A3B"
    nat = ["198.51.100.10", "198.51.100.11", "198.51.100.12"]
    people_ips = ["192.0.2.31", "192.0.2.32", "198.51.100.61", "198.51.100.62"]
    sdk = "aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/{api} m/E"
    boto = ("Boto3/1.35.90 md/Botocore#1.35.90 ua/2.0 os/linux#6.1.128-136.201.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.8 "
            "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.90")
    cli = ("aws-cli/2.22.35 md/awscrt#0.23.4 ua/2.0 os/macos#24.3.0 md/arch#arm64 lang/python#3.12.9 md/pyimpl#CPython "
           "cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{cmd}")

    # the nodes (one instance role, one session per instance)
    node_rid = role_id()
    for _ in range(48):
        inst = "i-0" + "%016x" % rnd.getrandbits(64)
        idn = role("prod-payments-node-role", inst, node_rid, ec2=True)
        add(14, "ecr-auth", rec(idn, "ecr.amazonaws.com", "GetAuthorizationToken", sdk.format(api="ecr#1.38.3") + " ecr-credential-provider",
                                {"registryIds": [ACCOUNT]}, None, True, "1.08", host=f"api.ecr.{REGION}.amazonaws.com"), nat)
        add(18, "ec2-describe", rec(idn, "ec2.amazonaws.com", "DescribeNetworkInterfaces", sdk.format(api="ec2#1.198.1") + " amazon-vpc-cni-k8s/v1.19.2",
                                    {"networkInterfaceIdSet": {}, "filterSet": {"items": [{"name": "attachment.instance-id", "valueSet": {"items": [{"value": inst}]}}]}},
                                    None, True), nat)
        add(8, "pod-identity", rec(idn, "eks-auth.amazonaws.com", "AssumeRoleForPodIdentity",
                                   "aws-sdk-go-v2/1.32.7 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/eksauth#1.8.1 eks-pod-identity-agent",
                                   {"clusterName": CLUSTER, "token": "HIDDEN_DUE_TO_SECURITY_REASONS"}, None, True, host=f"eks-auth.{REGION}.api.aws"), nat)
    # workloads with IRSA roles
    for app in ("payments-api", "orders-api", "karpenter", "ebs-csi-controller", "aws-load-balancer-controller",
                "external-dns", "loki", "airflow-worker", "model-server", "fluent-bit"):
        rid = role_id()
        arn = f"arn:aws:iam::{ACCOUNT}:role/{app}-irsa"
        session = f"botocore-session-{1773000000 + rnd.randrange(999999)}"
        idn = role(f"{app}-irsa", session, rid, web=True)
        sub = f"system:serviceaccount:{app}:{app}"
        add(12, "kms", rec(idn, "kms.amazonaws.com", "Decrypt", boto,
                           {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::prod-{app}-data/" + F("obj")}},
                           None, True, resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key",
                                                   "ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{rnd.uuid()}"}]), nat)
        add(8, "sts-web", rec({"type": "WebIdentityUser", "principalId": f"{OIDC_ARN}:sts.amazonaws.com:{sub}", "userName": sub,
                               "identityProvider": OIDC_ARN},
                              "sts.amazonaws.com", "AssumeRoleWithWebIdentity", boto, {"roleArn": arn, "roleSessionName": session},
                              {"credentials": {"accessKeyId": F("ak"), "sessionToken": "IQoJb3JpZ2luX2VjE" + F("tok"), "expiration": F("exp")},
                               "subjectFromWebIdentityToken": sub,
                               "assumedRoleUser": {"assumedRoleId": f"{rid}:{session}", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{app}-irsa/{session}"},
                               "provider": OIDC_ARN, "audience": "sts.amazonaws.com"}, True, "1.08",
                              resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": arn}]), nat)
        add(8, "ssm", rec(idn, "ssm.amazonaws.com", "GetParameter", boto, {"name": f"/prod/{app}/config", "withDecryption": True}, None, True), nat)
        add(5, "secrets", rec(idn, "secretsmanager.amazonaws.com", "GetSecretValue", boto,
                              {"secretId": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/{app}/db-" + F("sfx")}, None, True), nat)
    # people through SSO, in the console and the CLI
    for role_name, who in (("AWSReservedSSO_PlatformAdmin_2b7c9e1f4a6d8c0e", "alice@example.com"),
                           ("AWSReservedSSO_PlatformAdmin_2b7c9e1f4a6d8c0e", "bob@example.com"),
                           ("AWSReservedSSO_Developer_7d1e3f5a9b2c4d6e", "chen@example.com"),
                           ("AWSReservedSSO_Developer_7d1e3f5a9b2c4d6e", "dana@example.com")):
        idn = role(role_name, who, role_id(), path="aws-reserved/sso.amazonaws.com/")
        add(2, "console", rec(idn, "eks.amazonaws.com", "DescribeCluster",
                              "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
                              {"name": CLUSTER}, None, True, console=True), people_ips)
        add(1.5, "human-ec2", rec(idn, "ec2.amazonaws.com", "DescribeInstances", cli.format(cmd="ec2.describe-instances"),
                                  {"instancesSet": {}, "filterSet": {}}, None, True), people_ips)
        add(1, "denied", rec(idn, "iam.amazonaws.com", "ListUsers", cli.format(cmd="iam.list-users"), None, None, True,
                             error=("AccessDenied", f"User: {idn['arn']} is not authorized to perform: iam:ListUsers on resource: "
                                                    f"arn:aws:iam::{ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action"),
                             host="iam.amazonaws.com"), people_ips)
    # the EKS service-linked role
    slr = role("AWSServiceRoleForAmazonEKS", "AmazonEKS", role_id(), path="aws-service-role/eks.amazonaws.com/")
    slr["invokedBy"] = "eks.amazonaws.com"
    add(6, "eks-slr", rec(slr, "ec2.amazonaws.com", "DescribeNetworkInterfaces", "eks.amazonaws.com",
                          {"filterSet": {"items": [{"name": "tag:aws:eks:cluster-name", "valueSet": {"items": [{"value": CLUSTER}]}}]}},
                          None, True, host=False, ip="eks.amazonaws.com"), ["eks.amazonaws.com"])
    # the CI user (legitimately, from the CI server)
    ci = {"type": "IAMUser", "principalId": "AIDARQ4WZT7KX2M5NPL3V", "arn": f"arn:aws:iam::{ACCOUNT}:user/ci-deployer",
          "accountId": ACCOUNT, "accessKeyId": "AKIARQ4WZT7KHB3D6FXQ", "userName": "ci-deployer"}
    add(2, "eks-describe", rec(ci, "eks.amazonaws.com", "DescribeCluster", cli.format(cmd="eks.update-kubeconfig"),
                               {"name": CLUSTER}, None, True), ["198.51.100.20"])
    # the rare, interesting ones (the same stolen-key story as examples/)
    evil = f"arn:aws:iam::{ACCOUNT}:role/eks-backup-operator"
    bad = ["203.0.113.45"]
    add(0.01, "create-access-entry", rec(ci, "eks.amazonaws.com", "CreateAccessEntry", cli.format(cmd="eks.create-access-entry"),
                                         {"name": CLUSTER, "principalArn": evil, "clientRequestToken": F("rid")},
                                         {"accessEntry": {"clusterName": CLUSTER, "principalArn": evil, "kubernetesGroups": [], "type": "STANDARD",
                                                          "username": f"arn:aws:sts::{ACCOUNT}:assumed-role/eks-backup-operator/{{{{SessionName}}}}"}},
                                         False), bad)
    add(0.01, "associate-policy", rec(ci, "eks.amazonaws.com", "AssociateAccessPolicy", cli.format(cmd="eks.associate-access-policy"),
                                      {"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                                       "accessScope": {"type": "cluster"}, "name": CLUSTER,
                                       "principalArn": "arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Feks-backup-operator"},
                                      {"clusterName": CLUSTER, "principalArn": evil}, False), bad)
    add(0.005, "logging-off", rec(ci, "eks.amazonaws.com", "UpdateClusterConfig", cli.format(cmd="eks.update-cluster-config"),
                                  {"name": CLUSTER, "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": False}]}},
                                  {"update": {"id": F("rid"), "status": "InProgress", "type": "LoggingUpdate"}}, False), bad)
    add(0.01, "sg-open", rec(ci, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", cli.format(cmd="ec2.authorize-security-group-ingress"),
                             {"groupId": "sg-0a7b9c1d2e3f40516", "ipPermissions": {}, "ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                              "cidrIp": "0.0.0.0/0"}, {"requestId": F("rid"), "_return": True}, False), bad)
    add(0.01, "create-key", rec(ci, "iam.amazonaws.com", "CreateAccessKey", cli.format(cmd="iam.create-access-key"),
                                {"userName": "ci-deployer"}, {"accessKey": {"userName": "ci-deployer", "accessKeyId": F("akl"), "status": "Active",
                                                                            "createDate": F("cd")}}, False, host="iam.amazonaws.com"), bad)

    alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    kinds = []
    for name, (weight, variants) in groups.items():
        def render(a, variants=variants):
            fmt, ips = rnd.pick(variants)
            return [fmt(ip=rnd.pick(ips), ct=a["et"], ak=rnd.akid("ASIA"), akl=rnd.akid("AKIA"), tok="%064x" % rnd.getrandbits(256),
                        exp=a["et"], obj="%016x" % rnd.getrandbits(64), sfx=rnd.suffix(6, alpha), cd=a["et"], **a)]
        kinds.append((weight, name, render))
    return kinds


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------
def parse_size(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmMgG]?)[bB]?", text)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r}: use e.g. 500M or 1G")
    return int(float(m.group(1)) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[m.group(2).lower()])


class Sink:
    def __init__(self, path, use_gzip):
        if path == "-":
            self.raw = sys.stdout.buffer
        else:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            self.raw = open(path, "wb")
        self.f = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0, compresslevel=6) if use_gzip else self.raw

    def write(self, b):
        self.f.write(b)

    def close(self):
        if self.f is not self.raw:
            self.f.close()
        if self.raw is not sys.stdout.buffer:
            self.raw.close()
        else:
            self.raw.flush()


# --noisy: people create, list and read objects across namespaces all day (chatty tooling, a team
# debugging in production): the rare kinds become common, so the built-in rules fire tens of
# thousands of times per GiB.
NOISY = {"pod-create": 40, "exec": 60, "secret-or-log": 40, "crb-create": 30, "privileged-pod": 40,
         "human-read": 4, "ci-deploy": 10, "forbidden": 10}


def generate(kind, size, seed, start_us, emit, noisy=False):
    """Calls emit(list_of_lines, [timestamps_us]) in batches; returns (events, bytes, per-kind counts, matches)."""
    rnd = Rand(f"{kind}:{seed}" + (":noisy" if noisy else ""))
    if kind == "audit":
        world = AuditWorld(rnd)
        kinds = build_audit_kinds(world)
        if noisy:
            kinds = [(w * NOISY.get(name, 1), name, fn) for w, name, fn in kinds]
        gap = 40_000          # mean microseconds between events (~25 events/s: a busy 50-node cluster, thinned)
    else:
        kinds = build_cloudtrail_kinds(rnd)
        gap = 120_000
    names = [k[1] for k in kinds]
    fns = [k[2] for k in kinds]
    cum, total = [], 0.0
    for k in kinds:
        total += k[0]
        cum.append(total)
    counts = dict.fromkeys(names, 0)
    clock = Clock(start_us)
    later = []   # heap of (due_us, seq, fmt, fields) for the second stage of long-running requests
    seq = 0

    def schedule(due, fmt, fields):
        nonlocal seq
        seq += 1
        heapq.heappush(later, (due, seq, fmt, fields))

    written = events = 0
    batch, stamps = [], []
    now = start_us
    choices = rnd.r.choices
    idx = list(range(len(kinds)))
    while written < size:
        picks = choices(idx, cum_weights=cum, k=4096)
        for i in picks:
            now += 1 + int(rnd.random() * 2 * gap)
            while later and later[0][0] <= now:
                due, _, fmt, fields = heapq.heappop(later)
                line = fmt(sts=clock.stamp(due), **fields)
                batch.append(line)
                stamps.append(due)
                written += len(line) + 1
                events += 1
            ts = clock.stamp(now)
            if kind == "audit":
                a = {"aid": rnd.uuid(), "rts": ts, "sts": clock.stamp(now + 500 + int(rnd.random() * 30_000)),
                     "_now": now, "_clock": clock, "_later": schedule}
                lines = fns[i](a)
            else:
                a = {"et": ts[:19] + "Z", "rid": rnd.uuid(), "eid": rnd.uuid()}
                lines = fns[i](a)
            counts[names[i]] += 1
            for line in lines:
                batch.append(line)
                stamps.append(now)
                written += len(line) + 1
                events += 1
            if written >= size:
                break
        emit(batch, stamps)
        batch, stamps = [], []
    # close any streams still open (so that every exec has both stages)
    while later:
        due, _, fmt, fields = heapq.heappop(later)
        line = fmt(sts=clock.stamp(due), **fields)
        batch.append(line)
        stamps.append(due)
        written += len(line) + 1
        events += 1
    emit(batch, stamps)
    return events, written, counts


def main():
    ap = argparse.ArgumentParser(description="Generate realistic EKS audit or CloudTrail logs for benchmarks.",
                                 epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=["audit", "cloudtrail"], default="audit")
    ap.add_argument("--size", type=parse_size, default=parse_size("1G"), help="uncompressed bytes to write (default 1G)")
    ap.add_argument("--seed", default="1", help="seed (default 1); same seed, same bytes")
    ap.add_argument("-o", "--output", default="-", help="output file, '-' for stdout (a directory with --format s3)")
    ap.add_argument("--gzip", action="store_true", help="gzip the output (level 6, no name or time in the header)")
    ap.add_argument("--format", choices=["lines", "s3"], default="lines",
                    help="cloudtrail only: one record per line, or S3 delivery objects {\"Records\":[...]}.json.gz")
    ap.add_argument("--start", default="2026-03-14T00:00:00Z", help="time of the first event (UTC)")
    ap.add_argument("--noisy", action="store_true",
                    help="audit only: people touch objects across namespaces all day, so rules fire "
                         "tens of thousands of times per GiB")
    args = ap.parse_args()
    if args.noisy and args.kind != "audit":
        ap.error("--noisy is for --kind audit")
    if args.format == "s3" and args.kind != "cloudtrail":
        ap.error("--format s3 is for --kind cloudtrail")
    if args.format == "s3" and args.output == "-":
        ap.error("--format s3 needs -o DIRECTORY")

    t0 = time.perf_counter()
    if args.format == "lines":
        sink = Sink(args.output, args.gzip)

        def emit(lines, _stamps):
            if lines:
                sink.write(("\n".join(lines) + "\n").encode())
        events, written, counts = generate(args.kind, args.size, args.seed, parse_start(args.start), emit,
                                           args.noisy)
        sink.close()
    else:
        objects = [0]
        pending = {}

        def flush(window):
            lines = pending.pop(window)
            stamp = time.strftime("%Y%m%dT%H%MZ", time.gmtime(window // 1_000_000 + 600))
            day = time.strftime("%Y/%m/%d", time.gmtime(window // 1_000_000))
            uniq = hashlib.sha256(f"{args.seed}:{window}".encode()).hexdigest()[:16]
            d = os.path.join(args.output, "AWSLogs", ACCOUNT, "CloudTrail", REGION, day)
            os.makedirs(d, exist_ok=True)
            body = ('{"Records":[' + ",".join(lines) + "]}").encode()
            with open(os.path.join(d, f"{ACCOUNT}_CloudTrail_{REGION}_{stamp}_{uniq}.json.gz"), "wb") as f:
                f.write(gzip.compress(body, compresslevel=6, mtime=0))
            objects[0] += 1

        def emit(lines, stamps):
            for line, us in zip(lines, stamps):
                w = us - us % 300_000_000
                if w not in pending:
                    for old in [k for k in pending if k < w]:
                        flush(old)
                    pending[w] = []
                pending[w].append(line)
        events, written, counts = generate(args.kind, args.size, args.seed, parse_start(args.start), emit)
        for w in sorted(pending):
            flush(w)
    dt = time.perf_counter() - t0
    rare = ", ".join(f"{k} {v}" for k, v in counts.items() if v and v < events * 0.01)
    print(f"gen-logs: {args.kind}: {events} events, {written} bytes ({written / max(events, 1):.0f} B mean) "
          f"in {dt:.1f} s = {written / 1e6 / dt:.0f} MB/s", file=sys.stderr)
    print(f"gen-logs: rare kinds (requests): {rare}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:   # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
