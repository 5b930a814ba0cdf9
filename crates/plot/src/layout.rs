//! From a [`Chart`] to a [`Scene`]: margins, axis ranges and ticks, the data in pixels, the
//! legend's place.

use crate::chart::{Chart, LegendPosition};
use crate::palette::{self, Rgba};
use crate::scale::{Scale, Tick};
use crate::scene::{Anchor, Item, Rect, Scene, Stroke, Text, text_width};

const TITLE_SIZE: f64 = 15.0;
const LABEL_SIZE: f64 = 13.0;
const TICK_SIZE: f64 = 11.0;
const LEGEND_SIZE: f64 = 11.5;
const REFERENCE_SIZE: f64 = 10.0;
const TICK_LENGTH: f64 = 5.0;
const MINOR_TICK_LENGTH: f64 = 3.0;
const LINE_WIDTH: f64 = 2.0;
const DASH: (f64, f64) = (7.0, 4.0);
const REFERENCE_DASH: (f64, f64) = (2.0, 3.0);
/// A lone point between gaps has no line to show it: it gets a dot of this radius.
const DOT_RADIUS: f64 = 2.5;
/// Glyph heights as fractions of the font size (DejaVu Sans: ascender of digits and capitals,
/// descender), to place baselines so text sits where intended.
const CAP_HEIGHT: f64 = 0.73;
const DESCENT: f64 = 0.24;

/// Draws `chart` as shapes in pixel coordinates.
pub fn layout(chart: &Chart) -> Scene {
    let legend = Legend::measure(chart);
    let mut frame = Frame::new(chart, 0.0);
    let mut placed = None;
    if let Some(legend) = &legend {
        let corner = match chart.legend {
            LegendPosition::Auto => {
                let ink = Ink::of(chart, &frame);
                let corners = [Corner::LowerRight, Corner::UpperLeft, Corner::LowerLeft, Corner::UpperRight];
                let covered = |c: Corner| ink.covered(&legend.at_corner(c, frame.plot));
                corners.into_iter().find(|&c| covered(c) == 0).or_else(|| {
                    // Outside costs the plot the legend's width: worth it unless that is much
                    // of a small figure, where covering as little as possible is better.
                    let affordable = legend.w + 12.0 <= 0.3 * f64::from(chart.width);
                    if affordable { None } else { corners.into_iter().min_by_key(|&c| covered(c)) }
                })
            }
            LegendPosition::UpperLeft => Some(Corner::UpperLeft),
            LegendPosition::UpperRight => Some(Corner::UpperRight),
            LegendPosition::LowerLeft => Some(Corner::LowerLeft),
            LegendPosition::LowerRight => Some(Corner::LowerRight),
            LegendPosition::Outside => None,
            LegendPosition::Hidden => return draw(chart, &frame, None),
        };
        placed = Some(match corner {
            Some(c) => legend.at_corner(c, frame.plot),
            None => {
                frame = Frame::new(chart, legend.w + 12.0);
                Rect { x: frame.plot.right() + 12.0, y: frame.plot.y, w: legend.w, h: legend.h }
            }
        });
    }
    draw(chart, &frame, placed.map(|rect| (legend.unwrap(), rect)))
}

/// The plot area and its axes.
struct Frame {
    plot: Rect,
    x: Scale,
    y: Scale,
    x_ticks: Vec<Tick>,
    y_ticks: Vec<Tick>,
    /// Where the y axis label's baseline goes.
    y_label_x: f64,
}

