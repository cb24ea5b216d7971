//! Lays the report's HTML out on A4 pages: headings, paragraphs, lists, tables (column widths
//! from their content, rows kept whole, the header repeated on each page), the SVG maps kept
//! whole, zone sections on new pages, as report.html's print style sheet asks. The result is a
//! list of drawing operations per page, drawn by `super::draw`.

use super::dom::{Element, Node};
use super::text::{is_cjk, no_break_after, no_break_before, Fonts};

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;
pub const MARGIN_X: f32 = 12.0 * MM;
pub const MARGIN_TOP: f32 = 14.0 * MM;
pub const MARGIN_BOTTOM: f32 = 16.0 * MM;

pub type Rgb = [u8; 3];
const INK: Rgb = [0x1b, 0x1f, 0x24];
const BLUE: Rgb = [0x1f, 0x3a, 0x93];
const RED: Rgb = [0xc6, 0x28, 0x28];
const GRAY: Rgb = [0x5a, 0x62, 0x70];
const BORDER: Rgb = [0xb8, 0xc2, 0xd0];

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub size: f32,
    pub color: Rgb,
    pub bold: bool,
    /// A badge: white text on this colour.
    pub badge: Option<Rgb>,
    pub nowrap: bool,
}

impl Style {
    fn body() -> Style {
        Style {
            size: 10.5,
            color: INK,
            bold: false,
            badge: None,
            nowrap: false,
        }
    }
}

/// One drawing operation; coordinates in points from the page's top left, text at its
/// baseline.
#[derive(Debug, Clone)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        style: Style,
        font: usize,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    Svg {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        tree: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

/// Inline content: text with its style, a forced line break, or an inline SVG (legend swatch).
#[derive(Debug, Clone)]
enum Atom {
    Text(String, Style),
    Break,
    Svg(usize, f32),
}

/// One character (or an inline box) with where a line may break.
#[derive(Debug, Clone)]
struct Glyph {
    c: char,
    font: usize,
    w: f32,
    style: Style,
    /// A line may break before this glyph.
    break_before: bool,
    space: bool,
    /// Forced break before this glyph.
    hard: bool,
    svg: Option<(usize, f32)>,
}

struct Line {
    glyphs: Vec<Glyph>,
    width: f32,
    height: f32,
    size: f32,
}

pub struct Layout<'a> {
    fonts: &'a mut Fonts,
    pub pages: Vec<Vec<Op>>,
    cur: Vec<Op>,
    y: f32,
    /// Parsed SVGs by index, for [`Op::Svg`].
    pub svgs: Vec<usvg::Tree>,
    svg_opts: usvg::Options<'static>,
    defs: String,
    zones_seen: usize,
}

fn bottom() -> f32 {
    PAGE_H - MARGIN_BOTTOM
}

fn content_w() -> f32 {
    PAGE_W - 2.0 * MARGIN_X
}

impl<'a> Layout<'a> {
    pub fn new(fonts: &'a mut Fonts, svg_opts: usvg::Options<'static>, defs: String) -> Self {
        Layout {
            fonts,
            pages: Vec::new(),
            cur: Vec::new(),
            y: MARGIN_TOP,
            svgs: Vec::new(),
            svg_opts,
            defs,
            zones_seen: 0,
        }
    }

