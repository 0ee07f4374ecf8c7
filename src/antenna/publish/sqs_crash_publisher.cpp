#include "antenna/publish/sqs_crash_publisher.h"

#include "core/async/wait_for.h"

namespace antenna {

SqsCrashPublisher::SqsCrashPublisher(clients::aws::SqsOptions options, std::string queue_name,
                                     core::Logger log)
    : client_(std::move(options)), queue_name_(std::move(queue_name)), log_(std::move(log)) {}

boost::asio::awaitable<std::vector<Outcome>> SqsCrashPublisher::publish(
    const std::vector<std::string>& crash_ids) {
    if (queue_url_.empty()) {
        clients::aws::SqsQueueUrl found = co_await client_.get_queue_url(queue_name_);
        if (!found.ok()) {
            co_return std::vector<Outcome>(crash_ids.size(), Outcome::failure(found.error));
        }
        queue_url_ = found.url;
    }
    std::vector<std::string> errors = co_await client_.send_messages(queue_url_, crash_ids);
    co_return outcomes_from_errors(std::move(errors));
}

Outcome SqsCrashPublisher::verify() {
    clients::aws::SqsQueueUrl found = core::wait_for(client_.get_queue_url(queue_name_));
    if (!found.ok()) {
        return Outcome::failure(found.error);
    }
    queue_url_ = found.url;
    log_.debug("queue " + queue_name_ + " is " + queue_url_);
    std::vector<std::string> test{"test"};
    std::vector<std::string> sent = core::wait_for(client_.send_messages(queue_url_, test));
    if (!sent.front().empty()) {
        return Outcome::failure(sent.front());
    }
    return Outcome::success();
}

boost::asio::awaitable<std::optional<std::string>> SqsCrashPublisher::check_health() {
    clients::aws::SqsQueueUrl found = co_await client_.get_queue_url(queue_name_);
    if (!found.ok()) {
        co_return found.error;
    }
    co_return std::nullopt;
}

}  // namespace antenna
