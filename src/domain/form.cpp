// Custom forms: parsing, rules, JSON, and the check of customers' attributes.
#include "domain/form_rules.hpp"
#include "domain/json_reader.hpp"
#include "domain/json_text.hpp"
#include "domain/text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <crm/types.hpp>

#include <string>
#include <unordered_set>

namespace crm {

namespace json = boost::json;

std::string_view to_string(FormFieldType t) noexcept {
    switch (t) {
        case FormFieldType::integer: return "integer";
        case FormFieldType::number: return "number";
        case FormFieldType::boolean: return "boolean";
        case FormFieldType::date: return "date";
        case FormFieldType::enumeration: return "enum";
        case FormFieldType::string: break;
    }
    return "string";
}

namespace {

json::value fields_value(const std::vector<FormField>& fields) {
    json::array arr;
    for (const auto& f : fields) {
        json::object o;
        o["name"] = f.name;
        o["label"] = f.label ? json::value(*f.label) : json::value(nullptr);
        o["type"] = to_string(f.type);
        o["required"] = f.required;
        if (f.type == FormFieldType::enumeration) o["options"] = json::array(f.options.begin(), f.options.end());
        arr.push_back(std::move(o));
    }
    return arr;
}

template <class Out>
void write_fields(Out& out, const Form& f) {
    out.field("id", f.id);
    out.field("name", f.name);
    out.field("active", f.active);
    out.field("fields", fields_value(f.fields));
    out.finish();
}

}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, const Form& f) {
    domain::write_object(jv, f, [](auto& out, const Form& row) { write_fields(out, row); });
}

void append_json(std::string& out, const Form& f) {
    domain::write_text(out, f, [](auto& o, const Form& row) { write_fields(o, row); });
}

Form tag_invoke(json::value_to_tag<Form>, const json::value& jv) {
    return domain::parse_or_throw<Form>(jv, [](const json::value& v, std::vector<FieldError>& e) { return domain::parse_form(v, e); });
}

