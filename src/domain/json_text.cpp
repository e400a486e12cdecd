#include "domain/json_text.hpp"

#include "domain/time_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace crm::domain {

namespace json = boost::json;

namespace {

// Eight bytes at once: whether any of them is '"', '\\' or below 0x20
// (the classic "has zero byte" test, on w ^ c for the two characters and on
// w - 0x20.. for the control range; bytes from 0x80 never match).
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

bool needs_escape(std::uint64_t w) noexcept {
    auto zero_byte = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighs; };
    return (zero_byte(w ^ (kOnes * '"')) | zero_byte(w ^ (kOnes * '\\')) | ((w - kOnes * 0x20) & ~w & kHighs)) != 0;
}

// A Boost.JSON parser handler that builds nothing: basic_parser checks the
// syntax, this accepts every event.
struct Checker {
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
    using ec = json::error_code;
    using sv = json::string_view;
    bool on_document_begin(ec&) { return true; }
    bool on_document_end(ec&) { return true; }
    bool on_array_begin(ec&) { return true; }
    bool on_array_end(std::size_t, ec&) { return true; }
    bool on_object_begin(ec&) { return true; }
    bool on_object_end(std::size_t, ec&) { return true; }
    bool on_string_part(sv, std::size_t, ec&) { return true; }
    bool on_string(sv, std::size_t, ec&) { return true; }
    bool on_key_part(sv, std::size_t, ec&) { return true; }
    bool on_key(sv, std::size_t, ec&) { return true; }
    bool on_number_part(sv, ec&) { return true; }
    bool on_int64(std::int64_t, sv, ec&) { return true; }
    bool on_uint64(std::uint64_t, sv, ec&) { return true; }
    bool on_double(double, sv, ec&) { return true; }
    bool on_bool(bool, ec&) { return true; }
    bool on_null(ec&) { return true; }
    bool on_comment_part(sv, ec&) { return true; }
    bool on_comment(sv, ec&) { return true; }
};

}  // namespace

bool is_json_object(std::string_view text) {
    const std::size_t start = text.find_first_not_of(" \t\n\r");
    if (start == std::string_view::npos || text[start] != '{') return false;  // one value, so an object
    json::parse_options opts;
    opts.max_depth = 128;
    // One per thread, reset for each text: it keeps its nesting stack.
    thread_local json::basic_parser<Checker> parser(opts);
    parser.reset();
    json::error_code ec;
    const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
    return !ec && parser.done() && used == text.size();
}

void TextOut::grow(std::size_t n) {
    const auto at = static_cast<std::size_t>(p_ - s_.data());
    s_.resize(at + std::max<std::size_t>(n, 1024));  // std::string grows its capacity geometrically
    p_ = s_.data() + at;
    end_ = s_.data() + s_.size();
}

void TextOut::put(std::string_view v) {
    char* p = room(v.size());
    std::memcpy(p, v.data(), v.size());
    p_ = p + v.size();
}

void TextOut::put_string(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    char* p = room(s.size() * 6 + 2);  // every byte escaped as \u00XX at worst
    *p++ = '"';
    std::size_t run = 0;  // start of the pending run of bytes that need no escape
    std::size_t i = 0;
    auto flush = [&] {
        std::memcpy(p, s.data() + run, i - run);
        p += i - run;
    };
    for (;;) {
        // Skip eight bytes at a time while none of them needs an escape.
        while (i + 8 <= s.size()) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (needs_escape(w)) break;
            i += 8;
        }
        if (i >= s.size()) break;
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        flush();
        run = ++i;
        *p++ = '\\';
        switch (c) {
            case '"': *p++ = '"'; break;
            case '\\': *p++ = '\\'; break;
            case '\n': *p++ = 'n'; break;
            case '\r': *p++ = 'r'; break;
            case '\t': *p++ = 't'; break;
            case '\b': *p++ = 'b'; break;
            case '\f': *p++ = 'f'; break;
            default:
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = hex[c >> 4];
                *p++ = hex[c & 0xF];
        }
    }
    i = s.size();
    flush();
    *p++ = '"';
    p_ = p;
}

void append_json_string(std::string& out, std::string_view s) {
    TextOut text(out);
    text.put_string(s);
}

