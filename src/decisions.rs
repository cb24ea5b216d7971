//! Reviewer decisions per finding (status, reason, comment) and the plan verdict. They are
//! saved in the review file itself as `[[decision]]` tables (see
//! [`DecisionRow`]) and a `[verdict]` table (see [`crate::model::decision::Verdict`]);
//! every export (report.json, findings.csv, report.html, conflicts GeoJSON/Shapefile, the
//! stdout summary) shows them; the app and `zonecheck check` share this code.
//!
//! ```toml
//! [[decision]]
//! zone = "M001"              # merged-zone id; absent for a plan-level finding
//! rule = "conflict.redline"  # the finding's rule id
//! about = "Y3"               # what the finding is about, when its rule has several per zone
//! evidence = "3f2a9c1b7d04"  # fingerprint of the finding's numbers and refs when decided
//! status = "accepted"        # open | accepted | must_fix
//! reason = "已调出红线"        # why it is accepted (optional)
//! comment = "……"              # free review comment (optional)
//! ```
//! A decision is keyed by its finding's **subject** (zone, rule, about: see
//! [`Finding::subject`]), never by its position: when findings come or go the decision stays on
//! its finding. A decision whose finding is gone is **orphaned**: kept in the file and listed in
//! every output, never attached to another finding. When the finding's evidence fingerprint
//! differs from the one saved with the decision, the decision is shown as "evidence changed since
//! the decision" and does not count as decided until the reviewer confirms it again.
//!
//! Review files of earlier versions key decisions by `index` (n-th finding of this zone with this
//! rule). Such a decision is matched once, to the n-th finding of its (zone, rule) in the current
//! check ([`Decisions::migrate`]), and the next save writes it by subject with that finding's
//! evidence. One with no such finding is orphaned and kept as it was.
//!
//! Earlier versions of the app wrote a sidecar `NAME.decisions.toml`; [`load_sidecar`] reads it
//! once when a review without decisions is opened, and the next save moves them into the review.

use crate::analysis::{Analysis, Finding, Severity};
pub use crate::model::decision::{DecisionRow, FindingKey, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A decision of an earlier version's review file: the n-th finding of (zone, rule).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LegacyKey {
    pub zone: Option<String>,
    pub rule: String,
    pub index: u32,
}

