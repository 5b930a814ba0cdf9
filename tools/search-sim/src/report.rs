//! What `search-sim` writes: the curves as CSV, the summary, the figures.

use np_search::curves::{MeanCurve, times_fewer};
use np_search::experiment::{ExperimentResult, ExperimentSettings, MethodResult};
use serde_json::{Map, Value, json};

/// Budgets reported in the summary (and in BENCHMARKS.md).
pub const REPORT_BUDGETS: [usize; 5] = [50, 100, 200, 500, 1000];

fn number(x: f64) -> String {
    if x.is_finite() { format!("{x:.6}") } else { String::new() }
}

/// One row per method and budget, plus the oracle.
pub fn curves_csv(result: &ExperimentResult) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["method", "n", "budget", "trials", "val_mean", "val_std", "test_mean", "test_std", "seconds_mean"];
    writer.write_record(header).expect("in-memory CSV");
    let oracle = &result.oracle;
    writer
        .write_record([
            "oracle".to_string(),
            String::new(),
            result.architectures.to_string(),
            String::new(),
            number(oracle.val_accuracy),
            number(0.0),
            number(oracle.test_accuracy.unwrap_or(f64::NAN)),
            number(0.0),
            String::new(),
        ])
        .expect("in-memory CSV");
    for method in &result.methods {
        let c = &method.curve;
        for b in 0..c.budget() {
            writer
                .write_record([
                    method.method.to_string(),
                    method.n.map(|n| n.to_string()).unwrap_or_default(),
                    (b + 1).to_string(),
                    c.trials.to_string(),
                    number(c.val_mean[b]),
                    number(c.val_std[b]),
                    number(c.test_mean[b]),
                    number(c.test_std[b]),
                    number(c.seconds_mean[b]),
                ])
                .expect("in-memory CSV");
        }
    }
    String::from_utf8(writer.into_inner().expect("in-memory CSV")).expect("CSV is UTF-8")
}

/// One row per method and trial: models to the oracle (empty: never), rounds, the first fit's
/// τ and what the trial deploys at the end.
pub fn trials_csv(result: &ExperimentResult) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["method", "n", "trial", "models_to_oracle", "rounds", "kendall_tau", "final_val", "final_test"];
    writer.write_record(header).expect("in-memory CSV");
    let count = |x: Option<usize>| x.map(|x| x.to_string()).unwrap_or_default();
    for method in &result.methods {
        for (trial, t) in method.per_trial.iter().enumerate() {
            writer
                .write_record([
                    method.method.to_string(),
                    method.n.map(|n| n.to_string()).unwrap_or_default(),
                    trial.to_string(),
                    count(t.models_to_oracle),
                    count(t.rounds),
                    number(t.kendall_tau.unwrap_or(f64::NAN)),
                    number(t.final_val),
                    number(t.final_test),
                ])
                .expect("in-memory CSV");
        }
    }
    String::from_utf8(writer.into_inner().expect("in-memory CSV")).expect("CSV is UTF-8")
}

/// A count of models to one decimal (percentiles interpolate).
fn tenth(x: Option<f64>) -> Option<f64> {
    x.map(|x| (x * 10.0).round() / 10.0)
}

/// The summary's key of a method: `random`, `evolution`, `predictor_n<N>`, `predictor_rounds`
/// (every predictor-based method's key starts with `predictor`).
fn key(method: &MethodResult) -> String {
    match (method.method, method.n) {
        ("predictor-rounds", _) => "predictor_rounds".to_string(),
        (name, Some(n)) => format!("{name}_n{n}"),
        (name, None) => name.to_string(),
    }
}

fn at(curve: &MeanCurve, budget: usize) -> Value {
    if budget == 0 || budget > curve.budget() {
        return Value::Null;
    }
    let b = budget - 1;
    json!({
        "val_mean": curve.val_mean[b], "val_std": curve.val_std[b],
        "test_mean": curve.test_mean[b], "test_std": curve.test_std[b],
    })
}

