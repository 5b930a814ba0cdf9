//! The pickle reader and the NAS-Bench-Graph table reader on pickles written by hand, opcode
//! by opcode, as `pickletools.dis` shows Python writing them.

use np_bench_tables::pickle::{PickleValue, read_pickle};
use np_bench_tables::{NbGraphEntry, nbgraph_table_from_bench, read_nbgraph_bench};

/// Builds a pickle opcode by opcode.
#[derive(Default, Clone)]
struct Pickle(Vec<u8>);

impl Pickle {
    fn new(protocol: u8) -> Self {
        Pickle(vec![0x80, protocol])
    }
    fn op(mut self, code: u8) -> Self {
        self.0.push(code);
        self
    }
    fn bytes(mut self, bytes: &[u8]) -> Self {
        self.0.extend_from_slice(bytes);
        self
    }
    fn int1(self, n: u8) -> Self {
        self.op(b'K').bytes(&[n])
    }
    fn int2(self, n: u16) -> Self {
        self.op(b'M').bytes(&n.to_le_bytes())
    }
    fn int4(self, n: i32) -> Self {
        self.op(b'J').bytes(&n.to_le_bytes())
    }
    fn float(self, x: f64) -> Self {
        self.op(b'G').bytes(&x.to_be_bytes())
    }
    fn text(self, s: &str) -> Self {
        self.op(b'X').bytes(&(s.len() as u32).to_le_bytes()).bytes(s.as_bytes())
    }
    fn short_bytes(self, b: &[u8]) -> Self {
        self.op(b'C').bytes(&[b.len() as u8]).bytes(b)
    }
    fn global(self, module: &str, name: &str) -> Self {
        self.op(b'c').bytes(format!("{module}\n{name}\n").as_bytes())
    }
    fn put(self, index: u8) -> Self {
        self.op(b'q').bytes(&[index])
    }
    fn long_put(self, index: u32) -> Self {
        self.op(b'r').bytes(&index.to_le_bytes())
    }
    fn get(self, index: u8) -> Self {
        self.op(b'h').bytes(&[index])
    }
    /// `numpy.dtype(name, False, True)` with the state numpy pickles (byte order `order`),
    /// memoised as `memo`.
    fn dtype(self, name: &str, order: &str, memo: u8) -> Self {
        self.global("numpy", "dtype")
            .text(name)
            .op(0x89)
            .op(0x88)
            .op(0x87)
            .op(b'R')
            .put(memo)
            .op(b'(')
            .int1(3)
            .text(order)
            .op(b'N')
            .op(b'N')
            .op(b'N')
            .int4(-1)
            .int4(-1)
            .int1(0)
            .op(b't')
            .op(b'b')
    }
    /// The arguments `(<memo dtype>, bytes)` of `numpy.core.multiarray.scalar` and the
    /// REDUCE that calls it (the callable must be on the stack already).
    fn scalar(self, dtype_memo: u8, raw: &[u8]) -> Self {
        self.get(dtype_memo).short_bytes(raw).op(0x86).op(b'R')
    }
    fn stop(self) -> Vec<u8> {
        self.op(b'.').0
    }
}

fn read(bytes: &[u8]) -> PickleValue<'_> {
    read_pickle(bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn error(bytes: &[u8]) -> String {
    match read_pickle(bytes) {
        Ok(value) => panic!("expected an error, read {value:?}"),
        Err(e) => e.0,
    }
}

fn text(s: &str) -> PickleValue<'_> {
    PickleValue::Str(s)
}

