// Full-text search `q` over customers (spec/query.md): prefix words, AND,
// case and diacritics folded, CJK, email parts, phone digit groups and all
// digits joined; writes visible at once; q with filters, ordering, paging.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;
using namespace crm_test;

namespace {

using IdSet = std::set<std::int64_t>;

json::object list(crm::Engine& e, const json::object& q) {
    INFO("query: " << json::serialize(q));
    return e.list("customers", crm::Query::from_json(q));
}

// Every customer q finds (with optional other keys), checking the count.
IdSet search(crm::Engine& e, std::string_view text, json::object more = {}) {
    more["q"] = text;
    more["page_size"] = 1000;
    INFO("q: " << text);
    const auto page = list(e, more);
    const Ids ids = ids_of(page);
    CHECK(page.at("count").as_int64() == static_cast<std::int64_t>(ids.size()));
    return IdSet(ids.begin(), ids.end());
}

struct Fixture {
    crm::Engine e{":memory:"};
    std::int64_t eloise = 0, hans = 0, li = 0, ann = 0, example = 0, annette = 0, zoe = 0;
    IdSet all;

    Fixture() {
        eloise = create(R"({"first_name":"\u00c9lo\u00efse","last_name":"Dupont"})");
        hans = create(R"({"first_name":"Hans","last_name":"M\u00fcller","email":"hans.mueller@firma.de"})");
        li = create(R"({"last_name":"\u674e\u5c0f\u9f99"})");  // 李小龙
        ann = create(R"({"first_name":"Ann","last_name":"Lee","email":"ann@example.com","phone":"+33 6 12 34 56 78"})");
        example = create(R"({"kind":"company","company_name":"Example Industries"})");
        annette = create(R"({"first_name":"Annette","last_name":"Dupont","phone":"01-23-45-67-89"})");
        zoe = create(R"({"first_name":"Zo\u00eb","last_name":"\u00c5ngstr\u00f6m","phone":"(555) 010.9999"})");
        all = {eloise, hans, li, ann, example, annette, zoe};
    }
    std::int64_t create(std::string_view body) { return id_of(e.create("customers", json::parse(body))); }
};

}  // namespace

TEST_CASE("query search: diacritics and case are folded", "[customers][query][search]") {
    Fixture f;
    CHECK(search(f.e, "Eloise") == IdSet{f.eloise});
    CHECK(search(f.e, "eloise") == IdSet{f.eloise});
    CHECK(search(f.e, "ELOISE") == IdSet{f.eloise});
    CHECK(search(f.e, "\xC3\x89lo\xC3\xAFse") == IdSet{f.eloise});  // Éloïse
    CHECK(search(f.e, "\xC3\x89LO\xC3\x8FSE") == IdSet{f.eloise});  // ÉLOÏSE
    CHECK(search(f.e, "elo") == IdSet{f.eloise});
    CHECK(search(f.e, "muller") == IdSet{f.hans});
    CHECK(search(f.e, "Muller") == IdSet{f.hans});
    CHECK(search(f.e, "M\xC3\xBCller") == IdSet{f.hans});
    CHECK(search(f.e, "MULL") == IdSet{f.hans});
    CHECK(search(f.e, "angstrom") == IdSet{f.zoe});
    CHECK(search(f.e, "\xC3\x85ngstr\xC3\xB6m") == IdSet{f.zoe});
    CHECK(search(f.e, "zoe") == IdSet{f.zoe});
}

TEST_CASE("query search: CJK names", "[customers][query][search]") {
    Fixture f;
    CHECK(search(f.e, "\xE6\x9D\x8E") == IdSet{f.li});                      // 李
    CHECK(search(f.e, "\xE6\x9D\x8E\xE5\xB0\x8F") == IdSet{f.li});          // 李小
    CHECK(search(f.e, "\xE6\x9D\x8E\xE5\xB0\x8F\xE9\xBE\x99") == IdSet{f.li});  // 李小龙
    CHECK(search(f.e, "\xE7\x8E\x8B").empty());                             // 王
}

