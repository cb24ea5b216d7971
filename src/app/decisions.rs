//! Review decisions per finding (status, reason, comment), saved in a sidecar file next to the
//! review: `NAME.toml` → `NAME.decisions.toml`. The review file itself is not touched, so older
//! versions of zonecheck (and `zonecheck check`) read it as before.
//!
//! ```toml
//! version = 1
//!
//! [[decision]]
//! zone = "M001"              # merged-zone id; absent for a plan-level finding
//! rule = "conflict.redline"  # the finding's rule id
//! index = 0                  # n-th finding of this zone with this rule, in report order
//! status = "accepted"        # open | accepted | must_fix
//! reason = "已调出红线"        # why it is accepted (optional)
//! comment = "……"              # free review comment (optional)
//! ```
//! A finding is identified by (zone, rule, index): stable as long as the check gives the same
//! findings in the same (deterministic) order. Decisions whose finding no longer exists are kept.

use crate::analysis::Analysis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Identifies a finding across runs: zone id (None: plan level), rule id, n-th of that rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey {
    pub zone: Option<String>,
    pub rule: String,
    pub index: u32,
}

/// What the reviewer decided about a finding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Open,
    Accepted,
    MustFix,
}

/// The reviewer's decision on one finding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub status: Status,
    pub reason: String,
    pub comment: String,
}

impl Decision {
    fn is_empty(&self) -> bool {
        self.status == Status::Open
            && self.reason.trim().is_empty()
            && self.comment.trim().is_empty()
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zone: Option<String>,
    rule: String,
    index: u32,
    #[serde(default)]
    status: Status,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    comment: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default = "one")]
    version: u32,
    #[serde(default, rename = "decision")]
    decisions: Vec<FileRow>,
}

fn one() -> u32 {
    1
}

/// All decisions of a review, sorted by key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decisions {
    pub map: BTreeMap<FindingKey, Decision>,
}

/// `dir/review.toml` → `dir/review.decisions.toml`.
pub fn sidecar_path(review_path: &Path) -> PathBuf {
    let stem = review_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "review".into());
    review_path.with_file_name(format!("{stem}.decisions.toml"))
}

impl Decisions {
    pub fn get(&self, key: &FindingKey) -> Option<&Decision> {
        self.map.get(key)
    }

    /// Sets (or, when empty, removes) the decision on `key`.
    pub fn set(&mut self, key: FindingKey, decision: Decision) {
        if decision.is_empty() {
            self.map.remove(&key);
        } else {
            self.map.insert(key, decision);
        }
    }

    /// Parses sidecar text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Decisions, String> {
        let file: File = toml::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
            format!(
                "invalid decisions file: {}: {}",
                e.message().trim(),
                path.display()
            )
        })?;
        if file.version != 1 {
            return Err(format!(
                "unsupported decisions file version {}: {}",
                file.version,
                path.display()
            ));
        }
        let mut out = Decisions::default();
        for row in file.decisions {
            out.set(
                FindingKey {
                    zone: row.zone,
                    rule: row.rule,
                    index: row.index,
                },
                Decision {
                    status: row.status,
                    reason: row.reason,
                    comment: row.comment,
                },
            );
        }
        Ok(out)
    }

    /// Reads the sidecar of `review_path`; no file means no decisions yet.
    pub fn load_for(review_path: &Path) -> Result<Decisions, String> {
        let path = sidecar_path(review_path);
        match std::fs::read_to_string(&path) {
            Ok(text) => Decisions::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Decisions::default()),
            Err(e) => Err(format!(
                "cannot read decisions file ({e}): {}",
                path.display()
            )),
        }
    }

    /// The sidecar text (sorted by key: deterministic).
    pub fn to_toml(&self) -> Result<String, String> {
        let file = File {
            version: 1,
            decisions: self
                .map
                .iter()
                .map(|(k, d)| FileRow {
                    zone: k.zone.clone(),
                    rule: k.rule.clone(),
                    index: k.index,
                    status: d.status,
                    reason: d.reason.clone(),
                    comment: d.comment.clone(),
                })
                .collect(),
        };
        toml::to_string_pretty(&file).map_err(|e| e.to_string())
    }

    /// Writes the sidecar of `review_path` atomically.
    pub fn save_for(&self, review_path: &Path) -> Result<PathBuf, String> {
        let path = sidecar_path(review_path);
        let text = self.to_toml()?;
        crate::io::atomic::write_atomic(&path, text.as_bytes())
            .map_err(|e| format!("cannot write decisions file ({e}): {}", path.display()))?;
        Ok(path)
    }
}

/// Keys of every finding of an analysis, in report order: per zone, then the plan.
/// `out[z][i]` is the key of `analysis.zones[z].findings[i]`; the last entry is the plan's.
pub fn finding_keys(analysis: &Analysis) -> Vec<Vec<FindingKey>> {
    let keys_of = |zone: Option<&str>, findings: &[crate::analysis::Finding]| {
        let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
        findings
            .iter()
            .map(|f| {
                let n = seen.entry(f.rule.as_str()).or_insert(0);
                let key = FindingKey {
                    zone: zone.map(str::to_string),
                    rule: f.rule.clone(),
                    index: *n,
                };
                *n += 1;
                key
            })
            .collect::<Vec<_>>()
    };
    let mut out: Vec<Vec<FindingKey>> = analysis
        .zones
        .iter()
        .map(|z| keys_of(Some(&z.id), &z.findings))
        .collect();
    out.push(keys_of(None, &analysis.plan.findings));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_empty_decisions_are_dropped() {
        let mut d = Decisions::default();
        let k1 = FindingKey {
            zone: Some("M001".into()),
            rule: "conflict.redline".into(),
            index: 0,
        };
        let k2 = FindingKey {
            zone: None,
            rule: "quota.county".into(),
            index: 1,
        };
        d.set(
            k1.clone(),
            Decision {
                status: Status::Accepted,
                reason: "已调出".into(),
                comment: "ok \"quoted\"\nline".into(),
            },
        );
        d.set(
            k2.clone(),
            Decision {
                status: Status::MustFix,
                ..Default::default()
            },
        );
        d.set(
            FindingKey {
                zone: None,
                rule: "x".into(),
                index: 0,
            },
            Decision::default(),
        );
        let text = d.to_toml().unwrap();
        let back = Decisions::parse(&text, Path::new("r.decisions.toml")).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.map.len(), 2);
        assert!(text.contains("status = \"must_fix\""), "{text}");
        assert_eq!(
            sidecar_path(Path::new("a/review.toml")),
            Path::new("a/review.decisions.toml")
        );
        let e = Decisions::parse(
            "[[decision]]\nrule = \"x\"\nindex = 0\nbogus = 1\n",
            Path::new("d.toml"),
        )
        .unwrap_err();
        assert!(e.contains("d.toml"), "{e}");
    }
}
