//! `aigaq`: the command-line face of the core. It parses arguments, reads passphrases and
//! files, calls the library and prints; every rule lives in the library.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use aigaq::model::{self, Testimony};
use aigaq::store::received::ReceivedTestimony;
use aigaq::store::{search, EditOutcome, StoreError};
use aigaq::vault::{self, KdfParams, Passphrase, Vault, VaultError};
use clap::{Parser, Subcommand};
use zeroize::Zeroizing;

/// Aigaq: record witness testimonies into an encrypted vault.
#[derive(Parser)]
#[command(name = "aigaq", version, about, long_about = None)]
struct Cli {
    /// Vault folder [default: the user's data folder, e.g. ~/.local/share/aigaq/vault]
    #[arg(long, global = true, env = "AIGAQ_VAULT", value_name = "DIR")]
    vault: Option<PathBuf>,
    /// Read the passphrase from this file instead of a prompt (`-` = standard input)
    #[arg(long, global = true, value_name = "PATH")]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new vault
    Init {
        /// Argon2id memory in MiB (lower than the default only for tests)
        #[arg(long, value_name = "N")]
        kdf_memory_mib: Option<u32>,
        /// Argon2id passes
        #[arg(long, value_name = "T")]
        kdf_time: Option<u32>,
        /// A name for this device, carried in its bundles (e.g. a team or a pseudonym)
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Wipe the vault after this many failed unlocks in a row
        #[arg(long, value_name = "N")]
        wipe_after: Option<u32>,
    },
    /// Destroy the vault now: keys first (unrecoverable from then on), then every file.
    /// Needs no passphrase
    Wipe {
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show or change the security settings (asks for the passphrase)
    Security {
        /// Wipe the vault after N failed unlocks in a row, or `never`
        #[arg(long, value_name = "N|never")]
        wipe_after: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// The duress passphrase: unlocking with it destroys the real vault and opens a decoy
    Duress {
        #[command(subcommand)]
        action: DuressAction,
    },
    /// Set the name this device gives itself in the bundles it signs
    DeviceName {
        /// The name (e.g. a team or a pseudonym; organisations see it)
        name: String,
    },
    /// Change the passphrase (asks for the current one first)
    Passwd {
        /// Read the new passphrase from this file (`-` = standard input)
        #[arg(long, value_name = "PATH")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Print a complete example testimony as JSON
    Template,
    /// Print the controlled vocabularies with their English, Russian and Kazakh labels
    Vocab {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Add testimonies from JSON: one object, an array, or one per line (all or nothing)
    Add {
        /// JSON file (`-` = standard input)
        #[arg(long = "json", value_name = "FILE")]
        file: PathBuf,
    },
    /// List testimonies, newest first
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Show a testimony's current revision
    Show {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Save a new revision of a testimony
    Edit {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// JSON file with the whole new content (`-` = standard input)
        #[arg(long = "json", value_name = "FILE")]
        file: PathBuf,
    },
    /// Choose which organisations (from `recipient list`) may receive a testimony, as its
    /// witness agreed: saved as a new revision of `consent.share_with`
    Share {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// Recipient names; none: no organisation
        names: Vec<String>,
    },
    /// List a testimony's revisions
    History {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Search narratives and descriptions (every word must match; case is ignored)
    Search {
        /// Words to look for
        query: String,
        /// Most results to show
        #[arg(long, default_value_t = search::DEFAULT_LIMIT)]
        limit: usize,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete a testimony's content for good (its revision hashes remain)
    Delete {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Read the whole vault and check every page, revision hash and attachment
    Check,
    /// Store files (photos, audio, video, documents) encrypted in the vault, with a testimony
    Attach {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// Files to attach (all or none)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Once the stored copy is verified, overwrite and delete each source file
        #[arg(long)]
        shred_source: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// List a testimony's attachments with their SHA-256 and risky metadata
    Attachments {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Write an attachment's original bytes to a new file (decrypted: handle with care)
    Extract {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// The attachment's SHA-256 (or a unique prefix of at least 8 digits)
        sha256: String,
        /// File to write (never overwritten)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Remove an attachment from a testimony (its content goes if nothing else uses it)
    Detach {
        /// Testimony id (or a unique prefix of it)
        id: String,
        /// The attachment's SHA-256 (or a unique prefix of at least 8 digits)
        sha256: String,
    },
    /// Make an organisation's age key (no vault needed) and print its public recipient
    Keygen {
        /// File to write the key to (never overwritten)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Encrypt the key file with a passphrase (age's scrypt, as `age -p`)
        #[arg(long)]
        protect: bool,
        /// Read that passphrase from this file instead of a prompt
        #[arg(long, value_name = "PATH", requires = "protect")]
        identity_passphrase_file: Option<PathBuf>,
    },
    /// Write an encrypted bundle for an organisation (only what its consent allows)
    Export {
        /// Recipient name (repeat for several; then --out is a folder)
        #[arg(long = "to", value_name = "NAME", required = true)]
        to: Vec<String>,
        /// Bundle file, or folder with several --to
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// Send everything the recipient may receive, not only what is new to it
        #[arg(long)]
        all: bool,
        /// ASCII-armored output, for text channels
        #[arg(long)]
        armor: bool,
        /// Send photos (JPEG, PNG) without their metadata (GPS position, camera serial,
        /// owner, time); the originals in the vault stay as they are
        #[arg(long)]
        strip_metadata: bool,
    },
    /// Decrypt and verify a bundle, and summarise it; imports nothing
    Inspect {
        /// The organisation's age key file (from `aigaq keygen`)
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// Passphrase of a protected key file
        #[arg(long, value_name = "PATH")]
        identity_passphrase_file: Option<PathBuf>,
        /// The bundle
        bundle: PathBuf,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Verify and merge, all or nothing: bundles (an organisation, with --identity) or
    /// acknowledgements (a field device, without it)
    Import {
        /// The organisation's age key file (from `aigaq keygen`); without it, the files are
        /// acknowledgements sent to this device
        #[arg(long, value_name = "FILE")]
        identity: Option<PathBuf>,
        /// Passphrase of a protected key file
        #[arg(long, value_name = "PATH")]
        identity_passphrase_file: Option<PathBuf>,
        /// Bundles, or acknowledgements
        #[arg(required = true, value_name = "FILE")]
        bundles: Vec<PathBuf>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// (An organisation) write a signed receipt of imported bundles, encrypted to their sender
    Ack {
        /// The organisation's age key file (from `aigaq keygen`)
        #[arg(long, value_name = "FILE")]
        identity: PathBuf,
        /// Passphrase of a protected key file
        #[arg(long, value_name = "PATH")]
        identity_passphrase_file: Option<PathBuf>,
        /// File to write the acknowledgement to (never overwritten)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// ASCII-armored output, for text channels
        #[arg(long)]
        armor: bool,
        /// Bundles from one device, already imported
        #[arg(required = true, value_name = "BUNDLE")]
        bundles: Vec<PathBuf>,
    },
    /// Delete the content of testimonies every chosen organisation acknowledged holding
    Purge {
        /// Purge what is delivered (required: the only kind of purge there is)
        #[arg(long, required = true)]
        delivered: bool,
        /// Only list what would be purged
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// (An organisation) list the testimony revisions received
    Received {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Manage the organisations this device may export to
    Recipient {
        #[command(subcommand)]
        action: RecipientAction,
    },
    /// Print this device's signing-key fingerprint and its age recipient
    Whoami {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Check the signed ledger and every stored revision against it
    Verify {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum DuressAction {
    /// Set (or replace) the duress passphrase and its decoy vault
    Set {
        /// File holding the duress passphrase (`-` = standard input); asked for if absent
        #[arg(long, value_name = "PATH")]
        duress_passphrase_file: Option<PathBuf>,
        /// Testimonies (JSON, as for `add`) the decoy vault holds, so it looks used
        #[arg(long, value_name = "FILE")]
        decoy: Option<PathBuf>,
    },
    /// Remove the duress passphrase and its decoy
    Clear,
}

#[derive(Subcommand)]
enum RecipientAction {
    /// Add an organisation by name and its age1… recipient
    Add {
        /// A name for it, e.g. "KIBHR Almaty"
        name: String,
        /// Its age1… recipient, as its `aigaq keygen` printed it
        recipient: String,
    },
    /// List the organisations with their fingerprints
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Remove an organisation
    Remove {
        /// Its name
        name: String,
    },
}

/// A failure and the exit code it maps to.
struct Failure {
    code: u8,
    message: String,
}

impl From<aigaq::Error> for Failure {
    fn from(e: aigaq::Error) -> Self {
        Failure {
            code: if e.is_integrity() { 2 } else { 1 },
            message: e.to_string(),
        }
    }
}

macro_rules! from_core {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                aigaq::Error::from(e).into()
            }
        }
    )*};
}
from_core!(
    VaultError,
    aigaq::store::StoreError,
    model::InputError,
    aigaq::bundle::BundleError
);

/// The received testimony `id` names on an organisation's vault; when it names none either,
/// `unknown`, the error about the vault's own testimonies.
fn received_or(v: &Vault, id: &str, unknown: StoreError) -> Result<ReceivedTestimony, Failure> {
    match v.store().received_testimony(id) {
        Err(StoreError::UnknownTestimony { .. }) => Err(unknown.into()),
        r => Ok(r?),
    }
}

/// A received testimony's attachments, one line each, and what to do about missing ones.
fn received_attachments_text(t: &ReceivedTestimony) -> String {
    let mut out = String::new();
    for a in &t.attachments {
        let x = &a.attachment;
        out.push_str(&format!(
            "{}  {}  {}  {} bytes{}{}\n",
            x.sha256,
            x.name,
            x.media_type,
            x.size,
            match &x.derived_from {
                Some(o) => format!("  (a copy without {} of {o})", x.removed_metadata.join(", ")),
                None => String::new(),
            },
            if a.held {
                ""
            } else {
                "  [content not received: import the bundle that carried it, or ask the sender for `aigaq export --all`]"
            }
        ));
    }
    if t.attachments.is_empty() {
        out.push_str("(no attachments)\n");
    }
    out
}

/// `show` of a testimony received from a collector: its newest revision in full, and the
/// revisions held before it.
fn show_received(t: &ReceivedTestimony, json: bool) -> Result<(), Failure> {
    if json {
        return print_json(t);
    }
    let Some(newest) = t.revisions.last() else {
        return Err(user_error(format!("no revision of {} is held", t.id)));
    };
    let mut out = format!("testimony  {} (received)\n", t.id);
    for r in &t.revisions {
        out.push_str(&format!(
            "revision   {}  from {}{}  bundle {}  received {}\n",
            r.revision,
            r.sender_name
                .as_deref()
                .map(|n| format!("{n:?} "))
                .unwrap_or_default(),
            r.sender_fingerprint,
            r.bundle_id,
            r.received_at
        ));
    }
    for line in received_attachments_text(t).lines() {
        out.push_str(&format!("attached   {line}\n"));
    }
    let body = serde_json::to_string_pretty(&newest.record)
        .map_err(|e| user_error(format!("could not print the testimony: {e}")))?;
    out.push_str(&format!(
        "\nnewest revision held ({}):\n{body}\n",
        newest.revision
    ));
    print_text(&out)
}

fn user_error(message: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        message: message.into(),
    }
}

fn main() -> ExitCode {
    if let Err(e) = aigaq::hardening::harden_process() {
        eprintln!(
            "warning: could not turn off core dumps ({e}); a crash could write memory to disk"
        );
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let dir = match &cli.vault {
        Some(d) => d.clone(),
        None => vault::default_dir()
            .ok_or_else(|| user_error("no data folder is known for this user; give --vault DIR"))?,
    };
    let pass_file = cli.passphrase_file.as_deref();
    match cli.command {
        Command::Init {
            kdf_memory_mib,
            kdf_time,
            name,
            wipe_after,
        } => {
            if wipe_after == Some(0) {
                return Err(aigaq::Error::from(vault::VaultError::BadWipeAfter).into());
            }
            if let Some(name) = &name {
                aigaq::store::clean_name(name).map_err(aigaq::Error::from)?;
            }
            let params = match (kdf_memory_mib, kdf_time) {
                (None, None) => KdfParams::DEFAULT,
                (m, t) => KdfParams::new(
                    m.unwrap_or(KdfParams::DEFAULT.memory_kib / 1024),
                    t.unwrap_or(KdfParams::DEFAULT.time_cost),
                )?,
            };
            // Say so before asking for a passphrase.
            vault::check_can_init(&dir)?;
            let pass = new_passphrase(pass_file, "New passphrase")?;
            let mut v = with_spinner("Creating the vault (deriving the key)…", || {
                Vault::init(&dir, &pass, params)
            })?;
            if let Some(name) = &name {
                v.store_mut().set_device_name(name)?;
            }
            if wipe_after.is_some() {
                v.set_wipe_after(wipe_after)?;
            }
            eprintln!(
                "Created a vault in {} (Argon2id {} MiB, {} passes).",
                v.dir().display(),
                params.memory_kib / 1024,
                params.time_cost
            );
        }
        Command::Wipe { yes, json } => {
            if !vault::wipe::looks_like_vault(&dir) {
                vault::check_can_unlock(&dir)?;
            }
            if !yes {
                confirm(&format!(
                    "Destroy the vault in {} for good? Nothing can bring it back.",
                    dir.display()
                ))?;
            }
            let report = vault::wipe(&dir).map_err(aigaq::Error::from)?;
            // The app's settings say nothing about the vault's content, but that Aigaq was used.
            if let Some(settings) = aigaq::settings::Settings::default_path() {
                if let Err(e) = aigaq::settings::Settings::remove(&settings) {
                    eprintln!("warning: could not remove {}: {e}", settings.display());
                }
            }
            if json {
                print_json(&report)?;
            }
            eprintln!(
                "Wiped: the keys were destroyed after {:.1} ms; {} file(s), {} bytes, overwritten and removed in {:.1} ms. On flash storage old blocks may survive, but without the keys they cannot be read.",
                report.keys_destroyed.as_secs_f64() * 1000.0,
                report.files,
                report.bytes,
                report.total.as_secs_f64() * 1000.0
            );
        }
        Command::Security { wipe_after, json } => {
            let limit = match wipe_after.as_deref() {
                None => None,
                Some("never") => Some(None),
                Some(n) => Some(Some(n.parse::<u32>().map_err(|_| {
                    user_error("--wipe-after takes a number of failed unlocks, or `never`")
                })?)),
            };
            let mut v = unlock(&dir, pass_file)?;
            if let Some(limit) = limit {
                v.set_wipe_after(limit).map_err(aigaq::Error::from)?;
            }
            let settings = v.security()?;
            if json {
                print_json(&settings)?;
            } else {
                print_text(&format!(
                    "wipe after   {}\nduress       {}\nkey cost     Argon2id {} MiB, {} passes\nswap         {}\n",
                    settings
                        .wipe_after
                        .map(|n| format!("{n} failed unlocks in a row"))
                        .unwrap_or_else(|| "never".into()),
                    if settings.duress { "set" } else { "not set" },
                    settings.kdf_memory_mib,
                    settings.kdf_passes,
                    swap_text(&settings.swap)
                ))?;
            }
        }
        Command::Duress { action } => match action {
            DuressAction::Set {
                duress_passphrase_file,
                decoy,
            } => {
                let decoy = match &decoy {
                    Some(path) => read_testimonies(path)?,
                    None => Vec::new(),
                };
                if pass_file.is_some() && pass_file == duress_passphrase_file.as_deref() {
                    return Err(user_error(
                        "the passphrase and the duress passphrase cannot come from the same file",
                    ));
                }
                let mut v = unlock(&dir, pass_file)?;
                let duress =
                    new_passphrase(duress_passphrase_file.as_deref(), "Duress passphrase")?;
                with_spinner("Setting the duress passphrase…", || {
                    v.set_duress(&duress, &decoy)
                })?;
                eprintln!(
                    "Duress passphrase set, with a decoy of {} testimon{}. Unlocking with it destroys this vault without a word and opens the decoy. It does not protect against a copy of the disk made before.",
                    decoy.len(),
                    if decoy.len() == 1 { "y" } else { "ies" }
                );
            }
            DuressAction::Clear => {
                let mut v = unlock(&dir, pass_file)?;
                if v.clear_duress()? {
                    eprintln!("The duress passphrase and its decoy are removed.");
                } else {
                    eprintln!("No duress passphrase was set.");
                }
            }
        },
        Command::DeviceName { name } => {
            aigaq::store::clean_name(&name).map_err(aigaq::Error::from)?;
            let mut v = unlock(&dir, pass_file)?;
            let name = v.store_mut().set_device_name(&name)?;
            eprintln!("This device now calls itself {name:?} in the bundles it signs.");
        }
        Command::Passwd {
            new_passphrase_file,
        } => {
            if pass_file.is_some() && pass_file == new_passphrase_file.as_deref() {
                return Err(user_error(
                    "the current and the new passphrase cannot come from the same file",
                ));
            }
            let mut v = unlock(&dir, pass_file)?;
            let new = new_passphrase(new_passphrase_file.as_deref(), "New passphrase")?;
            with_spinner("Changing the passphrase…", || v.change_passphrase(&new))?;
            eprintln!("Passphrase changed. The old passphrase no longer opens this vault.");
        }
        Command::Template => {
            print_json(&model::template())?;
        }
        Command::Vocab { json } => {
            let all = model::vocab::all();
            if json {
                print_json(&all)?;
            } else {
                let mut out = String::new();
                for v in all {
                    out.push_str(&format!("{} ({}):\n", v.name, v.noun));
                    for t in v.terms {
                        out.push_str(&format!(
                            "  {:<32} {} | {} | {}\n",
                            t.code, t.en, t.ru, t.kk
                        ));
                    }
                }
                print_text(&out)?;
            }
        }
        Command::Add { file } => {
            check_stdin_use(pass_file, &file)?;
            let items = read_testimonies(&file)?;
            let mut v = unlock(&dir, pass_file)?;
            let ids = v.store_mut().add(&items)?;
            let text: String = ids.iter().map(|id| format!("{id}\n")).collect();
            print_text(&text)?;
            eprintln!(
                "Added {} testimon{}.",
                ids.len(),
                if ids.len() == 1 { "y" } else { "ies" }
            );
        }
        Command::List { json } => {
            let v = unlock(&dir, pass_file)?;
            let list = v.store().list()?;
            if json {
                print_json(&list)?;
            } else if list.is_empty() {
                eprintln!(
                    "The vault holds no testimonies yet. Add one with `aigaq add --json FILE`."
                );
            } else {
                let mut out = format!(
                    "{:<36}  {:<10}  {:<16}  {:<10}  {:<8}  {:<12}  {}\n",
                    "ID", "INTERVIEW", "PLACE", "WITNESS", "STATUS", "DELIVERED", "NARRATIVE"
                );
                for s in &list {
                    let delivered = if s.delivered_to.is_empty() {
                        "-".to_owned()
                    } else {
                        s.delivered_to.join(", ")
                    };
                    out.push_str(&format!(
                        "{:<36}  {:<10}  {:<16}  {:<10}  {:<8}  {:<12}  {}\n",
                        s.id,
                        s.interview_date.as_deref().unwrap_or("-"),
                        clip(s.place.as_deref().unwrap_or("-"), 16),
                        clip(s.witness.as_deref().unwrap_or("-"), 10),
                        s.status.as_deref().unwrap_or("-"),
                        clip(&delivered, 12),
                        clip(&s.excerpt, 60)
                    ));
                }
                print_text(&out)?;
            }
        }
        Command::Show { id, json } => {
            let v = unlock(&dir, pass_file)?;
            let r = match v.store().get(&id) {
                Err(e @ StoreError::UnknownTestimony { .. }) => {
                    return show_received(&received_or(&v, &id, e)?, json);
                }
                r => r?,
            };
            if json {
                print_json(&r)?;
            } else {
                let body = serde_json::to_string_pretty(&r.testimony)
                    .map_err(|e| user_error(format!("could not print the testimony: {e}")))?;
                let delivered = if r.delivered_to.is_empty() {
                    "not yet acknowledged by any organisation".to_owned()
                } else {
                    format!("acknowledged by {}", r.delivered_to.join(", "))
                };
                let mut attachments = String::new();
                for a in &r.attachments {
                    attachments.push_str(&format!(
                        "attached   {}  {}  {}  {} bytes\n",
                        a.attachment.sha256,
                        a.attachment.name,
                        shown_type(a),
                        a.attachment.size
                    ));
                    for w in &a.warnings {
                        attachments.push_str(&format!("    ! {}: {}\n", w.field, w.value));
                    }
                }
                print_text(&format!(
                    "testimony  {}\nrevision   {} ({})\ncreated    {}\nupdated    {}\ndelivered  {delivered}\n{attachments}\n{body}\n",
                    r.id, r.number, r.revision, r.created_at, r.updated_at
                ))?;
            }
        }
        Command::Edit { id, file } => {
            check_stdin_use(pass_file, &file)?;
            let mut items = read_testimonies(&file)?;
            if items.len() != 1 {
                return Err(user_error(format!(
                    "edit takes exactly one testimony; {} has {}",
                    file.display(),
                    items.len()
                )));
            }
            let t: Testimony = items.remove(0);
            let mut v = unlock(&dir, pass_file)?;
            match v.store_mut().edit(&id, &t)? {
                EditOutcome::Saved(hash) => {
                    print_text(&format!("{hash}\n"))?;
                    eprintln!("Saved a new revision.");
                }
                EditOutcome::Unchanged(hash) => {
                    print_text(&format!("{hash}\n"))?;
                    eprintln!("Nothing changed; no revision was saved.");
                }
            }
        }
        Command::Share { id, names } => {
            let mut v = unlock(&dir, pass_file)?;
            let outcome = v.store_mut().set_share_with(&id, &names)?;
            let (EditOutcome::Saved(hash) | EditOutcome::Unchanged(hash)) = &outcome;
            print_text(&format!("{hash}\n"))?;
            // As the recipient list spells them, which is how they were saved.
            let saved = v
                .store()
                .get(&id)?
                .testimony
                .consent
                .map(|c| c.share_with)
                .unwrap_or_default();
            let who = if saved.is_empty() {
                "no organisation".to_owned()
            } else {
                saved.join(", ")
            };
            match outcome {
                EditOutcome::Saved(_) => {
                    eprintln!("Saved a new revision: it may go to {who}.")
                }
                EditOutcome::Unchanged(_) => {
                    eprintln!("It already may go to {who}; no revision was saved.")
                }
            }
        }
        Command::History { id, json } => {
            let v = unlock(&dir, pass_file)?;
            let h = v.store().history(&id)?;
            if json {
                print_json(&h)?;
            } else {
                let mut out = String::new();
                for r in &h {
                    out.push_str(&format!(
                        "{:>3}  {}  {}{}\n",
                        r.number,
                        r.revision,
                        r.saved_at,
                        if r.purged { "  (content deleted)" } else { "" }
                    ));
                }
                print_text(&out)?;
            }
        }
        Command::Search { query, limit, json } => {
            let v = unlock(&dir, pass_file)?;
            let hits = v.store().search(&query, limit)?;
            if json {
                print_json(&hits)?;
            } else if hits.is_empty() {
                eprintln!("No testimony matches.");
            } else {
                let mut out = String::new();
                for h in &hits {
                    out.push_str(&format!(
                        "{}  {}  {}\n    {}\n",
                        h.id,
                        h.interview_date.as_deref().unwrap_or("-"),
                        h.place.as_deref().unwrap_or("-"),
                        h.snippet.split_whitespace().collect::<Vec<_>>().join(" ")
                    ));
                }
                print_text(&out)?;
            }
        }
        Command::Delete { id, yes } => {
            if !yes {
                confirm(&format!("Delete the content of testimony {id} for good?"))?;
            }
            let mut v = unlock(&dir, pass_file)?;
            let id = v.store_mut().delete(&id)?;
            eprintln!("Deleted the content of testimony {id}; only its revision hashes remain.");
        }
        Command::Keygen {
            out,
            protect,
            identity_passphrase_file,
        } => {
            let pass = if protect {
                Some(new_passphrase(
                    identity_passphrase_file.as_deref(),
                    "Passphrase for the key file",
                )?)
            } else {
                None
            };
            let key = aigaq::bundle::OrgKey::generate();
            let created = aigaq::store::now();
            with_spinner("Writing the key…", || {
                key.write(&out, &created, pass.as_ref())
            })?;
            print_text(&format!("{}\n", key.recipient()))?;
            eprintln!(
                "Wrote the organisation key to {}{}. Keep it secret and backed up.\nGive collectors the recipient above; compare this fingerprint with them on a call: {}",
                out.display(),
                if protect { " (passphrase-protected)" } else { "" },
                key.fingerprint()
            );
        }
        Command::Export {
            to,
            out,
            all,
            armor,
            strip_metadata,
        } => {
            let mut v = unlock(&dir, pass_file)?;
            let opts = aigaq::bundle::export::ExportOptions {
                all,
                armor,
                strip_metadata,
            };
            let reports = if to.len() == 1 {
                vec![with_spinner("Writing the bundle…", || {
                    v.store_mut().export(&to[0], &out, opts)
                })?]
            } else {
                let each = with_spinner("Writing the bundles…", || {
                    v.store_mut().export_each(&to, &out, opts)
                })?;
                for name in &each.nothing_new {
                    eprintln!("Nothing new for {name:?}: no bundle written for it (--all sends everything again).");
                }
                if let Some((name, e)) = each.failed {
                    // The bundles written are on disk and recorded as sent: name them.
                    let written: Vec<String> = each
                        .written
                        .iter()
                        .map(|r| format!("{} for {:?}", r.path.display(), r.recipient))
                        .collect();
                    eprintln!(
                        "Written and recorded as sent: {}. Keep and deliver them.",
                        written.join(", ")
                    );
                    let mut f = Failure::from(e);
                    f.message = format!("the bundle for {name:?} was not written: {}", f.message);
                    return Err(f);
                }
                each.written
            };
            let mut text = String::new();
            for r in reports {
                text.push_str(&format!("{}\t{}\n", r.path.display(), r.recipient));
                eprintln!(
                    "Wrote {} testimon{} and {} attachment(s) for {:?} to {} ({} bytes).",
                    r.records,
                    if r.records == 1 { "y" } else { "ies" },
                    r.attachments,
                    r.recipient,
                    r.path.display(),
                    r.bytes
                );
                if r.left_for_next > 0 {
                    eprintln!(
                        "{} more testimon{} did not fit in one bundle (at most {} testimonies, {} GiB and {} files). Run `aigaq export --to {:?} --out …` again (without --all) to send {}.",
                        r.left_for_next,
                        if r.left_for_next == 1 { "y" } else { "ies" },
                        aigaq::bundle::export::MAX_RECORDS,
                        aigaq::bundle::inspect::MAX_TOTAL_BYTES >> 30,
                        aigaq::bundle::inspect::MAX_FILES,
                        r.recipient,
                        if r.left_for_next == 1 { "it" } else { "them" },
                    );
                }
                for f in &r.stripped {
                    eprintln!(
                        "  {}: sent as a copy without {} (the original stays in the vault).",
                        f.name,
                        f.removed.join(", "),
                    );
                }
                if !r.sent_with_metadata.is_empty() {
                    // With --strip-metadata, the export refuses such a file instead.
                    eprintln!(
                        "Warning: sent with metadata that can identify people or places: {}. --strip-metadata sends photos and phone recordings without it.",
                        r.sent_with_metadata.join(", "),
                    );
                }
            }
            print_text(&text)?;
        }
        Command::Import {
            identity,
            identity_passphrase_file,
            bundles,
            json,
        } => {
            let paths: Vec<&Path> = bundles.iter().map(PathBuf::as_path).collect();
            let Some(identity) = identity else {
                let mut v = unlock(&dir, pass_file)?;
                let acks = with_spinner("Verifying acknowledgements…", || {
                    v.store_mut().import_acks(&paths)
                })?;
                if json {
                    print_json(&acks)?;
                }
                for a in &acks {
                    eprintln!(
                        "Acknowledgement {} from {:?} (signed by device {}): {} revision(s) newly confirmed as delivered, {} already known; {} attachment(s) newly confirmed as held.",
                        a.ack_id, a.recipient, a.signer_fingerprint, a.new_revisions, a.known_revisions, a.new_attachments
                    );
                    if a.signer_is_new && a.earlier_signers > 0 {
                        eprintln!(
                            "  Warning: {:?} signed its earlier acknowledgements with another device key; this one is signed by {}. Unless the organisation told you it moved to a new device, ask them by another channel before you purge anything.",
                            a.recipient, a.signer_fingerprint
                        );
                    } else if a.signer_is_new {
                        eprintln!(
                            "  The first acknowledgement from {:?}: compare the device fingerprint {} with the organisation.",
                            a.recipient, a.signer_fingerprint
                        );
                    }
                }
                eprintln!("`aigaq purge --delivered --dry-run` lists what can now be removed from this device.");
                return Ok(());
            };
            let key = read_org_key(&identity, identity_passphrase_file.as_deref())?;
            let mut v = unlock(&dir, pass_file)?;
            let imported = with_spinner("Verifying and importing…", || {
                v.store_mut().import(&paths, &key)
            })?;
            if json {
                print_json(&imported)?;
            } else {
                for b in &imported {
                    eprintln!(
                        "Bundle {} from device {}{}{}: {} new revision(s), {} already held, {} new ledger entr{}.",
                        b.bundle_id,
                        b.sender_name.as_deref().map(|n| format!("{n:?} ")).unwrap_or_default(),
                        b.sender_fingerprint,
                        if b.new_sender { " (a device not seen before: compare its fingerprint with the sender)" } else { "" },
                        b.new_revisions,
                        b.known_revisions,
                        b.new_ledger_entries,
                        if b.new_ledger_entries == 1 { "y" } else { "ies" }
                    );
                    if b.new_attachments + b.known_attachments > 0 {
                        eprintln!(
                            "  Attachments: {} new, {} already held.",
                            b.new_attachments, b.known_attachments
                        );
                    }
                    if !b.missing_attachments.is_empty() {
                        eprintln!(
                            "  {} attachment(s) its testimonies list are neither in the bundle nor in this vault (sent in an earlier bundle that was not imported here): import that bundle, or ask the sender for `aigaq export --all`. Missing: {}",
                            b.missing_attachments.len(),
                            b.missing_attachments.join(", ")
                        );
                    }
                }
            }
        }
        Command::Ack {
            identity,
            identity_passphrase_file,
            out,
            armor,
            bundles,
        } => {
            let key = read_org_key(&identity, identity_passphrase_file.as_deref())?;
            let mut v = unlock(&dir, pass_file)?;
            let paths: Vec<&Path> = bundles.iter().map(PathBuf::as_path).collect();
            let r = with_spinner(
                "Verifying the bundles and writing the acknowledgement…",
                || v.store_mut().acknowledge(&paths, &key, &out, armor),
            )?;
            print_text(&format!("{}\n", r.path.display()))?;
            eprintln!(
                "Wrote an acknowledgement of {} revision(s) and {} attachment(s) in {} bundle(s) for device {} to {} ({} bytes). Send it back to that device by any channel: only it can read it.",
                r.revisions, r.attachments, r.bundles, r.device_fingerprint, r.path.display(), r.bytes
            );
        }
        Command::Purge {
            delivered: _,
            dry_run,
            yes,
            json,
        } => {
            if !dry_run && !yes {
                confirm("Delete the content of every testimony that all its organisations acknowledged holding?")?;
            }
            let mut v = unlock(&dir, pass_file)?;
            let plan = if dry_run {
                v.store().purge_plan()?
            } else {
                v.store_mut().purge_delivered()?
            };
            let done = &plan.purge;
            if json {
                print_json(done)?;
            } else {
                let text: String = done
                    .iter()
                    .map(|d| format!("{}\t{}\n", d.id, d.delivered_to.join(", ")))
                    .collect();
                print_text(&text)?;
            }
            eprintln!(
                "{} {} testimon{}{}.",
                if dry_run {
                    "Would delete the content of"
                } else {
                    "Deleted the content of"
                },
                done.len(),
                if done.len() == 1 { "y" } else { "ies" },
                if dry_run {
                    ""
                } else {
                    "; the ledger keeps their hashes"
                }
            );
            let kept = &plan.kept_for_attachments;
            if !kept.is_empty() {
                eprintln!(
                    "Kept {} acknowledged testimon{} whose attachments not every organisation confirmed holding (sent in an earlier bundle it has not acknowledged, or only as a copy without metadata): {}. Once the organisation imports the bundle that carried them and sends a new acknowledgement, they can go; `aigaq export --all` sends the originals again.",
                    kept.len(),
                    if kept.len() == 1 { "y" } else { "ies" },
                    kept.join(", ")
                );
            }
        }
        Command::Received { json } => {
            let v = unlock(&dir, pass_file)?;
            let list = v.store().received()?;
            if json {
                print_json(&list)?;
            } else if list.is_empty() {
                eprintln!("Nothing received yet. Import bundles with `aigaq import`.");
            } else {
                let mut out = String::new();
                for r in &list {
                    out.push_str(&format!(
                        "{}  {}  from {}  {}\n",
                        r.id, r.revision, r.sender_fingerprint, r.received_at
                    ));
                }
                print_text(&out)?;
            }
        }
        Command::Inspect {
            identity,
            identity_passphrase_file,
            bundle,
            json,
        } => {
            let key = read_org_key(&identity, identity_passphrase_file.as_deref())?;
            let report = with_spinner("Verifying the bundle…", || {
                aigaq::bundle::inspect::read_bundle(&bundle, &key, aigaq::bundle::inspect::Discard)
            })?;
            if json {
                print_json(&report)?;
            } else {
                let mut out = format!(
                    "bundle     {}\ncreated    {}\nsender     {} (fingerprint {})\nreplies to {}\nledger     {} entries{}\nrecords    {}\n",
                    report.bundle_id,
                    report.created,
                    report.sender_device_key,
                    report.sender_fingerprint,
                    report.sender_age_recipient,
                    report.ledger_entries,
                    if report.ledger_gaps.is_empty() {
                        String::new()
                    } else {
                        format!(" (entries not in this bundle: {:?})", report.ledger_gaps)
                    },
                    report.records.len()
                );
                for r in &report.records {
                    out.push_str(&format!("  {}  {}\n", r.id, r.revision));
                }
                if !report.attachments.is_empty() {
                    out.push_str(&format!("attachments {}\n", report.attachments.len()));
                    for a in &report.attachments {
                        out.push_str(&format!("  {}  {} bytes\n", a.sha256, a.size));
                    }
                }
                if !report.attachments_not_carried.is_empty() {
                    out.push_str(&format!(
                        "listed but sent earlier {}\n",
                        report.attachments_not_carried.len()
                    ));
                }
                print_text(&out)?;
                eprintln!(
                    "Verified: signed by the sender's device, every file matches the manifest."
                );
            }
        }
        Command::Recipient { action } => match action {
            RecipientAction::Add { name, recipient } => {
                let mut v = unlock(&dir, pass_file)?;
                let r = v.store_mut().add_recipient(&name, &recipient)?;
                eprintln!(
                    "Added {:?} ({}). Check this fingerprint with the organisation: {}",
                    r.name, r.recipient, r.fingerprint
                );
            }
            RecipientAction::List { json } => {
                let v = unlock(&dir, pass_file)?;
                let list = v.store().recipients()?;
                if json {
                    print_json(&list)?;
                } else if list.is_empty() {
                    eprintln!("No recipients yet. Add one with `aigaq recipient add NAME age1…`.");
                } else {
                    let mut out = String::new();
                    for r in &list {
                        out.push_str(&format!(
                            "{}\n    {}  ({})\n",
                            r.name, r.recipient, r.fingerprint
                        ));
                    }
                    print_text(&out)?;
                }
            }
            RecipientAction::Remove { name } => {
                let mut v = unlock(&dir, pass_file)?;
                v.store_mut().remove_recipient(&name)?;
                eprintln!("Removed {name:?}.");
            }
        },
        Command::Whoami { json } => {
            let v = unlock(&dir, pass_file)?;
            let d = v.store().device();
            let name = v.store().device_name()?;
            let who = serde_json::json!({
                "name": name,
                "fingerprint": d.fingerprint(),
                "device_key": d.public_key_b64(),
                "age_recipient": d.age_recipient(),
            });
            if json {
                print_json(&who)?;
            } else {
                print_text(&format!(
                    "name         {}\ndevice key   {}\nfingerprint  {}\nrecipient    {}\n",
                    name.as_deref()
                        .unwrap_or("(none; set one with `aigaq device-name`)"),
                    d.public_key_b64(),
                    d.fingerprint(),
                    d.age_recipient()
                ))?;
            }
        }
        Command::Verify { json } => {
            let v = unlock(&dir, pass_file)?;
            let report = v.store().verify_custody()?;
            if json {
                print_json(&report)?;
            } else {
                eprintln!(
                    "The ledger is intact: {} entries, signed by this device and chained; {} revisions of {} testimonies match it.",
                    report.entries, report.revisions, report.testimonies
                );
            }
        }
        Command::Attach {
            id,
            files,
            shred_source,
            json,
        } => {
            let mut v = unlock(&dir, pass_file)?;
            let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
            let done = with_spinner("Encrypting and storing…", || {
                v.store_mut().attach(&id, &paths)
            })?;
            if json {
                print_json(&done)?;
            } else {
                let text: String = done
                    .iter()
                    .map(|a| format!("{}\t{}\n", a.attachment.sha256, a.attachment.name))
                    .collect();
                print_text(&text)?;
            }
            for a in &done {
                let how = match (a.already_attached, a.deduplicated) {
                    (true, _) => "was already attached",
                    (false, true) => {
                        "attached (the same content was already in the vault; stored once)"
                    }
                    (false, false) => "attached",
                };
                eprintln!(
                    "{} ({}, {} bytes) {how}.",
                    a.attachment.name, a.attachment.media_type, a.attachment.size
                );
                if !a.already_attached {
                    print_warnings(&a.warnings, &a.attachment.media_type);
                }
            }
            if shred_source {
                let outcomes = v.store().shred_sources(&paths, &done)?;
                let mut left = 0;
                for o in &outcomes {
                    match &o.not_shredded {
                        None => eprintln!("Overwrote and deleted {}.", o.path.display()),
                        Some(why) => {
                            left += 1;
                            eprintln!(
                                "Attached, but NOT overwritten or deleted: {}: {why}.",
                                o.path.display()
                            );
                        }
                    }
                }
                eprintln!("Note: on flash storage (SSDs, USB sticks, phones) and on copy-on-write file systems (btrfs, ZFS, APFS) old copies of a file may survive overwriting; only full-disk encryption protects those.");
                if left > 0 {
                    return Err(user_error(format!(
                        "every file is attached, but {left} source file(s) are still on this computer (see above): remove them another way"
                    )));
                }
            }
        }
        Command::Attachments { id, json } => {
            let v = unlock(&dir, pass_file)?;
            let list = match v.store().attachments(&id) {
                Err(e @ StoreError::UnknownTestimony { .. }) => {
                    let t = received_or(&v, &id, e)?;
                    if json {
                        print_json(&t.attachments)?;
                    } else {
                        print_text(&received_attachments_text(&t))?;
                    }
                    return Ok(());
                }
                r => r?,
            };
            if json {
                print_json(&list)?;
            } else if list.is_empty() {
                eprintln!(
                    "This testimony has no attachments. Add some with `aigaq attach {id} FILE…`."
                );
            } else {
                let mut out = String::new();
                for a in &list {
                    out.push_str(&format!(
                        "{}  {}  {}  {} bytes  {}\n",
                        a.attachment.sha256,
                        a.attachment.name,
                        shown_type(a),
                        a.attachment.size,
                        a.attachment.added_at
                    ));
                    for w in &a.warnings {
                        out.push_str(&format!("    ! {}: {}\n", w.field, w.value));
                    }
                }
                print_text(&out)?;
            }
        }
        Command::Extract { id, sha256, out } => {
            if out.as_os_str() == "-" {
                return Err(user_error(
                    "extract writes a new file: give its name with --out (standard output is not offered, so that decrypted evidence does not end up wherever a pipe leads)",
                ));
            }
            let v = unlock(&dir, pass_file)?;
            let a = with_spinner("Decrypting…", || v.store().extract(&id, &sha256, &out))?;
            eprintln!(
                "Wrote {} ({} bytes, SHA-256 verified) to {}. This copy is not encrypted: delete it when done.",
                a.name,
                a.size,
                out.display()
            );
        }
        Command::Detach { id, sha256 } => {
            let mut v = unlock(&dir, pass_file)?;
            let a = v.store_mut().detach(&id, &sha256)?;
            eprintln!("Detached {} ({}).", a.name, a.sha256);
        }
        Command::Check => {
            let v = unlock(&dir, pass_file)?;
            let checked = with_spinner("Checking every page…", || v.store().check_integrity())?;
            eprintln!(
                "The vault is intact: every page authenticates and every revision and attachment matches its hash."
            );
            if checked.read_again > 0 {
                eprintln!(
                    "{} of {} attachment(s), stored by an earlier version of Aigaq, were read again for risky metadata; `aigaq attachments ID` shows what was found.",
                    checked.read_again, checked.attachments
                );
            }
        }
    }
    Ok(())
}

/// What an attachment's content is, and the type its signed revision lists when that is
/// another.
fn shown_type(a: &aigaq::store::attachments::AttachmentInfo) -> String {
    match &a.detected_type {
        Some(now) => format!("{now} (listed as {})", a.attachment.media_type),
        None => a.attachment.media_type.clone(),
    }
}

fn print_warnings(warnings: &[aigaq::media::Warning], media_type: &str) {
    let (unread, found): (Vec<_>, Vec<_>) = warnings
        .iter()
        .partition(|w| w.field == aigaq::media::UNREAD);
    if !found.is_empty() {
        eprintln!("  Warning: this file carries metadata that can identify people or places:");
        for w in &found {
            eprintln!("    {}: {}", w.field, w.value);
        }
    }
    if !unread.is_empty() {
        eprintln!("  Warning: Aigaq could not check this file for metadata that can identify people or places:");
        for w in &unread {
            eprintln!("    {}: {}", w.field, w.value);
        }
        eprintln!("  The original is kept as it is (its hash is the evidence). `export --strip-metadata` refuses to send what it could not check: send it another way, or attach its contents or an unprotected copy instead.");
    } else if !found.is_empty() {
        if aigaq::media::strip::supported(media_type) {
            eprintln!("  The original is kept as it is (its hash is the evidence); `export --strip-metadata` sends a copy without it (from a video, a camera's telemetry and timecode tracks too), or refuses the file if any of it would remain.");
        } else {
            let instead = if media_type.starts_with("image/") {
                "Send a copy converted to JPEG or PNG instead, or send it another way."
            } else {
                "Send it another way, or attach a copy in a format Aigaq can clean."
            };
            eprintln!("  The original is kept as it is (its hash is the evidence). Aigaq cannot remove metadata from {media_type} files: whoever receives it can read this, and `export --strip-metadata` refuses to send it. {instead}");
        }
    }
}

fn clip(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.pop();
        out.push('…');
    }
    out
}

/// The swap line of `security`: what it means for testimonies, and what to do.
fn swap_text(swap: &aigaq::swap::Swap) -> String {
    use aigaq::swap::Swap;
    match swap {
        Swap::Off => "off".into(),
        Swap::Protected => "encrypted (or in memory)".into(),
        Swap::Unencrypted { areas } => format!(
            "NOT ENCRYPTED ({}): what is in memory, testimonies included, may be written to \
             the disk in plain; use encrypted swap or turn swap off (README, Security)",
            areas.join(", ")
        ),
        Swap::Unknown => "unknown (the system does not say)".into(),
    }
}

fn print_text(s: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`aigaq list | head`) is not an error worth reporting.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(user_error(format!("could not write the output: {e}"))),
    }
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let s = serde_json::to_string_pretty(value)
        .map_err(|e| user_error(format!("could not encode the output: {e}")))?;
    print_text(&(s + "\n"))
}

fn with_spinner<T, E>(message: &str, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let bar =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if io::stderr().is_terminal() {
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
    }
    let result = f();
    bar.finish_and_clear();
    result
}

fn unlock(dir: &Path, pass_file: Option<&Path>) -> Result<Vault, Failure> {
    vault::check_can_unlock(dir)?;
    let (wait, failed) = vault::pending_delay(dir);
    if !wait.is_zero() {
        eprintln!(
            "{failed} failed unlock{} in a row: this attempt waits {} s first.",
            if failed == 1 { "" } else { "s" },
            wait.as_secs()
        );
    }
    let pass = read_passphrase(pass_file, "Passphrase")?;
    Ok(with_spinner("Unlocking (deriving the key)…", || {
        Vault::unlock(dir, &pass)
    })?)
}

/// Most bytes read from a passphrase file: a passphrase is short; a big file is a mistake.
const MAX_PASSPHRASE_FILE: u64 = 64 * 1024;

fn read_passphrase(file: Option<&Path>, prompt: &str) -> Result<Passphrase, Failure> {
    match file {
        Some(path) => {
            let mut buf = Zeroizing::new(Vec::new());
            let read = if path == Path::new("-") {
                io::stdin()
                    .lock()
                    .take(MAX_PASSPHRASE_FILE)
                    .read_to_end(&mut buf)
            } else {
                File::open(path).and_then(|f| f.take(MAX_PASSPHRASE_FILE).read_to_end(&mut buf))
            };
            read.map_err(|e| {
                user_error(format!(
                    "could not read the passphrase from {}: {e}",
                    path.display()
                ))
            })?;
            Ok(Passphrase::from_file_bytes(buf)?)
        }
        None => {
            let typed = rpassword::prompt_password(format!("{prompt}: ")).map_err(|_| {
                user_error(
                    "no passphrase given: run this in a terminal to be asked for it, or use --passphrase-file PATH",
                )
            })?;
            Ok(Passphrase::new(typed)?)
        }
    }
}

fn new_passphrase(file: Option<&Path>, prompt: &str) -> Result<Passphrase, Failure> {
    let pass = read_passphrase(file, prompt)?;
    pass.check_strength()?;
    if file.is_none() {
        let again = read_passphrase(None, "Repeat it")?;
        if !pass.same_as(&again) {
            return Err(user_error(
                "the two passphrases differ; nothing was changed",
            ));
        }
    }
    Ok(pass)
}

fn read_org_key(file: &Path, pass_file: Option<&Path>) -> Result<aigaq::bundle::OrgKey, Failure> {
    let pass = match pass_file {
        Some(p) => Some(read_passphrase(Some(p), "Key file passphrase")?),
        None => None,
    };
    Ok(aigaq::bundle::OrgKey::read(file, pass.as_ref())?)
}

fn check_stdin_use(pass_file: Option<&Path>, input: &Path) -> Result<(), Failure> {
    if pass_file == Some(Path::new("-")) && input == Path::new("-") {
        return Err(user_error(
            "the passphrase and the JSON cannot both come from standard input; put one in a file",
        ));
    }
    Ok(())
}

fn read_testimonies(path: &Path) -> Result<Vec<Testimony>, Failure> {
    let limit = model::validate::MAX_INPUT_BYTES as u64 + 1;
    let mut buf = Vec::new();
    let read = if path == Path::new("-") {
        io::stdin().lock().take(limit).read_to_end(&mut buf)
    } else {
        File::open(path).and_then(|f| f.take(limit).read_to_end(&mut buf))
    };
    read.map_err(|e| user_error(format!("could not read {}: {e}", path.display())))?;
    Ok(model::parse_input(&buf)?)
}

fn confirm(question: &str) -> Result<(), Failure> {
    if !io::stdin().is_terminal() {
        return Err(user_error(
            "this cannot be undone; confirm with --yes when not running in a terminal",
        ));
    }
    eprint!("{question} Type yes: ");
    let mut answer = String::new();
    io::stdin()
        .read_line(&mut answer)
        .map_err(|e| user_error(format!("could not read the answer: {e}")))?;
    if answer.trim() != "yes" {
        return Err(user_error("not deleted"));
    }
    Ok(())
}
