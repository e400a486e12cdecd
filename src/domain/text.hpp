// domain/text.hpp - small text rules shared by every model.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace crm::domain {

/// `s` without surrounding ASCII white space.
std::string_view trim(std::string_view s) noexcept;
/// Unicode code points in valid UTF-8 `s`.
std::size_t utf8_length(std::string_view s) noexcept;
/// Trims an optional text; empty after trimming means unset (spec: an empty
/// optional string is stored as null).
void normalize_text(std::optional<std::string>& s);
/// ASCII lower-case copy (SQLite's NOCASE folds the same letters).
std::string ascii_lower(std::string_view s);
/// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD,
/// so that text from a caller can always be written into JSON.
std::string valid_utf8(std::string_view s);
/// [A-Za-z_][A-Za-z0-9_]*
bool is_identifier(std::string_view s) noexcept;

}  // namespace crm::domain
