#include "core/async/for_each_concurrently.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Runs `body` as a coroutine on a fresh single-threaded event loop until it finishes.
void run_coroutine(std::function<asio::awaitable<void>()> body) {
    asio::io_context context;
    auto done = asio::co_spawn(context, body(), asio::use_future);
    context.run();
    done.get();
}

TEST(ForEachConcurrently, RunsEveryTaskWithAtMostLimitAtOnce) {
    std::vector<int> finished;
    int running = 0;
    int most_running = 0;
    run_coroutine([&]() -> asio::awaitable<void> {
        co_await core::for_each_concurrently(10, 3, [&](std::size_t i) -> asio::awaitable<void> {
            most_running = std::max(most_running, ++running);
            asio::steady_timer pause(co_await asio::this_coro::executor, 1ms * (10 - i));
            co_await pause.async_wait(asio::use_awaitable);
            --running;
            finished.push_back(static_cast<int>(i));
        });
        EXPECT_EQ(running, 0);  // returns only once all finished
    });
    EXPECT_EQ(most_running, 3);
    std::sort(finished.begin(), finished.end());
    EXPECT_EQ(finished, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(ForEachConcurrently, NothingToDoReturnsAtOnce) {
    int calls = 0;
    run_coroutine([&]() -> asio::awaitable<void> {
        co_await core::for_each_concurrently(0, 4, [&](std::size_t) -> asio::awaitable<void> {
            ++calls;
            co_return;
        });
    });
    EXPECT_EQ(calls, 0);
}

TEST(ForEachConcurrently, RethrowsATaskFailureAfterTheOthersFinished) {
    int finished = 0;
    EXPECT_THROW(run_coroutine([&]() -> asio::awaitable<void> {
                     co_await core::for_each_concurrently(
                         5, 2, [&](std::size_t i) -> asio::awaitable<void> {
                             if (i == 1) {
                                 throw std::runtime_error("task 1 failed");
                             }
                             ++finished;
                             co_return;
                         });
                 }),
                 std::runtime_error);
    EXPECT_EQ(finished, 4);
}

}  // namespace
