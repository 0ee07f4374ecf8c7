#include "postgres_server.h"

#include <filesystem>

namespace testing_support {

namespace {
const std::string kInitdb = "/usr/lib/postgresql/15/bin/initdb";
}

PostgresServer::PostgresServer(std::string source_dir)
    : scripts_(std::move(source_dir) + "/scripts/services/") {}

std::string PostgresServer::data_dir() const {
    return (dir_.path() / "cluster").string();
}

void PostgresServer::start() {
    if (!std::filesystem::exists(kInitdb)) {
        skip_reason = kInitdb + " is absent (scripts/install-deps.sh postgres)";
        return;
    }
    // A port taken between free_ports() and the server's bind fails the start: try another.
    for (int attempt = 0; attempt < 3 && port_ == 0; ++attempt) {
        std::uint16_t candidate = free_ports(1, 20000, 30000);
        CommandResult result = run_command(scripts_ + "start-postgres.sh " + data_dir() + " " +
                                           std::to_string(candidate));
        if (result.status == 0) {
            port_ = candidate;
            error.clear();
        } else {
            error = "PostgreSQL did not start: " + result.out;
            stop(10);
        }
    }
}

CommandResult PostgresServer::stop(int timeout_seconds) const {
    return run_command(scripts_ + "stop-service.sh " + data_dir() + " " +
                       std::to_string(timeout_seconds));
}

std::string PostgresServer::conninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
}

}  // namespace testing_support
