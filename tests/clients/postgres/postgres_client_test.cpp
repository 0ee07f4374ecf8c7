// The PostgreSQL client (connection, results, pool) against a real PostgreSQL 15, started once
// for the whole binary by scripts/services/start-postgres.sh. What the pool does is checked from
// the server's side (pg_stat_activity, pg_prepared_statements, backend pids).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "clients/postgres/connection.h"
#include "clients/postgres/pool.h"
#include "postgres_server.h"
#include "run_coroutine.h"
#include "service_scripts.h"

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using clients::postgres::Connection;
using clients::postgres::ConnectionOptions;
using clients::postgres::Error;
using clients::postgres::Params;
using clients::postgres::Pool;
using clients::postgres::PoolOptions;
using clients::postgres::PoolTimeout;
using clients::postgres::Result;
using clients::postgres::Statement;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

testing_support::PostgresEnvironment* server = nullptr;

awaitable<void> sleep_for(Clock::duration duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(asio::use_awaitable);
}

// A name no other test uses, for application_name and tables.
std::string unique_name(const std::string& prefix) {
    static int counter = 0;
    return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
}

class PostgresClient : public testing::Test {
protected:
    void SetUp() override {
        if (!server->skip_reason.empty()) {
            GTEST_SKIP() << server->skip_reason;
        }
        ASSERT_TRUE(server->ready()) << server->error;
    }

    ConnectionOptions connection_options(const std::string& application_name = "") const {
        ConnectionOptions options;
        options.conninfo = server->conninfo();
        options.application_name = application_name;
        options.connect_timeout = 10s;
        return options;
    }

    PoolOptions pool_options(std::size_t max_connections,
                             const std::string& application_name = "") const {
        PoolOptions options;
        options.connection = connection_options(application_name);
        options.max_connections = max_connections;
        return options;
    }

    awaitable<std::unique_ptr<Connection>> connect(const std::string& application_name = "") {
        ConnectionOptions options = connection_options(application_name);
        co_return co_await Connection::connect(io_.get_executor(), options);
    }

    template <typename Body>
    void run(Body body) {
        testing_support::run_coroutine(io_, std::move(body));
    }

    asio::io_context io_;
};

TEST_F(PostgresClient, ParametersAndTypesRoundTrip) {
    run([&]() -> awaitable<void> {
        auto db = co_await connect();
        std::string text = "h\xc3\xa9llo 'quoted' \"double\" \\ $1";
        std::int64_t smallest = std::numeric_limits<std::int64_t>::min();
        double tenth = 0.1;
        Result row = co_await db->query(
            "select $1::text as t, $2::int8 as big, $3::float8 as d, $4::bool as yes, "
            "$5::bool as no, $6::int4 as small, $7::text as empty, $8::float8 as inf, "
            "$9::float8 as nan, $10::numeric as n",
            text, smallest, tenth, true, false, -42, "", INFINITY, NAN, 1e300);
        EXPECT_EQ(row.rows(), 1);
        EXPECT_EQ(row.columns(), 10);
        EXPECT_EQ(row.get<std::string>(0, "t"), text);
        EXPECT_EQ(row.get<std::string_view>(0, 0), text);
        EXPECT_EQ(row.get<std::int64_t>(0, "big"), smallest);
        EXPECT_EQ(row.get<double>(0, "d"), 0.1);  // exactly: the shortest text that reads back
        EXPECT_TRUE(row.get<bool>(0, "yes"));
        EXPECT_FALSE(row.get<bool>(0, "no"));
        EXPECT_EQ(row.get<int>(0, "small"), -42);
        EXPECT_EQ(row.get<std::string>(0, "empty"), "");
        EXPECT_FALSE(row.is_null(0, 6));  // "" is not NULL
        EXPECT_EQ(row.get<double>(0, "inf"), INFINITY);
        EXPECT_TRUE(std::isnan(row.get<double>(0, "nan")));
        EXPECT_EQ(row.get<double>(0, "n"), 1e300);
        EXPECT_EQ(row.column_name(1), "big");

        // Conversions that do not fit are errors, not silent truncations.
        EXPECT_THROW(row.get<std::int16_t>(0, "big"), std::invalid_argument);
        EXPECT_THROW(row.get<std::uint32_t>(0, "small"), std::invalid_argument);
        EXPECT_THROW(row.get<std::int64_t>(0, "t"), std::invalid_argument);
        EXPECT_THROW(row.get<bool>(0, "small"), std::invalid_argument);
        EXPECT_THROW(row.get<std::string>(1, 0), std::invalid_argument);
        EXPECT_THROW(row.get<std::string>(0, "missing"), std::invalid_argument);

        // Many rows, and the rows a command affected.
        Result series = co_await db->query("select g from generate_series(1, $1::int) g", 1000);
        EXPECT_EQ(series.rows(), 1000);
        EXPECT_EQ(series.get<int>(999, 0), 1000);
        co_await db->execute("create temporary table items (id int, name text)");
        Result inserted =
            co_await db->query("insert into items select g, 'x' from generate_series(1, 5) g");
        EXPECT_EQ(inserted.affected(), 5);
        EXPECT_EQ(inserted.command_status(), "INSERT 0 5");
        Result updated = co_await db->query("update items set name = $1 where id > $2", "y", 3);
        EXPECT_EQ(updated.affected(), 2);
        Result count = co_await db->query("select count(*) from items where name = 'y'");
        EXPECT_EQ(count.scalar<std::int64_t>(), 2);

        // A parameter vector built at run time.
        Params values;
        for (int i = 0; i < 3; ++i) {
            values.push_back(std::to_string(i * 10));
        }
        Result sum = co_await db->query("select $1::int + $2::int + $3::int", values);
        EXPECT_EQ(sum.scalar<int>(), 30);
    });
}