TEST_CASE("query search: prefix words, all required", "[customers][query][search]") {
    Fixture f;
    CHECK(search(f.e, "ann") == IdSet{f.ann, f.annette});
    CHECK(search(f.e, "Ann") == IdSet{f.ann, f.annette});
    CHECK(search(f.e, "anne") == IdSet{f.annette});
    CHECK(search(f.e, "annette") == IdSet{f.annette});
    CHECK(search(f.e, "annettes").empty());
    CHECK(search(f.e, "ann lee") == IdSet{f.ann});
    CHECK(search(f.e, "lee ann") == IdSet{f.ann});
    CHECK(search(f.e, "dup") == IdSet{f.eloise, f.annette});
    CHECK(search(f.e, "dupont annette") == IdSet{f.annette});
    CHECK(search(f.e, "dupont ann") == IdSet{f.annette});
    CHECK(search(f.e, "eloise dupont") == IdSet{f.eloise});
    CHECK(search(f.e, "ann zzz").empty());
    CHECK(search(f.e, "zzz").empty());
    CHECK(search(f.e, "example industries") == IdSet{f.example});
    CHECK(search(f.e, "indus") == IdSet{f.example});
    // Words are split at punctuation in the query too.
    CHECK(search(f.e, "dupont,annette") == IdSet{f.annette});
    CHECK(search(f.e, "  Lee;  ANN!  ") == IdSet{f.ann});
}

TEST_CASE("query search: email parts", "[customers][query][search]") {
    Fixture f;
    CHECK(search(f.e, "example") == IdSet{f.ann, f.example});  // an email's domain, a company name
    CHECK(search(f.e, "example.com") == IdSet{f.ann});
    CHECK(search(f.e, "ann@example.com") == IdSet{f.ann});
    CHECK(search(f.e, "firma") == IdSet{f.hans});
    CHECK(search(f.e, "mueller") == IdSet{f.hans});
    CHECK(search(f.e, "hans.mueller@firma.de") == IdSet{f.hans});
    CHECK(search(f.e, "HANS.MUELLER") == IdSet{f.hans});
    CHECK(search(f.e, "com") == IdSet{f.ann});
}

TEST_CASE("query search: phone digit groups and all digits joined", "[customers][query][search]") {
    Fixture f;
    CHECK(search(f.e, "12 34") == IdSet{f.ann});
    CHECK(search(f.e, "56") == IdSet{f.ann});
    CHECK(search(f.e, "33612345678") == IdSet{f.ann});
    CHECK(search(f.e, "3361234") == IdSet{f.ann});
    CHECK(search(f.e, "+33 6 12 34 56 78") == IdSet{f.ann});
    CHECK(search(f.e, "+33612345678") == IdSet{f.ann});
    CHECK(search(f.e, "0123456789") == IdSet{f.annette});
    CHECK(search(f.e, "01-23-45") == IdSet{f.annette});
    CHECK(search(f.e, "45 67") == IdSet{f.annette});
    CHECK(search(f.e, "5550109999") == IdSet{f.zoe});
    CHECK(search(f.e, "555") == IdSet{f.zoe});
    CHECK(search(f.e, "(555) 010.9999") == IdSet{f.zoe});
    CHECK(search(f.e, "0123456789 annette") == IdSet{f.annette});
    CHECK(search(f.e, "0123456789 ann lee").empty());
    CHECK(search(f.e, "99999").empty());
}

TEST_CASE("query search: only punctuation, or nothing, means no condition", "[customers][query][search]") {
    Fixture f;
    for (std::string_view text : {"", " ", "!!! --- ...", "@", "*", "\"", "'", "()", "-", "+", "%_", ":^{}"}) {
        INFO("q: '" << text << "'");
        CHECK(search(f.e, text) == f.all);
    }
}

