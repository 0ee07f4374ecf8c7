#pragma once

#include <string>
#include <string_view>

#include "core/http/request.h"

namespace core::http {

// "404 Not Found": the status line text Falcon uses as an error title.
std::string status_title(bhttp::status status);

// Falcon's error response: JSON {"title": "<code> <reason>"}, `Vary: Accept`.
Response falcon_error(bhttp::status status);

Response text_response(bhttp::status status, std::string body,
                       std::string_view content_type = "text/plain");

Response json_response(bhttp::status status, std::string body,
                       std::string_view content_type = "application/json");

}  // namespace core::http
