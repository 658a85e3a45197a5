// Private to incident/ (and the investigate command): the records the scope may pull in after
// the scan — every record that could be part of an attacker's activity, whether or not a rule
// fired on it. Filled on the scan's workers: each candidate's facets are kept in memory in a
// compact form and its text is written to a temporary file, so memory grows with the number of
// candidates (about a hundred bytes each), not with their size; the text of the few records the
// pivot pulls is read back afterwards.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "event/event.h"
#include "incident/facets.h"

namespace eksir::incident {

class ContextStore {
 public:
  // max_records bounds the index (candidates past it are counted, not kept).
  explicit ContextStore(unsigned workers, size_t max_records = 8'000'000);
  ~ContextStore();
  ContextStore(const ContextStore&) = delete;
  ContextStore& operator=(const ContextStore&) = delete;

  // Keeps ev if it is a scope candidate; call from scan worker `worker` (each worker its own).
  void offer(const EventView& ev, unsigned worker);
  // After the scan, before reading: merges the workers' records in evidence order.
  void seal();

  struct Record {
    Source source{};
    uint32_t worker = 0, file = 0;
    uint64_t line = 0, record = 0;
    TimeNs time = kNoTime;
    uint64_t offset = 0;  // of the text in the worker's spill
    uint32_t length = 0;
    std::string facets;  // encoded RecordFacets
  };
  size_t size() const { return order_.size(); }
  const Record& at(size_t i) const { return *order_[i]; }
  RecordFacets facets(size_t i) const;
  const std::string& file_of(size_t i) const;
  // The record as an owned Event (its text read back); source, file, line and time set.
  // ok is false when the text could not be read back (the spill failed).
  Event load(size_t i, bool& ok) const;

  uint64_t candidates() const { return candidates_; }
  uint64_t dropped() const { return dropped_; }  // past max_records, or the spill failed
  std::string error() const;                     // why the spill failed, if it did

 private:
  struct Worker {
    std::FILE* spill = nullptr;
    uint64_t written = 0;
    std::vector<Record> records;
    std::vector<std::string> files;
    std::string last_file;
    uint32_t last_index = 0;
    uint64_t candidates = 0, dropped = 0;
    std::string memory;  // the text when no temporary file could be made
    std::string error;
  };
  std::vector<Worker> workers_;
  std::vector<const Record*> order_;
  size_t max_per_worker_;
  uint64_t candidates_ = 0, dropped_ = 0;
};

std::string encode_facets(const RecordFacets& f);
RecordFacets decode_facets(std::string_view s);

}  // namespace eksir::incident
