#include "core/http/router.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using core::http::Request;
using core::http::Response;
using core::http::RouteOptions;
using core::http::Router;
using Kind = Router::Match::Kind;

core::http::Handler handler() {
    return [](Request&) -> asio::awaitable<Response> { co_return Response{}; };
}

core::http::WebSocketHandler websocket_handler() {
    return [](core::http::WebSocketStream&, Request&) -> asio::awaitable<void> { co_return; };
}

// Tags an endpoint so a test can tell which one a match returned.
RouteOptions tagged(std::uint64_t tag) {
    RouteOptions options;
    options.max_body_bytes = tag;
    return options;
}

std::uint64_t tag_of(const Router::Match& match) {
    if (match.endpoint == nullptr || !match.endpoint->options.max_body_bytes) {
        return 0;
    }
    return *match.endpoint->options.max_body_bytes;
}

TEST(Router, LiteralRouteMatches) {
    Router router;
    router.add(bhttp::verb::post, "/submit", handler(), tagged(1));
    router.add(bhttp::verb::get, "/health", handler(), tagged(2));

    auto match = router.match(bhttp::verb::post, "/submit");
    EXPECT_EQ(match.kind, Kind::endpoint);
    EXPECT_EQ(tag_of(match), 1u);
    EXPECT_TRUE(match.params.empty());
    EXPECT_EQ(tag_of(router.match(bhttp::verb::get, "/health")), 2u);
}

TEST(Router, ParameterSegmentIsCaptured) {
    Router router;
    router.add(bhttp::verb::get, "/crash/{crash_id}/raw", handler(), tagged(3));

    auto match = router.match(bhttp::verb::get, "/crash/abc-123/raw");
    ASSERT_EQ(match.kind, Kind::endpoint);
    EXPECT_EQ(tag_of(match), 3u);
    ASSERT_EQ(match.params.size(), 1u);
    EXPECT_EQ(match.params[0].first, "crash_id");
    EXPECT_EQ(match.params[0].second, "abc-123");

    // A parameter is exactly one non-empty segment.
    EXPECT_EQ(router.match(bhttp::verb::get, "/crash//raw").kind, Kind::not_found);
    EXPECT_EQ(router.match(bhttp::verb::get, "/crash/a/b/raw").kind, Kind::not_found);
}

TEST(Router, HeadIsMethodNotAllowedUnlessAnsweredByGet) {
    Router router;
    router.add(bhttp::verb::get, "/page/{n}", handler(), tagged(7));
    EXPECT_EQ(router.match(bhttp::verb::head, "/page/1").kind, Kind::method_not_allowed);
    router.set_head_from_get(true);
    auto match = router.match(bhttp::verb::head, "/page/1");
    EXPECT_EQ(match.kind, Kind::endpoint);
    EXPECT_EQ(tag_of(match), 7u);
    EXPECT_EQ(router.match(bhttp::verb::head, "/nope").kind, Kind::not_found);
}

TEST(Router, UnknownPathIsNotFound) {
    Router router;
    router.add(bhttp::verb::post, "/submit", handler());

    auto match = router.match(bhttp::verb::post, "/nowhere");
    EXPECT_EQ(match.kind, Kind::not_found);
    EXPECT_EQ(match.endpoint, nullptr);
    EXPECT_EQ(router.match(bhttp::verb::post, "/").kind, Kind::not_found);
}

TEST(Router, TrailingSlashIsADifferentPath) {
    Router router;
    router.add(bhttp::verb::post, "/submit", handler());
    router.add(bhttp::verb::get, "/items/{id}", handler());

    EXPECT_EQ(router.match(bhttp::verb::post, "/submit/").kind, Kind::not_found);
    EXPECT_EQ(router.match(bhttp::verb::get, "/items/7/").kind, Kind::not_found);
}

TEST(Router, OtherMethodOnKnownPathIsMethodNotAllowed) {
    Router router;
    router.add(bhttp::verb::post, "/submit", handler());

    auto match = router.match(bhttp::verb::get, "/submit");
    EXPECT_EQ(match.kind, Kind::method_not_allowed);
    EXPECT_EQ(match.endpoint, nullptr);
    EXPECT_EQ(match.allow, "POST, OPTIONS");
}

TEST(Router, AllowListsMethodsSorted) {
    Router router;
    router.add(bhttp::verb::post, "/both", handler());
    router.add(bhttp::verb::get, "/both", handler());

    auto match = router.match(bhttp::verb::delete_, "/both");
    EXPECT_EQ(match.kind, Kind::method_not_allowed);
    EXPECT_EQ(match.allow, "GET, POST, OPTIONS");
}

TEST(Router, OptionsAnswersWithAllowWithoutOptions) {
    Router router;
    router.add(bhttp::verb::post, "/submit", handler());

    auto match = router.match(bhttp::verb::options, "/submit");
    EXPECT_EQ(match.kind, Kind::options);
    EXPECT_EQ(match.allow, "POST");
    EXPECT_EQ(router.match(bhttp::verb::options, "/nowhere").kind, Kind::not_found);
}

TEST(Router, WebSocketRouteIsAGetEndpoint) {
    Router router;
    router.add_websocket("/ws", websocket_handler());

    auto match = router.match(bhttp::verb::get, "/ws");
    ASSERT_EQ(match.kind, Kind::endpoint);
    ASSERT_NE(match.endpoint, nullptr);
    EXPECT_TRUE(static_cast<bool>(match.endpoint->websocket));
    EXPECT_EQ(router.match(bhttp::verb::post, "/ws").allow, "GET, OPTIONS");

    // A plain GET would clash with the WebSocket one on the same path.
    EXPECT_THROW(router.add(bhttp::verb::get, "/ws", handler()), std::logic_error);
}

TEST(Router, AddingTheSameRouteTwiceIsALogicError) {
    Router router;
    router.add(bhttp::verb::post, "/submit", handler());
    EXPECT_THROW(router.add(bhttp::verb::post, "/submit", handler()), std::logic_error);
    router.add(bhttp::verb::put, "/submit", handler());
}

TEST(Router, PatternMustStartWithSlash) {
    Router router;
    EXPECT_THROW(router.add(bhttp::verb::get, "submit", handler()), std::logic_error);
    EXPECT_THROW(router.add(bhttp::verb::get, "", handler()), std::logic_error);
}

}  // namespace
