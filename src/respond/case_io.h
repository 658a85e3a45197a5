// Opening a case for planning or execution: its store, its latest incident JSON, its journal.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace eksir::respond {

struct LoadedCase {
  std::string dir;
  std::unique_ptr<store::Case> store;  // null when the directory has no case database
  std::string incident_json;
  std::vector<store::JournalEntry> journal;
  std::string error;  // set when there is no incident to work from
};

// create: make the case database when the directory has an incident.json but no database yet.
LoadedCase load_case(const std::string& arg, bool create);

}  // namespace eksir::respond
