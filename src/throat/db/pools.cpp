#include "throat/db/pools.h"

#include <stdexcept>
#include <string>

#include <boost/asio/execution/context_as.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

namespace throat::db {

Pools::Pools(clients::postgres::PoolOptions options, std::size_t workers)
    : options_(std::move(options)), workers_(workers == 0 ? 1 : workers) {
    if (options_.max_connections < workers_) {
        throw std::invalid_argument(
            "database.max_connections (" + std::to_string(options_.max_connections) +
            ") must be at least the number of workers (" + std::to_string(workers_) + ")");
    }
}

clients::postgres::Pool& Pools::for_executor(const boost::asio::any_io_executor& executor) {
    const void* loop = &boost::asio::query(
        executor, boost::asio::execution::context_as<boost::asio::execution_context&>);
    std::lock_guard lock(mutex_);
    auto found = pools_.find(loop);
    if (found != pools_.end()) {
        return *found->second;
    }
    if (pools_.size() >= workers_) {
        throw std::logic_error("more event loops asked for a database pool than there are workers");
    }
    // The first pools take the remainder: 5 connections for 2 workers are 3 and 2.
    clients::postgres::PoolOptions options = options_;
    options.max_connections =
        options_.max_connections / workers_ + (pools_.size() < options_.max_connections % workers_);
    auto pool = std::make_unique<clients::postgres::Pool>(executor, options);
    return *pools_.emplace(loop, std::move(pool)).first->second;
}

void Pools::close() {
    std::lock_guard lock(mutex_);
    pools_.clear();
}

}  // namespace throat::db
