//! In which KMIP 1.x version each tag, operation, object type, Result
//! Reason and attribute appeared, and [`downgrade`]: an encoded response
//! cut down to what an older version defines (KMIP 1.4 §6.1: a server
//! answers in the version of the request).
//!
//! Versions are minor numbers of major version 1. The sources, declared
//! once below:
//!
//! - Tags: Table 288 lists the 1.0 tags alphabetically (0x420001–0x4200A1)
//!   and every later tag in the order it was assigned, so each version's
//!   tags are one range of values, starting at [`FIRST_TAGS`].
//! - Enumeration values: each version appended values, so they are ranges
//!   too ([`VALUES`]): operations 0x1D–0x1E are 1.1, 0x1F–0x29 1.2, Import
//!   and Export 1.4; PGP Key is 1.2; Result Reasons 0x12 1.1, 0x13–0x15
//!   1.2, 0x16–0x18 1.4.
//! - Attributes: an attribute's Attribute Name is the specification name
//!   of its own tag, so an attribute is as old as that tag (Fresh 1.1,
//!   Original Creation Date 1.2, Random Number Generator 1.3, Sensitive
//!   1.4, ...).
//! - Fields added to a structure older than themselves, where the field's
//!   tag is older still ([`FIELDS`]): Digest's Key Format Type (1.1);
//!   Cryptographic Parameters' Cryptographic Algorithm and Digital
//!   Signature Algorithm (1.2).

use crate::enums::{Operation, ResultReason};
use crate::messages::AttributeName;
use crate::tags::Tag;
use crate::ttlv::{ItemType, HEADER_LEN};

/// The newest minor version of KMIP 1 this registry knows.
pub const LATEST_MINOR: i32 = 4;

/// The first tag value of each version after 1.0.
pub const FIRST_TAGS: [(u32, i32); 4] = [(0x42_00A2, 1), (0x42_00B8, 2), (0x42_00D4, 3), (0x42_00F8, 4)];

/// Enumeration values newer than 1.0: (the tag carrying them, first value,
/// last value, version).
pub const VALUES: &[(Tag, u32, u32, i32)] = &[
    (Tag::Operation, 0x1D, 0x1E, 1),
    (Tag::Operation, 0x1F, 0x29, 2),
    (Tag::Operation, 0x2A, 0x2B, 4),
    (Tag::ObjectType, 0x09, 0x09, 2),
    (Tag::ResultReason, 0x12, 0x12, 1),
    (Tag::ResultReason, 0x13, 0x15, 2),
    (Tag::ResultReason, 0x16, 0x18, 4),
];

/// Fields that joined an existing structure after their tag existed:
/// (structure, field, version).
pub const FIELDS: &[(Tag, Tag, i32)] = &[
    (Tag::Digest, Tag::KeyFormatType, 1),
    (Tag::CryptographicParameters, Tag::CryptographicAlgorithm, 2),
    (Tag::CryptographicParameters, Tag::DigitalSignatureAlgorithm, 2),
];

/// The version that defined `tag`; vendor extensions and unknown tags
/// count as 1.0 (they are the sender's business).
pub fn tag_since(tag: Tag) -> i32 {
    FIRST_TAGS
        .iter()
        .rev()
        .find(|(first, _)| (*first..=0x42_FFFF).contains(&tag.0))
        .map_or(0, |(_, minor)| *minor)
}

/// The version that defined enumeration `value` of the field `tag`.
pub fn value_since(tag: Tag, value: u32) -> i32 {
    VALUES
        .iter()
        .find(|(t, first, last, _)| *t == tag && (*first..=*last).contains(&value))
        .map_or(0, |(_, _, _, minor)| *minor)
}

/// The version that defined `operation`.
pub fn operation_since(operation: Operation) -> i32 {
    value_since(Tag::Operation, operation.0)
}

