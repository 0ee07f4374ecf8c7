#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "clients/postgres/pool.h"
#include "core/http/request.h"
#include "throat/accounts/session.h"
#include "throat/store/records.h"
#include "throat/web/form.h"
#include "throat/web/site.h"
#include "throat/web/templates.h"

namespace throat::web {

using boost::asio::awaitable;
using core::http::Response;
namespace bhttp = boost::beast::http;

// One request being answered: who is asking (the session cookie, the logged-in user), a
// database connection taken from the worker's pool when first needed, and the helpers that
// build the answer (pages in the layout, redirects, JSON) with the session cookie and the
// security headers.
class Exchange {
public:
    Exchange(const Site& site, core::http::Request& request);

    // Reads the session cookie and loads the user it names, if the account is still active and
    // the session not ended by a raised `resets` count.
    awaitable<void> start();

    const Site& site() const { return site_; }
    core::http::Request& request() { return request_; }
    const core::http::Request& request() const { return request_; }
    const std::optional<store::UserRecord>& user() const { return user_; }
    std::string_view uid() const { return user_ ? std::string_view(user_->uid) : ""; }
    std::int64_t now() const { return now_; }

    // A connection of the worker's pool (never null), held until release_db() or the end of
    // the request.
    // Throws PoolTimeout when none is free in time (answered with 503).
    awaitable<clients::postgres::Connection*> db();
    void release_db() { lease_.reset(); }

    // The body as form fields; nothing when it did not arrive or is not a form.
    awaitable<std::optional<Form>> form();
    // The body as form fields when its CSRF token is this session's; nothing otherwise.
    awaitable<std::optional<Form>> submitted_form();
    // The answer to a form that submitted_form() refused: 400, in JSON for scripts.
    Response refused_form() const;
    std::string csrf_token() const;
    // The form's csrf_token field, or the X-CSRFToken header, matches this session.
    bool csrf_valid(const Form& form) const;

    void log_in(const store::UserRecord& user, bool remember);
    void log_out();

    // The client's address through site.trusted_proxy_count proxies, IPv6 by its /64.
    std::string client_key() const;
    // Counts this request against `limits` (the route's, or ratelimit.default); true when one
    // is exceeded.
    bool rate_limited(std::string_view scope, const std::vector<limits::RateLimit>& limits) const;

    // A script asked (fetch with X-Requested-With or Accept: application/json): answer JSON.
    bool wants_json() const;

    // `content` (HTML) inside the site's layout.
    Response page(bhttp::status status, std::string_view title, std::string content) const;
    // The layout around the template `name` rendered with `view`.
    Response page(bhttp::status status, std::string_view title, std::string_view name,
                  View view) const;
    Response error_page(bhttp::status status, std::string_view message = {}) const;
    Response redirect(std::string_view location,
                      bhttp::status status = bhttp::status::see_other) const;
    Response json(bhttp::status status, std::string body) const;
    // Throat's /do/ error envelope: {"status": "error", "error": [message]}.
    Response json_error(bhttp::status status, std::string_view message) const;

    // Adds the session cookie (when it changed) and the security headers.
    void finish(Response& response) const;

private:
    const Site& site_;
    core::http::Request& request_;
    std::int64_t now_;
    accounts::Session session_;
    bool session_changed_ = false;
    std::optional<store::UserRecord> user_;
    std::optional<clients::postgres::Pool::Lease> lease_;
};

}  // namespace throat::web