    pub fn finish(mut self) -> (Vec<Vec<Op>>, Vec<usvg::Tree>) {
        if !self.cur.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.cur));
        }
        (self.pages, self.svgs)
    }

    fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.cur));
        self.y = MARGIN_TOP;
    }

    fn page_empty(&self) -> bool {
        self.cur.is_empty()
    }

    /// Moves to a new page unless `h` more points fit on this one.
    fn ensure(&mut self, h: f32) {
        if self.y + h > bottom() && !self.page_empty() {
            self.new_page();
        }
    }

    fn space(&mut self, h: f32) {
        if !self.page_empty() {
            self.y += h;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Blocks

    /// Lays out the children of a block element at `x`, `w` wide.
    fn block_children(&mut self, el: &Element, x: f32, w: f32, style: Style, align: Align) {
        let mut inline: Vec<&Node> = Vec::new();
        for node in &el.children {
            let is_block = match node {
                Node::Element(e) => is_block(e),
                Node::Text(_) => false,
            };
            if is_block {
                self.flush_inline(&inline, x, w, style, align);
                inline.clear();
                if let Node::Element(e) = node {
                    self.block(e, x, w, style, align);
                }
            } else {
                inline.push(node);
            }
        }
        self.flush_inline(&inline, x, w, style, align);
    }

    fn flush_inline(&mut self, nodes: &[&Node], x: f32, w: f32, style: Style, align: Align) {
        let mut atoms = Vec::new();
        for n in nodes {
            self.atoms(n, style, &mut atoms);
        }
        if atoms_blank(&atoms) {
            return;
        }
        self.paragraph(&atoms, x, w, align);
    }

    pub fn root(&mut self, root: &Element) {
        let body = root.find("body").unwrap_or(root);
        self.block_children(body, MARGIN_X, content_w(), Style::body(), Align::Left);
    }

    fn block(&mut self, el: &Element, x: f32, w: f32, style: Style, align: Align) {
        let style = apply_classes(el, style);
        let align = match el.style("text-align") {
            Some("center") => Align::Center,
            Some("right") => Align::Right,
            _ if el.has_class("verdict") => Align::Center,
            _ => align,
        };
        match el.tag.as_str() {
            "h1" => {
                let s = Style {
                    size: 20.0,
                    bold: true,
                    ..style
                };
                self.heading(el, x, w, s, Align::Center, 0.0, 11.0, None);
            }
            "h2" => {
                if el.has_class("part-title") && !self.page_empty() {
                    self.new_page();
                }
                let s = Style {
                    size: 14.0,
                    bold: true,
                    ..style
                };
                let rule = if el.has_class("part-title") { 2.2 } else { 1.5 };
                self.heading(el, x, w, s, align, 20.0, 8.0, Some(rule));
            }
            "h3" => {
                let s = Style {
                    size: 11.5,
                    bold: true,
                    color: BLUE,
                    ..style
                };
                self.heading(el, x, w, s, align, 11.0, 4.0, None);
            }
            "p" | "summary" => {
                self.space(3.0);
                let s = if el.tag == "summary" {
                    Style {
                        bold: true,
                        ..style
                    }
                } else {
                    style
                };
                self.block_children(el, x, w, s, align);
                self.y += 5.0;
            }
            "table" => {
                self.space(4.0);
                self.table(el, x, w, style);
                self.y += 8.0;
            }
            "ul" | "ol" => {
                if el.has_class("legend") {
                    self.legend(el, x, w, style);
                } else {
                    self.list(el, x, w, style);
                }
            }
            "svg" => {
                self.svg_block(el, x, w);
            }
            "section" => {
                if el.has_class("zone") {
                    if self.zones_seen > 0 && !self.page_empty() {
                        self.new_page();
                    }
                    self.zones_seen += 1;
                }
                self.block_children(el, x, w, style, align);
            }
            "details" => {
                // As printed: a closed <details> shows its summary and tables, not its lists.
                let open = el.attr("open").is_some();
                let mut shown = el.clone();
                if !open {
                    shown
                        .children
                        .retain(|n| !matches!(n, Node::Element(e) if e.tag == "ul"));
                }
                self.block_children(&shown, x, w, style, align);
            }
            "footer" => {
                self.space(20.0);
                self.ensure(30.0);
                self.hline(x, w, BORDER, 0.75);
                self.y += 6.0;
                let s = Style {
                    size: 8.5,
                    color: GRAY,
                    ..style
                };
                self.block_children(el, x, w, s, align);
            }
            "div" if el.has_class("map-wrap") => {
                // Kept whole: title, map, legend.
                let h = self.estimate_height(el, w);
                self.ensure(h);
                self.space(5.0);
                self.block_children(el, x, w, style, align);
                self.y += 8.0;
            }
            "div" if el.has_class("map-title") => {
                let s = Style {
                    size: 9.0,
                    bold: true,
                    color: BLUE,
                    ..style
                };
                self.block_children(el, x, w, s, align);
                self.y += 2.0;
            }
            "div" if el.has_class("input-alert") => {
                self.space(8.0);
                let page = self.pages.len();
                let top = self.y;
                self.y += 4.0;
                let red = [0xc0, 0x39, 0x2b];
                self.block_children(el, x + 8.0, w - 16.0, style, align);
                self.y += 4.0;
                if self.pages.len() == page {
                    self.cur.push(Op::Rect {
                        x,
                        y: top,
                        w,
                        h: self.y - top,
                        fill: None,
                        stroke: Some((red, 1.5)),
                    });
                }
                self.y += 8.0;
            }
            "br" => {
                self.y += style.size * 1.5;
            }
            _ => self.block_children(el, x, w, style, align),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn heading(
        &mut self,
        el: &Element,
        x: f32,
        w: f32,
        style: Style,
        align: Align,
        before: f32,
        after: f32,
        rule: Option<f32>,
    ) {
        // Keep a heading with what follows it.
        self.space(before);
        self.ensure(style.size * 1.5 + 60.0);
        self.block_children(el, x, w, style, align);
        if let Some(width) = rule {
            self.y += 1.5;
            self.hline(x, w, BLUE, width);
        }
        self.y += after;
    }

    fn hline(&mut self, x: f32, w: f32, color: Rgb, width: f32) {
        self.cur.push(Op::Rect {
            x,
            y: self.y,
            w,
            h: width,
            fill: Some(color),
            stroke: None,
        });
        self.y += width;
    }

    fn list(&mut self, el: &Element, x: f32, w: f32, style: Style) {
        self.space(2.0);
        for li in el.elements() {
            let bullet = Style {
                nowrap: true,
                ..style
            };
            self.ensure(style.size * 1.4);
            let y = self.y + style.size * 0.2 + style.size * 0.88;
            self.text_at(x + 4.0, y, "•", bullet);
            self.block_children(li, x + 14.0, w - 14.0, style, Align::Left);
        }
        self.y += 4.0;
    }

    /// A legend: swatch and label pairs flowing on lines.
    fn legend(&mut self, el: &Element, x: f32, w: f32, style: Style) {
        let s = Style { size: 8.5, ..style };
        let mut atoms = Vec::new();
        for (i, li) in el.elements().enumerate() {
            if i > 0 {
                atoms.push(Atom::Text("\u{3000}".into(), s));
            }
            let mut item = Vec::new();
            for n in &li.children {
                self.atoms(n, Style { nowrap: true, ..s }, &mut item);
            }
            atoms.extend(item);
        }
        self.y += 3.0;
        self.paragraph(&atoms, x, w, Align::Left);
    }

    fn svg_block(&mut self, el: &Element, x: f32, w: f32) {
        let Some((tree, vw, vh)) = self.svg_tree(el) else {
            return;
        };
        if vw <= 0.0 || vh <= 0.0 {
            return;
        }
        let (dw, dh) = if el.has_class("map") {
            (w, w * vh / vw)
        } else {
            let dw = (vw * 0.75).min(w);
            (dw, dw * vh / vw)
        };
        let dh = dh.min(bottom() - MARGIN_TOP);
        self.ensure(dh);
        self.cur.push(Op::Svg {
            x,
            y: self.y,
            w: dw,
            h: dh,
            tree,
        });
        if el.has_class("map") {
            self.cur.push(Op::Rect {
                x,
                y: self.y,
                w: dw,
                h: dh,
                fill: None,
                stroke: Some(([0x8a, 0x94, 0xa6], 0.75)),
            });
        }
        self.y += dh;
    }

    /// Parses an `<svg>` (with the document's shared pattern definitions put in) into the list
    /// of trees; returns its index and size in SVG units. Hidden and empty ones: `None`.
    fn svg_tree(&mut self, el: &Element) -> Option<(usize, f32, f32)> {
        if el.attr("width") == Some("0") || el.attr("aria-hidden").is_some() {
            return None;
        }
        let src = el.svg.as_deref()?;
        let open_end = src.find('>')? + 1;
        let mut doc = String::with_capacity(src.len() + self.defs.len() + 64);
        let open = &src[..open_end];
        doc.push_str(open);
        if !open.contains("xmlns=") {
            // usvg needs the SVG namespace, which HTML leaves implicit.
            doc.truncate(4);
            doc.push_str(" xmlns=\"http://www.w3.org/2000/svg\"");
            doc.push_str(&open[4..]);
        }
        doc.push_str(&self.defs);
        doc.push_str(&src[open_end..]);
        let tree = usvg::Tree::from_str(&doc, &self.svg_opts).ok()?;
        let size = tree.size();
        self.svgs.push(tree);
        Some((self.svgs.len() - 1, size.width(), size.height()))
    }

    /// A rough height of a block, to keep maps with their title and legend.
    fn estimate_height(&mut self, el: &Element, w: f32) -> f32 {
        let mut h = 0.0;
        for e in el.elements() {
            if e.tag == "svg" {
                let (vw, vh) = svg_view_size(e).unwrap_or((1.0, 1.0));
                h += w * vh / vw.max(1e-6);
            } else {
                let n = e.text().chars().count() as f32;
                let lines = (n * 9.0 / w).ceil().max(1.0);
                h += lines * 14.0;
            }
        }
        h + 14.0
    }

    // -----------------------------------------------------------------------------------------
    // Inline content

    fn atoms(&mut self, node: &Node, style: Style, out: &mut Vec<Atom>) {
        match node {
            Node::Text(t) => out.push(Atom::Text(t.clone(), style)),
            Node::Element(e) => match e.tag.as_str() {
                "br" => out.push(Atom::Break),
                "svg" => {
                    if let Some((tree, vw, vh)) = self.svg_tree(e) {
                        // Legend swatches are 22 × 12 px (CSS), drawn in points.
                        let w = if vw > 0.0 && vh > 0.0 { 16.5 } else { 0.0 };
                        out.push(Atom::Svg(tree, w));
                    }
                }
                _ => {
                    let s = apply_classes(e, style);
                    let s = match e.tag.as_str() {
                        "b" | "strong" | "th" => Style { bold: true, ..s },
                        _ => s,
                    };
                    for c in &e.children {
                        self.atoms(c, s, out);
                    }
                }
            },
        }
    }

    /// Characters with their fonts, widths and break opportunities; whitespace collapsed.
    fn glyphs(&mut self, atoms: &[Atom]) -> Vec<Glyph> {
        let mut out: Vec<Glyph> = Vec::new();
        let mut hard_next = false;
        for atom in atoms {
            match atom {
                Atom::Break => hard_next = true,
                Atom::Svg(tree, w) => {
                    out.push(Glyph {
                        c: '\u{fffc}',
                        font: 0,
                        w: *w + 2.0,
                        style: Style::body(),
                        break_before: true,
                        space: false,
                        hard: std::mem::take(&mut hard_next),
                        svg: Some((*tree, *w)),
                    });
                }
                Atom::Text(text, style) => {
                    let badge_start = out.len();
                    for c in text.chars() {
                        let ws = c.is_ascii_whitespace();
                        if ws {
                            let prev_space = out.last().is_none_or(|g| g.space);
                            if prev_space || hard_next {
                                continue;
                            }
                        }
                        let c = if ws { ' ' } else { c };
                        let (font, em) = self.fonts.glyph(c);
                        let prev = out.last();
                        let break_before = match prev {
                            None => false,
                            Some(_) if style.nowrap && out.len() > badge_start => false,
                            // A legend's label stays with its swatch.
                            Some(p) if p.svg.is_some() => false,
                            Some(p) => {
                                (p.space && !ws)
                                    || ((is_cjk(c) || is_cjk(p.c))
                                        && !ws
                                        && !p.space
                                        && !no_break_before(c)
                                        && !no_break_after(p.c))
                            }
                        };
                        out.push(Glyph {
                            c,
                            font,
                            w: em * style.size,
                            style: *style,
                            break_before,
                            space: ws,
                            hard: std::mem::take(&mut hard_next),
                            svg: None,
                        });
                    }
                    if style.badge.is_some() && out.len() > badge_start {
                        // The badge's padding.
                        out[badge_start].w += 3.0;
                        if let Some(last) = out.last_mut() {
                            last.w += 3.0;
                        }
                    }
                }
            }
        }
        // No leading space.
        while out.first().is_some_and(|g| g.space) {
            out.remove(0);
        }
        out
    }

    fn break_lines(&mut self, atoms: &[Atom], w: f32) -> Vec<Line> {
        let glyphs = self.glyphs(atoms);
        let mut lines = Vec::new();
        let mut cur: Vec<Glyph> = Vec::new();
        let mut width = 0.0f32;
        let mut last_break: Option<usize> = None;
        for g in glyphs {
            if g.hard && !cur.is_empty() {
                lines.push(make_line(std::mem::take(&mut cur)));
                width = 0.0;
                last_break = None;
            }
            if g.break_before && !cur.is_empty() {
                last_break = Some(cur.len());
            }
            if width + g.w > w && !g.space && !cur.is_empty() {
                let at = match last_break {
                    Some(at) if at > 0 => at,
                    _ if g.style.nowrap => cur.len() + 1,
                    _ => cur.len(),
                };
                if at <= cur.len() {
                    let rest = cur.split_off(at);
                    lines.push(make_line(std::mem::take(&mut cur)));
                    cur = rest;
                    while cur.first().is_some_and(|x| x.space) {
                        cur.remove(0);
                    }
                    width = cur.iter().map(|x| x.w).sum();
                    last_break = None;
                }
            }
            if cur.is_empty() && g.space {
                continue;
            }
            width += g.w;
            cur.push(g);
        }
        if !cur.is_empty() {
            lines.push(make_line(cur));
        }
        lines
    }

    fn paragraph(&mut self, atoms: &[Atom], x: f32, w: f32, align: Align) {
        let lines = self.break_lines(atoms, w);
        for line in lines {
            self.ensure(line.height);
            let y = self.y;
            self.draw_line(&line, x, y, w, align);
            self.y += line.height;
        }
    }

    /// Draws a line with its top at `y`.
    fn draw_line(&mut self, line: &Line, x: f32, y: f32, w: f32, align: Align) {
        let mut pen = match align {
            Align::Left => x,
            Align::Center => x + (w - line.width).max(0.0) / 2.0,
            Align::Right => x + (w - line.width).max(0.0),
        };
        let baseline = y + (line.height - line.size) / 2.0 + line.size * 0.88;
        let mut i = 0;
        let gl = &line.glyphs;
        while i < gl.len() {
            let g = &gl[i];
            if let Some((tree, sw)) = g.svg {
                let h = sw * 12.0 / 22.0;
                self.cur.push(Op::Svg {
                    x: pen,
                    y: baseline - h + 1.0,
                    w: sw,
                    h,
                    tree,
                });
                pen += g.w;
                i += 1;
                continue;
            }
            // A run of one style and font.
            let mut j = i;
            let mut text = String::new();
            let mut run_w = 0.0;
            while j < gl.len()
                && gl[j].svg.is_none()
                && gl[j].style == g.style
                && gl[j].font == g.font
            {
                text.push(gl[j].c);
                run_w += gl[j].w;
                j += 1;
            }
            let mut tx = pen;
            if let Some(bg) = g.style.badge {
                // Padding is part of the first and last glyph's width.
                let badge_start = i == 0 || gl[i - 1].style != g.style;
                let badge_end = j == gl.len() || gl[j].style != g.style;
                self.cur.push(Op::Rect {
                    x: pen,
                    y: baseline - g.style.size * 0.95,
                    w: run_w,
                    h: g.style.size * 1.3,
                    fill: Some(bg),
                    stroke: None,
                });
                if badge_start {
                    tx += 3.0;
                }
                let _ = badge_end;
            }
            if !text.trim().is_empty() {
                self.cur.push(Op::Text {
                    x: tx,
                    y: baseline,
                    style: g.style,
                    font: g.font,
                    text,
                });
            }
            pen += run_w;
            i = j;
        }
    }

    fn text_at(&mut self, x: f32, baseline: f32, text: &str, style: Style) {
        let font = text.chars().next().map_or(0, |c| self.fonts.glyph(c).0);
        self.cur.push(Op::Text {
            x,
            y: baseline,
            style,
            font,
            text: text.to_string(),
        });
    }

    /// Minimum (widest unbreakable stretch) and maximum (no wrapping) widths of inline content.
    fn content_widths(&mut self, atoms: &[Atom]) -> (f32, f32) {
        let glyphs = self.glyphs(atoms);
        let (mut min, mut max) = (0.0f32, 0.0f32);
        let (mut word, mut line) = (0.0f32, 0.0f32);
        for g in &glyphs {
            if g.hard {
                max = max.max(line);
                line = 0.0;
                min = min.max(word);
                word = 0.0;
            }
            if g.break_before {
                min = min.max(word);
                word = 0.0;
            }
            if !g.space {
                word += g.w;
            }
            line += g.w;
        }
        (min.max(word), max.max(line))
    }

    // -----------------------------------------------------------------------------------------
    // Tables

    fn table(&mut self, el: &Element, x: f32, w: f32, style: Style) {
        let base = Style { size: 9.0, ..style };
        let summary = el.has_class("summary");
        let kv = el.has_class("kv");
        // Rows: (is header, row element).
        let mut rows: Vec<(bool, &Element)> = Vec::new();
        for child in el.elements() {
            match child.tag.as_str() {
                "thead" => rows.extend(
                    child
                        .elements()
                        .filter(|r| r.tag == "tr")
                        .map(|r| (true, r)),
                ),
                "tbody" | "tfoot" => rows.extend(
                    child
                        .elements()
                        .filter(|r| r.tag == "tr")
                        .map(|r| (false, r)),
                ),
                "tr" => rows.push((false, child)),
                _ => {}
            }
        }
        if rows.is_empty() {
            return;
        }
        // Place the cells on a grid (rowspan, colspan).
        let mut cells: Vec<Cell> = Vec::new();
        let mut taken: Vec<Vec<bool>> = vec![Vec::new(); rows.len()];
        for (r, (header, tr)) in rows.iter().enumerate() {
            let sum_row = tr.has_class("sum");
            let mut col = 0;
            for td in tr.elements().filter(|c| c.tag == "td" || c.tag == "th") {
                while taken[r].get(col).copied().unwrap_or(false) {
                    col += 1;
                }
                let colspan = span(td.attr("colspan"));
                let rowspan = span(td.attr("rowspan")).min(rows.len() - r);
                for row in &mut taken[r..r + rowspan] {
                    if row.len() < col + colspan {
                        row.resize(col + colspan, false);
                    }
                    for t in &mut row[col..col + colspan] {
                        *t = true;
                    }
                }
                let th = td.tag == "th";
                let mut s = base;
                if summary {
                    s.size = if th { 8.0 } else { 8.5 };
                }
                if td.has_class("rule") || td.has_class("clause") {
                    s.size = 8.0;
                }
                if td.has_class("clause") {
                    s.color = [0x4a, 0x55, 0x68];
                }
                s = apply_classes(td, s);
                if th || sum_row {
                    s.bold = true;
                }
                if td.has_class("n")
                    || td.has_class("c")
                    || td.has_class("nw")
                    || td.has_class("rule")
                {
                    s.nowrap = true;
                }
                let align = if td.has_class("n") {
                    Align::Right
                } else if td.has_class("c") || (th && !kv) {
                    Align::Center
                } else {
                    Align::Left
                };
                let mut atoms = Vec::new();
                for n in &td.children {
                    self.atoms(n, s, &mut atoms);
                }
                let bg = if th {
                    Some([0xe8, 0xed, 0xf5])
                } else if sum_row {
                    Some([0xf3, 0xf5, 0xf9])
                } else {
                    None
                };
                cells.push(Cell {
                    row: r,
                    col,
                    colspan,
                    rowspan,
                    atoms,
                    align,
                    bg,
                    header: *header,
                });
                col += colspan;
            }
        }
        let ncols = taken.iter().map(Vec::len).max().unwrap_or(0);
        if ncols == 0 {
            return;
        }
        let (mut widths, min_sum) = self.column_widths(&cells, ncols, w, kv);
        if min_sum > w {
            // Too wide for the page even with every column at its narrowest: the table's text
            // is made smaller until it fits (down to half size), as a printed wide table is.
            let pads = 2.0 * PAD_X * ncols as f32;
            let factor = ((w - pads) / (min_sum - pads).max(1e-3)).clamp(0.5, 1.0);
            for c in &mut cells {
                for a in &mut c.atoms {
                    match a {
                        Atom::Text(_, st) => st.size *= factor,
                        Atom::Svg(_, sw) => *sw *= factor,
                        Atom::Break => {}
                    }
                }
            }
            widths = self.column_widths(&cells, ncols, w, kv).0;
        }
        let starts: Vec<f32> = widths
            .iter()
            .scan(x, |acc, cw| {
                let s = *acc;
                *acc += cw;
                Some(s)
            })
            .collect();
        // Lay each cell's lines and find the rows' heights.
        let mut laid: Vec<Vec<Line>> = Vec::with_capacity(cells.len());
        let mut row_h = vec![0.0f32; rows.len()];
        for c in &cells {
            let cw: f32 = widths[c.col..c.col + c.colspan].iter().sum();
            let lines = self.break_lines(&c.atoms, (cw - 2.0 * PAD_X).max(1.0));
            let h = lines.iter().map(|l| l.height).sum::<f32>().max(12.0) + 2.0 * PAD_Y;
            if c.rowspan == 1 {
                row_h[c.row] = row_h[c.row].max(h);
            }
            laid.push(lines);
        }
        for (idx, c) in cells.iter().enumerate().filter(|(_, c)| c.rowspan > 1) {
            let h = laid[idx].iter().map(|l| l.height).sum::<f32>() + 2.0 * PAD_Y;
            let have: f32 = row_h[c.row..c.row + c.rowspan].iter().sum();
            if h > have {
                row_h[c.row + c.rowspan - 1] += h - have;
            }
        }
        let header_rows: Vec<usize> = (0..rows.len()).filter(|&r| rows[r].0).collect();
        let header_h: f32 = header_rows.iter().map(|&r| row_h[r]).sum();
        let draw_rows = |this: &mut Self, rs: &[usize]| {
            let top = this.y;
            let mut row_top = vec![0.0f32; rows.len()];
            let mut yy = top;
            for &r in rs {
                row_top[r] = yy;
                yy += row_h[r];
            }
            for (i, c) in cells.iter().enumerate() {
                if !rs.contains(&c.row) {
                    continue;
                }
                let cx = starts[c.col];
                let cw: f32 = widths[c.col..c.col + c.colspan].iter().sum();
                let ch: f32 = (c.row..c.row + c.rowspan)
                    .filter(|r| rs.contains(r))
                    .map(|r| row_h[r])
                    .sum();
                let cy = row_top[c.row];
                this.cur.push(Op::Rect {
                    x: cx,
                    y: cy,
                    w: cw,
                    h: ch,
                    fill: c.bg,
                    stroke: Some((BORDER, 0.6)),
                });
                let content_h: f32 = laid[i].iter().map(|l| l.height).sum();
                let mut ly = if c.header {
                    cy + (ch - content_h) / 2.0
                } else {
                    cy + PAD_Y
                };
                for line in &laid[i] {
                    this.draw_line(line, cx + PAD_X, ly, cw - 2.0 * PAD_X, c.align);
                    ly += line.height;
                }
            }
            this.y = yy;
        };
        // The header with at least the first body row.
        let first_body = (0..rows.len()).find(|r| !rows[*r].0);
        self.ensure(header_h + first_body.map_or(0.0, |r| row_h[r]));
        if !header_rows.is_empty() {
            draw_rows(self, &header_rows);
        }
        let body: Vec<usize> = (0..rows.len()).filter(|&r| !rows[r].0).collect();
        let mut k = 0;
        while k < body.len() {
            // Rows joined by a rowspan stay together.
            let mut group = vec![body[k]];
            let mut reach = row_reach(&cells, body[k]);
            while reach > *group.last().unwrap_or(&0) && k + 1 < body.len() {
                k += 1;
                group.push(body[k]);
                reach = reach.max(row_reach(&cells, body[k]));
            }
            k += 1;
            let gh: f32 = group.iter().map(|&r| row_h[r]).sum();
            if self.y + gh > bottom() && !self.page_empty() {
                self.new_page();
                if !header_rows.is_empty() {
                    draw_rows(self, &header_rows);
                }
            }
            draw_rows(self, &group);
        }
    }

    /// The columns' widths, and the sum of their minimum widths (more than `w`: the table does
    /// not fit).
    fn column_widths(&mut self, cells: &[Cell], ncols: usize, w: f32, kv: bool) -> (Vec<f32>, f32) {
        let mut min = vec![0.0f32; ncols];
        let mut max = vec![0.0f32; ncols];
        let mut spans: Vec<(usize, usize, f32, f32)> = Vec::new();
        for c in cells {
            let (mn, mx) = self.content_widths(&c.atoms);
            let (mn, mx) = (mn + 2.0 * PAD_X, mx + 2.0 * PAD_X);
            if c.colspan == 1 {
                min[c.col] = min[c.col].max(mn);
                max[c.col] = max[c.col].max(mx);
            } else {
                spans.push((c.col, c.colspan, mn, mx));
            }
        }
        for (col, n, mn, mx) in spans {
            let have_min: f32 = min[col..col + n].iter().sum();
            if mn > have_min {
                for m in &mut min[col..col + n] {
                    *m += (mn - have_min) / n as f32;
                }
            }
            let have_max: f32 = max[col..col + n].iter().sum();
            if mx > have_max {
                for m in &mut max[col..col + n] {
                    *m += (mx - have_max) / n as f32;
                }
            }
        }
        for i in 0..ncols {
            // Short content (up to four characters of table text) is not wrapped: a column of
            // 是/否 or 整合后开发区 stays readable next to a column of long text.
            min[i] = min[i].max(max[i].min(SOFT_MIN));
            max[i] = max[i].max(min[i]);
        }
        if kv && ncols == 2 {
            // table.kv: the key column is 30 %.
            return (vec![w * 0.3, w * 0.7], 0.0);
        }
        let (smin, smax): (f32, f32) = (min.iter().sum(), max.iter().sum());
        if smax <= w {
            // Everything fits: share the rest in proportion to the content.
            let extra = w - smax;
            let widths = max.iter().map(|m| m + extra * m / smax.max(1e-6)).collect();
            return (widths, smin);
        }
        if smin <= w {
            let t = (w - smin) / (smax - smin).max(1e-6);
            let widths = min.iter().zip(&max).map(|(a, b)| a + (b - a) * t).collect();
            return (widths, smin);
        }
        // Too wide even at the minimum: scale down (text then breaks anywhere).
        (min.iter().map(|m| m * w / smin).collect(), smin)
    }
}

const PAD_X: f32 = 4.0;
/// Columns narrower than this at their widest are not wrapped (four 9 pt characters and the
/// padding).
const SOFT_MIN: f32 = 4.0 * 9.0 + 2.0 * PAD_X;
const PAD_Y: f32 = 2.0;

struct Cell {
    row: usize,
    col: usize,
    colspan: usize,
    rowspan: usize,
    atoms: Vec<Atom>,
    align: Align,
    bg: Option<Rgb>,
    header: bool,
}

/// The last row a row's cells reach down to.
fn row_reach(cells: &[Cell], row: usize) -> usize {
    cells
        .iter()
        .filter(|c| c.row == row)
        .map(|c| c.row + c.rowspan - 1)
        .max()
        .unwrap_or(row)
}

fn span(v: Option<&str>) -> usize {
    v.and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 1000)
}

fn make_line(mut glyphs: Vec<Glyph>) -> Line {
    while glyphs.last().is_some_and(|g| g.space) {
        glyphs.pop();
    }
    let size = glyphs
        .iter()
        .map(|g| if g.svg.is_some() { 8.5 } else { g.style.size })
        .fold(0.0f32, f32::max)
        .max(6.0);
    Line {
        width: glyphs.iter().map(|g| g.w).sum(),
        height: size * 1.4,
        size,
        glyphs,
    }
}

fn atoms_blank(atoms: &[Atom]) -> bool {
    atoms.iter().all(|a| match a {
        Atom::Text(t, _) => t.trim().is_empty(),
        Atom::Break => true,
        Atom::Svg(..) => false,
    })
}

fn is_block(e: &Element) -> bool {
    matches!(
        e.tag.as_str(),
        "h1" | "h2"
            | "h3"
            | "h4"
            | "p"
            | "div"
            | "section"
            | "footer"
            | "header"
            | "ul"
            | "ol"
            | "li"
            | "table"
            | "details"
            | "summary"
            | "body"
            | "html"
            | "figure"
    ) || (e.tag == "svg" && e.has_class("map"))
}

/// The colours and weights report.html's classes give.
fn apply_classes(el: &Element, mut s: Style) -> Style {
    let Some(classes) = el.attr("class") else {
        return s;
    };
    for class in classes.split_ascii_whitespace() {
        match class {
            "badge" => {
                s.color = [0xff, 0xff, 0xff];
                s.bold = true;
                s.nowrap = true;
                s.size = s.size.min(9.0);
            }
            "pass" if el.has_class("badge") => s.badge = Some([0x2e, 0x7d, 0x32]),
            "fail" if el.has_class("badge") => s.badge = Some(RED),
            "decided" if el.has_class("badge") => s.badge = Some([0x15, 0x65, 0xc0]),
            "ok" => {
                s.color = [0x2e, 0x7d, 0x32];
                s.bold = true;
            }
            "bad" | "changed" | "hit" | "loud" => {
                s.color = RED;
                s.bold = true;
            }
            "sev-blocking" => {
                s.color = RED;
                s.bold = true;
                s.nowrap = true;
            }
            "sev-warning" => {
                s.color = [0xb4, 0x5f, 0x06];
                s.bold = true;
                s.nowrap = true;
            }
            "sev-info" => {
                s.color = [0x3d, 0x6f, 0xb6];
                s.nowrap = true;
            }
            "zero" => s.color = [0x8a, 0x94, 0xa6],
            "note" => {
                s.color = GRAY;
                s.size = s.size.min(8.5);
            }
            "verdict" => s.bold = true,
            _ => {}
        }
    }
    s
}

/// `viewBox` (or width/height) of an `<svg>` element.
fn svg_view_size(e: &Element) -> Option<(f32, f32)> {
    if let Some(vb) = e.attr("viewbox") {
        let v: Vec<f32> = vb
            .split(|c: char| c.is_ascii_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        if v.len() == 4 {
            return Some((v[2], v[3]));
        }
    }
    let w: f32 = e.attr("width")?.trim_end_matches("px").parse().ok()?;
    let h: f32 = e.attr("height")?.trim_end_matches("px").parse().ok()?;
    Some((w, h))
}
