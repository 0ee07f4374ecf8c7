#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "throat/content/comment_tree.h"
#include "throat/content/form_rules.h"
#include "throat/store/content.h"
#include "throat/store/voting.h"
#include "throat/web/routes.h"
#include "throat/web/views.h"

namespace throat::web {
namespace {

using clients::postgres::Connection;

std::optional<std::int64_t> post_id(std::string_view text) {
    std::int64_t pid = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), pid);
    if (error != std::errc{} || end != text.data() + text.size() || pid < 1) {
        return std::nullopt;
    }
    return pid;
}

bool archived(const Exchange& exchange, const store::PostRecord& post) {
    return static_cast<double>(exchange.now() - post.posted) / 86400.0 >
           exchange.site().settings.votes.archive_post_after_days;
}

store::CommentSort comment_sort(std::string_view query) {
    auto form = Form::parse("application/x-www-form-urlencoded", query);
    std::string_view sort = form ? form->get("sort") : std::string_view();
    if (sort == "top") {
        return store::CommentSort::top;
    }
    if (sort == "new") {
        return store::CommentSort::new_;
    }
    return store::CommentSort::best;
}

std::vector<content::CommentLink> links_of(const std::vector<store::CommentRecord>& comments) {
    std::vector<content::CommentLink> links;
    links.reserve(comments.size());
    for (const auto& comment : comments) {
        content::CommentLink link{.cid = comment.cid};
        if (!comment.parent_cid.empty()) {
            link.parent_cid = comment.parent_cid;
        }
        links.push_back(std::move(link));
    }
    return links;
}

// ---- Post pages

// GET /s/<sub>/<pid>[/<slug>[/<cid>]]: the post and its comments, or one comment's branch.
awaitable<Response> post_page(Exchange& exchange) {
    std::optional<std::int64_t> pid = post_id(exchange.request().param("pid"));
    if (!pid) {
        co_return exchange.error_page(bhttp::status::not_found);
    }
    Connection& db = *co_await exchange.db();
    std::optional<store::PostRecord> post = co_await store::find_post(db, *pid, exchange.uid());
    if (!post || post->deleted != 0 ||
        !boost::beast::iequals(post->sub_name, exchange.request().param("sub"))) {
        co_return exchange.error_page(bhttp::status::not_found, "This post does not exist.");
    }
    std::string canonical = post_url(exchange.site(), *post);
    std::string_view cid = exchange.request().param("cid");
    if (exchange.request().param("slug") != slugify(post->title)) {
        std::string target = canonical;
        if (!cid.empty()) {
            target += "/" + std::string(cid);
        }
        co_return exchange.redirect(target, bhttp::status::moved_permanently);
    }
    store::CommentSort sort = comment_sort(exchange.request().query());
    std::vector<store::CommentRecord> comments =
        co_await store::list_comments(db, *pid, sort, exchange.uid());
    exchange.release_db();

    content::CommentTreeOptions options;
    if (!cid.empty()) {
        options.root = std::string(cid);
    }
    std::vector<content::CommentNode> tree = content::comment_tree(links_of(comments), options);
    if (!cid.empty() && tree.empty()) {
        co_return exchange.error_page(bhttp::status::not_found, "This comment does not exist.");
    }
    bool can_comment = exchange.user().has_value() && !archived(exchange, *post);
    View view = post_view(exchange.site(), *post, exchange.now(), true, page_forms(exchange));
    CommentPage page{.post = *post,
                     .now = exchange.now(),
                     .can_reply = can_comment,
                     .forms = page_forms(exchange)};
    view.set("comments_html", render_comments(exchange.site(), tree, comments, page));
    view.set("can_comment", can_comment);
    view.set("archived", archived(exchange, *post));
    view.set("branch", !cid.empty());
    View sorts{View::type::list};
    for (auto [known, name] :
         {std::pair{store::CommentSort::best, "best"}, std::pair{store::CommentSort::top, "top"},
          std::pair{store::CommentSort::new_, "new"}}) {
        View tab;
        tab.set("name", std::string(name));
        tab.set("url", canonical + "?sort=" + name);
        tab.set("current", known == sort);
        sorts.push_back(tab);
    }
    view.set("comment_sorts", sorts);
    co_return exchange.page(bhttp::status::ok, post->title, "post", view);
}

