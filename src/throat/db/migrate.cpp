#include <stdexcept>
#include <string>

#include "clients/postgres/pool.h"
#include "throat/db/migrations.h"

namespace throat::db {
namespace {

// pg_advisory_lock's key for migrations: "throat" in ASCII.
constexpr std::string_view kLockKey = "116104114111097116";

constexpr std::string_view kHistoryTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

}  // namespace

boost::asio::awaitable<int> schema_version(clients::postgres::Connection& db) {
    clients::postgres::Result exists =
        co_await db.query("SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (!exists.scalar<bool>()) {
        co_return 0;
    }
    clients::postgres::Result newest =
        co_await db.query("SELECT coalesce(max(version), 0) FROM schema_migrations");
    co_return static_cast<int>(newest.scalar<std::int64_t>());
}

boost::asio::awaitable<std::vector<int>> migrate(clients::postgres::Connection& db,
                                                 std::span<const Migration> all) {
    for (std::size_t i = 1; i < all.size(); ++i) {
        if (all[i].version <= all[i - 1].version) {
            throw std::logic_error("migrations out of order at version " +
                                   std::to_string(all[i].version));
        }
    }
    std::string lock = "SELECT pg_advisory_lock(" + std::string(kLockKey) + ")";
    std::string unlock = "SELECT pg_advisory_unlock(" + std::string(kLockKey) + ")";
    co_await db.execute(lock);
    std::vector<int> applied;
    std::exception_ptr failure;
    try {
        co_await db.execute(kHistoryTable);
        int current = co_await schema_version(db);
        for (const Migration& migration : all) {
            if (migration.version <= current) {
                continue;
            }
            co_await clients::postgres::transaction(
                db, [&](clients::postgres::Connection& tx) -> boost::asio::awaitable<void> {
                    co_await tx.execute(migration.sql);
                    co_await tx.query(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        migration.version, migration.name);
                });
            applied.push_back(migration.version);
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (!db.broken()) {
        co_await db.execute(unlock);
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    co_return applied;
}

}  // namespace throat::db
