#include "throat/web/templates.h"

#include <stdexcept>

#include "throat/web/embedded_files.h"

namespace throat::web {
namespace {

constexpr std::string_view kSuffix = ".mustache";

std::unique_ptr<kainjow::mustache::mustache> parse(const std::string& name,
                                                   const std::string& source) {
    auto parsed = std::make_unique<kainjow::mustache::mustache>(source);
    if (!parsed->is_valid()) {
        throw std::runtime_error("template " + name + ": " + parsed->error_message());
    }
    return parsed;
}

}  // namespace

Templates::Templates() {
    for (const EmbeddedFile& file : embedded_templates()) {
        if (file.name.ends_with(kSuffix)) {
            std::string name(file.name.substr(0, file.name.size() - kSuffix.size()));
            std::string source(file.content);
            parse(name, source);
            sources_.emplace(std::move(name), std::move(source));
        }
    }
}

const Templates::Parsed& Templates::for_this_thread() const {
    std::lock_guard lock(mutex_);
    auto& parsed = parsed_[std::this_thread::get_id()];
    if (!parsed) {
        parsed = std::make_unique<Parsed>();
        for (const auto& [name, source] : sources_) {
            parsed->emplace(name, parse(name, source));
        }
    }
    return *parsed;
}

std::string Templates::render(std::string_view name, View view) const {
    const Parsed& parsed = for_this_thread();
    auto found = parsed.find(name);
    if (found == parsed.end()) {
        throw std::out_of_range("no template " + std::string(name));
    }
    return found->second->render(view);
}

}  // namespace throat::web
