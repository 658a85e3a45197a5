// Field names: how a name in a query (an ECS name or a native JSON path) reaches the values of an
// event, whatever its source.
//
// One table (field_table.cpp) maps each ECS name, as Elastic's AWS CloudTrail, GuardDuty and
// Kubernetes audit integrations write it plus the aliases the playbook uses, to per-source native
// paths (tried in order; the first that yields a value wins) or to a computed function
// (event.outcome, event.dataset, user.name's ARN fallback...). A FieldRef binds a name once, for
// every source; reading values afterwards allocates nothing.
//
// Native path resolution: `a.b.c` walks objects; arrays met on the way (or at the end) are
// traversed, so `requestObject.spec.containers.image` reaches the image of every container. Keys
// may themselves contain dots or slashes (`output_fields.k8s.pod.name`,
// `annotations.authorization.k8s.io/decision`): at each object, a key matches when it equals the
// rest of the path or is a prefix of it followed by '.'.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "event/event.h"

namespace eksir {

// One leaf reached by a field. Views are valid only during the callback that receives it.
struct FieldValue {
  enum class Type : uint8_t {
    String,
    Int,
    Uint,
    Double,
    Bool,
    Null,
    Object
  };  // arrays are flattened
  Type type = Type::Null;
  std::string_view str;         // String
  int64_t i = 0;                // Int
  uint64_t u = 0;               // Uint
  double d = 0;                 // Int, Uint and Double (the value as a double)
  bool b = false;               // Bool
  simdjson::dom::element elem;  // the DOM value, when in_document
  bool in_document = false;     // false for computed values (elem is then unset)

  static FieldValue from(simdjson::dom::element e);
  static FieldValue string(std::string_view s) {
    FieldValue v;
    v.type = Type::String;
    v.str = s;
    return v;
  }
};

// A non-owning, non-allocating reference to a callback `bool(const FieldValue&)` (return true to
// stop) or `void(const FieldValue&)`. Counts the non-null values it has been given.
class ValueSink {
 public:
  template <class Fn, class = std::enable_if_t<!std::is_same_v<std::remove_cv_t<Fn>, ValueSink>>>
  explicit ValueSink(Fn& fn) noexcept
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(fn)))), call_(&invoke<Fn>) {}

  bool operator()(const FieldValue& v) {
    if (v.type != FieldValue::Type::Null) ++count_;
    return call_(obj_, v);
  }
  size_t count() const { return count_; }

 private:
  template <class Fn>
  static bool invoke(void* obj, const FieldValue& v) {
    Fn& f = *static_cast<Fn*>(obj);
    if constexpr (std::is_void_v<std::invoke_result_t<Fn&, const FieldValue&>>) {
      f(v);
      return false;
    } else {
      return static_cast<bool>(f(v));
    }
  }
  void* obj_;
  bool (*call_)(void*, const FieldValue&);
  size_t count_ = 0;
};

struct FieldStep;
// A computed field: emits its values into the sink; returns true when the sink asked to stop.
using ComputeFn = bool (*)(const EventView& ev, const FieldStep& step, ValueSink& sink);

// One way to reach a field on one source. A field binds, per source, to a list of steps tried in
// order: the first step that yields a non-null value wins.
struct FieldStep {
  enum class Kind : uint8_t { Path, Computed, Constant };
  Kind kind = Kind::Path;
  bool verbatim = true;  // every value is (a substring of) a JSON string of the event, unescaped
  ComputeFn fn = nullptr;
  std::string path;      // Path: the native path; Computed: its argument; Constant: the value
  std::string arg2;      // Computed: second argument, if any
  uint32_t path_id = 0;  // Path: the path's number in FieldCache (the same path, the same id)
};

// The leaves of the native paths already walked on one event. Hundreds of rules read the same
// few fields (verb, objectRef.resource, user.username...); each path is walked once per event and
// its values replayed after that. One cache per thread; next() before each event.
class FieldCache {
 public:
  void next() {
    if (++generation_ == 0) {  // wrapped: forget every slot
      for (auto& s : slots_) s.generation = 0;
      generation_ = 1;
    }
    values_.clear();
    top_ready_ = false;
  }
  // Calls sink with the leaves of `path` on ev.doc, walking it only on the first call per event.
  bool visit(const EventView& ev, const FieldStep& step, ValueSink& sink);

 private:
  struct Slot {
    uint32_t generation = 0;
    uint32_t begin = 0, count = 0;
  };
  uint32_t generation_ = 1;
  std::vector<Slot> slots_;  // by path id
  std::vector<FieldValue> values_;
  // The event's top-level keys and values, read from the tape once: every path starts there.
  std::vector<std::pair<std::string_view, simdjson::dom::element>> top_;
  bool top_ready_ = false;
};

