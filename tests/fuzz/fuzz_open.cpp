// fuzz_open: crm_open(":memory:", options_json, ...) with fuzzed options.
//
// The input, up to its first NUL, is options_json. Malformed JSON, an
// unknown key or a bad value is CRM_EINVAL with no engine; anything else
// opens an engine, which must then serve a create and a list before it is
// closed.
#include "fuzz_common.hpp"

namespace {

using namespace crm_fuzz;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = as_text(data, size);
    crm_engine* e = nullptr;
    const int rc = crm_open(":memory:", text.c_str(), &e);
    if (rc < CRM_OK || rc > CRM_EINTERNAL) die("crm_open", rc, "status out of 0..8", text.c_str());
    if (rc != CRM_OK) {
        if (e != nullptr) die("crm_open", rc, "failure left an engine", text.c_str());
        check_error("crm_open", rc);
        if (rc != CRM_EINVAL && rc != CRM_ENOMEM) die("crm_open", rc, "options can only be invalid", text.c_str());
        return 0;
    }
    if (e == nullptr) die("crm_open", rc, "success without an engine", text.c_str());
    if (crm_last_error() != nullptr) die("crm_open", rc, "success left a last error", text.c_str());
    // The engine works whatever options it took.
    char* out = nullptr;
    int rc2 = crm_create(e, "customers", R"({"first_name":"Ann","email":"ann@example.com"})", &out);
    if (rc2 != CRM_OK) die("crm_create after crm_open", rc2, "an opened engine cannot create", text.c_str());
    check_out("crm_create after crm_open", rc2, out, 0, text);
    out = nullptr;
    rc2 = crm_list(e, "customers", nullptr, &out);
    if (rc2 != CRM_OK) die("crm_list after crm_open", rc2, "an opened engine cannot list", text.c_str());
    check_out("crm_list after crm_open", rc2, out, 0, text);
    crm_close(e);
    return 0;
}
