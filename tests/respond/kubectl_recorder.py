#!/usr/bin/env python3
"""Stands in for kubectl in the respond tests: records each invocation (argv and stdin) as one
JSON line in $KUBECTL_RECORDER_LOG and keeps a small cluster state in $KUBECTL_RECORDER_STATE
(cordoned nodes, network policies, service accounts, namespace labels). A verb named in
$KUBECTL_RECORDER_FAIL exits 1 like a refused request."""
import json
import os
import re
import sys


def main():
    argv = sys.argv[1:]
    stdin = "" if sys.stdin.isatty() else sys.stdin.read()
    with open(os.environ["KUBECTL_RECORDER_LOG"], "a") as f:
        f.write(json.dumps({"argv": argv, "stdin": stdin}) + "\n")
    state_path = os.environ["KUBECTL_RECORDER_STATE"]
    with open(state_path) as f:
        state = json.load(f)
    args = list(argv)
    if args[:1] == ["--context"]:
        args = args[2:]
    verb = args[0] if args else ""
    if verb and verb == os.environ.get("KUBECTL_RECORDER_FAIL"):
        sys.stderr.write(f'Error from server (Forbidden): {verb} refused by the recorder\n')
        return 1
    ns = None
    if "--namespace" in args:
        i = args.index("--namespace")
        ns = args[i + 1]
        del args[i:i + 2]
    rest = [a for a in args[1:] if not a.startswith("-")]
    nodes = state.setdefault("nodes", {})
    netpols = state.setdefault("networkpolicies", {})
    sas = state.setdefault("serviceaccounts", {})

    def save():
        with open(state_path, "w") as f:
            json.dump(state, f, indent=1, sort_keys=True)

    if verb in ("cordon", "uncordon"):
        node = rest[0]
        if node not in nodes:
            sys.stderr.write(f'Error from server (NotFound): nodes "{node}" not found\n')
            return 1
        nodes[node]["unschedulable"] = verb == "cordon"
        save()
        print(f"node/{node} {verb}ed")
        return 0
    if verb == "drain":
        print(f"node/{rest[0]} drained")
        return 0
    if verb == "apply":
        kind = re.search(r"^kind: (\S+)$", stdin, re.M)
        name = re.search(r"^  name: (\S+)$", stdin, re.M)
        namespace = re.search(r"^  namespace: (\S+)$", stdin, re.M)
        if not kind or not name:
            sys.stderr.write("error: no objects passed to apply\n")
            return 1
        key = (namespace.group(1) + "/" if namespace else "") + name.group(1)
        if kind.group(1) == "NetworkPolicy":
            netpols[key] = stdin
        elif kind.group(1) == "ServiceAccount":
            sas[key] = {"recreated": True}
        else:
            state.setdefault("applied", {})[kind.group(1) + "/" + key] = stdin
        save()
        print(f"{kind.group(1).lower()}/{name.group(1)} configured")
        return 0
    if verb == "delete":
        kind, name = rest[0], rest[1]
        table = {"networkpolicy": netpols, "serviceaccount": sas}.get(kind)
        if table is not None:
            table.pop(f"{ns}/{name}", None)
            save()
        print(f'{kind} "{name}" deleted')
        return 0
    if verb == "get":
        kind = rest[0]
        if kind == "node" and len(rest) > 1:
            node = nodes.get(rest[1])
            if node is None:
                sys.stderr.write(f'Error from server (NotFound): nodes "{rest[1]}" not found\n')
                return 1
            if any(a.startswith("jsonpath=") for a in args):
                sys.stdout.write("true" if node.get("unschedulable") else "")
            else:
                print(json.dumps({"kind": "Node", "metadata": {"name": rest[1]}}))
            return 0
        if kind == "serviceaccount":
            key = f"{ns}/{rest[1]}"
            if key not in sas:
                sys.stderr.write(f'Error from server (NotFound): serviceaccounts "{rest[1]}" not found\n')
                return 1
            print(json.dumps({"apiVersion": "v1", "kind": "ServiceAccount",
                              "metadata": {"name": rest[1], "namespace": ns}}))
            return 0
        print(f"kind: {kind}")
        return 0
    if verb in ("logs", "rollout", "label"):
        print(f"{verb}: recorded")
        return 0
    sys.stderr.write(f"kubectl recorder: unsupported verb {verb}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
