//! [`IndicatorKind`]: TruSTAR's twelve indicator types.

use std::fmt;
use std::str::FromStr;

/// The kind of an indicator, named as TruSTAR names it.
///
/// ```
/// use trustar_indicators::IndicatorKind;
///
/// assert_eq!(IndicatorKind::CidrBlock.as_str(), "CIDR_BLOCK");
/// assert_eq!("EMAIL_ADDRESS".parse::<IndicatorKind>().unwrap(), IndicatorKind::EmailAddress);
/// # #[cfg(feature = "serde")]
/// assert_eq!(serde_json::to_string(&IndicatorKind::Sha256).unwrap(), r#""SHA256""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum IndicatorKind {
    /// `IP`: a public IPv4 address, or an IPv6 address.
    Ip,
    /// `CIDR_BLOCK`: an IPv4 range, `a.b.c.d/N`.
    CidrBlock,
    /// `URL`: a URL with a scheme, or a bare domain (with an optional path).
    Url,
    /// `EMAIL_ADDRESS`.
    EmailAddress,
    /// `MD5`: 32 hex digits.
    Md5,
    /// `SHA1`: 40 hex digits.
    Sha1,
    /// `SHA256`: 64 hex digits.
    Sha256,
    /// `SOFTWARE`: an executable or script file name.
    Software,
    /// `REGISTRY_KEY`: a Windows registry key under a known hive.
    RegistryKey,
    /// `CVE`: a vulnerability id.
    Cve,
    /// `BITCOIN_ADDRESS`: a checksum-valid bitcoin address.
    BitcoinAddress,
    /// `MALWARE`: a malware family name. TruSTAR matches these against a
    /// dictionary that is not public, so this crate never finds one.
    Malware,
}

impl IndicatorKind {
    /// Every kind, in the order breakdowns list them.
    pub const ALL: [IndicatorKind; 12] = [
        IndicatorKind::Ip,
        IndicatorKind::CidrBlock,
        IndicatorKind::Url,
        IndicatorKind::EmailAddress,
        IndicatorKind::Md5,
        IndicatorKind::Sha1,
        IndicatorKind::Sha256,
        IndicatorKind::Software,
        IndicatorKind::RegistryKey,
        IndicatorKind::Cve,
        IndicatorKind::BitcoinAddress,
        IndicatorKind::Malware,
    ];

    /// TruSTAR's name: `"IP"`, `"CIDR_BLOCK"`, `"URL"`, …
    pub const fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Ip => "IP",
            IndicatorKind::CidrBlock => "CIDR_BLOCK",
            IndicatorKind::Url => "URL",
            IndicatorKind::EmailAddress => "EMAIL_ADDRESS",
            IndicatorKind::Md5 => "MD5",
            IndicatorKind::Sha1 => "SHA1",
            IndicatorKind::Sha256 => "SHA256",
            IndicatorKind::Software => "SOFTWARE",
            IndicatorKind::RegistryKey => "REGISTRY_KEY",
            IndicatorKind::Cve => "CVE",
            IndicatorKind::BitcoinAddress => "BITCOIN_ADDRESS",
            IndicatorKind::Malware => "MALWARE",
        }
    }
}

impl fmt::Display for IndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of TruSTAR's indicator types.
///
/// ```
/// let error = "DOMAIN".parse::<trustar_indicators::IndicatorKind>().unwrap_err();
/// assert!(error.to_string().starts_with("unknown indicator kind \"DOMAIN\": expected one of IP,"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownIndicatorKind(String);

impl fmt::Display for UnknownIndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown indicator kind {:?}: expected one of ", self.0)?;
        for (i, kind) in IndicatorKind::ALL.iter().enumerate() {
            f.write_str(if i == 0 { "" } else { ", " })?;
            f.write_str(kind.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownIndicatorKind {}

impl FromStr for IndicatorKind {
    type Err = UnknownIndicatorKind;

    /// TruSTAR's names, exactly.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IndicatorKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownIndicatorKind(s.chars().take(200).collect()))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for IndicatorKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for IndicatorKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
