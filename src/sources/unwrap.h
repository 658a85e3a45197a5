// Private to sources/: turns one top-level JSON value of an evidence file into events.
//
// A top-level value is either a bare event (audit Event, CloudTrail record, GuardDuty finding,
// Falco alert, OCSF finding) or a wrapper around events (CloudTrail {"Records":[...]},
// lookup-events {"Events":[{"CloudTrailEvent":"<json string>"}]}, EventBridge envelopes,
// CloudWatch filter-log-events / get-log-events {"events":[{"message":"<json string>"}]},
// subscription DATA_MESSAGE {"logEvents":[...]}, CONTROL_MESSAGE (no events), GuardDuty
// {"Findings":[...]}, Logs Insights get-query-results, a JSON array of records). Wrappers are
// unwrapped recursively; JSON carried as strings is parsed again.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "event/event.h"
#include "sources/sources.h"

namespace eksir::sources::detail {

struct Position {
  std::string_view file;
  uint64_t line = 0;  // line where the top-level value starts
};

// The first 60 bytes of s, quoted, control characters as spaces: for skip messages.
std::string excerpt(std::string_view s);

// Receives each event; the EventView is valid only during the call. file, line, record, source,
// time, sample, raw and doc are filled in by the Unwrapper.
using EmitFn = std::function<void(const EventView&)>;
using SkipFn = std::function<void(Skip&&)>;

// One per worker thread: owns the parsers used for JSON nested in strings and for normalised
// (re-keyed) GuardDuty findings, so their buffers are reused across records.
class Unwrapper {
 public:
  Unwrapper();
  ~Unwrapper();
  Unwrapper(const Unwrapper&) = delete;
  Unwrapper& operator=(const Unwrapper&) = delete;

  // raw: the exact text of the top-level value; doc: its parse (of a copy with wide integers
  // rewritten when `rewritten`). `record` is the file's running record counter, advanced once
  // per event emitted or record skipped. Returns the number of events emitted.
  size_t unwrap(std::string_view raw, simdjson::dom::element doc, const Position& pos,
                uint64_t& record, bool rewritten, const EmitFn& emit, const SkipFn& skip);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace eksir::sources::detail
