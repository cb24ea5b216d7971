//! Changes to the plan under edit (the zones layer): every change is a [`PlanEdit`] value with an
//! inverse, applied by [`apply`], the one function the app, `zonecheck fix` and the tests share.
//! [`History`] keeps the undo and redo stacks.
//!
//! An edit carries the state it replaces (`before`) as well as the new one, so that its inverse
//! is exact and an edit applied to a plan that has changed underneath it is refused
//! ([`EditError::Stale`]) instead of silently overwriting someone else's change.

use super::{Feature, Geom, Layer, Text};

/// One change to the plan (the zones layer).
#[derive(Clone, Debug, PartialEq)]
pub enum PlanEdit {
    /// The geometry of feature `feature` (position in the layer) goes from `before` to `after`.
    Geometry {
        feature: usize,
        before: Geom,
        after: Geom,
    },
    /// The value of attribute column `field` of feature `feature`.
    Attribute {
        feature: usize,
        field: usize,
        before: Option<String>,
        after: Option<String>,
    },
    /// A new feature at position `at` (later features move up by one).
    Insert { at: usize, feature: Feature },
    /// The feature at position `at` goes (later features move down by one); `feature` is what
    /// was there, for the inverse.
    Remove { at: usize, feature: Feature },
    /// Several edits as one step (one undo): applied in order, undone in reverse.
    Group(Vec<PlanEdit>),
    /// An edit of the original-zones layer instead of the plan: the fate (处置方式: 整合 /
    /// 转型提升 / 淘汰撤销) of an original is part of the merger plan. Applied by
    /// [`apply_to`] (and the `*_in` methods of [`History`]).
    Originals(Box<PlanEdit>),
}

/// Why an edit could not be applied; the plan is then unchanged.
#[derive(Clone, Debug, PartialEq)]
pub enum EditError {
    /// A feature position or attribute column the plan does not have.
    OutOfRange { feature: usize },
    /// The plan no longer holds what the edit replaces (it changed after the edit was made).
    Stale { feature: usize },
    /// An edit of the original-zones layer where there is none (or applied to the plan alone).
    NoOriginals,
}

impl EditError {
    /// The error in both languages.
    pub fn text(&self) -> Text {
        match self {
            EditError::OutOfRange { feature } => Text::new(
                format!("编辑无法执行：方案中没有第 {feature} 个要素或该字段"),
                format!("the edit cannot be applied: the plan has no feature {feature} or no such field"),
            ),
            EditError::Stale { feature } => Text::new(
                format!("编辑无法执行：第 {feature} 个要素在编辑生成后已被修改"),
                format!("the edit cannot be applied: feature {feature} changed after the edit was made"),
            ),
            EditError::NoOriginals => Text::new(
                "编辑无法执行：没有原开发区图层",
                "the edit cannot be applied: there is no original-zones layer",
            ),
        }
    }
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().en)
    }
}

impl PlanEdit {
    /// The edit that undoes this one.
    pub fn inverse(&self) -> PlanEdit {
        match self {
            PlanEdit::Geometry {
                feature,
                before,
                after,
            } => PlanEdit::Geometry {
                feature: *feature,
                before: after.clone(),
                after: before.clone(),
            },
            PlanEdit::Attribute {
                feature,
                field,
                before,
                after,
            } => PlanEdit::Attribute {
                feature: *feature,
                field: *field,
                before: after.clone(),
                after: before.clone(),
            },
            PlanEdit::Insert { at, feature } => PlanEdit::Remove {
                at: *at,
                feature: feature.clone(),
            },
            PlanEdit::Remove { at, feature } => PlanEdit::Insert {
                at: *at,
                feature: feature.clone(),
            },
            PlanEdit::Group(edits) => {
                PlanEdit::Group(edits.iter().rev().map(|e| e.inverse()).collect())
            }
            PlanEdit::Originals(inner) => PlanEdit::Originals(Box::new(inner.inverse())),
        }
    }

    /// True when the edit (or a part of it) changes the original-zones layer.
    pub fn touches_originals(&self) -> bool {
        match self {
            PlanEdit::Originals(_) => true,
            PlanEdit::Group(edits) => edits.iter().any(|e| e.touches_originals()),
            _ => false,
        }
    }

    /// True when the edit changes nothing (an empty group, a value set to itself).
    pub fn is_noop(&self) -> bool {
        match self {
            PlanEdit::Geometry { before, after, .. } => before == after,
            PlanEdit::Attribute { before, after, .. } => before == after,
            PlanEdit::Insert { .. } | PlanEdit::Remove { .. } => false,
            PlanEdit::Group(edits) => edits.iter().all(|e| e.is_noop()),
            PlanEdit::Originals(inner) => inner.is_noop(),
        }
    }

