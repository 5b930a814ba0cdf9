//! Fonts for the PNG writer: finding one on the system, and turning a line of text into glyph
//! outlines. Text is laid out glyph by glyph with the font's advances and its `kern` table;
//! there is no shaping (ligatures, right-to-left scripts), which axis labels do not need.

use std::path::Path;

use tiny_skia::{PathBuilder, Transform};
use ttf_parser::{Face, GlyphId, OutlineBuilder};

use crate::PlotError;

/// Where common systems keep a sans-serif font with the digits, Greek letters and superscripts
/// that axis labels use: DejaVu Sans (Debian, Ubuntu, Fedora, Arch, Alpine), then Liberation
/// Sans and Arial. Each entry: regular, bold.
const CANDIDATES: &[(&str, &str)] = &[
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/usr/local/share/fonts/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
    ("C:\\Windows\\Fonts\\arial.ttf", "C:\\Windows\\Fonts\\arialbd.ttf"),
];

/// A regular font and, optionally, a bold one for the title (the regular one stands in when
/// there is none). TrueType or OpenType data, parsed when drawing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fonts {
    regular: Vec<u8>,
    bold: Option<Vec<u8>>,
}

impl Fonts {
    /// Fonts from file contents, checked to parse.
    pub fn new(regular: Vec<u8>, bold: Option<Vec<u8>>) -> Result<Fonts, PlotError> {
        for data in std::iter::once(&regular).chain(bold.as_ref()) {
            Face::parse(data, 0).map_err(|e| PlotError::Font(e.to_string()))?;
        }
        Ok(Fonts { regular, bold })
    }

    /// The first of a fixed list of well-known font files that exists and parses (DejaVu Sans
    /// first); `None` when the system has none of them.
    pub fn system() -> Option<Fonts> {
        CANDIDATES.iter().find_map(|(regular, bold)| {
            let read = |p: &str| std::fs::read(Path::new(p)).ok();
            Fonts::new(read(regular)?, read(bold)).ok()
        })
    }

    pub(crate) fn faces(&self) -> (Face<'_>, Option<Face<'_>>) {
        let regular = Face::parse(&self.regular, 0).expect("checked in Fonts::new");
        let bold = self.bold.as_ref().map(|b| Face::parse(b, 0).expect("checked in Fonts::new"));
        (regular, bold)
    }
}

/// The outline of `text` set in `face` at `size` pixels, its baseline starting at the origin,
/// with its advance width; `None` for text without any visible glyph.
pub(crate) fn text_outline(face: &Face, text: &str, size: f64) -> (Option<tiny_skia::Path>, f64) {
    let mut builder = Outline { path: PathBuilder::new(), pen: 0.0 };
    let mut previous: Option<GlyphId> = None;
    for c in text.chars() {
        let glyph = face.glyph_index(c).unwrap_or(GlyphId(0));
        if let Some(left) = previous {
            builder.pen += f32::from(kerning(face, left, glyph));
        }
        face.outline_glyph(glyph, &mut builder);
        builder.pen += f32::from(face.glyph_hor_advance(glyph).unwrap_or(0));
        previous = Some(glyph);
    }
    let scale = size as f32 / f32::from(face.units_per_em());
    let advance = f64::from(builder.pen * scale);
    let path = builder.path.finish().and_then(|p| p.transform(Transform::from_scale(scale, scale)));
    (path, advance)
}

fn kerning(face: &Face, left: GlyphId, right: GlyphId) -> i16 {
    let Some(kern) = face.tables().kern else { return 0 };
    kern.subtables
        .into_iter()
        .filter(|s| s.horizontal && !s.variable)
        .find_map(|s| s.glyphs_kerning(left, right))
        .unwrap_or(0)
}

/// Collects glyph outlines (font units, y up) into one path (y down), each glyph moved to the
/// pen position.
struct Outline {
    path: PathBuilder,
    pen: f32,
}

impl OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.path.move_to(self.pen + x, -y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.path.line_to(self.pen + x, -y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.path.quad_to(self.pen + x1, -y1, self.pen + x, -y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.path.cubic_to(self.pen + x1, -y1, self.pen + x2, -y2, self.pen + x, -y);
    }
    fn close(&mut self) {
        self.path.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_font_data_is_an_error() {
        assert!(matches!(Fonts::new(b"not a font".to_vec(), None), Err(PlotError::Font(_))));
    }

    #[test]
    fn system_font_outlines_text_when_there_is_one() {
        // Machines without any of the known fonts skip this check; the PNG tests cover them.
        let Some(fonts) = Fonts::system() else { return };
        let (face, _) = fonts.faces();
        let (path, advance) = text_outline(&face, "Accuracy 10⁵", 12.0);
        let bounds = path.expect("visible glyphs").bounds();
        assert!(advance > 50.0 && advance < 120.0, "advance {advance}");
        assert!(bounds.top() < -7.0 && bounds.bottom() < 4.0);
        let (space, width) = text_outline(&face, " ", 12.0);
        assert!(space.is_none() && width > 0.0);
    }
}
