#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace antenna {

// A Content-Type-like header split as Python's cgi.parse_header, which Falcon 4.3.1 keeps as
// falcon.util.mediatypes.parse_header.
struct HeaderValue {
    std::string value;  // the part before the first ';', stripped, case kept ("text/plain")
    // In first-appearance order, one entry per name; a repeated name takes the last value (a
    // Python dict). Names are stripped and lower-cased, values stripped and unquoted.
    std::vector<std::pair<std::string, std::string>> params;

    std::optional<std::string> param(std::string_view name) const;
};

// `line` is UTF-8 text (ASCII for a part's Content-Type). Parameters are split on ';' outside
// double quotes (a '"' preceded by '\' does not count); a parameter without '=' is dropped; a
// value in double quotes loses them and has "\\" then "\"" unescaped. Stripping removes what
// Python's str.strip() removes (Unicode whitespace included); lower-casing is ASCII's plus
// KELVIN SIGN -> 'k', the one non-ASCII character Python lower-cases into ASCII, so looking up
// an ASCII name finds exactly what Python's dict would.
HeaderValue parse_header(std::string_view line);

// The boundary of a multipart request, as Falcon's MultipartFormHandler takes it from the
// request's Content-Type: parse_header's "boundary" parameter, rstrip()ed, 1 to 70 characters.
// The header bytes are read as Latin-1 (WSGI's header strings) and `value` is their UTF-8
// encoding (Falcon's boundary.encode()): the bytes that delimit the parts.
struct Boundary {
    enum class Error { none, missing, bad_length };
    Error error = Error::none;  // Falcon: 400 "Invalid header value" (HTTPInvalidHeader)
    std::string value;
};
Boundary multipart_boundary(std::string_view content_type);

// What Falcon's BodyPart.name and BodyPart.filename give for a part's Content-Disposition. The
// disposition type is not checked.
struct ContentDisposition {
    std::optional<std::string> name;
    // RFC 5987 `filename*=charset'lang'percent-encoded` wins when it has that shape (Falcon's
    // regex ([\w-]+)'[\w]*'(.+) from the start; a language with '-' does not match, and the
    // value ends at a '\n'): the percent-decoded bytes decoded with the charset as Python does
    // (see decode_text). Otherwise the plain `filename` parameter. Python's Unicode \w is
    // followed exactly for ASCII, Latin-1, punctuation and currency symbols; other non-ASCII
    // characters are taken as alphanumeric.
    std::optional<std::string> filename;
    // Set when filename* matched but could not be decoded: Falcon raises MultipartParseError
    // with this description ("invalid text or charset: <charset>") when `filename` is read, and
    // `filename` above is then nullopt. Antenna reads the filename only for a named part whose
    // content type starts with "text/plain".
    std::optional<std::string> filename_error;
};
// nullopt when the header is not UTF-8 (Antenna fails with a 500 there).
std::optional<ContentDisposition> parse_content_disposition(std::string_view header);

}  // namespace antenna
