#include "throat/web/routes.h"

#include <charconv>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "clients/postgres/error.h"
#include "core/http/responses.h"

namespace throat::web {

void add_page(core::http::Router& router, const Site& site, bhttp::verb method,
              const std::string& pattern, PageHandler handler, std::string_view limits) {
    std::vector<limits::RateLimit> own =
        limits.empty() ? site.settings.default_limit : limits::parse_rate_limits(limits);
    std::string scope = std::string(bhttp::to_string(method)) + " " + pattern;
    bool script_endpoint = pattern.starts_with("/do/");
    router.add(method, pattern,
               [&site, own = std::move(own), scope = std::move(scope), handler = std::move(handler),
                script_endpoint](core::http::Request& request) -> awaitable<Response> {
                   Exchange exchange(site, request);
                   Response response;
                   try {
                       if (exchange.rate_limited(scope, own)) {
                           // Throat's /do/ endpoints answer a rate limit with 200 and an error.
                           response = script_endpoint
                                          ? exchange.json_error(
                                                bhttp::status::ok,
                                                "Whoa, calm down and wait a bit, then try again.")
                                          : exchange.error_page(bhttp::status::too_many_requests);
                       } else {
                           co_await exchange.start();
                           response = co_await handler(exchange);
                       }
                   } catch (const clients::postgres::PoolTimeout&) {
                       response = exchange.error_page(bhttp::status::service_unavailable,
                                                      "The site is busy. Try again in a moment.");
                       response.set(bhttp::field::retry_after, "1");
                   } catch (const clients::postgres::Error& error) {
                       if (!error.broken()) {
                           throw;
                       }
                       site.log.error("Database unavailable", {{"error", error.what()}});
                       response = exchange.error_page(bhttp::status::service_unavailable,
                                                      "The database cannot be reached.");
                       response.set(bhttp::field::retry_after, "5");
                   }
                   exchange.finish(response);
                   co_return response;
               });
}

Response login_redirect(const Exchange& exchange, std::string_view next) {
    std::string back = next.empty() ? std::string(exchange.request().target()) : local_path(next);
    return exchange.redirect(
        "/login?next=" + boost::urls::encode(back, boost::urls::unreserved_chars),
        bhttp::status::found);
}

Response account_needed(const Exchange& exchange, std::string_view next) {
    return exchange.wants_json() ? exchange.json_error(bhttp::status::forbidden, "Not authorized")
                                 : login_redirect(exchange, next);
}

std::string local_path(std::string_view path) {
    if (path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\")) {
        return std::string(path);
    }
    return "/";
}

FormContext page_forms(const Exchange& exchange) {
    return {.csrf_token = exchange.csrf_token(), .here = std::string(exchange.request().target())};
}

std::optional<int> page_number(std::string_view text) {
    int page = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), page);
    if (error != std::errc{} || end != text.data() + text.size() || page < 1 || page > 100000) {
        return std::nullopt;
    }
    return page;
}

void add_routes(core::http::Router& router, const Site& site) {
    add_static_routes(router, site);
    add_account_routes(router, site);
    add_listing_routes(router, site);
    add_sub_routes(router, site);
    add_post_routes(router, site);
    router.set_head_from_get(true);
    router.set_error_response([](bhttp::status status, std::string_view) {
        std::string reason(bhttp::obsolete_reason(status));
        std::string code = std::to_string(static_cast<unsigned>(status));
        Response response = core::http::text_response(
            status,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + code + " " +
                reason +
                "</title><link rel=\"stylesheet\" href=\"/static/throat.css\"></head>"
                "<body><main class=\"error-page\"><h1>" +
                code + "</h1><p>" + reason + "</p><p><a href=\"/\">Front page</a></p></main>" +
                "</body></html>",
            "text/html; charset=utf-8");
        return response;
    });
}

}  // namespace throat::web
