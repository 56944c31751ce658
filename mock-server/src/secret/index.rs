//! The finder's second engine, for profiles with tens of thousands of secrets: a sorted table
//! of every needle's first 8 bytes (its key) behind a Bloom filter, instead of Aho-Corasick
//! automata whose states would grow with the total length of all needles (about 25 needles a
//! secret, 175 MB of needle text and several GB of automaton for 50,000 identities).
//!
//! A scan reads 8 bytes at every position of the view, tests the filter (one or two bits), and
//! only on a hit looks the key up in the table and checks the whole needle, which it rebuilds
//! from the secret (a few encodings, microseconds): a key matches only where text really holds
//! 8 bytes of some needle, which in practice means a leak. Memory is 16 bytes a needle plus the
//! filter; needles shorter than the key stay in small automata.

/// Bytes of a key.
pub(super) const KEY: usize = 8;

/// One needle by its key: which secret, and which of its needles.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u64,
    secret: u32,
    needle: u32,
}

/// The keys of one case mode (ASCII case-insensitive keys are folded to lower case).
#[derive(Debug, Default)]
pub(super) struct KeyTable {
    entries: Vec<Entry>,
    bloom: Vec<u64>,
    folded: bool,
}

impl KeyTable {
    /// A table of `(key bytes, secret, needle)`; `folded` folds ASCII case.
    pub(super) fn new(folded: bool, keys: Vec<([u8; KEY], u32, u32)>) -> Self {
        let mut entries: Vec<Entry> =
            keys.into_iter().map(|(k, secret, needle)| Entry { key: key(&k, folded), secret, needle }).collect();
        entries.sort_unstable_by_key(|e| e.key);
        // About 16 bits a key: a false positive every few thousand positions at most.
        let words = (entries.len() * 16 / 64).next_power_of_two().max(1);
        let mut bloom = vec![0u64; words];
        for e in &entries {
            for bit in bits(e.key, words) {
                bloom[bit / 64] |= 1 << (bit % 64);
            }
        }
        Self { entries, bloom, folded }
    }

    /// The `(secret, needle)` pairs whose key is the 8 bytes at the start of `window`.
    pub(super) fn candidates(&self, window: &[u8]) -> impl Iterator<Item = (u32, u32)> + '_ {
        let found = window.first_chunk::<KEY>().map(|k| key(k, self.folded)).filter(|k| self.may_hold(*k));
        let range = match found {
            Some(k) => {
                let start = self.entries.partition_point(|e| e.key < k);
                let end = start + self.entries[start..].partition_point(|e| e.key == k);
                start..end
            }
            None => 0..0,
        };
        self.entries[range].iter().map(|e| (e.secret, e.needle))
    }

    fn may_hold(&self, key: u64) -> bool {
        !self.entries.is_empty()
            && bits(key, self.bloom.len()).into_iter().all(|b| self.bloom[b / 64] & (1 << (b % 64)) != 0)
    }
}

fn key(bytes: &[u8; KEY], folded: bool) -> u64 {
    let mut k = *bytes;
    if folded {
        k.make_ascii_lowercase();
    }
    u64::from_le_bytes(k)
}

/// Two bit positions of a key in a filter of `words` 64-bit words (a power of two).
fn bits(key: u64, words: usize) -> [usize; 2] {
    let size = (words * 64) as u64;
    let h1 = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let h2 = (key ^ (key >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    [((h1 >> 32) % size) as usize, ((h2 >> 32) % size) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_with_their_case_rule() {
        let table = KeyTable::new(true, vec![(*b"AbCdEfGh", 3, 7), (*b"abcdefgh", 4, 1), (*b"zzzzzzzz", 5, 0)]);
        let found: Vec<(u32, u32)> = table.candidates(b"ABCDEFGHijk").collect();
        assert_eq!(found.len(), 2);
        assert!(found.contains(&(3, 7)) && found.contains(&(4, 1)));
        assert_eq!(table.candidates(b"abcdefg").count(), 0, "shorter than a key");
        assert_eq!(table.candidates(b"qqqqqqqq").count(), 0);
        let exact = KeyTable::new(false, vec![(*b"AbCdEfGh", 3, 7)]);
        assert_eq!(exact.candidates(b"abcdefgh").count(), 0);
        assert_eq!(exact.candidates(b"AbCdEfGh").count(), 1);
        assert_eq!(KeyTable::new(false, Vec::new()).candidates(b"AbCdEfGh").count(), 0);
    }
}
