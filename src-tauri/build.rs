//! Every command the front end may call is listed here, so Tauri generates an
//! `allow-<command>` permission for each and the capability file can grant exactly those.

const COMMANDS: &[&str] = &[
    "vault_status",
    "create_vault",
    "unlock",
    "lock",
    "list_testimonies",
    "add_testimony",
    "vocabularies",
    "get_testimony",
    "list_attachments",
    "attach_files",
    "detach_attachment",
    "pick_files",
    "search_testimonies",
    "get_settings",
    "save_settings",
    "set_auto_lock",
    "security_settings",
    "set_wipe_after",
    "set_duress",
    "clear_duress",
    "panic_wipe",
    "copy_text",
    "list_recipients",
    "add_recipient",
    "remove_recipient",
    "set_share_with",
    "pending_export",
    "export_bundle",
    "import_acknowledgements",
    "delivered_plan",
    "purge_delivered",
    "make_org_key",
    "import_bundles",
    "list_received",
    "get_received",
    "acknowledge_bundles",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
