#include "throat/web/exchange.h"

#include <chrono>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>

#include "core/http/client_address.h"
#include "core/http/responses.h"
#include "core/text/trim.h"
#include "throat/store/users.h"

namespace throat::web {
namespace {

constexpr std::string_view kCookieName = "session";
// A session that says "remember me" lasts a year (Flask-Login's remember cookie), any other one
// until the browser closes, and the server accepts neither past a year.
constexpr std::int64_t kSessionMaxAge = 365 * 24 * 3600;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The value of cookie `name` in a Cookie header ("a=1; session=xyz").
std::string_view cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        std::size_t end = header.find(';');
        std::string_view pair = core::text::trim_ascii_space(header.substr(0, end));
        std::size_t equals = pair.find('=');
        if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
            return pair.substr(equals + 1);
        }
        if (end == std::string_view::npos) {
            break;
        }
        header.remove_prefix(end + 1);
    }
    return {};
}

}  // namespace

Exchange::Exchange(const Site& site, core::http::Request& request)
    : site_(site), request_(request), now_(unix_now()) {}

awaitable<void> Exchange::start() {
    std::string_view cookie = cookie_value(request_.header(bhttp::field::cookie), kCookieName);
    std::optional<accounts::Session> decoded;
    if (!cookie.empty()) {
        decoded = site_.sessions.decode(cookie, now_, kSessionMaxAge);
    }
    if (!decoded) {
        session_ = accounts::SessionCodec::anonymous(now_);
        session_changed_ = true;
        co_return;
    }
    session_ = std::move(*decoded);
    if (!session_.logged_in()) {
        co_return;
    }
    clients::postgres::Connection& connection = *co_await db();
    std::optional<store::UserRecord> user = co_await store::find_user(connection, session_.uid);
    if (user && user->status == 0 && user->resets == session_.resets) {
        user_ = std::move(user);
    } else {
        // Logged out elsewhere (password changed, account banned or deleted): a fresh session.
        session_ = accounts::SessionCodec::anonymous(now_);
        session_changed_ = true;
    }
}

awaitable<clients::postgres::Connection*> Exchange::db() {
    if (!lease_) {
        auto executor = co_await boost::asio::this_coro::executor;
        lease_.emplace(co_await site_.pools.for_executor(executor).acquire());
    }
    co_return &lease_->connection();
}

awaitable<std::optional<Form>> Exchange::form() {
    std::optional<std::string> body = co_await read_body(request_);
    if (!body) {
        co_return std::nullopt;
    }
    co_return Form::parse(request_.header(bhttp::field::content_type), *body);
}

awaitable<std::optional<Form>> Exchange::submitted_form() {
    std::optional<Form> submitted = co_await form();
    if (submitted && csrf_valid(*submitted)) {
        co_return submitted;
    }
    co_return std::nullopt;
}

Response Exchange::refused_form() const {
    constexpr std::string_view kExpired = "The form expired. Reload the page and try again.";
    return wants_json() ? json_error(bhttp::status::bad_request, kExpired)
                        : error_page(bhttp::status::bad_request, kExpired);
}

std::string Exchange::csrf_token() const {
    return site_.sessions.csrf_token(session_);
}

bool Exchange::csrf_valid(const Form& form) const {
    std::string_view token = form.get("csrf_token");
    if (token.empty()) {
        token = request_.header("X-CSRFToken");
    }
    return !token.empty() && site_.sessions.csrf_valid(session_, token);
}

void Exchange::log_in(const store::UserRecord& user, bool remember) {
    session_ = accounts::SessionCodec::logged_in(user.uid, user.resets, remember, now_);
    session_changed_ = true;
    user_ = user;
}

void Exchange::log_out() {
    session_ = accounts::SessionCodec::anonymous(now_);
    session_changed_ = true;
    user_.reset();
}

