#include "throat/content/form_rules.h"

#include <gtest/gtest.h>

namespace throat::content {
namespace {

TEST(StripWhitespace, ThroatsSetAtBothEnds) {
    EXPECT_EQ(strip_whitespace("  a b \t\n"), "a b");
    // U+3000 ideographic space, U+200B zero width space, U+00AD soft hyphen, U+FEFF.
    EXPECT_EQ(strip_whitespace("\xE3\x80\x80\xE2\x80\x8B"
                               "abc"
                               "\xC2\xAD\xEF\xBB\xBF"),
              "abc");
    EXPECT_EQ(strip_whitespace("\xE2\x80\x8B\xE2\x80\x8B"), "");
    EXPECT_EQ(strip_whitespace("a\xE2\x80\x8B"
                               "b"),
              "a\xE2\x80\x8B"
              "b");  // inside stays
}

TEST(SubName, TwoTo32NamingCharactersNotReserved) {
    EXPECT_EQ(sub_name_problem("news"), std::nullopt);
    EXPECT_EQ(sub_name_problem("a_b-9"), std::nullopt);
    EXPECT_EQ(sub_name_problem(""), "This field is required.");
    EXPECT_EQ(sub_name_problem("a"), "Field must be between 2 and 32 characters long.");
    EXPECT_EQ(sub_name_problem(std::string(33, 'a')),
              "Field must be between 2 and 32 characters long.");
    EXPECT_EQ(sub_name_problem("two words"), "Sub name has invalid characters");
    for (const char* reserved : {"all", "new", "HOT", "Top", "admin", "home"}) {
        EXPECT_EQ(sub_name_problem(reserved), "Invalid sub name") << reserved;
    }
    EXPECT_EQ(sub_title_problem("A sub"), std::nullopt);
    EXPECT_EQ(sub_title_problem(std::string(51, 't')),
              "Field must be between 2 and 50 characters long.");
}

TEST(PostTitle, ThreeTo255CharactersThatAreNotAllWhitespace) {
    EXPECT_EQ(post_title_problem("Hi!"), std::nullopt);
    EXPECT_EQ(post_title_problem(std::string(255, 'x')), std::nullopt);
    EXPECT_EQ(post_title_problem("Hi"), "Field must be between 3 and 255 characters long.");
    EXPECT_EQ(post_title_problem(std::string(256, 'x')),
              "Field must be between 3 and 255 characters long.");
    EXPECT_EQ(post_title_problem("   "), "This field is required.");
    EXPECT_EQ(post_title_problem(" a\xE2\x80\x8B\xE2\x80\x8B "),
              "Title is too short and/or contains whitespace characters.");
    // 3 characters of 2 bytes each.
    EXPECT_EQ(post_title_problem("\xC3\xA9\xC3\xA9\xC3\xA9"), std::nullopt);
}

TEST(PostBody, ContentLinkAndCommentLimits) {
    EXPECT_EQ(post_content_problem(""), std::nullopt);
    EXPECT_EQ(post_content_problem(std::string(65535, 'c')), std::nullopt);
    EXPECT_EQ(post_content_problem(std::string(65536, 'c')),
              "Field cannot be longer than 65535 characters.");
    EXPECT_EQ(comment_problem("k"), std::nullopt);
    EXPECT_EQ(comment_problem(""), "This field is required.");
    EXPECT_EQ(comment_problem(std::string(16385, 'c')),
              "Field must be between 1 and 16384 characters long.");
}

TEST(PostLink, OnlySchemesThatOpenAPage) {
    EXPECT_EQ(post_link_problem("javascript://example.com/%0Aalert(1)"), "Invalid URL.");
    EXPECT_EQ(post_link_problem("data://example.com/text"), "Invalid URL.");
    EXPECT_EQ(post_link_problem("gemini://example.com/"), std::nullopt);
}

TEST(PostLink, WtformsUrlRules) {
    for (const char* good :
         {"https://example.com", "http://a.example.org:8080/path?q=1", "ftp://files.example.net/x",
          "https://127.0.0.1/x", "HTTPS://EXAMPLE.COM/", "https://xn--bcher-kva.example",
          "https://b\xC3\xBC"
          "cher.example/"}) {
        EXPECT_EQ(post_link_problem(good), std::nullopt) << good;
    }
    EXPECT_EQ(post_link_problem(""), std::nullopt);              // no link
    EXPECT_EQ(post_link_problem("http://a.b"), "Invalid URL.");  // a one-letter top-level domain
    EXPECT_EQ(post_link_problem("ab.cd"), "Field must be between 10 and 255 characters long.");
    for (const char* bad : {"example.com/no-scheme", "https://localhost/x", "https://exa mple.com",
                            "https://-bad.example/", "https://bad-.example/", "1https://x.example",
                            "https://example.com:port/", "javascript:alert(1)//x",
                            // WTForms' host pattern stops at the first colon.
                            "https://[::1]/x"}) {
        EXPECT_EQ(post_link_problem(bad), "Invalid URL.") << bad;
    }
    EXPECT_EQ(post_link_problem("https://example.com/" + std::string(240, 'p')),
              "Field must be between 10 and 255 characters long.");
}

}  // namespace
}  // namespace throat::content
