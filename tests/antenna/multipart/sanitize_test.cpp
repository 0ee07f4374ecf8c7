#include "antenna/multipart/sanitize.h"

#include <gtest/gtest.h>

namespace antenna {
namespace {

// tests/test_util.py::test_sanitize_key_name and spec Part 2 §1.2.4.
TEST(SanitizeKeyName, AntennaVectors) {
    EXPECT_EQ(sanitize_key_name(""), "");
    EXPECT_EQ(sanitize_key_name("dump_name"), "dump_name");
    EXPECT_EQ(sanitize_key_name("upload_file_minidump"), "upload_file_minidump");
    EXPECT_EQ(sanitize_key_name("upload_file_minidump_browser"), "upload_file_minidump_browser");
    EXPECT_EQ(sanitize_key_name("upload\u0394_file_minidump"), "upload_file_minidump");
    // The Python test's str "m\xef\xbf\xbdn" as UTF-8 (U+00EF U+00BF U+00BD) and as raw bytes.
    EXPECT_EQ(sanitize_key_name("upload_file_m\u00ef\u00bf\u00bdnidump"), "upload_file_mnidump");
    EXPECT_EQ(sanitize_key_name("upload_file_m\xef\xbf\xbdnidump"), "upload_file_mnidump");
}

TEST(SanitizeKeyName, DropsEverythingButAsciiWordCharacters) {
    EXPECT_EQ(sanitize_key_name("upload-file.minidump\u20acx"), "uploadfileminidumpx");
    EXPECT_EQ(sanitize_key_name("raw_crash!"), "raw_crash");
    EXPECT_EQ(sanitize_key_name("../../etc/passwd"), "etcpasswd");
    EXPECT_EQ(sanitize_key_name(std::string_view("a\0b c\td", 7)), "abcd");
    EXPECT_EQ(sanitize_key_name("!@#$%^&*()"), "");
}

TEST(SanitizeKeyName, TruncatesToThirtyAfterFiltering) {
    std::string forty = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123";
    ASSERT_EQ(forty.size(), 40u);
    EXPECT_EQ(sanitize_key_name(forty), "abcdefghijklmnopqrstuvwxyzABCD");
    EXPECT_EQ(sanitize_key_name("-----" + forty), "abcdefghijklmnopqrstuvwxyzABCD");
    EXPECT_EQ(sanitize_key_name("upload_file_minidump_content_x"),
              "upload_file_minidump_content_x");
}

TEST(IsReservedDumpName, OnlyTheStorageFolders) {
    EXPECT_TRUE(is_reserved_dump_name("dump_names"));
    EXPECT_TRUE(is_reserved_dump_name("processed_crash"));
    EXPECT_TRUE(is_reserved_dump_name("raw_crash"));
    EXPECT_TRUE(is_reserved_dump_name(sanitize_key_name("raw_crash!")));
    EXPECT_FALSE(is_reserved_dump_name("upload_file_minidump"));
    EXPECT_FALSE(is_reserved_dump_name("Raw_crash"));
    EXPECT_FALSE(is_reserved_dump_name("raw_crash_"));
    EXPECT_FALSE(is_reserved_dump_name(""));
}

}  // namespace
}  // namespace antenna
