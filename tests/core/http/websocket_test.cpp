// WebSocket upgrade on a route: frames travel both ways through the test server's echo.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "http/blackbox.h"

namespace core_tests {
namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;

TEST(WebSocket, EchoesTextAndBinaryFrames) {
    auto server = start_test_server();
    asio::io_context io;
    websocket::stream<asio::ip::tcp::socket> ws(io);
    ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), server->port()});
    ws.handshake("127.0.0.1", "/ws");

    boost::beast::flat_buffer buffer;
    ws.text(true);
    ws.write(asio::buffer(std::string("hello, forum")));
    ws.read(buffer);
    EXPECT_TRUE(ws.got_text());
    EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "hello, forum");
    buffer.consume(buffer.size());

    std::string binary("\x00\x01\xff\xfe", 4);
    ws.binary(true);
    ws.write(asio::buffer(binary));
    ws.read(buffer);
    EXPECT_TRUE(ws.got_binary());
    EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), binary);

    ws.close(websocket::close_code::normal);
}

TEST(WebSocket, PlainGetOnAWebSocketRouteGets426) {
    auto server = start_test_server();
    auto response = testing_support::http_request(server->port(), "GET", "/ws");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 426);
    EXPECT_EQ(response->header("Upgrade"), "websocket");
}

}  // namespace
}  // namespace core_tests
