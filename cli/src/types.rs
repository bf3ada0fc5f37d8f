//! `perry-stack types`: writes the TypeScript declarations of the Perry
//! modules for projects that do not build with cargo.

use std::path::PathBuf;
use std::process::ExitCode;

use perry_stack_codegen::ffi::files::typescript_files;

#[derive(clap::Args, Debug)]
pub struct TypesArgs {
    /// Folder to write `perry/<module>/index.d.ts` into; created if missing.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn types(args: TypesArgs) -> ExitCode {
    for (relative, content) in typescript_files() {
        let path = args.out.join(&relative);
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, content));
        if let Err(error) = written {
            eprintln!("error: failed to write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
