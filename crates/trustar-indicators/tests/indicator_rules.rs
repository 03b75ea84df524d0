//! The indicator rules beyond the labelled sample, one rule at a time.

use trustar_indicators::{IndicatorCount, IndicatorKind, TRUSTAR_INDICATOR_LIMIT, count, extract};

/// `(kind, value)` of every occurrence, in order.
fn found(text: &str) -> Vec<(&'static str, String)> {
    extract(text)
        .into_iter()
        .map(|i| (i.kind.as_str(), i.value))
        .collect()
}

fn one(kind: &'static str, value: &str) -> Vec<(&'static str, String)> {
    vec![(kind, value.to_string())]
}

fn none() -> Vec<(&'static str, String)> {
    Vec::new()
}

#[test]
fn ipv4_boundaries() {
    assert_eq!(found("connect 1.2.3.4:443 now"), one("IP", "1.2.3.4"));
    assert_eq!(found("ended at 1.2.3.4."), one("IP", "1.2.3.4"));
    assert_eq!(
        found("x.1.2.3.4"),
        one("IP", "1.2.3.4"),
        "a dot after a letter does not extend the run"
    );
    assert_eq!(found("[1.2.3.4]"), one("IP", "1.2.3.4"));
    for not in [
        "1.2.3.4.5",
        "v1.2.3.4",
        "1.2.3.4a",
        "01.2.3.4",
        "1.2.3.04",
        "256.1.1.1",
        "1.2.3",
        "1..2.3.4",
    ] {
        assert_eq!(found(not), none(), "{not}");
    }
}

#[test]
fn ipv4_private_ranges_are_not_extracted_but_their_neighbours_are() {
    for private in [
        "0.1.2.3",
        "10.255.0.1",
        "127.0.0.53",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.0.1",
    ] {
        assert_eq!(found(private), none(), "{private}");
    }
    for public in [
        "1.0.0.1",
        "11.0.0.1",
        "126.0.0.1",
        "128.0.0.1",
        "172.15.0.1",
        "172.32.0.1",
        "192.167.0.1",
        "192.169.0.1",
    ] {
        assert_eq!(found(public), one("IP", public), "{public}");
    }
}

#[test]
fn cidr_blocks_any_range_prefix_0_to_32() {
    assert_eq!(found("10.0.0.0/8"), one("CIDR_BLOCK", "10.0.0.0/8"));
    assert_eq!(found("0.0.0.0/0,"), one("CIDR_BLOCK", "0.0.0.0/0"));
    assert_eq!(
        found("203.0.113.7/32."),
        one("CIDR_BLOCK", "203.0.113.7/32")
    );
    // Not reduced to the network address.
    assert_eq!(found("203.0.113.7/24"), one("CIDR_BLOCK", "203.0.113.7/24"));
    // Out of range, or glued to more: the address alone is judged.
    assert_eq!(found("203.0.113.7/33"), one("IP", "203.0.113.7"));
    assert_eq!(found("203.0.113.7/123"), one("IP", "203.0.113.7"));
    assert_eq!(found("10.0.0.7/33"), none());
    assert_eq!(found("203.0.113.7/24abc"), one("IP", "203.0.113.7"));
}

#[test]
fn ipv6_in_any_form_is_canonical() {
    assert_eq!(found("2001:DB8::1"), one("IP", "2001:db8::1"));
    assert_eq!(found("to [2001:db8::1]:443"), one("IP", "2001:db8::1"));
    assert_eq!(
        found("mapped ::ffff:1.2.3.4 here"),
        one("IP", "::ffff:1.2.3.4")
    );
    assert_eq!(found("fe80::1%eth0"), one("IP", "fe80::1"));
    assert_eq!(found("last one 2001:db8::2:."), one("IP", "2001:db8::2"));
    for not in [
        "::",
        "::1",
        "12:30:45",
        "00:1a:2b:3c:4d:5e",
        "a:b",
        "x2001:db8::1",
        "2001:db8::1x",
    ] {
        assert_eq!(found(not), none(), "{not}");
    }
}

