//! Running a command in a container attached to this process's terminal or
//! pipes, as `exec` on the command line does.

use std::io::{IsTerminal, Read, Write};

use super::{Backend, BackendError, ExecSettings};

/// The standard streams of this process that an attached command uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attach {
    /// Whether the command reads this process's standard input.
    pub stdin: bool,
    /// Whether the command gets a terminal. Set it only when this process's
    /// standard input and output are terminals.
    pub tty: bool,
}

/// Runs the command through [`Backend::exec_with`] and copies its output to
/// this process's stdout and stderr once it has ended. Input from a pipe or
/// file is read to its end first; a terminal is not read, and no terminal
/// is given to the command.
pub(crate) async fn exec_collected<B: Backend + ?Sized>(
    backend: &B,
    id: &str,
    argv: &[String],
    settings: &ExecSettings,
    attach: Attach,
) -> Result<i64, BackendError> {
    let mut settings = settings.clone();
    if attach.stdin && settings.stdin.is_none() && !std::io::stdin().is_terminal() {
        let read = tokio::task::spawn_blocking(|| {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map(|_| bytes)
        })
        .await;
        let bytes = match read {
            Ok(result) => result.map_err(|source| BackendError::Input { source })?,
            Err(error) => return Err(BackendError::Input { source: std::io::Error::other(error.to_string()) }),
        };
        settings.stdin = Some(bytes);
    }
    let output = backend.exec_with(id, argv, &settings).await?;
    // A closed stdout or stderr (`exec ... | head`) is the reader's choice.
    let _ = std::io::stdout().lock().write_all(output.stdout.as_bytes());
    let _ = std::io::stderr().lock().write_all(output.stderr.as_bytes());
    Ok(output.exit_code)
}
