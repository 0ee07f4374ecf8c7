#include "core/http/router.h"

#include <algorithm>
#include <stdexcept>

namespace core::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            slash = path.size();
        }
        segments.emplace_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return segments;
}

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Router::Route& Router::route_for(std::string_view pattern) {
    for (auto& route : routes_) {
        if (route->pattern == pattern) {
            return *route;
        }
    }
    if (pattern.empty() || pattern.front() != '/') {
        throw std::logic_error("route pattern must start with '/': " + std::string(pattern));
    }
    auto route = std::make_unique<Route>();
    route->pattern = std::string(pattern);
    route->segments = split_path(pattern);
    route->has_params = std::any_of(route->segments.begin(), route->segments.end(),
                                    [](const std::string& s) { return is_param(s); });
    if (!route->has_params) {
        literal_routes_.emplace(route->pattern, route.get());
    }
    routes_.push_back(std::move(route));
    return *routes_.back();
}

Endpoint& Router::add_endpoint(bhttp::verb method, std::string_view pattern) {
    Route& route = route_for(pattern);
    for (auto& [existing, endpoint] : route.endpoints) {
        if (existing == method) {
            throw std::logic_error("route added twice: " + std::string(pattern));
        }
    }
    route.endpoints.emplace_back(method, Endpoint{});
    return route.endpoints.back().second;
}

void Router::add(bhttp::verb method, std::string_view pattern, Handler handler,
                 RouteOptions options) {
    Endpoint& endpoint = add_endpoint(method, pattern);
    endpoint.handler = std::move(handler);
    endpoint.options = std::move(options);
}

void Router::add_websocket(std::string_view pattern, WebSocketHandler handler) {
    add_endpoint(bhttp::verb::get, pattern).websocket = std::move(handler);
}

bool Router::match_segments(const Route& route, std::string_view path, PathParams& params) {
    std::size_t position = 0;
    for (std::size_t i = 0; i < route.segments.size(); ++i) {
        if (i > 0) {
            if (position >= path.size() || path[position] != '/') {
                return false;
            }
            ++position;
        }
        auto end = path.find('/', position);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        std::string_view segment = path.substr(position, end - position);
        const std::string& want = route.segments[i];
        if (is_param(want)) {
            if (segment.empty()) {
                return false;
            }
            params.emplace_back(want.substr(1, want.size() - 2), std::string(segment));
        } else if (segment != want) {
            return false;
        }
        position = end;
    }
    return position == path.size();
}

Router::Match Router::match(bhttp::verb method, std::string_view path) const {
    Match result;
    const Route* found = nullptr;
    if (auto it = literal_routes_.find(std::string(path)); it != literal_routes_.end()) {
        found = it->second;
    } else {
        for (const auto& route : routes_) {
            PathParams params;
            if (route->has_params && match_segments(*route, path, params)) {
                found = route.get();
                result.params = std::move(params);
                break;
            }
        }
    }
    if (!found) {
        return result;
    }
    for (const auto& [verb, endpoint] : found->endpoints) {
        if (verb == method) {
            result.kind = Match::Kind::endpoint;
            result.endpoint = &endpoint;
            return result;
        }
    }
    if (method == bhttp::verb::head && head_from_get_) {
        for (const auto& [verb, endpoint] : found->endpoints) {
            if (verb == bhttp::verb::get && !endpoint.websocket) {
                result.kind = Match::Kind::endpoint;
                result.endpoint = &endpoint;
                return result;
            }
        }
    }
    // Falcon: Allow lists the route's methods sorted, and OPTIONS only on the 405 answer.
    std::vector<std::string> names;
    for (const auto& [verb, endpoint] : found->endpoints) {
        names.emplace_back(bhttp::to_string(verb));
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        result.allow += (result.allow.empty() ? "" : ", ") + name;
    }
    if (method == bhttp::verb::options) {
        result.kind = Match::Kind::options;
    } else {
        result.kind = Match::Kind::method_not_allowed;
        result.allow += ", OPTIONS";
    }
    return result;
}

}  // namespace core::http
