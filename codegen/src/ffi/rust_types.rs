//! Rust structs for the structured types, generated from the same
//! declarations as the TypeScript interfaces, so a field cannot exist on one
//! side only. Unknown fields are rejected when deserializing.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use perry_stack_schema::api::walk::named_types;
use perry_stack_schema::api::{HandleKind, Module, ParamType, TypeDecl, TypeRef, Value};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Every named type of every module, by name.
pub fn all_named_types(modules: &[&Module]) -> BTreeMap<&'static str, &'static TypeDecl> {
    let mut all = BTreeMap::new();
    for module in modules {
        all.extend(named_types(module));
    }
    all
}

/// Expands the struct of one named type.
pub fn expand_struct(decl: &TypeDecl) -> TokenStream {
    let name = format_ident!("{}", decl.name);
    let doc = decl.doc;
    let fields = decl.fields.iter().map(|field| {
        let ident = format_ident!("{}", field.name.to_snake_case());
        let wire = field.name;
        let doc = field.doc;
        let ty = rust_type(&field.ty);
        if field.optional {
            quote! {
                #[doc = #doc]
                #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
                pub #ident: Option<#ty>,
            }
        } else {
            quote! {
                #[doc = #doc]
                #[serde(rename = #wire)]
                pub #ident: #ty,
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct #name {
            #(#fields)*
        }
    }
}

/// The Rust type of a structured value.
pub fn rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String | TypeRef::Literal(_) => quote!(String),
        TypeRef::Number => quote!(f64),
        TypeRef::Boolean => quote!(bool),
        TypeRef::Unknown => quote!(serde_json::Value),
        TypeRef::Array(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Named(decl) => {
            let name = format_ident!("{}", decl.name);
            quote!(#name)
        }
    }
}

/// The Rust type a trait method receives for a parameter, before optionality.
pub fn param_rust_type(ty: &ParamType) -> TokenStream {
    match ty {
        ParamType::Handle(kind) => handle_type(*kind),
        ParamType::String | ParamType::Literal(_) => quote!(String),
        ParamType::Number => quote!(f64),
        ParamType::Boolean => quote!(bool),
        ParamType::Structured(ty) => rust_type(ty),
    }
}

/// The Rust type a trait method produces for a result.
pub fn value_rust_type(value: &Value) -> TokenStream {
    match value {
        Value::Void => quote!(()),
        Value::Handle(kind) => handle_type(*kind),
        Value::String => quote!(String),
        Value::Number => quote!(f64),
        Value::Boolean => quote!(bool),
        Value::Json(ty) => rust_type(ty),
    }
}

/// The typed handle of a kind, `StackHandle`: a distinct Rust type per kind,
/// so passing a stack where a graph is expected does not compile.
pub fn handle_type(kind: HandleKind) -> TokenStream {
    let name = format_ident!("{}", kind.type_name().to_upper_camel_case());
    quote!(#name)
}
