// The correlation's events: the kept events and the records the scope pulls become facts (a
// sentence, the entities and links they add to the graph); the places findings cite resolve to
// them.
#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "event/native_paths.h"
#include "incident/context.h"
#include "incident/correlation.h"

namespace eksir::incident {
namespace {

std::string sentence_of(const EventSummary& s, Source src) {
  std::string out = s.actor.empty() ? std::string(source_label(src)) : s.actor;
  if (!s.action.empty()) out += " " + s.action;
  if (!s.target.empty()) out += " " + s.target;
  int code = std::atoi(s.outcome.c_str());
  bool ok = s.outcome.empty() || s.outcome == "success" || (code > 0 && code < 400);
  if (!ok) out += " (" + s.outcome + ")";
  if (!s.source_ip.empty()) out += " from " + s.source_ip;
  return out;
}

// Reads back the texts of events kept without them (EventPrework::light), one pass per file:
// each wanted event's copy with its text is appended to store and returned in place of it (the
// event itself when its text could not be read back: the file changed or is gone, counted in
// unread with the reason in why).
std::vector<const Event*> read_back_events(
    const std::vector<std::pair<const Event*, const EventPrework*>>& wanted,
    std::deque<Event>& store, size_t& unread, std::string& why) {
  std::vector<const Event*> out(wanted.size());
  std::map<std::string_view, std::vector<size_t>> by_file;
  for (size_t i = 0; i < wanted.size(); ++i) {
    out[i] = wanted[i].first;
    by_file[wanted[i].first->file].push_back(i);
  }
  for (const auto& [file, items] : by_file) {
    std::vector<sources::Slice> slices;
    slices.reserve(items.size());
    for (size_t i : items) {
      const EventPrework& w = *wanted[i].second;
      slices.push_back({w.offset, w.length, w.checksum});
    }
    std::vector<std::string> texts;
    std::string error = sources::read_back(std::string(file), slices, texts);
    for (size_t k = 0; k < items.size(); ++k) {
      const size_t i = items[k];
      if (!error.empty() || k >= texts.size() || texts[k].empty()) {
        ++unread;
        if (why.empty())
          why = fmt::format("{}: {}", file, error.empty() ? "changed since it was read" : error);
        continue;
      }
      Event e = *wanted[i].first;
      e.raw = std::move(texts[k]);
      store.push_back(std::move(e));
      out[i] = &store.back();
    }
  }
  return out;
}

}  // namespace

EventPrework prework(const EventView& ev) {
  return prework(ev, nullptr);
}

EventPrework prework(const EventView& ev, FacetInterner* who) {
  EventPrework w;
  w.facets = encode_facets(record_facets(ev), who);
  w.event_id = detect::event_id(ev);
  w.pod_binding =
      ev.source == Source::K8sAudit && path_text(ev.doc, "objectRef.subresource") == "binding";
  return w;
}

Event keep_event(const EventView& ev, EventPrework& work) {
  if (ev.offset == kNoOffset || ev.file.empty() || work.pod_binding || ev.rewritten ||
      (ev.source != Source::CloudTrail && ev.source != Source::K8sAudit) ||
      ev.raw.size() > UINT32_MAX)
    return Event::from_view(ev);
  work.offset = ev.offset;
  work.length = static_cast<uint32_t>(ev.raw.size());
  work.checksum = sources::checksum(ev.raw);
  return Event::place_of(ev);
}

bool Correlation::make_facts(const Event& e, EventFacts& f, bool& duplicate, Ahead* ahead) {
  duplicate = false;
  if (ahead && !ahead->parsed) return false;
  simdjson::dom::element doc;
  std::string_view text = e.normalised();
  padded.assign(text);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  if (parser.parse(padded.data(), text.size(), false).get(doc) != simdjson::SUCCESS) return false;
  EventView v{e.source, e.file, e.line, e.record, e.time, e.sample, e.raw, doc};
  std::string event_id = detect::event_id(v);
  if (!event_id.empty()) {
    auto it = by_event_id.find(event_id);
    if (it != by_event_id.end()) {
      duplicate = true;
      f.record = it->second->record;
      return true;
    }
  }
  f.event = &e;
  f.event_id = std::move(event_id);
  f.summary = ahead ? std::move(ahead->summary) : summarize(v);
  f.sentence = sentence_of(f.summary, e.source);
  Evidence ev;
  ev.text = f.sentence;
  ev.source = std::string(source_label(e.source));
  ev.file = e.file;
  ev.line = e.line;
  ev.event_id = f.event_id;
  ev.time = e.time;
  f.entities = add_event(g, v, ev);
  f.pod_binding =
      e.source == Source::K8sAudit && path_text(doc, "objectRef.subresource") == "binding";
  if (e.source == Source::K8sAudit) {
    f.granted_role = role_from_reason(path_text(doc, "annotations.authorization.k8s.io/reason"));
    std::string code = path_text(doc, "responseStatus.code");
    f.failed = !code.empty() && std::atoi(code.c_str()) >= 400;
  } else if (e.source == Source::CloudTrail) {
    f.failed = !path_text(doc, "errorCode").empty();
  }
  if (e.source == Source::GuardDuty) {
    f.detected = parse_time(path_text(doc, native::guardduty::kCreatedAt));
    f.first_seen = parse_time(path_text(doc, native::guardduty::kFirstSeen));
    f.last_seen = parse_time(path_text(doc, native::guardduty::kLastSeen));
  } else if (e.source == Source::Falco || e.source == Source::Ocsf) {
    f.detected = e.time;
  }
  if (f.record < 0) {
    f.record = static_cast<long>(records.size());
    if (ahead)
      records.push_back(ScopeRecord::owning(std::move(ahead->facets), e.time, e.source));
    else
      records.emplace_back(record_facets(v), e.time, e.source);
  }
  return true;
}

const EventPrework* Correlation::work_of(const Event* e) const {
  if (!preworked || e < input.events->data() || e >= input.events->data() + input.events->size())
    return nullptr;
  return &(*input.prework)[static_cast<size_t>(e - input.events->data())];
}

// In evidence order, whatever order the scan's workers delivered them in: of an event exported
// twice, the first copy is the one cited, run after run.
std::vector<const Event*> Correlation::evidence_order() const {
  std::vector<const Event*> order;
  order.reserve(input.events->size());
  for (const Event& e : *input.events) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](const Event* a, const Event* b) {
    if (a->file != b->file) return a->file < b->file;
    if (a->line != b->line) return a->line < b->line;
    return a->record < b->record;
  });
  return order;
}

