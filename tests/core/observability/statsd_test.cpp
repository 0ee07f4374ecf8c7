// Metrics leave the process as DogStatsD datagrams; a UDP socket in the test receives them.
#include <set>

#include <gtest/gtest.h>

#include "http/blackbox.h"
#include "udp_listener.h"

namespace core_tests {
namespace {

using testing_support::UdpListener;

TEST(Statsd, HealthEndpointCountersAndRequestTimingsAreSent) {
    UdpListener listener;
    auto server = start_test_server({{"STATSD_HOST", "127.0.0.1"},
                                     {"STATSD_PORT", std::to_string(listener.port())},
                                     {"HOSTNAME", "box-1"}});
    ASSERT_TRUE(testing_support::http_request(server->port(), "GET", "/__lbheartbeat__"));
    auto datagrams = listener.receive_until("test.http.request.duration");
    std::set<std::string> names;
    bool saw_counter = false;
    bool saw_timing = false;
    for (const auto& d : datagrams) {
        if (d == "test.health.lbheartbeat.count:1|c|#host:box-1") {
            saw_counter = true;
        }
        if (d.starts_with("test.http.request.duration:") &&
            d.find("|ms|#host:box-1,status:200") != std::string::npos) {
            saw_timing = true;
        }
    }
    EXPECT_TRUE(saw_counter);
    EXPECT_TRUE(saw_timing);
}

TEST(Statsd, UnreachableStatsdDoesNotAffectRequests) {
    // Nothing listens on the discard port; requests are answered all the same.
    auto server = start_test_server({{"STATSD_HOST", "127.0.0.1"}, {"STATSD_PORT", "9"}});
    for (int i = 0; i < 20; ++i) {
        auto response = testing_support::http_request(server->port(), "GET", "/__lbheartbeat__");
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
    }
}

}  // namespace
}  // namespace core_tests
