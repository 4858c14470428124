//! The repository is self-contained: a fresh clone runs every test with nothing beside it.
//!
//! - No tracked file except Markdown names the directory beside the repository where the shared
//!   fixtures used to be read from (`git grep`).
//! - `tests/fixtures` holds exactly the files its `manifest.json` lists for the tests (responses
//!   and their verifying certificates, metadata and theirs, c14n vectors, Wycheproof files, keys),
//!   each with its provenance row in `tests/fixtures/SOURCES.md`, and nothing else.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Files of the fixtures folder that are not fixtures.
const INDEX_FILES: &[&str] = &["manifest.json", "SOURCES.md"];

#[test]
fn no_tracked_file_but_markdown_reads_beside_the_repository() {
    // The pattern is written so that this file does not match it.
    let pattern = ["[.][.]", "/shared"].concat();
    let output = Command::new("git")
        .args(["grep", "-l", "-e", &pattern, "--", ".", ":!*.md"])
        .current_dir(REPO)
        .output()
        .unwrap_or_else(|e| panic!("cannot run git in {REPO}: {e}"));
    let found = String::from_utf8_lossy(&output.stdout);
    // git grep exits 1 when nothing matches, 0 on a match, and >1 on an error.
    assert_eq!(
        output.status.code(),
        Some(1),
        "git grep -l -e '{pattern}' -- . ':!*.md' in {REPO} must find nothing; found:\n{found}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(found.is_empty(), "{found}");
}

/// Every file below `dir`, relative to `root`, with `/` separators.
fn files_below(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            files_below(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).expect("below the root");
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(parts.join("/"));
        }
    }
}

/// The files the manifest lists for the tests to read.
fn manifest_files(manifest: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |value: &Value| {
        if let Some(file) = value.as_str() {
            out.insert(file.to_owned());
        }
    };
    let section = |name: &str| {
        manifest[name]
            .as_array()
            .unwrap_or_else(|| panic!("manifest.json has no {name} list"))
            .clone()
    };
    for response in section("responses") {
        add(&response["file"]);
        for cert in response["verifyingCerts"]
            .as_array()
            .expect("verifyingCerts")
        {
            add(cert);
        }
    }
    for metadata in section("metadata") {
        add(&metadata["file"]);
        add(&metadata["verifyingCert"]);
    }
    for vector in section("c14n") {
        add(&vector["input"]);
        add(&vector["expected"]);
        add(&vector["nsFile"]);
        for support in vector["support"].as_array().into_iter().flatten() {
            add(support);
        }
    }
    for name in ["wycheproof", "keys", "other"] {
        for entry in section(name) {
            add(&entry["file"]);
        }
    }
    out
}

/// The files `SOURCES.md` has a row for: rows under a "## `folder/` - …" heading name files
/// relative to that folder, rows elsewhere (the c14n file list) name them from the root.
fn sourced_files(sources: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut folder: Option<&str> = None;
    for line in sources.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            folder = heading
                .strip_prefix('`')
                .and_then(|h| h.split_once("` - "))
                .map(|(folder, _)| folder);
        } else if let Some(row) = line.strip_prefix("| `") {
            let cell = row.split('`').next().unwrap_or_default();
            match folder {
                Some(folder) if !cell.starts_with(folder) => {
                    out.insert(format!("{folder}{cell}"));
                }
                _ => {
                    out.insert(cell.to_owned());
                }
            }
        }
    }
    out
}

#[test]
fn fixtures_are_exactly_what_the_manifest_lists_with_their_sources() {
    let root = common::fixtures_dir();
    let mut present = BTreeSet::new();
    files_below(&root, &root, &mut present);
    for index in INDEX_FILES {
        assert!(present.remove(*index), "missing {}/{index}", root.display());
    }
    let listed = manifest_files(&common::manifest());
    let missing: Vec<_> = listed.difference(&present).collect();
    assert!(
        missing.is_empty(),
        "listed in {}/manifest.json but missing: {missing:?}",
        root.display()
    );
    let unlisted: Vec<_> = present.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "in {} but not listed in its manifest.json (copy only what a test reads): {unlisted:?}",
        root.display()
    );
    let sourced = sourced_files(&common::fixture_text("SOURCES.md"));
    let unsourced: Vec<_> = present.difference(&sourced).collect();
    assert!(
        unsourced.is_empty(),
        "no provenance row in {}/SOURCES.md for: {unsourced:?}",
        root.display()
    );
    assert!(present.len() >= 200, "{} fixture files", present.len());
}
