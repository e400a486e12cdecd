// The Catch2 runner of crm_tests (every tests/unit/*.cpp is linked into it).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
