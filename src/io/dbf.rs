//! Reading dBASE (.dbf) attribute tables with every length checked, and choosing their text encoding.
//!
//! The whole file is read once; header counts are checked against the file size before anything is
//! allocated from them. Values come back as trimmed text, never parsed, so a bad value in one
//! column cannot fail a record, and numbers keep every digit the file holds.

use super::LoadError;
use crate::messages::io as msg;
use crate::model::Text;
use encoding_rs::Encoding;
use rayon::prelude::*;
use std::borrow::Cow;
use std::path::Path;

/// An attribute table as read from a `.dbf`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DbfTable {
    /// Field names, decoded with the table's encoding.
    pub fields: Vec<String>,
    /// One entry per record in file order; `None` for a record marked deleted (`*`).
    /// Each value is trimmed text, `None` when empty, blank or NULL.
    pub records: Vec<Option<crate::model::Attrs>>,
    /// The encoding used and why, e.g. "GBK (.cpg)" or "UTF-8 (valid UTF-8)".
    pub encoding: Text,
    /// Problems that did not stop the table (no file name in them; the caller adds it).
    pub warnings: Vec<Text>,
}

/// Reads the `.dbf` at `path`; `cpg` is the content of the sibling `.cpg` file, if there is one.
///
/// Errors name `path`: an unreadable or empty file, a truncated header, or a header whose
/// lengths and counts cannot describe this file.
pub fn read_dbf(path: &Path, cpg: Option<&str>) -> Result<DbfTable, LoadError> {
    read_dbf_rows(path, cpg, None)
}

/// Where an encoding label given to the reader comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelFrom {
    /// A `.cpg` file: it loses when the bytes contradict it (not valid in its encoding, clean
    /// in another).
    CpgFile,
    /// The review's `encoding_of`: the user's word, always used.
    Review,
}

/// Parses a `.dbf` already read into `bytes` (`path` names it in errors); see [`read_dbf_rows`].
pub fn parse_dbf_file(
    bytes: &[u8],
    path: &Path,
    label: Option<(&str, LabelFrom)>,
    wanted: Option<&[bool]>,
) -> Result<DbfTable, LoadError> {
    parse_dbf_labelled(bytes, label, wanted, &|_| {})
        .map_err(|message| LoadError::new(message, path))
}

/// [`parse_dbf_file`] of a file's bytes as mapped, letting the system take back the pages of
/// each run of records once it is decoded ([`crate::io::FileBytes::release`]).
pub fn parse_dbf_releasing(
    bytes: &crate::io::FileBytes,
    path: &Path,
    label: Option<(&str, LabelFrom)>,
    wanted: Option<&[bool]>,
) -> Result<DbfTable, LoadError> {
    parse_dbf_labelled(bytes, label, wanted, &|part| bytes.release(part))
        .map_err(|message| LoadError::new(message, path))
}

/// Like [`read_dbf`], but only the rows `wanted` marks are decoded; the others come back as
/// `Some(vec![])` (present, not deleted, values not read). Rows past the end of `wanted` are
/// decoded.
pub fn read_dbf_rows(
    path: &Path,
    cpg: Option<&str>,
    wanted: Option<&[bool]>,
) -> Result<DbfTable, LoadError> {
    let bytes = super::read_regular_file(path)?;
    parse_dbf_file(&bytes, path, cpg.map(|c| (c, LabelFrom::CpgFile)), wanted)
}

/// Size of the fixed part of a dBASE III header and of one field descriptor.
const HEADER_LEN: usize = 32;
const DESCRIPTOR_LEN: usize = 32;
/// Records decoded by one task.
const DECODE_CHUNK: usize = 8_192;
const HEADER_TERMINATOR: u8 = 0x0D;

/// One field descriptor, resolved to a byte range inside a record.
#[derive(Clone, Copy, Debug)]
struct FieldDesc {
    kind: u8,
    /// Offset of the value inside the record (the deletion flag is byte 0).
    offset: usize,
    len: usize,
}

impl FieldDesc {
    /// Visual FoxPro and dBASE 7 store some types as binary numbers; everything else is text.
    fn is_binary(&self) -> bool {
        match self.kind {
            b'I' | b'+' | b'0' => true,
            b'B' | b'O' | b'Y' | b'T' | b'@' => self.len == 8,
            b'M' | b'G' | b'P' => self.len == 4,
            _ => false,
        }
    }
}

fn le_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Parses a whole `.dbf` held in memory. The error is a plain message without the file name.
#[cfg(test)]
fn parse_dbf(bytes: &[u8], cpg: Option<&str>) -> Result<DbfTable, Text> {
    parse_dbf_labelled(bytes, cpg.map(|c| (c, LabelFrom::CpgFile)), None, &|_| {})
}

/// `release` is given each run of records once decoded.
fn parse_dbf_labelled(
    bytes: &[u8],
    label: Option<(&str, LabelFrom)>,
    wanted: Option<&[bool]>,
    release: &(dyn Fn(&[u8]) + Sync),
) -> Result<DbfTable, Text> {
    parse_dbf_inner(bytes, label, wanted, release, false).map(|(table, _)| table)
}

/// As [`parse_dbf_releasing`] with every row wanted, except that the values may stay in the
/// file: when its encoding is UTF-8 or GBK and no value would decode with a replacement
/// character (the encoding scan, which reads every value, shows it), each live row comes back
/// as an empty [`crate::model::Attrs`] and the values are decoded a row at a time from the
/// returned [`DeferredValues`], as this read would have decoded them. Otherwise every row is
/// decoded here (and the undecodable values are warned about as usual). For a large layer
/// whose features are mostly let go once placed: their values are never decoded.
pub fn parse_dbf_deferring(
    bytes: &std::sync::Arc<crate::io::FileBytes>,
    path: &Path,
    label: Option<(&str, LabelFrom)>,
) -> Result<(DbfTable, Option<DeferredValues>), LoadError> {
    let (table, layout) = parse_dbf_inner(bytes, label, None, &|part| bytes.release(part), true)
        .map_err(|message| LoadError::new(message, path))?;
    let values = layout.map(|layout| DeferredValues {
        bytes: std::sync::Arc::clone(bytes),
        layout,
    });
    Ok((table, values))
}

/// Where a `.dbf`'s rows and values are, and how they decode.
#[derive(Clone)]
struct RowLayout {
    /// Where record 0 starts, a record's length, and the number of records read.
    start: usize,
    record_len: usize,
    rows: usize,
    fields: Vec<FieldDesc>,
    encoding: &'static Encoding,
}

/// A `.dbf`'s values left in the file ([`parse_dbf_deferring`]), decoded a row at a time.
#[derive(Clone)]
pub struct DeferredValues {
    bytes: std::sync::Arc<crate::io::FileBytes>,
    layout: RowLayout,
}

impl std::fmt::Debug for DeferredValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DeferredValues({} rows, {})",
            self.layout.rows,
            self.layout.encoding.name()
        )
    }
}

impl DeferredValues {
    /// The bytes of row `index`, when the file has it.
    fn record(&self, index: usize) -> Option<&[u8]> {
        let l = &self.layout;
        if index >= l.rows {
            return None;
        }
        let at = l.start.checked_add(index.checked_mul(l.record_len)?)?;
        self.bytes.get(at..at.checked_add(l.record_len)?)
    }

    /// The values of row `index`, decoded as [`parse_dbf_releasing`] decodes them; `None` past
    /// the rows read, or for a row marked deleted.
    pub fn row(&self, index: usize) -> Option<crate::model::Attrs> {
        let rec = self.record(index)?;
        if rec.first() == Some(&b'*') {
            return None;
        }
        let l = &self.layout;
        // A builder and the text values decoded so far, kept by each thread from row to row:
        // a kept feature's row is one allocation, and a column of land-class or village names
        // (a few hundred values over a county's rows) is decoded once per value.
        thread_local! {
            static SCRATCH: std::cell::RefCell<RowScratch> =
                std::cell::RefCell::new(RowScratch::default());
        }
        // Nothing below asks for a row again while the scratch is borrowed.
        SCRATCH.with_borrow_mut(|scratch| {
            let RowScratch { values, decoded } = scratch;
            if decoded.len() != VALUE_SLOTS {
                decoded.resize_with(VALUE_SLOTS, || None);
            }
            for fd in &l.fields {
                let raw = rec.get(fd.offset..fd.offset + fd.len).unwrap_or(&[]);
                let trimmed = trim_bytes(raw);
                if fd.is_binary() || trimmed.is_ascii() {
                    values.push(field_value(fd, raw, l.encoding).0.as_deref());
                    continue;
                }
                // Text with bytes past ASCII: decoded as `field_value` decodes it, whatever
                // the field (its special values are ASCII), so the same bytes in the same
                // encoding give the same value.
                let slot = fnv_slot(trimmed, VALUE_SLOTS);
                match &decoded[slot] {
                    Some(d) if std::ptr::eq(d.encoding, l.encoding) && *d.raw == *trimmed => {
                        values.push(d.text.as_deref());
                    }
                    _ => {
                        let text = field_value(fd, raw, l.encoding).0;
                        values.push(text.as_deref());
                        decoded[slot] = Some(Decoded {
                            encoding: l.encoding,
                            raw: trimmed.into(),
                            text: text.map(|t| t.into_owned().into_boxed_str()),
                        });
                    }
                }
            }
            Some(values.finish())
        })
    }

