#include "throat/markdown/markdown.h"

#include <array>
#include <cctype>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <memory>
#include <utility>
#include <vector>

#include "core/text/markup.h"

namespace throat::markdown {
namespace {

constexpr std::string_view kLinkAttributes = R"(rel="noopener nofollow ugc" target="_blank")";
constexpr std::array<std::string_view, 8> kAllowedUrlStarts = {
    "http:", "https:", "gopher:", "gemini:", "ftp:", "magnet:", "/", "#"};

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) {
            return false;
        }
    }
    return true;
}

bool allowed_url(std::string_view url) {
    for (auto start : kAllowedUrlStarts) {
        if (starts_with_ignoring_case(url, start)) {
            return true;
        }
    }
    return false;
}

std::string link_open(std::string_view url, std::string_view title = {}) {
    std::string tag =
        "<a " + std::string(kLinkAttributes) + " href=\"" + core::text::escape_markup(url) + "\"";
    if (!title.empty()) {
        tag += " title=\"" + core::text::escape_markup(title) + "\"";
    }
    return tag + ">";
}

// Throat marks spoilers in the source, before markdown: ">!text!<" up to the last "!<" of the
// line becomes [text](#spoiler), except inside fenced code blocks and code spans.
std::string mark_spoilers(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool fenced = false;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line =
            text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
        text.remove_prefix(line.size());
        std::string_view content = line.substr(line.find_first_not_of(' ') == std::string_view::npos
                                                   ? line.size()
                                                   : line.find_first_not_of(' '));
        if (content.starts_with("```")) {
            fenced = !fenced;
        }
        if (fenced || content.starts_with("```")) {
            out += line;
            continue;
        }
        for (std::size_t i = 0; i < line.size();) {
            if (line[i] == '`') {
                std::size_t run = line.find_first_not_of('`', i);
                run = (run == std::string_view::npos ? line.size() : run) - i;
                std::size_t close = line.find(std::string(run, '`'), i + run);
                std::size_t through = close == std::string_view::npos ? i + run : close + run;
                out += line.substr(i, through - i);
                i = through;
                continue;
            }
            if (line.substr(i).starts_with(">!")) {
                std::size_t close = line.rfind("!<");
                if (close != std::string_view::npos && close >= i + 3) {
                    out += "[";
                    out += line.substr(i + 2, close - i - 2);
                    out += "](#spoiler)";
                    i = close + 2;
                    continue;
                }
            }
            out += line[i++];
        }
    }
    return out;
}

using Node = cmark_node*;

Node new_node(cmark_node_type type, const std::string& literal) {
    Node node = cmark_node_new(type);
    cmark_node_set_literal(node, literal.c_str());
    return node;
}

void replace(Node node, const std::vector<Node>& with) {
    for (Node piece : with) {
        cmark_node_insert_before(node, piece);
    }
    cmark_node_unlink(node);
    cmark_node_free(node);
}

// Moves a link's children out in front of it, between two pieces of HTML.
void wrap_children(Node node, const std::string& open, const std::string& close) {
    cmark_node_insert_before(node, new_node(CMARK_NODE_HTML_INLINE, open));
    while (Node child = cmark_node_first_child(node)) {
        cmark_node_insert_before(node, child);
    }
    replace(node, {new_node(CMARK_NODE_HTML_INLINE, close)});
}

// The text of a node's descendants, as a reader sees it.
std::string plain_text(Node node) {
    std::string text;
    for (Node child = cmark_node_first_child(node); child; child = cmark_node_next(child)) {
        switch (cmark_node_get_type(child)) {
            case CMARK_NODE_TEXT:
            case CMARK_NODE_CODE:
            case CMARK_NODE_HTML_INLINE:
                text += cmark_node_get_literal(child);
                break;
            case CMARK_NODE_SOFTBREAK:
            case CMARK_NODE_LINEBREAK:
                text += ' ';
                break;
            default:
                text += plain_text(child);
        }
    }
    return text;
}

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// Mentions may not follow a letter, digit or one of - _ . / (so no e-mail addresses or paths).
bool mention_may_start_after(char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
             c == '/');
}

