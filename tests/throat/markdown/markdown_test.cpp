#include "throat/markdown/markdown.h"

#include <gtest/gtest.h>

namespace throat::markdown {
namespace {

const std::string kA = R"(<a rel="noopener nofollow ugc" target="_blank" href=")";

class Markdown : public ::testing::Test {
protected:
    std::string html(std::string_view text) const { return renderer_.render(text); }
    Renderer renderer_;
};

TEST_F(Markdown, RendersTheUsualMarkdown) {
    EXPECT_EQ(html("hello *world*"), "<p>hello <em>world</em></p>\n");
    EXPECT_EQ(html("~~gone~~ ~kept~"), "<p><del>gone</del> ~kept~</p>\n");
    EXPECT_EQ(html("x^2 and ^(a b) and a ^ alone"),
              "<p>x<sup>2</sup> and <sup>a b</sup> and a ^ alone</p>\n");
    EXPECT_EQ(html("```\ncode <b>\n```"), "<pre><code>code &lt;b&gt;\n</code></pre>\n");
    EXPECT_EQ(html("| a | b |\n|---|---|\n| 1 | 2 |"),
              "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n"
              "<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n");
}

TEST_F(Markdown, TheAuthorsHtmlIsShownAsText) {
    EXPECT_EQ(html("<script>alert(1)</script>"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
    EXPECT_EQ(html("a <b onclick=\"x()\">b</b>"),
              "<p>a &lt;b onclick=&quot;x()&quot;&gt;b&lt;/b&gt;</p>\n");
}

TEST_F(Markdown, LinksOnlyToAllowedSchemesAndAlwaysNofollow) {
    EXPECT_EQ(html("[x](https://e.com/a?b=1&c=2)"),
              "<p>" + kA + "https://e.com/a?b=1&amp;c=2\">x</a></p>\n");
    EXPECT_EQ(html("[x](/s/news \"say \\\"hi\\\"\")"),
              "<p>" + kA + "/s/news\" title=\"say &quot;hi&quot;\">x</a></p>\n");
    EXPECT_EQ(html("[x](MAGNET:?xt=1)"), "<p>" + kA + "MAGNET:?xt=1\">x</a></p>\n");
    EXPECT_EQ(html("[x](javascript:alert(1))"), "<p>[x](javascript:alert(1))</p>\n");
    EXPECT_EQ(html("[x](data:text/html,<b>)"), "<p>[x](data:text/html,&lt;b&gt;)</p>\n");
    EXPECT_EQ(html("see https://e.com now"),
              "<p>see " + kA + "https://e.com\">https://e.com</a> now</p>\n");
    EXPECT_EQ(html("write to me@example.com"), "<p>write to me@example.com</p>\n");
}

TEST_F(Markdown, ImagesAreShownAsTheirSource) {
    EXPECT_EQ(html("![cat](https://e.com/c.png)"), "<p>![cat](https://e.com/c.png)</p>\n");
    EXPECT_EQ(html("[![cat](https://e.com/c.png)](https://e.com)"),
              "<p>" + kA + "https://e.com\">![cat](https://e.com/c.png)</a></p>\n");
    EXPECT_EQ(html("![a [b](/c)](/d)"), "<p>![a b](/d)</p>\n");
}

TEST_F(Markdown, MentionsOfUsersAndSubsBecomeLinks) {
    EXPECT_EQ(html("hi @alice, /u/bob and /s/news"), "<p>hi " + kA + "/u/alice\">@alice</a>, " +
                                                         kA + "/u/bob\">/u/bob</a> and " + kA +
                                                         "/s/news\">/s/news</a></p>\n");
    // Not inside words, addresses, paths, code or links.
    EXPECT_EQ(html("me@mail.com a/u/x `@alice`"), "<p>me@mail.com a/u/x <code>@alice</code></p>\n");
    EXPECT_EQ(html("[@alice](/elsewhere)"), "<p>" + kA + "/elsewhere\">@alice</a></p>\n");
    EXPECT_EQ(html("```\n@alice\n```"), "<pre><code>@alice\n</code></pre>\n");
    EXPECT_EQ(html("__@under_score__"),
              "<p><strong>" + kA + "/u/under_score\">@under_score</a></strong></p>\n");

    Renderer other_prefix({.sub_prefix = "c"});
    EXPECT_EQ(other_prefix.render("/c/news /s/news"),
              "<p>" + kA + "/c/news\">/c/news</a> /s/news</p>\n");
}

TEST_F(Markdown, SpoilersOutsideCode) {
    EXPECT_EQ(html(">!the butler!< did it"), "<p><spoiler>the butler</spoiler> did it</p>\n");
    EXPECT_EQ(html("a >!b!< c >!d!< e"), "<p>a <spoiler>b!&lt; c &gt;!d</spoiler> e</p>\n");
    EXPECT_EQ(html("`>!x!<`"), "<p><code>&gt;!x!&lt;</code></p>\n");
    EXPECT_EQ(html("```\n>!x!<\n```"), "<pre><code>&gt;!x!&lt;\n</code></pre>\n");
    EXPECT_EQ(html("> quoted"), "<blockquote>\n<p>quoted</p>\n</blockquote>\n");
}

TEST_F(Markdown, HostileInputEndsWithoutHarm) {
    std::string nested(50000, '>');
    EXPECT_FALSE(html(nested + "x").empty());
    std::string brackets;
    for (int i = 0; i < 20000; ++i) {
        brackets += "[";
    }
    EXPECT_FALSE(html(brackets + "x" + std::string(20000, ']')).empty());
    // Found by the fuzzer: the autolink extension makes a link of "/@o" inside the link.
    EXPECT_EQ(html("[</@o>]()"), "<p>[/@o]()</p>\n");
    EXPECT_EQ(html(std::string("a\0b", 3)),
              "<p>a\xEF\xBF\xBD"
              "b</p>\n");
}

}  // namespace
}  // namespace throat::markdown