// GET /p/<pid>: the short link.
awaitable<Response> short_link(Exchange& exchange) {
    std::optional<std::int64_t> pid = post_id(exchange.request().param("pid"));
    if (!pid) {
        co_return exchange.error_page(bhttp::status::not_found);
    }
    Connection& db = *co_await exchange.db();
    std::optional<store::PostRecord> post = co_await store::find_post(db, *pid, "");
    if (!post || post->deleted != 0) {
        co_return exchange.error_page(bhttp::status::not_found, "This post does not exist.");
    }
    co_return exchange.redirect(post_url(exchange.site(), *post), bhttp::status::moved_permanently);
}

// ---- Submitting posts

struct Submission {
    std::string ptype = "text";
    std::string sub = {};
    std::string title = {};
    std::string content = {};
    std::string link = {};
    bool nsfw = false;
};

Response submit_page(Exchange& exchange, bhttp::status status, std::string_view error,
                     const Submission& submission, std::string_view error_link = {}) {
    View view;
    if (!error.empty()) {
        view.set("error", std::string(error));
    }
    if (!error_link.empty()) {
        view.set("error_link", std::string(error_link));
    }
    view.set("is_link", submission.ptype == "link");
    view.set("ptype", submission.ptype);
    view.set("sub", submission.sub);
    view.set("title", submission.title);
    view.set("content", submission.content);
    view.set("link", submission.link);
    view.set("nsfw", submission.nsfw);
    return exchange.page(status, "Submit a post", "submit", view);
}

awaitable<Response> show_submit(Exchange& exchange) {
    if (!exchange.user()) {
        co_return login_redirect(exchange);
    }
    Submission submission{.ptype = std::string(exchange.request().param("ptype")),
                          .sub = std::string(exchange.request().param("sub"))};
    if (submission.ptype != "text" && submission.ptype != "link") {
        co_return exchange.error_page(bhttp::status::not_found);
    }
    co_return submit_page(exchange, bhttp::status::ok, {}, submission);
}

awaitable<Response> submit_post(Exchange& exchange) {
    if (!exchange.user()) {
        co_return login_redirect(exchange);
    }
    std::optional<Form> form = co_await exchange.submitted_form();
    if (!form) {
        co_return exchange.refused_form();
    }
    Submission submission{.ptype = std::string(exchange.request().param("ptype")),
                          .sub = std::string(form->get("sub")),
                          .title = std::string(form->get("title")),
                          .content = std::string(form->get("content")),
                          .link = std::string(form->get("link")),
                          .nsfw = form->checked("nsfw")};
    if (submission.ptype != "text" && submission.ptype != "link") {
        co_return exchange.error_page(bhttp::status::not_found);
    }
    // Throat's checks, in its order and with its messages (subs.py create_post).
    Connection& db = *co_await exchange.db();
    std::optional<store::SubRecord> sub = co_await store::find_sub(db, submission.sub);
    if (!sub) {
        co_return submit_page(exchange, bhttp::status::ok, "Sub does not exist.", submission);
    }
    if (sub->status != 0 && !exchange.user()->admin) {
        co_return submit_page(exchange, bhttp::status::ok, "Sub is disabled", submission);
    }
    std::optional<std::string> problem = content::post_title_problem(submission.title);
    if (!problem && submission.ptype == "text") {
        problem = content::post_content_problem(submission.content);
        submission.link.clear();
    }
    if (!problem && submission.ptype == "link") {
        problem = submission.link.empty() ? std::optional<std::string>("No link provided.")
                                          : content::post_link_problem(submission.link);
        submission.content.clear();
    }
    if (problem) {
        co_return submit_page(exchange, bhttp::status::ok, *problem, submission);
    }
    const store::UserRecord& poster = *exchange.user();
    store::PostingContext context =
        co_await store::posting_context(db, poster.uid, sub->sid, submission.link);
    const SiteSettings& settings = exchange.site().settings;
    if (!(submission.ptype == "text" ? context.text_allowed : context.link_allowed)) {
        problem = "That post type is not allowed in this sub.";
    } else if (!settings.enable_posting && !poster.admin) {
        problem = "Posting has been temporarily disabled.";
    } else if (context.banned) {
        problem = "You're banned from posting on this sub.";
    } else if (context.restricted && !context.moderator) {
        problem = "Only mods can post on this sub.";
    } else if (content::user_level(poster.score) < 7 &&
               (context.posts_in_sub_today >= settings.daily_sub_posting_limit ||
                context.posts_today >= settings.daily_site_posting_limit)) {
        // Throat compares with >, which lets one post more through than the limit says.
        problem = "You have posted too much today.";
    } else if (context.recent_same_link) {
        co_return submit_page(exchange, bhttp::status::ok,
                              "This link was recently posted on this sub.", submission,
                              "/p/" + std::to_string(*context.recent_same_link));
    }
    if (problem) {
        co_return submit_page(exchange, bhttp::status::ok, *problem, submission);
    }
    store::NewPost post{.sid = sub->sid,
                        .uid = exchange.user()->uid,
                        .title = content::strip_whitespace(submission.title),
                        .content = submission.content,
                        .link = submission.link,
                        .nsfw = submission.nsfw || sub->nsfw,
                        .self_vote = exchange.site().settings.votes.self_voting_posts};
    std::int64_t pid = co_await store::create_post(db, post);
    store::PostRecord created{.pid = pid, .sub_name = sub->name, .title = post.title};
    co_return exchange.redirect(post_url(exchange.site(), created), bhttp::status::see_other);
}

