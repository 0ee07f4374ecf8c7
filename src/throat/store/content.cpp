#include "throat/store/content.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

#include "clients/postgres/pool.h"
#include "throat/content/votes.h"

namespace throat::store {
namespace {

using clients::postgres::Result;
using clients::postgres::Statement;

// ---- Subs

constexpr std::string_view kSubColumns =
    "s.sid, s.name, s.title, s.sidebar, s.nsfw, s.status, s.subscribers, s.posts,"
    " extract(epoch FROM s.creation)::bigint,"
    " coalesce((SELECT u.name FROM sub_mods m JOIN users u ON u.uid = m.uid"
    "   WHERE m.sid = s.sid AND m.power_level = 0 AND NOT m.invite LIMIT 1), '')";

const Statement kFindSub{"find_sub", "SELECT " + std::string(kSubColumns) +
                                         " FROM subs s WHERE lower(s.name) = lower($1)"};
const Statement kListSubs{"list_subs", "SELECT " + std::string(kSubColumns) +
                                           " FROM subs s WHERE s.status = 0"
                                           " ORDER BY s.subscribers DESC, lower(s.name)"
                                           " LIMIT 50 OFFSET $1"};
const Statement kInsertSub{"insert_sub",
                           "INSERT INTO subs (sid, name, title) VALUES (gen_random_uuid()::text,"
                           " $1, $2) ON CONFLICT DO NOTHING RETURNING sid"};
// What Throat writes for a new sub: the creator as owner and in `mod`, every post type allowed,
// the creator subscribed (subscribers starts at 1).
const Statement kSetUpSub{
    "set_up_sub",
    "WITH owner AS (INSERT INTO sub_mods (uid, sid, power_level) VALUES ($2::text, $1::text, 0)),"
    " meta AS (INSERT INTO sub_metadata (sid, key, value) VALUES ($1, 'mod', $2),"
    "   ($1, 'allow_text_posts', '1'), ($1, 'allow_link_posts', '1'),"
    "   ($1, 'allow_upload_posts', '1'))"
    " INSERT INTO sub_subscribers (uid, sid, status) VALUES ($2, $1, 1)"};
const Statement kSubscription{"subscription",
                              "SELECT status FROM sub_subscribers WHERE uid = $1 AND sid = $2"};
const Statement kSubscribe{
    "subscribe",
    "WITH changed AS (INSERT INTO sub_subscribers (uid, sid, status) VALUES ($1, $2, 1)"
    "   ON CONFLICT (uid, sid) DO UPDATE SET status = 1, time = now()"
    "   WHERE sub_subscribers.status <> 1 RETURNING sid)"
    " UPDATE subs SET subscribers = subscribers + 1 WHERE sid IN (SELECT sid FROM changed)"};
const Statement kUnsubscribe{
    "unsubscribe",
    "WITH changed AS (DELETE FROM sub_subscribers WHERE uid = $1 AND sid = $2 AND status = 1"
    "   RETURNING sid)"
    " UPDATE subs SET subscribers = subscribers - 1 WHERE sid IN (SELECT sid FROM changed)"};
const Statement kIsModerator{"is_moderator",
                             "SELECT EXISTS (SELECT 1 FROM sub_mods WHERE uid = $1 AND sid = $2"
                             " AND NOT invite)"};

SubRecord sub_from(const Result& rows, int row) {
    return SubRecord{.sid = rows.get<std::string>(row, 0),
                     .name = rows.get<std::string>(row, 1),
                     .title = rows.get<std::string>(row, 2),
                     .sidebar = rows.get<std::string>(row, 3),
                     .nsfw = rows.get<bool>(row, 4),
                     .status = rows.get<int>(row, 5),
                     .subscribers = rows.get<int>(row, 6),
                     .posts = rows.get<int>(row, 7),
                     .created = rows.get<std::int64_t>(row, 8),
                     .owner = rows.get<std::string>(row, 9)};
}

// ---- Posts

constexpr std::string_view kPostColumns =
    "p.pid, p.sid, s.name, p.uid, u.name, p.title, p.content, coalesce(p.link, ''), p.ptype,"
    " p.nsfw, extract(epoch FROM p.posted)::bigint, p.deleted, p.score, p.upvotes, p.downvotes,"
    " p.comments, coalesce((SELECT CASE WHEN v.positive THEN 1 ELSE -1 END FROM sub_post_votes v"
    "   WHERE v.pid = p.pid AND v.uid = $1), 0)";
constexpr std::string_view kPostJoins =
    " FROM sub_posts p JOIN subs s ON s.sid = p.sid JOIN users u ON u.uid = p.uid";

const Statement kFindPost{"find_post", "SELECT " + std::string(kPostColumns) +
                                           std::string(kPostJoins) + " WHERE p.pid = $2"};
const Statement kInsertPost{
    "insert_post",
    "INSERT INTO sub_posts (sid, uid, title, content, link, ptype, nsfw, score, upvotes)"
    " VALUES ($1, $2, $3, $4, nullif($5::text, ''), CASE WHEN $5::text = '' THEN 0 ELSE 1 END, $6, "
    "$7, $7)"
    " RETURNING pid"};
const Statement kCountPost{"count_post", "UPDATE subs SET posts = posts + 1 WHERE sid = $1"};
const Statement kSelfVotePost{
    "self_vote_post",
    "WITH vote AS (INSERT INTO sub_post_votes (pid, uid, positive) VALUES ($1, $2, true))"
    " UPDATE users SET given = given + 1 WHERE uid = $2"};

const Statement kPostingContext{
    "posting_context",
    "SELECT EXISTS (SELECT 1 FROM sub_bans WHERE uid = $1 AND sid = $2 AND effective"
    "   AND (expires IS NULL OR expires > now())),"
    " EXISTS (SELECT 1 FROM sub_mods WHERE uid = $1 AND sid = $2 AND NOT invite),"
    " EXISTS (SELECT 1 FROM sub_metadata WHERE sid = $2 AND key = 'restricted' AND value = '1'),"
    " EXISTS (SELECT 1 FROM sub_metadata WHERE sid = $2 AND key = 'allow_text_posts'"
    "   AND value = '1'),"
    " EXISTS (SELECT 1 FROM sub_metadata WHERE sid = $2 AND key = 'allow_link_posts'"
    "   AND value = '1'),"
    " (SELECT count(*) FROM sub_posts WHERE uid = $1 AND sid = $2"
    "   AND posted > now() - interval '1 day'),"
    " (SELECT count(*) FROM sub_posts WHERE uid = $1 AND posted > now() - interval '1 day'),"
    " (SELECT max(pid) FROM sub_posts WHERE sid = $2 AND link = $3 AND deleted = 0"
    "   AND posted > now() - interval '30 days')"};

PostRecord post_from(const Result& rows, int row) {
    return PostRecord{.pid = rows.get<std::int64_t>(row, 0),
                      .sid = rows.get<std::string>(row, 1),
                      .sub_name = rows.get<std::string>(row, 2),
                      .uid = rows.get<std::string>(row, 3),
                      .author = rows.get<std::string>(row, 4),
                      .title = rows.get<std::string>(row, 5),
                      .content = rows.get<std::string>(row, 6),
                      .link = rows.get<std::string>(row, 7),
                      .ptype = rows.get<int>(row, 8),
                      .nsfw = rows.get<bool>(row, 9),
                      .posted = rows.get<std::int64_t>(row, 10),
                      .deleted = rows.get<int>(row, 11),
                      .score = rows.get<int>(row, 12),
                      .upvotes = rows.get<int>(row, 13),
                      .downvotes = rows.get<int>(row, 14),
                      .comments = rows.get<int>(row, 15),
                      .viewer_vote = rows.get<int>(row, 16)};
}

// One prepared statement per scope and sort: $1 viewer, $2 offset, $3 the scope's id.
const Statement& listing_statement(Scope::Kind kind, Sort sort) {
    static const std::map<std::pair<Scope::Kind, Sort>, Statement> statements = [] {
        std::map<std::pair<Scope::Kind, Sort>, Statement> made;
        const std::array<std::pair<Scope::Kind, std::string_view>, 5> scopes = {{
            {Scope::Kind::all, ""},
            {Scope::Kind::subscriptions,
             " AND p.sid IN (SELECT sid FROM sub_subscribers WHERE uid = $3 AND status = 1)"},
            {Scope::Kind::defaults,
             " AND p.sid IN (SELECT value FROM site_metadata WHERE key = 'default')"
             " AND $3::text IS NOT NULL"},
            {Scope::Kind::sub, " AND p.sid = $3"},
            {Scope::Kind::user, " AND p.uid = $3"},
        }};
        const std::array<std::pair<Sort, std::string_view>, 3> sorts = {{
            {Sort::hot, "hot_rank(p.score, p.posted) DESC, p.pid DESC"},
            {Sort::top, "p.score DESC, p.pid DESC"},
            {Sort::new_, "p.pid DESC"},
        }};
        for (const auto& [kind, filter] : scopes) {
            for (const auto& [sort_kind, order] : sorts) {
                std::string name = "list_posts_" + std::to_string(static_cast<int>(kind)) + "_" +
                                   std::to_string(static_cast<int>(sort_kind));
                std::string sql = "SELECT " + std::string(kPostColumns) + std::string(kPostJoins) +
                                  " WHERE p.deleted = 0 AND s.status = 0" +
                                  (kind == Scope::Kind::all ? " AND $3::text IS NOT NULL" : "") +
                                  std::string(filter) + " ORDER BY " + std::string(order) +
                                  " LIMIT " + std::to_string(kPageSize) + " OFFSET $2";
                made.emplace(std::pair{kind, sort_kind}, Statement{name, sql});
            }
        }
        return made;
    }();
    return statements.at({kind, sort});
}

// ---- Comments

constexpr std::string_view kCommentColumns =
    "c.cid, coalesce(c.parentcid, ''), c.uid, u.name, c.content,"
    " extract(epoch FROM c.time)::bigint, c.score, c.upvotes, c.downvotes, c.status,"
    " coalesce((SELECT CASE WHEN v.positive THEN 1 ELSE -1 END FROM sub_post_comment_votes v"
    "   WHERE v.cid = c.cid AND v.uid = $1), 0)";

const Statement& comments_statement(CommentSort sort) {
    static const std::array<Statement, 3> statements = [] {
        auto make = [](std::string_view name, std::string_view order) {
            return Statement{std::string(name),
                             "SELECT " + std::string(kCommentColumns) +
                                 " FROM sub_post_comments c JOIN users u ON u.uid = c.uid"
                                 " WHERE c.pid = $2 ORDER BY " +
                                 std::string(order)};
        };
        return std::array<Statement, 3>{
            make("list_comments_best", "c.best_score DESC, c.time DESC"),
            make("list_comments_top", "c.score DESC, c.time DESC"),
            make("list_comments_new", "c.time DESC, c.cid")};
    }();
    return statements[static_cast<std::size_t>(sort)];
}

const Statement kFindComment{"find_comment",
                             "SELECT " + std::string(kCommentColumns) +
                                 " FROM sub_post_comments c JOIN users u ON u.uid = c.uid"
                                 " WHERE c.cid = $2"};
const Statement kInsertComment{
    "insert_comment",
    "INSERT INTO sub_post_comments (cid, pid, uid, parentcid, content, score, upvotes, best_score)"
    " VALUES (gen_random_uuid()::text, $1, $2, nullif($3::text, ''), $4, $5, $5, $6) RETURNING "
    "cid"};
const Statement kCountComment{"count_comment",
                              "UPDATE sub_posts SET comments = comments + 1 WHERE pid = $1"};
const Statement kSelfVoteComment{
    "self_vote_comment",
    "WITH vote AS (INSERT INTO sub_post_comment_votes (cid, uid, positive) VALUES ($1, $2, true))"
    " UPDATE users SET given = given + 1 WHERE uid = $2"};

const Statement kMarkViewed{
    "mark_viewed",
    "WITH seen AS (INSERT INTO sub_post_comment_views (cid, uid, pid)"
    "   SELECT c.cid, $1::text, c.pid FROM sub_post_comments c JOIN sub_posts p ON p.pid = c.pid"
    "   JOIN users u ON u.uid = c.uid"
    "   WHERE c.cid = ANY ($2::text[]) AND c.uid <> $1::text AND c.status = 0 AND u.status <> 10"
    "   AND p.deleted = 0 AND p.posted > now() - make_interval(secs => $3::float8 * 86400)"
    "   ON CONFLICT (cid, uid) DO NOTHING RETURNING cid)"
    " UPDATE sub_post_comments c SET views = views + 1 FROM seen WHERE c.cid = seen.cid"
    " RETURNING c.cid, c.upvotes, c.downvotes, c.views"};
const Statement kSetBestScore{"set_best_score",
                              "UPDATE sub_post_comments SET best_score = $2 WHERE cid = $1"};

CommentRecord comment_from(const Result& rows, int row) {
    return CommentRecord{.cid = rows.get<std::string>(row, 0),
                         .parent_cid = rows.get<std::string>(row, 1),
                         .uid = rows.get<std::string>(row, 2),
                         .author = rows.get<std::string>(row, 3),
                         .content = rows.get<std::string>(row, 4),
                         .time = rows.get<std::int64_t>(row, 5),
                         .score = rows.get<int>(row, 6),
                         .upvotes = rows.get<int>(row, 7),
                         .downvotes = rows.get<int>(row, 8),
                         .status = rows.get<int>(row, 9),
                         .viewer_vote = rows.get<int>(row, 10)};
}

}  // namespace

awaitable<std::optional<SubRecord>> find_sub(Connection& db, std::string_view name) {
    Result rows = co_await db.query(kFindSub, name);
    if (rows.rows() == 0) {
        co_return std::nullopt;
    }
    co_return sub_from(rows, 0);
}

awaitable<std::optional<SubRecord>> create_sub(Connection& db, std::string_view name,
                                               std::string_view title, std::string_view owner_uid) {
    bool created =
        co_await clients::postgres::transaction(db, [&](Connection& tx) -> awaitable<bool> {
            Result inserted = co_await tx.query(kInsertSub, name, title);
            if (inserted.rows() == 0) {
                co_return false;
            }
            std::string sid = inserted.get<std::string>(0, 0);
            co_await tx.query(kSetUpSub, sid, owner_uid);
            co_return true;
        });
    if (!created) {
        co_return std::nullopt;
    }
    co_return co_await find_sub(db, name);
}

awaitable<std::vector<SubRecord>> list_subs(Connection& db, int page) {
    Result rows = co_await db.query(kListSubs, (std::max(page, 1) - 1) * 50);
    std::vector<SubRecord> subs;
    for (int row = 0; row < rows.rows(); ++row) {
        subs.push_back(sub_from(rows, row));
    }
    co_return subs;
}

awaitable<int> subscription(Connection& db, std::string_view uid, std::string_view sid) {
    Result rows = co_await db.query(kSubscription, uid, sid);
    co_return rows.rows() == 0 ? 0 : rows.get<int>(0, 0);
}

awaitable<bool> set_subscribed(Connection& db, std::string_view uid, std::string_view sid,
                               bool subscribed) {
    Result changed = co_await db.query(subscribed ? kSubscribe : kUnsubscribe, uid, sid);
    co_return changed.affected() > 0;
}

awaitable<bool> is_moderator(Connection& db, std::string_view uid, std::string_view sid) {
    Result rows = co_await db.query(kIsModerator, uid, sid);
    co_return rows.scalar<bool>();
}

awaitable<void> add_default_sub(Connection& db, std::string_view sid) {
    co_await db.query(
        "INSERT INTO site_metadata (key, value) SELECT 'default', $1::text WHERE NOT EXISTS"
        " (SELECT 1 FROM site_metadata WHERE key = 'default' AND value = $1::text)",
        sid);
}

awaitable<PostingContext> posting_context(Connection& db, std::string_view uid,
                                          std::string_view sid, std::string_view link) {
    Result row = co_await db.query(kPostingContext, uid, sid, link);
    co_return PostingContext{.banned = row.get<bool>(0, 0),
                             .moderator = row.get<bool>(0, 1),
                             .restricted = row.get<bool>(0, 2),
                             .text_allowed = row.get<bool>(0, 3),
                             .link_allowed = row.get<bool>(0, 4),
                             .posts_in_sub_today = row.get<int>(0, 5),
                             .posts_today = row.get<int>(0, 6),
                             .recent_same_link = row.get<std::optional<std::int64_t>>(0, 7)};
}

awaitable<std::int64_t> create_post(Connection& db, const NewPost& post) {
    co_return co_await clients::postgres::transaction(
        db, [&](Connection& tx) -> awaitable<std::int64_t> {
            Result inserted =
                co_await tx.query(kInsertPost, post.sid, post.uid, post.title, post.content,
                                  post.link, post.nsfw, post.self_vote ? 1 : 0);
            auto pid = inserted.get<std::int64_t>(0, 0);
            co_await tx.query(kCountPost, post.sid);
            if (post.self_vote) {
                co_await tx.query(kSelfVotePost, pid, post.uid);
            }
            co_return pid;
        });
}

awaitable<std::optional<PostRecord>> find_post(Connection& db, std::int64_t pid,
                                               std::string_view viewer_uid) {
    Result rows = co_await db.query(kFindPost, viewer_uid, pid);
    if (rows.rows() == 0) {
        co_return std::nullopt;
    }
    co_return post_from(rows, 0);
}

awaitable<std::vector<PostRecord>> list_posts(Connection& db, const Scope& scope, Sort sort,
                                              int page, std::string_view viewer_uid) {
    Result rows = co_await db.query(listing_statement(scope.kind, sort), viewer_uid,
                                    (std::max(page, 1) - 1) * kPageSize, scope.id);
    std::vector<PostRecord> posts;
    posts.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) {
        posts.push_back(post_from(rows, row));
    }
    co_return posts;
}

