// The incident report (the organisation's documentation standard): Markdown, a
// self-contained HTML page with a timeline chart and an entity graph, and JSON.
// Built from what the case holds: the incident document
// (docs/incident-json.md), the analyst's notes, the action journal and the
// investigation runs. The one public header of the report stage.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "incident/incident.h"
#include "store/store.h"

namespace eksir::report {

enum class Format { Markdown, Html, Json };
// "md" / "markdown", "html", "json".
std::optional<Format> parse_format(std::string_view name);
std::string_view format_extension(Format f);  // "md", "html", "json"

struct ReportInput {
  // The latest run's investigation (incident::read_json of its incident document); none when the
  // case has no run or the document has no incident.
  std::optional<incident::Investigation> incident;
  std::vector<store::Note> notes;
  std::vector<store::Pin> pins;              // hunt results the analyst put on the timeline
  std::vector<store::JournalEntry> journal;  // in order of execution
  std::vector<store::RunRecord> runs;        // summaries, oldest first
  store::CaseInfo info;                      // status, closed time
  TimeNs generated = kNoTime;                // when the report is written; kNoTime = now
};

// Reads the incident document (incident::read_json). Returns false (and says why) when text is
// not one; a document without an incident leaves `incident` empty.
bool parse_incident(std::string_view text, std::optional<incident::Investigation>& incident,
                    std::string& error);

// Writes the report. Missing or malformed parts of the input become "not known"
// in the report, never an error.
void write(const ReportInput& input, Format format, std::ostream& out);
// The report written to path, whole or not at all: "" once written, else why not.
std::string write_report_file(const std::string& path, const ReportInput& input, Format format);

// Reads everything the report needs from the case in case_dir. `incident`, when given, is the
// latest run's incident document already read (by a caller that read it while saving it).
std::optional<ReportInput> load_case(
    const std::string& case_dir, std::string& error,
    std::optional<incident::Investigation> incident = std::nullopt);

// Writes CASE_DIR/report.md and CASE_DIR/report.html, each whole or not at
// all. False (and why) on a store or file error; `written`, when given, gets
// the names of those written.
bool write_case_reports(const std::string& case_dir, std::string& error,
                        std::optional<incident::Investigation> incident = std::nullopt,
                        std::vector<std::string>* written = nullptr);

// What `eksir investigate` writes its reports with (app/investigate.cpp), on a thread of its own:
// parses the incident document while the run is saved, then, once it is, write_case_reports.
std::function<bool(const std::string&, const std::string&, std::future<bool>, std::string&,
                   std::vector<std::string>&)>
case_report_writer();

// The incident's indicators as a STIX 2.1 bundle (report/stix.cpp, docs/report.md): the same case
// gives the same bundle.
std::string stix_bundle(const incident::Investigation& inv);
// A value as the inside of a STIX pattern's string literal: ' and \ escaped with \.
std::string stix_quote(std::string_view value);
// "[object_path = 'quoted']", quoted already through stix_quote.
std::string stix_pattern(std::string_view object_path, std::string_view quoted);

}  // namespace eksir::report
