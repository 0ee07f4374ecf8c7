#include "antenna/payload_extractor.h"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include "antenna/multipart/charset.h"
#include "antenna/multipart/header_params.h"
#include "antenna/multipart/sanitize.h"
#include "core/io/files.h"

namespace antenna {
namespace {

bool is_ascii(std::string_view text) {
    for (unsigned char c : text) {
        if (c >= 0x80) {
            return false;
        }
    }
    return true;
}

std::string hex(const unsigned char* data, unsigned size) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) {
        out += kHex[data[i] >> 4];
        out += kHex[data[i] & 0xF];
    }
    return out;
}

bool out_of_space(int error) {
    return error == ENOSPC || error == EDQUOT;
}

// Writes all of `data`; false when the disk is full, an exception for other failures.
bool write_all(int fd, std::string_view data) {
    try {
        core::write_all(fd, data, "writing a dump");
        return true;
    } catch (const std::system_error& e) {
        if (out_of_space(e.code().value())) {
            return false;
        }
        throw;
    }
}

}  // namespace

std::string_view malformed_reason(Malformed reason) {
    switch (reason) {
        case Malformed::none:
            return "";
        case Malformed::no_content_type:
            return "no_content_type";
        case Malformed::wrong_content_type:
            return "wrong_content_type";
        case Malformed::no_boundary:
            return "no_boundary";
        case Malformed::no_content_length:
            return "no_content_length";
        case Malformed::bad_gzip:
            return "bad_gzip";
        case Malformed::invalid_payload_structure:
            return "invalid_payload_structure";
        case Malformed::invalid_json:
            return "invalid_json";
        case Malformed::invalid_json_value:
            return "invalid_json_value";
        case Malformed::invalid_dump_name:
            return "invalid_dump_name";
        case Malformed::no_annotations:
            return "no_annotations";
        case Malformed::invalid_uuid:
            return "invalid_uuid";
    }
    return "";
}

std::string_view refused_reason(Refused reason) {
    switch (reason) {
        case Refused::none:
            return "";
        case Refused::too_many_parts:
            return "too_many_parts";
        case Refused::json_part_too_large:
            return "json_part_too_large";
        case Refused::decompressed_too_large:
            return "decompressed_too_large";
        case Refused::disk_full:
            return "disk_full";
    }
    return "";
}

PayloadExtractor::PayloadExtractor(ExtractorOptions options, core::Logger log)
    : options_(std::move(options)), log_(std::move(log)), sha256_(nullptr, EVP_MD_CTX_free) {}

PayloadExtractor::~PayloadExtractor() {
    if (dump_fd_ >= 0) {
        ::close(dump_fd_);
        ::unlink(dump_.path.c_str());
    }
    for (const auto& dump : dumps_) {
        ::unlink(dump.path.c_str());
    }
}

std::vector<DumpFile> PayloadExtractor::take_dumps() {
    return std::exchange(dumps_, {});
}

bool PayloadExtractor::reject(Malformed reason) {
    malformed_ = reason;
    return false;
}

void PayloadExtractor::add_note(std::string note, bool as_error) {
    if (as_error) {
        log_.error(note);
    } else {
        log_.info(note);
    }
    notes_.push_back(std::move(note));
}

bool PayloadExtractor::on_part_begin(const PartHeaders& headers) {
    if (++parts_ > options_.max_parts) {
        refused_ = Refused::too_many_parts;
        return false;
    }
    // Antenna fails with a 500 on a non-ASCII Content-Type or a Content-Disposition that is not
    // UTF-8; both are malformed structure here.
    std::string content_type = headers.content_type.value_or("text/plain");
    if (!is_ascii(content_type)) {
        return reject(Malformed::invalid_payload_structure);
    }
    auto disposition = parse_content_disposition(headers.content_disposition.value_or(""));
    if (!disposition) {
        return reject(Malformed::invalid_payload_structure);
    }
    part_name_ = disposition->name.value_or("");
    part_content_type_ = content_type;
    part_buffer_.clear();
    part_too_large_ = false;
    bool has_filename = disposition->filename && !disposition->filename->empty();
    bool text_plain = content_type.starts_with("text/plain");

    if (part_name_.empty()) {
        kind_ = PartKind::skipped;
    } else if (content_type.starts_with("application/json")) {
        kind_ = PartKind::json;
    } else if (text_plain && disposition->filename_error) {
        // Falcon raises while Antenna reads the filename: the whole payload is malformed.
        log_.error("extract payload exception: " + *disposition->filename_error);
        return reject(Malformed::invalid_payload_structure);
    } else if (text_plain && !has_filename) {
        kind_ = PartKind::text;
    } else {
        kind_ = PartKind::dump;
        return begin_dump(sanitize_key_name(part_name_), content_type);
    }
    return true;
}

