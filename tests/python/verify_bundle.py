#!/usr/bin/env python3
"""An independent verifier for "aigaq-bundle/1" files.

It uses none of Aigaq's code: only age (pyrage), Ed25519 (cryptography), RFC 8785 (rfc8785)
and the Python standard library, so that an organisation can check — and read — what it
received without Aigaq.

    python3 verify_bundle.py BUNDLE IDENTITY_FILE

BUNDLE is an age file (binary or ASCII-armored) encrypted to the organisation's X25519 key;
IDENTITY_FILE is an age-keygen file holding a line "AGE-SECRET-KEY-1...".

On success it prints a JSON summary to stdout and exits 0:
    {"bundle_id": ..., "sender_device_key": ..., "records": [{"id", "revision"}...],
     "ledger_entries": N}
On any failure it prints the reason to stderr and exits 2.

What the format is (as checked here):
  * the age plaintext is a tar stream followed only by zero bytes (padding);
  * members, in this order: manifest.json, manifest.sig, ledger.jsonl, then
    records/<uuid>/<sha256 hex>.json; only plain files, no extension headers;
  * manifest.json is RFC 8785 canonical JSON: format "aigaq-bundle/1", bundle_id, created,
    sender {device_key: padded base64 of the raw Ed25519 key, age_recipient, optional name},
    ledger {first, last}, entries [{path, size, sha256}] for every other member;
  * manifest.sig is the padded base64 Ed25519 signature of manifest.json's bytes + "\\n";
  * ledger.jsonl holds one canonical entry per line, {seq, prev, at, kind, record,
    revision, device, sig}; sig signs the canonical entry without "sig"; an entry's hash is
    the hex SHA-256 of its canonical bytes; prev is the previous entry's hash when seqs are
    consecutive;
  * each record is canonical JSON whose SHA-256 is its file name, vouched for by a ledger
    entry of kind create/revise/export naming its testimony and revision.
"""

import base64
import binascii
import hashlib
import json
import re
import sys
import tarfile
import tempfile
import unicodedata

try:
    import pyrage
    import rfc8785
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError as e:  # pragma: no cover - reported to the user
    sys.stderr.write(
        f"missing Python package ({e}); run: pip install -r tests/python/requirements.txt\n"
    )
    sys.exit(3)

FORMAT = "aigaq-bundle/1"
REVISION_FORMAT = "aigaq/revision/1"

# Bounds, so a hostile bundle cannot make us read without limit.
MAX_INDEX_BYTES = 64 * 1024 * 1024  # manifest.json, ledger.jsonl
MAX_SIG_BYTES = 1024
MAX_RECORD_BYTES = 4 * 1024 * 1024
MAX_FILES = 200_000

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
HEX64 = r"[0-9a-f]{64}"
RECORD_PATH = re.compile(rf"records/({UUID})/({HEX64})\.json")
ATTACHMENT_PATH = re.compile(rf"attachments/({HEX64})")
FIXED_NAMES = ("manifest.json", "manifest.sig", "ledger.jsonl")
REVISION_KEYS = {
    "format", "testimony", "number", "parent", "saved_at", "content", "attachments", "exported_from",
}
ATTACHMENT_KEYS = {"sha256", "name", "media_type", "size", "added_at"}
ATTACHMENT_OPTIONAL = {"derived_from", "removed_metadata"}

LEDGER_KEYS = {"seq", "prev", "at", "kind", "record", "revision", "device", "sig"}
VOUCHING_KINDS = {"create", "revise", "attach", "detach", "export"}


class Invalid(Exception):
    """The bundle failed a check."""


