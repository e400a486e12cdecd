// Forms (spec/domain.md `forms`, seed 000 custom_form) through the C++ API:
// fields as an array or a JSON string, every field rule, unique names, and
// the enforcement of active forms on customers' attributes (create,
// replace, update), plus the attribute index a form brings.
#include <crm/crm.hpp>

#include "support.hpp"

#include "query/list_plan.hpp"
#include "storage/store.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
using namespace crm_test;
namespace fs = std::filesystem;

namespace {

std::int64_t form_count(crm::Engine& e) { return e.list("forms").at("count").as_int64(); }

// A form whose fields are given as JSON text (an array).
json::object form(std::string_view name, std::string_view fields_json, bool active = true) {
    return json::object{{"name", name}, {"active", active}, {"fields", json::parse(fields_json)}};
}

// Creating a form with one field `field` (JSON object text): the errors.
template <class Check>
void with_field_error(crm::Engine& e, std::string_view field_json, const Fields& expected, Check&& note) {
    note(field_json);
    expect_error([&] { e.create("forms", form("F", "[" + std::string(field_json) + "]")); }, crm::Status::invalid,
                 expected);
}

constexpr std::string_view kProfileFields = R"([
    {"name": "size", "label": "Size", "type": "integer", "required": true},
    {"name": "score", "type": "number"},
    {"name": "vip", "label": "  VIP  ", "type": "boolean", "required": false},
    {"name": "born", "type": "date"},
    {"name": "color", "label": "Colour", "type": "enum", "options": ["red", "blue"]},
    {"name": "nick", "label": "", "type": "string"}
])";

}  // namespace

// --- the form itself ----------------------------------------------------------

TEST_CASE("forms: create with fields as an array returns the canonical form", "[forms]") {
    crm::Engine e(":memory:");
    const auto f = e.create("forms", form("  Profile  ", kProfileFields));
    INFO(json::serialize(f));
    CHECK(keys_of(f) == Fields{"id", "name", "active", "fields"});
    CHECK(id_of(f) >= 1);
    CHECK(f.at("name") == "Profile");
    CHECK(f.at("active") == true);
    const auto expected = json::parse(R"([
        {"name": "size", "label": "Size", "type": "integer", "required": true},
        {"name": "score", "label": null, "type": "number", "required": false},
        {"name": "vip", "label": "VIP", "type": "boolean", "required": false},
        {"name": "born", "label": null, "type": "date", "required": false},
        {"name": "color", "label": "Colour", "type": "enum", "required": false, "options": ["red", "blue"]},
        {"name": "nick", "label": null, "type": "string", "required": false}
    ])");
    CHECK(f.at("fields") == expected);
    CHECK(e.get("forms", id_of(f)) == f);
    CHECK(json::parse(e.get_text("forms", id_of(f))).as_object() == f);
    // options appear only on enum fields
    for (const auto& field : f.at("fields").as_array())
        CHECK(field.as_object().contains("options") == (field.as_object().at("type") == "enum"));
}

TEST_CASE("forms: fields may arrive as a JSON string (seed 000)", "[forms]") {
    crm::Engine e(":memory:");
    const auto as_array = e.create("forms", form("Array", kProfileFields));
    const auto as_string = e.create(
        "forms", json::object{{"name", "String"}, {"fields", std::string(kProfileFields)}});
    CHECK(as_string.at("fields") == as_array.at("fields"));
    CHECK(as_string.at("active") == true);
    // the same through update and replace
    const auto u = e.update("forms", id_of(as_string), json::object{{"fields", R"([{"name":"a","type":"string"}])"}});
    CHECK(u.at("fields") == json::parse(R"([{"name":"a","label":null,"type":"string","required":false}])"));
    const auto r = e.replace("forms", id_of(as_string), json::object{{"name", "String"}, {"fields", "[]"}});
    CHECK(r.at("fields") == json::array{});
    // fields left out or null: no fields
    CHECK(e.create("forms", json::object{{"name", "Empty"}}).at("fields") == json::array{});
    CHECK(e.create("forms", json::object{{"name", "Null"}, {"fields", nullptr}}).at("fields") == json::array{});
    // a string that is not JSON, or JSON that is not an array
    for (const char* bad : {"[", "not json", "{}", "5", "\"[]\"", ""}) {
        INFO("fields string: " << bad);
        expect_error([&] { e.create("forms", json::object{{"name", "Bad"}, {"fields", bad}}); }, crm::Status::invalid,
                     {"fields"});
    }
    // neither an array nor a string
    for (const char* bad : {"5", "{}", "true"}) {
        INFO("fields: " << bad);
        expect_error([&] { e.create("forms", json::object{{"name", "Bad"}, {"fields", json::parse(bad)}}); },
                     crm::Status::invalid, {"fields"});
    }
    // errors inside a string are named like those inside an array
    expect_error([&] {
        e.create("forms", json::object{{"name", "Bad"}, {"fields", R"([{"name":"ok","type":"string"},{"name":"x","type":"text"}])"}});
    },
                 crm::Status::invalid, {"fields[1].type"});
    CHECK(form_count(e) == 4);
}