/// What `pickle.dumps({0: {'valid_perf': 0.5, 'perf': 0.25, 'latency': 0.125,
/// 'para': np.float64(1.736711)}, 10000: {...}}, protocol=3)` writes: the keys and the numpy
/// globals memoised by the first entry and fetched back by the second.
fn bench_pickle() -> Vec<u8> {
    let para = 1.736711f64.to_le_bytes();
    Pickle::new(3)
        .op(b'}')
        .put(0)
        .op(b'(')
        .int1(0)
        .op(b'}')
        .put(1)
        .op(b'(')
        .text("valid_perf")
        .put(2)
        .float(0.7733333333333334)
        .text("perf")
        .put(3)
        .float(0.797)
        .text("latency")
        .put(4)
        .float(0.005922238032023112)
        .text("para")
        .put(5)
        .global("numpy.core.multiarray", "scalar")
        .put(6)
        .dtype("f8", "<", 10)
        .short_bytes(&para)
        .op(0x86)
        .op(b'R')
        .put(15)
        .op(b'u')
        .int2(10000)
        .op(b'}')
        .put(16)
        .op(b'(')
        .get(2)
        .float(0.5)
        .get(3)
        .float(0.25)
        .get(4)
        .float(0.125)
        .get(5)
        .get(6)
        .scalar(10, &0.083914f64.to_le_bytes())
        .long_put(19)
        .op(b'u')
        .op(b'u')
        .stop()
}

#[test]
fn plain_values_and_containers() {
    let bytes = Pickle::new(4)
        .op(0x95)
        .bytes(&100u64.to_le_bytes())
        .op(b']')
        .op(0x94)
        .op(b'(')
        .op(b'N')
        .op(0x88)
        .op(0x89)
        .int1(255)
        .int2(65535)
        .int4(-7)
        .op(0x8a)
        .bytes(&[3, 0x00, 0x80, 0x00]) // LONG1 32768
        .op(0x8a)
        .bytes(&[2, 0x00, 0x80]) // LONG1 -32768
        .op(0x8a)
        .bytes(&[1, 0xff]) // LONG1 -1
        .op(0x8a)
        .bytes(&[0])
        .float(-2.5)
        .op(0x8c)
        .bytes(&[2])
        .bytes("é".as_bytes())
        .op(b'B')
        .bytes(&3u32.to_le_bytes())
        .bytes(b"abc")
        .op(b')')
        .int1(1)
        .op(0x85)
        .long_put(1)
        .op(b'e')
        .op(b'}')
        .text("k")
        .op(b'j')
        .bytes(&1u32.to_le_bytes()) // LONG_BINGET 1: the tuple (1,) again
        .op(b's')
        .op(b'a')
        .stop();
    let value = read(&bytes);
    let PickleValue::List(items) = value else { panic!("{value:?}") };
    let expected = vec![
        PickleValue::None,
        PickleValue::Bool(true),
        PickleValue::Bool(false),
        PickleValue::Int(255),
        PickleValue::Int(65535),
        PickleValue::Int(-7),
        PickleValue::Int(32768),
        PickleValue::Int(-32768),
        PickleValue::Int(-1),
        PickleValue::Int(0),
        PickleValue::Float(-2.5),
        text("é"),
        PickleValue::Bytes(b"abc"),
        PickleValue::Tuple(vec![]),
        PickleValue::Tuple(vec![PickleValue::Int(1)]),
        PickleValue::Dict(vec![(text("k"), PickleValue::Tuple(vec![PickleValue::Int(1)]))]),
    ];
    assert_eq!(items, expected);
}

#[test]
fn self_reference_is_an_error_not_a_hang() {
    // A list that contains itself: a cycle, which a tree cannot hold.
    let bytes = Pickle::new(3).op(b']').put(0).get(0).op(b'a').stop();
    assert!(error(&bytes).contains("deeper than"));
}

#[test]
fn shared_values_cannot_expand_exponentially() {
    // t0 = (); t(i+1) = (t_i, t_i): 2^40 leaves from a few hundred bytes.
    let mut p = Pickle::new(3).op(b')').put(0);
    for i in 0..40u8 {
        p = p.get(i).get(i).op(0x86).put(i + 1);
    }
    let message = error(&p.stop());
    assert!(message.contains("expands"), "{message}");
}

