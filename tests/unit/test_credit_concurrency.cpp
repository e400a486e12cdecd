// No lost update on a loyalty balance: 4 threads on one Engine, and 2
// processes (fork) on one file, each accruing (bare payments and tickets) and
// redeeming on the same card, end exactly at the expected balance; shared
// refs are applied exactly once; redemptions racing for one balance never
// take it below zero. Test names say "threads" or "processes" (the tsan
// preset selects them by name).
#include <crm/crm.hpp>

#include "support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace json = boost::json;
using namespace crm_test;

namespace {

constexpr const char* kCard = "77";

std::int64_t card_customer(crm::Engine& e) {
    return e.create("customers", json::object{{"last_name", "Shared"}, {"loyalty_card", kCard}}).at("id").as_int64();
}

std::int64_t ledger_sum(crm::Engine& e, std::int64_t customer_id, std::int64_t& entries) {
    std::int64_t sum = 0;
    entries = 0;
    auto q = crm::Query().where("customer_id", customer_id).page_size(1000);
    for (;;) {
        const auto page = e.list("ledger", q);
        for (const auto& r : page.at("results").as_array()) {
            sum += r.at("delta_cents").as_int64();
            ++entries;
        }
        if (!page.at("next_cursor").is_string()) break;
        q = crm::Query().where("customer_id", customer_id).page_size(1000).cursor(page.at("next_cursor").as_string());
    }
    return sum;
}

// One worker's share of the mixed workload, numbered `w`: per iteration a
// payment of 200 (+100) under its own ref, the same payment retried (a
// duplicate), a ticket of 60 (+30), a redemption of 30 under its own ref and
// its retry; every 10th iteration a payment of 1000 (+500) under a ref every
// worker sends, and (at other iterations) a ticket of 60 (+30) under a ref
// every worker sends: one ticket, whoever created it. Returns how many of
// those shared payments this worker applied.
int mixed_work(crm::Engine& e, int w, int iterations, std::int64_t customer_id) {
    int shared_applied = 0;
    for (int i = 0; i < iterations; ++i) {
        const std::string own = "w" + std::to_string(w) + "-" + std::to_string(i);
        const auto a = e.credit().accrue({crm::Payment{kCard, 200, own}});
        if (a.at(0).duplicate || a.at(0).accrued_cents != 100) throw std::runtime_error("own payment not applied: " + own);
        if (!e.credit().accrue({crm::Payment{kCard, 200, own}}).at(0).duplicate)
            throw std::runtime_error("retried payment applied twice: " + own);
        e.create("tickets", json::object{{"customer_id", customer_id},
                                         {"lines", json::array{json::object{{"product_code", own},
                                                                            {"unit_price_before_cents", 60}}}}});
        const auto r = e.credit().redeem(kCard, 30, "r" + own);
        if (r.duplicate || r.redeemed_cents != 30) throw std::runtime_error("own redemption not applied: " + own);
        const auto again = e.credit().redeem(kCard, 30, "r" + own);
        if (!again.duplicate || again.ledger_id != r.ledger_id)
            throw std::runtime_error("retried redemption spent twice: " + own);
        if (i % 10 == 0) {
            const auto s = e.credit().accrue({crm::Payment{kCard, 1000, "shared-" + std::to_string(i)}});
            if (!s.at(0).duplicate) ++shared_applied;
        }
        if (i % 10 == 5) {
            const json::object body{
                {"customer_id", customer_id},
                {"ref", "st-" + std::to_string(i)},
                {"lines", json::array{json::object{{"product_code", "shared"}, {"unit_price_before_cents", 60}}}}};
            const auto t = e.create("tickets", body);
            if (e.create("tickets", body).at("id") != t.at("id"))
                throw std::runtime_error("a ticket ref gave two tickets");
        }
        if (e.credit().balance(kCard).balance_cents < 0) throw std::runtime_error("negative balance");
    }
    return shared_applied;
}

// Redeems `amount` until the balance no longer covers it; returns how many
// redemptions went through. Any error but that conflict is rethrown.
int drain(crm::Engine& e, std::int64_t amount) {
    int done = 0;
    for (;;) {
        try {
            const auto r = e.credit().redeem(kCard, amount);
            if (r.balance_cents < 0) throw std::runtime_error("negative balance after a redemption");
            ++done;
        } catch (const crm::ConflictError&) {
            return done;
        }
    }
}

}  // namespace

