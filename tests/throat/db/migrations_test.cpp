// The schema migrations against a real PostgreSQL 15 (scripts/services/start-postgres.sh): the
// embedded ones apply on an empty database and again to no effect, a failing one leaves the
// version before it, and two processes starting together migrate once.
#include "throat/db/migrations.h"

#include <chrono>
#include <string>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "clients/postgres/error.h"
#include "postgres_server.h"
#include "run_coroutine.h"

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using clients::postgres::Connection;
using throat::db::Migration;
using namespace std::chrono_literals;

testing_support::PostgresEnvironment* server = nullptr;

class Migrations : public testing::Test {
protected:
    void SetUp() override {
        if (!server->skip_reason.empty()) {
            GTEST_SKIP() << server->skip_reason;
        }
        ASSERT_TRUE(server->ready()) << server->error;
        // A database of its own per test.
        database_ = "migrations_" + std::to_string(::getpid()) + "_" + std::to_string(++count_);
        run([&]() -> awaitable<void> {
            auto admin = co_await connect(server->conninfo());
            co_await admin->execute("CREATE DATABASE " + database_);
        });
    }

    std::string conninfo() const { return server->conninfo() + " dbname=" + database_; }

    awaitable<std::unique_ptr<Connection>> connect(std::string conninfo) {
        clients::postgres::ConnectionOptions options;
        options.conninfo = std::move(conninfo);
        co_return co_await Connection::connect(co_await asio::this_coro::executor, options);
    }

    template <typename Body>
    void run(Body body) {
        testing_support::run_coroutine(io_, std::move(body));
    }

    static inline int count_ = 0;
    std::string database_;
    asio::io_context io_;
};

TEST_F(Migrations, TheEmbeddedOnesAreNumberedInOrder) {
    auto all = throat::db::migrations();
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all[0].version, 1);
    EXPECT_EQ(all[0].name, "initial");
    for (std::size_t i = 1; i < all.size(); ++i) {
        EXPECT_GT(all[i].version, all[i - 1].version);
    }
}

TEST_F(Migrations, ApplyOnAnEmptyDatabaseThenNothingTheSecondTime) {
    run([&]() -> awaitable<void> {
        auto db = co_await connect(conninfo());
        int before = co_await throat::db::schema_version(*db);
        EXPECT_EQ(before, 0);
        auto all = throat::db::migrations();
        std::vector<int> applied = co_await throat::db::migrate(*db, all);
        EXPECT_EQ(applied.size(), all.size());
        int after = co_await throat::db::schema_version(*db);
        EXPECT_EQ(after, all.back().version);
        for (const char* table :
             {"users", "subs", "sub_mods", "sub_subscribers", "sub_posts", "sub_post_votes",
              "sub_post_comments", "sub_post_comment_votes", "site_metadata"}) {
            auto found = co_await db->query("SELECT to_regclass($1) IS NOT NULL", table);
            EXPECT_TRUE(found.scalar<bool>()) << table;
        }
        std::vector<int> again = co_await throat::db::migrate(*db, all);
        EXPECT_TRUE(again.empty());
        // The schema holds: a user name taken in another case is refused.
        co_await db->execute("INSERT INTO users (uid, name) VALUES ('u1', 'alice')");
        bool refused = false;
        try {
            co_await db->execute("INSERT INTO users (uid, name) VALUES ('u2', 'ALICE')");
        } catch (const clients::postgres::Error& e) {
            refused = e.sqlstate() == "23505";
        }
        EXPECT_TRUE(refused);
    });
}

TEST_F(Migrations, AFailingMigrationLeavesTheVersionBeforeIt) {
    run([&]() -> awaitable<void> {
        auto db = co_await connect(conninfo());
        const std::vector<Migration> steps = {
            {1, "one", "CREATE TABLE one (id integer)"},
            {2, "two", "CREATE TABLE two (id integer); SELECT no_such_function()"},
            {3, "three", "CREATE TABLE three (id integer)"},
        };
        bool thrown = false;
        try {
            co_await throat::db::migrate(*db, steps);
        } catch (const clients::postgres::Error&) {
            thrown = true;
        }
        EXPECT_TRUE(thrown);
        int version = co_await throat::db::schema_version(*db);
        EXPECT_EQ(version, 1);
        auto two = co_await db->query("SELECT to_regclass('two') IS NOT NULL");
        EXPECT_FALSE(two.scalar<bool>());  // rolled back with its migration
        // The lock was given back: another session can migrate.
        auto other = co_await connect(conninfo());
        const std::vector<Migration> fixed = {{1, "one", "CREATE TABLE one (id integer)"},
                                              {2, "two", "CREATE TABLE two (id integer)"}};
        std::vector<int> applied = co_await throat::db::migrate(*other, fixed);
        EXPECT_EQ(applied, std::vector<int>{2});
    });
}

TEST_F(Migrations, TwoProcessesStartingTogetherMigrateOnce) {
    run([&]() -> awaitable<void> {
        auto first = co_await connect(conninfo());
        auto second = co_await connect(conninfo());
        // Slow enough that the second session arrives while the first holds the lock.
        const std::vector<Migration> slow = {
            {1, "slow", "SELECT pg_sleep(0.5); CREATE TABLE t (id integer)"}};
        std::vector<int> by_first;
        std::vector<int> by_second;
        int done = 0;
        int failed = 0;
        auto executor = co_await asio::this_coro::executor;
        asio::co_spawn(
            executor,
            [&]() -> awaitable<void> { by_first = co_await throat::db::migrate(*first, slow); },
            [&](std::exception_ptr thrown) {
                ++done;
                failed += thrown ? 1 : 0;
            });
        asio::co_spawn(
            executor,
            [&]() -> awaitable<void> { by_second = co_await throat::db::migrate(*second, slow); },
            [&](std::exception_ptr thrown) {
                ++done;
                failed += thrown ? 1 : 0;
            });
        asio::steady_timer wait(executor);
        while (done < 2) {
            wait.expires_after(20ms);
            co_await wait.async_wait(asio::use_awaitable);
        }
        // Without the lock, the second would run the migration too and fail on the table.
        EXPECT_EQ(failed, 0);
        EXPECT_EQ(by_first.size() + by_second.size(), 1u);
        auto rows = co_await first->query("SELECT count(*) FROM schema_migrations");
        EXPECT_EQ(rows.scalar<std::int64_t>(), 1);
    });
}

}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    server = new testing_support::PostgresEnvironment(SOURCE_DIR);
    testing::AddGlobalTestEnvironment(server);
    return RUN_ALL_TESTS();
}