awaitable<std::vector<CommentRecord>> list_comments(Connection& db, std::int64_t pid,
                                                    CommentSort sort, std::string_view viewer_uid) {
    Result rows = co_await db.query(comments_statement(sort), viewer_uid, pid);
    std::vector<CommentRecord> comments;
    comments.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) {
        comments.push_back(comment_from(rows, row));
    }
    co_return comments;
}

awaitable<std::string> create_comment(Connection& db, const NewComment& comment) {
    co_return co_await clients::postgres::transaction(
        db, [&](Connection& tx) -> awaitable<std::string> {
            int votes = comment.self_vote ? 1 : 0;
            Result inserted =
                co_await tx.query(kInsertComment, comment.pid, comment.uid, comment.parent_cid,
                                  comment.content, votes, content::best_score(votes, 0, 0));
            std::string cid = inserted.get<std::string>(0, 0);
            co_await tx.query(kCountComment, comment.pid);
            if (comment.self_vote) {
                co_await tx.query(kSelfVoteComment, cid, comment.uid);
            }
            co_return cid;
        });
}

awaitable<std::optional<CommentRecord>> find_comment(Connection& db, std::string_view cid,
                                                     std::string_view viewer_uid) {
    Result rows = co_await db.query(kFindComment, viewer_uid, cid);
    if (rows.rows() == 0) {
        co_return std::nullopt;
    }
    co_return comment_from(rows, 0);
}

