#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <list>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "clients/postgres/connection.h"

namespace clients::postgres {

struct PoolOptions {
    ConnectionOptions connection = {};
    // At most this many connections are open at once (database.max_connections).
    std::size_t max_connections = 10;
    // A connection this old is closed instead of reused, and the next caller gets a new one
    // (database.stale_timeout, as in peewee's pooled databases: the age since it was opened).
    // Checked when a connection is returned and when it is taken; 0: connections never go stale.
    std::chrono::milliseconds stale_timeout = std::chrono::milliseconds(0);
    // How long acquire() waits for a connection unless told otherwise.
    std::chrono::milliseconds acquire_timeout = std::chrono::seconds(5);
};

// A bounded pool of connections for one executor. Not thread-safe: the pool, its leases and its
// connections belong to the executor (one io_context run by one thread) they were created for,
// and are used from coroutines on it only. The server runs one io_context per worker thread, so
// each worker owns a pool: a process holds at most workers x max_connections connections.
//
// acquire() hands out an idle connection, else opens one while fewer than max_connections are
// open, else waits in line (first come, first served) until one is returned or the timeout
// passes, then throws PoolTimeout; it never waits longer. A lease returns its connection when
// it is destroyed; a broken connection, one left inside a transaction or in the middle of a
// statement, and a stale one are closed instead, which frees the place for a new one. Idle
// connections are checked (without waiting) when taken, so one that the server closed meanwhile
// is replaced rather than handed out.
//
// Leases and waiting callers may outlive the pool: destroying it closes the idle connections,
// wakes the waiters (they throw Error, kind broken) and closes the others when they come back.
class Pool {
public:
    struct State;  // shared by the pool, its leases and its waiters (pool.cpp)

    class Lease {
    public:
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&& other) noexcept;
        ~Lease();

        Connection& operator*() const { return *connection_; }
        Connection* operator->() const { return connection_.get(); }
        Connection& connection() const { return *connection_; }

    private:
        friend class Pool;
        Lease(std::shared_ptr<State> state, std::unique_ptr<Connection> connection)
            : state_(std::move(state)), connection_(std::move(connection)) {}
        void give_back();

        std::shared_ptr<State> state_;
        std::unique_ptr<Connection> connection_;
    };

    Pool(boost::asio::any_io_executor executor, PoolOptions options);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // A connection within options.acquire_timeout, or PoolTimeout. Error (kind broken) when
    // a new connection could not be opened.
    boost::asio::awaitable<Lease> acquire();
    boost::asio::awaitable<Lease> acquire(std::chrono::milliseconds timeout);

    // Runs `work(connection)`, a coroutine, between BEGIN and COMMIT on a connection of the
    // pool; when it throws, ROLLBACK and the exception goes on. Returns what `work` returns:
    //   int id = co_await pool.transaction([&](Connection& db) -> awaitable<int> { ... });
    template <typename Work>
    auto transaction(Work work) -> std::invoke_result_t<Work&, Connection&>;

    std::size_t open_connections() const;  // open now, or being opened
    std::size_t idle_connections() const;
    std::size_t waiting() const;             // callers waiting in line
    std::size_t connections_opened() const;  // ever, for tests and metrics

private:
    std::shared_ptr<State> state_;
};

namespace detail {
template <typename T>
struct awaitable_value;
template <typename T, typename Executor>
struct awaitable_value<boost::asio::awaitable<T, Executor>> {
    using type = T;
};
}  // namespace detail

// Runs `work(connection)` between BEGIN and COMMIT; ROLLBACK when it throws (unless the
// connection broke), then rethrows. A COMMIT that fails throws too (the transaction is then
// rolled back by the server).
template <typename Work>
auto transaction(Connection& connection, Work work) -> std::invoke_result_t<Work&, Connection&> {
    using Value = typename detail::awaitable_value<std::invoke_result_t<Work&, Connection&>>::type;
    co_await connection.execute("BEGIN");
    std::exception_ptr failure;
    std::optional<std::conditional_t<std::is_void_v<Value>, bool, Value>> value;
    try {
        if constexpr (std::is_void_v<Value>) {
            co_await work(connection);
            value.emplace(true);
        } else {
            value.emplace(co_await work(connection));
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        if (!connection.broken() && !connection.busy()) {
            try {
                co_await connection.execute("ROLLBACK");
            } catch (const Error&) {
                // The connection broke: the server rolls back, and the pool drops it.
            }
        }
        std::rethrow_exception(failure);
    }
    co_await connection.execute("COMMIT");
    if constexpr (!std::is_void_v<Value>) {
        co_return std::move(*value);
    }
}

template <typename Work>
auto Pool::transaction(Work work) -> std::invoke_result_t<Work&, Connection&> {
    Lease lease = co_await acquire();
    co_return co_await postgres::transaction(*lease, std::move(work));
}

}  // namespace clients::postgres
