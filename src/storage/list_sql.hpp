// storage/list_sql.hpp - renders a ListPlan to SQLite SQL.
//
// Identifiers come only from a table's fixed column declarations (below, as
// data); every value is a bound parameter.
#pragma once

#include "query/list_plan.hpp"

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace crm::storage {

/// How a field is stored, which decides how it sorts and matches.
enum class ColumnKind {
    plain,        ///< integers, booleans (0/1), NOT NULL or compared as is
    text,         ///< text, no index
    nocase_text,  ///< text sorted and indexed as ifnull(col, '') COLLATE NOCASE
    lower_text,   ///< text stored lower-case with a binary index (email)
    date_text,    ///< 'YYYY-MM-DD'
    timestamp,    ///< integer microseconds, NOT NULL
    nullable_int, ///< an integer or timestamp that may be NULL: sorts as ifnull(col, min)
    json,         ///< a JSON object as text
};

struct ColumnDecl {
    std::string_view field;   ///< the query layer's field name
    std::string_view column;  ///< the SQL column
    ColumnKind kind;
};

struct TableDecl {
    std::string_view table;
    std::span<const ColumnDecl> columns;
    /// Fixed SQL for the collection-specific filters ("" when the table has none).
    std::string_view has_coupon_sql;   ///< "id IN (... code = ?)"
    std::string_view lacks_coupon_sql; ///< "id NOT IN (... code IN (" + placeholders + "))"
    std::string_view search_sql;       ///< "id IN (... MATCH ?)"
    std::string_view search_ids_sql;   ///< "SELECT rowid FROM <fts> WHERE <fts> MATCH ? ORDER BY rowid"
};

using Bind = std::variant<std::nullptr_t, std::int64_t, std::string>;

/// One SELECT of a keyset page; its last parameter (not in `binds`) is the
/// LIMIT, the number of rows still wanted.
struct Branch {
    std::string sql;
    std::vector<Bind> binds;
};

/// The result column holding a sort key's value, and what NULL there stands
/// for: a key on a selected column is read from it (SQLite would compute the
/// key's expression for every row if it were a result column of its own).
struct SortKeySource {
    enum class Null { stays, empty_text, min_int };
    int column = 0;
    Null null = Null::stays;
};

struct RenderedList {
    std::string sql;         ///< SELECT columns..., sort keys... (take + 1 rows); empty for keyset
    std::vector<Bind> binds;
    /// Keyset pages: disjoint SELECTs, in page order, run one after another
    /// until take + 1 rows are in hand.
    std::vector<Branch> branches;
    std::string count_sql;   ///< empty when the plan skips counting or no filter applies
    std::vector<Bind> count_binds;
    /// Where a row holds the value of each sort key (for the cursor after it).
    std::vector<SortKeySource> sort_keys;
};

/// The SELECT of one page of `plan` and, when filtered, its count.
/// `indexed_json_keys`: JSON keys (identifiers) of `attributes` that have an
/// expression index; their filters are written as that index's expression.
/// `walk_ids`: the search matches many rows, and the store holds their ids:
/// the page then walks the ordering's index and probes each id in them,
/// stopping after a page, instead of sorting them all. The SQL calls
/// `crm_in_ids(id)`, which the store registers and answers from those ids
/// while the statement runs.
RenderedList render_list(const TableDecl& table, std::string_view select_columns, const query::ListPlan& plan,
                         const std::set<std::string>* indexed_json_keys = nullptr,
                         bool walk_ids = false);

/// The FTS5 query of a `q` filter: every word a quoted prefix term, all required.
std::string search_match_text(const query::Filter& search);

/// The indexed expression of attributes.<name>, for an identifier `name`.
std::string attribute_expression(std::string_view name);

/// The smallest string above every string starting with `prefix` under
/// NOCASE and binary comparison; empty when there is none.
std::string prefix_upper_bound(std::string_view prefix);

}  // namespace crm::storage
