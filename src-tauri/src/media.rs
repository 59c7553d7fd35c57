//! The `aigaq-media:` scheme: an image or audio attachment, decrypted by the core into
//! memory and handed to the web view, never through a file. Served only to the main window,
//! only while the vault is unlocked, never cached; a refusal is a bare status code with no
//! content.
//!
//! URL: `aigaq-media://localhost/<testimony id>/<sha256>` (WebKitGTK's form on Linux). An
//! `<img>` loads it directly. WebKitGTK's media player cannot read a custom scheme, so for
//! `<audio>` the page fetches the same URL (allowed to the app's own origin only) and plays
//! the bytes from an in-memory `blob:` URL.

use tauri::http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_SECURITY_POLICY,
    CONTENT_TYPE, ORIGIN, VARY, X_CONTENT_TYPE_OPTIONS,
};
use tauri::http::{Method, Request, Response, StatusCode};

use crate::error::CmdError;
use crate::state::Session;
use crate::MAIN_WINDOW;

/// The scheme's name, as the front end's URLs and the CSP in `tauri.conf.json` spell it.
pub const SCHEME: &str = "aigaq-media";

/// The largest attachment shown in the app; the core refuses bigger ones (extract them).
pub const PREVIEW_LIMIT: u64 = 64 * 1024 * 1024;

/// What a request names: a testimony and one of its attachments.
#[derive(Debug, PartialEq, Eq)]
pub struct MediaRef<'a> {
    /// The testimony's id.
    pub id: &'a str,
    /// The attachment's full SHA-256, lower-case hex.
    pub sha256: &'a str,
}

/// Reads `/<id>/<sha256>`. The id is hex digits and dashes (the core resolves it); the hash
/// is all 64 lower-case hex digits, so a URL names exactly one content.
pub fn parse(path: &str) -> Option<MediaRef<'_>> {
    let (id, sha256) = path.strip_prefix('/')?.split_once('/')?;
    let id_ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-');
    let sha_ok = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (id_ok && sha_ok).then_some(MediaRef { id, sha256 })
}

/// Answers one request from the web view labelled `webview`.
pub fn serve(session: &Session, webview: &str, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    let mut response = answer(session, webview, request);
    // The page's own fetch (for audio) is cross-origin: the app's origin may read the
    // answer, refusals included; no other origin may.
    let headers = response.headers_mut();
    if let Some(origin) = request.headers().get(ORIGIN).filter(|o| is_app_origin(o)) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    }
    headers.insert(VARY, HeaderValue::from_static("Origin"));
    response
}

fn answer(session: &Session, webview: &str, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    if webview != MAIN_WINDOW {
        return refusal(StatusCode::FORBIDDEN);
    }
    if request.method() != Method::GET {
        return refusal(StatusCode::METHOD_NOT_ALLOWED);
    }
    let named = match request.uri().host() {
        Some("localhost") => parse(request.uri().path()),
        _ => None,
    };
    let Some(media) = named else {
        return refusal(StatusCode::NOT_FOUND);
    };
    let preview = session.with(|vault| {
        Ok(vault
            .store()
            .preview(media.id, media.sha256, PREVIEW_LIMIT)?)
    });
    match preview {
        Ok((media_type, mut bytes)) => {
            let Ok(content_type) = HeaderValue::from_str(&media_type) else {
                return refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE);
            };
            // From here the web view holds the bytes (it copies them into its own memory),
            // so they leave the zeroizing buffer.
            let body = std::mem::take(&mut *bytes);
            let mut response = with_status(StatusCode::OK, body);
            response.headers_mut().insert(CONTENT_TYPE, content_type);
            response
        }
        Err(e) => refusal(status_for(&e)),
    }
}

/// The origin the bundled front end is served from (as in `lib.rs`'s `is_app_page`).
fn is_app_origin(origin: &HeaderValue) -> bool {
    matches!(
        origin.as_bytes(),
        b"tauri://localhost" | b"http://tauri.localhost" | b"https://tauri.localhost"
    )
}