/// The version that defined the attribute called `name`; custom (`x-`,
/// `y-`) and unknown names count as 1.0.
pub fn attribute_since(name: &str) -> i32 {
    AttributeName::from_name(name)
        .and_then(|a| Tag::from_name(a.as_str()))
        .map_or(0, tag_since)
}

/// `reason` as a client of version `minor` knows it: a newer Result
/// Reason becomes the nearest one that version defines.
pub fn result_reason_in(reason: ResultReason, minor: i32) -> ResultReason {
    if value_since(Tag::ResultReason, reason.0) <= minor {
        return reason;
    }
    match reason {
        // A key the server holds no value for was "not found" before 1.2.
        ResultReason::KeyValueNotPresent => ResultReason::ItemNotFound,
        ResultReason::EncodingOptionError => ResultReason::FeatureNotSupported,
        ResultReason::AttestationRequired | ResultReason::AttestationFailed => {
            ResultReason::AuthenticationNotSuccessful
        }
        ResultReason::Sensitive | ResultReason::NotExtractable => ResultReason::PermissionDenied,
        // The request names an identifier that is taken.
        ResultReason::ObjectAlreadyExists => ResultReason::InvalidField,
        _ => ResultReason::GeneralFailure,
    }
}

/// `message`, an encoded Response Message, with only what KMIP 1.`minor`
/// defines: newer tags, attributes, fields and operation and object type
/// values are left out, newer Result Reasons mapped to older ones. A batch
/// item of an operation newer than `minor` keeps what that operation's own
/// version defines (a client that sent it can read it). A message already
/// at 1.4 or newer is returned as it is.
pub fn downgrade(message: &[u8], minor: i32) -> Vec<u8> {
    if minor >= LATEST_MINOR {
        return message.to_vec();
    }
    let mut out = Vec::with_capacity(message.len());
    copy_items(message, None, minor, &mut out);
    out
}

/// One TTLV item as found in a buffer we encoded ourselves.
struct Raw<'a> {
    tag: Tag,
    item_type: u8,
    /// The value, without padding.
    value: &'a [u8],
    /// The whole item, header and padding included.
    whole: &'a [u8],
}

/// Splits the first item off `bytes`; `None` at the end or on a malformed
/// item (which ends the copy: the input is our own encoding).
fn next(bytes: &[u8]) -> Option<(Raw<'_>, &[u8])> {
    let &[t0, t1, t2, item_type, l0, l1, l2, l3] = bytes.get(..HEADER_LEN)? else {
        return None;
    };
    let tag = Tag(u32::from_be_bytes([0, t0, t1, t2]));
    let len = usize::try_from(u32::from_be_bytes([l0, l1, l2, l3])).ok()?;
    let padded = if item_type == ItemType::Structure as u8 {
        len
    } else {
        len.checked_add(7)? & !7
    };
    let total = HEADER_LEN.checked_add(padded)?;
    let whole = bytes.get(..total)?;
    let value = whole.get(HEADER_LEN..HEADER_LEN + len)?;
    Some((
        Raw {
            tag,
            item_type,
            value,
            whole,
        },
        bytes.get(total..)?,
    ))
}

/// The 8 header bytes of an item.
fn header<'a>(item: &Raw<'a>) -> &'a [u8] {
    item.whole.get(..HEADER_LEN).unwrap_or_default()
}

/// The enumeration value of an item (its first four value bytes).
fn enumeration(item: &Raw<'_>) -> Option<u32> {
    let &[a, b, c, d] = item.value.get(..4)? else {
        return None;
    };
    Some(u32::from_be_bytes([a, b, c, d]))
}

/// The first `field` among the items of a structure's value.
fn first(mut items: &[u8], field: Tag) -> Option<Raw<'_>> {
    while let Some((item, rest)) = next(items) {
        if item.tag == field {
            return Some(item);
        }
        items = rest;
    }
    None
}