TEST_F(PostgresClient, NullsAreOptionals) {
    run([&]() -> awaitable<void> {
        auto db = co_await connect();
        std::optional<std::int64_t> none;
        std::optional<std::string> some = "here";
        Result row = co_await db->query("select $1::text, $2::int8, $3::text, null::bool",
                                        std::nullopt, none, some);
        EXPECT_TRUE(row.is_null(0, 0));
        EXPECT_EQ(row.get<std::optional<std::string>>(0, 0), std::nullopt);
        EXPECT_EQ(row.get<std::optional<std::int64_t>>(0, 1), std::nullopt);
        EXPECT_EQ(row.get<std::optional<std::string>>(0, 2), "here");
        EXPECT_EQ(row.get<std::optional<bool>>(0, 3), std::nullopt);
        // A NULL read as a plain value is a programming error.
        EXPECT_THROW(row.get<std::string>(0, 0), std::invalid_argument);
        EXPECT_THROW(row.get<std::int64_t>(0, 1), std::invalid_argument);
        // NULL goes in as NULL, not as an empty string.
        Result check =
            co_await db->query("select $1::text is null, $2::text is null", std::nullopt, "");
        EXPECT_TRUE(check.get<bool>(0, 0));
        EXPECT_FALSE(check.get<bool>(0, 1));
    });
}

TEST_F(PostgresClient, ServerErrorsCarryTheirSqlStateAndKeepTheConnection) {
    run([&]() -> awaitable<void> {
        auto db = co_await connect();
        co_await db->execute("create temporary table users (name text primary key)");
        co_await db->query("insert into users values ($1)", "alice");
        std::optional<Error> violation;
        try {
            co_await db->query("insert into users values ($1)", "alice");
        } catch (const Error& error) {
            violation = error;
        }
        EXPECT_TRUE(violation);
        if (violation) {
            EXPECT_EQ(violation->sqlstate(), "23505");
            EXPECT_EQ(violation->kind(), Error::Kind::query);
            EXPECT_FALSE(violation->broken());
            EXPECT_NE(std::string(violation->what()).find("users_pkey"), std::string::npos)
                << violation->what();
        }
        std::string syntax;
        try {
            co_await db->query("selec 1");
        } catch (const Error& error) {
            syntax = error.sqlstate();
        }
        EXPECT_EQ(syntax, "42601");
        // The connection is still good.
        EXPECT_FALSE(db->broken());
        EXPECT_FALSE(db->busy());
        Result count = co_await db->query("select count(*) from users");
        EXPECT_EQ(count.scalar<int>(), 1);
    });
}

