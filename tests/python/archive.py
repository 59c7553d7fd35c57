"""A chat exported with its media, as a messenger writes one, for tests/stripped_copies_play.rs:
made and read with Python's zipfile, an implementation other than Aigaq's.

  archive.py make FILE DOCX PHOTO
                         writes FILE: _chat.txt, PHOTO as IMG-20150805-WA0001.jpg and DOCX
                         as media/statement.docx, each deflated with its time, as zipfile
                         writes them
  archive.py read FILE   prints {"names": [each file's name], "bad": the first file whose
                         CRC fails or null, "chat": _chat.txt's text, "photo": {"pixels":
                         SHA-256 of its decoded pixels, "exif": its EXIF tags},
                         "document": the statement's docProps/core.xml} as JSON
"""

import hashlib
import io
import json
import sys
import zipfile

from PIL import Image

CHAT = "05/08/2015, 14:02 - Witness: they took him at the station\n"


def make(path: str, docx: str, photo: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_chat.txt", CHAT)
        z.write(photo, "IMG-20150805-WA0001.jpg")
        z.write(docx, "media/statement.docx")
    print(json.dumps({"written": path}))


def read(path: str) -> None:
    with zipfile.ZipFile(path) as z:
        bad = z.testzip()
        image = Image.open(io.BytesIO(z.read("IMG-20150805-WA0001.jpg")))
        with zipfile.ZipFile(io.BytesIO(z.read("media/statement.docx"))) as d:
            core = d.read("docProps/core.xml").decode()
        print(
            json.dumps(
                {
                    "names": z.namelist(),
                    "bad": bad,
                    "chat": z.read("_chat.txt").decode(),
                    "photo": {
                        "pixels": hashlib.sha256(image.tobytes()).hexdigest(),
                        "exif": {str(k): str(v) for k, v in image.getexif().items()},
                    },
                    "document": core,
                }
            )
        )


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(*sys.argv[2:5])
    else:
        read(sys.argv[2])
