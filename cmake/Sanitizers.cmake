# crm_sanitizers: AddressSanitizer + UndefinedBehaviorSanitizer when
# CRM_SANITIZE is ON (the `asan` preset). An INTERFACE target linked PRIVATE,
# so the flags never leak to consumers through PUBLIC properties.
option(CRM_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(crm_sanitizers INTERFACE)
if(CRM_SANITIZE)
  set(_crm_san_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(crm_sanitizers INTERFACE ${_crm_san_flags})
  target_link_options(crm_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
