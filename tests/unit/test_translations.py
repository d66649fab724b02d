"""Vietnamese is the default language and must be complete: every string the code and templates
show has a Vietnamese translation in the catalogue."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None,
    "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2),
}
METHODS = [("contest/**.py", "python"), ("templates/**.html", "jinja2")]


def _source_messages() -> dict[tuple[str, str | None], str]:
    found: dict[tuple[str, str | None], str] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((msgid, context), filename)
    return found


def _catalog():
    with open(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale="vi")


def test_every_message_has_a_vietnamese_translation():
    catalog = _catalog()
    missing = []
    for (msgid, context), filename in sorted(_source_messages().items(), key=str):
        entry = catalog.get(msgid, context=context)
        text = entry.string if entry else None
        if isinstance(text, tuple):
            text = text[0]
        if entry is None or not text or entry.fuzzy:
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, f"{len(missing)} messages lack a Vietnamese translation:\n" + "\n".join(
        missing[:40]
    )


def test_translations_keep_placeholders():
    """A translation must use the same %(name)s placeholders as its source string."""
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    wrong = []
    for entry in _catalog():
        if not entry.id or not entry.string:
            continue
        source = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        text = entry.string[0] if isinstance(entry.string, tuple) else entry.string
        if sorted(placeholder.findall(source)) != sorted(placeholder.findall(text)):
            wrong.append(source)
    assert not wrong, f"placeholders differ in: {wrong[:20]}"
