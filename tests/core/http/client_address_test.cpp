#include "core/http/client_address.h"

#include <gtest/gtest.h>

namespace {

using core::http::client_address;

const auto kPeer = boost::asio::ip::make_address("10.0.0.5");

TEST(ClientAddress, WithoutTrustedProxiesIsThePeerWhateverTheHeaderSays) {
    EXPECT_EQ(client_address("203.0.113.9", kPeer, 0), "10.0.0.5");
    EXPECT_EQ(client_address("", kPeer, 0), "10.0.0.5");
}

TEST(ClientAddress, IsTheEntryAsManyPlacesFromTheRightAsThereAreProxies) {
    // The client wrote the first entry itself; a load balancer and nginx appended theirs.
    std::string header = "198.51.100.1, 203.0.113.9, 10.0.0.2";
    EXPECT_EQ(client_address(header, kPeer, 1), "10.0.0.2");
    EXPECT_EQ(client_address(header, kPeer, 2), "203.0.113.9");
    EXPECT_EQ(client_address(header, kPeer, 3), "198.51.100.1");
}

TEST(ClientAddress, TooFewEntriesOrGarbageFallBackToThePeer) {
    EXPECT_EQ(client_address("203.0.113.9", kPeer, 2), "10.0.0.5");
    EXPECT_EQ(client_address("", kPeer, 1), "10.0.0.5");
    EXPECT_EQ(client_address("unknown", kPeer, 1), "10.0.0.5");
    EXPECT_EQ(client_address("203.0.113.9,", kPeer, 1), "10.0.0.5");
}

TEST(ClientAddress, AcceptsIpv6AndSpacing) {
    EXPECT_EQ(client_address("2001:db8::1 ,\t10.0.0.2", kPeer, 2), "2001:db8::1");
}

}  // namespace