#[test]
fn globals_and_reduce_stay_opaque() {
    // os.system('echo hi'): recorded, never called.
    let bytes = Pickle::new(3).global("os", "system").text("echo hi").op(0x85).op(b'R').stop();
    let global = PickleValue::Global { module: "os", name: "system" };
    assert_eq!(
        read(&bytes),
        PickleValue::Object {
            callable: Box::new(global),
            args: Box::new(PickleValue::Tuple(vec![text("echo hi")])),
            state: None
        }
    );
    let stacked = Pickle::new(4).op(0x8c).bytes(&[1]).bytes(b"m").op(0x8c).bytes(&[1]).bytes(b"n").op(0x93).stop();
    assert_eq!(read(&stacked), PickleValue::Global { module: "m", name: "n" });
}

#[test]
fn numpy_scalars_decode_to_numbers() {
    let cases: [(&str, &str, Vec<u8>, PickleValue); 6] = [
        ("f8", "<", 1.736711f64.to_le_bytes().to_vec(), PickleValue::Float(1.736711)),
        ("f8", ">", 1.736711f64.to_be_bytes().to_vec(), PickleValue::Float(1.736711)),
        ("f4", "<", 0.1f32.to_le_bytes().to_vec(), PickleValue::Float(0.1f32 as f64)),
        ("i8", "<", (-5i64).to_le_bytes().to_vec(), PickleValue::Int(-5)),
        ("i4", "<", 123456i32.to_le_bytes().to_vec(), PickleValue::Int(123456)),
        ("i4", ">", 123456i32.to_be_bytes().to_vec(), PickleValue::Int(123456)),
    ];
    for module in ["numpy.core.multiarray", "numpy._core.multiarray"] {
        for (name, order, raw, expected) in &cases {
            let bytes = Pickle::new(3)
                .global(module, "scalar")
                .put(0)
                .dtype(name, order, 1)
                .short_bytes(raw)
                .op(0x86)
                .op(b'R')
                .stop();
            assert_eq!(&read(&bytes), expected, "{module} {name} {order}");
        }
    }
}

#[test]
fn numpy_scalars_it_cannot_decode_are_errors() {
    let scalar = |name: &str, order: &str, raw: &[u8]| {
        error(
            &Pickle::new(3)
                .global("numpy.core.multiarray", "scalar")
                .dtype(name, order, 0)
                .short_bytes(raw)
                .op(0x86)
                .op(b'R')
                .stop(),
        )
    };
    assert!(scalar("U4", "<", &[0; 16]).contains("dtype \"U4\""));
    assert!(scalar("f8", "=", &[0; 8]).contains("byte order"));
    assert!(scalar("f8", "<", &[0; 4]).contains("needs 8 bytes"));
    let message = scalar("c16", "<", &[0; 16]);
    assert!(message.starts_with("pickle opcode REDUCE at byte offset "), "{message}");
}

#[test]
fn unsupported_and_unknown_opcodes_are_named_with_their_offset() {
    let message = error(&Pickle::new(2).global("m", "C").op(b')').op(0x81).stop());
    assert_eq!(message, "pickle opcode NEWOBJ at byte offset 8: not supported by this reader");
    assert_eq!(error(&[0x80, 3, 0xff]), "pickle has unknown opcode 0xff at byte offset 2");
    assert!(error(&[0x80, 6, b'N', b'.']).contains("protocol 6"));
    assert_eq!(error(&[0x80, 3, b'N', b'.', b'N']), "pickle opcode STOP at byte offset 3: 1 byte(s) after STOP");
    assert!(error(&[0x80, 3, b'h', 7, b'.']).contains("memo has no entry 7"));
    // LONG1 wider than 8 bytes: fine while the value fits in 64 bits.
    assert_eq!(
        read(&[0x80, 3, 0x8a, 9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, b'.']),
        PickleValue::Int(-1)
    );
    let two_to_63 = [0x80, 3, 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, b'.'];
    assert!(error(&two_to_63).contains("LONG1 at byte offset 2: integer wider than 64 bits"));
    assert!(error(&[0x80, 3, b'u', b'.']).contains("no MARK"));
    assert!(error(&[0x80, 3, b'N', b'(', b'0', b'.']).contains("POP at byte offset 4: stack is empty"));
    assert!(error(&[0x80, 3, b'N', b'N', b'(', b'a', b'.']).contains("APPEND"));
}