TEST_F(PostgresClient, TransactionsCommitOrRollBack) {
    run([&]() -> awaitable<void> {
        Pool pool(io_.get_executor(), pool_options(1));
        std::string table = unique_name("tx");
        {
            auto lease = co_await pool.acquire();
            std::string create = "create table " + table + " (id int primary key)";
            co_await lease->execute(create);
        }
        // An exception inside: both inserts are rolled back, the exception goes on.
        std::string insert_two = "insert into " + table + " values (1), (2)";
        std::string count_rows = "select count(*) from " + table;
        std::string insert_three = "insert into " + table + " values (3)";
        bool thrown = false;
        try {
            co_await pool.transaction([&](Connection& db) -> awaitable<void> {
                co_await db.query(insert_two);
                Result inside = co_await db.query(count_rows);
                EXPECT_EQ(inside.scalar<int>(), 2);
                throw std::runtime_error("changed my mind");
            });
        } catch (const std::runtime_error& error) {
            thrown = std::string(error.what()) == "changed my mind";
        }
        EXPECT_TRUE(thrown);
        // A failed statement inside (a unique violation) rolls back too.
        std::string sqlstate;
        try {
            co_await pool.transaction([&](Connection& db) -> awaitable<void> {
                co_await db.query(insert_three);
                co_await db.query(insert_three);
            });
        } catch (const Error& error) {
            sqlstate = error.sqlstate();
        }
        EXPECT_EQ(sqlstate, "23505");
        {
            auto lease = co_await pool.acquire();
            EXPECT_FALSE(lease->in_transaction());
            Result count = co_await lease->query(count_rows);
            EXPECT_EQ(count.scalar<int>(), 0);
        }
        // Without an exception it commits, and returns what the work returned.
        std::string insert_more = "insert into " + table + " values (4), (5)";
        int added = co_await pool.transaction([&](Connection& db) -> awaitable<int> {
            Result inserted = co_await db.query(insert_more);
            co_return static_cast<int>(inserted.affected());
        });
        EXPECT_EQ(added, 2);
        auto other = co_await connect();  // another session sees the commit
        Result count = co_await other->query(count_rows);
        EXPECT_EQ(count.scalar<int>(), 2);
        EXPECT_EQ(pool.connections_opened(), 1u);
        EXPECT_EQ(pool.idle_connections(), 1u);
    });
}

TEST_F(PostgresClient, NamedStatementsArePreparedOncePerConnection) {
    run([&]() -> awaitable<void> {
        const Statement add_one{"add_one", "select $1::int + 1"};
        auto db = co_await connect();
        EXPECT_FALSE(db->is_prepared("add_one"));
        for (int i = 0; i < 5; ++i) {
            Result result = co_await db->query(add_one, i);
            EXPECT_EQ(result.scalar<int>(), i + 1);
        }
        EXPECT_TRUE(db->is_prepared("add_one"));
        // Preparing the name again would have failed (42P05): it was prepared once, at the
        // protocol level (not with SQL PREPARE), and is there for this session.
        Result prepared = co_await db->query(
            "select count(*), bool_and(not from_sql) from pg_prepared_statements where name = "
            "$1",
            "add_one");
        EXPECT_EQ(prepared.get<int>(0, 0), 1);
        EXPECT_TRUE(prepared.get<bool>(0, 1));
        co_await db->prepare(add_one);  // already prepared: nothing to do

        // A statement that does not prepare is not remembered, and the connection stays good.
        const Statement bad{"bad", "select nonsense from nowhere"};
        std::string sqlstate;
        try {
            co_await db->query(bad);
        } catch (const Error& error) {
            sqlstate = error.sqlstate();
        }
        EXPECT_EQ(sqlstate, "42P01");
        EXPECT_FALSE(db->is_prepared("bad"));
        Result again = co_await db->query(add_one, 41);
        EXPECT_EQ(again.scalar<int>(), 42);

        // Another connection prepares it for itself.
        auto other = co_await connect();
        Result there = co_await other->query(add_one, 1);
        EXPECT_EQ(there.scalar<int>(), 2);
        EXPECT_TRUE(other->is_prepared("add_one"));
    });
}

