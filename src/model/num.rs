//! Numbers as the outputs write them: never a negative zero.
//!
//! A negative zero arises where nothing is summed (`Iterator::sum` of no `f64` is `-0.0`), where
//! a zero is negated, and where a tiny negative (an area difference of −1e−12 m²) is rounded or
//! written with fixed decimals ("-0.00"). Every writer — report.json, findings.csv, report.html,
//! conflicts.geojson / .shp attributes, the `zonecheck fix` tables, the finding messages and the
//! command-line summary — goes through these helpers, so no `-0` reaches a reader.

use std::fmt;

/// `v` with a negative zero made `0.0`; every other value (NaN included) unchanged.
///
/// ```
/// use zonecheck::model::num::clean;
/// assert!(clean(-0.0).is_sign_positive());
/// assert_eq!(clean(-1.5), -1.5);
/// ```
pub fn clean(v: f64) -> f64 {
    if v == 0.0 {
        0.0
    } else {
        v
    }
}

/// `v` with `decimals` decimals, and no sign when it shows as zero: `fixed(-0.001, 2)` is
/// `"0.00"`, `fixed(-0.005, 2)` is `"-0.01"` (as `format!` rounds), `fixed(-0.0, 0)` is `"0"`.
///
/// ```
/// use zonecheck::model::num::fixed;
/// assert_eq!(fixed(-0.001, 2), "0.00");
/// assert_eq!(fixed(-0.0, 1), "0.0");
/// assert_eq!(fixed(-2.5, 1), "-2.5");
/// ```
pub fn fixed(v: f64, decimals: usize) -> String {
    Fixed(v, decimals).to_string()
}

/// [`fixed`] as a `Display` value, for use inside `format!`: `format!("{} m²", Fixed(a, 2))`.
#[derive(Debug, Clone, Copy)]
pub struct Fixed(pub f64, pub usize);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = format!("{:.*}", self.1, self.0);
        match s.strip_prefix('-') {
            Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => f.write_str(rest),
            _ => f.write_str(&s),
        }
    }
}

/// A number that writes as `f64` does — `{:.N}` with N decimals, `{}` shortest — but never as a
/// negative zero, for `format!` strings with inline arguments: shadow `let x = Num(x);` and keep
/// `{x:.3}`.
///
/// ```
/// use zonecheck::model::num::Num;
/// let x = Num(-0.0001);
/// assert_eq!(format!("{x:.3} {}", Num(-0.0)), "0.000 0");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match f.precision() {
            Some(p) => Fixed(self.0, p).fmt(f),
            None => fmt::Display::fmt(&clean(self.0), f),
        }
    }
}

/// `v` as `{}` writes it (shortest round-trip text), with a negative zero written `0`.
///
/// ```
/// use zonecheck::model::num::plain;
/// assert_eq!(plain(-0.0), "0");
/// assert_eq!(plain(0.25), "0.25");
/// ```
pub fn plain(v: f64) -> String {
    format!("{}", clean(v))
}

/// Replaces every negative zero among the numbers of a JSON value (at any depth) with `0.0`.
pub fn clean_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if n.as_f64().is_some_and(|v| v == 0.0 && v.is_sign_negative()) {
                *value = Value::from(0.0);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(clean_json),
        Value::Object(map) => map.values_mut().for_each(clean_json),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

/// True when `text` holds a number that is a negative zero: `-0`, `-0.0`, `-0.00`, … not
/// followed by another digit, and not preceded by a letter, digit or `_` (so `2026-01-05`,
/// `Z-0` and `-0.5` are not). Tests use it on the text outputs.
pub fn has_negative_zero(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(k) = text[i..].find("-0") {
        let at = i + k;
        i = at + 1;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let mut j = at + 2;
        if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
            j += 1;
            while b.get(j) == Some(&b'0') {
                j += 1;
            }
        }
        if !b.get(j).is_some_and(u8::is_ascii_digit) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zeros_are_found_and_others_are_not() {
        for t in ["-0", "x -0.00 m²", "[-0.0,1]", "(-0)", "-0.000%"] {
            assert!(has_negative_zero(t), "{t}");
        }
        for t in ["-0.5", "2026-01-05", "Z-0", "-0.01", "0.00", "-10", "a_-0x"] {
            assert!(!has_negative_zero(t), "{t}");
        }
    }

    #[test]
    fn fixed_never_writes_a_signed_zero() {
        let empty: [f64; 0] = [];
        let sum: f64 = empty.iter().sum();
        assert!(sum.is_sign_negative(), "the case this guards against");
        assert_eq!(fixed(sum, 2), "0.00");
        assert_eq!(fixed(-1e-12, 3), "0.000");
        assert_eq!(fixed(-0.0051, 2), "-0.01");
        assert_eq!(fixed(1234.5678, 2), "1234.57");
        assert_eq!(plain(sum), "0");
        let mut v = serde_json::json!({"a": [sum, 1.0, {"b": -0.0}], "c": -2.0});
        clean_json(&mut v);
        assert_eq!(v.to_string(), r#"{"a":[0.0,1.0,{"b":0.0}],"c":-2.0}"#);
    }
}
