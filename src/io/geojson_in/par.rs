//! A large FeatureCollection's features parsed on every thread.
//!
//! The text of the `features` array is cut into chunks of a few megabytes. Chunk 0 starts at
//! the first feature; every other chunk starts at the first `{` past its nominal start that
//! reads as a whole `Feature` followed by `,` or `]` — a guess, since a `{` inside a string
//! could pass for one. Each chunk parses features from its start until it passes its end, and
//! says where the next feature starts. Chunks are taken in file order, and a chunk's features
//! are used only when it starts exactly where the chunk before it said the next feature
//! starts: chunk 0 starts at a true feature, so by induction every chunk used parsed true
//! features, in order, each once. Features reach the one [`Collector`] in file order, so the
//! fields, the filter, the failures and the ids are what the sequential reader makes of them.
//!
//! Anything else — a chunk that does not line up, a feature the collector cannot take as it is,
//! JSON that is not well formed, a document that is not a plain FeatureCollection — returns
//! `None`, and the sequential reader reads the whole file again and says what is wrong in its
//! own words (feature numbers, lines and columns of the whole file).

use super::{Collector, FeatureGeometry, FeatureIn, FieldMap, RoiFor};
use crate::model::Attrs;
use crate::model::{RawLayer, Text};
use rayon::prelude::*;
use serde_json::Value;

/// Text per chunk of the features array.
const CHUNK: usize = 4 << 20;

/// Files smaller than this are read by the sequential reader.
const MIN_PARALLEL: usize = 32 << 20;

/// Reads `text` (a FeatureCollection, BOM removed) with its features parsed in parallel;
/// `None` when it is not read here (see the module).
/// Each chunk's text is given to `release` once parsed (see
/// [`crate::io::FileBytes::release`]).
pub(super) fn read(
    text: &str,
    roi_for: Option<RoiFor<'_>>,
    release: &(dyn Fn(&[u8]) + Sync),
) -> Option<Result<RawLayer, Text>> {
    if text.len() < MIN_PARALLEL || rayon::current_num_threads() < 2 {
        return None;
    }
    read_in_chunks(text, roi_for, CHUNK, release)
}

/// As [`read`], in chunks of `chunk` bytes, whatever the size of the text.
fn read_in_chunks(
    text: &str,
    roi_for: Option<RoiFor<'_>>,
    chunk: usize,
    release: &(dyn Fn(&[u8]) + Sync),
) -> Option<Result<RawLayer, Text>> {
    let b = text.as_bytes();
    let mut pos = skip_ws(b, 0);
    if b.get(pos) != Some(&b'{') {
        return None;
    }
    pos += 1;
    let mut collector = Collector {
        roi_for,
        ..Collector::default()
    };
    let (mut kind, mut crs, mut had) = (None::<String>, None::<Value>, false);
    let mut first_member = true;
    loop {
        pos = skip_ws(b, pos);
        match b.get(pos)? {
            b'}' if first_member => {
                pos += 1;
                break;
            }
            b'"' => {}
            _ => return None,
        }
        first_member = false;
        let (key, next) = value::<String>(text, pos)?;
        pos = skip_ws(b, next);
        if b.get(pos) != Some(&b':') {
            return None;
        }
        pos = skip_ws(b, pos + 1);
        match key.as_str() {
            "type" => {
                let (v, next) = value::<String>(text, pos)?;
                kind = Some(v);
                pos = next;
            }
            "crs" => {
                let (v, next) = value::<Value>(text, pos)?;
                collector.crs_declared(&v);
                crs = Some(v);
                pos = next;
            }
            // A second `features` array is read by the sequential reader (it takes both).
            "features" if had => return None,
            "features" => {
                pos = features(text, pos, &mut collector, chunk, release)?;
                had = true;
            }
            _ => {
                let (_, next) = value::<serde::de::IgnoredAny>(text, pos)?;
                pos = next;
            }
        }
        pos = skip_ws(b, pos);
        match b.get(pos)? {
            b',' => pos += 1,
            b'}' => {
                pos += 1;
                break;
            }
            _ => return None,
        }
    }
    if skip_ws(b, pos) != b.len() || !had || kind.as_deref() != Some("FeatureCollection") {
        return None;
    }
    Some(collector.finish_collection(crs))
}

