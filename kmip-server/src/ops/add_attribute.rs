//! Add Attribute (KMIP 1.4 §4.14): adds a client-modifiable attribute, or
//! a new instance of a multi-instance one (Attribute Index assigned by the
//! server; a request carrying one is an Invalid Field, §11.15). The
//! response names the instance it made, Attribute Index 0 included.

use kmip_codec::messages::ops::add_attribute::{AddAttributeRequest, AddAttributeResponse};
use kmip_codec::messages::{Attribute, AttributeRules};

use crate::object::attributes::{check_modifiable, multiple, touched};

use crate::ops::{Context, Error};

/// Runs Add Attribute.
pub fn run(ctx: &Context<'_>, req: &AddAttributeRequest) -> Result<AddAttributeResponse, Error> {
    let uid = ctx.uid(&req.unique_identifier)?;
    let new = req.attribute.clone();
    if new.index.is_some() {
        return Err(Error::InvalidField("a new attribute carries no Attribute Index".into()));
    }
    // Where a registered object came from may be said once, later (§3.43).
    let once = AttributeRules::of(&new.name).is_some_and(|r| r.register);
    if !once {
        check_modifiable(&new.name)?;
    }
    let name = new.name.clone();
    let stored = ctx.update(&uid, move |o| {
        let count = o.named(&new.name).count();
        if once && count > 0 {
            return Err(Error::PermissionDenied(format!(
                "{} is set once, and this object has it",
                new.name
            )));
        }
        if count > 0 && !multiple(&new.name) {
            return Err(Error::IllegalOperation(format!(
                "{} already exists and has a single instance: use Modify Attribute",
                new.name
            )));
        }
        let index = i32::try_from(count).unwrap_or(i32::MAX);
        o.attributes.push(Attribute {
            index: (index > 0).then_some(index),
            ..new
        });
        touched(o);
        Ok(())
    })?;
    let attribute = stored
        .named(&name)
        .last()
        .cloned()
        .ok_or_else(|| Error::General("the added attribute was not stored".into()))?;
    // The response names the instance, index 0 included: clients read it.
    let attribute = Attribute {
        index: Some(attribute.index.unwrap_or(0)),
        ..attribute
    };
    Ok(AddAttributeResponse {
        unique_identifier: uid,
        attribute,
    })
}
