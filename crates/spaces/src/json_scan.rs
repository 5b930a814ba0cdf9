//! Where a JSON object's top-level fields are in its text, found fast for ordinary lines.
//!
//! Tools that pass lines on ([`RawFields`](crate::RawFields)) need each top-level field as a
//! slice of the line, and must still reject a line that is not JSON. serde_json finds those
//! slices by running its parser over every value, one visitor call per array element: on the
//! NAS-Bench-101 stream that was a tenth of `arch-encode`'s and `gcn-score`'s time. This module
//! checks the usual subset of JSON byte by byte: strings without escapes or control
//! characters, numbers, `true`/`false`/`null`, arrays and objects nested at most
//! [`MAX_DEPTH`] deep. On anything else it gives up and the caller asks serde_json, which then
//! also words the error. Whenever it answers, its answer is serde_json's (tests compare them).

/// Deepest nesting of a field's value checked here (serde_json allows 128 in all; deeper lines
/// go to it).
const MAX_DEPTH: usize = 64;

/// The (key, raw value text) pairs of the object `text` holds, in order and with repeated keys
/// repeated; `None` when the text is not an object in the subset described above.
pub(crate) fn top_level_fields(text: &str) -> Option<Vec<(&str, &str)>> {
    let mut scan = Scanner { bytes: text.as_bytes(), at: 0 };
    let mut fields = Vec::with_capacity(8);
    scan.whitespace();
    scan.expect(b'{')?;
    scan.whitespace();
    if scan.peek() == Some(b'}') {
        scan.at += 1;
    } else {
        loop {
            scan.whitespace();
            let key_start = scan.at + 1;
            scan.string()?;
            let key = &text[key_start..scan.at - 1];
            scan.whitespace();
            scan.expect(b':')?;
            scan.whitespace();
            let value_start = scan.at;
            scan.value(MAX_DEPTH)?;
            fields.push((key, &text[value_start..scan.at]));
            scan.whitespace();
            match scan.next()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
    }
    scan.whitespace();
    (scan.at == text.len()).then_some(fields)
}

/// The matrix of one-digit numbers at the start of `bytes`, written compactly
/// (`[[0,1],[0,0]]`, empty rows and matrix allowed), and how many bytes it took; `None` when
/// they hold anything else. Architecture lines and graph encodings are mostly such matrices,
/// which this reads in a few instructions per entry instead of a general JSON parser's call
/// per element.
pub fn digit_matrix(bytes: &[u8]) -> Option<(Vec<Vec<u8>>, usize)> {
    let mut rows: Vec<Vec<u8>> = Vec::new();
    let mut row = Vec::new();
    let (_, used) = scan_digit_matrix(
        bytes,
        #[inline(always)]
        |item| match item {
            MatrixItem::Entry { column, digit, .. } => {
                if column == 0 {
                    row = Vec::with_capacity(8);
                }
                row.push(digit);
            }
            MatrixItem::RowEnd { length, .. } => {
                rows.push(if length == 0 { Vec::new() } else { std::mem::take(&mut row) })
            }
        },
    )?;
    Some((rows, used))
}

/// What [`scan_digit_matrix`] finds, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixItem {
    Entry {
        row: usize,
        column: usize,
        digit: u8,
    },
    /// After the last entry of a row (`length` of them).
    RowEnd {
        row: usize,
        length: usize,
    },
}

/// [`digit_matrix`] without building it: `visit` sees every entry and the end of every row;
/// returns the row count and how many bytes the matrix took. Callers that keep the entries in
/// another form (bits, say) need not allocate a vector per row.
#[inline(always)]
pub fn scan_digit_matrix(bytes: &[u8], mut visit: impl FnMut(MatrixItem)) -> Option<(usize, usize)> {
    let mut scan = Scanner { bytes, at: 0 };
    scan.expect(b'[')?;
    if scan.peek() == Some(b']') {
        return Some((0, 2));
    }
    let mut row = 0;
    loop {
        scan.expect(b'[')?;
        let mut column = 0;
        if scan.peek() == Some(b']') {
            scan.at += 1;
        } else {
            loop {
                let digit = scan.next()?;
                if !digit.is_ascii_digit() {
                    return None;
                }
                visit(MatrixItem::Entry { row, column, digit: digit - b'0' });
                column += 1;
                match scan.next()? {
                    b',' => {}
                    b']' => break,
                    _ => return None,
                }
            }
        }
        visit(MatrixItem::RowEnd { row, length: column });
        row += 1;
        match scan.next()? {
            b',' => {}
            b']' => return Some((row, scan.at)),
            _ => return None,
        }
    }
}

