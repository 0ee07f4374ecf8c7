#include <array>

#include "throat/content/votes.h"
#include "throat/store/users.h"
#include "throat/web/listing.h"
#include "throat/web/routes.h"
#include "throat/web/views.h"

namespace throat::web {
namespace {

constexpr std::array<std::pair<store::Sort, std::string_view>, 3> kSorts = {{
    {store::Sort::hot, "hot"},
    {store::Sort::new_, "new"},
    {store::Sort::top, "top"},
}};

View sub_sidebar(Exchange& exchange, const store::SubRecord& sub, int subscription) {
    View view;
    view.set("sid", sub.sid);
    view.set("name", sub.name);
    view.set("title", sub.title);
    view.set("url", sub_url(exchange.site(), sub.name));
    view.set("subscribers", std::to_string(sub.subscribers));
    view.set("subscribers_label", sub.subscribers == 1 ? "subscriber" : "subscribers");
    view.set("posts", std::to_string(sub.posts));
    view.set("posts_label", sub.posts == 1 ? "post" : "posts");
    view.set("owner", sub.owner);
    view.set("created", time_ago(sub.created, exchange.now()));
    if (!sub.sidebar.empty()) {
        view.set("sidebar_html", exchange.site().markdown.render(sub.sidebar));
    }
    view.set("subscribed", subscription == 1);
    return view;
}

// The front page: the viewer's subscriptions, or the default subs for a visitor.
ListingPlace home(const Exchange& exchange) {
    ListingPlace place{.base = "", .heading = "Front page"};
    if (exchange.user()) {
        place.scope = {store::Scope::Kind::subscriptions, exchange.user()->uid};
    } else {
        place.scope = {store::Scope::Kind::defaults, ""};
    }
    return place;
}

ListingPlace everything() {
    return ListingPlace{.base = "/all", .heading = "All posts", .scope = {store::Scope::Kind::all}};
}

void add_sorted(core::http::Router& router, const Site& site, const std::string& prefix,
                std::function<awaitable<std::optional<ListingPlace>>(Exchange&)> place) {
    for (const auto& [sort, name] : kSorts) {
        auto show = [place, sort = sort](Exchange& exchange, int page) -> awaitable<Response> {
            std::optional<ListingPlace> where = co_await place(exchange);
            if (!where) {
                co_return exchange.error_page(bhttp::status::not_found);
            }
            co_return co_await listing_page(exchange, *where, sort, page);
        };
        add_page(router, site, bhttp::verb::get, prefix + "/" + std::string(name),
                 [show](Exchange& exchange) { return show(exchange, 1); });
        add_page(router, site, bhttp::verb::get, prefix + "/" + std::string(name) + "/{page}",
                 [show](Exchange& exchange) -> awaitable<Response> {
                     std::optional<int> page = page_number(exchange.request().param("page"));
                     if (!page) {
                         co_return exchange.error_page(bhttp::status::not_found);
                     }
                     co_return co_await show(exchange, *page);
                 });
    }
}

}  // namespace

std::string_view sort_name(store::Sort sort) {
    for (const auto& [known, name] : kSorts) {
        if (known == sort) {
            return name;
        }
    }
    return "hot";
}

awaitable<Response> listing_page(Exchange& exchange, ListingPlace place, store::Sort sort,
                                 int page) {
    clients::postgres::Connection& db = *co_await exchange.db();
    std::vector<store::PostRecord> posts =
        co_await store::list_posts(db, place.scope, sort, page, exchange.uid());
    View view;
    view.set("heading", place.heading);
    view.set("posts_html",
             post_summaries_html(exchange.site(), posts, exchange.now(), page_forms(exchange)));
    view.set("empty", posts.empty());
    if (place.sorts) {
        view.set("has_sorts", true);
        View tabs{View::type::list};
        for (const auto& [known, name] : kSorts) {
            View tab;
            tab.set("name", std::string(name));
            tab.set("url", place.base + "/" + std::string(name));
            tab.set("current", known == sort);
            tabs.push_back(tab);
        }
        view.set("sorts", tabs);
    }
    std::string base = place.base + "/" + std::string(sort_name(sort)) + "/";
    if (page > 1) {
        view.set("previous_url", base + std::to_string(page - 1));
    }
    if (posts.size() == static_cast<std::size_t>(store::kPageSize)) {
        view.set("next_url", base + std::to_string(page + 1));
    }
    if (place.sub) {
        int subscription = 0;
        if (exchange.user()) {
            subscription = co_await store::subscription(db, exchange.uid(), place.sub->sid);
        }
        view.set("sub", sub_sidebar(exchange, *place.sub, subscription));
        view.set("submit_suffix", "/" + place.sub->name);
    }
    exchange.release_db();
    std::string title = place.heading;
    if (page > 1) {
        title += " (page " + std::to_string(page) + ")";
    }
    co_return exchange.page(bhttp::status::ok, title, "listing", view);
}

void add_listing_routes(core::http::Router& router, const Site& site) {
    add_page(router, site, bhttp::verb::get, "/", [](Exchange& exchange) {
        return listing_page(exchange, home(exchange), store::Sort::hot, 1);
    });
    add_sorted(router, site, "", [](Exchange& exchange) -> awaitable<std::optional<ListingPlace>> {
        co_return home(exchange);
    });
    add_page(router, site, bhttp::verb::get, "/all", [](Exchange& exchange) {
        return listing_page(exchange, everything(), store::Sort::hot, 1);
    });
    add_sorted(router, site, "/all",
               [](Exchange&) -> awaitable<std::optional<ListingPlace>> { co_return everything(); });

    const std::string sub = "/" + site.settings.sub_prefix + "/{sub}";
    auto to_hot = [](Exchange& exchange) -> awaitable<Response> {
        clients::postgres::Connection& db = *co_await exchange.db();
        std::optional<store::SubRecord> found =
            co_await store::find_sub(db, exchange.request().param("sub"));
        if (!found) {
            co_return exchange.error_page(bhttp::status::not_found, "There is no such sub.");
        }
        co_return exchange.redirect(sub_url(exchange.site(), found->name) + "/hot",
                                    bhttp::status::found);
    };
    add_page(router, site, bhttp::verb::get, sub, to_hot);
    add_page(router, site, bhttp::verb::get, sub + "/", to_hot);
    add_sorted(router, site, sub, [](Exchange& exchange) -> awaitable<std::optional<ListingPlace>> {
        clients::postgres::Connection& db = *co_await exchange.db();
        std::optional<store::SubRecord> found =
            co_await store::find_sub(db, exchange.request().param("sub"));
        if (!found || found->status != 0) {
            co_return std::nullopt;
        }
        ListingPlace place{.base = sub_url(exchange.site(), found->name),
                           .heading = found->title.empty() ? found->name : found->title,
                           .scope = {store::Scope::Kind::sub, found->sid}};
        place.sub = std::move(found);
        co_return place;
    });

    add_page(
        router, site, bhttp::verb::get, "/u/{user}", [](Exchange& exchange) -> awaitable<Response> {
            clients::postgres::Connection& db = *co_await exchange.db();
            std::optional<store::UserRecord> user =
                co_await store::find_user_by_name(db, exchange.request().param("user"));
            if (!user || user->status == 10) {
                co_return exchange.error_page(bhttp::status::not_found, "There is no such user.");
            }
            View view;
            view.set("name", user->name);
            view.set("score", std::to_string(user->score));
            view.set("given", std::to_string(user->given));
            view.set("level", std::to_string(content::user_level(user->score)));
            view.set("joined", time_ago(user->joined, exchange.now()));
            int post_count = co_await store::count_user_posts(db, user->uid);
            int comment_count = co_await store::count_user_comments(db, user->uid);
            view.set("post_count", std::to_string(post_count));
            view.set("comment_count", std::to_string(comment_count));
            const store::Scope by_user{store::Scope::Kind::user, user->uid};
            std::vector<store::PostRecord> posts =
                co_await store::list_posts(db, by_user, store::Sort::new_, 1, exchange.uid());
            view.set("posts_html", post_summaries_html(exchange.site(), posts, exchange.now(),
                                                       page_forms(exchange)));
            view.set("empty", posts.empty());
            exchange.release_db();
            co_return exchange.page(bhttp::status::ok, user->name, "user", view);
        });
}

}  // namespace throat::web
