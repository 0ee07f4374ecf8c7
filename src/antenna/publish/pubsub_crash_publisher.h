#pragma once

#include <string>

#include "antenna/publish/crash_publisher.h"
#include "clients/gcp/pubsub_client.h"
#include "core/observability/log.h"

namespace antenna {

// Antenna's PubSubCrashPublish: each crash id is the data of one message (no attributes) on
// projects/<project>/topics/<topic>; a mover batch goes in one publish request per 1,000 ids.
class PubSubCrashPublisher final : public CrashPublisher {
public:
    PubSubCrashPublisher(clients::gcp::PubSubOptions options, core::Logger log);

    std::string name() const override { return "PubSubCrashPublish"; }
    boost::asio::awaitable<std::vector<Outcome>> publish(
        const std::vector<std::string>& crash_ids) override;
    // Publishes "test", as Antenna (a missing topic stops startup).
    Outcome verify() override;
    // Reads the topic, as Antenna's (unused) health check.
    boost::asio::awaitable<std::optional<std::string>> check_health() override;

private:
    clients::gcp::PubSubClient client_;
    core::Logger log_;
};

}  // namespace antenna
