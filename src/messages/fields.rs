//! Messages of the fields area: which attribute holds what, and the fields passed over.

use super::Text;
use crate::analysis::fields::{FieldChoice, How, Role, SkipReason};

fn examples_zh(examples: &[String]) -> String {
    if examples.is_empty() {
        String::new()
    } else {
        format!("（如 {}）", examples.join("、"))
    }
}

fn examples_en(examples: &[String]) -> String {
    if examples.is_empty() {
        String::new()
    } else {
        format!(" (e.g. {})", examples.join(", "))
    }
}

fn next_zh(next: Option<&str>) -> String {
    match next {
        Some(f) => format!("，改用字段 {f}"),
        None => "，没有其他可用字段".to_string(),
    }
}

fn next_en(next: Option<&str>) -> String {
    match next {
        Some(f) => format!("; field {f} is used instead"),
        None => "; no other field fits".to_string(),
    }
}

/// What a role's values should look like.
fn expected(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Level => (
            "国家级/省级/市级/县级",
            "国家级/省级/市级/县级 (a designation level)",
        ),
        Role::Enclave => ("是/否", "yes/no (是/否)"),
        Role::Class => (
            "一级/二级/准保护区",
            "一级/二级/准保护区 (a protection class)",
        ),
        Role::Status => (
            "淘汰撤销/转型提升/整合",
            "淘汰撤销/转型提升/整合 (an original zone's fate)",
        ),
        _ => ("非空值", "values"),
    }
}

/// A field found by name whose values do not fit the role: skipped, the next one tried.
pub fn values_do_not_fit(
    layer: &str,
    role: Role,
    field: &str,
    examples: &[String],
    next: Option<&str>,
) -> Text {
    let (want_zh, want_en) = expected(role);
    Text::new(
        format!(
            "图层 {layer} 的字段 {field} 按名称像是“{}”字段，但其值{}不是{want_zh}，未采用{}",
            role.name_zh(),
            examples_zh(examples),
            next_zh(next)
        ),
        format!(
            "layer {layer}: field {field} looks like the {} field by its name, but its values{} are not {want_en}, so it is not used{}",
            role.name_en(),
            examples_en(examples),
            next_en(next)
        ),
    )
}

/// A field found by name whose values are all empty: skipped, the next one tried.
pub fn field_empty(layer: &str, role: Role, field: &str, next: Option<&str>) -> Text {
    Text::new(
        format!(
            "图层 {layer} 的字段 {field} 按名称像是“{}”字段，但全部为空，未采用{}",
            role.name_zh(),
            next_zh(next)
        ),
        format!(
            "layer {layer}: field {field} looks like the {} field by its name, but every value is empty, so it is not used{}",
            role.name_en(),
            next_en(next)
        ),
    )
}

/// `[fields_of.<layer>]` names a field the layer does not have.
pub fn not_in_layer(layer: &str, role: Role, field: &str) -> Text {
    Text::new(
        format!(
            "审查文件 [fields_of.{layer}] 的 {} = \"{field}\"，但图层 {layer} 没有该字段，已按字段名自动识别",
            role.key()
        ),
        format!(
            "the review file's [fields_of.{layer}] {} = \"{field}\", but layer {layer} has no such field; detected by name instead",
            role.key()
        ),
    )
}

/// A `[fields]` name that none of the layers reading that role has (a typo?): each of them
/// detects the field by name instead.
pub fn global_field_in_no_layer(role: Role, field: &str, layers: &[String]) -> Text {
    Text::new(
        format!(
            "审查文件 [fields] 的 {} = \"{field}\"，但图层 {} 都没有该字段（拼写错误？），已按字段名自动识别",
            role.key(),
            layers.join("、")
        ),
        format!(
            "the review file's [fields] {} = \"{field}\", but none of the layers {} has such a field (a typo?); detected by name instead",
            role.key(),
            layers.join(", ")
        ),
    )
}

/// A field set in the review file whose values do not fit its role: used as set, but said.
pub fn set_field_doubtful(layer: &str, role: Role, field: &str, examples: &[String]) -> Text {
    let (want_zh, want_en) = expected(role);
    Text::new(
        format!(
            "图层 {layer}：审查文件指定字段 {field} 为“{}”字段，但其值{}不是{want_zh}；仍按指定使用",
            role.name_zh(),
            examples_zh(examples)
        ),
        format!(
            "layer {layer}: the review file sets field {field} as the {} field, but its values{} are not {want_en}; used as set",
            role.name_en(),
            examples_en(examples)
        ),
    )
}

fn reason(r: &SkipReason) -> Text {
    match r {
        SkipReason::AdminCode => Text::new(
            "行政区划代码，不作编号",
            "an administrative code, never an id",
        ),
        SkipReason::AdminName => Text::new(
            "行政区名称，不作开发区名称",
            "an administrative name, never a zone name",
        ),
        SkipReason::Empty => Text::new("全部为空", "every value is empty"),
        SkipReason::ValuesDoNotFit { examples } => Text::new(
            format!("取值不符{}", examples_zh(examples)),
            format!("values do not fit{}", examples_en(examples)),
        ),
        SkipReason::NotInLayer { .. } => Text::new("图层中没有该字段", "not in the layer"),
    }
}

