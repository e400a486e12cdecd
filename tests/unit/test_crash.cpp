// Crash safety (issue #9): a child process is SIGKILLed at random points
// while it writes (single creates, tickets with their accrual, atomic
// imports); after every kill the file opens, passes PRAGMA integrity_check,
// and holds exactly the calls that committed.
#include "support.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <csignal>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace crm_test;
namespace json = boost::json;

namespace {

constexpr std::int64_t kImportRows = 20;
constexpr std::int64_t kTicketCents = 1000;  // each ticket accrues 500 at the default rate

// Operation k of the deterministic sequence the children run.
enum class Op { create, ticket, import };
Op op_of(std::int64_t k) { return static_cast<Op>(k % 3); }

// What the database must hold after operations 0..n-1 (on top of the
// loyalty customer created first).
struct Expected {
    std::int64_t customers = 1, tickets = 0, balance = 0;
};
Expected after(std::int64_t n) {
    Expected e;
    for (std::int64_t k = 0; k < n; ++k) switch (op_of(k)) {
            case Op::create: ++e.customers; break;
            case Op::ticket: ++e.tickets, e.balance += kTicketCents / 2; break;
            case Op::import: e.customers += kImportRows; break;
        }
    return e;
}

void run_op(crm::Engine& e, std::int64_t k) {
    switch (op_of(k)) {
        case Op::create:
            e.create("customers", json::object{{"email", "c" + std::to_string(k) + "@crash.test"}});
            break;
        case Op::ticket:
            e.create("tickets", json::object{{"customer_id", 1},
                                             {"ref", "t" + std::to_string(k)},
                                             {"lines", json::array{json::object{{"product_code", "P"},
                                                                                {"unit_price_before_cents", kTicketCents},
                                                                                {"quantity", 1}}}}});
            break;
        case Op::import: {
            std::string payload;
            for (std::int64_t j = 0; j < kImportRows; ++j)
                payload += "{\"email\":\"i" + std::to_string(k) + "-" + std::to_string(j) + "@crash.test\"}\n";
            e.import_rows("customers", payload);
            break;
        }
    }
}

// The child: runs operations from `first` on, writing each finished one's
// number to `ack`, until it is killed.
[[noreturn]] void child(const std::string& path, std::int64_t first, int ack) {
    try {
        crm::Engine e(path);
        for (std::int64_t k = first; k < first + 100000; ++k) {
            run_op(e, k);
            if (::write(ack, &k, sizeof k) != static_cast<ssize_t>(sizeof k)) ::_exit(3);
        }
    } catch (const crm::ImportError& x) {
        std::fprintf(stderr, "crash test child: %s\n", x.to_json().c_str());
        ::_exit(2);
    } catch (const std::exception& x) {
        std::fprintf(stderr, "crash test child: %s\n", x.what());
        ::_exit(2);
    }
    ::_exit(0);
}

Expected stored(const std::string& path) {
    crm::Engine e(path);
    Expected s;
    s.customers = e.list("customers").at("count").as_int64();
    s.tickets = e.list("tickets").at("count").as_int64();
    s.balance = e.credit().balance("33").balance_cents;
    return s;
}

}  // namespace

TEST_CASE("crash safety: 200 SIGKILLs of writing processes leave an intact file with exactly the committed calls",
          "[crash][processes]") {
    TempDir dir("crash-");
    const std::string path = dir.file("crash.db");
    {
        crm::Engine e(path);
        e.create("customers", json::object{{"first_name", "Loyal"}, {"loyalty_card", "33"}});
    }
    std::mt19937 rng(20261123);
    std::uniform_int_distribution<int> delay_us(0, 40000);
    std::int64_t committed = 0;  // operations 0..committed-1 are in the file
    for (int kill = 0; kill < 200; ++kill) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            child(path, committed, fds[1]);
        }
        ::close(fds[1]);
        std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
        ::kill(pid, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        INFO("kill " << kill << ", child status " << status);
        // The operations the child saw commit.
        std::int64_t k = 0, acked = committed;
        while (::read(fds[0], &k, sizeof k) == static_cast<ssize_t>(sizeof k)) {
            REQUIRE(k == acked);
            ++acked;
        }
        ::close(fds[0]);
        REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));

        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE);
            SQLite::Statement check(db, "PRAGMA integrity_check");
            REQUIRE(check.executeStep());
            REQUIRE(check.getColumn(0).getString() == "ok");
        }
        // Exactly the acknowledged operations, or those and the one in
        // flight (it committed, the kill came before its acknowledgement).
        const Expected s = stored(path);
        const Expected without = after(acked), with = after(acked + 1);
        INFO("acked " << acked << ": customers " << s.customers << ", tickets " << s.tickets << ", balance "
                      << s.balance);
        const bool is_without =
            s.customers == without.customers && s.tickets == without.tickets && s.balance == without.balance;
        const bool is_with = s.customers == with.customers && s.tickets == with.tickets && s.balance == with.balance;
        REQUIRE((is_without || is_with));
        committed = is_with ? acked + 1 : acked;
    }
    // The children did real work between kills.
    CHECK(committed >= 50);
    // The ledger still sums to the balance, and every call left whole.
    crm::Engine e(path);
    std::int64_t sum = 0;
    e.export_rows("ledger", crm::Query(), [&](std::string_view line) {
        sum += json::parse(line).at("delta_cents").as_int64();
        return true;
    });
    CHECK(sum == after(committed).balance);
    CHECK(e.credit().balance("33").balance_cents == after(committed).balance);
}
