#pragma once

#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "clients/postgres/error.h"
#include "clients/postgres/result.h"

// libpq's handle, declared as libpq-fe.h does.
typedef struct pg_conn PGconn;

// A PostgreSQL client on Asio: libpq in non-blocking mode, its socket watched by the event loop,
// so a worker thread never blocks on the database. See pool.h for the pool that services use.
namespace clients::postgres {

// One statement parameter in text format (the server's input syntax); nullopt is SQL NULL.
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

// The text form of a C++ value, as the server reads it: strings as they are, integers in
// decimal, floating point in the shortest form that reads back to the same value (and
// Infinity, -Infinity, NaN), bool as true/false, std::optional and std::nullopt as NULL.
inline Param to_param(std::nullopt_t) {
    return std::nullopt;
}
inline Param to_param(std::string_view text) {
    return std::string(text);
}
inline Param to_param(const char* text) {
    return std::string(text);
}
inline Param to_param(bool value) {
    return value ? "true" : "false";
}
template <std::integral T>
requires(!std::same_as<T, bool> && !std::same_as<T, char>) Param to_param(T value) {
    return std::to_string(value);
}
Param to_param(double value);
template <typename T>
Param to_param(const std::optional<T>& value) {
    return value ? to_param(*value) : std::nullopt;
}

// Params from C++ values: params(42, "text", std::nullopt, 2.5, true).
template <typename... Args>
Params params(const Args&... args) {
    Params result;
    result.reserve(sizeof...(args));
    (result.push_back(to_param(args)), ...);
    return result;
}

// A named statement, prepared on a connection the first time it is used there and executed by
// name afterwards. Declare them once (`const Statement kFindUser{"find_user", "select ..."}`);
// one name always means the same SQL.
struct Statement {
    std::string name = {};
    std::string sql = {};
};

struct ConnectionOptions {
    // A libpq connection string: a URI ("postgresql://user:password@host:port/dbname") or
    // keyword=value pairs ("host=127.0.0.1 port=5432 dbname=throat"); empty: libpq's defaults
    // and PG* environment variables.
    std::string conninfo = {};
    // Shown in pg_stat_activity; overrides one in conninfo when not empty.
    std::string application_name = {};
    // For the whole handshake (TCP, TLS, authentication, startup).
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
    // The longest a statement may take, from sending it to its last result; 0: no limit. A
    // statement that takes longer breaks the connection (the exchange is abandoned half-way),
    // so it is a guard against a server that stopped answering; set statement_timeout on the
    // server for slow queries.
    std::chrono::milliseconds query_timeout = std::chrono::milliseconds(0);
};

// One libpq connection driven by one executor, without blocking it. Not thread-safe: use it from
// coroutines of its executor only, one statement at a time (a second concurrent call throws
// std::logic_error). Statements throw Error: kind query when the server refused the statement (the
// connection is still usable), kind broken when the connection is not (broken() is then true
// for good).
//
// Arguments are converted before the first suspension, so temporaries may be passed; SQL is
// copied. A coroutine destroyed in the middle of a statement leaves the connection broken().
class Connection {
public:
    using Clock = std::chrono::steady_clock;

    // Opens a connection. `deadline`, when given and earlier than the connect timeout, bounds
    // the handshake instead. Throws Error (kind broken) when it cannot connect in time.
    static boost::asio::awaitable<std::unique_ptr<Connection>> connect(
        boost::asio::any_io_executor executor, ConnectionOptions options,
        std::optional<Clock::time_point> deadline = std::nullopt);

    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // One statement with parameters $1, $2... (extended protocol, unnamed statement).
    template <typename... Args>
    boost::asio::awaitable<Result> query(std::string_view sql, const Args&... args) {
        return run(Mode::unnamed, {}, std::string(sql), params(args...));
    }
    boost::asio::awaitable<Result> query(std::string_view sql, Params values) {
        return run(Mode::unnamed, {}, std::string(sql), std::move(values));
    }
    // A named statement: prepared on this connection on first use, then executed by name.
    template <typename... Args>
    boost::asio::awaitable<Result> query(const Statement& statement, const Args&... args) {
        return run(Mode::prepared, statement.name, statement.sql, params(args...));
    }
    boost::asio::awaitable<Result> query(const Statement& statement, Params values) {
        return run(Mode::prepared, statement.name, statement.sql, std::move(values));
    }
    // Prepares `statement` now unless it already is (e.g. at startup, to check the SQL).
    boost::asio::awaitable<void> prepare(const Statement& statement);
    // Any number of ;-separated statements without parameters (simple protocol): BEGIN, COMMIT,
    // schema migrations. The result is the last statement's.
    boost::asio::awaitable<Result> execute(std::string_view sql) {
        return run(Mode::simple, {}, std::string(sql), {});
    }

    // True once the connection cannot be used any more.
    bool broken() const;
    // True while a statement is under way.
    bool busy() const { return busy_; }
    // True inside a transaction block (after BEGIN), also a failed one.
    bool in_transaction() const;
    // The server process serving this connection (pg_backend_pid()).
    int backend_pid() const { return backend_pid_; }
    Clock::time_point opened_at() const { return opened_at_; }
    // Whether a statement of that name was prepared on this connection.
    bool is_prepared(const std::string& name) const { return prepared_.contains(name); }

    // Without waiting: reads whatever the server sent while the connection was idle (a shutdown
    // or pg_terminate_backend notice, end of stream) and says whether it is still usable.
    bool check_alive();

    PGconn* native() const { return conn_; }

private:
    enum class Mode { unnamed, prepared, prepare_only, simple };
    enum class Wait { read, write, either };

    explicit Connection(boost::asio::any_io_executor executor, ConnectionOptions options);

    boost::asio::awaitable<void> open(std::optional<Clock::time_point> deadline);
    boost::asio::awaitable<Result> run(Mode mode, std::string name, std::string sql, Params values);
    // Sends what libpq has buffered and collects the results of one statement; the last one is
    // returned, the first error thrown.
    boost::asio::awaitable<Result> finish(std::optional<Clock::time_point> deadline);
    boost::asio::awaitable<void> wait(Wait what, std::optional<Clock::time_point> deadline);
    // Marks the connection broken and throws why (libpq's message unless given).
    [[noreturn]] void fail(std::string message = {});

    ConnectionOptions options_;
    PGconn* conn_ = nullptr;
    // Watches libpq's socket; released, never closed, since libpq owns the descriptor.
    boost::asio::posix::stream_descriptor socket_;
    boost::asio::steady_timer timer_;
    std::map<std::string, std::string, std::less<>> prepared_;  // name -> SQL
    bool busy_ = false;
    bool broken_ = false;
    bool session_ended_ = false;  // the server said FATAL while the connection was idle
    int backend_pid_ = 0;
    Clock::time_point opened_at_ = {};
};

}  // namespace clients::postgres
