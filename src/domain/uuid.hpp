// domain/uuid.hpp - random UUIDs (version 4).
#pragma once

#include <string>
#include <string_view>

namespace crm::domain {

/// A random UUID v4, lower-case 8-4-4-4-12 hex.
std::string new_uuid_v4();
/// True for any 8-4-4-4-12 hex UUID (any version, either case).
bool is_uuid(std::string_view s) noexcept;

}  // namespace crm::domain
