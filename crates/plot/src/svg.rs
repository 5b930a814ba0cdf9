//! A [`Scene`] as an SVG 1.1 document, written by hand: a few element kinds, numbers with at
//! most two decimals, so the same chart always gives the same bytes.

use std::fmt::Write;

use crate::palette::Rgba;
use crate::scene::{Anchor, Item, Scene, Stroke, Text};

/// The fonts asked for, DejaVu Sans first: the one the layout's text widths are measured for.
const FONT_FAMILY: &str = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, Helvetica, sans-serif";
const CLIP_ID: &str = "np-plot-area";

pub fn write_svg(scene: &Scene) -> String {
    let mut out = String::new();
    let (w, h) = (num(scene.width), num(scene.height));
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}">"#
    );
    let p = scene.plot;
    let _ = writeln!(
        out,
        r#"<defs><clipPath id="{CLIP_ID}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath></defs>"#,
        num(p.x),
        num(p.y),
        num(p.w),
        num(p.h)
    );
    for item in &scene.items {
        write_item(&mut out, item);
        out.push('\n');
    }
    out.push_str("</svg>\n");
    out
}

fn write_item(out: &mut String, item: &Item) {
    match item {
        Item::Rect { rect, fill, stroke } => {
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}"{}{}/>"#,
                num(rect.x),
                num(rect.y),
                num(rect.w),
                num(rect.h),
                fill.map_or_else(|| r#" fill="none""#.to_string(), |c| paint("fill", c)),
                stroke.map_or_else(String::new, |s| stroke_attrs(&s)),
            );
        }
        Item::Polyline { points, stroke, clipped } => {
            let _ = write!(
                out,
                r#"<polyline points="{}" fill="none"{} stroke-linejoin="round"{}/>"#,
                point_list(points),
                stroke_attrs(stroke),
                clip(*clipped)
            );
        }
        Item::Polygon { points, fill, clipped } => {
            let _ =
                write!(out, r#"<polygon points="{}"{}{}/>"#, point_list(points), paint("fill", *fill), clip(*clipped));
        }
        Item::Circle { center, radius, fill, clipped } => {
            let _ = write!(
                out,
                r#"<circle cx="{}" cy="{}" r="{}"{}{}/>"#,
                num(center.0),
                num(center.1),
                num(*radius),
                paint("fill", *fill),
                clip(*clipped)
            );
        }
        Item::Text(text) => write_text(out, text),
    }
}

fn write_text(out: &mut String, t: &Text) {
    let anchor = match t.anchor {
        Anchor::Start => "start",
        Anchor::Middle => "middle",
        Anchor::End => "end",
    };
    let (x, y) = (num(t.x), num(t.y));
    let _ = write!(out, r#"<text x="{x}" y="{y}" font-size="{}" text-anchor="{anchor}""#, num(t.size));
    if t.bold {
        out.push_str(r#" font-weight="bold""#);
    }
    out.push_str(&paint("fill", t.color));
    if t.vertical {
        let _ = write!(out, r#" transform="rotate(-90 {x} {y})""#);
    }
    let _ = write!(out, ">{}</text>", escape(&t.content));
}

fn stroke_attrs(s: &Stroke) -> String {
    let mut a = format!(r#"{} stroke-width="{}""#, paint("stroke", s.color), num(s.width));
    if let Some((on, off)) = s.dash {
        let _ = write!(a, r#" stroke-dasharray="{} {}""#, num(on), num(off));
    }
    a
}

/// ` fill="#rrggbb"` plus its opacity when not opaque.
fn paint(attr: &str, c: Rgba) -> String {
    if c.a >= 1.0 {
        format!(r#" {attr}="{}""#, c.hex())
    } else {
        format!(r#" {attr}="{}" {attr}-opacity="{}""#, c.hex(), num(f64::from(c.a)))
    }
}

fn clip(clipped: bool) -> &'static str {
    if clipped { r#" clip-path="url(#np-plot-area)""# } else { "" }
}

fn point_list(points: &[(f64, f64)]) -> String {
    let mut s = String::with_capacity(points.len() * 14);
    for (i, &(x, y)) in points.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{},{}", num(x), num(y));
    }
    s
}

/// A coordinate with two decimals at most, trailing zeros dropped, never "-0".
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// Text as XML character data.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0, not even escaped.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_fixed() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(2.345678), "2.35");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(120.0), "120");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape(r#"a<b & "c" 'd'>"#), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
        assert_eq!(escape("x\u{1}y"), "x\u{fffd}y");
    }
}
