//! The attribute values of one feature, kept compactly.
//!
//! A province's farmland layer has a million patches of five to ten fields each. Kept as one
//! `Option<String>` per value, every value is an allocation of its own (its heap block plus the
//! 24-byte `String`): about 250 bytes per patch over the text itself, a quarter of a gigabyte
//! for the province. [`Attrs`] keeps a feature's values in one block — the number of values,
//! a table of where each ends, then their text — one allocation per feature whatever the number
//! of fields (a 16-byte handle; each heap block also costs the allocator 8–24 bytes, so one
//! block instead of two saves ~25 MB on the province's farmland), and hands values out as
//! `&str`. A value is `None` when the file had it empty or NULL, as before.

use std::fmt;

/// Marks, in an end offset, a value that is `None`.
const NULL: u32 = 1 << 31;

/// One value per field of a layer (`None`: empty or NULL), in field order.
#[derive(Clone, Default)]
pub struct Attrs(Repr);

#[derive(Clone)]
enum Repr {
    /// `n` (u32, little-endian), then `n` end offsets (u32 LE: where value i ends in the text,
    /// with [`NULL`] set for a `None` value, which adds no text), then the values' text (UTF-8,
    /// one after another). No values: an empty block (no allocation).
    Packed(Box<[u8]>),
    /// Values whose text passes 2 GiB (no real attribute table; kept whole rather than
    /// refused). Boxed so that the handle stays 16 bytes (the packed form's size).
    #[allow(clippy::box_collection)]
    Plain(Box<Vec<Option<String>>>),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Packed(Box::new([]))
    }
}

/// The little-endian u32 at `data[at..at + 4]`.
fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The number of values of a packed block.
fn packed_len(data: &[u8]) -> usize {
    u32_at(data, 0).map_or(0, |n| n as usize)
}

impl Attrs {
    /// `n` values, all `None`.
    pub fn nulls(n: usize) -> Attrs {
        let mut b = AttrsBuilder::default();
        for _ in 0..n {
            b.push(None);
        }
        b.finish()
    }

    /// The number of values (fields).
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Packed(data) => packed_len(data),
            Repr::Plain(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i`: `None` when it is empty/NULL or there is no field `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        match &self.0 {
            Repr::Packed(data) => {
                let n = packed_len(data);
                if i >= n {
                    return None;
                }
                let end = u32_at(data, 4 + 4 * i)?;
                if end & NULL != 0 {
                    return None;
                }
                let start = match i.checked_sub(1) {
                    Some(p) => u32_at(data, 4 + 4 * p)? & !NULL,
                    None => 0,
                };
                let text = 4 + 4 * n;
                // Written whole values at a time by `AttrsBuilder::finish`: valid UTF-8.
                std::str::from_utf8(data.get(text + start as usize..text + end as usize)?).ok()
            }
            Repr::Plain(v) => v.get(i)?.as_deref(),
        }
    }

    /// Every value in field order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The values as owned strings.
    pub fn to_vec(&self) -> Vec<Option<String>> {
        self.iter().map(|v| v.map(str::to_string)).collect()
    }

    /// Sets value `i`, adding `None` values first when there are fewer than `i + 1`.
    pub fn set(&mut self, i: usize, value: Option<&str>) {
        let mut values = self.to_vec();
        if values.len() <= i {
            values.resize(i + 1, None);
        }
        if let Some(slot) = values.get_mut(i) {
            *slot = value.map(str::to_string);
        }
        *self = Attrs::from(values);
    }

    /// Keeps the first `n` values, or adds `None` values up to `n`.
    pub fn resize(&mut self, n: usize) {
        if n != self.len() {
            let mut values = self.to_vec();
            values.resize(n, None);
            *self = Attrs::from(values);
        }
    }
}

impl fmt::Debug for Attrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<S: AsRef<str>> FromIterator<Option<S>> for Attrs {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(iter: I) -> Attrs {
        let mut b = AttrsBuilder::default();
        for v in iter {
            b.push(v.as_ref().map(AsRef::as_ref));
        }
        b.finish()
    }
}

impl From<Vec<Option<String>>> for Attrs {
    fn from(values: Vec<Option<String>>) -> Attrs {
        values.into_iter().collect()
    }
}

impl PartialEq for Attrs {
    fn eq(&self, other: &Attrs) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Attrs {}

impl PartialEq<Vec<Option<String>>> for Attrs {
    fn eq(&self, other: &Vec<Option<String>>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_deref())
    }
}

