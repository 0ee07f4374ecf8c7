#include "core/http/client_address.h"

#include <vector>

#include <boost/beast/core/string.hpp>

namespace core::http {

namespace {

std::string_view trimmed(std::string_view text) {
    auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::string client_address(std::string_view forwarded_for, const boost::asio::ip::address& peer,
                           std::size_t trusted_proxies) {
    if (trusted_proxies == 0 || forwarded_for.empty()) {
        return peer.to_string();
    }
    std::vector<std::string_view> entries;
    for (std::size_t start = 0;;) {
        auto comma = forwarded_for.find(',', start);
        entries.push_back(trimmed(forwarded_for.substr(start, comma - start)));
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    if (entries.size() < trusted_proxies) {
        return peer.to_string();
    }
    std::string_view entry = entries[entries.size() - trusted_proxies];
    boost::system::error_code error;
    boost::asio::ip::address address = boost::asio::ip::make_address(entry, error);
    return error ? peer.to_string() : address.to_string();
}

std::string client_address(const boost::beast::http::fields& headers,
                           const boost::asio::ip::address& peer, std::size_t trusted_proxies) {
    std::string forwarded_for;
    if (trusted_proxies > 0) {
        for (const auto& field : headers) {
            if (boost::beast::iequals(field.name_string(), "X-Forwarded-For")) {
                forwarded_for += (forwarded_for.empty() ? "" : ",") + std::string(field.value());
            }
        }
    }
    return client_address(forwarded_for, peer, trusted_proxies);
}

}  // namespace core::http
