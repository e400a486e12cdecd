// The seeds' payload shapes, mapped onto the engine's canonical JSON
// (spec/seed-map.md) by the HTTP host itself: a host adapter, written only
// against the public C++ API and Boost.JSON.
#pragma once

#include <crm/crm.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace crm_http {

namespace json = boost::json;

// --- query strings -------------------------------------------------------------

/// Percent-decodes `text` ('+' is a space when `plus_is_space`); nullopt on a
/// malformed escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// A query string ("a=1&b=x%20y&b=z") as the flat query object of
/// spec/query.md: every value a string; a key given twice or more becomes an
/// array of its values (so `status__in=0&status__in=1` is ["0","1"], as
/// `status__in=0,1` is "0,1"). A key without '=' has the value "". Throws
/// crm::InvalidError naming the key (or "query") on a malformed escape.
json::object parse_query_string(std::string_view qs);

// --- money in currency units (seed 003) ----------------------------------------

/// Cents as a decimal number of currency units, exact: 1300 -> "13",
/// 2750 -> "27.5", 15462 -> "154.62", -5 -> "-0.05".
std::string units_text(std::int64_t cents);

/// A JSON value that write_json() writes as the bare number units_text(cents)
/// (Boost.JSON would need a double, which money never goes through).
json::value units_value(std::int64_t cents);

/// JSON text of `v`, with the units_value() markers written as numbers.
std::string write_json(const json::value& v);

// --- errors under the client's own field names ----------------------------------

/// Rethrows the crm::Error being handled with its field names renamed
/// (canonical name -> the name the client sent), same code and message.
/// Must be called from inside a catch block.
[[noreturn]] void rethrow_renamed(const crm::Error& e, const std::map<std::string, std::string>& names);

// --- seed 000 (Django REST "crm") -----------------------------------------------

/// WriteCustomerSerializer -> canonical customer: `birthday` -> date_of_birth,
/// `full_name` split at its last space into first_name/last_name; every
/// other key is taken as a canonical field name (the engine refuses unknown
/// ones). `names` receives canonical -> seed names for error messages.
json::object heidian_customer_in(const json::object& body, std::map<std::string, std::string>& names);

/// customer_message {customer, context} -> canonical message {customer_id, context}.
json::object message_in(const json::object& body);
/// canonical message -> {"id","customer","context","created_at"}.
json::object message_out(const json::object& m);

// --- seed 001 ("/v1.0/customers") -----------------------------------------------

/// The seed's input shape (customerName..., keys trimmed of stray spaces) ->
/// canonical customer. Unknown keys: crm::InvalidError naming each.
json::object v1_customer_in(const json::object& body, std::map<std::string, std::string>& names);
/// canonical customer -> the seed's output shape (_id, name, lastname, ...).
json::object v1_customer_out(const json::object& c);
/// canonical order -> the seed's output shape (_id, unix-second dates, ...).
json::object v1_order_out(const json::object& o);
/// An RFC 3339 timestamp (or null) as unix seconds, 0 for none.
std::int64_t unix_seconds(const json::value& ts);

// --- seed 003 ("CRM-app") ---------------------------------------------------------

/// canonical customer -> an api/data row (id, IdClient, Nom, Prenom,
/// Credit, Date_paiement, Montant, NbRefus, Compte, Age, Sexe, Email, Phone,
/// PanierMoyen).
json::object crm_app_customer_out(const json::object& c);
/// /api/create_customer's body {name, last_name, sexe, age, mail, phone}
/// -> canonical customer (age is not stored: the engine computes it).
json::object crm_app_new_customer_in(const json::object& body, std::map<std::string, std::string>& names);
/// canonical ticket -> a get_tickets row (prix, client, pointsFidelite,
/// modePaiement, origin, articles[...]; money in currency units).
json::object crm_app_ticket_out(const json::object& t);

}  // namespace crm_http
