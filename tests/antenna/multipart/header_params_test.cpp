#include "antenna/multipart/header_params.h"

#include <gtest/gtest.h>

namespace antenna {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

TEST(ParseHeader, ValueWithoutParams) {
    HeaderValue header = parse_header("  text/plain  ");
    EXPECT_EQ(header.value, "text/plain");
    EXPECT_TRUE(header.params.empty());
    EXPECT_EQ(parse_header("").value, "");
    EXPECT_EQ(parse_header("Text/Plain").value, "Text/Plain");  // the value keeps its case
}

TEST(ParseHeader, NamesLowerCasedAndStrippedValuesStripped) {
    HeaderValue header = parse_header("form-data; NAME = upload ;\tFileName=a.dmp\t; x");
    EXPECT_EQ(header.value, "form-data");
    EXPECT_EQ(header.params, (Params{{"name", "upload"}, {"filename", "a.dmp"}}));
    EXPECT_EQ(header.param("name"), "upload");
    EXPECT_EQ(header.param("NAME"), std::nullopt);
    EXPECT_EQ(header.param("x"), std::nullopt);  // no '=': dropped
}

TEST(ParseHeader, QuotedValuesKeepSemicolons) {
    HeaderValue header = parse_header(R"(form-data; name="a;b"; filename="c; d.txt")");
    EXPECT_EQ(header.param("name"), "a;b");
    EXPECT_EQ(header.param("filename"), "c; d.txt");
}

TEST(ParseHeader, EscapesInQuotedValues) {
    EXPECT_EQ(parse_header(R"(x; a="say \"hi\"; ok")").param("a"), R"(say "hi"; ok)");
    EXPECT_EQ(parse_header(R"(x; a="C:\\dumps\\a.dmp")").param("a"), R"(C:\dumps\a.dmp)");
    // "\\" is unescaped first: \\\" becomes \\" and then \".
    EXPECT_EQ(parse_header(R"(x; a="1\\\"2")").param("a"), R"(1\"2)");
    // An escaped quote does not open a quoted run: the ';' splits.
    HeaderValue split = parse_header(R"(x; a=\"b; c=d)");
    EXPECT_EQ(split.param("a"), R"(\"b)");
    EXPECT_EQ(split.param("c"), "d");
}

TEST(ParseHeader, UnbalancedQuoteRunsToTheEnd) {
    HeaderValue header = parse_header(R"(x; a="b; c=d)");
    EXPECT_EQ(header.params, (Params{{"a", R"("b; c=d)"}}));
}

TEST(ParseHeader, QuotesOnlyStrippedWhenBothEnds) {
    EXPECT_EQ(parse_header(R"(x; a="b)").param("a"), R"("b)");
    EXPECT_EQ(parse_header(R"(x; a=b")").param("a"), R"(b")");
    EXPECT_EQ(parse_header(R"(x; a=")").param("a"), R"(")");
    EXPECT_EQ(parse_header(R"(x; a="")").param("a"), "");
    EXPECT_EQ(parse_header(R"(x; a=" b ")").param("a"), " b ");
}

TEST(ParseHeader, RepeatedNameKeepsFirstPlaceAndLastValue) {
    HeaderValue header = parse_header("x; a=1; b=2; A=3");
    EXPECT_EQ(header.params, (Params{{"a", "3"}, {"b", "2"}}));
    // The same past the few parameters searched in place, before and after the index.
    std::string line = "x";
    Params expected;
    for (int i = 0; i < 12; ++i) {
        line += "; p" + std::to_string(i) + "=" + std::to_string(i);
        expected.emplace_back("p" + std::to_string(i), std::to_string(i));
    }
    line += "; P2=again; p11=last; p12=new";
    expected[2].second = "again";
    expected[11].second = "last";
    expected.emplace_back("p12", "new");
    EXPECT_EQ(parse_header(line).params, expected);
}

TEST(ParseHeader, ManyParametersStayCheap) {
    std::string line = "x";
    for (int i = 0; i < 2000; ++i) {
        line += "; p" + std::to_string(i % 1000) + "=" + std::to_string(i);
    }
    HeaderValue header = parse_header(line);
    EXPECT_EQ(header.params.size(), 1000u);
    EXPECT_EQ(header.param("p0"), "1000");
    EXPECT_EQ(header.param("p999"), "1999");
}

TEST(ParseHeader, EmptySegmentsAndNames) {
    HeaderValue header = parse_header("x;; ;=v; a==b");
    EXPECT_EQ(header.params, (Params{{"", "v"}, {"a", "=b"}}));
}

TEST(ParseHeader, StripsPythonWhitespace) {
    // \x1c-\x1f, NBSP and IDEOGRAPHIC SPACE count as whitespace for str.strip().
    HeaderValue header = parse_header("\x1ctext/plain\x1f; name=\u00a0up\u3000;\u2028a\u0085=b");
    EXPECT_EQ(header.value, "text/plain");
    EXPECT_EQ(header.param("name"), "up");
    EXPECT_EQ(header.param("a"), "b");
    EXPECT_EQ(parse_header("x; a=\u00e9\u00a0").param("a"), "\u00e9");
    EXPECT_EQ(parse_header("x; a=\u200b").param("a"), "\u200b");  // ZERO WIDTH SPACE is not
}

TEST(ParseHeader, KelvinSignLowerCasesToK) {
    EXPECT_EQ(parse_header("x; \u212aey=1").param("key"), "1");
    EXPECT_EQ(parse_header("x; \u00c9=1").params, (Params{{"\u00c9", "1"}}));
}

TEST(MultipartBoundary, PlainAndQuoted) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc").value, "abc");
    EXPECT_EQ(multipart_boundary("multipart/form-data;boundary=\"a;b c\"").value, "a;b c");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=a; boundary=b").value, "b");
    Boundary boundary = multipart_boundary("multipart/mixed; boundary=\"abc  \" ");
    EXPECT_EQ(boundary.error, Boundary::Error::none);
    EXPECT_EQ(boundary.value, "abc");  // rstrip()ed
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=  x y  ").value, "x y");
}

TEST(MultipartBoundary, EmptyOrMissingIsAnError) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=").error,
              Boundary::Error::bad_length);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"\"").error,
              Boundary::Error::bad_length);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"   \"").error,
              Boundary::Error::bad_length);
    EXPECT_EQ(multipart_boundary("multipart/form-data").error, Boundary::Error::missing);
}

TEST(MultipartBoundary, SeventyCharactersAtMost) {
    std::string seventy(70, 'b');
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + seventy).value, seventy);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + seventy + "b").error,
              Boundary::Error::bad_length);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + seventy + "   ").value,
              seventy);
}

