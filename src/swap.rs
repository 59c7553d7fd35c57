//! Whether this computer's swap could put testimonies on its disk unencrypted.
//!
//! The kernel may write any program's memory to swap, the web view's text of the testimony
//! on screen included, and no program can keep all of its memory out of it. Swap on an
//! encrypted device (dm-crypt, directly or under LVM), or in RAM (zram), is as safe as the
//! rest of the disk; swap on a plain partition or in a file on an unencrypted file system
//! leaves what it holds for anyone who images the disk. So the documenter is told, and the
//! README says how to fix it.

use std::path::Path;

use serde::Serialize;

/// What the swap areas in use are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Swap {
    /// No swap area is in use.
    Off,
    /// Every swap area is encrypted or in RAM.
    Protected,
    /// These swap areas (as `/proc/swaps` names them) are on a disk without encryption.
    Unencrypted {
        /// Their paths.
        areas: Vec<String>,
    },
    /// The system does not say (no `/proc/swaps`, or an area whose device is not found).
    Unknown,
}

/// The swap areas this computer uses now.
pub fn check() -> Swap {
    check_under(Path::new("/"))
}

/// [`check`] with `/proc`, `/sys` and `/dev` under `root`, for the tests.
fn check_under(root: &Path) -> Swap {
    let Ok(table) = std::fs::read_to_string(root.join("proc/swaps")) else {
        return Swap::Unknown;
    };
    let mut unencrypted = Vec::new();
    let mut unknown = false;
    let mut any = false;
    // "Filename Type Size Used Priority", then one line per area; a path with a space
    // shows as `\040`.
    for line in table.lines().skip(1) {
        let mut fields = line.split_whitespace();
        let (Some(name), Some(kind)) = (fields.next(), fields.next()) else {
            continue;
        };
        any = true;
        let name = name.replace("\\040", " ");
        let device = match kind {
            "partition" => partition_device(root, &name),
            _ => file_system_device(root, &name),
        };
        match device.map(|d| encrypted(root, &d, 0)) {
            Some(true) => {}
            Some(false) => unencrypted.push(name),
            None => unknown = true,
        }
    }
    if !unencrypted.is_empty() {
        Swap::Unencrypted { areas: unencrypted }
    } else if unknown {
        Swap::Unknown
    } else if any {
        Swap::Protected
    } else {
        Swap::Off
    }
}

/// The block device's name in `/sys/class/block` (`sda2`, `dm-1`, `zram0`) for a device
/// path, through the symbolic links of `/dev/mapper` and `/dev/disk`.
fn partition_device(root: &Path, path: &str) -> Option<String> {
    let name = resolved_name(&root.join(path.trim_start_matches('/')))?;
    root.join("sys/class/block")
        .join(&name)
        .exists()
        .then_some(name)
}

/// The block device holding the file system a swap file is on: the mount with the longest
/// matching mount point in `/proc/self/mountinfo`, by its device number.
fn file_system_device(root: &Path, file: &str) -> Option<String> {
    let info = std::fs::read_to_string(root.join("proc/self/mountinfo")).ok()?;
    let mut best: Option<(usize, &str)> = None;
    for line in info.lines() {
        // "36 35 98:0 /mnt1 /mnt/parent ...": the third field is major:minor, the fifth
        // the mount point.
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(dev), Some(point)) = (fields.get(2), fields.get(4)) else {
            continue;
        };
        let point = point.replace("\\040", " ");
        let inside = point == "/"
            || file == point
            || file.starts_with(&format!("{}/", point.trim_end_matches('/')));
        if inside && best.is_none_or(|(len, _)| point.len() > len) {
            best = Some((point.len(), dev));
        }
    }
    let (_, dev) = best?;
    resolved_name(&root.join("sys/dev/block").join(dev))
}

/// The last part of where a path leads, through every symbolic link.
fn resolved_name(path: &Path) -> Option<String> {
    let resolved = std::fs::canonicalize(path).ok()?;
    Some(resolved.file_name()?.to_str()?.to_owned())
}

