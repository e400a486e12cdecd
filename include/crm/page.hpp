/// @file page.hpp
/// One page of a list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace crm {

/// One page of results, as the JSON page object of spec/query.md.
template <class T>
struct Page {
    std::optional<std::int64_t> count;       ///< total matching; nullopt with "count": false
    std::vector<T> results;                  ///< the rows of this page, in order
    std::optional<std::string> next_cursor;  ///< nullopt on the last page
    /// @{
    /// The paging keys echoed: page/page_size, or offset/limit; the others
    /// are nullopt.
    std::optional<std::int64_t> page, page_size, offset, limit;
    /// @}
};

}  // namespace crm
