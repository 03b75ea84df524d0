//! XSIAM's advanced keys: a fresh nonce and timestamp for every attempt,
//! and the signature over them.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Makes a nonce: 64 characters from `[A-Za-z0-9]`.
pub(crate) type NonceSource = Arc<dyn Fn() -> String + Send + Sync>;
/// Milliseconds since the Unix epoch.
pub(crate) type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// Lowercase hex SHA-256 of `key + nonce + timestamp` (a plain
/// concatenation, not an HMAC), as XSIAM's advanced keys require.
pub(crate) fn advanced_signature(key: &SecretString, nonce: &str, timestamp: &str) -> SecretString {
    let mut hash = Sha256::new();
    hash.update(key.expose_secret().as_bytes());
    hash.update(nonce.as_bytes());
    hash.update(timestamp.as_bytes());
    let digest = hash.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    SecretString::from(hex)
}

/// 64 characters from `[A-Za-z0-9]`, from the operating system's CSPRNG
/// (rejection sampling, so every character is equally likely).
pub(crate) fn random_nonce() -> String {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut nonce = String::with_capacity(64);
    let mut pool = [0u8; 96];
    while nonce.len() < 64 {
        if getrandom::fill(&mut pool).is_err() {
            // No randomness from the OS is no reason to send a weak nonce;
            // an empty one makes the server refuse the call instead.
            return String::new();
        }
        for &byte in &pool {
            if byte < 248 && nonce.len() < 64 {
                nonce.push(char::from(ALPHABET[usize::from(byte % 62)]));
            }
        }
    }
    nonce
}

/// The system clock in milliseconds since the Unix epoch.
pub(crate) fn system_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advanced_signature_matches_the_vendor_test_vector() {
        let key = SecretString::from("testApiKey");
        let nonce = "b5834c137a825cc6c80111f237e1c5f8dedeef5df9dcd4c7f1dc73f180c89b47";
        let signature = advanced_signature(&key, nonce, "1584983036945");
        assert_eq!(
            signature.expose_secret(),
            "8eb5e56a1656a35c9d187762d945339455b5382e11d779c458a63c652e1e79e9"
        );
    }

    #[test]
    fn nonces_are_64_alphanumerics_and_differ() {
        let a = random_nonce();
        let b = random_nonce();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
