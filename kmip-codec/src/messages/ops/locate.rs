//! Finds the objects whose attributes match the given ones. (KMIP 1.4 §4.9, Tables 190 and 191.)

use super::prelude::*;

kmip_struct! {
    /// Locate request payload.
    #[derive(Default)]
    pub struct LocateRequest {
        opt maximum_items: i32 = MaximumItems,
        opt offset_items: i32 = OffsetItems,
        opt storage_status_mask: StorageStatusMask = StorageStatusMask,
        opt object_group_member: ObjectGroupMemberOption = ObjectGroupMember,
        vec attributes: Attribute = Attribute,
    }
}

kmip_struct! {
    /// Locate response payload.
    #[derive(Default)]
    pub struct LocateResponse {
        opt located_items: i32 = LocatedItems,
        vec unique_identifiers: String = UniqueIdentifier,
    }
}
