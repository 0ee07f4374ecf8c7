#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace core {

// Writes `data` to `path`, truncating it (Python's open(path, "wb")). Throws
// std::system_error with the errno (ENOSPC when the disk is full).
void write_file(const std::filesystem::path& path, std::string_view data);

// Writes all of `data` to an open file, again after EINTR or a short write. Throws
// std::system_error with the errno and `what` (ENOSPC when the disk is full).
void write_all(int fd, std::string_view data, std::string_view what);

// The whole content of a file. Throws std::system_error.
std::string read_file(const std::filesystem::path& path);

// fsync of a file or a directory (a directory's fsync makes its entries durable).
// Throws std::system_error.
void fsync_path(const std::filesystem::path& path);

// syncfs of the filesystem holding `path`: one flush for every file written there.
// Throws std::system_error.
void sync_filesystem(const std::filesystem::path& path);

}  // namespace core