/// The summary as JSON: oracle, accuracy at the report budgets and at the end, ×-fewer
/// trained models than regularized evolution, Kendall τ of each predictor.
pub fn summary(
    result: &ExperimentResult,
    settings: &ExperimentSettings,
    table: String,
    space: &str,
    seconds: f64,
) -> Value {
    let mut methods = Map::new();
    let evolution = result.methods.iter().find(|m| m.method == "evolution");
    for method in &result.methods {
        let mut entry = Map::new();
        entry.insert("label".into(), Value::from(method.label()));
        entry.insert("final".into(), at(&method.curve, method.curve.budget()));
        let budgets: Map<String, Value> =
            REPORT_BUDGETS.iter().map(|&b| (b.to_string(), at(&method.curve, b))).collect();
        entry.insert("at_budget".into(), Value::Object(budgets));
        let q = &method.queries_to_oracle;
        entry.insert(
            "queries_to_oracle".into(),
            json!({"median": tenth(q.median), "p10": tenth(q.p10), "p90": tenth(q.p90), "found": q.found, "trials": q.trials}),
        );
        if let Some(q) = &method.rounds {
            entry.insert(
                "rounds".into(),
                json!({"median": tenth(q.median), "p10": tenth(q.p10), "p90": tenth(q.p90), "trials": q.trials}),
            );
        }
        if let Some((mean, std)) = method.kendall_tau {
            entry.insert("kendall_tau".into(), json!({"mean": mean, "std": std}));
        }
        if let (Some(evolution), true) = (evolution, method.method.starts_with("predictor")) {
            let fewer = |pick: fn(&MeanCurve) -> &Vec<f64>| times_fewer(&method.curve, &evolution.curve, pick);
            entry.insert(
                "times_fewer_than_evolution".into(),
                json!({"val": fewer(|c| &c.val_mean), "test": fewer(|c| &c.test_mean)}),
            );
        }
        methods.insert(key(method), Value::Object(entry));
    }
    let rounds = settings.rounds.as_ref().map(|r| {
        json!({"n": r.initial, "batch": r.batch, "ensemble": r.ensemble, "acquisition": r.acquisition.name(), "fit_steps": r.steps, "warm_steps": r.warm_steps, "candidates": r.scope.name(), "global_picks": r.global_picks, "cv_every": r.cv.as_ref().map(|cv| cv.every), "two_stage": settings.fit.threshold, "rank_weight": settings.fit.loss.rank_weight})
    });
    json!({
        "table": table,
        "rounds_settings": rounds,
        "space": space,
        "architectures": result.architectures,
        "trials": settings.trials,
        "budget": settings.budget,
        "seed": settings.seed,
        "oracle": {"id": result.oracle.id, "val": result.oracle.val_accuracy, "test": result.oracle.test_accuracy},
        "methods": methods,
        "wall_seconds": (seconds * 10.0).round() / 10.0,
    })
}

/// A count for people: whole, or "-" when unknown.
fn count_of(value: &Value) -> String {
    value.as_f64().map(|x| format!("{x:.0}")).unwrap_or_else(|| "-".into())
}

/// The summary for people: one line per method, then the headline numbers.
pub fn summary_text(summary: &Value) -> String {
    let mut text = String::new();
    let oracle = &summary["oracle"];
    text.push_str(&format!(
        "search-sim: {} architectures, {} trials, budget {}: oracle val {:.3} test {:.3} ({})\n",
        summary["architectures"],
        summary["trials"],
        summary["budget"],
        oracle["val"].as_f64().unwrap_or(f64::NAN),
        oracle["test"].as_f64().unwrap_or(f64::NAN),
        oracle["id"].as_str().unwrap_or("")
    ));
    let Some(methods) = summary["methods"].as_object() else { return text };
    for entry in methods.values() {
        let last = &entry["final"];
        let mut line = format!(
            "search-sim: {:<28} final val {:.3} ± {:.3}, test {:.3} ± {:.3}",
            entry["label"].as_str().unwrap_or(""),
            last["val_mean"].as_f64().unwrap_or(f64::NAN),
            last["val_std"].as_f64().unwrap_or(f64::NAN),
            last["test_mean"].as_f64().unwrap_or(f64::NAN),
            last["test_std"].as_f64().unwrap_or(f64::NAN),
        );
        if let Some(tau) = entry.get("kendall_tau") {
            line.push_str(&format!(
                ", tau {:.3} ± {:.3}",
                tau["mean"].as_f64().unwrap_or(f64::NAN),
                tau["std"].as_f64().unwrap_or(f64::NAN)
            ));
        }
        if let Some(rounds) = entry.get("rounds") {
            line.push_str(&format!(", rounds median {}", count_of(&rounds["median"])));
        }
        let queries = &entry["queries_to_oracle"];
        let count = count_of;
        line.push_str(&format!(
            "; oracle reached in {} of {} trials, median {} models (p10 {}, p90 {})",
            queries["found"],
            queries["trials"],
            count(&queries["median"]),
            count(&queries["p10"]),
            count(&queries["p90"])
        ));
        if let Some(fewer) = entry.get("times_fewer_than_evolution") {
            let show = |v: &Value| v.as_f64().map(|x| format!("{x:.2}x")).unwrap_or_else(|| "not reached".into());
            let test = if oracle["test"].is_null() { "no test column".into() } else { show(&fewer["test"]) };
            line.push_str(&format!(
                "; vs evolution's final: {} fewer models (val), {test} (test)",
                show(&fewer["val"])
            ));
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}
