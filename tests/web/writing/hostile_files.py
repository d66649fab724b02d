"""Entry files with the author's name in every place a word processor, a camera or a recorder
puts it, built in memory for the blind-judging tests."""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
from pathlib import Path

from mutagen.apev2 import APEv2
from mutagen.id3 import COMM, ID3, TCOM, TPE1, TXXX
from PIL import Image

NAME = "Trần Thị Mai"
LOGIN = "mai.tran"
EMAIL = "mai.tran@baonghean.vn"
ASCII_NAME = "Tran Thi Mai"

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
W15 = 'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def _xmp(name: str) -> bytes:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator><rdf:Seq><rdf:li>{name}</rdf:li></rdf:Seq></dc:creator>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def _iptc_segment(name: str) -> bytes:
    """An APP13 Photoshop segment with an IPTC by-line (2:80)."""
    value = name.encode()
    record = b"\x1c\x02\x50" + len(value).to_bytes(2, "big") + value
    resource = b"8BIM\x04\x04\x00\x00" + len(record).to_bytes(4, "big") + record
    if len(record) % 2:
        resource += b"\x00"
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def photo_jpeg(name: str = NAME) -> bytes:
    """A JPEG with EXIF Artist, Copyright, XPAuthor and camera owner, XMP and IPTC."""
    exif = Image.Exif()
    exif[0x013B] = name
    exif[0x8298] = f"(c) {name}"
    exif[0x9C9D] = (name + "\x00").encode("utf-16-le")
    exif.get_ifd(0x8769)[0xA430] = name
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (10, 120, 200)).save(buffer, "JPEG", exif=exif.tobytes(),
                                                    xmp=_xmp(name))
    data = buffer.getvalue()
    return data[:2] + _iptc_segment(name) + data[2:]


def photo_png(name: str = NAME) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", name)
    info.add_itxt("XML:com.adobe.xmp", _xmp(name).decode())
    exif = Image.Exif()
    exif[0x013B] = name
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(buffer, "PNG", pnginfo=info,
                                                   exif=exif.tobytes())
    return buffer.getvalue()


