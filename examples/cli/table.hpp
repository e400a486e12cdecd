// table.hpp - a plain-text table whose column widths fit their content.
//
// Widths are measured in Unicode code points of the UTF-8 text, not bytes,
// so "Ayşe Yılmaz" lines up with "John Doe". (Characters drawn two columns
// wide, as in CJK scripts, still count as one: good enough for a CLI.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crm_cli {

/// The number of code points in UTF-8 text (bytes that do not continue a
/// multi-byte sequence).
std::size_t display_width(std::string_view utf8);

class Table {
public:
    enum class Align { left, right };

    explicit Table(std::vector<std::string> headers);

    /// Right-aligns (numbers) or left-aligns (the default) a column.
    void align(std::size_t column, Align a);
    /// Cells longer than this many code points are cut and end with "…".
    /// 0 means no limit. Default 40.
    void max_width(std::size_t width) { max_width_ = width; }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    void add_row(std::vector<std::string> cells);

    std::size_t rows() const noexcept { return rows_.size(); }

    /// The header, a rule of dashes and one line per row, each ending with
    /// '\n'; columns are separated by two spaces, no trailing spaces. Line
    /// breaks and tabs inside a cell are shown as spaces so that each row
    /// stays on one line.
    std::string render() const;

private:
    std::string fit(std::string_view cell) const;

    std::vector<std::string> headers_;
    std::vector<Align> align_;
    std::vector<std::vector<std::string>> rows_;
    std::size_t max_width_ = 40;
};

}  // namespace crm_cli
