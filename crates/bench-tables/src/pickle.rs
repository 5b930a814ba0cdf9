//! A minimal Python pickle reader that never executes anything.
//!
//! Python's `pickle.load` rebuilds objects by *calling* the globals a pickle names (`REDUCE`
//! applies any importable callable to arguments), which is why loading an untrusted pickle
//! in Python can run arbitrary code. This module only records what a pickle says:
//! `GLOBAL` gives an opaque [`PickleValue::Global`], `REDUCE` an opaque
//! [`PickleValue::Object`] holding the callable and its arguments, `BUILD` attaches the
//! state to it. Nothing is imported, called or looked up.
//!
//! One call is understood, because published benchmark tables are full of it: a numpy scalar
//! (`numpy.core.multiarray.scalar(dtype, bytes)`, `numpy._core` since numpy 2) whose dtype is
//! `f8`, `f4`, `i8` or `i4` with an explicit byte order decodes to [`PickleValue::Float`] or
//! [`PickleValue::Int`], exactly as numpy would read the bytes.
//!
//! Supported: the binary opcodes of protocols 2–5 that plain data needs (none, booleans,
//! integers up to 64 bits, floats, `str`, `bytes`, tuples, lists, dicts, the memo, marks,
//! frames, globals, `REDUCE`, `BUILD`). Text-mode opcodes of protocol 0/1, sets, `NEWOBJ`,
//! persistent ids and out-of-band buffers are rejected with a [`TableError`] naming the
//! opcode and its byte offset, as is any truncated or malformed input; the reader does not
//! panic on any input. Memory stays linear in the input: every opcode creates at most one
//! value, and the final tree may not expand shared values beyond a fixed multiple of the
//! input size.
//!
//! The opcodes and their semantics are those of CPython's `Lib/pickle.py` and
//! `Lib/pickletools.py` (which documents every opcode and the protocol it came with).

use std::collections::HashMap;

use crate::TableError;

/// A value read from a pickle. Strings and bytes borrow from the input. Dicts keep their
/// items in pickle order, as a Python dict does; a key repeated in the pickle appears once per
/// occurrence here (Python keeps the last value).
#[derive(Debug, Clone, PartialEq)]
pub enum PickleValue<'a> {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Bytes(&'a [u8]),
    Tuple(Vec<PickleValue<'a>>),
    List(Vec<PickleValue<'a>>),
    Dict(Vec<(PickleValue<'a>, PickleValue<'a>)>),
    /// `module.name`, never resolved.
    Global {
        module: &'a str,
        name: &'a str,
    },
    /// `callable(*args)` as `REDUCE` recorded it, never called, and the state `BUILD` gave it.
    Object {
        callable: Box<PickleValue<'a>>,
        args: Box<PickleValue<'a>>,
        state: Option<Box<PickleValue<'a>>>,
    },
}

impl<'a> PickleValue<'a> {
    /// The value for `key` in a dict (the last one, as in Python), or `None`.
    pub fn get(&self, key: &str) -> Option<&PickleValue<'a>> {
        match self {
            PickleValue::Dict(items) => {
                items.iter().rev().find(|(k, _)| matches!(k, PickleValue::Str(s) if *s == key)).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// The number an int or a float holds (`Int` converted to `f64`).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            PickleValue::Float(x) => Some(x),
            PickleValue::Int(n) => Some(n as f64),
            _ => None,
        }
    }
}

/// Nesting deeper than this is an error (it is also how reference cycles end).
const MAX_DEPTH: usize = 200;

/// Reads one pickle that fills `bytes` exactly (bytes after `STOP` are an error).
pub fn read_pickle(bytes: &[u8]) -> Result<PickleValue<'_>, TableError> {
    let mut machine = Machine { input: bytes, pos: 0, stack: Vec::new(), marks: Vec::new(), heap: Vec::new() };
    let top = machine.run()?;
    // Every value costs at least one opcode byte unless the memo shares it; allow generous
    // sharing, but not a pickle that expands exponentially through nested references.
    let mut budget = 4 * bytes.len() + 1024;
    machine.tree(top, 0, &mut budget)
}

/// A stack or memo entry: scalars inline, everything else an index into the heap, so that
/// the memo and the stack share mutable dicts, lists and objects as Python does.
#[derive(Debug, Clone, Copy)]
enum Slot {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Heap(usize),
}

