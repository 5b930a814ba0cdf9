//! Line charts of search experiments, as SVG and PNG: for the figures in the docs.
//!
//! A search experiment compares methods (the Neural Predictor, regularized evolution, random
//! search) by the best accuracy found against the number of models trained or the training
//! time spent, averaged over repeated runs; the Neural Predictor paper's figures 4 and 7 are of
//! this kind. A [`Chart`] holds such a figure: [`Series`] of `(x, y)` points, each optionally
//! with a shaded band (mean ± std, see [`Series::mean_std`]) and drawn dashed, horizontal
//! reference lines with labels (the best accuracy in the space), axis labels, a title, and an
//! optionally logarithmic x axis. [`Chart::to_svg`] and [`Chart::to_png`] draw it:
//!
//! - [`scale`]: axis ranges (given, or fitted to the data with 5% padding), the mapping onto
//!   the axis, and tick values: 1-2-5 steps on linear axes, decades (with 2 and 5 labelled
//!   while few decades show) on log axes.
//! - [`palette`]: the Okabe–Ito colours, safe for colour-blind readers.
//! - `layout`: margins, ticks that fit, the legend in the first empty corner of the plot
//!   (lower right first) or outside it on the right, all as shapes in pixels (`scene`).
//! - `svg`: those shapes as SVG text; `png`: the same shapes rasterised.
//!
//! Both outputs are deterministic: the same chart gives the same bytes (for the PNG, given the
//! same fonts and the same CPU architecture). Points with NaN or infinite coordinates, or
//! non-positive x on a log axis, break a line instead of spoiling it (a lone point between two
//! gaps gets a dot); empty series, empty charts and degenerate ranges draw without panicking.
//!
//! **Text in the PNG** needs a font file: [`Fonts::system`] looks for DejaVu Sans (then
//! Liberation Sans, Arial) where common systems install it; Debian's `fonts-dejavu-core`
//! provides it. Without one, the PNG is still a valid image of the same size with every line,
//! band and legend swatch but no text at all; pass [`PngOptions::fonts`] to use a font of your
//! own. The SVG names DejaVu Sans first and leaves the choice to the viewer, so its text
//! always shows; text widths for the layout are estimated from DejaVu Sans's metrics, so other
//! fonts may sit slightly wider or narrower.
//!
//! **Why tiny-skia and ttf-parser for the PNG.** The SVG is drawn by our own code; the PNG draws
//! the same shapes with tiny-skia (a pure-Rust port of Skia's rasteriser, with PNG encoding)
//! and glyph outlines read by ttf-parser. Both are pure Rust and need no system library. Built
//! from clean (dev profile, optimised dependencies, two cores), they take about 40 s of CPU
//! time, under 20 s on an idle machine. Rendering our SVG with `resvg` (text and system fonts
//! only) would also be pure Rust and would give identical output by construction, but its SVG
//! parser, CSS, font database and text shaper take about 260 s of CPU time for resvg 0.49
//! (harfrust, skrifa and read-fonts) and 73 s of wall time on an idle machine for resvg 0.45
//! (rustybuzz), four to six times as much, for features a chart does not use; drawing one
//! shared list of shapes gives the same guarantee.
//!
//! What this crate does not do: read records or compute means and deviations (the experiment
//! tool does), point markers, bar or scatter charts, a log y axis, several plots in one figure, text
//! shaping for complex scripts, or embedding fonts in the SVG.

mod chart;
mod figure_files;
mod font;
mod layout;
pub mod palette;
mod png;
pub mod scale;
mod scene;
mod svg;

use std::fmt;

pub use chart::{Chart, LegendPosition, Series};
pub use font::Fonts;
pub use png::PngOptions;

/// Why a PNG could not be drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum PlotError {
    /// The image would be empty or larger than 2²⁸ pixels at the requested scale.
    Size { width: f64, height: f64 },
    /// Font data that does not parse as TrueType or OpenType.
    Font(String),
    /// The PNG encoder failed.
    Encode(String),
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::Size { width, height } => {
                write!(f, "cannot draw a {width} x {height} pixel image (at least 1 x 1, at most 2^28 pixels)")
            }
            PlotError::Font(e) => write!(f, "unreadable font: {e}"),
            PlotError::Encode(e) => write!(f, "PNG encoding failed: {e}"),
        }
    }
}

impl std::error::Error for PlotError {}

impl Chart {
    /// The chart as a standalone SVG document of `width` × `height` user units.
    pub fn to_svg(&self) -> String {
        svg::write_svg(&layout::layout(self))
    }

    /// The chart as a `width` × `height` PNG, its text set in the system's font
    /// ([`Fonts::system`]) or left out when there is none.
    pub fn to_png(&self) -> Result<Vec<u8>, PlotError> {
        self.to_png_with(&PngOptions::default())
    }

    /// The chart as a PNG at a scale and with fonts of the caller's choice.
    pub fn to_png_with(&self, options: &PngOptions) -> Result<Vec<u8>, PlotError> {
        png::write_png(&layout::layout(self), options)
    }
}
