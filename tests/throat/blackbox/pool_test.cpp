// The database connections of a whole process stay within database.max_connections however
// many requests arrive, a request that cannot get one within database.acquire_timeout is
// answered 503 rather than left waiting, and startup refuses what cannot work.
#include <algorithm>
#include <atomic>
#include <future>
#include <latch>
#include <thread>

#include "throat_blackbox.h"

namespace throat_blackbox {
namespace {

using Clock = std::chrono::steady_clock;

struct Timed {
    int status = 0;  // 0: no answer
    std::string retry_after;
    std::string body;
    std::chrono::milliseconds elapsed{0};
    std::string error;
};

Timed timed_get(std::uint16_t port, const std::string& target, std::chrono::milliseconds limit) {
    Timed timed;
    auto start = Clock::now();
    try {
        HttpResponse answer = http(port, "GET", target, {}, {}, limit);
        timed.status = answer.status;
        timed.retry_after = answer.header("Retry-After");
        timed.body = answer.body;
    } catch (const std::exception& e) {
        timed.error = e.what();
    }
    timed.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return timed;
}

const std::string kThroatBackends =
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'throat' AND datname = $1";

// Waits until `sql` (with the database as $1) counts `wanted`; false when it does not in time.
bool wait_for_count(Db& db, const std::string& sql, const std::string& database,
                    std::int64_t wanted, std::chrono::milliseconds limit = 5s) {
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (db.number(sql, {database}) == wanted) {
            return true;
        }
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

// A default sub with posts, so that the visitors' front page reads something.
void fill(Db& db) {
    std::string uid = db.create_user(unique_name("filler"), "a good password");
    std::string sid = db.create_sub(unique_name("front"), uid);
    db.query("INSERT INTO site_metadata (key, value) VALUES ('default', $1)", {sid});
    for (int i = 0; i < 30; ++i) {
        db.create_post(sid, uid, "Front page post " + std::to_string(i), i % 7);
    }
}

struct PoolShape {
    int workers;
    int max_connections;
    bool from_environment = false;  // DATABASE_MAX_CONNECTIONS over a larger value in the file
};

class ConnectionLimit : public ThroatTest, public testing::WithParamInterface<PoolShape> {};

TEST_P(ConnectionLimit, FiftyConcurrentFrontPagesStayWithinIt) {
    const PoolShape shape = GetParam();
    const std::string database = new_database("pool");
    Db db(database);
    fill(db);
    SiteOptions options{.database = database,
                        .max_connections = shape.max_connections,
                        .acquire_timeout = 2,
                        .workers = shape.workers};
    if (shape.from_environment) {
        options.max_connections = 8;
        options.env["DATABASE_MAX_CONNECTIONS"] = std::to_string(shape.max_connections);
    }
    Site site(options);
    // The startup check's own connection is gone before the pools open theirs.
    ASSERT_TRUE(wait_for_count(db, kThroatBackends, database, 0));

    std::atomic<bool> sampling{true};
    std::atomic<std::int64_t> most{0};
    std::atomic<int> samples{0};
    std::thread sampler([&] {
        Db watcher(database);
        while (sampling) {
            std::int64_t now = watcher.number(kThroatBackends, {database});
            most = std::max(most.load(), now);
            ++samples;
            std::this_thread::sleep_for(2ms);
        }
    });

    constexpr int kRequests = 50;
    std::vector<Timed> results(kRequests);
    {
        std::latch start(kRequests);
        std::vector<std::thread> clients;
        for (int i = 0; i < kRequests; ++i) {
            clients.emplace_back([&, i] {
                start.arrive_and_wait();  // all at once
                results[static_cast<std::size_t>(i)] = timed_get(site.port(), "/", 15s);
            });
        }
        for (auto& client : clients) {
            client.join();
        }
    }
    // A last look once every answer is in: the pools keep their connections open.
    std::this_thread::sleep_for(20ms);
    sampling = false;
    sampler.join();

    int ok = 0;
    for (const Timed& result : results) {
        EXPECT_TRUE(result.status == 200 || result.status == 503)
            << result.status << " " << result.error;
        EXPECT_LT(result.elapsed.count(), 10000);
        ok += result.status == 200 ? 1 : 0;
    }
    EXPECT_GT(ok, 0);
    EXPECT_GT(samples.load(), 0);
    EXPECT_GE(most.load(), 1);
    EXPECT_LE(most.load(), shape.max_connections);
    EXPECT_LE(db.number(kThroatBackends, {database}), shape.max_connections);
    // And the site still answers.
    EXPECT_EQ(timed_get(site.port(), "/", 10s).status, 200);
    if (HasFailure()) {
        std::cerr << site.log_tail();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Workers, ConnectionLimit,
    testing::Values(PoolShape{.workers = 2, .max_connections = 2},
                    PoolShape{.workers = 1, .max_connections = 2},
                    PoolShape{.workers = 2, .max_connections = 2, .from_environment = true}),
    [](const testing::TestParamInfo<PoolShape>& info) {
        return std::to_string(info.param.workers) + "Workers" +
               std::to_string(info.param.max_connections) + "Connections" +
               (info.param.from_environment ? "FromTheEnvironment" : "");
    });

class BusyDatabase : public ThroatTest {};

TEST_F(BusyDatabase, ARequestWithoutAConnectionGets503WithinTheAcquireTimeout) {
    const std::string database = new_database("busy");
    Db db(database);
    fill(db);
    Site site(SiteOptions{
        .database = database, .max_connections = 1, .acquire_timeout = 2, .workers = 1});
    ASSERT_EQ(timed_get(site.port(), "/", 10s).status, 200);

    // The only connection waits on a lock the test holds: every listing reads subs.
    Db locker(database);
    locker.query("BEGIN");
    locker.query("LOCK TABLE subs IN ACCESS EXCLUSIVE MODE");
    std::future<Timed> first =
        std::async(std::launch::async, [&] { return timed_get(site.port(), "/", 30s); });
    // Destroyed before `first` (which waits for its request): the lock goes whatever happens.
    struct Release {
        Db& db;
        bool done = false;
        void now() {
            if (!done) {
                done = true;
                db.query("ROLLBACK");
            }
        }
        ~Release() {
            try {
                now();
            } catch (const std::exception&) {
            }
        }
    } release{locker};
    ASSERT_TRUE(wait_for_count(db, kThroatBackends + " AND wait_event_type = 'Lock'", database, 1))
        << "the first request did not reach the database";

    Timed second = timed_get(site.port(), "/", 15s);
    EXPECT_EQ(second.status, 503) << second.error;
    EXPECT_EQ(second.retry_after, "1");
    EXPECT_NE(second.body.find("The site is busy"), std::string::npos);
    EXPECT_GE(second.elapsed.count(), 1500);
    EXPECT_LT(second.elapsed.count(), 5000);  // acquire_timeout and a margin for a loaded machine

    release.now();
    Timed answered = first.get();
    EXPECT_EQ(answered.status, 200) << answered.error;
    Timed after = timed_get(site.port(), "/", 10s);
    EXPECT_EQ(after.status, 200);
    EXPECT_LT(after.elapsed.count(), 2000);
    EXPECT_LE(db.number(kThroatBackends, {database}), 1);
}

TEST_F(BusyDatabase, ConnectionsTheServerClosedAreReplaced) {
    const std::string database = new_database("closed");
    Db db(database);
    fill(db);
    Site site(SiteOptions{.database = database, .max_connections = 2, .workers = 1});
    ASSERT_EQ(timed_get(site.port(), "/", 10s).status, 200);
    ASSERT_GE(db.number(kThroatBackends, {database}), 1);
    // As a database restart or an idle timeout would: the pool's idle connections die.
    db.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = 'throat' AND datname = $1",
        {database});
    // A backend sends its FATAL message, then leaves pg_stat_activity, then closes its socket:
    // right away, the pool's check may see only the message, which must be enough.
    ASSERT_TRUE(wait_for_count(db, kThroatBackends, database, 0));
    for (int i = 0; i < 3; ++i) {
        Timed answer = timed_get(site.port(), "/", 10s);
        EXPECT_EQ(answer.status, 200) << "request " << i << ": " << answer.error;
    }
    EXPECT_GE(db.number(kThroatBackends, {database}), 1);
    if (HasFailure()) {
        std::cerr << site.log_tail();
    }
}

TEST_F(BusyDatabase, AnUnreachableDatabaseIsA503) {
    const std::string database = new_database("gone");
    Site site(SiteOptions{.database = database, .max_connections = 1, .workers = 1});
    ASSERT_EQ(timed_get(site.port(), "/", 10s).status, 200);
    Db("postgres").query("DROP DATABASE " + database + " WITH (FORCE)");
    Timed answer = timed_get(site.port(), "/", 15s);
    EXPECT_EQ(answer.status, 503) << answer.error;
    EXPECT_EQ(answer.retry_after, "5");
    EXPECT_NE(answer.body.find("The database cannot be reached."), std::string::npos);
    EXPECT_LT(answer.elapsed.count(), 5000);
    // Pages that need no database still work.
    Timed style = timed_get(site.port(), "/static/throat.css", 10s);
    EXPECT_EQ(style.status, 200) << style.error;
}

class Startup : public ThroatTest {};

// docs/throat.md: an unusable configuration stops startup with exit code 2 and one line.
TEST_F(Startup, AnUnusableConfigurationIsExitCodeTwoAndOneLine) {
    struct Case {
        std::string label;
        SiteOptions options;
        std::string named;  // what the line must mention
    };
    const std::string database = new_database("config");
    const std::vector<Case> cases = {
        {"more workers than connections",
         {.database = database, .max_connections = 2, .workers = 3},
         "max_connections"},
        {"no connection at all", {.database = database, .max_connections = 0}, "max_connections"},
        {"a short secret key",
         {.database = database, .env = {{"APP_SECRET_KEY", "too short"}}},
         "secret_key"},
        {"an override of the wrong type",
         {.database = database, .env = {{"DATABASE_MAX_CONNECTIONS", "lots"}}},
         "DATABASE_MAX_CONNECTIONS"},
    };
    for (const Case& unusable : cases) {
        SCOPED_TRACE(unusable.label);
        ConfigRoot root(unusable.options);
        Env env = root.env();
        env["PORT"] = "0";  // should it start after all, not on a port in use
        testing_support::RunResult result =
            testing_support::run_to_exit(THROAT_BINARY, env, {}, 15s);
        EXPECT_EQ(result.exit_code, 2) << result.err;
        EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
        EXPECT_NE(result.err.find(unusable.named), std::string::npos) << result.err;
    }
}

TEST_F(Startup, AnUnmigratedDatabaseIsRefusedUntilMigrated) {
    const std::string database = new_empty_database("unmigrated");
    ConfigRoot root(SiteOptions{.database = database});
    Env env = root.env();
    env["PORT"] = "0";
    testing_support::RunResult refused = testing_support::run_to_exit(THROAT_BINARY, env, {}, 15s);
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
    EXPECT_NE(refused.err.find("throat migrate"), std::string::npos) << refused.err;

    testing_support::RunResult migrated =
        testing_support::run_to_exit(THROAT_BINARY, env, {"migrate"}, 60s);
    EXPECT_EQ(migrated.exit_code, 0) << migrated.err;
    EXPECT_NE(migrated.out.find("Applied migration 1."), std::string::npos) << migrated.out;
    testing_support::RunResult again =
        testing_support::run_to_exit(THROAT_BINARY, env, {"migrate"}, 60s);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("up to date"), std::string::npos) << again.out;

    Site site(SiteOptions{.database = database});
    EXPECT_EQ(timed_get(site.port(), "/", 10s).status, 200);
}

}  // namespace
}  // namespace throat_blackbox
