#include "antenna/publish/pubsub_crash_publisher.h"

#include "core/async/wait_for.h"

namespace antenna {

PubSubCrashPublisher::PubSubCrashPublisher(clients::gcp::PubSubOptions options, core::Logger log)
    : client_(std::move(options)), log_(std::move(log)) {}

boost::asio::awaitable<std::vector<Outcome>> PubSubCrashPublisher::publish(
    const std::vector<std::string>& crash_ids) {
    std::vector<std::string> errors = co_await client_.publish(crash_ids);
    co_return outcomes_from_errors(std::move(errors));
}

Outcome PubSubCrashPublisher::verify() {
    std::vector<std::string> test{"test"};
    std::vector<std::string> sent = core::wait_for(client_.publish(test));
    if (!sent.front().empty()) {
        return Outcome::failure(sent.front());
    }
    log_.debug("published test to " + client_.topic_path());
    return Outcome::success();
}

boost::asio::awaitable<std::optional<std::string>> PubSubCrashPublisher::check_health() {
    co_return co_await client_.get_topic();
}

}  // namespace antenna
