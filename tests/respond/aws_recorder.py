#!/usr/bin/env python3
"""A local stand-in for the AWS APIs eksir respond calls, for the real aws CLI to talk to.

Records every request (service, API action, parameters) as one JSON line in --log, answers the
way AWS does (IAM, EC2 and STS: query protocol with XML replies; EKS: REST-JSON) and keeps the
account's state in --state (a JSON file, rewritten after every change) so that tests can check
that recovery puts back what containment changed.

    aws_recorder.py --state STATE.json --log REQUESTS.jsonl --port-file PORT
"""
import argparse
import json
import re
import sys
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


class AwsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def indexed(params, prefix):
    """Values of a query-protocol list: Prefix.1, Prefix.2, ..."""
    out, i = [], 1
    while f"{prefix}.{i}" in params:
        out.append(params[f"{prefix}.{i}"])
        i += 1
    return out


class Recorder:
    def __init__(self, state_path, log_path):
        self.state_path, self.log_path = state_path, log_path
        with open(state_path) as f:
            self.state = json.load(f)

    def save(self):
        with open(self.state_path, "w") as f:
            json.dump(self.state, f, indent=1, sort_keys=True)

    def log(self, entry):
        with open(self.log_path, "a") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")

    # ------------------------------------------------------------------ IAM

    def iam(self, action, p):
        keys = self.state.setdefault("access_keys", {})
        roles = self.state.setdefault("roles", {})
        if action == "UpdateAccessKey":
            key = keys.get(p.get("AccessKeyId"))
            if key is None or key["user"] != p.get("UserName"):
                raise AwsError(404, "NoSuchEntity", "The Access Key with id %s cannot be found." % p.get("AccessKeyId"))
            if p.get("Status") not in ("Active", "Inactive"):
                raise AwsError(400, "ValidationError", "bad status")
            key["status"] = p["Status"]
            self.save()
            return ""
        if action == "ListAccessKeys":
            members = "".join(
                f"<member><UserName>{esc(k['user'])}</UserName><AccessKeyId>{esc(kid)}</AccessKeyId>"
                f"<Status>{esc(k['status'])}</Status><CreateDate>2025-01-01T00:00:00Z</CreateDate></member>"
                for kid, k in sorted(keys.items()) if k["user"] == p.get("UserName"))
            return f"<ListAccessKeysResult><AccessKeyMetadata>{members}</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult>"
        if action == "DeleteAccessKey":
            if p.get("AccessKeyId") not in keys:
                raise AwsError(404, "NoSuchEntity", "no such key")
            del keys[p["AccessKeyId"]]
            self.save()
            return ""
        if action in ("PutRolePolicy", "DeleteRolePolicy", "GetRole", "DeleteRole"):
            role = roles.get(p.get("RoleName"))
            if role is None:
                raise AwsError(404, "NoSuchEntity", "The role with name %s cannot be found." % p.get("RoleName"))
            if action == "PutRolePolicy":
                json.loads(p["PolicyDocument"])
                role.setdefault("inline", {})[p["PolicyName"]] = json.loads(p["PolicyDocument"])
                self.save()
                return ""
            if action == "DeleteRolePolicy":
                if p.get("PolicyName") not in role.get("inline", {}):
                    raise AwsError(404, "NoSuchEntity", "no such policy")
                del role["inline"][p["PolicyName"]]
                self.save()
                return ""
            if action == "GetRole":
                name = esc(p["RoleName"])
                return (f"<GetRoleResult><Role><Path>/</Path><RoleName>{name}</RoleName><RoleId>AROAEXAMPLE</RoleId>"
                        f"<Arn>arn:aws:iam::111122223333:role/{name}</Arn><CreateDate>2026-03-14T09:00:00Z</CreateDate>"
                        f"</Role></GetRoleResult>")
            if role.get("inline"):
                raise AwsError(409, "DeleteConflict", "Cannot delete entity, must delete policies first.")
            del roles[p["RoleName"]]
            self.save()
            return ""
        raise AwsError(400, "InvalidAction", "unsupported IAM action " + action)

    # ------------------------------------------------------------------ EC2

    def ec2(self, action, p):
        instances = self.state.setdefault("instances", {})
        rules = self.state.setdefault("sg_rules", {})
        if action == "CreateSnapshots":
            iid = p.get("InstanceSpecification.InstanceId")
            if iid not in instances:
                raise AwsError(400, "InvalidInstanceID.NotFound", "no such instance")
            snaps = self.state.setdefault("snapshots", [])
            snap = "snap-%012x" % (len(snaps) + 1)
            snaps.append({"id": snap, "instance": iid, "description": p.get("Description", "")})
            self.save()
            return f"<snapshotSet><item><snapshotId>{snap}</snapshotId><volumeId>vol-0123456789abcdef0</volumeId><state>pending</state></item></snapshotSet>"
        if action == "DescribeInstances":
            items = ""
            for iid in indexed(p, "InstanceId"):
                inst = instances.get(iid)
                if inst is None:
                    raise AwsError(400, "InvalidInstanceID.NotFound", "no such instance")
                groups = "".join(f"<item><groupId>{esc(g)}</groupId><groupName>{esc(g)}</groupName></item>" for g in inst["groups"])
                items += (f"<item><reservationId>r-0123</reservationId><instancesSet><item><instanceId>{esc(iid)}</instanceId>"
                          f"<vpcId>{esc(inst.get('vpc', 'vpc-1'))}</vpcId><groupSet>{groups}</groupSet></item></instancesSet></item>")
            return f"<reservationSet>{items}</reservationSet>"
        if action == "ModifyInstanceAttribute":
            iid = p.get("InstanceId")
            if iid not in instances:
                raise AwsError(400, "InvalidInstanceID.NotFound", "no such instance")
            groups = indexed(p, "GroupId")
            if not groups:
                raise AwsError(400, "MissingParameter", "no groups")
            instances[iid]["groups"] = groups
            self.save()
            return "<return>true</return>"
        if action == "TerminateInstances":
            for iid in indexed(p, "InstanceId"):
                instances.get(iid, {})["state"] = "terminated"
            self.save()
            return "<instancesSet/>"
        if action == "DescribeSecurityGroupRules":
            items = ""
            for rid in indexed(p, "SecurityGroupRuleId"):
                r = rules.get(rid)
                if r is None:
                    raise AwsError(400, "InvalidSecurityGroupRuleId.NotFound", "no such rule")
                items += (f"<item><securityGroupRuleId>{esc(rid)}</securityGroupRuleId><groupId>{esc(r['group'])}</groupId>"
                          f"<isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>{r['port']}</fromPort>"
                          f"<toPort>{r['port']}</toPort><cidrIpv4>{esc(r['cidr'])}</cidrIpv4></item>")
            return f"<securityGroupRuleSet>{items}</securityGroupRuleSet>"
        if action == "RevokeSecurityGroupIngress":
            ids = indexed(p, "SecurityGroupRuleId")
            for rid in ids:
                if rid not in rules or rules[rid]["group"] != p.get("GroupId"):
                    raise AwsError(400, "InvalidSecurityGroupRuleId.NotFound", "no such rule " + rid)
            for rid in ids:
                del rules[rid]
            self.save()
            return "<return>true</return>"
        raise AwsError(400, "InvalidAction", "unsupported EC2 action " + action)

    # ------------------------------------------------------------------ EKS (REST-JSON)

    def eks(self, method, path, body):
        clusters = self.state.setdefault("clusters", {})
        m = re.fullmatch(r"/clusters/([^/]+)(/.*)?", path)
        if not m:
            raise AwsError(404, "ResourceNotFoundException", "no route " + path)
        name, rest = urllib.parse.unquote(m.group(1)), m.group(2) or ""
        cluster = clusters.get(name)
        if cluster is None:
            raise AwsError(404, "ResourceNotFoundException", "No cluster found for name: " + name)
        if method == "GET" and rest == "":
            return "DescribeCluster", {"cluster": {
                "name": name, "arn": "arn:aws:eks:us-east-1:111122223333:cluster/" + name, "status": "ACTIVE",
                "resourcesVpcConfig": {"endpointPublicAccess": cluster["endpointPublicAccess"],
                                       "endpointPrivateAccess": True,
                                       "publicAccessCidrs": cluster["publicAccessCidrs"],
                                       "clusterSecurityGroupId": cluster.get("clusterSecurityGroupId", "")},
                "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
                                                 "enabled": cluster.get("logging", False)}]}}}
        if method == "POST" and rest == "/update-config":
            update_type = "EndpointAccessUpdate"
            if "resourcesVpcConfig" in body:
                vpc = body["resourcesVpcConfig"]
                if "endpointPublicAccess" in vpc:
                    cluster["endpointPublicAccess"] = vpc["endpointPublicAccess"]
                if "publicAccessCidrs" in vpc:
                    cluster["publicAccessCidrs"] = vpc["publicAccessCidrs"]
            elif "logging" in body:
                update_type = "LoggingUpdate"
                cluster["logging"] = all(x.get("enabled") for x in body["logging"]["clusterLogging"])
            self.save()
            return "UpdateClusterConfig", {"update": {"id": str(uuid.uuid4()), "status": "InProgress",
                                                      "type": update_type, "params": [], "createdAt": 1773478000,
                                                      "errors": []}}
        m2 = re.fullmatch(r"/access-entries/([^/]+)(/access-policies)?", rest)
        if m2:
            arn = urllib.parse.unquote(m2.group(1))
            entries = cluster.setdefault("access_entries", [])
            if arn not in entries:
                raise AwsError(404, "ResourceNotFoundException", "no access entry " + arn)
            if method == "DELETE" and not m2.group(2):
                entries.remove(arn)
                self.save()
                return "DeleteAccessEntry", {}
            if method == "GET" and m2.group(2):
                return "ListAssociatedAccessPolicies", {"clusterName": name, "principalArn": arn,
                                                        "associatedAccessPolicies": []}
        raise AwsError(404, "ResourceNotFoundException", "no route " + method + " " + path)


