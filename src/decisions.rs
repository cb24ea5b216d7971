//! Reviewer decisions per finding (status, reason, comment). They are saved in the review file
//! itself as `[[decision]]` tables (see [`crate::io::review::DecisionRow`]) and every export
//! (report.json, findings.csv, report.html, conflicts GeoJSON/Shapefile) shows them; the app
//! and `zonecheck check` share this code.
//!
//! ```toml
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
//!
//! Earlier versions of the app wrote a sidecar `NAME.decisions.toml`; [`load_sidecar`] reads it
//! once when a review without decisions is opened, and the next save moves them into the review.

use crate::analysis::{Analysis, Finding};
use crate::io::review::DecisionRow;
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

impl Status {
    /// The name written in files: open, accepted, must_fix.
    pub fn id(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Accepted => "accepted",
            Status::MustFix => "must_fix",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Status::Open => "待处理",
            Status::Accepted => "同意（说明理由）",
            Status::MustFix => "须修改",
        }
    }
}

/// The reviewer's decision on one finding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub status: Status,
    pub reason: String,
    pub comment: String,
}

impl Decision {
    pub fn is_empty(&self) -> bool {
        self.status == Status::Open
            && self.reason.trim().is_empty()
            && self.comment.trim().is_empty()
    }
}

/// All decisions of a review, sorted by key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decisions {
    pub map: BTreeMap<FindingKey, Decision>,
}

/// `dir/review.toml` → `dir/review.decisions.toml` (the sidecar of earlier versions).
pub fn sidecar_path(review_path: &Path) -> PathBuf {
    let stem = review_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "review".into());
    review_path.with_file_name(format!("{stem}.decisions.toml"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SidecarFile {
    #[serde(default = "one")]
    version: u32,
    #[serde(default, rename = "decision")]
    decisions: Vec<DecisionRow>,
}

fn one() -> u32 {
    1
}

impl Decisions {
    pub fn get(&self, key: &FindingKey) -> Option<&Decision> {
        self.map.get(key)
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Sets (or, when empty, removes) the decision on `key`.
    pub fn set(&mut self, key: FindingKey, decision: Decision) {
        if decision.is_empty() {
            self.map.remove(&key);
        } else {
            self.map.insert(key, decision);
        }
    }

    /// From the rows of a review file (a later row for the same finding wins).
    pub fn from_rows(rows: &[DecisionRow]) -> Decisions {
        let mut out = Decisions::default();
        for row in rows {
            out.set(
                FindingKey {
                    zone: row.zone.clone(),
                    rule: row.rule.clone(),
                    index: row.index,
                },
                Decision {
                    status: row.status,
                    reason: row.reason.clone(),
                    comment: row.comment.clone(),
                },
            );
        }
        out
    }

    /// The rows to write into a review file, sorted by key (deterministic).
    pub fn to_rows(&self) -> Vec<DecisionRow> {
        self.map
            .iter()
            .map(|(k, d)| DecisionRow {
                zone: k.zone.clone(),
                rule: k.rule.clone(),
                index: k.index,
                status: d.status,
                reason: d.reason.clone(),
                comment: d.comment.clone(),
            })
            .collect()
    }

    /// The decision on the `i`-th finding of `findings` (a zone's or the plan's, in report order).
    pub fn for_finding(
        &self,
        zone: Option<&str>,
        findings: &[Finding],
        i: usize,
    ) -> Option<&Decision> {
        let f = findings.get(i)?;
        let n = findings[..i].iter().filter(|g| g.rule == f.rule).count();
        self.get(&FindingKey {
            zone: zone.map(str::to_string),
            rule: f.rule.clone(),
            index: u32::try_from(n).ok()?,
        })
    }
}

/// Reads the sidecar decisions file an earlier version wrote next to `review_path`; `Ok(None)`
/// when there is none.
pub fn load_sidecar(review_path: &Path) -> Result<Option<Decisions>, String> {
    let path = sidecar_path(review_path);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "cannot read decisions file ({e}): {}",
                path.display()
            ))
        }
    };
    let file: SidecarFile = toml::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
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
    Ok(Some(Decisions::from_rows(&file.decisions)))
}

