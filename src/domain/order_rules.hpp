// domain/order_rules.hpp - where each order field's rule lives (spec/domain.md, `orders`).
#pragma once

#include <crm/error.hpp>
#include <crm/order.hpp>

#include <boost/json/value.hpp>

#include <vector>

namespace crm::domain {

Order parse_order(const boost::json::value& jv, std::vector<FieldError>& errors);
void normalize(Order& o);
void validate(const Order& o, std::vector<FieldError>& errors);
/// Whether an order may move from `from` to `to` (staying put is allowed).
bool allowed_move(OrderStatus from, OrderStatus to) noexcept;
/// Copies the fields only the engine sets.
void keep_read_only(Order& incoming, const Order& stored);

}  // namespace crm::domain
