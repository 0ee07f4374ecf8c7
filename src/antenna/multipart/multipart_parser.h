#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace antenna {

// The part headers Falcon keeps (RFC 7578 §4.8); values are the raw header bytes.
struct PartHeaders {
    std::optional<std::string> content_type;
    std::optional<std::string> content_disposition;
    std::optional<std::string> content_transfer_encoding;
};

// Receives the parts of a form as the parser finds them. Returning false stops the parse (the
// receiver has found the form unacceptable and knows why).
class MultipartReceiver {
public:
    virtual ~MultipartReceiver() = default;
    virtual bool on_part_begin(const PartHeaders& headers) = 0;
    virtual bool on_part_data(std::string_view data) = 0;
    virtual bool on_part_end() = 0;
};

// A push parser for multipart/form-data (and multipart/mixed) with the exact rules of Falcon
// 4.3.1's MultipartFormHandler as Antenna uses it (spec Part 2 §1.2.3): the preamble is skipped
// up to the first "--boundary"; each delimiter is followed by "--" (end of form, the rest is
// ignored) or directly by CRLF; part headers end at the first CRLFCRLF within 8192 bytes; only
// "name: value" lines count; a Content-Transfer-Encoding other than "binary" is an error; part
// data runs to the next CRLF "--boundary". Data is handed on as it arrives, never buffered
// beyond one delimiter's length.
class MultipartParser {
public:
    static constexpr std::size_t kMaxHeaderBytes = 8192;

    MultipartParser(std::string_view boundary, MultipartReceiver& receiver);

    // Feeds the next bytes of the body. Returns false once parsing has stopped, by an error or
    // by the receiver; further calls are ignored.
    bool feed(std::string_view data);
    // The body has ended. Returns true when the closing delimiter had been seen and nothing
    // failed; otherwise error() says what was wrong (a truncated form is an error).
    bool finish();

    bool complete() const { return state_ == State::done; }
    bool stopped_by_receiver() const { return stopped_by_receiver_; }
    // Falcon's MultipartParseError description, empty when there was none.
    const std::string& error() const { return error_; }

private:
    enum class State { preamble, separator, headers, body, done, failed };

    std::size_t feed_preamble_or_body(std::string_view data);
    std::size_t feed_separator(std::string_view data);
    std::size_t feed_headers(std::string_view data);
    std::size_t delimiter_found(std::size_t used, std::size_t fed);
    bool emit(std::string_view data);
    void fail(std::string description);
    void stop();

    std::string delimiter_;  // "--boundary" before the first part, CRLF "--boundary" after
    MultipartReceiver& receiver_;
    State state_ = State::preamble;
    std::string carry_;  // the tail of earlier data that may begin a delimiter
    std::string separator_;
    std::string header_block_;
    bool stopped_by_receiver_ = false;
    std::string error_;
};

}  // namespace antenna