std::string Exchange::client_key() const {
    std::string address = core::http::client_address(request_.head(), request_.remote().address(),
                                                     site_.settings.trusted_proxy_count);
    boost::system::error_code error;
    auto parsed = boost::asio::ip::make_address(address, error);
    return error ? address : limits::client_key(parsed);
}

bool Exchange::rate_limited(std::string_view scope,
                            const std::vector<limits::RateLimit>& limits) const {
    if (!site_.settings.rate_limits || limits.empty()) {
        return false;
    }
    return site_.limiter.hit(client_key(), scope, limits, limits::RateLimiter::Clock::now())
        .has_value();
}

bool Exchange::wants_json() const {
    return request_.header("X-Requested-With") == "XMLHttpRequest" ||
           request_.header(bhttp::field::accept).find("application/json") != std::string_view::npos;
}

Response Exchange::page(bhttp::status status, std::string_view title, std::string content) const {
    View view;
    view.set("site_name", site_.settings.name);
    view.set("title", std::string(title));
    view.set("csrf_token", csrf_token());
    view.set("asset_version", site_.asset_version);
    view.set("sub_prefix", site_.settings.sub_prefix);
    view.set("content", std::move(content));
    if (user_) {
        View user;
        user.set("name", user_->name);
        user.set("score", std::to_string(user_->score));
        view.set("user", user);
    }
    Response response{status, 11};
    response.set(bhttp::field::content_type, "text/html; charset=utf-8");
    response.body() = site_.templates.render("layout", std::move(view));
    response.prepare_payload();
    return response;
}

Response Exchange::page(bhttp::status status, std::string_view title, std::string_view name,
                        View view) const {
    view.set("csrf_token", csrf_token());
    view.set("sub_prefix", site_.settings.sub_prefix);
    view.set("here", std::string(request_.target()));
    if (user_) {
        view.set("logged_in", true);
        view.set("user_name", user_->name);
    }
    return page(status, title, site_.templates.render(name, std::move(view)));
}

Response Exchange::error_page(bhttp::status status, std::string_view message) const {
    View view;
    view.set("status", std::to_string(static_cast<unsigned>(status)));
    view.set("reason", std::string(bhttp::obsolete_reason(status)));
    if (!message.empty()) {
        view.set("message", std::string(message));
    }
    return page(status, bhttp::obsolete_reason(status), "error", view);
}

Response Exchange::redirect(std::string_view location, bhttp::status status) const {
    Response response{status, 11};
    response.set(bhttp::field::location, location);
    response.prepare_payload();
    return response;
}

Response Exchange::json(bhttp::status status, std::string body) const {
    return core::http::json_response(status, std::move(body));
}

Response Exchange::json_error(bhttp::status status, std::string_view message) const {
    boost::json::object body{{"status", "error"},
                             {"error", boost::json::array{boost::json::string(message)}}};
    return json(status, boost::json::serialize(body));
}

void Exchange::finish(Response& response) const {
    if (session_changed_) {
        std::string cookie = std::string(kCookieName) + "=" + site_.sessions.encode(session_) +
                             "; Path=/; HttpOnly; SameSite=Lax";
        if (session_.remember) {
            cookie += "; Max-Age=" + std::to_string(kSessionMaxAge);
        }
        if (site_.settings.force_https) {
            cookie += "; Secure";
        }
        response.set(bhttp::field::set_cookie, cookie);
    }
    // Talisman's headers in Throat (§1.3): the pages load nothing from elsewhere but images.
    response.set("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data: https: blob:; media-src 'self' https:;"
                 " style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'self'");
    response.set(bhttp::field::x_frame_options, "SAMEORIGIN");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "strict-origin-when-cross-origin");
    if (site_.settings.force_https) {
        response.set(bhttp::field::strict_transport_security,
                     "max-age=31556926; includeSubDomains");
    }
    if (!response.count(bhttp::field::cache_control)) {
        response.set(bhttp::field::cache_control, "no-store");
    }
}

}  // namespace throat::web
