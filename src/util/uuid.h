// Name-based UUIDs (RFC 9562 version 5, SHA-1): the same namespace and name give the same id, so
// an output built from the same case twice names its objects the same.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eksir::util {

using Uuid = std::array<uint8_t, 16>;
// "6ba7b810-9dad-11d1-80b4-00c04fd430c8" -> its bytes; nullopt when not that form.
std::optional<Uuid> parse_uuid(std::string_view text);
std::string format_uuid(const Uuid& u);  // lower-case, 8-4-4-4-12
std::string uuid_v5(const Uuid& name_space, std::string_view name);

}  // namespace eksir::util
