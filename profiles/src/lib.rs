//! The KMIP 1.4 profiles as data: one TOML file per profile in this
//! directory, naming its required operations, objects and attributes and
//! its OASIS test-case files. The server's Query (Profile Information) and
//! the conformance runner both read them from here, so they agree.

use kmip_codec::enums::{ObjectType, Operation, ProfileName};
use serde::Deserialize;

/// The profile files, embedded at build time.
const FILES: &[(&str, &str)] = &[
    ("baseline.toml", include_str!("../baseline.toml")),
    (
        "symmetric-key-lifecycle.toml",
        include_str!("../symmetric-key-lifecycle.toml"),
    ),
    (
        "asymmetric-key-lifecycle.toml",
        include_str!("../asymmetric-key-lifecycle.toml"),
    ),
    ("basic-cryptographic.toml", include_str!("../basic-cryptographic.toml")),
    (
        "advanced-cryptographic.toml",
        include_str!("../advanced-cryptographic.toml"),
    ),
    ("rng-cryptographic.toml", include_str!("../rng-cryptographic.toml")),
    (
        "symmetric-key-foundry.toml",
        include_str!("../symmetric-key-foundry.toml"),
    ),
    (
        "opaque-managed-object-store.toml",
        include_str!("../opaque-managed-object-store.toml"),
    ),
    (
        "storage-array-self-encrypting-drive.toml",
        include_str!("../storage-array-self-encrypting-drive.toml"),
    ),
    ("tape-library.toml", include_str!("../tape-library.toml")),
    ("suite-b.toml", include_str!("../suite-b.toml")),
    ("message-encodings.toml", include_str!("../message-encodings.toml")),
    ("aes-xts.toml", include_str!("../aes-xts.toml")),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    name: String,
    prefix: String,
    profile_names: Vec<String>,
    operations: Vec<String>,
    objects: Vec<String>,
    attributes: Vec<String>,
    test_cases: Vec<String>,
    #[serde(default = "ttlv")]
    encodings: Vec<String>,
}

fn ttlv() -> Vec<String> {
    vec![TTLV.to_owned()]
}

/// The message encoding every profile but Message Encodings uses.
pub const TTLV: &str = "TTLV";

/// One profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// Human name.
    pub name: String,
    /// The test-case file-name prefix (`SKLC`), empty for Baseline.
    pub prefix: String,
    /// The Profile Name values a server claiming it reports in Query.
    pub profile_names: Vec<ProfileName>,
    /// Required operations.
    pub operations: Vec<Operation>,
    /// Required object types.
    pub objects: Vec<ObjectType>,
    /// Attribute names its test cases use.
    pub attributes: Vec<String>,
    /// Its OASIS test cases, relative to the test-case directory.
    pub test_cases: Vec<String>,
    /// The message encodings a server must offer (`TTLV`, `HTTPS`, `JSON`, `XML`).
    pub encodings: Vec<String>,
}

fn values<T>(
    file: &str,
    def: &kmip_codec::enums::EnumDef,
    names: &[String],
    make: fn(u32) -> T,
) -> Result<Vec<T>, String> {
    names
        .iter()
        .map(|n| {
            def.value_of(n)
                .map(make)
                .ok_or_else(|| format!("{file}: \"{n}\" is not a {}", def.spec_name))
        })
        .collect()
}

fn parse(file: &str, text: &str) -> Result<Profile, String> {
    let raw: Raw = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    Ok(Profile {
        profile_names: values(file, ProfileName::DEF, &raw.profile_names, ProfileName)?,
        operations: values(file, Operation::DEF, &raw.operations, Operation)?,
        objects: values(file, ObjectType::DEF, &raw.objects, ObjectType)?,
        name: raw.name,
        prefix: raw.prefix,
        attributes: raw.attributes,
        test_cases: raw.test_cases,
        encodings: raw.encodings,
    })
}

/// Every profile, Baseline first.
pub fn all() -> Result<Vec<Profile>, String> {
    FILES.iter().map(|(file, text)| parse(file, text)).collect()
}

/// The profile a test-case file belongs to, by its name's prefix
/// (`SKLC-M-1-14.xml` → Symmetric Key Lifecycle, `SUITEB_128-...` → Suite B).
pub fn for_test_case<'p>(profiles: &'p [Profile], file_name: &str) -> Option<&'p Profile> {
    profiles
        .iter()
        .filter(|p| !p.prefix.is_empty())
        .filter(|p| {
            file_name
                .strip_prefix(p.prefix.as_str())
                .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('_'))
        })
        .max_by_key(|p| p.prefix.len())
}

/// The profiles a server fully supports, given what it implements.
pub fn supported<'p>(
    profiles: &'p [Profile],
    operations: &[Operation],
    objects: &[ObjectType],
    encodings: &[&str],
) -> Vec<&'p Profile> {
    profiles
        .iter()
        .filter(|p| {
            p.operations.iter().all(|o| operations.contains(o))
                && p.objects.iter().all(|o| objects.contains(o))
                && p.encodings.iter().all(|e| encodings.contains(&e.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_parses_and_names_real_attributes() {
        let profiles = all().expect("valid profiles");
        assert_eq!(profiles.len(), 13);
        for p in &profiles {
            for a in &p.attributes {
                assert!(
                    kmip_codec::messages::AttributeName::from_name(a).is_some() || a.starts_with("x-"),
                    "{}: unknown attribute {a}",
                    p.name
                );
            }
        }
    }

    #[test]
    fn test_cases_map_to_their_profile_by_prefix() {
        let profiles = all().expect("valid");
        for p in profiles.iter().filter(|p| !p.prefix.is_empty()) {
            for case in &p.test_cases {
                let file = case.rsplit('/').next().unwrap_or(case);
                assert_eq!(for_test_case(&profiles, file).map(|q| &q.name), Some(&p.name), "{case}");
            }
        }
        assert_eq!(
            for_test_case(&profiles, "CS-AC-M-OAEP-1-14.xml").map(|p| p.prefix.as_str()),
            Some("CS-AC")
        );
        assert_eq!(
            for_test_case(&profiles, "SUITEB_192-M-1-14.xml").map(|p| p.prefix.as_str()),
            Some("SUITEB")
        );
        assert!(for_test_case(&profiles, "UNKNOWN-1.xml").is_none());
    }

    #[test]
    fn every_oasis_test_case_belongs_to_exactly_one_profile() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/kmip-1.4/test-cases");
        let dir = std::env::var_os("KMIP_TEST_CASES")
            .map(std::path::PathBuf::from)
            .unwrap_or(dir);
        if !dir.is_dir() {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI=true but {} is absent",
                dir.display()
            );
            eprintln!("{} is absent: profile file lists not checked", dir.display());
            return;
        }
        let profiles = all().expect("valid");
        let listed: Vec<&String> = profiles.iter().flat_map(|p| &p.test_cases).collect();
        let mut on_disk = Vec::new();
        for sub in ["mandatory", "optional"] {
            for e in std::fs::read_dir(dir.join(sub)).expect("readable") {
                let name = e.expect("entry").file_name().to_string_lossy().into_owned();
                on_disk.push(format!("{sub}/{name}"));
            }
        }
        for f in &on_disk {
            assert_eq!(
                listed.iter().filter(|l| **l == f).count(),
                1,
                "{f} must be in exactly one profile"
            );
        }
        assert_eq!(
            listed.len(),
            on_disk.len(),
            "no profile lists a file that does not exist"
        );
    }
}
