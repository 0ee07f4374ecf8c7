#include "clients/postgres/connection.h"

#include <cmath>
#include <libpq-fe.h>
#include <poll.h>
#include <stdexcept>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace clients::postgres {
namespace {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string trimmed(const char* message) {
    std::string text = message == nullptr ? "" : message;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

std::string error_field(const PGresult* result, int field) {
    const char* value = PQresultErrorField(result, field);
    return value == nullptr ? "" : value;
}

// Notices (RAISE NOTICE, "there is no transaction in progress") would go to stderr by default,
// so they are dropped, except one: libpq hands an error that arrives on an idle connection to
// the notice receiver, and a FATAL one is the server saying why it ends the session (shutdown,
// pg_terminate_backend) just before it closes the socket.
void watch_notice(void* session_ended, const PGresult* notice) {
    std::string severity = error_field(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity == "FATAL" || severity == "PANIC") {
        *static_cast<bool*>(session_ended) = true;
    }
}

// Marks the connection busy for one statement. A statement that ends (with its results or a
// server error) calls done(); one abandoned half-way (an exception, or the coroutine destroyed
// while waiting) leaves the protocol in an unknown state, so the connection counts as broken.
class BusyGuard {
public:
    BusyGuard(bool& busy, bool& broken) : busy_(busy), broken_(broken) {
        if (busy_) {
            throw std::logic_error(
                "postgres::Connection: a statement is already under way on this connection");
        }
        busy_ = true;
    }
    ~BusyGuard() {
        busy_ = false;
        if (!done_) {
            broken_ = true;
        }
    }
    BusyGuard(const BusyGuard&) = delete;
    BusyGuard& operator=(const BusyGuard&) = delete;
    void done() { done_ = true; }

private:
    bool& busy_;
    bool& broken_;
    bool done_ = false;
};

}  // namespace

Param to_param(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "Infinity" : "-Infinity";
    }
    char buffer[32];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, end);
}

Connection::Connection(asio::any_io_executor executor, ConnectionOptions options)
    : options_(std::move(options)), socket_(executor), timer_(executor) {}

Connection::~Connection() {
    if (socket_.is_open()) {
        socket_.release();  // libpq closes its socket itself
    }
    if (conn_ != nullptr) {
        PQfinish(conn_);
    }
}

asio::awaitable<std::unique_ptr<Connection>> Connection::connect(
    asio::any_io_executor executor, ConnectionOptions options,
    std::optional<Clock::time_point> deadline) {
    std::unique_ptr<Connection> connection(new Connection(executor, std::move(options)));
    co_await connection->open(deadline);
    co_return connection;
}

