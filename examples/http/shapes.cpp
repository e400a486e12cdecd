// The seeds' payload shapes <-> the engine's canonical JSON (see shapes.hpp).
#include "shapes.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace crm_http {

namespace {

// The key of the one-member object that units_value() makes: a control
// character, so no key this host writes can collide with it.
constexpr std::string_view kUnitsKey = "\x01units";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

const json::value* find(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
}

// A field as it is, null when absent.
json::value field(const json::object& o, std::string_view key) {
    const json::value* v = find(o, key);
    return v ? *v : json::value(nullptr);
}

// A text field, "" when absent or null (seed 001 writes "" for none).
json::value text_or_empty(const json::object& o, std::string_view key) {
    const json::value* v = find(o, key);
    return v && v->is_string() ? *v : json::value("");
}

std::int64_t int_or(const json::object& o, std::string_view key, std::int64_t dflt) {
    const json::value* v = find(o, key);
    if (v && v->is_int64()) return v->get_int64();
    if (v && v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    return dflt;
}

bool bool_or(const json::object& o, std::string_view key, bool dflt) {
    const json::value* v = find(o, key);
    return v && v->is_bool() ? v->get_bool() : dflt;
}

void write(std::string& out, const json::value& v) {
    if (v.is_object()) {
        const json::object& o = v.get_object();
        if (o.size() == 1 && o.begin()->key() == kUnitsKey && o.begin()->value().is_int64()) {
            out += units_text(o.begin()->value().get_int64());
            return;
        }
        out += '{';
        bool first = true;
        for (const auto& kv : o) {
            if (!first) out += ',';
            first = false;
            out += json::serialize(kv.key());
            out += ':';
            write(out, kv.value());
        }
        out += '}';
    } else if (v.is_array()) {
        out += '[';
        bool first = true;
        for (const auto& e : v.get_array()) {
            if (!first) out += ',';
            first = false;
            write(out, e);
        }
        out += ']';
    } else {
        out += json::serialize(v);
    }
}

// Maps the keys of a seed body through `table` (seed key -> canonical
// field; "" drops the key). Keys are trimmed of stray spaces first. Unknown
// keys are collected and refused together.
json::object map_keys(const json::object& body, std::initializer_list<std::pair<std::string_view, std::string_view>> table,
                      std::map<std::string, std::string>& names) {
    json::object out;
    std::vector<crm::FieldError> unknown;
    for (const auto& kv : body) {
        const std::string_view key = trim(kv.key());
        const std::pair<std::string_view, std::string_view>* rule = nullptr;
        for (const auto& r : table)
            if (r.first == key) rule = &r;
        if (!rule) {
            unknown.push_back({std::string(key), "is not a known field"});
            continue;
        }
        if (rule->second.empty()) continue;
        out[rule->second] = kv.value();
        names[std::string(rule->second)] = std::string(key);
    }
    if (!unknown.empty()) throw crm::InvalidError(std::move(unknown));
    return out;
}

}  // namespace

// --- query strings -------------------------------------------------------------

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = hex_digit(text[i + 1]);
            const int lo = hex_digit(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            if (c == '\0') return std::nullopt;
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        out += c;
    }
    return out;
}

json::object parse_query_string(std::string_view qs) {
    json::object q;
    while (!qs.empty()) {
        const std::size_t amp = qs.find('&');
        const std::string_view piece = qs.substr(0, amp);
        qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
        if (piece.empty()) continue;
        const std::size_t eq = piece.find('=');
        const std::string_view raw_key = piece.substr(0, eq);
        const std::string_view raw_value = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
        auto key = percent_decode(raw_key, true);
        if (!key || key->empty())
            throw crm::InvalidError("the query string is malformed", {{"query", "has a malformed key"}});
        auto value = percent_decode(raw_value, true);
        if (!value) throw crm::InvalidError("the query string is malformed", {{*key, "is not a valid escaped value"}});
        auto it = q.find(*key);
        if (it == q.end()) {
            q[*key] = *value;
        } else if (it->value().is_array()) {
            it->value().get_array().emplace_back(*value);
        } else {
            json::array values{it->value(), json::value(*value)};
            it->value() = std::move(values);
        }
    }
    return q;
}

// --- money -----------------------------------------------------------------------

std::string units_text(std::int64_t cents) {
    std::string out;
    // |INT64_MIN| does not fit: work in unsigned.
    std::uint64_t magnitude = cents < 0 ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
    if (cents < 0) out += '-';
    out += std::to_string(magnitude / 100);
    const unsigned frac = static_cast<unsigned>(magnitude % 100);
    if (frac != 0) {
        out += '.';
        out += static_cast<char>('0' + frac / 10);
        if (frac % 10 != 0) out += static_cast<char>('0' + frac % 10);
    }
    return out;
}

json::value units_value(std::int64_t cents) {
    json::object o;
    o[kUnitsKey] = cents;
    return o;
}

std::string write_json(const json::value& v) {
    std::string out;
    write(out, v);
    return out;
}

