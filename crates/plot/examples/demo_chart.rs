//! Draws two figures of synthetic search results, in the style of the Neural Predictor paper's
//! figures 4 and 7, as SVG and PNG (at twice the size, for sharp text):
//!
//! ```sh
//! cargo run -p np-plot --example demo_chart -- out/demo
//! # writes out/demo_search.svg, out/demo_search.png, out/demo_k.svg, out/demo_k.png
//! ```
//!
//! The curves are made up (smooth saturating functions), not results.

use std::path::Path;

use np_plot::{Chart, PngOptions, Series};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(stem) = std::env::args().nth(1) else {
        eprintln!("usage: demo_chart OUTPUT_STEM   (writes OUTPUT_STEM_search.{{svg,png}}, OUTPUT_STEM_k.{{svg,png}})");
        std::process::exit(2);
    };
    if let Some(dir) = Path::new(&stem).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let png = PngOptions { scale: 2.0, ..PngOptions::default() };
    if png.fonts.is_none() {
        eprintln!("demo_chart: no system font found, the PNGs will have no text");
    }
    for (name, chart) in [("search", search_chart()), ("k", k_chart())] {
        std::fs::write(format!("{stem}_{name}.svg"), chart.to_svg())?;
        std::fs::write(format!("{stem}_{name}.png"), chart.to_png_with(&png)?)?;
    }
    Ok(())
}

/// Mean best accuracy against the number of trained models, for three methods.
fn search_chart() -> Chart {
    let models: Vec<f64> = (0..=24).map(|i| 10f64.powf(1.0 + i as f64 * 0.1)).collect();
    // (label, accuracy gained at saturation, models to get halfway there, spread of runs)
    let methods = [
        ("Neural Predictor", 0.0270, 60.0, 0.0012),
        ("Regularized evolution", 0.0262, 240.0, 0.0016),
        ("Random search", 0.0240, 500.0, 0.0020),
    ];
    let series = methods
        .iter()
        .map(|&(label, gain, half, spread)| {
            let stats: Vec<_> = models
                .iter()
                .map(|&n| {
                    let progress = n / (n + half);
                    (n, 0.9160 + gain * progress, spread * (1.0 - 0.6 * progress))
                })
                .collect();
            Series::mean_std(label, &stats)
        })
        .collect();
    Chart {
        title: "Search on NAS-Bench-101 (synthetic)".into(),
        x_label: "Number of trained models".into(),
        y_label: "Best validation accuracy".into(),
        x_log: true,
        series,
        hlines: vec![(0.9432, "Oracle: best in the space".into())],
        ..Chart::default()
    }
}

/// Final accuracy against K (models trained after the predictor's ranking), one line per N.
fn k_chart() -> Chart {
    let ks: Vec<f64> = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0].to_vec();
    let series = [43.0, 86.0, 172.0, 344.0]
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let points = ks.iter().map(|&k| (k, 0.930 + 0.0025 * i as f64 + 0.0035 * (k / (k + 30.0)))).collect();
            let series = Series::new(format!("N = {n}"), points);
            if n == 172.0 { series } else { series.dashed() }
        })
        .collect();
    Chart {
        title: String::new(),
        x_label: "K (models trained from the predictor's ranking)".into(),
        y_label: "Mean best test accuracy".into(),
        x_log: true,
        series,
        ..Chart::default()
    }
}
