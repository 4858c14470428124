//! Helpers for the tests that check saml-edge's output with independent tools: Python (zlib +
//! lxml, via `decode_request.py` beside this file), `openssl` and `xmlsec1`.
//!
//! A missing tool skips the test locally (with a note on stderr) but fails it when the `CI`
//! environment variable is set: CI must run every independent check (`make setup` installs
//! them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whether the tool answers `args` successfully; in CI a missing tool is a test failure.
fn available(program: &str, args: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !ok {
        let message = format!("{program} {} is not available", args.join(" "));
        if std::env::var_os("CI").is_some() {
            panic!("{message}; CI must have it (make setup)");
        }
        eprintln!("SKIPPED: {message} (run `make setup`)");
    }
    ok
}

/// Python 3 with lxml.
pub fn have_python() -> bool {
    available("python3", &["-c", "import lxml, zlib"])
}

/// OpenSSL.
pub fn have_openssl() -> bool {
    available("openssl", &["version"])
}

/// xmlsec1.
pub fn have_xmlsec1() -> bool {
    available("xmlsec1", &["--version"])
}

/// A directory removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh, empty directory under the system temp dir.
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("saml-edge-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }

    /// The path of `file` inside the directory.
    pub fn join(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `file` and returns its path.
    pub fn write(&self, file: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(file);
        std::fs::write(&path, contents).expect("write a temp file");
        path
    }

    /// Reads `file` as text.
    pub fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.join(file)).expect("read a temp file")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs a command and returns its output (panics if it cannot start).
pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

/// A throwaway SP key and self-signed certificate made by OpenSSL for this test run.
pub struct SpKeys {
    /// Where the files live: `key.pem` (PKCS#8), `cert.pem`, `pubkey.pem`.
    pub dir: TempDir,
    /// The private key PEM.
    pub key_pem: String,
    /// The certificate PEM.
    pub cert_pem: String,
}

impl SpKeys {
    /// `openssl req -x509 -newkey rsa:2048 -nodes` into a temp dir, plus the public key.
    pub fn generate() -> SpKeys {
        let dir = TempDir::new("sp-keys");
        let key = dir.join("key.pem");
        let cert = dir.join("cert.pem");
        let out = run(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-sha256",
                "-days",
                "30",
                "-subj",
                "/CN=saml-edge test SP (throwaway)",
                "-keyout",
                path_str(&key),
                "-out",
                path_str(&cert),
            ],
        );
        assert!(
            out.status.success(),
            "openssl req: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(
            "openssl",
            &["x509", "-pubkey", "-noout", "-in", path_str(&cert)],
        );
        assert!(out.status.success());
        std::fs::write(dir.join("pubkey.pem"), &out.stdout).expect("write pubkey");
        SpKeys {
            key_pem: dir.read("key.pem"),
            cert_pem: dir.read("cert.pem"),
            dir,
        }
    }

    /// The path of one of the files.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// A path as UTF-8 (temp paths are).
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

/// Runs `decode_request.py` with `args` and parses its JSON output.
pub fn decode(args: &[&str]) -> serde_json::Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/decode_request.py");
    let mut all = vec![script];
    all.extend_from_slice(args);
    let out = run("python3", &all);
    assert!(
        out.status.success(),
        "decode_request.py {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("decode_request.py prints JSON")
}

/// `openssl dgst -sha256 -verify pubkey.pem -signature sig data`: whether it verified.
pub fn openssl_verifies(pubkey: &Path, signature: &Path, data: &Path) -> bool {
    let out = run(
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-verify",
            path_str(pubkey),
            "-signature",
            path_str(signature),
            path_str(data),
        ],
    );
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK")
}

/// `xmlsec1 --verify --pubkey-cert-pem cert --id-attr:ID <node> file`: whether it verified.
pub fn xmlsec1_verifies(cert: &Path, id_node: &str, file: &Path) -> bool {
    let out = run(
        "xmlsec1",
        &[
            "--verify",
            "--pubkey-cert-pem",
            path_str(cert),
            "--id-attr:ID",
            id_node,
            path_str(file),
        ],
    );
    out.status.success()
}

/// PySAML2 (an independent SAML implementation that drives xmlsec1) and `cryptography`.
pub fn have_pysaml2() -> bool {
    available("python3", &["-c", "import saml2, cryptography"]) && have_xmlsec1()
}

/// Runs `tests/tools/slo_peer.py` (pysaml2 as the IdP, `cryptography` for hand-built query
/// signatures) and returns its JSON output.
pub fn slo_peer(args: &[&str]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/slo_peer.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    assert!(
        out.status.success(),
        "slo_peer.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "slo_peer.py {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}
