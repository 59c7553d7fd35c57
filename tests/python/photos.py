"""HEIC and WebP photos for tests/stripped_copies_play.rs, with libheif (pillow-heif) and
libwebp (Pillow).

  photos.py make OUT          a phone-like photo (HEIC or WebP, by OUT's extension): EXIF
                              (GPS, owner, make, model, time) and XMP (the city); a TIFF
                              with the same EXIF in its directory, as scanners and cameras
                              write them; or a PDF whose information names its author,
                              scanner and date
  photos.py scan OUT          a PDF of one page that is a phone photo (a JPEG as `make` writes
                              it), its bytes copied in as they were, EXIF and all, as
                              img2pdf and scanning apps write them
  photos.py page OUT          a scanner's page as libtiff writes one (LZW): 3 MiB of pixels,
                              then the directory naming the scanner, its software, the time,
                              the author and the computer
  photos.py read FILE         prints {"pixels": sha256 of the decoded pixels, "size": [w, h],
                              "exif": {tag: value as text}, "gps": {its GPS tags}, "xmp": the
                              XMP text} as JSON
"""
import hashlib
import json
import sys

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()


def make(out):
    img = Image.new("RGB", (96, 64))
    img.putdata([(x * 2, y * 3, (x * y) % 256) for y in range(64) for x in range(96)])
    exif = Image.Exif()
    exif[0x010F] = "Apple"
    exif[0x0110] = "iPhone 15 Pro"
    exif[0x013B] = "Aigerim Nurlanovna"
    exif[0x0132] = "2026:01:05 10:00:00"
    exif[0x8825] = {1: "N", 2: (43.0, 14.0, 20.0), 3: "E", 4: (76.0, 53.0, 22.0)}
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
        b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:photoshop='
        b'"http://ns.adobe.com/photoshop/1.0/" photoshop:City="Zhanaozen"/></rdf:RDF>'
        b"</x:xmpmeta>"
    )
    if out.lower().endswith(".pdf"):
        # A scanned letter: its information dictionary names who and what made it.
        import time

        made = time.gmtime(1767607200)  # 2026-01-05T10:00:00Z
        img.save(out, title="Report on Zhanaozen", author="Aigerim Nurlanovna",
                 creator="iPhone 15 Pro scanner", producer="Canon iR-ADV 2026:01:05",
                 creationDate=made, modDate=made)
        return
    if out.lower().endswith((".tif", ".tiff")):
        # Pillow writes a GPS directory into a TIFF only from EXIF it has read.
        import io

        jpeg = io.BytesIO()
        img.save(jpeg, "JPEG", exif=exif.tobytes())
        img.save(out, exif=Image.open(jpeg).getexif())
        return
    options = {"lossless": True} if out.lower().endswith(".webp") else {"quality": 90}
    img.save(out, exif=exif.tobytes(), xmp=xmp, **options)


def page(out):
    import random

    from PIL import TiffImagePlugin

    noise = random.Random(7)
    img = Image.frombytes("L", (2048, 1536), bytes(noise.getrandbits(8) for _ in range(2048 * 1536)))
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[271] = "Canon"
    tags[272] = "CanoScan LiDE 300"
    tags[305] = "ScanGear 4.2"
    tags[306] = "2026:03:14 09:12:00"
    tags[315] = "Aigerim Nurlanovna"
    tags[316] = "AIGERIM-LAPTOP"
    img.save(out, tiffinfo=tags, compression="tiff_lzw")


def scan(out):
    import io
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        make(os.path.join(tmp, "photo.jpg"))
        photo = open(os.path.join(tmp, "photo.jpg"), "rb").read()
    w, h = Image.open(io.BytesIO(photo)).size
    content = b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (w, h)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R"
        b" /Resources << /XObject << /Im0 5 0 R >> >> >>" % (w, h),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB"
        b" /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
        % (w, h, len(photo), photo),
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    open(out, "wb").write(pdf)


def read(path):
    img = Image.open(path)
    exif = {str(k): str(v) for k, v in img.getexif().items()}
    xmp = img.info.get("xmp") or b""
    print(
        json.dumps(
            {
                "pixels": hashlib.sha256(img.convert("RGB").tobytes()).hexdigest(),
                "size": list(img.size),
                "exif": exif,
                "gps": {str(k): str(v) for k, v in img.getexif().get_ifd(0x8825).items()},
                "xmp": xmp.decode("utf-8", "replace").strip(),
            }
        )
    )


if __name__ == "__main__":
    {"make": make, "page": page, "scan": scan, "read": read}[sys.argv[1]](sys.argv[2])
