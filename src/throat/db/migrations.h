#pragma once

#include <span>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "clients/postgres/connection.h"

// The forum's schema, versioned: src/throat/db/migrations/NNN_name.sql, embedded in the program
// at build time and applied by `throat migrate`.
namespace throat::db {

struct Migration {
    int version = 0;
    std::string_view name = {};
    std::string_view sql = {};
};

// The embedded migrations, in version order.
std::span<const Migration> migrations();

// Applies what the database lacks of `all`, each migration in a transaction of its own with
// its row in schema_migrations, so a failing one leaves the database at the version before it.
// A session advisory lock keeps two processes from migrating at once: the second waits, then
// finds nothing left to do. Returns the versions applied.
boost::asio::awaitable<std::vector<int>> migrate(clients::postgres::Connection& db,
                                                 std::span<const Migration> all);

// The newest version applied; 0 for an empty database.
boost::asio::awaitable<int> schema_version(clients::postgres::Connection& db);

}  // namespace throat::db