/// A value on the heap; strings and bytes borrow from the input.
#[derive(Debug)]
enum Node<'a> {
    Str(&'a str),
    Bytes(&'a [u8]),
    Tuple(Vec<Slot>),
    List(Vec<Slot>),
    Dict(Vec<(Slot, Slot)>),
    Global { module: &'a str, name: &'a str },
    Object { callable: Slot, args: Slot, state: Option<Slot> },
}

struct Machine<'a> {
    input: &'a [u8],
    pos: usize,
    stack: Vec<Slot>,
    marks: Vec<usize>,
    heap: Vec<Node<'a>>,
}

/// The memo: indices as the pickler numbers them (0, 1, 2, ...) in a vector, any others
/// (a pickle may use any 32-bit index) in a map, so a huge index costs no memory.
struct Memo {
    dense: Vec<Option<Slot>>,
    sparse: HashMap<u32, Slot>,
    dense_limit: usize,
    len: usize,
}

impl Memo {
    fn put(&mut self, index: u32, slot: Slot) {
        let i = index as usize;
        let fresh = if i < self.dense_limit {
            if i >= self.dense.len() {
                self.dense.resize(i + 1, None);
            }
            self.dense[i].replace(slot).is_none()
        } else {
            self.sparse.insert(index, slot).is_none()
        };
        self.len += usize::from(fresh);
    }

    fn get(&self, index: u32) -> Option<Slot> {
        match self.dense.get(index as usize) {
            Some(slot) => *slot,
            None => self.sparse.get(&index).copied(),
        }
    }
}

/// The opcode being run: its name and byte offset, for error messages.
#[derive(Clone, Copy)]
struct At {
    name: &'static str,
    offset: usize,
}

impl At {
    fn error(self, message: impl std::fmt::Display) -> TableError {
        TableError(format!("pickle opcode {} at byte offset {}: {message}", self.name, self.offset))
    }
}

