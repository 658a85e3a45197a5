// The report's sections, built one after the other (build.cpp): each from the case, into the
// report, reading and leaving in Found what later sections need of earlier ones.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "incident/incident.h"
#include "report/model.h"

namespace eksir::report::sections {

// What every section is built from: the case, and its investigation (an empty one when the case
// has none).
struct CaseData {
  const ReportInput& in;
  const incident::Investigation& inv;
  const incident::Incident& inc;
  bool has_incident = false;
};

// What a section finds for the sections after it.
struct Found {
  std::map<std::string, std::vector<std::string>> by_kind;     // facts: affected names by kind
  const TimelineLine* first_incident = nullptr;                // timeline
  const TimelineLine* last_incident = nullptr;                 // timeline
  const TimelineLine* first_detection = nullptr;               // timeline
  TimeNs first_malicious = kNoTime, last_malicious = kNoTime;  // times
};

// The sections by file; build_report (build.cpp) builds them in its own order.
// section_facts.cpp
void summary_facts(const CaseData& ctx, Report& rep, Found& found);
void notes(const CaseData& ctx, Report& rep, Found& found);
// section_timeline.cpp
void timeline(const CaseData& ctx, Report& rep, Found& found);
void times(const CaseData& ctx, Report& rep, Found& found);
// section_investigation.cpp
void investigation(const CaseData& ctx, Report& rep, Found& found);
// section_response.cpp
void actions(const CaseData& ctx, Report& rep, Found& found);
void metrics(const CaseData& ctx, Report& rep, Found& found);
// section_root_cause.cpp
void impact(const CaseData& ctx, Report& rep, Found& found);
void root_cause(const CaseData& ctx, Report& rep, Found& found);
// section_lessons.cpp
void lessons(const CaseData& ctx, Report& rep, Found& found);
// section_summary.cpp
void executive_summary(const CaseData& ctx, Report& rep, Found& found);
void graph(const CaseData& ctx, Report& rep, Found& found);

// ---- shared by the sections (section_text.cpp)

// Text of the incident as the report shows it: bytes that are not UTF-8 replaced.
std::string t(std::string_view s);
EvidenceRef evidence_ref(const incident::Evidence& e);
// Whole seconds from one time to another as the incident document writes them: null (-1) when
// either is not known.
int64_t seconds_between(TimeNs from, TimeNs to);
bool contains(std::string_view hay, std::string_view needle);
std::string join(const std::vector<std::string>& items, std::string_view sep);
// Up to max names, then "and N more".
std::string list_some(const std::vector<std::string>& items, size_t max = 5);
std::string kind_label(std::string_view kind, size_t n);
std::string qualified(const Affected& a);
// The latest of the report's and the investigation's time: evidence is not dated more than a
// day after both.
TimeNs now(const CaseData& ctx, const Report& rep);

}  // namespace eksir::report::sections
