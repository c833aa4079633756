//! The registry against the specification: every tag of Table 288 and every
//! value of §9.1.3.2/§9.1.3.3, and the table's own invariants.

// Tests state their expectations with expect and indexing: a panic is a failure report here.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::collections::HashSet;
use std::path::PathBuf;

use kmip_codec::enums;
use kmip_codec::tags::{Tag, TAGS};

/// Where the specification text is (`KMIP_SPEC` overrides). `None` when it
/// is absent, which is a failure under CI.
fn spec() -> Option<String> {
    let path = std::env::var_os("KMIP_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/kmip-1.4/kmip-spec-v1.4.txt"));
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("{} is absent: registry-vs-specification checks skipped", path.display());
            None
        }
        Err(e) => panic!("CI=true but the specification is unreadable at {}: {e}", path.display()),
    }
}

/// `| Name | 42XXXX |` rows of Table 288, with their values.
fn table_288(spec: &str) -> Vec<(String, u32)> {
    let start = spec.find("| Activation Date | 420001 |").expect("Table 288 start");
    let end = start + spec[start..].find("Table 288: Tag Values").expect("Table 288 end");
    spec[start..end]
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
            let [name, value] = cells.as_slice() else { return None };
            if value.contains('–') || value.contains(" - ") {
                return None; // reserved, unused and extension ranges
            }
            let hex = value.split_whitespace().next()?;
            if hex.len() != 6 {
                return None;
            }
            Some(((*name).to_owned(), u32::from_str_radix(hex, 16).ok()?))
        })
        .collect()
}

#[test]
fn every_tag_of_table_288_is_registered_with_its_spec_name() {
    let Some(spec) = spec() else { return };
    let rows = table_288(&spec);
    assert_eq!(
        rows.len(),
        TAGS.len(),
        "Table 288 and the registry list the same number of tags"
    );
    for (name, value) in rows {
        let info = Tag(value)
            .info()
            .unwrap_or_else(|| panic!("{name} (0x{value:06X}) is not registered"));
        assert_eq!(info.spec_name, name, "spec name of 0x{value:06X}");
    }
}

#[test]
fn every_enumeration_value_of_section_9_1_3_2_is_registered() {
    let Some(spec) = spec() else { return };
    let start = spec.find("Credential Type Enumeration\n").expect("9.1.3.2");
    let end = start + spec[start..].find("\n10 Transport").expect("end of 9.1.3");
    let lines: Vec<&str> = spec[start..end].lines().filter(|l| !l.trim().is_empty()).collect();
    let mut tables = 0;
    let mut values = 0;
    for (i, window) in lines.windows(2).enumerate() {
        if window[1] != "| Name | Value |" {
            continue;
        }
        let title = window[0].trim().trim_matches('|').trim();
        let def = enums::ALL
            .iter()
            .find(|d| d.spec_name == title || title.starts_with(d.spec_name))
            .unwrap_or_else(|| panic!("enumeration \"{title}\" is not registered"));
        tables += 1;
        for row in lines[i + 2..].iter().take_while(|l| l.starts_with('|')) {
            let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
            let [name, value] = cells.as_slice() else { continue };
            let Ok(v) = u32::from_str_radix(value.split_whitespace().next().unwrap_or(""), 16) else {
                continue; // "Extensions | 8XXXXXXX"
            };
            assert_eq!(def.value_of(name), Some(v), "{}: {name}", def.spec_name);
            values += 1;
        }
    }
    assert_eq!(
        tables,
        enums::ALL.len(),
        "every registered enumeration appears in the specification"
    );
    let registered: usize = enums::ALL.iter().map(|d| d.values.len()).sum();
    assert_eq!(
        values, registered,
        "no registered value is missing from the specification"
    );
}

