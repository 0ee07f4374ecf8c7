#pragma once

#include <optional>
#include <string>
#include <string_view>

// What the forms of subs, posts and comments accept, with the messages Throat's forms give
// (WTForms validators in app/forms/sub.py and the checks of app/views/subs.py). Lengths are in
// characters (code points), as Python counts them. Each function returns the problem, or
// nothing when the value is accepted.
namespace throat::content {

// Throat's WHITESPACE (app/misc.py): ASCII and Unicode spaces, zero-width characters, the soft
// hyphen and U+FFFC, removed from both ends.
std::string strip_whitespace(std::string_view text);

// 2-32 characters of [a-zA-Z0-9_-], and none of all, new, hot, top, admin, home.
std::optional<std::string> sub_name_problem(std::string_view name);
// 2-50 characters when the sub is created.
std::optional<std::string> sub_title_problem(std::string_view title);
// 3-255 characters, and still 3 once whitespace is stripped from both ends.
std::optional<std::string> post_title_problem(std::string_view title);
// At most 65,535 characters (may be empty).
std::optional<std::string> post_content_problem(std::string_view content);
// 10-255 characters and a URL with a scheme and a host name with a top-level domain, or an IP
// address (WTForms' URL()), of a scheme a browser opens as a page (http, https, ftp, gopher,
// gemini); empty means no link.
std::optional<std::string> post_link_problem(std::string_view link);
// 1-16,384 characters.
std::optional<std::string> comment_problem(std::string_view comment);

}  // namespace throat::content
