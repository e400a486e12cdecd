#include "storage/list_sql.hpp"

#include <crm/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace crm::storage {

namespace {

using query::Op;

const ColumnDecl& column_of(const TableDecl& t, const query::FieldDecl& f) {
    for (const auto& c : t.columns)
        if (c.field == f.name) return c;
    throw Error(Status::internal, fmt::format("{} has no column for field {}", t.table, f.name));
}

// The expression a column sorts by; never NULL, so keyset comparisons and
// row values work (NULL text sorts as '', which no stored text equals: empty
// strings are stored as NULL). `null` says what the expression makes of the
// column's NULL, so the key can be read from the column itself (nullopt:
// it cannot).
struct SortExpr {
    std::string sql;
    std::optional<SortKeySource::Null> null;
};

SortExpr sort_key(const ColumnDecl& c) {
    using Null = SortKeySource::Null;
    switch (c.kind) {
        case ColumnKind::text:
        case ColumnKind::nocase_text:
        case ColumnKind::lower_text: return {fmt::format("ifnull({}, '') COLLATE NOCASE", c.column), Null::empty_text};
        case ColumnKind::date_text: return {fmt::format("ifnull({}, '')", c.column), Null::empty_text};
        case ColumnKind::nullable_int: return {fmt::format("ifnull({}, -9223372036854775807)", c.column), Null::min_int};
        case ColumnKind::plain:
        case ColumnKind::timestamp: return {std::string(c.column), Null::stays};
        case ColumnKind::json: break;
    }
    return {std::string(c.column), std::nullopt};
}

std::string sort_expr(const ColumnDecl& c) { return sort_key(c).sql; }

class Renderer {
public:
    Renderer(const TableDecl& t, const std::set<std::string>* indexed_json_keys, bool walk_ids = false)
        : t_(t), indexed_(indexed_json_keys), walk_ids_(walk_ids) {}

    std::string where;
    std::vector<Bind> binds;

    void add(const std::string& condition) { where += (where.empty() ? "" : " AND ") + condition; }

    std::string bind(const query::Value& v) {
        std::visit(
            [&](const auto& x) {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::string>)
                    binds.emplace_back(x);
                else if constexpr (std::is_same_v<T, Date>)
                    binds.emplace_back(format_date(x));
                else
                    binds.emplace_back(static_cast<std::int64_t>(x.time_since_epoch().count()));
            },
            v);
        return "?";
    }

    std::string bind_text(std::string s) {
        binds.emplace_back(std::move(s));
        return "?";
    }

    std::string bind_list(const std::vector<query::Value>& vs) {
        std::string out;
        for (const auto& v : vs) out += (out.empty() ? "" : ", ") + bind(v);
        return out;
    }

    void filter(const query::Filter& f) {
        switch (f.op) {
            case Op::has_coupon: return add(fmt::format(fmt::runtime(t_.has_coupon_sql), bind(f.values.at(0))));
            case Op::lacks_coupon: return add(fmt::format(fmt::runtime(t_.lacks_coupon_sql), bind_list(f.values)));
            case Op::search:
                if (walk_ids_) return add("crm_in_ids(id)");
                return add(fmt::format(fmt::runtime(t_.search_sql), bind_text(match_text(f))));
            default: break;
        }
        const ColumnDecl& c = column_of(t_, *f.field);
        const std::string col(c.column);
        const bool nocase = c.kind == ColumnKind::nocase_text;
        const std::string key = sort_expr(c);  // the indexed expression of nocase columns
        switch (f.op) {
            case Op::eq:
                // `+col`: an exact (case-sensitive) check that SQLite must not
                // propagate as a constant into the indexed expression.
                if (nocase) return add(fmt::format("{} = {} AND +{} = {}", key, bind(f.values[0]), col, bind(f.values[0])));
                return add(fmt::format("{} = {}", col, bind(f.values[0])));
            case Op::ne: return add(fmt::format("{} IS NOT {}", col, bind(f.values[0])));
            case Op::in:
                if (f.values.size() == 1) return filter({f.field, Op::eq, f.values, {}});
                if (nocase)
                    return add(fmt::format("{} IN ({}) AND +{} IN ({})", key, bind_list(f.values), col, bind_list(f.values)));
                return add(fmt::format("{} IN ({})", col, bind_list(f.values)));
            case Op::not_in:
                if (f.values.size() == 1) return filter({f.field, Op::ne, f.values, {}});
                return add(fmt::format("({} IS NULL OR {} NOT IN ({}))", col, col, bind_list(f.values)));
            case Op::startswith:
            case Op::istartswith: return prefix(c, f.op == Op::istartswith, std::get<std::string>(f.values[0]));
            case Op::contains: return add(fmt::format("instr({}, {}) > 0", col, bind(f.values[0])));
            case Op::icontains: return add(fmt::format("instr(lower({}), {}) > 0", col, bind(f.values[0])));
            case Op::gt: return add(fmt::format("{} > {}", col, bind(f.values[0])));
            case Op::gte: return add(fmt::format("{} >= {}", col, bind(f.values[0])));
            case Op::lt: return add(fmt::format("{} < {}", col, bind(f.values[0])));
            case Op::lte: return add(fmt::format("{} <= {}", col, bind(f.values[0])));
            case Op::is_null: return add(fmt::format("{} IS NULL", col));
            case Op::not_null: return add(fmt::format("{} IS NOT NULL", col));
            case Op::json_eq: {
                if (c.column == "attributes" && indexed_ && indexed_->contains(f.json_key))
                    return add(fmt::format("{} = {}", attribute_expression(f.json_key), bind(f.values[0])));
                std::string path = bind_text(fmt::format("$.\"{}\"", f.json_key));  // binds in order: path, value
                std::string value = bind(f.values[0]);
                return add(fmt::format("CAST(json_extract({}, {}) AS TEXT) = {}", col, path, value));
            }
            default: break;
        }
        throw Error(Status::internal, "unhandled filter");
    }