impl Frame {
    /// Lays out the axes of `chart` with `extra_right` pixels kept free right of the plot.
    fn new(chart: &Chart, extra_right: f64) -> Frame {
        let (width, height) = (f64::from(chart.width.max(1)), f64::from(chart.height.max(1)));
        let x = Scale::fit(chart.x_range, x_values(chart), chart.x_log);
        let y = Scale::fit(chart.y_range, y_values(chart, &x), false);

        let top = if chart.title.is_empty() { 14.0 } else { 24.0 + TITLE_SIZE };
        let tick_baseline = TICK_LENGTH + 3.0 + CAP_HEIGHT * TICK_SIZE;
        let bottom = if chart.x_label.is_empty() {
            tick_baseline + 10.0
        } else {
            tick_baseline + 8.0 + LABEL_SIZE + DESCENT * LABEL_SIZE + 6.0
        };
        let plot_h = (height - top - bottom).max(1.0).round();
        let y_ticks = y.ticks(((plot_h / 50.0) as usize).clamp(2, 10));
        let y_tick_w =
            y_ticks.iter().filter_map(|t| t.label.as_deref()).map(|l| text_width(l, TICK_SIZE)).fold(0.0, f64::max);
        let y_label_offset = TICK_LENGTH + 4.0 + y_tick_w + 8.0 + DESCENT * LABEL_SIZE;
        let left = if chart.y_label.is_empty() {
            TICK_LENGTH + 4.0 + y_tick_w + 8.0
        } else {
            y_label_offset + CAP_HEIGHT * LABEL_SIZE + 8.0
        }
        .round();

        let mut right = 18.0 + extra_right;
        let mut plot = Rect { x: left, y: top, w: 1.0, h: plot_h };
        let mut x_ticks = Vec::new();
        // Twice at most: the last tick label may need a wider right margin.
        for _ in 0..2 {
            plot.w = (width - left - right).max(1.0).round();
            x_ticks = fitting_x_ticks(&x, plot);
            let last_half = x_ticks
                .iter()
                .rev()
                .find(|t| t.label.is_some())
                .map(|t| {
                    let end = plot.x + x.fraction(t.value).unwrap_or(0.0) * plot.w;
                    end + text_width(t.label.as_deref().unwrap_or(""), TICK_SIZE) / 2.0
                })
                .unwrap_or(0.0);
            let overflow = last_half + 4.0 - (width - extra_right);
            if overflow <= 0.0 {
                break;
            }
            right += overflow.ceil();
        }
        Frame { plot, x, y, x_ticks, y_ticks, y_label_x: left - y_label_offset }
    }

    fn px(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        // Far-away points are pulled in (keeping the line's side) so that coordinates stay
        // within what a rasteriser handles; the plot area clips them anyway.
        let fx = self.x.fraction(x)?.clamp(-100.0, 101.0);
        let fy = self.y.fraction(y)?.clamp(-100.0, 101.0);
        Some((self.plot.x + fx * self.plot.w, self.plot.bottom() - fy * self.plot.h))
    }
}

/// The x ticks with as many labels as fit side by side without touching.
fn fitting_x_ticks(x: &Scale, plot: Rect) -> Vec<Tick> {
    // Linear axes aim for a label every 90 pixels or more; a log axis's decade labels are
    // few and short, so it starts from all of them and thins only where they would touch.
    let mut max_labels = if x.log { 12 } else { ((plot.w / 90.0) as usize).clamp(2, 10) };
    loop {
        let mut ticks = x.ticks(max_labels);
        if labels_fit(&ticks, x, plot) {
            return ticks;
        }
        if x.log {
            for t in ticks.iter_mut().filter(|t| !t.major) {
                t.label = None;
            }
            if labels_fit(&ticks, x, plot) {
                return ticks;
            }
        }
        if max_labels == 1 {
            return ticks;
        }
        max_labels -= 1;
    }
}

fn labels_fit(ticks: &[Tick], x: &Scale, plot: Rect) -> bool {
    let spans: Vec<(f64, f64)> = ticks
        .iter()
        .filter_map(|t| {
            let label = t.label.as_deref()?;
            let center = plot.x + x.fraction(t.value)? * plot.w;
            let half = text_width(label, TICK_SIZE) / 2.0;
            Some((center - half, center + half))
        })
        .collect();
    spans.windows(2).all(|w| w[0].1 + 8.0 <= w[1].0)
}

fn x_values(chart: &Chart) -> impl Iterator<Item = f64> + '_ {
    chart.series.iter().flat_map(|s| {
        let band = s.band.iter().flatten().map(|b| b.0);
        s.points.iter().map(|p| p.0).chain(band)
    })
}

/// The y values an automatic y range must show: those of points inside the x range, and the
/// reference lines.
fn y_values<'a>(chart: &'a Chart, x: &'a Scale) -> impl Iterator<Item = f64> + 'a {
    let inside = move |v: f64| x.fraction(v).is_some_and(|f| (-1e-9..=1.0 + 1e-9).contains(&f));
    chart
        .series
        .iter()
        .flat_map(move |s| {
            let band = s.band.iter().flatten().filter(move |b| inside(b.0)).flat_map(|b| [b.1, b.2]);
            s.points.iter().filter(move |p| inside(p.0)).map(|p| p.1).chain(band)
        })
        .chain(chart.hlines.iter().map(|h| h.0))
}

