#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The little XML that S3 calls exchange. Answers come from a server over the network: the
// parsing here never reads past the text and does bounded work on any input.
namespace clients::aws {

struct S3Error {
    std::string code = {};
    std::string message = {};
    std::string request_id = {};
};

// The text of the first element named `name` (exactly; a namespace prefix is ignored), with
// the predefined and numeric character references and CDATA sections decoded; nullopt when
// there is no such element or it is not closed.
std::optional<std::string> xml_element_text(std::string_view document, std::string_view name);

// S3's error document (<Error><Code>...</Code><Message>...</Message>...</Error>); nullopt for
// anything else (an empty HEAD answer, an HTML page from a proxy).
std::optional<S3Error> parse_s3_error(std::string_view body);

// The UploadId of an InitiateMultipartUploadResult.
std::optional<std::string> parse_upload_id(std::string_view body);

struct CompletedPart {
    int number = 0;
    std::string etag = {};
};

// The body of CompleteMultipartUpload.
std::string complete_multipart_upload_body(const std::vector<CompletedPart>& parts);

}  // namespace clients::aws
