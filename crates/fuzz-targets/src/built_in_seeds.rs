//! Seeds for the binary formats, written out here byte by byte: no tool of the project writes
//! TFRecord files or pickles, and seeds must not come from the benchmark files. The figures are
//! made up; only the layout follows the formats (see `np_bench_tables`' module docs).

use base64::Engine as _;
use np_bench_tables::nb101_tfrecord::{EvaluationData, ModelMetrics};
use np_bench_tables::tfrecord::frame_record;
use prost::Message as _;

/// One NAS-Bench-101 record's payload: `[hash, epochs, adjacency bits, ops, base64 metrics]`.
fn nb101_payload(hash: &str, bits: &str, ops: &str, parameters: i32, accuracy: f64) -> String {
    let checkpoint = |epoch: f64| EvaluationData {
        current_epoch: Some(epoch),
        training_time: Some(epoch * 10.0),
        train_accuracy: Some(accuracy + 0.05),
        validation_accuracy: Some(accuracy),
        test_accuracy: Some(accuracy - 0.01),
        checkpoint_path: Some(format!("model.ckpt-{epoch}")),
    };
    let metrics = ModelMetrics {
        evaluation_data: vec![checkpoint(0.0), checkpoint(54.0), checkpoint(108.0)],
        trainable_parameters: Some(parameters),
        total_time: Some(1500.0),
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(metrics.encode_to_vec());
    format!(r#"["{hash}", 108, "{bits}", "{ops}", "{encoded}"]"#)
}

/// Three records: two repeats of one cell, and another cell.
fn nb101_payloads() -> [String; 3] {
    let small = ("0123456789abcdef0123456789abcdef", "011001000", "input,conv3x3-bn-relu,output");
    let other = ("fedcba9876543210fedcba9876543210", "0110000100010000", "input,maxpool3x3,conv1x1-bn-relu,output");
    [
        nb101_payload(small.0, small.1, small.2, 227_274, 0.81),
        nb101_payload(small.0, small.1, small.2, 227_274, 0.83),
        nb101_payload(other.0, other.1, other.2, 129_000, 0.72),
    ]
}

/// Seeds of the `tfrecord` target: framed records, and an empty file.
pub fn tfrecord() -> Vec<Vec<u8>> {
    let payloads = nb101_payloads();
    let file: Vec<u8> = payloads.iter().flat_map(|payload| frame_record(payload.as_bytes())).collect();
    vec![file, frame_record(b"x"), Vec::new()]
}

/// Seeds of the `nb101_records` target: payloads, one per line.
pub fn nb101_records() -> Vec<Vec<u8>> {
    let payloads = nb101_payloads();
    vec![payloads.join("\n").into_bytes(), payloads[2].clone().into_bytes()]
}

/// The figures of a NAS-Bench-Graph light table entry, in the order written.
const NBGRAPH_FIGURES: [&str; 4] = ["valid_perf", "perf", "latency", "para"];

/// `SHORT_BINUNICODE` of `text`.
fn short_text(text: &str) -> Vec<u8> {
    let mut bytes = vec![0x8c, text.len() as u8];
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// A `GLOBAL` reference, `module.name`.
fn global(module: &str, name: &str) -> Vec<u8> {
    format!("c{module}\n{name}\n").into_bytes()
}

/// `numpy.core.multiarray.scalar(numpy.dtype('f8') with state, 8 little-endian bytes)`, as
/// numpy pickles a `float64`.
fn numpy_float(x: f64) -> Vec<u8> {
    let mut bytes = global("numpy.core.multiarray", "scalar");
    bytes.extend(global("numpy", "dtype"));
    bytes.extend(short_text("f8"));
    bytes.extend([0x89, 0x88, 0x87, b'R']); // False, True, TUPLE3, REDUCE
    bytes.extend([b'(', b'K', 3]);
    bytes.extend(short_text("<"));
    bytes.extend([b'N', b'N', b'N', b'J']);
    bytes.extend((-1i32).to_le_bytes());
    bytes.push(b'J');
    bytes.extend((-1i32).to_le_bytes());
    bytes.extend([b'K', 0, b't', b'b']); // ..., TUPLE, BUILD
    bytes.extend([b'C', 8]);
    bytes.extend(x.to_le_bytes());
    bytes.extend([0x86, b'R']); // TUPLE2, REDUCE
    bytes
}

/// A protocol-4 pickle of `{code: {'valid_perf': .., 'perf': .., 'latency': .., 'para': ..}}`,
/// the layout of a `.bench` table; `numpy` writes the second entry's figures as numpy scalars.
fn nbgraph_table(entries: &[(i32, [f64; 4])], numpy: bool) -> Vec<u8> {
    let mut bytes = vec![0x80, 4, b'}', 0x94, b'('];
    for (index, (code, figures)) in entries.iter().enumerate() {
        bytes.push(b'J');
        bytes.extend(code.to_le_bytes());
        bytes.extend([b'}', 0x94, b'(']);
        for (name, &x) in NBGRAPH_FIGURES.iter().zip(figures) {
            bytes.extend(short_text(name));
            if numpy && index == 1 {
                bytes.extend(numpy_float(x));
            } else {
                bytes.push(b'G');
                bytes.extend(x.to_be_bytes());
            }
        }
        bytes.push(b'u');
    }
    bytes.extend([b'u', b'.']);
    bytes
}

/// Seeds of the `nbgraph_bench` target.
pub fn nbgraph_bench() -> Vec<Vec<u8>> {
    let entries = [(27238, [0.81, 0.80, 0.004, 0.09]), (71277, [0.78, 0.79, 0.003, 0.12]), (5, [0.5, 0.4, 0.01, 1.5])];
    vec![nbgraph_table(&entries, false), nbgraph_table(&entries, true), vec![0x80, 4, b'}', b'.']]
}
