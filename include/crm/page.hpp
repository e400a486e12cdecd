// crm/page.hpp - one page of a list.
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
    std::vector<T> results;
    std::optional<std::string> next_cursor;  ///< nullopt on the last page
    // The paging keys echoed: page/page_size, or offset/limit.
    std::optional<std::int64_t> page, page_size, offset, limit;
};

}  // namespace crm
