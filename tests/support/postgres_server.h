#pragma once

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "service_scripts.h"
#include "temp_dir.h"

namespace testing_support {

// A PostgreSQL cluster for tests, started by scripts/services/start-postgres.sh in a directory of
// its own on a free loopback port; superuser postgres, trust authentication.
class PostgresServer {
public:
    explicit PostgresServer(std::string source_dir);

    // Starts the cluster; when PostgreSQL is not installed, `skip_reason` says so, and when it
    // is but does not start, `error` says why.
    void start();
    CommandResult stop(int timeout_seconds) const;

    bool ready() const { return port_ != 0; }
    std::uint16_t port() const { return port_; }
    // A libpq connection string for database postgres as user postgres.
    std::string conninfo() const;

    std::string skip_reason;
    std::string error;

private:
    std::string data_dir() const;

    std::string scripts_;
    TempDir dir_{"postgres"};
    std::uint16_t port_ = 0;
};

// The cluster as a gtest environment: one for a whole test binary, started before its tests.
class PostgresEnvironment : public ::testing::Environment, public PostgresServer {
public:
    explicit PostgresEnvironment(std::string source_dir) : PostgresServer(std::move(source_dir)) {}
    void SetUp() override { start(); }
    void TearDown() override { stop(30); }
};

}  // namespace testing_support