class TextLinker {
public:
    explicit TextLinker(const Options& options)
        : prefixes_{"@", "/u/", "/" + options.sub_prefix + "/"} {}

    // The pieces a text node becomes: text, mentions as links, ^superscripts; empty when it
    // has none of them.
    std::vector<Node> split(std::string_view text) const {
        std::vector<Node> pieces;
        std::size_t plain_from = 0;
        auto flush = [&](std::size_t to) {
            if (to > plain_from) {
                pieces.push_back(new_node(CMARK_NODE_TEXT,
                                          std::string(text.substr(plain_from, to - plain_from))));
            }
        };
        for (std::size_t i = 0; i < text.size();) {
            if (std::size_t length = mention_at(text, i)) {
                std::string_view mention = text.substr(i, length);
                std::string url = mention.starts_with('@') ? "/u/" + std::string(mention.substr(1))
                                                           : std::string(mention);
                flush(i);
                pieces.push_back(new_node(CMARK_NODE_HTML_INLINE, link_open(url)));
                pieces.push_back(new_node(CMARK_NODE_TEXT, std::string(mention)));
                pieces.push_back(new_node(CMARK_NODE_HTML_INLINE, "</a>"));
                i += length;
                plain_from = i;
                continue;
            }
            if (text[i] == '^') {
                if (auto [inner, length] = superscript_at(text, i); length > 0) {
                    flush(i);
                    pieces.push_back(new_node(CMARK_NODE_HTML_INLINE, "<sup>"));
                    pieces.push_back(new_node(CMARK_NODE_TEXT, std::string(inner)));
                    pieces.push_back(new_node(CMARK_NODE_HTML_INLINE, "</sup>"));
                    i += length;
                    plain_from = i;
                    continue;
                }
            }
            ++i;
        }
        if (pieces.empty()) {
            return pieces;
        }
        flush(text.size());
        return pieces;
    }

private:
    std::size_t mention_at(std::string_view text, std::size_t i) const {
        if (i > 0 && !mention_may_start_after(text[i - 1])) {
            return 0;
        }
        for (const auto& prefix : prefixes_) {
            if (text.substr(i).starts_with(prefix)) {
                std::size_t end = i + prefix.size();
                while (end < text.size() && is_name_char(text[end])) {
                    ++end;
                }
                return end > i + prefix.size() ? end - i : 0;
            }
        }
        return 0;
    }

    // ^word (up to white space) or ^(words); the inner text and the length taken.
    static std::pair<std::string_view, std::size_t> superscript_at(std::string_view text,
                                                                   std::size_t i) {
        if (i + 1 < text.size() && text[i + 1] == '(') {
            std::size_t close = text.find(')', i + 2);
            if (close != std::string_view::npos && close > i + 2) {
                return {text.substr(i + 2, close - i - 2), close + 1 - i};
            }
            return {{}, 0};
        }
        std::size_t end = i + 1;
        while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
               text[end] != '^') {
            ++end;
        }
        return {text.substr(i + 1, end - i - 1), end > i + 1 ? end - i : 0};
    }

    std::array<std::string, 3> prefixes_;
};

bool has_ancestor(Node node, cmark_node_type a, cmark_node_type b) {
    for (Node parent = cmark_node_parent(node); parent; parent = cmark_node_parent(parent)) {
        auto type = cmark_node_get_type(parent);
        if (type == a || type == b) {
            return true;
        }
    }
    return false;
}