// A finding cites its first kMaxEvidence events; the events it counts past those, and that place
// no pod, are kept for the scope only: their facets now, the rest of their facts (summary, graph)
// if the scope pulls them. A finding's thousands of ordinary calls cost a record each, not a
// sentence and a place in the graph each.
RecordRefs Correlation::cited_places() const {
  RecordRefs cited;
  if (input.findings)
    for (const auto& f : *input.findings)
      for (const auto& r : f.evidence) cited.insert(RecordRef{r.file, r.line, r.record});
  return cited;
}

// The texts of the events whose facts are made now (cited, pod placements) that were kept
// without them: each replaced in order by its copy with the text.
void Correlation::read_back_cited(std::vector<const Event*>& order,
                                  const std::vector<const EventPrework*>& work,
                                  const RecordRefs& cited) {
  std::vector<std::pair<const Event*, const EventPrework*>> wanted;
  std::vector<size_t> where;
  for (size_t i = 0; i < order.size(); ++i) {
    const Event& e = *order[i];
    if (work[i] && work[i]->light() && e.raw.empty() &&
        (work[i]->pod_binding || cited.count(RecordRef{e.file, e.line, e.record}))) {
      wanted.emplace_back(order[i], work[i]);
      where.push_back(i);
    }
  }
  auto got = read_back_events(wanted, read_events, unread_kept, unread_why);
  for (size_t k = 0; k < where.size(); ++k) order[where[k]] = got[k];
}

