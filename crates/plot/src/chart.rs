//! What a chart shows: the data and labels a caller fills in.

/// One curve, usually one search method: its mean over repeated runs, and optionally a band
/// around it (mean ± one standard deviation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Its name in the legend.
    pub label: String,
    /// `(x, y)` points, joined in the given order. A point with a NaN or infinite coordinate (or
    /// a non-positive one on a log axis) is left out and breaks the line there.
    pub points: Vec<(f64, f64)>,
    /// `(x, low, high)`: a shaded band from `low` to `high`, drawn under the line.
    pub band: Option<Vec<(f64, f64, f64)>>,
    /// Drawn dashed, e.g. for a baseline or an idealised method.
    pub dashed: bool,
}

impl Series {
    /// A solid line without a band.
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series { label: label.into(), points, band: None, dashed: false }
    }

    /// The line through the means and a band of ± one standard deviation, from
    /// `(x, mean, std)` triples (as a search experiment aggregates its repeated runs).
    pub fn mean_std(label: impl Into<String>, stats: &[(f64, f64, f64)]) -> Series {
        Series {
            label: label.into(),
            points: stats.iter().map(|&(x, mean, _)| (x, mean)).collect(),
            band: Some(stats.iter().map(|&(x, m, s)| (x, m - s, m + s)).collect()),
            dashed: false,
        }
    }

    /// The same series drawn dashed.
    pub fn dashed(self) -> Series {
        Series { dashed: true, ..self }
    }
}

/// Where the legend goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LegendPosition {
    /// The first corner inside the plot, in the order lower right, upper left, lower left, upper
    /// right, where it covers no line, band or reference line; outside on the right when every
    /// corner would cover some, unless the legend would take more than 30% of the figure's
    /// width there: then the corner that covers the least.
    #[default]
    Auto,
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
    /// Right of the plot area, which gets narrower to make room.
    Outside,
    /// No legend.
    Hidden,
}

/// A line chart: labelled axes (the x axis optionally logarithmic), series with optional bands,
/// and horizontal reference lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Above the plot; empty for none (a paper's figure caption usually says it instead).
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Logarithmic (base 10) x axis.
    pub x_log: bool,
    /// Drawn in order, coloured by position from [`palette::SERIES`](crate::palette::SERIES).
    pub series: Vec<Series>,
    /// `(y, label)`: a horizontal dotted line across the plot, its label at its right end (e.g.
    /// the best accuracy in the search space).
    pub hlines: Vec<(f64, String)>,
    /// The y range shown; `None` (or an unusable range) for one that fits the data, bands and
    /// reference lines with 5% padding.
    pub y_range: Option<(f64, f64)>,
    /// The x range shown, likewise.
    pub x_range: Option<(f64, f64)>,
    /// The figure's size in pixels (the SVG's user units; the PNG's pixels at scale 1).
    pub width: u32,
    pub height: u32,
    pub legend: LegendPosition,
}

impl Default for Chart {
    /// An empty 720 × 450 chart: wide enough for a README, 16:10 like most paper figures.
    fn default() -> Chart {
        Chart {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            x_log: false,
            series: Vec::new(),
            hlines: Vec::new(),
            y_range: None,
            x_range: None,
            width: 720,
            height: 450,
            legend: LegendPosition::Auto,
        }
    }
}

impl Chart {
    /// An empty chart with a title and axis labels, otherwise [`Chart::default`].
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, y_label: impl Into<String>) -> Chart {
        Chart { title: title.into(), x_label: x_label.into(), y_label: y_label.into(), ..Chart::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_makes_a_band_of_one_std() {
        let s = Series::mean_std("NP", &[(1.0, 0.9, 0.01), (2.0, 0.92, 0.02)]);
        assert_eq!(s.points, [(1.0, 0.9), (2.0, 0.92)]);
        let band = s.band.unwrap();
        assert!((band[1].1 - 0.90).abs() < 1e-12 && (band[1].2 - 0.94).abs() < 1e-12);
        assert!(Series::new("x", vec![]).dashed().dashed);
    }
}
