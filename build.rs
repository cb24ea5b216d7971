//! Records the git commit the binary is built from (`zonecheck version`) as
//! `ZONECHECK_GIT_COMMIT`; "unknown" when not built from a git checkout (a tarball, a vendored
//! copy) or when git is not installed. Never fails the build.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let out = Command::new("git")
        .args(args)
        .current_dir(Path::new(&dir))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    if commit.is_some() {
        // Rebuild when HEAD moves (a commit, a checkout), worktrees included.
        for path in [
            git(&["rev-parse", "--git-path", "HEAD"]),
            git(&["rev-parse", "--symbolic-full-name", "HEAD"])
                .and_then(|r| git(&["rev-parse", "--git-path", &r])),
        ]
        .into_iter()
        .flatten()
        {
            let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
            let p = Path::new(&dir).join(&path);
            if p.exists() {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
    let value = commit.unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=ZONECHECK_GIT_COMMIT={value}");
}
