#!/usr/bin/env python3
"""Writes a `kubectl get pods -A -o json` List of N realistic pods, built from the example
snapshot's pods with fresh names, namespaces, nodes and uids. Deterministic for a seed.

    bench/gen-snapshot.py --pods 20000 -o bench/data/pods-20000.json
"""
import argparse
import copy
import json
import os
import random
import uuid

here = os.path.dirname(os.path.abspath(__file__))
source = os.path.join(here, "..", "examples", "incident-2026-03-14", "snapshot", "pods.json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with open(source) as f:
        templates = json.load(f)["items"]
    namespaces = [f"team-{i:03d}" for i in range(200)] + ["kube-system", "payments", "cert-manager"]
    nodes = [f"ip-10-42-{i // 250}-{i % 250}.ec2.internal" for i in range(400)]
    items = []
    for i in range(args.pods):
        pod = copy.deepcopy(templates[i % len(templates)])
        meta = pod["metadata"]
        suffix = "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
        meta["name"] = f"{meta['name'].rsplit('-', 1)[0]}-{i:05d}-{suffix}"
        if meta.get("namespace") != "kube-system":
            meta["namespace"] = rng.choice(namespaces)
        meta["uid"] = str(uuid.UUID(int=rng.getrandbits(128)))
        pod.setdefault("spec", {})["nodeName"] = rng.choice(nodes)
        items.append(pod)
    with open(args.output, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}, f)


if __name__ == "__main__":
    main()
