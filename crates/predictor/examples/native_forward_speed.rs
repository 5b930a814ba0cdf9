//! Times the native forward pass alone (no parsing or writing) on encoded lines, one thread:
//! `cargo run --release -p np-predictor --example native_forward_speed -- model.onnx all.graph.jsonl [repeats]`.
//! Prints the median seconds of `repeats` passes over all lines in batches of 1024, as
//! `gcn-score --backend native` feeds them. Less noisy than timing the tool on a busy machine.

use std::time::Instant;

use np_encoding::GraphEncoding;
use np_predictor::{Predictor, graph_sample};
use np_spaces::RawFields;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, model, lines, ..] = &args[..] else {
        eprintln!("usage: native_forward_speed MODEL.onnx ENCODED.jsonl [REPEATS]");
        std::process::exit(2);
    };
    let repeats: usize = args.get(3).map_or(5, |r| r.parse().expect("a number of repeats"));
    let predictor = Predictor::from_onnx(&std::fs::read(model).expect("model readable")).expect("a predictor file");
    let text = std::fs::read_to_string(lines).expect("lines readable");
    let samples: Vec<_> = text
        .lines()
        .map(|line| {
            let fields = RawFields::parse(line).expect("JSON lines");
            graph_sample(&GraphEncoding::from_json(fields.get("graph").expect("encoded lines")).expect("a graph"))
        })
        .collect();
    let refs: Vec<_> = samples.iter().collect();
    let mut seconds = Vec::new();
    let mut checksum = 0.0;
    for _ in 0..repeats {
        let mut scorer = predictor.native_scorer();
        let start = Instant::now();
        for batch in refs.chunks(1024) {
            checksum += scorer.score(batch).iter().map(|s| s.pred).sum::<f64>();
        }
        seconds.push(start.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    println!(
        "{} graphs: median {:.3} s (min {:.3}) over {repeats} passes; checksum {checksum:.3}",
        samples.len(),
        seconds[repeats / 2],
        seconds[0]
    );
}