// Rewrites the parsed document so that the HTML renderer, allowed to pass raw HTML through,
// only ever sees HTML made here: the author's HTML becomes text, links and images are ours.
void apply_throat_rules(Node document, const TextLinker& linker) {
    std::vector<Node> html_blocks, html_inlines, images, links, texts;
    cmark_iter* iter = cmark_iter_new(document);
    for (cmark_event_type event; (event = cmark_iter_next(iter)) != CMARK_EVENT_DONE;) {
        if (event != CMARK_EVENT_ENTER) {
            continue;
        }
        Node node = cmark_iter_get_node(iter);
        switch (cmark_node_get_type(node)) {
            case CMARK_NODE_HTML_BLOCK:
                html_blocks.push_back(node);
                break;
            case CMARK_NODE_HTML_INLINE:
                html_inlines.push_back(node);
                break;
            case CMARK_NODE_IMAGE:
                images.push_back(node);
                break;
            case CMARK_NODE_LINK:
                // A link in an image's description goes with the image, which becomes text.
                if (!has_ancestor(node, CMARK_NODE_IMAGE, CMARK_NODE_IMAGE)) {
                    links.push_back(node);
                }
                break;
            case CMARK_NODE_TEXT:
                if (!has_ancestor(node, CMARK_NODE_LINK, CMARK_NODE_IMAGE)) {
                    texts.push_back(node);
                }
                break;
            default:
                break;
        }
    }
    cmark_iter_free(iter);

    for (Node node : html_blocks) {
        std::string literal = cmark_node_get_literal(node);
        while (!literal.empty() && literal.back() == '\n') {
            literal.pop_back();
        }
        Node paragraph = cmark_node_new(CMARK_NODE_PARAGRAPH);
        cmark_node_append_child(paragraph, new_node(CMARK_NODE_TEXT, literal));
        replace(node, {paragraph});
    }
    for (Node node : html_inlines) {
        replace(node, {new_node(CMARK_NODE_TEXT, cmark_node_get_literal(node))});
    }
    for (Node node : texts) {
        std::vector<Node> pieces = linker.split(cmark_node_get_literal(node));
        if (!pieces.empty()) {
            replace(node, pieces);
        }
    }
    // Innermost first: an image inside a link is text before the link is rewritten.
    for (auto it = images.rbegin(); it != images.rend(); ++it) {
        Node node = *it;
        std::string title = cmark_node_get_title(node);
        std::string source = "![" + plain_text(node) + "](" + cmark_node_get_url(node) +
                             (title.empty() ? "" : " \"" + title + "\"") + ")";
        replace(node, {new_node(CMARK_NODE_TEXT, source)});
    }
    // Innermost first as well: the autolink extension may find a link inside a link's text.
    for (auto it = links.rbegin(); it != links.rend(); ++it) {
        Node node = *it;
        std::string url = cmark_node_get_url(node);
        std::string text = plain_text(node);
        if (url == "#spoiler") {
            wrap_children(node, "<spoiler>", "</spoiler>");
        } else if (allowed_url(url)) {
            wrap_children(node, link_open(url, cmark_node_get_title(node)), "</a>");
        } else if (url == "mailto:" + text) {
            replace(node, {new_node(CMARK_NODE_TEXT, text)});  // an address found in the text
        } else {
            replace(node, {new_node(CMARK_NODE_TEXT, "[" + text + "](" + url + ")")});
        }
    }
}

struct ParserDeleter {
    void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};
struct NodeDeleter {
    void operator()(cmark_node* node) const { cmark_node_free(node); }
};

}  // namespace

Renderer::Renderer(Options options) : options_(std::move(options)) {
    cmark_gfm_core_extensions_ensure_registered();
}

std::string Renderer::render(std::string_view text) const {
    std::unique_ptr<cmark_parser, ParserDeleter> parser(
        cmark_parser_new(CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE));
    for (const char* name : {"table", "strikethrough", "autolink"}) {
        if (cmark_syntax_extension* extension = cmark_find_syntax_extension(name)) {
            cmark_parser_attach_syntax_extension(parser.get(), extension);
        }
    }
    std::string source = mark_spoilers(text);
    cmark_parser_feed(parser.get(), source.data(), source.size());
    std::unique_ptr<cmark_node, NodeDeleter> document(cmark_parser_finish(parser.get()));
    cmark_consolidate_text_nodes(document.get());
    apply_throat_rules(document.get(), TextLinker(options_));

    char* html = cmark_render_html(document.get(), CMARK_OPT_UNSAFE,
                                   cmark_parser_get_syntax_extensions(parser.get()));
    std::string result(html);
    cmark_get_default_mem_allocator()->free(html);
    return result;
}

}  // namespace throat::markdown
