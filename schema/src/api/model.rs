//! The declaration model of the Perry modules.
//!
//! Each parameter and result type is one variant of a closed enum, and every
//! variant has an ABI mapping, so a declaration cannot name a type that has
//! none: it would not compile. All items are `const`-constructible, so the
//! declaration is plain Rust data that a proc macro and a build script read
//! the same way.

/// A Perry module such as `perry/compose`.
#[derive(Debug, PartialEq)]
pub struct Module {
    /// The import specifier, `perry/compose`.
    pub specifier: &'static str,
    /// The short name used in symbols and file paths, `compose`.
    pub name: &'static str,
    pub doc: &'static str,
    pub functions: &'static [Function],
}

/// One declared function of a module.
#[derive(Debug, PartialEq)]
pub struct Function {
    /// The TypeScript name, `pullImage`.
    pub name: &'static str,
    pub doc: &'static str,
    pub params: &'static [Param],
    pub returns: Returns,
}

#[derive(Debug, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub doc: &'static str,
    pub ty: ParamType,
    /// An optional parameter may be omitted; it arrives as undefined in an
    /// `F64` slot and as `0` in an `int64_t` slot.
    pub optional: bool,
}

/// The kinds of object the handle registry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HandleKind {
    Container,
    Stack,
    Graph,
}

impl HandleKind {
    pub const ALL: [HandleKind; 3] = [HandleKind::Container, HandleKind::Stack, HandleKind::Graph];

    /// The TypeScript type, which is also the class filter of receiver rows.
    pub const fn type_name(self) -> &'static str {
        match self {
            HandleKind::Container => "ContainerHandle",
            HandleKind::Stack => "StackHandle",
            HandleKind::Graph => "GraphHandle",
        }
    }

    /// The lower-case word used in symbols, `stack`.
    pub const fn word(self) -> &'static str {
        match self {
            HandleKind::Container => "container",
            HandleKind::Stack => "stack",
            HandleKind::Graph => "graph",
        }
    }

    /// The 4-bit code stored in a handle's payload; `0` is never used, so a
    /// zero payload is never a valid handle.
    pub const fn code(self) -> u8 {
        match self {
            HandleKind::Container => 1,
            HandleKind::Stack => 2,
            HandleKind::Graph => 3,
        }
    }

    pub const fn from_code(code: u8) -> Option<HandleKind> {
        match code {
            1 => Some(HandleKind::Container),
            2 => Some(HandleKind::Stack),
            3 => Some(HandleKind::Graph),
            _ => None,
        }
    }
}

/// A parameter type, one per row of the ABI mapping.
#[derive(Debug, PartialEq)]
pub enum ParamType {
    /// A handle of one kind: `double` in an `F64` slot.
    Handle(HandleKind),
    /// A string: a `StringHeader*` in a `StrPtr` slot.
    String,
    /// A string restricted to the listed values: `StrPtr`, checked on decode.
    Literal(&'static [&'static str]),
    /// A number: `double` in an `F64` slot.
    Number,
    /// A boolean: `double` in an `F64` slot, true or false tags only.
    Boolean,
    /// An object or array: all 64 bits in a `JsvalI64` slot, JSON-stringified
    /// through the host and deserialized.
    Structured(TypeRef),
}

/// What a function returns.
#[derive(Debug, PartialEq)]
pub enum Returns {
    /// A promise (return kind `Ptr`) settled with the value.
    Promise(Value),
    /// A value returned directly; callable before anything else exists.
    Sync(Value),
}

/// A result value.
#[derive(Debug, PartialEq)]
pub enum Value {
    /// Undefined.
    Void,
    Handle(HandleKind),
    String,
    Number,
    Boolean,
    /// A JSON value parsed by the host into an object or array of this type.
    Json(TypeRef),
}

/// A TypeScript type built from strings, numbers, booleans, arrays, string
/// maps, named object types and named unions.
#[derive(Debug, PartialEq)]
pub enum TypeRef {
    String,
    Number,
    Boolean,
    /// A value whose shape is not declared (`unknown` in TypeScript).
    Unknown,
    /// A union of string literals.
    Literal(&'static [&'static str]),
    Array(&'static TypeRef),
    /// An object with string keys, `Record<string, T>`.
    Map(&'static TypeRef),
    Named(&'static TypeDecl),
    /// JSON `null`, as a member of a union such as `string | null`.
    Null,
    /// One of several types, `string | string[]`.
    Union(&'static UnionDecl),
}

/// A named union such as `ComposeCommand = string | string[]`.
///
/// Each member must be a different JSON kind (string, number, boolean,
/// array, object, null), so a value selects its member by its kind alone and
/// a decoding error inside that member is reported as is.
#[derive(Debug, PartialEq)]
pub struct UnionDecl {
    pub name: &'static str,
    pub doc: &'static str,
    pub members: &'static [Member],
}

/// One member of a union. `name` is its Rust variant, such as `List`.
#[derive(Debug, PartialEq)]
pub struct Member {
    pub name: &'static str,
    pub ty: TypeRef,
}

/// The JSON kind of a value, which selects a union's member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum JsonKind {
    String,
    Number,
    Boolean,
    Array,
    Object,
    Null,
}

impl TypeRef {
    /// Returns the JSON kind of every value of this type, or `None` for
    /// `Unknown` and unions, whose values have several kinds.
    pub const fn json_kind(&self) -> Option<JsonKind> {
        match self {
            TypeRef::String | TypeRef::Literal(_) => Some(JsonKind::String),
            TypeRef::Number => Some(JsonKind::Number),
            TypeRef::Boolean => Some(JsonKind::Boolean),
            TypeRef::Array(_) => Some(JsonKind::Array),
            TypeRef::Map(_) | TypeRef::Named(_) => Some(JsonKind::Object),
            TypeRef::Null => Some(JsonKind::Null),
            TypeRef::Unknown | TypeRef::Union(_) => None,
        }
    }
}

/// A named object type such as `UpOptions`.
#[derive(Debug, PartialEq)]
pub struct TypeDecl {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [Field],
}

#[derive(Debug, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub doc: &'static str,
    pub ty: TypeRef,
    pub optional: bool,
}

impl Function {
    /// The handle kind of the receiver form, when the first parameter is a
    /// required handle: `down(stack)` is also `stack.down()`.
    pub fn receiver(&self) -> Option<HandleKind> {
        match self.params.first() {
            Some(Param { ty: ParamType::Handle(kind), optional: false, .. }) => Some(*kind),
            _ => None,
        }
    }
}
