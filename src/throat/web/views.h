#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "throat/content/comment_tree.h"
#include "throat/store/records.h"
#include "throat/web/site.h"
#include "throat/web/templates.h"

// What the templates are given: records of the store turned into template views, with the
// URLs, the relative times and the rendered markdown.
namespace throat::web {

// python-slugify as Throat calls it: lower-case ASCII words joined by '-', at most 80
// characters, "_" when nothing is left.
std::string slugify(std::string_view title);

// "3 hours ago"
std::string time_ago(std::int64_t then, std::int64_t now);
// 2026-11-29T20:15:00Z
std::string iso_time(std::int64_t unix_seconds);

std::string post_url(const Site& site, const store::PostRecord& post);
std::string sub_url(const Site& site, std::string_view sub_name);

// What the forms of a page carry: the session's CSRF token, and the page's path to come back
// to after a vote sent without scripts.
struct FormContext {
    std::string csrf_token = {};
    std::string here = {};
};

// The vote buttons and score of a post (/do/vote/<pid>) or comment (/do/votecomment/<cid>).
std::string votes_html(const Site& site, std::string_view vote_url, int score, int viewer_vote,
                       const FormContext& forms);

// A post in a listing, or with its content on its own page (`with_content`).
View post_view(const Site& site, const store::PostRecord& post, std::int64_t now, bool with_content,
               const FormContext& forms);
// The items of a listing of posts, as HTML.
std::string post_summaries_html(const Site& site, const std::vector<store::PostRecord>& posts,
                                std::int64_t now, const FormContext& forms);

// The HTML of a comment thread: `nodes` (comment_tree()) with the rows in `comments`.
struct CommentPage {
    const store::PostRecord& post;
    std::int64_t now = 0;
    bool can_reply = false;
    FormContext forms = {};
};
std::string render_comments(const Site& site, const std::vector<content::CommentNode>& nodes,
                            const std::vector<store::CommentRecord>& comments,
                            const CommentPage& page);

}  // namespace throat::web