TEST_CASE("credit: 4 threads accruing and redeeming on one card end at the exact balance", "[credit][threads]") {
    constexpr int kThreads = 4, kIters = 150;
    TempDir dir("credit-threads-");
    crm::Engine e(dir.file("credit.db"));
    const auto cust = card_customer(e);

    std::mutex mu;
    std::vector<std::string> failures;
    std::atomic<int> shared_applied{0};
    std::atomic<bool> done{false};
    std::atomic<int> reads{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            try {
                shared_applied += mixed_work(e, t, kIters, cust);
            } catch (const std::exception& ex) {
                std::lock_guard lock(mu);
                failures.push_back(ex.what());
            }
        });
    }
    // A reader alongside: the balance it sees always equals the customer's credit_cents and is never negative.
    std::thread reader([&] {
        try {
            while (!done.load()) {
                const auto b = e.credit().balance(kCard).balance_cents;
                if (b < 0) throw std::runtime_error("negative balance seen");
                reads.fetch_add(1);
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
        REQUIRE(failures.empty());
    }
    CHECK(reads.load() >= 1);
    const int shared = (kIters + 9) / 10, shared_tickets = (kIters + 4) / 10;
    CHECK(shared_applied.load() == shared);  // each shared ref applied by exactly one thread
    const std::int64_t expected = std::int64_t{kThreads} * kIters * (100 + 30 - 30) + std::int64_t{shared} * 500 +
                                  std::int64_t{shared_tickets} * 30;
    CHECK(e.credit().balance(kCard).balance_cents == expected);
    CHECK(e.get("customers", cust).at("credit_cents") == expected);
    std::int64_t entries = 0;
    CHECK(ledger_sum(e, cust, entries) == expected);
    CHECK(entries == std::int64_t{kThreads} * kIters * 3 + shared + shared_tickets);
    CHECK(e.list("tickets").at("count") == kThreads * kIters + shared_tickets);

    SECTION("then 4 threads racing to redeem one balance take it exactly to what is left") {
        // Balance: expected (60,000 + 7,500 + 450 = 67,950); 4 threads redeem 7 until it no longer covers 7.
        std::atomic<int> redeemed{0};
        std::vector<std::thread> racers;
        for (int t = 0; t < kThreads; ++t) {
            racers.emplace_back([&] {
                try {
                    redeemed += drain(e, 7);
                } catch (const std::exception& ex) {
                    std::lock_guard lock(mu);
                    failures.push_back(ex.what());
                }
            });
        }
        for (auto& th : racers) th.join();
        REQUIRE(failures.empty());
        CHECK(redeemed.load() == expected / 7);
        CHECK(e.credit().balance(kCard).balance_cents == expected % 7);
        CHECK(ledger_sum(e, cust, entries) == expected % 7);
    }
}

TEST_CASE("credit: 2 processes accruing and redeeming on one file end at the exact balance", "[credit][threads]") {
    constexpr int kProcesses = 2, kIters = 100;
    TempDir dir("credit-processes-");
    const std::string path = dir.file("credit.db");
    std::int64_t cust = 0;
    {
        crm::Engine e(path);
        cust = card_customer(e);
    }  // closed: no connection crosses fork()

    // Each child reports "<shared payments applied> <redemptions of the drain>" through a pipe.
    struct Child {
        pid_t pid = -1;
        int fd = -1;
    };
    std::vector<Child> children;
    for (int p = 0; p < kProcesses; ++p) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        std::fflush(stdout);
        std::fflush(stderr);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            int code = 0;
            try {
                crm::Engine e(path);
                const int shared = mixed_work(e, 100 + p, kIters, cust);
                const std::string report = std::to_string(shared) + "\n";
                if (::write(fds[1], report.data(), report.size()) != static_cast<ssize_t>(report.size())) code = 3;
            } catch (const std::exception& ex) {
                std::fprintf(stderr, "child %d: %s\n", p, ex.what());
                code = 1;
            } catch (...) {
                code = 2;
            }
            ::close(fds[1]);
            std::fflush(stderr);
            ::_exit(code);
        }
        ::close(fds[1]);
        children.push_back({pid, fds[0]});
    }
    int shared_applied = 0;
    for (const auto& c : children) {
        char buf[64] = {};
        std::size_t got = 0;
        for (ssize_t n; got < sizeof buf - 1 && (n = ::read(c.fd, buf + got, sizeof buf - 1 - got)) > 0;)
            got += static_cast<std::size_t>(n);
        ::close(c.fd);
        int status = 0;
        REQUIRE(::waitpid(c.pid, &status, 0) == c.pid);
        INFO("child exit status " << status << ", report '" << buf << "'");
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        shared_applied += std::atoi(buf);
    }

    crm::Engine e(path);
    const int shared = (kIters + 9) / 10, shared_tickets = (kIters + 4) / 10;
    CHECK(shared_applied == shared);
    const std::int64_t expected =
        std::int64_t{kProcesses} * kIters * 100 + std::int64_t{shared} * 500 + std::int64_t{shared_tickets} * 30;
    CHECK(e.credit().balance(kCard).balance_cents == expected);
    CHECK(e.get("customers", cust).at("credit_cents") == expected);
    std::int64_t entries = 0;
    CHECK(ledger_sum(e, cust, entries) == expected);
    CHECK(entries == std::int64_t{kProcesses} * kIters * 3 + shared + shared_tickets);
    CHECK(e.list("tickets").at("count") == kProcesses * kIters + shared_tickets);
}

