#include "domain/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace crm::domain {

namespace json = boost::json;

JsonReader::JsonReader(const json::object& obj, std::vector<FieldError>& errors,
                       std::span<const std::string_view> read_only)
    : obj_(obj), errors_(errors), read_only_(read_only) {
    asked_.reserve(48);
}

const json::value* JsonReader::raw(std::string_view key) {
    asked_.push_back(key);
    auto it = obj_.find(key);
    if (it == obj_.end()) return nullptr;
    ++known_;
    return it->value().is_null() ? nullptr : &it->value();
}

void JsonReader::finish() {
    std::size_t read_only_present = 0;
    for (auto key : read_only_) read_only_present += obj_.contains(key);
    if (known_ + read_only_present == obj_.size()) return;  // the common case: nothing unknown
    for (const auto& kv : obj_) {
        std::string_view k = kv.key();
        auto is = [k](std::string_view x) { return x == k; };
        if (std::any_of(read_only_.begin(), read_only_.end(), is) || std::any_of(asked_.begin(), asked_.end(), is))
            continue;
        error(std::string(k), "is not a known field");
    }
}

std::optional<std::string> as_text(const json::value& v, std::string_view field, std::vector<FieldError>& errors) {
    if (!v.is_string()) {
        errors.push_back({std::string(field), "must be a string"});
        return std::nullopt;
    }
    std::string_view s = v.get_string();
    if (s.find('\0') != std::string_view::npos) {
        errors.push_back({std::string(field), "must not contain NUL characters"});
        return std::nullopt;
    }
    return std::string(s);
}

std::optional<bool> as_bool(const json::value& v) noexcept {
    if (v.is_bool()) return v.get_bool();
    if (auto i = as_int(v)) {
        if (*i == 0) return false;
        if (*i == 1) return true;
    }
    if (v.is_string()) {
        if (v.get_string() == "true") return true;
        if (v.get_string() == "false") return false;
    }
    return std::nullopt;
}

std::optional<std::int64_t> as_int(const json::value& v) noexcept {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(v.get_uint64());
    return std::nullopt;
}

void JsonReader::text(std::string_view key, std::optional<std::string>& out) {
    if (const json::value* v = raw(key))
        if (auto s = as_text(*v, key, errors_)) out = std::move(*s);
}

void JsonReader::integer(std::string_view key, std::int64_t& out) {
    std::optional<std::int64_t> v;
    integer(key, v);
    if (v) out = *v;
}

void JsonReader::integer(std::string_view key, std::optional<std::int64_t>& out) {
    const json::value* v = raw(key);
    if (!v) return;
    if (auto i = as_int(*v))
        out = *i;
    else
        error(std::string(key), "must be an integer");
}

void JsonReader::boolean(std::string_view key, bool& out) {
    const json::value* v = raw(key);
    if (!v) return;
    if (auto b = as_bool(*v))
        out = *b;
    else
        error(std::string(key), "must be true or false");
}

void JsonReader::date(std::string_view key, std::optional<Date>& out) {
    const json::value* v = raw(key);
    if (!v) return;
    if (v->is_string())
        if (auto d = parse_date(v->get_string())) {
            out = *d;
            return;
        }
    error(std::string(key), "must be a date (YYYY-MM-DD)");
}

void JsonReader::timestamp(std::string_view key, std::optional<Timestamp>& out) {
    const json::value* v = raw(key);
    if (!v) return;
    if (v->is_string())
        if (auto t = parse_timestamp(v->get_string())) {
            out = *t;
            return;
        }
    error(std::string(key), "must be an RFC 3339 timestamp");
}

bool finite_numbers(const json::value& v) noexcept {
    switch (v.kind()) {
        case json::kind::double_: return std::isfinite(v.get_double());
        case json::kind::array:
            for (const auto& x : v.get_array())
                if (!finite_numbers(x)) return false;
            return true;
        case json::kind::object:
            for (const auto& kv : v.get_object())
                if (!finite_numbers(kv.value())) return false;
            return true;
        default: return true;
    }
}

void JsonReader::object(std::string_view key, json::object& out) {
    const json::value* v = raw(key);
    if (!v) return;
    if (!v->is_object())
        error(std::string(key), "must be a JSON object");
    else if (!finite_numbers(*v))  // 1e400 parses as infinity, which JSON cannot write back
        error(std::string(key), "holds a number out of range");
    else
        out = v->get_object();
}

void JsonReader::text_array(std::string_view key, std::vector<std::string>& out) {
    const json::value* v = raw(key);
    if (!v) return;
    if (!v->is_array()) {
        error(std::string(key), "must be an array of strings");
        return;
    }
    std::vector<std::string> items;
    items.reserve(v->get_array().size());
    std::size_t i = 0;
    bool ok = true;
    for (const auto& item : v->get_array()) {
        auto s = as_text(item, std::string(key) + "[" + std::to_string(i++) + "]", errors_);
        if (s)
            items.push_back(std::move(*s));
        else
            ok = false;
    }
    if (ok) out = std::move(items);
}

}  // namespace crm::domain
