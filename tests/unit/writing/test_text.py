"""Tests for contest.writing.text: sanitising, Markdown rendering and word counts."""

from __future__ import annotations

import re

import pytest

from contest.writing.text import (
    ALLOWED_TAGS,
    count_words,
    render_body,
    render_markdown,
    sanitize_html,
    visible_text,
)

REL = 'rel="noopener noreferrer nofollow"'

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<p onclick=\"alert(1)\" onmouseover='alert(2)'>chữ</p>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<scr<script>ipt>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<details open ontoggle=alert(1)>',
    '<a href="https://ok.example" onfocus="alert(1)" autofocus>x</a>',
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_are_neutralised(vector):
    clean = sanitize_html(vector).lower()
    assert "<script" not in clean
    assert "javascript:" not in clean and "vbscript:" not in clean and "data:" not in clean
    assert not re.search(r"<[^>]*\son\w+\s*=", clean), clean
    assert "style=" not in clean and "<style" not in clean
    for tag in ("iframe", "object", "embed", "meta", "base", "form", "input", "img", "svg",
                "math", "details"):
        assert f"<{tag}" not in clean


def test_script_and_style_content_is_removed_with_the_tag():
    assert sanitize_html("<p>a</p><script>var x = 1;</script><style>p{}</style>") == "<p>a</p>"


def test_allowed_markup_is_kept():
    html = (
        "<h2>Tiêu đề</h2><h3>Mục</h3><h4>Ý</h4><p>Đoạn <strong>đậm</strong>, <em>nghiêng</em>, "
        "<b>b</b>, <i>i</i>, <u>gạch</u>, H<sub>2</sub>O, m<sup>2</sup><br></p>"
        "<ul><li>một</li></ul><ol><li>hai</li></ol><blockquote>trích</blockquote><hr>"
        '<table><caption>Tỷ lệ</caption><thead><tr><th colspan="2">Khóa</th></tr></thead>'
        '<tbody><tr><td rowspan="2">XV</td><td>30,26%</td></tr></tbody></table>'
    )
    assert sanitize_html(html) == html


def test_unknown_tags_are_removed_but_their_text_kept():
    assert sanitize_html('<div class="x" id="y"><span>chữ</span></div>') == "chữ"
    assert sanitize_html('<p class="lead" id="a" title="t" lang="vi">x</p>') == "<p>x</p>"


def test_images_are_not_allowed():
    assert "img" not in ALLOWED_TAGS
    assert sanitize_html('<p><img src="https://ok.example/a.jpg" alt="ảnh">x</p>') == "<p>x</p>"


def test_links_get_rel_and_keep_safe_urls():
    assert sanitize_html('<a href="https://baonghean.vn/bai" title="Bài">đọc</a>') == (
        f'<a href="https://baonghean.vn/bai" title="Bài" {REL}>đọc</a>'
    )
    assert sanitize_html('<a href="mailto:toa-soan@example.vn">thư</a>') == (
        f'<a href="mailto:toa-soan@example.vn" {REL}>thư</a>'
    )
    # An author's own rel or target is replaced.
    assert sanitize_html('<a href="http://x.vn" rel="opener" target="_blank">x</a>') == (
        f'<a href="http://x.vn" {REL}>x</a>'
    )


def test_relative_links_are_dropped():
    assert sanitize_html('<a href="/organizer/">x</a>') == f"<a {REL}>x</a>"


def test_headings_keep_their_place():
    assert sanitize_html("<h1>Tên bài</h1>") == "<h2>Tên bài</h2>"
    assert sanitize_html('<H1 class="t">A</H1><h5>B</h5><h6>C</h6>') == (
        "<h2>A</h2><h4>B</h4><h4>C</h4>"
    )


def test_markdown_rendering():
    source = (
        "# Phụ nữ tham chính\n\n"
        "Tỷ lệ nữ đại biểu **30,26%** trong *Quốc hội khóa XV*.\n"
        "Dòng thứ hai của đoạn.\n\n"
        "- một\n- hai\n\n"
        "> Trích dẫn\n\n"
        "| Khóa | Tỷ lệ |\n|---|---|\n| XIV | 26,8% |\n\n"
        "[Báo Nghệ An](https://baonghean.vn)"
    )
    html = render_markdown(source)
    assert "<h2>Phụ nữ tham chính</h2>" in html
    assert "<strong>30,26%</strong>" in html and "<em>Quốc hội khóa XV</em>" in html
    # A single newline (as pasted from a word processor) stays a line break.
    assert "XV</em>.<br>\nDòng thứ hai" in html
    assert "<ul>\n<li>một</li>\n<li>hai</li>\n</ul>" in html
    assert "<blockquote>" in html
    assert "<td>XIV</td>" in html and "<th>Khóa</th>" in html
    assert f'<a href="https://baonghean.vn" {REL}>Báo Nghệ An</a>' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        '<img src="x" onerror="alert(1)">',
        "<p onclick='alert(1)'>x</p>",
        "![ảnh](https://evil.example/a.png)",
    ],
)
def test_markdown_is_sanitised(source):
    html = render_markdown(source).lower()
    assert "<script" not in html and "javascript:" not in html
    assert "onerror" not in html and "onclick" not in html and "<img" not in html


def test_render_body():
    assert render_body("**đậm**", "markdown") == "<p><strong>đậm</strong></p>"
    assert render_body("<p>x<script>1</script></p>", "html") == "<p>x</p>"
    with pytest.raises(ValueError):
        render_body("x", "rst")


@pytest.mark.parametrize(
    "text, words",
    [
        ("", 0),
        ("   \n\t ", 0),
        ("Bình đẳng giới trong chính trị", 6),
        ("Bình  đẳng\ngiới\ttrong\u00a0chính trị", 6),
        ("Phụ nữ – lãnh đạo ... • !!! “ ”", 4),
        ("Tỷ lệ 30,26% nữ đại biểu (151/499).", 7),
        ("Luật số 73/2006/QH11, Điều 11.", 5),
        ("# Tiêu đề\n\n- một\n- **hai**", 4),
        ("chữ\u200bchữ", 2),
    ],
)
def test_count_words_of_text(text, words):
    assert count_words(text) == words


def test_count_words_of_html():
    assert count_words("<p>Bình đẳng</p><p>giới</p>") == 3
    assert count_words("<h2>Tiêu đề</h2><ul><li>một</li><li>hai</li></ul>") == 4
    assert count_words("<p>Hà&nbsp;Nội &amp; Huế</p>") == 3
    assert count_words("<p>chữ<br>chữ</p><table><tr><td>a</td><td>b</td></tr></table>") == 4
    # Inline tags do not split a word.
    assert count_words("<p>Qu<strong>ố</strong>c hội</p>") == 2
    assert count_words("<p>a</p><script>var b = 1;</script><style>p {}</style>") == 1
    assert count_words("<!-- ghi chú --><p>một</p>") == 1


def test_count_words_agrees_on_markdown_source_and_rendering():
    source = "Bình đẳng giới **trong** chính trị.\n\n- Nữ đại biểu\n- 30,26%"
    assert count_words(source) == count_words(render_markdown(source)) == 10


def test_visible_text():
    assert visible_text("a < b and c > d") == "a < b and c > d"
    assert visible_text("<p>x&lt;y</p>").strip() == "x<y"
