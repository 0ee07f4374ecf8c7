// The AMQP publisher against a real RabbitMQ, started once for the whole binary by
// scripts/services/start-rabbitmq.sh. Messages are read back with librabbitmq's basic.get, a path
// the publisher does not use.
#include "clients/amqp/publisher.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "rabbitmq_broker.h"
#include "service_scripts.h"

namespace {

using clients::amqp::parse_url;
using clients::amqp::Publisher;
using clients::amqp::PublisherOptions;
using clients::amqp::Url;
using testing_support::CommandResult;
using namespace std::chrono_literals;

// The broker shared by every test; each test uses queues of its own.
class Broker : public testing::Environment, public testing_support::RabbitMqBroker {
public:
    Broker() : RabbitMqBroker(SOURCE_DIR) {}
    void SetUp() override { start(); }
    void TearDown() override { stop(30); }

    Url url() const {
        Url url;
        url.host = "127.0.0.1";
        url.port = port();
        return url;
    }
};

Broker* broker = nullptr;

std::vector<std::string> bodies(const std::vector<testing_support::AmqpMessage>& consumed) {
    std::vector<std::string> result;
    for (const auto& message : consumed) {
        result.push_back(message.body);
    }
    return result;
}

std::vector<testing_support::AmqpMessage> consume_all(const std::string& queue) {
    return broker->consume_all(queue);
}

PublisherOptions options(const std::string& queue, std::chrono::milliseconds timeout = 5s) {
    return {broker->url(), queue, timeout};
}

std::vector<std::string> numbered(int from, int count) {
    std::vector<std::string> messages;
    for (int i = from; i < from + count; ++i) {
        messages.push_back("message " + std::to_string(i));
    }
    return messages;
}

TEST(AmqpUrl, AbsentPartsKeepTheDefaults) {
    std::string error;
    auto url = parse_url("amqp://", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->host, "localhost");
    EXPECT_EQ(url->port, 5672);
    EXPECT_EQ(url->user, "guest");
    EXPECT_EQ(url->password, "guest");
    EXPECT_EQ(url->vhost, "/");

    url = parse_url("amqp://rabbit.example", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->host, "rabbit.example");
    EXPECT_EQ(url->port, 5672);
    EXPECT_EQ(url->vhost, "/");

    url = parse_url("amqp://rabbit.example/", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->vhost, "/");

    url = parse_url("AMQP://:10000", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->host, "localhost");
    EXPECT_EQ(url->port, 10000);

    url = parse_url("amqp://someone@host", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->user, "someone");
    EXPECT_EQ(url->password, "guest");
}

TEST(AmqpUrl, ReadsEveryPartPercentDecoded) {
    std::string error;
    auto url = parse_url("amqp://user%61:%61pass%40x@ho%61st:10000/v%2fhost", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->user, "usera");
    EXPECT_EQ(url->password, "apass@x");
    EXPECT_EQ(url->host, "hoast");
    EXPECT_EQ(url->port, 10000);
    EXPECT_EQ(url->vhost, "v/host");

    url = parse_url("amqp://guest:guest@127.0.0.1:5673/%2f", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->host, "127.0.0.1");
    EXPECT_EQ(url->port, 5673);
    EXPECT_EQ(url->vhost, "/");

    url = parse_url("amqp://:@/production", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->user, "");
    EXPECT_EQ(url->password, "");
    EXPECT_EQ(url->vhost, "production");

    url = parse_url("amqp://[::1]:5673", error);
    ASSERT_TRUE(url) << error;
    EXPECT_EQ(url->host, "::1");
    EXPECT_EQ(url->port, 5673);
}

TEST(AmqpUrl, RefusesWhatIsNotAnAmqpUrl) {
    std::string error;
    EXPECT_FALSE(parse_url("http://user:pass@host/", error));
    EXPECT_NE(error.find("not an AMQP URL"), std::string::npos) << error;
    EXPECT_FALSE(parse_url("localhost:5672", error));
    EXPECT_NE(error.find("not an AMQP URL"), std::string::npos) << error;
    EXPECT_FALSE(parse_url("amqps://guest:guest@host:5671/", error));
    EXPECT_NE(error.find("amqps is not supported"), std::string::npos) << error;
    EXPECT_FALSE(parse_url("amqp://host:0", error));
    EXPECT_FALSE(parse_url("amqp://host:65536", error));
    EXPECT_FALSE(parse_url("amqp://host:56x", error));
    EXPECT_FALSE(parse_url("amqp://host/a/b", error));
    EXPECT_FALSE(parse_url("amqp://host/%zz", error));
    EXPECT_FALSE(parse_url("amqp://host/?heartbeat=10", error));
    EXPECT_FALSE(parse_url("amqp://[::1", error));
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(AmqpUrl, ErrorsNeverContainThePassword) {
    for (std::string url :
         {"http://user:s3cr3t@host/", "amqps://user:s3cr3t@host", "amqp://user:s3cr3t",
          "amqp://user:s3cr3t@host:99999", "amqp://user:s3cr3t%zz@host", "amqp://u:s3cr3t/x@h",
          "amqp://user:s3cr3t@host/?x=1", "amqp://user:s3cr3t@host/a/b"}) {
        std::string error;
        EXPECT_FALSE(parse_url(url, error)) << url;
        EXPECT_FALSE(error.empty()) << url;
        EXPECT_EQ(error.find("s3cr3t"), std::string::npos) << url << ": " << error;
    }
}

class AmqpPublisher : public testing::Test {
protected:
    void SetUp() override {
        if (!broker->ready()) {
            GTEST_SKIP() << broker->skip_reason;
        }
    }
};

TEST_F(AmqpPublisher, PublishesPersistentMessagesInOrderFromAnyEventLoop) {
    Publisher publisher(options("in-order"));
    boost::asio::io_context io;
    std::vector<std::string> messages = {"one", "two", "three"};
    std::vector<std::string> results;
    std::optional<std::string> checked = "not run";
    std::thread::id resumed_on;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            results = co_await publisher.publish(messages);
            resumed_on = std::this_thread::get_id();
            checked = co_await publisher.check();
        },
        boost::asio::detached);
    io.run();

