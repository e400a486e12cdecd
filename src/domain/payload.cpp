#include "domain/payload.hpp"

#include <crm/error.hpp>

#include <fmt/format.h>

namespace crm::domain {

namespace {

constexpr std::size_t npos = std::string_view::npos;

bool space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) noexcept {
    while (i < s.size() && space(s[i])) ++i;
    return i;
}

// The end (one past) of the JSON value starting at s[i], found from its
// outline only (strings, nesting); npos when it does not end. Hand-written:
// Boost.JSON parses values, it does not measure them without building them.
std::size_t value_end(std::string_view s, std::size_t i) noexcept {
    int depth = 0;
    bool in_string = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"') {
                in_string = false;
                if (depth == 0) return i + 1;
            }
            continue;
        }
        switch (c) {
            case '"': in_string = true; break;
            case '{':
            case '[': ++depth; break;
            case '}':
            case ']':
                if (--depth < 0) return npos;
                if (depth == 0) return i + 1;
                break;
            case ',':
                if (depth == 0) return i;
                break;
            default:
                if (depth == 0 && space(c)) return i;
                break;
        }
    }
    return depth == 0 && !in_string ? s.size() : npos;
}

[[noreturn]] void bad_shape(std::string_view why) {
    throw InvalidError(fmt::format("the payload {}: it must be a JSON array of rows, an object holding one array, "
                                   "or NDJSON (one row per line)",
                                   why),
                       {{"payload", std::string(why)}});
}

}  // namespace

RowSplitter::RowSplitter(std::string_view payload) {
    std::size_t i = 0;
    if (payload.starts_with("\xEF\xBB\xBF")) i = 3;  // a UTF-8 byte order mark
    i = skip_space(payload, i);
    if (i == payload.size()) return;  // no rows
    if (payload[i] == '[') {
        const std::size_t end = value_end(payload, i);
        if (end == npos) bad_shape("is a JSON array that does not end");
        if (skip_space(payload, end) != payload.size()) bad_shape("has text after its array");
        text_ = payload.substr(i + 1, end - i - 2);
        shape_ = Shape::array;
        return;
    }
    if (payload[i] != '{') bad_shape("does not start with '[' or '{'");
    const std::size_t end = value_end(payload, i);
    if (end != npos && skip_space(payload, end) == payload.size()) {
        // One object: the wrapper {"key": [rows]} when that is its only member.
        std::size_t k = skip_space(payload, i + 1);
        if (k < payload.size() && payload[k] == '"') {
            const std::size_t key_end = value_end(payload, k);
            std::size_t colon = key_end == npos ? npos : skip_space(payload, key_end);
            if (colon != npos && colon < payload.size() && payload[colon] == ':') {
                const std::size_t v = skip_space(payload, colon + 1);
                if (v < payload.size() && payload[v] == '[') {
                    const std::size_t v_end = value_end(payload, v);
                    if (v_end != npos && skip_space(payload, v_end) == end - 1) {
                        text_ = payload.substr(v + 1, v_end - v - 2);
                        shape_ = Shape::array;
                        return;
                    }
                }
            }
        }
        text_ = payload.substr(i, end - i);  // one row, however it is laid out
        shape_ = Shape::single;
        return;
    }
    text_ = payload.substr(i);
    shape_ = Shape::ndjson;
}

bool RowSplitter::next(std::string_view& row) {
    if (shape_ == Shape::single) {
        if (pos_ != 0) return false;
        row = text_;
        pos_ = text_.size();
        return true;
    }
    if (shape_ == Shape::ndjson) {
        while (pos_ < text_.size()) {
            std::size_t nl = text_.find('\n', pos_);
            if (nl == npos) nl = text_.size();
            std::string_view line = text_.substr(pos_, nl - pos_);
            pos_ = nl + 1;
            std::size_t a = skip_space(line, 0), b = line.size();
            while (b > a && space(line[b - 1])) --b;
            if (a == b) continue;  // blank lines are not rows
            row = line.substr(a, b - a);
            return true;
        }
        return false;
    }
    if (shape_ != Shape::array) return false;
    std::size_t i = skip_space(text_, pos_);
    if (i >= text_.size()) return false;
    if (pos_ != 0) {
        if (text_[i] != ',') bad_shape("has rows not separated by ','");
        i = skip_space(text_, i + 1);
        if (i >= text_.size()) bad_shape("ends with ','");
    }
    const std::size_t end = value_end(text_, i);
    if (end == npos) bad_shape("has a row that does not end");
    // A ',' where a row should be ("[,", ",,"): no row, and pos_ would not move.
    if (end == i) bad_shape("has an empty row");
    row = text_.substr(i, end - i);
    pos_ = end;
    return true;
}

std::int64_t RowSplitter::count() const {
    RowSplitter copy = *this;
    copy.pos_ = 0;
    std::int64_t n = 0;
    std::string_view row;
    while (copy.next(row)) ++n;
    return n;
}

}  // namespace crm::domain
