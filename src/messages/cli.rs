//! Messages of the cli area (see the module above): usage errors, the review file's errors,
//! output safety, and the summary's notes.

use super::Text;

/// An output file of the set would replace input file `input`.
pub fn output_is_input(input: &str, output: &str) -> Text {
    Text::new(
        format!(
            "输出文件 {output} 会覆盖输入文件，已拒绝（请为 --out 另选文件夹），未写入任何文件：{input}"
        ),
        format!(
            "output {output} would overwrite an input file, refused (choose another folder for --out); nothing was written: {input}"
        ),
    )
}

/// A required command-line argument is missing (`what`: e.g. "--out DIR").
pub fn missing_argument(what: &str, usage: &str) -> Text {
    let (zh_what, en_what) = match what {
        w if w.starts_with("--out") => ("输出文件夹", "the output folder"),
        w if w.to_ascii_uppercase().contains("REVIEW") => ("审查文件", "the review file"),
        _ => ("", ""),
    };
    let zh_paren = if zh_what.is_empty() {
        String::new()
    } else {
        format!("（{zh_what}）")
    };
    let en_paren = if en_what.is_empty() {
        String::new()
    } else {
        format!(" ({en_what})")
    };
    Text::new(
        format!("缺少必需的参数 {what}{zh_paren}；用法：{usage}"),
        format!("missing required argument {what}{en_paren}; usage: {usage}"),
    )
}

/// Any other usage error, as clap words it (English only).
pub fn bad_arguments(detail: &str) -> Text {
    Text::new(
        format!("命令行参数有误：{detail}（见 `zonecheck --help`）"),
        format!("{detail} (see `zonecheck --help`)"),
    )
}

/// What a TOML type is called, for "must be …" / "found …".
fn type_words(t: &str) -> (String, String) {
    let t = t.trim();
    let (zh, en) = match t {
        "f64" | "f32" | "a float" | "float" => ("数字", "a number"),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" | "an integer" | "integer" => {
            ("非负整数", "a whole number")
        }
        "a boolean" | "bool" | "boolean" => ("true 或 false", "true or false"),
        "a string" | "string" => ("文本", "text"),
        "a sequence" | "array" | "an array" => ("列表", "a list"),
        "a map" | "table" | "a table" => ("表", "a table"),
        _ => {
            if let Some(v) = t.strip_prefix("string ") {
                return (format!("文本 {v}"), format!("text {v}"));
            }
            if let Some(v) = t.strip_prefix("integer ") {
                return (
                    format!("整数 {}", v.trim_matches('`')),
                    format!("the whole number {}", v.trim_matches('`')),
                );
            }
            if let Some(v) = t.strip_prefix("floating point ") {
                return (
                    format!("数字 {}", v.trim_matches('`')),
                    format!("the number {}", v.trim_matches('`')),
                );
            }
            if let Some(v) = t.strip_prefix("boolean ") {
                return (
                    format!("布尔值 {}", v.trim_matches('`')),
                    v.trim_matches('`').to_string(),
                );
            }
            if t == "sequence" {
                return ("列表".into(), "a list".into());
            }
            if t == "map" {
                return ("表".into(), "a table".into());
            }
            return (t.to_string(), t.to_string());
        }
    };
    (zh.to_string(), en.to_string())
}

/// A value of the review file has the wrong type: `key` must be `expected` (serde's words,
/// e.g. "f64"), found `found` (e.g. `string "abc"`).
pub fn review_wrong_type(key: &str, expected: &str, found: &str, line: usize) -> Text {
    let (ez, ee) = type_words(expected);
    let (fz, fe) = type_words(found);
    Text::new(
        format!("审查文件有误：`{key}` 应为{ez}，实际是{fz}（第 {line} 行）"),
        format!("invalid review file: `{key}` must be {ee}, found {fe} (line {line})"),
    )
}

/// Any other problem the TOML reader found, with the key when known.
pub fn review_invalid(detail: &str, key: Option<&str>, line: Option<usize>) -> Text {
    let (kz, ke) = match key {
        Some(k) => (format!("`{k}`："), format!("`{k}`: ")),
        None => (String::new(), String::new()),
    };
    let (lz, le) = match line {
        Some(l) => (format!("（第 {l} 行）"), format!(" (line {l})")),
        None => (String::new(), String::new()),
    };
    Text::new(
        format!("审查文件有误：{kz}{detail}{lz}"),
        format!("invalid review file: {ke}{detail}{le}"),
    )
}

