//! The login page's own APIs, which the spec does not model: `SYNO.API.Encryption` (DSM's
//! encrypted login form) and `SYNO.API.Auth.UIConfig` (the `_SSID` cookie).
//!
//! `getinfo` hands out an RSA public key (`public_key`: the modulus in hex, exponent 65537),
//! the name of the form field that carries encrypted parameters (`cipherkey`), the name of the
//! field inside it that must hold the server's time (`ciphertoken`), and that time
//! (`server_time`). A client (DSM's web UI, N4S4's synology-api `encrypt_params`) then picks a
//! random passphrase (501 characters: the most PKCS#1 v1.5 fits in a 4096-bit key), encrypts
//! the URL-encoded form, `ciphertoken` field included, with AES-256-CBC in OpenSSL's
//! `Salted__` format (CryptoJS's passphrase mode: key and IV from `EVP_BytesToKey` with MD5),
//! the passphrase with RSA PKCS#1 v1.5, and sends one field: `__cIpHeRtExT` =
//! `{"rsa": base64, "aes": base64}`. [`open`] undoes that before any other check, so the
//! encrypted form goes through the very checks a plain one does.
//!
//! This hides a password from a passive eavesdropper on plain HTTP; it authenticates no server
//! (anyone can hand out a public key), so it changes nothing in the client's rule that plain
//! HTTP off loopback needs consent.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

use super::Published;
use super::dispatch::Answer;

/// The form field that carries encrypted parameters (`getinfo`'s `cipherkey`); the request log
/// masks it, as anyone holding the mock's published key could open it.
pub(super) const CIPHER_KEY: &str = "__cIpHeRtExT";

/// The field of the encrypted form that must hold the server's time (`getinfo`'s
/// `ciphertoken`).
const CIPHER_TOKEN: &str = "__cIpHeRtOkEn";

/// How far, in seconds, a ciphertoken may be from the mock's clock, either way: DSM's
/// `CIPHERTOKEN_VALID_DURATION` (360, in a public copy of DSM's `synocgi.h`). Clients send the
/// `server_time` of a `getinfo` answer (N4S4) or the server's time as they estimate it at
/// login (DSM's web UI), so a login a few minutes after `getinfo` still passes.
const TOKEN_VALIDITY: u64 = 360;

const ENCRYPTION: &str = "SYNO.API.Encryption";
const UI_CONFIG: &str = "SYNO.API.Auth.UIConfig";

/// The CGI file every DSM answers `SYNO.API.Encryption` at, whatever API.Info says: DSM 7 lists
/// it at `entry.cgi`, but clients (N4S4's) call `encryption.cgi` on every version.
const ENCRYPTION_CGI: &str = "encryption.cgi";

/// The mock's RSA key (4096 bits, e = 65537, PKCS#8), made once with `openssl genrsa 4096`.
/// A test double's key, published with the source: it protects nothing and must never serve
/// anything but the mock. Embedded because generating a 4096-bit key takes seconds even in an
/// optimised build.
const TEST_KEY_PEM: &str = include_str!("test_key.pem");

/// The parsed key, once per process (`None` only if the embedded PEM were broken).
fn key() -> Option<&'static rsa::PrivateKey> {
    static KEY: OnceLock<Option<rsa::PrivateKey>> = OnceLock::new();
    KEY.get_or_init(|| rsa::PrivateKey::from_pkcs8_pem(TEST_KEY_PEM).ok())
        .as_ref()
}

/// Seconds since the Unix epoch.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Answers the login page's APIs: `SYNO.API.Encryption` `getinfo` (at its published path or
/// `encryption.cgi`) and `SYNO.API.Auth.UIConfig` `get` (at its published path, or with the
/// API's name as an extra segment, `entry.cgi/SYNO.API.Auth.UIConfig`, where clients post it);
/// DSM's 102, 103 or 104 for a wrong path, method or version; `None` for any other API.
pub(super) fn login_page(
    published: &Published,
    cgi: &str,
    api: &str,
    method: &str,
    version: &str,
) -> Option<Answer> {
    let at = match api {
        ENCRYPTION => cgi == published.path || cgi == ENCRYPTION_CGI,
        UI_CONFIG => {
            let extra = cgi
                .strip_prefix(published.path.as_str())
                .and_then(|rest| rest.strip_prefix('/'));
            cgi == published.path || extra == Some(UI_CONFIG)
        }
        _ => return None,
    };
    if !at {
        return Some(Answer::error(102));
    }
    let offered = version
        .parse::<u32>()
        .is_ok_and(|v| (published.min_version..=published.max_version).contains(&v));
    if !offered {
        return Some(Answer::error(104));
    }
    Some(match (api, method) {
        (ENCRYPTION, "getinfo") => match getinfo() {
            Some(data) => Answer::data(Some(data)),
            None => Answer::error(100),
        },
        (UI_CONFIG, "get") => ui_config(),
        _ => Answer::error(103),
    })
}

