//! Emitters of the typed stack module: one `expand_<item>` per generated item.
//!
//! Generated code names everything by absolute path (`::perry_stack::...`,
//! `::core::...`) so that it does not depend on what the caller imports, and
//! leaves the work to `perry_stack::typed`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::names::{PortName, ServiceName, Stack, VariableName};

/// Expands every item. Each carries `#[allow(dead_code)]` because the
/// caller's module is often private and uses only some of them.
pub(crate) fn expand_items(stack: &Stack) -> TokenStream {
    let items = [
        expand_file(stack),
        expand_service_enum(stack),
        expand_service_impl(stack),
        expand_ports(stack),
        expand_variables_struct(stack),
        expand_variables_impl(stack),
        expand_variable_infos(stack),
        expand_loaders(),
        expand_warnings(stack),
        expand_trait_impls(stack),
    ];
    quote!(#(#items)*)
}

fn expand_file(stack: &Stack) -> TokenStream {
    let path = &stack.path;
    // `include_str!` makes Cargo rebuild the crate when the file changes.
    // It is left out when the file cannot be read, so that the one error
    // about the missing file is the only error.
    let source = if stack.readable { quote!(::core::include_str!(#path)) } else { quote!("") };
    quote! {
        /// The absolute path of the compose file, as read when the crate was built.
        #[allow(dead_code)]
        pub const PATH: &str = #path;

        /// The text of the compose file, embedded when the crate was built.
        #[allow(dead_code)]
        pub const SOURCE: &str = #source;
    }
}

fn expand_service_enum(stack: &Stack) -> TokenStream {
    let variants = stack.services.iter().map(|service| {
        let doc = format!(" The `{}` service.", service.compose);
        let variant = variant_ident(service);
        quote!(#[doc = #doc] #variant,)
    });
    quote! {
        /// The services of the compose file, sorted by compose name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(dead_code)]
        pub enum Service {
            #(#variants)*
        }
    }
}

fn expand_service_impl(stack: &Stack) -> TokenStream {
    let variants: Vec<Ident> = stack.services.iter().map(variant_ident).collect();
    let names = stack.services.iter().map(|service| &service.compose);
    quote! {
        #[allow(dead_code)]
        impl Service {
            /// Every service, sorted by compose name.
            pub const ALL: &'static [Service] = &[#(Service::#variants),*];

            /// Returns the compose name of the service.
            pub const fn name(self) -> &'static str {
                match self {
                    #(Service::#variants => #names,)*
                }
            }

            /// Finds the service with this compose name.
            pub fn from_name(name: &str) -> ::core::option::Option<Self> {
                <Self as ::perry_stack::typed::StackService>::from_name(name)
            }
        }
    }
}

fn expand_ports(stack: &Stack) -> TokenStream {
    let constants = stack.ports.iter().map(expand_port);
    quote! {
        /// The ports that services declare, named `<SERVICE>_<NAME or TARGET>`.
        #[allow(dead_code)]
        pub mod ports {
            #(#constants)*
        }
    }
}

fn expand_port(port: &PortName) -> TokenStream {
    let doc = port_doc(port);
    let constant = Ident::new(&port.constant, Span::call_site());
    let service = &port.service;
    let name = option_str(port.name.as_deref());
    let target = proc_macro2::Literal::u16_unsuffixed(port.target);
    let published = option_str(port.published.as_deref());
    let protocol = &port.protocol;
    quote! {
        #[doc = #doc]
        pub const #constant: ::perry_stack::typed::DeclaredPort = ::perry_stack::typed::DeclaredPort {
            service: #service,
            name: #name,
            target: #target,
            published: #published,
            protocol: #protocol,
        };
    }
}

fn expand_variables_struct(stack: &Stack) -> TokenStream {
    let fields = stack.variables.iter().map(|variable| {
        let doc = variable_doc(variable);
        let field = field_ident(variable);
        quote!(#[doc = #doc] pub #field: ::core::option::Option<::std::string::String>,)
    });
    quote! {
        /// The variables that the compose file reads. `None` leaves a variable
        /// unset, so that the file's own default or error applies.
        #[derive(Clone, PartialEq, Eq)]
        #[allow(dead_code)]
        pub struct Variables {
            #(#fields)*
        }
    }
}

fn expand_variables_impl(stack: &Stack) -> TokenStream {
    let fields: Vec<Ident> = stack.variables.iter().map(field_ident).collect();
    let names: Vec<&String> = stack.variables.iter().map(|variable| &variable.compose).collect();
    let defaults = stack.variables.iter().map(|variable| option_str(variable.default.as_deref()));
    quote! {
        #[allow(dead_code)]
        impl Variables {
            /// Reads every variable from the process environment, falling
            /// back to its default.
            pub fn from_env() -> Self {
                Self { #(#fields: ::perry_stack::typed::env_or(#names, #defaults),)* }
            }

            /// Returns the value of a variable, by its name in the compose file.
            pub fn get(&self, name: &str) -> ::core::option::Option<&str> {
                match name {
                    #(#names => self.#fields.as_deref(),)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}

fn expand_variable_infos(stack: &Stack) -> TokenStream {
    let infos = stack.variables.iter().map(|variable| {
        let name = &variable.compose;
        let default = option_str(variable.default.as_deref());
        quote!(::perry_stack::typed::VariableInfo { name: #name, default: #default })
    });
    quote! {
        /// The variables that the compose file reads, sorted by name.
        #[allow(dead_code)]
        pub const VARIABLES: &[::perry_stack::typed::VariableInfo] = &[#(#infos),*];
    }
}

fn expand_loaders() -> TokenStream {
    quote! {
        /// Loads the embedded compose file, interpolating with the process
        /// environment.
        #[allow(dead_code)]
        pub fn stack() -> ::core::result::Result<::perry_stack::Project, ::perry_stack::Diagnostics> {
            ::perry_stack::typed::load_from_env(SOURCE, PATH)
        }

        /// Loads the embedded compose file, interpolating with exactly these
        /// variables.
        #[allow(dead_code)]
        pub fn stack_with(variables: &Variables) -> ::core::result::Result<::perry_stack::Project, ::perry_stack::Diagnostics> {
            ::perry_stack::typed::load_with(SOURCE, PATH, |name| variables.get(name))
        }
    }
}

fn expand_warnings(stack: &Stack) -> TokenStream {
    let warnings = &stack.warnings;
    quote! {
        /// The warnings that checking the compose file found when the crate
        /// was built, such as keys that are not supported yet. They do not
        /// fail the build; `perry-stack check` prints them with a snippet.
        #[allow(dead_code)]
        pub const WARNINGS: &[&str] = &[#(#warnings),*];
    }
}

fn expand_trait_impls(stack: &Stack) -> TokenStream {
    let fields = stack.variables.iter().map(field_ident);
    let defaults = stack.variables.iter().map(|variable| option_string(variable.default.as_deref()));
    quote! {
        const _: () = {
            impl ::perry_stack::typed::StackService for Service {
                const ALL: &'static [Self] = Service::ALL;

                fn name(self) -> &'static str {
                    Service::name(self)
                }
            }

            impl ::core::fmt::Display for Service {
                fn fmt(&self, formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    formatter.write_str(self.name())
                }
            }

            impl ::core::default::Default for Variables {
                fn default() -> Self {
                    Self { #(#fields: #defaults,)* }
                }
            }

            // Values can be secrets, so only whether each variable is set is shown.
            impl ::core::fmt::Debug for Variables {
                fn fmt(&self, formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::perry_stack::typed::debug_variables(formatter, "Variables", VARIABLES, |name| self.get(name))
                }
            }
        };
    }
}

fn variant_ident(service: &ServiceName) -> Ident {
    Ident::new(&service.variant, Span::call_site())
}

fn field_ident(variable: &VariableName) -> Ident {
    match variable.field.strip_prefix("r#") {
        Some(keyword) => Ident::new_raw(keyword, Span::call_site()),
        None => format_ident!("{}", variable.field),
    }
}

fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}

fn option_string(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(::std::string::String::from(#value))),
        None => quote!(::core::option::Option::None),
    }
}

fn port_doc(port: &PortName) -> String {
    let mapping = match &port.published {
        Some(published) => format!("{published}:{}/{}", port.target, port.protocol),
        None => format!("{}/{}", port.target, port.protocol),
    };
    match &port.name {
        Some(name) => format!(" Port `{mapping}` of service `{}`, named `{name}`.", port.service),
        None => format!(" Port `{mapping}` of service `{}`.", port.service),
    }
}

fn variable_doc(variable: &VariableName) -> String {
    let name = &variable.compose;
    match (&variable.default, &variable.required) {
        (Some(default), _) => format!(" `${{{name}:-{default}}}`: defaults to `{default}`."),
        (None, Some(message)) if message.is_empty() => format!(" `${{{name}:?}}`: required."),
        (None, Some(message)) => format!(" `${{{name}:?{message}}}`: required."),
        (None, None) => format!(" `${{{name}}}`: no default."),
    }
}
