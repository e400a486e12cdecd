// Keyset cursors: the keyed hash is SipHash-2-4 (reference vectors), and a
// cursor decodes only under the key and the query binding that made it.
#include "query/cursor.hpp"

#include <catch2/catch.hpp>

#include <string>

using crm::query::CursorKey;

namespace {
CursorKey reference_key() {
    CursorKey k{};
    for (int i = 0; i < 16; ++i) k[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
    return k;
}
}  // namespace

TEST_CASE("cursor: siphash24 gives the reference vectors") {
    const CursorKey k = reference_key();
    std::string m;
    CHECK(crm::query::siphash24(k, m) == 0x726fdb47dd0e0e31ULL);
    for (int i = 0; i < 15; ++i) m += static_cast<char>(i);
    CHECK(crm::query::siphash24(k, m) == 0xa129ca6149be45e5ULL);
    m += static_cast<char>(15);  // 16 bytes: two whole blocks
    CHECK(crm::query::siphash24(k, m) == 0x3f2acc7f57c29bdbULL);
}

TEST_CASE("cursor: decodes under its key and binding only") {
    const CursorKey k = reference_key();
    CursorKey other = k;
    other[0] ^= 1;
    crm::query::CursorPosition pos{boost::json::array{"lee", 42}, 7};
    const std::string c = crm::query::encode_cursor(k, 1234, pos);
    auto back = crm::query::decode_cursor(k, 1234, c);
    REQUIRE(back.has_value());
    CHECK(back->id == 7);
    CHECK(back->sort_values == boost::json::array{"lee", 42});
    CHECK_FALSE(crm::query::decode_cursor(k, 1235, c).has_value());      // another query
    CHECK_FALSE(crm::query::decode_cursor(other, 1234, c).has_value());  // another database
    CHECK_FALSE(crm::query::decode_cursor(k, 1234, c + "A").has_value());
    CHECK_FALSE(crm::query::decode_cursor(k, 1234, c.substr(0, c.size() - 1)).has_value());
    CHECK_FALSE(crm::query::decode_cursor(k, 1234, "").has_value());
    CHECK_FALSE(crm::query::decode_cursor(k, 1234, "!!!!").has_value());
}