impl<'a> Machine<'a> {
    fn run(&mut self) -> Result<Slot, TableError> {
        // Every memo entry takes an opcode of at least 2 bytes, so the input length bounds the
        // indices of a pickle numbered as Python numbers them.
        let mut memo = Memo { dense: Vec::new(), sparse: HashMap::new(), dense_limit: self.input.len(), len: 0 };
        loop {
            let offset = self.pos;
            let Some(&code) = self.input.get(offset) else {
                return Err(TableError(format!("pickle ends at byte offset {offset} without STOP")));
            };
            self.pos += 1;
            let Some(name) = opcode_name(code) else {
                return Err(TableError(format!("pickle has unknown opcode {code:#04x} at byte offset {offset}")));
            };
            let at = At { name, offset };
            match code {
                0x80 => {
                    let protocol = self.take(at, 1)?[0];
                    if protocol > 5 {
                        return Err(at.error(format!("protocol {protocol} is newer than 5")));
                    }
                }
                0x95 => {
                    self.take(at, 8)?; // FRAME: a buffering hint; the input is in memory
                }
                b'.' => {
                    let top = self.pop(at)?;
                    if self.pos != self.input.len() {
                        return Err(at.error(format!("{} byte(s) after STOP", self.input.len() - self.pos)));
                    }
                    return Ok(top);
                }
                b'(' => self.marks.push(self.stack.len()),
                b'0' => {
                    self.pop(at)?;
                }
                b'1' => {
                    self.pop_mark(at)?;
                }
                b'2' => {
                    let top = self.top(at)?;
                    self.stack.push(top);
                }
                b'N' => self.stack.push(Slot::None),
                0x88 => self.stack.push(Slot::Bool(true)),
                0x89 => self.stack.push(Slot::Bool(false)),
                b'K' => {
                    let n = self.take(at, 1)?[0];
                    self.stack.push(Slot::Int(n.into()));
                }
                b'M' => {
                    let n = u16::from_le_bytes(self.array(at)?);
                    self.stack.push(Slot::Int(n.into()));
                }
                b'J' => {
                    let n = i32::from_le_bytes(self.array(at)?);
                    self.stack.push(Slot::Int(n.into()));
                }
                0x8a => {
                    let length = self.take(at, 1)?[0] as usize;
                    let n = long_from_bytes(self.take(at, length)?)
                        .ok_or_else(|| at.error("integer wider than 64 bits"))?;
                    self.stack.push(Slot::Int(n));
                }
                b'G' => {
                    let x = f64::from_be_bytes(self.array(at)?);
                    self.stack.push(Slot::Float(x));
                }
                b'X' | 0x8c | 0x8d => {
                    let length = self.length(at, code)?;
                    let bytes = self.take(at, length)?;
                    let text = std::str::from_utf8(bytes).map_err(|e| at.error(format!("string is not UTF-8: {e}")))?;
                    self.push_node(Node::Str(text));
                }
                b'C' | b'B' | 0x8e => {
                    let length = self.length(at, code)?;
                    let bytes = self.take(at, length)?;
                    self.push_node(Node::Bytes(bytes));
                }
                b')' => self.push_node(Node::Tuple(Vec::new())),
                0x85..=0x87 => {
                    let n = (code - 0x84) as usize;
                    let available = self.stack.len() - self.base();
                    if available < n {
                        return Err(at.error(format!("needs {n} items, the stack has {available}")));
                    }
                    let items = self.stack.split_off(self.stack.len() - n);
                    self.push_node(Node::Tuple(items));
                }
                b't' => {
                    let items = self.pop_mark(at)?;
                    self.push_node(Node::Tuple(items));
                }
                b']' => self.push_node(Node::List(Vec::new())),
                b'}' => self.push_node(Node::Dict(Vec::new())),
                b'a' => {
                    let item = self.pop(at)?;
                    self.list_on_top(at)?.push(item);
                }
                b'e' => {
                    let mark = self.marks.pop().ok_or_else(|| at.error("no MARK to pop to"))?;
                    let list = self.container_below(at, mark)?;
                    let Node::List(list) = &mut self.heap[list] else {
                        return Err(at.error("appends to something that is not a list"));
                    };
                    list.extend_from_slice(&self.stack[mark..]);
                    self.stack.truncate(mark);
                }
                b's' => {
                    let value = self.pop(at)?;
                    let key = self.pop(at)?;
                    self.dict_on_top(at)?.push((key, value));
                }
                b'u' => {
                    let mark = self.marks.pop().ok_or_else(|| at.error("no MARK to pop to"))?;
                    let count = self.stack.len() - mark;
                    if !count.is_multiple_of(2) {
                        return Err(at.error(format!("odd number of items ({count}) for key/value pairs")));
                    }
                    let dict = self.container_below(at, mark)?;
                    let Node::Dict(dict) = &mut self.heap[dict] else {
                        return Err(at.error("sets items of something that is not a dict"));
                    };
                    dict.extend(self.stack[mark..].chunks_exact(2).map(|pair| (pair[0], pair[1])));
                    self.stack.truncate(mark);
                }
                b'c' => {
                    let module = self.line(at)?;
                    let name = self.line(at)?;
                    self.push_node(Node::Global { module, name });
                }
                0x93 => {
                    let name = self.pop(at)?;
                    let module = self.pop(at)?;
                    let (Some(&Node::Str(module)), Some(&Node::Str(name))) = (self.node(module), self.node(name))
                    else {
                        return Err(at.error("module and name are not strings"));
                    };
                    self.push_node(Node::Global { module, name });
                }
                b'R' => {
                    let args = self.pop(at)?;
                    let callable = self.pop(at)?;
                    if !matches!(self.node(args), Some(Node::Tuple(_))) {
                        return Err(at.error("arguments are not a tuple"));
                    }
                    match self.numpy_scalar(at, callable, args)? {
                        Some(number) => self.stack.push(number),
                        None => self.push_node(Node::Object { callable, args, state: None }),
                    }
                }
                b'b' => {
                    let new_state = self.pop(at)?;
                    match self.top(at)? {
                        Slot::Heap(i) => match &mut self.heap[i] {
                            Node::Object { state, .. } => *state = Some(new_state),
                            other => return Err(at.error(format!("cannot set the state of a {}", node_kind(other)))),
                        },
                        _ => return Err(at.error("cannot set the state of a plain value")),
                    }
                }
                b'q' | b'r' | 0x94 => {
                    let index = match code {
                        b'q' => self.take(at, 1)?[0].into(),
                        b'r' => u32::from_le_bytes(self.array(at)?),
                        _ => u32::try_from(memo.len).map_err(|_| at.error("memo is full"))?,
                    };
                    let top = self.top(at)?;
                    memo.put(index, top);
                }
                b'h' | b'j' => {
                    let index =
                        if code == b'h' { self.take(at, 1)?[0].into() } else { u32::from_le_bytes(self.array(at)?) };
                    let slot = memo.get(index).ok_or_else(|| at.error(format!("memo has no entry {index}")))?;
                    self.stack.push(slot);
                }
                _ => return Err(at.error("not supported by this reader")),
            }
        }
    }

