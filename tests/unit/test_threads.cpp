// One Engine shared by several threads, and two Engines on one file.
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace json = boost::json;
using namespace crm_test;
namespace fs = std::filesystem;

namespace {

std::string email(int thread, int i) { return "t" + std::to_string(thread) + "-" + std::to_string(i) + "@Example.com"; }

}  // namespace

TEST_CASE("8 threads x 200 creates on one engine", "[engine][threads]") {
    constexpr int kThreads = 8, kPerThread = 200;
    crm::Engine e(":memory:");
    std::mutex mu;
    std::vector<std::int64_t> ids;
    std::vector<std::string> failures;
    std::atomic<int> readers_ok{0};
    std::atomic<bool> done{false};

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::vector<std::int64_t> mine;
            try {
                for (int i = 0; i < kPerThread; ++i) {
                    const auto c = e.create("customers", json::object{{"email", email(t, i)},
                                                                      {"last_name", "T" + std::to_string(t)}});
                    mine.push_back(c.at("id").as_int64());
                }
            } catch (const std::exception& ex) {
                std::lock_guard lock(mu);
                failures.push_back(ex.what());
            }
            std::lock_guard lock(mu);
            ids.insert(ids.end(), mine.begin(), mine.end());
        });
    }
    // A reader running alongside sees consistent pages.
    std::thread reader([&] {
        try {
            while (!done.load()) {
                const auto p = e.list("customers", crm::Query().page_size(10));
                const auto n = p.at("count").as_int64();
                if (n < 0 || n > kThreads * kPerThread || p.at("results").as_array().size() > 10) {
                    std::lock_guard lock(mu);
                    failures.push_back("inconsistent page while writing");
                }
                readers_ok.fetch_add(1);
            }
        } catch (const std::exception& ex) {
            std::lock_guard lock(mu);
            failures.push_back(std::string("reader: ") + ex.what());
        }
    });
    for (auto& th : threads) th.join();
    done.store(true);
    reader.join();

    {
        std::string all;
        for (const auto& f : failures) all += f + "\n";
        INFO("failures:\n" << all);
        CHECK(failures.empty());
    }
    CHECK(ids.size() == std::size_t(kThreads * kPerThread));
    CHECK(std::set<std::int64_t>(ids.begin(), ids.end()).size() == std::size_t(kThreads * kPerThread));
    CHECK(e.list("customers").at("count") == kThreads * kPerThread);
    CHECK(readers_ok.load() >= 1);
    // Every row is whole and findable.
    const auto sample = e.get("customers", ids.at(ids.size() / 2));
    CHECK(sample.at("email").as_string().ends_with("@example.com"));
    for (int t = 0; t < kThreads; ++t) {
        auto err = [&]() -> std::optional<crm::Status> {
            try {
                e.create("customers", json::object{{"email", email(t, 0)}});
            } catch (const crm::Error& ex) {
                return ex.code();
            }
            return std::nullopt;
        }();
        CHECK(err == std::optional<crm::Status>(crm::Status::conflict));
    }
}

TEST_CASE("two engines on one file from two threads all succeed", "[engine][threads]") {
    constexpr int kPerThread = 100;
    TempDir dir("threads-");
    const std::string path = (dir.path / "shared.db").string();
    { crm::Engine init(path); }  // create the schema once

    crm::Engine a(path);
    crm::Engine b(path);
    CHECK(a.options().busy_timeout_ms == 5000);
    std::mutex mu;
    std::vector<std::string> failures;
    std::vector<std::int64_t> ids;
    auto work = [&](crm::Engine& e, int t) {
        std::vector<std::int64_t> mine;
        try {
            for (int i = 0; i < kPerThread; ++i) {
                const auto c = e.create("customers", json::object{{"email", email(t, i)}});
                mine.push_back(c.at("id").as_int64());
                if (i % 10 == 0) {
                    e.update("customers", mine.back(), json::object{{"note", "n" + std::to_string(i)}});
                    (void)e.list("customers", crm::Query().limit(5));
                }
            }
        } catch (const std::exception& ex) {
            std::lock_guard lock(mu);
            failures.push_back(ex.what());
        }
        std::lock_guard lock(mu);
        ids.insert(ids.end(), mine.begin(), mine.end());
    };
    std::thread ta(work, std::ref(a), 0);
    std::thread tb(work, std::ref(b), 1);
    ta.join();
    tb.join();

    {
        std::string all;
        for (const auto& f : failures) all += f + "\n";
        INFO("failures:\n" << all);
        CHECK(failures.empty());
    }
    CHECK(ids.size() == std::size_t(2 * kPerThread));
    CHECK(std::set<std::int64_t>(ids.begin(), ids.end()).size() == std::size_t(2 * kPerThread));
    CHECK(a.list("customers").at("count") == 2 * kPerThread);
    CHECK(b.list("customers").at("count") == 2 * kPerThread);
    // Each engine sees the other's writes.
    CHECK(a.get("customers", ids.back()) == b.get("customers", ids.back()));
    CHECK(a.get("customers", ids.front()) == b.get("customers", ids.front()));
}
