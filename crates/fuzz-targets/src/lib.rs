//! Every parser of outside input, driven the way the tools drive it: one function per fuzz
//! target, each taking arbitrary bytes.
//!
//! The tools read files that someone else wrote (benchmark tables, predictor files, JSON lines
//! from any pipe). A bad file must end in an error message that names the line, never in a
//! panic, an abort, a hang or memory without bound. Each target here feeds its bytes to the same
//! library functions a tool calls, in the same order (bytes become lines as the record reader
//! makes them, a line's fields are read as `arch-encode` or `gcn-score` reads them), ignores the
//! errors, and checks what must hold whatever the input: where the code has a fast path and a
//! general one (the JSON scanner and serde_json, the compact graph reader and serde), both give
//! the same answer; what a tool writes, it can read back.
//!
//! Two harnesses run the same functions:
//! - `fuzz/` (outside the workspace): one libFuzzer binary per target, coverage-guided, run by
//!   `make fuzz` for minutes per target (docs/RELIABILITY.md);
//! - `tests/seeds_and_mutations.rs`: every committed seed and regression input, then a fixed,
//!   seeded number of [`mutate`]d copies of them, in `cargo test` (a few seconds).
//!
//! What it deliberately does not do: it parses nothing itself and fixes nothing; a target only
//! calls the project's libraries. It runs no tool binary (the line logic of `arch-encode` is
//! followed step by step in [`architectures`] instead), and it does not reach ONNX Runtime.

pub mod architectures;
pub mod built_in_seeds;
pub mod declared;
pub mod encodings;
pub mod models;
pub mod mutate;
pub mod naap;
pub mod records;
pub mod tables;

use std::io::Cursor;

use np_io::RecordReader;
use np_io::records::RawLine;

/// One fuzz target: a name (the libFuzzer binary's and the seed folders'), the function that
/// runs one input, and the libFuzzer settings that suit its inputs.
pub struct Target {
    pub name: &'static str,
    /// What the target reads, and through which tool's path (for the docs and reports).
    pub reads: &'static str,
    pub run: fn(&[u8]),
    /// The longest input libFuzzer makes (`-max_len`): room for a few lines or one small file.
    pub max_len: usize,
    /// Seeds made by this crate's code (binary formats no tool of the project writes).
    pub built_in_seeds: fn() -> Vec<Vec<u8>>,
}

fn no_seeds() -> Vec<Vec<u8>> {
    Vec::new()
}

/// Every target, in the order `make fuzz` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "arch_nb101",
        reads: "NAS-Bench-101 architecture lines, as arch-encode --space nb101 reads and rewrites them",
        run: architectures::nb101,
        max_len: 4096,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "arch_nbgraph",
        reads: "NAS-Bench-Graph architecture lines (nbgraph and nbgraph-proteins), as arch-encode reads them",
        run: architectures::nbgraph,
        max_len: 4096,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "arch_proxyless",
        reads: "ProxylessNAS architecture lines, as arch-encode reads them",
        run: architectures::proxyless,
        max_len: 8192,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "arch_naap",
        reads: "NAAP-440 scheme lines, as arch-encode reads them",
        run: architectures::naap,
        max_len: 4096,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "arch_nb201",
        reads: "NAS-Bench-201 cell lines (official strings, NASLib tuples, op lists), as arch-encode reads them",
        run: architectures::nb201,
        max_len: 4096,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "record_lines",
        reads: "the record reader, the JSON line scanner and raw fields, compact rewriting, digit matrices",
        run: records::record_lines,
        max_len: 4096,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "graph_field",
        reads: "encoded `graph` fields, as gcn-score (both readers) and gcn-train read them",
        run: encodings::graph_field,
        max_len: 8192,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "flat_field",
        reads: "`flat` fields and numeric features, as gcn-score with a tree file and gbt-train read them",
        run: encodings::flat_field,
        max_len: 8192,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "tfrecord",
        reads: "the TFRecord container (framing and CRCs) and NAS-Bench-101's tfrecord reader on raw bytes",
        run: tables::tfrecord,
        max_len: 8192,
        built_in_seeds: built_in_seeds::tfrecord,
    },
    Target {
        name: "nb101_records",
        reads: "NAS-Bench-101 tfrecord payloads (one per line, framed with valid CRCs) and the table built from them",
        run: tables::nb101_records,
        max_len: 8192,
        built_in_seeds: built_in_seeds::nb101_records,
    },
    Target {
        name: "nbgraph_bench",
        reads: "the pickle reader and NAS-Bench-Graph's .bench light tables",
        run: tables::nbgraph_bench,
        max_len: 16384,
        built_in_seeds: built_in_seeds::nbgraph_bench,
    },
    Target {
        name: "jsonl_table",
        reads: "JSON-lines benchmark tables (bench-query --table x.jsonl) keyed by nb101 and nbgraph ids",
        run: tables::jsonl_table,
        max_len: 8192,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "nb201_csv",
        reads: "NAS-Bench-201's CSV tables (bench-query --space nb201: nb201.csv under both protocols, latency.csv)",
        run: tables::nb201_csv,
        max_len: 8192,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "onnx_model",
        reads: "ONNX files: the model reader, and the GCN and tree predictor loaders gcn-score picks between",
        run: models::onnx_model,
        max_len: 65536,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "naap_csv",
        reads: "naap-lines' CSV table reader (naap440.csv)",
        run: naap::naap_csv,
        max_len: 16384,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "naap_schemes",
        reads: "naap-lines' scheme list reader (generated_schemes.json) and the scheme checks",
        run: naap::naap_schemes,
        max_len: 16384,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "space_spec",
        reads: "declared search-space spec files (--space-file, JSON and TOML), and the spaces they declare as arch-sample and arch-encode use them",
        run: declared::space_spec,
        max_len: 4096,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "arch_declared",
        reads: "architecture lines of declared spaces (node cell, edge cell, chain), as arch-encode --space-file reads them",
        run: declared::arch_declared,
        max_len: 8192,
        built_in_seeds: no_seeds,
    },
    Target {
        name: "columns_table",
        reads: "CSV and JSON-lines tables read by named columns (bench-query --table with --val-column …), keyed by a declared space's ids",
        run: tables::columns_table,
        max_len: 8192,
        built_in_seeds: no_seeds,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.name == name)
}

/// The lines a tool's record reader yields for `data` (numbered, blank lines skipped), up to
/// the first error (a line that is not UTF-8), where a tool stops too.
pub fn record_lines_of(data: &[u8]) -> Vec<RawLine> {
    let mut reader = RecordReader::from_reader(Cursor::new(data.to_vec()), "fuzz input");
    let mut lines = Vec::new();
    while let Ok(Some(line)) = reader.next_line() {
        lines.push(line);
    }
    lines
}
