#include "domain/text.hpp"

namespace crm::domain {

namespace {
constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
}  // namespace

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::size_t utf8_length(std::string_view s) noexcept {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count every byte that starts a code point
    return n;
}

void normalize_text(std::optional<std::string>& s) {
    if (!s) return;
    std::string_view t = trim(*s);
    if (t.empty())
        s.reset();
    else if (t.size() != s->size())
        *s = std::string(t);
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        // The length and the allowed range of the second byte (RFC 3629:
        // no overlong forms, no surrogates, nothing above U+10FFFF).
        std::size_t n = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c < 0x80) n = 1;
        else if (c >= 0xC2 && c <= 0xDF) n = 2;
        else if (c == 0xE0) { n = 3; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) n = 3;
        else if (c == 0xED) { n = 3; hi = 0x9F; }
        else if (c >= 0xEE && c <= 0xEF) n = 3;
        else if (c == 0xF0) { n = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) n = 4;
        else if (c == 0xF4) { n = 4; hi = 0x8F; }
        bool ok = n > 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) {
            auto b = static_cast<unsigned char>(s[i + k]);
            ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
        }
        if (ok) {
            out.append(s.data() + i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD
            ++i;
        }
    }
    return out;
}

bool is_identifier(std::string_view s) noexcept {
    if (s.empty() || !(is_alpha(s[0]) || s[0] == '_')) return false;
    for (char c : s)
        if (!(is_alpha(c) || is_digit(c) || c == '_')) return false;
    return true;
}

}  // namespace crm::domain
