"""Word (DOCX) and PDF documents: their text, the people their metadata names, and cleaned copies.

ElementTree is used on untrusted XML knowingly: the expat bundled with Python 3.11 (2.4.1 or
later) stops entity-expansion bombs, and ElementTree never fetches external entities. A DOCX is
opened only after the same ZIP bomb checks as an upload (:mod:`contest.writing.files`). pypdf is
imported inside the functions that read PDFs.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET  # noqa: N817 - the customary alias
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contest.writing import cleaning
from contest.writing.files import MIB, UploadRefused, check_zip_sizes, is_docx, zip_members

if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

MAX_DOCUMENT_XML_BYTES = 32 * MIB


MAX_PROPS_XML_BYTES = 1 * MIB


_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}


_APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


for _prefix, _uri in _NS.items():
    # So rewritten parts keep the prefixes Word writes instead of ns0, ns1…
    ET.register_namespace(_prefix, _uri)


_CORE_PEOPLE = frozenset(
    f"{{{_NS[prefix]}}}{local}"
    for prefix, local in (
        ("dc", "creator"),
        ("dc", "contributor"),
        ("dc", "publisher"),
        ("dc", "rights"),
        ("cp", "lastModifiedBy"),
    )
)


_APP_PEOPLE = frozenset({f"{{{_APP_NS}}}Company", f"{{{_APP_NS}}}Manager"})


_PROPS_PARTS = {"docProps/core.xml": _CORE_PEOPLE, "docProps/app.xml": _APP_PEOPLE}


# Comments, tracked changes and the list of reviewers name people in w:author attributes.
_AUTHOR_ATTR = re.compile(rb"""\s(?:[\w.-]+:)?author\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise ValueError(f"{info.filename} is larger than {limit} bytes")
    with zf.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{info.filename} is larger than {limit} bytes")
    return data


def open_docx(path: Path) -> zipfile.ZipFile:
    """Open a DOCX after the same bomb checks as an upload; raises ValueError if unsafe."""
    try:
        members = zip_members(path)
        if members is None or not is_docx(members):
            raise ValueError("not a DOCX file")
        check_zip_sizes(members, path.stat().st_size)
    except UploadRefused as refused:
        raise ValueError(f"unsafe ZIP file: {refused.params.get('reason')}") from None
    return zipfile.ZipFile(path)


def _element_texts(data: bytes, targets: frozenset[str]) -> list[str]:
    root = ET.fromstring(data)  # noqa: S314 - see the note on ElementTree above
    return ["".join(el.itertext()).strip() for el in root.iter() if el.tag in targets]


def _blank_elements(data: bytes, targets: frozenset[str]) -> bytes:
    """The XML part with the text of the target elements removed."""
    root = ET.fromstring(data)  # noqa: S314 - see the note on ElementTree above
    for el in root.iter():
        if el.tag in targets:
            for child in list(el):
                el.remove(child)
            el.text = ""
    default = _APP_NS if root.tag.startswith(f"{{{_APP_NS}}}") else None
    try:
        return ET.tostring(root, encoding="UTF-8", xml_declaration=True,
                           default_namespace=default)
    except ValueError:
        # An element outside the default namespace: a prefix is then needed everywhere.
        return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _review_authors(zf: zipfile.ZipFile) -> list[str]:
    """Names in the w:author attributes of the document's parts, read in bounded chunks."""
    found: list[str] = []
    for info in zf.infolist():
        if not (info.filename.startswith("word/") and info.filename.endswith(".xml")):
            continue
        tail = b""
        with zf.open(info) as member:
            while chunk := member.read(MIB):
                window = tail + chunk
                for match in _AUTHOR_ATTR.finditer(window):
                    raw = match.group(1) if match.group(1) is not None else match.group(2)
                    name = html.unescape(raw.decode("utf-8", "replace"))
                    # The neutral name cleaned copies give every tracked change is no one's.
                    if name != "Author":
                        found.append(name)
                # Keep enough to catch an attribute cut by the chunk boundary; repeats are
                # removed by the caller.
                tail = window[-1024:]
    return found


def docx_people(path: Path) -> list[str]:
    names: list[str] = []
    with open_docx(path) as zf:
        for part, targets in _PROPS_PARTS.items():
            try:
                info = zf.getinfo(part)
            except KeyError:
                continue
            names += _element_texts(_read_member(zf, info, MAX_PROPS_XML_BYTES), targets)
        names += _review_authors(zf)
    return names


