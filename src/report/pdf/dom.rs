//! A tree of the HTML that `report::html` writes: elements, their attributes and text. Only
//! what that markup uses is understood (it is our own, well-formed output): start and end
//! tags, quoted attributes, void elements, comments, the doctype and the character
//! references `esc` writes. An `<svg>` element is kept as its source text, for usvg.

/// A node of the tree.
#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// An element with its children; `svg` holds the source of an `<svg>…</svg>` element.
#[derive(Debug, Clone, Default)]
pub struct Element {
    pub tag: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub svg: Option<String>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the `class` attribute lists `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|x| x == class))
    }

    /// A `style` declaration's value, e.g. `text-align`.
    pub fn style(&self, property: &str) -> Option<&str> {
        self.attr("style")?.split(';').find_map(|decl| {
            let (k, v) = decl.split_once(':')?;
            (k.trim() == property).then(|| v.trim())
        })
    }

    /// The element children.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The text of the element and its descendants, whitespace collapsed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        collect_text(&self.children, &mut out);
        collapse_ws(&out)
    }

    /// The first descendant (or self) with this tag.
    pub fn find(&self, tag: &str) -> Option<&Element> {
        if self.tag == tag {
            return Some(self);
        }
        self.elements().find_map(|e| e.find(tag))
    }
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if e.tag == "br" => out.push(' '),
            Node::Element(e) => collect_text(&e.children, out),
        }
    }
}

/// Runs of ASCII whitespace as one space, trimmed.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_ascii_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

const VOID: [&str; 7] = ["br", "meta", "link", "img", "hr", "input", "col"];
/// Elements whose content is not shown.
const SKIPPED: [&str; 3] = ["script", "style", "title"];

/// Parses a document; returns the root (tag `#root`) holding the top-level nodes.
pub fn parse(html: &str) -> Element {
    let mut stack: Vec<Element> = vec![Element {
        tag: "#root".into(),
        ..Element::default()
    }];
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < html.len() {
        if bytes[i] != b'<' {
            let end = html[i..].find('<').map_or(html.len(), |k| i + k);
            push_node(&mut stack, Node::Text(decode_entities(&html[i..end])));
            i = end;
            continue;
        }
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(html.len(), |k| i + k + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            i = rest.find('>').map_or(html.len(), |k| i + k + 1);
            continue;
        }
        let Some(close) = rest.find('>') else {
            push_node(&mut stack, Node::Text(decode_entities(rest)));
            break;
        };
        let inner = &rest[1..close];
        if let Some(name) = inner.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            // Close the innermost open element of that name (and anything left open in it).
            if let Some(pos) = stack.iter().rposition(|e| e.tag == name) {
                while stack.len() > pos.max(1) {
                    pop_into_parent(&mut stack);
                }
            }
            i += close + 1;
            continue;
        }
        let (tag, attrs, self_closing) = parse_tag(inner);
        if tag == "svg" {
            let end = svg_end(html, i);
            let el = Element {
                tag,
                attrs,
                children: Vec::new(),
                svg: Some(html[i..end].to_string()),
            };
            push_node(&mut stack, Node::Element(el));
            i = end;
            continue;
        }
        i += close + 1;
        if SKIPPED.contains(&tag.as_str()) {
            let end_tag = format!("</{tag}");
            i = html[i..]
                .find(&end_tag)
                .map_or(html.len(), |k| i + k)
                .min(html.len());
            continue;
        }
        let el = Element {
            tag,
            attrs,
            children: Vec::new(),
            svg: None,
        };
        if self_closing || VOID.contains(&el.tag.as_str()) {
            push_node(&mut stack, Node::Element(el));
        } else {
            stack.push(el);
        }
    }
    while stack.len() > 1 {
        pop_into_parent(&mut stack);
    }
    stack.pop().unwrap_or_default()
}