    /// The feature positions the edit touches (for re-checking only what changed).
    pub fn features(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect_features(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect_features(&self, out: &mut Vec<usize>) {
        match self {
            PlanEdit::Geometry { feature, .. } | PlanEdit::Attribute { feature, .. } => {
                out.push(*feature)
            }
            PlanEdit::Insert { at, .. } | PlanEdit::Remove { at, .. } => out.push(*at),
            PlanEdit::Group(edits) => edits.iter().for_each(|e| e.collect_features(out)),
            // Positions in another layer: no feature of the plan.
            PlanEdit::Originals(_) => {}
        }
    }
}

/// Applies `edit` to `plan`. All or nothing: when any part of a group fails, the parts already
/// applied are undone and the plan is as it was.
pub fn apply(plan: &mut Layer, edit: &PlanEdit) -> Result<(), EditError> {
    match edit {
        PlanEdit::Geometry {
            feature,
            before,
            after,
        } => {
            let f = plan
                .features
                .get_mut(*feature)
                .ok_or(EditError::OutOfRange { feature: *feature })?;
            if &f.geometry != before {
                return Err(EditError::Stale { feature: *feature });
            }
            f.geometry = after.clone();
        }
        PlanEdit::Attribute {
            feature,
            field,
            before,
            after,
        } => {
            let width = plan.fields.len();
            let f = plan
                .features
                .get_mut(*feature)
                .ok_or(EditError::OutOfRange { feature: *feature })?;
            if *field >= width {
                return Err(EditError::OutOfRange { feature: *feature });
            }
            if f.attrs.len() < width {
                f.attrs.resize(width);
            }
            if f.attrs.get(*field) != before.as_deref() {
                return Err(EditError::Stale { feature: *feature });
            }
            f.attrs.set(*field, after.as_deref());
        }
        PlanEdit::Insert { at, feature } => {
            if *at > plan.features.len() {
                return Err(EditError::OutOfRange { feature: *at });
            }
            plan.features.insert(*at, feature.clone());
        }
        PlanEdit::Remove { at, feature } => {
            match plan.features.get(*at) {
                None => return Err(EditError::OutOfRange { feature: *at }),
                Some(f) if f != feature => return Err(EditError::Stale { feature: *at }),
                Some(_) => {}
            }
            plan.features.remove(*at);
        }
        PlanEdit::Group(edits) => {
            for (k, e) in edits.iter().enumerate() {
                if let Err(err) = apply(plan, e) {
                    for done in edits[..k].iter().rev() {
                        // Undoing what was just applied cannot be stale.
                        let _ = apply(plan, &done.inverse());
                    }
                    return Err(err);
                }
            }
        }
        PlanEdit::Originals(_) => return Err(EditError::NoOriginals),
    }
    Ok(())
}

/// Applies `edit` to the layers of a dataset: the plan (the zones layer) and, for
/// [`PlanEdit::Originals`], the original-zones layer. All or nothing, as [`apply`].
pub fn apply_to(layers: &mut [Layer], edit: &PlanEdit) -> Result<(), EditError> {
    let find = |role: crate::model::LayerRole, layers: &[Layer]| {
        layers.iter().position(|l| l.role == role)
    };
    match edit {
        PlanEdit::Originals(inner) => {
            let oi =
                find(crate::model::LayerRole::Original, layers).ok_or(EditError::NoOriginals)?;
            apply(&mut layers[oi], inner)
        }
        PlanEdit::Group(edits) => {
            for (k, e) in edits.iter().enumerate() {
                if let Err(err) = apply_to(layers, e) {
                    for done in edits[..k].iter().rev() {
                        let _ = apply_to(layers, &done.inverse());
                    }
                    return Err(err);
                }
            }
            Ok(())
        }
        other => {
            let zi = find(crate::model::LayerRole::Zones, layers)
                .ok_or(EditError::OutOfRange { feature: 0 })?;
            apply(&mut layers[zi], other)
        }
    }
}

/// Undo and redo of plan edits. An edit that is done clears the redo stack; a whole drag is
/// one edit (the app makes it on release).
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<PlanEdit>,
    redo: Vec<PlanEdit>,
    /// Counts every change (do, undo, redo): what results were computed from.
    revision: u64,
    /// The revision last saved; the plan is dirty when they differ.
    saved: u64,
    /// The original-zones layer holds changes from before this history (a recovered plan).
    originals_recovered: bool,
}

impl History {
    /// Applies `edit` and records it. A no-op edit is not recorded.
    pub fn apply(&mut self, plan: &mut Layer, edit: PlanEdit) -> Result<(), EditError> {
        if edit.is_noop() {
            return Ok(());
        }
        apply(plan, &edit)?;
        self.undo.push(edit);
        self.redo.clear();
        self.revision += 1;
        Ok(())
    }

