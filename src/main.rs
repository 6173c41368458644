//! The `formulary` command: parses arguments, runs a subcommand and maps its
//! result to an exit code (see `formulary --help` and README.md).

#![forbid(unsafe_code)]

use std::any::Any;

/// Exit code when the reader of standard output went away (128 + SIGPIPE).
const EXIT_BROKEN_PIPE: i32 = 141;

fn main() {
    // `print!` panics when standard output is a closed pipe (`formulary … |
    // head`). The reader being done is not a crash: stay quiet and exit as
    // a process killed by SIGPIPE would.
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_broken_pipe(info.payload()) {
            default(info);
        }
    }));
    let cli = match formulary::cli::parse_args() {
        Ok(cli) => cli,
        Err(code) => std::process::exit(code),
    };
    let code = match std::panic::catch_unwind(|| formulary::cli::run(cli)) {
        Ok(code) => code,
        Err(payload) if is_broken_pipe(payload.as_ref()) => EXIT_BROKEN_PIPE,
        Err(payload) => std::panic::resume_unwind(payload),
    };
    std::process::exit(code);
}

fn is_broken_pipe(payload: &(dyn Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    text.contains("Broken pipe")
}
