//! The OASIS KMIP XML encoding, as used by the KMIP 1.4 test cases.
//!
//! Each item is an element named by its tag (`<ActivationDate .../>`), or
//! `<TTLV tag="0x540001" ...>` for a tag the registry does not name, with a
//! `type` attribute (omitted for Structures) and a `value` attribute:
//! Enumerations by name or `0x` hex, Integer bit masks as space-separated
//! names (`value="Decrypt Encrypt"`), Date-Times in ISO 8601, Byte Strings
//! and Big Integers in hex.
//!
//! Test cases contain placeholders such as `$NOW` or `$UNIQUE_IDENTIFIER_0`
//! where the real value depends on the server. Reading therefore happens in
//! two steps: [`parse`] keeps every value as text in an [`Element`] tree, and
//! [`Element::to_ttlv`] converts it, asking a caller-supplied resolver for
//! every placeholder. An unresolved placeholder in a Text String stays as
//! text; anywhere else it is an error, since it has no binary form.

use std::fmt::Write as _;

use quick_xml::events::{BytesStart, Event};

use crate::enums::EnumDef;
use crate::tags::Tag;
use crate::ttlv::{ItemType, Ttlv, Value};
use crate::{datetime, hex};

/// Deepest element nesting accepted, so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 64;

/// An XML element of a KMIP message, with its value still as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// The item's tag.
    pub tag: Tag,
    /// The declared item type (Structure when the element has no `type`).
    pub item_type: ItemType,
    /// The `value` attribute, unescaped.
    pub value: Option<String>,
    /// Child elements of a Structure.
    pub children: Vec<Element>,
    /// Byte offset of the element in the document, for error messages.
    pub position: usize,
}

/// Why XML could not be read or converted, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError {
    /// Byte offset in the document.
    pub position: usize,
    /// What is wrong, for a person.
    pub message: String,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.position)
    }
}

impl std::error::Error for XmlError {}

fn error(position: usize, message: impl Into<String>) -> XmlError {
    XmlError {
        position,
        message: message.into(),
    }
}

/// The elements that wrap a conversation: `<KMIP>` in the 1.3 and 1.4 test
/// cases, `<KmipTestCase>` in the 1.0–1.2 profile documents.
fn is_wrapper(name: &[u8]) -> bool {
    matches!(name, b"KMIP" | b"KmipTestCase")
}

/// Parses a document holding one message, or a `<KMIP>` (or
/// `<KmipTestCase>`) element holding a conversation of several. Returns the
/// messages in order.
pub fn parse(xml: &str) -> Result<Vec<Element>, XmlError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut done: Vec<Element> = Vec::new();
    let mut in_wrapper = false;
    loop {
        let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader
            .read_event()
            .map_err(|e| error(position, format!("malformed XML: {e}")))?;
        match event {
            Event::Start(start) if stack.is_empty() && !in_wrapper && is_wrapper(start.name().as_ref()) => {
                in_wrapper = true;
            }
            Event::End(end) if stack.is_empty() && in_wrapper && is_wrapper(end.name().as_ref()) => {
                in_wrapper = false;
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(error(position, format!("elements nest deeper than {MAX_DEPTH}")));
                }
                stack.push(element(&start, position)?);
            }
            Event::Empty(start) => {
                let el = element(&start, position)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => done.push(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| error(position, "closing tag without an opening tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => done.push(el),
                }
            }
            Event::Text(t) => {
                let text = t
                    .unescape()
                    .map_err(|e| error(position, format!("malformed text: {e}")))?;
                if !text.trim().is_empty() {
                    return Err(error(
                        position,
                        "unexpected text content: values go in the value attribute",
                    ));
                }
            }
            Event::CData(_) => return Err(error(position, "unexpected CDATA")),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() || in_wrapper {
        return Err(error(xml.len(), "document ends inside an element"));
    }
    Ok(done)
}

fn element(start: &BytesStart<'_>, position: usize) -> Result<Element, XmlError> {
    let name = std::str::from_utf8(start.name().as_ref())
        .map_err(|_| error(position, "element name is not UTF-8"))?
        .to_owned();
    let mut item_type = None;
    let mut value = None;
    let mut tag_attr = None;
    for attr in start.attributes() {
        let attr = attr.map_err(|e| error(position, format!("malformed attribute: {e}")))?;
        let text = attr
            .unescape_value()
            .map_err(|e| error(position, format!("malformed attribute value: {e}")))?
            .into_owned();
        match attr.key.as_ref() {
            b"type" => {
                item_type = Some(
                    ItemType::from_name(&text)
                        .ok_or_else(|| error(position, format!("<{name}>: unknown type \"{text}\"")))?,
                )
            }
            b"value" => value = Some(text),
            b"tag" => tag_attr = Some(text),
            other => {
                return Err(error(
                    position,
                    format!("<{name}>: unexpected attribute {}", String::from_utf8_lossy(other)),
                ))
            }
        }
    }
    let tag = match (name.as_str(), tag_attr) {
        ("TTLV", Some(t)) => parse_hex_u32(&t)
            .filter(|v| *v <= 0xFF_FFFF)
            .map(Tag)
            .ok_or_else(|| error(position, format!("<TTLV>: tag \"{t}\" is not a 3-byte hex value")))?,
        (_, Some(_)) => return Err(error(position, format!("<{name}>: only <TTLV> takes a tag attribute"))),
        _ => Tag::from_name(&name).ok_or_else(|| error(position, format!("unknown tag <{name}>")))?,
    };
    let item_type = item_type.unwrap_or(ItemType::Structure);
    if item_type == ItemType::Structure && value.is_some() {
        return Err(error(position, format!("<{name}>: a Structure has no value")));
    }
    if item_type != ItemType::Structure && value.is_none() {
        return Err(error(position, format!("<{name}>: a {item_type} needs a value")));
    }
    Ok(Element {
        tag,
        item_type,
        value,
        children: Vec::new(),
        position,
    })
}

fn parse_hex_u32(text: &str) -> Option<u32> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"))?;
    u32::from_str_radix(digits, 16).ok()
}

