//! The KMIP JSON encoding (KMIP Additional Message Encodings).
//!
//! Each item is an object `{"tag": ..., "type": ..., "value": ...}`: the tag
//! by name, or `"0x540001"` when the registry does not name it; `type` is
//! omitted for Structures, whose `value` is an array of items. Integers,
//! Long Integers and Intervals are JSON numbers (a bit mask may also be a
//! string of names), Booleans are JSON booleans, Enumerations are names or
//! `0x` hex, Byte Strings and Big Integers are hex, Date-Times ISO 8601.

use serde_json::{json, Map, Value as Json};

use crate::tags::Tag;
use crate::ttlv::{ItemType, Ttlv, Value};
use crate::xml::{attribute_name_of, format_value, parse_value, values_for};

/// Deepest nesting accepted when reading.
pub const MAX_DEPTH: usize = 64;

/// Why JSON could not be converted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError(pub String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

/// Converts an owned tree to a JSON value.
pub fn to_json(item: &Ttlv) -> Json {
    convert_out(item, None)
}

/// Writes an owned tree as JSON text.
pub fn write(item: &Ttlv) -> String {
    to_json(item).to_string()
}

/// Reads JSON text into an owned tree.
pub fn read(text: &str) -> Result<Ttlv, JsonError> {
    let json: Json = serde_json::from_str(text).map_err(|e| JsonError(format!("malformed JSON: {e}")))?;
    from_json(&json)
}

/// Converts a JSON value to an owned tree.
pub fn from_json(json: &Json) -> Result<Ttlv, JsonError> {
    convert_in(json, None, 1)
}

fn tag_text(tag: Tag) -> String {
    match tag.name() {
        Some(n) => n.to_owned(),
        None => format!("0x{:06X}", tag.0),
    }
}

fn convert_out(item: &Ttlv, attribute_name: Option<&str>) -> Json {
    let mut obj = Map::new();
    obj.insert("tag".into(), Json::String(tag_text(item.tag)));
    let value = match &item.value {
        Value::Structure(items) => {
            let name = attribute_name_of(items.iter().map(|c| match &c.value {
                Value::TextString(s) => (c.tag, Some(s.as_str())),
                _ => (c.tag, None),
            }));
            Json::Array(items.iter().map(|c| convert_out(c, name)).collect())
        }
        other => {
            obj.insert("type".into(), Json::String(other.item_type().name().into()));
            let values = values_for(item.tag, attribute_name);
            match other {
                Value::Integer(v) if values.is_some_and(|d| d.mask) && *v != 0 => {
                    let text = format_value(other, values);
                    if text.starts_with("0x") {
                        json!(v)
                    } else {
                        Json::String(text)
                    }
                }
                Value::Integer(v) => json!(v),
                Value::LongInteger(v) => json!(v),
                Value::Interval(v) => json!(v),
                Value::Boolean(v) => json!(v),
                Value::BigInteger(_) => Json::String(format!("0x{}", format_value(other, values))),
                _ => Json::String(format_value(other, values)),
            }
        }
    };
    obj.insert("value".into(), value);
    Json::Object(obj)
}

fn convert_in(json: &Json, attribute_name: Option<&str>, depth: usize) -> Result<Ttlv, JsonError> {
    if depth > MAX_DEPTH {
        return Err(JsonError(format!("items nest deeper than {MAX_DEPTH}")));
    }
    let obj = json
        .as_object()
        .ok_or_else(|| JsonError("an item must be a JSON object".into()))?;
    if let Some(key) = obj.keys().find(|k| !matches!(k.as_str(), "tag" | "type" | "value")) {
        return Err(JsonError(format!("unexpected member \"{key}\" in an item")));
    }
    let tag_name = obj
        .get("tag")
        .and_then(Json::as_str)
        .ok_or_else(|| JsonError("an item needs a \"tag\" string".into()))?;
    let tag = match tag_name.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16)
            .ok()
            .filter(|v| *v <= 0xFF_FFFF)
            .map(Tag)
            .ok_or_else(|| JsonError(format!("tag \"{tag_name}\" is not a 3-byte hex value")))?,
        None => Tag::from_name(tag_name).ok_or_else(|| JsonError(format!("unknown tag \"{tag_name}\"")))?,
    };
    let ty = match obj.get("type") {
        None => ItemType::Structure,
        Some(t) => t
            .as_str()
            .and_then(ItemType::from_name)
            .ok_or_else(|| JsonError(format!("{tag_name}: unknown type {t}")))?,
    };
    let value = obj
        .get("value")
        .ok_or_else(|| JsonError(format!("{tag_name}: missing \"value\"")))?;
    let bad = || JsonError(format!("{tag_name}: {value} is not a valid {ty}"));
    let value = match (ty, value) {
        (ItemType::Structure, Json::Array(items)) => {
            let name = attribute_name_of(items.iter().map(|c| {
                let t = c.get("tag").and_then(Json::as_str).and_then(Tag::from_name);
                (t.unwrap_or(Tag(0)), c.get("value").and_then(Json::as_str))
            }));
            Value::Structure(
                items
                    .iter()
                    .map(|c| convert_in(c, name, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        (ItemType::Structure, _) => return Err(bad()),
        (ItemType::Integer, Json::Number(n)) => {
            Value::Integer(n.as_i64().and_then(|v| i32::try_from(v).ok()).ok_or_else(bad)?)
        }
        (ItemType::LongInteger, Json::Number(n)) => Value::LongInteger(n.as_i64().ok_or_else(bad)?),
        (ItemType::Interval, Json::Number(n)) => {
            Value::Interval(n.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(bad)?)
        }
        (ItemType::Enumeration, Json::Number(n)) => {
            Value::Enumeration(n.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(bad)?)
        }
        (ItemType::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (_, Json::String(s)) => {
            parse_value(ty, s, values_for(tag, attribute_name)).map_err(|m| JsonError(format!("{tag_name}: {m}")))?
        }
        _ => return Err(bad()),
    };
    Ok(Ttlv::new(tag, value))
}
