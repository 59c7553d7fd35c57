//! Choosing who may receive a testimony (`Store::set_share_with`, the app's consent
//! section): only organisations this device knows, each as the list names it, saved as a
//! new revision that export then follows; and the same through the CLI (`aigaq share`).

mod common;

use aigaq::bundle::export::ExportOptions;
use aigaq::bundle::{inspect, OrgKey};
use aigaq::model::{from_value, QuickEntry};
use aigaq::store::testimonies::EditOutcome;
use aigaq::{KdfParams, Passphrase, Vault};
use serde_json::json;

const ORG: &str = "KIBHR Almaty";

struct Setup {
    dir: tempfile::TempDir,
    vault: Vault,
    key: OrgKey,
    id: String,
}

/// A vault with one recipient and one testimony from the app's short form (no sharing yet).
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let pass = Passphrase::new("sharing test passphrase".into()).unwrap();
    let mut vault =
        Vault::init(&dir.path().join("v"), &pass, KdfParams::new(8, 1).unwrap()).unwrap();
    let key = OrgKey::generate();
    vault
        .store_mut()
        .add_recipient(ORG, &key.recipient())
        .unwrap();
    let entry = QuickEntry {
        narrative: "They held me for three days without food.".into(),
        identity: "pseudonymous".into(),
        interview_date: "2022-01-20".into(),
        interview_place: "Almaty".into(),
        share_with: Vec::new(),
    };
    let ids = vault
        .store_mut()
        .add(&[entry.into_testimony().unwrap()])
        .unwrap();
    let id = ids[0].to_string();
    Setup {
        dir,
        vault,
        key,
        id,
    }
}

fn shared(s: &Setup) -> Vec<String> {
    let t = s.vault.store().get(&s.id).unwrap().testimony;
    t.consent.unwrap().share_with
}

fn revisions(s: &Setup) -> usize {
    s.vault.store().history(&s.id).unwrap().len()
}