def make_handler(rec):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
            self.end_headers()
            self.wfile.write(data)

        def service(self):
            auth = self.headers.get("Authorization", "")
            m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
            return m.group(1) if m else ""

        def handle_any(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            service = self.service()
            path = urllib.parse.urlsplit(self.path).path
            if service == "eks":
                body = json.loads(raw) if raw else {}
                try:
                    action, out = rec.eks(method, path, body)
                    rec.log({"service": "eks", "method": method, "path": path, "action": action, "params": body})
                    self.reply(200, json.dumps(out), "application/json")
                except AwsError as e:
                    rec.log({"service": "eks", "method": method, "path": path, "action": "error", "params": body,
                             "error": e.code})
                    self.send_error_json(e)
                return
            params = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
            action = params.pop("Action", "")
            params.pop("Version", None)
            entry = {"service": service, "action": action, "params": params}
            try:
                if service == "iam":
                    result = rec.iam(action, params)
                    ns = IAM_NS
                elif service == "ec2":
                    result = rec.ec2(action, params)
                    ns = EC2_NS
                elif service == "sts" and action == "GetCallerIdentity":
                    with open(rec.state_path) as f:  # a test may change it while this runs
                        account = esc(json.load(f).get("caller_account", "111122223333"))
                    result = (f"<GetCallerIdentityResult><Arn>arn:aws:iam::{account}:user/responder</Arn>"
                              f"<UserId>AIDAEXAMPLE</UserId><Account>{account}</Account></GetCallerIdentityResult>")
                    ns = STS_NS
                else:
                    raise AwsError(400, "InvalidAction", "unsupported " + service + " " + action)
                rec.log(entry)
                if service == "ec2":
                    body = f'<{action}Response xmlns="{ns}"><requestId>1</requestId>{result}</{action}Response>'
                else:
                    body = (f'<{action}Response xmlns="{ns}">{result}'
                            f'<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{action}Response>')
                self.reply(200, body, "text/xml")
            except AwsError as e:
                entry["error"] = e.code
                rec.log(entry)
                if service == "ec2":
                    body = (f"<Response><Errors><Error><Code>{esc(e.code)}</Code><Message>{esc(e.message)}</Message>"
                            f"</Error></Errors><RequestID>1</RequestID></Response>")
                else:
                    body = (f'<ErrorResponse xmlns="{IAM_NS}"><Error><Type>Sender</Type><Code>{esc(e.code)}</Code>'
                            f"<Message>{esc(e.message)}</Message></Error><RequestId>1</RequestId></ErrorResponse>")
                self.reply(e.status, body, "text/xml")

        def send_error_json(self, e):
            data = json.dumps({"message": e.message})
            self.send_response(e.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("x-amzn-ErrorType", e.code)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data.encode())

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

        def do_DELETE(self):
            self.handle_any("DELETE")

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    rec = Recorder(args.state, args.log)
    open(args.log, "a").close()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(rec))
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