/// The same file is given for two layer keys.
pub fn same_file_two_roles(first: &str, second: &str) -> Text {
    Text::new(
        format!(
            "同一个文件同时用作图层 `layers.{first}` 和 `layers.{second}`，请确认是否填错"
        ),
        format!(
            "the same file is given for `layers.{first}` and `layers.{second}`; check the review file"
        ),
    )
}

/// The summary line listing input problems before the table.
pub fn incomplete_banner(count: usize) -> Text {
    Text::new(
        format!("输入不完整（{count} 项，结论不能为通过）："),
        format!("incomplete input ({count} problem(s); the result cannot be a pass):"),
    )
}

// ---- The review file's values -----------------------------------------------------------------

pub fn review_negative(key: &str, value: f64) -> Text {
    Text::new(
        format!("审查文件有误：`{key}` 应为不小于 0 的数字，实际是 {value}"),
        format!("invalid review file: `{key}` must be a number ≥ 0, got {value}"),
    )
}

pub fn review_share(key: &str, value: f64) -> Text {
    Text::new(
        format!("审查文件有误：`{key}` 是 0 到 1 之间的比例，实际是 {value}"),
        format!("invalid review file: `{key}` is a share between 0 and 1, got {value}"),
    )
}

pub fn review_plaque_name(name: &str) -> Text {
    Text::new(
        format!("审查文件有误：`[plaques]` 中的牌子名称“{name}”为空"),
        format!("invalid review file: the designation name \"{name}\" under `[plaques]` is empty"),
    )
}

pub fn review_at_least_one(key: &str) -> Text {
    Text::new(
        format!("审查文件有误：`{key}` 至少为 1"),
        format!("invalid review file: `{key}` must be at least 1"),
    )
}

pub fn review_quota_range(key: &str, lo: u32, hi: u32) -> Text {
    Text::new(
        format!("审查文件有误：`{key}` 的下限 {lo} 大于上限 {hi}"),
        format!("invalid review file: `{key}` has minimum {lo} above maximum {hi}"),
    )
}

pub fn review_extra_name(name: &str) -> Text {
    Text::new(
        format!("审查文件有误：其他图层名 `{name}` 为空或与固定图层重名"),
        format!(
            "invalid review file: extra layer name `{name}` is empty or clashes with a fixed layer"
        ),
    )
}

pub fn review_unknown_encoding(key: &str, label: &str) -> Text {
    Text::new(
        format!(
            "审查文件有误：`encoding_of.{key}` = \"{label}\" 不是已知的文字编码（如 GBK、UTF-8）"
        ),
        format!(
            "invalid review file: `encoding_of.{key}` = \"{label}\" is not a known text encoding (e.g. GBK, UTF-8)"
        ),
    )
}

pub fn review_no_such_layer(key: &str) -> Text {
    Text::new(
        format!("审查文件有误：`{key}` 指向本审查中不存在的图层"),
        format!("invalid review file: `{key}` names no layer of this review"),
    )
}

// ---- The review file and its layer files ------------------------------------------------------

pub fn review_not_a_file() -> Text {
    Text::new(
        "审查文件不是普通文件（是文件夹、管道或设备），未读取",
        "the review file is not a regular file (a folder, FIFO or device); not read",
    )
}

pub fn cannot_read_review(reason: &str) -> Text {
    Text::new(
        format!("无法读取审查文件（{reason}）"),
        format!("cannot read review file ({reason})"),
    )
}

pub fn review_without_zones() -> Text {
    Text::new(
        "审查文件没有整合后开发区图层（`layers.zones` 为空）",
        "review has no zones layer (`layers.zones` is empty)",
    )
}

pub fn layer_missing(key: &str) -> Text {
    Text::new(
        format!("图层 `{key}` 指向的文件不存在"),
        format!("layer `{key}` names a file that does not exist"),
    )
}

pub fn layer_not_a_file(key: &str) -> Text {
    Text::new(
        format!("图层 `{key}` 指向的不是普通文件（是文件夹、管道或设备），未读取"),
        format!("layer `{key}` names something that is not a regular file (a folder, FIFO or device); not read"),
    )
}

pub fn layer_unreadable(key: &str, reason: &str) -> Text {
    Text::new(
        format!("无法读取图层 `{key}` 的文件（{reason}）"),
        format!("cannot read the file of layer `{key}` ({reason})"),
    )
}
