//! One axis: which data values it shows, where they land, and which ticks it labels.
//!
//! Linear axes take ticks at multiples of a 1-2-5 step (1, 2, 5, 10, 20, ...), the steps a
//! reader can add up in their head. Log axes tick every decade and, while the axis spans few
//! decades, also label 2 and 5 times a decade, so that a curve over 50..2000 samples still has
//! more than two labels.

/// The range of one axis and how values map onto it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// The value at the start of the axis (left or bottom).
    pub lo: f64,
    /// The value at the end of the axis (right or top).
    pub hi: f64,
    /// Logarithmic (base 10) instead of linear.
    pub log: bool,
}

/// One tick mark on an axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// The data value it marks.
    pub value: f64,
    /// The text under or beside it; unlabelled ticks are short marks without a grid line.
    pub label: Option<String>,
    /// A decade on a log axis; every tick on a linear axis.
    pub major: bool,
}

impl Scale {
    /// A scale over `range` when that range is usable (finite, increasing once sorted, and
    /// positive on a log axis), otherwise over the automatic range of `values`.
    pub fn fit(range: Option<(f64, f64)>, values: impl IntoIterator<Item = f64>, log: bool) -> Scale {
        if let Some((a, b)) = range {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let usable = lo.is_finite() && hi.is_finite() && lo < hi && (!log || lo > 0.0);
            if usable {
                return Scale { lo, hi, log };
            }
        }
        let (lo, hi) = auto_range(values, log);
        Scale { lo, hi, log }
    }

    /// Whether `v` can be placed on this axis at all: finite, and positive on a log axis.
    pub fn accepts(&self, v: f64) -> bool {
        v.is_finite() && (!self.log || v > 0.0)
    }

    /// Where `v` falls between the start (0) and the end (1) of the axis; values outside the
    /// range fall outside 0..1. `None` for values the axis cannot show.
    pub fn fraction(&self, v: f64) -> Option<f64> {
        if !self.accepts(v) {
            return None;
        }
        Some(if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        })
    }

    /// The ticks of this axis, with at most `max_labels` labels (a log axis keeps at least its
    /// decades and their 2 and 5 while it spans few decades).
    pub fn ticks(&self, max_labels: usize) -> Vec<Tick> {
        if self.log { log_ticks(self.lo, self.hi, max_labels) } else { linear_ticks(self.lo, self.hi, max_labels) }
    }
}