TEST_CASE("forms: every field rule at its edge, named fields[i].key", "[forms]") {
    crm::Engine e(":memory:");
    auto note = [](std::string_view f) { UNSCOPED_INFO("field: " << f); };
    // name: an identifier, <= 64
    const std::string n64 = "a" + repeat("b", 63), n65 = n64 + "c";
    CHECK(e.create("forms", form("N64", R"([{"name":")" + n64 + R"(","type":"string"}])"))
              .at("fields")
              .as_array()[0]
              .as_object()
              .at("name") == json::value(n64));
    with_field_error(e, R"({"name":")" + n65 + R"(","type":"string"})", {"fields[0].name"}, note);
    CHECK(e.create("forms", form("Under", R"([{"name":"_x1","type":"string"},{"name":"Ab_9","type":"string"}])"))
              .at("fields")
              .as_array()
              .size() == 2);
    for (const char* bad : {"1abc", "a-b", "a b", "", "\xC3\xA9t\xC3\xA9", "a.b", "$x"})
        with_field_error(e, R"({"name":")" + std::string(bad) + R"(","type":"string"})", {"fields[0].name"}, note);
    with_field_error(e, R"({"name":5,"type":"string"})", {"fields[0].name"}, note);
    with_field_error(e, R"({"type":"string"})", {"fields[0].name"}, note);
    // distinct names
    expect_error([&] {
        e.create("forms", form("Dup", R"([{"name":"a","type":"string"},{"name":"b","type":"string"},{"name":"a","type":"integer"}])"));
    },
                 crm::Status::invalid, {"fields[2].name"});
    // label <= 200 code points; blank = null
    const std::string l200 = repeat("\xE2\x82\xAC", 200);
    CHECK(e.create("forms", form("L200", R"([{"name":"a","type":"string","label":")" + l200 + R"("}])"))
              .at("fields")
              .as_array()[0]
              .as_object()
              .at("label") == json::value(l200));
    with_field_error(e, R"({"name":"a","type":"string","label":")" + l200 + R"(x"})", {"fields[0].label"}, note);
    with_field_error(e, R"({"name":"a","type":"string","label":5})", {"fields[0].label"}, note);
    CHECK(e.create("forms", form("Blank", R"([{"name":"a","type":"string","label":"  "}])"))
              .at("fields")
              .as_array()[0]
              .as_object()
              .at("label")
              .is_null());
    // type: one of six
    for (const char* t : {"string", "integer", "number", "boolean", "date"}) {
        const auto f = e.create("forms", form(std::string("T_") + t, R"([{"name":"a","type":")" + std::string(t) + R"("}])"));
        CHECK(f.at("fields").as_array()[0].as_object().at("type") == t);
    }
    for (const char* bad : {R"("text")", R"("Integer")", R"("")", R"(1)", R"(null)"})
        with_field_error(e, R"({"name":"a","type":)" + std::string(bad) + "}", {"fields[0].type"}, note);
    with_field_error(e, R"({"name":"a"})", {"fields[0].type"}, note);
    // required: a boolean, default false
    with_field_error(e, R"({"name":"a","type":"string","required":"yes"})", {"fields[0].required"}, note);
    // options: enum only, non-empty, distinct, non-empty strings
    const auto en = e.create("forms", form("Enum", R"([{"name":"a","type":"enum","options":[" S ","M"]}])"));
    CHECK(en.at("fields").as_array()[0].as_object().at("options") == json::array{"S", "M"});
    with_field_error(e, R"({"name":"a","type":"enum"})", {"fields[0].options"}, note);
    with_field_error(e, R"({"name":"a","type":"enum","options":[]})", {"fields[0].options"}, note);
    with_field_error(e, R"({"name":"a","type":"enum","options":"S,M"})", {"fields[0].options"}, note);
    with_field_error(e, R"({"name":"a","type":"enum","options":["S","M","S"]})", {"fields[0].options[2]"}, note);
    with_field_error(e, R"({"name":"a","type":"enum","options":["S"," "]})", {"fields[0].options[1]"}, note);
    with_field_error(e, R"({"name":"a","type":"enum","options":["S",3]})", {"fields[0].options[1]"}, note);
    with_field_error(e, R"({"name":"a","type":"string","options":["S"]})", {"fields[0].options"}, note);
    // unknown keys, and a field that is not an object
    with_field_error(e, R"({"name":"a","type":"string","default":"x"})", {"fields[0].default"}, note);
    expect_error([&] { e.create("forms", form("F", R"([{"name":"a","type":"string"}, "b"])")); }, crm::Status::invalid,
                 {"fields[1]"});
    // every error of the form at once, with the form's own fields
    expect_error([&] {
        e.create("forms", json::object{{"name", ""},
                                       {"active", "maybe"},
                                       {"colour", 1},
                                       {"fields", json::parse(R"([{"name":"1a","type":"string"},
                                                                  {"name":"ok","type":"enum"},
                                                                  {"name":"ok2","type":"bool"}])")}});
    },
                 crm::Status::invalid, {"name", "active", "colour", "fields[0].name", "fields[1].options", "fields[2].type"});
    // a field dropped for a parse error does not shift the names of the next fields' errors
    expect_error([&] {
        e.create("forms", form("Shift", R"([{"name":"a","type":"bogus"},{"name":"1b","type":"string"}])"));
    },
                 crm::Status::invalid, {"fields[0].type", "fields[1].name"});
    expect_error([&] {
        e.create("forms", form("Shift", R"([5,{"name":"b","type":"enum"}])"));
    },
                 crm::Status::invalid, {"fields[0]", "fields[1].options"});
    CHECK(code_of([&] { e.create("forms", json::array{}); }) == crm::Status::invalid);
}

TEST_CASE("forms: name is trimmed, 1..100 characters, unique", "[forms]") {
    crm::Engine e(":memory:");
    const std::string n100 = repeat("\xC3\xA9", 100);
    CHECK(e.create("forms", json::object{{"name", n100}}).at("name") == json::value(n100));
    expect_error([&] { e.create("forms", json::object{{"name", n100 + "x"}}); }, crm::Status::invalid, {"name"});
    for (const char* bad : {"", "   "})
        expect_error([&] { e.create("forms", json::object{{"name", bad}}); }, crm::Status::invalid, {"name"});
    expect_error([&] { e.create("forms", json::object{}); }, crm::Status::invalid, {"name"});
    expect_error([&] { e.create("forms", json::object{{"name", 3}}); }, crm::Status::invalid, {"name"});

    const auto a = e.create("forms", json::object{{"name", "Profile"}});
    const auto b = e.create("forms", json::object{{"name", "Other"}});
    const auto before = form_count(e);
    // the same name, also after trimming: conflict naming `name`
    expect_error([&] { e.create("forms", json::object{{"name", "Profile"}}); }, crm::Status::conflict, {"name"});
    expect_error([&] { e.create("forms", json::object{{"name", " Profile\t"}}); }, crm::Status::conflict, {"name"});
    // renaming onto a taken name
    expect_error([&] { e.update("forms", id_of(b), json::object{{"name", "Profile"}}); }, crm::Status::conflict,
                 {"name"});
    expect_error([&] { e.replace("forms", id_of(b), json::object{{"name", "Profile"}}); }, crm::Status::conflict,
                 {"name"});
    CHECK(form_count(e) == before);
    CHECK(e.get("forms", id_of(b)) == b);
    // keeping one's own name is fine; a deleted form's name is free again
    CHECK(e.update("forms", id_of(a), json::object{{"name", "Profile"}, {"active", false}}).at("active") == false);
    e.remove("forms", id_of(a));
    CHECK(e.create("forms", json::object{{"name", "Profile"}}).at("name") == "Profile");
}

TEST_CASE("forms: get, replace, update, delete, list and not_found", "[forms]") {
    crm::Engine e(":memory:");
    const auto a = e.create("forms", form("A", R"([{"name":"x","type":"string"}])"));
    const auto b = e.create("forms", form("B", "[]", false));
    CHECK(b.at("active") == false);
    // replace: left-out fields return to defaults (active true, no fields)
    const auto r = e.replace("forms", id_of(b), json::object{{"name", "B2"}});
    CHECK(r.at("active") == true);
    CHECK(r.at("fields") == json::array{});
    CHECK(id_of(r) == id_of(b));
    // update merges the top level; fields are replaced as a whole
    const auto u = e.update("forms", id_of(a), json::object{{"active", false}});
    CHECK(u.at("fields") == a.at("fields"));
    CHECK(u.at("active") == false);
    CHECK(u.at("name") == "A");
    expect_error([&] { e.update("forms", id_of(a), json::object{{"label", "x"}}); }, crm::Status::invalid, {"label"});
    CHECK(code_of([&] { e.update("forms", id_of(a), json::value(1)); }) == crm::Status::invalid);

    // list: default order by id; filters on name and active
    auto p = e.list("forms");
    CHECK(p.at("count") == 2);
    CHECK(p.at("page") == 1);
    CHECK(p.at("page_size") == 50);
    REQUIRE(p.at("results").as_array().size() == 2);
    CHECK(p.at("results").as_array()[0].as_object().at("name") == "A");
    CHECK(p.at("results").as_array()[1].as_object().at("name") == "B2");
    CHECK(e.list("forms", crm::Query().where("active", true)).at("count") == 1);
    CHECK(e.list("forms", crm::Query().where("name", "A")).at("results").as_array()[0].as_object().at("id") == id_of(a));
    CHECK(e.list("forms", crm::Query().page(2).page_size(1)).at("results").as_array()[0].as_object().at("name") == "B2");
    CHECK(code_of([&] { e.list("forms", crm::Query().where("fields", "x")); }) == crm::Status::invalid);
    // typed API
    auto typed = e.forms().list();
    CHECK(typed.count == std::optional<std::int64_t>(2));
    REQUIRE(typed.results.size() == 2);
    CHECK(typed.results[0].fields.size() == 1);
    CHECK(typed.results[0].fields[0].name == "x");
    crm::Form tf;
    tf.name = "Typed";
    tf.fields.push_back({"level", std::string("Level"), crm::FormFieldType::enumeration, true, {"lo", "hi"}});
    const auto stored = e.forms().create(tf);
    CHECK(stored.id > 0);
    CHECK(stored.fields.at(0).options == std::vector<std::string>{"lo", "hi"});
    CHECK(e.get("forms", stored.id).at("fields") ==
          json::parse(R"([{"name":"level","label":"Level","type":"enum","required":true,"options":["lo","hi"]}])"));
    tf.name = "Typed";
    expect_error([&] { e.forms().create(tf); }, crm::Status::conflict, {"name"});

    for (std::int64_t bad : {std::int64_t(0), std::int64_t(-1), std::int64_t(9999)}) {
        INFO("id " << bad);
        CHECK(code_of([&] { e.get("forms", bad); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.replace("forms", bad, json::object{{"name", "Z"}}); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.update("forms", bad, json::object{}); }) == crm::Status::not_found);
        CHECK(code_of([&] { e.remove("forms", bad); }) == crm::Status::not_found);
    }
    e.remove("forms", id_of(a));
    CHECK(code_of([&] { e.get("forms", id_of(a)); }) == crm::Status::not_found);
    CHECK(form_count(e) == 2);
}

// --- enforcement on customers ----------------------------------------------------------

TEST_CASE("forms: an active form checks customers' attributes on create", "[forms][customers]") {
    crm::Engine e(":memory:");
    e.create("forms", form("Profile", kProfileFields));
    auto customer = [&](std::string_view attributes_json) {
        return e.create("customers", json::object{{"last_name", "X"}, {"attributes", json::parse(attributes_json)}});
    };
    const auto before = e.list("customers").at("count").as_int64();

    // the required field missing (attributes left out, empty, or null value)
    expect_error([&] { e.create("customers", json::object{{"last_name", "X"}}); }, crm::Status::invalid,
                 {"attributes.size"});
    expect_error([&] { customer("{}"); }, crm::Status::invalid, {"attributes.size"});
    expect_error([&] { customer(R"({"size":null})"); }, crm::Status::invalid, {"attributes.size"});
    expect_error([&] { customer(R"({"Size":3})"); }, crm::Status::invalid, {"attributes.size"});

    // just the required field; free keys are free
    const auto ok = customer(R"({"size":3,"free":[1,{"x":2}]})");
    CHECK(ok.at("attributes") == json::parse(R"({"size":3,"free":[1,{"x":2}]})"));
    // every type at its edge
    CHECK(customer(R"({"size":-2})").at("attributes").as_object().at("size") == -2);
    CHECK(customer(R"({"size":0,"score":1.5,"vip":true,"born":"2024-02-29","color":"red","nick":"n"})")
              .at("attributes")
              .as_object()
              .size() == 6);
    CHECK(customer(R"({"size":1,"score":2,"vip":false,"color":"blue","nick":""})").at("attributes").as_object().at(
              "score") == 2);

    // each wrong type alone
    const std::pair<const char*, const char*> wrong[] = {
        {R"({"size":3.5})", "attributes.size"},      {R"({"size":"3"})", "attributes.size"},
        {R"({"size":true})", "attributes.size"},     {R"({"size":[3]})", "attributes.size"},
        {R"({"size":1,"score":"1.5"})", "attributes.score"}, {R"({"size":1,"score":true})", "attributes.score"},
        {R"({"size":1,"vip":"yes"})", "attributes.vip"},     {R"({"size":1,"vip":{}})", "attributes.vip"},
        {R"({"size":1,"born":"2023-02-29"})", "attributes.born"}, {R"({"size":1,"born":"2024-2-1"})", "attributes.born"},
        {R"({"size":1,"born":20240101})", "attributes.born"},     {R"({"size":1,"born":"2024-01-01T00:00:00Z"})", "attributes.born"},
        {R"({"size":1,"color":"Red"})", "attributes.color"},      {R"({"size":1,"color":"green"})", "attributes.color"},
        {R"({"size":1,"color":1})", "attributes.color"},          {R"({"size":1,"nick":5})", "attributes.nick"},
        {R"({"size":1,"nick":["n"]})", "attributes.nick"},
    };
    for (const auto& [attrs, field] : wrong) {
        INFO("attributes " << attrs);
        expect_error([&] { customer(attrs); }, crm::Status::invalid, {field});
    }

    // every error of the customer together: its own fields and its attributes
    expect_error([&] {
        e.create("customers", parse_obj(R"({"email":"not-an-email","first_name":")" + repeat("a", 201) +
                                        R"(","gender":"x","attributes":{"size":"big","score":"high","vip":"no",
                                        "born":"soon","color":"green","nick":7,"free":1}})"));
    },
                 crm::Status::invalid,
                 {"email", "first_name", "gender", "attributes.size", "attributes.score", "attributes.vip",
                  "attributes.born", "attributes.color", "attributes.nick"});
    // the error JSON names the attribute fields exactly
    auto err = error_of([&] { customer(R"({"color":"green"})"); });
    REQUIRE(err.has_value());
    const auto ej = json::parse(err->to_json()).as_object();
    CHECK(ej.at("code") == "invalid");
    CHECK(ej.at("message") == "2 fields are invalid");
    Fields named;
    for (const auto& x : ej.at("errors").as_array()) named.insert(std::string(x.as_object().at("field").as_string()));
    CHECK(named == Fields{"attributes.size", "attributes.color"});

    // nothing was stored by the failures
    CHECK(e.list("customers").at("count").as_int64() == before + 4);
}

TEST_CASE("forms: replace and update of a customer are checked too", "[forms][customers]") {
    crm::Engine e(":memory:");
    e.create("forms", form("Profile", kProfileFields));
    const auto c = e.create("customers", parse_obj(R"({"last_name":"X","attributes":{"size":3,"color":"red"}})"));
    const auto id = id_of(c);

    // PATCH: merge patch into attributes, then checked
    expect_error([&] { e.update("customers", id, parse_obj(R"({"attributes":{"size":"big"}})")); },
                 crm::Status::invalid, {"attributes.size"});
    expect_error([&] { e.update("customers", id, parse_obj(R"({"attributes":{"size":null}})")); },
                 crm::Status::invalid, {"attributes.size"});
    expect_error([&] { e.update("customers", id, parse_obj(R"({"attributes":null})")); }, crm::Status::invalid,
                 {"attributes.size"});
    expect_error([&] {
        e.update("customers", id, parse_obj(R"({"email":"bad","attributes":{"color":"green","born":"x"}})"));
    },
                 crm::Status::invalid, {"email", "attributes.color", "attributes.born"});
    CHECK(e.get("customers", id) == c);
    const auto u = e.update("customers", id, parse_obj(R"({"attributes":{"size":4,"extra":"free"}})"));
    CHECK(u.at("attributes") == json::parse(R"({"size":4,"color":"red","extra":"free"})"));

    // PUT: the whole customer; attributes left out are {} (size missing)
    expect_error([&] { e.replace("customers", id, parse_obj(R"({"last_name":"Y"})")); }, crm::Status::invalid,
                 {"attributes.size"});
    expect_error([&] { e.replace("customers", id, parse_obj(R"({"last_name":"Y","attributes":{"size":1,"vip":1}})")); },
                 crm::Status::invalid, {"attributes.vip"});
    CHECK(e.get("customers", id) == u);
    const auto r = e.replace("customers", id, parse_obj(R"({"last_name":"Y","attributes":{"size":1,"vip":true}})"));
    CHECK(r.at("attributes") == json::parse(R"({"size":1,"vip":true})"));
    // typed API
    crm::Customer typed = e.customers().get(id);
    typed.attributes.erase("size");
    expect_error([&] { e.customers().replace(id, typed); }, crm::Status::invalid, {"attributes.size"});
    crm::Customer fresh;
    fresh.last_name = "Z";
    expect_error([&] { e.customers().create(fresh); }, crm::Status::invalid, {"attributes.size"});
    fresh.attributes["size"] = 5;
    CHECK(e.customers().create(fresh).attributes.at("size") == 5);
}

TEST_CASE("forms: inactive forms are ignored; activating one checks the next write", "[forms][customers]") {
    crm::Engine e(":memory:");
    const auto f = e.create("forms", form("Profile", kProfileFields, false));
    // inactive: nothing required, no type checked
    const auto c = e.create("customers", parse_obj(R"({"last_name":"X","attributes":{"color":"green"}})"));
    const auto plain = e.create("customers", parse_obj(R"({"last_name":"P"})"));
    CHECK(c.at("attributes") == json::parse(R"({"color":"green"})"));

    // activating does not rewrite existing customers
    e.update("forms", id_of(f), json::object{{"active", true}});
    CHECK(e.get("customers", id_of(c)) == c);
    CHECK(e.get("customers", id_of(plain)) == plain);
    // ... but their next write is checked, even one that does not touch attributes
    expect_error([&] { e.update("customers", id_of(c), json::object{{"first_name", "Ann"}}); }, crm::Status::invalid,
                 {"attributes.size", "attributes.color"});
    expect_error([&] { e.update("customers", id_of(plain), json::object{{"note", "hi"}}); }, crm::Status::invalid,
                 {"attributes.size"});
    expect_error([&] { e.create("customers", json::object{{"last_name", "New"}}); }, crm::Status::invalid,
                 {"attributes.size"});
    CHECK(e.get("customers", id_of(c)) == c);
    // a fix that satisfies the form goes through
    const auto fixed = e.update("customers", id_of(c), parse_obj(R"({"attributes":{"size":2,"color":"blue"}})"));
    CHECK(fixed.at("attributes") == json::parse(R"({"color":"blue","size":2})"));

    // deactivating lifts the rules again
    e.update("forms", id_of(f), json::object{{"active", false}});
    CHECK(e.update("customers", id_of(plain), json::object{{"note", "hi"}}).at("note") == "hi");
    CHECK(e.create("customers", parse_obj(R"({"last_name":"Free","attributes":{"size":"any"}})")).at("attributes") ==
          json::parse(R"({"size":"any"})"));
}

TEST_CASE("forms: changing a form does not rewrite customers, their next update is checked", "[forms][customers]") {
    crm::Engine e(":memory:");
    const auto f = e.create("forms", form("Profile", R"([{"name":"size","type":"integer"}])"));
    const auto c = e.create("customers", parse_obj(R"({"last_name":"X","attributes":{"size":3}})"));
    const auto none = e.create("customers", parse_obj(R"({"last_name":"N"})"));

    // size becomes a required string (seed 000 shape: fields as a string)
    e.update("forms", id_of(f), json::object{{"fields", R"([{"name":"size","type":"string","required":true}])"}});
    CHECK(e.get("customers", id_of(c)) == c);
    CHECK(e.get("customers", id_of(none)) == none);
    expect_error([&] { e.update("customers", id_of(c), json::object{{"note", "x"}}); }, crm::Status::invalid,
                 {"attributes.size"});
    expect_error([&] { e.update("customers", id_of(none), json::object{{"note", "x"}}); }, crm::Status::invalid,
                 {"attributes.size"});
    CHECK(e.update("customers", id_of(c), parse_obj(R"({"attributes":{"size":"3"}})")).at("attributes") ==
          json::parse(R"({"size":"3"})"));

    // replaced by a form with another field: size is free again, level checked
    e.replace("forms", id_of(f), form("Profile", R"([{"name":"level","type":"enum","options":["lo","hi"]}])"));
    CHECK(e.update("customers", id_of(none), json::object{{"note", "x"}}).at("note") == "x");
    CHECK(e.update("customers", id_of(c), parse_obj(R"({"attributes":{"size":[1]}})")).at("attributes") ==
          json::parse(R"({"size":[1]})"));
    expect_error([&] { e.update("customers", id_of(c), parse_obj(R"({"attributes":{"level":"mid"}})")); },
                 crm::Status::invalid, {"attributes.level"});
}

TEST_CASE("forms: deleting a form lifts its rules; several forms check together", "[forms][customers]") {
    crm::Engine e(":memory:");
    const auto a = e.create("forms", form("A", R"([{"name":"size","type":"integer","required":true}])"));
    const auto b = e.create("forms", form("B", R"([{"name":"tier","type":"enum","options":["gold"],"required":true},
                                                   {"name":"since","type":"date"}])"));
    expect_error([&] { e.create("customers", parse_obj(R"({"last_name":"X","attributes":{"since":"x"}})")); },
                 crm::Status::invalid, {"attributes.size", "attributes.tier", "attributes.since"});
    const auto ok = e.create("customers", parse_obj(R"({"last_name":"X","attributes":{"size":1,"tier":"gold"}})"));
    CHECK(ok.at("attributes").as_object().size() == 2);

    e.remove("forms", id_of(a));
    expect_error([&] { e.create("customers", parse_obj(R"({"last_name":"Y"})")); }, crm::Status::invalid,
                 {"attributes.tier"});
    CHECK(e.create("customers", parse_obj(R"({"last_name":"Y","attributes":{"size":"big","tier":"gold"}})"))
              .at("attributes")
              .as_object()
              .at("size") == "big");
    e.remove("forms", id_of(b));
    CHECK(e.create("customers", parse_obj(R"({"last_name":"Z"})")).at("attributes") == json::object{});
    CHECK(e.update("customers", id_of(ok), parse_obj(R"({"attributes":{"size":null,"tier":null}})")).at("attributes") ==
          json::object{});
}

TEST_CASE("forms: a form created by another engine on the same file is enforced", "[forms][customers]") {
    TempDir dir("forms-");
    const std::string path = (dir.path / "forms.db").string();
    crm::Engine a(path), b(path);
    CHECK(b.create("customers", parse_obj(R"({"last_name":"Before"})")).at("attributes") == json::object{});
    const auto f = a.create("forms", form("Profile", R"([{"name":"size","type":"integer","required":true}])"));
    expect_error([&] { b.create("customers", parse_obj(R"({"last_name":"After"})")); }, crm::Status::invalid,
                 {"attributes.size"});
    a.remove("forms", id_of(f));
    CHECK(b.create("customers", parse_obj(R"({"last_name":"Later"})")).at("attributes") == json::object{});
}

// --- the attribute index ------------------------------------------------------------

TEST_CASE("forms: attributes__<name> filters use customers_attr_<name> once a form declares it", "[forms][plans]") {
    TempDir dir("forms-");
    const std::string path = (dir.path / "plans.db").string();
    auto explain = [&](const json::object& q) {
        auto store = crm::storage::open_sqlite_store(path, crm::Options{});
        auto tx = store->begin(false);
        const auto plan = crm::query::plan_list(crm::query::customers_decl(), q, store->cursor_key());
        return store->explain_list(plan);
    };
    {
        crm::Engine e(path);
        for (int i = 0; i < 120; ++i)
            e.create("customers", json::object{{"last_name", "L" + std::to_string(i)},
                                               {"attributes", json::object{{"size", i % 6}, {"shade", "s" + std::to_string(i % 3)}}}});
    }
    const json::object q{{"attributes__size", 3}};
    const std::string before = explain(q);
    INFO("plan before any form:\n" << before);
    CHECK(before.find("customers_attr_size") == std::string::npos);

    crm::Engine e(path);
    e.create("forms", form("Profile", R"([{"name":"size","type":"integer"}])"));
    e.create("forms", form("Off", R"([{"name":"shade","type":"string"}])", false));
    const std::string after = explain(q);
    INFO("plan after the form:\n" << after);
    CHECK(after.find("USING INDEX customers_attr_size") != std::string::npos);
    // with another ordering and with paging, still the index
    const std::string sorted = explain(json::object{{"attributes__size", 3}, {"ordering", "-created_at"}, {"page_size", 5}});
    INFO("plan with ordering:\n" << sorted);
    CHECK(sorted.find("customers_attr_size") != std::string::npos);
    // the filter's results: every customer with size 3, as integer or text
    auto p = e.list("customers", crm::Query().where("attributes__size", 3).page_size(100));
    CHECK(p.at("count") == 20);
    for (const auto& r : p.at("results").as_array())
        CHECK(r.as_object().at("attributes").as_object().at("size") == 3);
    CHECK(e.list("customers", crm::Query().where("attributes__size", "3")).at("count") == 20);
    CHECK(e.list("customers", crm::Query().where("attributes__size", 6)).at("count") == 0);
    // the same engine sees the index too: a new customer is found at once
    e.create("customers", parse_obj(R"({"last_name":"New","attributes":{"size":3}})"));
    CHECK(e.list("customers", crm::Query().where("attributes__size", 3)).at("count") == 21);
    // a later form field gets its index as soon as its form is active
    e.create("forms", form("Later", R"([{"name":"shade2","type":"string"}])"));
    const std::string later = explain(json::object{{"attributes__shade2", "x"}});
    INFO("plan for shade2:\n" << later);
    CHECK(later.find("USING INDEX customers_attr_shade2") != std::string::npos);
}
