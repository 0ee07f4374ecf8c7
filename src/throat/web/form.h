#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/http/request.h"

namespace throat::web {

// The fields of a submitted form: an HTML form (application/x-www-form-urlencoded) or a JSON
// object from a script (strings as they are, numbers and booleans as their JSON text).
class Form {
public:
    // Nothing when the body is not of that type or does not parse.
    static std::optional<Form> parse(std::string_view content_type, std::string_view body);

    // The first value of `name`; empty when there is none.
    std::string_view get(std::string_view name) const;
    bool has(std::string_view name) const;
    // A checkbox: present with any value but "", "0", "false", "n" or "off".
    bool checked(std::string_view name) const;

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

// The whole body of `request`, bounded by the route's body limit, which the core enforces (it
// answers 413 or 408 itself); nothing when the body did not arrive in full.
boost::asio::awaitable<std::optional<std::string>> read_body(core::http::Request& request);

}  // namespace throat::web