def docx_text(path: Path) -> str:
    """The text of a DOCX's main document, one line per paragraph (tables and text boxes too).

    Tabs and line breaks inside a paragraph become ``\\t`` and ``\\n``; deleted text of tracked
    changes and field codes are left out. Raises ``ValueError`` for a damaged, unsafe or
    oversized document (``word/document.xml`` over :data:`MAX_DOCUMENT_XML_BYTES`).
    """
    w = _NS["w"]
    p_tag, t_tag, tab_tag = f"{{{w}}}p", f"{{{w}}}t", f"{{{w}}}tab"
    breaks = {f"{{{w}}}br", f"{{{w}}}cr"}
    # Text boxes are written twice, as DrawingML and as a VML fallback; read only the first.
    fallback_tag = f"{{{_NS['mc']}}}Fallback"
    try:
        with open_docx(path) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > MAX_DOCUMENT_XML_BYTES:
                raise ValueError("word/document.xml is too large")
            paragraphs: list[str] = []
            open_paragraphs: list[list[str]] = []
            in_fallback = 0
            with zf.open(info) as member:
                events = ET.iterparse(member, events=("start", "end"))  # noqa: S314 - see above
                for event, el in events:
                    if el.tag == fallback_tag:
                        in_fallback += 1 if event == "start" else -1
                        continue
                    if in_fallback:
                        continue
                    if event == "start":
                        if el.tag == p_tag:
                            open_paragraphs.append([])
                        continue
                    if el.tag == p_tag:
                        paragraphs.append("".join(open_paragraphs.pop()))
                        el.clear()
                    elif open_paragraphs:
                        if el.tag == t_tag:
                            open_paragraphs[-1].append(el.text or "")
                        elif el.tag == tab_tag:
                            open_paragraphs[-1].append("\t")
                        elif el.tag in breaks:
                            open_paragraphs[-1].append("\n")
    except (zipfile.BadZipFile, ET.ParseError, KeyError, EOFError, OSError) as exc:
        raise ValueError(f"the document cannot be read: {exc}") from exc
    return "\n".join(paragraphs)


# A PDF's text is read for its word count within these bounds; past them it counts as unread.
MAX_PDF_TEXT_PAGES = 500


MAX_PDF_TEXT_CHARS = 5_000_000


PDF_TEXT_SECONDS = 10.0


def pdf_text(path: Path) -> str:
    """The text of a PDF's pages, one page after another ("" for a scan without a text layer).

    Raises ``ValueError`` for a damaged or password-protected PDF and for one past the bounds
    (:data:`MAX_PDF_TEXT_PAGES` pages, :data:`MAX_PDF_TEXT_CHARS` characters,
    :data:`PDF_TEXT_SECONDS` seconds), whose words are then left uncounted.
    """
    import time

    started = time.monotonic()
    try:
        reader = open_pdf(Path(path))
        if len(reader.pages) > MAX_PDF_TEXT_PAGES:
            raise ValueError("too many pages to count")
        pages: list[str] = []
        length = 0
        for page in reader.pages:
            page_text = page.extract_text() or ""
            length += len(page_text)
            if length > MAX_PDF_TEXT_CHARS or time.monotonic() - started > PDF_TEXT_SECONDS:
                raise ValueError("too much text to count")
            pages.append(page_text)
    except Encrypted:
        raise ValueError("the PDF is encrypted") from None
    except ValueError:
        raise
    # pypdf raises many kinds of errors on damaged files; each means the text is not readable.
    except Exception as exc:
        raise ValueError(f"the PDF cannot be read: {exc}") from exc
    return "\n".join(pages)


def write_docx_clean(path: Path, out: Path, budget: cleaning.Budget) -> None:
    """Write the cleaned DOCX (see :mod:`contest.writing.cleaning`) and read it back: a copy in
    which anything is left that names or identifies someone is refused (``ValueError``)."""
    with open_docx(path) as src:
        held: cleaning.Held | None = None
        try:
            cleaning.write_docx_clean(src, out, budget)
        except cleaning.Held as exc:
            held = exc
    with open_docx(out) as copy:
        left = cleaning.docx_leftovers(copy, budget)
    if left:
        raise ValueError(f"the cleaned copy still has {', '.join(left)}")
    if held is not None:
        raise held


_PDF_KEPT_INFO = ("/CreationDate", "/ModDate")


# Annotations whose /T is a field name or nothing, not the author of a comment.
_PDF_NON_MARKUP = frozenset({"/Widget", "/Link", "/Popup"})


class Encrypted(Exception):
    """A PDF that cannot be opened without its password."""


def open_pdf(path: Path) -> PdfReader:
    from pypdf import PdfReader
    reader = PdfReader(path)
    # Many PDFs are encrypted only to restrict printing or copying, with an empty user password.
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception:  # e.g. AES without the optional crypto library
            raise Encrypted from None
        if not opened:
            raise Encrypted
    return reader


def _markup_annotations(pages: Any) -> Iterator[DictionaryObject]:
    from pypdf.generic import DictionaryObject
    for page in pages:
        annots = page.get("/Annots")
        for ref in annots.get_object() if annots is not None else ():
            annot = ref.get_object()
            if isinstance(annot, DictionaryObject) and annot.get("/Subtype") not in _PDF_NON_MARKUP:
                yield annot


def write_pdf_clean(path: Path, out: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import NameObject
    reader = open_pdf(path)
    writer = PdfWriter(clone_from=reader)
    info = reader.metadata or {}
    kept = {key: info[key] for key in _PDF_KEPT_INFO if key in info}
    writer.metadata = kept or None
    writer.xmp_metadata = None
    for page in writer.pages:
        if "/Metadata" in page:
            del page[NameObject("/Metadata")]
    for annot in _markup_annotations(writer.pages):
        if "/T" in annot:
            del annot[NameObject("/T")]
    # The clone still holds the objects unhooked above (the XMP streams); drop them.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    with open(out, "wb") as f:
        writer.write(f)


def pdf_people(path: Path) -> list[str]:
    reader = open_pdf(path)
    names: list[str] = []
    info = reader.metadata
    if info is not None and info.get("/Author"):
        names.append(str(info["/Author"]))
    xmp = reader.xmp_metadata
    if xmp is not None:
        names += [str(n) for n in (xmp.dc_creator or [])]
        names += [str(n) for n in (xmp.dc_contributor or [])]
    for annot in _markup_annotations(reader.pages):
        if annot.get("/T"):
            names.append(str(annot["/T"]))
    return names
