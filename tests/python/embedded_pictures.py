"""Finds the JPEG pictures in a Word or Excel 97-2003 file (read with olefile) or in an RTF
document (their hex), decodes each with Pillow, an implementation other than Aigaq's, and
prints for each, as JSON: where it is, the SHA-256 of its pixels and the EXIF tags it has,
for tests/stripped_copies_play.rs.

    python3 embedded_pictures.py FILE
"""

import binascii
import hashlib
import io
import json
import re
import struct
import sys

import olefile
from PIL import Image


def drawing_group(workbook: bytes) -> bytes:
    """An Excel stream's MsoDrawingGroup record and its Continue records, joined."""
    out, at, joined = [], 0, False
    while at + 4 <= len(workbook):
        kind, size = struct.unpack_from("<HH", workbook, at)
        joined = kind == 0x00EB or (joined and kind == 0x003C)
        if joined:
            out.append(workbook[at + 4 : at + 4 + size])
        at += 4 + size
    return b"".join(out)


def pictures(where: str, data: bytes) -> list:
    found = []
    for m in re.finditer(rb"\xff\xd8\xff", data):
        try:
            image = Image.open(io.BytesIO(data[m.start() :]))
            image.load()
        except Exception:
            continue
        exif = {str(k): str(v) for k, v in image.getexif().items()}
        pixels = hashlib.sha256(image.tobytes()).hexdigest()
        found.append({"where": where, "pixels": pixels, "exif": exif})
    return found


def main(path: str) -> None:
    raw = open(path, "rb").read()
    found = []
    if raw.startswith(b"{\\rtf"):
        for m in re.finditer(rb"\\jpegblip([^}]*)}", raw):
            digits = re.sub(rb"[^0-9a-fA-F]", b"", m.group(1))
            found += pictures("jpegblip", binascii.unhexlify(digits[: len(digits) // 2 * 2]))
    else:
        ole = olefile.OleFileIO(path)
        for entry in ole.listdir(streams=True, storages=False):
            data = ole.openstream(entry).read()
            if entry[-1] in ("Workbook", "Book"):
                data = drawing_group(data)
            found += pictures("/".join(entry), data)
    print(json.dumps({"pictures": found}))


if __name__ == "__main__":
    main(sys.argv[1])
