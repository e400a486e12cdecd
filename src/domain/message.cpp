// Messages: parsing, rules and JSON.
#include "domain/json_reader.hpp"
#include "domain/json_text.hpp"
#include "domain/message_rules.hpp"
#include "domain/text.hpp"

namespace crm {

namespace json = boost::json;

namespace {
template <class Out>
void write_fields(Out& out, const Message& m) {
    out.field("id", m.id);
    out.field("customer_id", m.customer_id);
    out.field("context", m.context);
    out.field("created_at", m.created_at);
    out.finish();
}
}  // namespace

void tag_invoke(json::value_from_tag, json::value& jv, const Message& m) {
    domain::write_object(jv, m, [](auto& out, const Message& row) { write_fields(out, row); });
}

void append_json(std::string& out, const Message& m) {
    domain::write_text(out, m, [](auto& o, const Message& row) { write_fields(o, row); });
}

Message tag_invoke(json::value_to_tag<Message>, const json::value& jv) {
    return domain::parse_or_throw<Message>(jv, [](const json::value& v, std::vector<FieldError>& e) { return domain::parse_message(v, e); });
}

namespace domain {

Message parse_message(const json::value& jv, std::vector<FieldError>& errors) {
    Message m;
    if (!jv.is_object()) {
        errors.push_back({"", "the message must be a JSON object"});
        return m;
    }
    static constexpr std::string_view kReadOnly[] = {"id", "created_at"};
    JsonReader r(jv.get_object(), errors, kReadOnly);
    r.integer("customer_id", m.customer_id);
    std::optional<std::string> context;
    r.text("context", context);
    if (context) m.context = std::move(*context);
    r.finish();
    return m;
}

void normalize(Message& m) {
    if (std::string_view t = trim(m.context); t.size() != m.context.size()) m.context = std::string(t);
}

void validate(const Message& m, std::vector<FieldError>& errors) {
    if (m.customer_id == 0)
        errors.push_back({"customer_id", "is required"});
    else if (m.customer_id < 0)
        errors.push_back({"customer_id", "must be >= 1"});
    const std::size_t n = utf8_length(m.context);
    if (n == 0)
        errors.push_back({"context", "is required (1 to 10000 characters)"});
    else if (n > 10'000)
        errors.push_back({"context", "must be at most 10000 characters"});
}

}  // namespace domain
}  // namespace crm
