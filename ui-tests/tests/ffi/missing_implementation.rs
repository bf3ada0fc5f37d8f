use std::sync::Arc;

use perry_stack::ffi::*;

struct Implementation;

fn main() {
    install_api(Arc::new(Implementation));
}