/// The strings of `text` when it is exactly a compact array of strings without escapes
/// (`["input","output"]`, `[]`); `None` for anything else, which callers leave to serde_json.
pub(crate) fn plain_strings(text: &str) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    let mut strings = Vec::with_capacity(8);
    let mut at = 1;
    if bytes.first() != Some(&b'[') {
        return None;
    }
    if bytes.get(1) == Some(&b']') {
        return (bytes.len() == 2).then_some(strings);
    }
    loop {
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let start = at + 1;
        let length = bytes[start..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        let end = start + length;
        if bytes[end] != b'"' {
            return None;
        }
        // Quotes and backslashes are ASCII, so these ends are character boundaries.
        strings.push(&text[start..end]);
        match bytes.get(end + 1) {
            Some(b',') => at = end + 2,
            Some(b']') if end + 2 == bytes.len() => return Some(strings),
            _ => return None,
        }
    }
}

struct Scanner<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// A string without escapes or control characters (the text is UTF-8 already).
    fn string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        let rest = &self.bytes[self.at..];
        let end = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        (rest[end] == b'"').then(|| self.at += end + 1)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        // One test for both integer forms: a branch on `0` against `1`–`9` would be
        // mispredicted on every other entry of a 0/1 matrix.
        let first = self.next()?;
        if !first.is_ascii_digit() || (self.digits() > 0 && first == b'0') {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            (self.digits() > 0).then_some(())?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            (self.digits() > 0).then_some(())?;
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// `"key":` inside an object, before its value.
    fn key(&mut self) -> Option<()> {
        self.whitespace();
        self.string()?;
        self.whitespace();
        self.expect(b':')
    }

    /// One whole value, however nested (up to `max_depth` levels). A loop with a stack of the
    /// open brackets' closers rather than recursion: elements of arrays of numbers, most of a
    /// line, then cost a few byte comparisons each.
    fn value(&mut self, max_depth: usize) -> Option<()> {
        let mut closers = [0u8; MAX_DEPTH];
        let mut depth = 0;
        loop {
            // A value starts here. Runs of one-digit array elements (`0,1,0,`: adjacency
            // matrices and one-hot rows, most of an encoded line) are taken two bytes at a time.
            if depth > 0 && closers[depth - 1] == b']' {
                while let [digit, b',', ..] = self.bytes[self.at..]
                    && digit.is_ascii_digit()
                {
                    self.at += 2;
                }
            }
            self.whitespace();
            match self.peek()? {
                open @ (b'[' | b'{') => {
                    if depth == max_depth {
                        return None;
                    }
                    let close = if open == b'[' { b']' } else { b'}' };
                    self.at += 1;
                    self.whitespace();
                    if self.peek() == Some(close) {
                        self.at += 1;
                    } else {
                        closers[depth] = close;
                        depth += 1;
                        if close == b'}' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => self.string()?,
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return None,
            }
            // A value ended: close brackets until one has a next item.
            loop {
                if depth == 0 {
                    return Some(());
                }
                self.whitespace();
                match self.next()? {
                    b',' => {
                        if closers[depth - 1] == b'}' {
                            self.key()?;
                        }
                        break;
                    }
                    byte if byte == closers[depth - 1] => depth -= 1,
                    _ => return None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::value::RawValue;

    /// serde_json's answer: every (key, raw value) of the object, in order, repeats included.
    fn serde_fields(text: &str) -> Option<Vec<(String, String)>> {
        struct Pairs<'a>(Vec<(String, &'a RawValue)>);
        impl<'de> serde::Deserialize<'de> for Pairs<'de> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct PairsVisitor;
                impl<'de> serde::de::Visitor<'de> for PairsVisitor {
                    type Value = Pairs<'de>;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Pairs<'de>, M::Error> {
                        let mut pairs = Vec::new();
                        while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                            pairs.push((k, v));
                        }
                        Ok(Pairs(pairs))
                    }
                }
                d.deserialize_map(PairsVisitor)
            }
        }
        let pairs: Pairs = serde_json::from_str(text).ok()?;
        Some(pairs.0.into_iter().map(|(k, v)| (k, v.get().to_string())).collect())
    }

    fn owned(fields: Vec<(&str, &str)>) -> Vec<(String, String)> {
        fields.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn ordinary_lines_are_read() {
        for text in [
            r#"{"space":"nb101","id":"ab","adjacency":[[0,1],[0,0]],"ops":["input","output"]}"#,
            r#" { "a" : [ 1 , -2.5e-3 , true , false , null , { } , [ ] , { "b" : [ ] } ] } "#,
            "{}",
            "{\"x\":\t0.0E+7\n}\r\n",
            r#"{"a":1,"a":2}"#,
            r#"{"ü":"ö é"}"#,
        ] {
            let ours = top_level_fields(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(Some(owned(ours)), serde_fields(text), "{text:?}");
        }
    }

    #[test]
    fn digit_matrices_read_as_serde_reads_them() {
        for text in ["[[0,1,0],[0,0,1],[0,0,0]]", "[]", "[[],[7]]", "[[9]] rest"] {
            let (rows, used) = digit_matrix(text.as_bytes()).unwrap_or_else(|| panic!("{text}"));
            let theirs: Vec<Vec<u8>> = serde_json::from_str(&text[..used]).unwrap();
            assert_eq!(rows, theirs, "{text}");
            assert!(used == text.len() || text.ends_with(" rest"));
        }
        for text in ["[[0, 1]]", "[[10]]", "[[0,1],]", "[[0,1]", "[[-1]]", "[[1.0]]", "[[true]]", "[0]", "[[0],0]"] {
            assert_eq!(digit_matrix(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn plain_string_arrays_read_as_serde_reads_them() {
        for text in [r#"["input","conv3x3-bn-relu","output"]"#, "[]", r#"[""]"#, r#"["ü é"]"#] {
            let ours = plain_strings(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(ours, serde_json::from_str::<Vec<String>>(text).unwrap(), "{text}");
        }
        for text in
            [r#"["a", "b"]"#, r#"["a\"b"]"#, r#"["a",]"#, r#"["a"] "#, r#"["a",1]"#, "[1]", r#"["a""#, "", "[", "[]x"]
        {
            assert_eq!(plain_strings(text), None, "{text}");
        }
    }

    #[test]
    fn unusual_or_broken_texts_are_left_to_serde() {
        for text in [
            r#"{"a":"x\"y"}"#,
            r#"{"a\n":1}"#,
            "{\"a\":\"tab\there\"}",
            r#"{"a":1,}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":1e}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":1}x"#,
            r#"{"a" 1}"#,
            r#"[1]"#,
            r#"{"a":1"#,
            "",
        ] {
            assert_eq!(top_level_fields(text), None, "{text}");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(top_level_fields(&deep), None);
    }

    /// Arbitrary JSON-ish text built from the grammar's pieces, valid or not.
    fn jsonish() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("0".to_string()),
            Just("-12.5e+3".to_string()),
            Just("01".to_string()),
            Just("1.".to_string()),
            Just("true".to_string()),
            Just("nul".to_string()),
            Just("\"s\"".to_string()),
            Just("\"a\\\"b\"".to_string()),
            Just(" ".to_string()),
            // Runs of one-digit elements (taken two bytes at a time), with the odd element that
            // is not one.
            prop::collection::vec(
                prop_oneof![Just("0"), Just("1"), Just("9"), Just("10"), Just(":"), Just("01")],
                0..12
            )
            .prop_map(|items| format!("[{}]", items.join(","))),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(" , "))),
                prop::collection::vec(("[a-c]{1,2}", inner), 0..4).prop_map(|fields| {
                    let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", body.join(","))
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn whenever_it_answers_it_agrees_with_serde(value in jsonish(), key in "[a-z]{1,3}") {
            let text = format!("{{\"{key}\":{value},\"z\":1}}");
            if let Some(fields) = top_level_fields(&text) {
                prop_assert_eq!(Some(owned(fields)), serde_fields(&text), "{}", text);
            }
            // And serde accepting an escape-free text means the scanner reads it.
            if !text.contains('\\') && serde_json::from_str::<serde_json::Value>(&text).is_ok() {
                prop_assert!(top_level_fields(&text).is_some(), "{}", text);
            }
        }
    }
}
