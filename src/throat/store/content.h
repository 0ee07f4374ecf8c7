#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "clients/postgres/connection.h"
#include "throat/store/records.h"

// Subs, posts and comments in the database, and the listings of posts (§5.3 of the spec).
namespace throat::store {

using boost::asio::awaitable;
using clients::postgres::Connection;

inline constexpr int kPageSize = 25;

// ---- Subs

awaitable<std::optional<SubRecord>> find_sub(Connection& db, std::string_view name);
// A new sub owned by `owner_uid`, who is subscribed to it; nothing when the name is taken
// (whatever its case).
awaitable<std::optional<SubRecord>> create_sub(Connection& db, std::string_view name,
                                               std::string_view title, std::string_view owner_uid);
// Subs by name, most subscribed first (the directory, 50 a page).
awaitable<std::vector<SubRecord>> list_subs(Connection& db, int page);
// Subscription of `uid` to `sid`: 1 subscribed, 2 blocked, 0 none.
awaitable<int> subscription(Connection& db, std::string_view uid, std::string_view sid);
// Subscribes or unsubscribes, keeping subs.subscribers counted; false when nothing changed.
awaitable<bool> set_subscribed(Connection& db, std::string_view uid, std::string_view sid,
                               bool subscribed);
awaitable<bool> is_moderator(Connection& db, std::string_view uid, std::string_view sid);
// Makes the sub one of the defaults (the anonymous front page, new users' subscriptions).
awaitable<void> add_default_sub(Connection& db, std::string_view sid);

// ---- Posts

// What Throat looks at before it takes a post (subs.py create_post), in one query.
struct PostingContext {
    bool banned = false;      // an effective, unexpired sub ban of the poster
    bool moderator = false;   // the poster moderates the sub
    bool restricted = false;  // sub_metadata restricted: only mods post
    bool text_allowed = false;
    bool link_allowed = false;
    int posts_in_sub_today = 0;  // by the poster in the last 24 hours
    int posts_today = 0;
    std::optional<std::int64_t> recent_same_link = {};  // undeleted, in this sub, last 30 days
};
awaitable<PostingContext> posting_context(Connection& db, std::string_view uid,
                                          std::string_view sid, std::string_view link);

struct NewPost {
    std::string sid = {};
    std::string uid = {};
    std::string title = {};
    std::string content = {};
    std::string link = {};
    bool nsfw = false;
    bool self_vote = false;  // site.self_voting.posts: the author's own upvote counts
};
// Inserts the post (and the author's vote), counts it in the sub; returns its pid.
awaitable<std::int64_t> create_post(Connection& db, const NewPost& post);
awaitable<std::optional<PostRecord>> find_post(Connection& db, std::int64_t pid,
                                               std::string_view viewer_uid);

enum class Sort { hot, top, new_ };

// Which posts a listing shows.
struct Scope {
    enum class Kind { all, subscriptions, defaults, sub, user };
    Kind kind = Kind::all;
    std::string id = {};  // the sid (sub), the uid (user, subscriptions)
};

// Page `page` (from 1) of undeleted posts of active subs in `scope`: new by pid, top by score,
// hot by Throat's rank (score * 20 + (posted - 1134028003) / 1500), each newest first on ties.
awaitable<std::vector<PostRecord>> list_posts(Connection& db, const Scope& scope, Sort sort,
                                              int page, std::string_view viewer_uid);

// ---- Comments

// Every comment of the post in `sort` order (new: time, top: score, best: best_score, each
// descending), with the viewer's votes.
enum class CommentSort { best, top, new_ };
awaitable<std::vector<CommentRecord>> list_comments(Connection& db, std::int64_t pid,
                                                    CommentSort sort, std::string_view viewer_uid);

struct NewComment {
    std::int64_t pid = 0;
    std::string uid = {};
    std::string parent_cid = {};  // "" at the top level
    std::string content = {};
    bool self_vote = false;  // site.self_voting.comments
};
// Inserts the comment and counts it on the post; returns its cid.
awaitable<std::string> create_comment(Connection& db, const NewComment& comment);
awaitable<std::optional<CommentRecord>> find_comment(Connection& db, std::string_view cid,
                                                     std::string_view viewer_uid);
// Records that `uid` saw these comments (Throat's mark_viewed): a first view of a visible
// comment of someone else on a post that is not archived counts in its `views` and
// recomputes its best_score. Returns how many views were new.
awaitable<int> mark_viewed(Connection& db, std::string_view uid,
                           const std::vector<std::string>& cids, double archive_after_days);
// The post a comment belongs to, when the comment exists.
awaitable<std::optional<std::int64_t>> comment_post(Connection& db, std::string_view cid);

// ---- User pages

awaitable<int> count_user_comments(Connection& db, std::string_view uid);
awaitable<int> count_user_posts(Connection& db, std::string_view uid);

}  // namespace throat::store