TEST_CASE("credit: 2 processes racing to redeem one balance never overspend it", "[credit][threads]") {
    constexpr int kProcesses = 2;
    constexpr std::int64_t kStart = 10'000, kAmount = 7;
    TempDir dir("credit-drain-");
    const std::string path = dir.file("credit.db");
    {
        crm::Engine e(path);
        card_customer(e);
        e.credit().accrue({crm::Payment{kCard, 2 * kStart, std::nullopt}});
        REQUIRE(e.credit().balance(kCard).balance_cents == kStart);
    }
    std::vector<std::pair<pid_t, int>> children;
    for (int p = 0; p < kProcesses; ++p) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        std::fflush(stdout);
        std::fflush(stderr);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            int code = 0;
            try {
                crm::Engine e(path);
                const std::string report = std::to_string(drain(e, kAmount)) + "\n";
                if (::write(fds[1], report.data(), report.size()) != static_cast<ssize_t>(report.size())) code = 3;
            } catch (const std::exception& ex) {
                std::fprintf(stderr, "child %d: %s\n", p, ex.what());
                code = 1;
            } catch (...) {
                code = 2;
            }
            ::close(fds[1]);
            std::fflush(stderr);
            ::_exit(code);
        }
        ::close(fds[1]);
        children.emplace_back(pid, fds[0]);
    }
    std::int64_t redeemed = 0;
    for (const auto& [pid, fd] : children) {
        char buf[64] = {};
        std::size_t got = 0;
        for (ssize_t n; got < sizeof buf - 1 && (n = ::read(fd, buf + got, sizeof buf - 1 - got)) > 0;)
            got += static_cast<std::size_t>(n);
        ::close(fd);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        INFO("child exit status " << status << ", report '" << buf << "'");
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        redeemed += std::atoll(buf);
    }
    crm::Engine e(path);
    CHECK(redeemed == kStart / kAmount);  // 1428
    CHECK(e.credit().balance(kCard).balance_cents == kStart % kAmount);  // 4
    CHECK(e.list("ledger", crm::Query().where("reason", "redemption")).at("count") == kStart / kAmount);
}
