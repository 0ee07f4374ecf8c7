#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "antenna/throttler/throttler.h"

// The condition language of throttle rules files (docs/throttle-rules.md) and the JSON reading
// helpers the rules-file reader shares with it.
namespace antenna::rules_format {

// A mistake inside a rules document; the reader prefixes the file and the rule.
class FormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Names = std::vector<std::string_view>;

// A JSON string literal, so that a message stays on one line whatever the text holds.
std::string quoted(std::string_view text);
// "a, b, c"
std::string joined(const Names& names);
bool contains(const Names& names, std::string_view name);

// Each check throws FormatError naming `what` (or the unexpected member).
void check_members(const boost::json::object& o, const Names& allowed);
std::string_view as_string(const boost::json::value& v, std::string_view what);
std::vector<std::string> as_string_list(const boost::json::value& v, std::string_view what);

// Builds a condition from its JSON form: a name ("always", "b2g", ...) or an object with one
// operator. `whole_crash` says the rule's key is "*", where field tests must name a field.
Condition compile_condition(const boost::json::value& condition, bool whole_crash);

}  // namespace antenna::rules_format