/// The position of the first byte at or after `pos` that is not JSON whitespace.
fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        pos += 1;
    }
    pos
}

/// One JSON value of type `T` starting at `pos` (after optional whitespace), and the position
/// just past it.
fn value<'a, T: serde::Deserialize<'a>>(text: &'a str, pos: usize) -> Option<(T, usize)> {
    let mut stream = serde_json::Deserializer::from_str(text.get(pos..)?).into_iter::<T>();
    let v = stream.next()?.ok()?;
    Some((v, pos + stream.byte_offset()))
}

/// How a chunk's parse ended.
enum End {
    /// At the start of the first feature at or past the chunk's end.
    Next(usize),
    /// At the end of the array: the position just past its `]`.
    Array(usize),
    /// Something the sequential reader must look at.
    Failed,
}

/// The features one chunk parsed, their properties already turned into values (on the thread
/// that parsed them: what a thread allocates it also frees, which keeps the allocator's
/// arenas apart).
struct Chunk {
    /// Where it started (`None`: no feature starts in its range).
    start: Option<usize>,
    /// The end of its range.
    to: usize,
    /// The fields of its features, in order of first appearance in the chunk.
    fields: Vec<String>,
    /// Each feature's values (in the order of `fields`), id and geometry.
    features: Vec<(Attrs, Option<String>, Option<FeatureGeometry>)>,
    end: End,
}

/// Reads the features array starting at `pos` (its `[`) into `collector`; the position just
/// past its `]`.
fn features(
    text: &str,
    pos: usize,
    collector: &mut Collector<'_>,
    chunk: usize,
    release: &(dyn Fn(&[u8]) + Sync),
) -> Option<usize> {
    let b = text.as_bytes();
    if b.get(pos) != Some(&b'[') {
        return None;
    }
    let first = skip_ws(b, pos + 1);
    if b.get(first) == Some(&b']') {
        return Some(first + 1);
    }
    let chunk = chunk.max(1);
    let count = (b.len().saturating_sub(first) / chunk).max(1);
    // Chunk k covers [bounds[k], bounds[k + 1]); the last runs to the end of the text.
    let bounds: Vec<usize> = (0..count)
        .map(|k| first + k * chunk)
        .chain(std::iter::once(b.len()))
        .collect();
    let parse = |k: usize| -> Chunk {
        let (from, to) = (bounds[k], bounds[k + 1]);
        let start = if k == 0 {
            Some(first)
        } else {
            candidate(text, from, to)
        };
        let parsed = match start {
            Some(s) => parse_chunk(text, s, to),
            None => Chunk {
                start: None,
                to,
                fields: Vec::new(),
                features: Vec::new(),
                end: End::Failed,
            },
        };
        if let Some(part) = b.get(from..to) {
            release(part);
        }
        parsed
    };
    let window = rayon::current_num_threads() * 2;
    let parse_window = |from: usize| -> Vec<Chunk> {
        (from..count.min(from + window))
            .into_par_iter()
            .map(parse)
            .collect()
    };
    // The true start of the next feature, while the array goes on.
    let mut expected: Option<usize> = Some(first);
    let mut array_end: Option<usize> = None;
    let mut next_window = 0;
    let mut chunks = parse_window(next_window);
    next_window += window;
    while !chunks.is_empty() {
        // Hand this window's features to the collector while the next window parses.
        let (ok, later) = rayon::join(
            || -> bool {
                for chunk in chunks {
                    let Some(e) = expected else {
                        // Past the end of the array: nothing more to take.
                        break;
                    };
                    if e >= chunk.to {
                        // No feature starts in this chunk's range (one long feature spans
                        // it): whatever it found there is not a feature.
                        continue;
                    }
                    if chunk.start != Some(e) {
                        return false;
                    }
                    // The chunk's fields among the layer's (new ones added in the order the
                    // chunk met them, as reading feature by feature adds them).
                    let map: Vec<usize> = chunk
                        .fields
                        .iter()
                        .map(|name| collector.fields.position(name))
                        .collect();
                    let same = map.iter().enumerate().all(|(i, &f)| i == f);
                    for (attrs, id, geometry) in chunk.features {
                        let attrs = if same { attrs } else { remap(&attrs, &map) };
                        collector.take(attrs, id, geometry);
                    }
                    match chunk.end {
                        End::Next(p) => expected = Some(p),
                        End::Array(p) => {
                            array_end = Some(p);
                            expected = None;
                        }
                        End::Failed => return false,
                    }
                }
                true
            },
            || {
                if next_window < count {
                    parse_window(next_window)
                } else {
                    Vec::new()
                }
            },
        );
        if !ok {
            return None;
        }
        if expected.is_none() {
            break;
        }
        chunks = later;
        next_window += window;
    }
    array_end
}