#[test]
fn urls_with_a_scheme() {
    assert_eq!(
        found("HTTP://Evil.COM/Path?Q=1"),
        one("URL", "http://evil.com/Path?Q=1")
    );
    assert_eq!(
        found("(see https://x.org/a?b=1)."),
        one("URL", "https://x.org/a?b=1")
    );
    assert_eq!(
        found("<ftp://files.example.net/x>"),
        one("URL", "ftp://files.example.net/x")
    );
    assert_eq!(found("'https://x.org/a'"), one("URL", "https://x.org/a"));
    assert_eq!(
        found("http://x.org/päth next"),
        one("URL", "http://x.org/päth")
    );
    assert_eq!(
        found("http://x.org/a\u{a0}b"),
        one("URL", "http://x.org/a"),
        "Unicode whitespace ends a URL"
    );
    assert_eq!(
        found("http://10.0.0.1/admin"),
        one("URL", "http://10.0.0.1/admin")
    );
    // No host, or no scheme: at most the bare domain that follows.
    assert_eq!(found("http://"), none());
    assert_eq!(found("http:// x.org"), one("URL", "x.org"));
    assert_eq!(found("httpx://x.org"), one("URL", "x.org"));
    assert_eq!(found("xhttp://x"), none());
}

#[test]
fn bare_domains_need_a_real_top_level_domain() {
    assert_eq!(found("visit example.com."), one("URL", "example.com"));
    assert_eq!(found("Evil.COM/Path/x"), one("URL", "evil.com/Path/x"));
    assert_eq!(found("a.b.example.co.uk,"), one("URL", "a.b.example.co.uk"));
    assert_eq!(
        found("xn--80ak6aa92e.com"),
        one("URL", "xn--80ak6aa92e.com")
    );
    assert_eq!(
        found("1.2.3.4.evil.com"),
        one("URL", "1.2.3.4.evil.com"),
        "the longer match wins"
    );
    for not in [
        "report.pdf",
        "e.g. this",
        "i.e. that",
        "v2.0.1",
        "3.14",
        "localhost.localdomain",
        "evil.exe2",
        "com",
        "my_site.local",
    ] {
        assert!(
            found(not).iter().all(|(kind, _)| *kind != "URL"),
            "{not}: {:?}",
            found(not)
        );
    }
}

#[test]
fn names_inside_urls_belong_to_the_url() {
    assert_eq!(found("evil.com/a.exe"), one("URL", "evil.com/a.exe"));
    assert_eq!(
        found("http://x.net/a.exe"),
        one("URL", "http://x.net/a.exe")
    );
    assert_eq!(
        found("https://x.org/d41d8cd98f00b204e9800998ecf8427e"),
        one("URL", "https://x.org/d41d8cd98f00b204e9800998ecf8427e")
    );
    assert_eq!(count("https://1.2.3.4/CVE-2021-44228").total, 1);
}

#[test]
fn emails_take_their_domain() {
    assert_eq!(
        found("First.Last+tag@Example.ORG"),
        one("EMAIL_ADDRESS", "first.last+tag@example.org")
    );
    assert_eq!(
        count("mail a_b%c@mail.evil.ru and visit mail.evil.ru").total,
        2
    );
    assert_eq!(found("user@localhost user@evil"), none());
    assert_eq!(found("@evil.com"), one("URL", "evil.com"));
}

#[test]
fn hashes_are_whole_hex_words() {
    let md5 = "44d88612fea8a8f36de82e1278abb02f";
    assert_eq!(found(&format!("md5:{md5}")), one("MD5", md5));
    assert_eq!(found(&md5.repeat(2)), one("SHA256", &md5.repeat(2)));
    assert_eq!(found(&md5.repeat(4)), none(), "128 digits are none of them");
    assert_eq!(found(&format!("0x{md5}")), none(), "glued to a letter");
    assert_eq!(found(&format!("{md5}_suffix")), one("MD5", md5));
}

#[test]
fn cves_any_case_four_or_more_digits() {
    assert_eq!(found("cve-2021-44228"), one("CVE", "CVE-2021-44228"));
    assert_eq!(found("CVE-2021-123456."), one("CVE", "CVE-2021-123456"));
    for not in [
        "CVE-21-1234",
        "CVE-2021-123",
        "CVE-2021-44228x",
        "xCVE-2021-44228",
        "CVE2021-44228",
    ] {
        assert_eq!(found(not), none(), "{not}");
    }
}

