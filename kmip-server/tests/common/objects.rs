//! Objects, their attributes and states, as the lifecycle tests read them.

use kmip_client::Client;
use kmip_codec::enums::*;
use kmip_codec::messages::ops::*;
use kmip_codec::messages::*;

use super::attr;

pub fn aes(extra: Vec<Attribute>) -> create::CreateRequest {
    aes_for(CryptographicUsageMask::Encrypt, extra)
}

/// A key-encryption key: it may wrap and unwrap other keys.
pub fn kek() -> create::CreateRequest {
    aes_for(
        CryptographicUsageMask::WrapKey | CryptographicUsageMask::UnwrapKey,
        vec![],
    )
}

pub fn aes_for(mask: CryptographicUsageMask, extra: Vec<Attribute>) -> create::CreateRequest {
    let mut attributes = vec![
        attr(AttributeValue::CryptographicAlgorithm(CryptographicAlgorithm::AES)),
        attr(AttributeValue::CryptographicLength(256)),
        attr(AttributeValue::CryptographicUsageMask(mask)),
    ];
    attributes.extend(extra);
    create::CreateRequest {
        object_type: ObjectType::SymmetricKey,
        template_attribute: TemplateAttribute {
            names: vec![],
            attributes,
        },
    }
}

pub async fn attributes(c: &mut Client, uid: &str) -> Vec<Attribute> {
    c.get_attributes(get_attributes::GetAttributesRequest {
        unique_identifier: Some(uid.into()),
        attribute_names: vec![],
    })
    .await
    .unwrap()
    .attributes
}

pub fn state(attrs: &[Attribute]) -> State {
    attrs
        .iter()
        .find_map(|a| match a.value {
            AttributeValue::State(s) => Some(s),
            _ => None,
        })
        .unwrap()
}

pub fn links(attrs: &[Attribute]) -> Vec<(LinkType, String)> {
    attrs
        .iter()
        .filter_map(|a| match &a.value {
            AttributeValue::Link(l) => Some((l.link_type, l.linked_object_identifier.clone())),
            _ => None,
        })
        .collect()
}

pub async fn material(c: &mut Client, uid: &str) -> Vec<u8> {
    let got = c.get(super::get(uid)).await.unwrap();
    match got.object {
        Object::SymmetricKey(k) => match k.key_block.key_value {
            Some(KeyValue::Plain {
                key_material: KeyMaterial::Bytes(b),
                ..
            }) => b.to_vec(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}
