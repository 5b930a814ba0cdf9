//! Benchmark tables, read as `bench-query --table`, `search-sim` and the other tools that take a
//! table read them ([`np_bench_tables::load_table`]'s readers), then queried.
//!
//! TFRecord frames carry two CRCs each, which random bytes almost never match: the `tfrecord`
//! target gives the container raw bytes (and the fuzzer's comparison tracing finds the CRCs
//! over time), while `nb101_records` frames each input line itself, so that every input
//! reaches the payload reader.

use std::io::Cursor;

use np_bench_tables::TableColumns;
use np_bench_tables::columns::{columns_table_from_csv, columns_table_from_jsonl};
use np_bench_tables::nb201_csv::{add_latency_ms, nb201_latency_from_csv, nb201_table_from_csv};
use np_bench_tables::table::{BenchTable, read_jsonl_table};
use np_bench_tables::tfrecord::frame_record;
use np_bench_tables::{Nb201Dataset, Nb201Protocol};
use np_bench_tables::{
    TfRecordReader, nb101_table_from_tfrecord, nbgraph_table_from_bench, read_nb101_tfrecord, read_nbgraph_bench,
};
use np_spaces::nb101::Nb101;
use np_spaces::nbgraph::NbGraph;
use np_spaces::{SearchSpace, SpaceVisitor, with_space};
use serde_json::{Map, Value};

/// The `tfrecord` target.
pub fn tfrecord(data: &[u8]) {
    // The reader buffers its input; a one-byte buffer must read the same records.
    let records: Vec<_> = TfRecordReader::new(Cursor::new(data)).collect();
    let byte_by_byte: Vec<_> = TfRecordReader::with_capacity(1, Cursor::new(data)).collect();
    assert_eq!(records, byte_by_byte, "the buffer size changed what was read");
    let _ = read_nb101_tfrecord(Cursor::new(data));
}

/// The `nb101_records` target: each line of the input is one record's payload.
pub fn nb101_records(data: &[u8]) {
    let file: Vec<u8> = data.split(|&b| b == b'\n').flat_map(frame_record).collect();
    if let Ok(entries) = read_nb101_tfrecord(Cursor::new(&file)) {
        for entry in &entries {
            assert!(!entry.runs.is_empty(), "an entry has a run");
            assert_eq!(entry.adjacency.len(), entry.ops.len(), "one adjacency row per op");
        }
    }
    if let Ok(table) = nb101_table_from_tfrecord(Cursor::new(&file)) {
        query_every_entry(&table);
    }
}

/// The `nbgraph_bench` target.
pub fn nbgraph_bench(data: &[u8]) {
    let _ = np_bench_tables::pickle::read_pickle(data);
    let _ = read_nbgraph_bench(data);
    if let Ok(table) = nbgraph_table_from_bench(data) {
        query_every_entry(&table);
    }
}

/// The `nb201_csv` target: the text as `nb201.csv` under both protocols and as `latency.csv`
/// (its first device), keyed by the cells' ids as `bench-query --space nb201` keys them.
pub fn nb201_csv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let space = &*crate::architectures::NB201;
    let id_of = |record: &Value| space.parse(record).map(|arch| space.id(&arch)).map_err(|e| e.0);
    let mut tables = Vec::new();
    for (dataset, epochs) in [(Nb201Dataset::Cifar10, 200), (Nb201Dataset::ImageNet16, 12)] {
        let protocol = Nb201Protocol::new(dataset, epochs).expect("a protocol the table has");
        if let Ok(table) = nb201_table_from_csv(text, protocol, id_of) {
            query_every_entry(&table);
            tables.push(table);
        }
    }
    // The first `_ms` column names a device, as a user would pass it.
    let header = text.lines().next().unwrap_or_default();
    let device = header.split(',').find_map(|name| name.trim().strip_suffix("_ms")).unwrap_or("none");
    if let Ok(latency) = nb201_latency_from_csv(text, device, id_of) {
        for table in &mut tables {
            if add_latency_ms(table, &latency).is_ok() {
                query_every_entry(table);
            }
        }
    }
}

/// The `jsonl_table` target: a JSON-lines table keyed by the ids of the spaces whose tables
/// come as JSON lines, as `np_search::load_space_table` keys them.
pub fn jsonl_table(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    struct Load<'a>(&'a str);
    impl SpaceVisitor for Load<'_> {
        type Output = ();
        fn visit<S: SearchSpace>(self, space: &S) {
            let id_of = |record: &Value| space.parse(record).map(|arch| space.id(&arch)).map_err(|e| e.0);
            if let Ok(table) = read_jsonl_table(self.0, id_of) {
                query_every_entry(&table);
            }
        }
    }
    with_space(Nb101::new().name(), Load(text)).expect("a known space");
    with_space(NbGraph::new().name(), Load(text)).expect("a known space");
}

/// The column sets of the `columns_table` target: the architecture and validation accuracy
/// only (a JSON line then goes to the space whole), and every kind of column, the architecture
/// under another name.
pub fn table_columns() -> [TableColumns; 2] {
    let every_kind = TableColumns {
        arch: "cell".to_string(),
        test: Some("test_acc".to_string()),
        params: Some("params".to_string()),
        costs: vec!["latency_ms".to_string(), "flops".to_string()],
        ..TableColumns::new("val_acc")
    };
    [TableColumns::new("val_acc"), every_kind]
}

/// The `columns_table` target: the text as a CSV table and as a JSON-lines table read by
/// named columns (`bench-query --table x.csv --val-column val_acc`, …), with each column set of
/// [`table_columns`], keyed by the ids of NAS-Bench-201 declared as an edge cell
/// (`--space-file fixtures/spaces/nb201.toml`).
pub fn columns_table(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let space = &*crate::declared::NB201_DECLARED;
    let id_of = |record: &Value| space.parse(record).map(|arch| space.id(&arch)).map_err(|e| e.0);
    for columns in table_columns() {
        columns.check().expect("the target's columns are allowed");
        for table in [columns_table_from_csv(text, &columns, id_of), columns_table_from_jsonl(text, &columns, id_of)] {
            let Ok(table) = table else { continue };
            assert!(table.len() <= text.lines().count(), "more architectures than lines");
            for id in table.ids_sorted() {
                let again = id_of(&serde_json::json!({ "arch": id }));
                assert_eq!(again.as_deref(), Ok(id), "a table's key is not an id of its space");
            }
            query_every_entry(&table);
        }
    }
}

/// Every answer the table can give, written as a tool writes it.
fn query_every_entry(table: &BenchTable) {
    for id in table.ids_sorted() {
        for draw in [0, usize::MAX] {
            let answer = table.query(id, |runs| draw.min(runs)).expect("a listed id is in the table");
            assert!(answer.run < answer.runs, "the drawn run exists");
            let mut fields = Map::new();
            answer.write_fields(&mut fields);
            serde_json::to_string(&fields).expect("an answer serialises");
        }
    }
}