#[test]
fn tags_are_dense_sorted_and_uniquely_named() {
    for (i, info) in TAGS.iter().enumerate() {
        assert_eq!(info.tag.0, 0x42_0001 + i as u32, "{} is out of place", info.name);
        assert_eq!(Tag::from_name(info.name), Some(info.tag));
        assert_eq!(Tag::from_name(info.spec_name), Some(info.tag));
    }
    let names: HashSet<_> = TAGS.iter().map(|i| i.name).collect();
    assert_eq!(names.len(), TAGS.len());
    assert_eq!(Tag(0x42_0000).info().map(|i| i.name), None);
    assert_eq!(Tag(0x42_0125).info().map(|i| i.name), None);
    assert_eq!(format!("{:?}", Tag(0x54_0001)), "Tag(0x540001)");
    assert_eq!(format!("{:?}", Tag::ActivationDate), "ActivationDate");
    assert_eq!(Tag::ActivationDate.to_string(), "Activation Date");
}

#[test]
fn enumeration_values_and_names_are_unique() {
    let mut type_names = HashSet::new();
    for def in enums::ALL {
        assert!(type_names.insert(def.name), "{} declared twice", def.name);
        let values: HashSet<_> = def.values.iter().map(|v| v.value).collect();
        let names: HashSet<_> = def.values.iter().map(|v| v.name).collect();
        assert_eq!(values.len(), def.values.len(), "{}: duplicate value", def.name);
        assert_eq!(names.len(), def.values.len(), "{}: duplicate name", def.name);
    }
    assert_eq!(format!("{:?}", enums::State::PreActive), "State::PreActive");
    assert_eq!(format!("{:?}", enums::State(0x8000_0001)), "State(0x80000001)");
    assert_eq!(
        format!(
            "{:?}",
            enums::CryptographicUsageMask::Encrypt | enums::CryptographicUsageMask::Decrypt
        ),
        "CryptographicUsageMask(Encrypt|Decrypt)"
    );
}

/// Each attribute section of §3 (3.1 to 3.51) by the name the table of
/// contents gives it, with the `| key | value |` rows of its body.
fn attribute_sections(spec: &str) -> Vec<(String, Vec<(String, String)>)> {
    let lines: Vec<&str> = spec.lines().map(str::trim).collect();
    // Table of contents: "3.2 Name. 44"; the body's headings carry no page.
    let toc_name = |k: usize| {
        let prefix = format!("3.{k} ");
        lines.iter().find_map(|l| {
            let rest = l.strip_prefix(&prefix)?;
            let (name, page) = rest.rsplit_once(' ')?;
            page.parse::<u32>().ok()?;
            Some(name.trim_end_matches(['.', ' ']).to_owned())
        })
    };
    let is_heading = |l: &str, k: usize| {
        let n = format!("3.{k}");
        *l == n
            || l.strip_prefix(&format!("{n} "))
                .is_some_and(|rest| rest.rsplit(' ').next().is_some_and(|w| w.parse::<u32>().is_err()))
    };
    let mut starts = Vec::new();
    let mut from = 0;
    for k in 1..=51 {
        let at = from
            + lines[from..]
                .iter()
                .position(|l| is_heading(l, k))
                .expect("section heading");
        starts.push((k, at));
        from = at + 1;
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, &(k, start))| {
            let end = starts.get(i + 1).map_or(start + 60, |s| s.1);
            let rows = lines[start..end]
                .iter()
                .filter_map(|l| {
                    let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
                    match cells.as_slice() {
                        [key, value] if l.starts_with('|') => Some(((*key).to_owned(), (*value).to_owned())),
                        _ => None,
                    }
                })
                .collect();
            (toc_name(k).expect("table of contents entry"), rows)
        })
        .collect()
}