/// The reviewer's decision on one finding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub status: Status,
    pub reason: String,
    pub comment: String,
    /// The finding's evidence fingerprint ([`Finding::evidence`]) when the decision was made;
    /// `None` for a decision written by hand without one (then never "changed").
    pub evidence: Option<String>,
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
    /// Decisions of an earlier version's file, keyed by position, not yet matched to a finding.
    pub legacy: BTreeMap<LegacyKey, Decision>,
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
        self.map.is_empty() && self.legacy.is_empty()
    }

    /// Sets (or, when empty, removes) the decision on `key`.
    pub fn set(&mut self, key: FindingKey, decision: Decision) {
        if decision.is_empty() {
            self.map.remove(&key);
        } else {
            self.map.insert(key, decision);
        }
    }

    /// From the rows of a review file (a later row for the same finding wins). A row with
    /// `index` and no `about` is an earlier version's decision, matched by [`Decisions::migrate`].
    pub fn from_rows(rows: &[DecisionRow]) -> Decisions {
        let mut out = Decisions::default();
        for row in rows {
            let decision = Decision {
                status: row.status,
                reason: row.reason.clone(),
                comment: row.comment.clone(),
                evidence: row.evidence.clone(),
            };
            match (row.index, &row.about) {
                (Some(index), None) => {
                    if !decision.is_empty() {
                        out.legacy.insert(
                            LegacyKey {
                                zone: row.zone.clone(),
                                rule: row.rule.clone(),
                                index,
                            },
                            decision,
                        );
                    }
                }
                _ => out.set(
                    FindingKey {
                        zone: row.zone.clone(),
                        rule: row.rule.clone(),
                        about: row.about.clone(),
                    },
                    decision,
                ),
            }
        }
        out
    }

    /// The rows to write into a review file, sorted by key (deterministic): by subject, then
    /// the earlier version's decisions that matched no finding (kept as they were).
    pub fn to_rows(&self) -> Vec<DecisionRow> {
        let row = |zone: &Option<String>, rule: &str, d: &Decision| DecisionRow {
            zone: zone.clone(),
            rule: rule.to_string(),
            status: d.status,
            reason: d.reason.clone(),
            comment: d.comment.clone(),
            evidence: d.evidence.clone(),
            ..Default::default()
        };
        self.map
            .iter()
            .map(|(k, d)| DecisionRow {
                about: k.about.clone(),
                ..row(&k.zone, &k.rule, d)
            })
            .chain(self.legacy.iter().map(|(k, d)| DecisionRow {
                index: Some(k.index),
                ..row(&k.zone, &k.rule, d)
            }))
            .collect()
    }

    /// Matches each earlier version's decision once to the n-th finding of its (zone, rule) in
    /// `analysis` and keys it by that finding's subject, with the finding's evidence (the state
    /// the reviewer saw is unknown, so it is taken as the current one). A decision whose finding
    /// already has a subject-keyed decision, or with no n-th finding, stays (orphaned).
    pub fn migrate(&mut self, analysis: &Analysis) {
        if self.legacy.is_empty() {
            return;
        }
        let keys = finding_keys(analysis);
        let groups = analysis
            .zones
            .iter()
            .map(|z| (Some(z.id.as_str()), &z.findings))
            .chain(std::iter::once((None, &analysis.plan.findings)));
        for ((zone, findings), keys) in groups.zip(&keys) {
            let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
            for (f, key) in findings.iter().zip(keys) {
                let n = seen.entry(f.rule.as_str()).or_insert(0);
                let legacy = LegacyKey {
                    zone: zone.map(str::to_string),
                    rule: f.rule.clone(),
                    index: *n,
                };
                *n += 1;
                if self.map.contains_key(key) {
                    continue;
                }
                if let Some(mut d) = self.legacy.remove(&legacy) {
                    d.evidence = Some(f.evidence());
                    self.map.insert(key.clone(), d);
                }
            }
        }
    }

    /// The decisions as they apply to `analysis`: per finding, orphans, counts.
    pub fn resolve(&self, analysis: &Analysis) -> Resolved {
        let evidence: Vec<Vec<String>> = analysis
            .zones
            .iter()
            .map(|z| &z.findings)
            .chain(std::iter::once(&analysis.plan.findings))
            .map(|fs| fs.iter().map(Finding::evidence).collect())
            .collect();
        self.resolve_keyed(analysis, finding_keys(analysis), &evidence)
    }

    /// [`Decisions::resolve`] with the subjects ([`finding_keys`]) and evidence fingerprints
    /// of `analysis`'s findings already computed (same shape).
    pub fn resolve_keyed(
        &self,
        analysis: &Analysis,
        keys: Vec<Vec<FindingKey>>,
        evidence: &[Vec<String>],
    ) -> Resolved {
        let mut me = self.clone();
        me.migrate(analysis);
        let mut used = std::collections::BTreeSet::new();
        let attached = keys
            .iter()
            .enumerate()
            .map(|(g, keys)| {
                keys.iter()
                    .enumerate()
                    .map(|(i, key)| {
                        let d = me.map.get(key)?;
                        used.insert(key.clone());
                        let now = evidence
                            .get(g)
                            .and_then(|e| e.get(i))
                            .cloned()
                            .unwrap_or_default();
                        Some(Attached {
                            decision: d.clone(),
                            evidence_changed: d.evidence.as_ref().is_some_and(|e| *e != now),
                            evidence_now: now,
                        })
                    })
                    .collect()
            })
            .collect();
        let orphaned = Decisions {
            map: me
                .map
                .iter()
                .filter(|(k, _)| !used.contains(*k))
                .map(|(k, d)| (k.clone(), d.clone()))
                .collect(),
            legacy: me.legacy.clone(),
        }
        .to_rows();
        Resolved {
            keys,
            attached,
            orphaned,
        }
    }
}

/// A decision as it applies to a finding of the current check.
#[derive(Clone, Debug, PartialEq)]
pub struct Attached {
    pub decision: Decision,
    /// The finding's evidence differs from the one saved with the decision.
    pub evidence_changed: bool,
    /// The finding's evidence fingerprint now.
    pub evidence_now: String,
}

impl Attached {
    /// Decided: not open, and the evidence did not change since.
    pub fn is_decided(&self) -> bool {
        self.decision.status != Status::Open && !self.evidence_changed
    }