    EXPECT_EQ(resumed_on, std::this_thread::get_id());
    EXPECT_EQ(results, std::vector<std::string>(3, ""));
    EXPECT_EQ(checked, std::nullopt);
    auto consumed = consume_all("in-order");
    EXPECT_EQ(bodies(consumed), messages);
    for (const auto& message : consumed) {
        EXPECT_EQ(message.delivery_mode, 2) << message.body;
    }
}

TEST_F(AmqpPublisher, ConfirmsALargeBatch) {
    Publisher publisher(options("large"));
    std::vector<std::string> messages = numbered(0, 500);
    auto started = std::chrono::steady_clock::now();
    auto results = publisher.publish_and_wait(messages);
    std::cout << "500 messages confirmed in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count()
              << " ms\n";
    EXPECT_EQ(results, std::vector<std::string>(500, ""));
    EXPECT_EQ(bodies(consume_all("large")), messages);
}

TEST_F(AmqpPublisher, DeclaresTheQueueDurable) {
    Publisher publisher(options("durable"));
    std::vector<std::string> messages = {"kept"};
    EXPECT_EQ(publisher.publish_and_wait(messages), std::vector<std::string>{""});
    EXPECT_EQ(publisher.check_and_wait(), std::nullopt);
    CommandResult queues = broker->rabbitmqctl("-q list_queues name durable auto_delete exclusive");
    EXPECT_EQ(queues.status, 0) << queues.out;
    EXPECT_TRUE(
        std::regex_search(queues.out, std::regex("(^|\n)durable\\s+true\\s+false\\s+false")))
        << queues.out;
    EXPECT_EQ(bodies(consume_all("durable")), messages);
}

TEST_F(AmqpPublisher, FailsQuicklyWhenTheBrokerIsUnreachable) {
    Url nowhere = broker->url();
    nowhere.port = testing_support::free_ports(1);
    Publisher publisher({nowhere, "nowhere", 2s});
    std::vector<std::string> messages = {"a", "b", "c"};
    auto started = std::chrono::steady_clock::now();
    auto results = publisher.publish_and_wait(messages);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    ASSERT_EQ(results.size(), 3u);
    for (const auto& result : results) {
        EXPECT_NE(result.find("connecting to 127.0.0.1:" + std::to_string(nowhere.port)),
                  std::string::npos)
            << result;
    }
    auto checked = publisher.check_and_wait();
    ASSERT_TRUE(checked);
    EXPECT_FALSE(checked->empty());
}

TEST_F(AmqpPublisher, GivesUpOnAServerThatNeverAnswers) {
    // Listening, so connecting succeeds, but nobody accepts or speaks AMQP.
    testing_support::SilentListener listener;
    Url silent = broker->url();
    silent.port = listener.port();
    Publisher publisher({silent, "silent", 500ms});
    std::vector<std::string> messages = {"a", "b"};

    auto started = std::chrono::steady_clock::now();
    auto results = publisher.publish_and_wait(messages);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_NE(results[0].find("timed out"), std::string::npos) << results[0];
    EXPECT_EQ(results[1], results[0]);
}

TEST_F(AmqpPublisher, WrongPasswordIsALoginFailure) {
    Url url = broker->url();
    url.password = "not-the-password";
    Publisher publisher({url, "refused", 5s});
    std::vector<std::string> messages = {"a", "b"};
    auto results = publisher.publish_and_wait(messages);
    ASSERT_EQ(results.size(), 2u);
    for (const auto& result : results) {
        EXPECT_NE(result.find("ACCESS_REFUSED"), std::string::npos) << result;
        EXPECT_EQ(result.find("not-the-password"), std::string::npos) << result;
    }
    auto checked = publisher.check_and_wait();
    ASSERT_TRUE(checked);
    EXPECT_NE(checked->find("ACCESS_REFUSED"), std::string::npos) << *checked;
}

