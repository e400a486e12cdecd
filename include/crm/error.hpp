/// @file error.hpp
/// The exceptions of the C++ API.
///
/// Every failure of the engine is thrown as a crm::Error (or a class derived
/// from it) whose code() is one of the C ABI's status codes, so the C wrapper
/// maps an exception to a code without guessing. Validation failures carry the
/// list of every failing field at once.
#pragma once

#include <crm/crm.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace crm {

/// The status codes of the C ABI, as a C++ enum with the same values.
enum class Status : int {
    ok = CRM_OK,
    invalid = CRM_EINVAL,
    not_found = CRM_ENOTFOUND,
    conflict = CRM_ECONFLICT,
    busy = CRM_EBUSY,
    io = CRM_EIO,
    misuse = CRM_EMISUSE,
    nomem = CRM_ENOMEM,
    internal = CRM_EINTERNAL,
};

/// The `code` string of a status ("ok", "invalid", ...), as crm_status_name().
CRM_API const char* status_name(Status s) noexcept;

/// One failing field: `field` names it as a client wrote it (e.g. "email",
/// "attributes.size", "coupons[2]"), `message` says what is wrong.
struct CRM_API FieldError {
    std::string field;    ///< the field's path, as the client wrote it
    std::string message;  ///< what is wrong, for people
    friend bool operator==(const FieldError&, const FieldError&) = default;
};

/// The base of every exception the engine throws.
class CRM_API Error : public std::runtime_error {
public:
    /// An error with `code`, `message` (what()) and the failing fields.
    // `errors` is taken by reference and moved from only once the message is
    // built, so a message computed from errors.size() is safe.
    Error(Status code, const std::string& message, std::vector<FieldError>&& errors = {});
    /// The status code, as the C ABI returns it.
    Status code() const noexcept { return code_; }
    /// Every failing field (empty when the error is not about fields).
    const std::vector<FieldError>& errors() const noexcept { return errors_; }
    /// The error as the C ABI's JSON: {"code":..,"message":..,"errors":[..]}.
    std::string to_json() const;

private:
    Status code_;
    std::vector<FieldError> errors_;
};

/// Malformed input, unknown field or filter, failed validation (CRM_EINVAL).
class CRM_API InvalidError : public Error {
public:
    /// Message "1 field is invalid" / "N fields are invalid".
    explicit InvalidError(std::vector<FieldError> errors);
    /// An explicit message, with or without failing fields.
    InvalidError(const std::string& message, std::vector<FieldError>&& errors = {});
};
/// No such id, card or collection (CRM_ENOTFOUND).
class CRM_API NotFoundError : public Error {
public:
    /// An error with this message and, optionally, the field that named the
    /// missing thing (e.g. `payments[1].card`).
    explicit NotFoundError(const std::string& message, std::vector<FieldError>&& errors = {});
};
/// Uniqueness, illegal move, insufficient balance (CRM_ECONFLICT).
class CRM_API ConflictError : public Error {
public:
    /// An error with this message and the fields in conflict (e.g. every taken
    /// unique field).
    explicit ConflictError(const std::string& message, std::vector<FieldError>&& errors = {});
};
/// The database stayed locked past the busy timeout (CRM_EBUSY).
class CRM_API BusyError : public Error {
public:
    /// An error with this message.
    explicit BusyError(const std::string& message);
};
/// Cannot open/read/write the file, corrupt file, newer schema (CRM_EIO).
class CRM_API IoError : public Error {
public:
    /// An error with this message.
    explicit IoError(const std::string& message);
};
/// A NULL pointer or a call the API does not allow (CRM_EMISUSE).
class CRM_API MisuseError : public Error {
public:
    /// An error with this message.
    explicit MisuseError(const std::string& message);
};

}  // namespace crm
