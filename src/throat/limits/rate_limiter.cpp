#include "throat/limits/rate_limiter.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/text/trim.h"

namespace throat::limits {
namespace {

// The granularities of the limits library: a month is 30 days, a year 12 of them.
std::optional<std::int64_t> granularity_seconds(std::string word) {
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (word.size() > 1 && word.back() == 's') {
        word.pop_back();
    }
    if (word == "second")
        return 1;
    if (word == "minute")
        return 60;
    if (word == "hour")
        return 3600;
    if (word == "day")
        return 86400;
    if (word == "month")
        return 30 * 86400;
    if (word == "year")
        return 12 * 30 * 86400;
    return std::nullopt;
}

std::size_t digits(std::string_view text) {
    std::size_t n = 0;
    while (n < text.size() && std::isdigit(static_cast<unsigned char>(text[n]))) {
        ++n;
    }
    return n;
}

RateLimit parse_one(std::string_view part) {
    const std::string_view written = core::text::trim_ascii_space(part);
    auto fail = [&] {
        return std::invalid_argument("cannot read the rate limit '" + std::string(written) +
                                     "' (e.g. 6/minute, 25/5minute, 120 per hour)");
    };
    std::string_view rest = written;
    std::size_t amount_digits = digits(rest);
    if (amount_digits == 0 || amount_digits > 9) {
        throw fail();
    }
    std::int64_t amount = std::stoll(std::string(rest.substr(0, amount_digits)));
    rest = core::text::trim_ascii_space(rest.substr(amount_digits));
    if (rest.starts_with("/")) {
        rest.remove_prefix(1);
    } else if (rest.size() > 3 && std::tolower(static_cast<unsigned char>(rest[0])) == 'p' &&
               std::tolower(static_cast<unsigned char>(rest[1])) == 'e' &&
               std::tolower(static_cast<unsigned char>(rest[2])) == 'r' &&
               std::isspace(static_cast<unsigned char>(rest[3]))) {
        rest.remove_prefix(3);
    } else {
        throw fail();
    }
    rest = core::text::trim_ascii_space(rest);
    std::int64_t multiple = 1;
    if (std::size_t n = digits(rest); n > 0) {
        if (n > 9) {
            throw fail();
        }
        multiple = std::stoll(std::string(rest.substr(0, n)));
        rest = core::text::trim_ascii_space(rest.substr(n));
    }
    auto seconds = granularity_seconds(std::string(rest));
    if (!seconds || multiple == 0) {
        throw fail();
    }
    return RateLimit{
        .amount = amount, .window_seconds = multiple * *seconds, .text = std::string(written)};
}

}  // namespace

std::vector<RateLimit> parse_rate_limits(std::string_view text) {
    std::vector<RateLimit> limits;
    for (std::size_t start = 0; start <= text.size();) {
        std::size_t end = text.find_first_of(",;|", start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        if (!core::text::trim_ascii_space(text.substr(start, end - start)).empty()) {
            limits.push_back(parse_one(text.substr(start, end - start)));
        }
        start = end + 1;
    }
    if (limits.empty()) {
        throw std::invalid_argument("no rate limit in '" + std::string(text) + "'");
    }
    return limits;
}

std::string client_key(const boost::asio::ip::address& address) {
    if (address.is_v4()) {
        return address.to_string();
    }
    auto bytes = address.to_v6().to_bytes();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key;
    for (int group = 0; group < 4; ++group) {
        if (group > 0) {
            key += ':';
        }
        for (int byte = 0; byte < 2; ++byte) {
            unsigned char b = bytes[static_cast<std::size_t>(group * 2 + byte)];
            key += kHex[b >> 4];
            key += kHex[b & 0xf];
        }
    }
    return key;
}

RateLimiter::RateLimiter(std::size_t max_counters) : max_counters_(max_counters) {}

std::optional<RateLimit> RateLimiter::hit(std::string_view client, std::string_view scope,
                                          const std::vector<RateLimit>& limits,
                                          Clock::time_point now) {
    std::lock_guard lock(mutex_);
    for (const auto& limit : limits) {
        std::string key = std::string(client) + '/' + std::string(scope) + '/' +
                          std::to_string(limit.amount) + '/' + std::to_string(limit.window_seconds);
        auto it = windows_.find(key);
        if (it == windows_.end() || it->second.ends <= now) {
            if (it == windows_.end() && windows_.size() >= max_counters_) {
                make_room(now);
            }
            Window& window = windows_[key];
            window = {.count = 0, .ends = now + std::chrono::seconds(limit.window_seconds)};
            it = windows_.find(key);
        }
        if (++it->second.count > limit.amount) {
            return limit;
        }
    }
    return std::nullopt;
}

void RateLimiter::make_room(Clock::time_point now) {
    std::erase_if(windows_, [now](const auto& entry) { return entry.second.ends <= now; });
    if (windows_.size() < max_counters_) {
        return;
    }
    std::size_t drop = std::max<std::size_t>(1, windows_.size() / 10);
    for (auto it = windows_.begin(); it != windows_.end() && drop > 0; --drop) {
        it = windows_.erase(it);
    }
}

std::size_t RateLimiter::counters() const {
    std::lock_guard lock(mutex_);
    return windows_.size();
}

}  // namespace throat::limits