#[test]
fn attribute_rules_follow_each_attributes_table_in_section_3() {
    use kmip_codec::messages::AttributeName;
    let Some(spec) = spec() else { return };
    let tables = attribute_sections(&spec);
    let (mut checked, mut wrong) = (0, Vec::new());
    for (name, rows) in &tables {
        let Some(attribute) = AttributeName::from_name(name) else {
            continue; // Custom Attribute's table
        };
        let row = |key: &str| {
            rows.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("{name}: no '{key}' row"))
        };
        // A permission with a condition ("Yes, as long as Get Usage
        // Allocation has not been performed", "Yes for PGP keys") is the
        // table's choice: refused outright, or allowed for every type.
        let agrees = |ours: bool, key: &str| {
            let theirs = row(key);
            match theirs {
                "Yes" => ours,
                no if no.starts_with("No") => !ours,
                conditional => conditional.starts_with("Yes"),
            }
        };
        let rules = attribute.rules();
        for (ours, key) in [
            (rules.multiple, "Multiple instances permitted"),
            (rules.delete, "Deletable by client"),
            (rules.modify, "Modifiable by client"),
        ] {
            if !agrees(ours, key) {
                wrong.push(format!("{name}: {key} is {:?}, the table says {ours}", row(key)));
            }
        }
        // Who sets it first: an attribute a client may set is one it gives
        // at creation, or (register) only when registering. (Cryptographic
        // Algorithm and Length are "set by the server" from what the
        // client asks for, so create does not imply a client.)
        let by_client = row("Initially set by").contains("Client");
        if (by_client && !rules.create && !rules.register) || (rules.register && (!by_client || rules.create)) {
            wrong.push(format!(
                "{name}: initially set by {:?}, the table has create {} register {}",
                row("Initially set by"),
                rules.create,
                rules.register
            ));
        }
        checked += 1;
    }
    assert!(
        wrong.is_empty(),
        "the attribute table disagrees with §3:\n{}",
        wrong.join("\n")
    );
    assert_eq!(checked, AttributeName::ALL.len(), "every attribute has its rules table");
    for a in AttributeName::ALL {
        assert_eq!(AttributeName::from_name(a.as_str()), Some(*a));
    }
}

/// The version table rests on how Table 288 was grown: the 1.0 tags were
/// assigned in alphabetical order (Password last, added late; Key Role
/// Type was Role Type in 1.0), and every
/// later version appended its tags, so a version is a range of values
/// and the table lists those in value order. Each range starts at a tag
/// the table names.
#[test]
fn each_versions_tags_are_one_range_of_table_288() {
    use kmip_codec::versions::{tag_since, FIRST_TAGS, LATEST_MINOR};
    let Some(spec) = spec() else { return };
    let rows = table_288(&spec);
    let first_later = FIRST_TAGS[0].0;
    let alphabetical: Vec<&str> = rows
        .iter()
        .filter(|(_, v)| *v < 0x42_00A1)
        .map(|(n, _)| if n == "Key Role Type" { "Role Type" } else { n.as_str() })
        .collect();
    let mut sorted = alphabetical.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(alphabetical, sorted, "1.0 tags in alphabetical order");
    let later: Vec<u32> = rows.iter().map(|(_, v)| *v).filter(|v| *v >= first_later).collect();
    assert!(later.windows(2).all(|w| w[0] < w[1]), "later tags in value order");
    let mut minors = vec![];
    for (first, minor) in FIRST_TAGS {
        assert!(rows.iter().any(|(_, v)| *v == first), "0x{first:06X} is a tag");
        assert_eq!(tag_since(Tag(first - 1)), minor - 1, "the range before 0x{first:06X}");
        assert_eq!(tag_since(Tag(first)), minor);
        minors.push(minor);
    }
    assert_eq!(minors, (1..=LATEST_MINOR).collect::<Vec<_>>(), "one range per version");
    assert!(TAGS.iter().all(|t| tag_since(t.tag) <= LATEST_MINOR));
}

/// The OASIS XML spelling of values whose specification names lost their
/// superscripts in the text (GF(2^8) reads "GF (28)").
#[test]
fn polynomial_sharing_methods_have_their_oasis_xml_names() {
    let def = enums::SplitKeyMethod::DEF;
    assert_eq!(def.value_of("PolynomialSharingGF2_8"), Some(4));
    assert_eq!(def.value_of("PolynomialSharingGF2_16"), Some(2));
    assert_eq!(def.name_of(4), Some("PolynomialSharingGF2_8"));
}
