//! Who may do what: every authorisation decision of the server is here.
//!
//! The model is the HashiCorp Vault KMIP secrets engine's:
//!
//! - A **scope** partitions the object store. Every object belongs to the
//!   scope of the credential that created or registered it, and every
//!   lookup is confined to the caller's scope (in the SQL itself, see
//!   `store::objects`), so an object of another scope answers Item Not
//!   Found, exactly like a missing one.
//! - A **role** within a scope is a set of permitted operations, named
//!   `operation_` plus the KMIP operation in snake case (`operation_create`,
//!   `operation_get`, ...), or `operation_all` / `operation_none`.
//! - A **credential** is a client certificate issued by the internal CA,
//!   bound to one scope and role; the TLS layer maps its serial to an
//!   [`Identity`] (see `auth`).
//!
//! A request's operation runs only with an [`Authorized`] token, which only
//! [`authorize`] makes: a handler cannot be reached without the check.

use std::fmt;

use kmip_codec::enums::Operation;

/// A scope name: 1–64 characters of letters, digits, `-`, `_` and `.`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope(String);

/// A role name, with the same rules as a scope name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleName(String);

fn valid_name(kind: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid {kind} name \"{name}\": use 1-64 letters, digits, '-', '_' or '.' (not starting with '.')"
        ))
    }
}

impl Scope {
    /// Validates a scope name.
    pub fn new(name: &str) -> Result<Scope, String> {
        valid_name("scope", name).map(|()| Scope(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl RoleName {
    /// Validates a role name.
    pub fn new(name: &str) -> Result<RoleName, String> {
        valid_name("role", name).map(|()| RoleName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every permission name and the operation it allows, in the order the
/// Vault KMIP engine lists them.
pub const PERMISSIONS: &[(&str, Operation)] = &[
    ("operation_activate", Operation::Activate),
    ("operation_add_attribute", Operation::AddAttribute),
    ("operation_archive", Operation::Archive),
    ("operation_cancel", Operation::Cancel),
    ("operation_certify", Operation::Certify),
    ("operation_check", Operation::Check),
    ("operation_create", Operation::Create),
    ("operation_create_keypair", Operation::CreateKeyPair),
    ("operation_create_split_key", Operation::CreateSplitKey),
    ("operation_decrypt", Operation::Decrypt),
    ("operation_delete_attribute", Operation::DeleteAttribute),
    ("operation_derive_key", Operation::DeriveKey),
    ("operation_destroy", Operation::Destroy),
    ("operation_discover_versions", Operation::DiscoverVersions),
    ("operation_encrypt", Operation::Encrypt),
    ("operation_export", Operation::Export),
    ("operation_get", Operation::Get),
    ("operation_get_attribute_list", Operation::GetAttributeList),
    ("operation_get_attributes", Operation::GetAttributes),
    ("operation_get_usage_allocation", Operation::GetUsageAllocation),
    ("operation_hash", Operation::Hash),
    ("operation_import", Operation::Import),
    ("operation_join_split_key", Operation::JoinSplitKey),
    ("operation_locate", Operation::Locate),
    ("operation_mac", Operation::MAC),
    ("operation_mac_verify", Operation::MACVerify),
    ("operation_modify_attribute", Operation::ModifyAttribute),
    ("operation_obtain_lease", Operation::ObtainLease),
    ("operation_poll", Operation::Poll),
    ("operation_query", Operation::Query),
    ("operation_recertify", Operation::ReCertify),
    ("operation_recover", Operation::Recover),
    ("operation_register", Operation::Register),
    ("operation_rekey", Operation::ReKey),
    ("operation_rekey_keypair", Operation::ReKeyKeyPair),
    ("operation_revoke", Operation::Revoke),
    ("operation_rng_retrieve", Operation::RNGRetrieve),
    ("operation_rng_seed", Operation::RNGSeed),
    ("operation_sign", Operation::Sign),
    ("operation_signature_verify", Operation::SignatureVerify),
    ("operation_validate", Operation::Validate),
];

/// Permits every operation.
pub const ALL: &str = "operation_all";
/// Permits nothing.
pub const NONE: &str = "operation_none";

/// A set of permitted operations: one bit per row of [`PERMISSIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct OperationSet(u64);

impl OperationSet {
    /// Every operation.
    pub const fn all() -> Self {
        const { assert!(PERMISSIONS.len() < 64, "an OperationSet is a u64 bit set") };
        #[allow(clippy::arithmetic_side_effects)] // fewer than 64 bits: asserted above
        OperationSet((1u64 << PERMISSIONS.len()) - 1)
    }

    /// Parses a comma-separated list of permission names. An unknown name
    /// is an error that lists the valid ones.
    pub fn parse(list: &str) -> Result<OperationSet, String> {
        let mut set = OperationSet::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                ALL => set = OperationSet::all(),
                NONE => {}
                _ => {
                    let index = PERMISSIONS.iter().position(|(n, _)| *n == name).ok_or_else(|| {
                        let valid: Vec<&str> = PERMISSIONS.iter().map(|(n, _)| *n).chain([ALL, NONE]).collect();
                        format!("unknown operation \"{name}\"; valid names are: {}", valid.join(", "))
                    })?;
                    set.0 |= 1 << index;
                }
            }
        }
        Ok(set)
    }

    /// Whether `op` is permitted.
    pub fn allows(self, op: Operation) -> bool {
        PERMISSIONS
            .iter()
            .position(|(_, o)| *o == op)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }

    /// The permission names in the set (`operation_all` when complete).
    pub fn names(self) -> Vec<&'static str> {
        if self == OperationSet::all() {
            return vec![ALL];
        }
        let names: Vec<&str> = PERMISSIONS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, (n, _))| *n)
            .collect();
        if names.is_empty() {
            vec![NONE]
        } else {
            names
        }
    }
}

/// Who is calling: established once per connection from the client
/// certificate, and re-checked before every request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The certificate serial, lower-case hex.
    pub serial: String,
    /// The certificate subject.
    pub subject: String,
    /// The credential's scope.
    pub scope: Scope,
    /// The credential's role.
    pub role: RoleName,
    /// What the role permits.
    pub operations: OperationSet,
}

/// Proof that an identity may run an operation; only [`authorize`] makes one.
#[derive(Debug)]
pub struct Authorized<'a> {
    identity: &'a Identity,
    operation: Operation,
}

