#!/usr/bin/env python3
"""A local AWS endpoint for `eksir collect` tests: it answers the read-only calls collect makes
with responses recorded from an incident folder (examples/incident-2026-03-14), in each
service's wire protocol, so the real aws CLI parses them as it would parse AWS.

  fake_aws.py --incident DIR --port-file PATH --log PATH [--vulnerabilities DIR]
              [--fail Operation]...

Routing: JSON 1.1 by X-Amz-Target (CloudTrail, CloudWatch Logs, ECR), query protocol by Action
(STS), REST paths (EKS, GuardDuty, Inspector). Every request is appended to --log as one JSON
line. An operation named with --fail answers 403 AccessDeniedException; Inspector's ListFindings
is routed as InspectorListFindings, apart from GuardDuty's. Image findings come from the samples
in --vulnerabilities (tests/data/vulnerability by default).
"""

import argparse
import datetime
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT = "111122223333"
CALLER_ARN = "arn:aws:iam::111122223333:user/ir-responder"
CALLER_ID = "AIDAEXAMPLERESPONDER1"

# Access policies of the recorded access entries (describe-access-entry is not in the folder).
ACCESS_POLICIES = {
    "arn:aws:iam::111122223333:role/platform-admin": [
        ("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "cluster", [])
    ],
    "arn:aws:iam::111122223333:role/github-actions-deploy": [
        ("arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", "namespace", ["payments"])
    ],
}


def load(path):
    with open(path) as f:
        return json.load(f)


def epoch(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def camel(value):
    """GuardDuty's wire names are the CLI's names with a lower-case first letter."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


class Recorded:
    def __init__(self, incident, vulnerabilities):
        self.inspector = load(os.path.join(vulnerabilities, "inspector2-list-findings.json"))[
            "findings"
        ]
        self.ecr_scan = load(
            os.path.join(vulnerabilities, "ecr-describe-image-scan-findings-basic.json")
        )
        snap = os.path.join(incident, "snapshot")
        self.cluster = load(os.path.join(snap, "eks-describe-cluster.json"))
        self.name = self.cluster["cluster"]["name"]
        self.access_entries = load(os.path.join(snap, "eks-list-access-entries.json"))[
            "accessEntries"
        ]
        nodes = load(os.path.join(snap, "nodes.json"))["items"]
        self.nodegroups = sorted(
            {
                n["metadata"].get("labels", {}).get("eks.amazonaws.com/nodegroup")
                for n in nodes
                if n["metadata"].get("labels", {}).get("eks.amazonaws.com/nodegroup")
            }
        )
        self.events = load(os.path.join(incident, "cloudtrail", "lookup-events.json"))["Events"]
        self.log_events = load(os.path.join(incident, "k8s-audit", "filter-log-events.json"))[
            "events"
        ]
        self.findings = load(os.path.join(incident, "guardduty", "findings.json"))["Findings"]
        self.detectors = sorted({f["Arn"].split("/")[1] for f in self.findings})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    recorded = None
    fail = set()
    log_path = None
    log_lock = threading.Lock()

    def log_message(self, fmt, *args):  # quiet: the request log is the record
        pass

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def send(self, status, body, content_type):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        if status >= 400 and content_type != "text/xml":
            self.send_header("x-amzn-ErrorType", json.loads(body).get("__type", "Error"))
        self.end_headers()
        self.wfile.write(data)

    def error(self, protocol, status, code, message):
        if protocol == "query":
            body = (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                f"<Message>{message}</Message></Error><RequestId>0</RequestId></ErrorResponse>"
            )
            self.send(status, body, "text/xml")
        else:
            ctype = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
            self.send(status, json.dumps({"__type": code, "message": message}), ctype)

    def route(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        target = self.headers.get("X-Amz-Target", "")
        url = urllib.parse.urlparse(self.path)
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        body = {}
        protocol, op = "rest", None
        if target:
            protocol, op = "json", target.rsplit(".", 1)[-1]
            body = json.loads(raw or b"{}")
        elif raw and self.headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            form = urllib.parse.parse_qs(raw.decode())
            protocol, op = "query", form.get("Action", [""])[0]
            body = {k: v[0] for k, v in form.items()}
        else:
            body = json.loads(raw) if raw else {}
            op = self.rest_operation(parts)
        with Handler.log_lock, open(Handler.log_path, "a") as log:
            log.write(
                json.dumps(
                    {"method": self.command, "path": url.path, "operation": op, "body": body}
                )
                + "\n"
            )
        if op in Handler.fail:
            return self.error(protocol, 403, "AccessDeniedException", f"{op} denied by the test")
        handler = getattr(self, "op_" + (op or "unknown"), None)
        if handler is None:
            return self.error(protocol, 400, "UnknownOperationException", f"no route for {op}")
        return handler(parts, body)

    @staticmethod
    def rest_operation(parts):
        if parts[:1] == ["clusters"]:
            tail = parts[2:]
            if not tail:
                return "DescribeCluster"
            if tail == ["node-groups"]:
                return "ListNodegroups"
            if tail[0] == "node-groups" and len(tail) == 2:
                return "DescribeNodegroup"
            if tail == ["access-entries"]:
                return "ListAccessEntries"
            if tail[0] == "access-entries" and len(tail) == 2:
                return "DescribeAccessEntry"
            if tail[0] == "access-entries" and tail[2:] == ["access-policies"]:
                return "ListAssociatedAccessPolicies"
        if parts == ["detector"]:
            return "ListDetectors"
        if parts[:1] == ["detector"] and parts[2:] == ["findings"]:
            return "ListFindings"
        if parts[:1] == ["detector"] and parts[2:] == ["findings", "get"]:
            return "GetFindings"
        if parts == ["findings", "list"]:
            return "InspectorListFindings"
        return None

    # ---------------------------------------------------------------- EKS (REST JSON)

    def eks(self, parts, value):
        if parts[1] != self.recorded.name:
            return self.error("rest", 404, "ResourceNotFoundException", "No cluster found")
        self.send(200, json.dumps(value), "application/json")

    def op_DescribeCluster(self, parts, body):
        self.eks(parts, self.recorded.cluster)

    def op_ListNodegroups(self, parts, body):
        self.eks(parts, {"nodegroups": self.recorded.nodegroups})

    def op_DescribeNodegroup(self, parts, body):
        ng = parts[3]
        if ng not in self.recorded.nodegroups:
            return self.error("rest", 404, "ResourceNotFoundException", "No node group found")
        self.eks(
            parts,
            {
                "nodegroup": {
                    "nodegroupName": ng,
                    "nodegroupArn": f"arn:aws:eks:us-east-1:{ACCOUNT}:nodegroup/{parts[1]}/{ng}/0",
                    "clusterName": parts[1],
                    "version": self.recorded.cluster["cluster"].get("version"),
                    "status": "ACTIVE",
                    "capacityType": "ON_DEMAND",
                    "instanceTypes": ["m6i.xlarge"],
                    "nodeRole": f"arn:aws:iam::{ACCOUNT}:role/{parts[1]}-node-role",
                    "scalingConfig": {"minSize": 3, "maxSize": 6, "desiredSize": 3},
                }
            },
        )

    def op_ListAccessEntries(self, parts, body):
        self.eks(parts, {"accessEntries": self.recorded.access_entries})

    def op_DescribeAccessEntry(self, parts, body):
        arn = parts[3]
        if arn not in self.recorded.access_entries:
            return self.error("rest", 404, "ResourceNotFoundException", "No access entry")
        node = arn.endswith("-node-role")
        entry = {
            "clusterName": parts[1],
            "principalArn": arn,
            "kubernetesGroups": [] if node else ["eksir-test"],
            "type": "EC2_LINUX" if node else "STANDARD",
            "username": arn.rsplit("/", 1)[-1],
        }
        self.eks(parts, {"accessEntry": entry})

    def op_ListAssociatedAccessPolicies(self, parts, body):
        arn = parts[3]
        policies = [
            {"policyArn": p, "accessScope": {"type": scope, "namespaces": ns}}
            for p, scope, ns in ACCESS_POLICIES.get(arn, [])
        ]
        self.eks(
            parts,
            {"clusterName": parts[1], "principalArn": arn, "associatedAccessPolicies": policies},
        )

    # ---------------------------------------------------------------- GuardDuty (REST JSON)

    def op_ListDetectors(self, parts, body):
        self.send(200, json.dumps({"detectorIds": self.recorded.detectors}), "application/json")

    def op_ListFindings(self, parts, body):
        criterion = body.get("findingCriteria", {}).get("criterion", {})
        names = criterion.get("resource.eksClusterDetails.name", {}).get("equals")
        since = criterion.get("updatedAt", {}).get("greaterThanOrEqual")
        ids = []
        for f in self.recorded.findings:
            if parts[1] not in f["Arn"]:
                continue
            if names is not None and f["Resource"].get("EksClusterDetails", {}).get(
                "Name"
            ) not in names:
                continue
            if since is not None and epoch(f["UpdatedAt"]) * 1000 < since:
                continue
            ids.append(f["Id"])
        self.send(200, json.dumps({"findingIds": ids}), "application/json")

    def op_GetFindings(self, parts, body):
        wanted = set(body.get("findingIds", []))
        found = [camel(f) for f in self.recorded.findings if f["Id"] in wanted]
        self.send(200, json.dumps({"findings": found}), "application/json")

    # ---------------------------------------------------------------- Inspector (REST JSON)

    def op_InspectorListFindings(self, parts, body):
        """Filters on the string criteria collect writes (EQUALS only), one finding a page so
        that the CLI follows nextToken."""
        criteria = body.get("filterCriteria", {})

        def image(f):
            return f["resources"][0].get("details", {}).get("awsEcrContainerImage", {})

        fields = {
            "awsAccountId": lambda f: f.get("awsAccountId"),
            "ecrImageRepositoryName": lambda f: image(f).get("repositoryName"),
            "findingType": lambda f: f.get("type"),
            "findingStatus": lambda f: f.get("status"),
            "resourceType": lambda f: f["resources"][0].get("type"),
        }
        for key in criteria:
            if key not in fields:
                return self.error("rest", 400, "ValidationException", f"filter {key} not recorded")
        found = [
            f
            for f in self.recorded.inspector
            if all(
                fields[k](f) in [c["value"] for c in cs if c.get("comparison") == "EQUALS"]
                for k, cs in criteria.items()
            )
        ]
        start = int(body.get("nextToken") or 0)
        page = {"findings": found[start : start + 1]}
        if start + 1 < len(found):
            page["nextToken"] = str(start + 1)
        self.send(200, json.dumps(page), "application/json")

    # ---------------------------------------------------------------- ECR (JSON 1.1)

    def op_DescribeImageScanFindings(self, parts, body):
        scan = self.recorded.ecr_scan
        if body.get("registryId", ACCOUNT) != scan["registryId"] or body.get(
            "repositoryName"
        ) != scan["repositoryName"]:
            return self.error(
                "json", 400, "RepositoryNotFoundException", "The repository does not exist"
            )
        wanted, have = body.get("imageId", {}), scan["imageId"]
        if not any(wanted.get(k) and wanted[k] == have.get(k) for k in ("imageDigest", "imageTag")):
            return self.error("json", 400, "ImageNotFoundException", "The image does not exist")
        self.send(200, json.dumps(scan), "application/x-amz-json-1.1")

    # ---------------------------------------------------------------- CloudTrail, Logs (JSON 1.1)

    def op_LookupEvents(self, parts, body):
        sources = {
            a["AttributeValue"]
            for a in body.get("LookupAttributes", [])
            if a.get("AttributeKey") == "EventSource"
        }
        start, end = body.get("StartTime"), body.get("EndTime")
        events = []
        for e in self.recorded.events:
            t = epoch(e["EventTime"])
            if sources and e["EventSource"] not in sources:
                continue
            if (start is not None and t < start) or (end is not None and t > end):
                continue
            events.append(dict(e, EventTime=t))
        self.send(200, json.dumps({"Events": events}), "application/x-amz-json-1.1")

    def op_FilterLogEvents(self, parts, body):
        if body.get("logGroupName") != f"/aws/eks/{self.recorded.name}/cluster":
            return self.error(
                "json", 400, "ResourceNotFoundException", "The specified log group does not exist."
            )
        prefix = body.get("logStreamNamePrefix", "")
        start, end = body.get("startTime"), body.get("endTime")
        events = [
            e
            for e in self.recorded.log_events
            if e["logStreamName"].startswith(prefix)
            and (start is None or e["timestamp"] >= start)
            and (end is None or e["timestamp"] <= end)
        ]
        streams = sorted({e["logStreamName"] for e in events})
        out = {
            "events": events,
            "searchedLogStreams": [
                {"logStreamName": s, "searchedCompletely": True} for s in streams
            ],
        }
        self.send(200, json.dumps(out), "application/x-amz-json-1.1")

    # ---------------------------------------------------------------- STS (query)

    def op_GetCallerIdentity(self, parts, body):
        xml = (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<GetCallerIdentityResult><Arn>{CALLER_ARN}</Arn><UserId>{CALLER_ID}</UserId>"
            f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>0</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>"
        )
        self.send(200, xml, "text/xml")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--incident", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument(
        "--vulnerabilities",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                             "vulnerability"),
    )
    ap.add_argument("--fail", action="append", default=[])
    args = ap.parse_args()
    Handler.recorded = Recorded(args.incident, args.vulnerabilities)
    Handler.fail = set(args.fail)
    Handler.log_path = args.log
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)  # the test sees the whole port or nothing
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
