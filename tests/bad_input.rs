//! Hostile and mistaken testimony input: each gets a clear error naming the field, exit 1,
//! and the vault is left exactly as it was.

mod common;

use common::{snapshot, testimony, Scratch};

fn with(extra: serde_json::Value) -> String {
    let mut base = serde_json::json!({"schema": "aigaq/testimony/1", "narrative": "x"});
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base.to_string()
}

/// (name, input, text the error must contain)
fn cases() -> Vec<(&'static str, String, &'static str)> {
    use serde_json::json;
    let acts = |acts: serde_json::Value| {
        with(json!({"persons": [{"id": "p1"}], "events": [{"acts": acts}]}))
    };
    vec![
        (
            "broken json",
            "{\"schema\": \"aigaq/testimony/1\", \"narrative\": ".into(),
            "not valid JSON",
        ),
        (
            "not an object",
            "42".into(),
            "testimony: invalid type: integer `42`",
        ),
        ("empty input", "  \n ".into(), "the input is empty"),
        ("empty array", "[]".into(), "the input is empty"),
        ("not utf-8", "\u{0}".into(), "not valid JSON"),
        (
            "missing narrative",
            json!({"schema": "aigaq/testimony/1"}).to_string(),
            "missing field `narrative`",
        ),
        (
            "empty narrative",
            with(json!({"narrative": "   "})),
            "narrative: must not be empty",
        ),
        (
            "wrong schema",
            with(json!({"schema": "aigaq/testimony/9"})),
            "schema: expected \"aigaq/testimony/1\"",
        ),
        (
            "unknown top-level field",
            with(json!({"narative": "typo"})),
            "narative: unknown field `narative`",
        ),
        (
            "unknown nested field",
            with(json!({"witness": {"nmae": "A"}})),
            "witness.nmae: unknown field `nmae`",
        ),
        (
            "narrative wrong type",
            with(json!({"narrative": 5})),
            "narrative: invalid type: integer `5`",
        ),
        (
            "birth year wrong type",
            with(json!({"witness": {"birth_year": "1986"}})),
            "witness.birth_year: invalid type: string",
        ),
        (
            "implausible birth year",
            with(json!({"witness": {"birth_year": 1700}})),
            "witness.birth_year: 1700 is not a plausible year",
        ),
        (
            "unknown act type",
            acts(json!([{"type": "killing"}, {"type": "tortur"}])),
            "events[0].acts[1].type: unknown act type \"tortur\"",
        ),
        (
            "unknown method",
            acts(json!([{"type": "torture", "methods": ["waterboard"]}])),
            "events[0].acts[0].methods[0]: unknown method \"waterboard\"",
        ),
        (
            "unknown identity level",
            with(json!({"consent": {"informed": true, "identity": "secret"}})),
            "consent.identity: unknown identity level \"secret\"",
        ),
        (
            "unknown consent use",
            with(json!({"consent": {"informed": true, "identity": "named", "uses": ["sale"]}})),
            "consent.uses[0]: unknown consent use \"sale\"",
        ),
        (
            "unknown agency",
            with(json!({"persons": [{"id": "p1", "agency": "mafia"}]})),
            "persons[0].agency: unknown agency \"mafia\"",
        ),
        (
            "unknown relation",
            with(json!({"witness": {"relation": "neighbour"}})),
            "witness.relation: unknown witness relation",
        ),
        (
            "consent without identity",
            with(json!({"consent": {"informed": true}})),
            "consent: missing field `identity`",
        ),
        (
            "interview date not a date",
            with(json!({"interview": {"date": "2022-02-30"}})),
            "interview.date: \"2022-02-30\" is not a date",
        ),
        (
            "event date in another format",
            with(json!({"events": [{"date": {"from": "05.01.2022"}}]})),
            "events[0].date.from: \"05.01.2022\" is not a date",
        ),
        (
            "event ends before it starts",
            with(json!({"events": [{"date": {"from": "2022-01-07", "to": "2022-01-05"}}]})),
            "events[0].date.to: 2022-01-05 is before",
        ),
        (
            "consent time not RFC 3339",
            with(
                json!({"consent": {"informed": true, "identity": "named", "recorded_at": "yesterday"}}),
            ),
            "consent.recorded_at: \"yesterday\" is not a date and time",
        ),
        (
            "act names a missing person",
            acts(json!([{"type": "torture", "victims": ["p1"], "perpetrators": ["p9"]}])),
            "events[0].acts[0].perpetrators[0]: no person with id \"p9\"",
        ),
        (
            "duplicate person id",
            with(json!({"persons": [{"id": "p1"}, {"id": "p1"}]})),
            "persons[1].id: \"p1\" is used by an earlier person",
        ),
        (
            "latitude out of range",
            with(json!({"events": [{"place": {"lat": 123.0}}]})),
            "events[0].place.lat: 123 is not a latitude",
        ),
        (
            "narrative too long",
            with(json!({"narrative": "a".repeat(1024 * 1024 + 1)})),
            "narrative: is 1048577 bytes long",
        ),
        (
            "too many tags",
            with(json!({"tags": vec!["t"; 1001]})),
            "tags: has 1001 items",
        ),
        (
            "bad item inside an array",
            format!(
                "[{}, {}]",
                testimony("fine"),
                with(json!({"status": "done"}))
            ),
            "item 2: status: unknown record status \"done\"",
        ),
        (
            "bad line in JSON lines",
            format!(
                "{}\n{}\n{}\n",
                testimony("a"),
                testimony("b"),
                with(json!({"tags": [""]}))
            ),
            "item 3 (line 3): tags[0]: must not be empty",
        ),
        (
            "broken line in JSON lines",
            format!("{}\n{{\"narrative\": \n", testimony("a")),
            "item 2 (line 2): the input is not valid JSON",
        ),
    ]
}