/// Keys of every finding of an analysis, in report order: per zone, then the plan.
/// `out[z][i]` is the key of `analysis.zones[z].findings[i]`; the last entry is the plan's.
pub fn finding_keys(analysis: &Analysis) -> Vec<Vec<FindingKey>> {
    let keys_of = |zone: Option<&str>, findings: &[Finding]| {
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
    use crate::io::review::Review;

    fn key(zone: Option<&str>, rule: &str, index: u32) -> FindingKey {
        FindingKey {
            zone: zone.map(str::to_string),
            rule: rule.into(),
            index,
        }
    }

    #[test]
    fn decisions_round_trip_through_the_review_file() {
        let mut d = Decisions::default();
        d.set(
            key(Some("M001"), "conflict.redline", 0),
            Decision {
                status: Status::Accepted,
                reason: "已调出".into(),
                comment: "ok \"quoted\"\nline".into(),
            },
        );
        d.set(
            key(None, "quota.county", 1),
            Decision {
                status: Status::MustFix,
                ..Default::default()
            },
        );
        // An empty decision is not stored.
        d.set(key(None, "x", 0), Decision::default());
        assert_eq!(d.map.len(), 2);

        let mut review =
            Review::parse("[layers]\nzones = \"z.shp\"\n", Path::new("r.toml")).unwrap();
        review.file.decisions = d.to_rows();
        let text = review.to_toml().unwrap();
        assert!(text.contains("[[decision]]"), "{text}");
        assert!(text.contains("status = \"must_fix\""), "{text}");
        let back = Review::parse(&text, Path::new("r.toml")).unwrap();
        assert_eq!(Decisions::from_rows(&back.file.decisions), d);
        assert_eq!(back.file.layers.zones, Path::new("z.shp"));

        // Unknown keys in a decision are errors naming the file.
        let e = Review::parse(
            "[layers]\nzones = \"z.shp\"\n[[decision]]\nrule = \"x\"\nindex = 0\nbogus = 1\n",
            Path::new("d.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("d.toml") && e.contains("bogus"), "{e}");
        let e = Review::parse(
            "[layers]\nzones = \"z.shp\"\n[[decision]]\nrule = \"x\"\nindex = 0\nstatus = \"maybe\"\n",
            Path::new("d.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("d.toml"), "{e}");
    }

    #[test]
    fn sidecar_of_earlier_versions_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let review = dir.path().join("review.toml");
        assert_eq!(load_sidecar(&review).unwrap(), None);
        std::fs::write(
            dir.path().join("review.decisions.toml"),
            "version = 1\n[[decision]]\nzone = \"M002\"\nrule = \"clusters\"\nindex = 0\nstatus = \"must_fix\"\ncomment = \"合并\"\n",
        )
        .unwrap();
        let d = load_sidecar(&review).unwrap().unwrap();
        let got = d.get(&key(Some("M002"), "clusters", 0)).unwrap();
        assert_eq!(
            (got.status, got.comment.as_str()),
            (Status::MustFix, "合并")
        );
        std::fs::write(dir.path().join("review.decisions.toml"), "version = 2\n").unwrap();
        let e = load_sidecar(&review).unwrap_err();
        assert!(e.contains("review.decisions.toml"), "{e}");
    }

    #[test]
    fn decision_of_the_nth_finding_of_a_rule() {
        use crate::analysis::Severity;
        let f = |rule: &str| Finding::new(rule, Severity::Warning, Some("M1"), "c");
        let findings = vec![f("a"), f("b"), f("a")];
        let mut d = Decisions::default();
        d.set(
            key(Some("M1"), "a", 1),
            Decision {
                status: Status::MustFix,
                ..Default::default()
            },
        );
        assert!(d.for_finding(Some("M1"), &findings, 0).is_none());
        assert!(d.for_finding(Some("M1"), &findings, 1).is_none());
        assert_eq!(
            d.for_finding(Some("M1"), &findings, 2).map(|x| x.status),
            Some(Status::MustFix)
        );
        assert!(d.for_finding(Some("M1"), &findings, 3).is_none());
    }
}
