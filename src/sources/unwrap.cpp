#include "sources/unwrap.h"

#include <fmt/format.h>

#include <iterator>
#include <memory>
#include <vector>

#include "sources/unwrap_guardduty.h"
#include "sources/unwrap_raw.h"
#include "sources/unwrap_shape.h"
#include "sources/unwrap_vulnerability.h"
#include "sources/wide_numbers.h"

// Shape decisions beyond the obvious ones:
// - OCSF: any record with a numeric class_uid and a metadata object is emitted as Source::Ocsf,
//   whatever its class (2004 Detection Finding, 2001 Security Finding, 6003 API Activity, ...):
//   dropping real OCSF because of its class would lose evidence silently. Consumers filter on
//   class_uid.
// - Security Hub ASFF: findings whose ProductArn is GuardDuty's become Source::GuardDuty, their
//   doc rebuilt in the GuardDuty shape (see unwrap_guardduty.h); ASFF from other products is
//   reported as "unrecognised format" naming the product.
// - A CloudTrail record must carry eventTime, eventVersion or eventID besides eventSource and
//   eventName, and an audit Event an auditID or a user: documentation snippets with only a few
//   fields are reported, not passed off as events.
// - Vulnerability findings (unwrap_vulnerability.h): one event per image, vulnerability and
//   package, raw the record as written, doc rebuilt in one shape. Findings about other things
//   (EC2 instances, Lambda functions, network paths) are passed over as "not an image
//   vulnerability", counted apart from skips like a cluster snapshot.

namespace eksir::sources::detail {

namespace dom = simdjson::dom;
using simdjson::dom::element_type;

namespace {

constexpr unsigned kMaxDepth = 16;       // wrappers within wrappers
constexpr unsigned kMaxStringDepth = 4;  // JSON inside a string inside JSON inside a string...
constexpr size_t kShownKeys = 8;

const char* type_name(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "JSON array";
    case element_type::OBJECT:
      return "JSON object";
    case element_type::STRING:
      return "JSON string";
    case element_type::BOOL:
      return "JSON boolean";
    case element_type::NULL_VALUE:
      return "JSON null";
    default:
      return "JSON number";
  }
}

// "JSON object with keys: a, b, c", with a hint when it nearly is an event.
std::string describe(dom::element e, const Fields* f) {
  dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return type_name(e.type());
  if (obj.size() == 0) return "empty JSON object";
  std::string out = "JSON object with keys: ";
  size_t n = 0;
  for (dom::key_value_pair kv : obj) {
    if (n == kShownKeys) {
      fmt::format_to(std::back_inserter(out), ", ... ({} keys)", obj.size());
      break;
    }
    if (n++) out += ", ";
    out += kv.key;
  }
  if (f == nullptr) return out;
  if (f->str(kKind) == "Event" || f->has(kRequestUri))
    out +=
        " (like a Kubernetes audit Event, but without auditID, user or an audit.k8s.io apiVersion)";
  else if (f->has(kEventSource) && f->has(kEventName))
    out += " (like a CloudTrail record, but without eventTime, eventVersion or eventID)";
  return out;
}

}  // namespace

struct Unwrapper::Impl {
  struct Level {
    dom::parser parser;
    std::string buf;
  };
  std::vector<std::unique_ptr<Level>> levels;  // one per depth of JSON-in-a-string
  dom::parser norm_parser;  // for re-keyed GuardDuty findings and rebuilt vulnerabilities
  std::string norm_buf, norm_scratch;
  std::string path;  // where in the top-level value we are, for skip messages
  // The same by keys and indexes alone (detail, not `detail of "GuardDuty Finding"`): where the
  // vulnerability readers say their records are.
  std::string json_path;

  const Position* pos = nullptr;
  uint64_t* record = nullptr;
  const EmitFn* emit = nullptr;
  const SkipFn* skip = nullptr;
  bool rewritten = false;  // the text being unwrapped had integers wider than 64 bits rewritten

  size_t value(std::string_view raw, dom::element el, unsigned depth, unsigned sdepth);
  size_t object(std::string_view raw, dom::element el, unsigned depth, unsigned sdepth);
  size_t array(std::string_view raw, dom::array arr, std::string_view label, std::string_view key,
               unsigned depth, unsigned sdepth);
  size_t member(std::string_view raw, const Fields& f, Key k, std::string_view label,
                unsigned depth, unsigned sdepth);
  size_t nested(std::string_view text, std::string_view label, unsigned depth, unsigned sdepth);
  size_t results(dom::array rows, unsigned depth, unsigned sdepth);
  size_t guardduty(std::string_view raw, dom::element el, const Fields& f);
  size_t asff(std::string_view raw, dom::element el);