// ---- Comments

awaitable<Response> send_comment(Exchange& exchange) {
    std::optional<Form> form = co_await exchange.submitted_form();
    if (!form) {
        co_return exchange.refused_form();
    }
    if (!exchange.user()) {
        co_return account_needed(exchange, "/p/" + std::string(exchange.request().param("pid")));
    }
    std::optional<std::int64_t> pid = post_id(exchange.request().param("pid"));
    if (std::string_view field = form->get("post");
        !pid || (!field.empty() && post_id(field) != pid)) {
        co_return exchange.json_error(bhttp::status::not_found, "Post not found");
    }
    std::string text(form->get("comment"));
    std::string parent(form->get("parent"));
    if (parent == "0") {
        parent.clear();
    }
    if (std::optional<std::string> problem = content::comment_problem(text)) {
        co_return exchange.json_error(bhttp::status::bad_request, *problem);
    }
    if (!exchange.site().settings.enable_posting && !exchange.user()->admin) {
        co_return exchange.json_error(bhttp::status::bad_request,
                                      "Posting has been temporarily disabled");
    }
    Connection& db = *co_await exchange.db();
    std::optional<store::PostRecord> post = co_await store::find_post(db, *pid, exchange.uid());
    if (!post || post->deleted != 0) {
        co_return exchange.json_error(bhttp::status::not_found, "Post not found");
    }
    if (archived(exchange, *post)) {
        co_return exchange.json_error(bhttp::status::bad_request, "Post is archived");
    }
    clients::postgres::Result checks = co_await db.query(
        "SELECT EXISTS (SELECT 1 FROM sub_post_metadata WHERE pid = $1 AND key = 'lock-comments'"
        "   AND value = '1'),"
        " EXISTS (SELECT 1 FROM sub_bans b WHERE b.uid = $2 AND b.sid = $3 AND b.effective"
        "   AND (b.expires IS NULL OR b.expires > now())),"
        " (SELECT status FROM subs WHERE sid = $3)",
        *pid, exchange.uid(), post->sid);
    if (checks.get<bool>(0, 0)) {
        co_return exchange.json_error(bhttp::status::bad_request,
                                      "Comments are closed on this post.");
    }
    if (checks.get<bool>(0, 1)) {
        co_return exchange.json_error(bhttp::status::bad_request,
                                      "You are currently banned from commenting");
    }
    if (checks.get<int>(0, 2) != 0) {
        co_return exchange.json_error(bhttp::status::bad_request, "Sub is disabled");
    }
    if (!parent.empty()) {
        clients::postgres::Result found =
            co_await db.query("SELECT pid, status FROM sub_post_comments WHERE cid = $1", parent);
        if (found.rows() == 0 || found.get<std::int64_t>(0, 0) != *pid ||
            found.get<int>(0, 1) != 0) {
            co_return exchange.json_error(bhttp::status::not_found,
                                          "Parent comment does not exist");
        }
    }
    store::NewComment comment{.pid = *pid,
                              .uid = exchange.user()->uid,
                              .parent_cid = parent,
                              .content = text,
                              .self_vote = exchange.site().settings.votes.self_voting_comments};
    std::string cid = co_await store::create_comment(db, comment);
    std::string address = post_url(exchange.site(), *post) + "/" + cid;
    if (!exchange.wants_json()) {
        co_return exchange.redirect(post_url(exchange.site(), *post) + "#comment-" + cid,
                                    bhttp::status::see_other);
    }
    std::optional<store::CommentRecord> created =
        co_await store::find_comment(db, cid, exchange.uid());
    exchange.release_db();
    std::vector<content::CommentNode> single{content::CommentNode{.cid = cid}};
    CommentPage page{
        .post = *post,
        .now = exchange.now(),
        .can_reply = true,
        .forms = {.csrf_token = exchange.csrf_token(), .here = post_url(exchange.site(), *post)}};
    std::string html = render_comments(exchange.site(), single, {*created}, page);
    boost::json::object answer{
        {"status", "ok"}, {"addr", address}, {"cid", cid}, {"comment", html}};
    co_return exchange.json(bhttp::status::ok, boost::json::serialize(answer));
}

