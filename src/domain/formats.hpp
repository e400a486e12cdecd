// domain/formats.hpp - the seeds' payload shapes mapped onto ours
// (spec/seed-map.md), for import. Each mapper turns one source row into
// the canonical JSON object of its collection, plus what a source system
// carries that only the engine may set (opening balance, refusal count,
// last payment, its own uuid).
#pragma once

#include <crm/bulk.hpp>
#include <crm/error.hpp>
#include <crm/types.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::domain {

struct MappedRow {
    boost::json::object row;                      ///< canonical writable fields
    boost::json::object extra;                    ///< keys added to row's extra_field
    std::optional<std::string> uuid;              ///< the source's identifier (customers)
    std::string uuid_field = "uuid";              ///< the source key that held it
    std::optional<std::int64_t> credit_cents;     ///< opening balance (customers)
    std::optional<std::int64_t> refusal_count;    ///< initial refusal_count (customers)
    std::optional<Date> last_payment_date;        ///< as given (customers)
    std::optional<std::int64_t> last_payment_cents;  ///< as given (customers)
};

/// Maps one source row of `collection` in `format`; errors name the source
/// keys. `collection` is one the format knows (see format_supports).
MappedRow map_row(ImportFormat format, std::string_view collection, const boost::json::object& src,
                  std::vector<FieldError>& errors);

/// Whether `format` has a mapping for `collection` (canonical: every
/// writable collection; crm-app: customers, tickets; v1: customers, orders;
/// heidian, akinon: customers).
bool format_supports(ImportFormat format, std::string_view collection) noexcept;

/// "canonical", "crm-app", ... ; nullopt for an unknown name.
std::optional<ImportFormat> format_named(std::string_view name) noexcept;

}  // namespace crm::domain