  bool parse_normalised(size_t len, dom::element& doc);
  size_t emit_event(Source s, std::string_view raw, dom::element doc, TimeNs t, bool sample);
  void report(std::string_view reason, std::string_view what);
  void report_at(std::string_view where, std::string_view reason, std::string_view what);

  // The vulnerability readers' events and passed-over records, into this unwrapper's.
  struct Vulnerabilities final : VulnerabilityOut {
    Impl& impl;
    size_t emitted = 0;
    explicit Vulnerabilities(Impl& i) : impl(i) {}
    void vulnerability(std::string_view raw, std::string_view json, TimeNs time) override {
      impl.norm_buf.assign(json);
      dom::element doc;
      if (impl.parse_normalised(json.size(), doc))
        emitted += impl.emit_event(Source::Vulnerability, raw, doc, time, false);
    }
    void pass_over(std::string_view where, std::string_view reason,
                   std::string_view what) override {
      impl.report_at(where, reason, what);
    }
  };
  struct Mark {
    size_t path = 0, json = 0;
  };
  Mark push_path(std::string_view label, std::string_view key);
  void pop_path(Mark m) {
    path.resize(m.path);
    json_path.resize(m.json);
  }

  Level& level(unsigned d) {
    while (levels.size() <= d) levels.push_back(std::make_unique<Level>());
    return *levels[d];
  }
};

std::string excerpt(std::string_view s) {
  constexpr size_t kMax = 60;
  std::string out;
  for (char c : s.substr(0, kMax)) out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  if (s.size() > kMax) out += "...";
  return "\"" + out + "\"";
}

Unwrapper::Unwrapper() : impl_(new Impl) {}
Unwrapper::~Unwrapper() {
  delete impl_;
}

size_t Unwrapper::unwrap(std::string_view raw, dom::element doc, const Position& pos,
                         uint64_t& record, bool rewritten, const EmitFn& emit, const SkipFn& skip) {
  impl_->rewritten = rewritten;
  impl_->pos = &pos;
  impl_->record = &record;
  impl_->emit = &emit;
  impl_->skip = &skip;
  impl_->path.clear();
  impl_->json_path.clear();
  return impl_->value(trim_json(raw), doc, 0, 0);
}

size_t Unwrapper::Impl::value(std::string_view raw, dom::element el, unsigned depth,
                              unsigned sdepth) {
  if (depth > kMaxDepth) {
    report("unrecognised format", "wrappers nested too deeply");
    return 0;
  }
  switch (el.type()) {
    case element_type::OBJECT:
      return object(raw, el, depth, sdepth);
    case element_type::ARRAY:
      return array(raw, el.get_array().value_unsafe(), {}, {}, depth, sdepth);
    default:
      report("unrecognised format", describe(el, nullptr));
      return 0;
  }
}

// Kubernetes objects and Lists (kubectl get -o json) and EKS API descriptions belong to a cluster
// snapshot: they are reported as such, not as unrecognised evidence.
std::optional<std::string> snapshot_kind(dom::element el) {
  dom::object o;
  if (el.get_object().get(o)) return std::nullopt;
  std::string_view api, kind;
  if (!o["apiVersion"].get_string().get(api) && !o["kind"].get_string().get(kind) &&
      (o["items"].is_array() || o["metadata"].is_object()))
    return fmt::format("Kubernetes {} ({})", kind, api);
  for (std::string_view key : {"cluster", "nodegroup", "accessEntry", "accessEntries", "clusters",
                               "nodegroups", "associatedAccessPolicies", "addon", "addons"})
    if (!o[key].error()) return fmt::format("EKS API output ({})", key);
  return std::nullopt;
}

