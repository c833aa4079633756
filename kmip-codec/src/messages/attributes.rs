//! Attributes (KMIP 1.4 §2.1.1 and §3): every 1.4 attribute with its value
//! type, declared once in the `attributes!` table below.
//!
//! An Attribute travels as Attribute Name, optional Attribute Index and an
//! Attribute Value whose type depends on the name, so the value is decoded
//! by looking the name up in the table. Names starting with `x-` (client
//! custom) or `y-` (server custom) carry any value and keep it as a tree.

use super::common::*;
use super::{Codec, DateTime, Fields, Interval, MessageError};
use crate::enums::*;
use crate::tags::Tag;
use crate::ttlv::{Item, Ttlv, Writer};

macro_rules! attributes {
    ($($variant:ident($ty:ty) = $name:literal [$($rule:ident)*],)*) => {
        /// A KMIP 1.4 attribute, by name: what the server keeps, looks up and
        /// checks attributes by (the Attribute Name on the wire is its
        /// [`AttributeName::as_str`]).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AttributeName {
            $(
                #[doc = $name]
                $variant,
            )*
        }

        #[allow(clippy::needless_update)] // rows with every rule set
        impl AttributeName {
            /// Every KMIP 1.4 attribute, in specification order.
            pub const ALL: &'static [AttributeName] = &[$(AttributeName::$variant,)*];

            /// The Attribute Name as the specification spells it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(AttributeName::$variant => $name,)*
                }
            }

            /// The attribute of that Attribute Name (`None` for custom or unknown names).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(AttributeName::$variant),)*
                    _ => None,
                }
            }

            /// What a client may do with the attribute (§3, each attribute's table).
            pub const fn rules(self) -> AttributeRules {
                match self {
                    $(AttributeName::$variant => AttributeRules { $($rule: true,)* ..AttributeRules::NONE },)*
                }
            }
        }

        /// The value of an attribute, typed by the attribute's name.
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)]
        pub enum AttributeValue {
            $(
                #[doc = $name]
                $variant($ty),
            )*
            /// A custom (`x-` or `y-`) attribute's value.
            Custom(Ttlv),
        }

        impl AttributeValue {
            /// Decodes the value of the attribute called `name`.
            pub fn decode_for(name: &str, item: Item<'_, '_>) -> Result<Self, MessageError> {
                Ok(match name {
                    $($name => AttributeValue::$variant(<$ty>::decode(item)?),)*
                    _ if is_custom(name) => AttributeValue::Custom(item.to_owned()),
                    _ => return Err(MessageError::UnknownAttribute(name.to_owned())),
                })
            }

            /// The attribute this value belongs to (`None` for custom ones).
            pub fn attribute_name(&self) -> Option<AttributeName> {
                match self {
                    $(AttributeValue::$variant(_) => Some(AttributeName::$variant),)*
                    AttributeValue::Custom(_) => None,
                }
            }

            /// The attribute name this value belongs to (`None` for custom ones).
            pub fn standard_name(&self) -> Option<&'static str> {
                self.attribute_name().map(AttributeName::as_str)
            }

            /// Encodes as an Attribute Value.
            pub fn encode(&self, w: &mut Writer) {
                let tag = Tag::AttributeValue;
                match self {
                    $(AttributeValue::$variant(v) => v.encode(tag, w),)*
                    AttributeValue::Custom(v) => v.encode(tag, w),
                }
            }
        }
    };
}