/// Whether a block device keeps what is written to it off the disk in plain: RAM (zram),
/// dm-crypt, or a device (LVM, a partition) whose every lower device is.
fn encrypted(root: &Path, name: &str, depth: usize) -> bool {
    if name.starts_with("zram") {
        return true;
    }
    let sys = root.join("sys/class/block").join(name);
    let uuid = std::fs::read_to_string(sys.join("dm/uuid")).unwrap_or_default();
    if uuid.starts_with("CRYPT-") {
        return true;
    }
    // A partition of an encrypted whole device is encrypted too; a loop of lower devices is
    // not followed far.
    let lower: Vec<String> = std::fs::read_dir(sys.join("slaves"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    depth < 8 && !lower.is_empty() && lower.iter().all(|l| encrypted(root, l, depth + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    /// A fake `/` with `/sys/class/block/<name>` for each device, and dm uuids and lower
    /// devices as given.
    struct Root(tempfile::TempDir);

    impl Root {
        fn new() -> Root {
            let r = Root(tempfile::tempdir().unwrap());
            for d in [
                "proc/self",
                "sys/class/block",
                "sys/dev/block",
                "dev/mapper",
            ] {
                fs::create_dir_all(r.path().join(d)).unwrap();
            }
            r
        }
        fn path(&self) -> &Path {
            self.0.path()
        }
        fn swaps(&self, lines: &[&str]) {
            let mut t = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n".to_owned();
            for l in lines {
                t.push_str(l);
                t.push('\n');
            }
            fs::write(self.path().join("proc/swaps"), t).unwrap();
        }
        fn device(&self, name: &str, dm_uuid: Option<&str>, lower: &[&str], dev: &str) {
            let sys = self.path().join("sys/class/block").join(name);
            fs::create_dir_all(sys.join("slaves")).unwrap();
            if let Some(u) = dm_uuid {
                fs::create_dir_all(sys.join("dm")).unwrap();
                fs::write(sys.join("dm/uuid"), format!("{u}\n")).unwrap();
            }
            for l in lower {
                fs::create_dir_all(sys.join("slaves").join(l)).unwrap();
            }
            fs::write(self.path().join("dev").join(name), "").unwrap();
            symlink(&sys, self.path().join("sys/dev/block").join(dev)).unwrap();
        }
        fn check(&self) -> Swap {
            check_under(self.path())
        }
    }

    #[test]
    fn no_swap_is_off_and_no_table_is_unknown() {
        let r = Root::new();
        assert_eq!(r.check(), Swap::Unknown);
        r.swaps(&[]);
        assert_eq!(r.check(), Swap::Off);
    }

    #[test]
    fn a_plain_partition_is_unencrypted() {
        let r = Root::new();
        r.device("sda", None, &[], "8:0");
        r.device("sda3", None, &[], "8:3");
        r.swaps(&["/dev/sda3                               partition\t2097148\t\t0\t\t-2"]);
        assert_eq!(
            r.check(),
            Swap::Unencrypted {
                areas: vec!["/dev/sda3".into()]
            }
        );
    }

    #[test]
    fn lvm_on_luks_and_plain_dm_crypt_and_zram_are_protected() {
        let r = Root::new();
        r.device("sda2", None, &[], "8:2");
        r.device(
            "dm-0",
            Some("CRYPT-LUKS2-0123-sda2_crypt"),
            &["sda2"],
            "254:0",
        );
        r.device("dm-2", Some("LVM-abcdef"), &["dm-0"], "254:2");
        r.device("zram0", None, &[], "253:0");
        symlink("../dm-2", r.path().join("dev/mapper/vg-swap")).unwrap();
        r.swaps(&[
            "/dev/mapper/vg-swap partition 999 0 -2",
            "/dev/zram0 partition 999 0 100",
        ]);
        assert_eq!(r.check(), Swap::Protected);
    }

    #[test]
    fn lvm_without_encryption_is_unencrypted() {
        let r = Root::new();
        r.device("sda2", None, &[], "8:2");
        r.device("dm-1", Some("LVM-xyz"), &["sda2"], "254:1");
        r.swaps(&["/dev/dm-1 partition 999 0 -2"]);
        assert!(matches!(r.check(), Swap::Unencrypted { .. }));
    }

    #[test]
    fn a_swap_file_is_judged_by_the_device_of_its_file_system() {
        let r = Root::new();
        r.device("nvme0n1p2", None, &[], "259:2");
        r.device("dm-0", Some("CRYPT-LUKS2-77-home"), &["nvme0n1p3"], "254:0");
        fs::write(
            r.path().join("proc/self/mountinfo"),
            "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n\
             40 22 254:0 / /home rw,relatime shared:2 - ext4 /dev/mapper/home rw\n",
        )
        .unwrap();
        r.swaps(&["/home/swap\\040file file 999 0 -2"]);
        assert_eq!(r.check(), Swap::Protected);
        r.swaps(&["/swapfile file 999 0 -2", "/home/swapfile file 999 0 -3"]);
        assert_eq!(
            r.check(),
            Swap::Unencrypted {
                areas: vec!["/swapfile".into()]
            }
        );
    }

    #[test]
    fn an_area_whose_device_cannot_be_found_is_unknown() {
        let r = Root::new();
        r.swaps(&["/dev/sdz9 partition 999 0 -2"]);
        assert_eq!(r.check(), Swap::Unknown);
    }
}