def fail_unless(cond, reason):
    if not cond:
        raise Invalid(reason)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def strict_b64(text, length, what):
    """Standard, padded, canonical base64 of exactly `length` bytes."""
    fail_unless(isinstance(text, str), f"{what} is not a string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(f"{what} is not standard padded base64") from None
    fail_unless(base64.b64encode(raw).decode("ascii") == text, f"{what} is not canonical base64")
    fail_unless(len(raw) == length, f"{what} is {len(raw)} bytes, not {length}")
    return raw


def no_duplicate_keys(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise Invalid(f"duplicate JSON key {k!r}")
        obj[k] = v
    return obj


def reject_constant(name):
    raise Invalid(f"non-JSON number {name}")


def canonical_json(data, what):
    """Parses `data` (bytes) as JSON and checks it is exactly its RFC 8785 form."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"{what} is not UTF-8") from None
    try:
        value = json.loads(
            text, object_pairs_hook=no_duplicate_keys, parse_constant=reject_constant
        )
    except ValueError as e:
        raise Invalid(f"{what} is not JSON: {e}") from None
    try:
        canon = rfc8785.dumps(value)
    except Exception as e:  # rfc8785 raises its own errors for unencodable values
        raise Invalid(f"{what} cannot be put in RFC 8785 form: {e}") from None
    fail_unless(canon == data, f"{what} is not in RFC 8785 canonical form")
    return value


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_keys(obj, keys, what):
    fail_unless(isinstance(obj, dict), f"{what} is not an object")
    fail_unless(
        set(obj) == set(keys),
        f"{what} has fields {sorted(obj)}, expected {sorted(keys)}",
    )


def verify_sig(public_key, data, sig, what):
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(sig, data)
    except InvalidSignature:
        raise Invalid(f"{what}: the Ed25519 signature does not verify") from None


def read_identity(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            lines = [line.strip() for line in f]
    except (OSError, UnicodeDecodeError) as e:
        raise Invalid(f"cannot read the identity file {path}: {e}") from None
    for line in lines:
        if line.startswith("AGE-SECRET-KEY-1"):
            try:
                return pyrage.x25519.Identity.from_str(line)
            except Exception:
                raise Invalid(f"{path}: the AGE-SECRET-KEY-1 line is not a valid key") from None
    raise Invalid(f"{path} holds no AGE-SECRET-KEY-1 line")


def decrypt(bundle_path, identity, out):
    """Decrypts (binary or armored) into the file `out`; age checks every chunk's tag and
    the end of the stream, so a cut or altered file fails here."""
    try:
        with open(bundle_path, "rb") as f:
            pyrage.decrypt_io(f, out, [identity])
    except OSError as e:
        raise Invalid(f"cannot decrypt {bundle_path}: {e}") from None
    except Exception as e:
        raise Invalid(
            f"cannot decrypt {bundle_path} with this identity (not for this key, or damaged): {e}"
        ) from None
    out.flush()
    out.seek(0)


def raw_typeflag(plain, offset):
    plain.seek(offset + 156)
    return plain.read(1)


def read_member(tf, member, limit, what):
    fail_unless(member.size <= limit, f"{what} is {member.size} bytes; the limit is {limit}")
    f = tf.extractfile(member)
    fail_unless(f is not None, f"{what} cannot be read")
    try:
        data = f.read(member.size + 1)
    except (tarfile.TarError, OSError) as e:
        raise Invalid(f"{what} is cut short: {e}") from None
    fail_unless(len(data) == member.size, f"{what} is shorter than its tar header says")
    return data


class Bundle:
    def __init__(self):
        self.manifest = None
        self.manifest_bytes = None
        self.device_key = None
        self.expected = {}  # path -> (size, sha256)
        self.seen = set()
        self.vouched = {}  # record id -> set of revisions
        self.ledger_count = 0
        self.records = []
        self.referenced = {}
        self.attachments = []

    # --- manifest.json -------------------------------------------------------------
    def read_manifest(self, data):
        m = canonical_json(data, "manifest.json")
        fail_unless(isinstance(m, dict), "manifest.json is not an object")
        fail_unless(
            m.get("format") == FORMAT,
            f"unknown bundle format {m.get('format')!r}; this verifier reads {FORMAT}",
        )
        check_keys(m, ["format", "bundle_id", "created", "sender", "ledger", "entries"], "manifest")
        for k in ("bundle_id", "created"):
            fail_unless(isinstance(m[k], str), f"manifest {k} is not a string")
        fail_unless(re.fullmatch(UUID, m["bundle_id"]), "manifest bundle_id is not a UUID")
        sender_keys = ["device_key", "age_recipient"] + (["name"] if "name" in m["sender"] else [])
        check_keys(m["sender"], sender_keys, "manifest sender")
        if "name" in m["sender"]:
            name = m["sender"]["name"]
            fail_unless(
                isinstance(name, str)
                and 1 <= len(name) <= 200
                and name == name.strip()
                and not any(unicodedata.category(c) == "Cc" for c in name),
                "sender name is not 1 to 200 characters without surrounding spaces or control characters",
            )
        self.device_key = strict_b64(m["sender"]["device_key"], 32, "sender device_key")
        fail_unless(
            isinstance(m["sender"]["age_recipient"], str)
            and m["sender"]["age_recipient"].startswith("age1"),
            "sender age_recipient is not an age1... recipient",
        )
        check_keys(m["ledger"], ["first", "last"], "manifest ledger")
        fail_unless(
            is_int(m["ledger"]["first"]) and is_int(m["ledger"]["last"]),
            "manifest ledger range is not integers",
        )
        fail_unless(isinstance(m["entries"], list), "manifest entries is not a list")
        for i, e in enumerate(m["entries"]):
            check_keys(e, ["path", "size", "sha256"], f"manifest entry {i}")
            path, size, sha = e["path"], e["size"], e["sha256"]
            fail_unless(isinstance(path, str), f"manifest entry {i}: path is not a string")
            fail_unless(
                path == "ledger.jsonl"
                or RECORD_PATH.fullmatch(path)
                or ATTACHMENT_PATH.fullmatch(path),
                f"manifest entry {i}: unexpected path {path!r}",
            )
            fail_unless(is_int(size) and size >= 0, f"manifest entry {path}: bad size")
            fail_unless(
                isinstance(sha, str) and re.fullmatch(HEX64, sha),
                f"manifest entry {path}: sha256 is not 64 lower-case hex digits",
            )
            fail_unless(path not in self.expected, f"the manifest lists {path} twice")
            self.expected[path] = (size, sha)
        fail_unless("ledger.jsonl" in self.expected, "the manifest does not list ledger.jsonl")
        self.manifest = m
        self.manifest_bytes = data

    # --- manifest.sig --------------------------------------------------------------
    def read_signature(self, data):
        fail_unless(data.endswith(b"\n"), "manifest.sig does not end with a line break")
        try:
            text = data[:-1].decode("ascii")
        except UnicodeDecodeError:
            raise Invalid("manifest.sig is not ASCII") from None
        sig = strict_b64(text, 64, "manifest.sig")
        verify_sig(self.device_key, self.manifest_bytes, sig, "manifest.json")

    # --- ledger.jsonl --------------------------------------------------------------
    def read_ledger(self, data):
        fail_unless(data == b"" or data.endswith(b"\n"), "ledger.jsonl does not end with a line break")
        lines = data.split(b"\n")[:-1] if data else []
        previous = None  # (seq, hash)
        seqs = []
        for n, line in enumerate(lines, 1):
            where = f"ledger.jsonl line {n}"
            e = canonical_json(line, where)
            check_keys(e, LEDGER_KEYS, where)
            fail_unless(is_int(e["seq"]) and e["seq"] >= 1, f"{where}: seq is not a positive integer")
            for k in ("at", "kind", "record", "device", "sig"):
                fail_unless(isinstance(e[k], str), f"{where}: {k} is not a string")
            for k in ("prev", "revision"):
                fail_unless(e[k] is None or isinstance(e[k], str), f"{where}: {k} is not a string or null")
            fail_unless(
                e["device"] == self.manifest["sender"]["device_key"],
                f"{where}: entry {e['seq']} is from another device than the manifest's sender",
            )
            unsigned = {k: v for k, v in e.items() if k != "sig"}
            sig = strict_b64(e["sig"], 64, f"{where}: sig")
            verify_sig(self.device_key, rfc8785.dumps(unsigned), sig, f"{where} (entry {e['seq']})")
            if e["seq"] == 1:
                fail_unless(e["prev"] is None, f"{where}: the first entry names a previous one")
            if previous is not None:
                pseq, phash = previous
                fail_unless(e["seq"] > pseq, f"{where}: entries out of order")
                if e["seq"] == pseq + 1:
                    fail_unless(
                        e["prev"] == phash,
                        f"{where}: entry {e['seq']} does not follow entry {pseq} (prev is not its hash)",
                    )
            # The line is canonical, so its bytes are the entry's canonical bytes.
            previous = (e["seq"], sha256_hex(line))
            seqs.append(e["seq"])
            if e["kind"] in VOUCHING_KINDS and e["revision"] is not None:
                self.vouched.setdefault(e["record"], set()).add(e["revision"])
        first, last = (seqs[0], seqs[-1]) if seqs else (0, 0)
        rng = self.manifest["ledger"]
        fail_unless(
            (rng["first"], rng["last"]) == (first, last),
            f"the manifest's ledger range {rng['first']}..{rng['last']} is not that of "
            f"ledger.jsonl ({first}..{last})",
        )
        self.ledger_count = len(lines)

    # --- records/<uuid>/<sha256>.json ------------------------------------------------
    def read_record(self, path, data):
        rid, rev = RECORD_PATH.fullmatch(path).groups()
        what = f"record {rid}/{rev}"
        fail_unless(sha256_hex(data) == rev, f"{what}: its bytes do not hash to its name")
        doc = canonical_json(data, what)
        vouched = self.vouched.get(rid, ())
        # A record made for export from a stored revision (without the witness's name, or
        # listing attachment derivatives) names that revision, which the ledger vouches for.
        fail_unless(
            rev in vouched or (isinstance(doc, dict) and doc.get("exported_from") in vouched),
            f"{what}: no signed ledger entry in the bundle vouches for it",
        )
        fail_unless(isinstance(doc, dict), f"{what}: not a JSON object")
        fail_unless(
            doc.get("format") == REVISION_FORMAT and doc.get("testimony") == rid,
            f"{what}: not a {REVISION_FORMAT} of testimony {rid}",
        )
        fail_unless(set(doc) <= REVISION_KEYS, f"{what}: fields a revision does not have")
        for a in doc.get("attachments", []):
            fail_unless(
                isinstance(a, dict)
                and ATTACHMENT_KEYS <= set(a) <= ATTACHMENT_KEYS | ATTACHMENT_OPTIONAL
                and isinstance(a["sha256"], str)
                and re.fullmatch(HEX64, a["sha256"])
                and is_int(a["size"])
                and a["size"] >= 0,
                f"{what}: an attachment entry is not well formed",
            )
            known = self.referenced.setdefault(a["sha256"], a["size"])
            fail_unless(known == a["size"], f"{what}: attachment {a['sha256']} has two sizes")
        self.records.append({"id": rid, "revision": rev})

    # --- attachments/<sha256> ----------------------------------------------------------
    def read_attachment(self, tf, member, name, want_sha):
        sha = ATTACHMENT_PATH.fullmatch(name).group(1)
        fail_unless(sha == want_sha, f"{name} is not named by its SHA-256")
        fail_unless(
            self.referenced.get(sha) == member.size,
            f"{name} is not listed, with this size, by a record before it",
        )
        f = tf.extractfile(member)
        fail_unless(f is not None, f"{name} cannot be read")
        h, n = hashlib.sha256(), 0
        try:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                n += len(chunk)
        except (tarfile.TarError, OSError) as e:
            raise Invalid(f"{name} is cut short: {e}") from None
        fail_unless(n == member.size, f"{name} is shorter than its tar header says")
        fail_unless(h.hexdigest() == sha, f"{name} does not match its SHA-256")
        self.attachments.append(sha)

    # --- the whole tar -------------------------------------------------------------
    def read(self, plain):
        try:
            tf = tarfile.open(fileobj=plain, mode="r:")
        except tarfile.TarError as e:
            raise Invalid(f"the plaintext is not a tar stream: {e}") from None
        end = 0
        index = -1
        try:
            for index, member in enumerate(tf):
                fail_unless(index < MAX_FILES, f"more than {MAX_FILES} files")
                name = member.name
                label = f"file {index + 1} ({name!r})"
                # Plain files only: '0' or the old '\0'. Links, folders, devices, sparse and
                # contiguous files are refused.
                fail_unless(
                    member.type in (tarfile.REGTYPE, tarfile.AREGTYPE),
                    f"{label} is not a plain file (links, folders and devices are refused)",
                )
                # No pax or GNU extension headers: they could give a member another name or
                # size than its own header says, and readers do not all agree on them. Each
                # member's single header must follow the previous member's data directly.
                fail_unless(
                    member.offset == end
                    and raw_typeflag(plain, member.offset) in (b"0", b"\0")
                    and member.offset_data == member.offset + tarfile.BLOCKSIZE,
                    f"{label} has an extended (pax or GNU) header",
                )
                fail_unless(
                    name in FIXED_NAMES
                    or RECORD_PATH.fullmatch(name)
                    or ATTACHMENT_PATH.fullmatch(name),
                    f"{label}: the name is not one a bundle may hold",
                )
                fail_unless(name not in self.seen, f"{name} appears twice")
                self.seen.add(name)
                if index == 0:
                    fail_unless(name == "manifest.json", "the first file is not manifest.json")
                    self.read_manifest(read_member(tf, member, MAX_INDEX_BYTES, name))
                elif index == 1:
                    fail_unless(
                        name == "manifest.sig",
                        "the second file is not manifest.sig (the bundle is unsigned)",
                    )
                    self.read_signature(read_member(tf, member, MAX_SIG_BYTES, name))
                else:
                    fail_unless(
                        name in self.expected, f"{name!r} is not listed in the manifest"
                    )
                    want_size, want_sha = self.expected[name]
                    fail_unless(
                        member.size == want_size,
                        f"{name} is {member.size} bytes, the manifest says {want_size}",
                    )
                    if ATTACHMENT_PATH.fullmatch(name):
                        self.read_attachment(tf, member, name, want_sha)
                        blocks = (member.size + tarfile.BLOCKSIZE - 1) // tarfile.BLOCKSIZE
                        end = member.offset_data + blocks * tarfile.BLOCKSIZE
                        continue
                    limit = MAX_INDEX_BYTES if name == "ledger.jsonl" else MAX_RECORD_BYTES
                    data = read_member(tf, member, limit, name)
                    fail_unless(
                        sha256_hex(data) == want_sha,
                        f"{name} does not match its SHA-256 in the manifest",
                    )
                    if index == 2:
                        fail_unless(
                            name == "ledger.jsonl",
                            "the third file is not ledger.jsonl",
                        )
                        self.read_ledger(data)
                    else:
                        self.read_record(name, data)
                blocks = (member.size + tarfile.BLOCKSIZE - 1) // tarfile.BLOCKSIZE
                end = member.offset_data + blocks * tarfile.BLOCKSIZE
        except tarfile.TarError as e:
            raise Invalid(f"damaged tar stream: {e}") from None
        fail_unless(index >= 0 and self.manifest is not None, "the bundle is empty")
        fail_unless(index >= 1, "the bundle is unsigned (no manifest.sig)")
        missing = sorted(set(self.expected) - self.seen)
        fail_unless(not missing, f"{', '.join(missing)} listed in the manifest but missing")
        # Everything after the last file (the tar's end blocks and the padding) must be
        # zero; this also catches a damaged header that made the tar reader stop early.
        plain.seek(end)
        while True:
            chunk = plain.read(1 << 20)
            if not chunk:
                break
            fail_unless(
                chunk.count(0) == len(chunk),
                "data after the end of the archive (the padding is not all zero)",
            )

    def summary(self):
        return {
            "bundle_id": self.manifest["bundle_id"],
            "sender_device_key": self.manifest["sender"]["device_key"],
            "sender_name": self.manifest["sender"].get("name"),
            "records": self.records,
            "attachments": sorted(self.attachments),
            "ledger_entries": self.ledger_count,
        }


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: verify_bundle.py BUNDLE IDENTITY_FILE\n")
        return 2
    bundle_path, identity_path = argv[1], argv[2]
    try:
        identity = read_identity(identity_path)
        with tempfile.TemporaryFile() as plain:
            decrypt(bundle_path, identity, plain)
            bundle = Bundle()
            bundle.read(plain)
    except Invalid as e:
        sys.stderr.write(f"verify_bundle: INVALID: {e}\n")
        return 2
    except Exception as e:  # anything unforeseen is a failure too, never a pass
        sys.stderr.write(f"verify_bundle: INVALID: unexpected error {type(e).__name__}: {e}\n")
        return 2
    json.dump(bundle.summary(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
