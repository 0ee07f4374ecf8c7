

#include "core/http/responses.h"
#include "throat/web/embedded_files.h"
#include "throat/web/routes.h"

namespace throat::web {
namespace {

std::string_view content_type(std::string_view name) {
    if (name.ends_with(".css")) {
        return "text/css; charset=utf-8";
    }
    if (name.ends_with(".js")) {
        return "text/javascript; charset=utf-8";
    }
    if (name.ends_with(".svg")) {
        return "image/svg+xml";
    }
    return "application/octet-stream";
}

}  // namespace

void add_static_routes(core::http::Router& router, const Site& site) {
    // Pages link /static/<name>?v=<asset_version>; a new build changes the version, so the
    // files may be cached for a year.
    router.add(bhttp::verb::get, "/static/{file}",
               [&site](core::http::Request& request) -> awaitable<Response> {
                   std::string_view name = request.param("file");
                   for (const EmbeddedFile& file : embedded_static_files()) {
                       if (file.name == name) {
                           Response response{bhttp::status::ok, request.head().version()};
                           response.set(bhttp::field::content_type, content_type(name));
                           response.set(bhttp::field::etag, "\"" + site.asset_version + "\"");
                           response.set("X-Content-Type-Options", "nosniff");
                           if (request.header(bhttp::field::if_none_match) ==
                               "\"" + site.asset_version + "\"") {
                               response.result(bhttp::status::not_modified);
                           } else {
                               response.body() = std::string(file.content);
                           }
                           response.set(bhttp::field::cache_control,
                                        request.query().empty()
                                            ? "public, max-age=3600"
                                            : "public, max-age=31536000, immutable");
                           response.prepare_payload();
                           co_return response;
                       }
                   }
                   co_return core::http::text_response(bhttp::status::not_found, "Not Found\n");
               });
}

}  // namespace throat::web