size_t Unwrapper::Impl::object(std::string_view raw, dom::element el, unsigned depth,
                               unsigned sdepth) {
  Fields f;
  scan_fields(el.get_object().value_unsafe(), f);
  Shape shape = classify(f);
  switch (shape) {
    case Shape::K8sAudit:
      return emit_event(Source::K8sAudit, raw, el, event_time(shape, f), false);
    case Shape::CloudTrail:
      return emit_event(Source::CloudTrail, raw, el, event_time(shape, f), false);
    case Shape::Falco:
      return emit_event(Source::Falco, raw, el, event_time(shape, f), false);
    case Shape::Ocsf:
      return emit_event(Source::Ocsf, raw, el, event_time(shape, f), false);
    case Shape::GuardDuty:
      return guardduty(raw, el, f);
    case Shape::Asff:
      return asff(raw, el);
    case Shape::Inspector:
    case Shape::EcrScanFindings:
    case Shape::Trivy:
    case Shape::Grype: {
      Vulnerabilities out(*this);
      std::string where = json_path;  // the readers name places below it
      if (shape == Shape::Inspector) read_inspector_finding(raw, el, where, out);
      if (shape == Shape::EcrScanFindings) read_ecr_scan_findings(raw, el, where, out);
      if (shape == Shape::Trivy) read_trivy_report(raw, el, where, out);
      if (shape == Shape::Grype) read_grype_report(raw, el, where, out);
      return out.emitted;
    }
    case Shape::FalcoInternal:
    case Shape::ControlMessage:
      return 0;
    case Shape::LookupEvent:
      return nested(f.str(kCloudTrailEvent), f.name[kCloudTrailEvent], depth, sdepth);
    case Shape::LogEvent:
      return nested(f.str(kMessage), f.name[kMessage], depth, sdepth);
    case Shape::EventBridge: {
      std::string label =
          fmt::format("{} of {}", f.name[kDetail], simdjson::minify(f[kDetailType]));
      return member(raw, f, kDetail, label, depth, sdepth);
    }
    case Shape::Records:
      return member(raw, f, kRecords, f.name[kRecords], depth, sdepth);
    case Shape::Events:
      return member(raw, f, kEvents, f.name[kEvents], depth, sdepth);
    case Shape::LogEvents:
      return member(raw, f, kLogEvents, f.name[kLogEvents], depth, sdepth);
    case Shape::Findings:
      return member(raw, f, kFindings, f.name[kFindings], depth, sdepth);
    case Shape::AuditEventList:
      return member(raw, f, kItems, f.name[kItems], depth, sdepth);
    case Shape::Results:
      return results(f[kResults].get_array().value_unsafe(), depth, sdepth);
    case Shape::Unknown:
      break;
  }
  if (auto what = snapshot_kind(el)) {
    report("cluster snapshot", *what + ": an object of the cluster's state, not an event");
    return 0;
  }
  report("unrecognised format", describe(el, &f));
  return 0;
}

// The member's exact text when it can be found, else a re-serialisation of it.
size_t Unwrapper::Impl::member(std::string_view raw, const Fields& f, Key k, std::string_view label,
                               unsigned depth, unsigned sdepth) {
  std::string_view text = raw_member(raw, f.name[k]);
  std::string fallback;
  if (text.empty()) {
    fallback = simdjson::minify(f[k]);
    text = fallback;
  }
  if (f[k].type() == element_type::ARRAY)
    return array(text, f[k].get_array().value_unsafe(), label, f.name[k], depth, sdepth);
  Mark mark = push_path(label, f.name[k]);
  size_t n = value(text, f[k], depth + 1, sdepth);
  pop_path(mark);
  return n;
}

size_t Unwrapper::Impl::array(std::string_view raw, dom::array arr, std::string_view label,
                              std::string_view key, unsigned depth, unsigned sdepth) {
  RawArray texts(raw);
  size_t n = 0, i = 0;
  for (dom::element e : arr) {
    std::string_view text = texts.next();
    std::string fallback;
    if (text.empty()) {
      fallback = simdjson::minify(e);
      text = fallback;
    }
    Mark mark = push_path(label, key);
    fmt::format_to(std::back_inserter(path), "[{}]", i);
    fmt::format_to(std::back_inserter(json_path), "[{}]", i++);
    n += value(text, e, depth + 1, sdepth);
    pop_path(mark);
  }
  return n;
}

// Logs Insights get-query-results: each row is [{"field":..,"value":..},...]; the event is the
// @message value.
size_t Unwrapper::Impl::results(dom::array rows, unsigned depth, unsigned sdepth) {
  size_t n = 0, i = 0;
  for (dom::element row : rows) {
    Mark mark = push_path("results", "results");
    fmt::format_to(std::back_inserter(path), "[{}]", i);
    fmt::format_to(std::back_inserter(json_path), "[{}]", i++);
    std::string_view message;
    bool found = false;
    dom::array cells;
    if (row.get_array().get(cells) == simdjson::SUCCESS) {
      for (dom::element cell : cells) {
        std::string_view field;
        if (cell["field"].get_string().get(field) == simdjson::SUCCESS && field == "@message") {
          found = cell["value"].get_string().get(message) == simdjson::SUCCESS;
          break;
        }
      }
    }
    if (found) {
      n += nested(message, "@message", depth + 1, sdepth);
    } else {
      report("unrecognised format", "Logs Insights row without an @message string");
    }
    pop_path(mark);
  }
  return n;
}

