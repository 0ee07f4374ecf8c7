#include "clients/aws/s3_xml.h"

#include <gtest/gtest.h>

namespace {

using clients::aws::complete_multipart_upload_body;
using clients::aws::parse_s3_error;
using clients::aws::parse_upload_id;
using clients::aws::xml_element_text;

TEST(S3Xml, ParsesAwsErrorDocuments) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
    auto error = parse_s3_error(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n"
        "  <Message>The resource you requested does not exist</Message>\n"
        "  <Resource>/mybucket/myfoto.jpg</Resource> \n  <RequestId>4442587FB7D0A2F9</RequestId>\n"
        "</Error>");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, "NoSuchKey");
    EXPECT_EQ(error->message, "The resource you requested does not exist");
    EXPECT_EQ(error->request_id, "4442587FB7D0A2F9");
}

TEST(S3Xml, ParsesRgwErrorsWithoutAMessage) {
    auto error = parse_s3_error(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>"
        "<RequestId>tx00000a1b2c3d4e5f6-0065-1234-default</RequestId><HostId>1234-default-"
        "default</HostId></Error>");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, "SignatureDoesNotMatch");
    EXPECT_EQ(error->message, "");
}

TEST(S3Xml, AnErrorInsideA200CompleteAnswerIsFound) {
    auto error = parse_s3_error(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>InternalError</Code>"
        "<Message>We encountered an internal error. Please try again.</Message></Error>");
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, "InternalError");
    EXPECT_FALSE(parse_s3_error(
        "<CompleteMultipartUploadResult><Location>http://b.s3.amazonaws.com/k</Location>"
        "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>"));
}

TEST(S3Xml, OtherBodiesAreNotErrors) {
    for (const char* body :
         {"", "<html><body>502 Bad Gateway</body></html>", "<Error>", "<Error><Code>Truncated",
          "<Errors><Code>x</Code></Errors>", "not xml at all <", "<Error><Code>x</Code"}) {
        EXPECT_FALSE(parse_s3_error(body)) << body;
    }
}

TEST(S3Xml, ReadsTheUploadId) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
    EXPECT_EQ(parse_upload_id(
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult "
                  "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
                  "  <Bucket>example-bucket</Bucket>\n  <Key>example-object</Key>\n"
                  "  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"
                  "</UploadId>\n</InitiateMultipartUploadResult>"),
              "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
    EXPECT_EQ(parse_upload_id("<UploadId>2~a&amp;b</UploadId>"), "2~a&b");
    EXPECT_FALSE(parse_upload_id("<UploadId></UploadId>"));
    EXPECT_FALSE(parse_upload_id("<UploadIdX>1</UploadIdX>"));
}

TEST(S3Xml, DecodesReferencesAndCdata) {
    EXPECT_EQ(xml_element_text("<a>x &lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#xe9;</a>", "a"),
              "x <>&\"' AB\xC3\xA9");
    EXPECT_EQ(xml_element_text("<a>&bogus; &#xD800; &#0; &</a>", "a"), "&bogus; &#xD800; &#0; &");
    EXPECT_EQ(xml_element_text("<a><![CDATA[<b>&amp;</a>]]>!</a>", "a"), "<b>&amp;</a>!");
    EXPECT_EQ(xml_element_text("<s3:Code attr=\"1\">x</s3:Code>", "Code"), "x");
    EXPECT_EQ(xml_element_text("<Code/>", "Code"), "");
    EXPECT_EQ(xml_element_text("<CodeX>1</CodeX><Code>2</Code>", "Code"), "2");
    EXPECT_FALSE(xml_element_text("<a><![CDATA[never closed</a>", "a"));
}

TEST(S3Xml, CompleteBodyListsThePartsEscaped) {
    EXPECT_EQ(
        complete_multipart_upload_body({{1, "\"a54357aff0632cce46d942af68356b38\""}, {2, "<&>"}}),
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Part><PartNumber>1</PartNumber><ETag>&quot;a54357aff0632cce46d942af68356b38&quot;"
        "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&lt;&amp;&gt;</ETag></Part>"
        "</CompleteMultipartUpload>");
    EXPECT_EQ(xml_element_text(complete_multipart_upload_body({{1, "\"q\""}}), "ETag"), "\"q\"");
}

}  // namespace
