use perry_stack::schema::api::{Param, ParamType};

static TIMEOUT: Param = Param { name: "timeout", doc: "Timeout in milliseconds.", ty: ParamType::U32, optional: false };

fn main() {}
