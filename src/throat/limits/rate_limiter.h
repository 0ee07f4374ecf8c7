#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/address.hpp>

// Rate limits as Throat has them (Flask-Limiter 1.5 over limits 3.2, §4.6 of the spec): limit
// strings such as "6/minute;120/hour", a fixed window per client, route and limit that starts
// at the client's first request, and the client's address (IPv6 by its /64) as the key.
namespace throat::limits {

struct RateLimit {
    std::int64_t amount = 0;
    std::int64_t window_seconds = 0;
    std::string text = {};  // as written, for the answer and the logs

    bool operator==(const RateLimit&) const = default;
};

// "6/minute;120/hour", "25/5minute", "5 per 30 minutes", separated by ; , or |. Throws
// std::invalid_argument naming the part it cannot read.
std::vector<RateLimit> parse_rate_limits(std::string_view text);

// The client's key: an IPv4 address as written, an IPv6 address by its first four groups in
// full ("2001:0db8:0000:0001"), i.e. its /64, as Throat's get_ip().
std::string client_key(const boost::asio::ip::address& address);

// In-process counters, for a single node (with Redis enabled they live there instead). Safe to
// share between worker threads.
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    // At most `max_counters` windows are kept; beyond it, ended windows are dropped first, then
    // a tenth of the others (those clients start afresh rather than the memory growing).
    explicit RateLimiter(std::size_t max_counters = 1'000'000);

    // Counts a request of `client` on `scope` (the route) against each limit in turn and returns
    // the first one it exceeds (the later ones are then not counted), or nothing.
    std::optional<RateLimit> hit(std::string_view client, std::string_view scope,
                                 const std::vector<RateLimit>& limits, Clock::time_point now);

    std::size_t counters() const;

private:
    struct Window {
        std::int64_t count = 0;
        Clock::time_point ends{};
    };
    void make_room(Clock::time_point now);

    std::size_t max_counters_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Window> windows_;
};

}  // namespace throat::limits