fn push_node(stack: &mut [Element], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

fn pop_into_parent(stack: &mut Vec<Element>) {
    if let Some(el) = stack.pop() {
        push_node(stack, Node::Element(el));
    }
}

/// The byte offset just past the `</svg>` closing the `<svg` at `start` (nested svgs counted).
fn svg_end(html: &str, start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while let Some(k) = html[i..].find('<') {
        let at = i + k;
        let rest = &html[at..];
        if rest.starts_with("</svg") {
            depth = depth.saturating_sub(1);
            let end = rest.find('>').map_or(html.len(), |g| at + g + 1);
            if depth == 0 {
                return end;
            }
            i = end;
        } else if rest.starts_with("<svg") {
            let end = rest.find('>').map_or(html.len(), |g| at + g + 1);
            if !html[at..end].ends_with("/>") {
                depth += 1;
            } else if depth == 0 {
                return end;
            }
            i = end;
        } else {
            i = at + 1;
        }
    }
    html.len()
}

/// `name a="1" b='2' c` → ("name", [("a","1"), ("b","2"), ("c","")], self-closing).
fn parse_tag(inner: &str) -> (String, Vec<(String, String)>, bool) {
    let self_closing = inner.trim_end().ends_with('/');
    let inner = inner.trim_end().trim_end_matches('/');
    let name_end = inner
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(inner.len());
    let tag = inner[..name_end].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = &inner[name_end..];
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let key_end = rest
            .find(|c: char| c == '=' || c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    rest = body.get(end + 1..).unwrap_or("");
                    decode_entities(&body[..end])
                }
                _ => {
                    let end = after
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(after.len());
                    rest = &after[end..];
                    decode_entities(&after[..end])
                }
            }
        } else {
            String::new()
        };
        if key.is_empty() {
            break;
        }
        attrs.push((key, value));
    }
    (tag, attrs, self_closing)
}

/// `&amp; &lt; &gt; &quot; &#39; &apos; &nbsp; &#NN; &#xHH;` decoded; anything else kept.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(k) = rest.find('&') {
        out.push_str(&rest[..k]);
        rest = &rest[k..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => name.strip_prefix('#').and_then(|num| {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                code.and_then(char::from_u32)
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn elements_attributes_text_and_svg() {
        let doc = parse(
            "<!DOCTYPE html><html><head><style>p{}</style><title>t</title></head><body>\
             <h1>报告 &amp; 结论</h1><p class=\"note big\" style=\"text-align:center\">a<br>b</p>\
             <svg viewBox=\"0 0 2 2\"><g><svg x=\"1\"></svg></g><path d=\"M0 0\"/></svg><p>后</p></body></html>",
        );
        let body = doc.find("body").unwrap();
        let tags: Vec<&str> = body.elements().map(|e| e.tag.as_str()).collect();
        assert_eq!(tags, ["h1", "p", "svg", "p"]);
        let h1 = body.find("h1").unwrap();
        assert_eq!(h1.text(), "报告 & 结论");
        let p = body.elements().nth(1).unwrap();
        assert!(p.has_class("note") && p.has_class("big") && !p.has_class("bi"));
        assert_eq!(p.style("text-align"), Some("center"));
        assert_eq!(p.text(), "a b");
        let svg = body.elements().nth(2).unwrap();
        let src = svg.svg.as_deref().unwrap();
        assert!(src.starts_with("<svg viewBox") && src.ends_with("<path d=\"M0 0\"/></svg>"));
        assert_eq!(body.elements().nth(3).unwrap().text(), "后");
        // The head's style and title are not text.
        assert!(!doc.text().contains("p{}"));
        assert!(!doc.text().starts_with('t'));
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&lt;b&gt;&quot;&#39;&#x4E2D;&#22269;&"),
            "a<b>\"'中国&"
        );
        assert_eq!(decode_entities("&unknown; x"), "&unknown; x");
    }

    #[test]
    fn unclosed_elements_are_closed() {
        let doc = parse("<div><p>a<b>b</div><p>c");
        let tags: Vec<&str> = doc.elements().map(|e| e.tag.as_str()).collect();
        assert_eq!(tags, ["div", "p"]);
        assert_eq!(doc.text(), "abc");
    }
}
