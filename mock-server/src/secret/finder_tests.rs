use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use data_encoding::{BASE32, HEXLOWER, HEXUPPER};

use super::*;

const PAT: &str = "x3gjqdssmc3vjuzitux42uuq6jrtvph5xvmnm2hxfmqjmdyconkq";
const PASSWORD: &str = "Passw0rd!";

fn finder() -> SecretFinder {
    SecretFinder::new(vec![
        SecretSpec { kind: SecretKind::Pat, owner: "full".into(), value: PAT.into(), users: vec!["joseph".into()] },
        SecretSpec {
            kind: SecretKind::Password,
            owner: "CONTOSO\\joseph".into(),
            value: PASSWORD.into(),
            users: vec!["joseph".into(), "CONTOSO\\joseph".into(), "joseph@contoso.local".into()],
        },
    ])
}

fn percent_all(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Every disguise of both secrets the finder must see, with the form it must report.
fn disguises() -> Vec<(String, &'static str, Form)> {
    let nt = crate::ntlm::crypto::nt_hash(PASSWORD);
    let split = format!("{}\r\n{}", &PAT[..20], &PAT[20..]);
    let coloured = format!("{}\x1b[1;31m{}\x1b[0m{}", &PAT[..10], &PAT[10..30], &PAT[30..]);
    vec![
        (PAT.to_owned(), "full", Form::Raw),
        (PAT.to_ascii_uppercase(), "full", Form::Raw),
        (split, "full", Form::Raw),
        (format!("?t={}%0D%0A{}", &PAT[..20], &PAT[20..]), "full", Form::PercentEncoded),
        (coloured, "full", Form::Raw),
        (format!("?token={}", percent_all(PAT)), "full", Form::PercentEncoded),
        (format!("?d={}", percent_all(PAT).replace('%', "%25")), "full", Form::PercentEncoded),
        (format!("?d={}", percent_all(PAT).replace('%', "%2525")), "full", Form::PercentEncoded),
        (format!("?q={}", STANDARD.encode(format!(":{PAT}")).replace('=', "%253D")), "full", Form::Base64),
        (PASSWORD.to_owned(), "pw", Form::Raw),
        (PASSWORD.to_ascii_lowercase(), "pw", Form::Raw),
        ("pw=Passw0rd%21".to_owned(), "pw", Form::PercentEncoded),
        ("pw=%50assw0rd!".to_owned(), "pw", Form::PercentEncoded),
        (STANDARD.encode(format!(":{PAT}")), "full", Form::Base64),
        (STANDARD.encode(PAT), "full", Form::Base64),
        (STANDARD.encode(format!("PAT:{PAT}")), "full", Form::Base64),
        (STANDARD.encode(format!("VstsAgent:{PAT}\n")), "full", Form::Base64),
        (URL_SAFE_NO_PAD.encode(format!("any one:{PAT}")), "full", Form::Base64),
        (STANDARD.encode(format!("CONTOSO\\joseph:{PASSWORD}")), "pw", Form::Base64),
        (STANDARD.encode(format!("joseph@contoso.local:{PASSWORD}")), "pw", Form::Base64),
        (STANDARD.encode(format!(":{PASSWORD}")), "pw", Form::Base64),
        (STANDARD.encode(PASSWORD), "pw", Form::Base64),
        (HEXLOWER.encode(PAT.as_bytes()), "full", Form::Hex),
        (HEXUPPER.encode(PASSWORD.as_bytes()), "pw", Form::Hex),
        (BASE32.encode(PAT.as_bytes()), "full", Form::Base32),
        (BASE32.encode(format!("xy{PAT}").as_bytes()).to_ascii_lowercase(), "full", Form::Base32),
        (HEXUPPER.encode(&nt), "pw", Form::NtHash),
        (HEXLOWER.encode(&nt), "pw", Form::NtHash),
        (STANDARD.encode(nt), "pw", Form::NtHash),
    ]
}

#[test]
fn every_disguise_is_found_with_its_form_and_redacted() {
    let f = finder();
    for (text, who, form) in disguises() {
        let shown = format!("before {text} after");
        let leaks = f.leaks(&shown);
        let kind = if who == "full" { SecretKind::Pat } else { SecretKind::Password };
        assert!(leaks.iter().any(|l| l.kind == kind && l.form == form), "{text:?}: {leaks:?}");
        let (clean, found) = f.redact(&shown);
        assert_eq!(found, leaks, "{text:?}");
        assert!(clean.starts_with("before ") && clean.ends_with(" after"), "{clean:?}");
        assert!(f.leaks(&clean).is_empty(), "{text:?} left {clean:?}");
        assert!(!clean.contains(&text), "{clean:?}");
    }
}

#[test]
fn one_label_format_whatever_the_form() {
    let f = finder();
    let text = format!("a {PAT} b {} c {}", STANDARD.encode(format!(":{PAT}")), percent_all(PASSWORD));
    let (clean, _) = f.redact(&text);
    assert_eq!(clean, "a <redacted pat full> b <redacted pat full> c <redacted password of CONTOSO\\joseph>");
    assert_eq!(f.redact("nothing here"), ("nothing here".to_owned(), vec![]));
}

#[test]
fn leaks_describe_the_secret_and_form() {
    let f = finder();
    let text = format!("{} {PAT}", STANDARD.encode(format!(":{PAT}")));
    let described: Vec<String> = f.leaks(&text).iter().map(Leak::describe).collect();
    assert_eq!(described, ["the PAT `full`", "base64 of the PAT `full`"]);
}

fn short(value: &str) -> SecretFinder {
    SecretFinder::new(vec![SecretSpec {
        kind: SecretKind::Password,
        owner: "CONTOSO\\amy".into(),
        value: value.into(),
        users: vec!["amy".into()],
    }])
}

#[test]
fn secrets_of_four_characters_and_more_are_redacted_and_three_are_not() {
    assert_eq!(short("abc").redact("x abc y").0, "x abc y");
    assert!(short("abc").is_empty());
    assert_eq!(short("w0rd").redact("x w0rd y").0, "x <redacted password of CONTOSO\\amy> y");
    assert_eq!(short("w0rd5").redact("x w0rd5 y").0, "x <redacted password of CONTOSO\\amy> y");
    let basic = STANDARD.encode("amy:w0rd");
    assert_eq!(short("w0rd").redact(&basic).0, "<redacted password of CONTOSO\\amy>");
}

#[test]
fn short_secrets_keep_their_case_so_words_are_not_redacted() {
    let f = short("Pass");
    assert_eq!(f.redact("the password field").0, "the password field");
    assert_eq!(f.redact("Pass").0, "<redacted password of CONTOSO\\amy>");
}

#[test]
fn redaction_keeps_multibyte_text_valid() {
    let f = finder();
    let text = format!("é{PAT}é ünïcode");
    assert_eq!(f.redact(&text).0, "é<redacted pat full>é ünïcode");
}

#[test]
fn a_stream_is_scanned_whole_and_across_chunk_boundaries() {
    let f = Arc::new(finder());
    let mut scanner = LeakScanner::new(Arc::clone(&f));
    let filler = vec![b'.'; 1024 * 1024 + 17];
    scanner.feed(&filler);
    let header = format!("Authorization: Basic {}\n", STANDARD.encode(format!(":{PAT}")));
    let (first, second) = header.as_bytes().split_at(30);
    scanner.feed(first);
    scanner.feed(second);
    let leaks = scanner.leaks();
    assert_eq!(leaks.len(), 1, "{leaks:?}");
    assert_eq!(leaks[0].describe(), "base64 of the PAT `full`");
}

proptest::proptest! {
    #[test]
    fn redaction_is_total_and_leaves_no_leak(
        before in "[ -~\\n]{0,40}",
        after in "[ -~\\n]{0,40}",
        which in 0usize..25,
    ) {
        let f = finder();
        let (text, _, _) = &disguises()[which];
        let (clean, leaks) = f.redact(&format!("{before}{text}{after}"));
        proptest::prop_assert!(!leaks.is_empty());
        proptest::prop_assert!(f.leaks(&clean).is_empty(), "{}", clean);
        proptest::prop_assert_eq!(f.redact(&clean).0, clean.clone());
    }
}

/// The key table (used from `INDEX_FROM_SECRETS` secrets on) finds every disguise the automata
/// find, with the same forms and the same redaction.
#[test]
fn the_key_table_finds_every_disguise_the_automata_find() {
    let specs = || {
        let mut specs = vec![
            SecretSpec { kind: SecretKind::Pat, owner: "full".into(), value: PAT.into(), users: vec!["joseph".into()] },
            SecretSpec {
                kind: SecretKind::Password,
                owner: "CONTOSO\\joseph".into(),
                value: PASSWORD.into(),
                users: vec!["joseph".into(), "CONTOSO\\joseph".into(), "joseph@contoso.local".into()],
            },
        ];
        // Short secrets keep to the automata; their neighbours go through the table.
        specs.push(SecretSpec { kind: SecretKind::Other, owner: "pin".into(), value: "Zq7#".into(), users: vec![] });
        specs
    };
    let automata = SecretFinder::new(specs());
    let table = SecretFinder::indexed(specs());
    assert!(automata.index.is_none() && table.index.is_some());
    let mut all = disguises();
    all.push(("pin Zq7# end".to_owned(), "pin", Form::Raw));
    for (text, who, form) in all {
        let shown = format!("before {text} after");
        let leaks = table.leaks(&shown);
        assert!(
            leaks.iter().any(|l| l.form == form && (who != "pin" || l.owner == "pin")),
            "{who} {text:?}: {leaks:?}"
        );
        let expected: Vec<(SecretKind, Form)> = automata.leaks(&shown).iter().map(|l| (l.kind, l.form)).collect();
        for l in &expected {
            assert!(leaks.iter().any(|m| (m.kind, m.form) == *l), "{text:?}: the table misses {l:?} in {leaks:?}");
        }
        let (clean, _) = table.redact(&shown);
        assert_eq!(clean, automata.redact(&shown).0, "{text:?}");
        assert!(table.leaks(&clean).is_empty(), "{text:?} left {clean:?}");
    }
    assert!(table.leaks("nothing to see here, not even a key's worth").is_empty());
}

#[test]
fn a_large_finder_uses_the_key_table() {
    let specs: Vec<SecretSpec> = (0..INDEX_FROM_SECRETS)
        .map(|i| SecretSpec {
            kind: SecretKind::Password,
            owner: format!("CONTOSO\\user{i}"),
            value: format!("Pw-{i:05}-long-enough"),
            users: vec![format!("user{i}")],
        })
        .collect();
    let f = SecretFinder::new(specs);
    assert!(f.index.is_some());
    let text = format!("x {} y", STANDARD.encode("user1999:Pw-01999-long-enough"));
    assert_eq!(f.redact(&text).0, "x <redacted password of CONTOSO\\user1999> y");
    assert_eq!(f.leaks("Pw-00007-LONG-ENOUGH")[0].owner, "CONTOSO\\user7");
}

/// The key table holds every needle of a key's length or more: only shorter ones stay in the
/// automata (else a large finder would build automata as big as without the table).
#[test]
fn an_indexed_finder_keeps_needles_of_a_key_or_more_out_of_the_automata() {
    let specs = || {
        vec![
            SecretSpec { kind: SecretKind::Pat, owner: "full".into(), value: PAT.into(), users: vec!["joseph".into()] },
            SecretSpec { kind: SecretKind::Other, owner: "pin".into(), value: "Zq7#".into(), users: vec![] },
        ]
    };
    let mut short = std::collections::HashSet::new();
    for spec in specs() {
        short.extend(
            needles(&spec).into_iter().filter(|(_, text, _)| text.len() < KEY).map(|(c, t, _)| (c == Case::Exact, t)),
        );
    }
    let table = SecretFinder::indexed(specs());
    let in_automata: usize = table.scans.iter().map(|s| s.needles.len()).sum();
    assert_eq!(in_automata, short.len());
    let plain = SecretFinder::new(specs());
    assert!(plain.scans.iter().map(|s| s.needles.len()).sum::<usize>() > in_automata);
}

/// A text exactly one key long is searched; a shorter one is skipped without a fault.
#[test]
fn the_key_table_searches_a_text_of_exactly_one_key() {
    let f = SecretFinder::indexed(vec![SecretSpec {
        kind: SecretKind::Other,
        owner: "key".into(),
        value: "Zq7#Pw9!".into(),
        users: vec![],
    }]);
    assert_eq!("Zq7#Pw9!".len(), KEY);
    assert_eq!(f.leaks("Zq7#Pw9!").len(), 1);
    assert!(f.leaks("Zq7#Pw9").is_empty());
    assert!(f.leaks("").is_empty());
}

/// Base64 padding after a secret is part of it, written `=` or, in a URL, `%3D`.
#[test]
fn base64_padding_is_redacted_with_the_secret_in_both_spellings() {
    let f = finder();
    let encoded = STANDARD.encode(PAT);
    assert!(encoded.ends_with("=="));
    assert_eq!(f.redact(&format!("t={encoded}&x=1")).0, "t=<redacted pat full>&x=1");
    let in_url = encoded.replace('=', "%3D");
    assert_eq!(f.redact(&format!("?t={in_url}&x=1")).0, "?t=<redacted pat full>&x=1");
    assert_eq!(f.redact(&format!("?t={}&x=1", encoded.replace('=', "%3d"))).0, "?t=<redacted pat full>&x=1");
}

/// The widening that keeps a redaction on character boundaries (the finder's needles are ASCII
/// or whole characters, so its spans already are: this pins the safety net itself).
#[test]
fn spans_widen_to_character_boundaries() {
    let text = "aé€b";
    assert_eq!(char_bounds(text, 0, 1), (0, 1));
    assert_eq!(char_bounds(text, 2, 2), (1, 3));
    assert_eq!(char_bounds(text, 4, 5), (3, 6));
    assert_eq!(char_bounds(text, 1, 7), (1, 7));
}

/// An empty needle would match everywhere: the automata never get one, and a needle met twice
/// is kept once.
#[test]
fn the_automata_drop_empty_and_repeated_needles() {
    let needle = |secret| Needle { secret, form: Form::Raw };
    let scan =
        scan(Case::Exact, vec![(Vec::new(), needle(0)), (b"abcd".to_vec(), needle(1)), (b"abcd".to_vec(), needle(2))]);
    assert_eq!(scan.needles.len(), 1);
    assert_eq!(scan.needles[0].secret, 1);
}

/// A codec's fragments are the groups wholly inside the secret, and none shorter than
/// `MIN_FRAGMENT` characters.
#[test]
fn fragments_are_whole_groups_of_at_least_the_minimum_length() {
    let encode = |b: &[u8]| STANDARD_NO_PAD.encode(b);
    // 9 bytes: alignment 0 gives 3 groups (12 characters), 1 and 2 give 2 groups (8).
    let all = fragments(b"abcdefghi", 3, encode, 4);
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], STANDARD_NO_PAD.encode(b"abcdefghi"));
    assert!(all.iter().all(|f| f.len() >= MIN_FRAGMENT));
    // 5 bytes: one whole group at most (4 characters), too short to be told from chance.
    assert!(fragments(b"abcde", 3, encode, 4).is_empty());
}

