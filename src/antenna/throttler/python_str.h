#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace antenna {

// Python's str() of the value json.loads() would have produced for `value`: a string is itself;
// None, True, False; ints in decimal; floats in repr() form (1.0, 1e+16, inf); lists and dicts
// in repr() form, e.g. {'a': 1, 'b': [True, None]}. Antenna's throttle conditions compare these
// texts, so a JSON-payload annotation matches exactly when it would have in Antenna.
std::string python_str(const boost::json::value& value);

// Python 3's repr() of a str: single quotes unless the text has a ' and no "; \\, \n, \r, \t
// escaped; other non-printable characters as \xNN, \uNNNN or \UNNNNNNNN. Printable non-ASCII
// stays as it is. Unassigned code points count as printable here (Python escapes them).
std::string python_repr(std::string_view utf8);

}  // namespace antenna