/// The status for a failure. No message goes with it: the page shows the attachment's
/// metadata from the command that listed it, and the image simply does not appear.
fn status_for(e: &CmdError) -> StatusCode {
    match e.kind {
        "locked" => StatusCode::FORBIDDEN,
        "not_found" | "purged" => StatusCode::NOT_FOUND,
        // Not an image or audio, or too large: the core says "extract it instead".
        "invalid_input" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn refusal(status: StatusCode) -> Response<Vec<u8>> {
    with_status(status, Vec::new())
}

/// A response that no cache keeps, that is never sniffed as another type, and that, were it
/// ever opened as a page, could run nothing.
fn with_status(status: StatusCode, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    use aigaq::model::QuickEntry;
    use aigaq::vault::{KdfParams, Passphrase};
    use aigaq::Vault;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const ID: &str = "01a204db-83ef-7655-af1d-de72088d01ff";

    #[test]
    fn only_an_id_and_a_full_lower_case_hash_name_an_attachment() {
        let ok = format!("/{ID}/{SHA}");
        assert_eq!(
            parse(&ok),
            Some(MediaRef {
                id: ID,
                sha256: SHA
            })
        );
        for bad in [
            String::new(),
            "/".into(),
            format!("/{ID}"),
            format!("/{ID}/"),
            format!("{ID}/{SHA}"),
            format!("//{SHA}"),
            format!("/{ID}/{}", &SHA[..63]),
            format!("/{ID}/{SHA}0"),
            format!("/{ID}/{}", SHA.to_uppercase()),
            format!("/{ID}/{SHA}/x"),
            format!("/../{SHA}"),
            format!("/{ID}%2F/{SHA}"),
            format!("/{}/{SHA}", "a".repeat(65)),
        ] {
            assert_eq!(parse(&bad), None, "{bad}");
        }
    }

    fn get(url: &str) -> Request<Vec<u8>> {
        Request::builder().uri(url).body(Vec::new()).unwrap()
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures")
            .join(name)
    }

    /// A session with one testimony holding the fixture photo and a text file.
    fn session_with_attachments(dir: &Path) -> (Session, String, String, String) {
        let pass = Passphrase::new("unit test passphrase".into()).unwrap();
        let mut vault =
            Vault::init(&dir.join("vault"), &pass, KdfParams::new(1, 1).unwrap()).unwrap();
        let testimony = QuickEntry {
            narrative: "I saw it.".into(),
            identity: "anonymous".into(),
            interview_date: String::new(),
            interview_place: String::new(),
            share_with: Vec::new(),
        }
        .into_testimony()
        .unwrap();
        let id = vault.store_mut().add(&[testimony]).unwrap()[0].to_string();
        let text = dir.join("note.txt");
        std::fs::write(&text, "a note").unwrap();
        let photo = fixture("exif-gps.jpg");
        let attached = vault
            .store_mut()
            .attach(&id, &[photo.as_path(), text.as_path()])
            .unwrap();
        let session = Session::default();
        session.open(vault).unwrap();
        let (photo_sha, text_sha) = (
            attached[0].attachment.sha256.clone(),
            attached[1].attachment.sha256.clone(),
        );
        (session, id, photo_sha, text_sha)
    }

    #[test]
    fn an_image_is_served_from_memory_with_its_type_and_never_cached() {
        let scratch = tempfile::tempdir().unwrap();
        let (session, id, photo, _) = session_with_attachments(scratch.path());
        let response = serve(
            &session,
            MAIN_WINDOW,
            &get(&format!("aigaq-media://localhost/{id}/{photo}")),
        );
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "image/jpeg");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        assert_eq!(response.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(
            response.body(),
            &std::fs::read(fixture("exif-gps.jpg")).unwrap()
        );
        assert!(!response.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
    }

    #[test]
    fn only_the_apps_own_page_may_read_the_bytes_from_script() {
        let scratch = tempfile::tempdir().unwrap();
        let (session, id, photo, _) = session_with_attachments(scratch.path());
        let from = |origin: &str| {
            let request = Request::builder()
                .uri(format!("aigaq-media://localhost/{id}/{photo}"))
                .header(ORIGIN, origin)
                .body(Vec::new())
                .unwrap();
            serve(&session, MAIN_WINDOW, &request)
        };
        let ours = from("tauri://localhost");
        assert_eq!(
            ours.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
            "tauri://localhost"
        );
        for other in [
            "null",
            "https://example.org",
            "tauri://evil",
            "aigaq-media://localhost",
        ] {
            let response = from(other);
            assert_eq!(response.status(), StatusCode::OK, "{other}");
            assert!(
                !response.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN),
                "{other}"
            );
        }
    }

    #[test]
    fn refusals_are_bare_status_codes() {
        let scratch = tempfile::tempdir().unwrap();
        let (session, id, photo, text) = session_with_attachments(scratch.path());
        let unknown = "0".repeat(64);
        let cases = [
            ("main", format!("aigaq-media://localhost/{id}/{text}"), 415),
            (
                "main",
                format!("aigaq-media://localhost/{id}/{unknown}"),
                404,
            ),
            (
                "main",
                format!("aigaq-media://localhost/{id}/{}", &photo[..8]),
                404,
            ),
            ("main", format!("aigaq-media://elsewhere/{id}/{photo}"), 404),
            ("main", format!("aigaq-media://localhost/{ID}/{photo}"), 404),
            (
                "other",
                format!("aigaq-media://localhost/{id}/{photo}"),
                403,
            ),
        ];
        for (webview, url, status) in cases {
            let response = serve(&session, webview, &get(&url));
            assert_eq!(response.status().as_u16(), status, "{url}");
            assert!(response.body().is_empty(), "{url}");
            assert!(!response.headers().contains_key(CONTENT_TYPE), "{url}");
            assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        }
        let post = Request::builder()
            .method(Method::POST)
            .uri(format!("aigaq-media://localhost/{id}/{photo}"))
            .body(Vec::new())
            .unwrap();
        assert_eq!(serve(&session, MAIN_WINDOW, &post).status(), 405);

        session.close();
        let locked = serve(
            &session,
            MAIN_WINDOW,
            &get(&format!("aigaq-media://localhost/{id}/{photo}")),
        );
        assert_eq!(locked.status(), StatusCode::FORBIDDEN);
        assert!(locked.body().is_empty());
    }
}