TEST(MultipartBoundary, HeaderBytesAreLatin1) {
    // WSGI gives 0xE9 as U+00E9; Falcon encodes the boundary to UTF-8 and counts characters.
    std::string latin(69, 'b');
    Boundary boundary = multipart_boundary("multipart/form-data; boundary=" + latin + "\xe9");
    EXPECT_EQ(boundary.value, latin + "\xc3\xa9");
    // 0xA0 (NBSP) and 0x85 (NEL) are whitespace to rstrip().
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=ab\xa0\x85").value, "ab");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\xa0").error,
              Boundary::Error::bad_length);
}

TEST(ContentDisposition, NameAndFilename) {
    auto disposition =
        parse_content_disposition(R"(form-data; name="upload_file_minidump"; filename="dump.dmp")");
    ASSERT_TRUE(disposition);
    EXPECT_EQ(disposition->name, "upload_file_minidump");
    EXPECT_EQ(disposition->filename, "dump.dmp");
    EXPECT_EQ(disposition->filename_error, std::nullopt);

    auto bare = parse_content_disposition("form-data; name=ProductName");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->name, "ProductName");
    EXPECT_EQ(bare->filename, std::nullopt);

    auto empty = parse_content_disposition("");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->name, std::nullopt);
    EXPECT_EQ(parse_content_disposition(R"(form-data; name=""; filename="")")->filename, "");
}

