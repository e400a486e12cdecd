# Install, export and packaging of libcrm: headers, the library (shared with
# SONAME libcrm.so.<CRM_SOVERSION>, or static), crmConfig.cmake +
# crmConfigVersion.cmake (imported target crm::crm) and crm.pc.
# Included from the top-level CMakeLists.txt when CRM_INSTALL is ON.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CRM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/crm"
    CACHE STRING "Where crmConfig.cmake is installed (relative to the prefix)")
set(CRM_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    CACHE STRING "Where crm.pc is installed (relative to the prefix)")

install(TARGETS crm
  EXPORT crmTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
          NAMELINK_COMPONENT development
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/crm"
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT development
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

# --- CMake package: crmConfig.cmake, crmConfigVersion.cmake, crmTargets.cmake
set(CRM_CONFIG_SHARED ${BUILD_SHARED_LIBS})
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/crmConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/crmConfig.cmake"
  INSTALL_DESTINATION ${CRM_INSTALL_CMAKEDIR})
# 0.x: the SONAME is libcrm.so.0 for every 0.y.z, so is the package.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/crmConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(EXPORT crmTargets
  NAMESPACE crm::
  FILE crmTargets.cmake
  DESTINATION ${CRM_INSTALL_CMAKEDIR}
  COMPONENT development)
install(FILES
  "${PROJECT_BINARY_DIR}/crmConfig.cmake"
  "${PROJECT_BINARY_DIR}/crmConfigVersion.cmake"
  DESTINATION ${CRM_INSTALL_CMAKEDIR}
  COMPONENT development)

# The build tree as a package too: find_package(crm) with crm_DIR=<build dir>.
export(EXPORT crmTargets
  NAMESPACE crm::
  FILE "${PROJECT_BINARY_DIR}/crmTargets.cmake")

# --- pkg-config: crm.pc, relocatable (paths from ${pcfiledir})
if(IS_ABSOLUTE "${CRM_INSTALL_PKGCONFIGDIR}")
  set(CRM_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _crm_pc_up "/prefix/${CRM_INSTALL_PKGCONFIGDIR}" "/prefix")
  string(REGEX REPLACE "/$" "" _crm_pc_up "${_crm_pc_up}")
  set(CRM_PC_PREFIX "\${pcfiledir}/${_crm_pc_up}")
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(CRM_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(CRM_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
# Boost.JSON is PUBLIC (the C++ headers use it) and has no .pc file: it is
# named in Libs. The PRIVATE dependencies matter to a static libcrm only:
# Requires.private / Libs.private (`pkg-config --static`).
set(CRM_PC_BOOST_LIBS "-L$<TARGET_LINKER_FILE_DIR:Boost::json> -lboost_json")
if(BUILD_SHARED_LIBS)
  set(CRM_PC_CFLAGS "")
  set(CRM_PC_PRIVATE "")
else()
  set(CRM_PC_CFLAGS " -DCRM_STATIC")
  set(CRM_PC_PRIVATE "Requires.private: sqlite3 fmt
Libs.private: -L$<TARGET_LINKER_FILE_DIR:SQLiteCpp> -lSQLiteCpp -pthread -lstdc++ -lm
")
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/crm.pc.in" "${PROJECT_BINARY_DIR}/crm.pc.gen" @ONLY)
file(GENERATE OUTPUT "${PROJECT_BINARY_DIR}/crm.pc"
  INPUT "${PROJECT_BINARY_DIR}/crm.pc.gen")
install(FILES "${PROJECT_BINARY_DIR}/crm.pc"
  DESTINATION ${CRM_INSTALL_PKGCONFIGDIR}
  COMPONENT development)

# --- A small CPack configuration: `cpack -G TGZ` (or DEB) from the build dir.
set(CPACK_PACKAGE_NAME crm)
set(CPACK_PACKAGE_VENDOR crm)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR TGZ)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "crm maintainers")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost-json1.81.0")
set(CPACK_SOURCE_IGNORE_FILES "/build[^/]*/" "/\\\\.git/")
include(CPack)
