//! Shared test helpers and captured messages (test builds only).

use base64::Engine as _;

/// Decodes standard base64; panics on bad test data.
pub(crate) fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).expect("test data is valid base64")
}

/// Decodes hex, ignoring whitespace; panics on bad test data.
pub(crate) fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).expect("ascii");
            u8::from_str_radix(s, 16).expect("test data is valid hex")
        })
        .collect()
}

/// Lower-case hex of bytes.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// MS-NLMP 4.2.4.3 CHALLENGE_MESSAGE.
pub(crate) const MS_CHALLENGE_V2: &str = "
4e544c4d53535000020000000c000c00380000003382 8ae2 0123456789abcdef
0000000000000000240024004400000006007017000000 0f 530065007200760065007200
02000c0044006f006d00610069006e0001000c00530065007200760065007200 00000000";

/// MS-NLMP 4.2.4.3 AUTHENTICATE_MESSAGE (no MIC, 72-byte header).
pub(crate) const MS_AUTH_V2: &str = "
4e544c4d535350000300000018001800 6c00000054005400840000000c000c00
48000000080008005400000010001000 5c00000010001000d8000000358288e2
0501280a0000000f44006f006d006100 69006e00550073006500720043004f00
4d0050005500540045005200 86c35097 ac9cec102554764a57cccc19aaaaaaaa
aaaaaaaa68cd0ab851e51c96aabc927b ebef6a1c010100000000000000000000
00000000aaaaaaaaaaaaaaaa00000000 02000c0044006f006d00610069006e00
01000c00530065007200760065007200 0000000000000000c5dad2544fc97990
94ce1ce90bc9d03e";

/// curl test67 CHALLENGE (OEM, no ESS).
pub(crate) const CURL67_CHALLENGE: &str = "TlRMTVNTUAACAAAAAgACADAAAACGggEAc51AYVDgyNcAAAAAAAAAAG4AbgAyAAAAQ0MCAAQAQwBDAAEAEgBFAEwASQBTAEEAQgBFAFQASAAEABgAYwBjAC4AaQBjAGUAZABlAHYALgBuAHUAAwAsAGUAbABpAHMAYQBiAGUAdABoAC4AYwBjAC4AaQBjAGUAZABlAHYALgBuAHUAAAAAAA==";

/// curl test67 AUTHENTICATE (NTLMv1, testuser/testpass).
pub(crate) const CURL67_AUTH: &str = "TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAAAAABwAAAACAAIAHAAAAALAAsAeAAAAAAAAAAAAAAAhoIBAFpkQwKRCZFMhjj0tw47wEjKHRHlvzfxQamFcheMuv8v+xeqphEO5V41xRd7R9deOXRlc3R1c2VyV09SS1NUQVRJT04=";

/// typed-rest-client CHALLENGE ("SrvNonce").
pub(crate) const TRC_CHALLENGE: &str = "TlRMTVNTUAACAAAAAAAAACgAAAABggAAU3J2Tm9uY2UAAAAAAAAAAA==";

/// typed-rest-client AUTHENTICATE (NTLMv1, Zaphod/Beeblebrox).
pub(crate) const TRC_AUTH: &str = "TlRMTVNTUAADAAAAGAAYAHIAAAAYABgAigAAABQAFABAAAAADAAMAFQAAAASABIAYAAAAAAAAACiAAAAAYIAAFUAUgBTAEEALQBNAEkATgBPAFIAWgBhAHAAaABvAGQATABJAEcASABUAEMASQBUAFkArYfKbe/jRoW5xDxHeoxC1gBmfWiS5+iX4OAN4xBKG/IFPwfH3agtPEia6YnhsADT";

/// pyspnego NEGOTIATE of the MIC vector (facts 3.6).
pub(crate) const PYSPNEGO_NEGOTIATE: &str = "TlRMTVNTUAABAAAAN4II4gAAAAAoAAAAAAAAACgAAAAADAAAAAAADw==";

/// pyspnego CHALLENGE of the MIC vector.
pub(crate) const PYSPNEGO_CHALLENGE: &str = "TlRMTVNTUAACAAAACAAIADgAAAA1goniESIzRFVmd4gAAAAAAAAAAIoAigBAAAAACgBjRQAAAA9DAE8AUgBQAAIACABDAE8AUgBQAAEACgBUAEYAUwAwADEABAAYAGMAbwByAHAALgBlAHgAYQBtAHAAbABlAAMAJAB0AGYAcwAwADEALgBjAG8AcgBwAC4AZQB4AGEAbQBwAGwAZQAFABgAYwBvAHIAcAAuAGUAeABhAG0AcABsAGUABwAIAAAAAAAAANwBAAAAAA==";

/// pyspnego AUTHENTICATE with a MIC (CORP\alice, "S3cret!").
pub(crate) const PYSPNEGO_AUTH: &str = "TlRMTVNTUAADAAAAGAAYAFgAAAD0APQAcAAAAAgACABkAQAACgAKAGwBAAAQABAAdgEAABAAEACGAQAANYKJ4gAMAAAAAAAPPhcrEsk4CE8FL+9BC/hYzQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAMJEAj4uH9LRPgVOutwQ8ycBAQAAAAAAAAAAAAAAANwBFqK4gb/rikUAAAAAAgAIAEMATwBSAFAAAQAKAFQARgBTADAAMQAEABgAYwBvAHIAcAAuAGUAeABhAG0AcABsAGUAAwAkAHQAZgBzADAAMQAuAGMAbwByAHAALgBlAHgAYQBtAHAAbABlAAUAGABjAG8AcgBwAC4AZQB4AGEAbQBwAGwAZQAHAAgAAAAAAAAA3AEJAC4AaAB0AHQAcAAvAHQAZgBzADAAMQAuAGMAbwByAHAALgBlAHgAYQBtAHAAbABlAAYABAACAAAAAAAAAAAAAABDAE8AUgBQAGEAbABpAGMAZQBDAEwASQBFAE4AVABQAEMAHjvNrOYoVl+emkmi7aCAfQ==";

