// table.cpp - see table.hpp.
#include "table.hpp"

#include <algorithm>
#include <utility>

namespace crm_cli {
namespace {

bool is_continuation(char c) noexcept {
    return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

/// The first `n` code points of `utf8` (never splits a sequence).
std::string_view first_code_points(std::string_view utf8, std::size_t n) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        if (is_continuation(utf8[i])) continue;
        if (seen == n) return utf8.substr(0, i);
        ++seen;
    }
    return utf8;
}

}  // namespace

std::size_t display_width(std::string_view utf8) {
    return static_cast<std::size_t>(
        std::count_if(utf8.begin(), utf8.end(), [](char c) { return !is_continuation(c); }));
}

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), align_(headers_.size(), Align::left) {}

void Table::align(std::size_t column, Align a) {
    if (column < align_.size()) align_[column] = a;
}

std::string Table::fit(std::string_view text) const {
    std::string cell(text);
    for (char& c : cell) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    if (max_width_ > 0 && display_width(cell) > max_width_) {
        std::string cut(first_code_points(cell, max_width_ - 1));
        cut += "\u2026";  // …
        return cut;
    }
    return cell;
}

void Table::add_row(std::vector<std::string> cells) {
    cells.resize(headers_.size());
    rows_.push_back(std::move(cells));
}

std::string Table::render() const {
    const std::size_t columns = headers_.size();
    std::vector<std::vector<std::string>> rows;
    rows.reserve(rows_.size());
    for (const auto& row : rows_) {
        auto& fitted = rows.emplace_back();
        for (const auto& cell : row) fitted.push_back(fit(cell));
    }
    std::vector<std::size_t> width(columns);
    for (std::size_t c = 0; c < columns; ++c) {
        width[c] = display_width(headers_[c]);
        for (const auto& row : rows) width[c] = std::max(width[c], display_width(row[c]));
    }

    std::string out;
    const auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (std::size_t c = 0; c < columns; ++c) {
            if (c > 0) text += "  ";
            const std::size_t pad = width[c] - display_width(cells[c]);
            if (align_[c] == Align::right) {
                text.append(pad, ' ');
                text += cells[c];
            } else {
                text += cells[c];
                text.append(pad, ' ');
            }
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text;
        out += '\n';
    };

    line(headers_);
    std::vector<std::string> rule;
    rule.reserve(columns);
    for (std::size_t c = 0; c < columns; ++c) rule.emplace_back(width[c], '-');
    line(rule);
    for (const auto& row : rows) line(row);
    return out;
}

}  // namespace crm_cli
