// Helpers shared by the Catch2 tests of crm_tests (tests/unit/*.cpp): error
// capture, the field names an error blames, small JSON helpers, a temporary
// folder, and clock helpers. Each test file adds `using namespace crm_test;`
// and keeps its own special helpers.
#pragma once

#include <crm/crm.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <unistd.h>

namespace crm_test {

using Fields = std::set<std::string>;
using Ids = std::vector<std::int64_t>;

// The crm::Error f() throws, or nothing when it returns.
template <class F>
std::optional<crm::Error> error_of(F&& f) {
    try {
        f();
    } catch (const crm::Error& e) {
        return e;
    }
    return std::nullopt;
}

// The status of the crm::Error f() throws, or nothing when it returns.
template <class F>
std::optional<crm::Status> code_of(F&& f) {
    auto err = error_of(std::forward<F>(f));
    if (!err) return std::nullopt;
    return err->code();
}

// The set of field names an error blames.
inline Fields field_names(const crm::Error& e) {
    Fields s;
    for (const auto& fe : e.errors()) s.insert(fe.field);
    return s;
}

// Checks that f() throws a crm::Error with `code` naming exactly `fields`,
// each with a non-empty message; returns the error.
template <class F>
crm::Error expect_error(F&& f, crm::Status code, const Fields& fields) {
    auto err = error_of(std::forward<F>(f));
    REQUIRE(err.has_value());
    INFO("error: " << err->to_json());
    CHECK(err->code() == code);
    CHECK(field_names(*err) == fields);
    for (const auto& fe : err->errors()) CHECK_FALSE(fe.message.empty());
    return *err;
}

inline boost::json::object parse_obj(std::string_view text) { return boost::json::parse(text).as_object(); }

inline std::int64_t id_of(const boost::json::object& o) { return o.at("id").as_int64(); }

// The "id" of every result of a page, in order.
inline Ids ids_of(const boost::json::object& page) {
    Ids out;
    for (const auto& r : page.at("results").as_array()) out.push_back(r.at("id").as_int64());
    return out;
}

// The keys of an object.
inline Fields keys_of(const boost::json::object& o) {
    Fields s;
    for (const auto& kv : o) s.insert(std::string(kv.key()));
    return s;
}

// `o` without `keys`.
inline boost::json::object without(boost::json::object o, std::initializer_list<std::string_view> keys) {
    for (auto k : keys) o.erase(k);
    return o;
}

// `unit` repeated n times.
inline std::string repeat(std::string_view unit, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += unit;
    return s;
}

// A timestamp as the engine writes it: RFC 3339 in UTC, a fraction only when non-zero.
inline bool rfc3339_utc(const boost::json::value& v) {
    static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,5}[1-9])?Z$)");
    return v.is_string() && std::regex_match(std::string(v.as_string()), re);
}

// Listing customers with query `q` is refused as invalid; returns the error.
inline crm::Error list_refused(crm::Engine& e, const boost::json::value& q) {
    auto err = error_of([&] { e.list("customers", crm::Query::from_json(q)); });
    REQUIRE(err.has_value());
    CHECK(err->code() == crm::Status::invalid);
    return *err;
}

// YYYY-MM-DD
inline std::string iso(std::chrono::year_month_day d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(d.year()), unsigned(d.month()), unsigned(d.day()));
    return buf;
}

// Blocks until the wall clock has entered a new second: engine timestamps
// have whole seconds, so the next write is stamped later than the last.
inline void wait_next_second() {
    using namespace std::chrono_literals;
    const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    while (std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) == start)
        std::this_thread::sleep_for(5ms);
}

// A fresh folder under the system temp folder ("crm-unit-<tag>..."), removed
// with its content.
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(std::string_view tag = "") {
        std::random_device rd;
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path = std::filesystem::temp_directory_path() / ("crm-unit-" + std::string(tag) + std::to_string(stamp) +
                                                         "-" + std::to_string(rd()) + "-" + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const char* name) const { return (path / name).string(); }
};

// A database file in the temp folder ("crm_query_<tag>_<pid>_<n>.db"),
// removed (with its WAL files) at the end.
struct TempDb {
    std::string path;
    explicit TempDb(std::string_view tag) {
        static int n = 0;
        path = (std::filesystem::temp_directory_path() /
                ("crm_query_" + std::string(tag) + "_" + std::to_string(::getpid()) + "_" + std::to_string(++n) + ".db"))
                   .string();
        remove();
    }
    ~TempDb() { remove(); }
    TempDb(const TempDb&) = delete;
    TempDb& operator=(const TempDb&) = delete;
    void remove() const {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix, ec);
    }
};

}  // namespace crm_test