def _words(n: int) -> str:
    return " ".join(["bình đẳng giới trong chính trị"] * (n // 5))


def hostile_docx() -> bytes:
    """A DOCX with the author in docProps (core, app, custom, thumbnail), comments and their
    authors, the reviewers' list, tracked changes of every kind, rsids, settings (template
    path, document variables, mail merge, document ids), permission ranges, custom XML and the
    EXIF/XMP/IPTC of two embedded pictures."""
    rsid = 'w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3" w:rsidP="00D4E5F6"'
    document = (
        f"{XML_HEAD}<w:document {W} {R} {W14} {W15} {MC} mc:Ignorable=\"w14 w15\"><w:body>"
        f'<w:p {rsid}><w:r w:rsidRPr="00112233"><w:t>{_words(60)}</w:t></w:r></w:p>'
        f'<w:p {rsid}><w:commentRangeStart w:id="0"/>'
        f'<w:ins w:id="1" w:author="{NAME}" w:date="2025-03-01T10:00:00Z">'
        "<w:r><w:t>thêm vào</w:t></w:r></w:ins>"
        f'<w:del w:id="2" w:author="{LOGIN}" w:date="2025-03-01T10:01:00Z">'
        "<w:r><w:delText>bỏ đi</w:delText></w:r></w:del>"
        '<w:commentRangeEnd w:id="0"/>'
        '<w:r><w:commentReference w:id="0"/></w:r>'
        f'<w:permStart w:id="7" w:ed="BAONGHEAN\\{LOGIN}"/>'
        "<w:r><w:rPr><w:b/>"
        f'<w:rPrChange w:id="3" w:author="{EMAIL}"><w:rPr/></w:rPrChange></w:rPr>'
        "<w:t>đậm</w:t></w:r>"
        '<w:permEnd w:id="7"/></w:p>'
        '<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/'
        '2006/main" r:embed="rIdImg1"/></w:drawing></w:r></w:p>'
        f'<w:sectPr w:rsidR="00A1B2C3" w:rsidSect="00A1B2C3"/></w:body></w:document>'
    )
    comments = (
        f'{XML_HEAD}<w:comments {W}><w:comment w:id="0" w:author="{NAME}" w:initials="TTM">'
        f"<w:p><w:r><w:t>Ghi chú của {NAME}</w:t></w:r></w:p></w:comment></w:comments>"
    )
    comments_ext = (
        f'{XML_HEAD}<w15:commentsEx {W15}><w15:commentEx w15:paraId="1A2B3C4D" w15:done="0"/>'
        "</w15:commentsEx>"
    )
    people_xml = (
        f'{XML_HEAD}<w15:people {W15}><w15:person w15:author="{NAME}">'
        f'<w15:presenceInfo w15:providerId="AD" w15:userId="{EMAIL}"/></w15:person></w15:people>'
    )
    settings = (
        f"{XML_HEAD}<w:settings {W} {R} {W14} {W15} {MC} mc:Ignorable=\"w14 w15\">"
        '<w:attachedTemplate r:id="rIdTpl"/>'
        '<w:mailMerge><w:mainDocumentType w:val="formLetters"/>'
        f'<w:dataSource r:id="rIdTpl"/><w:query w:val="SELECT * FROM C:\\Users\\{LOGIN}\\ds.xlsx"/>'
        "</w:mailMerge>"
        f'<w:docVars><w:docVar w:name="TacGia" w:val="{NAME}"/></w:docVars>'
        '<w:rsids><w:rsidRoot w:val="00A1B2C3"/><w:rsid w:val="00A1B2C3"/>'
        '<w:rsid w:val="00D4E5F6"/></w:rsids>'
        '<w14:docId w14:val="5A6B7C8D"/>'
        '<w15:docId w15:val="{6E7F8A9B-0000-4000-8000-000000000001}"/>'
        "</w:settings>"
    )
    settings_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rIdTpl" Type="{DOC_REL}/attachedTemplate" '
        f'Target="file:///C:\\Users\\{LOGIN}\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm" '
        'TargetMode="External"/></Relationships>'
    )
    document_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rIdC" Type="{DOC_REL}/comments" Target="comments.xml"/>'
        '<Relationship Id="rIdCx" Type="http://schemas.microsoft.com/office/2011/relationships/'
        'commentsExtended" Target="commentsExtended.xml"/>'
        '<Relationship Id="rIdP" Type="http://schemas.microsoft.com/office/2011/relationships/'
        'people" Target="people.xml"/>'
        f'<Relationship Id="rIdS" Type="{DOC_REL}/settings" Target="settings.xml"/>'
        f'<Relationship Id="rIdImg1" Type="{DOC_REL}/image" Target="media/image1.jpeg"/>'
        f'<Relationship Id="rIdImg2" Type="{DOC_REL}/image" Target="media/image2.png"/>'
        f'<Relationship Id="rIdX" Type="{DOC_REL}/customXml" Target="../customXml/item1.xml"/>'
        "</Relationships>"
    )
    root_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="word/document.xml"/>'
        f'<Relationship Id="rId2" Type="{PKG_REL}/metadata/core-properties" '
        'Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
        f'<Relationship Id="rId4" Type="{DOC_REL}/custom-properties" Target="docProps/custom.xml"/>'
        f'<Relationship Id="rId5" Type="{PKG_REL}/metadata/thumbnail" '
        'Target="docProps/thumbnail.jpeg"/></Relationships>'
    )
    ct = "application/vnd.openxmlformats-officedocument"
    content_types = (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="jpeg" ContentType="image/jpeg"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        f'<Override PartName="/word/document.xml" ContentType="{ct}.wordprocessingml.document.'
        'main+xml"/>'
        f'<Override PartName="/word/comments.xml" ContentType="{ct}.wordprocessingml.'
        'comments+xml"/>'
        f'<Override PartName="/word/commentsExtended.xml" ContentType="{ct}.wordprocessingml.'
        'commentsExtended+xml"/>'
        f'<Override PartName="/word/people.xml" ContentType="{ct}.wordprocessingml.people+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{ct}.wordprocessingml.'
        'settings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/>'
        f'<Override PartName="/docProps/custom.xml" ContentType="{ct}.custom-properties+xml"/>'
        f'<Override PartName="/customXml/itemProps1.xml" ContentType="{ct}.'
        'customXmlProperties+xml"/>'
        "</Types>"
    )
    core = (
        f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/">'
        f"<dc:title>Bài của {NAME}</dc:title><dc:creator>{NAME}</dc:creator>"
        f"<cp:lastModifiedBy>{LOGIN}</cp:lastModifiedBy><dc:description>{EMAIL}</dc:description>"
        "</cp:coreProperties>"
    )
    app = (
        f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Template>Normal.dotm</Template><Company>Báo Nghệ An</Company>'
        f"<Manager>{NAME}</Manager><HyperlinkBase>https://baonghean.vn/{LOGIN}</HyperlinkBase>"
        "</Properties>"
    )
    custom = (
        f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        f'name="Tác giả"><vt:lpwstr>{NAME}</vt:lpwstr></property></Properties>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.comment = f"saved by {LOGIN}".encode()
        for name, data in {
            "[Content_Types].xml": content_types,
            "_rels/.rels": root_rels,
            "docProps/core.xml": core,
            "docProps/app.xml": app,
            "docProps/custom.xml": custom,
            "docProps/thumbnail.jpeg": photo_jpeg(),
            "word/document.xml": document,
            "word/_rels/document.xml.rels": document_rels,
            "word/comments.xml": comments,
            "word/commentsExtended.xml": comments_ext,
            "word/people.xml": people_xml,
            "word/settings.xml": settings,
            "word/_rels/settings.xml.rels": settings_rels,
            "word/media/image1.jpeg": photo_jpeg(),
            "word/media/image2.png": photo_png(),
            "customXml/item1.xml": f"<tacgia>{NAME} {EMAIL}</tacgia>",
            "customXml/itemProps1.xml": f'{XML_HEAD}<ds:datastoreItem xmlns:ds="http://'
                                        'schemas.openxmlformats.org/officeDocument/2006/'
                                        'customXml" ds:itemID="{1}"/>',
        }.items():
            z.writestr(name, data)
    return buffer.getvalue()


# --- audio and video ---------------------------------------------------------------------------


def hostile_mp3() -> bytes:
    """MPEG audio frames with an ID3v2 tag, an ID3v1 tag and an APEv2 tag, each naming her."""
    frames = b"\xff\xfb\x90\x64" + bytes(413)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.mp3"
        path.write_bytes(frames * 20)
        tag = ID3()
        tag.add(TPE1(encoding=3, text=[NAME]))
        tag.add(TCOM(encoding=3, text=[ASCII_NAME]))
        tag.add(COMM(encoding=3, lang="vie", desc="", text=[EMAIL]))
        tag.add(TXXX(encoding=3, desc="login", text=[LOGIN]))
        tag.save(path, v1=2)
        ape = APEv2()
        ape["Artist"] = NAME
        ape.save(path)
        return path.read_bytes()


def _box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full(kind: bytes, flags: int, *parts: bytes) -> bytes:
    return _box(kind, b"\x00" + flags.to_bytes(3, "big"), *parts)


def _ilst_item(kind: bytes, text: str) -> bytes:
    return _box(kind, _box(b"data", struct.pack(">II", 1, 0), text.encode()))


def hostile_m4a(*, quicktime_extras: bool) -> bytes:
    """An M4A with iTunes tags (artist, title, comment) naming her; with ``quicktime_extras``
    also a QuickTime ``©aut`` item in ``udta`` and an XMP ``uuid`` box, which mutagen does not
    rewrite."""
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _full(b"mvhd", 0, struct.pack(">IIII", 0, 0, 1000, 5000),
                 struct.pack(">IH", 0x10000, 0x100), bytes(10), matrix, bytes(24),
                 struct.pack(">I", 2))
    tkhd = _full(b"tkhd", 7, struct.pack(">IIIII", 0, 0, 1, 0, 5000), bytes(8),
                 struct.pack(">hhhH", 0, 0, 0x100, 0), matrix, struct.pack(">II", 0, 0))
    mdhd = _full(b"mdhd", 0, struct.pack(">IIII", 0, 0, 44100, 44100 * 5),
                 struct.pack(">HH", 0x55C4, 0))
    hdlr = _full(b"hdlr", 0, bytes(4), b"soun", bytes(12), b"SoundHandler\x00")
    stbl = _box(b"stbl", _full(b"stsd", 0, bytes(4)), _full(b"stts", 0, bytes(4)),
                _full(b"stsc", 0, bytes(4)), _full(b"stsz", 0, bytes(8)),
                _full(b"stco", 0, bytes(4)))
    minf = _box(b"minf", _full(b"smhd", 0, bytes(4)),
                _box(b"dinf", _full(b"dref", 0, struct.pack(">I", 1), _full(b"url ", 1))), stbl)
    trak = _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))
    ilst = _box(b"ilst", _ilst_item(b"\xa9ART", NAME), _ilst_item(b"\xa9nam", f"Của {NAME}"),
                _ilst_item(b"\xa9cmt", EMAIL))
    meta = _full(b"meta", 0, _full(b"hdlr", 0, bytes(4), b"mdir", b"appl", bytes(9)), ilst)
    udta_items = [meta]
    if quicktime_extras:
        value = ASCII_NAME.encode()
        udta_items.append(_box(b"\xa9aut", struct.pack(">HH", len(value), 0x55C4), value))
    moov = _box(b"moov", mvhd, trak, _box(b"udta", *udta_items))
    ftyp = _box(b"ftyp", b"M4A ", bytes(4), b"M4A ", b"mp42", b"isom")
    extras = b""
    if quicktime_extras:
        extras = _box(b"uuid", bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC"), _xmp(LOGIN))
    return ftyp + moov + extras + _box(b"mdat", bytes(256))