// POST /do/get_children/<pid>/<cid>[/<key>]: the comments a "load more" marker stood for, as
// HTML. <cid> "null" means the top level; <key> the last comment already shown there.
awaitable<Response> load_more(Exchange& exchange) {
    std::optional<std::int64_t> pid = post_id(exchange.request().param("pid"));
    if (!pid) {
        co_return exchange.json_error(bhttp::status::not_found, "Post not found");
    }
    std::string parent(exchange.request().param("cid"));
    std::string key(exchange.request().param("key"));
    Connection& db = *co_await exchange.db();
    std::optional<store::PostRecord> post = co_await store::find_post(db, *pid, exchange.uid());
    if (!post || post->deleted != 0) {
        co_return exchange.json_error(bhttp::status::not_found, "Post not found");
    }
    store::CommentSort sort = comment_sort(exchange.request().query());
    std::vector<store::CommentRecord> comments =
        co_await store::list_comments(db, *pid, sort, exchange.uid());
    exchange.release_db();
    content::CommentTreeOptions options;
    if (!key.empty()) {
        options.only_after = key;
    }
    std::vector<content::CommentNode> tree;
    if (parent == "null") {
        tree = content::comment_tree(links_of(comments), options);
    } else {
        options.root = parent;
        options.provide_context = false;
        std::vector<content::CommentNode> branch =
            content::comment_tree(links_of(comments), options);
        if (branch.empty()) {
            co_return exchange.json_error(bhttp::status::not_found, "Comment not found");
        }
        tree = std::move(branch.front().children);
    }
    bool can_reply = exchange.user().has_value() && !archived(exchange, *post);
    Response response{bhttp::status::ok, 11};
    response.set(bhttp::field::content_type, "text/html; charset=utf-8");
    CommentPage page{
        .post = *post,
        .now = exchange.now(),
        .can_reply = can_reply,
        .forms = {.csrf_token = exchange.csrf_token(), .here = post_url(exchange.site(), *post)}};
    response.body() = render_comments(exchange.site(), tree, comments, page);
    response.prepare_payload();
    co_return response;
}

// ---- Votes

std::optional<content::VoteValue> vote_value(std::string_view text) {
    if (text == "up") {
        return content::VoteValue::up;
    }
    if (text == "down") {
        return content::VoteValue::down;
    }
    return std::nullopt;
}

// POST /do/vote/<pid>/<up|down> and /do/votecomment/<cid>/<up|down>: {"status": "ok", "score",
// "rm"} for scripts; a form without scripts goes back where it came from.
PageHandler vote(bool on_comment) {
    return [on_comment](Exchange& exchange) -> awaitable<Response> {
        std::optional<Form> form = co_await exchange.submitted_form();
        if (!form) {
            co_return exchange.refused_form();
        }
        if (!exchange.user()) {
            co_return account_needed(exchange, form->get("next"));
        }
        std::optional<content::VoteValue> value = vote_value(exchange.request().param("value"));
        if (!value) {
            co_return exchange.json_error(bhttp::status::bad_request, "Invalid vote value");
        }
        Connection& db = *co_await exchange.db();
        store::VoteOutcome outcome;
        if (on_comment) {
            std::string cid(exchange.request().param("cid"));
            outcome = co_await store::vote_on_comment(db, cid, exchange.uid(), *value,
                                                      exchange.site().settings.votes);
        } else {
            std::optional<std::int64_t> pid = post_id(exchange.request().param("pid"));
            if (!pid) {
                co_return exchange.json_error(bhttp::status::not_found, "Post does not exist");
            }
            outcome = co_await store::vote_on_post(db, *pid, exchange.uid(), *value,
                                                   exchange.site().settings.votes);
        }
        if (outcome.refused) {
            co_return exchange.json_error(static_cast<bhttp::status>(outcome.refused->status),
                                          outcome.refused->message);
        }
        if (!exchange.wants_json()) {
            co_return exchange.redirect(local_path(form->get("next")), bhttp::status::see_other);
        }
        boost::json::object answer{
            {"status", "ok"}, {"score", outcome.score}, {"rm", outcome.removed}};
        co_return exchange.json(bhttp::status::ok, boost::json::serialize(answer));
    };
}