TEST_F(PostgresClient, PoolNeverOpensMoreThanMaxConnections) {
    std::string application = unique_name("bounded");
    Pool pool(io_.get_executor(), pool_options(2, application));
    constexpr int kClients = 50;
    int completed = 0;
    int failed = 0;
    std::string failure;
    for (int i = 0; i < kClients; ++i) {
        asio::co_spawn(
            io_,
            [&pool, i]() -> awaitable<void> {
                auto lease = co_await pool.acquire(30s);
                Result slept = co_await lease->query("select $1::int from pg_sleep(0.02)", i);
                if (slept.scalar<int>() != i) {
                    throw std::runtime_error("wrong answer");
                }
            },
            [&](std::exception_ptr thrown) {
                ++completed;
                if (thrown) {
                    ++failed;
                    try {
                        std::rethrow_exception(thrown);
                    } catch (const std::exception& error) {
                        failure = error.what();
                    }
                }
            });
    }
    int max_seen = 0;
    int samples = 0;
    run([&]() -> awaitable<void> {
        auto sampler = co_await connect(unique_name("sampler"));
        while (completed < kClients) {
            Result count = co_await sampler->query(
                "select count(*) from pg_stat_activity where application_name = $1", application);
            max_seen = std::max(max_seen, count.scalar<int>());
            ++samples;
            co_await sleep_for(5ms);
        }
    });
    EXPECT_EQ(completed, kClients);
    EXPECT_EQ(failed, 0) << failure;
    EXPECT_GT(samples, 5);
    EXPECT_LE(max_seen, 2);
    EXPECT_EQ(max_seen, 2);  // and it did use both
    EXPECT_EQ(pool.connections_opened(), 2u);
    EXPECT_EQ(pool.open_connections(), 2u);
    EXPECT_EQ(pool.waiting(), 0u);
}

TEST_F(PostgresClient, WaitersAreServedFirstComeFirstServed) {
    Pool pool(io_.get_executor(), pool_options(1));
    std::vector<int> order;
    run([&]() -> awaitable<void> {
        auto first = co_await pool.acquire();
        auto held = std::make_unique<Pool::Lease>(std::move(first));
        int finished = 0;
        for (int i = 0; i < 5; ++i) {
            asio::co_spawn(
                io_,
                [&pool, &order, i]() -> awaitable<void> {
                    auto lease = co_await pool.acquire(10s);
                    order.push_back(i);
                    co_await lease->query("select pg_sleep(0.005)");
                },
                [&](std::exception_ptr) { ++finished; });
            co_await sleep_for(2ms);  // they line up in this order
        }
        EXPECT_EQ(pool.waiting(), 5u);
        held.reset();
        while (finished < 5) {
            co_await sleep_for(5ms);
        }
    });
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_EQ(pool.connections_opened(), 1u);
}

TEST_F(PostgresClient, AWaiterThatGetsNoConnectionInTimeGetsPoolTimeoutPromptly) {
    run([&]() -> awaitable<void> {
        Pool pool(io_.get_executor(), pool_options(1));
        auto held = co_await pool.acquire();
        auto started = Clock::now();
        bool timed_out = false;
        try {
            auto never = co_await pool.acquire(150ms);
        } catch (const PoolTimeout&) {
            timed_out = true;
        }
        auto waited = Clock::now() - started;
        EXPECT_TRUE(timed_out);
        EXPECT_GE(waited, 150ms);
        EXPECT_LT(waited, 3s);  // promptly, with room for a loaded sanitizer build
        EXPECT_EQ(pool.waiting(), 0u);
        EXPECT_EQ(pool.open_connections(), 1u);
        // The connection comes back and serves the next caller at once.
        int pid = held->backend_pid();
        { auto released = std::move(held); }
        auto next = co_await pool.acquire(100ms);
        EXPECT_EQ(next->backend_pid(), pid);
    });
}