    /// `numpy.core.multiarray.scalar(dtype, bytes)` as a number, `None` for any other call.
    fn numpy_scalar(&self, at: At, callable: Slot, args: Slot) -> Result<Option<Slot>, TableError> {
        let is_scalar = matches!(self.node(callable), Some(Node::Global { module, name })
            if matches!(*module, "numpy.core.multiarray" | "numpy._core.multiarray") && *name == "scalar");
        if !is_scalar {
            return Ok(None);
        }
        let fail = |what: &str| Err(at.error(format!("numpy scalar: {what}")));
        let Some(Node::Tuple(items)) = self.node(args) else { return fail("arguments are not a tuple") };
        let [dtype, data] = items[..] else { return fail("arguments are not (dtype, bytes)") };
        let Some(Node::Object { callable: dtype_callable, args: dtype_args, state }) = self.node(dtype) else {
            return fail("first argument is not a dtype");
        };
        let is_dtype = matches!(self.node(*dtype_callable), Some(Node::Global { module, name })
            if *module == "numpy" && *name == "dtype");
        let Some(Node::Tuple(dtype_args)) = self.node(*dtype_args) else {
            return fail("dtype arguments are not a tuple");
        };
        let type_name = match dtype_args.first().and_then(|&s| self.node(s)) {
            Some(Node::Str(s)) if is_dtype => *s,
            _ => return fail("first argument is not numpy.dtype(<str>, ...)"),
        };
        // BUILD gives the dtype its state (version, byte order, ...); without it the byte
        // order is unknown.
        let byte_order = match (*state).and_then(|s| self.node(s)) {
            Some(Node::Tuple(fields)) => match fields.get(1).and_then(|&s| self.node(s)) {
                Some(Node::Str(order)) => *order,
                _ => return fail("dtype state has no byte order"),
            },
            _ => return fail("dtype has no state (byte order unknown)"),
        };
        let little = match byte_order {
            "<" => true,
            ">" => false,
            other => return fail(&format!("dtype byte order {other:?} is not '<' or '>'")),
        };
        let Some(Node::Bytes(bytes)) = self.node(data) else { return fail("second argument is not bytes") };
        let width = match type_name {
            "f8" | "i8" => 8,
            "f4" | "i4" => 4,
            other => return fail(&format!("dtype {other:?} is not one of f8, f4, i8, i4")),
        };
        if bytes.len() != width {
            return fail(&format!("dtype {type_name} needs {width} bytes, got {}", bytes.len()));
        }
        let mut raw = [0u8; 8];
        raw[..width].copy_from_slice(bytes);
        if !little {
            raw[..width].reverse();
        }
        let [b0, b1, b2, b3, ..] = raw;
        Ok(Some(match type_name {
            "f8" => Slot::Float(f64::from_le_bytes(raw)),
            "i8" => Slot::Int(i64::from_le_bytes(raw)),
            "f4" => Slot::Float(f32::from_le_bytes([b0, b1, b2, b3]).into()),
            _ => Slot::Int(i32::from_le_bytes([b0, b1, b2, b3]).into()),
        }))
    }