impl PartialEq<[Option<&str>]> for Attrs {
    fn eq(&self, other: &[Option<&str>]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

/// Builds [`Attrs`] value by value; reusable (a reader keeps one per thread, so a record's
/// values cost one exact-size allocation and no others).
#[derive(Default)]
pub struct AttrsBuilder {
    text: String,
    ends: Vec<u32>,
    /// Set once the text passes what an end offset can hold; the values then go here.
    plain: Option<Vec<Option<String>>>,
}

impl AttrsBuilder {
    /// Adds the next value.
    pub fn push(&mut self, value: Option<&str>) {
        if let Some(plain) = &mut self.plain {
            plain.push(value.map(str::to_string));
            return;
        }
        let Some(v) = value else {
            let end = u32::try_from(self.text.len()).unwrap_or(0);
            self.ends.push(end | NULL);
            return;
        };
        match u32::try_from(self.text.len() + v.len()) {
            Ok(end) if end < NULL => {
                self.text.push_str(v);
                self.ends.push(end);
            }
            _ => {
                let mut plain: Vec<Option<String>> = self.values().collect();
                plain.push(Some(v.to_string()));
                self.plain = Some(plain);
            }
        }
    }

    /// The values pushed so far, owned (for the switch to the plain form).
    fn values(&self) -> impl Iterator<Item = Option<String>> + '_ {
        let mut start = 0usize;
        self.ends.iter().map(move |&e| {
            if e & NULL != 0 {
                return None;
            }
            let v = self.text.get(start..e as usize).map(str::to_string);
            start = e as usize;
            v
        })
    }

    /// The values pushed since the last `finish`, as [`Attrs`]; the builder is then empty.
    pub fn finish(&mut self) -> Attrs {
        let attrs = match (self.plain.take(), u32::try_from(self.ends.len())) {
            (Some(plain), _) => Attrs(Repr::Plain(Box::new(plain))),
            (None, Err(_)) => Attrs(Repr::Plain(Box::new(self.values().collect()))),
            (None, Ok(0)) => Attrs::default(),
            (None, Ok(n)) => {
                let mut data = Vec::with_capacity(4 + 4 * self.ends.len() + self.text.len());
                data.extend_from_slice(&n.to_le_bytes());
                for e in &self.ends {
                    data.extend_from_slice(&e.to_le_bytes());
                }
                data.extend_from_slice(self.text.as_bytes());
                Attrs(Repr::Packed(data.into_boxed_slice()))
            }
        };
        self.text.clear();
        self.ends.clear();
        attrs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_as_pushed() {
        let values = vec![
            Some("萧山经济技术开发区".to_string()),
            None,
            Some(String::new()),
            Some("0.125".to_string()),
            None,
        ];
        let a = Attrs::from(values.clone());
        assert_eq!(a.len(), 5);
        assert_eq!(a.get(0), Some("萧山经济技术开发区"));
        assert_eq!(a.get(1), None);
        assert_eq!(a.get(2), Some(""));
        assert_eq!(a.get(3), Some("0.125"));
        assert_eq!(a.get(4), None);
        assert_eq!(a.get(5), None);
        assert_eq!(a.to_vec(), values);
        assert_eq!(a, values);
        assert_eq!(
            format!("{a:?}"),
            r#"[Some("萧山经济技术开发区"), None, Some(""), Some("0.125"), None]"#
        );
        assert!(Attrs::default().is_empty());
        assert_eq!(Attrs::default().get(0), None);
        // A 16-byte handle and one heap block per feature.
        assert_eq!(std::mem::size_of::<Attrs>(), 16);
        assert_eq!(Attrs::nulls(3).to_vec(), vec![None, None, None]);
    }

    #[test]
    fn set_and_resize_keep_the_other_values() {
        let mut a: Attrs = [Some("甲"), None, Some("丙")].into_iter().collect();
        a.set(1, Some("乙"));
        assert_eq!(
            a,
            vec![Some("甲".into()), Some("乙".into()), Some("丙".into())]
        );
        a.set(0, None);
        a.set(4, Some("戊"));
        assert_eq!(
            a.to_vec(),
            vec![
                None,
                Some("乙".into()),
                Some("丙".into()),
                None,
                Some("戊".into())
            ]
        );
        a.resize(2);
        assert_eq!(a.to_vec(), vec![None, Some("乙".into())]);
        a.resize(3);
        assert_eq!(a.to_vec(), vec![None, Some("乙".into()), None]);
    }

    #[test]
    fn a_reused_builder_starts_each_feature_empty() {
        let mut b = AttrsBuilder::default();
        b.push(Some("a"));
        b.push(None);
        let first = b.finish();
        b.push(Some("bc"));
        let second = b.finish();
        assert_eq!(first.to_vec(), vec![Some("a".into()), None]);
        assert_eq!(second.to_vec(), vec![Some("bc".into())]);
        // The same values compare equal however they were built.
        assert_eq!(first, [Some("a"), None].into_iter().collect::<Attrs>());
    }
}
