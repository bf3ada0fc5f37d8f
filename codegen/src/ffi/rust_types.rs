//! Rust structs for the structured types, generated from the same
//! declarations as the TypeScript interfaces, so a field cannot exist on one
//! side only. Unknown fields are rejected when deserializing.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};
use perry_stack_schema::api::walk::{named_types, named_unions};
use perry_stack_schema::api::{HandleKind, JsonKind, Module, ParamType, TypeDecl, TypeRef, UnionDecl, Value};
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

/// Every named union of every module, by name.
pub fn all_named_unions(modules: &[&Module]) -> BTreeMap<&'static str, &'static UnionDecl> {
    let mut all = BTreeMap::new();
    for module in modules {
        all.extend(named_unions(module));
    }
    all
}

/// Expands the enum of one named union: serialized untagged, and
/// deserialized by the JSON kind of the value, so an error inside the chosen
/// member (an unknown field, say) reaches the caller instead of serde's
/// "did not match any variant".
pub fn expand_union(decl: &UnionDecl) -> TokenStream {
    let name = format_ident!("{}", decl.name);
    let doc = decl.doc;
    let variants = decl.members.iter().map(|member| {
        let variant = format_ident!("{}", member.name);
        match member.ty {
            TypeRef::Null => quote!(#variant,),
            _ => {
                let ty = rust_type(&member.ty);
                quote!(#variant(#ty),)
            }
        }
    });
    let arms = decl.members.iter().map(|member| {
        let variant = format_ident!("{}", member.name);
        let pattern = match member.ty.json_kind() {
            Some(JsonKind::String) => quote!(serde_json::Value::String(_)),
            Some(JsonKind::Number) => quote!(serde_json::Value::Number(_)),
            Some(JsonKind::Boolean) => quote!(serde_json::Value::Bool(_)),
            Some(JsonKind::Array) => quote!(serde_json::Value::Array(_)),
            Some(JsonKind::Object) => quote!(serde_json::Value::Object(_)),
            Some(JsonKind::Null) => quote!(serde_json::Value::Null),
            // Rejected by the declaration's validation.
            None => panic!("member `{}` of union `{}` has no single JSON kind", member.name, decl.name),
        };
        match member.ty {
            TypeRef::Null => quote!(#pattern => Ok(#name::#variant),),
            _ => quote!(#pattern => serde_json::from_value(value).map(#name::#variant).map_err(serde::de::Error::custom),),
        }
    });
    let expecting = expecting(decl);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                #[allow(unreachable_patterns)]
                match value {
                    #(#arms)*
                    other => {
                        let found = match other {
                            serde_json::Value::String(_) => "a string",
                            serde_json::Value::Number(_) => "a number",
                            serde_json::Value::Bool(_) => "a boolean",
                            serde_json::Value::Array(_) => "an array",
                            serde_json::Value::Object(_) => "an object",
                            serde_json::Value::Null => "null",
                        };
                        Err(serde::de::Error::custom(format_args!("invalid type: {found}, expected {}", #expecting)))
                    }
                }
            }
        }
    }
}

/// Describes what a union accepts, such as `a string or an array`.
fn expecting(decl: &UnionDecl) -> String {
    let words: Vec<&str> = decl
        .members
        .iter()
        .map(|member| match member.ty.json_kind() {
            Some(JsonKind::String) => "a string",
            Some(JsonKind::Number) => "a number",
            Some(JsonKind::Boolean) => "a boolean",
            Some(JsonKind::Array) => "an array",
            Some(JsonKind::Object) => "an object",
            Some(JsonKind::Null) | None => "null",
        })
        .collect();
    match words.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Expands the struct of one named type.
pub fn expand_struct(decl: &TypeDecl) -> TokenStream {
    let name = format_ident!("{}", decl.name);
    let doc = decl.doc;
    let fields = decl.fields.iter().map(|field| {
        let ident = field_ident(field.name);
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
    // A type whose fields are all optional is empty by default, so Rust
    // callers can spell out only the fields they set.
    let default = decl.fields.iter().all(|field| field.optional).then(|| quote!(Default,));
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, #default PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct #name {
            #(#fields)*
        }
    }
}

/// Returns the Rust field name of a wire name. A keyword such as `type`
/// becomes a raw identifier.
fn field_ident(wire: &str) -> proc_macro2::Ident {
    let name = wire.to_snake_case();
    match syn::parse_str::<syn::Ident>(&name) {
        Ok(ident) => ident,
        Err(_) => proc_macro2::Ident::new_raw(&name, proc_macro2::Span::call_site()),
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
        TypeRef::Null => quote!(()),
        TypeRef::Union(decl) => {
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