#[test]
fn nbgraph_table_from_a_handmade_bench_file() {
    let bytes = bench_pickle();
    let entries = read_nbgraph_bench(&bytes).unwrap();
    assert_eq!(
        entries,
        vec![
            NbGraphEntry {
                code: 0,
                valid_perf: 0.7733333333333334,
                perf: 0.797,
                latency: 0.005922238032023112,
                para: 1.736711
            },
            NbGraphEntry { code: 10000, valid_perf: 0.5, perf: 0.25, latency: 0.125, para: 0.083914 },
        ]
    );
    let table = nbgraph_table_from_bench(&bytes).unwrap();
    assert_eq!(table.ids_sorted(), ["0", "10000"]);
    let answer = table.query("10000", |_| 0).unwrap();
    assert_eq!((answer.val_accuracy, answer.test_accuracy, answer.train_seconds), (50.0, Some(25.0), None));
    assert_eq!(answer.params, Some(83914.0));
    assert_eq!(answer.extra["latency"], 0.125);
    assert_eq!((answer.run, answer.runs), (0, 1));
    assert_eq!(table.query("0", |_| 0).unwrap().params, Some(1736711.0));
}

#[test]
fn nbgraph_tables_need_codes_and_all_four_figures() {
    let not_a_dict = Pickle::new(3).op(b']').stop();
    assert!(read_nbgraph_bench(&not_a_dict).unwrap_err().0.contains("does not hold a dict"));
    let missing = Pickle::new(3).op(b'}').int1(7).op(b'}').text("perf").float(0.5).op(b's').op(b's').stop();
    assert!(read_nbgraph_bench(&missing).unwrap_err().0.contains("architecture 7 has no number 'valid_perf'"));
    let text_key = Pickle::new(3).op(b'}').text("7").op(b'}').op(b's').stop();
    assert!(read_nbgraph_bench(&text_key).unwrap_err().0.contains("is not an architecture code"));
}

/// A larger table in the light tables' layout: `n` entries, numpy `para` values, memo
/// indices past 255 (LONG_BINPUT) like the real files.
fn synthetic_bench(n: u16) -> Vec<u8> {
    let mut p = Pickle::new(3).op(b'}').put(0).op(b'(');
    let mut memo = 20u32;
    for code in 0..n {
        p = p.int2(code * 11).op(b'}').long_put(memo).op(b'(');
        p = if code == 0 {
            p.text("valid_perf")
                .put(2)
                .float(0.5)
                .text("perf")
                .put(3)
                .float(0.4)
                .text("latency")
                .put(4)
                .float(0.01)
                .text("para")
                .put(5)
                .global("numpy.core.multiarray", "scalar")
                .put(6)
                .dtype("f8", "<", 10)
                .short_bytes(&1.5f64.to_le_bytes())
                .op(0x86)
                .op(b'R')
        } else {
            let x = f64::from(code) / f64::from(n);
            p.get(2)
                .float(x)
                .get(3)
                .float(x / 2.0)
                .get(4)
                .float(x / 100.0)
                .get(5)
                .get(6)
                .scalar(10, &(x * 3.0).to_le_bytes())
        };
        p = p.long_put(memo + 1).op(b'u');
        memo += 2;
    }
    p.op(b'u').stop()
}

#[test]
fn damaged_pickles_give_errors_never_panics() {
    let bytes = synthetic_bench(60);
    let entries = read_nbgraph_bench(&bytes).unwrap();
    assert_eq!(entries.len(), 60);
    assert_eq!(entries[59].code, 59 * 11);
    assert_eq!(entries[59].para, 59.0 / 60.0 * 3.0);
    // Every truncation is an error (a pickle ends only at its STOP).
    for end in 0..bytes.len() {
        assert!(read_nbgraph_bench(&bytes[..end]).is_err(), "truncated at {end}");
    }
    // Flipped bits either still parse (a changed float) or give an error.
    let mut damaged = bytes.clone();
    for at in 0..bytes.len() {
        for mask in [0x01, 0x10, 0x80, 0xff] {
            damaged[at] ^= mask;
            let _ = read_nbgraph_bench(&damaged);
            damaged[at] ^= mask;
        }
    }
}
