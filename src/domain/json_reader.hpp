// domain/json_reader.hpp - reads a model's fields out of a JSON object,
// collecting every type error (with the field's name) instead of stopping at
// the first, and rejecting keys the model does not know.
#pragma once

#include <crm/error.hpp>
#include <crm/types.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm::domain {

class JsonReader {
public:
    /// `read_only` keys are accepted and ignored (a GET result can be sent
    /// back); the span must outlive the reader (use a static array).
    JsonReader(const boost::json::object& obj, std::vector<FieldError>& errors,
               std::span<const std::string_view> read_only = {});

    // Each reader leaves `out` untouched when the key is absent or null
    // (callers pre-set defaults), and records an error on a wrong type.
    void text(std::string_view key, std::optional<std::string>& out);
    void integer(std::string_view key, std::int64_t& out);
    void integer(std::string_view key, std::optional<std::int64_t>& out);
    void boolean(std::string_view key, bool& out);
    void date(std::string_view key, std::optional<Date>& out);
    void timestamp(std::string_view key, std::optional<Timestamp>& out);
    void object(std::string_view key, boost::json::object& out);
    void text_array(std::string_view key, std::vector<std::string>& out);
    template <class E>
    void enumeration(std::string_view key, E& out, std::initializer_list<std::pair<std::string_view, E>> names);
    /// The value of `key` (marked as known), nullptr when absent or null.
    const boost::json::value* raw(std::string_view key);

    void error(std::string field, std::string message) { errors_.push_back({std::move(field), std::move(message)}); }
    /// Reports every key that no reader asked for and that is not read-only.
    void finish();

private:
    const boost::json::object& obj_;
    std::vector<FieldError>& errors_;
    std::span<const std::string_view> read_only_;
    std::size_t known_ = 0;               // keys asked for that were present
    std::vector<std::string_view> asked_;  // every key asked for
};

/// A JSON string as text, or nullopt with an error for non-strings and
/// strings holding NUL characters.
std::optional<std::string> as_text(const boost::json::value& v, std::string_view field, std::vector<FieldError>& errors);
/// A boolean: true/false, 1/0 or "true"/"false".
std::optional<bool> as_bool(const boost::json::value& v) noexcept;
/// False when a number anywhere in `v` is infinite or NaN (Boost.JSON
/// parses 1e400 as infinity, which no JSON text can hold).
bool finite_numbers(const boost::json::value& v) noexcept;
/// An integer (int64, or uint64 that fits); nullopt for anything else.
std::optional<std::int64_t> as_int(const boost::json::value& v) noexcept;

template <class E>
void JsonReader::enumeration(std::string_view key, E& out,
                             std::initializer_list<std::pair<std::string_view, E>> names) {
    const boost::json::value* v = raw(key);
    if (!v) return;
    if (v->is_string()) {
        for (const auto& [name, value] : names)
            if (v->get_string() == name) {
                out = value;
                return;
            }
    }
    std::string list;
    for (const auto& [name, value] : names) list += (list.empty() ? "" : ", ") + std::string(name);
    error(std::string(key), "must be one of: " + list);
}

}  // namespace crm::domain