    /// Undoes the last edit; `Ok(false)` when there is none.
    pub fn undo(&mut self, plan: &mut Layer) -> Result<bool, EditError> {
        let Some(edit) = self.undo.pop() else {
            return Ok(false);
        };
        if let Err(e) = apply(plan, &edit.inverse()) {
            self.undo.push(edit);
            return Err(e);
        }
        self.redo.push(edit);
        self.revision += 1;
        Ok(true)
    }

    /// Redoes the last undone edit; `Ok(false)` when there is none.
    pub fn redo(&mut self, plan: &mut Layer) -> Result<bool, EditError> {
        let Some(edit) = self.redo.pop() else {
            return Ok(false);
        };
        if let Err(e) = apply(plan, &edit) {
            self.redo.push(edit);
            return Err(e);
        }
        self.undo.push(edit);
        self.revision += 1;
        Ok(true)
    }

    /// [`History::apply`] on a dataset's layers (plan and originals, see [`apply_to`]).
    pub fn apply_in(&mut self, layers: &mut [Layer], edit: PlanEdit) -> Result<(), EditError> {
        if edit.is_noop() {
            return Ok(());
        }
        apply_to(layers, &edit)?;
        self.undo.push(edit);
        self.redo.clear();
        self.revision += 1;
        Ok(())
    }

    /// [`History::undo`] on a dataset's layers. Returns the edit undone.
    pub fn undo_in(&mut self, layers: &mut [Layer]) -> Result<Option<&PlanEdit>, EditError> {
        let Some(edit) = self.undo.pop() else {
            return Ok(None);
        };
        if let Err(e) = apply_to(layers, &edit.inverse()) {
            self.undo.push(edit);
            return Err(e);
        }
        self.redo.push(edit);
        self.revision += 1;
        Ok(self.redo.last())
    }

    /// [`History::redo`] on a dataset's layers. Returns the edit redone.
    pub fn redo_in(&mut self, layers: &mut [Layer]) -> Result<Option<&PlanEdit>, EditError> {
        let Some(edit) = self.redo.pop() else {
            return Ok(None);
        };
        if let Err(e) = apply_to(layers, &edit) {
            self.redo.push(edit);
            return Err(e);
        }
        self.undo.push(edit);
        self.revision += 1;
        Ok(self.undo.last())
    }

    /// True when an edit done or undone changed the original-zones layer (so that it may
    /// differ from its file).
    pub fn originals_touched(&self) -> bool {
        self.originals_recovered
            || self
                .undo
                .iter()
                .chain(&self.redo)
                .any(PlanEdit::touches_originals)
    }

    /// Marks the original-zones layer as holding unsaved changes made before this history (a
    /// plan recovered after a crash).
    pub fn mark_originals_recovered(&mut self) {
        self.originals_recovered = true;
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// True when the plan changed since it was loaded or last saved.
    pub fn is_dirty(&self) -> bool {
        self.revision != self.saved
    }

    /// Marks the plan as holding unsaved edits (a plan recovered after a crash).
    pub fn mark_unsaved(&mut self) {
        self.saved = self.revision.wrapping_add(1);
    }

    /// Marks the current state as saved.
    pub fn mark_saved(&mut self) {
        self.saved = self.revision;
    }

    /// The edits done so far, oldest first (what the plan is, compared with the plan loaded).
    pub fn done(&self) -> &[PlanEdit] {
        &self.undo
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::model::{LayerRole, SourceInfo};
    use geo::polygon;
    use proptest::prelude::*;

    fn square(x: f64, y: f64, s: f64) -> Geom {
        geo::MultiPolygon(vec![
            polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)],
        ])
    }

    fn feature(index: usize, id: &str, geometry: Geom) -> Feature {
        Feature {
            index,
            geometry,
            attrs: vec![Some(id.to_string()), None].into(),
        }
    }

    fn plan(n: usize) -> Layer {
        Layer {
            name: "zones".to_string(),
            role: LayerRole::Zones,
            fields: vec!["ID".to_string(), "MC".to_string()],
            features: (0..n)
                .map(|i| feature(i, &format!("M{i}"), square(i as f64 * 100.0, 0.0, 50.0)))
                .collect(),
            source: SourceInfo::default(),
        }
    }

