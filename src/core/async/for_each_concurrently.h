#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace core {

// co_awaits task(i) for every i in [0, count), at most `limit` at a time, on the calling
// coroutine's executor, which must run on one thread; returns once all have finished and
// rethrows the first exception a task threw.
template <class Task>
boost::asio::awaitable<void> for_each_concurrently(std::size_t count, std::size_t limit,
                                                   Task task) {
    namespace asio = boost::asio;
    std::size_t workers = std::min(std::max<std::size_t>(limit, 1), count);
    if (workers == 0) {
        co_return;
    }
    auto executor = co_await asio::this_coro::executor;
    std::size_t next = 0;
    std::size_t running = workers;
    std::exception_ptr failure;
    asio::steady_timer all_done(executor, std::chrono::steady_clock::time_point::max());
    auto worker = [&]() -> asio::awaitable<void> {
        while (next < count) {
            co_await task(next++);
        }
    };
    for (std::size_t i = 0; i < workers; ++i) {
        asio::co_spawn(executor, worker(), [&](std::exception_ptr error) {
            if (error && !failure) {
                failure = error;
            }
            if (--running == 0) {
                all_done.cancel();
            }
        });
    }
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    if (failure) {
        std::rethrow_exception(failure);
    }
}

}  // namespace core
