#!/usr/bin/env python3
"""Stands in for `aws` and `kubectl` when the scenarios test executes containment and eradication
(`eksir respond CASE --phase contain --execute --yes`) so that recovery can be planned from the
journal. Every call is recorded as one JSON line in $FAKE_CLI_LOG; the read-only capture calls are
answered from the scenario's cluster snapshot ($FAKE_CLI_SNAPSHOT, the evidence's snapshot/
folder), as the live cluster and account would have answered at the time of the snapshot; every
change succeeds.

    fake_cli.py aws|kubectl ARGS...
"""
import json
import os
import sys

AWS_GLOBAL = {"--region", "--output", "--endpoint-url", "--profile", "--query", "--color", "--cli-read-timeout",
              "--cli-connect-timeout"}


def snapshot_docs():
    d = os.environ.get("FAKE_CLI_SNAPSHOT", "")
    out = {}
    if not d or not os.path.isdir(d):
        return out
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(d, name)) as f:
                out[name] = json.load(f)
        except (OSError, ValueError):
            continue
    return out


def objects(docs):
    for doc in docs.values():
        if isinstance(doc, dict) and isinstance(doc.get("items"), list):
            for o in doc["items"]:
                if isinstance(o, dict) and "kind" in o:
                    yield o


def positionals(args, with_value):
    out, i = [], 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and "=" not in a and a in with_value:
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        out.append(a)
        i += 1
    return out


def option(args, name):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def aws(args):
    docs = snapshot_docs()
    pos = positionals(args, AWS_GLOBAL | {"--name", "--cluster-name", "--instance-ids", "--user-name", "--role-name",
                                          "--principal-arn", "--policy-name", "--policy-document", "--access-key-id", "--status",
                                          "--group-id", "--groups", "--instance-id", "--description", "--logging",
                                          "--resources-vpc-config", "--trail-name", "--security-group-rule-ids",
                                          "--instance-specification", "--copy-tags-from-source", "--policy-arn"})
    service, op = (pos + ["", ""])[:2]
    if (service, op) == ("eks", "describe-cluster"):
        doc = docs.get("eks-describe-cluster.json")
        if doc is None:
            doc = {"cluster": {"name": option(args, "--name"), "status": "ACTIVE",
                               "resourcesVpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}}}
        print(json.dumps(doc, indent=2))
        return 0
    if (service, op) == ("ec2", "describe-instances"):
        cluster = docs.get("eks-describe-cluster.json", {}).get("cluster", {})
        vpc = cluster.get("resourcesVpcConfig", {})
        groups = [g for g in [vpc.get("clusterSecurityGroupId")] if g] or ["sg-0123456789abcdef0"]
        ids = [a for a in args[args.index("--instance-ids") + 1:] if not a.startswith("-")] if "--instance-ids" in args else []
        print(json.dumps({"Reservations": [{"ReservationId": "r-0" + i[2:].ljust(16, "0")[:16], "Instances": [
            {"InstanceId": i, "VpcId": vpc.get("vpcId", "vpc-0123456789abcdef0"),
             "SecurityGroups": [{"GroupId": g, "GroupName": g} for g in groups]}]} for i in ids]}, indent=2))
        return 0
    if (service, op) == ("sts", "get-caller-identity"):
        arn = docs.get("eks-describe-cluster.json", {}).get("cluster", {}).get("arn", "")
        account = arn.split(":")[4] if arn.count(":") >= 5 else "000000000000"
        print(json.dumps({"UserId": "AIDAEXAMPLE", "Account": account,
                          "Arn": f"arn:aws:iam::{account}:user/scenario-responder"}))
        return 0
    if (service, op) == ("iam", "list-access-keys"):
        print(json.dumps({"AccessKeyMetadata": [], "IsTruncated": False}))
        return 0
    if (service, op) == ("iam", "get-role"):
        name = option(args, "--role-name") or ""
        print(json.dumps({"Role": {"Path": "/", "RoleName": name, "Arn": f"arn:aws:iam::000000000000:role/{name}"}}))
        return 0
    if (service, op) == ("eks", "list-associated-access-policies"):
        print(json.dumps({"clusterName": option(args, "--cluster-name"), "principalArn": option(args, "--principal-arn"),
                          "associatedAccessPolicies": []}))
        return 0
    print("{}")
    return 0


def kubectl(args):
    if args[:1] == ["--context"]:
        args = args[2:]
    docs = snapshot_docs()
    pos = positionals(args, {"--namespace", "-n", "--output", "-o", "--filename", "-f", "--selector", "-l", "--timeout",
                             "--field-manager", "--pod-selector", "--type", "-p", "--patch"})
    verb = pos[0] if pos else ""
    ns = option(args, "--namespace") or option(args, "-n")
    out = option(args, "--output") or option(args, "-o") or ""
    if verb == "config" and pos[1:2] == ["view"]:
        # The kubeconfig aws eks update-kubeconfig writes: context and cluster named by the ARN.
        cluster = docs.get("eks-describe-cluster.json", {}).get("cluster", {})
        arn = cluster.get("arn", "unknown-cluster")
        print(json.dumps({"kind": "Config", "current-context": arn,
                          "clusters": [{"name": arn, "cluster": {"server": cluster.get("endpoint", "")}}],
                          "contexts": [{"name": arn, "context": {"cluster": arn, "user": arn}}]}))
        return 0
    if verb == "get" and len(pos) >= 3:
        kind, name = pos[1].lower(), pos[2]
        for o in objects(docs):
            md = o.get("metadata", {})
            if o["kind"].lower() == kind and md.get("name") == name and (ns is None or md.get("namespace") in (None, ns)):
                if out.startswith("jsonpath="):
                    if out == "jsonpath={.spec.unschedulable}":
                        sys.stdout.write("true" if o.get("spec", {}).get("unschedulable") else "")
                    return 0
                print(json.dumps(o, indent=2))
                return 0
        if out.startswith("jsonpath="):
            return 0
        sys.stderr.write(f'Error from server (NotFound): {kind}s "{name}" not found\n')
        return 1
    print(f"{verb}: done")
    return 0


def main():
    program, args = sys.argv[1], sys.argv[2:]
    stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    log = os.environ.get("FAKE_CLI_LOG")
    if log:
        with open(log, "a") as f:
            f.write(json.dumps({"program": program, "argv": args, "stdin": stdin}) + "\n")
    return aws(args) if program == "aws" else kubectl(args)


if __name__ == "__main__":
    sys.exit(main())
