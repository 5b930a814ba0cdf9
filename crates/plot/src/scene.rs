//! What a chart looks like, as a list of shapes in pixel coordinates: the one description that
//! both the SVG writer and the PNG rasteriser draw, so that the two files show the same figure.

use crate::palette::Rgba;

/// A rectangle: top-left corner, width and height, in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    pub fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x && x <= self.right() && y >= self.y && y <= self.bottom()
    }
}

/// How a line is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    pub color: Rgba,
    pub width: f64,
    /// Dash and gap lengths; `None` for a solid line.
    pub dash: Option<(f64, f64)>,
}

/// Where a text's anchor point sits on its baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One line of text; `(x, y)` is its anchor point on the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub x: f64,
    pub y: f64,
    pub content: String,
    pub size: f64,
    pub anchor: Anchor,
    pub bold: bool,
    pub color: Rgba,
    /// Turned a quarter to the left around its anchor, reading upwards (a y-axis label).
    pub vertical: bool,
}

/// One shape. `clipped` shapes are cut at the plot area, so data outside a given range does
/// not spill over the axes.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Rect { rect: Rect, fill: Option<Rgba>, stroke: Option<Stroke> },
    Polyline { points: Vec<(f64, f64)>, stroke: Stroke, clipped: bool },
    Polygon { points: Vec<(f64, f64)>, fill: Rgba, clipped: bool },
    Circle { center: (f64, f64), radius: f64, fill: Rgba, clipped: bool },
    Text(Text),
}

/// A whole figure: its size in pixels, the plot area that clipped shapes stay inside, and the
/// shapes, drawn in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub width: f64,
    pub height: f64,
    pub plot: Rect,
    pub items: Vec<Item>,
}

/// About how wide `text` is at font size `size`, from the advance widths of DejaVu Sans (the
/// font the SVG asks for first and the PNG writer looks for first). Layout uses this guess
/// rather than the real font so that the SVG does not depend on which fonts a machine has.
pub fn text_width(text: &str, size: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.28,
            ' ' | '(' | ')' | '[' | ']' | 'f' | 't' | 'r' => 0.38,
            'm' | 'w' | 'M' | 'W' | '%' => 0.93,
            '0'..='9' | '−' | '×' | '+' | '=' | '<' | '>' | '±' => 0.64,
            '⁰'..='⁹' | '¹' | '²' | '³' => 0.4,
            'A'..='Z' => 0.72,
            _ => 0.6,
        })
        .sum();
    em * size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wider_text_is_estimated_wider() {
        assert!(text_width("Regularized evolution", 12.0) > text_width("Random search", 12.0));
        assert_eq!(text_width("", 12.0), 0.0);
        assert!((text_width("100", 10.0) - 19.2).abs() < 1e-9);
    }

    #[test]
    fn rect_edges_and_containment() {
        let r = Rect { x: 1.0, y: 2.0, w: 3.0, h: 4.0 };
        assert_eq!((r.right(), r.bottom()), (4.0, 6.0));
        assert!(r.contains((1.0, 6.0)) && !r.contains((0.9, 3.0)));
    }
}
