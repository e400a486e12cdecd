// domain::append_json_string (the read paths' JSON writer, eight bytes at a
// time) against Boost.JSON's serialiser: every byte value at every position
// of strings of 1 to 24 bytes, in runs that need no escape and beside others.
#include "domain/json_text.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <string>

namespace json = boost::json;

namespace {
std::string ours(const std::string& s) {
    std::string out;
    crm::domain::append_json_string(out, s);
    return out;
}
}  // namespace

TEST_CASE("append_json_string escapes exactly as Boost.JSON serialises", "[json]") {
    CHECK(ours("") == "\"\"");
    CHECK(ours("plain ascii, longer than eight") == "\"plain ascii, longer than eight\"");
    CHECK(ours("a\"b\\c\nd\re\tf\bg\fh\x01i\x1fj\x7fk/") == "\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001fj\x7fk/\"");
    CHECK(ours("\xc3\x89lo\xc3\xafse \xe6\x9d\x8e") == "\"\xc3\x89lo\xc3\xafse \xe6\x9d\x8e\"");
    CHECK(ours(std::string("nul\0inside", 10)) == "\"nul\\u0000inside\"");
    int checked = 0;
    for (std::size_t length = 1; length <= 24; ++length) {
        for (std::size_t at = 0; at < length; ++at) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string s(length, 'x');
                s[at] = static_cast<char>(byte);
                if (at + 9 < length) s[at + 9] = '"';  // a second escape in the next word
                const std::string want = json::serialize(json::value(json::string_view(s)));
                if (ours(s) != want) {
                    INFO("length " << length << ", byte " << byte << " at " << at);
                    CHECK(ours(s) == want);
                }
                ++checked;
            }
        }
    }
    CHECK(checked == 76800);
}

TEST_CASE("is_json_object: exactly one strict JSON object", "[json]") {
    using crm::domain::is_json_object;
    for (const char* yes : {"{}", " {} ", "\n{\"a\":[1,2,{\"b\":null}]}\t", R"({"a":"é","b":1.5E0,"c":-9223372036854775808})",
                            R"({"k":{"k":{"k":{}}}})"}) {
        INFO("text: " << yes);
        CHECK(is_json_object(yes));
    }
    for (const char* no : {"", " ", "[]", "1", "\"{}\"", "null", "{", "{}}", "{} {}", "{}x", R"({"a":1,})",
                           "{\"a\":\"\xff\"}", "{'a':1}", "{\"a\":1 /* c */}", "{\"a\":\x01}"}) {
        INFO("text: " << no);
        CHECK_FALSE(is_json_object(no));
    }
    // As deep as stored JSON may be (128 levels), and no deeper.
    auto nested = [](int levels) {
        std::string s;
        for (int i = 0; i < levels; ++i) s += "{\"k\":";
        s += "1";
        for (int i = 0; i < levels; ++i) s += "}";
        return s;
    };
    CHECK(is_json_object(nested(128)));
    CHECK_FALSE(is_json_object(nested(129)));
    // The parser is kept between calls: a failure leaves nothing behind.
    CHECK_FALSE(is_json_object("{\"a\":[1,"));
    CHECK(is_json_object("{\"a\":[1]}"));
}
