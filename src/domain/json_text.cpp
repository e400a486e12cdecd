#include "domain/json_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace crm::domain {

namespace json = boost::json;

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0;  // start of the pending run of bytes that need no escape
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

void JsonText::key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    append_json_string(out_, k);
    out_ += ':';
}

void JsonText::field(std::string_view k, std::int64_t v) {
    key(k);
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
}

void JsonText::field(std::string_view k, bool v) {
    key(k);
    out_ += v ? "true" : "false";
}

void JsonText::field(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(out_, v);
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
    if (v) return field(k, std::string_view(format_date(*v)));
    key(k);
    null();
}

void JsonText::field(std::string_view k, const std::optional<Timestamp>& v) {
    if (v) return field(k, *v);
    key(k);
    null();
}

void JsonText::field(std::string_view k, Timestamp v) { field(k, std::string_view(format_timestamp(v))); }

void JsonText::field(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    out_ += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out_ += ',';
        append_json_string(out_, v[i]);
    }
    out_ += ']';
}

void JsonText::field(std::string_view k, const json::object& v) {
    key(k);
    if (v.empty())
        out_ += "{}";
    else
        out_ += json::serialize(v);
}

void JsonText::field(std::string_view k, const json::value& v) {
    key(k);
    out_ += json::serialize(v);
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
