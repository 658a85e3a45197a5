#!/usr/bin/env python3
"""Stands in for kubectl in `eksir collect` tests: appends its argv to $KUBECTL_RECORD_LOG (one
JSON array a line) and answers `get` and `logs` from the recorded snapshot in
$KUBECTL_RECORD_SNAPSHOT, the way kubectl prints them. Any other verb is an error."""

import json
import os
import sys

# kubectl resource -> the recorded file holding that kind (kinds without one are empty lists)
FILES = {
    "pods": "pods.json",
    "nodes": "nodes.json",
    "serviceaccounts": "serviceaccounts.json",
    "rolebindings": "rolebindings.json",
    "clusterrolebindings": "clusterrolebindings.json",
    "configmaps": "configmaps-kube-system.json",
    "configmap": "configmaps-kube-system.json",
}


def option(args, *names):
    for i, a in enumerate(args):
        for n in names:
            if a == n and i + 1 < len(args):
                return args[i + 1]
            if a.startswith(n + "="):
                return a[len(n) + 1 :]
    return None


def positionals(args):
    """Words that are neither flags nor flag values."""
    takes_value = {"-n", "--namespace", "-o", "--output", "--context", "--kubeconfig",
                   "--since-time", "--since", "--request-timeout"}
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in takes_value:
            skip = True
        elif not a.startswith("-"):
            out.append(a)
    return out


def main(argv):
    with open(os.environ["KUBECTL_RECORD_LOG"], "a") as log:
        log.write(json.dumps(argv) + "\n")
    snapshot = os.environ["KUBECTL_RECORD_SNAPSHOT"]
    words = positionals(argv)
    verb = words[0] if words else ""
    ns = option(argv, "-n", "--namespace")
    if verb == "get":
        kind, name = words[1], (words[2] if len(words) > 2 else None)
        if option(argv, "-o", "--output") != "json":
            print("recorder: only -o json is recorded", file=sys.stderr)
            return 1
        items = []
        if kind in FILES:
            with open(os.path.join(snapshot, FILES[kind])) as f:
                items = json.load(f)["items"]
        if ns and "--all-namespaces" not in argv:
            items = [i for i in items if i["metadata"].get("namespace") == ns]
        if name is not None:
            match = [i for i in items if i["metadata"]["name"] == name]
            if not match:
                print(f'Error from server (NotFound): {kind} "{name}" not found', file=sys.stderr)
                return 1
            print(json.dumps(match[0], indent=4))
            return 0
        print(json.dumps({"apiVersion": "v1", "items": items, "kind": "List",
                          "metadata": {"resourceVersion": ""}}, indent=4))
        return 0
    if verb == "logs":
        pod = words[1]
        print(f"[pod/{pod}/main] 2026-03-14T08:58:01.000000000Z starting")
        print(f"[pod/{pod}/main] 2026-03-14T08:58:02.500000000Z connected to pool.example:3333")
        return 0
    print(f"recorder: kubectl {verb} is not recorded", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
