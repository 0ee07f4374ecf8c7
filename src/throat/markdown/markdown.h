#pragma once

#include <string>
#include <string_view>

// Markdown of posts, comments, sidebars and messages, with Throat's rules (our_markdown,
// app/misc.py): GitHub-flavoured tables, fenced code, autolinks, ~~strikethrough~~ and
// ^superscript; raw HTML shown as text, images shown as their source, links only to http(s),
// gopher, gemini, ftp, magnet, relative and #anchors (others shown as text), every link with
// rel="noopener nofollow ugc" target="_blank"; @name, /u/name and /<sub_prefix>/name linked
// outside code and links; >!spoilers!< outside code.
namespace throat::markdown {

struct Options {
    std::string sub_prefix = "s";
};

// One per program, made before any thread renders: cmark-gfm registers its extensions in a
// process-wide table once, without a lock. render() may then run on any thread.
class Renderer {
public:
    explicit Renderer(Options options = {});

    // HTML that is safe to put in a page as it is: the only tags in it are the renderer's own.
    std::string render(std::string_view text) const;

private:
    Options options_;
};

}  // namespace throat::markdown
