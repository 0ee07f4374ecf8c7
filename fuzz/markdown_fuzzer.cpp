// Markdown from forum users, as throat renders it: whatever the input, the HTML holds only the
// renderer's own tags, and every link goes to an allowed place.
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "throat/markdown/markdown.h"

namespace {

constexpr std::array<std::string_view, 26> kTags = {
    "p",          "em", "strong", "del",   "sup",   "code",  "pre", "a",  "spoiler",
    "blockquote", "ul", "ol",     "li",    "h1",    "h2",    "h3",  "h4", "h5",
    "h6",         "hr", "br",     "table", "thead", "tbody", "tr",  "th"};

bool known_tag(std::string_view name) {
    if (name == "td") {
        return true;
    }
    for (auto tag : kTags) {
        if (name == tag) {
            return true;
        }
    }
    return false;
}

bool allowed_href(std::string_view html, std::size_t tag) {
    std::size_t href = html.find("href=\"", tag);
    std::size_t end = html.find('>', tag);
    if (href == std::string_view::npos || href > end) {
        return false;
    }
    std::string url(html.substr(href + 6, 8));
    for (auto& c : url) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (std::string_view start :
         {"http:", "https:", "gopher:", "gemini:", "ftp:", "magnet:", "/", "#"}) {
        if (url.starts_with(start)) {
            return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const throat::markdown::Renderer renderer;
    std::string html = renderer.render({reinterpret_cast<const char*>(data), size});
    for (std::size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
        std::size_t name_start = at + 1 + (at + 1 < html.size() && html[at + 1] == '/' ? 1 : 0);
        std::size_t name_end = name_start;
        while (name_end < html.size() && std::isalnum(static_cast<unsigned char>(html[name_end]))) {
            ++name_end;
        }
        std::string_view name(html.data() + name_start, name_end - name_start);
        if (!known_tag(name)) {
            __builtin_trap();
        }
        if (name == "a" && name_start == at + 1 && !allowed_href(html, at)) {
            __builtin_trap();
        }
    }
    return 0;
}
