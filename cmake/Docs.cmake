# Reference documentation of the public API (include/crm) with Doxygen.
#
# `cmake --build <build> --target docs` writes HTML to <build>/docs/html and
# fails on any Doxygen warning, so a public declaration without a doc
# comment fails the build. When the tests are on, ctest runs that target as
# a test, so CI fails too. Without Doxygen (Debian: `doxygen`) there is no
# `docs` target and no test.

option(CRM_BUILD_DOCS "Add the `docs` target (Doxygen reference of include/crm)" ${CRM_TOP_LEVEL})

if(CRM_BUILD_DOCS)
  find_package(Doxygen)
  if(DOXYGEN_FOUND)
    set(CRM_DOCS_OUTPUT_DIR "${CMAKE_BINARY_DIR}/docs")
    configure_file("${CMAKE_CURRENT_LIST_DIR}/Doxyfile.in" "${CMAKE_BINARY_DIR}/Doxyfile" @ONLY)
    add_custom_target(docs
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${CRM_DOCS_OUTPUT_DIR}"
      COMMAND Doxygen::doxygen "${CMAKE_BINARY_DIR}/Doxyfile"
      WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
      COMMENT "Doxygen: reference of include/crm (warnings are errors)"
      VERBATIM)
    if(CRM_BUILD_TESTS)
      get_property(_crm_multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
      set(_crm_docs_config "")
      if(_crm_multi_config)
        set(_crm_docs_config --config $<CONFIG>)
      endif()
      add_test(NAME "docs: every public declaration documented"
               COMMAND "${CMAKE_COMMAND}" --build "${CMAKE_BINARY_DIR}" --target docs ${_crm_docs_config})
      set_tests_properties("docs: every public declaration documented" PROPERTIES TIMEOUT 300)
    endif()
  else()
    message(STATUS "crm: Doxygen not found; no `docs` target")
  endif()
endif()
