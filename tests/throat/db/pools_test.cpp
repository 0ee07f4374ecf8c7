#include "throat/db/pools.h"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace throat::db {
namespace {

clients::postgres::PoolOptions with_max(std::size_t max_connections) {
    clients::postgres::PoolOptions options;
    options.max_connections = max_connections;
    return options;
}

TEST(Pools, ShareTheProcessLimitBetweenTheWorkers) {
    boost::asio::io_context first, second;
    Pools pools(with_max(5), 2);
    clients::postgres::Pool& a = pools.for_executor(first.get_executor());
    clients::postgres::Pool& b = pools.for_executor(second.get_executor());
    EXPECT_NE(&a, &b);
    EXPECT_EQ(&pools.for_executor(first.get_executor()), &a);
    EXPECT_EQ(&pools.for_executor(second.get_executor()), &b);
    // Nothing opened yet: the shares are checked by the black-box pool test.
    EXPECT_EQ(a.open_connections(), 0u);
    pools.close();
}

TEST(Pools, MoreEventLoopsThanWorkersIsAnError) {
    boost::asio::io_context first, second;
    Pools pools(with_max(4), 1);
    pools.for_executor(first.get_executor());
    EXPECT_THROW(pools.for_executor(second.get_executor()), std::logic_error);
}

TEST(Pools, RefuseFewerConnectionsThanWorkers) {
    EXPECT_THROW(Pools(with_max(2), 3), std::invalid_argument);
    EXPECT_NO_THROW(Pools(with_max(3), 3));
}

}  // namespace
}  // namespace throat::db