    /// Accepted, and the evidence did not change since.
    pub fn is_accepted(&self) -> bool {
        self.decision.status == Status::Accepted && !self.evidence_changed
    }
}

/// How a zone (or the plan) comes out of the check and the review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneResult {
    /// No blocking finding: 通过.
    Pass,
    /// Blocking findings, every one accepted by the reviewer: 经审查通过.
    PassedByDecision,
    /// A blocking finding not accepted: 不通过.
    Fail,
}

impl ZoneResult {
    pub fn id(self) -> &'static str {
        match self {
            ZoneResult::Pass => "pass",
            ZoneResult::PassedByDecision => "passed_by_decision",
            ZoneResult::Fail => "fail",
        }
    }

    pub fn text(self) -> crate::model::Text {
        crate::messages::decisions::zone_result(self)
    }
}

/// Open / decided counts of a check's findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub findings: usize,
    pub decided: usize,
    pub open: usize,
    pub evidence_changed: usize,
    pub blocking: usize,
    /// Blocking findings not accepted (open, must fix, or evidence changed).
    pub blocking_open: usize,
    pub orphaned: usize,
}

/// The decisions of a review applied to one check.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    /// `keys[z][i]`: subject of `analysis.zones[z].findings[i]`; the last entry is the plan's.
    pub keys: Vec<Vec<FindingKey>>,
    /// Same shape: the decision on each finding.
    pub attached: Vec<Vec<Option<Attached>>>,
    /// Decisions whose finding is gone (as rows of the review file).
    pub orphaned: Vec<DecisionRow>,
}

impl Resolved {
    /// The decision on finding `i` of zone `z` (`z` = number of zones: the plan).
    pub fn get(&self, z: usize, i: usize) -> Option<&Attached> {
        self.attached.get(z)?.get(i)?.as_ref()
    }

    /// The decision on plan finding `i`.
    pub fn plan(&self, i: usize) -> Option<&Attached> {
        self.attached.last()?.get(i)?.as_ref()
    }

