//! `up`, `down`, `ps`, `logs` and `exec`: commands that drive the engine.

use std::process::ExitCode;

use crate::FileArg;

macro_rules! stub_args {
    ($($name:ident),*) => {$(
        #[derive(clap::Args)]
        pub struct $name {
            #[command(flatten)]
            pub file: FileArg,
        }
    )*};
}
stub_args!(UpArgs, DownArgs, PsArgs, LogsArgs, ExecArgs);

pub fn up(args: UpArgs) -> ExitCode { let _ = args; todo!("up") }
pub fn down(args: DownArgs) -> ExitCode { let _ = args; todo!("down") }
pub fn ps(args: PsArgs) -> ExitCode { let _ = args; todo!("ps") }
pub fn logs(args: LogsArgs) -> ExitCode { let _ = args; todo!("logs") }
pub fn exec(args: ExecArgs) -> ExitCode { let _ = args; todo!("exec") }
