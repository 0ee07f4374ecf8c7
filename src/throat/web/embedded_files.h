#pragma once

#include <span>
#include <string_view>

// Files compiled into the program (cmake/embed_files.cmake): it runs without a share directory.
namespace throat::web {

struct EmbeddedFile {
    std::string_view name = {};
    std::string_view content = {};
};

// src/throat/web/templates/*.mustache
std::span<const EmbeddedFile> embedded_templates();
// src/throat/web/static/*: CSS, JavaScript, icons
std::span<const EmbeddedFile> embedded_static_files();

}  // namespace throat::web