    // Keyset branch `i` of the rows strictly after `after`: equal on the
    // first i sort keys and past it on key i (or, for i == keys.size(),
    // equal on all and past its id).
    void after(const query::ListPlan& plan, const std::vector<std::string>& keys, std::size_t i) {
        const auto& values = plan.after->sort_values;
        auto value = [&](std::size_t j) -> std::string {
            const auto& v = values[j];
            if (v.is_int64()) return bind(query::Value{v.get_int64()});
            if (v.is_string()) return bind_text(std::string(v.get_string()));
            throw InvalidError("1 field is invalid", {{"cursor", "is not a cursor of this query"}});
        };
        for (std::size_t j = 0; j < i; ++j) add(fmt::format("{} = {}", keys[j], value(j)));
        if (i < keys.size())
            add(fmt::format("{} {} {}", keys[i], plan.order[i].descending ? "<" : ">", value(i)));
        else
            add(fmt::format("id > {}", bind(query::Value{plan.after->id})));
    }

private:
    // A prefix match as a range on the column's index, plus an exact check
    // where the range is wider than the match.
    void prefix(const ColumnDecl& c, bool ignore_case, const std::string& p) {
        const std::string col(c.column);
        if (c.kind == ColumnKind::nocase_text || c.kind == ColumnKind::lower_text) {
            const std::string key = c.kind == ColumnKind::lower_text ? col : sort_expr(c);
            std::string lo = c.kind == ColumnKind::lower_text || ignore_case ? p : lower(p);
            std::string hi = prefix_upper_bound(lo);
            if (lo.empty())
                add(fmt::format("{} IS NOT NULL", col));
            else
                add(fmt::format("{} >= {}", key, bind_text(lo)));
            if (!hi.empty()) add(fmt::format("{} < {}", key, bind_text(hi)));
            if (!ignore_case && c.kind == ColumnKind::nocase_text)
                add(fmt::format("instr({}, {}) = 1", col, bind_text(p)));
            return;
        }
        if (ignore_case)
            add(fmt::format("instr(lower({}), {}) = 1", col, bind_text(p)));
        else
            add(fmt::format("instr({}, {}) = 1", col, bind_text(p)));
    }

    static std::string lower(std::string s) {
        for (char& ch : s)
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        return s;
    }

public:
    // FTS5 query: every word as a quoted prefix term, all required.
    static std::string match_text(const query::Filter& f) {
        std::string out;
        for (const auto& v : f.values) {
            std::string word = std::get<std::string>(v);
            std::string quoted;
            for (char ch : word) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
            out += (out.empty() ? "" : " AND ") + ("\"" + quoted + "\"*");
        }
        return out;
    }

private:
    const TableDecl& t_;
    const std::set<std::string>* indexed_;
    bool walk_ids_;
};

}  // namespace