TEST_F(PostgresClient, ANewConnectionThatCannotBeOpenedInTimeIsAPoolTimeout) {
    testing_support::SilentListener silent;  // accepts, never answers the startup packet
    run([&]() -> awaitable<void> {
        PoolOptions options = pool_options(2);
        options.connection.conninfo =
            "host=127.0.0.1 port=" + std::to_string(silent.port()) + " user=postgres";
        Pool pool(io_.get_executor(), options);
        auto started = Clock::now();
        bool timed_out = false;
        try {
            auto never = co_await pool.acquire(200ms);
        } catch (const PoolTimeout&) {
            timed_out = true;
        }
        EXPECT_TRUE(timed_out);
        EXPECT_LT(Clock::now() - started, 3s);  // not the 10 s connect timeout
        EXPECT_EQ(pool.open_connections(), 0u);

        // Nothing listening: a broken-connection error, not a wait.
        auto closed_port = testing_support::free_ports();
        ConnectionOptions refused = connection_options();
        refused.conninfo = "host=127.0.0.1 port=" + std::to_string(closed_port);
        bool broken = false;
        try {
            auto none = co_await Connection::connect(io_.get_executor(), refused);
        } catch (const Error& error) {
            broken = error.broken();
        }
        EXPECT_TRUE(broken);
    });
}

TEST_F(PostgresClient, StaleConnectionsAreReplaced) {
    run([&]() -> awaitable<void> {
        PoolOptions options = pool_options(2);
        Pool fresh(io_.get_executor(), options);  // stale_timeout 0: kept for good
        int first = 0;
        {
            auto lease = co_await fresh.acquire();
            first = lease->backend_pid();
        }
        co_await sleep_for(60ms);
        {
            auto lease = co_await fresh.acquire();
            EXPECT_EQ(lease->backend_pid(), first);
        }

        // Long enough that a connection opened and used under a loaded sanitizer build is not
        // stale yet when it comes back.
        options.stale_timeout = 1s;
        Pool pool(io_.get_executor(), options);
        int old_pid = 0;
        {
            auto lease = co_await pool.acquire();
            old_pid = lease->backend_pid();
            Result pid = co_await lease->query("select pg_backend_pid()");
            EXPECT_EQ(pid.scalar<int>(), old_pid);
        }
        EXPECT_EQ(pool.idle_connections(), 1u);
        co_await sleep_for(1200ms);
        auto lease = co_await pool.acquire();
        Result pid = co_await lease->query("select pg_backend_pid()");
        EXPECT_NE(pid.scalar<int>(), old_pid);
        EXPECT_EQ(pid.scalar<int>(), lease->backend_pid());
        EXPECT_EQ(pool.connections_opened(), 2u);
        EXPECT_EQ(pool.open_connections(), 1u);
    });
}

TEST_F(PostgresClient, AConnectionKilledByTheServerIsBrokenAndReplaced) {
    run([&]() -> awaitable<void> {
        std::string application = unique_name("killed");
        Pool pool(io_.get_executor(), pool_options(2, application));
        auto first = co_await pool.acquire();
        auto victim = std::make_unique<Pool::Lease>(std::move(first));
        int victim_pid = (*victim)->backend_pid();
        {
            auto killer = co_await pool.acquire();
            Result killed =
                co_await killer->query("select pg_terminate_backend($1, 5000)", victim_pid);
            EXPECT_TRUE(killed.scalar<bool>());
        }
        std::optional<Error> error;
        try {
            co_await (*victim)->query("select 1");
        } catch (const Error& thrown) {
            error = thrown;
        }
        EXPECT_TRUE(error);
        if (error) {
            EXPECT_TRUE(error->broken()) << error->what();
        }
        EXPECT_TRUE((*victim)->broken());
        victim.reset();  // dropped, not returned
        EXPECT_EQ(pool.open_connections(), 1u);
        EXPECT_EQ(pool.idle_connections(), 1u);

        // Both places work again, on a new connection for the dropped one.
        auto a = co_await pool.acquire();
        auto b = co_await pool.acquire();
        EXPECT_NE(a->backend_pid(), victim_pid);
        EXPECT_NE(b->backend_pid(), victim_pid);
        Result one = co_await b->query("select 1");
        EXPECT_EQ(one.scalar<int>(), 1);
        EXPECT_EQ(pool.connections_opened(), 3u);

        // A connection killed while idle in the pool is noticed when taken, not handed out.
        int idle_pid = b->backend_pid();
        { auto back = std::move(b); }
        Result killed = co_await a->query("select pg_terminate_backend($1, 5000)", idle_pid);
        EXPECT_TRUE(killed.scalar<bool>());
        auto c = co_await pool.acquire();
        EXPECT_NE(c->backend_pid(), idle_pid);
        Result works = co_await c->query("select 2");
        EXPECT_EQ(works.scalar<int>(), 2);
        auto sampler = co_await connect();
        Result open = co_await sampler->query(
            "select count(*) from pg_stat_activity where application_name = $1", application);
        EXPECT_EQ(open.scalar<int>(), 2);
    });
}