    /// Lets the system take back the pages of rows `first..=last` (done with).
    pub fn release(&self, first: usize, last: usize) {
        if let (Some(a), Some(b)) = (self.record(first), self.record(last)) {
            let start = a.as_ptr() as usize - self.bytes.as_ptr() as usize;
            let end = b.as_ptr() as usize - self.bytes.as_ptr() as usize + b.len();
            if let Some(run) = self.bytes.get(start..end) {
                self.bytes.release(run);
            }
        }
    }
}

/// Slots of [`RowScratch::decoded`] and of the encoding scan's judged values.
const VALUE_SLOTS: usize = 1024;

/// What [`DeferredValues::row`] keeps on each thread between rows.
#[derive(Default)]
struct RowScratch {
    values: crate::model::AttrsBuilder,
    /// Text values decoded, by a hash of their trimmed bytes ([`fnv_slot`]); a slot holds the
    /// last value that fell in it.
    decoded: Vec<Option<Decoded>>,
}

/// A text value's trimmed bytes in an encoding, and the value [`field_value`] decodes them to.
struct Decoded {
    encoding: &'static Encoding,
    raw: Box<[u8]>,
    text: Option<Box<str>>,
}

/// The slot of `bytes` (FNV-1a) in a table of `slots` values kept by a hash of their bytes.
fn fnv_slot(bytes: &[u8], slots: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h as usize) % slots
}

/// One live record's values; `replaced` is told the field of each value that had undecodable
/// bytes (shown with U+FFFD).
fn decode_record(
    rec: &[u8],
    fields: &[FieldDesc],
    encoding: &'static Encoding,
    values: &mut crate::model::AttrsBuilder,
    mut replaced: impl FnMut(usize),
) -> crate::model::Attrs {
    for (f, fd) in fields.iter().enumerate() {
        let raw = rec.get(fd.offset..fd.offset + fd.len).unwrap_or(&[]);
        let (value, bad) = field_value(fd, raw, encoding);
        if bad {
            replaced(f);
        }
        values.push(value.as_deref());
    }
    values.finish()
}

/// [`parse_dbf_labelled`]; with `defer` (and every row wanted), the values may be left in the
/// file: the layout to decode them from is then returned and every live row is empty
/// ([`parse_dbf_deferring`]).
fn parse_dbf_inner(
    bytes: &[u8],
    label: Option<(&str, LabelFrom)>,
    wanted: Option<&[bool]>,
    release: &(dyn Fn(&[u8]) + Sync),
    defer: bool,
) -> Result<(DbfTable, Option<RowLayout>), Text> {
    let file_len = bytes.len();
    if file_len == 0 {
        return Err(msg::file_empty());
    }
    if file_len < HEADER_LEN {
        return Err(msg::truncated_dbf_header(file_len, HEADER_LEN));
    }
    let mut warnings = Vec::new();
    let version = bytes[0];
    if version == 0x04 || version == 0x8C {
        return Err(msg::dbase7_unsupported(version));
    }
    if !matches!(
        version,
        0x03 | 0x30 | 0x31 | 0x32 | 0x43 | 0x63 | 0x83 | 0x8B | 0xCB | 0xE5 | 0xF5 | 0xFB
    ) {
        warnings.push(msg::unusual_dbf_version(version));
    }
    let truncated = || msg::truncated_dbf_header(file_len, HEADER_LEN);
    let record_count = le_u32(bytes, 4).ok_or_else(truncated)? as u64;
    let header_len = le_u16(bytes, 8).ok_or_else(truncated)? as usize;
    let record_len = le_u16(bytes, 10).ok_or_else(truncated)? as usize;
    let ldid = bytes[29];

    if header_len < HEADER_LEN {
        return Err(msg::dbf_nonsense(
            format!("文件头长度 {header_len} 小于固定的 {HEADER_LEN} 字节"),
            format!("header length {header_len} is shorter than the fixed {HEADER_LEN} bytes"),
        ));
    }
    if header_len > file_len {
        return Err(msg::dbf_header_longer_than_file(header_len, file_len));
    }

    // Field descriptors: 32 bytes each from offset 32 until 0x0D or the end of the header.
    // A header length that counts bytes after the terminator (Visual FoxPro's backlink, padding)
    // is fine; a descriptor that does not fit in the header is ignored, as shapelib does.
    struct RawDesc {
        name: std::ops::Range<usize>,
        kind: u8,
        len_lo: u8,
        len_hi: u8,
    }
    let mut descs = Vec::new();
    let mut pos = HEADER_LEN;
    while let Some(d) = bytes.get(pos..pos.saturating_add(DESCRIPTOR_LEN)) {
        if pos + DESCRIPTOR_LEN > header_len || d[0] == HEADER_TERMINATOR {
            break;
        }
        let name_len = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
        descs.push(RawDesc {
            name: pos..pos + name_len,
            kind: d[11].to_ascii_uppercase(),
            len_lo: d[16],
            len_hi: d[17],
        });
        pos += DESCRIPTOR_LEN;
    }

    // Field widths. Some writers (Clipper, FoxPro) store wide character fields as
    // length + 256 × "decimal count"; use that reading only when it matches the record length.
    let plain: usize = descs.iter().map(|d| d.len_lo as usize).sum();
    let wide: usize = descs
        .iter()
        .map(|d| {
            if d.kind == b'C' {
                d.len_lo as usize + 256 * d.len_hi as usize
            } else {
                d.len_lo as usize
            }
        })
        .sum();
    let use_wide = plain + 1 != record_len && wide + 1 == record_len;
    let mut fields_desc = Vec::with_capacity(descs.len());
    let mut offset = 1usize;
    for d in &descs {
        let len = if use_wide && d.kind == b'C' {
            d.len_lo as usize + 256 * d.len_hi as usize
        } else {
            d.len_lo as usize
        };
        fields_desc.push(FieldDesc {
            kind: d.kind,
            offset,
            len,
        });
        offset += len;
    }
    let used_len = offset;
    // A field of width 0 holds nothing, and thousands of them would make every record a vector
    // of thousands of values from a few bytes of file: the file is damaged.
    let zero_width: Vec<usize> = (0..fields_desc.len())
        .filter(|&i| fields_desc.get(i).is_some_and(|f| f.len == 0))
        .collect();
    if let Some(&first) = zero_width.first() {
        let name = descs
            .get(first)
            .and_then(|d| bytes.get(d.name.clone()))
            .map(|b| String::from_utf8_lossy(b).trim().to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("FIELD{}", first + 1));
        return Err(msg::zero_width_fields(zero_width.len(), &name));
    }
    if record_count > 0 && record_len == 0 {
        return Err(msg::dbf_nonsense(
            "记录长度为 0".to_string(),
            "record length 0".to_string(),
        ));
    }
    if used_len > record_len && record_count > 0 {
        let n = fields_desc.len();
        return Err(msg::dbf_nonsense(
            format!("{n} 个字段每条记录占 {used_len} 字节，而一条记录只有 {record_len} 字节"),
            format!(
                "the {n} fields take {used_len} bytes per record but a record is {record_len} bytes"
            ),
        ));
    }

    // Records: never trust the count beyond what the file holds.
    let data_len = (file_len - header_len) as u64;
    let complete = if record_len == 0 {
        0
    } else {
        data_len / record_len as u64
    };
    let n_records = if record_count > complete {
        if complete.saturating_mul(2) >= record_count {
            warnings.push(msg::dbf_count_short(record_count, complete));
            complete
        } else {
            return Err(msg::dbf_nonsense(
                format!("它声明 {record_count} 条 {record_len} 字节的记录，而文件只有 {data_len} 字节的记录数据（被截断，或不是 DBF 文件）"),
                format!("it says {record_count} records of {record_len} bytes but the file has only {data_len} bytes of records (truncated, or not a DBF file)"),
            ));
        }
    } else {
        if record_len > 1 && complete > record_count {
            warnings.push(msg::dbf_extra_records(
                complete - record_count,
                record_count,
            ));
        }
        record_count
    };
    // n_records ≤ data_len / record_len, so this fits in memory terms: the file is already there.
    let n_records = usize::try_from(n_records)
        .map_err(|_| msg::dbf_nonsense("文件过大".to_string(), "DBF too large".to_string()))?;
    let data = bytes.get(header_len..).unwrap_or(&[]);
    // `chunks_exact` needs a non-zero size; with record_len 0 there are no records (checked above).

    // Encoding.
    let names: Vec<&[u8]> = descs
        .iter()
        .map(|d| bytes.get(d.name.clone()).unwrap_or(&[]))
        .collect();
    // The scan runs over runs of records in parallel; its counts add up.
    let live = data
        .get(..n_records.saturating_mul(record_len))
        .unwrap_or(data);
    let scan = live
        .par_chunks(record_len.max(1) * DECODE_CHUNK)
        .enumerate()
        .map(|(c, run)| {
            // The rows marked deleted are listed when the values may be left in the file (the
            // rows are not read again then).
            let scan = TextScan::new(
                &[],
                &fields_desc,
                run.chunks_exact(record_len.max(1)),
                defer.then_some(c * DECODE_CHUNK),
            );
            // Read again (mapped again) when decoded, below.
            release(run);
            scan
        })
        .reduce(
            || TextScan::new(&[], &fields_desc, std::iter::empty(), None),
            TextScan::merge,
        );
    let scan = TextScan::merge(
        TextScan::new(&names, &fields_desc, std::iter::empty(), None),
        scan,
    );
    let (encoding, encoding_label) = resolve_encoding(label, ldid, &scan, &mut warnings);

    // Field names.
    let mut fields = Vec::with_capacity(descs.len());
    for (i, d) in descs.iter().enumerate() {
        let raw = bytes.get(d.name.clone()).unwrap_or(&[]);
        let (name, _) = encoding.decode_without_bom_handling(raw);
        let name = name.trim().to_string();
        if name.is_empty() {
            warnings.push(msg::dbf_field_without_name(i + 1));
            fields.push(format!("FIELD{}", i + 1));
        } else {
            fields.push(name);
        }
    }

    // Values left in the file: only where decoding them later gives what decoding them now
    // would, warnings included (no value with a replacement character: nothing to warn about).
    let clean = (encoding == encoding_rs::UTF_8 && scan.questionable_utf8 == 0)
        || (encoding == encoding_rs::GB18030 && scan.questionable_gbk == 0);
    let deferring = defer && clean && wanted.is_none();
    let records = if deferring {
        let mut records = vec![Some(crate::model::Attrs::default()); n_records];
        for &i in &scan.deleted {
            if let Some(row) = records.get_mut(i) {
                *row = None;
            }
        }
        records
    } else {
        let rows = Rows {
            live,
            record_len,
            fields: &fields_desc,
            encoding,
            wanted,
        };
        rows.decode(n_records, release, &fields, &mut warnings)
    };
    let table = DbfTable {
        fields,
        records,
        encoding: msg::encoding_note(display_name(encoding), encoding_label),
        warnings,
    };
    let layout = deferring.then_some(RowLayout {
        start: header_len,
        record_len,
        rows: n_records,
        fields: fields_desc,
        encoding,
    });
    Ok((table, layout))
}

