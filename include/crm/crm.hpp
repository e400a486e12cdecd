/// @file crm.hpp
/// The whole C++ API of the crm engine: includes every public header.
#pragma once

#include <crm/crm.h>
#include <crm/credit.hpp>
#include <crm/customer.hpp>
#include <crm/engine.hpp>
#include <crm/error.hpp>
#include <crm/form.hpp>
#include <crm/message.hpp>
#include <crm/options.hpp>
#include <crm/order.hpp>
#include <crm/page.hpp>
#include <crm/query.hpp>
#include <crm/ticket.hpp>
#include <crm/types.hpp>
