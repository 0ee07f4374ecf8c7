#pragma once

#include <string>

#include "antenna/publish/crash_publisher.h"
#include "clients/amqp/publisher.h"
#include "core/observability/log.h"

namespace antenna {

// Socorro's first crash queue: each crash id is one persistent message on a durable RabbitMQ
// queue (through the default exchange), taken once the broker confirms it (publisher
// confirms), so a broker restart loses no published id.
class RabbitMqCrashPublisher final : public CrashPublisher {
public:
    RabbitMqCrashPublisher(clients::amqp::PublisherOptions options, core::Logger log);

    std::string name() const override { return "RabbitMQCrashPublish"; }
    boost::asio::awaitable<std::vector<Outcome>> publish(
        const std::vector<std::string>& crash_ids) override;
    // Connects, declares the queue and publishes "test", as Antenna's publishers.
    Outcome verify() override;
    // A passive declare of the queue: the broker is reachable and the queue is there.
    boost::asio::awaitable<std::optional<std::string>> check_health() override;

private:
    clients::amqp::Publisher publisher_;
    core::Logger log_;
};

}  // namespace antenna
