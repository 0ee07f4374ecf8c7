#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "clients/postgres/connection.h"
#include "throat/content/votes.h"

// Casting a vote in one transaction (Throat's cast_vote, §5.5 of the spec): the refusals of
// content/votes.h, then the vote row, the target's counts, the author's score and the voter's
// given balance, all or nothing.
namespace throat::store {

struct VotePolicy {
    bool self_voting_posts = false;     // site.self_voting.posts
    bool self_voting_comments = false;  // site.self_voting.comments
    double archive_post_after_days = 60;
};

struct VoteOutcome {
    std::optional<content::VoteRefusal> refused = {};
    int score = 0;         // the target's score afterwards
    bool removed = false;  // the vote was taken back
    std::string author_uid = {};
};

boost::asio::awaitable<VoteOutcome> vote_on_post(clients::postgres::Connection& db,
                                                 std::int64_t pid, std::string_view voter_uid,
                                                 content::VoteValue value,
                                                 const VotePolicy& policy);

boost::asio::awaitable<VoteOutcome> vote_on_comment(clients::postgres::Connection& db,
                                                    std::string_view cid,
                                                    std::string_view voter_uid,
                                                    content::VoteValue value,
                                                    const VotePolicy& policy);

}  // namespace throat::store