namespace domain {

namespace {

// Parses one field as far as it can: a field is always returned (so later
// fields keep their index in error names), and validate() judges the rest.
FormField parse_field(const json::value& v, const std::string& at, std::vector<FieldError>& errors) {
    if (!v.is_object()) {
        errors.push_back({at, "must be an object {name, label, type, required, options}"});
        return FormField{"_", std::nullopt, FormFieldType::string, false, {}};  // a placeholder: never stored
    }
    bool type_known = false;
    const auto& o = v.get_object();
    FormField f;
    auto field_error = [&](std::string_view key, std::string message) {
        errors.push_back({at + "." + std::string(key), std::move(message)});
    };
    for (const auto& kv : o) {
        std::string_view k = kv.key();
        const json::value& x = kv.value();
        if (k == "name") {
            if (x.is_string()) f.name = std::string(trim(x.get_string()));
            else field_error(k, "must be a string");
        } else if (k == "label") {
            if (x.is_null()) continue;
            if (auto s = as_text(x, at + ".label", errors)) {
                std::string_view t = trim(*s);
                if (!t.empty()) f.label = std::string(t);
            }
        } else if (k == "type") {
            static constexpr std::pair<std::string_view, FormFieldType> kTypes[] = {
                {"string", FormFieldType::string}, {"integer", FormFieldType::integer},
                {"number", FormFieldType::number}, {"boolean", FormFieldType::boolean},
                {"date", FormFieldType::date},     {"enum", FormFieldType::enumeration}};
            if (x.is_string())
                for (const auto& [name, t] : kTypes)
                    if (x.get_string() == name) {
                        f.type = t;
                        type_known = true;
                    }
            if (!type_known) field_error(k, "must be one of: string, integer, number, boolean, date, enum");
        } else if (k == "required") {
            if (x.is_null()) continue;
            if (auto b = as_bool(x)) f.required = *b;
            else field_error(k, "must be true or false");
        } else if (k == "options") {
            if (x.is_null()) continue;
            if (!x.is_array()) {
                field_error(k, "must be an array of strings");
                continue;
            }
            for (std::size_t i = 0; i < x.get_array().size(); ++i)
                if (auto s = as_text(x.get_array()[i], at + ".options[" + std::to_string(i) + "]", errors))
                    f.options.push_back(std::move(*s));
        } else {
            field_error(k, "is not a known field");
        }
    }
    if (!o.contains("type")) field_error("type", "is required");
    if (!type_known) f.options.clear();  // options cannot be judged without a type
    return f;
}

}  // namespace

Form parse_form(const json::value& jv, std::vector<FieldError>& errors) {
    Form f;
    if (!jv.is_object()) {
        errors.push_back({"", "the form must be a JSON object"});
        return f;
    }
    static constexpr std::string_view kReadOnly[] = {"id"};
    JsonReader r(jv.get_object(), errors, kReadOnly);
    std::optional<std::string> name;
    r.text("name", name);
    if (name) f.name = std::move(*name);
    r.boolean("active", f.active);
    if (const json::value* v = r.raw("fields")) {
        json::value parsed;
        const json::value* arr = v;
        if (v->is_string()) {  // seed 000 sends the array as a JSON string
            json::parse_options opts;
            opts.max_depth = 16;
            std::error_code ec;
            parsed = json::parse(v->get_string(), ec, {}, opts);
            if (ec) {
                r.error("fields", "is a string that does not hold valid JSON: " + ec.message());
                arr = nullptr;
            } else {
                arr = &parsed;
            }
        }
        if (arr && !arr->is_array()) {
            r.error("fields", "must be an array of fields (or a JSON string holding one)");
        } else if (arr) {
            for (std::size_t i = 0; i < arr->get_array().size(); ++i)
                f.fields.push_back(parse_field(arr->get_array()[i], "fields[" + std::to_string(i) + "]", errors));
        }
    }
    r.finish();
    return f;
}

void normalize(Form& f) {
    if (std::string_view t = trim(f.name); t.size() != f.name.size()) f.name = std::string(t);
    for (auto& field : f.fields)
        for (auto& o : field.options)
            if (std::string_view t = trim(o); t.size() != o.size()) o = std::string(t);
}

void validate(const Form& f, std::vector<FieldError>& errors) {
    const std::size_t n = utf8_length(f.name);
    if (n == 0) errors.push_back({"name", "is required (1 to 100 characters)"});
    else if (n > 100) errors.push_back({"name", "must be at most 100 characters"});
    std::unordered_set<std::string_view> names;
    for (std::size_t i = 0; i < f.fields.size(); ++i) {
        const FormField& field = f.fields[i];
        const std::string at = "fields[" + std::to_string(i) + "]";
        if (!is_identifier(field.name) || field.name.size() > 64)
            errors.push_back({at + ".name", "must be an identifier (letters, digits and _, not starting with a digit), at most 64"});
        else if (!names.insert(field.name).second)
            errors.push_back({at + ".name", "is used by another field of this form"});
        if (field.label && utf8_length(*field.label) > 200)
            errors.push_back({at + ".label", "must be at most 200 characters"});
        if (field.type == FormFieldType::enumeration) {
            if (field.options.empty()) errors.push_back({at + ".options", "must list at least one option for an enum"});
            std::unordered_set<std::string_view> seen;
            for (std::size_t j = 0; j < field.options.size(); ++j)
                if (field.options[j].empty() || !seen.insert(field.options[j]).second)
                    errors.push_back({at + ".options[" + std::to_string(j) + "]", "must be a distinct, non-empty option"});
        } else if (!field.options.empty()) {
            errors.push_back({at + ".options", "are for enum fields only"});
        }
    }
}

void check_attributes(const json::object& attributes, std::span<const Form> active_forms,
                      std::vector<FieldError>& errors) {
    for (const Form& form : active_forms) {
        for (const FormField& field : form.fields) {
            const std::string name = "attributes." + field.name;
            const json::value* v = attributes.if_contains(field.name);
            if (!v || v->is_null()) {
                if (field.required) errors.push_back({name, "is required by form '" + form.name + "'"});
                continue;
            }
            bool ok = false;
            switch (field.type) {
                case FormFieldType::string: ok = v->is_string(); break;
                case FormFieldType::integer: ok = v->is_int64() || v->is_uint64(); break;
                case FormFieldType::number: ok = v->is_number(); break;
                case FormFieldType::boolean: ok = v->is_bool(); break;
                case FormFieldType::date: ok = v->is_string() && parse_date(v->get_string()).has_value(); break;
                case FormFieldType::enumeration:
                    if (v->is_string())
                        for (const auto& o : field.options) ok = ok || v->get_string() == o;
                    break;
            }
            if (!ok) {
                std::string what = field.type == FormFieldType::enumeration
                                       ? "one of the options of form '" + form.name + "'"
                                       : "of type " + std::string(to_string(field.type)) + " (form '" + form.name + "')";
                errors.push_back({name, "must be " + what});
            }
        }
    }
}

}  // namespace domain
}  // namespace crm
