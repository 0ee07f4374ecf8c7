#include "throat/web/form.h"

#include <gtest/gtest.h>

namespace throat::web {
namespace {

TEST(Form, DecodesAnHtmlForm) {
    auto form = Form::parse("application/x-www-form-urlencoded",
                            "username=bob&title=Hello+w%C3%B6rld%21&empty=&flag");
    ASSERT_TRUE(form);
    EXPECT_EQ(form->get("username"), "bob");
    EXPECT_EQ(form->get("title"), "Hello w\xC3\xB6rld!");
    EXPECT_TRUE(form->has("empty"));
    EXPECT_EQ(form->get("empty"), "");
    EXPECT_TRUE(form->has("flag"));
    EXPECT_FALSE(form->has("missing"));
    EXPECT_EQ(form->get("missing"), "");
}

TEST(Form, TheFirstValueOfARepeatedFieldWins) {
    auto form = Form::parse("application/x-www-form-urlencoded; charset=UTF-8", "a=1&a=2");
    ASSERT_TRUE(form);
    EXPECT_EQ(form->get("a"), "1");
}

TEST(Form, RefusesABrokenEscape) {
    EXPECT_FALSE(Form::parse("application/x-www-form-urlencoded", "a=%zz"));
    EXPECT_FALSE(Form::parse("application/x-www-form-urlencoded", "a=%4"));
}

TEST(Form, ReadsAJsonObjectFromAScript) {
    auto form = Form::parse("application/json", R"({"text": "x", "n": 5, "b": true, "z": null})");
    ASSERT_TRUE(form);
    EXPECT_EQ(form->get("text"), "x");
    EXPECT_EQ(form->get("n"), "5");
    EXPECT_EQ(form->get("b"), "true");
    EXPECT_FALSE(form->has("z"));
    EXPECT_FALSE(Form::parse("application/json", "[1, 2]"));
    EXPECT_FALSE(Form::parse("application/json", "{"));
}

TEST(Form, RefusesOtherBodies) {
    EXPECT_FALSE(Form::parse("text/plain", "a=1"));
    EXPECT_FALSE(Form::parse("", "a=1"));
}

TEST(Form, CheckboxesAreOnUnlessEmptyOrFalse) {
    auto form = Form::parse("application/x-www-form-urlencoded",
                            "on=y&one=1&zero=0&no=false&blank=&off=off");
    ASSERT_TRUE(form);
    EXPECT_TRUE(form->checked("on"));
    EXPECT_TRUE(form->checked("one"));
    EXPECT_FALSE(form->checked("zero"));
    EXPECT_FALSE(form->checked("no"));
    EXPECT_FALSE(form->checked("blank"));
    EXPECT_FALSE(form->checked("off"));
    EXPECT_FALSE(form->checked("absent"));
}

}  // namespace
}  // namespace throat::web