/// One line per role: "编号：KFQDM（按字段名识别；跳过 XZQDM：行政区划代码，不作编号）".
pub fn choice(c: &FieldChoice) -> Text {
    let (how_zh, how_en) = match c.how {
        How::SetForLayer => (
            "审查文件按图层指定",
            "set for this layer in the review file",
        ),
        How::SetInReview => (
            "审查文件 [fields] 指定",
            "set in the review file's [fields]",
        ),
        How::Detected => ("按字段名识别", "detected by name"),
        How::None => ("未找到", "none found"),
    };
    let mut zh = format!(
        "{}：{}（{how_zh}",
        c.role.name_zh(),
        c.field.as_deref().unwrap_or("—")
    );
    let mut en = format!(
        "{}: {} ({how_en}",
        c.role.name_en(),
        c.field.as_deref().unwrap_or("—")
    );
    for s in &c.skipped {
        let r = reason(&s.reason);
        zh.push_str(&format!("；跳过 {}：{}", s.field, r.zh));
        en.push_str(&format!("; skipped {}: {}", s.field, r.en));
    }
    if let Some(examples) = &c.doubtful {
        zh.push_str(&format!("；取值不符{}", examples_zh(examples)));
        en.push_str(&format!("; values do not fit{}", examples_en(examples)));
    }
    zh.push('）');
    en.push(')');
    Text::new(zh, en)
}

/// One zone id whose features carry different names (a blocking plan finding).
pub fn ambiguous_id(id: &str, names: &[String], features: usize) -> Text {
    Text::new(
        format!(
            "开发区编号 {id} 的 {features} 个图斑名称不一致：{}。不能确定是一个开发区还是编号重复，请核对编号或名称",
            names.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join("、")
        ),
        format!(
            "zone id {id}: its {features} features carry different names: {}. It is not clear whether this is one zone or an id used twice; correct the id or the names",
            names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
        ),
    )
}

/// `[rules.severity]` names an `input` rule, whose severity cannot change.
pub fn severity_of_input_rule(rule: &str) -> Text {
    Text::new(
        format!("审查文件有误：`rules.severity.\"{rule}\"`：输入类规则（输入不完整或有歧义）及开发区边界无效的严重程度不能修改，始终为否决"),
        format!("invalid review file: `rules.severity.\"{rule}\"`: the severity of `input` rules (incomplete or ambiguous input) and of invalid zone boundaries cannot be changed; they always block"),
    )
}

/// `[fields_of.KEY]` names no layer of the review.
pub fn fields_of_unknown_layer(key: &str) -> Text {
    Text::new(
        format!("审查文件有误：`fields_of.{key}` 不是本审查的图层"),
        format!("invalid review file: `fields_of.{key}` names no layer of this review"),
    )
}

/// A `patch` list of the review file names too many fields.
pub fn patch_fields_too_many(key: &str, n: usize, max: usize) -> Text {
    Text::new(
        format!("审查文件有误：`{key}` 列出 {n} 个字段，最多 {max} 个"),
        format!("invalid review file: `{key}` lists {n} fields, at most {max} are allowed"),
    )
}

/// A `patch` list of the review file holds an empty name or one with a control character.
pub fn patch_field_invalid(key: &str, name: &str) -> Text {
    Text::new(
        format!("审查文件有误：`{key}` 中的字段名 {name:?} 无效（为空或含控制字符）"),
        format!("invalid review file: field name {name:?} in `{key}` is empty or holds a control character"),
    )
}

/// A `patch` list of the review file names a field twice.
pub fn patch_field_twice(key: &str, name: &str) -> Text {
    Text::new(
        format!("审查文件有误：`{key}` 重复列出字段 {name}（字段名不区分大小写）"),
        format!("invalid review file: `{key}` lists field {name} twice (names are matched case-insensitively)"),
    )
}

/// A `[fields] patch` name that none of the protection layers has (a typo?).
pub fn patch_field_in_no_layer(field: &str, layers: &[String]) -> Text {
    Text::new(
        format!(
            "审查文件 [fields] 的 patch 列出字段 {field}，但保护图层 {} 都没有该字段（拼写错误？），各图斑表中没有这一列",
            layers.join("、")
        ),
        format!(
            "the review file's [fields] patch lists {field}, but none of the protection layers {} has such a field (a typo?); no patch table shows it",
            layers.join(", ")
        ),
    )
}

/// `[fields_of.<layer>] patch` names fields the layer lacks.
pub fn patch_field_not_in_layer(layer: &str, fields: &[String]) -> Text {
    Text::new(
        format!(
            "审查文件 [fields_of.{layer}] 的 patch 列出字段 {}，但图层 {layer} 没有，其图斑表中没有这些列",
            fields.join("、")
        ),
        format!(
            "the review file's [fields_of.{layer}] patch lists {}, but layer {layer} has no such field; its patch tables do not show them",
            fields.join(", ")
        ),
    )
}
