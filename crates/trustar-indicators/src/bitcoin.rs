//! `BITCOIN_ADDRESS`: Base58Check (P2PKH `1…`, P2SH `3…`) and segwit
//! (`bc1…`, BIP 173 bech32 for version 0, BIP 350 bech32m for 1–16).

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::scanner::{Found, Scanner, lowercase};
use crate::IndicatorKind;

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2bc8_30a3;

impl<'t> Scanner<'t> {
    /// A whole word that is a Base58Check address with version 0x00 or 0x05.
    pub(super) fn base58_address(&self, start: usize, end: usize) -> Option<Found<'t>> {
        base58check_ok(&self.bytes[start..end]).then(|| Found {
            kind: IndicatorKind::BitcoinAddress,
            start,
            end,
            value: Cow::Borrowed(self.slice(start, end)),
        })
    }

    /// A whole word that is a valid mainnet segwit address, in either case.
    pub(super) fn segwit_address(&self, start: usize, end: usize) -> Option<Found<'t>> {
        segwit_ok(&self.bytes[start..end]).then(|| Found {
            kind: IndicatorKind::BitcoinAddress,
            start,
            end,
            value: lowercase(self.slice(start, end)),
        })
    }
}

/// 26–35 Base58 characters decoding to version (0x00 or 0x05), a 20-byte
/// hash and a 4-byte checksum (the first bytes of SHA-256 twice).
pub(super) fn base58check_ok(text: &[u8]) -> bool {
    if !(26..=35).contains(&text.len()) {
        return false;
    }
    let mut decoded = [0u8; 25];
    for &c in text {
        let Some(digit) = BASE58.iter().position(|&b| b == c) else {
            return false;
        };
        let mut carry = digit as u32;
        for byte in decoded.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = carry as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return false;
        }
    }
    // Each leading `1` stands for one leading zero byte, and only those do.
    let ones = text.iter().take_while(|&&c| c == b'1').count();
    let zeros = decoded.iter().take_while(|&&b| b == 0).count();
    if ones != zeros {
        return false;
    }
    if !matches!(decoded[0], 0x00 | 0x05) {
        return false;
    }
    let checksum = Sha256::digest(Sha256::digest(&decoded[..21]));
    checksum[..4] == decoded[21..]
}

/// `bc1` + data in the bech32 alphabet, one case, with a valid checksum
/// (bech32 for witness version 0, bech32m for 1–16) and a program of the
/// right length.
pub(super) fn segwit_ok(text: &[u8]) -> bool {
    if !(14..=90).contains(&text.len()) {
        return false;
    }
    let has_lower = text.iter().any(u8::is_ascii_lowercase);
    let has_upper = text.iter().any(u8::is_ascii_uppercase);
    if has_lower && has_upper {
        return false;
    }
    if !text[..3].eq_ignore_ascii_case(b"bc1") {
        return false;
    }
    let mut values = Vec::with_capacity(text.len() - 3);
    for &c in &text[3..] {
        match BECH32.iter().position(|&b| b == c.to_ascii_lowercase()) {
            Some(v) => values.push(v as u8),
            None => return false,
        }
    }
    if values.len() < 7 {
        return false;
    }
    let mut checked = vec![3, 3, 0, 2, 3]; // "bc" expanded for the checksum
    checked.extend_from_slice(&values);
    let constant = polymod(&checked);
    let version = values[0];
    let expected = match version {
        0 => BECH32_CONST,
        1..=16 => BECH32M_CONST,
        _ => return false,
    };
    if constant != expected {
        return false;
    }
    let Some(program) = regroup(&values[1..values.len() - 6]) else {
        return false;
    };
    match version {
        0 => matches!(program.len(), 20 | 32),
        _ => (2..=40).contains(&program.len()),
    }
}

fn polymod(values: &[u8]) -> u32 {
    const GENERATOR: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut checksum: u32 = 1;
    for &v in values {
        let top = checksum >> 25;
        checksum = ((checksum & 0x01ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GENERATOR.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                checksum ^= g;
            }
        }
    }
    checksum
}

/// 5-bit groups to bytes, refusing non-zero or over-long padding.
fn regroup(values: &[u8]) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(values.len() * 5 / 8);
    let mut accumulator: u32 = 0;
    let mut bits = 0;
    for &v in values {
        accumulator = (accumulator << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((accumulator >> bits) as u8);
        }
    }
    if bits >= 5 || (accumulator << (8 - bits)) & 0xff != 0 {
        return None;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58check_addresses() {
        assert!(base58check_ok(b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"));
        assert!(base58check_ok(b"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(base58check_ok(b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(
            !base58check_ok(b"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"),
            "bad checksum"
        );
        assert!(
            !base58check_ok(b"1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a"),
            "not base58"
        );
        assert!(!base58check_ok(b"11111111111111111111111111"), "all ones");
    }

    #[test]
    fn segwit_addresses_from_bip_173_and_350() {
        for valid in [
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
            "BC1SW50QGDZ25J",
            "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
        ] {
            assert!(segwit_ok(valid.as_bytes()), "{valid}");
        }
        for invalid in [
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", // checksum
            "bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", // mixed case
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", // v1 with bech32
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", // checksum
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", // testnet
        ] {
            assert!(!segwit_ok(invalid.as_bytes()), "{invalid}");
        }
    }
}