/// A `.dbf`'s live records and how to decode them.
struct Rows<'a> {
    live: &'a [u8],
    record_len: usize,
    fields: &'a [FieldDesc],
    encoding: &'static Encoding,
    /// Rows marked `false` come back empty (present, values not read).
    wanted: Option<&'a [bool]>,
}

impl Rows<'_> {
    /// Every row's values (`None` for a row marked deleted), runs of records decoded in
    /// parallel and joined in file order; `release` is given each run once decoded. Undecodable
    /// values are warned about per field (`names`), with their count and first record.
    fn decode(
        &self,
        n_records: usize,
        release: &(dyn Fn(&[u8]) + Sync),
        names: &[String],
        warnings: &mut Vec<Text>,
    ) -> Vec<Option<crate::model::Attrs>> {
        type Row = Option<crate::model::Attrs>;
        /// A run's rows and, per field, (count, first record) of undecodable values.
        type Run = (Vec<Row>, Vec<(usize, usize)>);
        let record_len = self.record_len.max(1);
        let runs: Vec<Run> = self
            .live
            .par_chunks(record_len * DECODE_CHUNK)
            .enumerate()
            .map(|(c, run)| {
                let mut bad_text: Vec<(usize, usize)> = vec![(0, 0); self.fields.len()];
                let mut records: Vec<Row> = Vec::with_capacity(DECODE_CHUNK);
                let mut values = crate::model::AttrsBuilder::default();
                for (k, rec) in run.chunks_exact(record_len).enumerate() {
                    let i = c * DECODE_CHUNK + k;
                    if rec.first() == Some(&b'*') {
                        records.push(None);
                        continue;
                    }
                    if self.wanted.is_some_and(|w| w.get(i) == Some(&false)) {
                        records.push(Some(crate::model::Attrs::default()));
                        continue;
                    }
                    let attrs = decode_record(rec, self.fields, self.encoding, &mut values, |f| {
                        if let Some(slot) = bad_text.get_mut(f) {
                            if slot.0 == 0 {
                                slot.1 = i;
                            }
                            slot.0 += 1;
                        }
                    });
                    records.push(Some(attrs));
                }
                release(run);
                (records, bad_text)
            })
            .collect();
        let mut bad_text: Vec<(usize, usize)> = vec![(0, 0); self.fields.len()];
        let mut records = Vec::with_capacity(n_records);
        for (rows, bad) in runs {
            records.extend(rows);
            for (slot, (count, first)) in bad_text.iter_mut().zip(bad) {
                if slot.0 == 0 {
                    slot.1 = first;
                }
                slot.0 += count;
            }
        }
        for (f, (count, first)) in bad_text.iter().enumerate() {
            if *count > 0 {
                let name = names.get(f).map(String::as_str).unwrap_or("?");
                warnings.push(msg::bad_text_values(
                    name,
                    *count,
                    display_name(self.encoding),
                    *first,
                ));
            }
        }
        records
    }
}

/// What the text bytes of the file look like, for choosing an encoding.
struct TextScan {
    all_ascii: bool,
    valid_utf8: bool,
    /// Non-ASCII names and values that are not valid UTF-8.
    invalid_utf8: usize,
    /// Non-ASCII names and values that are not valid GBK (GB18030).
    invalid_gbk: usize,
    /// Non-ASCII names and values that decoded as UTF-8 would hold a replacement character
    /// (U+FFFD): not valid UTF-8, cut short included, or holding U+FFFD itself.
    questionable_utf8: usize,
    /// The same decoded as GBK (GB18030, where U+FFFD is the bytes 84 31 A4 37).
    questionable_gbk: usize,
    /// Rows marked deleted (record numbers), when the scan is asked for them.
    deleted: Vec<usize>,
}

