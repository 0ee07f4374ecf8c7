#include "core/http/responses.h"

#include "core/json/python_json.h"

namespace core::http {

std::string status_title(bhttp::status status) {
    return std::to_string(static_cast<unsigned>(status)) + " " +
           std::string(bhttp::obsolete_reason(status));
}

Response falcon_error(bhttp::status status) {
    std::string body = "{\"title\": ";
    json::append_python_string(body, status_title(status));
    body += '}';
    Response response = json_response(status, std::move(body));
    response.set(bhttp::field::vary, "Accept");
    return response;
}

Response text_response(bhttp::status status, std::string body, std::string_view content_type) {
    Response response{status, 11};
    response.set(bhttp::field::content_type, content_type);
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

Response json_response(bhttp::status status, std::string body, std::string_view content_type) {
    return text_response(status, std::move(body), content_type);
}

}  // namespace core::http
