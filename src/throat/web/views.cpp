#include "throat/web/views.h"

#include <ctime>
#include <unordered_map>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace throat::web {
namespace {

std::string plural(std::int64_t count, std::string_view unit) {
    return std::to_string(count) + " " + std::string(unit) + (count == 1 ? "" : "s") + " ago";
}

std::string link_domain(std::string_view link) {
    auto parsed = boost::urls::parse_uri(link);
    if (!parsed) {
        return {};
    }
    std::string host(parsed->encoded_host());
    if (host.starts_with("www.")) {
        host.erase(0, 4);
    }
    return host;
}

class CommentRenderer {
public:
    CommentRenderer(const Site& site, const std::vector<store::CommentRecord>& comments,
                    const CommentPage& page)
        : site_(site), page_(page), post_(page.post) {
        for (const auto& comment : comments) {
            by_cid_.emplace(comment.cid, &comment);
        }
    }

    std::string render(const std::vector<content::CommentNode>& nodes, int depth) const {
        std::string html;
        for (const auto& node : nodes) {
            html += node.is_more() ? more(node) : comment(node, depth);
        }
        return html;
    }

private:
    std::string more(const content::CommentNode& node) const {
        View view;
        view.set("pid", std::to_string(post_.pid));
        view.set("parent_cid", node.parent_cid);
        view.set("key", node.key.value_or(""));
        view.set("count", std::to_string(node.more));
        // Without scripts the marker links to the parent's branch on a page of its own.
        std::string url = post_url(site_, post_);
        if (!node.parent_cid.empty()) {
            url += "/" + node.parent_cid;
        }
        view.set("url", url);
        return site_.templates.render("comment_more", view);
    }

    std::string comment(const content::CommentNode& node, int depth) const {
        auto found = by_cid_.find(node.cid);
        if (found == by_cid_.end()) {
            return {};
        }
        const store::CommentRecord& comment = *found->second;
        View view;
        view.set("cid", comment.cid);
        view.set("pid", std::to_string(post_.pid));
        view.set("depth", std::to_string(depth));
        view.set("time_ago", time_ago(comment.time, page_.now));
        view.set("time_iso", iso_time(comment.time));
        view.set("permalink", post_url(site_, post_) + "/" + comment.cid);
        view.set("csrf_token", page_.forms.csrf_token);
        if (comment.status != 0) {
            view.set("deleted", true);
        } else {
            view.set("author", comment.author);
            view.set("author_url", "/u/" + comment.author);
            view.set("content_html", site_.markdown.render(comment.content));
            view.set("votes_html", votes_html(site_, "/do/votecomment/" + comment.cid,
                                              comment.score, comment.viewer_vote, page_.forms));
            view.set("can_reply", page_.can_reply);
        }
        view.set("children", render(node.children, depth + 1));
        return site_.templates.render("comment", view);
    }

    const Site& site_;
    const CommentPage& page_;
    const store::PostRecord& post_;
    std::unordered_map<std::string_view, const store::CommentRecord*> by_cid_;
};

}  // namespace

std::string slugify(std::string_view title) {
    std::string slug;
    bool dash = false;
    for (char raw : title) {
        auto c = static_cast<unsigned char>(raw);
        if (std::isalnum(c) && c < 0x80) {
            if (dash && !slug.empty()) {
                slug += '-';
            }
            dash = false;
            slug += static_cast<char>(std::tolower(c));
        } else if (c != '\'') {
            dash = true;
        }
    }
    if (slug.size() > 80) {
        slug.resize(80);
        while (!slug.empty() && slug.back() == '-') {
            slug.pop_back();
        }
    }
    return slug.empty() ? "_" : slug;
}

std::string time_ago(std::int64_t then, std::int64_t now) {
    std::int64_t seconds = std::max<std::int64_t>(now - then, 0);
    if (seconds < 60) {
        return "just now";
    }
    if (seconds < 3600) {
        return plural(seconds / 60, "minute");
    }
    if (seconds < 86400) {
        return plural(seconds / 3600, "hour");
    }
    if (seconds < 86400 * 30) {
        return plural(seconds / 86400, "day");
    }
    if (seconds < 86400 * 365) {
        return plural(seconds / (86400 * 30), "month");
    }
    return plural(seconds / (86400 * 365), "year");
}

std::string iso_time(std::int64_t unix_seconds) {
    std::time_t time = static_cast<std::time_t>(unix_seconds);
    std::tm parts{};
    gmtime_r(&time, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

std::string sub_url(const Site& site, std::string_view sub_name) {
    return "/" + site.settings.sub_prefix + "/" + std::string(sub_name);
}

std::string post_url(const Site& site, const store::PostRecord& post) {
    return sub_url(site, post.sub_name) + "/" + std::to_string(post.pid) + "/" +
           slugify(post.title);
}

std::string votes_html(const Site& site, std::string_view vote_url, int score, int viewer_vote,
                       const FormContext& forms) {
    View view;
    view.set("vote_url", std::string(vote_url));
    view.set("score", std::to_string(score));
    view.set("upvoted", viewer_vote > 0);
    view.set("downvoted", viewer_vote < 0);
    view.set("csrf_token", forms.csrf_token);
    view.set("here", forms.here);
    return site.templates.render("votes", std::move(view));
}

View post_view(const Site& site, const store::PostRecord& post, std::int64_t now, bool with_content,
               const FormContext& forms) {
    View view;
    view.set("pid", std::to_string(post.pid));
    view.set("votes_html", votes_html(site, "/do/vote/" + std::to_string(post.pid), post.score,
                                      post.viewer_vote, forms));
    view.set("title", post.title);
    view.set("url", post_url(site, post));
    view.set("sub_name", post.sub_name);
    view.set("sub_url", sub_url(site, post.sub_name));
    view.set("author", post.author);
    view.set("author_url", "/u/" + post.author);
    view.set("comments", std::to_string(post.comments));
    view.set("comments_label", post.comments == 1 ? "comment" : "comments");
    view.set("time_ago", time_ago(post.posted, now));
    view.set("time_iso", iso_time(post.posted));
    view.set("nsfw", post.nsfw);
    if (!post.link.empty()) {
        view.set("link", post.link);
        view.set("domain", link_domain(post.link));
    }
    if (with_content && !post.content.empty()) {
        view.set("content_html", site.markdown.render(post.content));
    }
    return view;
}

std::string post_summaries_html(const Site& site, const std::vector<store::PostRecord>& posts,
                                std::int64_t now, const FormContext& forms) {
    std::string html;
    for (const auto& post : posts) {
        html += site.templates.render("post_summary", post_view(site, post, now, false, forms));
    }
    return html;
}

std::string render_comments(const Site& site, const std::vector<content::CommentNode>& nodes,
                            const std::vector<store::CommentRecord>& comments,
                            const CommentPage& page) {
    return CommentRenderer(site, comments, page).render(nodes, 0);
}

}  // namespace throat::web
