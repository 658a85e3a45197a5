#!/usr/bin/env bash
# Writes eksir's man page (roff, section 1) from the built binary's own help: `eksir --help` and
# every command's and sub-command's `--help`, so the page never says other than the program.
# The build runs it (the eksir_manpage target); by hand:
#
#   scripts/manpage.sh build/eksir build/eksir.1 && man -l build/eksir.1
#
# With OUT.gz as well when a third argument `--gzip` is given (gzip -9n: the same bytes every
# build). SOURCE_DATE_EPOCH, when set, dates the page; otherwise it carries no date.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 EKSIR_BINARY OUT.1 [--gzip]" >&2; exit 2; }
bin="$1"
out="$2"
gz="${3:-}"

# The help of `eksir WORDS... --help`, with the program named eksir whatever its path.
help_of() { (exec -a eksir "$bin" "$@" --help); }

# One command's help as roff: its description, usage line, then .TP entries for the positionals
# and options (the sub-commands it lists get sections of their own). Text is made roff-safe:
# backslashes, hyphens (options must stay ASCII when copied), a leading dot or quote.
command_page() {
  help_of "$@" | awk '
    function esc(s) {
      gsub(/\\/, "\\\\e", s)
      gsub(/-/, "\\\\-", s)
      if (s ~ /^[.'\'']/) s = "\\&" s
      return s
    }
    function flush() {
      if (spec != "") {
        print ".TP"
        print "\\fB" esc(spec) "\\fR"
        if (desc != "") print esc(desc)
      }
      spec = ""; desc = ""
    }
    NR == 1 && !/^Usage:/ { print esc($0); next }
    /^Usage: / { sub(/^Usage: /, ""); print ".PP"; print ".nf"; print esc($0); print ".fi"; next }
    /^[A-Za-z][A-Za-z ]*:$/ {
      flush()
      section = $0
      if (section != "Subcommands:") { print ".PP"; print "\\fI" esc(substr(section, 1, length(section) - 1)) "\\fR" }
      next
    }
    /^$/ { flush(); next }
    /^  [^ ]/ {
      flush()
      if (section == "Subcommands:") next
      line = substr($0, 3)
      if (match(line, /  +/)) {
        spec = substr(line, 1, RSTART - 1)
        desc = substr(line, RSTART + RLENGTH)
      } else {
        spec = line
      }
      next
    }
    /^   +[^ ]/ {
      if (section == "Subcommands:") next
      sub(/^ +/, "")
      desc = desc == "" ? $0 : desc " " $0
      next
    }
    { flush(); print ".PP"; print esc($0) }
    END { flush() }
  '
}

# Sub-command names listed in `eksir WORDS... --help`.
subcommands_of() {
  help_of "$@" | awk '/^Subcommands:$/ { in_subs = 1; next } /^$/ { in_subs = 0 }
    in_subs && /^  [^ ]/ { print $1 }'
}

# eksir WORDS...: a section, then each of its sub-commands in turn.
emit() {
  local -a words=("$@")
  printf '.SS "eksir %s"\n' "${words[*]}"
  command_page "${words[@]}"
  local sub
  while IFS= read -r sub; do
    [ -n "$sub" ] && emit "${words[@]}" "$sub"
  done < <(subcommands_of "${words[@]}")
}

version="$("$bin" --version | awk '{ print $NF }')"
date=""
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then date="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)"; fi
tagline="$(help_of | head -n 1 | sed -e 's/^eksir — //' -e 's/\.$//' -e 's/-/\\-/g')"

tmp="$(mktemp "$out.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
{
  printf '.TH EKSIR 1 "%s" "eksir %s" "User Commands"\n' "$date" "$version"
  echo ".SH NAME"
  printf 'eksir \\- %s\n' "$tagline"
  echo ".SH SYNOPSIS"
  echo ".B eksir"
  echo ".I COMMAND"
  echo "[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]"
  echo ".br"
  echo ".B eksir"
  echo "\\-\\-help | \\-\\-version"
  echo ".SH DESCRIPTION"
  cat <<'EOF'
eksir reads the evidence of a suspected Amazon EKS compromise (CloudTrail, Kubernetes audit
logs, GuardDuty findings, Falco and EDR (OCSF) alerts, image vulnerability findings, a cluster
snapshot) and tells the responder what happened, in what order, who and what is affected and
how severe it is, with the evidence for each claim. It plans the containment, eradication and
recovery for the incident (and carries them out only with \-\-execute), keeps everything in a
case, and writes the report. It works offline, on files and folders, plain or gzip.
.PP
The main job:
.PP
.RS
.nf
eksir investigate EVIDENCE... \-\-config eksir.yaml \-o CASE_DIR
.fi
.RE
.PP
Every command prints its own help with \-\-help; the sections below are that help.
EOF
  echo ".SH COMMANDS"
  while IFS= read -r sub; do emit "$sub"; done < <(subcommands_of)
  cat <<'EOF'
.SH ENVIRONMENT
.TP
.B EKSIR_RULES_DIR
The built-in rule pack's folder. Unset, eksir reads the pack installed beside it
(\fI<exe dir>/../share/eksir/rules/builtin\fR).
.TP
.B EKSIR_CASES
Where cases go when investigate is given no \-o (default: ./eksir\-cases).
.TP
.B EKSIR_OPERATOR
Who notes, pins and responds (default: the login name).
.TP
.B EKSIR_AWS, EKSIR_KUBECTL
The aws and kubectl programs that collect and respond run (default: aws and kubectl on PATH).
.TP
.B EKSIR_SCHEMAS_DIR
The Kubernetes schemas plan validates manifests against (as \-\-schemas).
.TP
.B COLUMNS
The width tables are fitted to when standard output is a terminal.
.TP
.B NO_COLOR
No colour in investigate's summary on a terminal.
.SH FILES
.TP
.I <prefix>/share/eksir/rules/builtin/
The built-in rule pack, one YAML rule per file.
.TP
.I <prefix>/share/doc/eksir/
The README and the reference documents (the incident JSON contract, the case store, the rule
format, the configuration file, posture checks, collection, ClickHouse).
.SH EXIT STATUS
0 on success; 1 when a \-\-fail\-on threshold is reached (or, for rules validate|test and collect
\-\-verify, on a failure found); 2 on a usage error, bad input or a file that could not be written.
.SH SEE ALSO
.BR kubectl (1),
.BR aws (1)
EOF
} >"$tmp"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
if [ "$gz" = --gzip ]; then gzip -9n -c "$out" >"$out.gz.tmp" && mv "$out.gz.tmp" "$out.gz"; fi
