//! Short constructors that keep the declaration tables readable.

use super::model::{Field, Param, ParamType, TypeRef};

pub(super) const fn required(name: &'static str, ty: ParamType, doc: &'static str) -> Param {
    Param { name, doc, ty, optional: false }
}

pub(super) const fn optional(name: &'static str, ty: ParamType, doc: &'static str) -> Param {
    Param { name, doc, ty, optional: true }
}

pub(super) const fn field(name: &'static str, ty: TypeRef, doc: &'static str) -> Field {
    Field { name, doc, ty, optional: false }
}

pub(super) const fn optional_field(name: &'static str, ty: TypeRef, doc: &'static str) -> Field {
    Field { name, doc, ty, optional: true }
}
