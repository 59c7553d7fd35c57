"""Reads a compound file (Word, Excel or PowerPoint 97-2003) with olefile, an implementation
other than Aigaq's, for tests/stripped_copies_play.rs: prints its streams (path and size)
and its document properties as JSON.

    python3 compound.py FILE
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


if __name__ == "__main__":
    main(sys.argv[1])
