// pretty_json.hpp - indented JSON text for people to read.
//
// Boost.JSON's serialize() writes compact JSON only (one line, no spaces);
// it has no indenting writer. A CLI shows records to a person, so this small
// printer walks the value and indents objects and arrays, letting
// boost::json::serialize() write keys, strings, integers, booleans and null
// (so escaping stays exactly Boost.JSON's); doubles go through fmt, whose
// shortest round-trip form reads better than serialize()'s "1.5E0".
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace crm_cli {

/// `jv` as indented JSON text (two spaces per level, keys in the object's
/// order, `{}` and `[]` for empty containers), without a trailing newline.
std::string pretty_json(const boost::json::value& jv);

}  // namespace crm_cli
