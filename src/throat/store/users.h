#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "clients/postgres/connection.h"
#include "throat/store/records.h"

// Accounts in the database: users and their admin flag (user_metadata key 'admin').
namespace throat::store {

using boost::asio::awaitable;
using clients::postgres::Connection;

awaitable<std::optional<UserRecord>> find_user(Connection& db, std::string_view uid);
// By name, whatever its case (names are unique without regard to case).
awaitable<std::optional<UserRecord>> find_user_by_name(Connection& db, std::string_view name);

// A new account (status ok) subscribed to the default subs; nothing when the name is taken.
awaitable<std::optional<UserRecord>> create_user(Connection& db, std::string_view name,
                                                 std::string_view password_hash);

awaitable<void> set_admin(Connection& db, std::string_view uid, bool admin);

}  // namespace throat::store
