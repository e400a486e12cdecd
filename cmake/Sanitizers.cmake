# crm_sanitizers: the sanitizers chosen by CRM_SANITIZE. An INTERFACE target
# linked PRIVATE, so the flags never leak to consumers through PUBLIC
# properties.
#   OFF (default)       none
#   ON or "address"     AddressSanitizer + UndefinedBehaviorSanitizer (the `asan` preset)
#   "thread"            ThreadSanitizer (the `tsan` preset, which runs the concurrency tests)
# Any value other than OFF counts as "sanitized" where the build checks
# `if(CRM_SANITIZE)` (hosts that would need the runtime preloaded are skipped).
set(CRM_SANITIZE OFF CACHE STRING "Sanitizers: OFF, ON (= address: ASan + UBSan) or thread (TSan)")
set_property(CACHE CRM_SANITIZE PROPERTY STRINGS OFF ON address thread)
add_library(crm_sanitizers INTERFACE)
string(TOLOWER "${CRM_SANITIZE}" _crm_sanitize)
if(NOT CRM_SANITIZE)
  # none
elseif(_crm_sanitize STREQUAL "thread")
  set(_crm_san_flags -fsanitize=thread -fno-omit-frame-pointer)
  target_compile_options(crm_sanitizers INTERFACE ${_crm_san_flags})
  target_link_options(crm_sanitizers INTERFACE -fsanitize=thread)
elseif(_crm_sanitize MATCHES "^(address|on|yes|true|y|1)$")
  set(_crm_san_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(crm_sanitizers INTERFACE ${_crm_san_flags})
  target_link_options(crm_sanitizers INTERFACE -fsanitize=address,undefined)
else()
  message(FATAL_ERROR "CRM_SANITIZE=${CRM_SANITIZE}: expected OFF, ON, address or thread")
endif()
