// The report fixture the browser tests render: the incident document of
// tests/report/fixtures/incident-2026-03-14.json with one executed containment
// step and one root-cause note, and a text written to break out of HTML.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "report/chromium_harness.h"
#include "report/report.h"
#include "test_paths.h"

namespace eksir::test::report_fixture {

inline report::ReportInput fixture_input() {
  report::ReportInput in;
  std::string error;
  EXPECT_TRUE(report::parse_incident(
      chromium::slurp(test::source_dir() + "/tests/report/fixtures/incident-2026-03-14.json"),
      in.incident, error));
  in.info.dir = "cases/INC-20260314-3f9a1c";
  in.info.status = "open";
  store::JournalEntry j;
  j.id = 1;
  j.phase = "contain";
  j.action = "isolate-pod";
  j.target = "kube-system/backup-agent";
  j.argv = {"kubectl", "apply", "-f", "-"};
  j.started = parse_time("2026-03-14T09:47:00Z");
  j.finished = parse_time("2026-03-14T09:47:02Z");
  j.operator_name = "alice";
  j.stdout_text = "networkpolicy.networking.k8s.io/isolate-backup-agent created";
  in.journal.push_back(j);
  store::Note n;
  n.time = parse_time("2026-03-14T10:05:00Z");
  n.author = "carol";
  n.text = "root cause: the key leaked from the old Jenkins host";
  in.notes.push_back(n);
  return in;
}

inline const char* const kHostile =
    "</script><script>document.body.setAttribute('data-pwned','1')</script>"
    "<img src=x onerror=\"document.title='PWNED'\"><img "
    "src=\"https://evil.example/p.png\">"
    "<style>body{display:none}</style><!-- ]]> \"' &amp;";

}  // namespace eksir::test::report_fixture
