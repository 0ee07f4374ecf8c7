#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/http/router.h"
#include "throat/web/exchange.h"
#include "throat/web/site.h"
#include "throat/web/views.h"

namespace throat::web {

using PageHandler = std::function<awaitable<Response>(Exchange&)>;

// Throat's named limits (app/misc.py).
inline constexpr std::string_view kPostingLimit = "6/minute;120/hour";
inline constexpr std::string_view kAuthLimit = "25/5minute";
inline constexpr std::string_view kSignupLimit = "5/30minute";

// Adds `handler` as the answer to `method` on `pattern`: the request is counted against
// `limits` (ratelimit.default when empty) before anything else, the session is read, and a
// database that cannot give a connection in time is a 503 page rather than a wait.
void add_page(core::http::Router& router, const Site& site, bhttp::verb method,
              const std::string& pattern, PageHandler handler, std::string_view limits = {});

// Every route of the forum, and the router's own answers (404, 405, 500) as pages.
void add_routes(core::http::Router& router, const Site& site);

void add_account_routes(core::http::Router& router, const Site& site);
void add_listing_routes(core::http::Router& router, const Site& site);
void add_post_routes(core::http::Router& router, const Site& site);
void add_sub_routes(core::http::Router& router, const Site& site);
void add_static_routes(core::http::Router& router, const Site& site);

// The login page, coming back afterwards to `next` (default: the page asked for).
Response login_redirect(const Exchange& exchange, std::string_view next = {});
// A visitor where an account is needed: 403 "Not authorized" for scripts, else the login page
// (coming back to `next`).
Response account_needed(const Exchange& exchange, std::string_view next = {});
// `path` when it is a path on this site, else "/": never //host or a scheme (an open redirect).
std::string local_path(std::string_view path);
// The forms of the page being answered: its CSRF token, and its path to come back to.
FormContext page_forms(const Exchange& exchange);
// A page number from the path: nothing unless it is a positive integer.
std::optional<int> page_number(std::string_view text);

}  // namespace throat::web
