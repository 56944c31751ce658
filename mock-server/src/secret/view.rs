//! A normalised view of a text, in which an interrupted or percent-encoded secret reads as one
//! run of bytes, with a map from the view back to the original text.
//!
//! Clients print secrets in many disguises: split by a line break (base64 wrapped at 76
//! columns), interrupted by ANSI colour codes, percent-encoded in full or in part. The view
//! removes those disguises once, so one Aho-Corasick pass over it finds every form (case and the
//! URL-safe base64 alphabet are handled by the automata themselves); the map turns a match back
//! into the span of the original text to redact.
//!
//! # Implementation notes
//! The view is built from runs of ordinary bytes copied whole (found with `memchr`) and a map of
//! segments, not a per-byte index: the runner scans every client's entire output, a MiB and more
//! per case, and per-byte work would dominate its tests.

/// One stretch of the view: `len` bytes at `view` came from the original at `orig`, each view
/// byte standing for `step` original bytes (1 when copied, 3 for a decoded `%XX`).
#[derive(Clone, Copy, Debug)]
struct Segment {
    view: usize,
    orig: usize,
    len: usize,
    step: usize,
}

/// A view of a text (see the module docs).
pub(super) struct View {
    pub(super) bytes: Vec<u8>,
    segments: Vec<Segment>,
}

impl View {
    /// Builds the view: line breaks (raw, or percent-encoded when decoding) and ANSI escape
    /// sequences dropped, `%XX` decoded when `decode` (a finder scans both ways: a stray `%`
    /// before hex would otherwise eat a digit).
    pub(super) fn new(text: &[u8], decode: bool) -> Self {
        let mut view = View { bytes: Vec::with_capacity(text.len()), segments: Vec::new() };
        let mut specials = Specials::new(text, decode);
        let mut i = 0;
        while i < text.len() {
            let special = specials.next_from(i);
            view.copy(text, i, special);
            i = special;
            if i >= text.len() {
                break;
            }
            i = match text[i] {
                b'\r' | b'\n' => i + 1,
                0x1b => skip_escape(text, i),
                _ => match percent_escape(text, i) {
                    // A line break that arrived percent-encoded (a URL cannot carry a raw one) is
                    // dropped like a raw one.
                    Some((b'\r' | b'\n', len)) => i + len,
                    Some((decoded, len)) => {
                        view.segments.push(Segment { view: view.bytes.len(), orig: i, len: 1, step: len });
                        view.bytes.push(decoded);
                        i + len
                    }
                    None => {
                        view.copy(text, i, i + 1);
                        i + 1
                    }
                },
            };
        }
        view
    }

    fn copy(&mut self, text: &[u8], from: usize, to: usize) {
        let run = &text[from..to];
        if !run.is_empty() {
            self.segments.push(Segment { view: self.bytes.len(), orig: from, len: run.len(), step: 1 });
            self.bytes.extend_from_slice(run);
        }
    }

    /// The original span of the view's bytes `from..to` (`to > from`).
    pub(super) fn span(&self, from: usize, to: usize) -> (usize, usize) {
        (self.original(from), self.original(to - 1) + self.step_at(to - 1))
    }

    fn segment(&self, at: usize) -> &Segment {
        let index = self.segments.partition_point(|s| s.view + s.len <= at);
        &self.segments[index.min(self.segments.len() - 1)]
    }

    /// The original offset of view byte `at` (`at == bytes.len()`: the end of the last segment).
    fn original(&self, at: usize) -> usize {
        let s = self.segment(at);
        // A decoded escape is a segment of one view byte, so an offset inside a segment is
        // always one of copied bytes, one original byte each.
        s.orig + (at - s.view)
    }

    fn step_at(&self, at: usize) -> usize {
        self.segment(at).step
    }
}

/// Finds the bytes the view treats specially, remembering the next `%` and the next break so
/// that each byte of the text is searched once.
struct Specials<'t> {
    text: &'t [u8],
    decode: bool,
    next_break: Option<usize>,
    next_percent: Option<usize>,
}

impl<'t> Specials<'t> {
    fn new(text: &'t [u8], decode: bool) -> Self {
        Self { text, decode, next_break: None, next_percent: None }
    }

