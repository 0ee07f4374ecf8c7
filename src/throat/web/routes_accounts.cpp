#include "throat/accounts/credentials.h"
#include "throat/store/users.h"
#include "throat/web/routes.h"

namespace throat::web {
namespace {

std::string query_value(std::string_view query, std::string_view name) {
    auto form = Form::parse("application/x-www-form-urlencoded", query);
    return form ? std::string(form->get(name)) : std::string();
}

Response register_page(Exchange& exchange, bhttp::status status, std::string_view error,
                       std::string_view username) {
    View view;
    if (!error.empty()) {
        view.set("error", std::string(error));
    }
    view.set("username", std::string(username));
    view.set("max_length", std::to_string(exchange.site().settings.username_max_length));
    return exchange.page(status, "Register", "register", view);
}

Response login_page(Exchange& exchange, bhttp::status status, std::string_view error,
                    std::string_view username, std::string_view next) {
    View view;
    if (!error.empty()) {
        view.set("error", std::string(error));
    }
    view.set("username", std::string(username));
    view.set("next", std::string(next));
    return exchange.page(status, "Log in", "login", view);
}

awaitable<Response> show_register(Exchange& exchange) {
    if (exchange.user()) {
        co_return exchange.redirect("/", bhttp::status::found);
    }
    if (!exchange.site().settings.enable_registration) {
        co_return exchange.error_page(bhttp::status::forbidden, "Registration is disabled.");
    }
    co_return register_page(exchange, bhttp::status::ok, {}, {});
}

awaitable<Response> submit_register(Exchange& exchange) {
    if (exchange.user()) {
        co_return exchange.redirect("/", bhttp::status::see_other);
    }
    const SiteSettings& settings = exchange.site().settings;
    if (!settings.enable_registration) {
        co_return exchange.error_page(bhttp::status::forbidden, "Registration is disabled.");
    }
    std::optional<Form> form = co_await exchange.submitted_form();
    if (!form) {
        co_return exchange.refused_form();
    }
    std::string username(form->get("username"));
    std::string password(form->get("password"));
    std::optional<std::string> problem =
        accounts::username_problem(username, settings.username_max_length);
    if (!problem) {
        problem = accounts::password_problem(password);
    }
    if (!problem && password != form->get("confirm")) {
        problem = "Passwords must match";
    }
    if (!problem && !form->checked("accept_tos")) {
        problem = "You must accept the terms of service.";
    }
    if (problem) {
        co_return register_page(exchange, bhttp::status::ok, *problem, username);
    }
    {
        clients::postgres::Connection& db = *co_await exchange.db();
        if (co_await store::find_user_by_name(db, username)) {
            co_return register_page(exchange, bhttp::status::ok, "Username is not available.",
                                    username);
        }
    }
    // Hashing takes a quarter of a second: the connection goes back to the pool meanwhile.
    exchange.release_db();
    std::string hash = co_await exchange.site().hasher.hash(password);
    clients::postgres::Connection& db = *co_await exchange.db();
    std::optional<store::UserRecord> user = co_await store::create_user(db, username, hash);
    if (!user) {
        co_return register_page(exchange, bhttp::status::ok, "Username is not available.",
                                username);
    }
    exchange.site().log.info("User registered", {{"user", user->name}});
    exchange.log_in(*user, false);
    co_return exchange.redirect("/", bhttp::status::see_other);
}

awaitable<Response> show_login(Exchange& exchange) {
    std::string next = local_path(query_value(exchange.request().query(), "next"));
    if (exchange.user()) {
        co_return exchange.redirect(next, bhttp::status::found);
    }
    co_return login_page(exchange, bhttp::status::ok, {}, {}, next);
}

awaitable<Response> submit_login(Exchange& exchange) {
    std::optional<Form> form = co_await exchange.submitted_form();
    if (!form) {
        co_return exchange.refused_form();
    }
    std::string username(form->get("username"));
    std::string password(form->get("password"));
    std::string next = local_path(form->get("next"));
    constexpr std::string_view kInvalid = "Invalid username or password.";
    if (username.empty() || username.size() > 256 || accounts::password_problem(password)) {
        co_return login_page(exchange, bhttp::status::ok, kInvalid, username, next);
    }
    std::optional<store::UserRecord> user;
    {
        clients::postgres::Connection& db = *co_await exchange.db();
        user = co_await store::find_user_by_name(db, username);
    }
    exchange.release_db();
    // Only active accounts may log in (banned, deleted and unconfirmed ones may not).
    bool valid = false;
    if (user && user->status == 0 && !user->password_hash.empty()) {
        valid = co_await exchange.site().hasher.verify(password, user->password_hash);
    }
    if (!valid) {
        co_return login_page(exchange, bhttp::status::ok, kInvalid, username, next);
    }
    exchange.log_in(*user, form->checked("remember"));
    co_return exchange.redirect(next, bhttp::status::see_other);
}

awaitable<Response> logout(Exchange& exchange) {
    std::optional<Form> form = co_await exchange.submitted_form();
    if (!form) {
        co_return exchange.refused_form();
    }
    exchange.log_out();
    co_return exchange.redirect("/", bhttp::status::see_other);
}

}  // namespace

void add_account_routes(core::http::Router& router, const Site& site) {
    add_page(router, site, bhttp::verb::get, "/register", show_register);
    add_page(router, site, bhttp::verb::post, "/register", submit_register, kSignupLimit);
    add_page(router, site, bhttp::verb::get, "/login", show_login, kAuthLimit);
    add_page(router, site, bhttp::verb::post, "/login", submit_login, kAuthLimit);
    add_page(router, site, bhttp::verb::post, "/do/logout", logout);
}

}  // namespace throat::web
