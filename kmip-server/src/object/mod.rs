//! The managed-object model: [`ManagedObject`] with typed access to its
//! attributes, the attribute rules and the attributes the server maintains
//! ([`attributes`]), the lifecycle's transitions ([`lifecycle`]), and the
//! one check before a key is used ([`key_use`]).

pub mod attributes;
pub mod key_use;
pub mod lifecycle;

use kmip_codec::enums::{LinkType, ObjectType, State};
use kmip_codec::messages::{Attribute, AttributeName, AttributeValue, Link, Object};

/// A managed object: its identity, its material (when loaded and not
/// destroyed) and its attributes. The lifecycle state is kept once, as the
/// State attribute, and read through [`ManagedObject::state`].
#[derive(Clone, Debug)]
pub struct ManagedObject {
    /// Unique Identifier.
    pub uid: String,
    /// Object Type.
    pub object_type: ObjectType,
    /// The object itself, when asked for and not destroyed.
    pub object: Option<Object>,
    /// Every attribute instance (State included), in name and index order.
    pub attributes: Vec<Attribute>,
}

impl ManagedObject {
    /// An object with no material and no attributes but its state.
    pub fn new(uid: String, object_type: ObjectType, state: State) -> Self {
        let mut object = ManagedObject {
            uid,
            object_type,
            object: None,
            attributes: Vec::with_capacity(16),
        };
        object.set_state(state);
        object
    }

    /// The lifecycle state (§3.22); Pre-Active if the State attribute is
    /// missing, which only an object being built can be.
    pub fn state(&self) -> State {
        self.attributes
            .iter()
            .find_map(|a| match a.value {
                AttributeValue::State(s) => Some(s),
                _ => None,
            })
            .unwrap_or(State::PreActive)
    }

    /// The Activation and Deactivation Dates, which move the object by
    /// time.
    pub fn dates(&self) -> lifecycle::Dates {
        let date = |name| {
            self.values(name).find_map(|a| match a.value {
                AttributeValue::ActivationDate(d) | AttributeValue::DeactivationDate(d) => Some(d.0),
                _ => None,
            })
        };
        lifecycle::Dates {
            activation: date(AttributeName::ActivationDate),
            deactivation: date(AttributeName::DeactivationDate),
        }
    }

    /// Moves to `state`.
    pub fn set_state(&mut self, state: State) {
        self.set(AttributeValue::State(state));
    }

    /// The instances of attribute `name`.
    pub fn values(&self, name: AttributeName) -> impl Iterator<Item = &Attribute> + '_ {
        self.attributes.iter().filter(move |a| a.is(name))
    }

    /// The instances of the attribute a request names (custom ones included).
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Attribute> + 'a {
        self.attributes.iter().filter(move |a| a.name == name)
    }

    /// Whether the object is archived (has an Archive Date, §3.32).
    pub fn is_archived(&self) -> bool {
        self.values(AttributeName::ArchiveDate).next().is_some()
    }

    /// Sets a single-instance attribute, replacing any value.
    pub fn set(&mut self, value: AttributeValue) {
        let name = value.standard_name().unwrap_or_default().to_owned();
        self.attributes.retain(|a| a.name != name);
        self.attributes.push(Attribute {
            name,
            index: None,
            value,
        });
    }

    /// Adds a Link of `link_type` to the object `to`.
    pub fn add_link(&mut self, link_type: LinkType, to: &str) {
        self.attributes.push(Attribute::new(AttributeValue::Link(Link {
            link_type,
            linked_object_identifier: to.to_owned(),
        })));
    }

    /// Removes every instance of `name`.
    pub fn remove(&mut self, name: AttributeName) {
        self.attributes.retain(|a| !a.is(name));
    }
}

/// Puts attributes in the order responses list them: custom attributes,
/// then Unique Identifier, Object Type, Cryptographic Algorithm and Length,
/// then the rest by name, instances by index — the order the OASIS
/// reference responses use.
pub fn canonical_order(attributes: &mut [Attribute]) {
    const FIRST: [AttributeName; 4] = [
        AttributeName::UniqueIdentifier,
        AttributeName::ObjectType,
        AttributeName::CryptographicAlgorithm,
        AttributeName::CryptographicLength,
    ];
    attributes.sort_by(|a, b| {
        let rank = |x: &Attribute| {
            if kmip_codec::messages::attributes::is_custom(&x.name) {
                0
            } else {
                FIRST
                    .iter()
                    .position(|n| x.is(*n))
                    .unwrap_or(FIRST.len())
                    .saturating_add(1)
            }
        };
        (rank(a), &a.name, a.index.unwrap_or(0)).cmp(&(rank(b), &b.name, b.index.unwrap_or(0)))
    });
}
