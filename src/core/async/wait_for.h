#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace core {

// Runs `operation` to completion on an event loop of the calling thread, for blocking callers
// such as startup checks; the operation may wait on other threads' loops meanwhile.
template <class T>
T wait_for(boost::asio::awaitable<T> operation) {
    boost::asio::io_context context;
    auto result = boost::asio::co_spawn(context, std::move(operation), boost::asio::use_future);
    context.run();
    return result.get();
}

}  // namespace core
