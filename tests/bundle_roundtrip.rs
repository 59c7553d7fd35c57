//! Property: whatever testimonies a collector holds, what a bundle carries is exactly what
//! consent allows, and it reads back to the same content.

use aigaq::bundle::export::ExportOptions;
use aigaq::bundle::{inspect, OrgKey};
use aigaq::model::from_value;
use aigaq::{KdfParams, Passphrase, Vault};
use proptest::prelude::*;
use serde_json::{json, Value};

const ORG: &str = "Org";

fn item() -> impl Strategy<Value = (String, &'static str, bool)> {
    (
        "[a-zA-Zа-яА-ЯәғқңөұүһіӘҒҚҢӨҰҮҺІ0-9 ,.!?\n\t\"\\\\/]{1,120}",
        prop_oneof![Just("named"), Just("pseudonymous"), Just("anonymous")],
        any::<bool>(),
    )
        .prop_filter("a narrative has words", |(n, _, _)| !n.trim().is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_bundle_carries_exactly_what_consent_allows(items in prop::collection::vec(item(), 1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let pass = Passphrase::new("property test passphrase".into()).unwrap();
        let mut v = Vault::init(&dir.path().join("v"), &pass, KdfParams::new(8, 1).unwrap()).unwrap();
        let key = OrgKey::generate();
        v.store_mut().add_recipient(ORG, &key.recipient()).unwrap();
        let testimonies: Vec<_> = items
            .iter()
            .map(|(narrative, identity, shared)| {
                let share: Vec<&str> = if *shared { vec![ORG] } else { vec!["Somebody else"] };
                from_value(json!({
                    "schema": "aigaq/testimony/1",
                    "consent": {"informed": true, "identity": identity, "share_with": share},
                    "witness": {"name": "WITNESS-NAME-XYZ", "contact": "CONTACT-XYZ"},
                    "narrative": narrative,
                }))
                .unwrap()
            })
            .collect();
        let ids = v.store_mut().add(&testimonies).unwrap();
        let out = dir.path().join("b.age");
        let expected: Vec<usize> = (0..items.len()).filter(|i| items[*i].2).collect();
        let exported = v.store_mut().export(ORG, &out, ExportOptions::default());
        if expected.is_empty() {
            prop_assert!(exported.is_err());
            return Ok(());
        }
        prop_assert_eq!(exported.unwrap().records, expected.len());
        let mut got = Vec::new();
        inspect::read_bundle(&out, &key, inspect::on_records(|id, _, bytes| {
            got.push((id.to_owned(), serde_json::from_slice::<Value>(bytes).unwrap()));
            Ok(())
        }))
        .unwrap();
        prop_assert_eq!(got.len(), expected.len());
        for ((id, doc), i) in got.iter().zip(&expected) {
            prop_assert_eq!(id, ids[*i].as_str());
            prop_assert_eq!(doc["content"]["narrative"].as_str().unwrap(), items[*i].0.as_str());
            let text = doc.to_string();
            let named = items[*i].1 == "named";
            prop_assert_eq!(text.contains("WITNESS-NAME-XYZ"), named);
            prop_assert_eq!(text.contains("CONTACT-XYZ"), named);
        }
        v.store().verify_custody().unwrap();
    }
}