// POST /do/mark_viewed {cids: JSON list}: the page's script reports the comments shown; their
// views make the "best" order (Throat's Wilson bound uses views as the trials).
awaitable<Response> mark_viewed(Exchange& exchange) {
    std::optional<Form> form = co_await exchange.submitted_form();
    if (!form) {
        co_return exchange.refused_form();
    }
    if (!exchange.user()) {
        co_return exchange.json_error(bhttp::status::forbidden, "Not authorized");
    }
    boost::system::error_code error;
    boost::json::value listed = boost::json::parse(form->get("cids"), error);
    if (error || !listed.is_array() || listed.as_array().size() > 1000) {
        co_return exchange.json_error(bhttp::status::bad_request, "Invalid comment list");
    }
    std::vector<std::string> cids;
    for (const auto& cid : listed.as_array()) {
        if (cid.is_string()) {
            cids.emplace_back(cid.as_string());
        }
    }
    Connection& db = *co_await exchange.db();
    co_await store::mark_viewed(db, exchange.uid(), cids,
                                exchange.site().settings.votes.archive_post_after_days);
    co_return exchange.json(bhttp::status::ok, R"({"status":"ok"})");
}

// POST /do/preview {text}: the markdown as it will show.
awaitable<Response> preview(Exchange& exchange) {
    std::optional<Form> form = co_await exchange.submitted_form();
    if (!form) {
        co_return exchange.refused_form();
    }
    if (!exchange.user()) {
        co_return exchange.json_error(bhttp::status::forbidden, "Not authorized");
    }
    boost::json::object answer{{"status", "ok"},
                               {"text", exchange.site().markdown.render(form->get("text"))}};
    co_return exchange.json(bhttp::status::ok, boost::json::serialize(answer));
}

}  // namespace

void add_post_routes(core::http::Router& router, const Site& site) {
    const std::string sub = "/" + site.settings.sub_prefix + "/{sub}";
    add_page(router, site, bhttp::verb::get, sub + "/{pid}", post_page);
    add_page(router, site, bhttp::verb::get, sub + "/{pid}/{slug}", post_page);
    add_page(router, site, bhttp::verb::get, sub + "/{pid}/{slug}/{cid}", post_page);
    add_page(router, site, bhttp::verb::get, "/p/{pid}", short_link);
    add_page(router, site, bhttp::verb::get, "/submit/{ptype}", show_submit);
    add_page(router, site, bhttp::verb::get, "/submit/{ptype}/{sub}", show_submit);
    add_page(router, site, bhttp::verb::post, "/submit/{ptype}", submit_post, kPostingLimit);
    add_page(router, site, bhttp::verb::post, "/submit/{ptype}/{sub}", submit_post, kPostingLimit);
    add_page(router, site, bhttp::verb::post, "/do/sendcomment/{pid}", send_comment, kPostingLimit);
    add_page(router, site, bhttp::verb::post, "/do/get_children/{pid}/{cid}", load_more);
    add_page(router, site, bhttp::verb::post, "/do/get_children/{pid}/{cid}/{key}", load_more);
    add_page(router, site, bhttp::verb::post, "/do/vote/{pid}/{value}", vote(false));
    add_page(router, site, bhttp::verb::post, "/do/votecomment/{cid}/{value}", vote(true));
    add_page(router, site, bhttp::verb::post, "/do/preview", preview);
    add_page(router, site, bhttp::verb::post, "/do/mark_viewed", mark_viewed);
}

}  // namespace throat::web
