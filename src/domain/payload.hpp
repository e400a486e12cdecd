// domain/payload.hpp - splits an import payload into its rows' JSON texts
// without parsing them, so that a payload of any size is parsed one row at
// a time (each row with Boost.JSON) and never held as one document.
//
// Shapes (spec/c-api.md): a JSON array of rows; an object holding one
// array of rows (seed 003's {"clients":[...]}); or NDJSON, one row per line.
// An object alone is the wrapper when its only member is an array, else it
// is a one-row NDJSON payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace crm::domain {

class RowSplitter {
public:
    /// Throws InvalidError when the payload has none of the shapes (its
    /// outline is checked here; each row's JSON is checked by its parser).
    explicit RowSplitter(std::string_view payload);
    /// The next row's text; false after the last row.
    bool next(std::string_view& row);
    /// How many rows there are (a scan of the payload's outline).
    std::int64_t count() const;

private:
    enum class Shape { empty, array, ndjson, single };
    std::string_view text_;   // the array's inside, or the NDJSON text
    Shape shape_ = Shape::empty;
    std::size_t pos_ = 0;
};

}  // namespace crm::domain
