#include "throat/web/form.h"

#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/text/hex.h"
#include "core/text/trim.h"

namespace throat::web {
namespace {

std::string_view media_type(std::string_view content_type) {
    return core::text::trim_ascii_space(content_type.substr(0, content_type.find(';')));
}

// application/x-www-form-urlencoded: '+' is a space, %XX a byte; nothing for a bad escape.
std::optional<std::string> form_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            decoded += ' ';
        } else if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            int high = core::hex_digit_value(text[i + 1]);
            int low = core::hex_digit_value(text[i + 2]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            decoded += static_cast<char>(high * 16 + low);
            i += 2;
        } else {
            decoded += c;
        }
    }
    return decoded;
}

}  // namespace

std::optional<Form> Form::parse(std::string_view content_type, std::string_view body) {
    Form form;
    std::string_view type = media_type(content_type);
    if (boost::beast::iequals(type, "application/x-www-form-urlencoded")) {
        while (!body.empty()) {
            std::string_view pair = body.substr(0, body.find('&'));
            body.remove_prefix(std::min(body.size(), pair.size() + 1));
            if (pair.empty()) {
                continue;
            }
            std::size_t equals = pair.find('=');
            auto key = form_decode(pair.substr(0, equals));
            auto value = form_decode(equals == std::string_view::npos ? std::string_view()
                                                                      : pair.substr(equals + 1));
            if (!key || !value) {
                return std::nullopt;
            }
            form.fields_.emplace_back(std::move(*key), std::move(*value));
        }
        return form;
    }
    if (boost::beast::iequals(type, "application/json")) {
        boost::system::error_code error;
        boost::json::value value = boost::json::parse(body, error);
        if (error || !value.is_object()) {
            return std::nullopt;
        }
        for (const auto& [key, field] : value.as_object()) {
            if (field.is_string()) {
                form.fields_.emplace_back(key, field.as_string());
            } else if (!field.is_null()) {
                form.fields_.emplace_back(key, boost::json::serialize(field));
            }
        }
        return form;
    }
    return std::nullopt;
}

std::string_view Form::get(std::string_view name) const {
    for (const auto& [key, value] : fields_) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

bool Form::has(std::string_view name) const {
    for (const auto& [key, value] : fields_) {
        if (key == name) {
            return true;
        }
    }
    return false;
}

bool Form::checked(std::string_view name) const {
    if (!has(name)) {
        return false;
    }
    std::string_view value = get(name);
    return !(value.empty() || value == "0" || value == "false" || value == "n" || value == "off");
}

boost::asio::awaitable<std::optional<std::string>> read_body(core::http::Request& request) {
    std::string body;
    if (auto length = request.body().content_length()) {
        body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*length, 1 << 20)));
    }
    for (;;) {
        std::span<const char> bytes = co_await request.body().read_some();
        if (bytes.empty()) {
            break;
        }
        body.append(bytes.data(), bytes.size());
    }
    if (request.body().failed() || !request.body().complete()) {
        co_return std::nullopt;
    }
    co_return body;
}

}  // namespace throat::web
