#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>

#include <boost/asio/any_io_executor.hpp>

#include "clients/postgres/pool.h"

namespace throat::db {

// One connection pool per server worker (a pool belongs to one event loop, see pool.h), with the
// process's database.max_connections shared out between them so that the process as a whole
// never holds more: with 2 workers and max_connections 5, the pools hold at most 3 and 2.
class Pools {
public:
    // Throws std::invalid_argument when max_connections is smaller than the number of workers
    // (a worker without a connection could serve no page).
    Pools(clients::postgres::PoolOptions options, std::size_t workers);

    // The pool of the worker whose event loop `executor` belongs to, made on first use.
    clients::postgres::Pool& for_executor(const boost::asio::any_io_executor& executor);

    // Closes every pool; called once the workers have stopped, before their event loops go.
    void close();

private:
    clients::postgres::PoolOptions options_;
    std::size_t workers_;
    std::mutex mutex_;
    std::map<const void*, std::unique_ptr<clients::postgres::Pool>> pools_;
};

}  // namespace throat::db
