// Concurrency under a random mix (issue #9): 8 threads on one engine and 3
// processes on the same file at once, each doing creates, updates, deletes,
// orders, tickets with accrual, bare accruals and redemptions. Afterwards:
// the balance equals the ledger's sum and what the workers accrued minus
// what they redeemed, order numbers are distinct, counts match what the
// workers report, and no call failed with `busy` (the busy timeout is far
// above any wait here).
#include "support.hpp"

#include <set>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

using namespace crm_test;
namespace json = boost::json;

namespace {

constexpr int kThreads = 8, kProcesses = 3, kOpsPerWorker = 400;

// What one worker did (written through a pipe by the processes).
struct Tally {
    std::int64_t customers = 0;  // created minus deleted
    std::int64_t orders = 0;
    std::int64_t tickets = 0;
    std::int64_t credit = 0;     // accrued, cents
    std::int64_t redeemed = 0;   // redeemed, cents
    std::int64_t refused = 0;    // redemptions beyond the balance (conflict)
    std::int64_t failures = 0;   // any other error, busy included
};

json::object ticket(std::int64_t cents) {
    return {{"customer_id", 1},
            {"payment_mode", "card"},
            {"lines", json::array{json::object{{"product_code", "P"}, {"unit_price_before_cents", cents}, {"quantity", 1}}}}};
}

Tally work(crm::Engine& e, int worker) {
    Tally t;
    std::mt19937 rng(static_cast<unsigned>(1000 + worker));
    std::vector<std::int64_t> mine;  // customers this worker created and still has
    for (int n = 0; n < kOpsPerWorker; ++n) {
        try {
            switch (rng() % 7) {
                case 0: {
                    auto c = e.create("customers", json::object{{"email", "w" + std::to_string(worker) + "-" +
                                                                              std::to_string(n) + "@stress.test"}});
                    mine.push_back(c.at("id").as_int64());
                    ++t.customers;
                    break;
                }
                case 1:
                    if (!mine.empty()) e.update("customers", mine[rng() % mine.size()], json::object{{"note", "note " + std::to_string(n)}});
                    break;
                case 2:
                    if (!mine.empty()) {
                        const std::size_t i = rng() % mine.size();
                        e.remove("customers", mine[i]);
                        mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(i));
                        --t.customers;
                    }
                    break;
                case 3:
                    e.create("orders", json::object{{"customer_id", 1}});
                    ++t.orders;
                    break;
                case 4: {
                    const std::int64_t cents = 100 + static_cast<std::int64_t>(rng() % 900);
                    auto created = e.create("tickets", ticket(cents));
                    t.credit += created.at("loyalty_points_cents").as_int64();
                    ++t.tickets;
                    break;
                }
                case 5: {
                    const std::int64_t cents = 1 + static_cast<std::int64_t>(rng() % 500);
                    auto r = e.credit().accrue({crm::Payment{"77", cents, std::nullopt}});
                    t.credit += r.at(0).accrued_cents;
                    break;
                }
                case 6:
                    try {
                        t.redeemed += e.credit().redeem("77", 1 + static_cast<std::int64_t>(rng() % 300)).redeemed_cents;
                    } catch (const crm::ConflictError&) {
                        ++t.refused;
                        break;
                    }
                    break;
            }
        } catch (const crm::Error& x) {
            ++t.failures;
            std::fprintf(stderr, "stress worker %d: %s\n", worker, x.to_json().c_str());
        }
    }
    return t;
}

}  // namespace

TEST_CASE("stress: 8 threads and 3 processes on one file keep every invariant", "[threads][processes][stress]") {
    TempDir dir("stress-");
    const std::string path = dir.file("stress.db");
    {
        crm::Engine e(path);
        e.create("customers", json::object{{"first_name", "Shared"}, {"loyalty_card", "77"}});
    }
    std::vector<pid_t> children;
    std::vector<int> pipes;
    for (int p = 0; p < kProcesses; ++p) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            Tally t;
            try {
                crm::Engine e(path);
                t = work(e, 100 + p);
            } catch (...) {
                t.failures = 1000;
            }
            const bool ok = ::write(fds[1], &t, sizeof t) == static_cast<ssize_t>(sizeof t);
            ::_exit(ok ? 0 : 3);
        }
        ::close(fds[1]);
        children.push_back(pid);
        pipes.push_back(fds[0]);
    }
    std::vector<Tally> tallies(kThreads + kProcesses);
    {
        crm::Engine e(path);
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i) threads.emplace_back([&, i] { tallies[static_cast<std::size_t>(i)] = work(e, i); });
        for (auto& th : threads) th.join();
    }
    for (int p = 0; p < kProcesses; ++p) {
        int status = 0;
        REQUIRE(::waitpid(children[static_cast<std::size_t>(p)], &status, 0) == children[static_cast<std::size_t>(p)]);
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
        REQUIRE(::read(pipes[static_cast<std::size_t>(p)], &tallies[static_cast<std::size_t>(kThreads + p)], sizeof(Tally)) ==
                static_cast<ssize_t>(sizeof(Tally)));
        ::close(pipes[static_cast<std::size_t>(p)]);
    }
    Tally sum;
    for (const auto& t : tallies) {
        sum.customers += t.customers;
        sum.orders += t.orders;
        sum.tickets += t.tickets;
        sum.credit += t.credit;
        sum.redeemed += t.redeemed;
        sum.refused += t.refused;
        sum.failures += t.failures;
    }
    CHECK(sum.failures == 0);

    crm::Engine e(path);
    CHECK(e.list("customers").at("count").as_int64() == 1 + sum.customers);
    CHECK(e.list("tickets").at("count").as_int64() == sum.tickets);
    // Order numbers: one per order, 1..n, none twice.
    std::set<std::int64_t> numbers;
    std::int64_t orders = 0;
    e.export_rows("orders", crm::Query(), [&](std::string_view line) {
        numbers.insert(json::parse(line).at("number").as_int64());
        ++orders;
        return true;
    });
    CHECK(orders == sum.orders);
    CHECK(static_cast<std::int64_t>(numbers.size()) == orders);
    if (!numbers.empty()) CHECK(*numbers.rbegin() == orders);
    // The ledger: accruals are what the workers accrued, and the balance is
    // the sum of every entry, never below zero.
    std::int64_t ledger = 0, accrued = 0;
    e.export_rows("ledger", crm::Query(), [&](std::string_view line) {
        const auto entry = json::parse(line);
        ledger += entry.at("delta_cents").as_int64();
        if (entry.at("reason") == "accrual") accrued += entry.at("delta_cents").as_int64();
        return true;
    });
    CHECK(accrued == sum.credit);
    const auto balance = e.credit().balance("77").balance_cents;
    CHECK(balance == ledger);
    CHECK(balance == sum.credit - sum.redeemed);
    CHECK(balance >= 0);
    CHECK(sum.redeemed > 0);  // the mix did spend credit
}
