// storage/sqlite_values.hpp - how domain values are bound to and read from
// SQLite: timestamps as integer microseconds, dates as 'YYYY-MM-DD', JSON as
// text. Shared by the SQLite backend's files only.
#pragma once

#include <crm/error.hpp>
#include <crm/types.hpp>

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace crm::storage {

namespace json = boost::json;

inline std::int64_t micros(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp from_micros(std::int64_t v) { return Timestamp{std::chrono::microseconds{v}}; }

template <class T>
inline void bind_opt(SQLite::Statement& s, int i, const std::optional<T>& v) {
    if (v)
        s.bind(i, *v);
    else
        s.bind(i);
}
inline void bind_opt(SQLite::Statement& s, int i, const std::optional<Date>& v) {
    if (v)
        s.bind(i, format_date(*v));
    else
        s.bind(i);
}
inline void bind_opt(SQLite::Statement& s, int i, const std::optional<Timestamp>& v) {
    if (v)
        s.bind(i, static_cast<std::int64_t>(micros(*v)));
    else
        s.bind(i);
}
inline void bind_opt(SQLite::Statement& s, int i, const std::optional<std::int64_t>& v) {
    if (v)
        s.bind(i, static_cast<std::int64_t>(*v));
    else
        s.bind(i);
}

// The readers below take a column of either kind: an SQLite::Column, or a
// Cell of a Reader's row (sqlite_row.hpp).
template <class Col>
std::optional<std::string> text_col(const Col& c) {
    if (c.isNull()) return std::nullopt;
    return c.getString();
}
template <class Col>
std::optional<std::int64_t> int_col(const Col& c) {
    if (c.isNull()) return std::nullopt;
    return c.getInt64();
}
template <class Col>
std::optional<Date> date_col(const Col& c) {
    if (c.isNull()) return std::nullopt;
    return parse_date(c.getText());
}
template <class Col>
std::optional<Timestamp> ts_col(const Col& c) {
    if (c.isNull()) return std::nullopt;
    return from_micros(c.getInt64());
}
/// Parses JSON the engine stored: it was checked on the way in (at most 64
/// levels deep inside a 64-level document), so a deeper limit than
/// Boost.JSON's default 32 is needed to read it back.
/// Text that is not JSON there: IoError (the file was changed outside the engine).
inline json::value stored_json(std::string_view text) {
    json::parse_options opts;
    opts.max_depth = 128;
    json::error_code ec;
    json::value v = json::parse(text, ec, {}, opts);
    if (ec) throw IoError("the database holds text that is not JSON where the engine stores JSON (was it changed "
                          "outside the engine?)");
    return v;
}

template <class Col>
json::object object_col(const Col& c) {
    const std::string_view text = c.getText();
    if (text == "{}") return {};  // the common case, without a parse
    json::value v = stored_json(text);
    if (!v.is_object())
        throw IoError("the database holds JSON that is not an object where the engine stores one (was it changed "
                      "outside the engine?)");
    return std::move(v.get_object());
}

template <class E, class Col>
E enum_col(const Col& c, std::initializer_list<std::pair<std::string_view, E>> names) {
    std::string_view s = c.getText();
    for (const auto& [n, v] : names)
        if (n == s) return v;
    return names.begin()->second;
}

template <class Col>
Timestamp ts_required(const Col& c) { return from_micros(c.getInt64()); }
template <class Col>
bool bool_col(const Col& c) { return c.getInt() != 0; }

}  // namespace crm::storage
