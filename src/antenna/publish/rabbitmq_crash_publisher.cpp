#include "antenna/publish/rabbitmq_crash_publisher.h"

namespace antenna {

RabbitMqCrashPublisher::RabbitMqCrashPublisher(clients::amqp::PublisherOptions options,
                                               core::Logger log)
    : publisher_(std::move(options)), log_(std::move(log)) {}

boost::asio::awaitable<std::vector<Outcome>> RabbitMqCrashPublisher::publish(
    const std::vector<std::string>& crash_ids) {
    co_return outcomes_from_errors(co_await publisher_.publish(crash_ids));
}

Outcome RabbitMqCrashPublisher::verify() {
    std::vector<std::string> test{"test"};
    std::vector<std::string> sent = publisher_.publish_and_wait(test);
    if (!sent.front().empty()) {
        return Outcome::failure(sent.front());
    }
    return Outcome::success();
}

boost::asio::awaitable<std::optional<std::string>> RabbitMqCrashPublisher::check_health() {
    co_return co_await publisher_.check();
}

}  // namespace antenna