TEST_CASE("query search: writes are visible to q at once", "[customers][query][search]") {
    Fixture f;
    // Update (merge patch): a new last name.
    f.e.update("customers", f.eloise, json::parse(R"({"last_name":"Martin"})"));
    CHECK(search(f.e, "martin") == IdSet{f.eloise});
    CHECK(search(f.e, "dupont") == IdSet{f.annette});
    CHECK(search(f.e, "eloise dupont").empty());
    CHECK(search(f.e, "eloise martin") == IdSet{f.eloise});

    // A new email and phone.
    f.e.update("customers", f.ann, json::parse(R"({"email":"lee@other.net"})"));
    CHECK(search(f.e, "example") == IdSet{f.example});
    CHECK(search(f.e, "other") == IdSet{f.ann});
    f.e.update("customers", f.annette, json::parse(R"({"phone":"+44 20 7946 0958"})"));
    CHECK(search(f.e, "0123456789").empty());
    CHECK(search(f.e, "442079460958") == IdSet{f.annette});
    CHECK(search(f.e, "7946") == IdSet{f.annette});

    // A name removed by the patch (null = default = none).
    f.e.update("customers", f.zoe, json::parse(R"({"first_name":null})"));
    CHECK(search(f.e, "zoe").empty());
    CHECK(search(f.e, "angstrom") == IdSet{f.zoe});

    // Full replacement.
    f.e.replace("customers", f.li, json::parse(R"({"last_name":"Bruce"})"));
    CHECK(search(f.e, "\xE6\x9D\x8E").empty());
    CHECK(search(f.e, "bruce") == IdSet{f.li});

    // Through the typed API.
    auto c = f.e.customers().get(f.example);
    c.company_name = "Sample Works";
    f.e.customers().replace(f.example, c);
    CHECK(search(f.e, "example").empty());
    CHECK(search(f.e, "sample works") == IdSet{f.example});

    // Delete.
    f.e.remove("customers", f.hans);
    CHECK(search(f.e, "muller").empty());
    CHECK(search(f.e, "firma").empty());
    f.e.customers().remove(f.annette);
    CHECK(search(f.e, "dupont").empty());
    CHECK(search(f.e, "ann") == IdSet{f.ann});

    // Create.
    const auto id = f.create(R"({"first_name":"Ann","last_name":"Dupont"})");
    CHECK(search(f.e, "ann dupont") == IdSet{id});
    // A write that does not touch the searched fields changes nothing.
    f.e.update("customers", id, json::parse(R"({"status":3,"note":"dupont"})"));
    CHECK(search(f.e, "ann dupont") == IdSet{id});
    CHECK(search(f.e, "", {{"status", 3}}) == IdSet{id});
}

TEST_CASE("query search: q with filters, ordering and paging", "[customers][query][search]") {
    Fixture f;
    CHECK(search(f.e, "dupont", {{"first_name__istartswith", "ann"}}) == IdSet{f.annette});
    CHECK(search(f.e, "ann", {{"phone__isnull", false}}) == IdSet{f.ann, f.annette});
    CHECK(search(f.e, "ann", {{"email__isnull", true}}) == IdSet{f.annette});
    CHECK(search(f.e, "ann", {{"pk__in", json::array{f.ann, f.hans}}}) == IdSet{f.ann});
    CHECK(search(f.e, "ann", {{"type", "company"}}).empty());
    CHECK(search(f.e, "example", {{"type", "company"}}) == IdSet{f.example});

    // Ordering: exact lists.
    CHECK(ids_of(list(f.e, {{"q", "ann"}, {"ordering", "-first_name"}})) == Ids{f.annette, f.ann});
    CHECK(ids_of(list(f.e, {{"q", "ann"}, {"ordering", "first_name"}})) == Ids{f.ann, f.annette});
    CHECK(ids_of(list(f.e, {{"q", "dupont"}})) == Ids{f.annette, f.eloise});  // "annette" < "Éloïse" (bytes)
    CHECK(ids_of(list(f.e, {{"q", "dupont"}, {"ordering", "-first_name"}})) == Ids{f.eloise, f.annette});
    CHECK(ids_of(list(f.e, {{"q", "dupont"}, {"sortby", "name"}, {"direction", "desc"}})) ==
          Ids{f.eloise, f.annette});

    // Paging with q: page style and a keyset walk.
    const auto p1 = list(f.e, {{"q", "dup"}, {"page_size", 1}});
    CHECK(p1.at("count") == 2);
    CHECK(ids_of(p1) == Ids{f.annette});
    REQUIRE(p1.at("next_cursor").is_string());
    const auto p2 = list(f.e, {{"q", "dup"}, {"page_size", 1}, {"cursor", p1.at("next_cursor")}});
    CHECK(p2.at("count") == 2);
    CHECK(ids_of(p2) == Ids{f.eloise});
    CHECK(p2.at("next_cursor").is_null());
    CHECK(ids_of(list(f.e, {{"q", "dup"}, {"offset", 1}, {"limit", 1}})) == Ids{f.eloise});
    // The cursor is bound to q.
    auto err = [&] {
        try {
            list(f.e, {{"q", "dupont"}, {"page_size", 1}, {"cursor", p1.at("next_cursor")}});
        } catch (const crm::Error& e) {
            return std::optional<crm::Error>(e);
        }
        return std::optional<crm::Error>();
    }();
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::invalid);
    REQUIRE(err->errors().size() == 1);
    CHECK(err->errors()[0].field == "cursor");
}

