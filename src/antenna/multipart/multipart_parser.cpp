#include "antenna/multipart/multipart_parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace antenna {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kHeaderEnd = "\r\n\r\n";
constexpr std::string_view kStructureError = "unexpected form structure";

// The first position in `data` from which the rest of `data` is a proper prefix of `pattern`,
// i.e. where a delimiter split across two feeds could begin; data.size() when there is none.
std::size_t partial_match_start(std::string_view data, std::string_view pattern) {
    std::size_t first = data.size() >= pattern.size() ? data.size() - pattern.size() + 1 : 0;
    for (std::size_t p = first; p < data.size(); ++p) {
        std::string_view tail = data.substr(p);
        if (pattern.compare(0, tail.size(), tail) == 0) {
            return p;
        }
    }
    return data.size();
}

std::size_t find(std::string_view data, std::string_view pattern) {
    const void* hit = ::memmem(data.data(), data.size(), pattern.data(), pattern.size());
    return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - data.data())
               : std::string_view::npos;
}

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

MultipartParser::MultipartParser(std::string_view boundary, MultipartReceiver& receiver)
    : delimiter_("--" + std::string(boundary)), receiver_(receiver) {}

bool MultipartParser::feed(std::string_view data) {
    while (!data.empty() && state_ != State::done && state_ != State::failed) {
        std::size_t used = 0;
        switch (state_) {
            case State::preamble:
            case State::body:
                used = feed_preamble_or_body(data);
                break;
            case State::separator:
                used = feed_separator(data);
                break;
            case State::headers:
                used = feed_headers(data);
                break;
            case State::done:
            case State::failed:
                break;
        }
        data.remove_prefix(used);
    }
    return state_ != State::failed;
}

bool MultipartParser::finish() {
    if (state_ != State::done && state_ != State::failed) {
        fail(state_ == State::headers ? "incomplete body part headers"
                                      : std::string(kStructureError));
    }
    return state_ == State::done;
}

bool MultipartParser::emit(std::string_view data) {
    if (state_ == State::body && !data.empty() && !receiver_.on_part_data(data)) {
        stop();
        return false;
    }
    return true;
}

// Looks for the delimiter, handing data before it to the current part (or dropping it in the
// preamble). Bytes that might begin a delimiter completed by the next feed are kept in carry_.
std::size_t MultipartParser::feed_preamble_or_body(std::string_view data) {
    std::string_view pattern = delimiter_;
    if (!carry_.empty()) {
        // Only as many new bytes as a delimiter starting inside the carry could need.
        std::string joined = carry_;
        joined.append(data.substr(0, pattern.size()));
        std::size_t hit = find(joined, pattern);
        if (hit != std::string_view::npos && hit < carry_.size()) {
            std::size_t used = hit + pattern.size() - carry_.size();
            carry_.clear();
            if (!emit(std::string_view(joined).substr(0, hit))) {
                return data.size();
            }
            return delimiter_found(used, data.size());
        }
        if (data.size() < pattern.size()) {
            // Still undecided: keep what may begin a delimiter, hand on the rest.
            std::size_t keep = partial_match_start(joined, pattern);
            carry_ = joined.substr(keep);
            emit(std::string_view(joined).substr(0, keep));
            return data.size();
        }
        // No delimiter starts inside the carry: it is all part data.
        std::string earlier = std::move(carry_);
        carry_.clear();
        if (!emit(earlier)) {
            return data.size();
        }
    }

    std::size_t hit = find(data, pattern);
    if (hit != std::string_view::npos) {
        if (!emit(data.substr(0, hit))) {
            return data.size();
        }
        return delimiter_found(hit + pattern.size(), data.size());
    }
    std::size_t keep = partial_match_start(data, pattern);
    carry_.assign(data.substr(keep));
    emit(data.substr(0, keep));
    return data.size();
}

// A delimiter ended at `used` bytes into the current feed: close the part (or the preamble) and
// expect a separator. Returns how much of the feed was used.
std::size_t MultipartParser::delimiter_found(std::size_t used, std::size_t fed) {
    if (state_ == State::body) {
        if (!receiver_.on_part_end()) {
            stop();
            return fed;
        }
    } else {
        delimiter_.insert(0, kCrlf);  // every later delimiter is preceded by CRLF
    }
    state_ = State::separator;
    separator_.clear();
    return used;
}

std::size_t MultipartParser::feed_separator(std::string_view data) {
    std::size_t used = std::min(data.size(), 2 - separator_.size());
    separator_.append(data.substr(0, used));
    if (separator_.size() < 2) {
        return used;
    }
    if (separator_ == "--") {
        state_ = State::done;
        return data.size();  // whatever follows the closing delimiter is ignored
    }
    if (separator_ != kCrlf) {
        fail(std::string(kStructureError));
        return data.size();
    }
    state_ = State::headers;
    header_block_.clear();
    return used;
}

std::size_t MultipartParser::feed_headers(std::string_view data) {
    // Only the headers are kept, never the part's data after them: the block's capacity stays
    // the size of a part's headers for the whole upload.
    std::size_t kept = header_block_.size();
    std::string_view window =
        data.substr(0, std::min(data.size(), kMaxHeaderBytes + kHeaderEnd.size() - kept));
    // The blank line may begin in what is kept already.
    std::size_t seam_start = kept >= kHeaderEnd.size() - 1 ? kept - (kHeaderEnd.size() - 1) : 0;
    std::string seam = header_block_.substr(seam_start);
    seam.append(window.substr(0, kHeaderEnd.size() - 1));
    std::size_t end = seam.find(kHeaderEnd);
    if (end != std::string::npos) {
        end += seam_start;
    } else if (std::size_t found = window.find(kHeaderEnd); found != std::string_view::npos) {
        end = kept + found;
    }
    if (end == std::string::npos || end > kMaxHeaderBytes) {
        header_block_.append(window);
        if (header_block_.size() >= kMaxHeaderBytes + kHeaderEnd.size()) {
            fail("incomplete body part headers");
            return data.size();
        }
        return window.size();
    }
    std::size_t used = end + kHeaderEnd.size() - kept;
    header_block_.append(window.substr(0, used));
    header_block_.resize(end);

    PartHeaders headers;
    std::string_view block = header_block_;
    while (true) {
        std::size_t line_end = block.find(kCrlf);
        std::string_view line = block.substr(0, line_end);
        std::size_t colon = line.find(": ");
        if (colon != std::string_view::npos) {
            std::string name = lower_ascii(line.substr(0, colon));
            std::string value(line.substr(colon + 2));
            if (name == "content-type") {
                headers.content_type = std::move(value);
            } else if (name == "content-disposition") {
                headers.content_disposition = std::move(value);
            } else if (name == "content-transfer-encoding") {
                headers.content_transfer_encoding = std::move(value);
            }
        }
        if (line_end == std::string_view::npos) {
            break;
        }
        block.remove_prefix(line_end + kCrlf.size());
    }
    if (headers.content_transfer_encoding && *headers.content_transfer_encoding != "binary") {
        fail("the deprecated Content-Transfer-Encoding header field is unsupported");
        return data.size();
    }
    state_ = State::body;
    if (!receiver_.on_part_begin(headers)) {
        stop();
        return data.size();
    }
    return used;
}

void MultipartParser::fail(std::string description) {
    state_ = State::failed;
    error_ = std::move(description);
}

void MultipartParser::stop() {
    state_ = State::failed;
    stopped_by_receiver_ = true;
}

}  // namespace antenna
