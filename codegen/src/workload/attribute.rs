//! `#[workload(...)]` on a struct.


use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::{parenthesized, Fields, GenericArgument, ItemStruct, LitInt, LitStr, PathArguments, Token, Type};

use perry_stack_schema::workload::{Healthcheck, Reference, ReferenceKind, Runtime, Tier, WorkloadNode};

use super::{link_macro, node_name};

/// Expands the attribute: the struct without its `#[reference]` attributes,
/// its `Workload` impl and the chaining macro for `workload_graph!`.
pub fn expand_workload(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut item: ItemStruct = match syn::parse2(item) {
        Ok(item) => item,
        Err(error) => return error.to_compile_error(),
    };
    let mut node = WorkloadNode::default();
    let mut errors = TokenStream::new();
    let mut dependencies = Vec::new();

    let parser = syn::meta::parser(|meta| {
        let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
        match key.as_str() {
            "image" => node.image = meta.value()?.parse::<LitStr>()?.value(),
            "runtime" => {
                let text: LitStr = meta.value()?.parse()?;
                node.runtime = Runtime::parse(&text.value()).ok_or_else(|| choice_error(&text, "runtime", Runtime::NAMES))?;
            }
            "tier" => {
                let text: LitStr = meta.value()?.parse()?;
                node.tier = Tier::parse(&text.value()).ok_or_else(|| choice_error(&text, "tier", Tier::NAMES))?;
            }
            "privileged" => node.options.privileged = true,
            "exclusive" => node.options.exclusive = true,
            "memory" => node.resources.memory = Some(meta.value()?.parse::<LitStr>()?.value()),
            "cpus" => node.resources.cpus = Some(meta.value()?.parse::<LitStr>()?.value()),
            "command" => node.command = Some(strings(&meta)?),
            "volumes" => node.volumes = strings(&meta)?,
            "healthcheck" => node.healthcheck = Some(Healthcheck { test: strings(&meta)?, interval_ms: 500, retries: 20 }),
            "ports" => meta.parse_nested_meta(|port| {
                let name = port.path.get_ident().map(ToString::to_string).unwrap_or_default();
                let number: LitInt = port.value()?.parse()?;
                node.ports.insert(name, number.base10_parse()?);
                Ok(())
            })?,
            "env" => meta.parse_nested_meta(|variable| {
                let name = variable.path.get_ident().map(ToString::to_string).unwrap_or_default();
                node.environment.insert(name, variable.value()?.parse::<LitStr>()?.value());
                Ok(())
            })?,
            "depends_on" => meta.parse_nested_meta(|dependency| {
                let ident = dependency.path.require_ident()?.clone();
                node.depends_on.push(node_name(&ident));
                dependencies.push(ident);
                Ok(())
            })?,
            _ => {
                return Err(meta.error(format!(
                    "unknown workload key `{key}`; expected image, command, ports, env, runtime, tier, privileged, exclusive, depends_on, memory, cpus, volumes or healthcheck"
                )))
            }
        }
        Ok(())
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, attr) {
        errors.extend(error.to_compile_error());
    }
    if node.image.is_empty() {
        errors.extend(syn::Error::new(item.ident.span(), format!("workload `{}` needs `image = \"...\"`", item.ident)).to_compile_error());
    }

    let mut targets = Vec::new();
    if let Fields::Named(fields) = &mut item.fields {
        for field in fields.named.iter_mut() {
            let mut port = None;
            let mut variable = None;
            let mut found = false;
            let mut failed = None;
            field.attrs.retain(|attribute| {
                if !attribute.path().is_ident("reference") {
                    return true;
                }
                found = true;
                if matches!(attribute.meta, syn::Meta::Path(_)) {
                    return false;
                }
                let result = attribute.parse_nested_meta(|meta| {
                    if meta.path.is_ident("port") {
                        port = Some(meta.value()?.parse::<LitStr>()?.value());
                    } else if meta.path.is_ident("env") {
                        variable = Some(meta.value()?.parse::<LitStr>()?.value());
                    } else {
                        return Err(meta.error("expected `port = \"NAME\"` or `env = \"VARIABLE\"`"));
                    }
                    Ok(())
                });
                failed = result.err();
                false
            });
            if let Some(error) = failed {
                errors.extend(error.to_compile_error());
            }
            let Some((kind, target)) = reference_type(&field.ty) else {
                if found {
                    let message = "a `#[reference]` field must have the type `Endpoint<Node>`, `Ip<Node>` or `InternalUrl<Node>`";
                    errors.extend(syn::Error::new_spanned(&field.ty, message).to_compile_error());
                }
                continue;
            };
            let field_name = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
            let variable = variable.unwrap_or_else(|| field_name.to_ascii_uppercase());
            node.references.insert(variable, Reference { kind, node: node_name(&target), port, span: Default::default(), port_span: Default::default(), name_span: Default::default() });
            targets.push(target);
        }
    }

    let ident = &item.ident;
    let name = node_name(ident);
    let json = serde_json::to_string(&node).unwrap_or_default();
    let link = link_macro(ident);
    let json_literal = LitStr::new(&json, Span::call_site());
    let checks = targets.iter().chain(&dependencies).map(|target| {
        quote_spanned!(target.span()=> __perry_is_workload::<#target>();)
    });
    quote! {
        #errors
        #item

        impl ::perry_stack::workload::Workload for #ident {
            const NAME: &'static str = #name;
            fn node() -> ::perry_stack::schema::workload::WorkloadNode {
                ::perry_stack::workload::node_from_json(#json_literal)
            }
        }

        const _: fn() = || {
            fn __perry_is_workload<T: ::perry_stack::workload::Workload>() {}
            #(#checks)*
        };

        #[doc(hidden)]
        #[allow(unused_macros)]
        macro_rules! #link {
            ($head:tt [$($done:tt)*] [$next:ident $($rest:ident)*]) => {
                $next! { $head [$($done)* (#ident #json_literal)] [$($rest)*] }
            };
            ($head:tt [$($done:tt)*] []) => {
                ::perry_stack::__workload_graph_checked! { $head [$($done)* (#ident #json_literal)] }
            };
        }
    }
}

fn choice_error(text: &LitStr, what: &str, allowed: &[&str]) -> syn::Error {
    syn::Error::new(text.span(), format!("unknown {what} `{}`; expected one of {}", text.value(), allowed.join(", ")))
}

fn strings(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Vec<String>> {
    let content;
    parenthesized!(content in meta.input);
    let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
    Ok(list.iter().map(LitStr::value).collect())
}

/// `Endpoint<Db>`, `Ip<Db>` or `InternalUrl<Db>`, with any path before it.
fn reference_type(ty: &Type) -> Option<(ReferenceKind, syn::Ident)> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    let kind = match last.ident.to_string().as_str() {
        "Endpoint" => ReferenceKind::Endpoint,
        "Ip" => ReferenceKind::Ip,
        "InternalUrl" => ReferenceKind::InternalUrl,
        _ => return None,
    };
    let PathArguments::AngleBracketed(arguments) = &last.arguments else { return None };
    let Some(GenericArgument::Type(Type::Path(target))) = arguments.args.first() else { return None };
    Some((kind, target.path.segments.last()?.ident.clone()))
}
