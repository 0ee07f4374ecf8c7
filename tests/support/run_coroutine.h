#pragma once

#include <chrono>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace testing_support {

// Runs the coroutine `body()` on `io` to its end (at most `limit`); what it throws is a test
// failure.
template <typename Body>
void run_coroutine(boost::asio::io_context& io, Body body,
                   std::chrono::seconds limit = std::chrono::seconds(120)) {
    std::exception_ptr failure;
    bool finished = false;
    boost::asio::co_spawn(io, body(), [&](std::exception_ptr thrown) {
        failure = thrown;
        finished = true;
    });
    io.run_for(limit);
    io.restart();
    ASSERT_TRUE(finished) << "the test coroutine did not finish";
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& error) {
            FAIL() << "exception: " << error.what();
        }
    }
}

}  // namespace testing_support
