#pragma once

#include <optional>
#include <string>

#include "throat/store/content.h"
#include "throat/web/exchange.h"

namespace throat::web {

// Where a list of posts is shown: its URLs (base + "/hot", base + "/new/2"...), what it holds,
// and the sub whose sidebar goes beside it.
struct ListingPlace {
    std::string base = {};  // "" (front page), "/all", "/s/<name>", "/u/<name>/posts"
    std::string heading = {};
    store::Scope scope = {};
    std::optional<store::SubRecord> sub = {};
    bool sorts = true;  // offers hot/new/top
};

// Taken by value: callers pass temporaries to the coroutine.
awaitable<Response> listing_page(Exchange& exchange, ListingPlace place, store::Sort sort,
                                 int page);

std::string_view sort_name(store::Sort sort);

}  // namespace throat::web