/// The enumeration or mask that names the values of `tag`. An Attribute
/// Value takes the table of the attribute its sibling Attribute Name names.
pub fn values_for(tag: Tag, attribute_name: Option<&str>) -> Option<&'static EnumDef> {
    if tag == Tag::AttributeValue {
        return attribute_name
            .and_then(Tag::from_name)
            .and_then(|t| t.info())
            .and_then(|i| i.values);
    }
    tag.info().and_then(|i| i.values)
}

/// The text of a sibling Attribute Name among `items`, for value naming.
pub fn attribute_name_of<'a>(names: impl Iterator<Item = (Tag, Option<&'a str>)>) -> Option<&'a str> {
    names.filter(|(t, _)| *t == Tag::AttributeName).find_map(|(_, v)| v)
}

/// A placeholder such as `$NOW` that [`Element::to_ttlv`] could not bind.
pub fn is_placeholder(text: &str) -> bool {
    text.starts_with('$')
}

impl Element {
    /// Converts to an owned TTLV tree. `resolve(placeholder, type, tag)`
    /// returns replacement text (in this encoding's notation) for each
    /// placeholder, or `None` to leave it unresolved.
    pub fn to_ttlv(&self, resolve: &mut dyn FnMut(&str, ItemType, Tag) -> Option<String>) -> Result<Ttlv, XmlError> {
        self.convert(None, resolve)
    }

    fn convert(
        &self,
        attribute_name: Option<&str>,
        resolve: &mut dyn FnMut(&str, ItemType, Tag) -> Option<String>,
    ) -> Result<Ttlv, XmlError> {
        if self.item_type == ItemType::Structure {
            let name = attribute_name_of(self.children.iter().map(|c| (c.tag, c.value.as_deref())));
            let items = self
                .children
                .iter()
                .map(|c| c.convert(name, resolve))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Ttlv::structure(self.tag, items));
        }
        if !self.children.is_empty() {
            return Err(self.err(format!("a {} cannot contain elements", self.item_type)));
        }
        let raw = self.value.as_deref().unwrap_or_default();
        let resolved;
        let text = if is_placeholder(raw) {
            match resolve(raw, self.item_type, self.tag) {
                Some(v) => {
                    resolved = v;
                    resolved.as_str()
                }
                None if self.item_type == ItemType::TextString => raw,
                None => return Err(self.err(format!("unresolved placeholder {raw}"))),
            }
        } else {
            raw
        };
        let values = values_for(self.tag, attribute_name);
        let value = parse_value(self.item_type, text, values).map_err(|m| self.err(m))?;
        Ok(Ttlv::new(self.tag, value))
    }

    fn err(&self, message: String) -> XmlError {
        error(self.position, format!("{:?}: {message}", self.tag))
    }
}

