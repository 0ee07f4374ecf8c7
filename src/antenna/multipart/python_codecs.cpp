#include "antenna/multipart/python_codecs.h"

#include <algorithm>
#include <string>

namespace antenna::python_codecs {
namespace {

// Python 3's codecs whose decoding we reproduce exactly, with every alias Python knows for them
// (each one checked with codecs.lookup(); "csHPRoman8" is left out: Python lower-cases the name
// first and so never finds it).
constexpr Codec kCodecs[] = {
    {"utf_8 u8 utf utf8 utf8_ucs2 utf8_ucs4 cp65001", Kind::utf8},
    {"utf_8_sig", Kind::utf8_sig},
    {"utf_16 u16 utf16", Kind::utf16},
    {"utf_16_le utf_16le unicodelittleunmarked", Kind::utf16le},
    {"utf_16_be utf_16be unicodebigunmarked", Kind::utf16be},
    {"utf_32 u32 utf32", Kind::utf32},
    {"utf_32_le utf_32le", Kind::utf32le},
    {"utf_32_be utf_32be", Kind::utf32be},
    {"ascii 646 ansi_x3.4_1968 ansi_x3.4_1986 ansi_x3_4_1968 cp367 csascii ibm367 iso646_us "
     "iso_646.irv_1991 iso_ir_6 us us_ascii",
     Kind::ascii},
    {"latin_1 8859 cp819 csisolatin1 ibm819 iso8859 iso8859_1 iso_8859_1 iso_8859_1_1987 "
     "iso_ir_100 l1 latin latin1",
     Kind::latin1},
    {"cp037 037 csibm037 ebcdic_cp_ca ebcdic_cp_nl ebcdic_cp_us ebcdic_cp_wt ibm037 ibm039",
     Kind::single_byte, "IBM037"},
    {"cp273 273 csibm273 ibm273", Kind::single_byte, "IBM273"},
    {"cp424 424 csibm424 ebcdic_cp_he ibm424", Kind::single_byte, "IBM424"},
    {"cp437 437 cspc8codepage437 ibm437", Kind::single_byte, "IBM437"},
    {"cp500 500 csibm500 ebcdic_cp_be ebcdic_cp_ch ibm500", Kind::single_byte, "IBM500"},
    {"cp737", Kind::single_byte, "CP737"},
    {"cp775 775 cspc775baltic ibm775", Kind::single_byte, "CP775"},
    {"cp850 850 cspc850multilingual ibm850", Kind::single_byte, "IBM850"},
    {"cp852 852 cspcp852 ibm852", Kind::single_byte, "IBM852"},
    {"cp855 855 csibm855 ibm855", Kind::single_byte, "IBM855"},
    {"cp857 857 csibm857 ibm857", Kind::single_byte, "IBM857"},
    {"cp858 858 csibm858 ibm858", Kind::single_byte, "IBM858"},
    {"cp860 860 csibm860 ibm860", Kind::single_byte, "IBM860"},
    {"cp861 861 cp_is csibm861 ibm861", Kind::single_byte, "IBM861"},
    {"cp862 862 cspc862latinhebrew ibm862", Kind::single_byte, "IBM862"},
    {"cp863 863 csibm863 ibm863", Kind::single_byte, "IBM863"},
    {"cp864 864 csibm864 ibm864", Kind::single_byte, "IBM864"},
    {"cp865 865 csibm865 ibm865", Kind::single_byte, "IBM865"},
    {"cp866 866 csibm866 ibm866", Kind::single_byte, "IBM866"},
    {"cp869 869 cp_gr csibm869 ibm869", Kind::single_byte, "IBM869"},
    {"cp874", Kind::single_byte, "CP874"},
    {"cp1026 1026 csibm1026 ibm1026", Kind::single_byte, "IBM1026"},
    {"cp1125 1125 cp866u ibm1125 ruscii", Kind::single_byte, "CP1125"},
    {"cp1140 1140 ibm1140", Kind::single_byte, "IBM1140"},
    {"cp1250 1250 windows_1250", Kind::single_byte, "CP1250"},
    {"cp1251 1251 windows_1251", Kind::single_byte, "CP1251"},
    {"cp1252 1252 windows_1252", Kind::single_byte, "CP1252"},
    {"cp1253 1253 windows_1253", Kind::single_byte, "CP1253"},
    {"cp1254 1254 windows_1254", Kind::single_byte, "CP1254"},
    {"cp1255 1255 windows_1255", Kind::single_byte, "CP1255"},
    {"cp1256 1256 windows_1256", Kind::single_byte, "CP1256"},
    {"cp1257 1257 windows_1257", Kind::single_byte, "CP1257"},
    {"cp1258 1258 windows_1258", Kind::single_byte, "CP1258"},
    {"hp_roman8 cp1051 ibm1051 r8 roman8", Kind::single_byte, "HP-ROMAN8"},
    {"iso8859_2 csisolatin2 iso_8859_2 iso_8859_2_1987 iso_ir_101 l2 latin2", Kind::single_byte,
     "ISO-8859-2"},
    {"iso8859_3 csisolatin3 iso_8859_3 iso_8859_3_1988 iso_ir_109 l3 latin3", Kind::single_byte,
     "ISO-8859-3"},
    {"iso8859_4 csisolatin4 iso_8859_4 iso_8859_4_1988 iso_ir_110 l4 latin4", Kind::single_byte,
     "ISO-8859-4"},
    {"iso8859_5 csisolatincyrillic cyrillic iso_8859_5 iso_8859_5_1988 iso_ir_144",
     Kind::single_byte, "ISO-8859-5"},
    {"iso8859_6 arabic asmo_708 csisolatinarabic ecma_114 iso_8859_6 iso_8859_6_1987 iso_ir_127",
     Kind::single_byte, "ISO-8859-6"},
    {"iso8859_7 csisolatingreek ecma_118 elot_928 greek greek8 iso_8859_7 iso_8859_7_1987 "
     "iso_ir_126",
     Kind::single_byte, "ISO-8859-7"},
    {"iso8859_8 csisolatinhebrew hebrew iso_8859_8 iso_8859_8_1988 iso_ir_138", Kind::single_byte,
     "ISO-8859-8"},
    {"iso8859_9 csisolatin5 iso_8859_9 iso_8859_9_1989 iso_ir_148 l5 latin5", Kind::single_byte,
     "ISO-8859-9"},
    {"iso8859_10 csisolatin6 iso_8859_10 iso_8859_10_1992 iso_ir_157 l6 latin6", Kind::single_byte,
     "ISO-8859-10"},
    {"iso8859_11 iso_8859_11 iso_8859_11_2001 thai", Kind::single_byte, "ISO-8859-11"},
    {"iso8859_13 iso_8859_13 l7 latin7", Kind::single_byte, "ISO-8859-13"},
    {"iso8859_14 iso_8859_14 iso_8859_14_1998 iso_celtic iso_ir_199 l8 latin8", Kind::single_byte,
     "ISO-8859-14"},
    {"iso8859_15 iso_8859_15 l9 latin9", Kind::single_byte, "ISO-8859-15"},
    {"iso8859_16 iso_8859_16 iso_8859_16_2001 iso_ir_226 l10 latin10", Kind::single_byte,
     "ISO-8859-16"},
    {"koi8_r cskoi8r", Kind::single_byte, "KOI8-R"},
    {"koi8_t", Kind::single_byte, "KOI8-T"},
    {"koi8_u", Kind::single_byte, "KOI8-U"},
    {"kz1048 kz_1048 rk1048 strk1048_2002", Kind::single_byte, "RK1048"},
    {"mac_cyrillic maccyrillic", Kind::single_byte, "MAC-CYRILLIC"},
    {"mac_latin2 mac_centeuro maccentraleurope maclatin2", Kind::single_byte, "MAC-CENTRALEUROPE"},
    {"mac_roman macintosh macroman", Kind::single_byte, "MACINTOSH"},
    {"ptcp154 cp154 csptcp154 cyrillic_asian pt154", Kind::single_byte, "PT154"},
    {"gb2312 chinese csiso58gb231280 euc_cn euccn eucgb2312_cn gb2312_1980 gb2312_80 iso_ir_58 "
     "x_mac_simp_chinese",
     Kind::multibyte, "EUC-CN"},
    {"cp949 949 ms949 uhc", Kind::multibyte, "CP949"},
    {"shift_jis csshiftjis s_jis shiftjis sjis x_mac_japanese", Kind::shift_jis, "SHIFT_JIS"},
};

struct Override {
    std::string_view module;
    unsigned char byte;
    std::string_view text;
};
constexpr Override kOverrides[] = {
    {"cp1026", 0x9D, "\u00B8"},    {"cp1026", 0xBC, "\u00AF"},    {"cp273", 0xBC, "\u203E"},
    {"cp424", 0x78, "\u2017"},     {"cp424", 0x8F, "\u00B1"},     {"mac_cyrillic", 0xFF, "\u20AC"},
    {"mac_roman", 0xC6, "\u2206"}, {"mac_roman", 0xF0, "\uF8FF"},
};

bool has_name(const Codec& codec, std::string_view name, bool aliases_only) {
    std::string_view names = codec.names;
    for (bool first = true; !names.empty(); first = false) {
        std::size_t space = names.find(' ');
        if (names.substr(0, space) == name && !(first && aliases_only)) {
            return true;
        }
        names = space == std::string_view::npos ? std::string_view{} : names.substr(space + 1);
    }
    return false;
}

}  // namespace

const Codec* find_codec(std::string_view charset) {
    std::string name;
    bool punct = false;
    for (char c : charset) {
        if (c == '\0') {
            return nullptr;  // Python: "embedded null character"
        }
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alnum || c == '.') {
            if (punct && !name.empty()) {
                name += '_';
            }
            punct = false;
            name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        } else {
            punct = true;
        }
    }
    // Module names hold no '.', so an exact match is an alias or a module, as Python tries them.
    for (const Codec& codec : kCodecs) {
        if (has_name(codec, name, false)) {
            return &codec;
        }
    }
    std::replace(name.begin(), name.end(), '.', '_');
    for (const Codec& codec : kCodecs) {
        if (has_name(codec, name, true)) {
            return &codec;
        }
    }
    return nullptr;
}

std::string_view byte_override(const Codec& codec, unsigned char byte) {
    for (const Override& entry : kOverrides) {
        if (entry.module == codec.module() && entry.byte == byte) {
            return entry.text;
        }
    }
    return {};
}

}  // namespace antenna::python_codecs