std::string prefix_upper_bound(std::string_view prefix) {
    std::string hi(prefix);
    while (!hi.empty()) {
        auto last = static_cast<unsigned char>(hi.back());
        if (last < 0xFF) {
            ++last;
            // NOCASE folds A-Z to a-z: a bound byte in A-Z would compare as
            // its lower-case twin, so step over the whole range.
            if (last >= 'A' && last <= 'Z') last = '[';
            hi.back() = static_cast<char>(last);
            return hi;
        }
        hi.pop_back();
    }
    return hi;
}

std::string search_match_text(const query::Filter& search) { return Renderer::match_text(search); }

std::string attribute_expression(std::string_view name) {
    return fmt::format("CAST(json_extract(attributes, '$.\"{}\"') AS TEXT)", name);
}

RenderedList render_list(const TableDecl& table, std::string_view select_columns, const query::ListPlan& plan,
                         const std::set<std::string>* indexed_json_keys, bool walk_ids) {
    RenderedList out;
    std::vector<std::string> keys;  // the sort expressions, in order
    std::string extra;              // sort keys not read from a selected column, as result columns k0, k1...
    std::vector<std::string_view> selected;  // select_columns: "id, uuid, ..."
    for (std::size_t at = 0; at < select_columns.size();) {
        const std::size_t end = std::min(select_columns.find(',', at), select_columns.size());
        std::string_view name = select_columns.substr(at, end - at);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        selected.push_back(name);
        at = end + 1;
    }
    int next_extra = static_cast<int>(selected.size());
    for (std::size_t i = 0; i < plan.order.size(); ++i) {
        const ColumnDecl& c = column_of(table, *plan.order[i].field);
        const SortExpr key = sort_key(c);
        keys.push_back(key.sql);
        const std::optional<SortKeySource::Null> null = key.null;
        const auto at = std::find(selected.begin(), selected.end(), c.column);
        if (null && at != selected.end()) {
            out.sort_keys.push_back({static_cast<int>(at - selected.begin()), *null});
        } else {
            extra += fmt::format(", {} AS k{}", keys.back(), i);
            out.sort_keys.push_back({next_extra++, SortKeySource::Null::stays});
        }
    }
    auto order_by = [&](std::size_t from, bool outer) {
        std::string order;
        for (std::size_t i = from; i < keys.size(); ++i) {
            std::string term = outer ? fmt::format("k{}", i) : keys[i];
            if (outer && keys[i].ends_with("COLLATE NOCASE")) term += " COLLATE NOCASE";
            order += fmt::format("{} {}, ", term, plan.order[i].descending ? "DESC" : "ASC");
        }
        return order + "id ASC";
    };
    const std::int64_t rows = plan.take() + 1;  // one more row says a next page exists

    if (plan.count && !plan.filters.empty()) {
        Renderer r(table, indexed_json_keys);
        for (const auto& f : plan.filters) r.filter(f);
        out.count_sql = fmt::format("SELECT count(*) FROM {} WHERE {}", table.table, r.where);
        out.count_binds = std::move(r.binds);
    }
    if (!plan.after) {
        Renderer r(table, indexed_json_keys, walk_ids);
        for (const auto& f : plan.filters) r.filter(f);
        out.sql = fmt::format("SELECT {}{} FROM {}{}{} ORDER BY {} LIMIT ? OFFSET ?", select_columns, extra,
                              table.table, r.where.empty() ? "" : " WHERE ", r.where, order_by(0, false));
        out.binds = std::move(r.binds);
        out.binds.emplace_back(rows);
        out.binds.emplace_back(plan.skip());
    } else {
        // Keyset paging as disjoint branches, one per sort key, in page
        // order: each is a seek on an index of the keys that reads only the
        // rows still wanted, so the cost does not grow with the depth.
        for (std::size_t i = keys.size() + 1; i-- > 0;) {
            Renderer r(table, indexed_json_keys, walk_ids);
            for (const auto& f : plan.filters) r.filter(f);
            r.after(plan, keys, i);
            // Keys fixed by equality stay out of the branch's ORDER BY, so
            // SQLite sees that the index already gives the order.
            out.branches.push_back({fmt::format("SELECT {}{} FROM {} WHERE {} ORDER BY {} LIMIT ?", select_columns,
                                                extra, table.table, r.where, order_by(i, false)),
                                    std::move(r.binds)});
        }
    }
    return out;
}

}  // namespace crm::storage
