#!/usr/bin/env python3
"""Baseline for bench/compare.sh: count the JSON lines of FILE whose fields equal the given values.

    python3 bench/baseline.py FILE [FIELD=VALUE ...]
    python3 bench/baseline.py audit.jsonl verb=create objectRef.resource=pods objectRef.subresource=exec

What a careful script does with the standard library: read line by line (gzip if the file starts
with the gzip magic), json.loads every line, walk each dotted FIELD, compare. VALUE is read as a
JSON literal when it is one (403, true, null), otherwise as a string, the same rule compare.sh
uses to build the jq filter. Prints the number of matching lines.
"""

import gzip
import json
import sys


def parse_value(text):
    try:
        v = json.loads(text)
    except ValueError:
        return text
    return v if isinstance(v, (int, float, bool)) or v is None else text


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[1]
    conds = []
    for arg in argv[2:]:
        field, sep, value = arg.partition("=")
        if not sep or not field:
            print(f"baseline: bad condition {arg!r}: use FIELD=VALUE", file=sys.stderr)
            return 2
        conds.append((field.split("."), parse_value(value)))
    with open(path, "rb") as probe:
        is_gzip = probe.read(2) == b"\x1f\x8b"
    f = gzip.open(path, "rb") if is_gzip else open(path, "rb", buffering=1 << 20)
    loads = json.loads
    count = 0
    with f:
        for line in f:
            if not line.strip():
                continue
            obj = loads(line)
            for path_parts, want in conds:
                v = obj
                for key in path_parts:
                    if not isinstance(v, dict):
                        v = None
                        break
                    v = v.get(key)
                # == as jq compares: 1 == 1.0, but true is not 1
                if v != want or isinstance(v, bool) != isinstance(want, bool):
                    break
            else:
                count += 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