size_t Unwrapper::Impl::nested(std::string_view text, std::string_view label, unsigned depth,
                               unsigned sdepth) {
  Mark mark = push_path(label, label);
  size_t n = 0;
  text = trim_json(text);
  if (sdepth >= kMaxStringDepth) {
    report("unrecognised format", "JSON nested in strings too deeply");
  } else {
    Level& l = level(sdepth);
    l.buf.assign(text);
    l.buf.append(simdjson::SIMDJSON_PADDING, '\0');
    dom::element doc;
    auto error = l.parser.parse(l.buf.data(), text.size(), false).get(doc);
    bool outer = rewritten;
    // The string is a copy already: its wide integers are rewritten in place.
    if (error == simdjson::NUMBER_ERROR && widen_big_integers(l.buf.data(), text.size()) > 0 &&
        !l.parser.parse(l.buf.data(), text.size(), false).get(doc)) {
      error = simdjson::SUCCESS;
      rewritten = true;
    }
    if (error) {
      report("invalid JSON",
             fmt::format("not JSON ({}): {}", simdjson::error_message(error), excerpt(text)));
    } else {
      n = value(std::string_view(l.buf.data(), text.size()), doc, depth + 1, sdepth + 1);
    }
    rewritten = outer;
  }
  pop_path(mark);
  return n;
}

size_t Unwrapper::Impl::guardduty(std::string_view raw, dom::element el, const Fields& f) {
  dom::element doc = el;
  char first = f.name[kSchemaVersion][0];
  if (first >= 'A' && first <= 'Z') {  // CLI output: re-key to the API's camelCase
    lower_first_letter_of_keys(raw, norm_buf);
    if (!parse_normalised(norm_buf.size(), doc)) return 0;
  }
  return emit_event(Source::GuardDuty, raw, doc, event_time(Shape::GuardDuty, f),
                    guardduty_sample(doc));
}

size_t Unwrapper::Impl::asff(std::string_view raw, dom::element el) {
  if (!asff_from_guardduty(el)) {
    report("unrecognised format",
           fmt::format("Security Hub (ASFF) finding from {}: only GuardDuty findings are read",
                       asff_product(el)));
    return 0;
  }
  asff_to_guardduty(raw, el, norm_buf, norm_scratch);
  dom::element doc;
  if (!parse_normalised(norm_buf.size(), doc)) return 0;
  dom::element created;
  TimeNs t = doc["createdAt"].get(created) == simdjson::SUCCESS ? time_value(created, 1'000'000'000)
                                                                : kNoTime;
  return emit_event(Source::GuardDuty, raw, doc, t, guardduty_sample(doc));
}

bool Unwrapper::Impl::parse_normalised(size_t len, dom::element& doc) {
  norm_buf.append(simdjson::SIMDJSON_PADDING, '\0');
  auto error = norm_parser.parse(norm_buf.data(), len, false).get(doc);
  if (error == simdjson::NUMBER_ERROR && widen_big_integers(norm_buf.data(), len) > 0)
    error = norm_parser.parse(norm_buf.data(), len, false).get(doc);
  if (error)
    report("invalid JSON", fmt::format("normalised record: {}", simdjson::error_message(error)));
  return !error;
}

size_t Unwrapper::Impl::emit_event(Source s, std::string_view raw, dom::element doc, TimeNs t,
                                   bool sample) {
  EventView v;
  v.source = s;
  v.file = pos->file;
  v.line = pos->line;
  v.record = (*record)++;
  v.time = t;
  v.sample = sample;
  v.raw = raw;
  v.doc = doc;
  v.rewritten = rewritten;
  (*emit)(v);
  return 1;
}

void Unwrapper::Impl::report(std::string_view reason, std::string_view what) {
  Skip s;
  s.file = std::string(pos->file);
  s.line = pos->line;
  s.record = (*record)++;
  s.reason = std::string(reason);
  s.detail = path.empty() ? std::string(what) : fmt::format("{}: {}", path, what);
  (*skip)(std::move(s));
}

void Unwrapper::Impl::report_at(std::string_view where, std::string_view reason,
                                std::string_view what) {
  std::string outer = std::move(path);
  path.assign(where);
  report(reason, what);
  path = std::move(outer);
}

// Appends ".label" (or "label" at the start) to the path and ".key" to json_path; returns the
// lengths to restore.
Unwrapper::Impl::Mark Unwrapper::Impl::push_path(std::string_view label, std::string_view key) {
  Mark mark{path.size(), json_path.size()};
  auto append = [](std::string& to, std::string_view part) {
    if (part.empty()) return;
    if (!to.empty()) to.push_back('.');
    to += part;
  };
  append(path, label);
  append(json_path, key);
  return mark;
}

}  // namespace eksir::sources::detail
