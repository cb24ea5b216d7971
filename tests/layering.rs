//! The module layering of DESIGN.md §1 and §1b, read from the sources under `src/`: nothing
//! outside `app` imports `app` and only `app` names egui/eframe; `io` does not import
//! `decisions` (decision records are model types it parses); `load` and `analysis` do not
//! import each other; the spatial filter does not import the reports.
//!
//! Code is read without its comments, string and character literals, so a doc comment may
//! name a module. A path is a reference when it starts with `crate::` or `zonecheck::`
//! (also inside `crate::{…}` groups), or climbs out of its top-level module with `super::`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One source file: its path relative to `src/` (with `/`), its module path, and its code
/// without comments and literals.
struct Source {
    rel: String,
    module: Vec<String>,
    code: String,
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    files.sort();
    assert!(
        files.len() > 20,
        "sources not found under {}",
        src.display()
    );
    files
        .into_iter()
        .map(|path| {
            let rel: Vec<String> = path
                .strip_prefix(&src)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let text = std::fs::read_to_string(&path).unwrap();
            Source {
                rel: rel.join("/"),
                module: module_of(&rel),
                code: code_only(&text),
            }
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `["analysis", "zone.rs"]` → `analysis::zone`; `mod.rs`, `lib.rs` and `main.rs` name their
/// folder's module.
fn module_of(rel: &[String]) -> Vec<String> {
    let mut m: Vec<String> = rel.to_vec();
    if let Some(last) = m.pop() {
        let stem = last.trim_end_matches(".rs");
        if !matches!(stem, "mod" | "lib" | "main") {
            m.push(stem.to_string());
        }
    }
    m
}

/// The text with comments, string literals (also raw and byte strings) and character literals
/// replaced by spaces (line breaks kept). Lifetimes stay.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        let prev_ident = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if !prev_ident && (at(i) == 'r' || (at(i) == 'b' && at(i + 1) == 'r')) && {
            let mut k = if at(i) == 'b' { i + 2 } else { i + 1 };
            while at(k) == '#' {
                k += 1;
            }
            at(k) == '"'
        } {
            // Raw string: r"…", r#"…"#, br"…".
            let mut k = if at(i) == 'b' { i + 2 } else { i + 1 };
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            k += 1;
            while k < c.len() {
                if c[k] == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
                    k += 1 + hashes;
                    break;
                }
                blank(&mut out, c[k]);
                k += 1;
            }
            i = k;
        } else if at(i) == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                }
                i += 1;
            }
            i += 1;
        } else if at(i) == '\''
            && (!prev_ident || (c[i - 1] == 'b' && (i < 2 || !is_ident(c[i - 2]))))
        {
            // A character or byte literal ('x', '\n', '\u{..}', b'"'); otherwise a lifetime.
            let end = if at(i + 1) == '\\' {
                (i + 2..c.len().min(i + 12)).find(|&k| c[k] == '\'')
            } else if at(i + 2) == '\'' {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => i = e + 1,
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Every top-level module of the library that `code`, in module `module`, refers to.
fn crate_modules(code: &str, module: &[String]) -> BTreeSet<String> {
    let c: Vec<char> = code.chars().collect();
    let mut out = BTreeSet::new();
    let word_at = |i: usize, w: &str| -> bool {
        let wc: Vec<char> = w.chars().collect();
        c.get(i..i + wc.len()) == Some(&wc[..])
            && (i == 0 || !is_ident(c[i - 1]))
            && !c.get(i + wc.len()).copied().is_some_and(is_ident)
    };
    let skip_ws = |mut k: usize| {
        while c.get(k).is_some_and(|ch| ch.is_whitespace()) {
            k += 1;
        }
        k
    };
    let sep_at = |k: usize| -> Option<usize> {
        let k = skip_ws(k);
        (c.get(k) == Some(&':') && c.get(k + 1) == Some(&':')).then(|| skip_ws(k + 2))
    };
    for i in 0..c.len() {
        let mut targets: Vec<usize> = Vec::new();
        for root in ["crate", "zonecheck"] {
            if word_at(i, root) && !(i >= 1 && c[i - 1] == '$') {
                if let Some(k) = sep_at(i + root.len()) {
                    targets.push(k);
                }
            }
        }
        if word_at(i, "super") && !(i >= 2 && c[i - 1] == ':' && c[i - 2] == ':') {
            // `super::super::x` from `a::b::c` climbs to the crate root after as many steps
            // as the module is deep.
            let mut k = i;
            let mut ups = 0;
            while word_at(k, "super") {
                match sep_at(k + 5) {
                    Some(next) => {
                        ups += 1;
                        k = next;
                    }
                    None => break,
                }
            }
            if ups >= module.len() && ups > 0 {
                targets.push(k);
            }
        }
        for k in targets {
            first_segments(&c, k, &mut out);
        }
    }
    out
}

/// The first segment of the path at `k`, or of each item of a `{…}` group there.
fn first_segments(c: &[char], k: usize, out: &mut BTreeSet<String>) {
    if c.get(k) == Some(&'{') {
        let mut depth = 0;
        let mut start = true;
        let mut k = k;
        while k < c.len() {
            match c[k] {
                '{' => {
                    depth += 1;
                    start = depth == 1;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                ',' if depth == 1 => start = true,
                ch if start && depth == 1 && is_ident(ch) => {
                    let word: String = c[k..].iter().take_while(|&&ch| is_ident(ch)).collect();
                    k += word.len() - 1;
                    out.insert(word);
                    start = false;
                }
                _ => {}
            }
            k += 1;
        }
    } else {
        let word: String = c[k..].iter().take_while(|&&ch| is_ident(ch)).collect();
        if !word.is_empty() {
            out.insert(word);
        }
    }
}

/// True when `code` names `name` as a word (a crate or a path segment).
fn names_word(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// One rule: files selected by `applies` must not refer to module `forbidden`.
struct Rule {
    what: &'static str,
    applies: fn(&str) -> bool,
    forbidden: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        what: "nothing outside src/app imports app (main.rs dispatches to it)",
        applies: |rel| !rel.starts_with("app/") && rel != "main.rs",
        forbidden: "app",
    },
    Rule {
        what: "io does not import decisions",
        applies: |rel| rel.starts_with("io/") || rel == "io.rs",
        forbidden: "decisions",
    },
    Rule {
        what: "io does not import analysis",
        applies: |rel| rel.starts_with("io/") || rel == "io.rs",
        forbidden: "analysis",
    },
    Rule {
        what: "load does not import analysis",
        applies: |rel| rel == "load.rs" || rel.starts_with("load/"),
        forbidden: "analysis",
    },
    Rule {
        what: "analysis does not import load",
        applies: |rel| rel.starts_with("analysis/"),
        forbidden: "load",
    },
    Rule {
        what: "the spatial filter does not import the reports",
        applies: |rel| rel.starts_with("spatial/"),
        forbidden: "report",
    },
    Rule {
        what: "the model layer imports no check, loader, decision logic or front end",
        applies: |rel| rel.starts_with("model/"),
        forbidden: "analysis",
    },
    Rule {
        what: "the model layer imports no check, loader, decision logic or front end",
        applies: |rel| rel.starts_with("model/"),
        forbidden: "load",
    },
    Rule {
        what: "the model layer imports no check, loader, decision logic or front end",
        applies: |rel| rel.starts_with("model/"),
        forbidden: "decisions",
    },
];

/// Every breach of the rules in `sources`: "file: rule (refers to crate::module)".
fn breaches(sources: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    for s in sources {
        let used = crate_modules(&s.code, &s.module);
        for rule in RULES {
            if (rule.applies)(&s.rel) && used.contains(rule.forbidden) {
                out.push(format!(
                    "src/{}: {} (refers to crate::{})",
                    s.rel, rule.what, rule.forbidden
                ));
            }
        }
        let gui_allowed = s.rel.starts_with("app/") || s.rel == "main.rs";
        for gui in ["egui", "eframe"] {
            if !gui_allowed && names_word(&s.code, gui) {
                out.push(format!("src/{}: only src/app touches {gui}", s.rel));
            }
        }
    }
    out
}

#[test]
fn sources_keep_the_module_layering() {
    let found = breaches(&sources());
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}

/// The checker itself: the imports it must catch and the text it must not mistake for one.
fn source(rel: &str, text: &str) -> Source {
    let parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    Source {
        rel: rel.to_string(),
        module: module_of(&parts),
        code: code_only(text),
    }
}

#[test]
fn the_checker_catches_forbidden_imports() {
    let bad = [
        ("io/review.rs", "use crate::decisions::Status;"),
        ("io/review.rs", "pub status: crate::decisions::Status,"),
        (
            "io/review.rs",
            "use crate::{model::Text, decisions::{Status}};",
        ),
        ("io/shp.rs", "use crate ::\n    analysis::Severity;"),
        ("io/mod.rs", "use super::analysis::Finding;"),
        ("io/dbf.rs", "use super::super::decisions::Status;"),
        (
            "load.rs",
            "let f = crate::analysis::fields::Fields::default();",
        ),
        ("analysis/zone.rs", "use crate::load::Dataset;"),
        ("analysis/rules/x.rs", "fn f(d: &crate::load::Dataset) {}"),
        ("spatial/roi.rs", "use crate::report::html::map_view_rect;"),
        ("cli.rs", "crate::app::run(None)"),
        ("report/html.rs", "let _ = crate::app::display_available();"),
        ("report/html.rs", "fn ui(ui: &mut egui::Ui) {}"),
        ("cli.rs", "use eframe::NativeOptions;"),
        ("model/mod.rs", "use crate::analysis::Severity;"),
    ];
    for (rel, text) in bad {
        let found = breaches(&[source(rel, text)]);
        assert_eq!(found.len(), 1, "{rel}: {text:?} → {found:?}");
        assert!(found[0].starts_with(&format!("src/{rel}:")), "{found:?}");
    }
    let fine = [
        (
            "io/review.rs",
            "//! see [`crate::decisions`]\nuse crate::model::decision::Status;",
        ),
        (
            "io/review.rs",
            "/* crate::analysis */ let s = \"crate::decisions\";",
        ),
        (
            "io/review.rs",
            "let r = r#\"crate::decisions \" \"#; let c = '\"';",
        ),
        (
            "io/dbf.rs",
            "if b[4] == b'\"' { x } let s = \"crate::analysis\";",
        ),
        (
            "analysis/mod.rs",
            "use crate::messages::load as msg; use super::fields;",
        ),
        (
            "analysis/zone.rs",
            "use super::Prepared; fn f<'a>(x: &'a str) {}",
        ),
        ("load.rs", "use crate::model::zones::group_zones;"),
        (
            "model/mod.rs",
            "//! nothing here knows about files, PROJ or egui.",
        ),
        ("app/mod.rs", "use crate::analysis::Analysis; use egui::Ui;"),
        ("main.rs", "zonecheck::app::run(None)"),
        ("report/html.rs", "use egui_kittest as _; let egui_ok = 1;"),
    ];
    for (rel, text) in fine {
        let found = breaches(&[source(rel, text)]);
        assert!(found.is_empty(), "{rel}: {text:?} → {found:?}");
    }
}