/// A password lookup holding a fixed table of (user, domain, password).
pub(crate) fn accounts(
    table: &'static [(&'static str, &'static str, &'static str)],
) -> impl Fn(&str, &str) -> Option<String> {
    move |user, domain| {
        table
            .iter()
            .find(|(u, d, _)| u.eq_ignore_ascii_case(user) && d.eq_ignore_ascii_case(domain))
            .map(|(_, _, p)| (*p).to_owned())
    }
}

/// A scripted NTLMv2 client, Windows-style when `key_exch_and_mic` is set
/// (KEY_EXCH + SIGN + SEAL, MsvAvFlags MIC bit, a MIC in the AUTHENTICATE).
pub(crate) struct TestClient {
    /// User name to send.
    pub user: &'static str,
    /// Domain to send.
    pub domain: &'static str,
    /// Password to hash.
    pub password: &'static str,
    /// Whether to exchange a session key and send a MIC.
    pub key_exch_and_mic: bool,
    /// MsvAvChannelBindings to put in the blob (Extended Protection), if any.
    pub channel_bindings: Option<[u8; 16]>,
}

/// NEGOTIATE flags of a Windows client that signs and seals.
pub(crate) const WINDOWS_FLAGS: u32 = 0xe208_8237;

impl TestClient {
    /// CONTOSO\\bob with password "hunter2".
    pub(crate) fn bob(key_exch_and_mic: bool) -> Self {
        Self { user: "bob", domain: "CONTOSO", password: "hunter2", key_exch_and_mic, channel_bindings: None }
    }

    /// The NEGOTIATE this client sends (pyspnego's 40-byte layout).
    pub(crate) fn negotiate(&self) -> Vec<u8> {
        let flags = if self.key_exch_and_mic { WINDOWS_FLAGS } else { 0x0008_8207 };
        let mut msg = b"NTLMSSP\0\x01\0\0\0".to_vec();
        msg.extend_from_slice(&flags.to_le_bytes());
        msg.extend_from_slice(&[0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0]);
        msg.extend_from_slice(&[10, 0, 0x61, 0x4a, 0, 0, 0, 15]);
        msg
    }

    /// Answers `challenge`; returns the AUTHENTICATE and the ExportedSessionKey.
    pub(crate) fn authenticate(&self, negotiate: &[u8], challenge: &[u8]) -> (Vec<u8>, [u8; 16]) {
        use super::crypto;
        use super::message::{Authenticate, av_pair, build_authenticate, parse_challenge};
        let chal = parse_challenge(challenge).expect("server CHALLENGE parses");
        let mut pairs = Vec::new();
        for pair in av_pair::parse(&chal.target_info) {
            av_pair::push_raw(&mut pairs, pair.id, pair.value);
        }
        if self.key_exch_and_mic {
            av_pair::push_raw(&mut pairs, av_pair::FLAGS, &2u32.to_le_bytes());
        }
        if let Some(bindings) = self.channel_bindings {
            av_pair::push_raw(&mut pairs, av_pair::CHANNEL_BINDINGS, &bindings);
        }
        av_pair::push_raw(&mut pairs, av_pair::EOL, &[]);
        let temp = [&hex("0101000000000000 0000dc0100000000 1122334455667788 00000000")[..], &pairs, &[0; 4]].concat();
        let key = crypto::ntowf_v2(&crypto::nt_hash(self.password), self.user, self.domain);
        let proof = crypto::ntlmv2_proof(&key, &chal.server_challenge, &temp);
        let base = crypto::session_base_key_v2(&key, &proof);
        let (flags, esk, ersk) = if self.key_exch_and_mic {
            let exported = [0x42; 16];
            (chal.flags, exported, crypto::rc4(&base, &exported))
        } else {
            (chal.flags & !super::flags::KEY_EXCH, base, Vec::new())
        };
        let auth = Authenticate {
            flags,
            lm_response: vec![0; 24],
            nt_response: [&proof[..], &temp].concat(),
            domain: self.domain.to_owned(),
            user: self.user.to_owned(),
            workstation: "CLIENTPC".to_owned(),
            encrypted_session_key: ersk,
            version: Some([10, 0, 0x61, 0x4a, 0, 0, 0, 15]),
            mic: self.key_exch_and_mic.then_some([0; 16]),
        };
        let mut raw = build_authenticate(&auth);
        if self.key_exch_and_mic {
            let mic = crypto::hmac_md5(&esk, &[negotiate, challenge, &raw]);
            raw[72..88].copy_from_slice(&mic);
        }
        (raw, esk)
    }
}

impl TestClient {
    /// The AUTHENTICATE flags this client ends up with for NEGOTIATE flags `negotiated`.
    pub(crate) fn flags_after(negotiated: u32) -> u32 {
        super::message::choose_flags(negotiated)
    }
}
