// query/cursor.hpp - keyset cursors: opaque, tamper-evident, bound to the
// query that made them.
//
// A cursor is base64url of a small JSON document {"b":binding,"k":[sort key
// values...],"id":last id} followed by a SipHash-2-4 tag keyed with the
// database's own secret. The binding is a hash of the collection, filters and
// ordering (paging keys aside), so a cursor replayed with another query, or
// altered in any byte, is refused as `invalid` instead of giving a wrong page.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm::query {

using CursorKey = std::array<std::uint8_t, 16>;

struct CursorPosition {
    boost::json::array sort_values;  ///< one per sort key, as stored (null, integer or text)
    std::int64_t id = 0;             ///< the last row's id
};

/// SipHash-2-4 of `data` under `key` (written by hand: none of our
/// dependencies offers a keyed hash).
std::uint64_t siphash24(const CursorKey& key, std::string_view data) noexcept;

/// The binding of a query: a hash of the collection name and of every key of
/// `query` except the paging keys (page, page_size, offset, limit, cursor, count).
std::uint64_t query_binding(const CursorKey& key, std::string_view collection, const boost::json::object& query);

std::string encode_cursor(const CursorKey& key, std::uint64_t binding, const CursorPosition& pos);
/// nullopt when the cursor is malformed, altered, or made by another query.
std::optional<CursorPosition> decode_cursor(const CursorKey& key, std::uint64_t binding, std::string_view cursor);

}  // namespace crm::query
