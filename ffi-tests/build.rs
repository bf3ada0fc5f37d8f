//! Compiles the C test host and the C calls against the generated header.

fn main() {
    let header_dir = "../generated";
    println!("cargo:rerun-if-changed=c/host.c");
    println!("cargo:rerun-if-changed=c/calls.c");
    println!("cargo:rerun-if-changed=c/every.c");
    println!("cargo:rerun-if-changed=c/podman.c");
    println!("cargo:rerun-if-changed=c/workloads.c");
    println!("cargo:rerun-if-changed=c/host.h");
    println!("cargo:rerun-if-changed={header_dir}/perry_stack.h");

    cc::Build::new()
        .file("c/host.c")
        .file("c/calls.c")
        .file("c/every.c")
        .file("c/podman.c")
        .file("c/workloads.c")
        .include(header_dir)
        .include("c")
        .warnings(true)
        .extra_warnings(true)
        .flag_if_supported("-Werror")
        .flag_if_supported("-std=c11")
        .compile("perry_stack_ffi_c");
}