/// `getinfo`'s `data`, as DSM sends it (the modulus in upper-case hex, like OpenSSL's
/// `BN_bn2hex`).
fn getinfo() -> Option<Value> {
    let modulus: String = key()?
        .n_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    Some(json!({
        "cipherkey": CIPHER_KEY,
        "ciphertoken": CIPHER_TOKEN,
        "public_key": modulus,
        "server_time": now(),
    }))
}

/// `SYNO.API.Auth.UIConfig` `get`: DSM 7 answers the login page's plug-in descriptions (a list
/// of `{cssPath, jsPath, texts, version}`, from the Secure SignIn package); the mock has none.
/// The `_SSID` cookie is the server's static X25519 public key for the Noise IK handshake some
/// clients start with `ik_message` (N4S4's); any 32 random bytes are a valid X25519 public
/// key, base64url without padding (43 characters). The mock never finishes that handshake:
/// logins with or without `ik_message` are checked the same way.
fn ui_config() -> Answer {
    let Ok(ssid) = <[u8; 32] as rsa::Generate>::try_generate() else {
        return Answer::error(100);
    };
    let mut answer = Answer::data(Some(json!([])));
    answer.set_cookie = Some(format!("_SSID={}; path=/", URL_SAFE_NO_PAD.encode(ssid)));
    answer
}

/// Why an encrypted form was refused. The client only ever learns the DSM code.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refused {
    /// Not `{"rsa": base64, "aes": base64}`, or it does not decrypt.
    Garbled,
    /// The ciphertoken field is missing, not a number, or too far from the mock's clock.
    Token,
}

impl Refused {
    /// The DSM code to answer: real DSM's is not documented anywhere we found, so a login
    /// gets its "no such account or incorrect password" (400), any other API "invalid
    /// parameter" (120).
    pub(super) fn code(&self, api: &str) -> i64 {
        if api == "SYNO.API.Auth" { 400 } else { 120 }
    }
}