    /// A random edit valid on `p` (so that it applies), from the numbers in `seed`.
    fn edit_on(p: &Layer, seed: &[u32]) -> PlanEdit {
        let n = p.features.len();
        let pick = |k: usize| seed.get(k).copied().unwrap_or(0) as usize;
        match pick(0) % 5 {
            0 if n > 0 => {
                let i = pick(1) % n;
                let before = p.features[i].geometry.clone();
                PlanEdit::Geometry {
                    feature: i,
                    before,
                    after: square(pick(2) as f64, pick(3) as f64, 1.0 + pick(4) as f64),
                }
            }
            1 if n > 0 => {
                let i = pick(1) % n;
                let field = pick(2) % 2;
                PlanEdit::Attribute {
                    feature: i,
                    field,
                    before: p.features[i].attrs.get(field).map(str::to_string),
                    after: Some(format!("萧山{}", pick(3))),
                }
            }
            2 if n > 0 => {
                let at = pick(1) % n;
                PlanEdit::Remove {
                    at,
                    feature: p.features[at].clone(),
                }
            }
            3 => {
                // A group of a change and an insert at the end.
                let mut q = p.clone();
                let first = edit_on(&q, &[1, pick(1) as u32, pick(2) as u32, pick(3) as u32]);
                let mut edits = Vec::new();
                if apply(&mut q, &first).is_ok() {
                    edits.push(first);
                }
                edits.push(PlanEdit::Insert {
                    at: q.features.len(),
                    feature: feature(900, "新区", square(7.0, 7.0, 3.0)),
                });
                PlanEdit::Group(edits)
            }
            _ => PlanEdit::Insert {
                at: pick(1) % (n + 1),
                feature: feature(800 + pick(2) % 100, "M新", square(0.0, 500.0, 20.0)),
            },
        }
    }

    proptest! {
        #[test]
        fn every_edit_followed_by_its_inverse_gives_back_the_plan(
            n in 0usize..5,
            seeds in proptest::collection::vec(proptest::collection::vec(0u32..1000, 5), 1..8),
        ) {
            let original = plan(n);
            let mut p = original.clone();
            let mut history = History::default();
            let mut states = vec![p.features.clone()];
            for seed in &seeds {
                let e = edit_on(&p, seed);
                // A value set to itself changes nothing and is not recorded (no undo step).
                let noop = e.is_noop();
                let steps = history.done().len();
                history.apply(&mut p, e).unwrap();
                if noop {
                    prop_assert_eq!(history.done().len(), steps);
                    prop_assert_eq!(&p.features, states.last().unwrap());
                    continue;
                }
                states.push(p.features.clone());
            }
            // Undo all the way back, checking every state on the way.
            for expected in states.iter().rev().skip(1) {
                prop_assert!(history.undo(&mut p).unwrap());
                prop_assert_eq!(&p.features, expected);
            }
            prop_assert_eq!(&p.features, &original.features);
            prop_assert!(!history.undo(&mut p).unwrap());
            // And forward again.
            for expected in states.iter().skip(1) {
                prop_assert!(history.redo(&mut p).unwrap());
                prop_assert_eq!(&p.features, expected);
            }
        }
    }

    #[test]
    fn a_stale_edit_is_refused_and_a_failing_group_changes_nothing() {
        let mut p = plan(2);
        let e = PlanEdit::Geometry {
            feature: 0,
            before: square(1.0, 1.0, 1.0), // not what feature 0 holds
            after: square(0.0, 0.0, 5.0),
        };
        assert_eq!(apply(&mut p, &e), Err(EditError::Stale { feature: 0 }));
        let good = PlanEdit::Attribute {
            feature: 1,
            field: 1,
            before: None,
            after: Some("萧山经济技术开发区".into()),
        };
        let bad = PlanEdit::Remove {
            at: 7,
            feature: p.features[0].clone(),
        };
        let before = p.features.clone();
        let group = PlanEdit::Group(vec![good.clone(), bad]);
        assert_eq!(
            apply(&mut p, &group),
            Err(EditError::OutOfRange { feature: 7 })
        );
        assert_eq!(p.features, before);
        apply(&mut p, &good).unwrap();
        assert_eq!(p.features[1].attrs.get(1), Some("萧山经济技术开发区"));
    }

    #[test]
    fn history_is_dirty_until_saved_and_a_new_edit_clears_redo() {
        let mut p = plan(1);
        let mut h = History::default();
        assert!(!h.is_dirty());
        let rename = |p: &Layer, to: &str| PlanEdit::Attribute {
            feature: 0,
            field: 1,
            before: p.features[0].attrs.get(1).map(str::to_string),
            after: Some(to.to_string()),
        };
        let e = rename(&p, "甲");
        h.apply(&mut p, e).unwrap();
        assert!(h.is_dirty());
        h.mark_saved();
        assert!(!h.is_dirty());
        h.undo(&mut p).unwrap();
        assert!(h.is_dirty() && h.can_redo());
        let e = rename(&p, "乙");
        h.apply(&mut p, e).unwrap();
        assert!(!h.can_redo());
        assert_eq!(p.features[0].attrs.get(1), Some("乙"));
        // A no-op is not a step.
        let r = h.revision();
        let e = rename(&p, "乙");
        h.apply(&mut p, e).unwrap();
        assert_eq!(h.revision(), r);
    }
}
