//! `#[workload]` and `workload_graph!`: workload nodes as Rust structs and
//! graphs of them whose rules are checked when the crate is built.
//!
//! An attribute sees only its own struct, so each node also emits a
//! `macro_rules!` that hands its description to the next node's macro.
//! `workload_graph!` starts that chain, and its last link calls
//! [`expand_checked_graph`] with every node of the graph at once, where
//! the graph rules run.

mod attribute;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{bracketed, parenthesized, Ident, LitStr, Token, Visibility};

use perry_stack_schema::workload::{validate, Graph, WorkloadNode};

pub use attribute::expand_workload;

/// The name of the chaining macro that `#[workload]` emits for `node`.
fn link_macro(node: &Ident) -> Ident {
    format_ident!("__perry_workload_{}", node)
}

/// `workload_graph!(pub Pipeline: Database, Batch, Web)`
struct GraphInput {
    vis: Visibility,
    name: Ident,
    nodes: Vec<Ident>,
}

impl Parse for GraphInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let vis = input.parse()?;
        let name = input.parse()?;
        input.parse::<Token![:]>()?;
        let nodes = input.parse_terminated(Ident::parse, Token![,])?;
        Ok(GraphInput { vis, name, nodes: nodes.into_iter().collect() })
    }
}

/// Expands `workload_graph!` into a call of the first node's chaining macro.
pub fn expand_graph(input: TokenStream) -> TokenStream {
    let input: GraphInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let GraphInput { vis, name, nodes } = input;
    let Some((first, rest)) = nodes.split_first() else {
        return syn::Error::new(name.span(), format!("the workload graph `{name}` has no nodes; list them after `:`")).to_compile_error();
    };
    let first = link_macro(first);
    let rest = rest.iter().map(link_macro);
    quote! { #first! { (#vis #name) [] [#(#rest)*] } }
}

/// One node as the chain passes it on: its struct name and its JSON.
struct Link {
    ty: Ident,
    json: LitStr,
}

/// `(VIS NAME) [(Type "json") ...]`, the input of the chain's last link.
struct CheckedInput {
    vis: Visibility,
    name: Ident,
    links: Vec<Link>,
}

impl Parse for CheckedInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let head;
        parenthesized!(head in input);
        let vis = head.parse()?;
        let name = head.parse()?;
        let body;
        bracketed!(body in input);
        let mut links = Vec::new();
        while !body.is_empty() {
            let link;
            parenthesized!(link in body);
            links.push(Link { ty: link.parse()?, json: link.parse()? });
        }
        Ok(CheckedInput { vis, name, links })
    }
}

/// Checks the assembled graph and emits its struct. Each broken rule is one
/// `compile_error!` at the graph's name; the struct is emitted either way so
/// that code naming it gives no second error.
pub fn expand_checked_graph(input: TokenStream) -> TokenStream {
    let input: CheckedInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let CheckedInput { vis, name, links } = input;

    let mut graph = Graph { name: heck::ToSnakeCase::to_snake_case(name.to_string().as_str()), ..Graph::default() };
    let mut errors = TokenStream::new();
    for link in &links {
        let node_name = node_name(&link.ty);
        match serde_json::from_str::<WorkloadNode>(&link.json.value()) {
            Ok(node) => {
                if graph.nodes.insert(node_name.clone(), node).is_some() {
                    errors.extend(error_at(link.ty.span(), &format!("node `{node_name}` is listed twice in the graph `{name}`")));
                }
            }
            Err(error) => errors.extend(error_at(link.ty.span(), &format!("the description of node `{node_name}` does not read back: {error}"))),
        }
    }
    for diagnostic in validate(&graph, std::path::Path::new("")) {
        let mut text = format!("{} [{}]", diagnostic.message, diagnostic.code);
        if let Some(help) = &diagnostic.help {
            text.push_str(&format!("\n= help: {help}"));
        }
        errors.extend(error_at(name.span(), &text));
    }

    let graph_name = &graph.name;
    let types = links.iter().map(|link| &link.ty);
    quote! {
        #errors
        /// A workload graph checked when the crate was built.
        #vis struct #name;

        impl #name {
            /// The graph, with every node's description.
            #vis fn graph() -> ::perry_stack::schema::workload::Graph {
                let mut graph = ::perry_stack::schema::workload::Graph {
                    name: ::std::string::String::from(#graph_name),
                    ..::core::default::Default::default()
                };
                #(
                    graph.nodes.insert(
                        ::std::string::String::from(<#types as ::perry_stack::workload::Workload>::NAME),
                        <#types as ::perry_stack::workload::Workload>::node(),
                    );
                )*
                graph
            }
        }
    }
}

/// A node's name in the graph: its struct name in snake case.
fn node_name(ty: &Ident) -> String {
    heck::ToSnakeCase::to_snake_case(ty.to_string().as_str())
}

fn error_at(span: Span, message: &str) -> TokenStream {
    quote_spanned!(span=> ::core::compile_error!(#message);)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    #[test]
    fn workload_expansion() {
        let attr = quote!(image = "localhost/web:1", tier = "hardened", ports(http = 8080), env(MODE = "prod"), depends_on(Batch));
        let item = quote! {
            struct Web {
                #[reference(port = "pg", env = "DB")]
                database: perry_stack::workload::Endpoint<Database>,
            }
        };
        insta::assert_snapshot!(crate::pretty(expand_workload(attr, item)).unwrap());
    }

    #[test]
    fn graph_expansion() {
        insta::assert_snapshot!(expand_graph(quote!(pub Pipeline: Database, Web)).to_string());
    }

    #[test]
    fn checked_graph_names_the_cycle() {
        let a = r#"{"image":"i","dependsOn":["b"]}"#;
        let b = r#"{"image":"i","dependsOn":["a"]}"#;
        let tokens = expand_checked_graph(quote!((Cycle) [(A #a) (B #b)])).to_string();
        assert!(tokens.contains("workload dependency cycle: a -> b -> a [workload-dependency-cycle]"), "{tokens}");
        assert!(tokens.contains("struct Cycle"), "the struct is emitted after an error: {tokens}");
    }
}