// --- errors ------------------------------------------------------------------------

void rethrow_renamed(const crm::Error& e, const std::map<std::string, std::string>& names) {
    std::vector<crm::FieldError> errors = e.errors();
    bool changed = false;
    for (auto& fe : errors) {
        auto it = names.find(fe.field);
        if (it != names.end() && it->second != fe.field) {
            fe.field = it->second;
            changed = true;
        }
    }
    if (!changed) throw;
    switch (e.code()) {
        case crm::Status::invalid: throw crm::InvalidError(e.what(), std::move(errors));
        case crm::Status::not_found: throw crm::NotFoundError(e.what(), std::move(errors));
        case crm::Status::conflict: throw crm::ConflictError(e.what(), std::move(errors));
        default: throw;
    }
}

// --- seed 000 --------------------------------------------------------------------

json::object heidian_customer_in(const json::object& body, std::map<std::string, std::string>& names) {
    json::object out;
    for (const auto& kv : body) {
        const std::string_view key = kv.key();
        if (key == "birthday") {
            out["date_of_birth"] = kv.value();
            names["date_of_birth"] = "birthday";
        } else if (key == "full_name") {
            const json::value& v = kv.value();
            if (v.is_null()) {  // a merge patch clearing the name
                out["first_name"] = nullptr;
                out["last_name"] = nullptr;
            } else if (!v.is_string()) {
                throw crm::InvalidError(std::vector<crm::FieldError>{{"full_name", "must be a string"}});
            } else {
                const std::string_view s = trim(v.get_string());
                const std::size_t space = s.rfind(' ');
                if (space == std::string_view::npos) {
                    out["first_name"] = s;
                } else {
                    out["first_name"] = trim(s.substr(0, space));
                    out["last_name"] = trim(s.substr(space + 1));
                }
            }
            names["first_name"] = "full_name";
            names["last_name"] = "full_name";
        } else {
            out[key] = kv.value();
        }
    }
    return out;
}

json::object message_in(const json::object& body) {
    json::object out;
    for (const auto& kv : body) {
        if (kv.key() != "customer") {
            out[kv.key()] = kv.value();
            continue;
        }
        const json::value& v = kv.value();
        if (v.is_int64() || v.is_uint64() || v.is_null()) {
            out["customer_id"] = v;
        } else if (v.is_string() && !v.get_string().empty() && v.get_string().size() <= 18 &&
                   v.get_string().find_first_not_of("0123456789") == std::string_view::npos) {
            out["customer_id"] = std::stoll(std::string(v.get_string()));
        } else {
            throw crm::InvalidError(std::vector<crm::FieldError>{{"customer", "must be a customer id"}});
        }
    }
    return out;
}

json::object message_out(const json::object& m) {
    return {{"id", field(m, "id")},
            {"customer", field(m, "customer_id")},
            {"context", field(m, "context")},
            {"created_at", field(m, "created_at")}};
}

// --- seed 001 --------------------------------------------------------------------

json::object v1_customer_in(const json::object& body, std::map<std::string, std::string>& names) {
    return map_keys(body,
                    {
                        {"customerName", "first_name"},
                        {"customerLastName", "last_name"},
                        {"customerEmail", "email"},
                        {"customerCompanyName", "company_name"},
                        {"customerPhone", "phone"},
                        {"customerDescription", "note"},
                        {"customerStatus", "status"},
                        {"archived", "archived"},
                        {"crmId", "crm_id"},
                        {"refId", "ref_id"},
                        // the seed's output shape, so a GET result can be PUT back
                        {"_id", ""},
                        {"archivationdate", ""},
                        {"name", "first_name"},
                        {"lastname", "last_name"},
                        {"companyname", "company_name"},
                        {"email", "email"},
                        {"phone", "phone"},
                        {"description", "note"},
                        {"status", "status"},
                        {"crmid", "crm_id"},
                        {"refid", "ref_id"},
                    },
                    names);
}

std::int64_t unix_seconds(const json::value& ts) {
    if (!ts.is_string()) return 0;
    auto t = crm::parse_timestamp(ts.get_string());
    if (!t) return 0;
    return std::chrono::floor<std::chrono::seconds>(t->time_since_epoch()).count();
}

json::object v1_customer_out(const json::object& c) {
    return {
        {"_id", field(c, "id")},
        {"description", text_or_empty(c, "note")},
        {"email", text_or_empty(c, "email")},
        {"name", text_or_empty(c, "first_name")},
        {"lastname", text_or_empty(c, "last_name")},
        {"companyname", text_or_empty(c, "company_name")},
        {"phone", text_or_empty(c, "phone")},
        {"status", int_or(c, "status", 0)},
        {"archived", bool_or(c, "archived", false)},
        {"archivationdate", unix_seconds(field(c, "archived_at"))},
        {"crmid", text_or_empty(c, "crm_id")},
        {"refid", text_or_empty(c, "ref_id")},
    };
}