TEST_F(AmqpPublisher, ADeletedQueueIsReportedThenDeclaredAgain) {
    Publisher publisher(options("deleted"));
    std::vector<std::string> first = {"before"};
    EXPECT_EQ(publisher.publish_and_wait(first), std::vector<std::string>{""});
    broker->delete_queue("deleted");

    // The connection is still up, but nothing routes to the queue any more.
    std::vector<std::string> unroutable = {"lost 1", "lost 2"};
    auto results = publisher.publish_and_wait(unroutable);
    ASSERT_EQ(results.size(), 2u);
    for (const auto& result : results) {
        EXPECT_NE(result.find("312 NO_ROUTE"), std::string::npos) << result;
    }
    // A new connection declares the queue again; a passive declare then finds it.
    EXPECT_EQ(publisher.check_and_wait(), std::nullopt);
    broker->delete_queue("deleted");
    auto checked = publisher.check_and_wait();
    ASSERT_TRUE(checked);
    EXPECT_NE(checked->find("404 NOT_FOUND"), std::string::npos) << *checked;

    std::vector<std::string> after = {"after"};
    EXPECT_EQ(publisher.publish_and_wait(after), std::vector<std::string>{""});
    EXPECT_EQ(bodies(consume_all("deleted")), after);
}

TEST_F(AmqpPublisher, AMissingConfirmFailsTheBatchWithinTheTimeout) {
    Publisher publisher(options("paused", 1s));
    std::vector<std::string> first = {"first"};
    ASSERT_EQ(publisher.publish_and_wait(first), std::vector<std::string>{""});

    // The broker, frozen: the messages go into the socket, and no confirm comes back.
    testing_support::FrozenProcess frozen_broker(broker->beam_pid());
    std::vector<std::string> frozen = {"while frozen 1", "while frozen 2"};
    auto started = std::chrono::steady_clock::now();
    auto results = publisher.publish_and_wait(frozen);
    auto took = std::chrono::steady_clock::now() - started;
    frozen_broker.thaw();
    EXPECT_GE(took, 1s);
    EXPECT_LT(took, 2s);
    EXPECT_EQ(results, std::vector<std::string>(2, "no confirm from the broker within 1000 ms"));

    // The next call starts over on a new connection.
    std::vector<std::string> after = {"after"};
    EXPECT_EQ(publisher.publish_and_wait(after), std::vector<std::string>{""});
    auto consumed = bodies(consume_all("paused"));
    ASSERT_FALSE(consumed.empty());
    EXPECT_EQ(consumed.front(), "first");
    EXPECT_EQ(consumed.back(), "after");
}

TEST_F(AmqpPublisher, BrokerRestartCostsOnlyTheCallsMadeWhileItIsDown) {
    Publisher publisher(options("restart", 2s));
    std::mutex mutex;
    std::vector<std::string> confirmed;
    std::atomic<int> confirmed_after_restart{0};
    std::atomic<int> failed_calls{0};
    std::atomic<bool> restarted{false};
    std::atomic<bool> done{false};
    std::thread load([&] {
        for (int next = 0; !done; next += 20) {
            std::vector<std::string> batch = numbered(next, 20);
            bool after_restart = restarted;
            auto results = publisher.publish_and_wait(batch);
            bool failed = false;
            for (std::size_t i = 0; i < batch.size(); ++i) {
                if (!results[i].empty()) {
                    failed = true;
                    continue;
                }
                std::lock_guard lock(mutex);
                confirmed.push_back(batch[i]);
                confirmed_after_restart += after_restart;
            }
            if (failed) {
                ++failed_calls;
                std::this_thread::sleep_for(50ms);  // no busy loop while the broker is down
            }
        }
    });
    auto wait_for = [](const std::function<bool()>& condition) {
        for (auto until = std::chrono::steady_clock::now() + 30s;
             !condition() && std::chrono::steady_clock::now() < until;) {
            std::this_thread::sleep_for(20ms);
        }
    };
    wait_for([&] {
        std::lock_guard lock(mutex);
        return confirmed.size() >= 200;
    });

    CommandResult stopped = broker->stop(30);
    EXPECT_EQ(stopped.status, 0) << stopped.out;
    CommandResult started = broker->restart();
    EXPECT_EQ(started.status, 0) << started.out;
    restarted = true;
    wait_for([&] { return confirmed_after_restart >= 200; });
    done = true;
    load.join();

    EXPECT_GT(failed_calls, 0);
    EXPECT_GT(confirmed_after_restart, 0);
    auto consumed = bodies(consume_all("restart"));
    std::set<std::string> in_queue(consumed.begin(), consumed.end());
    int missing = 0;
    for (const auto& message : confirmed) {
        if (!in_queue.contains(message) && ++missing <= 5) {
            ADD_FAILURE() << "confirmed but lost: " << message;
        }
    }
    EXPECT_EQ(missing, 0);
    std::cout << confirmed.size() << " confirmed (" << confirmed_after_restart
              << " after the restart), " << failed_calls << " failed calls, " << consumed.size()
              << " in the queue\n";
}

}  // namespace

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    broker = new Broker;
    testing::AddGlobalTestEnvironment(broker);
    return RUN_ALL_TESTS();
}