// Each event's summary and facets (or, deferred, only its facets and id), on every core.
std::vector<Correlation::Ahead> Correlation::work_ahead(
    const std::vector<const Event*>& order, const std::vector<const EventPrework*>& work,
    const RecordRefs& cited) const {
  std::vector<Ahead> ahead(order.size());
  auto part = [&](size_t from, size_t step) {
    simdjson::dom::parser own;
    std::string buffer;
    for (size_t i = from; i < order.size(); i += step) {
      const Event& e = *order[i];
      const bool is_cited = cited.count(RecordRef{e.file, e.line, e.record}) > 0;
      const EventPrework* pw = work[i];
      if (pw && !is_cited && !pw->pod_binding) {
        ahead[i].parsed = ahead[i].deferred = true;  // its facets and id are read from pw
        continue;
      }
      std::string_view text = e.normalised();
      buffer.assign(text);
      buffer.append(simdjson::SIMDJSON_PADDING, '\0');
      simdjson::dom::element doc;
      if (own.parse(buffer.data(), text.size(), false).get(doc) != simdjson::SUCCESS) continue;
      EventView v{e.source, e.file, e.line, e.record, e.time, e.sample, e.raw, doc};
      ahead[i].parsed = true;
      if (pw) {
        ahead[i].facets = pw->facets;
        ahead[i].summary = summarize(v);
        continue;
      }
      EventPrework own_work = prework(v);
      ahead[i].facets = std::move(own_work.facets);
      if (!is_cited && !own_work.pod_binding) {
        ahead[i].deferred = true;
        ahead[i].event_id = std::move(own_work.event_id);
        continue;
      }
      ahead[i].summary = summarize(v);
    }
  };
  {
    const size_t helpers =
        std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()) - 1, order.size() / 512);
    std::vector<std::jthread> pool;  // joined before ahead is returned
    for (size_t t = 1; t <= helpers; ++t) pool.emplace_back(part, t, helpers + 1);
    part(0, helpers + 1);
  }
  return ahead;
}

// Facts only for the events not deferred (a finding's thousands of matches are not); by views of
// their ids, so reserved. Every event gets a record, in order.
void Correlation::keep_facts(const std::vector<const Event*>& order,
                             const std::vector<const EventPrework*>& work,
                             std::vector<Ahead>& ahead) {
  const size_t made = static_cast<size_t>(
      std::count_if(ahead.begin(), ahead.end(), [](const Ahead& a) { return !a.deferred; }));
  facts.reserve(made);
  by_ref.reserve(made);
  by_event_id.reserve(made);
  std::vector<size_t> fact_of_record;
  for (size_t n = 0; n < order.size(); ++n) {
    const Event& e = *order[n];
    const RecordRef ref{e.file, e.line, e.record};
    if (ahead[n].deferred) {
      deferred.emplace(
          records.size(),
          Deferred{&e, work[n] ? std::string() : std::move(ahead[n].event_id), work[n]});
      // The scan's prework outlives the correlation: its facets are viewed, not copied.
      records.push_back(work[n]
                            ? ScopeRecord(std::string_view(work[n]->facets), e.time, e.source)
                            : ScopeRecord::owning(std::move(ahead[n].facets), e.time, e.source));
      fact_of_record.push_back(SIZE_MAX);  // records and fact_of_record stay aligned
      continue;
    }
    EventFacts f;
    bool duplicate = false;
    if (!make_facts(e, f, duplicate, &ahead[n])) continue;
    if (duplicate) {
      by_ref[ref] = &facts[fact_of_record[static_cast<size_t>(f.record)]];
      continue;
    }
    fact_of_record.push_back(facts.size());
    facts.push_back(std::move(f));
    by_ref[ref] = &facts.back();
    if (!facts.back().event_id.empty()) by_event_id.emplace(facts.back().event_id, &facts.back());
  }
}

