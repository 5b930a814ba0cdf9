//! The colours of the series: the Okabe–Ito palette, which stays distinguishable for the common
//! kinds of colour blindness and in greyscale print (Okabe & Ito, "Color Universal Design",
//! 2008). Yellow comes last: it is the hardest to see on white.

/// An sRGB colour with opacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    /// Opacity, 0 (invisible) to 1 (opaque).
    pub a: f32,
}

impl Rgba {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Rgba {
        Rgba { r, g, b, a: 1.0 }
    }

    pub const fn with_alpha(self, a: f32) -> Rgba {
        Rgba { a, ..self }
    }

    /// `#rrggbb`, without the opacity.
    pub fn hex(&self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// Okabe–Ito: blue, vermillion, bluish green, reddish purple, orange, sky blue, black, yellow.
pub const SERIES: [Rgba; 8] = [
    Rgba::rgb(0x00, 0x72, 0xb2),
    Rgba::rgb(0xd5, 0x5e, 0x00),
    Rgba::rgb(0x00, 0x9e, 0x73),
    Rgba::rgb(0xcc, 0x79, 0xa7),
    Rgba::rgb(0xe6, 0x9f, 0x00),
    Rgba::rgb(0x56, 0xb4, 0xe9),
    Rgba::rgb(0x00, 0x00, 0x00),
    Rgba::rgb(0xf0, 0xe4, 0x42),
];

/// The colour of the `index`-th series; after eight the colours repeat.
pub fn series_color(index: usize) -> Rgba {
    SERIES[index % SERIES.len()]
}

pub const BACKGROUND: Rgba = Rgba::rgb(0xff, 0xff, 0xff);
pub const TEXT: Rgba = Rgba::rgb(0x22, 0x22, 0x22);
pub const AXIS: Rgba = Rgba::rgb(0x44, 0x44, 0x44);
pub const GRID: Rgba = Rgba::rgb(0xe2, 0xe2, 0xe2);
pub const REFERENCE: Rgba = Rgba::rgb(0x55, 0x55, 0x55);
pub const LEGEND_FRAME: Rgba = Rgba::rgb(0xcc, 0xcc, 0xcc);

/// How opaque a ±std band is: enough to see, light enough that overlapping bands and the lines
/// over them stay readable.
pub const BAND_ALPHA: f32 = 0.18;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_cycle_and_print_as_hex() {
        assert_eq!(series_color(0).hex(), "#0072b2");
        assert_eq!(series_color(8), series_color(0));
        assert_eq!(series_color(1).with_alpha(0.5).a, 0.5);
    }
}