#[test]
fn every_bad_input_is_refused_with_its_field_path_and_the_vault_is_unchanged() {
    let s = Scratch::new();
    s.init();
    s.add(&testimony("the one good testimony"));
    let before = snapshot(&s.vault());
    let cases = cases();
    assert!(cases.len() >= 20);
    for (name, input, expected) in cases {
        let f = s.file("bad.json", &input);
        let out = s
            .cmd(&["add", "--json", f.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in {stderr:?}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(
            out.stdout.is_empty(),
            "{name}: printed ids for a refused input"
        );
        assert_eq!(snapshot(&s.vault()), before, "{name}: the vault changed");
    }
    // Edits get the same checks.
    let list = s.stdout(&["list", "--json"]);
    let id = serde_json::from_str::<serde_json::Value>(&list).unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let f = s.file("bad.json", with(serde_json::json!({"narrative": ""})));
    s.cmd(&["edit", &id, "--json", f.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("narrative: must not be empty"));
    assert_eq!(snapshot(&s.vault()), before);
}

#[test]
fn a_missing_input_file_is_a_user_error() {
    let s = Scratch::new();
    s.init();
    s.cmd(&["add", "--json", "/nonexistent/input.json"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "could not read /nonexistent/input.json",
        ));
}

#[test]
fn mutated_inputs_never_panic_the_parser() {
    // A tiny xorshift so the run is the same every time.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let template = serde_json::to_vec(&aigaq::model::template()).unwrap();
    let mut accepted = 0;
    for _ in 0..3000 {
        let mut bytes = template.clone();
        for _ in 0..(next() % 4 + 1) {
            let at = (next() as usize) % bytes.len();
            match next() % 3 {
                0 => bytes[at] = next() as u8,
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, b"{}[],:\"0e-"[(next() % 10) as usize]),
            }
        }
        if let Ok(items) = aigaq::model::parse_input(&bytes) {
            accepted += 1;
            for t in &items {
                aigaq::model::validate(t).unwrap();
            }
        }
    }
    // Most single mutations break the JSON or a rule; some (inside a free-text string)
    // leave a valid testimony, which must then pass validation again.
    assert!(
        accepted > 0 && accepted < 3000,
        "accepted {accepted} of 3000"
    );
}
