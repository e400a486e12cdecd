// The seeds' payload shapes (spec/seed-map.md), mapped onto ours.
#include "domain/formats.hpp"

#include "domain/json_reader.hpp"
#include "domain/money.hpp"
#include "domain/text.hpp"

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <functional>

namespace crm::domain {

namespace json = boost::json;

namespace {

// One source key and what to do with its value (target: the canonical
// field). `convert` may rewrite the value; it returns false (after adding
// an error) when the value is unusable.
struct Rule {
    std::string_view source;
    std::string_view target;  // "" with a custom action
    void (*action)(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) = nullptr;
};

void copy_to(std::string_view target, const json::value& v, MappedRow& out) { out.row[target] = v; }

void ignore(std::string_view, const json::value&, MappedRow&, std::vector<FieldError>&) {}

void keep_uuid(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    if (v.is_string()) {
        out.uuid = std::string(v.get_string());
        out.uuid_field = std::string(key);
        return;
    }
    e.push_back({std::string(key), "must be a UUID string"});
}

void opening_credit(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    if (auto cents = units_to_cents(v))
        out.credit_cents = *cents;
    else
        e.push_back({std::string(key), "must be an amount in currency units from 0 to 10^13"});
}

void credit_cents(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    if (auto i = as_int(v); i && *i >= 0 && *i <= kMaxCents)
        out.credit_cents = *i;
    else
        e.push_back({std::string(key), "must be an integer from 0 to 10^15"});
}

void refusals(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    if (auto i = as_int(v); i && *i >= 0)
        out.refusal_count = *i;
    else
        e.push_back({std::string(key), "must be an integer >= 0"});
}

void payment_date(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    std::optional<Date> d;
    if (v.is_string()) d = parse_date(trim(v.get_string()));
    if (d)
        out.last_payment_date = d;
    else
        e.push_back({std::string(key), "must be a date (YYYY-MM-DD)"});
}

void payment_cents(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    if (auto i = as_int(v); i && *i >= 0 && *i <= kMaxCents)
        out.last_payment_cents = *i;
    else
        e.push_back({std::string(key), "must be an integer from 0 to 10^15"});
}

// crm-app `Paiement` is kept as extra_field.paiement (cents, as given).
void paiement(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    auto i = as_int(v);
    if (!i || *i < 0 || *i > kMaxCents) {
        e.push_back({std::string(key), "must be an integer from 0 to 10^15"});
        return;
    }
    out.extra["paiement"] = *i;
}

// seed 003's Sexe: h (homme) / f (femme).
void sexe(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    const std::string s = v.is_string() ? ascii_lower(trim(v.get_string())) : std::string();
    if (s == "h" || s == "m")
        out.row["gender"] = "male";
    else if (s == "f")
        out.row["gender"] = "female";
    else if (s.empty() && v.is_string())
        return;
    else
        e.push_back({std::string(key), "must be h or f"});
}

// seed 000's full_name, split at the last space (one word: a first name).
void full_name(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    if (!v.is_string()) {
        e.push_back({std::string(key), "must be a string"});
        return;
    }
    const std::string_view s = trim(v.get_string());
    const std::size_t space = s.rfind(' ');
    if (space == std::string_view::npos) {
        out.row["first_name"] = s;
        return;
    }
    out.row["first_name"] = trim(s.substr(0, space));
    out.row["last_name"] = trim(s.substr(space + 1));
}

// seed 002's *_kwargs objects live inside extra_field.
void into_extra(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>&) {
    out.extra[key] = v;
}

// seed 001's dates: unix seconds, 0 meaning none.
void unix_seconds(std::string_view key, std::string_view target, const json::value& v, MappedRow& out,
                  std::vector<FieldError>& e) {
    if (v.is_null()) return;
    auto i = as_int(v);
    if (!i || *i < 0 || *i > 253'402'300'799) {  // up to 9999-12-31
        e.push_back({std::string(key), "must be a unix time in seconds (0 for none)"});
        return;
    }
    if (*i == 0) {
        out.row[target] = nullptr;
        return;
    }
    out.row[target] = format_timestamp(Timestamp{std::chrono::seconds{*i}});
}

template <const char* Target>
void unix_to(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    unix_seconds(key, Target, v, out, e);
}
constexpr char kDate[] = "date";
constexpr char kBirth[] = "activation_birth_date";
constexpr char kDeath[] = "activation_death_date";

// seed 003 prices in currency units.
std::optional<std::int64_t> units(std::string_view key, const json::value& v, std::vector<FieldError>& e) {
    if (auto c = units_to_cents(v)) return c;
    e.push_back({std::string(key), "must be an amount in currency units from 0 to 10^13"});
    return std::nullopt;
}

void prix(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (v.is_null()) return;
    if (auto c = units(key, v, e)) out.row["total_cents"] = *c;
}

void articles(std::string_view key, const json::value& v, MappedRow& out, std::vector<FieldError>& e) {
    if (!v.is_array()) {
        e.push_back({std::string(key), "must be an array of articles"});
        return;
    }
    json::array lines;
    for (std::size_t i = 0; i < v.get_array().size(); ++i) {
        const json::value& a = v.get_array()[i];
        const std::string where = fmt::format("{}[{}]", key, i);
        if (!a.is_object()) {
            e.push_back({where, "must be a JSON object"});
            continue;
        }
        json::object line;
        for (const auto& kv : a.get_object()) {
            const std::string_view k = trim(kv.key());
            const std::string field = where + "." + std::string(k);
            if (k == "codeProduit")
                line["product_code"] = kv.value();
            else if (k == "prixAvant") {
                if (auto c = units(field, kv.value(), e)) line["unit_price_before_cents"] = *c;
            } else if (k == "prixApres") {
                if (auto c = units(field, kv.value(), e)) line["unit_price_after_cents"] = *c;
            } else if (k == "promo")
                line["promo_percent"] = kv.value();
            else if (k == "quantity")
                line["quantity"] = kv.value();
            else
                e.push_back({field, "is not a known field"});
        }
        lines.push_back(std::move(line));
    }
    out.row["lines"] = std::move(lines);
}

// --- the formats ---------------------------------------------------------------

constexpr Rule kCanonicalCustomer[] = {
    {"uuid", "", keep_uuid},
    {"credit_cents", "", credit_cents},
    {"refusal_count", "", refusals},
    {"last_payment_date", "", payment_date},
    {"last_payment_cents", "", payment_cents},
};

constexpr Rule kCrmAppCustomer[] = {
    {"id", "", ignore},           {"IdClient", "", keep_uuid},   {"Nom", "last_name"},
    {"Prenom", "first_name"},     {"Sexe", "", sexe},            {"Age", "", ignore},
    {"Email", "email"},           {"Phone", "phone"},            {"Compte", "account"},
    {"Credit", "", opening_credit}, {"Date_paiement", "", payment_date}, {"Montant", "", payment_cents},
    {"Paiement", "", paiement},   {"NbRefus", "", refusals},     {"PanierMoyen", "", ignore},
    // POST /api/create_customer's keys
    {"name", "first_name"},       {"last_name", "last_name"},    {"sexe", "", sexe},
    {"age", "", ignore},          {"mail", "email"},             {"phone", "phone"},
};

constexpr Rule kCrmAppTicket[] = {
    {"id", "", ignore},           {"date", "date"},              {"prix", "", prix},
    {"client", "customer_uuid"},  {"pointsFidelite", "", ignore}, {"modePaiement", "payment_mode"},
    {"origin", "origin"},         {"articles", "", articles},    {"ref", "ref"},
};

constexpr Rule kV1Customer[] = {
    {"customerName", "first_name"},      {"customerLastName", "last_name"},   {"customerEmail", "email"},
    {"customerCompanyName", "company_name"}, {"customerPhone", "phone"},      {"customerDescription", "note"},
    {"customerStatus", "status"},        {"archived", "archived"},            {"crmId", "crm_id"},
    {"refId", "ref_id"},
    // the seed's output shape
    {"_id", "", ignore},                 {"name", "first_name"},              {"lastname", "last_name"},
    {"companyname", "company_name"},     {"email", "email"},                  {"phone", "phone"},
    {"description", "note"},             {"status", "status"},                {"archivationdate", "", ignore},
    {"crmid", "crm_id"},                 {"refid", "ref_id"},
};

constexpr Rule kV1Order[] = {
    {"_id", "", ignore},
    {"customer_id", "customer_id"},
    {"customerId", "customer_id"},
    {"activationbirthdate", "", unix_to<kBirth>},
    {"activationdeathdate", "", unix_to<kDeath>},
    {"activationlimit", "activation_limit"},
    {"archivationdate", "", ignore},
    {"archived", "archived"},
    {"canoverwritecontainer", "can_overwrite_container"},
    {"customerrequired", "customer_required"},
    {"date", "", unix_to<kDate>},
    {"description", "description"},
    {"isdemo", "is_demo"},
    {"number", "number"},
    {"quantity", "quantity"},
    {"status", "status"},
    {"submitdate", "", ignore},
    {"type", "type"},
    {"crmid", "crm_id"},
    {"refid", "ref_id"},
};

constexpr Rule kHeidianCustomer[] = {
    {"id", "", ignore},           {"mobile", "mobile"}, {"gender", "gender"},
    {"note", "note"},             {"birthday", "date_of_birth"}, {"full_name", "", full_name},
    {"accepts_marketing", "accepts_marketing"}, {"email", "email"},
};

constexpr Rule kAkinonCustomer[] = {
    {"id", "", ignore},
    {"pk", "", ignore},
    {"channel", "channel_id"},
    {"attributes_kwargs", "", into_extra},
    {"localized_attributes_kwargs", "", into_extra},
};

struct Format {
    ImportFormat format;
    std::string_view collection;
    std::span<const Rule> rules;
    bool passthrough;  // other keys are copied as they are (canonical names)
};

constexpr Format kFormats[] = {
    {ImportFormat::canonical, "customers", kCanonicalCustomer, true},
    {ImportFormat::canonical, "orders", {}, true},
    {ImportFormat::canonical, "tickets", {}, true},
    {ImportFormat::canonical, "messages", {}, true},
    {ImportFormat::canonical, "forms", {}, true},
    {ImportFormat::crm_app, "customers", kCrmAppCustomer, false},
    {ImportFormat::crm_app, "tickets", kCrmAppTicket, false},
    {ImportFormat::v1, "customers", kV1Customer, false},
    {ImportFormat::v1, "orders", kV1Order, false},
    {ImportFormat::heidian, "customers", kHeidianCustomer, false},
    {ImportFormat::akinon, "customers", kAkinonCustomer, true},
};

const Format* find_format(ImportFormat format, std::string_view collection) noexcept {
    for (const auto& f : kFormats)
        if (f.format == format && f.collection == collection) return &f;
    return nullptr;
}

}  // namespace

bool format_supports(ImportFormat format, std::string_view collection) noexcept {
    return find_format(format, collection) != nullptr;
}

std::optional<ImportFormat> format_named(std::string_view name) noexcept {
    if (name == "canonical") return ImportFormat::canonical;
    if (name == "crm-app") return ImportFormat::crm_app;
    if (name == "v1") return ImportFormat::v1;
    if (name == "heidian") return ImportFormat::heidian;
    if (name == "akinon") return ImportFormat::akinon;
    return std::nullopt;
}

MappedRow map_row(ImportFormat format, std::string_view collection, const json::object& src,
                  std::vector<FieldError>& errors) {
    MappedRow out;
    const Format* f = find_format(format, collection);
    if (!f) return out;  // the caller checked format_supports
    for (const auto& kv : src) {
        // Seed 001 sends keys with stray spaces (" customerName"): trimmed.
        const std::string_view key = format == ImportFormat::canonical ? std::string_view(kv.key()) : trim(kv.key());
        const Rule* rule = nullptr;
        for (const auto& r : f->rules)
            if (r.source == key) rule = &r;
        if (rule && rule->action)
            rule->action(key, kv.value(), out, errors);
        else if (rule)
            copy_to(rule->target, kv.value(), out);
        else if (f->passthrough)
            out.row[key] = kv.value();  // a canonical name: the model's parser checks it
        else
            errors.push_back({std::string(key), "is not a known field"});
    }
    // Keys a format keeps inside extra_field join the row's own extra_field
    // (whichever came first in the source).
    if (!out.extra.empty()) {
        json::value& extra = out.row["extra_field"];
        if (extra.is_null()) extra = json::object();
        if (extra.is_object())
            for (auto& kv : out.extra) extra.get_object()[kv.key()] = std::move(kv.value());
        // else: the parser reports extra_field as not an object
    }
    return out;
}

}  // namespace crm::domain