/// The text of the first `field` among the items of a structure's value.
fn first_text(items: &[u8], field: Tag) -> Option<&str> {
    first(items, field).and_then(|i| std::str::from_utf8(i.value).ok())
}

/// Whether `item`, inside the structure `parent`, exists in 1.`minor`.
fn defined(item: &Raw<'_>, parent: Option<Tag>, minor: i32) -> bool {
    if tag_since(item.tag) > minor {
        return false;
    }
    if FIELDS
        .iter()
        .any(|(s, f, since)| Some(*s) == parent && *f == item.tag && *since > minor)
    {
        return false;
    }
    match item.tag {
        Tag::Operation | Tag::ObjectType if item.item_type == ItemType::Enumeration as u8 => {
            enumeration(item).is_none_or(|v| value_since(item.tag, v) <= minor)
        }
        // Get Attribute List names attributes; Attribute structures carry one.
        Tag::AttributeName => std::str::from_utf8(item.value).map_or(true, |n| attribute_since(n) <= minor),
        Tag::Attribute => first_text(item.value, Tag::AttributeName).is_none_or(|n| attribute_since(n) <= minor),
        _ => true,
    }
}

/// Copies the items of `bytes` (the value of structure `parent`) to `out`,
/// leaving out what 1.`minor` does not define.
/// `parent` is the structure's tag, or for an Attribute Value the tag of
/// the attribute it is the value of (a Digest's fields are a Digest's).
fn copy_items(mut bytes: &[u8], parent: Option<Tag>, minor: i32, out: &mut Vec<u8>) {
    let mut attribute = None;
    while let Some((item, rest)) = next(bytes) {
        bytes = rest;
        if !defined(&item, parent, minor) {
            continue;
        }
        if parent == Some(Tag::Attribute) && item.tag == Tag::AttributeName {
            attribute = std::str::from_utf8(item.value).ok().and_then(Tag::from_name);
        }
        if item.item_type == ItemType::Structure as u8 {
            let inner = if item.tag == Tag::BatchItem {
                first(item.value, Tag::Operation)
                    .and_then(|op| enumeration(&op))
                    .map_or(minor, |op| minor.max(value_since(Tag::Operation, op)))
            } else {
                minor
            };
            let kind = match item.tag {
                Tag::AttributeValue => attribute.unwrap_or(item.tag),
                other => other,
            };
            let start = out.len();
            out.extend_from_slice(header(&item));
            copy_items(item.value, Some(kind), inner, out);
            let len = u32::try_from(out.len() - start - HEADER_LEN).unwrap_or(u32::MAX);
            if let Some(slot) = out.get_mut(start + 4..start + 8) {
                slot.copy_from_slice(&len.to_be_bytes());
            }
        } else if item.tag == Tag::ResultReason && item.item_type == ItemType::Enumeration as u8 {
            let reason = enumeration(&item).map_or(ResultReason::GeneralFailure, ResultReason);
            out.extend_from_slice(header(&item));
            out.extend_from_slice(&result_reason_in(reason, minor).0.to_be_bytes());
            out.extend_from_slice(&[0; 4]);
        } else {
            out.extend_from_slice(item.whole);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use crate::enums::{ObjectType, ResultStatus};
    use crate::messages::ops::{encrypt, get_attribute_list, get_attributes, query};
    use crate::messages::{
        Attribute, AttributeValue, DateTime, Digest, ProtocolVersion, ResponseBatchItem, ResponseHeader,
        ResponseMessage, ResponsePayload,
    };
    use crate::ttlv::Limits;

    fn item(operation: Operation, payload: Option<ResponsePayload>, reason: Option<ResultReason>) -> ResponseBatchItem {
        ResponseBatchItem {
            operation: Some(operation),
            unique_batch_item_id: None,
            result_status: if reason.is_some() {
                ResultStatus::OperationFailed
            } else {
                ResultStatus::Success
            },
            result_reason: reason,
            result_message: None,
            asynchronous_correlation_value: None,
            payload,
            message_extension: None,
        }
    }

    fn message(items: Vec<ResponseBatchItem>) -> ResponseMessage {
        ResponseMessage {
            header: ResponseHeader {
                protocol_version: ProtocolVersion::new(1, 0),
                time_stamp: DateTime(0),
                nonce: None,
                attestation_types: vec![],
                client_correlation_value: Some("c".into()),
                server_correlation_value: None,
                batch_count: i32::try_from(items.len()).unwrap(),
            },
            batch_items: items,
        }
    }

    fn at(minor: i32, m: &ResponseMessage) -> ResponseMessage {
        ResponseMessage::from_bytes(&downgrade(&m.to_bytes(), minor), &Limits::default()).unwrap()
    }

    fn names(m: &ResponseMessage) -> Vec<String> {
        match &m.batch_items[0].payload {
            Some(ResponsePayload::GetAttributes(r)) => r.attributes.iter().map(|a| a.name.clone()).collect(),
            other => panic!("{other:?}"),
        }
    }

    fn attributes() -> ResponseMessage {
        let attrs = [
            AttributeValue::ObjectGroup("g".into()),
            AttributeValue::Fresh(true),
            AttributeValue::OriginalCreationDate(DateTime(1)),
            AttributeValue::Sensitive(false),
            AttributeValue::Description("d".into()),
        ];
        let mut attributes: Vec<Attribute> = attrs.into_iter().map(Attribute::new).collect();
        attributes.push(Attribute {
            name: "x-mine".into(),
            index: None,
            value: AttributeValue::Custom(crate::Ttlv::structure(Tag::AttributeValue, vec![])),
        });
        let payload = ResponsePayload::GetAttributes(get_attributes::GetAttributesResponse {
            unique_identifier: "k".into(),
            attributes,
        });
        message(vec![item(Operation::GetAttributes, Some(payload), None)])
    }

    #[test]
    fn each_version_receives_only_the_attributes_it_defines() {
        let m = attributes();
        assert_eq!(names(&at(0, &m)), ["Object Group", "x-mine"]);
        assert_eq!(names(&at(1, &m)), ["Object Group", "Fresh", "x-mine"]);
        assert_eq!(
            names(&at(3, &m)),
            ["Object Group", "Fresh", "Original Creation Date", "x-mine"]
        );
        assert_eq!(at(4, &m), m, "1.4 is left as it is");
        assert_eq!(at(0, &m).header.client_correlation_value, None, "a 1.4 header field");
    }

    #[test]
    fn attribute_names_in_get_attribute_list_follow_the_same_rule() {
        let payload = ResponsePayload::GetAttributeList(get_attribute_list::GetAttributeListResponse {
            unique_identifier: "k".into(),
            attribute_names: vec!["Name".into(), "Fresh".into(), "Never Extractable".into()],
        });
        let m = at(
            1,
            &message(vec![item(Operation::GetAttributeList, Some(payload), None)]),
        );
        match &m.batch_items[0].payload {
            Some(ResponsePayload::GetAttributeList(r)) => assert_eq!(r.attribute_names, ["Name", "Fresh"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn query_lists_only_the_operations_and_object_types_of_the_version() {
        let payload = ResponsePayload::Query(query::QueryResponse {
            operations: vec![
                Operation::Create,
                Operation::DiscoverVersions,
                Operation::Encrypt,
                Operation::Import,
            ],
            object_types: vec![ObjectType::SymmetricKey, ObjectType::PGPKey],
            ..Default::default()
        });
        let q = |minor| match at(
            minor,
            &message(vec![item(Operation::Query, Some(payload.clone()), None)]),
        )
        .batch_items
        .remove(0)
        .payload
        {
            Some(ResponsePayload::Query(r)) => (r.operations, r.object_types),
            other => panic!("{other:?}"),
        };
        assert_eq!(q(0), (vec![Operation::Create], vec![ObjectType::SymmetricKey]));
        assert_eq!(q(1).0, [Operation::Create, Operation::DiscoverVersions]);
        assert_eq!(
            q(2),
            (
                vec![Operation::Create, Operation::DiscoverVersions, Operation::Encrypt],
                vec![ObjectType::SymmetricKey, ObjectType::PGPKey]
            )
        );
    }

    #[test]
    fn newer_result_reasons_become_the_nearest_older_one() {
        let m = message(vec![
            item(Operation::Get, None, Some(ResultReason::KeyValueNotPresent)),
            item(Operation::Get, None, Some(ResultReason::NotExtractable)),
            item(Operation::Get, None, Some(ResultReason::PermissionDenied)),
        ]);
        let reasons = |minor| -> Vec<_> { at(minor, &m).batch_items.iter().map(|i| i.result_reason).collect() };
        use ResultReason as R;
        assert_eq!(
            reasons(0),
            [
                Some(R::ItemNotFound),
                Some(R::PermissionDenied),
                Some(R::PermissionDenied)
            ]
        );
        assert_eq!(
            reasons(2),
            [
                Some(R::KeyValueNotPresent),
                Some(R::PermissionDenied),
                Some(R::PermissionDenied)
            ]
        );
        for reason in crate::enums::ResultReason::DEF
            .values
            .iter()
            .map(|v| ResultReason(v.value))
        {
            for minor in 0..=LATEST_MINOR {
                let older = result_reason_in(reason, minor);
                assert!(
                    value_since(Tag::ResultReason, older.0) <= minor,
                    "{reason:?} at 1.{minor}"
                );
            }
        }
    }

    #[test]
    fn an_operation_newer_than_the_request_is_answered_in_its_own_version() {
        let payload = ResponsePayload::Encrypt(encrypt::EncryptResponse {
            unique_identifier: "k".into(),
            data: Some(vec![1, 2].into()),
            iv_counter_nonce: None,
            correlation_value: Some(vec![3].into()),
            authenticated_encryption_tag: Some(vec![4].into()),
        });
        let m = at(0, &message(vec![item(Operation::Encrypt, Some(payload), None)]));
        match &m.batch_items[0].payload {
            Some(ResponsePayload::Encrypt(r)) => {
                assert_eq!(r.data.as_deref(), Some(&[1u8, 2][..]), "Data is 1.2, as Encrypt is");
                assert_eq!(r.correlation_value, None, "1.3");
                assert_eq!(r.authenticated_encryption_tag, None, "1.4");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fields_added_to_older_structures_are_left_out_before_their_version() {
        let digest = Digest {
            hashing_algorithm: crate::enums::HashingAlgorithm::SHA_256,
            digest_value: Some(vec![0; 32].into()),
            key_format_type: Some(crate::enums::KeyFormatType::Raw),
        };
        let payload = ResponsePayload::GetAttributes(get_attributes::GetAttributesResponse {
            unique_identifier: "k".into(),
            attributes: vec![Attribute::new(AttributeValue::Digest(digest))],
        });
        let m = message(vec![item(Operation::GetAttributes, Some(payload), None)]);
        let kft = |minor| match &at(minor, &m).batch_items[0].payload {
            Some(ResponsePayload::GetAttributes(r)) => match &r.attributes[0].value {
                AttributeValue::Digest(d) => d.key_format_type,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(kft(0), None);
        assert_eq!(kft(1), Some(crate::enums::KeyFormatType::Raw));
    }

    #[test]
    fn every_attribute_is_named_after_a_registered_tag() {
        for a in AttributeName::ALL {
            assert!(Tag::from_name(a.as_str()).is_some(), "{}", a.as_str());
        }
        assert_eq!(attribute_since("Fresh"), 1);
        assert_eq!(attribute_since("Key Value Present"), 2);
        assert_eq!(attribute_since("Random Number Generator"), 3);
        assert_eq!(attribute_since("Always Sensitive"), 4);
    }
}