    /// The tree of `slot`, spending one unit of `budget` per value.
    fn tree(&self, slot: Slot, depth: usize, budget: &mut usize) -> Result<PickleValue<'a>, TableError> {
        if depth > MAX_DEPTH {
            return Err(TableError(format!("pickle nests deeper than {MAX_DEPTH} levels (or refers to itself)")));
        }
        *budget = budget.checked_sub(1).ok_or_else(|| {
            TableError("pickle shares values so often that it expands far beyond its size".to_string())
        })?;
        let mut tree = |s: Slot| self.tree(s, depth + 1, budget);
        Ok(match slot {
            Slot::None => PickleValue::None,
            Slot::Bool(b) => PickleValue::Bool(b),
            Slot::Int(n) => PickleValue::Int(n),
            Slot::Float(x) => PickleValue::Float(x),
            Slot::Heap(i) => match &self.heap[i] {
                Node::Str(s) => PickleValue::Str(s),
                Node::Bytes(b) => PickleValue::Bytes(b),
                Node::Tuple(items) => PickleValue::Tuple(items.iter().map(|&s| tree(s)).collect::<Result<_, _>>()?),
                Node::List(items) => PickleValue::List(items.iter().map(|&s| tree(s)).collect::<Result<_, _>>()?),
                Node::Dict(items) => PickleValue::Dict(
                    items.iter().map(|&(k, v)| Ok((tree(k)?, tree(v)?))).collect::<Result<_, TableError>>()?,
                ),
                Node::Global { module, name } => PickleValue::Global { module, name },
                Node::Object { callable, args, state } => PickleValue::Object {
                    callable: Box::new(tree(*callable)?),
                    args: Box::new(tree(*args)?),
                    state: state.map(&mut tree).transpose()?.map(Box::new),
                },
            },
        })
    }

    fn node(&self, slot: Slot) -> Option<&Node<'a>> {
        match slot {
            Slot::Heap(i) => self.heap.get(i),
            _ => None,
        }
    }

    fn push_node(&mut self, node: Node<'a>) {
        self.heap.push(node);
        self.stack.push(Slot::Heap(self.heap.len() - 1));
    }

    /// Where the items of the innermost MARK start: as in Python, nothing below it can be
    /// used until the mark is popped.
    fn base(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn top(&self, at: At) -> Result<Slot, TableError> {
        match self.stack.last() {
            Some(&top) if self.stack.len() > self.base() => Ok(top),
            _ => Err(at.error("stack is empty")),
        }
    }

    fn pop(&mut self, at: At) -> Result<Slot, TableError> {
        let top = self.top(at)?;
        self.stack.pop();
        Ok(top)
    }

    fn pop_mark(&mut self, at: At) -> Result<Vec<Slot>, TableError> {
        let mark = self.marks.pop().ok_or_else(|| at.error("no MARK to pop to"))?;
        Ok(self.stack.split_off(mark))
    }

    /// The heap index of the value just below a popped `mark` (the list or dict that APPENDS
    /// or SETITEMS fills); the items above the mark stay on the stack for the caller to move.
    fn container_below(&self, at: At, mark: usize) -> Result<usize, TableError> {
        match mark.checked_sub(1).filter(|&below| below >= self.base()).map(|below| self.stack[below]) {
            Some(Slot::Heap(i)) => Ok(i),
            _ => Err(at.error("no list or dict below the mark")),
        }
    }

    fn list_on_top(&mut self, at: At) -> Result<&mut Vec<Slot>, TableError> {
        match self.top(at)? {
            Slot::Heap(i) => match &mut self.heap[i] {
                Node::List(items) => Ok(items),
                other => Err(at.error(format!("appends to a {}, not a list", node_kind(other)))),
            },
            _ => Err(at.error("appends to something that is not a list")),
        }
    }

    fn dict_on_top(&mut self, at: At) -> Result<&mut Vec<(Slot, Slot)>, TableError> {
        match self.top(at)? {
            Slot::Heap(i) => match &mut self.heap[i] {
                Node::Dict(items) => Ok(items),
                other => Err(at.error(format!("sets items of a {}, not a dict", node_kind(other)))),
            },
            _ => Err(at.error("sets items of something that is not a dict")),
        }
    }

    /// The next `n` bytes of the opcode's argument.
    fn take(&mut self, at: At, n: usize) -> Result<&'a [u8], TableError> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.input.len()).ok_or_else(|| {
            at.error(format!("input ends inside the argument ({} of {n} bytes)", self.input.len() - self.pos))
        })?;
        let bytes = &self.input[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, at: At) -> Result<[u8; N], TableError> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.take(at, N)?);
        Ok(array)
    }

    /// The length prefix of a string or bytes opcode: 1 byte for the SHORT_ forms, 8 for the
    /// 8 forms, else 4.
    fn length(&mut self, at: At, code: u8) -> Result<usize, TableError> {
        let length = match code {
            0x8c | b'C' => self.take(at, 1)?[0].into(),
            0x8d | 0x8e => u64::from_le_bytes(self.array(at)?),
            _ => u32::from_le_bytes(self.array(at)?).into(),
        };
        usize::try_from(length).map_err(|_| at.error(format!("length {length} does not fit in memory")))
    }

    /// A newline-terminated UTF-8 line (the arguments of GLOBAL).
    fn line(&mut self, at: At) -> Result<&'a str, TableError> {
        let rest: &'a [u8] = &self.input[self.pos..];
        let end = rest.iter().position(|&b| b == b'\n').ok_or_else(|| at.error("input ends inside the name"))?;
        self.pos += end + 1;
        std::str::from_utf8(&rest[..end]).map_err(|e| at.error(format!("name is not UTF-8: {e}")))
    }
}