impl TextScan {
    /// Looks at field names and every text value of every live record.
    /// With `deleted_from` (the record number of the first of `records`), the records marked
    /// deleted are listed too.
    fn new<'a>(
        names: &[&[u8]],
        fields: &[FieldDesc],
        records: impl Iterator<Item = &'a [u8]>,
        deleted_from: Option<usize>,
    ) -> TextScan {
        let mut scan = TextScan {
            all_ascii: true,
            valid_utf8: true,
            invalid_utf8: 0,
            invalid_gbk: 0,
            questionable_utf8: 0,
            questionable_gbk: 0,
            deleted: Vec::new(),
        };
        // What a value says about the encodings (bits: questionable as UTF-8, invalid UTF-8,
        // invalid GBK, questionable as GBK); a value of ASCII only says nothing.
        const Q_UTF8: u8 = 1;
        const BAD_UTF8: u8 = 2;
        const BAD_GBK: u8 = 4;
        const Q_GBK: u8 = 8;
        let judge = |s: &[u8]| -> u8 {
            let mut flags = 0;
            // A value cut in the middle of its last character by a careless writer still
            // counts as UTF-8 (it decodes with one replacement character, and a warning).
            match std::str::from_utf8(s) {
                Ok(text) => {
                    if text.contains('\u{FFFD}') {
                        flags |= Q_UTF8;
                    }
                }
                Err(e) => {
                    flags |= Q_UTF8;
                    if e.error_len().is_some() {
                        flags |= BAD_UTF8;
                    }
                }
            }
            if !decodes_as_gb18030(s) {
                flags |= BAD_GBK | Q_GBK;
            } else if s.windows(4).any(|w| w == [0x84, 0x31, 0xA4, 0x37]) {
                flags |= Q_GBK;
            }
            flags
        };
        let count = |scan: &mut TextScan, flags: u8| {
            scan.all_ascii = false;
            if flags & Q_UTF8 != 0 {
                scan.questionable_utf8 += 1;
            }
            if flags & BAD_UTF8 != 0 {
                scan.valid_utf8 = false;
                scan.invalid_utf8 += 1;
            }
            if flags & BAD_GBK != 0 {
                scan.invalid_gbk += 1;
            }
            if flags & Q_GBK != 0 {
                scan.questionable_gbk += 1;
            }
        };
        // The values judged so far, by a hash of their bytes: a column of land-class or
        // township names repeats a few hundred values over a county's 80,000 rows, each judged
        // once (two decodings each) instead of on every row.
        let mut judged: Vec<Option<(&'a [u8], u8)>> = vec![None; VALUE_SLOTS];
        let slot = |s: &[u8]| fnv_slot(s, VALUE_SLOTS);
        let mut look = |scan: &mut TextScan, s: &'a [u8]| {
            let s = trim_bytes(s);
            if s.is_ascii() {
                return;
            }
            let k = slot(s);
            let flags = match judged[k] {
                Some((seen, flags)) if seen == s => flags,
                _ => {
                    let flags = judge(s);
                    judged[k] = Some((s, flags));
                    flags
                }
            };
            count(scan, flags);
        };
        for name in names {
            let name = trim_bytes(name);
            if !name.is_ascii() {
                count(&mut scan, judge(name));
            }
        }
        for (k, rec) in records.enumerate() {
            if rec.first() == Some(&b'*') {
                if let Some(first) = deleted_from {
                    scan.deleted.push(first + k);
                }
                continue;
            }
            for fd in fields.iter().filter(|f| !f.is_binary()) {
                look(
                    &mut scan,
                    rec.get(fd.offset..fd.offset + fd.len).unwrap_or(&[]),
                );
            }
        }
        scan
    }

    /// The scan of two sets of values together.
    fn merge(a: TextScan, mut b: TextScan) -> TextScan {
        let mut deleted = a.deleted;
        deleted.append(&mut b.deleted);
        TextScan {
            all_ascii: a.all_ascii && b.all_ascii,
            valid_utf8: a.valid_utf8 && b.valid_utf8,
            invalid_utf8: a.invalid_utf8 + b.invalid_utf8,
            invalid_gbk: a.invalid_gbk + b.invalid_gbk,
            questionable_utf8: a.questionable_utf8 + b.questionable_utf8,
            questionable_gbk: a.questionable_gbk + b.questionable_gbk,
            deleted,
        }
    }
}

/// Name shown to users: GB18030 (used to decode, a superset) is reported as GBK.
fn display_name(encoding: &'static Encoding) -> &'static str {
    if encoding == encoding_rs::GB18030 || encoding == encoding_rs::GBK {
        "GBK"
    } else {
        encoding.name()
    }
}

/// Chooses the encoding: the review's `encoding_of`, then the `.cpg` (unless the bytes
/// contradict it: not valid in its encoding but clean in the other of UTF-8 / GBK), then the
/// language driver byte, then UTF-8 if the text is valid UTF-8, else GBK. Returns the encoding
/// and the reason.
fn resolve_encoding(
    label: Option<(&str, LabelFrom)>,
    ldid: u8,
    scan: &TextScan,
    warnings: &mut Vec<Text>,
) -> (&'static Encoding, msg::EncodingReason) {
    use msg::EncodingReason as R;
    if let Some((cpg, from)) = label {
        let label = cpg.trim_start_matches('\u{feff}').trim();
        if label.is_empty() {
            warnings.push(msg::cpg_empty());
        } else if let Some(enc) = encoding_for_cpg(label) {
            if from == LabelFrom::Review {
                return (enc, R::Review);
            }
            let utf8 = enc == encoding_rs::UTF_8;
            let gbk = enc == encoding_rs::GB18030;
            if utf8 && scan.invalid_utf8 > 0 && scan.invalid_gbk == 0 {
                warnings.push(msg::cpg_contradicted(label, scan.invalid_utf8, "GBK"));
                return (encoding_rs::GB18030, R::CpgContradicted);
            }
            if gbk && scan.invalid_gbk > 0 && scan.valid_utf8 {
                warnings.push(msg::cpg_contradicted(label, scan.invalid_gbk, "UTF-8"));
                return (encoding_rs::UTF_8, R::CpgContradicted);
            }
            return (enc, R::Cpg);
        } else {
            warnings.push(msg::cpg_unknown(label));
        }
    }
    match encoding_for_ldid(ldid) {
        Ldid::None => {}
        Ldid::Known(enc) => {
            return (enc, R::Ldid(ldid));
        }
        Ldid::Unsupported(code_page) => {
            if !scan.all_ascii {
                warnings.push(msg::ldid_unsupported(ldid, code_page));
            }
        }
        Ldid::Unknown => {
            if !scan.all_ascii {
                warnings.push(msg::ldid_unknown(ldid));
            }
        }
    }
    if scan.valid_utf8 {
        (encoding_rs::UTF_8, R::ValidUtf8)
    } else {
        (encoding_rs::GB18030, R::Fallback)
    }
}

/// Encoding for a `.cpg` label, matched case-insensitively; `None` when unknown.
pub(crate) fn encoding_for_cpg(label: &str) -> Option<&'static Encoding> {
    let upper = label.to_ascii_uppercase();
    let compact: String = upper
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .collect();
    match compact.as_str() {
        "UTF8" | "65001" | "CP65001" => return Some(encoding_rs::UTF_8),
        "GBK" | "936" | "CP936" | "GB2312" | "GB18030" | "ANSI936" | "WINDOWS936" | "MS936"
        | "20936" | "54936" | "EUCCN" => return Some(encoding_rs::GB18030),
        "LATIN1" | "ISO88591" | "1252" | "CP1252" | "ANSI1252" | "WINDOWS1252" | "28591" => {
            return Some(encoding_rs::WINDOWS_1252)
        }
        _ => {}
    }
    // Other code pages by number ("950", "CP932", "ANSI 1251", "windows-1250").
    let digits = compact
        .trim_start_matches("ANSI")
        .trim_start_matches("WINDOWS")
        .trim_start_matches("CP");
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.parse().ok().and_then(encoding_for_code_page);
    }
    // Any other WHATWG label encoding_rs knows ("big5", "shift_jis", "iso-8859-2", …).
    Encoding::for_label_no_replacement(label.as_bytes()).filter(|e| {
        *e != encoding_rs::UTF_16LE
            && *e != encoding_rs::UTF_16BE
            && *e != encoding_rs::X_USER_DEFINED
    })
}

/// Encoding for a Windows code page number, among those encoding_rs supports.
fn encoding_for_code_page(code_page: u32) -> Option<&'static Encoding> {
    Some(match code_page {
        65001 => encoding_rs::UTF_8,
        936 | 20936 | 54936 => encoding_rs::GB18030,
        950 => encoding_rs::BIG5,
        932 => encoding_rs::SHIFT_JIS,
        949 => encoding_rs::EUC_KR,
        874 => encoding_rs::WINDOWS_874,
        866 => encoding_rs::IBM866,
        1250 => encoding_rs::WINDOWS_1250,
        1251 => encoding_rs::WINDOWS_1251,
        1252 | 28591 => encoding_rs::WINDOWS_1252,
        1253 => encoding_rs::WINDOWS_1253,
        1254 => encoding_rs::WINDOWS_1254,
        1255 => encoding_rs::WINDOWS_1255,
        1256 => encoding_rs::WINDOWS_1256,
        1257 => encoding_rs::WINDOWS_1257,
        1258 => encoding_rs::WINDOWS_1258,
        28592 => encoding_rs::ISO_8859_2,
        28595 => encoding_rs::ISO_8859_5,
        28597 => encoding_rs::ISO_8859_7,
        10000 => encoding_rs::MACINTOSH,
        _ => return None,
    })
}