attributes! {
    UniqueIdentifier(String) = "Unique Identifier" [],
    Name(Name) = "Name" [create modify delete multiple],
    ObjectType(ObjectType) = "Object Type" [],
    CryptographicAlgorithm(CryptographicAlgorithm) = "Cryptographic Algorithm" [create],
    CryptographicLength(i32) = "Cryptographic Length" [create],
    CryptographicParameters(CryptographicParameters) = "Cryptographic Parameters" [create modify delete multiple],
    CryptographicDomainParameters(CryptographicDomainParameters) = "Cryptographic Domain Parameters" [create],
    CertificateType(CertificateType) = "Certificate Type" [],
    CertificateLength(i32) = "Certificate Length" [],
    X509CertificateIdentifier(X509CertificateIdentifier) = "X.509 Certificate Identifier" [],
    X509CertificateSubject(X509CertificateSubject) = "X.509 Certificate Subject" [],
    X509CertificateIssuer(X509CertificateIssuer) = "X.509 Certificate Issuer" [],
    CertificateIdentifier(CertificateIdentifier) = "Certificate Identifier" [],
    CertificateSubject(CertificateSubject) = "Certificate Subject" [],
    CertificateIssuer(CertificateIssuer) = "Certificate Issuer" [],
    DigitalSignatureAlgorithm(DigitalSignatureAlgorithm) = "Digital Signature Algorithm" [multiple],
    Digest(Digest) = "Digest" [multiple],
    OperationPolicyName(String) = "Operation Policy Name" [create],
    CryptographicUsageMask(CryptographicUsageMask) = "Cryptographic Usage Mask" [create],
    LeaseTime(Interval) = "Lease Time" [],
    UsageLimits(UsageLimits) = "Usage Limits" [create],
    State(State) = "State" [],
    InitialDate(DateTime) = "Initial Date" [],
    ActivationDate(DateTime) = "Activation Date" [create modify],
    ProcessStartDate(DateTime) = "Process Start Date" [create modify],
    ProtectStopDate(DateTime) = "Protect Stop Date" [create modify],
    DeactivationDate(DateTime) = "Deactivation Date" [create modify],
    DestroyDate(DateTime) = "Destroy Date" [],
    CompromiseOccurrenceDate(DateTime) = "Compromise Occurrence Date" [],
    CompromiseDate(DateTime) = "Compromise Date" [],
    RevocationReason(RevocationReason) = "Revocation Reason" [],
    ArchiveDate(DateTime) = "Archive Date" [],
    ObjectGroup(String) = "Object Group" [create modify delete multiple],
    Fresh(bool) = "Fresh" [register],
    Link(Link) = "Link" [create modify delete multiple],
    ApplicationSpecificInformation(ApplicationSpecificInformation) = "Application Specific Information" [create modify delete multiple],
    ContactInformation(String) = "Contact Information" [create modify delete],
    LastChangeDate(DateTime) = "Last Change Date" [],
    AlternativeName(AlternativeName) = "Alternative Name" [create modify delete multiple],
    KeyValuePresent(bool) = "Key Value Present" [],
    KeyValueLocation(KeyValueLocation) = "Key Value Location" [create modify delete multiple],
    OriginalCreationDate(DateTime) = "Original Creation Date" [register],
    RandomNumberGenerator(RNGParameters) = "Random Number Generator" [register],
    PKCS12FriendlyName(String) = "PKCS#12 Friendly Name" [create modify delete],
    Description(String) = "Description" [create modify delete],
    Comment(String) = "Comment" [create modify delete],
    Sensitive(bool) = "Sensitive" [create modify],
    AlwaysSensitive(bool) = "Always Sensitive" [],
    Extractable(bool) = "Extractable" [create modify],
    NeverExtractable(bool) = "Never Extractable" [],
}

/// What a client may do with an attribute, from the specification's table
/// of each attribute (§3): the rule columns of the `attributes!` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttributeRules {
    /// A client may give it when creating or registering an object.
    pub create: bool,
    /// A client may add or modify it later.
    pub modify: bool,
    /// A client may delete it.
    pub delete: bool,
    /// An object may have several instances of it.
    pub multiple: bool,
    /// Where a registered object came from (Original Creation Date, Random
    /// Number Generator, Fresh: "initially set by Client or Server"): a
    /// client may give it in Register, or add it once later when absent,
    /// though never at Create (the server sets it for what it creates).
    pub register: bool,
}

