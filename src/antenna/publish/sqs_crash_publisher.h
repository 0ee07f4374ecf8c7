#pragma once

#include <string>

#include "antenna/publish/crash_publisher.h"
#include "clients/aws/sqs_client.h"
#include "core/observability/log.h"

namespace antenna {

// Antenna's SQSCrashPublish (2019-2024): each crash id is the body of one message of a standard
// queue, sent here in SendMessageBatch requests of ten.
class SqsCrashPublisher final : public CrashPublisher {
public:
    SqsCrashPublisher(clients::aws::SqsOptions options, std::string queue_name, core::Logger log);

    std::string name() const override { return "SQSCrashPublish"; }
    boost::asio::awaitable<std::vector<Outcome>> publish(
        const std::vector<std::string>& crash_ids) override;
    // Looks the queue's URL up (GetQueueUrl), then sends "test", as Antenna.
    Outcome verify() override;
    // GetQueueUrl, as Antenna.
    boost::asio::awaitable<std::optional<std::string>> check_health() override;

private:
    clients::aws::SqsClient client_;
    std::string queue_name_;
    // Set by verify(), before the mover's thread starts, or by that thread's first publish.
    std::string queue_url_;
    core::Logger log_;
};

}  // namespace antenna
