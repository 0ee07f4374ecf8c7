#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace core::json {

struct PythonDumpsOptions {
    bool sort_keys = false;
};

// Serializes like Python's json.dumps(value) with its defaults: separators ", " and ": ",
// ensure_ascii (every non-ASCII code point as \uXXXX, surrogate pairs above the BMP), floats
// in repr() form (1.0, 1e-05, 1e+16, NaN, Infinity). Invalid UTF-8 becomes U+FFFD.
std::string python_dumps(const boost::json::value& value, PythonDumpsOptions options = {});

// Appends the JSON string literal of `text` (with quotes) in ensure_ascii form.
void append_python_string(std::string& out, std::string_view text);

// Appends repr(float(value)).
void append_python_float(std::string& out, double value);

}  // namespace core::json