enum Ldid {
    /// 0x00, or 0x57 ("ANSI": whatever the writer's Windows code page was, so it says nothing).
    None,
    Known(&'static Encoding),
    /// A code page encoding_rs cannot decode (437, 850, …).
    Unsupported(u32),
    Unknown,
}

/// Meaning of the language driver byte (offset 29), after ESRI's and GDAL's tables.
fn encoding_for_ldid(ldid: u8) -> Ldid {
    let code_page = match ldid {
        0x00 | 0x57 => return Ldid::None,
        0x01 | 0x09 | 0x0B | 0x0D | 0x0F | 0x11 | 0x15 | 0x18 | 0x19 | 0x1B => 437,
        0x02 | 0x0A | 0x0E | 0x10 | 0x12 | 0x14 | 0x16 | 0x17 | 0x1A | 0x1D | 0x1F | 0x25
        | 0x37 | 0x40 => 850,
        0x03 | 0x58 | 0x59 => 1252,
        0x04 => 10000,
        0x08 | 0x66 => 865,
        0x13 | 0x7B => 932,
        0x1C => 863,
        0x22 | 0x23 | 0x64 => 852,
        0x24 | 0x67 => 861,
        0x26 | 0x65 => 866,
        0x4D | 0x7A => 936,
        0x4E | 0x79 => 949,
        0x4F | 0x78 => 950,
        0x50 | 0x7C => 874,
        0x68 => 895,
        0x6A | 0x86 => 737,
        0x6B | 0x88 => 857,
        0x7D => 1255,
        0x7E => 1256,
        0x87 => 852,
        0x96 => 10007,
        0xC8 => 1250,
        0xC9 => 1251,
        0xCA => 1254,
        0xCB => 1253,
        0xCC => 1257,
        _ => return Ldid::Unknown,
    };
    match code_page {
        10007 => Ldid::Known(encoding_rs::X_MAC_CYRILLIC),
        cp => encoding_for_code_page(cp).map_or(Ldid::Unsupported(cp), Ldid::Known),
    }
}

/// Trims spaces and NULs from both ends of a raw value.
fn trim_bytes(raw: &[u8]) -> &[u8] {
    let start = raw
        .iter()
        .position(|&b| b != b' ' && b != 0)
        .unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|&b| b != b' ' && b != 0)
        .map_or(start, |p| p + 1);
    raw.get(start..end).unwrap_or(&[])
}

/// Whether `s` is valid GB18030 (GBK is a part of it), decoded into a buffer on the stack.
fn decodes_as_gb18030(s: &[u8]) -> bool {
    use encoding_rs::DecoderResult;
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut buf = [0u8; 1024];
    let mut rest = s;
    loop {
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(rest, &mut buf, true);
        match result {
            DecoderResult::InputEmpty => return true,
            DecoderResult::Malformed(..) => return false,
            DecoderResult::OutputFull => rest = rest.get(read..).unwrap_or(&[]),
        }
    }
}

