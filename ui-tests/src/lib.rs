//! Compile-fail cases of the perry-stack macros live under `tests/`.
