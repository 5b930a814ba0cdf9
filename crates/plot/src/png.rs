//! A [`Scene`] rasterised with tiny-skia and encoded as an 8-bit RGBA PNG.

use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Mask, Paint, Path, PathBuilder, Pixmap, Stroke as SkStroke, StrokeDash,
    Transform,
};

use crate::PlotError;
use crate::font::{Fonts, text_outline};
use crate::palette::Rgba;
use crate::scene::{Anchor, Item, Rect, Scene, Stroke};

/// The largest image drawn, in pixels (a 16384 × 16384 square): more is a caller's mistake.
const MAX_PIXELS: u64 = 1 << 28;

/// How to draw a PNG.
#[derive(Clone, Debug, PartialEq)]
pub struct PngOptions {
    /// Pixels per chart unit: 2 gives a 1440 × 900 image of a 720 × 450 chart, sharp on
    /// high-density screens.
    pub scale: f32,
    /// The fonts for all text; `None` draws the figure without any text.
    pub fonts: Option<Fonts>,
}

impl Default for PngOptions {
    /// Scale 1 and the system's fonts ([`Fonts::system`]), if it has any.
    fn default() -> PngOptions {
        PngOptions { scale: 1.0, fonts: Fonts::system() }
    }
}

pub fn write_png(scene: &Scene, options: &PngOptions) -> Result<Vec<u8>, PlotError> {
    let scale = options.scale;
    let width = (scene.width * f64::from(scale)).round();
    let height = (scene.height * f64::from(scale)).round();
    let invalid = PlotError::Size { width, height };
    if !(scale.is_finite() && width >= 1.0 && height >= 1.0 && width * height <= MAX_PIXELS as f64) {
        return Err(invalid);
    }
    let mut pixmap = Pixmap::new(width as u32, height as u32).ok_or(invalid)?;
    let base = Transform::from_scale(scale, scale);
    let clip = plot_mask(scene.plot, base, pixmap.width(), pixmap.height());
    let faces = options.fonts.as_ref().map(Fonts::faces);

    for item in &scene.items {
        match item {
            Item::Rect { rect, fill, stroke } => {
                if let Some(path) = rect_path(*rect) {
                    if let Some(fill) = fill {
                        pixmap.fill_path(&path, &paint(*fill), FillRule::Winding, base, None);
                    }
                    if let Some(stroke) = stroke {
                        pixmap.stroke_path(&path, &paint(stroke.color), &sk_stroke(stroke), base, None);
                    }
                }
            }
            Item::Polyline { points, stroke, clipped } => {
                if let Some(path) = polyline(points, false) {
                    let mask = clip.as_ref().filter(|_| *clipped);
                    pixmap.stroke_path(&path, &paint(stroke.color), &sk_stroke(stroke), base, mask);
                }
            }
            Item::Polygon { points, fill, clipped } => {
                if let Some(path) = polyline(points, true) {
                    let mask = clip.as_ref().filter(|_| *clipped);
                    pixmap.fill_path(&path, &paint(*fill), FillRule::Winding, base, mask);
                }
            }
            Item::Circle { center, radius, fill, clipped } => {
                if let Some(path) = PathBuilder::from_circle(center.0 as f32, center.1 as f32, *radius as f32) {
                    let mask = clip.as_ref().filter(|_| *clipped);
                    pixmap.fill_path(&path, &paint(*fill), FillRule::Winding, base, mask);
                }
            }
            Item::Text(text) => {
                let Some((regular, bold)) = &faces else { continue };
                let face = if text.bold { bold.as_ref().unwrap_or(regular) } else { regular };
                let (Some(path), advance) = text_outline(face, &text.content, text.size) else { continue };
                let shift = match text.anchor {
                    Anchor::Start => 0.0,
                    Anchor::Middle => -advance / 2.0,
                    Anchor::End => -advance,
                };
                let mut at = base.pre_translate(text.x as f32, text.y as f32);
                if text.vertical {
                    // A quarter turn to the left: the text reads upwards.
                    at = at.pre_concat(Transform::from_row(0.0, -1.0, 1.0, 0.0, 0.0, 0.0));
                }
                at = at.pre_translate(shift as f32, 0.0);
                pixmap.fill_path(&path, &paint(text.color), FillRule::Winding, at, None);
            }
        }
    }
    pixmap.encode_png().map_err(|e| PlotError::Encode(e.to_string()))
}

fn plot_mask(plot: Rect, base: Transform, width: u32, height: u32) -> Option<Mask> {
    let mut mask = Mask::new(width, height)?;
    mask.fill_path(&rect_path(plot)?, FillRule::Winding, true, base);
    Some(mask)
}

fn rect_path(r: Rect) -> Option<Path> {
    let rect = tiny_skia::Rect::from_xywh(r.x as f32, r.y as f32, r.w as f32, r.h as f32)?;
    Some(PathBuilder::from_rect(rect))
}

fn polyline(points: &[(f64, f64)], closed: bool) -> Option<Path> {
    let mut pb = PathBuilder::new();
    let (first, rest) = points.split_first()?;
    pb.move_to(first.0 as f32, first.1 as f32);
    for p in rest {
        pb.line_to(p.0 as f32, p.1 as f32);
    }
    if closed {
        pb.close();
    }
    pb.finish()
}

fn paint(c: Rgba) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color(Color::from_rgba8(c.r, c.g, c.b, (c.a.clamp(0.0, 1.0) * 255.0).round() as u8));
    paint.anti_alias = true;
    paint
}

fn sk_stroke(s: &Stroke) -> SkStroke {
    SkStroke {
        width: s.width as f32,
        line_cap: LineCap::Butt,
        line_join: LineJoin::Round,
        dash: s.dash.and_then(|(on, off)| StrokeDash::new(vec![on as f32, off as f32], 0.0)),
        ..SkStroke::default()
    }
}
