//! Helpers for driving the `aigaq` CLI in scratch folders, with a light KDF.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const PASS: &str = "correct horse battery staple";

pub struct Scratch {
    pub root: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            root: tempfile::tempdir().unwrap(),
        }
    }

    pub fn vault(&self) -> PathBuf {
        self.root.path().join("vault")
    }

    pub fn tmp(&self) -> PathBuf {
        let t = self.root.path().join("tmp");
        std::fs::create_dir_all(&t).unwrap();
        t
    }

    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.root.path().join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub fn pass_file(&self) -> PathBuf {
        self.file("pass", format!("{PASS}\n"))
    }

    /// `aigaq --vault <vault>`, with TMPDIR inside the scratch and no passphrase yet.
    pub fn bare(&self) -> Command {
        let mut c = Command::cargo_bin("aigaq").unwrap();
        c.env_remove("AIGAQ_VAULT")
            .env("TMPDIR", self.tmp())
            .arg("--vault")
            .arg(self.vault());
        c
    }

    /// `aigaq --vault <vault> --passphrase-file <pass> ARGS`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = self.bare();
        c.arg("--passphrase-file").arg(self.pass_file()).args(args);
        c
    }

    pub fn init(&self) {
        self.cmd(&["init", "--kdf-memory-mib", "8", "--kdf-time", "1"])
            .assert()
            .success();
    }

    /// Adds the JSON and returns the new ids.
    pub fn add(&self, json: &str) -> Vec<String> {
        let f = self.file("input.json", json);
        let out = self
            .cmd(&["add", "--json", f.to_str().unwrap()])
            .assert()
            .success();
        String::from_utf8(out.get_output().stdout.clone())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    pub fn stdout(&self, args: &[&str]) -> String {
        let out = self.cmd(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    }
}

/// Every file under `dir` with its bytes and mode.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    if !dir.exists() {
        return out;
    }
    for entry in walk(dir) {
        let meta = std::fs::metadata(&entry).unwrap();
        if meta.is_file() {
            out.insert(
                entry.clone(),
                (std::fs::read(&entry).unwrap(), meta.permissions().mode()),
            );
        }
    }
    out
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p.clone());
                }
                out.push(p);
            }
        }
    }
    out
}

/// A minimal valid testimony with the given narrative.
pub fn testimony(narrative: &str) -> String {
    serde_json::json!({"schema": "aigaq/testimony/1", "narrative": narrative}).to_string()
}

/// Decrypts an age file (binary or armored) with the identity in an age key file.
pub fn age_decrypt(file: &Path, key_file: &Path) -> Vec<u8> {
    use std::io::Read;
    let text = std::fs::read_to_string(key_file).unwrap();
    let identity: age::x25519::Identity = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .parse()
        .unwrap();
    let input = std::fs::File::open(file).unwrap();
    let dec = age::Decryptor::new(age::armor::ArmoredReader::new(input)).unwrap();
    let mut out = Vec::new();
    dec.decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Encrypts `plain` to an `age1…` recipient into `out`, as anyone holding the public key can.
pub fn age_encrypt(plain: &[u8], recipient: &str, out: &Path) {
    use std::io::Write;
    let r: age::x25519::Recipient = recipient.parse().unwrap();
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
    let mut w = enc
        .wrap_output(std::fs::File::create(out).unwrap())
        .unwrap();
    w.write_all(plain).unwrap();
    w.finish().unwrap();
}

/// A collector's vault that knows one organisation, and that organisation's key file.
pub struct OrgSetup {
    pub s: Scratch,
    pub key: PathBuf,
    pub recipient: String,
}

impl OrgSetup {
    /// A new vault with the organisation `org` added as a recipient.
    pub fn new(org: &str) -> Self {
        let s = Scratch::new();
        s.init();
        let key = s.root.path().join("org.key");
        let recipient = s
            .stdout(&["keygen", "--out", key.to_str().unwrap()])
            .trim()
            .to_owned();
        s.cmd(&["recipient", "add", org, &recipient])
            .assert()
            .success();
        OrgSetup { s, key, recipient }
    }

    /// `export --to ORG --strip-metadata --out OUT`, to be asserted on.
    pub fn export_stripped(&self, org: &str, out: &Path) -> assert_cmd::assert::Assert {
        self.s
            .cmd(&[
                "export",
                "--to",
                org,
                "--strip-metadata",
                "--out",
                out.to_str().unwrap(),
            ])
            .assert()
    }
}

/// The first record among a bundle's members, parsed.
pub fn first_record(files: &[(String, Vec<u8>)]) -> serde_json::Value {
    let (_, bytes) = files
        .iter()
        .find(|(n, _)| n.starts_with("records/"))
        .unwrap();
    serde_json::from_slice(bytes).unwrap()
}

/// Decrypted tar members of a bundle.
pub fn members(plain: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut out = Vec::new();
    for e in tar::Archive::new(plain).entries().unwrap() {
        let mut e = e.unwrap();
        let name = String::from_utf8(e.path_bytes().to_vec()).unwrap();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        out.push((name, b));
    }
    out
}
