//! NTLMv2 client messages, built with the mock server's own NTLM primitives.

use ado_mock_server::ntlm::crypto;
use ado_mock_server::ntlm::message::{Authenticate, av_pair, build_authenticate, parse_challenge};

/// NEGOTIATE flags: UNICODE, REQUEST_TARGET, NTLM, ALWAYS_SIGN, ESS.
const FLAGS: u32 = 0x0008_8207;

/// A 32-byte NEGOTIATE (type 1) without domain or workstation.
pub fn negotiate() -> Vec<u8> {
    let mut msg = b"NTLMSSP\0\x01\0\0\0".to_vec();
    msg.extend_from_slice(&FLAGS.to_le_bytes());
    msg.extend_from_slice(&[0; 16]);
    msg
}

/// The AUTHENTICATE (type 3) answering `challenge` for `user`/`domain`/`password`.
pub fn authenticate(challenge: &[u8], user: &str, domain: &str, password: &str) -> Result<Vec<u8>, String> {
    let chal = parse_challenge(challenge).map_err(|e| format!("bad CHALLENGE: {e:?}"))?;
    let mut pairs = Vec::new();
    for pair in av_pair::parse(&chal.target_info) {
        av_pair::push_raw(&mut pairs, pair.id, pair.value);
    }
    av_pair::push_raw(&mut pairs, av_pair::EOL, &[]);
    let mut temp = vec![1, 1, 0, 0, 0, 0, 0, 0];
    temp.extend_from_slice(&[0, 0, 0xdc, 1, 0, 0, 0, 0]);
    temp.extend_from_slice(&[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]);
    temp.extend_from_slice(&[0; 4]);
    temp.extend_from_slice(&pairs);
    temp.extend_from_slice(&[0; 4]);
    let key = crypto::ntowf_v2(&crypto::nt_hash(password), user, domain);
    let proof = crypto::ntlmv2_proof(&key, &chal.server_challenge, &temp);
    let auth = Authenticate {
        flags: chal.flags & !ado_mock_server::ntlm::flags::KEY_EXCH,
        lm_response: vec![0; 24],
        nt_response: [&proof[..], &temp].concat(),
        domain: domain.to_owned(),
        user: user.to_owned(),
        workstation: "FAKECLIENT".to_owned(),
        encrypted_session_key: Vec::new(),
        version: None,
        mic: None,
    };
    Ok(build_authenticate(&auth))
}
