"""The text of an entry: sanitised HTML, Markdown rendering and word counts.

Entrants write (or paste) their text as Markdown or as HTML from a rich-text editor. Either way
what is stored and shown is HTML cleaned by nh3 against a short allow-list:

* structure: ``p``, ``br``, ``h2``–``h4``, ``ul``, ``ol``, ``li``, ``blockquote``, ``hr``;
* emphasis: ``strong``, ``em``, ``b``, ``i``, ``u``, ``sub``, ``sup``;
* tables (press articles quote figures): ``table``, ``caption``, ``thead``, ``tbody``, ``tr``,
  ``th``, ``td``, with only ``colspan`` and ``rowspan``;
* links: ``a`` with ``href`` (http, https, mailto; relative links are dropped since they would
  point into this site) and ``title``; every link gets ``rel="noopener noreferrer nofollow"``.

No images (a published work is judged on its text; photos are entered as files), no ``class``,
``style``, ``id`` or event attributes; ``script``, ``style`` and similar elements are removed
with their content, any other unknown tag is removed but its text kept. ``h1`` (the page's own
title) becomes ``h2``, and ``h5``/``h6`` become ``h4``, so headings keep their place.

Word counts follow Vietnamese press practice, which counts *chữ*: the tokens between spaces.
Vietnamese writes one syllable per token ("bình đẳng giới" is three chữ), so no word
segmentation is attempted. Tokens made only of punctuation or symbols (``–``, ``...``, ``•``)
are not counted; a number such as ``30,26%`` is one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import nh3

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "count_words",
    "render_body",
    "render_markdown",
    "sanitize_html",
    "visible_text",
]

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "blockquote",
        "strong", "em", "b", "i", "u", "sub", "sup",
        "table", "caption", "thead", "tbody", "tr", "th", "td",
        "a",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
LINK_REL = "noopener noreferrer nofollow"

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # Removed with their content: their text is code or styling, never part of the article.
    clean_content_tags={"script", "style", "template", "iframe", "object", "noscript", "svg",
                        "math", "textarea", "select"},
    # "*" given explicitly, or nh3 would also allow its default lang and title everywhere.
    attributes={"*": set()} | {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)

_HEADING_SHIFT = {"1": "2", "5": "4", "6": "4"}
_HEADING_TAG = re.compile(r"<(/?)h([156])(?=[\s/>])", re.IGNORECASE)


def sanitize_html(html: str) -> str:
    """HTML cleaned against the allow-list above; safe to store and show as is."""
    demoted = _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{_HEADING_SHIFT[m.group(2)]}", html)
    return _CLEANER.clean(demoted)


def render_markdown(source: str) -> str:
    """Markdown rendered to HTML, then sanitised.

    Tables are supported, and a single line break is kept as a break: text pasted from a word
    processor often has one newline between paragraphs, which plain Markdown would run together.
    Raw HTML inside the Markdown goes through the same sanitiser.
    """
    rendered = markdown.markdown(source, extensions=["tables", "sane_lists", "nl2br"])
    return sanitize_html(rendered)


def render_body(source: str, fmt: str) -> str:
    """The sanitised HTML of an entry's body written in ``fmt`` ("markdown" or "html")."""
    if fmt == "markdown":
        return render_markdown(source)
    if fmt == "html":
        return sanitize_html(source)
    raise ValueError(f"unknown body format {fmt!r}")


# Closing or opening these separates words even without a space between the tags.
_BLOCK_TAGS = frozenset(
    {"p", "br", "hr", "div", "section", "article", "header", "footer", "aside", "nav", "main",
     "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
     "pre", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "figure",
     "figcaption", "address", "img"}
)
_INVISIBLE_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self.hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


_LOOKS_LIKE_HTML = re.compile(r"<(?:[a-zA-Z][\w-]*|/[a-zA-Z]|!--)")
# Zero-width spaces and joiners are not whitespace to str.split but separate nothing visible.
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), " ")


def visible_text(text_or_html: str) -> str:
    """The text a reader sees: tags removed (blocks separated), entities decoded."""
    if not _LOOKS_LIKE_HTML.search(text_or_html):
        return text_or_html
    parser = _TextExtractor()
    parser.feed(text_or_html)
    parser.close()
    return "".join(parser.parts)


def count_words(text_or_html: str) -> int:
    """The number of chữ (whitespace-separated tokens with a letter or digit) of the visible text.

    Plain text and Markdown are counted as written (Markdown marks such as ``#`` or ``-`` are
    punctuation-only tokens and do not count); HTML is counted on its visible text.
    """
    text = visible_text(text_or_html).translate(_INVISIBLE_CHARS)
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))
