// The one severity scale: names, titles, parsing, and the incident's restriction to four levels.
#include <gtest/gtest.h>

#include "incident/incident.h"
#include "util/severity.h"

namespace eksir::util {
namespace {

TEST(Severity, NamesTitlesAndParsingRoundTrip) {
  for (Severity s :
       {Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical}) {
    EXPECT_EQ(parse_severity(severity_name(s)), s);
    EXPECT_EQ(parse_severity(severity_title(s)), s);
  }
  EXPECT_EQ(severity_name(Severity::High), "high");
  EXPECT_EQ(severity_title(Severity::Critical), "Critical");
  EXPECT_EQ(parse_severity("CRITICAL"), Severity::Critical);
  EXPECT_EQ(parse_severity("Informational"), Severity::Info);
  EXPECT_FALSE(parse_severity("severe"));
  EXPECT_FALSE(parse_severity(""));
  EXPECT_FALSE(parse_severity("high "));
  EXPECT_LT(Severity::Info, Severity::Low);
  EXPECT_LT(Severity::High, Severity::Critical);
}

TEST(Severity, AnIncidentLevelIsNeverInfo) {
  EXPECT_EQ(incident::parse_level("high"), Severity::High);
  EXPECT_EQ(incident::parse_level("Low"), Severity::Low);
  EXPECT_FALSE(incident::parse_level("info"));
  EXPECT_FALSE(incident::parse_level("informational"));
  EXPECT_FALSE(incident::parse_level("urgent"));
}

}  // namespace
}  // namespace eksir::util
