#pragma once

#include <string>
#include <string_view>

namespace antenna {

// Antenna's sanitize_key_name (antenna/util.py) for dump names: keeps only the ASCII letters,
// digits and '_' (every byte of a non-ASCII UTF-8 character is dropped), then the first 30.
// The result may be empty.
std::string sanitize_key_name(std::string_view name);

// Dump names that would collide with the storage layout's own folders (RESERVED_DUMP_NAMES):
// dump_names, processed_crash, raw_crash.
bool is_reserved_dump_name(std::string_view sanitized_name);

}  // namespace antenna
