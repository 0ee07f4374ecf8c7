#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/fields.hpp>

namespace core::http {

// The address of the client behind `trusted_proxies` reverse proxies (nginx, a load balancer),
// each of which appends the address it received the request from to X-Forwarded-For. The client
// is the entry that many places from the right; entries further left were written by the client
// itself and may be anything. With no trusted proxies, too few entries, or an entry that is not
// an IP address, it is the connection's peer (as werkzeug's ProxyFix decides).
// `forwarded_for` is every X-Forwarded-For value of the request joined with commas.
std::string client_address(std::string_view forwarded_for, const boost::asio::ip::address& peer,
                           std::size_t trusted_proxies);
// The same from a request's headers.
std::string client_address(const boost::beast::http::fields& headers,
                           const boost::asio::ip::address& peer, std::size_t trusted_proxies);

}  // namespace core::http