impl<'a> Authorized<'a> {
    /// The scope every object access of this operation is confined to.
    pub fn scope(&self) -> &'a Scope {
        &self.identity.scope
    }

    /// The serial of the credential the operation runs for.
    pub fn serial(&self) -> &'a str {
        &self.identity.serial
    }

    /// The authorised operation.
    pub fn operation(&self) -> Operation {
        self.operation
    }
}

/// Why an operation is refused.
#[derive(Debug, PartialEq, Eq)]
pub struct Denied {
    /// A message a person can act on.
    pub message: String,
}

/// Decides whether `identity` may run `operation`.
pub fn authorize(identity: &Identity, operation: Operation) -> Result<Authorized<'_>, Denied> {
    if identity.operations.allows(operation) {
        Ok(Authorized { identity, operation })
    } else {
        let name = PERMISSIONS
            .iter()
            .find(|(_, o)| *o == operation)
            .map_or_else(|| format!("{operation:?}"), |(n, _)| (*n).to_owned());
        Err(Denied {
            message: format!(
                "role \"{}\" of scope \"{}\" does not permit {name}",
                identity.role, identity.scope
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(ops: &str) -> Identity {
        Identity {
            serial: "01".into(),
            subject: "CN=test".into(),
            scope: Scope::new("s").expect("valid"),
            role: RoleName::new("r").expect("valid"),
            operations: OperationSet::parse(ops).expect("valid"),
        }
    }

    #[test]
    fn every_kmip_client_operation_has_exactly_one_permission() {
        assert_eq!(PERMISSIONS.len(), 41);
        for (i, (name, op)) in PERMISSIONS.iter().enumerate() {
            assert!(name.starts_with("operation_"));
            assert_eq!(PERMISSIONS.iter().filter(|(_, o)| o == op).count(), 1, "{name}");
            assert_eq!(OperationSet::parse(name).expect("known").0, 1 << i);
        }
    }

    #[test]
    fn roles_permit_what_they_list_and_nothing_else() {
        let id = identity("operation_get, operation_locate");
        assert!(authorize(&id, Operation::Get).is_ok());
        assert!(authorize(&id, Operation::Locate).is_ok());
        let denied = authorize(&id, Operation::Destroy).expect_err("denied");
        assert_eq!(
            denied.message,
            "role \"r\" of scope \"s\" does not permit operation_destroy"
        );
        assert!(authorize(&identity("operation_all"), Operation::Destroy).is_ok());
        assert!(authorize(&identity("operation_none"), Operation::Query).is_err());
        // An operation outside the 41 (Notify, Put, extensions) is never permitted.
        assert!(authorize(&identity("operation_all"), Operation::Notify).is_err());
        assert_eq!(identity("operation_all").operations.names(), ["operation_all"]);
        assert_eq!(identity("").operations.names(), ["operation_none"]);
    }

    #[test]
    fn unknown_permission_names_list_the_valid_ones() {
        let e = OperationSet::parse("operation_get,operation_fly").expect_err("unknown");
        assert!(
            e.starts_with("unknown operation \"operation_fly\"; valid names are: operation_activate,"),
            "{e}"
        );
        assert!(e.ends_with("operation_all, operation_none"), "{e}");
    }

    #[test]
    fn names_are_validated() {
        assert!(Scope::new("finance-eu.1").is_ok());
        for bad in ["", ".hidden", "a/b", "a b", &"x".repeat(65)] {
            assert!(Scope::new(bad).is_err(), "{bad:?}");
        }
    }
}
