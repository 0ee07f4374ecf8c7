#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/beast/websocket/stream.hpp>

#include "core/http/request.h"

namespace core::http {

using Handler = std::function<asio::awaitable<Response>(Request&)>;
using WebSocketStream = beast::websocket::stream<asio::ip::tcp::socket&>;
using WebSocketHandler = std::function<asio::awaitable<void>(WebSocketStream&, Request&)>;

// Builds the response for an answer the core gives on a route's behalf (413, 408, 400...);
// `reason` is a short machine name such as "body_too_large".
using ErrorFormatter = std::function<Response(bhttp::status, std::string_view reason)>;

struct RouteOptions {
    std::optional<std::uint64_t> max_body_bytes = {};  // overrides the server-wide limit
    ErrorFormatter error_response = {};                // default: Falcon JSON errors
};

struct Endpoint {
    Handler handler;
    WebSocketHandler websocket;  // set for WebSocket routes (GET with Upgrade)
    RouteOptions options;
};

// Method + path routing with Falcon's answers: 404 for an unknown path, 405 with `Allow` for a
// known path and another method, 200 with `Allow` for OPTIONS. Patterns are literal segments or
// `{name}` for one non-empty segment; a trailing slash is significant.
class Router {
public:
    void add(bhttp::verb method, std::string_view pattern, Handler handler,
             RouteOptions options = {});
    void add_websocket(std::string_view pattern, WebSocketHandler handler);

    // Builds the answers the core gives for this router's program where a route has no
    // formatter of its own: unknown paths (404), other methods (405), handler failures (500)
    // and the body limits. Default: Falcon's JSON errors.
    void set_error_response(ErrorFormatter formatter) { error_response_ = std::move(formatter); }

    // HEAD on a route without a HEAD endpoint is answered by its GET handler, without the body
    // (as WSGI frameworks do; Falcon, and so antenna, answers 405).
    void set_head_from_get(bool enabled) { head_from_get_ = enabled; }
    const ErrorFormatter& error_response() const { return error_response_; }

    struct Match {
        enum class Kind { endpoint, not_found, method_not_allowed, options };
        Kind kind = Kind::not_found;
        const Endpoint* endpoint = nullptr;
        std::string allow;  // for method_not_allowed ("GET, OPTIONS") and options ("GET")
        PathParams params;
    };
    Match match(bhttp::verb method, std::string_view path) const;

private:
    struct Route {
        std::string pattern;
        std::vector<std::string> segments;
        bool has_params = false;
        std::vector<std::pair<bhttp::verb, Endpoint>> endpoints;
    };
    Route& route_for(std::string_view pattern);
    Endpoint& add_endpoint(bhttp::verb method, std::string_view pattern);
    static bool match_segments(const Route& route, std::string_view path, PathParams& params);

    std::vector<std::unique_ptr<Route>> routes_;
    std::unordered_map<std::string, Route*> literal_routes_;
    ErrorFormatter error_response_;
    bool head_from_get_ = false;
};

}  // namespace core::http
