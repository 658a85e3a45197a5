// Private to rules/: Falco's filter fields for the two event sources eksir runs Falco rules on —
// k8s_audit (the k8saudit plugin's `ka.*`) and aws_cloudtrail (the cloudtrail plugin's `ct.*`,
// `s3.*`, `ec2.*`, `ecr.*`) — and the json plugin's `jevt.*` / `json.*` on either, extracted the
// way Falco's plugins extract them: every value as a string (`ka.*` and `json.*`: JSON strings as
// they are, anything else as its JSON text; the cloudtrail plugin's string fields: strings only),
// list fields as several strings, "not available" when the event lacks the value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"

namespace eksir::rules::falco {

// Reused string storage: extraction allocates nothing once warm.
struct Values {
  std::vector<std::string> items;
  size_t n = 0;
  void clear() { n = 0; }
  void add(std::string_view s) {
    if (n == items.size()) items.emplace_back();
    items[n++].assign(s.data(), s.size());
  }
  std::string_view operator[](size_t i) const { return items[i]; }
  size_t size() const { return n; }
  bool empty() const { return n == 0; }
};

enum class FieldKind : uint8_t {
  Keys,           // a value at a fixed key path, stringified
  KeysList,       // an array at a key path: each element stringified
  UriParam,       // a query parameter of requestURI
  PodList,        // a value of every container (keys[0] = containers kind) at keys[1..]
  Images,         // container images (repository = true: the repository part)
  FirstImage,     // the first container's image (or repository)
  HostPorts,      // every container port's hostPort, else containerPort
  AnyPrivileged,  // "true" when any container is privileged, else "false"
  EffRunAs,       // the container's runAsUser/Group, else the pod's, else "0"
  RoleRules,      // the rules' apiGroups/verbs/resources/nonResourceURLs, flattened
  Subjects,       // binding subject names of one kind (extra: User, Group, ServiceAccount, ns)
  HostpathArg,    // "true" when a hostPath equals the argument (or starts with it, arg ending *)
  VolumeTypes,    // the keys of every volume other than name
  TargetPodName,  // objectRef.name when the target is a pod
  Constant,       // always extra
  JsonPointer,    // jevt.value[/a/b]
  JsonObj,        // the whole event as JSON
  RawTime,        // the event time in nanoseconds
  Time,           // the event time as text
  Unavailable,    // a known field the evidence never carries (ka.cluster.name)
  EvtNum,         // evt.num: the record's line in its file (never 0)
  EvtSource,      // evt.source: the rule source of the event (k8s_audit, aws_cloudtrail)
  // The cloudtrail plugin's fields.
  String,      // a JSON string at a fixed key path (any other JSON value: not available)
  CtUser,      // who acted, by userIdentity.type (userName, invokedBy, the role's name...)
  CtShortSrc,  // eventSource without ".amazonaws.com"
  CtReadOnly,  // readOnly, or from eventName's verb when the record lacks it
  CtBool,      // "true" or "false" from a boolean key (false when absent)
  CtInfo,      // the plugin's one-line summary of the call
  S3Uri,       // s3://bucket/key
  S3Bytes,     // additionalEventData bytesTransferredIn/Out (extra: "in", "out" or both)
  S3Count,     // "1" when eventName is extra ("other": neither GetObject nor PutObject)
  Ec2Name,     // the Name tag of the instance a RunInstances request tags
  Ec2ImageId,  // responseElements.tagSpecificationSet.items[0].imageId
};

// The event source a field reads (Falco's `source:` of a rule).
enum class FieldSource : uint8_t { Any, K8sAudit, CloudTrail };

struct Field {
  std::string name;  // as written, with its argument: ka.uri.param[command]
  std::string base;  // without the argument
  std::string arg;
  bool has_arg = false;
  bool list = false;  // Falco list field: only exists, in, intersects compare
  FieldKind kind = FieldKind::Keys;
  std::vector<std::string> keys;
  std::string extra;
  int index = -1;           // list fields: [n] keeps the n-th element only
  bool repository = false;  // Images / FirstImage
  std::string native;       // a native path giving the same single string, or ""
  FieldSource source = FieldSource::Any;

  // Falco's extraction; false when the field is not available on the event.
  bool extract(const EventView& ev, Values& out) const;
};

// Binds `name` (with its `[arg]`, if any); nullopt with `error` set for an unknown field or a
// bad argument.
std::optional<Field> bind_field(std::string_view name, std::string& error);

// Length of the longest field name at the start of text (for output strings, where a field ends
// at the first character that cannot continue a known name), including a `[arg]`; 0 when none.
size_t field_length(std::string_view text);

}  // namespace eksir::rules::falco