awaitable<int> mark_viewed(Connection& db, std::string_view uid,
                           const std::vector<std::string>& cids, double archive_after_days) {
    // The ids go in as one text[] literal: only ids of our own shape (uuids) are taken.
    std::string array = "{";
    for (const auto& cid : cids) {
        bool plain =
            !cid.empty() && cid.size() <= 40 && std::all_of(cid.begin(), cid.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) || c == '-';
            });
        if (plain) {
            array += (array.size() > 1 ? "," : "") + cid;
        }
    }
    array += "}";
    if (array == "{}") {
        co_return 0;
    }
    co_return co_await clients::postgres::transaction(db, [&](Connection& tx) -> awaitable<int> {
        Result seen = co_await tx.query(kMarkViewed, uid, array, archive_after_days);
        for (int row = 0; row < seen.rows(); ++row) {
            double best = content::best_score(seen.get<int>(row, 1), seen.get<int>(row, 2),
                                              seen.get<int>(row, 3));
            co_await tx.query(kSetBestScore, seen.get<std::string>(row, 0), best);
        }
        co_return seen.rows();
    });
}

awaitable<std::optional<std::int64_t>> comment_post(Connection& db, std::string_view cid) {
    Result rows = co_await db.query("SELECT pid FROM sub_post_comments WHERE cid = $1", cid);
    if (rows.rows() == 0) {
        co_return std::nullopt;
    }
    co_return rows.get<std::int64_t>(0, 0);
}

awaitable<int> count_user_comments(Connection& db, std::string_view uid) {
    Result rows = co_await db.query(
        "SELECT count(*) FROM sub_post_comments WHERE uid = $1 AND status = 0", uid);
    co_return static_cast<int>(rows.scalar<std::int64_t>());
}

awaitable<int> count_user_posts(Connection& db, std::string_view uid) {
    Result rows =
        co_await db.query("SELECT count(*) FROM sub_posts WHERE uid = $1 AND deleted = 0", uid);
    co_return static_cast<int>(rows.scalar<std::int64_t>());
}

}  // namespace throat::store
