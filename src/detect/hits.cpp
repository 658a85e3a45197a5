// Single-event hits to findings: the workers' groups merged by key, each group's hits in evidence
// order folded into runs no further apart than the dedup window. Groups are independent, so two
// threads share them when there are many hits.
#include <algorithm>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "detect/engine_impl.h"

namespace eksir::detect {
namespace {

struct SourceIdHash {
  size_t operator()(const std::pair<Source, std::string_view>& k) const {
    return std::hash<std::string_view>()(k.second) ^ static_cast<size_t>(k.first);
  }
};

bool hit_before(const Hit* x, const Hit* y) {
  if (x->time != y->time) return x->time < y->time;
  if (x->file != y->file) return x->file < y->file;
  if (x->line != y->line) return x->line < y->line;
  return x->record < y->record;
}

// The findings of one group (one rule, one subject), appended to out.
class GroupFolder {
 public:
  GroupFolder(const std::vector<rules::Rule>& rules, TimeNs window)
      : rules_(rules), window_(window) {}

  void fold(std::vector<const Hit*>& members, std::vector<Finding>& out) {
    std::sort(members.begin(), members.end(), hit_before);
    Finding* open = nullptr;  // the finding the current run of hits adds to
    same_time_.clear();
    for (const Hit* h : members) {
      // Copies of one event (the same audit log twice, an S3 delivery and a lookup-events
      // export) have the same time and subject: they meet here, among the hits of one instant,
      // and count once; the copy's location joins the evidence of the first.
      if (!same_time_.empty() && same_time_.front()->time != h->time) same_time_.clear();
      if (!h->event_id.empty() && is_copy(*h)) {
        if (open->evidence.size() < kMaxEvidence) open->evidence.push_back(h->ref());
        continue;
      }
      same_time_.push_back(h);
      if (open && within(open->last_seen, h->time, window_)) {
        open->count += 1;
        if (h->time != kNoTime && (open->last_seen == kNoTime || h->time > open->last_seen))
          open->last_seen = h->time;
        if (open->evidence.size() < kMaxEvidence) open->evidence.push_back(h->ref());
        continue;
      }
      Finding f = rule_finding(rules_[h->rule]);
      if (!h->description.empty()) f.description = h->description;
      f.first_seen = f.last_seen = h->time;
      f.dedup_key = h->key;
      for (const auto& [name, value] : h->subject)
        if (!value.empty()) f.subject.emplace_back(name, value);
      f.evidence.push_back(h->ref());
      open = &out.emplace_back(std::move(f));
    }
  }

 private:
  bool is_copy(const Hit& h) {
    if (same_time_.size() < kLinear) {
      for (const Hit* o : same_time_)
        if (o->event_id == h.event_id && o->source == h.source) return true;
      return false;
    }
    if (same_time_.size() == kLinear) {  // many hits at one instant (or none timed): a set
      ids_.clear();
      for (const Hit* o : same_time_) ids_.emplace(o->source, o->event_id);
    }
    return !ids_.emplace(h.source, h.event_id).second;
  }

  static constexpr size_t kLinear = 32;
  const std::vector<rules::Rule>& rules_;
  TimeNs window_;
  std::vector<const Hit*> same_time_;
  std::unordered_set<std::pair<Source, std::string_view>, SourceIdHash> ids_;
};

}  // namespace

void findings_from_hits(const std::vector<rules::Rule>& rules, std::vector<WorkerState>& workers,
                        TimeNs window, std::vector<Finding>& out) {
  std::unordered_map<std::string_view, uint32_t> group_of;
  std::vector<std::vector<const Hit*>> groups;
  size_t total = 0;
  for (const auto& w : workers) {
    for (const auto& [key, local] : w.group_of) {
      auto [it, fresh] = group_of.emplace(key, static_cast<uint32_t>(groups.size()));
      if (fresh) groups.emplace_back();
      for (uint32_t i : w.groups[local]) groups[it->second].push_back(&w.hits[i]);
      total += w.groups[local].size();
    }
  }
  // In key order: the order dedupe() would give them.
  std::vector<std::pair<std::string_view, uint32_t>> order(group_of.begin(), group_of.end());
  std::sort(order.begin(), order.end());

  auto fold_range = [&](size_t from, size_t to, std::vector<Finding>& into) {
    GroupFolder folder(rules, window);
    for (size_t g = from; g < to; ++g) folder.fold(groups[order[g].second], into);
  };
  constexpr size_t kParallelFrom = 20000;  // hits; below, a thread costs more than it saves
  if (total < kParallelFrom || order.size() < 2) {
    fold_range(0, order.size(), out);
    return;
  }
  // Two halves by number of hits; the second on a thread of its own.
  size_t split = 0, seen = 0;
  while (split < order.size() && seen < total / 2) seen += groups[order[split++].second].size();
  std::vector<Finding> second;
  std::thread helper([&] { fold_range(split, order.size(), second); });
  fold_range(0, split, out);
  helper.join();
  std::move(second.begin(), second.end(), std::back_inserter(out));
}

}  // namespace eksir::detect
