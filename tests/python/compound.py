"""Reads a compound file (Word, Excel or PowerPoint 97-2003) with olefile, an implementation
other than Aigaq's, for tests/stripped_copies_play.rs: prints its streams (path and size)
and its document properties as JSON; or writes one of its streams to a file.

    python3 compound.py FILE
    python3 compound.py FILE STREAM OUT     (STREAM: its path, storages joined by "/")
"""

import json
import sys

import olefile


def main(path: str) -> None:
    ole = olefile.OleFileIO(path)
    streams = []
    for entry in ole.listdir(streams=True, storages=False):
        name = "/".join(entry)
        data = ole.openstream(entry).read()
        streams.append([name, len(data)])
    meta = ole.get_metadata()
    props = {}
    for attr in meta.SUMMARY_ATTRIBS + meta.DOCSUM_ATTRIBS:
        value = getattr(meta, attr, None)
        if value not in (None, b"", 0, [], ""):
            props[attr] = str(value)
    print(json.dumps({"streams": streams, "properties": props}))


def extract(path: str, stream: str, out: str) -> None:
    with open(out, "wb") as f:
        f.write(olefile.OleFileIO(path).openstream(stream).read())
    print(json.dumps({"written": out}))


if __name__ == "__main__":
    if len(sys.argv) == 4:
        extract(*sys.argv[1:4])
    else:
        main(sys.argv[1])
