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
    ($($variant:ident($ty:ty) = $name:literal,)*) => {
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

        /// The name of every KMIP 1.4 attribute, in specification order.
        pub const ATTRIBUTE_NAMES: &[&str] = &[$($name,)*];

        impl AttributeValue {
            /// Decodes the value of the attribute called `name`.
            pub fn decode_for(name: &str, item: Item<'_, '_>) -> Result<Self, MessageError> {
                Ok(match name {
                    $($name => AttributeValue::$variant(<$ty>::decode(item)?),)*
                    _ if is_custom(name) => AttributeValue::Custom(item.to_owned()),
                    _ => return Err(MessageError::UnknownAttribute(name.to_owned())),
                })
            }

            /// The attribute name this value belongs to (`None` for custom ones).
            pub fn standard_name(&self) -> Option<&'static str> {
                match self {
                    $(AttributeValue::$variant(_) => Some($name),)*
                    AttributeValue::Custom(_) => None,
                }
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
    UniqueIdentifier(String) = "Unique Identifier",
    Name(Name) = "Name",
    ObjectType(ObjectType) = "Object Type",
    CryptographicAlgorithm(CryptographicAlgorithm) = "Cryptographic Algorithm",
    CryptographicLength(i32) = "Cryptographic Length",
    CryptographicParameters(CryptographicParameters) = "Cryptographic Parameters",
    CryptographicDomainParameters(CryptographicDomainParameters) = "Cryptographic Domain Parameters",
    CertificateType(CertificateType) = "Certificate Type",
    CertificateLength(i32) = "Certificate Length",
    X509CertificateIdentifier(X509CertificateIdentifier) = "X.509 Certificate Identifier",
    X509CertificateSubject(X509CertificateSubject) = "X.509 Certificate Subject",
    X509CertificateIssuer(X509CertificateIssuer) = "X.509 Certificate Issuer",
    CertificateIdentifier(CertificateIdentifier) = "Certificate Identifier",
    CertificateSubject(CertificateSubject) = "Certificate Subject",
    CertificateIssuer(CertificateIssuer) = "Certificate Issuer",
    DigitalSignatureAlgorithm(DigitalSignatureAlgorithm) = "Digital Signature Algorithm",
    Digest(Digest) = "Digest",
    OperationPolicyName(String) = "Operation Policy Name",
    CryptographicUsageMask(CryptographicUsageMask) = "Cryptographic Usage Mask",
    LeaseTime(Interval) = "Lease Time",
    UsageLimits(UsageLimits) = "Usage Limits",
    State(State) = "State",
    InitialDate(DateTime) = "Initial Date",
    ActivationDate(DateTime) = "Activation Date",
    ProcessStartDate(DateTime) = "Process Start Date",
    ProtectStopDate(DateTime) = "Protect Stop Date",
    DeactivationDate(DateTime) = "Deactivation Date",
    DestroyDate(DateTime) = "Destroy Date",
    CompromiseOccurrenceDate(DateTime) = "Compromise Occurrence Date",
    CompromiseDate(DateTime) = "Compromise Date",
    RevocationReason(RevocationReason) = "Revocation Reason",
    ArchiveDate(DateTime) = "Archive Date",
    ObjectGroup(String) = "Object Group",
    Fresh(bool) = "Fresh",
    Link(Link) = "Link",
    ApplicationSpecificInformation(ApplicationSpecificInformation) = "Application Specific Information",
    ContactInformation(String) = "Contact Information",
    LastChangeDate(DateTime) = "Last Change Date",
    AlternativeName(AlternativeName) = "Alternative Name",
    KeyValuePresent(bool) = "Key Value Present",
    KeyValueLocation(KeyValueLocation) = "Key Value Location",
    OriginalCreationDate(DateTime) = "Original Creation Date",
    RandomNumberGenerator(RNGParameters) = "Random Number Generator",
    PKCS12FriendlyName(String) = "PKCS#12 Friendly Name",
    Description(String) = "Description",
    Comment(String) = "Comment",
    Sensitive(bool) = "Sensitive",
    AlwaysSensitive(bool) = "Always Sensitive",
    Extractable(bool) = "Extractable",
    NeverExtractable(bool) = "Never Extractable",
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
