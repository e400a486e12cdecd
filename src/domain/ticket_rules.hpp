// domain/ticket_rules.hpp - the rules of `tickets` (spec/domain.md).
#pragma once

#include <crm/error.hpp>
#include <crm/ticket.hpp>

#include <boost/json/value.hpp>

#include <vector>

namespace crm::domain {

/// Most lines one ticket may hold (a documented limit: bounded memory).
inline constexpr std::size_t kMaxTicketLines = 1000;

/// The lines as the ticket's JSON `lines` array text (how storage keeps them).
std::string lines_text(const std::vector<TicketLine>& lines);

Ticket parse_ticket(const boost::json::value& jv, std::vector<FieldError>& errors);
/// Trims texts, lower-cases customer_uuid, fills each line's
/// unit_price_after_cents from its promo when omitted.
void normalize(Ticket& t);
/// Checks every field and line and computes total_cents (a given total that
/// differs from the lines' sum is an error).
void validate(Ticket& t, std::vector<FieldError>& errors);
/// Whether `incoming` (normalised and validated, before the engine filled
/// its defaults) asks for the ticket `stored` already is: same customer,
/// payment, origin, lines and total, and the same date when one was given.
bool same_payload(const Ticket& incoming, std::int64_t incoming_customer, const Ticket& stored);

}  // namespace crm::domain