asio::awaitable<void> Connection::open(std::optional<Clock::time_point> deadline) {
    // dbname first with expand_dbname: the connection string's settings, then ours over them.
    std::vector<const char*> keywords{"dbname"};
    std::vector<const char*> values{options_.conninfo.c_str()};
    if (!options_.application_name.empty()) {
        keywords.push_back("application_name");
        values.push_back(options_.application_name.c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectStartParams(keywords.data(), values.data(), /*expand_dbname=*/1);
    if (conn_ == nullptr) {
        throw Error(Error::Kind::broken, "", "cannot connect to PostgreSQL: out of memory");
    }
    if (PQstatus(conn_) == CONNECTION_BAD) {
        fail("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_)));
    }
    PQsetNoticeReceiver(conn_, watch_notice, &session_ended_);

    auto limit = Clock::now() + options_.connect_timeout;
    if (deadline && *deadline < limit) {
        limit = *deadline;
    }
    // libpq may open another socket while it tries the next address of a host, so the descriptor
    // is registered afresh for each wait (a handful per connection).
    for (PostgresPollingStatusType status = PGRES_POLLING_WRITING;;) {
        if (status == PGRES_POLLING_OK) {
            break;
        }
        if (status == PGRES_POLLING_FAILED) {
            fail("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_)));
        }
        if (socket_.is_open()) {
            socket_.release();
        }
        if (PQsocket(conn_) < 0) {
            fail("cannot connect to PostgreSQL: no socket");
        }
        socket_.assign(PQsocket(conn_));
        if (Clock::now() >= limit) {
            fail("cannot connect to PostgreSQL: timed out");
        }
        co_await wait(status == PGRES_POLLING_READING ? Wait::read : Wait::write, limit);
        status = PQconnectPoll(conn_);
    }
    if (PQsetnonblocking(conn_, 1) != 0) {
        fail("cannot set the PostgreSQL connection non-blocking: " +
             trimmed(PQerrorMessage(conn_)));
    }
    // The final socket (the last one waited on may have been replaced before OK).
    if (socket_.is_open()) {
        socket_.release();
    }
    socket_.assign(PQsocket(conn_));
    backend_pid_ = PQbackendPID(conn_);
    opened_at_ = Clock::now();
}

void Connection::fail(std::string message) {
    broken_ = true;
    if (message.empty()) {
        message = conn_ == nullptr ? "no connection" : trimmed(PQerrorMessage(conn_));
    }
    throw Error(Error::Kind::broken, "", message);
}

bool Connection::broken() const {
    return broken_ || conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK;
}

bool Connection::in_transaction() const {
    return conn_ != nullptr && PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

bool Connection::check_alive() {
    if (broken() || busy_) {
        return !broken();
    }
    // A server that ends a session sends an error, then closes: libpq reads one, then the other
    // (the end of the stream makes PQconsumeInput fail). A few rounds: notifications may come.
    for (int round = 0; round < 8 && !broken(); ++round) {
        pollfd fd{PQsocket(conn_), POLLIN, 0};
        if (::poll(&fd, 1, 0) <= 0) {
            break;
        }
        if (PQconsumeInput(conn_) == 0) {
            broken_ = true;
            break;
        }
        // PQconsumeInput only reads; PQisBusy parses what was read, which hands an error that
        // came while idle to watch_notice.
        PQisBusy(conn_);
        if (session_ended_) {
            broken_ = true;
        }
    }
    return !broken();
}

asio::awaitable<void> Connection::prepare(const Statement& statement) {
    if (!is_prepared(statement.name)) {
        std::string name = statement.name;
        std::string sql = statement.sql;
        Params none;
        co_await run(Mode::prepare_only, std::move(name), std::move(sql), std::move(none));
    }
}

asio::awaitable<Result> Connection::run(Mode mode, std::string name, std::string sql,
                                        Params values) {
    BusyGuard busy(busy_, broken_);
    if (broken()) {
        busy.done();
        fail(broken_ ? "the PostgreSQL connection is broken" : "");
    }
    std::optional<Clock::time_point> deadline;
    if (options_.query_timeout.count() > 0) {
        deadline = Clock::now() + options_.query_timeout;
    }
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& value : values) {
        pointers.push_back(value ? value->c_str() : nullptr);
    }
    auto count = static_cast<int>(values.size());

    if (mode == Mode::prepared || mode == Mode::prepare_only) {
        auto known = prepared_.find(name);
        if (known != prepared_.end() && known->second != sql) {
            busy.done();
            throw std::logic_error("postgres: statement \"" + name +
                                   "\" was prepared with other SQL");
        }
        if (known != prepared_.end() && mode == Mode::prepare_only) {
            busy.done();
            co_return Result(PQmakeEmptyPGresult(conn_, PGRES_COMMAND_OK));
        }
        if (known == prepared_.end()) {
            if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) == 0) {
                fail();
            }
            std::optional<Result> prepared;
            try {
                prepared.emplace(co_await finish(deadline));
            } catch (const Error& error) {
                if (!error.broken()) {
                    busy.done();
                }
                throw;
            }
            prepared_.emplace(name, sql);
            if (mode == Mode::prepare_only) {
                busy.done();
                co_return std::move(*prepared);
            }
        }
    }

    int sent = 0;
    switch (mode) {
        case Mode::unnamed:
            sent = PQsendQueryParams(conn_, sql.c_str(), count, nullptr, pointers.data(), nullptr,
                                     nullptr, 0);
            break;
        case Mode::prepared:
        case Mode::prepare_only:
            sent = PQsendQueryPrepared(conn_, name.c_str(), count, pointers.data(), nullptr,
                                       nullptr, 0);
            break;
        case Mode::simple:
            sent = PQsendQuery(conn_, sql.c_str());
            break;
    }
    if (sent == 0) {
        fail();
    }
    try {
        Result result = co_await finish(deadline);
        busy.done();
        co_return result;
    } catch (const Error& error) {
        if (!error.broken()) {
            busy.done();
        }
        throw;
    }
}

asio::awaitable<Result> Connection::finish(std::optional<Clock::time_point> deadline) {
    // Send: PQflush returns 1 while data is left. Reading meanwhile keeps a server that is
    // answering (notices) from blocking on us while we block on it.
    for (;;) {
        int flushed = PQflush(conn_);
        if (flushed == 0) {
            break;
        }
        if (flushed < 0) {
            fail();
        }
        co_await wait(Wait::either, deadline);
        if (PQconsumeInput(conn_) == 0) {
            fail();
        }
    }
    // Receive every result of the statement, until PQgetResult returns null.
    std::optional<Result> last;
    std::optional<Error> first_error;
    for (;;) {
        while (PQisBusy(conn_) != 0) {
            co_await wait(Wait::read, deadline);
            // When the server closed the connection, libpq stops being busy and PQgetResult
            // reports why (with the server's SQLSTATE when it said goodbye, 57P01 say).
            if (PQconsumeInput(conn_) == 0 && PQstatus(conn_) != CONNECTION_BAD) {
                fail();
            }
        }
        PGresult* raw = PQgetResult(conn_);
        if (raw == nullptr) {
            break;
        }
        Result result(raw);
        switch (PQresultStatus(raw)) {
            case PGRES_FATAL_ERROR:
                if (!first_error) {
                    first_error.emplace(Error::Kind::query, error_field(raw, PG_DIAG_SQLSTATE),
                                        trimmed(PQresultErrorMessage(raw)));
                }
                break;
            case PGRES_COPY_IN:
            case PGRES_COPY_OUT:
            case PGRES_COPY_BOTH:
            case PGRES_BAD_RESPONSE:
                fail("postgres: unexpected answer (" +
                     std::string(PQresStatus(PQresultStatus(raw))) + ")");
            default:
                last.emplace(std::move(result));
        }
    }
    if (PQstatus(conn_) == CONNECTION_BAD) {
        broken_ = true;
        // The server's reason, when it gave one (57P01 after pg_terminate_backend).
        if (first_error) {
            throw Error(Error::Kind::broken, first_error->sqlstate(), first_error->what());
        }
        fail();
    }
    if (first_error) {
        throw *first_error;
    }
    if (!last) {
        fail("postgres: no result");
    }
    co_return std::move(*last);
}

asio::awaitable<void> Connection::wait(Wait what, std::optional<Clock::time_point> deadline) {
    // Asio's epoll reactor is edge-triggered and does not check readiness when a wait starts, and
    // libpq does not always read the socket dry: look first.
    short events = what == Wait::read ? POLLIN : what == Wait::write ? POLLOUT : POLLIN | POLLOUT;
    pollfd fd{PQsocket(conn_), events, 0};
    if (::poll(&fd, 1, 0) != 0) {
        co_return;  // ready, or an error that libpq reports on its next read or write
    }
    using asio::posix::stream_descriptor;
    auto wait_for = [this](stream_descriptor::wait_type type) -> asio::awaitable<bool> {
        auto [ec] = co_await socket_.async_wait(type, kTuple);
        co_return !ec;
    };
    auto expire = [this]() -> asio::awaitable<bool> {
        auto [ec] = co_await timer_.async_wait(kTuple);
        co_return !ec;
    };
    using namespace asio::experimental::awaitable_operators;
    bool timed_out = false;
    if (what == Wait::either) {
        timer_.expires_at(deadline.value_or(Clock::time_point::max()));
        auto which = co_await (wait_for(stream_descriptor::wait_read) ||
                               wait_for(stream_descriptor::wait_write) || expire());
        timed_out = which.index() == 2;
    } else {
        auto type =
            what == Wait::read ? stream_descriptor::wait_read : stream_descriptor::wait_write;
        if (!deadline) {
            if (!co_await wait_for(type)) {
                fail("postgres: waiting on the connection failed");
            }
            co_return;
        }
        timer_.expires_at(*deadline);
        auto which = co_await (wait_for(type) || expire());
        timed_out = which.index() == 1;
    }
    if (timed_out) {
        fail("postgres: timed out waiting for the server");
    }
}

}  // namespace clients::postgres