class FieldRef {
 public:
  FieldRef() = default;
  explicit FieldRef(std::string_view name);  // binds once for every source

  const std::string& name() const { return name_; }
  // True for an ECS name of the table, a name under one of its prefixes (`kubernetes.audit.*`,
  // `aws.cloudtrail.flattened.request_parameters.*`...), or a path whose first key is a known
  // top-level key of some source's events. Unknown names still bind, as native paths, on every
  // source.
  bool known() const { return known_; }
  // True when the name is an ECS name (or under an ECS prefix) of the table.
  bool ecs() const { return ecs_; }
  // False when this field can never exist on events of that source (lets engines skip).
  bool applies_to(Source s) const { return !steps_[static_cast<size_t>(s)].empty(); }
  // True when, on source s, every value the field yields is (a substring of) a string of the
  // event's document, so a value the field matches appears in its JSON text (the raw record, or
  // the normalised document where the sources stage rebuilt it: Event::normalised()).
  bool verbatim(Source s) const;
  // True when the field holds timestamps (@timestamp, eventTime, stageTimestamp, ...).
  bool is_time() const { return time_; }
  // How the field is reached on source s, in the table's notation ("" when it does not apply).
  std::string describe(Source s) const;
  const std::vector<FieldStep>& steps(Source s) const { return steps_[static_cast<size_t>(s)]; }

  // Calls fn(const FieldValue&) for each value (arrays flattened); fn returns true to stop.
  // Returns true iff some fn call returned true.
  template <class Fn>
  bool any(const EventView& ev, Fn&& fn) const {
    ValueSink sink(fn);
    return visit(ev, sink);
  }
  bool visit(const EventView& ev, ValueSink& sink) const;
  // True when the field has a non-null value.
  bool exists(const EventView& ev) const;

  // Same, relative to an element (KQL nested queries `a:{ b:c }`): native path only.
  template <class Fn>
  static bool any_in(simdjson::dom::element root, std::string_view path, Fn&& fn) {
    ValueSink sink(fn);
    return visit_in(root, path, sink);
  }
  static bool visit_in(simdjson::dom::element root, std::string_view path, ValueSink& sink);

 private:
  void number_paths();
  std::string name_;
  bool known_ = false;
  bool ecs_ = false;
  bool time_ = false;
  std::array<std::vector<FieldStep>, kSourceCount> steps_;
};

// One row of the field table, for docs/fields.md and `eksir fields`.
struct FieldInfo {
  std::string ecs;  // ECS name; a trailing ".*" marks a prefix (the rest is a path)
  std::string description;
  // Per source (index = Source): the native path(s) tried in order, separated by " | ";
  // `=fn(arg)` is a computed value, `'text'` a constant; "" when the field does not apply.
  std::array<std::string, kSourceCount> native;
  std::string type;  // keyword, date, long, ip, boolean, object, text
};
const std::vector<FieldInfo>& field_table();
// True when the name is an ECS field of type ip, or a native path one of them reads
// (source.ip, sourceIPs, sourceIPAddress, ...): a value written as a prefix (10.0.0.0/8) on it is
// a range of addresses, as in Kibana.
bool is_ip_field(std::string_view name);
// The field name closest to a mistyped one (an ECS name of the table or a native path it reads:
// "sourc.ip" -> "source.ip", "objectRef.resourse" -> "objectRef.resource"); "" when none is
// close.
std::string suggest_field(std::string_view name);
// Known top-level keys of each source's events (native paths starting with one are "known").
const std::vector<std::string>& top_level_keys(Source s);
// Renders docs/fields.md.
std::string fields_markdown();

// Helpers shared with the query engine.
// Walks a native path from an element, calling sink for each leaf (arrays flattened).
bool walk_path(simdjson::dom::element root, std::string_view path, ValueSink& sink);
// Calls sink for every leaf value of the element (objects and arrays descended).
bool walk_leaves(simdjson::dom::element root, ValueSink& sink);

// Appends one value as text (nothing for null, objects minified).
void append_value(std::string& out, const FieldValue& v);
// Every non-null value of the field as text, joined with ","; "" when absent.
std::string field_text(const FieldRef& f, const EventView& ev);
// The same, appended to out (a reused buffer on hot paths).
void append_field_text(std::string& out, const FieldRef& f, const EventView& ev);

// The first non-null value at a native path (arrays flattened), as text ("" when none).
std::string path_text(simdjson::dom::element root, std::string_view path);
// The first non-empty of several native paths.
std::string first_path(simdjson::dom::element root, std::initializer_list<std::string_view> paths);

}  // namespace eksir
