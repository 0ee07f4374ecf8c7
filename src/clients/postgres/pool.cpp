#include "clients/postgres/pool.h"

#include <algorithm>
#include <deque>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace clients::postgres {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

}  // namespace

// A caller waiting in line. Whoever frees a connection hands it over (or, when it closed it, the
// right to open one) and cancels the timer; the timer expiring first means a timeout.
struct Waiter {
    explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}

    asio::steady_timer timer;
    std::unique_ptr<Connection> connection = {};
    bool may_open = false;
};

struct Pool::State {
    State(asio::any_io_executor executor, PoolOptions options)
        : executor(std::move(executor)), options(std::move(options)) {}

    bool stale(const Connection& connection) const {
        return options.stale_timeout.count() > 0 &&
               Clock::now() - connection.opened_at() >= options.stale_timeout;
    }

    // An idle connection that is still usable, or null; stale and dead ones are closed.
    std::unique_ptr<Connection> take_idle() {
        while (!idle.empty()) {
            std::unique_ptr<Connection> connection = std::move(idle.back());
            idle.pop_back();
            if (!stale(*connection) && connection->check_alive()) {
                return connection;
            }
            connection.reset();
            free_place();
        }
        return nullptr;
    }

    // A connection was closed (or could not be opened): the first waiter may open one.
    void free_place() {
        if (!closed && !waiters.empty()) {
            Waiter* waiter = waiters.front();
            waiters.pop_front();
            waiter->may_open = true;
            waiter->timer.cancel();
        } else {
            --open;
        }
    }

    void give_back(std::unique_ptr<Connection> connection) {
        if (closed || connection->broken() || connection->busy() || connection->in_transaction() ||
            stale(*connection)) {
            connection.reset();
            free_place();
        } else if (!waiters.empty()) {
            Waiter* waiter = waiters.front();
            waiters.pop_front();
            waiter->connection = std::move(connection);
            waiter->timer.cancel();
        } else {
            idle.push_back(std::move(connection));
        }
    }

    asio::any_io_executor executor;
    PoolOptions options;
    std::vector<std::unique_ptr<Connection>> idle;  // the most recently returned last
    std::deque<Waiter*> waiters;                    // first come, first served
    std::size_t open = 0;                           // connections open or being opened
    std::size_t opened = 0;
    bool closed = false;
};

namespace {

// A place counted in `open` for a connection being opened; given up unless the connection is.
class Place {
public:
    explicit Place(std::shared_ptr<Pool::State>& state) : state_(state) {}
    ~Place() {
        if (state_) {
            state_->free_place();
        }
    }
    Place(const Place&) = delete;
    Place& operator=(const Place&) = delete;
    void keep() { state_.reset(); }

private:
    std::shared_ptr<Pool::State> state_;
};

// Takes a waiter out of line when its caller stops waiting, whatever the reason (served,
// timed out, or its coroutine destroyed), and gives back what was handed to it unused.
class InLine {
public:
    InLine(std::shared_ptr<Pool::State>& state, Waiter& waiter) : state_(state), waiter_(waiter) {
        state_->waiters.push_back(&waiter_);
    }
    ~InLine() {
        auto& waiters = state_->waiters;
        waiters.erase(std::remove(waiters.begin(), waiters.end(), &waiter_), waiters.end());
        if (waiter_.connection) {
            state_->give_back(std::move(waiter_.connection));
        }
        if (waiter_.may_open) {
            state_->free_place();
        }
    }
    InLine(const InLine&) = delete;
    InLine& operator=(const InLine&) = delete;

private:
    std::shared_ptr<Pool::State> state_;
    Waiter& waiter_;
};

}  // namespace

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        give_back();
        state_ = std::move(other.state_);
        connection_ = std::move(other.connection_);
    }
    return *this;
}

Pool::Lease::~Lease() {
    give_back();
}

void Pool::Lease::give_back() {
    if (connection_) {
        state_->give_back(std::move(connection_));
    }
}

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(options))) {
    state_->options.max_connections = std::max<std::size_t>(state_->options.max_connections, 1);
}

Pool::~Pool() {
    state_->closed = true;
    state_->open -= state_->idle.size();
    state_->idle.clear();
    for (Waiter* waiter : state_->waiters) {
        waiter->timer.cancel();
    }
    state_->waiters.clear();
}

asio::awaitable<Pool::Lease> Pool::acquire() {
    return acquire(state_->options.acquire_timeout);
}

asio::awaitable<Pool::Lease> Pool::acquire(std::chrono::milliseconds timeout) {
    std::shared_ptr<State> state = state_;  // the pool may go away while we wait
    auto deadline = Clock::now() + timeout;
    bool may_open = false;
    if (state->waiters.empty()) {
        if (auto connection = state->take_idle()) {
            co_return Lease(state, std::move(connection));
        }
        if (state->open < state->options.max_connections) {
            ++state->open;
            may_open = true;
        }
    }
    if (!may_open) {
        Waiter waiter(state->executor);
        waiter.timer.expires_at(deadline);
        {
            InLine in_line(state, waiter);
            co_await waiter.timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (waiter.connection) {
                co_return Lease(state, std::move(waiter.connection));
            }
            may_open = std::exchange(waiter.may_open, false);
        }
        if (!may_open) {
            if (state->closed) {
                throw Error(Error::Kind::broken, "", "the database pool is closed");
            }
            throw PoolTimeout("no database connection free within " +
                              std::to_string(timeout.count()) + " ms (all " +
                              std::to_string(state->options.max_connections) + " busy)");
        }
    }

    Place place(state);
    std::unique_ptr<Connection> connection;
    try {
        connection =
            co_await Connection::connect(state->executor, state->options.connection, deadline);
    } catch (const Error&) {
        if (Clock::now() >= deadline) {
            throw PoolTimeout("no database connection within " + std::to_string(timeout.count()) +
                              " ms (opening one took too long)");
        }
        throw;
    }
    place.keep();
    ++state->opened;
    Lease lease(state, std::move(connection));
    if (state->closed) {
        throw Error(Error::Kind::broken, "", "the database pool is closed");  // ~Lease closes it
    }
    co_return lease;
}

std::size_t Pool::open_connections() const {
    return state_->open;
}

std::size_t Pool::idle_connections() const {
    return state_->idle.size();
}

std::size_t Pool::waiting() const {
    return state_->waiters.size();
}

std::size_t Pool::connections_opened() const {
    return state_->opened;
}

}  // namespace clients::postgres