json::object v1_order_out(const json::object& o) {
    std::int64_t status = 0;
    if (const json::value* s = find(o, "status"); s && s->is_string()) {
        if (s->get_string() == "submitted") status = 1;
        if (s->get_string() == "revoked") status = 2;
    }
    return {
        {"_id", field(o, "id")},
        {"activationbirthdate", unix_seconds(field(o, "activation_birth_date"))},
        {"activationdeathdate", unix_seconds(field(o, "activation_death_date"))},
        {"activationlimit", int_or(o, "activation_limit", 0)},
        {"archivationdate", unix_seconds(field(o, "archived_at"))},
        {"archived", bool_or(o, "archived", false)},
        {"canoverwritecontainer", bool_or(o, "can_overwrite_container", false)},
        {"customerrequired", bool_or(o, "customer_required", true)},
        {"date", unix_seconds(field(o, "date"))},
        {"description", text_or_empty(o, "description")},
        {"isdemo", bool_or(o, "is_demo", false)},
        {"number", int_or(o, "number", 0)},
        {"quantity", int_or(o, "quantity", 0)},
        {"status", status},
        {"submitdate", unix_seconds(field(o, "submit_date"))},
        {"type", int_or(o, "type", 0)},
        {"crmid", text_or_empty(o, "crm_id")},
        {"refid", text_or_empty(o, "ref_id")},
    };
}

// --- seed 003 --------------------------------------------------------------------

json::object crm_app_customer_out(const json::object& c) {
    json::value sexe = nullptr;
    if (const json::value* g = find(c, "gender"); g && g->is_string()) {
        if (g->get_string() == "male") sexe = "h";
        if (g->get_string() == "female") sexe = "f";
    }
    return {
        {"id", field(c, "id")},
        {"IdClient", field(c, "uuid")},
        {"Nom", field(c, "last_name")},
        {"Prenom", field(c, "first_name")},
        // A string of currency units, as the seed writes it ("420").
        {"Credit", units_text(int_or(c, "credit_cents", 0))},
        {"Date_paiement", field(c, "last_payment_date")},
        // Cents, as the import stores the seed's Montant (spec/domain.md).
        {"Montant", field(c, "last_payment_cents")},
        {"NbRefus", int_or(c, "refusal_count", 0)},
        {"Compte", field(c, "account")},
        {"Age", field(c, "age")},
        {"Sexe", sexe},
        {"Email", field(c, "email")},
        {"Phone", field(c, "phone")},
        // Cents, like Montant: the mean ticket total, rounded down.
        {"PanierMoyen", int_or(c, "average_basket_cents", 0)},
    };
}

json::object crm_app_new_customer_in(const json::object& body, std::map<std::string, std::string>& names) {
    json::object in = body;
    // Sexe h/f is ours to map; the rest is a key rename.
    json::value sexe = nullptr;
    std::string sexe_key;
    for (auto it = in.begin(); it != in.end(); ++it)
        if (trim(it->key()) == "sexe") {
            sexe = it->value();
            sexe_key = std::string(trim(it->key()));
            in.erase(it);
            break;
        }
    json::object out = map_keys(in,
                                {
                                    {"name", "first_name"},
                                    {"last_name", "last_name"},
                                    {"age", ""},  // computed from date_of_birth, never stored
                                    {"mail", "email"},
                                    {"phone", "phone"},
                                },
                                names);
    if (!sexe_key.empty() && !sexe.is_null()) {
        const std::string_view s = sexe.is_string() ? trim(sexe.get_string()) : std::string_view("?");
        if (s == "h" || s == "H" || s == "m" || s == "M")
            out["gender"] = "male";
        else if (s == "f" || s == "F")
            out["gender"] = "female";
        else if (!s.empty())
            throw crm::InvalidError(std::vector<crm::FieldError>{{"sexe", "must be h or f"}});
        names["gender"] = "sexe";
    }
    return out;
}

json::object crm_app_ticket_out(const json::object& t) {
    json::array articles;
    if (const json::value* lines = find(t, "lines"); lines && lines->is_array())
        for (const auto& l : lines->get_array()) {
            if (!l.is_object()) continue;
            const json::object& line = l.get_object();
            articles.push_back(json::object{
                {"codeProduit", field(line, "product_code")},
                {"prixAvant", units_value(int_or(line, "unit_price_before_cents", 0))},
                {"prixApres", units_value(int_or(line, "unit_price_after_cents", 0))},
                {"promo", int_or(line, "promo_percent", 0)},
                {"quantity", int_or(line, "quantity", 1)},
            });
        }
    return {
        {"id", field(t, "id")},
        {"date", field(t, "date")},
        {"prix", units_value(int_or(t, "total_cents", 0))},
        {"client", field(t, "customer_uuid")},
        {"pointsFidelite", units_value(int_or(t, "loyalty_points_cents", 0))},
        {"modePaiement", field(t, "payment_mode")},
        {"origin", field(t, "origin")},
        {"articles", std::move(articles)},
    };
}

}  // namespace crm_http