    /// The offset of the next special byte at or after `at` (`text.len()` when none).
    ///
    /// Equivalent mutants (cargo-mutants): `n < at` -> `n <= at` (twice) and `self.decode &&`
    /// -> `||` only search again where the remembered offset is still right, or remember one
    /// that is then not used: the result is the same, only the work differs.
    fn next_from(&mut self, at: usize) -> usize {
        let end = self.text.len();
        if self.next_break.is_none_or(|n| n < at) {
            self.next_break = Some(memchr::memchr3(b'\r', b'\n', 0x1b, &self.text[at..]).map_or(end, |n| at + n));
        }
        if self.decode && self.next_percent.is_none_or(|n| n < at) {
            self.next_percent = Some(memchr::memchr(b'%', &self.text[at..]).map_or(end, |n| at + n));
        }
        let percent = if self.decode { self.next_percent.unwrap_or(end) } else { end };
        self.next_break.unwrap_or(end).min(percent)
    }
}

/// The byte a percent escape at `at` stands for and the escape's length: `%6B` is `k` (3 bytes),
/// and an escape encoded again (`%256B`, `%25256B`: a URL built from an already encoded one, or
/// a query value percent-encoded twice) is decoded down to the same `k`.
fn percent_escape(text: &[u8], at: usize) -> Option<(u8, usize)> {
    let mut decoded = hex_pair(text, at + 1)?;
    let mut end = at + 3;
    while decoded == b'%' {
        match hex_pair(text, end) {
            Some(next) => {
                decoded = next;
                end += 2;
            }
            None => break,
        }
    }
    Some((decoded, end - at))
}

fn hex_pair(text: &[u8], at: usize) -> Option<u8> {
    let hi = (*text.get(at)? as char).to_digit(16)?;
    let lo = (*text.get(at + 1)? as char).to_digit(16)?;
    u8::try_from(hi * 16 + lo).ok()
}