/// A little-endian two's-complement integer of any width (LONG1), if it fits in 64 bits.
fn long_from_bytes(bytes: &[u8]) -> Option<i64> {
    let negative = bytes.last().is_some_and(|&b| b & 0x80 != 0);
    let fill = if negative { 0xff } else { 0x00 };
    let mut raw = [fill; 8];
    for (i, &b) in bytes.iter().enumerate() {
        if i < 8 {
            raw[i] = b;
        } else if b != fill {
            return None;
        }
    }
    let n = i64::from_le_bytes(raw);
    // Wider inputs fit only if the 64-bit value has the same sign.
    (bytes.len() <= 8 || (n < 0) == negative).then_some(n)
}

fn node_kind(node: &Node<'_>) -> &'static str {
    match node {
        Node::Str(_) => "str",
        Node::Bytes(_) => "bytes",
        Node::Tuple(_) => "tuple",
        Node::List(_) => "list",
        Node::Dict(_) => "dict",
        Node::Global { .. } => "global",
        Node::Object { .. } => "reduced object",
    }
}

/// The names `pickletools` gives the opcodes of protocols 0–5.
fn opcode_name(code: u8) -> Option<&'static str> {
    Some(match code {
        b'(' => "MARK",
        b'.' => "STOP",
        b'0' => "POP",
        b'1' => "POP_MARK",
        b'2' => "DUP",
        b'F' => "FLOAT",
        b'I' => "INT",
        b'J' => "BININT",
        b'K' => "BININT1",
        b'L' => "LONG",
        b'M' => "BININT2",
        b'N' => "NONE",
        b'P' => "PERSID",
        b'Q' => "BINPERSID",
        b'R' => "REDUCE",
        b'S' => "STRING",
        b'T' => "BINSTRING",
        b'U' => "SHORT_BINSTRING",
        b'V' => "UNICODE",
        b'X' => "BINUNICODE",
        b'a' => "APPEND",
        b'b' => "BUILD",
        b'c' => "GLOBAL",
        b'd' => "DICT",
        b'}' => "EMPTY_DICT",
        b'e' => "APPENDS",
        b'g' => "GET",
        b'h' => "BINGET",
        b'i' => "INST",
        b'j' => "LONG_BINGET",
        b'l' => "LIST",
        b']' => "EMPTY_LIST",
        b'o' => "OBJ",
        b'p' => "PUT",
        b'q' => "BINPUT",
        b'r' => "LONG_BINPUT",
        b's' => "SETITEM",
        b't' => "TUPLE",
        b')' => "EMPTY_TUPLE",
        b'u' => "SETITEMS",
        b'G' => "BINFLOAT",
        0x80 => "PROTO",
        0x81 => "NEWOBJ",
        0x82 => "EXT1",
        0x83 => "EXT2",
        0x84 => "EXT4",
        0x85 => "TUPLE1",
        0x86 => "TUPLE2",
        0x87 => "TUPLE3",
        0x88 => "NEWTRUE",
        0x89 => "NEWFALSE",
        0x8a => "LONG1",
        0x8b => "LONG4",
        b'B' => "BINBYTES",
        b'C' => "SHORT_BINBYTES",
        0x8c => "SHORT_BINUNICODE",
        0x8d => "BINUNICODE8",
        0x8e => "BINBYTES8",
        0x8f => "EMPTY_SET",
        0x90 => "ADDITEMS",
        0x91 => "FROZENSET",
        0x92 => "NEWOBJ_EX",
        0x93 => "STACK_GLOBAL",
        0x94 => "MEMOIZE",
        0x95 => "FRAME",
        0x96 => "BYTEARRAY8",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        _ => return None,
    })
}