/// `params` with the encrypted form opened: its fields replace those sent in the clear, the
/// cipher field and the ciphertoken are dropped. Without a cipher field, `params` unchanged.
pub(super) fn open(
    mut params: BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Refused> {
    let Some(sealed) = params.remove(CIPHER_KEY) else {
        return Ok(params);
    };
    let form = decrypt(&sealed).ok_or(Refused::Garbled)?;
    let mut opened: BTreeMap<String, String> = form_urlencoded::parse(&form).into_owned().collect();
    let token = opened.remove(CIPHER_TOKEN).ok_or(Refused::Token)?;
    let fresh = token
        .parse::<u64>()
        .is_ok_and(|t| t.abs_diff(now()) <= TOKEN_VALIDITY);
    if !fresh {
        return Err(Refused::Token);
    }
    opened.remove(CIPHER_KEY);
    params.extend(opened);
    Ok(params)
}

/// The form inside `sealed`, `{"rsa": base64, "aes": base64}`: RSA PKCS#1 v1.5 gives the
/// passphrase, which opens the AES part.
fn decrypt(sealed: &str) -> Option<Vec<u8>> {
    #[derive(serde::Deserialize)]
    struct Sealed {
        rsa: String,
        aes: String,
    }
    let sealed: Sealed = serde_json::from_str(sealed).ok()?;
    let key = key()?;
    let size = key.size();
    // At most `size` bytes in base64, checked before decoding anything.
    if sealed.rsa.len() > size.div_ceil(3) * 4 {
        return None;
    }
    let encrypted = STANDARD.decode(sealed.rsa).ok()?;
    // Clients that print the ciphertext as a number (DSM's web UI, jsbn) drop leading zero
    // bytes; PKCS#1 wants exactly the modulus's length.
    let padding = size.checked_sub(encrypted.len())?;
    let mut block = vec![0; padding];
    block.extend(encrypted);
    // Implicit rejection: a tampered block gives a wrong passphrase, not an error, and the AES
    // part then fails to decrypt.
    let passphrase = key.pkcs1v15_decrypt(&block).ok()?;
    openssl_decrypt(&passphrase, &STANDARD.decode(sealed.aes).ok()?)
}

/// Decrypts what `openssl enc -aes-256-cbc -md md5 -k <passphrase>` (and CryptoJS's
/// `AES.encrypt(text, passphrase)`) write: `Salted__`, an 8-byte salt, then the ciphertext.
fn openssl_decrypt(passphrase: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let rest = data.strip_prefix(b"Salted__")?;
    let (salt, ciphertext) = rest.split_at_checked(8)?;
    let (key, iv) = evp_bytes_to_key(passphrase, salt);
    cbc::Decryptor::<aes::Aes256>::new(&key.into(), &iv.into())
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .ok()
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration, for AES-256-CBC: a 32-byte key and a
/// 16-byte IV from `D_i = MD5(D_{i-1} || passphrase || salt)`.
fn evp_bytes_to_key(passphrase: &[u8], salt: &[u8]) -> ([u8; 32], [u8; 16]) {
    let mut derived = [0u8; 48];
    let mut previous: Option<[u8; 16]> = None;
    for chunk in derived.chunks_mut(16) {
        let mut md5 = Md5::new();
        if let Some(d) = previous {
            md5.update(d);
        }
        md5.update(passphrase);
        md5.update(salt);
        let d: [u8; 16] = md5.finalize().into();
        chunk.copy_from_slice(&d);
        previous = Some(d);
    }
    let mut key = [0u8; 32];
    let mut iv = [0u8; 16];
    key.copy_from_slice(&derived[..32]);
    iv.copy_from_slice(&derived[32..]);
    (key, iv)
}

#[cfg(test)]
mod tests {
    //! Against OpenSSL itself: the vectors were made with OpenSSL 3.0's `openssl enc`.

    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect()
    }

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // openssl enc -aes-256-cbc -k synology-demo -S 0123456789abcdef -P -md md5
        let salt = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
        let (key, iv) = evp_bytes_to_key(b"synology-demo", &salt);
        assert_eq!(
            hex(&key),
            "C51DB40A1D16318F63C48C8BC76A414AF30ADE10E1C7ACDB07209D2DD63EEF2A"
        );
        assert_eq!(hex(&iv), "7C26BE953B59BE2B01B73F372175EAE8");
    }

    #[test]
    fn what_openssl_enc_wrote_decrypts() {
        // printf '%s' "$PLAIN" | openssl enc -aes-256-cbc -k 'p@ss~phrase/+' -md md5 -base64 -A
        let written = "U2FsdGVkX1/rVCaDbPRz+7padwAgK69WYljIvKn8INygu0mylZWWbFGvpOs0OlvF/RewNnmbDNLIJGY1OUZ4Qmn4XdHbvCo+vtxTG21iVZw=";
        let data = STANDARD.decode(written).unwrap();
        let plain = openssl_decrypt(b"p@ss~phrase/+", &data).unwrap();
        assert_eq!(
            plain,
            b"account=demo&passwd=synology-demo&__cIpHeRtOkEn=1700000000"
        );
        // A wrong passphrase or a cut ciphertext is refused (PKCS#7 padding), never a panic.
        assert_eq!(openssl_decrypt(b"p@ss~phrase/-", &data), None);
        for cut in [0, 8, 15, 16, 17, 20, data.len() - 1] {
            assert_eq!(
                openssl_decrypt(b"p@ss~phrase/+", &data[..cut]),
                None,
                "{cut}"
            );
        }
    }

    #[test]
    fn the_embedded_key_is_4096_bits_with_exponent_65537() {
        let key = key().expect("the embedded PEM parses");
        assert_eq!(key.size(), 512);
        assert_eq!(&*key.e_bytes(), [1, 0, 1]);
        let info = getinfo().unwrap();
        assert_eq!(info["public_key"].as_str().unwrap().len(), 1024);
    }

    #[test]
    fn garbled_forms_are_refused_without_a_panic() {
        let open_with = |sealed: &str| {
            let params = BTreeMap::from([(CIPHER_KEY.to_owned(), sealed.to_owned())]);
            open(params)
        };
        let big = "A".repeat(1 << 20);
        let rsa_block = STANDARD.encode([7u8; 512]);
        for sealed in [
            String::new(),
            "not json".to_owned(),
            "[]".to_owned(),
            json!({"rsa": "", "aes": ""}).to_string(),
            json!({"rsa": "!!", "aes": "!!"}).to_string(),
            json!({"rsa": big, "aes": "U2FsdGVkX18="}).to_string(),
            json!({"rsa": STANDARD.encode([7u8; 513]), "aes": ""}).to_string(),
            json!({"rsa": rsa_block, "aes": big}).to_string(),
            json!({"rsa": rsa_block, "aes": "U2FsdGVkX18="}).to_string(),
            json!({"rsa": rsa_block, "aes": STANDARD.encode([0u8; 64])}).to_string(),
        ] {
            assert_eq!(open_with(&sealed), Err(Refused::Garbled), "{sealed:.80}");
        }
        // No cipher field: the parameters pass unchanged.
        let plain = BTreeMap::from([("passwd".to_owned(), "x".to_owned())]);
        assert_eq!(open(plain.clone()), Ok(plain));
    }
}