/// The first `{` in `[from, to)` that starts a whole `Feature` followed by `,` or `]`.
fn candidate(text: &str, from: usize, to: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut p = from;
    while p < to {
        let q = p + b.get(p..to)?.iter().position(|&c| c == b'{')?;
        if let Some((f, after)) = value::<FeatureIn>(text, q) {
            let next = skip_ws(b, after);
            if f.kind.as_deref() == Some("Feature") && matches!(b.get(next), Some(b',' | b']')) {
                return Some(q);
            }
        }
        p = q + 1;
    }
    None
}

/// Values in the order of a chunk's fields put in the order of the layer's (`map[i]`: the
/// layer's position of the chunk's field i).
fn remap(attrs: &Attrs, map: &[usize]) -> Attrs {
    let n = map.iter().map(|&f| f + 1).max().unwrap_or(0);
    let mut values: Vec<Option<&str>> = vec![None; n];
    for (i, v) in attrs.iter().enumerate() {
        if let Some(slot) = map.get(i).and_then(|&f| values.get_mut(f)) {
            *slot = v;
        }
    }
    values.into_iter().collect()
}

/// Parses features from `start` until one starts at or past `to`, or the array ends.
fn parse_chunk(text: &str, start: usize, to: usize) -> Chunk {
    let b = text.as_bytes();
    let mut fields = FieldMap::default();
    let mut features = Vec::new();
    let mut pos = start;
    let end = loop {
        let Some((f, after)) = value::<FeatureIn>(text, pos) else {
            break End::Failed;
        };
        let Ok(parsed) = f.into_parsed() else {
            break End::Failed;
        };
        let attrs = fields.attrs(&parsed.properties);
        features.push((attrs, parsed.id, parsed.geometry));
        pos = skip_ws(b, after);
        match b.get(pos) {
            Some(b',') => {
                pos = skip_ws(b, pos + 1);
                if b.get(pos) != Some(&b'{') {
                    break End::Failed;
                }
                if pos >= to {
                    break End::Next(pos);
                }
            }
            Some(b']') => break End::Array(pos + 1),
            _ => break End::Failed,
        }
    };
    Chunk {
        start: Some(start),
        to,
        fields: fields.names,
        features,
        end,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::parse_feature_collection_stream;
    use super::*;

    /// The layer as the sequential reader makes it, or its error.
    fn sequential(text: &str) -> String {
        format!("{:?}", parse_feature_collection_stream(text, None))
    }

    /// The layer as the parallel reader makes it in chunks of `chunk` bytes (`None`: left to
    /// the sequential reader).
    fn parallel(text: &str, chunk: usize) -> Option<String> {
        read_in_chunks(text, None, chunk, &|_| {}).map(|r| format!("{:?}", r.map(Some)))
    }

    fn square(x: f64) -> String {
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},0],[{x1},0],[{x1},1],[{x},0]]]}}"#,
            x1 = x + 1.0
        )
    }

    /// A collection of `n` features whose keys change order, gain a field halfway and repeat;
    /// one feature's property holds the text of a whole feature, one feature is long.
    fn collection(n: usize) -> String {
        let mut features = Vec::new();
        for i in 0..n {
            let props = match i % 5 {
                0 => format!(r#"{{"BSM":"{i}","DLMC":"水田"}}"#),
                1 => format!(r#"{{"DLMC":"旱地","BSM":"{i}"}}"#),
                2 if i > n / 2 => format!(r#"{{"BSM":"{i}","NEW":{i}.5,"DLMC":null}}"#),
                3 => format!(
                    r#"{{"BSM":"{i}","NOTE":"{{\"type\":\"Feature\",\"properties\":{{}},\"geometry\":null}}, {{\"type\":\"Feature\"}}"}}"#
                ),
                _ => format!(r#"{{"BSM":"{i}","BSM":"again {i}"}}"#),
            };
            let geometry = if i == n / 3 {
                // A long ring: one feature spanning several chunks.
                let pts: Vec<String> = (0..400)
                    .map(|k| format!("[{},{}]", k as f64 * 0.01, (k % 7) as f64))
                    .collect();
                format!(
                    r#"{{"type":"Polygon","coordinates":[[{},[0,0]]]}}"#,
                    pts.join(",")
                )
            } else if i % 11 == 10 {
                "null".to_string()
            } else {
                square(i as f64 * 2.0)
            };
            features.push(format!(
                r#"{{"type":"Feature","properties":{props},"geometry":{geometry}}}"#
            ));
        }
        format!(
            "{{\"type\":\"FeatureCollection\",\"name\":\"t\",\n\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::4549\"}}}},\n\"features\":[\n{}\n],\"extra\":[1,{{\"a\":2}}]}}\n",
            features.join(",\n")
        )
    }

    #[test]
    fn chunks_of_any_size_read_what_the_sequential_reader_reads() {
        let text = collection(120);
        let expected = sequential(&text);
        assert!(expected.contains("NEW"), "{expected}");
        for chunk in [1, 7, 64, 300, 1_000, 5_000, text.len()] {
            assert_eq!(
                parallel(&text, chunk).as_deref(),
                Some(expected.as_str()),
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn what_the_parallel_reader_cannot_read_is_left_to_the_sequential_one() {
        let text = collection(30);
        // Bad JSON in a feature, a trailing comma, a feature of another type, not a
        // collection, an empty array, trailing text: left alone (or, for the empty array,
        // read as the sequential reader reads it).
        let broken = text.replacen(r#""DLMC":"旱地""#, r#""DLMC":旱地"#, 1);
        let trailing = text.replacen("\n],", ",\n],", 1);
        let wrong_type = text.replacen(r#"{"type":"Feature","#, r#"{"type":"Feat","#, 2);
        let not_fc = text.replacen("FeatureCollection", "Feature", 1);
        let after = format!("{text} x");
        let twice = text.replacen(r#""extra":"#, r#""features":[],"extra":"#, 1);
        for t in [&broken, &trailing, &wrong_type, &not_fc, &after, &twice] {
            assert_eq!(parallel(t, 64), None);
        }
        let empty = r#"{"type":"FeatureCollection","features":[ ]}"#;
        assert_eq!(
            parallel(empty, 4).as_deref(),
            Some(sequential(empty).as_str())
        );
    }

    #[test]
    fn a_feature_nested_in_properties_never_passes_for_one_of_the_collection() {
        // A property whose value is itself a whole Feature followed by another property: a
        // chunk starting there guesses wrong, the chunk before it says where the next feature
        // really starts, and the guess is not used (the sequential reader takes over).
        let text = collection(40).replace(
            r#""DLMC":"旱地""#,
            r#""DLMC":"旱地","INNER":{"type":"Feature","properties":{},"geometry":null},"Z":1"#,
        );
        let expected = sequential(&text);
        assert!(expected.contains("INNER"), "{expected}");
        for chunk in [1, 7, 64, 300, 1_000] {
            if let Some(got) = parallel(&text, chunk) {
                assert_eq!(got, expected, "chunk {chunk}");
            }
        }
        assert_eq!(
            parallel(&text, text.len()).as_deref(),
            Some(expected.as_str())
        );
    }
}