impl AttributeRules {
    /// Nothing permitted, one instance.
    pub const NONE: AttributeRules = AttributeRules {
        create: false,
        modify: false,
        delete: false,
        multiple: false,
        register: false,
    };
    /// A client-custom (`x-`) attribute: the client may do everything.
    pub const CLIENT_CUSTOM: AttributeRules = AttributeRules {
        create: true,
        modify: true,
        delete: true,
        multiple: true,
        register: false,
    };
    /// A server-custom (`y-`) attribute: set by the server alone.
    pub const SERVER_CUSTOM: AttributeRules = AttributeRules {
        multiple: true,
        ..AttributeRules::NONE
    };

    /// The rules of the attribute called `name`, custom ones included
    /// (`None` for an unknown name).
    pub fn of(name: &str) -> Option<AttributeRules> {
        if name.starts_with("x-") {
            Some(AttributeRules::CLIENT_CUSTOM)
        } else if name.starts_with("y-") {
            Some(AttributeRules::SERVER_CUSTOM)
        } else {
            AttributeName::from_name(name).map(AttributeName::rules)
        }
    }
}

/// True for custom attribute names: `x-` set by clients, `y-` by servers (§3.39).
pub fn is_custom(name: &str) -> bool {
    name.starts_with("x-") || name.starts_with("y-")
}

/// An attribute: name, optional index, and value (§2.1.1, Table 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute's name, as the specification spells it.
    pub name: String,
    /// Which instance of a multi-instance attribute.
    pub index: Option<i32>,
    /// The value, typed by the name.
    pub value: AttributeValue,
}

impl Attribute {
    /// Whether this is an instance of `name`.
    pub fn is(&self, name: AttributeName) -> bool {
        self.name == name.as_str()
    }

    /// A standard attribute with no index.
    pub fn new(value: AttributeValue) -> Self {
        Attribute {
            name: value.standard_name().unwrap_or_default().to_owned(),
            index: None,
            value,
        }
    }
}

impl Codec for Attribute {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        let mut f = Fields::new(item)?;
        let name: String = f.req(Tag::AttributeName)?;
        let index = f.opt(Tag::AttributeIndex)?;
        let value = match f.take::<Ttlv>(Tag::AttributeValue) {
            Some(v) => AttributeValue::decode_for(&name, v)?,
            None => {
                return Err(MessageError::Missing {
                    field: Tag::AttributeValue,
                    within: Tag::Attribute,
                })
            }
        };
        f.finish()?;
        Ok(Attribute { name, index, value })
    }

    fn encode(&self, tag: Tag, w: &mut Writer) {
        let s = w.begin(tag);
        w.text(Tag::AttributeName, &self.name);
        if let Some(i) = self.index {
            w.integer(Tag::AttributeIndex, i);
        }
        self.value.encode(w);
        w.end(s);
    }
}

/// An attribute in a Notify message, whose value is absent when the
/// attribute was deleted (§5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyAttribute {
    /// The attribute's name.
    pub name: String,
    /// Which instance of a multi-instance attribute.
    pub index: Option<i32>,
    /// The new value, or `None` when the attribute was deleted.
    pub value: Option<AttributeValue>,
}

impl Codec for NotifyAttribute {
    fn decode(item: Item<'_, '_>) -> Result<Self, MessageError> {
        let mut f = Fields::new(item)?;
        let name: String = f.req(Tag::AttributeName)?;
        let index = f.opt(Tag::AttributeIndex)?;
        let value = f
            .take::<Ttlv>(Tag::AttributeValue)
            .map(|v| AttributeValue::decode_for(&name, v))
            .transpose()?;
        f.finish()?;
        Ok(NotifyAttribute { name, index, value })
    }

    fn encode(&self, tag: Tag, w: &mut Writer) {
        let s = w.begin(tag);
        w.text(Tag::AttributeName, &self.name);
        if let Some(i) = self.index {
            w.integer(Tag::AttributeIndex, i);
        }
        if let Some(v) = &self.value {
            v.encode(w);
        }
        w.end(s);
    }
}
