#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target, at run time, from the shared samples and rule
sets beside the checkout (../shared) and from the project's own files: nothing licensed is
committed. Standard library only.

    fuzz/seeds.py --shared ../shared --out build-fuzz/seeds

makes OUT/<target>/ for each target (emptied first), one file per seed, named by the SHA-1 of
its content as libFuzzer names corpus files. Inputs longer than the target's max_len (the same
numbers scripts/fuzz.sh passes) are cut down to whole records so they stay valid; a missing
../shared leaves only the project's own seeds.
"""
import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import tomllib

# Keep in step with MAX_LEN in scripts/fuzz.sh.
MAX_LEN = {
    "scan_fuzz": 65536,
    "snapshot_fuzz": 65536,
    "kql_fuzz": 4096,
    "rules_fuzz": 65536,
    "sigma_fuzz": 16384,
    "falco_fuzz": 65536,
    "elastic_fuzz": 16384,
}


def files_under(root, exts=None, skip_dirs=()):
    out = []
    if not os.path.isdir(root):
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs)
        for f in sorted(filenames):
            if exts is None or f.endswith(exts):
                out.append(os.path.join(dirpath, f))
    return out


def read(path):
    with open(path, "rb") as f:
        return f.read()


def shrink_json(data, limit):
    """A JSON document, or JSON lines, cut to at most `limit` bytes of whole records; None when
    that cannot be done."""
    if len(data) <= limit:
        return data
    text = data.decode("utf-8", "replace")
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if doc is not None:
        # The longest list in the document (Records, Events, items, findings...) loses elements
        # until the whole fits.
        def longest_list(node, best):
            if isinstance(node, list) and (best is None or len(node) > len(best)):
                best = node
            children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
            for c in children:
                best = longest_list(c, best)
            return best

        while True:
            out = json.dumps(doc, indent=1).encode()
            if len(out) <= limit:
                return out
            lst = longest_list(doc, None)
            if not lst or len(lst) <= 1:
                out = json.dumps(doc, separators=(",", ":")).encode()
                return out if len(out) <= limit else None
            del lst[(len(lst) + 1) // 2:]
    # JSON lines (or text): whole lines from the start.
    out = bytearray()
    for line in data.splitlines(keepends=True):
        if len(out) + len(line) > limit:
            break
        out += line
    return bytes(out) if out else None


class Corpus:
    def __init__(self, out):
        self.out = out
        self.counts = {}

    def add(self, target, data):
        if data is None or len(data) == 0:
            return
        if len(data) > MAX_LEN[target]:
            data = shrink_json(data, MAX_LEN[target])
            if not data:
                return
        d = os.path.join(self.out, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(d, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.counts[target] = self.counts.get(target, 0) + 1


def unquote_yaml_scalar(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == s[-1] == "'":
        return s[1:-1].replace("''", "'")
    if len(s) >= 2 and s[0] == s[-1] == '"':
        try:
            return json.loads(s)
        except ValueError:
            return s[1:-1]
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    src = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    shared = args.shared
    for t in MAX_LEN:
        shutil.rmtree(os.path.join(args.out, t), ignore_errors=True)
    c = Corpus(args.out)
    own = os.path.join(src, "fuzz", "seeds")

    # Evidence: every public sample (not the licence texts), the example incident's evidence
    # (gzip CloudTrail objects among it), and gzip forms made here.
    samples = files_under(os.path.join(shared, "samples"), skip_dirs=("LICENSES",))
    for p in samples:
        c.add("scan_fuzz", read(p))
    example = os.path.join(src, "examples", "incident-2026-03-14")
    for kind in ("cloudtrail", "falco", "guardduty", "k8s-audit", "ocsf"):
        for p in files_under(os.path.join(example, kind)):
            data = read(p)
            if p.endswith(".gz"):
                c.add("scan_fuzz", data if len(data) <= MAX_LEN["scan_fuzz"] else None)
            else:
                c.add("scan_fuzz", data)
    small = [read(p) for p in samples if p.endswith((".json", ".jsonl")) and os.path.getsize(p) < 8192]
    for data in small[:8]:
        c.add("scan_fuzz", gzip.compress(data, mtime=0))
    if len(small) >= 2:  # two members back to back, as concatenated .gz files are
        c.add("scan_fuzz", gzip.compress(small[0], mtime=0) + gzip.compress(small[1], mtime=0))
    for p in files_under(os.path.join(own, "scan")):
        c.add("scan_fuzz", read(p))
    # Vulnerability reports (Inspector, ECR, Trivy, Grype) and the bad ones beside them.
    for d in ("vulnerability", "vulnerability-bad"):
        for p in files_under(os.path.join(src, "tests", "data", d)):
            if p.endswith((".json", ".jsonl")):
                c.add("scan_fuzz", read(p))

    # Cluster snapshots: the examples' kubectl and aws eks output, and the project's own YAML.
    for p in files_under(os.path.join(example, "snapshot")):
        c.add("snapshot_fuzz", read(p))
    for p in files_under(os.path.join(src, "examples", "scenarios")):
        if os.sep + "snapshot" + os.sep in p and os.path.getsize(p) < 4 * MAX_LEN["snapshot_fuzz"]:
            c.add("snapshot_fuzz", read(p))
    for p in files_under(os.path.join(own, "snapshot")):
        c.add("snapshot_fuzz", read(p))

    # KQL: the built-in rules' conditions and sequence steps, the Elastic rules' kuery queries,
    # the queries the docs show, and the project's own queries covering the grammar.
    builtin = files_under(os.path.join(src, "rules", "builtin"), (".yml", ".yaml"))
    for p in builtin:
        in_steps = False
        for line in read(p).decode("utf-8", "replace").splitlines():
            m = re.match(r"^condition:\s*(.+)$", line)
            if m and m.group(1).strip() not in (">", "|", ">-", "|-"):
                c.add("kql_fuzz", unquote_yaml_scalar(m.group(1)).encode())
            if re.match(r"^\s+steps:\s*$", line):
                in_steps = True
                continue
            if in_steps:
                m = re.match(r"^\s+- (.+)$", line)
                if m:
                    c.add("kql_fuzz", unquote_yaml_scalar(m.group(1)).encode())
                else:
                    in_steps = False
    elastic = files_under(os.path.join(shared, "rules", "elastic"), (".toml",))
    for p in elastic:
        try:
            rule = tomllib.loads(read(p).decode("utf-8", "replace")).get("rule", {})
        except (tomllib.TOMLDecodeError, ValueError):
            continue
        if rule.get("language") == "kuery" and isinstance(rule.get("query"), str):
            c.add("kql_fuzz", rule["query"].strip().encode())
    for p in [os.path.join(src, "README.md")] + files_under(os.path.join(src, "docs"), (".md",)):
        for m in re.finditer(r"eksir hunt '([^'\n]+)'", read(p).decode("utf-8", "replace")):
            c.add("kql_fuzz", m.group(1).encode())
    for p in files_under(os.path.join(own, "kql")):
        for line in read(p).decode().splitlines():
            if line.strip() and not line.startswith("#"):
                c.add("kql_fuzz", line.encode())

    # Rule files: the built-in pack and the test rules (built-in format), Sigma, Falco (alone,
    # and the main file followed by each override file, as one load of several files reads them),
    # Elastic.
    for p in builtin + files_under(os.path.join(src, "tests", "rules", "data"), (".yml", ".yaml")):
        c.add("rules_fuzz", read(p))
    for p in files_under(os.path.join(shared, "rules", "sigma"), (".yml", ".yaml")):
        c.add("sigma_fuzz", read(p))
    falco = files_under(os.path.join(shared, "rules", "falco"), (".yml", ".yaml"))
    for p in falco:
        c.add("falco_fuzz", read(p))
    main_rules = [p for p in falco if p.endswith("k8s_audit_rules.yaml") and "regression" not in p]
    overrides = [p for p in falco if os.sep + "regression" + os.sep + "rules" + os.sep in p]
    for m in main_rules:
        for o in overrides:
            c.add("falco_fuzz", read(m) + b"\n---\n" + read(o))
    for p in elastic:
        c.add("elastic_fuzz", read(p))

    for t in MAX_LEN:
        os.makedirs(os.path.join(args.out, t), exist_ok=True)
    print("seeds: " + ", ".join(f"{t} {c.counts.get(t, 0)}" for t in MAX_LEN))
    if not os.path.isdir(shared):
        print(f"seeds: {shared} not found: only the project's own seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
