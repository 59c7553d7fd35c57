"""Word, Excel and OpenDocument files for tests/stripped_copies_play.rs, made and read with
python-docx, openpyxl and odfpy, as a partner's software opens them.

  documents.py make DIR    writes statement.docx, injuries.xlsx and statement.odt, each
                           naming its author, editor, organisation, software and date (and
                           the Word and OpenDocument files a reviewer's comment, the Word
                           file a tracked change by its editor and a phone photo with its
                           EXIF: place, serial, owner), and
                           streamed.docx: the .docx again, written as LibreOffice and Java
                           write packages (each part's sizes and CRC after its data)
  documents.py read FILE   prints {"text": [what the document says], "properties": {every
                           non-empty element of its properties parts: text},
                           "bad_part": the first part whose CRC fails or null,
                           "times": [each part's date and time],
                           "comments": [[author, initials, text] of each comment],
                           "pictures": [[sha256 of its decoded pixels, its EXIF tags]
                           of each picture part],
                           "xml": every XML part's text, inflated, one after another}
                           as JSON
"""
import datetime
import hashlib
import io
import json
import os
import re
import sys
import zipfile
from xml.etree import ElementTree

from PIL import Image

import docx
import openpyxl
from odf import dc, meta, teletype
from odf.office import Annotation
from odf.opendocument import OpenDocumentText, load
from odf.text import P

AUTHOR = "Aigerim Nurlanovna"
EDITOR = "Nurlan Editor"
WHEN = datetime.datetime(2026, 1, 5, 10, 0, 0)
PHOTO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "exif-gps.jpg")
PROPERTIES = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml", "meta.xml")


def rezip(src, dst, edit=None, streamed=False):
    """Copies a package part by part, `edit` changing some parts' text; `streamed` writes it
    to a file that cannot seek, so each part's sizes follow its data."""
    edit = edit or {}
    with zipfile.ZipFile(src) as zin:
        sink = io.BytesIO()

        class Unseekable(io.RawIOBase):
            def writable(self):
                return True

            def write(self, b):
                return sink.write(b)

        target = Unseekable() if streamed else sink
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename in edit:
                    data = edit[info.filename](data.decode()).encode()
                kind = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
                zout.writestr(zipfile.ZipInfo(info.filename, WHEN.timetuple()[:6]), data, kind)
    with open(dst, "wb") as f:
        f.write(sink.getvalue())


def make(folder):
    d = docx.Document()
    first = d.add_paragraph("Witness statement: he was beaten at the station on 4 January.")
    d.add_paragraph("Свидетель видел задержание.")
    d.add_comment(first.runs, text="check the date", author="Dana Reviewer", initials="DR")
    d.add_picture(PHOTO)
    p = d.core_properties
    p.author, p.last_modified_by, p.created, p.modified = AUTHOR, EDITOR, WHEN, WHEN
    p.title, p.comments = "Statement of witness 7", "typed at the clinic"
    plain = os.path.join(folder, "plain.docx")
    d.save(plain)
    # An organisation's copy of Word also names the organisation and manager; the editor's
    # insertion is a tracked change.
    edits = {
        "docProps/app.xml": lambda xml: re.sub(
            r"(<Properties[^>]*>)", r"\1<Company>KIBHR Almaty</Company><Manager>Dana Manager</Manager>", xml, 1
        ),
        "word/document.xml": lambda xml: xml.replace(
            "</w:p>",
            '<w:ins w:id="90" w:author="Nurlan Editor" w:date="2026-01-05T10:00:00Z">'
            "<w:r><w:t xml:space=\"preserve\"> Added by the editor.</w:t></w:r></w:ins></w:p>",
            1,
        ),
    }
    rezip(plain, os.path.join(folder, "statement.docx"), edits)
    rezip(plain, os.path.join(folder, "streamed.docx"), edits, streamed=True)
    os.remove(plain)

    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["B1"] = "injury", "left arm"
    wb.properties.creator, wb.properties.lastModifiedBy = AUTHOR, EDITOR
    wb.properties.created = WHEN
    wb.save(os.path.join(folder, "injuries.xlsx"))

    t = OpenDocumentText()
    statement = P(text="Witness statement: he was beaten at the station on 4 January.")
    note = Annotation()
    note.addElement(dc.Creator(text="Dana Reviewer"))
    note.addElement(P(text="check the date"))
    statement.addElement(note)
    t.text.addElement(statement)
    t.meta.addElement(meta.InitialCreator(text=AUTHOR))
    t.meta.addElement(dc.Creator(text=EDITOR))
    t.meta.addElement(meta.CreationDate(text=WHEN.isoformat()))
    t.meta.addElement(meta.PrintedBy(text="Printer Owner"))
    t.save(os.path.join(folder, "statement.odt"))


def text_of(path):
    if path.endswith(".docx"):
        return [p.text for p in docx.Document(path).paragraphs]
    if path.endswith(".odt"):
        # The annotations' text is read with their authors, not as the document's.
        def plain(node):
            if node.nodeType == node.TEXT_NODE:
                return node.data
            if getattr(node, "qname", (None, ""))[1] == "annotation":
                return ""
            return "".join(plain(c) for c in node.childNodes)

        return [plain(p) for p in load(path).getElementsByType(P) if p.parentNode.qname[1] != "annotation"]
    if path.endswith(".xlsx"):
        wb = openpyxl.load_workbook(path)
        return [str(c.value) for row in wb.active.iter_rows() for c in row if c.value is not None]
    return [teletype.extractText(p) for p in load(path).getElementsByType(P)]


def comments_of(path):
    if path.endswith(".docx"):
        return [[c.author, c.initials, c.text] for c in docx.Document(path).comments]
    if path.endswith(".odt"):
        return [
            [teletype.extractText(a.getElementsByType(dc.Creator)[0]), "", teletype.extractText(a.getElementsByType(P)[0])]
            for a in load(path).getElementsByType(Annotation)
        ]
    return []


def pictures_of(z):
    found = []
    for name in z.namelist():
        if name.lower().endswith((".jpg", ".jpeg", ".png")):
            image = Image.open(io.BytesIO(z.read(name)))
            pixels = hashlib.sha256(image.convert("RGB").tobytes()).hexdigest()
            found.append([pixels, len(image.getexif())])
    return found


def read(path):
    with zipfile.ZipFile(path) as z:
        properties = {}
        for name in PROPERTIES:
            if name in z.namelist():
                for element in ElementTree.fromstring(z.read(name)).iter():
                    if element.text and element.text.strip():
                        properties[element.tag.split("}")[-1]] = element.text.strip()
        found = {
            "text": text_of(path),
            "properties": properties,
            "bad_part": z.testzip(),
            "times": sorted({"%04d-%02d-%02d %02d:%02d:%02d" % i.date_time for i in z.infolist()}),
            "comments": comments_of(path),
            "pictures": pictures_of(z),
            "xml": "".join(
                z.read(n).decode(errors="replace") for n in z.namelist() if n.endswith((".xml", ".rels"))
            ),
        }
    print(json.dumps(found, ensure_ascii=False))


if __name__ == "__main__":
    {"make": make, "read": read}[sys.argv[1]](sys.argv[2])
