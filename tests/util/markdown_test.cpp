// util::md_text / md_code: evidence text in Markdown renders as that text and nothing else.
#include "util/markdown.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string_view>

#include "test_paths.h"

namespace eksir::util {
namespace {

struct Case {
  const char* name;
  std::string in, out;
};

class MdText : public ::testing::TestWithParam<Case> {};

TEST_P(MdText, EscapesEverythingMarkdownWouldRead) {
  EXPECT_EQ(md_text(GetParam().in), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MdText,
    ::testing::Values(
        Case{"plain", "default/web-7c9", "default/web-7c9"},
        Case{"emphasis_and_code", "*a* _b_ `c`", "\\*a\\* \\_b\\_ \\`c\\`"},
        Case{"link", "[x](http://evil.example/)", "\\[x\\](http\\://evil.example/)"},
        Case{"image", "![i](x)", "\\!\\[i\\](x)"},
        Case{"html", "<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"},
        Case{"autolink_angle", "<https://evil.example>", "\\<https\\://evil.example\\>"},
        Case{"bare_url", "see https://evil.example/x", "see https\\://evil.example/x"},
        Case{"www", "www.evil.example and WWW.x.y", "www\\.evil.example and WWW\\.x.y"},
        Case{"not_www", "awww.x", "awww.x"},
        Case{"email_is_code", "mail admin@evil.example now", "mail `admin@evil.example` now"},
        Case{"table_pipe", "a|b", "a\\|b"}, Case{"entity", "&lt;b&gt;", "\\&lt;b\\&gt;"},
        Case{"heading", "# not a heading", "\\# not a heading"},
        Case{"quote", "> quote", "\\> quote"}, Case{"list_marker", "- item", "\\- item"},
        Case{"list_marker_after_spaces", "  + item", "  \\+ item"},
        Case{"ordered_list", "1. one", "1\\. one"}, Case{"ordered_paren", "12) x", "12\\) x"},
        Case{"setext_or_rule", "===", "\\==="},
        Case{"dash_inside_is_kept", "kube-system - x", "kube-system - x"},
        Case{"newline_never_starts_a_block", "a\n# b\n\n- c", "a\\\\n\\# b\\\\n\\\\n- c"},
        Case{"controls_visible", "x\x1b[2K\xE2\x80\xAE", "x\\\\x1b\\[2K\\\\u202e"},
        Case{"strike", "~~x~~", "\\~\\~x\\~\\~"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MdCode, FenceOutrunsBackticksAndPipesSplitSpans) {
  EXPECT_EQ(md_code("ev/audit.log:3"), "`ev/audit.log:3`");
  EXPECT_EQ(md_code("a `b` c"), "``a `b` c``");
  EXPECT_EQ(md_code("`x`"), "`` `x` ``");
  EXPECT_EQ(md_code("a|b"), "`a`\\|`b`");
  EXPECT_EQ(md_code("|"), "\\|");
  EXPECT_EQ(md_code("x\ny\x1b"), "`x\\ny\\x1b`");
}

// What a GFM renderer (cmark-gfm, as GitHub and GitLab-style trackers use) makes of the text.
// Skipped when cmark-gfm is not installed; the assertions above do not depend on it.
std::string render_gfm(const std::string& md) {
  if (access("/usr/bin/cmark-gfm", X_OK) != 0) return {};
  std::string dir = eksir::test::temp_dir();
  std::ofstream(dir + "/in.md", std::ios::binary) << md;
  std::string cmd =
      "/usr/bin/cmark-gfm -e autolink -e table -e tagfilter -e strikethrough " + dir + "/in.md";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {};
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

const char* const kHostile[] = {
    "https://evil.example/a",
    "<http://evil.example>",
    "www.evil.example",
    "admin@evil.example",
    "mailto:admin@evil.example",
    "[click](javascript:alert(1))",
    "![img](http://evil.example/x.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!-- hidden -->",
    "&lt;b&gt;",
    "`code` ``x``",
    "a | b | c",
    "# heading",
    "- list",
    "1. ordered",
    "> quote",
    "***",
    "x\n\n<div>block</div>\n|a|b|\n|-|-|",
    "name\x1b[2K\r\x1b]8;;http://evil.example\x07link\x1b]8;;\x07\xE2\x80\xAE",
};

TEST(MdText, RendersInertInGfm) {
  if (render_gfm("x").empty()) GTEST_SKIP() << "cmark-gfm is not installed";
  for (const char* h : kHostile) {
    std::string text = md_text(h), code = md_code(h);
    std::string md = "- " + text + "\n\n" + text + "\n\nin code " + code +
                     "\n\n| a | b |\n|---|---|\n| " + text + " | " + code + " |\n";
    std::string html = render_gfm(md);
    EXPECT_EQ(html.find("<a "), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<img"), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<script"), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<div"), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<!--"), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<h1"), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<blockquote"), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<ol"), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<hr"), std::string::npos) << h << "\n" << html;
    EXPECT_EQ(html.find("<em"), std::string::npos) << h << "\n" << html;
    // The blocks written and no other: one list item, two paragraphs, one table row of two cells.
    auto count = [&](std::string_view tag) {
      int n = 0;
      for (size_t at = html.find(tag); at != std::string::npos; at = html.find(tag, at + 1)) ++n;
      return n;
    };
    EXPECT_EQ(count("<li>"), 1) << h << "\n" << html;
    EXPECT_EQ(count("<p>"), 2) << h << "\n" << html;
    EXPECT_EQ(count("<tr>"), 2) << h << "\n" << html;
    EXPECT_EQ(count("<td>"), 2) << h << "\n" << html;
  }
}

}  // namespace
}  // namespace eksir::util
