#include "clients/aws/s3_xml.h"

#include <charconv>

#include "core/text/markup.h"
#include "core/text/utf8.h"

namespace clients::aws {

namespace {

bool is_name_char(char c) {
    return c != '>' && c != '/' && c != ' ' && c != '\t' && c != '\r' && c != '\n';
}

// Decodes one reference at the start of `text` ("&amp;" ...) into `out`; returns its length,
// or 0 when it is not a valid reference (then the '&' is kept as it is).
std::size_t decode_reference(std::string_view text, std::string& out) {
    std::size_t end = text.find(';');
    if (end == std::string_view::npos || end > 12) {
        return 0;
    }
    std::string_view name = text.substr(1, end - 1);
    static constexpr std::pair<std::string_view, char> kNamed[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    for (const auto& [entity, character] : kNamed) {
        if (name == entity) {
            out += character;
            return end + 1;
        }
    }
    if (name.size() < 2 || name[0] != '#') {
        return 0;
    }
    bool hex = name[1] == 'x';
    std::string_view digits = name.substr(hex ? 2 : 1);
    unsigned long code = 0;
    auto [stop, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
    if (digits.empty() || error != std::errc{} || stop != digits.data() + digits.size() ||
        code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        return 0;
    }
    core::text::append_utf8(out, static_cast<std::uint32_t>(code));
    return end + 1;
}

std::string decode_text(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size();) {
        if (raw.substr(i).starts_with("<![CDATA[")) {
            std::size_t end = raw.find("]]>", i + 9);
            std::size_t stop = end == std::string_view::npos ? raw.size() : end;
            out.append(raw.substr(i + 9, stop - (i + 9)));
            i = end == std::string_view::npos ? raw.size() : end + 3;
        } else if (raw[i] == '&') {
            std::size_t used = decode_reference(raw.substr(i), out);
            if (used == 0) {
                out += '&';
                used = 1;
            }
            i += used;
        } else {
            out += raw[i++];
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> xml_element_text(std::string_view document, std::string_view name) {
    for (std::size_t at = document.find('<'); at != std::string_view::npos;
         at = document.find('<', at + 1)) {
        std::size_t start = at + 1;
        std::size_t end = start;
        while (end < document.size() && is_name_char(document[end])) {
            ++end;
        }
        std::string_view tag = document.substr(start, end - start);
        if (std::size_t colon = tag.find(':'); colon != std::string_view::npos) {
            tag.remove_prefix(colon + 1);
        }
        if (tag != name) {
            continue;
        }
        std::size_t close = document.find('>', end);
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        if (document[close - 1] == '/') {
            return std::string();  // <Code/>
        }
        std::string_view full_tag = document.substr(start, end - start);
        std::size_t content = close + 1;
        // The content ends at the matching end tag; CDATA may hold anything but "]]>".
        std::size_t search = content;
        for (;;) {
            std::size_t next = document.find('<', search);
            if (next == std::string_view::npos) {
                return std::nullopt;
            }
            if (document.substr(next).starts_with("<![CDATA[")) {
                std::size_t cdata_end = document.find("]]>", next + 9);
                if (cdata_end == std::string_view::npos) {
                    return std::nullopt;
                }
                search = cdata_end + 3;
                continue;
            }
            std::string_view rest = document.substr(next);
            if (rest.starts_with("</") && rest.substr(2).starts_with(full_tag) &&
                rest.size() > 2 + full_tag.size() && rest[2 + full_tag.size()] == '>') {
                return decode_text(document.substr(content, next - content));
            }
            search = next + 1;
        }
    }
    return std::nullopt;
}

std::optional<S3Error> parse_s3_error(std::string_view body) {
    if (!xml_element_text(body, "Error")) {
        return std::nullopt;
    }
    std::optional<std::string> code = xml_element_text(body, "Code");
    if (!code) {
        return std::nullopt;
    }
    return S3Error{.code = *code,
                   .message = xml_element_text(body, "Message").value_or(""),
                   .request_id = xml_element_text(body, "RequestId").value_or("")};
}

std::optional<std::string> parse_upload_id(std::string_view body) {
    std::optional<std::string> id = xml_element_text(body, "UploadId");
    if (!id || id->empty()) {
        return std::nullopt;
    }
    return id;
}

std::string complete_multipart_upload_body(const std::vector<CompletedPart>& parts) {
    std::string body =
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    for (const auto& part : parts) {
        body += "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>" +
                core::text::escape_markup(part.etag) + "</ETag></Part>";
    }
    return body + "</CompleteMultipartUpload>";
}

}  // namespace clients::aws