#[test]
fn a_testimony_from_the_short_form_goes_nowhere_until_an_organisation_is_chosen() {
    let mut s = setup();
    let out = s.dir.path().join("first.age");
    let none = s.vault.store().pending_export(ORG, true).unwrap_err();
    assert_eq!(aigaq::Error::from(none).kind(), "not_found");
    let e = s
        .vault
        .store_mut()
        .export(ORG, &out, ExportOptions::default())
        .unwrap_err();
    assert!(e.to_string().contains("nothing"), "{e}");

    // Chosen as the list names it, whatever the case and spaces typed.
    let saved = s
        .vault
        .store_mut()
        .set_share_with(&s.id, &[" kibhr ALMATY ".into()])
        .unwrap();
    assert!(matches!(saved, EditOutcome::Saved(_)), "{saved:?}");
    assert_eq!(shared(&s), vec![ORG.to_owned()]);
    assert_eq!(revisions(&s), 2);
    assert_eq!(
        s.vault
            .store()
            .pending_export("kibhr almaty", false)
            .unwrap(),
        1
    );

    let report = s
        .vault
        .store_mut()
        .export(ORG, &out, ExportOptions::default())
        .unwrap();
    assert_eq!(report.records, 1);
    let mut narratives = Vec::new();
    inspect::read_bundle(
        &out,
        &s.key,
        inspect::on_records(|_, _, bytes| {
            let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            narratives.push(
                v["content"]["narrative"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
            Ok(())
        }),
    )
    .unwrap();
    assert_eq!(narratives, ["They held me for three days without food."]);
    // Sent: nothing new, unless everything is asked for again; and nothing was recorded.
    assert!(s.vault.store().pending_export(ORG, false).is_err());
    assert_eq!(s.vault.store().pending_export(ORG, true).unwrap(), 1);
    let unknown = s.vault.store().pending_export("Nobody", true).unwrap_err();
    assert!(unknown.to_string().contains("Nobody"), "{unknown}");
}

#[test]
fn an_unknown_organisation_is_refused_and_nothing_is_saved() {
    let mut s = setup();
    let e = s
        .vault
        .store_mut()
        .set_share_with(&s.id, &[ORG.into(), "KIBHR Almaty branch".into()])
        .unwrap_err();
    assert!(e.to_string().contains("KIBHR Almaty branch"), "{e}");
    assert_eq!(aigaq::Error::from(e).kind(), "not_found");
    assert!(shared(&s).is_empty());
    assert_eq!(revisions(&s), 1);
}

#[test]
fn the_same_choice_saves_nothing_and_a_name_given_twice_counts_once() {
    let mut s = setup();
    let twice = [ORG.to_owned(), ORG.to_lowercase()];
    s.vault.store_mut().set_share_with(&s.id, &twice).unwrap();
    assert_eq!(shared(&s), vec![ORG.to_owned()]);
    let again = s.vault.store_mut().set_share_with(&s.id, &twice).unwrap();
    assert!(matches!(again, EditOutcome::Unchanged(_)), "{again:?}");
    assert_eq!(revisions(&s), 2);

    // Withdrawn: the next export has nothing for the organisation.
    s.vault.store_mut().set_share_with(&s.id, &[]).unwrap();
    assert!(shared(&s).is_empty());
    assert_eq!(revisions(&s), 3);
    let out = s.dir.path().join("none.age");
    assert!(s
        .vault
        .store_mut()
        .export(ORG, &out, ExportOptions::default())
        .is_err());
    assert!(!out.exists());
}

#[test]
fn a_name_written_before_its_organisation_was_added_may_stay_or_go() {
    let mut s = setup();
    let t = from_value(json!({
        "schema": "aigaq/testimony/1",
        "consent": {"informed": true, "identity": "anonymous", "share_with": ["Memorial"]},
        "narrative": "I saw the detention from my window.",
    }))
    .unwrap();
    let id = s.vault.store_mut().add(&[t]).unwrap()[0].to_string();
    s.vault
        .store_mut()
        .set_share_with(&id, &["memorial".into(), ORG.into()])
        .unwrap();
    let now = s.vault.store().get(&id).unwrap().testimony.consent.unwrap();
    assert_eq!(now.share_with, ["Memorial", ORG]);
    s.vault
        .store_mut()
        .set_share_with(&id, &[ORG.into()])
        .unwrap();
    // Once gone, it is unknown like any other name.
    assert!(s
        .vault
        .store_mut()
        .set_share_with(&id, &["Memorial".into()])
        .is_err());
}

#[test]
fn without_recorded_consent_nothing_can_be_shared() {
    let mut s = setup();
    let t =
        from_value(json!({"schema": "aigaq/testimony/1", "narrative": "No consent yet."})).unwrap();
    let id = s.vault.store_mut().add(&[t]).unwrap()[0].to_string();
    let e = s
        .vault
        .store_mut()
        .set_share_with(&id, &[ORG.into()])
        .unwrap_err();
    assert!(e.to_string().contains("consent"), "{e}");
    assert_eq!(aigaq::Error::from(e).kind(), "invalid_input");
    assert_eq!(s.vault.store().history(&id).unwrap().len(), 1);
}

#[test]
fn the_cli_shares_as_the_app_does() {
    let org = common::OrgSetup::new(ORG);
    let s = &org.s;
    let t = json!({
        "schema": "aigaq/testimony/1",
        "consent": {"informed": true, "identity": "anonymous"},
        "narrative": "Taken from the square at night.",
    });
    let id = s.add(&t.to_string())[0].clone();
    let out = s.root.path().join("b.age");
    let export = || {
        s.cmd(&[
            "export",
            "--to",
            ORG,
            "--all",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
    };

    s.cmd(&["share", &id[..8], "Nobody we know"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("Nobody we know"));
    s.cmd(&["share", &id, "kibhr almaty"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "Saved a new revision: it may go to KIBHR Almaty.",
        ));
    s.cmd(&["share", &id, ORG])
        .assert()
        .success()
        .stderr(predicates::str::contains("no revision was saved"));
    export().success();
    std::fs::remove_file(&out).unwrap();

    // Withdrawn: nothing may go any more.
    s.cmd(&["share", &id]).assert().success();
    export()
        .code(1)
        .stderr(predicates::str::contains("nothing to export"));
    assert!(!out.exists());
}

#[test]
fn the_short_form_shares_only_with_organisations_on_the_list() {
    let mut s = setup();
    let entry = |share_with: Vec<String>| QuickEntry {
        narrative: "They came at dawn.".into(),
        identity: "anonymous".into(),
        interview_date: String::new(),
        interview_place: String::new(),
        share_with,
    };
    let before = s.vault.store().count().unwrap();
    let e = s
        .vault
        .store_mut()
        .add_quick(entry(vec!["kibhr almaty".into(), "Unknown Org".into()]))
        .unwrap_err();
    assert!(e.to_string().contains("Unknown Org"), "{e}");
    assert_eq!(s.vault.store().count().unwrap(), before);

    let id = s
        .vault
        .store_mut()
        .add_quick(entry(vec!["kibhr almaty".into(), " KIBHR ALMATY".into()]))
        .unwrap()
        .to_string();
    let t = s.vault.store().get(&id).unwrap().testimony;
    assert_eq!(t.consent.unwrap().share_with, [ORG]);
    assert_eq!(s.vault.store().history(&id).unwrap().len(), 1);
    // It goes at once: the setup's own testimony shares with nobody.
    assert_eq!(s.vault.store().pending_export(ORG, false).unwrap(), 1);
}