    fn group_result(&self, z: usize, findings: &[Finding]) -> ZoneResult {
        let mut blocking = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.severity == Severity::Blocking)
            .peekable();
        if blocking.peek().is_none() {
            return ZoneResult::Pass;
        }
        if blocking.all(|(i, _)| self.get(z, i).is_some_and(Attached::is_accepted)) {
            ZoneResult::PassedByDecision
        } else {
            ZoneResult::Fail
        }
    }

    /// Zone `z`'s result: pass, passed by decision, or fail.
    pub fn zone_result(&self, analysis: &Analysis, z: usize) -> ZoneResult {
        analysis.zones.get(z).map_or(ZoneResult::Pass, |zone| {
            self.group_result(z, &zone.findings)
        })
    }

    /// The plan's own findings' result.
    pub fn plan_result(&self, analysis: &Analysis) -> ZoneResult {
        self.group_result(analysis.zones.len(), &analysis.plan.findings)
    }

    /// The whole check: fail when anything fails, passed by decision when any blocking finding
    /// was accepted, else pass.
    pub fn overall(&self, analysis: &Analysis) -> ZoneResult {
        (0..analysis.zones.len())
            .map(|z| self.zone_result(analysis, z))
            .chain(std::iter::once(self.plan_result(analysis)))
            .fold(ZoneResult::Pass, |a, b| match (a, b) {
                (ZoneResult::Fail, _) | (_, ZoneResult::Fail) => ZoneResult::Fail,
                (ZoneResult::PassedByDecision, _) | (_, ZoneResult::PassedByDecision) => {
                    ZoneResult::PassedByDecision
                }
                _ => ZoneResult::Pass,
            })
    }

    /// Open / decided counts over every finding of `analysis`.
    pub fn counts(&self, analysis: &Analysis) -> Counts {
        let mut c = Counts {
            orphaned: self.orphaned.len(),
            ..Default::default()
        };
        let groups = analysis
            .zones
            .iter()
            .map(|z| &z.findings)
            .chain(std::iter::once(&analysis.plan.findings));
        for (z, findings) in groups.enumerate() {
            for (i, f) in findings.iter().enumerate() {
                let a = self.get(z, i);
                c.findings += 1;
                if a.is_some_and(Attached::is_decided) {
                    c.decided += 1;
                } else {
                    c.open += 1;
                }
                if a.is_some_and(|a| a.evidence_changed) {
                    c.evidence_changed += 1;
                }
                if f.severity == Severity::Blocking {
                    c.blocking += 1;
                    if !a.is_some_and(Attached::is_accepted) {
                        c.blocking_open += 1;
                    }
                }
            }
        }
        c
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

/// Subjects of every finding of an analysis, in report order: per zone, then the plan.
/// `out[z][i]` is the key of `analysis.zones[z].findings[i]`; the last entry is the plan's.
/// Two findings of one zone with the same subject (a rule that does not say what each is about)
/// are told apart by `#2`, `#3`, … after the about.
pub fn finding_keys(analysis: &Analysis) -> Vec<Vec<FindingKey>> {
    let keys_of = |zone: Option<&str>, findings: &[Finding]| {
        let mut seen: BTreeMap<FindingKey, u32> = BTreeMap::new();
        findings
            .iter()
            .map(|f| {
                let mut key = f.subject();
                key.zone = zone.map(str::to_string);
                let n = seen.entry(key.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    key.about = Some(format!("{}#{n}", key.about.unwrap_or_default()));
                }
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

    fn key(zone: Option<&str>, rule: &str, about: Option<&str>) -> FindingKey {
        FindingKey {
            zone: zone.map(str::to_string),
            rule: rule.into(),
            about: about.map(str::to_string),
        }
    }

    fn status(s: Status) -> Decision {
        Decision {
            status: s,
            ..Default::default()
        }
    }

    #[test]
    fn decisions_round_trip_through_the_review_file() {
        let mut d = Decisions::default();
        d.set(
            key(Some("M001"), "conflict.redline", None),
            Decision {
                status: Status::Accepted,
                reason: "已调出".into(),
                comment: "ok \"quoted\"\nline".into(),
                evidence: Some("0123456789ab".into()),
            },
        );
        d.set(
            key(None, "quota.county", Some("萧山区")),
            status(Status::MustFix),
        );
        d.legacy.insert(
            LegacyKey {
                zone: Some("M9".into()),
                rule: "clusters".into(),
                index: 2,
            },
            status(Status::MustFix),
        );
        // An empty decision is not stored.
        d.set(key(None, "x", None), Decision::default());
        assert_eq!(d.map.len(), 2);

        let mut review =
            Review::parse("[layers]\nzones = \"z.shp\"\n", Path::new("r.toml")).unwrap();
        review.file.decisions = d.to_rows();
        let text = review.to_toml().unwrap();
        assert!(text.contains("[[decision]]"), "{text}");
        assert!(text.contains("status = \"must_fix\""), "{text}");
        assert!(text.contains("about = \"萧山区\""), "{text}");
        assert!(text.contains("evidence = \"0123456789ab\""), "{text}");
        assert!(
            text.contains("index = 2"),
            "an unmatched legacy row is kept: {text}"
        );
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
        // A verdict date that is no date names the key.
        let e = Review::parse(
            "[layers]\nzones = \"z.shp\"\n[verdict]\ndecision = \"pass\"\ndate = \"2026-13-01\"\n",
            Path::new("d.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("verdict.date"), "{e}");
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
        let got = d
            .legacy
            .get(&LegacyKey {
                zone: Some("M002".into()),
                rule: "clusters".into(),
                index: 0,
            })
            .unwrap();
        assert_eq!(
            (got.status, got.comment.as_str()),
            (Status::MustFix, "合并")
        );
        std::fs::write(dir.path().join("review.decisions.toml"), "version = 2\n").unwrap();
        let e = load_sidecar(&review).unwrap_err();
        assert!(e.contains("review.decisions.toml"), "{e}");
    }

    fn analysis(plan: Vec<Finding>) -> Analysis {
        Analysis {
            zones: Vec::new(),
            plan: crate::analysis::PlanResult {
                zone_count: 0,
                max_total_zones: 150,
                city_level_counts: Default::default(),
                county_counts: Default::default(),
                city_level_zones: Default::default(),
                county_zones: Default::default(),
                unplaced_zones: Vec::new(),
                findings: plan,
            },
        }
    }

    fn original_status(id: &str, zone: &str) -> Finding {
        Finding::new("original.status", Severity::Warning, None, "c")
            .refs(vec![id.into(), zone.into()])
            .about(id)
    }

    /// Decisions by subject stay put; a legacy one goes to the n-th finding once; a decision
    /// with no finding is orphaned; changed refs mark the evidence changed.
    #[test]
    fn subjects_migration_orphans_and_evidence() {
        let y3 = original_status("Y3", "M3");
        let mut d = Decisions::default();
        d.set(
            y3.subject(),
            Decision {
                status: Status::Accepted,
                evidence: Some(y3.evidence()),
                ..Default::default()
            },
        );
        // Y1's finding comes first now: the decision stays on Y3's.
        let a = analysis(vec![original_status("Y1", "M1"), y3.clone()]);
        let r = d.resolve(&a);
        assert!(r.plan(0).is_none());
        let on_y3 = r.plan(1).unwrap();
        assert!(on_y3.is_accepted() && !on_y3.evidence_changed);
        assert!(r.orphaned.is_empty());
        let c = r.counts(&a);
        assert_eq!((c.findings, c.decided, c.open), (2, 1, 1));

        // Y3 merged into M4 instead: evidence changed, no longer counted as decided.
        let a = analysis(vec![original_status("Y3", "M4")]);
        let r = d.resolve(&a);
        assert!(r.plan(0).unwrap().evidence_changed);
        assert_eq!(r.counts(&a).decided, 0);

        // Y3's finding gone: orphaned, not on Y1's.
        let a = analysis(vec![original_status("Y1", "M1")]);
        let r = d.resolve(&a);
        assert!(r.plan(0).is_none());
        assert_eq!(r.orphaned.len(), 1);
        assert_eq!(r.orphaned[0].about.as_deref(), Some("Y3"));

        // A legacy decision (index 1) goes to the 2nd finding of its rule, once, with that
        // finding's evidence; index 5 has no finding and stays (orphaned).
        let mut old = Decisions::from_rows(&[
            DecisionRow {
                rule: "original.status".into(),
                index: Some(1),
                status: Status::MustFix,
                ..Default::default()
            },
            DecisionRow {
                rule: "original.status".into(),
                index: Some(5),
                status: Status::MustFix,
                ..Default::default()
            },
        ]);
        let a = analysis(vec![original_status("Y1", "M1"), y3.clone()]);
        old.migrate(&a);
        assert_eq!(
            old.get(&y3.subject())
                .map(|d| (d.status, d.evidence.clone())),
            Some((Status::MustFix, Some(y3.evidence())))
        );
        assert_eq!(old.legacy.len(), 1);
        let rows = old.to_rows();
        assert_eq!(rows[0].about.as_deref(), Some("Y3"));
        assert_eq!(rows[0].index, None);
        assert_eq!(rows[1].index, Some(5));
        assert_eq!(old.resolve(&a).orphaned.len(), 1);
    }

    /// Two findings of one zone with the same subject are told apart by #2.
    #[test]
    fn duplicate_subjects_get_a_number() {
        let f = || Finding::new("x", Severity::Warning, None, "c");
        let a = analysis(vec![f(), f().about("A"), f()]);
        let keys = finding_keys(&a);
        let abouts: Vec<Option<&str>> = keys[0].iter().map(|k| k.about.as_deref()).collect();
        assert_eq!(abouts, [None, Some("A"), Some("#2")]);
    }

    /// The fingerprint: areas to 0.01 m², derived numbers and ref order ignored.
    #[test]
    fn evidence_fingerprint_rounds_and_ignores_derived_numbers() {
        let f = |area: f64, mu: f64, refs: &[&str]| {
            Finding::new("conflict.redline", Severity::Blocking, Some("M1"), "c")
                .num("area_m2", area)
                .num("area_mu", mu)
                .refs(refs.iter().map(|s| s.to_string()).collect())
                .evidence()
        };
        let base = f(1234.561, 1.85, &["A", "B"]);
        assert_eq!(base.len(), 12);
        assert_eq!(base, f(1234.5649, 9.0, &["B", "A"]));
        assert_ne!(base, f(1234.58, 1.85, &["A", "B"]));
        assert_ne!(base, f(1234.561, 1.85, &["A"]));
        // Worked out with Python: sha256(b"area_m2=1234.56;|A\x1fB").hexdigest()[:12]
        assert_eq!(base, PY_EVIDENCE);
    }
    const PY_EVIDENCE: &str = "8d72f99f8105";
}