/// The range that shows all usable `values` with 5% padding at each end (in log space on a log
/// axis). No usable value gives 0..1 (1..10 on a log axis); a single value gets a range
/// around it.
pub fn auto_range(values: impl IntoIterator<Item = f64>, log: bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values {
        if v.is_finite() && (!log || v > 0.0) {
            let v = if log { v.log10() } else { v };
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if lo > hi {
        return if log { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else if log {
        0.5
    } else if lo == 0.0 {
        1.0
    } else {
        0.1 * lo.abs()
    };
    let (lo, hi) = ((lo - pad).max(f64::MIN), (hi + pad).min(f64::MAX));
    if log { (10f64.powf(lo).max(f64::MIN_POSITIVE), 10f64.powf(hi).min(f64::MAX)) } else { (lo, hi) }
}

/// The smallest step of the form 1, 2 or 5 times a power of ten whose multiples inside
/// `lo..=hi` number at most `max_ticks` (at least one step is always returned).
pub fn nice_step(lo: f64, hi: f64, max_ticks: usize) -> f64 {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return if span.is_infinite() { f64::INFINITY } else { 1.0 };
    }
    let max_ticks = max_ticks.max(2) as f64;
    let mut magnitude = 10f64.powf((span / max_ticks).log10().floor() - 1.0);
    // Ten decades up from a tenth of the average gap always reach a step that fits.
    for _ in 0..10 {
        for m in [1.0, 2.0, 5.0] {
            let step = m * magnitude;
            let count = (hi / step + 1e-9).floor() - (lo / step - 1e-9).ceil() + 1.0;
            if count <= max_ticks {
                return step;
            }
        }
        magnitude *= 10.0;
    }
    span
}

/// Ticks at every multiple of a 1-2-5 step inside `lo..=hi`, at most `max_ticks` of them.
pub fn linear_ticks(lo: f64, hi: f64, max_ticks: usize) -> Vec<Tick> {
    let step = nice_step(lo, hi, max_ticks);
    if !(step > 0.0 && step.is_finite()) {
        return Vec::new();
    }
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as usize;
    let huge = lo.abs().max(hi.abs()) >= 1e6;
    (first..=last)
        .map(|k| {
            let value = k as f64 * step;
            let label = if huge { scientific(value) } else { fixed(value, decimals) };
            Tick { value, label: Some(label), major: true }
        })
        .collect()
}

/// Ticks at 1..9 times every decade inside `lo..=hi`. Decades are labelled; 2 and 5 are labelled
/// too while the axis spans at most 2.5 decades, and every tick while it spans under half a
/// decade. An axis over many decades labels every n-th decade to stay under `max_labels` and
/// drops the minor ticks.
pub fn log_ticks(lo: f64, hi: f64, max_labels: usize) -> Vec<Tick> {
    let (llo, lhi) = (lo.log10(), hi.log10());
    let span = lhi - llo;
    let first = llo.floor() as i32;
    let last = lhi.ceil() as i32;
    let decades_inside = ((lhi + 1e-9).floor() - (llo - 1e-9).ceil() + 1.0).max(1.0) as usize;
    let every = decades_inside.div_ceil(max_labels.max(1)).max(1) as i32;
    let inside = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    let mut ticks = Vec::new();
    for d in first..=last {
        let thinned = every > 1;
        for m in 1..=9 {
            if thinned && m > 1 {
                continue;
            }
            let value = m as f64 * 10f64.powi(d);
            if !inside(value) {
                continue;
            }
            let labelled =
                if m == 1 { d.rem_euclid(every) == 0 } else { span < 0.5 || (span <= 2.5 && (m == 2 || m == 5)) };
            ticks.push(Tick { value, label: labelled.then_some(String::new()), major: m == 1 });
        }
    }
    // Plain numbers while every label is short; powers of ten otherwise, for all of them alike.
    let plain = ticks.iter().filter(|t| t.label.is_some()).all(|t| (1e-3..1e5).contains(&t.value));
    for t in &mut ticks {
        if t.label.is_some() {
            t.label = Some(if plain {
                let decimals = (-(t.value.log10() + 1e-9).floor()).max(0.0) as usize;
                fixed(t.value, decimals)
            } else {
                scientific(t.value)
            });
        }
    }
    ticks
}

/// `v` with exactly `decimals` decimals, a typographic minus sign, and never "−0".
pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match s.strip_prefix('-') {
        Some(digits) if digits.chars().all(|c| c == '0' || c == '.') => digits.to_string(),
        Some(digits) => format!("−{digits}"),
        None => s,
    }
}

/// `v` as a power of ten ("10⁵") or a multiple of one ("2×10⁵", "1.5×10⁻³").
pub fn scientific(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let exponent = (v.abs().log10() + 1e-9).floor() as i32;
    let mantissa = v / 10f64.powi(exponent);
    let mantissa = fixed(mantissa, 2);
    let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
    let power = format!("10{}", superscript(exponent));
    match mantissa {
        "1" => power,
        "−1" => format!("−{power}"),
        m => format!("{m}×{power}"),
    }
}

fn superscript(n: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits = n.unsigned_abs().to_string();
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    s.extend(digits.bytes().map(|b| DIGITS[(b - b'0') as usize]));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks.iter().filter_map(|t| t.label.as_deref()).collect()
    }

    #[test]
    fn nice_steps_are_1_2_5_and_the_densest_that_fit() {
        assert_eq!(nice_step(0.0, 10.0, 6), 2.0);
        assert_eq!(nice_step(0.0, 10.0, 11), 1.0);
        assert_eq!(nice_step(0.0, 0.3, 7), 0.05);
        assert_eq!(nice_step(0.5, 7.5, 2), 5.0);
        assert_eq!(nice_step(0.0, 95.0, 5), 20.0);
        assert_eq!(nice_step(0.1, 0.9, 1), 0.5);
        assert_eq!(nice_step(f64::MIN, f64::MAX, 5), f64::INFINITY);
        assert_eq!(nice_step(1.0, 1.0, 5), 1.0);
        assert!(linear_ticks(f64::MIN, f64::MAX, 5).is_empty());
    }

    #[test]
    fn linear_ticks_cover_the_range_at_step_multiples() {
        assert_eq!(labels(&linear_ticks(0.0, 10.0, 6)), ["0", "2", "4", "6", "8", "10"]);
        assert_eq!(labels(&linear_ticks(-0.93, 0.44, 7)), ["−0.8", "−0.6", "−0.4", "−0.2", "0.0", "0.2", "0.4"]);
        assert_eq!(labels(&linear_ticks(0.9381, 0.9452, 5)), ["0.940", "0.942", "0.944"]);
        // Multiples are computed, not accumulated: no 0.30000000000000004.
        let ticks = linear_ticks(0.0, 1.0, 11);
        assert_eq!(ticks[3].label.as_deref(), Some("0.3"));
        assert!(ticks.iter().all(|t| t.major));
        assert_eq!(labels(&linear_ticks(0.0, 3e6, 4)), ["0", "10⁶", "2×10⁶", "3×10⁶"]);
    }

    #[test]
    fn log_ticks_label_decades_and_2_5_over_few_decades() {
        let ticks = log_ticks(40.0, 2500.0, 10);
        assert_eq!(labels(&ticks), ["50", "100", "200", "500", "1000", "2000"]);
        let majors: Vec<f64> = ticks.iter().filter(|t| t.major).map(|t| t.value).collect();
        assert_eq!(majors, [100.0, 1000.0]);
        // 40..90, 100..900, 1000..2000: every integer multiple inside the range is a tick.
        assert_eq!(ticks.len(), 6 + 9 + 2);
    }

    #[test]
    fn log_ticks_over_many_decades_use_powers_of_ten() {
        let ticks = log_ticks(0.9, 2e7, 10);
        assert_eq!(labels(&ticks), ["10⁰", "10¹", "10²", "10³", "10⁴", "10⁵", "10⁶", "10⁷"]);
        assert!(ticks.iter().any(|t| !t.major && t.label.is_none()));
        let thinned = log_ticks(1e-3, 1e12, 5);
        assert_eq!(labels(&thinned), ["10⁰", "10⁴", "10⁸", "10¹²"]);
        assert_eq!(labels(&log_ticks(8.0, 1.2e4, 2)), ["100", "10000"]);
        assert!(thinned.iter().all(|t| t.major));
    }

    #[test]
    fn log_ticks_inside_one_decade_label_every_tick() {
        assert_eq!(labels(&log_ticks(2.5, 7.5, 10)), ["3", "4", "5", "6", "7"]);
        assert_eq!(labels(&log_ticks(0.02, 0.3, 10)), ["0.02", "0.05", "0.1", "0.2"]);
    }

    #[test]
    fn fractions_map_linear_and_log_axes() {
        let lin = Scale { lo: 10.0, hi: 20.0, log: false };
        assert_eq!(lin.fraction(15.0), Some(0.5));
        assert_eq!(lin.fraction(30.0), Some(2.0));
        assert_eq!(lin.fraction(f64::NAN), None);
        let log = Scale { lo: 1.0, hi: 1000.0, log: true };
        assert!((log.fraction(10.0).unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!((log.fraction(1000.0).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(log.fraction(0.0), None);
        assert_eq!(log.fraction(-5.0), None);
    }

    #[test]
    fn auto_ranges_pad_and_survive_degenerate_input() {
        assert_eq!(auto_range([0.0, 10.0], false), (-0.5, 10.5));
        assert_eq!(auto_range([f64::NAN, f64::INFINITY], false), (0.0, 1.0));
        assert_eq!(auto_range([], true), (1.0, 10.0));
        assert_eq!(auto_range([3.0, 3.0], false), (2.7, 3.3));
        assert_eq!(auto_range([0.0], false), (-1.0, 1.0));
        let (lo, hi) = auto_range([10.0, 1000.0, -1.0, 0.0], true);
        assert!((lo - 10f64.powf(0.9)).abs() < 1e-9 && (hi - 10f64.powf(3.1)).abs() < 1e-9);
    }

    #[test]
    fn given_ranges_are_used_when_usable() {
        assert_eq!(Scale::fit(Some((5.0, 1.0)), [], false), Scale { lo: 1.0, hi: 5.0, log: false });
        let log = Scale::fit(Some((0.0, 10.0)), [2.0, 20.0], true);
        assert!((log.lo - 10f64.powf(2f64.log10() - 0.05)).abs() < 1e-12);
        assert_eq!(Scale::fit(Some((1.0, 1.0)), [], false), Scale { lo: 0.0, hi: 1.0, log: false });
    }

    #[test]
    fn numbers_format_without_negative_zero() {
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(-1.5, 1), "−1.5");
        assert_eq!(scientific(1e5), "10⁵");
        assert_eq!(scientific(2.5e-4), "2.5×10⁻⁴");
        assert_eq!(scientific(-3e6), "−3×10⁶");
    }
}
