#include "throat/store/users.h"

#include "clients/postgres/pool.h"

namespace throat::store {
namespace {

using clients::postgres::Result;
using clients::postgres::Statement;

constexpr std::string_view kUserColumns =
    "u.uid, u.name, u.password, u.status, u.resets, u.score, u.given,"
    " extract(epoch FROM u.joindate)::bigint AS joined,"
    " EXISTS (SELECT 1 FROM user_metadata m WHERE m.uid = u.uid AND m.key = 'admin'"
    " AND m.value = '1') AS admin";

const Statement kFindUser{"find_user",
                          "SELECT " + std::string(kUserColumns) + " FROM users u WHERE u.uid = $1"};
const Statement kFindUserByName{
    "find_user_by_name",
    "SELECT " + std::string(kUserColumns) + " FROM users u WHERE lower(u.name) = lower($1)"};
const Statement kInsertUser{"insert_user",
                            "INSERT INTO users (uid, name, password, crypto, status)"
                            " VALUES (gen_random_uuid()::text, $1, $2, 1, 0)"
                            " ON CONFLICT DO NOTHING RETURNING uid"};
// Throat subscribes a new user to every default sub and counts them as subscribers.
const Statement kSubscribeToDefaults{
    "subscribe_to_defaults",
    "WITH defaults AS (SELECT s.sid FROM subs s JOIN site_metadata m"
    "   ON m.key = 'default' AND m.value = s.sid),"
    " added AS (INSERT INTO sub_subscribers (uid, sid, status)"
    "   SELECT $1::text, sid, 1 FROM defaults ON CONFLICT DO NOTHING RETURNING sid)"
    " UPDATE subs SET subscribers = subscribers + 1 WHERE sid IN (SELECT sid FROM added)"};

UserRecord user_from(const Result& rows, int row) {
    return UserRecord{.uid = rows.get<std::string>(row, 0),
                      .name = rows.get<std::string>(row, 1),
                      .password_hash = rows.get<std::string>(row, 2),
                      .status = rows.get<int>(row, 3),
                      .resets = rows.get<std::int64_t>(row, 4),
                      .score = rows.get<int>(row, 5),
                      .given = rows.get<int>(row, 6),
                      .joined = rows.get<std::int64_t>(row, 7),
                      .admin = rows.get<bool>(row, 8)};
}

}  // namespace

awaitable<std::optional<UserRecord>> find_user(Connection& db, std::string_view uid) {
    Result rows = co_await db.query(kFindUser, uid);
    if (rows.rows() == 0) {
        co_return std::nullopt;
    }
    co_return user_from(rows, 0);
}

awaitable<std::optional<UserRecord>> find_user_by_name(Connection& db, std::string_view name) {
    Result rows = co_await db.query(kFindUserByName, name);
    if (rows.rows() == 0) {
        co_return std::nullopt;
    }
    co_return user_from(rows, 0);
}

awaitable<std::optional<UserRecord>> create_user(Connection& db, std::string_view name,
                                                 std::string_view password_hash) {
    std::string uid;
    bool created =
        co_await clients::postgres::transaction(db, [&](Connection& tx) -> awaitable<bool> {
            Result inserted = co_await tx.query(kInsertUser, name, password_hash);
            if (inserted.rows() == 0) {
                co_return false;
            }
            uid = inserted.get<std::string>(0, 0);
            co_await tx.query(kSubscribeToDefaults, uid);
            co_return true;
        });
    if (!created) {
        co_return std::nullopt;
    }
    co_return co_await find_user(db, uid);
}

awaitable<void> set_admin(Connection& db, std::string_view uid, bool admin) {
    co_await db.query("DELETE FROM user_metadata WHERE uid = $1 AND key = 'admin'", uid);
    if (admin) {
        co_await db.query("INSERT INTO user_metadata (uid, key, value) VALUES ($1, 'admin', '1')",
                          uid);
    }
}

}  // namespace throat::store
