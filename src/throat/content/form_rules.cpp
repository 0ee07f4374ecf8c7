#include "throat/content/form_rules.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "core/text/utf8.h"

namespace throat::content {
namespace {

constexpr std::uint32_t kWhitespace[] = {
    0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x20,   0x85,   0xA0,   0x1680, 0x2000, 0x2001,
    0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x200B, 0x2029,
    0x202F, 0x205F, 0x3000, 0x180E, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0xFFFC};

bool is_whitespace(std::uint32_t cp) {
    return std::find(std::begin(kWhitespace), std::end(kWhitespace), cp) != std::end(kWhitespace);
}

std::size_t characters(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++count) {
        core::text::next_code_point(text, i);
    }
    return count;
}

// WTForms' Length(min, max) and DataRequired messages.
std::optional<std::string> length_problem(std::string_view text, std::size_t min, std::size_t max,
                                          bool required) {
    std::size_t length = characters(text);
    if (required && strip_whitespace(text).empty()) {
        return "This field is required.";
    }
    if (length < min || length > max) {
        if (min == 0) {
            return "Field cannot be longer than " + std::to_string(max) + " characters.";
        }
        return "Field must be between " + std::to_string(min) + " and " + std::to_string(max) +
               " characters long.";
    }
    return std::nullopt;
}

bool ascii_alnum_or(char c, std::string_view also) {
    return std::isalnum(static_cast<unsigned char>(c)) || also.find(c) != std::string_view::npos;
}

// WTForms' HostnameValidation(require_tld=True, allow_ip=True). Labels that are not ASCII are
// what IDNA would encode as xn-- labels, which WTForms accepts.
bool valid_host(std::string_view host) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(host), ec);
    if (!ec) {
        return true;
    }
    if (host.empty() || host.size() > 253) {
        return false;
    }
    std::vector<std::string_view> labels;
    for (std::size_t start = 0;;) {
        std::size_t dot = host.find('.', start);
        labels.push_back(host.substr(start, dot - start));
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    for (auto label : labels) {
        if (label.empty() || label.size() > 63) {
            return false;
        }
        bool non_ascii = std::any_of(label.begin(), label.end(),
                                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
        if (non_ascii) {
            continue;
        }
        // ^(xn-|[a-z0-9_]+)(-[a-z0-9_-]+)*$: no leading dash, and no lone dash at the end.
        if (label.front() == '-' ||
            !std::all_of(label.begin(), label.end(),
                         [](char c) { return ascii_alnum_or(c, "_-"); }) ||
            (label != "xn-" && label.find('-') == label.size() - 1)) {
            return false;
        }
    }
    if (labels.size() < 2) {
        return false;
    }
    std::string_view tld = labels.back();
    bool ascii_tld =
        tld.size() >= 2 && tld.size() <= 20 && std::all_of(tld.begin(), tld.end(), [](char c) {
            return std::isalpha(static_cast<unsigned char>(c));
        });
    bool idna_tld = tld.starts_with("xn--") || std::any_of(tld.begin(), tld.end(), [](char c) {
                        return static_cast<unsigned char>(c) >= 0x80;
                    });
    return ascii_tld || idna_tld;
}

// WTForms' URL(): ^[a-z]+://host(:port)?(/path)?(?query)?$, case-insensitive.
bool valid_url(std::string_view url) {
    std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0 ||
        !std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(scheme_end),
                     [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
        return false;
    }
    std::string_view rest = url.substr(scheme_end + 3);
    std::size_t host_end = rest.find_first_of("/?:");
    std::string_view host = rest.substr(0, host_end);
    if (host.empty() || !valid_host(host)) {
        return false;
    }
    if (host_end != std::string_view::npos && rest[host_end] == ':') {
        std::size_t port_end = rest.find_first_of("/?", host_end + 1);
        std::string_view port = rest.substr(host_end + 1, port_end - host_end - 1);
        if (port.empty() || !std::all_of(port.begin(), port.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            })) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string strip_whitespace(std::string_view text) {
    std::vector<std::pair<std::size_t, std::uint32_t>> points;  // byte offset, code point
    for (std::size_t i = 0; i < text.size();) {
        std::size_t at = i;
        points.emplace_back(at, core::text::next_code_point(text, i));
    }
    std::size_t first = 0;
    while (first < points.size() && is_whitespace(points[first].second)) {
        ++first;
    }
    std::size_t last = points.size();
    while (last > first && is_whitespace(points[last - 1].second)) {
        --last;
    }
    if (first == last) {
        return {};
    }
    std::size_t begin = points[first].first;
    std::size_t end = last < points.size() ? points[last].first : text.size();
    return std::string(text.substr(begin, end - begin));
}

std::optional<std::string> sub_name_problem(std::string_view name) {
    if (auto problem = length_problem(name, 2, 32, true)) {
        return problem;
    }
    if (!std::all_of(name.begin(), name.end(), [](char c) { return ascii_alnum_or(c, "_-"); })) {
        return "Sub name has invalid characters";
    }
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (std::string_view reserved : {"all", "new", "hot", "top", "admin", "home"}) {
        if (lower == reserved) {
            return "Invalid sub name";
        }
    }
    return std::nullopt;
}

std::optional<std::string> sub_title_problem(std::string_view title) {
    return length_problem(title, 2, 50, true);
}

std::optional<std::string> post_title_problem(std::string_view title) {
    if (auto problem = length_problem(title, 3, 255, true)) {
        return problem;
    }
    if (characters(strip_whitespace(title)) < 3) {
        return "Title is too short and/or contains whitespace characters.";
    }
    return std::nullopt;
}

std::optional<std::string> post_content_problem(std::string_view content) {
    return length_problem(content, 0, 65535, false);
}

std::optional<std::string> post_link_problem(std::string_view link) {
    if (link.empty()) {
        return std::nullopt;
    }
    if (auto problem = length_problem(link, 10, 255, false)) {
        return problem;
    }
    if (!valid_url(link)) {
        return "Invalid URL.";
    }
    // Unlike Throat, only the schemes its markdown links allow: URL() accepts
    // javascript://host/%0A..., which a link post would put in an href.
    std::string scheme(link.substr(0, link.find("://")));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme != "http" && scheme != "https" && scheme != "ftp" && scheme != "gopher" &&
        scheme != "gemini") {
        return "Invalid URL.";
    }
    return std::nullopt;
}

std::optional<std::string> comment_problem(std::string_view comment) {
    return length_problem(comment, 1, 16384, true);
}

}  // namespace throat::content
