//! The public API end to end: well-formed SVG, decodable PNG, same bytes every time.

use np_plot::{Chart, Fonts, LegendPosition, PlotError, PngOptions, Series};
use tiny_skia::Pixmap;

/// A chart with everything that could go wrong: bands, a log axis, gaps, a lone point, a
/// non-positive x on the log axis, a dashed line, a reference line, markup in labels.
fn busy_chart() -> Chart {
    let stats: Vec<_> = (0..30).map(|i| (10f64.powf(1.0 + i as f64 / 10.0), 0.90 + 0.001 * i as f64, 0.002)).collect();
    let mut gappy = Series::new(
        "Random <search> & \"friends\"",
        vec![
            (0.0, 0.91),
            (20.0, 0.905),
            (f64::NAN, 0.92),
            (50.0, 0.93),
            (80.0, f64::INFINITY),
            (200.0, 0.925),
            (400.0, 0.927),
        ],
    );
    gappy.band = Some(vec![(20.0, 0.9, f64::NAN), (50.0, 0.92, 0.94), (200.0, 0.92, 0.93)]);
    Chart {
        series: vec![Series::mean_std("Neural Predictor", &stats), gappy, Series::new("Empty", vec![]).dashed()],
        hlines: vec![(0.9432, "Oracle".into()), (f64::NAN, "nowhere".into())],
        x_log: true,
        ..Chart::new("Search: NAS-Bench-101", "Number of trained models", "Best accuracy")
    }
}

fn no_text(scale: f32) -> PngOptions {
    PngOptions { scale, fonts: None }
}

#[test]
fn svg_is_well_formed_and_holds_the_chart() {
    let svg = busy_chart().to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!((root.attribute("width"), root.attribute("height")), (Some("720"), Some("450")));
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect();
    for expected in ["Search: NAS-Bench-101", "Best accuracy", "Oracle", "Random <search> & \"friends\"", "100"] {
        assert!(texts.iter().any(|t| t == expected), "no text {expected:?} in {texts:?}");
    }
    assert!(!texts.iter().any(|t| t == "nowhere"));
    // The Neural Predictor's band and the gappy series' band (only its last two entries join).
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("polygon")).count(), 2);
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn empty_and_degenerate_charts_give_valid_svg() {
    let charts = [
        Chart::default(),
        Chart { x_log: true, series: vec![Series::new("", vec![(f64::NAN, f64::NAN)])], ..Chart::default() },
        Chart { y_range: Some((1.0, 1.0)), x_range: Some((f64::NAN, 2.0)), ..busy_chart() },
        Chart { width: 0, height: 0, ..busy_chart() },
    ];
    for chart in charts {
        roxmltree::Document::parse(&chart.to_svg()).expect("well-formed XML");
    }
}

#[test]
fn output_is_deterministic() {
    let chart = busy_chart();
    assert_eq!(chart.to_svg(), busy_chart().to_svg());
    let options = PngOptions { scale: 1.5, ..PngOptions::default() };
    assert_eq!(chart.to_png_with(&options).unwrap(), busy_chart().to_png_with(&options).unwrap());
}

#[test]
fn png_decodes_at_the_requested_size_and_shows_the_data() {
    let bytes = busy_chart().to_png_with(&no_text(2.0)).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&bytes[12..16], b"IHDR");
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 1440);
    assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 900);
    let pixmap = Pixmap::decode_png(&bytes).unwrap();
    assert_eq!((pixmap.width(), pixmap.height()), (1440, 900));
    let not_white = pixmap.pixels().iter().filter(|p| (p.red(), p.green(), p.blue()) != (255, 255, 255)).count();
    assert!(not_white > pixmap.pixels().len() / 50, "{not_white} non-white pixels");
    // The first series' line is drawn in the first palette colour.
    let first = np_plot::palette::SERIES[0];
    assert!(pixmap.pixels().iter().any(|p| (p.red(), p.green(), p.blue()) == (first.r, first.g, first.b)));
    assert!(pixmap.pixels().iter().all(|p| p.alpha() == 255), "opaque background");
}

#[test]
fn png_without_fonts_is_the_same_figure_without_text() {
    let chart = busy_chart();
    let without = Pixmap::decode_png(&chart.to_png_with(&no_text(1.0)).unwrap()).unwrap();
    assert_eq!((without.width(), without.height()), (720, 450));
    let Some(fonts) = Fonts::system() else { return };
    let with = Pixmap::decode_png(&chart.to_png_with(&PngOptions { scale: 1.0, fonts: Some(fonts) }).unwrap()).unwrap();
    let dark = |p: &Pixmap| p.pixels().iter().filter(|p| p.red() < 100 && p.green() < 100 && p.blue() < 100).count();
    // Titles, labels and tick numbers add dark pixels.
    assert!(dark(&with) > dark(&without) + 2000, "{} vs {}", dark(&with), dark(&without));
}

#[test]
fn legend_positions_all_draw() {
    for legend in [
        LegendPosition::Auto,
        LegendPosition::UpperLeft,
        LegendPosition::UpperRight,
        LegendPosition::LowerLeft,
        LegendPosition::LowerRight,
        LegendPosition::Outside,
        LegendPosition::Hidden,
    ] {
        let svg = Chart { legend, ..busy_chart() }.to_svg();
        let shown = svg.contains(">Neural Predictor</text>");
        assert_eq!(shown, legend != LegendPosition::Hidden, "{legend:?}");
    }
}

#[test]
fn impossible_png_sizes_are_errors() {
    let chart = busy_chart();
    for scale in [0.0, -1.0, f32::NAN, 1e6] {
        assert!(matches!(chart.to_png_with(&no_text(scale)), Err(PlotError::Size { .. })), "scale {scale}");
    }
    let tiny = Chart { width: 1, height: 1, ..busy_chart() };
    assert!(tiny.to_png_with(&no_text(1.0)).is_ok());
}
