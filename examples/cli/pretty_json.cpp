// pretty_json.cpp - see pretty_json.hpp for why this exists.
#include "pretty_json.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <fmt/core.h>

#include <cstddef>

namespace crm_cli {
namespace {

constexpr std::size_t indent_step = 2;

void write(std::string& out, const boost::json::value& jv, std::size_t depth) {
    const auto newline = [&out](std::size_t level) {
        out += '\n';
        out.append(level * indent_step, ' ');
    };

    if (const auto* obj = jv.if_object()) {
        if (obj->empty()) {
            out += "{}";
            return;
        }
        out += '{';
        bool first = true;
        for (const auto& member : *obj) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            // serialize() of a json::string gives the quoted, escaped key.
            out += boost::json::serialize(boost::json::string(member.key()));
            out += ": ";
            write(out, member.value(), depth + 1);
        }
        newline(depth);
        out += '}';
    } else if (const auto* arr = jv.if_array()) {
        if (arr->empty()) {
            out += "[]";
            return;
        }
        out += '[';
        bool first = true;
        for (const auto& element : *arr) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            write(out, element, depth + 1);
        }
        newline(depth);
        out += ']';
    } else if (jv.is_double()) {
        // serialize() writes 1.5 as "1.5E0"; fmt gives the shortest text
        // that reads back to the same double ("1.5", "1e+300"). A whole
        // number keeps a ".0" so that it still reads back as a double.
        const std::string text = fmt::format("{}", jv.get_double());
        out += text;
        if (text.find_first_not_of("-0123456789") == std::string::npos) out += ".0";
    } else {
        out += boost::json::serialize(jv);  // a string, integer, bool or null
    }
}

}  // namespace

std::string pretty_json(const boost::json::value& jv) {
    std::string out;
    write(out, jv, 0);
    return out;
}

}  // namespace crm_cli
