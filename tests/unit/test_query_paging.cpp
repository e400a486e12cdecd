// Paging at scale and keyset cursors (spec/query.md): every style gives every
// id exactly once in the same order, counts are right on every page,
// next_cursor is null exactly on the last page, cursors survive concurrent
// inserts, and a cursor used with another query or altered is refused.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace json = boost::json;
using namespace crm_test;

namespace {

// What the orderings under test sort by.
struct Row {
    std::int64_t id;
    std::optional<std::string> company, last, first;
    crm::Timestamp created_at;
};

// SQLite NOCASE: ASCII letters folded, then bytes; null as "" (nulls first).
std::string nocase(const std::optional<std::string>& s) {
    std::string out = s.value_or("");
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// -1, 0, 1
int cmp_text(const std::optional<std::string>& a, const std::optional<std::string>& b) {
    const int c = nocase(a).compare(nocase(b));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

enum class Ordering { by_default, created_desc, last_asc_first_desc };

const char* ordering_text(Ordering o) {
    switch (o) {
        case Ordering::by_default: return "";
        case Ordering::created_desc: return "-created_at";
        case Ordering::last_asc_first_desc: return "last_name,-first_name";
    }
    return "";
}

bool before(Ordering o, const Row& a, const Row& b) {
    int c = 0;
    switch (o) {
        case Ordering::by_default:
            c = cmp_text(a.company, b.company);
            if (c == 0) c = cmp_text(a.last, b.last);
            if (c == 0) c = cmp_text(a.first, b.first);
            break;
        case Ordering::created_desc:
            c = a.created_at > b.created_at ? -1 : a.created_at < b.created_at ? 1 : 0;
            break;
        case Ordering::last_asc_first_desc:
            c = cmp_text(a.last, b.last);
            if (c == 0) c = -cmp_text(a.first, b.first);
            break;
    }
    if (c != 0) return c < 0;
    return a.id < b.id;  // the tie-breaker, always ascending
}

Ids expected_order(Ordering o, std::vector<Row> rows) {
    std::sort(rows.begin(), rows.end(), [o](const Row& a, const Row& b) { return before(o, a, b); });
    Ids ids;
    for (const auto& r : rows) ids.push_back(r.id);
    return ids;
}

crm::Query with_ordering(crm::Query q, Ordering o) {
    if (*ordering_text(o)) q.ordering(ordering_text(o));
    return q;
}

// Many equal names (differing only in case too), nulls, a few companies.
crm::Customer sample(int i) {
    static const std::optional<std::string> kLast[] = {"Smith", "smith", "SMITH", "Jones", std::nullopt,
                                                       "Brown", "Ng",    "O'Neil", "M\xC3\xBCller"};
    static const std::optional<std::string> kFirst[] = {"Ann", "ann", "Bob", std::nullopt, "Zoe", "bob"};
    static const std::optional<std::string> kCompany[] = {"Acme", "acme", "Beta"};
    crm::Customer c;
    c.last_name = kLast[i % 9];
    c.first_name = kFirst[(i / 9) % 6];
    if (i % 7 == 0) c.company_name = kCompany[(i / 7) % 3];
    if (!c.first_name && !c.last_name && !c.company_name) c.first_name = "Solo";
    return c;
}

Row row_of(const crm::Customer& c) { return {c.id, c.company_name, c.last_name, c.first_name, c.created_at}; }

using crm_test::ids_of;

Ids ids_of(const crm::Page<crm::Customer>& p) {
    Ids out;
    for (const auto& c : p.results) out.push_back(c.id);
    return out;
}

// Pages through everything in one style; checks count and next_cursor on
// every page. Styles: page/page_size, offset/limit, cursor + page_size,
// cursor + limit.
enum class Style { page, offset, cursor_page_size, cursor_limit };

const char* style_name(Style s) {
    switch (s) {
        case Style::page: return "page/page_size";
        case Style::offset: return "offset/limit";
        case Style::cursor_page_size: return "cursor + page_size";
        case Style::cursor_limit: return "cursor + limit";
    }
    return "";
}

Ids page_through(crm::Engine& e, Ordering o, Style style, std::int64_t per_page, std::int64_t total) {
    Ids out;
    std::optional<std::string> cursor;
    const std::int64_t pages = (total + per_page - 1) / per_page;
    for (std::int64_t n = 1;; ++n) {
        INFO("style " << style_name(style) << ", ordering '" << ordering_text(o) << "', page " << n);
        REQUIRE(n <= pages + 1);
        crm::Query q = with_ordering(crm::Query(), o);
        switch (style) {
            case Style::page: q.page(n).page_size(per_page); break;
            case Style::offset: q.offset((n - 1) * per_page).limit(per_page); break;
            case Style::cursor_page_size:
                if (cursor) q.cursor(*cursor);
                q.page_size(per_page);
                break;
            case Style::cursor_limit:
                if (cursor) q.cursor(*cursor);
                q.limit(per_page);
                break;
        }
        const auto p = e.customers().list(q);
        REQUIRE(p.count.has_value());
        CHECK(*p.count == total);
        const Ids ids = ids_of(p);
        out.insert(out.end(), ids.begin(), ids.end());
        const bool last = n == pages;
        CHECK(static_cast<std::int64_t>(ids.size()) == (last ? total - (pages - 1) * per_page : per_page));
        CHECK(p.next_cursor.has_value() == !last);
        // The paging keys echoed.
        if (style == Style::page || (style == Style::cursor_page_size && !cursor)) {
            CHECK(p.page == n);
            CHECK(p.page_size == per_page);
            CHECK_FALSE(p.offset.has_value());
            CHECK_FALSE(p.limit.has_value());
        } else if (style == Style::offset || (style == Style::cursor_limit && !cursor)) {
            CHECK(p.offset == (n - 1) * per_page);
            CHECK(p.limit == per_page);
            CHECK_FALSE(p.page.has_value());
            CHECK_FALSE(p.page_size.has_value());
        } else if (style == Style::cursor_page_size) {
            CHECK(p.page_size == per_page);
            CHECK_FALSE(p.limit.has_value());
            CHECK_FALSE(p.page.has_value());
            CHECK_FALSE(p.offset.has_value());
        } else {
            CHECK(p.limit == per_page);
            CHECK_FALSE(p.page_size.has_value());
            CHECK_FALSE(p.page.has_value());
            CHECK_FALSE(p.offset.has_value());
        }
        if (last) break;
        REQUIRE(p.next_cursor.has_value());
        cursor = p.next_cursor;
    }
    return out;
}

// The query is refused as invalid; returns the names of the fields it blames.
Fields refused(crm::Engine& e, const json::object& q) {
    INFO("query: " << json::serialize(q));
    return field_names(list_refused(e, q));
}

std::string fmt_late(std::int64_t n) {
    std::string digits = std::to_string(n);
    return "zzz " + std::string(digits.size() < 4 ? 4 - digits.size() : 0, '0') + digits;
}

}  // namespace

TEST_CASE("query paging: 10,000 customers, every style and ordering gives every id once, in order",
          "[customers][query][paging][slow]") {
    constexpr std::int64_t kTotal = 10000, kPer = 100;
    TempDb db("paging");
    crm::Engine e(db.path);
    std::vector<Row> rows;
    rows.reserve(kTotal);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kTotal; ++i) rows.push_back(row_of(e.customers().create(sample(i))));
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    INFO("created " << kTotal << " customers in " << secs << " s");
    REQUIRE(e.customers().list(crm::Query().page_size(1)).count == kTotal);

    for (Ordering o : {Ordering::by_default, Ordering::created_desc, Ordering::last_asc_first_desc}) {
        INFO("ordering '" << ordering_text(o) << "'");
        const Ids expected = expected_order(o, rows);
        const Ids by_offset = page_through(e, o, Style::offset, kPer, kTotal);
        CHECK(by_offset == expected);
        CHECK(std::set<std::int64_t>(by_offset.begin(), by_offset.end()).size() == static_cast<std::size_t>(kTotal));
        for (Style s : {Style::page, Style::cursor_page_size, Style::cursor_limit}) {
            INFO("style " << style_name(s));
            CHECK(page_through(e, o, s, kPer, kTotal) == by_offset);
        }
    }
}

TEST_CASE("query paging: a filtered keyset walk counts the filtered rows on every page",
          "[customers][query][paging][cursor]") {
    crm::Engine e(":memory:");
    Ids smiths;
    std::vector<Row> rows;
    for (int i = 0; i < 120; ++i) {
        auto c = e.customers().create(sample(i));
        if (c.last_name && nocase(c.last_name) == "smith") rows.push_back(row_of(c));
    }
    const Ids expected = expected_order(Ordering::last_asc_first_desc, rows);
    REQUIRE(expected.size() == 42);
    Ids got;
    std::optional<std::string> cursor;
    for (int n = 0; n < 5; ++n) {
        crm::Query q = crm::Query().where("last_name__istartswith", "SMITH").ordering("last_name,-first_name").page_size(7);
        if (cursor) q.cursor(*cursor);
        const auto p = e.customers().list(q);
        CHECK(p.count == 42);
        const Ids ids = ids_of(p);
        got.insert(got.end(), ids.begin(), ids.end());
        if (!p.next_cursor) break;
        cursor = p.next_cursor;
    }
    CHECK(got == Ids(expected.begin(), expected.begin() + 35));
    // The walk goes on to the end: 42 rows, the last page full, with no next_cursor.
    const auto last = e.customers().list(
        crm::Query().where("last_name__istartswith", "SMITH").ordering("last_name,-first_name").page_size(7).cursor(*cursor));
    CHECK(ids_of(last) == Ids(expected.begin() + 35, expected.end()));
    CHECK_FALSE(last.next_cursor.has_value());
}

TEST_CASE("query paging: keyset pages stay exact while rows are inserted between pages",
          "[customers][query][paging][cursor]") {
    crm::Engine e(":memory:");
    std::vector<Row> rows;
    for (int i = 0; i < 600; ++i) rows.push_back(row_of(e.customers().create(sample(i))));

    Ids got;
    std::vector<Row> inserted_after;  // rows inserted after the cursor: they must come
    Ids inserted_before;              // rows inserted before it: they must not
    std::optional<std::string> cursor;
    std::int64_t total = 600;
    std::int64_t n = 0;
    for (;; ++n) {
        INFO("page " << n + 1);
        REQUIRE(n < 200);
        crm::Query q = crm::Query().page_size(50);
        if (cursor) q.cursor(*cursor);
        const auto p = e.customers().list(q);
        CHECK(p.count == total);
        const Ids ids = ids_of(p);
        got.insert(got.end(), ids.begin(), ids.end());
        if (!p.next_cursor) break;
        cursor = p.next_cursor;
        REQUIRE_FALSE(p.results.empty());
        const crm::Customer& last = p.results.back();

        const Row cursor_row = row_of(last);
        auto add = [&](const crm::Customer& c) {
            const Row r = row_of(e.customers().create(c));
            if (before(Ordering::by_default, cursor_row, r))
                inserted_after.push_back(r);
            else
                inserted_before.push_back(r.id);
            return r;
        };
        // Equal sort keys and a larger id: just after the cursor.
        crm::Customer twin;
        twin.company_name = last.company_name;
        twin.last_name = last.last_name;
        twin.first_name = last.first_name;
        const Row t = add(twin);
        CHECK(before(Ordering::by_default, cursor_row, t));
        // Sorts after every original row (company names sort after nulls).
        crm::Customer late;
        late.company_name = fmt_late(n);
        add(late);
        // Sorts first: no company, no last name, a first name before every other.
        crm::Customer early;
        early.first_name = "AAA " + std::to_string(n);
        const Row a = add(early);
        CHECK_FALSE(before(Ordering::by_default, cursor_row, a));
        total += 3;
    }
    std::vector<Row> all_after = rows;
    all_after.insert(all_after.end(), inserted_after.begin(), inserted_after.end());
    const Ids expected = expected_order(Ordering::by_default, all_after);
    CHECK(got == expected);
    CHECK(std::set<std::int64_t>(got.begin(), got.end()).size() == got.size());
    for (auto id : inserted_before) CHECK(std::find(got.begin(), got.end(), id) == got.end());
    CHECK(n >= 12);
}

TEST_CASE("query paging: with -created_at, rows inserted during a keyset walk come iff they sort after the cursor",
          "[customers][query][paging][cursor]") {
    // created_at has whole seconds: rows created in the same second tie and
    // are ordered by id, so a new row may sort after the cursor.
    crm::Engine e(":memory:");
    std::vector<Row> rows;
    for (int i = 0; i < 95; ++i) rows.push_back(row_of(e.customers().create(sample(i))));
    Ids got, not_expected;
    std::optional<std::string> cursor;
    for (int n = 0; n < 40; ++n) {
        crm::Query q = crm::Query().ordering("-created_at").limit(10);
        if (cursor) q.cursor(*cursor);
        const auto p = e.customers().list(q);
        const Ids ids = ids_of(p);
        got.insert(got.end(), ids.begin(), ids.end());
        if (!p.next_cursor) break;
        cursor = p.next_cursor;
        const Row r = row_of(e.customers().create(sample(n)));
        if (before(Ordering::created_desc, row_of(p.results.back()), r))
            rows.push_back(r);
        else
            not_expected.push_back(r.id);
    }
    CHECK(got == expected_order(Ordering::created_desc, rows));
    for (auto id : not_expected) CHECK(std::find(got.begin(), got.end(), id) == got.end());
}

TEST_CASE("query paging: count false gives a null count in every style, same rows", "[customers][query][paging]") {
    crm::Engine e(":memory:");
    for (int i = 0; i < 30; ++i) e.customers().create(sample(i));
    const auto with = e.list("customers", crm::Query().page_size(10));
    const auto without = e.list("customers", crm::Query().page_size(10).count(false));
    CHECK(with.at("count") == 30);
    CHECK(without.at("count").is_null());
    CHECK(ids_of(without) == ids_of(with));

    const auto off = e.list("customers", crm::Query().offset(10).limit(10).count(false));
    CHECK(off.at("count").is_null());
    CHECK(ids_of(off) == ids_of(e.list("customers", crm::Query().page(2).page_size(10))));

    // count is not part of what a cursor is bound to.
    const std::string c = std::string(with.at("next_cursor").as_string());
    const auto next = e.list("customers", crm::Query().cursor(c).page_size(10).count(false));
    CHECK(next.at("count").is_null());
    CHECK(ids_of(next) == ids_of(off));
    const auto next_counted = e.list("customers", crm::Query().cursor(c).page_size(10));
    CHECK(next_counted.at("count") == 30);
    CHECK(ids_of(next_counted) == ids_of(off));

    // Filtered, too.
    const auto f = e.list("customers", crm::Query().where("last_name", "Smith").count(false));
    CHECK(f.at("count").is_null());
    CHECK(ids_of(f).size() == 4);  // i = 0, 9, 18, 27
    CHECK(e.customers().list(crm::Query().where("last_name", "Smith").count(false)).count == std::nullopt);
}

TEST_CASE("query paging: next_cursor is null on the last page and present before it, in every style",
          "[customers][query][paging][cursor]") {
    crm::Engine e(":memory:");
    std::vector<Row> rows;
    for (int i = 0; i < 25; ++i) rows.push_back(row_of(e.customers().create(sample(i))));
    for (Ordering o : {Ordering::by_default, Ordering::created_desc, Ordering::last_asc_first_desc})
        for (Style s : {Style::page, Style::offset, Style::cursor_page_size, Style::cursor_limit}) {
            INFO("ordering '" << ordering_text(o) << "' style " << style_name(s));
            CHECK(page_through(e, o, s, 10, 25) == expected_order(o, rows));
            // Exactly full pages: the last full page has no next_cursor.
            CHECK(page_through(e, o, s, 5, 25).size() == 25);
            CHECK(page_through(e, o, s, 25, 25).size() == 25);
        }
    // An empty collection: one page, no cursor.
    crm::Engine empty(":memory:");
    const auto p = empty.list("customers", {});
    CHECK(p.at("next_cursor").is_null());
    CHECK(p.at("count") == 0);
    // Past the end in page style: no cursor either.
    CHECK(e.list("customers", crm::Query().page(4).page_size(10)).at("next_cursor").is_null());
    CHECK(e.list("customers", crm::Query().offset(25).limit(10)).at("next_cursor").is_null());
    CHECK(e.list("customers", crm::Query().offset(24).limit(10)).at("next_cursor").is_null());
    CHECK(e.list("customers", crm::Query().offset(14).limit(10)).at("next_cursor").is_string());
}

TEST_CASE("query paging: a cursor is bound to its filters and ordering", "[customers][query][paging][cursor]") {
    crm::Engine e(":memory:");
    for (int i = 0; i < 40; ++i) e.customers().create(sample(i));

    const auto first = e.list("customers", crm::Query::from_json(json::parse(
                                               R"({"last_name__istartswith":"s","status":0,"ordering":"-first_name",
                                                   "page_size":5})")));
    REQUIRE(first.at("next_cursor").is_string());
    const std::string c(first.at("next_cursor").as_string());
    const auto expected_next =
        ids_of(e.list("customers", crm::Query::from_json(json::parse(
                                       R"({"last_name__istartswith":"s","status":0,"ordering":"-first_name",
                                           "page":2,"page_size":5})"))));
    REQUIRE(expected_next.size() == 5);

    auto with = [&](std::string_view rest) {
        json::object q = json::parse(rest).as_object();
        q["cursor"] = c;
        return q;
    };
    // The same query, keys in another order, other paging sizes, count off: accepted.
    CHECK(ids_of(e.list("customers", crm::Query::from_json(with(
                                         R"({"ordering":"-first_name","status":0,"last_name__istartswith":"s",
                                             "page_size":5})")))) == expected_next);
    CHECK(ids_of(e.list("customers", crm::Query::from_json(with(
                                         R"({"ordering":"-first_name","status":0,"last_name__istartswith":"s",
                                             "limit":5,"count":false})")))) == expected_next);
    CHECK(ids_of(e.list("customers",
                        crm::Query::from_json(with(R"({"ordering":"-first_name","status":0,"last_name__istartswith":"s",
                                                     "page_size":2})")))) ==
          Ids(expected_next.begin(), expected_next.begin() + 2));

    // Another filter value, a filter more or less, another ordering: invalid "cursor".
    for (const char* other : {
             R"({"last_name__istartswith":"sm","status":0,"ordering":"-first_name"})",
             R"({"last_name__istartswith":"s","status":1,"ordering":"-first_name"})",
             R"({"last_name__istartswith":"s","ordering":"-first_name"})",
             R"({"last_name__istartswith":"s","status":0,"ordering":"-first_name","is_active":true})",
             R"({"last_name__istartswith":"s","status":0,"ordering":"first_name"})",
             R"({"last_name__istartswith":"s","status":0})",
             R"({"last_name__istartswith":"s","status":0,"sortby":"name"})",
             R"({"status":0,"ordering":"-first_name"})",
             R"({})",
         }) {
        INFO("other query: " << other);
        CHECK(refused(e, with(other)) == Fields{"cursor"});
    }
    // A cursor cannot be combined with page or offset; limit and page_size not together.
    const char* base = R"({"last_name__istartswith":"s","status":0,"ordering":"-first_name",)";
    CHECK(refused(e, with(std::string(base) + R"("page":2})")) == Fields{"page"});
    CHECK(refused(e, with(std::string(base) + R"("offset":5})")) == Fields{"offset"});
    CHECK(refused(e, with(std::string(base) + R"("limit":5,"page_size":5})")) == Fields{"limit"});
}

TEST_CASE("query paging: altered cursors are invalid, never a crash", "[customers][query][paging][cursor]") {
    crm::Engine e(":memory:");
    for (int i = 0; i < 30; ++i) e.customers().create(sample(i));
    const json::object q = json::parse(R"({"ordering":"last_name,-first_name","page_size":10})").as_object();
    const auto first = e.list("customers", crm::Query::from_json(q));
    REQUIRE(first.at("next_cursor").is_string());
    const std::string good(first.at("next_cursor").as_string());
    const Ids second = ids_of(e.list("customers", crm::Query::from_json(json::parse(
                                                      R"({"ordering":"last_name,-first_name","page":2,"page_size":10})"))));

    auto with_cursor = [&](json::value c) {
        json::object out = q;
        out["cursor"] = std::move(c);
        return out;
    };
    // The genuine one works.
    CHECK(ids_of(e.list("customers", crm::Query::from_json(with_cursor(json::value(good))))) == second);

    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::vector<std::string> bad;
    // Each character in turn replaced by one differing in its high bit.
    for (std::size_t i = 0; i < good.size(); ++i) {
        std::string s = good;
        const auto pos = kAlphabet.find(s[i]);
        REQUIRE(pos != std::string_view::npos);
        s[i] = kAlphabet[pos ^ 32];
        bad.push_back(s);
    }
    bad.push_back(good.substr(0, good.size() - 1));
    bad.push_back(good.substr(0, good.size() - 2));
    bad.push_back(good.substr(0, good.size() - 4));
    bad.push_back(good.substr(0, good.size() / 2));
    bad.push_back(good.substr(1));
    bad.push_back(good.substr(4));
    bad.push_back(good + "A");
    bad.push_back(good + "AA");
    bad.push_back(good + "AAAA");
    bad.push_back(good + "=");
    bad.push_back(good + "==");
    bad.push_back(" " + good);
    bad.push_back(good + " ");
    bad.push_back(good + good);
    bad.push_back(std::string(good.rbegin(), good.rend()));
    bad.push_back("");
    bad.push_back("A");
    bad.push_back("AAAA");
    bad.push_back("AAAAAAAAAAAAAAAA");
    bad.push_back("not a cursor");
    bad.push_back("eyJrIjpbXSwiaWQiOjF9");  // base64 of {"k":[],"id":1}, no tag
    bad.push_back(std::string(10000, 'A'));
    bad.push_back(std::string("ab\0cd", 5));
    bad.push_back("\xff\xfe\xfd");
    std::mt19937 rng(12345);
    for (int n = 0; n < 200; ++n) {
        std::string s;
        const std::size_t len = 1 + rng() % 120;
        for (std::size_t i = 0; i < len; ++i) s += kAlphabet[rng() % 64];
        bad.push_back(s);
    }
    for (const auto& s : bad) {
        INFO("cursor: '" << s << "'");
        CHECK(refused(e, with_cursor(json::value(json::string(s.data(), s.size())))) == Fields{"cursor"});
    }
    // Not a string at all.
    for (const json::value& v : {json::value(5), json::value(true), json::value(json::array{good.c_str()}),
                                 json::value(json::object{{"cursor", good}})}) {
        INFO("cursor: " << json::serialize(v));
        CHECK(refused(e, with_cursor(v)) == Fields{"cursor"});
    }
    // The data is still there and a good cursor still works.
    CHECK(ids_of(e.list("customers", crm::Query::from_json(with_cursor(json::value(good))))) == second);
    CHECK(e.list("customers", {}).at("count") == 30);
}

TEST_CASE("query paging: a cursor with a non-canonical last base64 character is invalid",
          "[customers][query][paging][cursor]") {
    // base64url without padding: when the length is not a multiple of 4, the
    // last character carries unused low bits. Setting them alters the
    // cursor; an altered cursor must be refused like any other.
    crm::Engine e(":memory:");
    for (int i = 0; i < 30; ++i) e.customers().create(sample(i));
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // Find a page whose cursor has unused bits (length % 4 of 2 or 3).
    std::optional<std::string> cursor;
    json::object q;
    for (int size = 1; size <= 12 && !cursor; ++size) {
        q = json::object{{"page_size", size}};
        const auto p = e.list("customers", crm::Query::from_json(q));
        const std::string c(p.at("next_cursor").as_string());
        if (c.size() % 4 == 2 || c.size() % 4 == 3) cursor = c;
    }
    REQUIRE(cursor.has_value());
    std::string s = *cursor;
    const auto pos = kAlphabet.find(s.back());
    REQUIRE(pos != std::string_view::npos);
    s.back() = kAlphabet[pos ^ 1];  // the lowest bit: never part of a byte here
    json::object bad = q;
    bad["cursor"] = s;
    CHECK(refused(e, bad) == Fields{"cursor"});
}

TEST_CASE("query paging: a cursor from another database is invalid", "[customers][query][paging][cursor]") {
    crm::Engine a(":memory:");
    crm::Engine b(":memory:");
    TempDb db("other");
    crm::Engine c(db.path);
    for (int i = 0; i < 12; ++i) {
        a.customers().create(sample(i));
        b.customers().create(sample(i));
        c.customers().create(sample(i));
    }
    const json::object q{{"page_size", 5}};
    const std::string from_a(a.list("customers", crm::Query::from_json(q)).at("next_cursor").as_string());
    const std::string from_c(c.list("customers", crm::Query::from_json(q)).at("next_cursor").as_string());
    json::object qa = q;
    qa["cursor"] = from_a;
    json::object qc = q;
    qc["cursor"] = from_c;
    CHECK(refused(b, qa) == Fields{"cursor"});
    CHECK(refused(c, qa) == Fields{"cursor"});
    CHECK(refused(a, qc) == Fields{"cursor"});
    // Each in its own database works, and keeps working after reopening the file.
    CHECK(ids_of(a.list("customers", crm::Query::from_json(qa))).size() == 5);
    const Ids in_c = ids_of(c.list("customers", crm::Query::from_json(qc)));
    CHECK(in_c.size() == 5);
    c = crm::Engine(db.path);
    CHECK(ids_of(c.list("customers", crm::Query::from_json(qc))) == in_c);
}
