#include "query/cursor.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

namespace crm::query {

namespace json = boost::json;

namespace {

std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// base64url without padding (hand-written: Boost offers it only in
// beast::detail, which is not a public API).
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t v = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) | std::uint8_t(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
    }
    if (std::size_t rest = in.size() - i) {
        std::uint32_t v = std::uint8_t(in[i]) << 16;
        if (rest == 2) v |= std::uint8_t(in[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        if (rest == 2) out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
    if (in.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(in.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        const char* p = std::find(kAlphabet, kAlphabet + 64, c);
        if (p == kAlphabet + 64) return std::nullopt;
        acc = (acc << 6) | static_cast<std::uint32_t>(p - kAlphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    // Canonical only: the unused low bits of the last character must be 0,
    // so no two texts decode to the same cursor.
    if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

}  // namespace

std::uint64_t siphash24(const CursorKey& key, std::string_view data) noexcept {
    const std::uint64_t k0 = load64(key.data()), k1 = load64(key.data() + 8);
    std::uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    std::uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    auto round = [&] {
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
    };
    const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
    const std::size_t n = data.size();
    const std::size_t whole = n - n % 8;
    for (std::size_t i = 0; i < whole; i += 8) {
        std::uint64_t m = load64(p + i);
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
    std::uint64_t last = static_cast<std::uint64_t>(n & 0xFF) << 56;
    for (std::size_t i = 0; i < n % 8; ++i) last |= static_cast<std::uint64_t>(p[whole + i]) << (8 * i);
    v3 ^= last;
    round();
    round();
    v0 ^= last;
    v2 ^= 0xFF;
    round();
    round();
    round();
    round();
    return v0 ^ v1 ^ v2 ^ v3;
}

std::uint64_t query_binding(const CursorKey& key, std::string_view collection, const json::object& query) {
    static constexpr std::string_view kPaging[] = {"page", "page_size", "offset", "limit", "cursor", "count"};
    // Keys sorted, so the binding does not depend on the order they came in.
    std::vector<std::pair<std::string_view, const json::value*>> items;
    for (const auto& kv : query)
        if (std::find(std::begin(kPaging), std::end(kPaging), kv.key()) == std::end(kPaging))
            items.emplace_back(kv.key(), &kv.value());
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    json::array canonical;
    canonical.emplace_back(collection);
    for (const auto& [k, v] : items) {
        canonical.emplace_back(k);
        canonical.push_back(*v);
    }
    return siphash24(key, json::serialize(canonical));
}

std::string encode_cursor(const CursorKey& key, std::uint64_t binding, const CursorPosition& pos) {
    json::object doc{{"k", pos.sort_values}, {"id", pos.id}};
    std::string body = json::serialize(doc);
    std::uint64_t tag = siphash24(key, std::to_string(binding) + body);
    std::string raw = body;
    for (int i = 0; i < 8; ++i) raw += static_cast<char>((tag >> (8 * i)) & 0xFF);
    return base64url(raw);
}

std::optional<CursorPosition> decode_cursor(const CursorKey& key, std::uint64_t binding, std::string_view cursor) {
    if (cursor.size() > 8192) return std::nullopt;
    auto raw = unbase64url(cursor);
    if (!raw || raw->size() < 9) return std::nullopt;
    std::string_view body(raw->data(), raw->size() - 8);
    std::uint64_t tag = 0;
    for (int i = 7; i >= 0; --i) tag = (tag << 8) | static_cast<std::uint8_t>((*raw)[raw->size() - 8 + i]);
    if (tag != siphash24(key, std::to_string(binding) + std::string(body))) return std::nullopt;
    std::error_code ec;
    json::value doc = json::parse(body, ec);
    if (ec || !doc.is_object()) return std::nullopt;
    const auto& o = doc.get_object();
    const auto* k = o.if_contains("k");
    const auto* id = o.if_contains("id");
    if (!k || !k->is_array() || !id || !id->is_int64()) return std::nullopt;
    return CursorPosition{k->get_array(), id->get_int64()};
}

}  // namespace crm::query