TEST_F(PostgresClient, AStatementPastTheQueryTimeoutBreaksTheConnection) {
    run([&]() -> awaitable<void> {
        ConnectionOptions options = connection_options();
        options.query_timeout = 1s;  // with room for the first statement on a loaded machine
        auto db = co_await Connection::connect(io_.get_executor(), options);
        Result quick = co_await db->query("select 1");
        EXPECT_EQ(quick.scalar<int>(), 1);
        auto started = Clock::now();
        bool broken = false;
        try {
            co_await db->query("select pg_sleep(5)");
        } catch (const Error& error) {
            broken = error.broken();
        }
        EXPECT_TRUE(broken);
        EXPECT_LT(Clock::now() - started, 4s);  // the statement would take 5 s
        EXPECT_TRUE(db->broken());
    });
}

TEST_F(PostgresClient, AStatementAbandonedHalfWayDropsItsConnection) {
    run([&]() -> awaitable<void> {
        Pool pool(io_.get_executor(), pool_options(1));
        auto slow = [&]() -> awaitable<void> {
            auto lease = co_await pool.acquire();
            co_await lease->query("select pg_sleep(5)");
        };
        auto started = Clock::now();
        using namespace asio::experimental::awaitable_operators;
        co_await (slow() || sleep_for(100ms));  // the timer wins: the statement is cancelled
        EXPECT_LT(Clock::now() - started, 2s);
        // Its connection was in the middle of an exchange: closed, not returned.
        EXPECT_EQ(pool.open_connections(), 0u);
        EXPECT_EQ(pool.idle_connections(), 0u);
        auto lease = co_await pool.acquire();
        Result one = co_await lease->query("select 1");
        EXPECT_EQ(one.scalar<int>(), 1);
        EXPECT_EQ(pool.connections_opened(), 2u);
    });
}

TEST_F(PostgresClient, LeasesAndWaitersMayOutliveThePool) {
    run([&]() -> awaitable<void> {
        auto pool = std::make_unique<Pool>(io_.get_executor(), pool_options(1));
        auto held = co_await pool->acquire();
        bool waiter_done = false;
        bool waiter_broken = false;
        asio::co_spawn(
            io_,
            [&]() -> awaitable<void> {
                try {
                    auto never = co_await pool->acquire(5s);
                } catch (const Error& error) {
                    waiter_broken = error.broken();
                }
                waiter_done = true;
            },
            asio::detached);
        co_await sleep_for(10ms);
        EXPECT_EQ(pool->waiting(), 1u);
        auto started = Clock::now();
        pool.reset();
        while (!waiter_done && Clock::now() - started < 5s) {
            co_await sleep_for(1ms);
        }
        EXPECT_TRUE(waiter_broken);  // told at once that the pool is gone
        EXPECT_LT(Clock::now() - started, 1s);
        Result one = co_await held->query("select 1");  // the lease still works
        EXPECT_EQ(one.scalar<int>(), 1);
    });
}

}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    server = new testing_support::PostgresEnvironment(SOURCE_DIR);
    testing::AddGlobalTestEnvironment(server);
    return RUN_ALL_TESTS();
}
