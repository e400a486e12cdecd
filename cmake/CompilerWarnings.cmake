# crm_warnings: an INTERFACE target linked PRIVATE by our own targets only,
# so no warning flag (and never -Werror) reaches a consumer.
add_library(crm_warnings INTERFACE)
target_compile_options(crm_warnings INTERFACE
  $<$<OR:$<C_COMPILER_ID:GNU,Clang>,$<CXX_COMPILER_ID:GNU,Clang>>:-Wall -Wextra -Wpedantic>)
if(CRM_WARNINGS_AS_ERRORS)
  target_compile_options(crm_warnings INTERFACE
    $<$<OR:$<C_COMPILER_ID:GNU,Clang>,$<CXX_COMPILER_ID:GNU,Clang>>:-Werror>)
endif()