void Correlation::read_kept_events() {
  if (!input.events) return;
  std::vector<const Event*> order = evidence_order();
  const RecordRefs cited = cited_places();
  // Each event's prework, by its place in order.
  std::vector<const EventPrework*> work(order.size());
  for (size_t i = 0; i < order.size(); ++i) work[i] = work_of(order[i]);
  read_back_cited(order, work, cited);
  std::vector<Ahead> ahead = work_ahead(order, work, cited);
  keep_facts(order, work, ahead);
}

void Correlation::add_context_records() {
  context_base = records.size();
  if (input.context)
    for (size_t i = 0; i < input.context->size(); ++i) records.emplace_back(*input.context, i);
  for (auto& f : facts) fact_of[static_cast<size_t>(f.record)] = &f;
}

const EventFacts* Correlation::load_context(size_t idx) {
  if (auto it = fact_of.find(idx); it != fact_of.end()) return it->second;
  const Event* kept = nullptr;
  // The rule that matched it, when one did: a kept event's (unknown without the scan's
  // prework), or the rule of a record kept past the events kept whole.
  std::optional<uint32_t> rule;
  if (idx < context_base) {
    auto d = deferred.find(idx);
    if (d == deferred.end()) return nullptr;
    kept = d->second.event;
    rule = d->second.work ? d->second.work->rule : detect::Engine::kNoRule;
    if (kept->raw.empty() && kept->json.empty() && d->second.work && d->second.work->light()) {
      // Not prefetched: read back on its own.
      kept = read_back_events({{kept, d->second.work}}, read_events, unread_kept, unread_why)[0];
      if (kept->raw.empty()) return nullptr;
      d->second.event = kept;
    }
  } else if (!input.context) {
    return nullptr;
  }
  bool ok = true;
  if (!kept) pulled_events.push_back(input.context->load(idx - context_base, ok));
  EventFacts f;
  f.record = static_cast<long>(idx);
  bool duplicate = false;
  if (!ok || !make_facts(kept ? *kept : pulled_events.back(), f, duplicate)) {
    if (!kept) pulled_events.pop_back();
    return nullptr;
  }
  if (duplicate) {
    // The same record exported twice: cite the first copy.
    if (!kept) pulled_events.pop_back();
    auto first = fact_of.find(static_cast<size_t>(f.record));
    const EventFacts* ef = first == fact_of.end() ? nullptr : first->second;
    if (ef) fact_of[idx] = ef;
    return ef;
  }
  f.record = static_cast<long>(idx);
  if (!kept) {
    const auto& r = input.context->at(idx - context_base);
    if (r.rule != detect::Engine::kNoRule) rule = r.rule;
    f.repeats = r.repeats();
    f.repeats_from = r.repeats_first();
    f.repeats_until = r.repeats_last();
    // A repeat with the record's own id is the record exported twice: not another time.
    for (const auto& kept_id : r.repeat_ids())
      if (std::string id = kept_id.str(); !id.empty() && id == f.event_id && f.repeats)
        --f.repeats;
      else
        f.also.push_back(std::move(id));
  }
  if (rule)
    f.matched = input.rules && *rule < input.rules->size() ? (*input.rules)[*rule].title : "";
  pulled_facts.push_back(std::move(f));
  fact_of[idx] = &pulled_facts.back();
  if (!pulled_facts.back().event_id.empty())
    by_event_id.emplace(pulled_facts.back().event_id, &pulled_facts.back());
  return &pulled_facts.back();
}

RecordPlace Correlation::place(size_t i) const {
  if (auto it = fact_of.find(i); it != fact_of.end()) {
    const EventFacts& f = *it->second;
    return {f.event->source, f.event->file, f.event->line, f.event->record, f.event_id};
  }
  if (i < context_base) {
    const Deferred& d = deferred.at(i);
    return {d.event->source, d.event->file, d.event->line, d.event->record, d.event_id()};
  }
  const auto& r = input.context->at(i - context_base);
  return {r.source, input.context->file_of(i - context_base), r.line, r.record, r.event_id.str()};
}

