#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "service_scripts.h"
#include "temp_dir.h"

namespace testing_support {

struct AmqpMessage {
    std::string body;
    int delivery_mode = 0;  // 0 when the message had none, 2 when persistent
};

// A RabbitMQ node for tests, started by scripts/services/start-rabbitmq.sh in a directory of its
// own; guest/guest on 127.0.0.1. Messages are read back with librabbitmq's basic.get.
class RabbitMqBroker {
public:
    explicit RabbitMqBroker(std::string source_dir);

    // Starts the node on free ports; on failure `skip_reason` says why (RabbitMQ not installed,
    // or it did not start).
    void start();
    // Starts the node again on the same port and data directory (durable queues survive).
    CommandResult restart() const;
    CommandResult stop(int timeout_seconds) const;
    CommandResult rabbitmqctl(const std::string& arguments) const;
    pid_t beam_pid() const;  // the Erlang VM, for freezing it

    bool ready() const { return port_ != 0; }
    std::uint16_t port() const { return port_; }
    std::string amqp_url() const;  // amqp://guest:guest@127.0.0.1:<port>/%2f

    // Takes everything in `queue` (basic.get, each message acknowledged); failures are test
    // failures.
    std::vector<AmqpMessage> consume_all(const std::string& queue) const;
    // Deletes `queue` with a connection of its own, as an operator would.
    void delete_queue(const std::string& queue) const;

    std::string skip_reason;

private:
    std::string data_dir() const;
    CommandResult start_on(std::uint16_t port) const;

    std::string scripts_;
    TempDir dir_{"rabbitmq"};
    std::uint16_t port_ = 0;
};

}  // namespace testing_support
