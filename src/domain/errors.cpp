// The exception classes of crm/error.hpp and their JSON form.
#include <crm/error.hpp>

#include "domain/text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <utility>

namespace crm {

const char* status_name(Status s) noexcept {
    switch (s) {
        case Status::ok: return "ok";
        case Status::invalid: return "invalid";
        case Status::not_found: return "not_found";
        case Status::conflict: return "conflict";
        case Status::busy: return "busy";
        case Status::io: return "io";
        case Status::misuse: return "misuse";
        case Status::nomem: return "nomem";
        case Status::internal: return "internal";
    }
    return "internal";
}

Error::Error(Status code, const std::string& message, std::vector<FieldError>&& errors)
    : std::runtime_error(message), code_(code), errors_(std::move(errors)) {}

std::string Error::to_json() const {
    boost::json::array errs;
    errs.reserve(errors_.size());
    // Fields and messages may quote what a caller sent: keep the JSON valid
    // whatever bytes that was.
    for (const auto& e : errors_)
        errs.push_back(boost::json::object{{"field", domain::valid_utf8(e.field)}, {"message", domain::valid_utf8(e.message)}});
    boost::json::object o{{"code", status_name(code_)}, {"message", domain::valid_utf8(what())}, {"errors", std::move(errs)}};
    return boost::json::serialize(o);
}

namespace {
std::string count_message(std::size_t n) {
    return n == 1 ? std::string("1 field is invalid") : std::to_string(n) + " fields are invalid";
}
}  // namespace

InvalidError::InvalidError(std::vector<FieldError> errors)
    : Error(Status::invalid, count_message(errors.size()), std::move(errors)) {}
InvalidError::InvalidError(const std::string& message, std::vector<FieldError>&& errors)
    : Error(Status::invalid, message, std::move(errors)) {}
NotFoundError::NotFoundError(const std::string& message, std::vector<FieldError>&& errors)
    : Error(Status::not_found, message, std::move(errors)) {}
ConflictError::ConflictError(const std::string& message, std::vector<FieldError>&& errors)
    : Error(Status::conflict, message, std::move(errors)) {}
BusyError::BusyError(const std::string& message) : Error(Status::busy, message) {}
IoError::IoError(const std::string& message) : Error(Status::io, message) {}
MisuseError::MisuseError(const std::string& message) : Error(Status::misuse, message) {}

}  // namespace crm
