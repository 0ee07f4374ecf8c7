#include <boost/json/serialize.hpp>

#include "throat/content/form_rules.h"
#include "throat/store/content.h"
#include "throat/web/routes.h"
#include "throat/web/views.h"

namespace throat::web {
namespace {

Response create_sub_page(Exchange& exchange, bhttp::status status, std::string_view error,
                         std::string_view name, std::string_view title) {
    View view;
    if (!error.empty()) {
        view.set("error", std::string(error));
    }
    view.set("name", std::string(name));
    view.set("title", std::string(title));
    return exchange.page(status, "Create a sub", "create_sub", view);
}

awaitable<Response> show_create_sub(Exchange& exchange) {
    if (!exchange.user()) {
        co_return login_redirect(exchange);
    }
    co_return create_sub_page(exchange, bhttp::status::ok, {}, {}, {});
}

awaitable<Response> submit_create_sub(Exchange& exchange) {
    if (!exchange.user()) {
        co_return login_redirect(exchange);
    }
    std::optional<Form> form = co_await exchange.submitted_form();
    if (!form) {
        co_return exchange.refused_form();
    }
    std::string name(form->get("subname"));
    std::string title(form->get("title"));
    std::optional<std::string> problem = content::sub_name_problem(name);
    if (!problem) {
        problem = content::sub_title_problem(title);
    }
    if (problem) {
        co_return create_sub_page(exchange, bhttp::status::ok, *problem, name, title);
    }
    clients::postgres::Connection& db = *co_await exchange.db();
    // Throat's hard limit: 20 owned subs (admins exempt).
    if (!exchange.user()->admin) {
        clients::postgres::Result owned = co_await db.query(
            "SELECT count(*) FROM sub_mods WHERE uid = $1 AND power_level = 0 AND NOT invite",
            exchange.uid());
        if (owned.scalar<std::int64_t>() >= 20) {
            co_return create_sub_page(exchange, bhttp::status::ok,
                                      "You cannot own more than 20 subs.", name, title);
        }
    }
    std::optional<store::SubRecord> sub =
        co_await store::create_sub(db, name, title, exchange.uid());
    if (!sub) {
        co_return create_sub_page(exchange, bhttp::status::ok, "Sub is already registered.", name,
                                  title);
    }
    exchange.site().log.info("Sub created", {{"sub", sub->name}, {"user", exchange.user()->name}});
    co_return exchange.redirect(sub_url(exchange.site(), sub->name), bhttp::status::see_other);
}

awaitable<Response> directory(Exchange& exchange, int page) {
    clients::postgres::Connection& db = *co_await exchange.db();
    std::vector<store::SubRecord> subs = co_await store::list_subs(db, page);
    exchange.release_db();
    View view;
    View items{View::type::list};
    for (const auto& sub : subs) {
        View item;
        item.set("name", sub.name);
        item.set("title", sub.title);
        item.set("url", sub_url(exchange.site(), sub.name));
        item.set("subscribers", std::to_string(sub.subscribers));
        item.set("posts", std::to_string(sub.posts));
        items.push_back(item);
    }
    view.set("subs", items);
    view.set("empty", subs.empty());
    if (page > 1) {
        view.set("previous_url", "/subs/" + std::to_string(page - 1));
    }
    if (subs.size() == 50) {
        view.set("next_url", "/subs/" + std::to_string(page + 1));
    }
    co_return exchange.page(bhttp::status::ok, "Subs", "subs", view);
}

// POST /do/subscribe/<sid> and /do/unsubscribe/<sid>: JSON for scripts, else back to the sub.
PageHandler subscription_change(bool subscribe) {
    return [subscribe](Exchange& exchange) -> awaitable<Response> {
        std::optional<Form> form = co_await exchange.submitted_form();
        if (!form) {
            co_return exchange.refused_form();
        }
        if (!exchange.user()) {
            co_return account_needed(exchange);
        }
        std::string sid(exchange.request().param("sid"));
        clients::postgres::Connection& db = *co_await exchange.db();
        clients::postgres::Result sub =
            co_await db.query("SELECT name FROM subs WHERE sid = $1", sid);
        if (sub.rows() == 0) {
            co_return exchange.json_error(bhttp::status::not_found, "Sub not found");
        }
        std::string name = sub.get<std::string>(0, 0);
        int current = co_await store::subscription(db, exchange.uid(), sid);
        if (subscribe && current == 1) {
            co_return exchange.json_error(bhttp::status::ok, "Already subscribed");
        }
        if (!subscribe && current != 1) {
            co_return exchange.json_error(bhttp::status::ok, "Not subscribed");
        }
        co_await store::set_subscribed(db, exchange.uid(), sid, subscribe);
        if (exchange.wants_json()) {
            co_return exchange.json(bhttp::status::ok, R"({"status":"ok"})");
        }
        co_return exchange.redirect(sub_url(exchange.site(), name), bhttp::status::see_other);
    };
}

}  // namespace

void add_sub_routes(core::http::Router& router, const Site& site) {
    add_page(router, site, bhttp::verb::get, "/createsub", show_create_sub);
    add_page(router, site, bhttp::verb::post, "/createsub", submit_create_sub, kPostingLimit);
    add_page(router, site, bhttp::verb::get, "/subs",
             [](Exchange& exchange) { return directory(exchange, 1); });
    add_page(router, site, bhttp::verb::get, "/subs/{page}",
             [](Exchange& exchange) -> awaitable<Response> {
                 std::optional<int> page = page_number(exchange.request().param("page"));
                 if (!page) {
                     co_return exchange.error_page(bhttp::status::not_found);
                 }
                 co_return co_await directory(exchange, *page);
             });
    add_page(router, site, bhttp::verb::post, "/do/subscribe/{sid}", subscription_change(true));
    add_page(router, site, bhttp::verb::post, "/do/unsubscribe/{sid}", subscription_change(false));
}

}  // namespace throat::web