/// Runs of consecutive points that can be drawn, split where a point cannot.
fn runs<T: Copy, P>(items: &[T], mut map: impl FnMut(T) -> Option<P>) -> Vec<Vec<P>> {
    let mut runs = vec![Vec::new()];
    for &item in items {
        match map(item) {
            Some(p) => runs.last_mut().unwrap().push(p),
            None if runs.last().unwrap().is_empty() => {}
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

/// The band of a series as polygons in pixels.
fn band_polygons(frame: &Frame, band: &[(f64, f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    runs(band, |(x, lo, hi)| Some((frame.px(x, lo)?, frame.px(x, hi)?)))
        .into_iter()
        .filter(|run| run.len() >= 2)
        .map(|run| {
            let lows = run.iter().map(|p| p.0);
            lows.chain(run.iter().rev().map(|p| p.1)).collect()
        })
        .collect()
}

/// One reference line in pixels, with its label's baseline, when it lies inside the plot.
fn reference_line(frame: &Frame, y: f64) -> Option<(f64, (f64, f64))> {
    let fy = frame.y.fraction(y)?;
    if !(0.0..=1.0).contains(&fy) {
        return None;
    }
    let plot = frame.plot;
    let py = plot.bottom() - fy * plot.h;
    let label_y =
        if py - 4.0 - CAP_HEIGHT * REFERENCE_SIZE > plot.y { py - 4.0 } else { py + 4.0 + CAP_HEIGHT * REFERENCE_SIZE };
    Some((py, (plot.right() - 5.0, label_y)))
}

/// The legend's size and rows.
struct Legend {
    w: f64,
    h: f64,
    /// Label, colour, dashed, has a band.
    rows: Vec<(String, Rgba, bool, bool)>,
}

const LEGEND_PAD: f64 = 8.0;
const LEGEND_ROW: f64 = 18.0;
const LEGEND_SAMPLE: f64 = 26.0;
const LEGEND_INSET: f64 = 10.0;

#[derive(Clone, Copy)]
enum Corner {
    UpperLeft,
    UpperRight,
    LowerLeft,
    LowerRight,
}

impl Legend {
    /// The legend of the labelled series; none when there is none or it is hidden.
    fn measure(chart: &Chart) -> Option<Legend> {
        let rows: Vec<_> = chart
            .series
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.label.is_empty())
            .map(|(i, s)| (s.label.clone(), palette::series_color(i), s.dashed, s.band.is_some()))
            .collect();
        if rows.is_empty() || chart.legend == LegendPosition::Hidden {
            return None;
        }
        let label_w = rows.iter().map(|r| text_width(&r.0, LEGEND_SIZE)).fold(0.0, f64::max);
        Some(Legend {
            w: (2.0 * LEGEND_PAD + LEGEND_SAMPLE + 6.0 + label_w).ceil(),
            h: 2.0 * 5.0 + rows.len() as f64 * LEGEND_ROW,
            rows,
        })
    }

    fn at_corner(&self, corner: Corner, plot: Rect) -> Rect {
        let left = plot.x + LEGEND_INSET;
        let right = plot.right() - LEGEND_INSET - self.w;
        let top = plot.y + LEGEND_INSET;
        let bottom = plot.bottom() - LEGEND_INSET - self.h;
        let (x, y) = match corner {
            Corner::UpperLeft => (left, top),
            Corner::UpperRight => (right, top),
            Corner::LowerLeft => (left, bottom),
            Corner::LowerRight => (right, bottom),
        };
        Rect { x, y, w: self.w, h: self.h }
    }

    fn draw(&self, at: Rect, items: &mut Vec<Item>) {
        items.push(Item::Rect {
            rect: at,
            fill: Some(palette::BACKGROUND.with_alpha(0.9)),
            stroke: Some(Stroke { color: palette::LEGEND_FRAME, width: 1.0, dash: None }),
        });
        for (i, (label, color, dashed, band)) in self.rows.iter().enumerate() {
            let mid = (at.y + 5.0 + LEGEND_ROW * (i as f64 + 0.5)).round();
            let (x0, x1) = (at.x + LEGEND_PAD, at.x + LEGEND_PAD + LEGEND_SAMPLE);
            if *band {
                let swatch = Rect { x: x0, y: mid - 5.0, w: LEGEND_SAMPLE, h: 10.0 };
                items.push(Item::Rect {
                    rect: swatch,
                    fill: Some(color.with_alpha(palette::BAND_ALPHA)),
                    stroke: None,
                });
            }
            items.push(Item::Polyline {
                points: vec![(x0, mid), (x1, mid)],
                stroke: series_stroke(*color, *dashed),
                clipped: false,
            });
            items.push(Item::Text(Text {
                x: x1 + 6.0,
                y: mid + CAP_HEIGHT * LEGEND_SIZE / 2.0,
                content: label.clone(),
                size: LEGEND_SIZE,
                anchor: Anchor::Start,
                bold: false,
                color: palette::TEXT,
                vertical: false,
            }));
        }
    }
}

fn series_stroke(color: Rgba, dashed: bool) -> Stroke {
    Stroke { color, width: LINE_WIDTH, dash: dashed.then_some(DASH) }
}

/// Pixels of the plot that data covers, sampled finely enough that a legend box placed over
/// any of it would be noticed.
struct Ink(Vec<(f64, f64)>);

impl Ink {
    fn of(chart: &Chart, frame: &Frame) -> Ink {
        let mut ink = Vec::new();
        let mut segment = |a: (f64, f64), b: (f64, f64)| {
            let steps = ((b.0 - a.0).hypot(b.1 - a.1) / 3.0).ceil().clamp(1.0, 10_000.0) as usize;
            for k in 0..=steps {
                let t = k as f64 / steps as f64;
                ink.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
            }
        };
        for series in &chart.series {
            for run in runs(&series.points, |(x, y)| frame.px(x, y)) {
                segment(run[0], run[0]);
                for w in run.windows(2) {
                    segment(w[0], w[1]);
                }
            }
            for polygon in band_polygons(frame, series.band.as_deref().unwrap_or(&[])) {
                // Columns between the lower and the upper edge, a few pixels apart.
                let n = polygon.len() / 2;
                for i in 0..n.saturating_sub(1) {
                    let (l0, l1) = (polygon[i], polygon[i + 1]);
                    let (h0, h1) = (polygon[2 * n - 1 - i], polygon[2 * n - 2 - i]);
                    let cols = ((l1.0 - l0.0).abs() / 4.0).ceil().clamp(1.0, 1000.0) as usize;
                    for c in 0..=cols {
                        let t = c as f64 / cols as f64;
                        let lerp = |a: (f64, f64), b: (f64, f64)| (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
                        segment(lerp(l0, l1), lerp(h0, h1));
                    }
                }
            }
        }
        for (y, label) in &chart.hlines {
            if let Some((py, (lx, ly))) = reference_line(frame, *y) {
                segment((frame.plot.x, py), (frame.plot.right(), py));
                let w = text_width(label, REFERENCE_SIZE);
                segment((lx - w, ly), (lx, ly - CAP_HEIGHT * REFERENCE_SIZE));
            }
        }
        let plot = frame.plot;
        ink.retain(|&p| plot.contains(p));
        Ink(ink)
    }

    /// How many sampled points `rect` (with a small margin) would cover.
    fn covered(&self, rect: &Rect) -> usize {
        let margin = Rect { x: rect.x - 3.0, y: rect.y - 3.0, w: rect.w + 6.0, h: rect.h + 6.0 };
        self.0.iter().filter(|&&p| margin.contains(p)).count()
    }
}

fn draw(chart: &Chart, frame: &Frame, legend: Option<(Legend, Rect)>) -> Scene {
    let plot = frame.plot;
    let mut items = vec![Item::Rect {
        rect: Rect { x: 0.0, y: 0.0, w: f64::from(chart.width.max(1)), h: f64::from(chart.height.max(1)) },
        fill: Some(palette::BACKGROUND),
        stroke: None,
    }];
    let grid = Stroke { color: palette::GRID, width: 1.0, dash: None };
    let crisp = |v: f64| v.round() + 0.5;
    let x_at = |t: &Tick| frame.x.fraction(t.value).map(|f| crisp(plot.x + f * plot.w - 0.5));
    let y_at = |t: &Tick| frame.y.fraction(t.value).map(|f| crisp(plot.bottom() - f * plot.h - 0.5));

    for t in frame.x_ticks.iter().filter(|t| t.label.is_some()) {
        if let Some(x) = x_at(t) {
            items.push(Item::Polyline { points: vec![(x, plot.y), (x, plot.bottom())], stroke: grid, clipped: false });
        }
    }
    for t in frame.y_ticks.iter().filter(|t| t.label.is_some()) {
        if let Some(y) = y_at(t) {
            items.push(Item::Polyline { points: vec![(plot.x, y), (plot.right(), y)], stroke: grid, clipped: false });
        }
    }

    for (i, series) in chart.series.iter().enumerate() {
        let color = palette::series_color(i).with_alpha(palette::BAND_ALPHA);
        for points in band_polygons(frame, series.band.as_deref().unwrap_or(&[])) {
            items.push(Item::Polygon { points, fill: color, clipped: true });
        }
    }
    let reference = Stroke { color: palette::REFERENCE, width: 1.2, dash: Some(REFERENCE_DASH) };
    for (y, _) in &chart.hlines {
        if let Some((py, _)) = reference_line(frame, *y) {
            items.push(Item::Polyline {
                points: vec![(plot.x, py), (plot.right(), py)],
                stroke: reference,
                clipped: true,
            });
        }
    }
    for (i, series) in chart.series.iter().enumerate() {
        let color = palette::series_color(i);
        for run in runs(&series.points, |(x, y)| frame.px(x, y)) {
            items.push(if run.len() == 1 {
                Item::Circle { center: run[0], radius: DOT_RADIUS, fill: color, clipped: true }
            } else {
                Item::Polyline { points: run, stroke: series_stroke(color, series.dashed), clipped: true }
            });
        }
    }
    for (y, label) in &chart.hlines {
        if let Some((_, (x, ly))) = reference_line(frame, *y) {
            items.push(text(x, ly, label, REFERENCE_SIZE, Anchor::End, palette::REFERENCE));
        }
    }

    items.push(Item::Rect {
        rect: Rect { x: plot.x - 0.5, y: plot.y - 0.5, w: plot.w + 1.0, h: plot.h + 1.0 },
        fill: None,
        stroke: Some(Stroke { color: palette::AXIS, width: 1.0, dash: None }),
    });
    let axis = Stroke { color: palette::AXIS, width: 1.0, dash: None };
    let tick_len = |t: &Tick| if t.label.is_some() || t.major { TICK_LENGTH } else { MINOR_TICK_LENGTH };
    for t in &frame.x_ticks {
        if let Some(x) = x_at(t) {
            let y0 = plot.bottom() + 0.5;
            items.push(Item::Polyline { points: vec![(x, y0), (x, y0 + tick_len(t))], stroke: axis, clipped: false });
            if let Some(label) = &t.label {
                let baseline = plot.bottom() + TICK_LENGTH + 3.0 + CAP_HEIGHT * TICK_SIZE;
                items.push(text(x, baseline, label, TICK_SIZE, Anchor::Middle, palette::TEXT));
            }
        }
    }
    for t in &frame.y_ticks {
        if let Some(y) = y_at(t) {
            let x0 = plot.x - 0.5;
            items.push(Item::Polyline { points: vec![(x0, y), (x0 - tick_len(t), y)], stroke: axis, clipped: false });
            if let Some(label) = &t.label {
                let baseline = y + CAP_HEIGHT * TICK_SIZE / 2.0;
                items.push(text(plot.x - TICK_LENGTH - 4.0, baseline, label, TICK_SIZE, Anchor::End, palette::TEXT));
            }
        }
    }

    let center_x = plot.x + plot.w / 2.0;
    if !chart.x_label.is_empty() {
        let baseline = plot.bottom() + TICK_LENGTH + 3.0 + CAP_HEIGHT * TICK_SIZE + 8.0 + LABEL_SIZE;
        items.push(text(center_x, baseline, &chart.x_label, LABEL_SIZE, Anchor::Middle, palette::TEXT));
    }
    if !chart.y_label.is_empty() {
        items.push(Item::Text(Text {
            vertical: true,
            ..text_item(
                frame.y_label_x,
                plot.y + plot.h / 2.0,
                &chart.y_label,
                LABEL_SIZE,
                Anchor::Middle,
                palette::TEXT,
            )
        }));
    }
    if !chart.title.is_empty() {
        items.push(Item::Text(Text {
            bold: true,
            ..text_item(
                center_x,
                12.0 + CAP_HEIGHT * TITLE_SIZE,
                &chart.title,
                TITLE_SIZE,
                Anchor::Middle,
                palette::TEXT,
            )
        }));
    }
    if let Some((legend, at)) = legend {
        legend.draw(at, &mut items);
    }
    Scene { width: f64::from(chart.width.max(1)), height: f64::from(chart.height.max(1)), plot, items }
}

fn text_item(x: f64, y: f64, content: &str, size: f64, anchor: Anchor, color: Rgba) -> Text {
    Text { x, y, content: content.to_string(), size, anchor, bold: false, color, vertical: false }
}

fn text(x: f64, y: f64, content: &str, size: f64, anchor: Anchor, color: Rgba) -> Item {
    Item::Text(text_item(x, y, content, size, anchor, color))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Series;

    fn rising(label: &str, shift: f64) -> Series {
        let stats: Vec<_> = (0..20)
            .map(|i| {
                let x = 10f64.powf(1.0 + i as f64 * 0.15);
                (x, 0.9 + 0.04 * (1.0 - (-(i as f64) / 5.0).exp()) + shift, 0.003)
            })
            .collect();
        Series::mean_std(label, &stats)
    }

    fn legend_rect(scene: &Scene) -> Rect {
        scene
            .items
            .iter()
            .find_map(|item| match item {
                Item::Rect { rect, stroke: Some(s), .. } if s.color == palette::LEGEND_FRAME => Some(*rect),
                _ => None,
            })
            .expect("a legend")
    }

    #[test]
    fn data_maps_into_the_plot_area() {
        let chart = Chart {
            series: vec![Series::new("a", vec![(0.0, 0.0), (10.0, 5.0)])],
            x_range: Some((0.0, 10.0)),
            y_range: Some((0.0, 5.0)),
            ..Chart::default()
        };
        let frame = Frame::new(&chart, 0.0);
        let plot = frame.plot;
        assert_eq!(frame.px(0.0, 0.0), Some((plot.x, plot.bottom())));
        assert_eq!(frame.px(10.0, 5.0), Some((plot.right(), plot.y)));
        assert_eq!(frame.px(5.0, 2.5), Some((plot.x + plot.w / 2.0, plot.y + plot.h / 2.0)));
        assert_eq!(frame.px(f64::NAN, 1.0), None);
        assert!(plot.x > 20.0 && plot.right() < 720.0 && plot.bottom() < 450.0);
    }

    #[test]
    fn auto_legend_avoids_rising_curves_and_goes_outside_when_full() {
        let chart = Chart { series: vec![rising("A", 0.0), rising("B", -0.01)], x_log: true, ..Chart::default() };
        let scene = layout(&chart);
        let legend = legend_rect(&scene);
        assert!(legend.x > scene.plot.x + scene.plot.w / 2.0 && legend.y > scene.plot.y + scene.plot.h / 2.0);

        // Lines through every corner leave no room inside.
        let crossing =
            vec![Series::new("up", vec![(0.0, 0.0), (1.0, 1.0)]), Series::new("down", vec![(0.0, 1.0), (1.0, 0.0)])];
        let full = Chart { series: crossing, x_range: Some((0.0, 1.0)), y_range: Some((0.0, 1.0)), ..Chart::default() };
        let scene = layout(&full);
        assert!(legend_rect(&scene).x > scene.plot.right());
    }

    #[test]
    fn gaps_split_lines_and_lone_points_become_dots() {
        let points = vec![(1.0, 1.0), (2.0, f64::NAN), (3.0, 2.0), (4.0, 3.0), (f64::INFINITY, 1.0), (6.0, 1.0)];
        let chart = Chart { series: vec![Series::new("", points)], ..Chart::default() };
        let scene = layout(&chart);
        let data: Vec<usize> = scene
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Polyline { points, clipped: true, .. } => Some(points.len()),
                Item::Circle { .. } => Some(1),
                _ => None,
            })
            .collect();
        assert_eq!(data, [1, 2, 1]);
    }

    #[test]
    fn reference_lines_widen_the_auto_range_and_are_labelled() {
        let chart = Chart {
            series: vec![Series::new("a", vec![(1.0, 0.90), (2.0, 0.92)])],
            hlines: vec![(0.95, "best in space".into())],
            ..Chart::default()
        };
        let frame = Frame::new(&chart, 0.0);
        assert!(frame.y.hi > 0.95);
        let scene = layout(&chart);
        assert!(scene.items.iter().any(|i| matches!(i, Item::Text(t) if t.content == "best in space")));
    }

    #[test]
    fn tiny_and_empty_charts_do_not_panic() {
        for (width, height) in [(0, 0), (1, 1), (40, 30), (4000, 100)] {
            let chart = Chart { width, height, series: vec![rising("A", 0.0)], ..Chart::new("t", "x", "y") };
            let _ = layout(&chart);
        }
        let _ = layout(&Chart { x_log: true, ..Chart::default() });
    }
}