TEST(ContentDisposition, InvalidUtf8IsRejected) {
    EXPECT_EQ(parse_content_disposition("form-data; name=\"\xff\""), std::nullopt);
    EXPECT_EQ(parse_content_disposition("form-data; name=\"\xed\xa0\x80\""), std::nullopt);
    auto utf8 = parse_content_disposition("form-data; name=\"na\xc3\xafve\"");
    ASSERT_TRUE(utf8);
    EXPECT_EQ(utf8->name, "na\xc3\xafve");
}

TEST(ContentDisposition, Rfc5987FilenameWins) {
    auto disposition = parse_content_disposition(
        "form-data; name=upload; filename=\"plain.dump\"; filename*=utf-8''na%C3%AFve.dump");
    ASSERT_TRUE(disposition);
    EXPECT_EQ(disposition->filename, "na\xc3\xafve.dump");
    EXPECT_EQ(parse_content_disposition("x; filename*=UTF-8'en'%e2%82%ac%20rates")->filename,
              "\u20ac rates");
    EXPECT_EQ(parse_content_disposition("x; filename*=iso-8859-1''%E9t%E9")->filename,
              "\u00e9t\u00e9");
    EXPECT_EQ(parse_content_disposition("x; filename*=\"utf-8''a%2\"")->filename, "a%2");
    EXPECT_EQ(parse_content_disposition("x; filename*=utf-8''%zz%41")->filename, "%zzA");
    // A BOM alone decodes to nothing with utf-8-sig: an empty file name, so "no filename".
    EXPECT_EQ(parse_content_disposition("x; filename*=utf-8-sig''%EF%BB%BF")->filename, "");
}

TEST(ContentDisposition, Rfc5987ShapeMismatchFallsBackToFilename) {
    // The language tag may not contain '-' ([\w]*), the value may not be empty.
    EXPECT_EQ(parse_content_disposition("x; filename=a; filename*=utf-8'en-US'b")->filename, "a");
    EXPECT_EQ(parse_content_disposition("x; filename=a; filename*=utf-8''")->filename, "a");
    EXPECT_EQ(parse_content_disposition("x; filename=a; filename*=''b")->filename, "a");
    EXPECT_EQ(parse_content_disposition("x; filename=a; filename*=utf 8''b")->filename, "a");
    EXPECT_EQ(parse_content_disposition("x; filename*=b.dump")->filename, std::nullopt);
    // \w is Unicode: letters match, symbols do not.
    EXPECT_EQ(parse_content_disposition("x; filename*=utf-8'\u00e9'b")->filename, "b");
    EXPECT_EQ(parse_content_disposition("x; filename=a; filename*=utf-8'\u20ac'b")->filename, "a");
    // The value ends at a newline; nothing before it means no match.
    EXPECT_EQ(parse_content_disposition("x; filename*=\"utf-8''ab\ncd\"")->filename, "ab");
    EXPECT_EQ(parse_content_disposition("x; filename=a; filename*=\"utf-8''\ncd\"")->filename, "a");
}

TEST(ContentDisposition, UndecodableFilenameStarIsAnError) {
    auto bad_bytes = parse_content_disposition("form-data; name=a; filename*=utf-8''%FF");
    ASSERT_TRUE(bad_bytes);
    EXPECT_EQ(bad_bytes->name, "a");
    EXPECT_EQ(bad_bytes->filename, std::nullopt);
    EXPECT_EQ(bad_bytes->filename_error, "invalid text or charset: utf-8");
    auto unknown = parse_content_disposition("form-data; filename*=nope''x");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->filename_error, "invalid text or charset: nope");
    EXPECT_EQ(parse_content_disposition("x; filename*=ascii''%80")->filename_error,
              "invalid text or charset: ascii");
}

}  // namespace
}  // namespace antenna
