#include "rabbitmq_broker.h"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace testing_support {

namespace {

const std::string kRabbitServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";

bool port_free(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return free;
}

// A logged-in connection with channel 1 open, or null (and a test failure).
amqp_connection_state_t open_channel(std::uint16_t port) {
    amqp_connection_state_t connection = amqp_new_connection();
    timeval timeout{10, 0};
    if (amqp_socket_open_noblock(amqp_tcp_socket_new(connection), "127.0.0.1", port, &timeout) !=
        AMQP_STATUS_OK) {
        ADD_FAILURE() << "cannot connect to RabbitMQ on port " << port;
        amqp_destroy_connection(connection);
        return nullptr;
    }
    amqp_set_rpc_timeout(connection, &timeout);
    amqp_rpc_reply_t login = amqp_login(connection, "/", 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                                        AMQP_SASL_METHOD_PLAIN, "guest", "guest");
    EXPECT_EQ(login.reply_type, AMQP_RESPONSE_NORMAL);
    amqp_channel_open(connection, 1);
    EXPECT_EQ(amqp_get_rpc_reply(connection).reply_type, AMQP_RESPONSE_NORMAL);
    return connection;
}

void close_channel(amqp_connection_state_t connection) {
    amqp_channel_close(connection, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(connection, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(connection);
}

}  // namespace

RabbitMqBroker::RabbitMqBroker(std::string source_dir)
    : scripts_(std::move(source_dir) + "/scripts/services/") {}

std::string RabbitMqBroker::data_dir() const {
    return (dir_.path() / "node").string();
}

CommandResult RabbitMqBroker::start_on(std::uint16_t port) const {
    return run_command(scripts_ + "start-rabbitmq.sh " + data_dir() + " " + std::to_string(port));
}

void RabbitMqBroker::start() {
    if (!std::filesystem::exists(kRabbitServer)) {
        skip_reason = kRabbitServer + " is absent (scripts/install-deps.sh queues)";
        return;
    }
    // The node also takes PORT+20000 (Erlang distribution) and PORT-1300 (its epmd). All three
    // stay below the kernel's ephemeral ports (32768 and up): Erlang refuses a distribution
    // port that a client connection in TIME_WAIT still holds, which happens under load.
    for (int attempts = 0; attempts < 3 && port_ == 0;) {
        std::uint16_t candidate = free_ports(1, 3000, 12000);
        if (!port_free(candidate + 20000) || !port_free(candidate - 1300)) {
            continue;
        }
        ++attempts;
        CommandResult result = start_on(candidate);
        if (result.status == 0) {
            port_ = candidate;
            skip_reason.clear();
        } else {
            skip_reason = "RabbitMQ did not start: " + result.out;
            stop(10);
        }
    }
}

CommandResult RabbitMqBroker::restart() const {
    return start_on(port_);
}

CommandResult RabbitMqBroker::stop(int timeout_seconds) const {
    return run_command(scripts_ + "stop-service.sh " + data_dir() + " " +
                       std::to_string(timeout_seconds));
}

CommandResult RabbitMqBroker::rabbitmqctl(const std::string& arguments) const {
    return run_command(". " + data_dir() + "/env.sh && /usr/lib/rabbitmq/bin/rabbitmqctl " +
                       arguments);
}

pid_t RabbitMqBroker::beam_pid() const {
    std::ifstream pids(data_dir() + "/pids");
    for (std::string line; std::getline(pids, line);) {
        if (line.find("rabbitmq-beam") != std::string::npos) {
            return std::stoi(line);
        }
    }
    return 0;
}

std::string RabbitMqBroker::amqp_url() const {
    return "amqp://guest:guest@127.0.0.1:" + std::to_string(port_) + "/%2f";
}

std::vector<AmqpMessage> RabbitMqBroker::consume_all(const std::string& queue) const {
    std::vector<AmqpMessage> consumed;
    amqp_connection_state_t connection = open_channel(port_);
    if (connection == nullptr) {
        return consumed;
    }
    for (;;) {
        amqp_rpc_reply_t got = amqp_basic_get(connection, 1, amqp_cstring_bytes(queue.c_str()),
                                              /*no_ack=*/0);
        if (got.reply_type != AMQP_RESPONSE_NORMAL) {
            ADD_FAILURE() << "basic.get failed on " << queue;
            break;
        }
        if (got.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) {
            break;
        }
        std::uint64_t tag = static_cast<amqp_basic_get_ok_t*>(got.reply.decoded)->delivery_tag;
        amqp_message_t message;
        if (amqp_read_message(connection, 1, &message, 0).reply_type != AMQP_RESPONSE_NORMAL) {
            ADD_FAILURE() << "reading a message of " << queue << " failed";
            break;
        }
        AmqpMessage entry;
        entry.body.assign(static_cast<char*>(message.body.bytes), message.body.len);
        if (message.properties._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) {
            entry.delivery_mode = message.properties.delivery_mode;
        }
        consumed.push_back(std::move(entry));
        amqp_destroy_message(&message);
        EXPECT_EQ(amqp_basic_ack(connection, 1, tag, 0), AMQP_STATUS_OK);
        amqp_maybe_release_buffers(connection);
    }
    close_channel(connection);
    return consumed;
}

void RabbitMqBroker::delete_queue(const std::string& queue) const {
    amqp_connection_state_t connection = open_channel(port_);
    if (connection == nullptr) {
        return;
    }
    amqp_queue_delete(connection, 1, amqp_cstring_bytes(queue.c_str()), 0, 0);
    EXPECT_EQ(amqp_get_rpc_reply(connection).reply_type, AMQP_RESPONSE_NORMAL);
    close_channel(connection);
}

}  // namespace testing_support
