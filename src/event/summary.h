// The one-line gist of an event — who did what to what, and how it ended — used by tables and
// timelines. Per source, from the fields a responder reads first.
#pragma once

#include <string>

#include "event/event.h"

namespace eksir {

struct EventSummary {
  std::string actor;    // IAM principal, Kubernetes user, or the process/user a detector names
  std::string action;   // eks:CreateCluster, create, the finding type or rule
  std::string target;   // the object acted on: cluster, namespace/name, instance
  std::string outcome;  // success / failure (code), HTTP status, severity or priority
  std::string source_ip;
};

EventSummary summarize(const EventView& ev);

}  // namespace eksir
