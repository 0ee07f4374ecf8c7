#include "core/json/python_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace {

using core::json::python_dumps;

std::string dumps_float(double value) {
    return python_dumps(boost::json::value(value));
}

std::string dumps_string(std::string_view text) {
    return python_dumps(boost::json::value(boost::json::string(text)));
}

TEST(PythonJson, SortKeysOrdersMembersWithPythonSeparators) {
    auto value = boost::json::parse(R"({"b":1,"a":[true,null,1.5]})");
    EXPECT_EQ(python_dumps(value, {.sort_keys = true}), R"({"a": [true, null, 1.5], "b": 1})");
}

TEST(PythonJson, WithoutSortKeysInsertionOrderIsKept) {
    boost::json::object object;
    object["z"] = 1;
    object["a"] = "x";
    object["m"] = boost::json::array{1, 2};
    EXPECT_EQ(python_dumps(object), R"({"z": 1, "a": "x", "m": [1, 2]})");
}

TEST(PythonJson, SortKeysUsesCodePointOrder) {
    // Python sorts str keys by code point: upper case before lower case, non-ASCII last.
    auto value = boost::json::parse(R"({"\u00e9":1,"z":2,"a":3,"Z":4})");
    EXPECT_EQ(python_dumps(value, {.sort_keys = true}), R"({"Z": 4, "a": 3, "z": 2, "\u00e9": 1})");
}

TEST(PythonJson, EmptyContainers) {
    EXPECT_EQ(python_dumps(boost::json::parse(R"({"a":{},"b":[]})")), R"({"a": {}, "b": []})");
}

TEST(PythonJson, FloatsUseReprForm) {
    EXPECT_EQ(dumps_float(1.0), "1.0");
    EXPECT_EQ(dumps_float(0.1), "0.1");
    EXPECT_EQ(dumps_float(100.0), "100.0");
    EXPECT_EQ(dumps_float(1e-05), "1e-05");
    EXPECT_EQ(dumps_float(1.234e-05), "1.234e-05");
    EXPECT_EQ(dumps_float(0.0001), "0.0001");
    EXPECT_EQ(dumps_float(1e16), "1e+16");
    EXPECT_EQ(dumps_float(1e22), "1e+22");
    EXPECT_EQ(dumps_float(1234567890123456.0), "1234567890123456.0");
    EXPECT_EQ(dumps_float(9999999999999998.0), "9999999999999998.0");
    EXPECT_EQ(dumps_float(1.5e300), "1.5e+300");
    EXPECT_EQ(dumps_float(-0.0), "-0.0");
    EXPECT_EQ(dumps_float(123456789.123), "123456789.123");
    EXPECT_EQ(dumps_float(5e-324), "5e-324");
    EXPECT_EQ(dumps_float(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
}

TEST(PythonJson, NonFiniteFloatsUsePythonSpellings) {
    EXPECT_EQ(dumps_float(std::nan("")), "NaN");
    EXPECT_EQ(dumps_float(std::numeric_limits<double>::infinity()), "Infinity");
    EXPECT_EQ(dumps_float(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(PythonJson, NonAsciiIsEscaped) {
    EXPECT_EQ(dumps_string("\xc3\xa9"), R"("\u00e9")");
    EXPECT_EQ(dumps_string("\xf0\x9f\x98\x80"), R"("\ud83d\ude00")");
    EXPECT_EQ(dumps_string("a\xe2\x82\xac"
                           "b"),
              R"("a\u20acb")");
}

TEST(PythonJson, ControlCharactersAndDelAreEscaped) {
    EXPECT_EQ(dumps_string("\x01"), R"("\u0001")");
    EXPECT_EQ(dumps_string("\x1f"), R"("\u001f")");
    EXPECT_EQ(dumps_string(std::string_view("\0", 1)), R"("\u0000")");
    EXPECT_EQ(dumps_string("\x7f"), R"("\u007f")");
}

TEST(PythonJson, ShortEscapesMatchPython) {
    EXPECT_EQ(dumps_string("\"\\\n\t\r\b\f"), R"("\"\\\n\t\r\b\f")");
    EXPECT_EQ(dumps_string("/ ~"), R"("/ ~")");
}

TEST(PythonJson, InvalidUtf8BecomesReplacementCharacter) {
    EXPECT_EQ(dumps_string("\xff"), R"("\ufffd")");
    EXPECT_EQ(dumps_string("a\xff"
                           "b"),
              R"("a\ufffdb")");
}

TEST(PythonJson, IllFormedSequencesAreReplacedPerMaximalSubpartLikePython) {
    // Expected values from Python: json.dumps(b.decode("utf-8", "replace")).
    EXPECT_EQ(dumps_string("\xe2\x82"), R"("\ufffd")");
    EXPECT_EQ(dumps_string("\xe2\x82x"), R"("\ufffdx")");
    EXPECT_EQ(dumps_string("\xc0\xaf"), R"("\ufffd\ufffd")");
    EXPECT_EQ(dumps_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
    EXPECT_EQ(dumps_string("\xf0\x9f\x98"), R"("\ufffd")");
    EXPECT_EQ(dumps_string("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
    EXPECT_EQ(dumps_string("\x80\x80"), R"("\ufffd\ufffd")");
}

TEST(PythonJson, KeysAreEscapedLikeStrings) {
    boost::json::object object;
    object["\xc3\xa9\n"] = 1;
    EXPECT_EQ(python_dumps(object), R"({"\u00e9\n": 1})");
}

TEST(PythonJson, IntegerExtremesArePrintedExactly) {
    boost::json::array values{std::numeric_limits<std::int64_t>::max(),
                              std::numeric_limits<std::int64_t>::min(),
                              std::numeric_limits<std::uint64_t>::max()};
    EXPECT_EQ(python_dumps(values),
              "[9223372036854775807, -9223372036854775808, 18446744073709551615]");
}

TEST(PythonJson, AppendHelpersAppendToExistingText) {
    std::string out = "x=";
    core::json::append_python_float(out, 2.0);
    out += ' ';
    core::json::append_python_string(out, "\xc3\xa9");
    EXPECT_EQ(out, R"(x=2.0 "\u00e9")");
}

}  // namespace
