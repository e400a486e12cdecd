// domain/json_text.hpp - writes a JSON object straight to text.
//
// Models describe their fields once (see write_fields in customer_json.cpp)
// to an output that is either a boost::json::object or this writer; the
// writer exists for the hot read paths, where building a json::object only
// to serialise it costs more than the database read itself.
#pragma once

#include <crm/error.hpp>
#include <crm/types.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::domain {

/// Whether `text` is exactly one JSON object (strict JSON, UTF-8 checked, at
/// most 128 levels deep), checked without building it: for JSON text a
/// store hands out as it holds it.
bool is_json_object(std::string_view text);

/// Appends `s` as a JSON string literal (quotes and escapes included).
/// Hand-written: Boost.JSON serialises only whole values, each into a new string.
void append_json_string(std::string& out, std::string_view s);

/// Appends to a string through a pointer: room is made ahead of the writes
/// (the string grows in steps, zero-filled), so a write is a bounds check
/// and a store, not a std::string append (which measured 13% of a list
/// page in key() alone). close(), or the destructor, trims the string to
/// what was written. Nothing else may change the string meanwhile.
class TextOut {
public:
    explicit TextOut(std::string& s) : s_(s), p_(s.data() + s.size()), end_(p_) {}
    ~TextOut() { close(); }
    TextOut(const TextOut&) = delete;
    TextOut& operator=(const TextOut&) = delete;

    /// Where `n` bytes may be written; then say where the writing ended with wrote().
    char* room(std::size_t n) {
        if (static_cast<std::size_t>(end_ - p_) < n) grow(n);
        return p_;
    }
    void wrote(char* end) noexcept { p_ = end; }
    void put(char c) {
        *room(1) = c;
        ++p_;
    }
    void put(std::string_view v);
    /// `s` as a JSON string literal.
    void put_string(std::string_view s);
    /// Trims the string to what was written (more writes may follow).
    void close() {
        s_.resize(static_cast<std::size_t>(p_ - s_.data()));
        p_ = end_ = s_.data() + s_.size();
    }

private:
    void grow(std::size_t n);
    std::string& s_;
    char* p_;    // where the next byte goes
    char* end_;  // the end of the room made
};

class JsonText {
public:
    explicit JsonText(TextOut& out) : out_(out) { out_.put('{'); }
    void finish() { out_.put('}'); }

    void field(std::string_view k, std::int64_t v);
    void field(std::string_view k, bool v);
    void field(std::string_view k, std::string_view v);
    void field(std::string_view k, const std::string& v) { field(k, std::string_view(v)); }
    void field(std::string_view k, const std::optional<std::string>& v);
    void field(std::string_view k, const std::optional<std::int64_t>& v);
    void field(std::string_view k, const std::optional<int>& v);
    void field(std::string_view k, const std::optional<Date>& v);
    void field(std::string_view k, const std::optional<Timestamp>& v);
    void field(std::string_view k, Timestamp v);
    void field(std::string_view k, const std::vector<std::string>& v);
    void field(std::string_view k, const boost::json::object& v);
    void field(std::string_view k, const boost::json::value& v);
    /// A field whose value is JSON text already (checked by the caller).
    void literal(std::string_view k, std::string_view json) {
        key(k);
        out_.put(json);
    }

private:
    void key(std::string_view k);
    void null() { out_.put("null"); }
    TextOut& out_;
    bool first_ = true;
};

/// The same fields into a boost::json::object.
class JsonObject {
public:
    explicit JsonObject(boost::json::object& o) : o_(o) {}
    void finish() {}
    template <class T>
    void field(std::string_view k, const T& v);

private:
    boost::json::object& o_;
};

// The three JSON conversions every model exports, from its one list of
// fields (`write(out, row)`, generic over JsonObject and JsonText) and its
// parser (`parse(value, errors)`).

template <class T, class Write>
void write_object(boost::json::value& jv, const T& row, Write write) {
    boost::json::object obj(jv.storage());
    JsonObject out(obj);
    write(out, row);
    jv = std::move(obj);
}

template <class T, class Write>
void write_text(TextOut& text, const T& row, Write write) {
    JsonText out(text);
    write(out, row);
}

template <class T, class Write>
void write_text(std::string& text, const T& row, Write write) {
    TextOut out(text);
    write_text(out, row, write);
}

/// Parses with `parse`, throwing InvalidError with every error at once.
template <class T, class Parse>
T parse_or_throw(const boost::json::value& jv, Parse parse) {
    std::vector<FieldError> errors;
    T row = parse(jv, errors);
    if (!errors.empty()) throw InvalidError(std::move(errors));
    return row;
}

}  // namespace crm::domain