// Keys are the models' own field names (identifiers): nothing to escape.
void JsonText::key(std::string_view k) {
    char* p = out_.room(k.size() + 4);
    if (!first_) *p++ = ',';
    first_ = false;
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    out_.wrote(p);
}

void JsonText::field(std::string_view k, std::int64_t v) {
    key(k);
    char* p = out_.room(24);
    out_.wrote(std::to_chars(p, p + 24, v).ptr);
}

void JsonText::field(std::string_view k, bool v) {
    key(k);
    out_.put(v ? std::string_view("true") : std::string_view("false"));
}

void JsonText::field(std::string_view k, std::string_view v) {
    key(k);
    out_.put_string(v);
}

void JsonText::field(std::string_view k, const std::optional<std::string>& v) {
    if (v) return field(k, std::string_view(*v));
    key(k);
    null();
}

void JsonText::field(std::string_view k, const std::optional<std::int64_t>& v) {
    if (v) return field(k, *v);
    key(k);
    null();
}

void JsonText::field(std::string_view k, const std::optional<int>& v) {
    if (v) return field(k, static_cast<std::int64_t>(*v));
    key(k);
    null();
}

void JsonText::field(std::string_view k, const std::optional<Date>& v) {
    key(k);
    if (!v) return null();
    char* p = out_.room(kTimeTextMax + 2);
    *p++ = '"';
    p += put_date(p, *v);
    *p++ = '"';
    out_.wrote(p);
}

void JsonText::field(std::string_view k, const std::optional<Timestamp>& v) {
    if (v) return field(k, *v);
    key(k);
    null();
}

void JsonText::field(std::string_view k, Timestamp v) {
    key(k);
    char* p = out_.room(kTimeTextMax + 2);
    *p++ = '"';
    p += put_timestamp(p, v);
    *p++ = '"';
    out_.wrote(p);
}

void JsonText::field(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    out_.put('[');
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out_.put(',');
        out_.put_string(v[i]);
    }
    out_.put(']');
}

void JsonText::field(std::string_view k, const json::object& v) {
    key(k);
    if (v.empty())
        out_.put("{}");
    else
        out_.put(json::serialize(v));
}

void JsonText::field(std::string_view k, const json::value& v) {
    key(k);
    out_.put(json::serialize(v));
}

namespace {
json::value to_value(const json::value& v) { return v; }
json::value to_value(std::int64_t v) { return v; }
json::value to_value(bool v) { return v; }
json::value to_value(std::string_view v) { return json::string(v); }
json::value to_value(const std::string& v) { return json::string(v); }
json::value to_value(const std::optional<std::string>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value to_value(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value to_value(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value to_value(const std::optional<Date>& v) { return v ? json::value(format_date(*v)) : json::value(nullptr); }
json::value to_value(Timestamp v) { return json::value(format_timestamp(v)); }
json::value to_value(const std::optional<Timestamp>& v) { return v ? to_value(*v) : json::value(nullptr); }
json::value to_value(const std::vector<std::string>& v) { return json::array(v.begin(), v.end()); }
json::value to_value(const json::object& v) { return v; }
}  // namespace

template <class T>
void JsonObject::field(std::string_view k, const T& v) {
    o_.emplace(k, to_value(v));
}

template void JsonObject::field(std::string_view, const std::int64_t&);
template void JsonObject::field(std::string_view, const bool&);
template void JsonObject::field(std::string_view, const std::string_view&);
template void JsonObject::field(std::string_view, const std::string&);
template void JsonObject::field(std::string_view, const std::optional<std::string>&);
template void JsonObject::field(std::string_view, const std::optional<std::int64_t>&);
template void JsonObject::field(std::string_view, const std::optional<int>&);
template void JsonObject::field(std::string_view, const std::optional<Date>&);
template void JsonObject::field(std::string_view, const Timestamp&);
template void JsonObject::field(std::string_view, const std::optional<Timestamp>&);
template void JsonObject::field(std::string_view, const std::vector<std::string>&);
template void JsonObject::field(std::string_view, const json::object&);
template void JsonObject::field(std::string_view, const json::value&);

}  // namespace crm::domain
