#include "antenna/throttler/python_str.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace {

using antenna::python_repr;
using antenna::python_str;

std::string str_of_json(std::string_view json) {
    return python_str(boost::json::parse(json));
}

TEST(PythonStr, StringIsItself) {
    EXPECT_EQ(python_str(boost::json::value("it's \"here\"\n")), "it's \"here\"\n");
    EXPECT_EQ(python_str(boost::json::value("")), "");
}

TEST(PythonStr, ScalarsAsPythonPrintsThem) {
    EXPECT_EQ(str_of_json("null"), "None");
    EXPECT_EQ(str_of_json("true"), "True");
    EXPECT_EQ(str_of_json("false"), "False");
    EXPECT_EQ(str_of_json("0"), "0");
    EXPECT_EQ(str_of_json("-17"), "-17");
    EXPECT_EQ(str_of_json("18446744073709551615"), "18446744073709551615");
    EXPECT_EQ(str_of_json("1.0"), "1.0");
    EXPECT_EQ(str_of_json("-0.0"), "-0.0");
    EXPECT_EQ(str_of_json("0.1"), "0.1");
    EXPECT_EQ(str_of_json("1e16"), "1e+16");
    EXPECT_EQ(str_of_json("1.5e-7"), "1.5e-07");
    EXPECT_EQ(str_of_json("123456789.125"), "123456789.125");
}

TEST(PythonStr, NonFiniteFloatsUseReprNames) {
    EXPECT_EQ(str_of_json("1e400"), "inf");
    EXPECT_EQ(str_of_json("-1e400"), "-inf");
    EXPECT_EQ(python_str(boost::json::value(std::numeric_limits<double>::quiet_NaN())), "nan");
}

TEST(PythonStr, ContainersAsRepr) {
    EXPECT_EQ(str_of_json(R"({"a": 1, "b": [true, null]})"), "{'a': 1, 'b': [True, None]}");
    EXPECT_EQ(str_of_json("{}"), "{}");
    EXPECT_EQ(str_of_json("[]"), "[]");
    EXPECT_EQ(str_of_json(R"([[], {}, 1.5, "x"])"), "[[], {}, 1.5, 'x']");
    // Keys keep insertion order, as Python's dict does.
    EXPECT_EQ(str_of_json(R"({"z": "it's", "a": {"q\"": "\t"}})"),
              R"({'z': "it's", 'a': {'q"': '\t'}})");
}

TEST(PythonRepr, QuoteChoice) {
    EXPECT_EQ(python_repr("abc"), "'abc'");
    EXPECT_EQ(python_repr(""), "''");
    EXPECT_EQ(python_repr("it's"), "\"it's\"");
    EXPECT_EQ(python_repr("say \"hi\""), "'say \"hi\"'");
    EXPECT_EQ(python_repr("it's \"x\""), "'it\\'s \"x\"'");
}

TEST(PythonRepr, EscapesOfAscii) {
    EXPECT_EQ(python_repr("a\\b"), "'a\\\\b'");
    EXPECT_EQ(python_repr("\n\r\t"), "'\\n\\r\\t'");
    EXPECT_EQ(python_repr(std::string_view("\0\x01\x1f\x7f", 4)), "'\\x00\\x01\\x1f\\x7f'");
    EXPECT_EQ(python_repr("\b\f\v"), "'\\x08\\x0c\\x0b'");
    EXPECT_EQ(python_repr(" ~"), "' ~'");
}

TEST(PythonRepr, NonAscii) {
    EXPECT_EQ(python_repr("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80"),
              "'caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80'");                 // printable: as is
    EXPECT_EQ(python_repr("\xc2\x80\xc2\xa0\xc2\xad"), "'\\x80\\xa0\\xad'");  // C1, NBSP, SHY
    EXPECT_EQ(python_repr("\xe2\x80\x8b\xe2\x80\xa8\xe3\x80\x80"), "'\\u200b\\u2028\\u3000'");
    EXPECT_EQ(python_repr("\xee\x80\x80\xef\xbb\xbf\xef\xbf\xbe"), "'\\ue000\\ufeff\\ufffe'");
    EXPECT_EQ(python_repr("\xf3\xb0\x80\x80\xf3\xa0\x80\x81"), "'\\U000f0000\\U000e0001'");
}

TEST(PythonRepr, InvalidUtf8BecomesReplacementCharacters) {
    // One U+FFFD per maximal subpart, as bytes.decode(errors="replace").
    EXPECT_EQ(python_repr("a\xff"
                          "b"),
              "'a\xef\xbf\xbd"
              "b'");
    EXPECT_EQ(python_repr("\xe6\x97"), "'\xef\xbf\xbd'");
    EXPECT_EQ(python_repr("\xed\xa0\x80"), "'\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd'");
}

}  // namespace