#[test]
fn registry_keys_under_a_known_hive() {
    let key = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\evil";
    assert_eq!(found(key), one("REGISTRY_KEY", key));
    assert_eq!(
        found(r"HKU\S-1-5-21\Software;"),
        one("REGISTRY_KEY", r"HKU\S-1-5-21\Software")
    );
    assert_eq!(
        found(r#"'HKCU\Software\x' and "hkcr\y""#),
        vec![
            ("REGISTRY_KEY", r"HKCU\Software\x".to_string()),
            ("REGISTRY_KEY", r"hkcr\y".to_string()),
        ]
    );
    assert_eq!(
        found(r"HKCU\Software\Evil Corp\x"),
        one("REGISTRY_KEY", r"HKCU\Software\Evil")
    );
    for not in [
        r"HKLM\",
        r"HKLM\ x",
        r"HKLM\.;",
        r"HKXX\Software",
        r"HKLMX\Software",
    ] {
        assert_eq!(found(not), none(), "{not}");
    }
}

#[test]
fn software_file_names() {
    assert_eq!(found("invoice.pdf.exe"), one("SOFTWARE", "invoice.pdf.exe"));
    assert_eq!(found("evil.EXE--"), one("SOFTWARE", "evil.exe"));
    assert_eq!(found("_evil.exe"), one("SOFTWARE", "evil.exe"));
    assert_eq!(found(r"C:\Temp\Evil.Dll"), one("SOFTWARE", "evil.dll"));
    assert_eq!(found("/tmp/run.sh.ps1"), one("SOFTWARE", "run.sh.ps1"));
    for not in [".exe", "archive.tar.gz", "exe", "notes.txt"] {
        assert_eq!(found(not), none(), "{not}");
    }
}

#[test]
fn bitcoin_addresses_are_checksum_valid() {
    assert_eq!(
        found("pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2."),
        one("BITCOIN_ADDRESS", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")
    );
    assert_eq!(
        found("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
        one(
            "BITCOIN_ADDRESS",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
        )
    );
    assert_eq!(found("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"), none());
    assert_eq!(found("x1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"), none());
}

#[test]
fn defanged_forms_count_as_live_ones_with_original_spans() {
    let text = "hxxps[://]evil[.]com/x and 8[.]8[.]8[.]8 and user[at]evil[dot]com and evil{.}com";
    let all = extract(text);
    let values: Vec<_> = all
        .iter()
        .map(|i| (i.kind.as_str(), i.value.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("URL", "https://evil.com/x"),
            ("IP", "8.8.8.8"),
            ("EMAIL_ADDRESS", "user@evil.com"),
            ("URL", "evil.com"),
        ]
    );
    let originals: Vec<_> = all.iter().map(|i| &text[i.span.clone()]).collect();
    assert_eq!(
        originals,
        [
            "hxxps[://]evil[.]com/x",
            "8[.]8[.]8[.]8",
            "user[at]evil[dot]com",
            "evil{.}com"
        ]
    );
    assert_eq!(
        count(text),
        count("https://evil.com/x and 8.8.8.8 and user@evil.com and evil.com")
    );
}

#[test]
fn counts_are_distinct_pairs_and_print_one_line() {
    assert_eq!(count("").to_string(), "0 indicators");
    assert_eq!(count("8.8.8.8").to_string(), "1 indicator: 1 IP");
    let n = count("8.8.8.8 8.8.8.8 evil.com EVIL.COM evil.com/x");
    assert_eq!(n.total, 3);
    assert_eq!(n.to_string(), "3 indicators: 1 IP, 2 URL");
    // The same value as two kinds counts twice.
    assert_eq!(count("evil.com user@evil.com").total, 2);
}

#[test]
fn the_limit_is_trustars_and_exceeds_means_more_than() {
    assert_eq!(TRUSTAR_INDICATOR_LIMIT, 2000);
    let body: String = (0..=2000)
        .map(|i| format!("CVE-2024-{:05} ", 10_000 + i))
        .collect();
    let n = count(&body);
    assert_eq!(n.total, 2001);
    assert!(n.exceeds(TRUSTAR_INDICATOR_LIMIT));
    assert!(!n.exceeds(2001));
    assert_eq!(
        n.by_kind,
        [(IndicatorKind::Cve, 2001)].into_iter().collect()
    );
}

#[test]
fn kinds_use_trustars_names_everywhere() {
    for kind in IndicatorKind::ALL {
        assert_eq!(kind.as_str().parse::<IndicatorKind>().unwrap(), kind);
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        assert_eq!(kind.to_string(), kind.as_str());
    }
    let error = "ip".parse::<IndicatorKind>().unwrap_err().to_string();
    assert!(
        error.contains("\"ip\"") && error.contains("CIDR_BLOCK"),
        "{error}"
    );
    let json = serde_json::to_string(&count("8.8.8.8 evil.com")).unwrap();
    assert_eq!(json, r#"{"total":2,"by_kind":{"IP":1,"URL":1}}"#);
    let back: IndicatorCount = serde_json::from_str(&json).unwrap();
    assert_eq!(back, count("8.8.8.8 evil.com"));
}