void Correlation::prefetch_context(const std::vector<size_t>& indices) {
  std::vector<size_t> wanted;
  std::vector<std::pair<const Event*, const EventPrework*>> kept_wanted;
  std::vector<Deferred*> kept_where;
  for (size_t i : indices) {
    if (fact_of.count(i)) continue;
    if (i >= context_base) {
      wanted.push_back(i - context_base);
    } else if (auto d = deferred.find(i); d != deferred.end() && d->second.work &&
                                          d->second.work->light() && d->second.event->raw.empty()) {
      kept_wanted.emplace_back(d->second.event, d->second.work);
      kept_where.push_back(&d->second);
    }
  }
  if (input.context) input.context->prefetch(wanted);
  auto got = read_back_events(kept_wanted, read_events, unread_kept, unread_why);
  for (size_t k = 0; k < kept_where.size(); ++k) kept_where[k]->event = got[k];
}

// Findings of the policy's (a CI/CD credential used from elsewhere), over every record. The
// records they cite are read back, so the finding's events resolve like any other's.
void Correlation::add_policy_findings() {
  if (input.findings) all_findings = *input.findings;
  auto policy_findings = cicd_findings(
      records, [this](size_t i) { return place(i); }, *input.policy);
  {
    std::vector<size_t> cited;
    for (const auto& d : policy_findings)
      cited.insert(cited.end(), d.records.begin(), d.records.end());
    prefetch_context(cited);
  }
  for (auto& d : policy_findings) {
    for (size_t i : d.records)
      if (const EventFacts* ef = load_context(i)) {
        // Under the place the finding cites, which may be a second copy of the record.
        if (i >= context_base) {
          const auto& r = input.context->at(i - context_base);
          by_ref[RecordRef{input.context->file_of(i - context_base), r.line, r.record}] = ef;
        } else {
          by_ref[RecordRef{ef->event->file, ef->event->line, ef->event->record}] = ef;
        }
      }
    all_findings.push_back(std::move(d.finding));
  }
}

// Places findings cite that the scan kept as the scope's other records (API calls a rule matched
// past the events investigate keeps whole): read back, so that they resolve too.
void Correlation::resolve_context_hits() {
  if (!input.context) return;
  std::unordered_map<RecordRef, size_t, RecordRefHash> hit_at;
  for (size_t i = 0; i < input.context->size(); ++i)
    if (const auto& r = input.context->at(i); r.rule != UINT32_MAX)
      hit_at.emplace(RecordRef{input.context->file_of(i), r.line, r.record}, context_base + i);
  std::vector<size_t> cited;
  if (!hit_at.empty())
    for (const auto& f : all_findings)
      for (const auto& r : f.evidence)
        if (RecordRef ref{r.file, r.line, r.record}; !by_ref.count(ref))
          if (auto it = hit_at.find(ref); it != hit_at.end()) cited.push_back(it->second);
  std::sort(cited.begin(), cited.end());
  cited.erase(std::unique(cited.begin(), cited.end()), cited.end());
  prefetch_context(cited);
  for (size_t i : cited)
    if (const EventFacts* ef = load_context(i)) {
      // Shown with its finding, like the events kept whole that findings cite.
      const_cast<EventFacts*>(ef)->matched.reset();
      const auto& r = input.context->at(i - context_base);
      by_ref[RecordRef{input.context->file_of(i - context_base), r.line, r.record}] = ef;
    }
}

// Where each pod was scheduled: its binding.
void Correlation::index_bindings() {
  g.index();
  for (const auto& f : facts)
    if (f.pod_binding)
      for (const auto& t : f.entities.targets)
        if (t.rfind("pod:", 0) == 0) binding_by_pod.emplace(t.substr(4), &f);
}

}  // namespace eksir::incident
