#pragma once

#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

// The page templates (src/throat/web/templates/*.mustache): Mustache, with {{value}} escaped for
// HTML and {{{value}}} for HTML the program made itself (rendered markdown, inner templates).
// Templates whose name starts with _ are partials, included by the others as {{> _name}}.
namespace throat::web {

using View = kainjow::mustache::data;

class Templates {
public:
    // Parses every embedded template; throws std::runtime_error naming one that does not parse.
    Templates();

    // Throws std::out_of_range for an unknown template name (without .mustache).
    std::string render(std::string_view name, View view) const;

private:
    using Parsed = std::map<std::string, std::unique_ptr<kainjow::mustache::mustache>, std::less<>>;
    // A rendering walks the parsed template as mutable state, so each thread renders from a
    // copy of its own, parsed the first time it renders.
    const Parsed& for_this_thread() const;

    std::map<std::string, std::string, std::less<>> sources_;
    std::vector<std::pair<std::string, kainjow::mustache::partial>> partials_;
    mutable std::mutex mutex_;
    mutable std::map<std::thread::id, std::unique_ptr<Parsed>> parsed_;
};

}  // namespace throat::web