bool PayloadExtractor::begin_dump(std::string name, const std::string& content_type) {
    if (is_reserved_dump_name(name)) {
        return reject(Malformed::invalid_dump_name);
    }
    if (content_type != "application/octet-stream") {
        add_note("unknown content type: " + part_name_ + " " + content_type, false);
    }
    std::string pattern = (options_.incoming_dir / "dump-XXXXXX").string();
    dump_fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (dump_fd_ < 0 && out_of_space(errno)) {
        refused_ = Refused::disk_full;
        return false;
    }
    if (dump_fd_ < 0) {
        throw std::system_error(errno, std::generic_category(),
                                "creating a dump file in " + options_.incoming_dir.string());
    }
    dump_ = DumpFile{.name = std::move(name), .path = pattern};
    sha256_.reset(EVP_MD_CTX_new());
    EVP_DigestInit_ex(sha256_.get(), EVP_sha256(), nullptr);
    return true;
}

bool PayloadExtractor::on_part_data(std::string_view data) {
    switch (kind_) {
        case PartKind::skipped:
            return true;
        case PartKind::dump:
            return write_dump(data);
        case PartKind::text:
            if (part_buffer_.size() + data.size() > options_.max_text_part_bytes) {
                part_too_large_ = true;  // Antenna notes it and drops the annotation
                part_buffer_.clear();
            } else if (!part_too_large_) {
                part_buffer_.append(data);
            }
            return true;
        case PartKind::json:
            if (part_buffer_.size() + data.size() > options_.max_json_part_bytes) {
                refused_ = Refused::json_part_too_large;
                return false;
            }
            part_buffer_.append(data);
            return true;
    }
    return true;
}

bool PayloadExtractor::write_dump(std::string_view data) {
    if (!write_all(dump_fd_, data)) {
        refused_ = Refused::disk_full;  // the destructor removes the partial dump
        return false;
    }
    EVP_DigestUpdate(sha256_.get(), data.data(), data.size());
    dump_.size += data.size();
    return true;
}

bool PayloadExtractor::on_part_end() {
    switch (kind_) {
        case PartKind::skipped:
            return true;
        case PartKind::text:
            end_text_part();
            return true;
        case PartKind::json:
            return end_json_part();
        case PartKind::dump:
            return end_dump_part();
    }
    return true;
}

void PayloadExtractor::end_text_part() {
    has_kv_ = true;
    if (part_too_large_) {
        add_note("extract payload text part exception: body part is too large", true);
        return;
    }
    // Falcon's get_text(): None (JSON null) unless the media type is exactly text/plain.
    HeaderValue content_type = parse_header(part_content_type_);
    if (content_type.value != "text/plain") {
        annotations_[part_name_] = nullptr;
        return;
    }
    std::string charset = content_type.param("charset").value_or("utf-8");
    std::optional<std::string> text = decode_text(part_buffer_, charset);
    if (!text) {
        add_note("extract payload text part exception: invalid text or charset: " + charset, true);
        return;
    }
    annotations_[part_name_] = *text;
}

bool PayloadExtractor::end_json_part() {
    has_json_ = true;
    std::string_view text = part_buffer_;
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.remove_prefix(3);  // Python's json.loads(bytes) accepts a UTF-8 BOM
    }
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    if (ec) {
        return reject(Malformed::invalid_json);
    }
    if (!value.is_object()) {
        return reject(Malformed::invalid_json_value);
    }
    annotations_ = std::move(value.as_object());
    return true;
}

bool PayloadExtractor::end_dump_part() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
    unsigned size = 0;
    EVP_DigestFinal_ex(sha256_.get(), digest.data(), &size);
    dump_.sha256 = hex(digest.data(), size);
    int fd = std::exchange(dump_fd_, -1);
    if (::close(fd) != 0) {
        int error = errno;
        ::unlink(dump_.path.c_str());
        if (out_of_space(error)) {
            refused_ = Refused::disk_full;
            return false;
        }
        throw std::system_error(error, std::generic_category(), "closing a dump file");
    }
    // A repeated dump name replaces the earlier dump in its original position (Python dict).
    for (auto& existing : dumps_) {
        if (existing.name == dump_.name) {
            ::unlink(existing.path.c_str());
            existing = std::move(dump_);
            return true;
        }
    }
    dumps_.push_back(std::move(dump_));
    return true;
}

Malformed PayloadExtractor::finish() {
    if (annotations_.empty()) {
        malformed_ = Malformed::no_annotations;
        return malformed_;
    }
    if (has_json_ && has_kv_) {
        add_note("includes annotations in both json-encoded extra and formdata parts", false);
    }
    return Malformed::none;
}

}  // namespace antenna