/// Parses one value in the XML notation (shared with the JSON encoding);
/// `values` names Enumeration and mask values (see [`values_for`]).
pub fn parse_value(ty: ItemType, text: &str, values: Option<&EnumDef>) -> Result<Value, String> {
    let bad = || format!("\"{text}\" is not a valid {ty}");
    Ok(match ty {
        ItemType::Structure => return Err("a Structure has no value".into()),
        ItemType::Integer => match values.filter(|d| d.mask) {
            Some(mask) if !text.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {
                let mut bits = 0u32;
                for word in text.split_whitespace() {
                    bits |= mask
                        .value_of(word)
                        .or_else(|| parse_hex_u32(word))
                        .ok_or_else(|| format!("\"{word}\" is not a {} bit", mask.spec_name))?;
                }
                Value::Integer(bits as i32)
            }
            _ => Value::Integer(match parse_hex_u32(text) {
                Some(v) => v as i32,
                None => text.parse().map_err(|_| bad())?,
            }),
        },
        ItemType::LongInteger => Value::LongInteger(match text.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).map_err(|_| bad())? as i64,
            None => text.parse().map_err(|_| bad())?,
        }),
        ItemType::BigInteger => {
            let digits = text.strip_prefix("0x").unwrap_or(text);
            let bytes = hex::decode(digits).ok_or_else(bad)?;
            if bytes.is_empty() || bytes.len() % 8 != 0 {
                return Err(format!("Big Integer \"{text}\" must be a multiple of 8 bytes"));
            }
            Value::BigInteger(bytes.into())
        }
        ItemType::Enumeration => Value::Enumeration(
            parse_hex_u32(text)
                .or_else(|| values.and_then(|d| d.value_of(text)))
                .ok_or_else(|| match values {
                    Some(d) => format!("\"{text}\" is not a {} value", d.spec_name),
                    None => format!("\"{text}\" is not a hex enumeration value"),
                })?,
        ),
        ItemType::Boolean => Value::Boolean(match text {
            "true" => true,
            "false" => false,
            _ => return Err(bad()),
        }),
        ItemType::TextString => Value::TextString(text.to_owned()),
        ItemType::ByteString => Value::ByteString(hex::decode(text).ok_or_else(bad)?.into()),
        ItemType::DateTime => Value::DateTime(match text.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).map_err(|_| bad())? as i64,
            None => datetime::parse(text).ok_or_else(bad)?,
        }),
        ItemType::Interval => Value::Interval(text.parse().map_err(|_| bad())?),
    })
}

/// Formats one value in the XML notation (shared with the JSON encoding).
pub fn format_value(value: &Value, values: Option<&EnumDef>) -> String {
    match value {
        Value::Structure(_) => String::new(),
        Value::Integer(v) => match values.filter(|d| d.mask) {
            Some(mask) if *v != 0 => {
                let (names, rest) = mask.mask_names(*v as u32);
                if rest == 0 {
                    names.join(" ")
                } else {
                    format!("0x{:08X}", *v as u32)
                }
            }
            _ => v.to_string(),
        },
        Value::LongInteger(v) => v.to_string(),
        Value::BigInteger(b) => hex::encode(b),
        Value::Enumeration(v) => match values.and_then(|d| d.name_of(*v)) {
            Some(name) => name.to_owned(),
            None => format!("0x{v:08X}"),
        },
        Value::Boolean(v) => v.to_string(),
        Value::TextString(s) => s.clone(),
        Value::ByteString(b) => hex::encode(b),
        Value::DateTime(v) => datetime::format(*v).unwrap_or_else(|| format!("0x{:016X}", *v as u64)),
        Value::Interval(v) => v.to_string(),
    }
}

/// Reads a document with no placeholders into owned trees.
pub fn read(xml: &str) -> Result<Vec<Ttlv>, XmlError> {
    parse(xml)?.iter().map(|e| e.to_ttlv(&mut |_, _, _| None)).collect()
}

/// Writes one item as indented XML.
pub fn write(item: &Ttlv) -> String {
    let mut out = String::new();
    write_item(&mut out, item, 0, None);
    out
}

fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

fn write_item(out: &mut String, item: &Ttlv, depth: usize, attribute_name: Option<&str>) {
    let indent = "  ".repeat(depth);
    let (open, close) = match item.tag.name() {
        Some(name) => (name.to_owned(), name.to_owned()),
        None => (format!("TTLV tag=\"0x{:06X}\"", item.tag.0), "TTLV".to_owned()),
    };
    match &item.value {
        Value::Structure(items) if items.is_empty() => {
            let _ = writeln!(out, "{indent}<{open}/>");
        }
        Value::Structure(items) => {
            let _ = writeln!(out, "{indent}<{open}>");
            let name = attribute_name_of(items.iter().map(|c| match &c.value {
                Value::TextString(s) => (c.tag, Some(s.as_str())),
                _ => (c.tag, None),
            }));
            for child in items {
                write_item(out, child, depth + 1, name);
            }
            let _ = writeln!(out, "{indent}</{close}>");
        }
        value => {
            let text = format_value(value, values_for(item.tag, attribute_name));
            let _ = writeln!(
                out,
                "{indent}<{open} type=\"{}\" value=\"{}\"/>",
                value.item_type(),
                escape(&text)
            );
        }
    }
}

/// Stand-in values for test-case placeholders where no server supplies real
/// ones (round trips, codec tests): `$NOW` is a fixed instant, `$NOW±N` is
/// offset from it, and a Byte String placeholder becomes the hex of its own
/// name. Text String placeholders stay as they are.
pub fn stand_in(placeholder: &str, ty: ItemType, _tag: Tag) -> Option<String> {
    /// 2017-11-22T00:00:00Z, the day KMIP 1.4 became an OASIS Standard.
    const NOW: i64 = 1_511_308_800;
    match ty {
        ItemType::DateTime => {
            let rest = placeholder.strip_prefix("$NOW")?;
            let offset: i64 = if rest.is_empty() { 0 } else { rest.parse().ok()? };
            datetime::format(NOW + offset)
        }
        ItemType::ByteString => Some(hex::encode(placeholder.as_bytes())),
        _ => None,
    }
}
