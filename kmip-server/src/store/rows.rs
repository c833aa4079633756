//! An object's stored form, for either backend: its row (type, state,
//! material sealed with AES-256-GCM, bound to its UID and scope) and one
//! row per attribute instance, holding the TTLV of its value, which is
//! also what Locate compares in SQL.

use kmip_codec::enums::{ObjectType, State};
use kmip_codec::messages::{Attribute, AttributeValue, Codec, Object};
use kmip_codec::ttlv::{Document, Limits, Writer};
use kmip_codec::Tag;

use crate::keys::Sealer;
use crate::object::lifecycle::Dates;
use crate::object::{canonical_order, ManagedObject};
use crate::policy::Scope;
use crate::store::DbError;

/// An attribute value from its stored TTLV.
pub fn decode_value(name: &str, bytes: &[u8]) -> Result<AttributeValue, DbError> {
    let doc =
        Document::decode(bytes, &Limits::default()).map_err(|e| DbError(format!("stored attribute {name}: {e}")))?;
    AttributeValue::decode_for(name, doc.root()).map_err(|e| DbError(format!("stored attribute {name}: {e}")))
}

/// The TTLV of an object, for sealing.
pub fn object_bytes(object: &Object) -> zeroize::Zeroizing<Vec<u8>> {
    let mut w = Writer::new();
    object.encode(Tag::AnyObject, &mut w);
    zeroize::Zeroizing::new(w.into_bytes())
}

/// An object's rows as they were, to put back if a batch is undone: its
/// sealed material stays sealed. Equal snapshots are equal rows.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub(crate) object_type: u32,
    pub(crate) created: i64,
    pub(crate) state: u32,
    pub(crate) sealed: Option<Vec<u8>>,
    pub(crate) attributes: Vec<(String, i32, Vec<u8>)>,
}

/// The Attribute Index each instance is stored under: the one the client
/// gave, unless it is negative or another instance of the same attribute
/// already has it; then (and when none was given) the smallest index still
/// free for that attribute. So any set of instances a client sends is
/// stored, and no two share an index.
pub fn stored_indices(attributes: &[&Attribute]) -> Vec<i32> {
    use std::collections::HashSet;
    let mut taken: HashSet<(&str, i32)> = HashSet::new();
    let given: Vec<Option<i32>> = attributes
        .iter()
        .map(|a| {
            a.index
                .filter(|i| *i >= 0)
                .filter(|i| taken.insert((a.name.as_str(), *i)))
        })
        .collect();
    attributes
        .iter()
        .zip(given)
        .map(|(a, given)| {
            given.unwrap_or_else(|| {
                let free = (0..=i32::MAX)
                    .find(|i| !taken.contains(&(a.name.as_str(), *i)))
                    .unwrap_or(i32::MAX);
                taken.insert((a.name.as_str(), free));
                free
            })
        })
        .collect()
}

/// An object's row as read, before its attribute rows join it.
pub struct Stored<'a> {
    /// Its Unique Identifier.
    pub uid: &'a str,
    /// The scope it was read through (its material is bound to it).
    pub scope: &'a Scope,
    /// Its Object Type.
    pub object_type: u32,
    /// Its lifecycle state (the State attribute is made from it).
    pub state: u32,
    /// Its sealed material, if it has any.
    pub sealed: Option<Vec<u8>>,
}

impl Stored<'_> {
    /// The object, with its `rows` (name, index, value TTLV) as its
    /// attributes and, with a sealer, its material unsealed.
    pub fn assemble(
        self,
        sealer: Option<&Sealer>,
        rows: impl Iterator<Item = Result<(String, i32, Vec<u8>), DbError>>,
    ) -> Result<ManagedObject, DbError> {
        let uid = self.uid;
        let object = match (sealer, self.sealed) {
            (Some(sealer), Some(sealed)) => {
                let plain = sealer
                    .open(uid, self.scope.as_str(), &sealed)
                    .map_err(|e| DbError(e.to_string()))?;
                let doc = Document::decode(&plain, &Limits::default())
                    .map_err(|e| DbError(format!("stored object {uid}: {e}")))?;
                Some(Object::decode(doc.root()).map_err(|e| DbError(format!("stored object {uid}: {e}")))?)
            }
            _ => None,
        };
        // The State attribute is the `state` column (kept once, where the
        // time sweep and Locate read it), never an attribute row.
        let mut attributes = vec![Attribute::new(AttributeValue::State(State(self.state)))];
        for row in rows {
            let (name, idx, bytes) = row?;
            let value = decode_value(&name, &bytes)?;
            attributes.push(Attribute {
                index: (idx > 0).then_some(idx),
                name,
                value,
            });
        }
        canonical_order(&mut attributes);
        Ok(ManagedObject {
            uid: uid.to_owned(),
            object_type: ObjectType(self.object_type),
            object,
            attributes,
        })
    }
}

/// The Activation and Deactivation Dates among stored (name, value) rows.
pub fn dates_of(rows: impl Iterator<Item = Result<(String, Vec<u8>), DbError>>) -> Result<Dates, DbError> {
    let mut dates = Dates::default();
    for row in rows {
        let (name, value) = row?;
        match decode_value(&name, &value)? {
            AttributeValue::ActivationDate(d) => dates.activation = Some(d.0),
            AttributeValue::DeactivationDate(d) => dates.deactivation = Some(d.0),
            _ => {}
        }
    }
    Ok(dates)
}
