#include "throat/store/voting.h"

#include "clients/postgres/pool.h"

namespace throat::store {
namespace {

using boost::asio::awaitable;
using clients::postgres::Connection;
using clients::postgres::Result;
using clients::postgres::Statement;
using content::VoteValue;

// The target row is locked first, so that votes on one post or comment are counted one after
// the other; then both users in the order of their ids, so that two votes between the same two
// people (each on the other's post) cannot deadlock.
const Statement kLockPost{
    "vote_lock_post",
    "SELECT p.uid, p.deleted, extract(epoch FROM now() - p.posted) / 86400,"
    " EXISTS (SELECT 1 FROM sub_bans b WHERE b.uid = $2 AND b.sid = p.sid AND b.effective"
    "   AND (b.expires IS NULL OR b.expires > now()))"
    " FROM sub_posts p WHERE p.pid = $1 FOR UPDATE OF p"};
const Statement kLockComment{
    "vote_lock_comment",
    "SELECT c.uid, c.status, extract(epoch FROM now() - p.posted) / 86400,"
    " EXISTS (SELECT 1 FROM sub_bans b WHERE b.uid = $2 AND b.sid = p.sid AND b.effective"
    "   AND (b.expires IS NULL OR b.expires > now())),"
    " p.deleted, c.views, c.upvotes, c.downvotes"
    " FROM sub_post_comments c JOIN sub_posts p ON p.pid = c.pid WHERE c.cid = $1"
    " FOR UPDATE OF c"};
const Statement kLockUsers{"vote_lock_users",
                           "SELECT uid, given FROM users WHERE uid IN ($1, $2) ORDER BY uid"
                           " FOR UPDATE"};
const Statement kPostVote{"vote_post_previous",
                          "SELECT positive FROM sub_post_votes WHERE pid = $1 AND uid = $2"};
const Statement kCommentVote{
    "vote_comment_previous",
    "SELECT positive FROM sub_post_comment_votes WHERE cid = $1 AND uid = $2"};
const Statement kStorePostVote{
    "vote_post_store",
    "INSERT INTO sub_post_votes (pid, uid, positive) VALUES ($1, $2, $3)"
    " ON CONFLICT (pid, uid) DO UPDATE SET positive = excluded.positive, datetime = now()"};
const Statement kDeletePostVote{"vote_post_delete",
                                "DELETE FROM sub_post_votes WHERE pid = $1 AND uid = $2"};
const Statement kStoreCommentVote{
    "vote_comment_store",
    "INSERT INTO sub_post_comment_votes (cid, uid, positive) VALUES ($1, $2, $3)"
    " ON CONFLICT (cid, uid) DO UPDATE SET positive = excluded.positive, datetime = now()"};
const Statement kDeleteCommentVote{
    "vote_comment_delete", "DELETE FROM sub_post_comment_votes WHERE cid = $1 AND uid = $2"};
const Statement kCountPostVote{
    "vote_post_count",
    "UPDATE sub_posts SET score = score + $2, upvotes = upvotes + $3, downvotes = downvotes + $4"
    " WHERE pid = $1 RETURNING score"};
const Statement kCountCommentVote{
    "vote_comment_count",
    "UPDATE sub_post_comments SET score = score + $2, upvotes = upvotes + $3,"
    " downvotes = downvotes + $4, best_score = coalesce($5, best_score)"
    " WHERE cid = $1 RETURNING score"};
const Statement kCreditUsers{
    "vote_credit_users",
    "UPDATE users SET score = score + CASE WHEN uid = $1 THEN $3 ELSE 0 END,"
    " given = given + CASE WHEN uid = $2 THEN $4 ELSE 0 END WHERE uid IN ($1, $2)"};

std::optional<VoteValue> previous_vote(const Result& rows) {
    if (rows.rows() == 0) {
        return std::nullopt;
    }
    return rows.get<bool>(0, 0) ? VoteValue::up : VoteValue::down;
}

// The statements that keep one kind of vote (on posts, on comments).
struct VoteRows {
    const Statement& previous;
    const Statement& store;
    const Statement& remove;
};
const VoteRows kPostVoteRows{kPostVote, kStorePostVote, kDeletePostVote};
const VoteRows kCommentVoteRows{kCommentVote, kStoreCommentVote, kDeleteCommentVote};

// Stores, turns around or takes back the voter's vote on `target` (a pid or a cid) and
// returns what that changes.
template <typename Target>
awaitable<content::VoteEffect> record_vote(Connection& tx, const VoteRows& rows,
                                           const Target& target, std::string_view voter,
                                           VoteValue value) {
    Result earlier = co_await tx.query(rows.previous, target, voter);
    content::VoteEffect effect = content::vote_effect(previous_vote(earlier), value);
    if (effect.stored) {
        co_await tx.query(rows.store, target, voter, *effect.stored == VoteValue::up);
    } else {
        co_await tx.query(rows.remove, target, voter);
    }
    co_return effect;
}

// Locks both users and returns the voter's given balance (0 when the voter is gone).
awaitable<int> lock_users(Connection& tx, std::string_view author, std::string_view voter) {
    Result users = co_await tx.query(kLockUsers, author, voter);
    for (int row = 0; row < users.rows(); ++row) {
        if (users.get<std::string_view>(row, 0) == voter) {
            co_return users.get<int>(row, 1);
        }
    }
    co_return 0;
}

}  // namespace

awaitable<VoteOutcome> vote_on_post(Connection& db, std::int64_t pid, std::string_view voter_uid,
                                    VoteValue value, const VotePolicy& policy) {
    co_return co_await clients::postgres::transaction(
        db, [&](Connection& tx) -> awaitable<VoteOutcome> {
            VoteOutcome outcome;
            Result post = co_await tx.query(kLockPost, pid, voter_uid);
            content::VoteContext context{.target = content::VoteTarget::post, .value = value};
            context.target_exists = post.rows() == 1 && post.get<int>(0, 1) == 0;
            context.self_voting_allowed = policy.self_voting_posts;
            context.archive_post_after_days = policy.archive_post_after_days;
            if (post.rows() == 1) {
                outcome.author_uid = post.get<std::string>(0, 0);
                context.own_target = outcome.author_uid == voter_uid;
                context.age_days = post.get<double>(0, 2);
                context.banned_from_sub = post.get<bool>(0, 3);
                context.voter_given = co_await lock_users(tx, outcome.author_uid, voter_uid);
            }
            if ((outcome.refused = content::vote_refusal(context))) {
                co_return outcome;
            }
            content::VoteEffect effect =
                co_await record_vote(tx, kPostVoteRows, pid, voter_uid, value);
            Result counted = co_await tx.query(kCountPostVote, pid, effect.score_delta,
                                               effect.upvotes_delta, effect.downvotes_delta);
            co_await tx.query(kCreditUsers, outcome.author_uid, voter_uid, effect.score_delta,
                              effect.given_delta);
            outcome.score = counted.get<int>(0, 0);
            outcome.removed = effect.removed;
            co_return outcome;
        });
}

awaitable<VoteOutcome> vote_on_comment(Connection& db, std::string_view cid,
                                       std::string_view voter_uid, VoteValue value,
                                       const VotePolicy& policy) {
    co_return co_await clients::postgres::transaction(
        db, [&](Connection& tx) -> awaitable<VoteOutcome> {
            VoteOutcome outcome;
            Result comment = co_await tx.query(kLockComment, cid, voter_uid);
            content::VoteContext context{.target = content::VoteTarget::comment, .value = value};
            // Throat refuses votes on deleted comments and on comments of deleted posts.
            context.target_exists =
                comment.rows() == 1 && comment.get<int>(0, 1) == 0 && comment.get<int>(0, 4) == 0;
            context.self_voting_allowed = policy.self_voting_comments;
            context.archive_post_after_days = policy.archive_post_after_days;
            int views = 0;
            content::VoteCounts counts;
            if (comment.rows() == 1) {
                outcome.author_uid = comment.get<std::string>(0, 0);
                context.own_target = outcome.author_uid == voter_uid;
                context.age_days = comment.get<double>(0, 2);
                context.banned_from_sub = comment.get<bool>(0, 3);
                views = comment.get<int>(0, 5);
                counts.upvotes = comment.get<int>(0, 6);
                counts.downvotes = comment.get<int>(0, 7);
                context.voter_given = co_await lock_users(tx, outcome.author_uid, voter_uid);
            }
            if ((outcome.refused = content::vote_refusal(context))) {
                co_return outcome;
            }
            content::VoteEffect effect =
                co_await record_vote(tx, kCommentVoteRows, cid, voter_uid, value);
            // Throat recomputes best_score on a vote only once the comment has been seen.
            std::optional<double> best;
            if (views > 0) {
                content::VoteCounts after = content::apply(counts, effect);
                best = content::best_score(after.upvotes, after.downvotes, views);
            }
            Result counted = co_await tx.query(kCountCommentVote, cid, effect.score_delta,
                                               effect.upvotes_delta, effect.downvotes_delta, best);
            co_await tx.query(kCreditUsers, outcome.author_uid, voter_uid, effect.score_delta,
                              effect.given_delta);
            outcome.score = counted.get<int>(0, 0);
            outcome.removed = effect.removed;
            co_return outcome;
        });
}

}  // namespace throat::store
