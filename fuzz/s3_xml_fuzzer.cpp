// Answers of an object store, as our S3 client reads them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "clients/aws/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    clients::aws::parse_s3_error(body);
    if (auto id = clients::aws::parse_upload_id(body)) {
        // What we send back must read back the same.
        std::string sent = clients::aws::complete_multipart_upload_body({{1, *id}});
        if (clients::aws::xml_element_text(sent, "ETag") != *id) {
            __builtin_trap();
        }
    }
    return 0;
}