namespace {

// Every id of a listing, page after page (page style, or keyset when
// `keyset`), checking each page's count against `count`.
Ids all_pages(crm::Engine& e, json::object q, bool keyset, std::optional<std::int64_t> count) {
    Ids out;
    q["page_size"] = 25;
    for (std::int64_t page = 1;; ++page) {
        json::object p = q;
        if (!keyset) p["page"] = page;
        const auto got = list(e, p);
        if (count) CHECK(got.at("count") == *count);
        if (!count) CHECK(got.at("count").is_null());
        const Ids ids = ids_of(got);
        out.insert(out.end(), ids.begin(), ids.end());
        if (got.at("next_cursor").is_null() || ids.empty()) break;
        if (keyset) q["cursor"] = got.at("next_cursor");
        REQUIRE(page < 100);
    }
    return out;
}

}  // namespace

TEST_CASE("query search: a search matching many rows walks the ordering", "[customers][query][search]") {
    // 600 of 1,200 customers match "ann": more than 20 per wanted row of a
    // page of 25, so the page walks the ordering's index probing the
    // matches (crm_in_ids) instead of sorting them. Its pages must be those
    // of the same rows found by another filter (last_name__istartswith).
    crm::Engine e(":memory:");
    Ids expected_ids;
    for (int i = 0; i < 1200; ++i) {
        const bool match = i % 2 == 0;
        json::object c{{"last_name", (match ? "Annick" : "Bernard") + std::to_string(i % 7)},
                       {"first_name", std::string(1, static_cast<char>('a' + i % 26))}};
        if (i % 3 == 0) {
            c["kind"] = "company";
            c["company_name"] = "Co " + std::to_string(i % 5);
        }
        const std::int64_t id = id_of(e.create("customers", c));
        if (match) expected_ids.push_back(id);
    }
    for (const json::object& order : {json::object{}, json::object{{"ordering", "-first_name,last_name"}},
                                      json::object{{"sortby", "name"}, {"direction", "desc"}}}) {
        INFO("ordering: " << json::serialize(order));
        json::object oracle = order;
        oracle["last_name__istartswith"] = "ann";
        const Ids want = all_pages(e, oracle, false, 600);
        REQUIRE(want.size() == 600);
        CHECK(IdSet(want.begin(), want.end()) == IdSet(expected_ids.begin(), expected_ids.end()));
        json::object q = order;
        q["q"] = "ann";
        CHECK(all_pages(e, q, false, 600) == want);
        CHECK(all_pages(e, q, true, 600) == want);
        q["count"] = false;
        CHECK(all_pages(e, q, false, std::nullopt) == want);
        CHECK(all_pages(e, q, true, std::nullopt) == want);
        // With another filter and its count: 300 companies' rows aside.
        json::object both = order;
        both["q"] = "ann";
        both["type"] = "person";
        json::object both_oracle = oracle;
        both_oracle["type"] = "person";
        const Ids want_people = all_pages(e, both_oracle, false, 400);
        CHECK(want_people.size() == 400);
        CHECK(all_pages(e, both, false, 400) == want_people);
        CHECK(all_pages(e, both, true, 400) == want_people);
    }
}