/// Decodes one value; the flag says the text had undecodable bytes (U+FFFD).
fn field_value<'a>(
    fd: &FieldDesc,
    raw: &'a [u8],
    encoding: &'static Encoding,
) -> (Option<Cow<'a, str>>, bool) {
    if fd.is_binary() {
        return (binary_value(fd.kind, raw).map(Cow::Owned), false);
    }
    let trimmed = trim_bytes(raw);
    if trimmed.is_empty() {
        return (None, false);
    }
    match fd.kind {
        b'D' if trimmed.iter().all(|&b| b == b'0') => return (None, false),
        b'L' if trimmed == b"?" => return (None, false),
        _ => {}
    }
    // ASCII (codes, numbers): the same text in every ASCII-compatible encoding, nothing to
    // replace, and trimmed of spaces already.
    if encoding.is_ascii_compatible() && trimmed.is_ascii() {
        if let Ok(t) = std::str::from_utf8(trimmed) {
            let t = t.trim();
            return if t.is_empty() {
                (None, false)
            } else {
                (Some(Cow::Borrowed(t)), false)
            };
        }
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(trimmed);
    let replaced = had_errors || text.contains('\u{FFFD}');
    let t = text.trim();
    if t.is_empty() {
        (None, replaced)
    } else if t.len() == text.len() {
        (Some(text), replaced)
    } else {
        (Some(Cow::Owned(t.to_string())), replaced)
    }
}

/// Visual FoxPro binary values as text; `None` for values that have no text form.
fn binary_value(kind: u8, raw: &[u8]) -> Option<String> {
    let b4 = |raw: &[u8]| -> Option<[u8; 4]> { raw.get(..4)?.try_into().ok() };
    let b8 = |raw: &[u8]| -> Option<[u8; 8]> { raw.get(..8)?.try_into().ok() };
    match kind {
        b'I' | b'+' => Some(i32::from_le_bytes(b4(raw)?).to_string()),
        b'M' | b'G' | b'P' => {
            let block = i32::from_le_bytes(b4(raw)?);
            (block != 0).then(|| block.to_string())
        }
        b'B' | b'O' => {
            let v = f64::from_le_bytes(b8(raw)?);
            v.is_finite().then(|| v.to_string())
        }
        b'Y' => {
            let v = i64::from_le_bytes(b8(raw)?);
            let sign = if v < 0 { "-" } else { "" };
            let a = v.unsigned_abs();
            Some(format!("{sign}{}.{:04}", a / 10000, a % 10000))
        }
        b'T' => {
            let b = b8(raw)?;
            let day = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let ms = i32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            if day == 0 || !(0..86_400_000).contains(&ms) {
                return None;
            }
            // Julian day 2440588 is 1970-01-01.
            let (y, m, d) = civil_from_days(i64::from(day) - 2_440_588);
            let s = ms / 1000;
            Some(format!(
                "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
                s / 3600,
                s / 60 % 60,
                s % 60
            ))
        }
        _ => None,
    }
}

/// Year, month, day of the day `days` after 1970-01-01 (proleptic Gregorian; H. Hinnant's method).
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Every occurrence of a value counts in the scan, whether it was judged on that row or
    /// found judged already (3,000 rows repeating a few values, some valid UTF-8, some GBK,
    /// some neither, plus 600 distinct GBK values: more than the table of judged values holds).
    #[test]
    fn the_scan_counts_every_occurrence_of_a_repeated_value() {
        let (gbk, _, _) = encoding_rs::GBK.encode("水田");
        let utf8 = "水田".as_bytes().to_vec();
        let broken = vec![0xff, 0xfe, 0x41];
        let field = FieldDesc {
            kind: b'C',
            offset: 1,
            len: 16,
        };
        let row = |v: &[u8]| {
            let mut r = vec![b' '; 17];
            r[1..1 + v.len()].copy_from_slice(v);
            r
        };
        let mut rows: Vec<Vec<u8>> = Vec::new();
        for i in 0..3000 {
            rows.push(row(match i % 3 {
                0 => &gbk,
                1 => &utf8,
                _ => &broken,
            }));
        }
        for i in 0..600 {
            let name = format!("乡镇{i}");
            let (v, _, _) = encoding_rs::GBK.encode(&name);
            rows.push(row(&v));
        }
        let scan = TextScan::new(&[], &[field], rows.iter().map(Vec::as_slice), None);
        // Judged one by one, as the scan did before it kept judged values.
        let (mut invalid_utf8, mut invalid_gbk) = (0, 0);
        for r in &rows {
            let v = trim_bytes(&r[1..17]);
            invalid_utf8 += usize::from(std::str::from_utf8(v).is_err());
            invalid_gbk += usize::from(!decodes_as_gb18030(v));
        }
        assert_eq!(invalid_utf8, 1000 + 1000 + 600);
        assert_eq!(scan.invalid_utf8, invalid_utf8);
        assert_eq!(scan.questionable_utf8, invalid_utf8);
        assert_eq!(scan.invalid_gbk, invalid_gbk);
        assert!(invalid_gbk >= 1000, "{invalid_gbk}");
        assert!(!scan.all_ascii && !scan.valid_utf8);
    }

    /// The scan's GB18030 test agrees with decoding into a string, on valid and broken text,
    /// and on text longer than its buffer.
    #[test]
    fn gb18030_test_without_allocation_agrees_with_decoding() {
        let (gbk, _, _) = encoding_rs::GBK.encode("永久基本农田 浙江省杭州市余杭区");
        let long: Vec<u8> = gbk.iter().copied().cycle().take(gbk.len() * 60).collect();
        let mut cut = gbk.to_vec();
        cut.pop();
        let cases: Vec<Vec<u8>> = vec![
            gbk.to_vec(),
            long.clone(),
            cut,
            vec![0x81, 0x20],
            vec![0xff, 0xfe, 0x41],
            b"plain".to_vec(),
            [long.as_slice(), &[0x81]].concat(),
            "永久".as_bytes().to_vec(),
        ];
        for c in cases {
            let by_decoding = encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(&c)
                .is_some();
            assert_eq!(decodes_as_gb18030(&c), by_decoding, "{c:?}");
        }
    }

    /// A field for `make_dbf`: name bytes, type, width, decimals.
    type F<'a> = (&'a [u8], u8, u8, u8);

    /// Builds a dBASE III file by hand (independently of our writer).
    fn make_dbf(fields: &[F], records: &[(u8, Vec<&[u8]>)], ldid: u8) -> Vec<u8> {
        let header_len = 32 + 32 * fields.len() + 1;
        let record_len = 1 + fields.iter().map(|f| f.2 as usize).sum::<usize>();
        let mut out = vec![0x03, 124, 1, 31];
        out.extend_from_slice(&(records.len() as u32).to_le_bytes());
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
        out.extend_from_slice(&(record_len as u16).to_le_bytes());
        out.extend_from_slice(&[0; 17]);
        out.push(ldid);
        out.extend_from_slice(&[0; 2]);
        for (name, kind, width, decimals) in fields {
            let mut d = [0u8; 32];
            d[..name.len()].copy_from_slice(name);
            d[11] = *kind;
            d[16] = *width;
            d[17] = *decimals;
            out.extend_from_slice(&d);
        }
        out.push(0x0D);
        for (flag, values) in records {
            out.push(*flag);
            for (f, v) in fields.iter().zip(values) {
                let mut cell = v.to_vec();
                cell.resize(f.2 as usize, b' ');
                out.extend_from_slice(&cell);
            }
        }
        out.push(0x1A);
        out
    }

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    fn zones_dbf(ldid: u8) -> Vec<u8> {
        let name = gbk("名称");
        let v1 = gbk("萧山经济技术开发区");
        let v2 = gbk("杭州钱塘新区");
        make_dbf(
            &[(&name, b'C', 40, 0), (b"CODE", b'N', 10, 0)],
            &[(b' ', vec![&v1, b"1"]), (b' ', vec![&v2, b"2"])],
            ldid,
        )
    }

    fn values(t: &DbfTable, i: usize) -> Vec<Option<String>> {
        t.records[i].clone().unwrap().to_vec()
    }

    #[test]
    fn gbk_without_cpg_or_ldid_falls_back_to_gbk() {
        let t = parse_dbf(&zones_dbf(0), None).unwrap();
        assert_eq!(t.encoding.en, "GBK (fallback: not valid UTF-8)");
        assert_eq!(t.fields, vec!["名称", "CODE"]);
        assert_eq!(
            values(&t, 0),
            vec![
                Some("萧山经济技术开发区".to_string()),
                Some("1".to_string())
            ]
        );
        assert_eq!(values(&t, 1)[0].as_deref(), Some("杭州钱塘新区"));
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    }

    #[test]
    fn cpg_labels_are_matched_case_insensitively() {
        for label in [
            "GB2312",
            " gbk\r\n",
            "936",
            "ANSI 936",
            "cp_936",
            "GB18030",
            "\u{feff}GBK",
        ] {
            let t = parse_dbf(&zones_dbf(0), Some(label)).unwrap();
            assert_eq!(t.encoding.en, "GBK (.cpg)", "{label:?}");
            assert_eq!(values(&t, 0)[0].as_deref(), Some("萧山经济技术开发区"));
        }
        // A UTF-8 label over these GBK bytes is contradicted by them (see below).
        for label in ["UTF-8", "utf8", "65001"] {
            let t = parse_dbf(&zones_dbf(0), Some(label)).unwrap();
            assert_eq!(
                t.encoding.en, "GBK (the bytes contradict the .cpg)",
                "{label:?}"
            );
        }
        for label in ["latin1", "ISO-8859-1", "1252", "CP1252"] {
            let t = parse_dbf(&zones_dbf(0), Some(label)).unwrap();
            assert_eq!(t.encoding.en, "windows-1252 (.cpg)", "{label:?}");
        }
    }

    #[test]
    fn language_driver_byte_gives_gbk() {
        for ldid in [0x4D, 0x7A] {
            let t = parse_dbf(&zones_dbf(ldid), None).unwrap();
            assert_eq!(
                t.encoding.en,
                format!("GBK (DBF language driver 0x{ldid:02X})")
            );
            assert_eq!(values(&t, 1)[0].as_deref(), Some("杭州钱塘新区"));
        }
        // 0x57 ("ANSI") names no code page: fall through to the content test.
        let t = parse_dbf(&zones_dbf(0x57), None).unwrap();
        assert_eq!(t.encoding.en, "GBK (fallback: not valid UTF-8)");
    }

    #[test]
    fn unknown_cpg_warns_and_falls_through() {
        let t = parse_dbf(&zones_dbf(0x4D), Some("KLINGON")).unwrap();
        assert_eq!(t.encoding.en, "GBK (DBF language driver 0x4D)");
        assert!(
            t.warnings.iter().any(|w| w.contains("KLINGON")),
            "{:?}",
            t.warnings
        );
    }

    #[test]
    fn utf8_without_cpg_is_utf8() {
        let name = "名称".as_bytes();
        let v = "萧山经济技术开发区".as_bytes();
        let bytes = make_dbf(&[(name, b'C', 40, 0)], &[(b' ', vec![v])], 0);
        let t = parse_dbf(&bytes, None).unwrap();
        assert_eq!(t.encoding.en, "UTF-8 (valid UTF-8)");
        assert_eq!(t.fields, vec!["名称"]);
        assert_eq!(values(&t, 0)[0].as_deref(), Some("萧山经济技术开发区"));
    }

    #[test]
    fn records_decoded_in_parallel_runs_keep_file_order_and_the_first_bad_record() {
        // Three decode runs and a bit: values are the record numbers; three values cut in the
        // middle of a character, in the second and third runs.
        let n = 3 * DECODE_CHUNK + 5;
        let full = "萧山经济".as_bytes();
        let numbers: Vec<Vec<u8>> = (0..n).map(|i| i.to_string().into_bytes()).collect();
        let bad = [DECODE_CHUNK + 7, 2 * DECODE_CHUNK + 1, 3 * DECODE_CHUNK + 4];
        let records: Vec<(u8, Vec<&[u8]>)> = (0..n)
            .map(|i| {
                let name: &[u8] = if bad.contains(&i) { &full[..10] } else { b"ok" };
                let flag = if i == 5 { b'*' } else { b' ' };
                (flag, vec![&numbers[i][..], name])
            })
            .collect();
        let bytes = make_dbf(&[(b"N", b'N', 8, 0), (b"NAME", b'C', 10, 0)], &records, 0);
        let t = parse_dbf(&bytes, None).unwrap();
        assert_eq!(t.records.len(), n);
        assert!(t.records[5].is_none());
        for i in (0..n).filter(|&i| i != 5) {
            assert_eq!(values(&t, i)[0].as_deref(), Some(i.to_string().as_str()));
        }
        assert_eq!(t.encoding.en, "UTF-8 (valid UTF-8)");
        assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
        assert!(
            t.warnings[0]
                .en
                .contains(&format!("3 values are not valid UTF-8; shown with replacement characters (first at record {})", bad[0])),
            "{:?}",
            t.warnings
        );
    }

    /// `bytes` read deferring, held as a file's bytes are.
    fn deferring(bytes: &[u8], cpg: Option<&str>) -> (DbfTable, Option<DeferredValues>) {
        let held = std::sync::Arc::new(crate::io::FileBytes::Read(bytes.to_vec()));
        let label = cpg.map(|c| (c, LabelFrom::CpgFile));
        parse_dbf_deferring(&held, Path::new("t.dbf"), label).unwrap()
    }

    #[test]
    fn repeated_values_left_in_the_file_decode_as_the_whole_read_decodes_them() {
        // A land-class column repeating a few values among many distinct ones (more than the
        // slots each thread keeps, so that values share slots), values that differ only in
        // padding, an ideographic space trimmed after decoding, and a number field.
        let classes = ["水田", "水浇地", "旱地", "　水田　", "水田 "];
        let n = 5000;
        let names: Vec<Vec<u8>> = (0..n)
            .map(|i| match i % 3 {
                0 => gbk(classes[i % classes.len()]),
                _ => gbk(&format!("桃花村{i}")),
            })
            .collect();
        let numbers: Vec<Vec<u8>> = (0..n)
            .map(|i| format!("{}.5", i % 7).into_bytes())
            .collect();
        let records: Vec<(u8, Vec<&[u8]>)> = (0..n)
            .map(|i| (b' ', vec![&names[i][..], &numbers[i][..]]))
            .collect();
        let field = gbk("地类名称");
        let bytes = make_dbf(
            &[(&field, b'C', 24, 0), (b"TBMJ", b'N', 10, 1)],
            &records,
            0,
        );
        let whole = parse_dbf(&bytes, Some("GBK")).unwrap();
        let (_, values) = deferring(&bytes, Some("GBK"));
        let values = values.expect("clean GBK stays in the file");
        // Twice over, the second time with every value met before.
        for _ in 0..2 {
            for i in 0..n {
                assert_eq!(values.row(i).as_ref(), whole.records[i].as_ref(), "row {i}");
            }
        }
        assert_eq!(
            values.row(3).unwrap().to_vec(),
            vec![Some("水田".to_string()), Some("3.5".to_string())]
        );
        // The same bytes in another encoding are another value: "杭州" in UTF-8 reads as two
        // other characters in GBK; each file gives its own, on the same thread.
        let hangzhou = "杭州".as_bytes();
        let one = |cpg| {
            let bytes = make_dbf(&[(b"NAME", b'C', 20, 0)], &[(b' ', vec![hangzhou])], 0);
            let (_, values) = deferring(&bytes, Some(cpg));
            values
                .expect("clean text stays in the file")
                .row(0)
                .unwrap()
                .to_vec()
        };
        let as_gbk = encoding_rs::GBK
            .decode_without_bom_handling(hangzhou)
            .0
            .into_owned();
        assert_ne!(as_gbk, "杭州");
        for _ in 0..2 {
            assert_eq!(one("GBK"), vec![Some(as_gbk.clone())]);
            assert_eq!(one("UTF-8"), vec![Some("杭州".to_string())]);
        }
    }

    #[test]
    fn values_left_in_the_file_decode_as_the_whole_read_decodes_them() {
        // Clean GBK over several decode runs, a deleted row, an empty value, a number field,
        // and text that is not valid UTF-8 in a field name too.
        let n = 2 * DECODE_CHUNK + 3;
        let names: Vec<Vec<u8>> = (0..n).map(|i| gbk(&format!("萧山图斑{i}"))).collect();
        let numbers: Vec<Vec<u8>> = (0..n).map(|i| i.to_string().into_bytes()).collect();
        let records: Vec<(u8, Vec<&[u8]>)> = (0..n)
            .map(|i| {
                let flag = if i == DECODE_CHUNK + 1 { b'*' } else { b' ' };
                let name: &[u8] = if i == 4 { b"" } else { &names[i] };
                (flag, vec![name, &numbers[i][..]])
            })
            .collect();
        let field = gbk("名称");
        let bytes = make_dbf(&[(&field, b'C', 30, 0), (b"N", b'N', 8, 0)], &records, 0);
        let whole = parse_dbf(&bytes, Some("GBK")).unwrap();
        let (table, values) = deferring(&bytes, Some("GBK"));
        let values = values.expect("clean GBK stays in the file");
        assert_eq!(table.fields, whole.fields);
        assert_eq!(table.encoding, whole.encoding);
        assert_eq!(table.warnings, whole.warnings);
        assert_eq!(table.records.len(), n);
        for i in 0..n {
            match &whole.records[i] {
                None => {
                    assert_eq!(table.records[i], None, "row {i}");
                    assert_eq!(values.row(i), None);
                }
                Some(attrs) => {
                    assert_eq!(table.records[i], Some(crate::model::Attrs::default()));
                    assert_eq!(values.row(i).as_ref(), Some(attrs), "row {i}");
                }
            }
        }
        assert!(whole.records[DECODE_CHUNK + 1].is_none());
        assert_eq!(
            values.row(4).unwrap().to_vec(),
            vec![None, Some("4".to_string())]
        );
        assert_eq!(values.row(n), None);
        // Clean UTF-8 too.
        let utf8 = make_dbf(
            &[(b"NAME", b'C', 20, 0)],
            &[(b' ', vec!["杭州".as_bytes()]), (b' ', vec![b"ok"])],
            0,
        );
        let (_, values) = deferring(&utf8, None);
        let values = values.expect("clean UTF-8 stays in the file");
        assert_eq!(
            values.row(0).unwrap().to_vec(),
            vec![Some("杭州".to_string())]
        );
    }

    #[test]
    fn values_that_would_warn_are_decoded_at_once() {
        // Every value that the whole read would show with a replacement character, and every
        // encoding but UTF-8 and GBK, is decoded at once: the table, warnings included, is the
        // whole read's, and nothing is left in the file.
        let full = "萧山经济".as_bytes();
        let one = |v: &[u8]| make_dbf(&[(b"NAME", b'C', 10, 0)], &[(b' ', vec![v])], 0);
        let cases: Vec<(Vec<u8>, Option<&str>)> = vec![
            // UTF-8 cut in the middle of a character.
            (one(&full[..10]), None),
            // A replacement character written in the file (UTF-8).
            (one("杭\u{FFFD}".as_bytes()), None),
            // GBK bytes that do not decode.
            (one(&[0xBA, 0xBC, 0x81]), Some("GBK")),
            // A replacement character written in the file (GB18030: 84 31 A4 37).
            (one(&[0xBA, 0xBC, 0x84, 0x31, 0xA4, 0x37]), Some("GBK")),
            // Another encoding.
            (one(&[0xE9]), Some("1252")),
        ];
        for (k, (bytes, cpg)) in cases.iter().enumerate() {
            let whole = parse_dbf(bytes, *cpg).unwrap();
            let (table, values) = deferring(bytes, *cpg);
            assert!(values.is_none(), "case {k}");
            assert_eq!(table, whole, "case {k}");
            let replaced = whole
                .records
                .iter()
                .flatten()
                .any(|r| r.to_vec().iter().flatten().any(|v| v.contains('\u{FFFD}')));
            assert_eq!(replaced, k < 4, "case {k}: {whole:?}");
        }
    }

    mod deferring_property {
        use super::*;
        use proptest::prelude::*;

        /// A value's bytes: ASCII, GBK or UTF-8 Chinese, cut characters, replacement characters
        /// in either encoding, or any bytes.
        fn value() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                "[a-zA-Z0-9 ]{0,8}".prop_map(String::into_bytes),
                Just(gbk("萧山永久基本农田")),
                Just("杭州湾新区".as_bytes().to_vec()),
                Just("萧山经济".as_bytes()[..10].to_vec()),
                Just("杭\u{FFFD}".as_bytes().to_vec()),
                Just(vec![0xBA, 0xBC, 0x84, 0x31, 0xA4, 0x37]),
                Just(vec![0xBA, 0xBC, 0x81]),
                prop::collection::vec(any::<u8>(), 0..12),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            /// Whatever the bytes and the label: the values left in the file decode as the whole
            /// read decodes them, and the table is the whole read's except for the rows' values.
            #[test]
            fn deferred_rows_are_the_whole_reads(
                rows in prop::collection::vec((any::<bool>(), value(), value()), 1..40),
                cpg in prop_oneof![Just(None), Just(Some("GBK")), Just(Some("UTF-8")), Just(Some("1252"))],
            ) {
                let records: Vec<(u8, Vec<&[u8]>)> = rows
                    .iter()
                    .map(|(deleted, a, b)| (if *deleted { b'*' } else { b' ' }, vec![&a[..], &b[..]]))
                    .collect();
                let bytes = make_dbf(&[(b"A", b'C', 12, 0), (b"B", b'C', 12, 0)], &records, 0);
                let whole = parse_dbf(&bytes, cpg).unwrap();
                let (table, values) = deferring(&bytes, cpg);
                match values {
                    None => prop_assert_eq!(&table, &whole),
                    Some(values) => {
                        prop_assert_eq!(&table.fields, &whole.fields);
                        prop_assert_eq!(&table.encoding, &whole.encoding);
                        prop_assert_eq!(&table.warnings, &whole.warnings);
                        prop_assert_eq!(table.records.len(), whole.records.len());
                        for (i, row) in whole.records.iter().enumerate() {
                            prop_assert_eq!(values.row(i), row.clone(), "row {}", i);
                            prop_assert_eq!(table.records[i].is_some(), row.is_some());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn utf8_cut_mid_character_is_still_utf8() {
        let full = "萧山经济".as_bytes(); // 12 bytes
        let ok = "杭州".as_bytes();
        let bytes = make_dbf(
            &[(b"NAME", b'C', 10, 0)],
            &[(b' ', vec![&full[..10]]), (b' ', vec![ok])],
            0,
        );
        let t = parse_dbf(&bytes, None).unwrap();
        assert_eq!(t.encoding.en, "UTF-8 (valid UTF-8)");
        assert_eq!(values(&t, 0)[0].as_deref(), Some("萧山经\u{FFFD}"));
        assert_eq!(values(&t, 1)[0].as_deref(), Some("杭州"));
        assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
        assert!(
            t.warnings[0].contains("field NAME: 1 value is not valid UTF-8"),
            "{:?}",
            t.warnings
        );
    }

    #[test]
    fn utf8_cpg_over_clean_gbk_bytes_loses_with_one_warning() {
        // zones_dbf holds GBK text: not valid UTF-8, clean GBK. Behaviour changed on purpose
        // (issue 8): it used to be decoded as UTF-8 with replacement characters.
        let t = parse_dbf(&zones_dbf(0), Some("UTF-8")).unwrap();
        assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
        assert!(
            t.warnings[0].en.contains("the .cpg file says UTF-8"),
            "{:?}",
            t.warnings
        );
        assert!(
            t.warnings[0].en.contains("decoded as GBK"),
            "{:?}",
            t.warnings
        );
        assert_eq!(values(&t, 0)[0].as_deref(), Some("萧山经济技术开发区"));
        // A GBK label over the same bytes is believed, without a warning.
        let t = parse_dbf(&zones_dbf(0), Some("GBK")).unwrap();
        assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    }

    #[test]
    fn gbk_cpg_over_utf8_bytes_loses() {
        // UTF-8 bytes of 萧山区 (E8 90 A7 E5 B1 B1 E5 8C BA): read as GBK pairs, the last
        // byte 0xBA is a lead byte with nothing after it, so not clean GBK (Python:
        // b'\xe8\x90\xa7\xe5\xb1\xb1\xe5\x8c\xba'.decode('gb18030') fails); valid UTF-8.
        let table = make_dbf(
            &[(b"NAME", b'C', 12, 0)],
            &[(b' ', vec!["萧山区".as_bytes()])],
            0,
        );
        let t = parse_dbf(&table, Some("GBK")).unwrap();
        assert_eq!(
            values(&t, 0)[0].as_deref(),
            Some("萧山区"),
            "{:?}",
            t.warnings
        );
        assert!(t.encoding.en.starts_with("UTF-8"), "{}", t.encoding.en);
        assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    }

    #[test]
    fn zero_width_fields_are_an_error() {
        let table = make_dbf(
            &[(b"A", b'C', 3, 0), (b"B", b'C', 0, 0), (b"C", b'C', 0, 0)],
            &[(b' ', vec![b"abc".as_slice(), b"", b""])],
            0,
        );
        let err = parse_dbf(&table, None).unwrap_err();
        assert!(
            err.en.contains("2 fields of width 0 (the first: B)"),
            "{err:?}"
        );
    }

    #[test]
    fn values_are_text_exactly_as_in_the_file() {
        let bytes = make_dbf(
            &[
                (b"F", b'F', 19, 0),
                (b"N", b'N', 10, 2),
                (b"D", b'D', 8, 0),
                (b"L", b'L', 1, 0),
                (b"C", b'C', 5, 0),
            ],
            &[
                (
                    b' ',
                    vec![b"16777217", b"12,50", b"00000000", b"?", b"  a  "],
                ),
                (b' ', vec![b"", b"  ", b"20240131", b"T", b"\0\0\0\0\0"]),
            ],
            0,
        );
        let t = parse_dbf(&bytes, None).unwrap();
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            values(&t, 0),
            vec![s("16777217"), s("12,50"), None, None, s("a")]
        );
        assert_eq!(values(&t, 1), vec![None, None, s("20240131"), s("T"), None]);
    }

    #[test]
    fn deleted_records_are_none() {
        let bytes = make_dbf(
            &[(b"A", b'C', 3, 0)],
            &[(b' ', vec![b"x"]), (b'*', vec![b"y"]), (b' ', vec![b"z"])],
            0,
        );
        let t = parse_dbf(&bytes, None).unwrap();
        assert_eq!(t.records.len(), 3);
        assert!(t.records[1].is_none());
        assert_eq!(values(&t, 2)[0].as_deref(), Some("z"));
    }

    #[test]
    fn header_length_counting_bytes_after_terminator_is_fine() {
        let mut bytes = make_dbf(&[(b"A", b'C', 3, 0)], &[(b' ', vec![b"x"])], 0);
        // Insert 263 bytes (a Visual FoxPro backlink) after the 0x0D and count them.
        let header_len = 32 + 32 + 1;
        bytes.splice(header_len..header_len, std::iter::repeat_n(0u8, 263));
        bytes[8..10].copy_from_slice(&((header_len + 263) as u16).to_le_bytes());
        let t = parse_dbf(&bytes, None).unwrap();
        assert_eq!(values(&t, 0)[0].as_deref(), Some("x"));
        // Without the EOF marker too.
        bytes.pop();
        assert_eq!(parse_dbf(&bytes, None).unwrap().records.len(), 1);
    }

    #[test]
    fn short_file_warns_and_reads_what_is_there() {
        let mut bytes = make_dbf(
            &[(b"A", b'C', 3, 0)],
            &[(b' ', vec![b"x"]), (b' ', vec![b"y"]), (b' ', vec![b"z"])],
            0,
        );
        bytes.truncate(bytes.len() - 3); // EOF marker and part of the last record
        let t = parse_dbf(&bytes, None).unwrap();
        assert_eq!(t.records.len(), 2);
        assert!(t.warnings[0].contains("says 3 records"), "{:?}", t.warnings);
    }

    #[test]
    fn huge_record_count_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zones.dbf");
        let mut bytes = make_dbf(&[(b"A", b'C', 3, 0)], &[(b' ', vec![b"x"])], 0);
        bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let err = read_dbf(&path, None).unwrap_err();
        assert!(err.message.contains("4294967295 records"), "{err}");
        assert!(err.to_string().ends_with("zones.dbf"), "{err}");
    }

    #[test]
    fn header_nonsense_is_an_error() {
        let good = make_dbf(&[(b"A", b'C', 3, 0)], &[(b' ', vec![b"x"])], 0);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "file is empty (0 bytes)"),
            (good[..20].to_vec(), "truncated header"),
            (
                {
                    let mut b = good.clone();
                    b[8..10].copy_from_slice(&5000u16.to_le_bytes());
                    b
                },
                "truncated header",
            ),
            (
                {
                    let mut b = good.clone();
                    b[10..12].copy_from_slice(&2u16.to_le_bytes());
                    b
                },
                "fields take 4 bytes",
            ),
            (
                {
                    let mut b = good.clone();
                    b[10..12].copy_from_slice(&0u16.to_le_bytes());
                    b
                },
                "record length 0",
            ),
        ];
        for (bytes, expected) in cases {
            let err = parse_dbf(&bytes, None).unwrap_err();
            assert!(
                err.contains(expected),
                "{err:?} should contain {expected:?}"
            );
        }
    }

    #[test]
    fn binary_foxpro_values() {
        let mut bytes = make_dbf(&[(b"I", b'I', 4, 0), (b"B", b'B', 8, 0)], &[], 0);
        bytes.pop();
        bytes[4..8].copy_from_slice(&1u32.to_le_bytes());
        bytes.push(b' ');
        bytes.extend_from_slice(&(-7i32).to_le_bytes());
        bytes.extend_from_slice(&2.5f64.to_le_bytes());
        let t = parse_dbf(&bytes, None).unwrap();
        assert_eq!(
            values(&t, 0),
            vec![Some("-7".to_string()), Some("2.5".to_string())]
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_753), (2024, 1, 31)); // date -d 2024-01-31 +%s / 86400
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
