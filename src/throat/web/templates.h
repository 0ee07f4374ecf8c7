#pragma once

#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

// The page templates (src/throat/web/templates/*.mustache): Mustache, with {{value}} escaped for
// HTML and {{{value}}} for HTML the program made itself (rendered markdown, inner templates).
// No partials: kainjow parses a partial's text again at each inclusion, so pieces repeated on a
// page (a post in a listing, a comment, a vote widget) are rendered on their own and put in as
// {{{html}}}.
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
    mutable std::mutex mutex_;
    mutable std::map<std::thread::id, std::unique_ptr<Parsed>> parsed_;
};

}  // namespace throat::web