/// The debug form names the owners, never a secret.
#[test]
fn the_debug_form_names_owners_and_hides_values() {
    let shown = format!("{:?}", finder());
    assert!(shown.starts_with("SecretFinder") && shown.contains("CONTOSO"), "{shown}");
    assert!(!shown.contains(PAT) && !shown.contains(PASSWORD), "{shown}");
}

/// The scanner keeps no more than its overlap of what it has seen, and nothing at all when there
/// is nothing to look for.
#[test]
fn a_scanner_keeps_only_its_overlap() {
    let mut scanner = LeakScanner::new(Arc::new(finder()));
    scanner.feed(&vec![b'.'; 100_000]);
    assert_eq!(scanner.tail.len(), scanner.overlap());
    scanner.feed(b"abc");
    assert_eq!(scanner.tail.len(), scanner.overlap());
    assert!(scanner.tail.ends_with(b"...abc"));
    let mut idle = LeakScanner::new(Arc::new(SecretFinder::default()));
    idle.feed(&vec![b'.'; 100_000]);
    assert!(idle.tail.is_empty() && idle.leaks().is_empty());
}

/// A long secret (a private key, a job token) widens the overlap to four times its longest form, so
/// that, percent-encoded and cut by a chunk boundary, it is still seen.
#[test]
fn a_long_secret_widens_the_overlap_and_is_seen_across_chunks() {
    let long: String = (0..2000).map(|i| char::from(b'a' + (i * 7 % 26) as u8)).collect();
    let f = Arc::new(SecretFinder::new(vec![SecretSpec {
        kind: SecretKind::Other,
        owner: "key".into(),
        value: long.clone(),
        users: vec![],
    }]));
    let mut scanner = LeakScanner::new(Arc::clone(&f));
    // The longest needle is the hex form, twice the secret's length.
    assert_eq!(scanner.overlap(), 4 * 2 * long.len());
    let encoded = percent_all(&long);
    let (first, second) = encoded.as_bytes().split_at(4000);
    scanner.feed(&vec![b'.'; 10_000]);
    scanner.feed(first);
    scanner.feed(b"");
    scanner.feed(second);
    assert_eq!(scanner.leaks().len(), 1, "{:?}", scanner.leaks());
}
