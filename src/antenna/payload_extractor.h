#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <openssl/evp.h>

#include "antenna/crash_report.h"
#include "antenna/multipart/multipart_parser.h"
#include "core/observability/log.h"

namespace antenna {

// Why Antenna discards a request as malformed (spec Part 2 §1.2.8); the answer is
// 400 "Discarded=malformed_<reason>".
enum class Malformed {
    none,
    no_content_type,
    wrong_content_type,
    no_boundary,
    no_content_length,
    bad_gzip,
    invalid_payload_structure,
    invalid_json,
    invalid_json_value,
    invalid_dump_name,
    no_annotations,
    invalid_uuid,
};
std::string_view malformed_reason(Malformed reason);

// Limits Antenna does not have; answered 413 "Discarded=<name>", or 503 with Retry-After for
// disk_full (the client should keep the report and retry).
enum class Refused { none, too_many_parts, json_part_too_large, decompressed_too_large, disk_full };
std::string_view refused_reason(Refused reason);

struct ExtractorOptions {
    std::filesystem::path incoming_dir;  // where dumps are streamed to
    std::size_t max_parts = 2000;
    std::size_t max_text_part_bytes = 20 * 1024 * 1024;  // Falcon's max_body_part_buffer_size
    std::size_t max_json_part_bytes = 20 * 1024 * 1024;
};

// Turns the parts of a crash report into annotations and dump files with Antenna's rules
// (spec Part 2 §1.2.4): JSON parts replace the annotations, text parts without a filename add
// one annotation each (decoded with their charset), everything else is a dump streamed to a
// file with its sha256. Text parts are held in memory up to their limit; dumps never are.
class PayloadExtractor final : public MultipartReceiver {
public:
    PayloadExtractor(ExtractorOptions options, core::Logger log);
    ~PayloadExtractor() override;  // removes dump files nobody took
    PayloadExtractor(const PayloadExtractor&) = delete;
    PayloadExtractor& operator=(const PayloadExtractor&) = delete;

    bool on_part_begin(const PartHeaders& headers) override;
    bool on_part_data(std::string_view data) override;
    bool on_part_end() override;

    Malformed malformed() const { return malformed_; }
    Refused refused() const { return refused_; }
    // After a successful parse: Antenna's checks on the whole payload (no_annotations).
    Malformed finish();

    boost::json::object& annotations() { return annotations_; }
    std::vector<std::string>& notes() { return notes_; }
    bool has_json() const { return has_json_; }
    // Hands the dump files over (they are no longer removed by this object).
    std::vector<DumpFile> take_dumps();
    const std::vector<DumpFile>& dumps() const { return dumps_; }

private:
    enum class PartKind { skipped, json, text, dump };

    bool begin_dump(std::string name, const std::string& content_type);
    bool write_dump(std::string_view data);
    void end_text_part();
    bool end_json_part();
    bool end_dump_part();
    bool reject(Malformed reason);
    void add_note(std::string note, bool as_error);

    ExtractorOptions options_;
    core::Logger log_;
    boost::json::object annotations_;
    std::vector<std::string> notes_;
    std::vector<DumpFile> dumps_;
    bool has_json_ = false;
    bool has_kv_ = false;
    std::size_t parts_ = 0;
    Malformed malformed_ = Malformed::none;
    Refused refused_ = Refused::none;

    // The part being read.
    PartKind kind_ = PartKind::skipped;
    std::string part_name_;
    std::string part_content_type_;
    std::string part_buffer_;
    bool part_too_large_ = false;
    int dump_fd_ = -1;
    DumpFile dump_;
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> sha256_;
};

}  // namespace antenna
