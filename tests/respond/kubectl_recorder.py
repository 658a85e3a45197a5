#!/usr/bin/env python3
"""Stands in for kubectl in the respond tests: records each invocation (argv and stdin) as one
JSON line in $KUBECTL_RECORDER_LOG and keeps a small cluster state in $KUBECTL_RECORDER_STATE
(cordoned nodes, network policies, service accounts, pod labels, and the kubeconfig:
{"current-context": NAME, "contexts": {NAME: CLUSTER}, "servers": {CLUSTER: URL}}). A verb named
in $KUBECTL_RECORDER_FAIL exits 1 like a refused request."""
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
    # kubectl's own reading: options anywhere before "--" (--flag=value or --flag value), the
    # verb and kind as the first words, object names after "--" (or after the kind).
    takes_value = {"--context", "--namespace", "-n", "--output", "-o", "--filename", "-f",
                   "--timeout", "--pod-selector", "--field-manager"}
    head, tail = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    options, words, i = {}, [], 0
    while i < len(head):
        a = head[i]
        if a.startswith("-"):
            name, eq, value = a.partition("=")
            if not eq and name in takes_value and i + 1 < len(head):
                value = head[i + 1]
                i += 1
            options[name] = value
        else:
            words.append(a)
        i += 1
    verb = words[0] if words else ""
    if verb and verb == os.environ.get("KUBECTL_RECORDER_FAIL"):
        sys.stderr.write(f'Error from server (Forbidden): {verb} refused by the recorder\n')
        return 1
    ns = options.get("--namespace") or options.get("-n")
    args = words + tail
    rest = args[1:]
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
            if (options.get("--output") or "").startswith("jsonpath="):
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
    if verb == "label":
        state.setdefault("labels", {})
        changes = [a for a in rest[1:] if "=" in a or a.endswith("-")]
        for pod in [a for a in rest[1:] if a not in changes]:
            labels = state["labels"].setdefault(f"{ns}/{pod}", {})
            for c in changes:
                if c.endswith("-"):
                    labels.pop(c[:-1], None)
                else:
                    k, _, v = c.partition("=")
                    labels[k] = v
            if not labels:
                del state["labels"][f"{ns}/{pod}"]
        save()
        print("pod labeled")
        return 0
    if verb == "config" and rest[:1] == ["view"]:
        kubeconfig = state.get("kubeconfig", {})
        name = options.get("--context") or kubeconfig.get("current-context")
        contexts = kubeconfig.get("contexts", {})
        if not name or name not in contexts:
            sys.stderr.write("error: current-context must exist in order to minify\n")
            return 1
        cluster = contexts[name]
        print(json.dumps({"kind": "Config", "apiVersion": "v1", "preferences": {},
                          "clusters": [{"name": cluster, "cluster": {
                              "server": kubeconfig.get("servers", {}).get(cluster, "https://127.0.0.1:6443"),
                              "certificate-authority-data": "DATA+OMITTED"}}],
                          "users": [{"name": name, "user": {"token": "REDACTED"}}],
                          "contexts": [{"name": name, "context": {"cluster": cluster, "user": name}}],
                          "current-context": name}, indent=4))
        return 0
    if verb in ("logs", "rollout"):
        print(f"{verb}: recorded")
        return 0
    sys.stderr.write(f"kubectl recorder: unsupported verb {verb}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