/// The index after the escape sequence starting at `at` (ECMA-48: CSI `ESC [ ... final`,
/// OSC `ESC ] ... BEL|ESC \`; otherwise ECMA-35: ESC, intermediate bytes 0x20..=0x2f, one final
/// byte, as in `ESC ( B`, which `tput sgr0` prints before `ESC [ m`).
fn skip_escape(text: &[u8], at: usize) -> usize {
    match text.get(at + 1) {
        Some(b'[') => {
            let mut i = at + 2;
            while i < text.len() && !(0x40..=0x7e).contains(&text[i]) {
                i += 1;
            }
            (i + 1).min(text.len())
        }
        Some(b']') => {
            let mut i = at + 2;
            while i < text.len() {
                if text[i] == 0x07 {
                    return i + 1;
                }
                if text[i] == 0x1b && text.get(i + 1) == Some(&b'\\') {
                    return i + 2;
                }
                i += 1;
            }
            text.len()
        }
        Some(_) => {
            let mut i = at + 1;
            while i < text.len() && (0x20..=0x2f).contains(&text[i]) {
                i += 1;
            }
            (i + 1).min(text.len())
        }
        None => at + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str, decode: bool) -> String {
        String::from_utf8(View::new(text.as_bytes(), decode).bytes).unwrap()
    }

    #[test]
    fn views_drop_breaks_and_colour_and_decode_percent() {
        assert_eq!(shown("Pa\r\nss\x1b[31mW0\x1b[0mrd%21", true), "PassW0rd!");
        assert_eq!(shown("ab-_%2B", true), "ab-_+");
        assert_eq!(shown("\x1b]0;title\x07x%zz%4", true), "x%zz%4");
        assert_eq!(shown("\x1b", true), "");
        assert_eq!(shown("a%41", false), "a%41");
        // Encoded line breaks, once or twice, are dropped like raw ones when decoding.
        assert_eq!(shown("Pa%0D%0Ass%0aW%250Ad", true), "PassWd");
        assert_eq!(shown("Pa%0Ass", false), "Pa%0Ass");
    }

    #[test]
    fn escapes_encoded_again_decode_to_the_same_byte() {
        assert_eq!(shown("%256B%25256B%6B", true), "kkk");
        assert_eq!(shown("100%25 and %25%25", true), "100% and %%");
        let text = "x%25256By";
        let view = View::new(text.as_bytes(), true);
        assert_eq!(view.bytes, b"xky");
        assert_eq!(&text[view.span(1, 2).0..view.span(1, 2).1], "%25256B");
    }

    #[test]
    fn spans_map_back_to_the_original() {
        let text = "a%41\nb%42";
        let view = View::new(text.as_bytes(), true);
        assert_eq!(view.bytes, b"aAbB");
        assert_eq!(view.span(1, 3), (1, 6));
        assert_eq!(view.span(1, 4), (1, 9));
        assert_eq!(view.span(0, 1), (0, 1));
        assert_eq!(&text[view.span(1, 2).0..view.span(1, 2).1], "%41");
    }

    /// ECMA-48 escapes: a CSI runs to its final byte (0x40..=0x7e), an OSC to BEL or ST
    /// (`ESC \\`), any other escape over its intermediate bytes to one final byte (`tput sgr0`
    /// prints `ESC ( B ESC [ m`); an unterminated one runs to the end.
    #[test]
    fn escape_sequences_are_skipped_to_their_end() {
        assert_eq!(shown("a\x1b[1;31;40mb", true), "ab");
        assert_eq!(shown("a\x1b[?25lb", true), "ab");
        assert_eq!(shown("a\x1b[12", true), "a");
        assert_eq!(shown("a\x1b]8;;http://x\x1b\\b\x1b]8;;\x07c", true), "abc");
        assert_eq!(shown("a\x1b]0;never ends", true), "a");
        // Only BEL, or ESC followed by a backslash, ends an OSC: a backslash alone (a Windows path in a
        // title) does not.
        assert_eq!(shown("a\x1b]0;C:\\dir\x07b", true), "ab");
        assert_eq!(shown("a\x1b(Bb", true), "ab");
        assert_eq!(shown("ab\x1b", true), "ab");
        assert_eq!(skip_escape(b"x\x1b[m", 1), 4);
        assert_eq!(skip_escape(b"\x1b]t\x1b\\z", 0), 5);
        assert_eq!(skip_escape(b"\x1b]t\x07z", 0), 4);
        assert_eq!(skip_escape(b"\x1bAz", 0), 2);
        assert_eq!(skip_escape(b"\x1b(Bz", 0), 3);
        assert_eq!(skip_escape(b"\x1b(", 0), 2);
        assert_eq!(skip_escape(b"\x1b", 0), 1);
    }

    /// Breaks and escapes anywhere, many times over: every one is handled once, in order, and
    /// without decoding a `%` stays as written.
    #[test]
    fn many_specials_in_one_text() {
        let text = "%41\r\n%42\n%43\x1b[0m%44 x%45\n";
        assert_eq!(shown(text, true), "ABCD xE");
        assert_eq!(shown(text, false), "%41%42%43%44 x%45");
        let long = "ab\n".repeat(50) + &"%61".repeat(50);
        assert_eq!(shown(&long, true), "ab".repeat(50) + &"a".repeat(50));
    }

    /// `%XX` takes two hex digits of either case; anything else is not an escape.
    #[test]
    fn hex_pairs_of_either_case() {
        assert_eq!(hex_pair(b"%4a", 1), Some(0x4a));
        assert_eq!(hex_pair(b"%4A", 1), Some(0x4a));
        assert_eq!(hex_pair(b"%ff", 1), Some(0xff));
        assert_eq!(hex_pair(b"%4", 1), None);
        assert_eq!(hex_pair(b"%g1", 1), None);
        assert_eq!(percent_escape(b"%41", 0), Some((b'A', 3)));
        assert_eq!(percent_escape(b"%2541", 0), Some((b'A', 5)));
        assert_eq!(percent_escape(b"%25zz", 0), Some((b'%', 3)));
        assert_eq!(percent_escape(b"%4", 0), None);
    }

    /// One past the view's end maps to one past the last segment's original bytes.
    #[test]
    fn the_end_of_the_view_maps_to_the_end_of_its_last_run() {
        let text = "ab%41cd\n";
        let view = View::new(text.as_bytes(), true);
        assert_eq!(view.bytes, b"abAcd");
        assert_eq!(view.original(view.bytes.len()), 7);
        assert_eq!(view.original(2), 2);
        assert_eq!(view.original(3), 5);
    }

    /// Spans across several copied runs and decoded escapes map back exactly.
    #[test]
    fn spans_across_many_segments() {
        let text = "ab\ncd%65f\x1b[0mgh";
        let view = View::new(text.as_bytes(), true);
        assert_eq!(view.bytes, b"abcdefgh");
        for (from, to, original) in [
            (0, 2, "ab"),
            (2, 4, "cd"),
            (1, 3, "b\nc"),
            (4, 5, "%65"),
            (3, 6, "d%65f"),
            (5, 8, "f\x1b[0mgh"),
            (7, 8, "h"),
        ] {
            let (start, end) = view.span(from, to);
            assert_eq!(&text[start..end], original, "view {from}..{to}");
        }
    }
}
