//! What `make fuzz` needs from np-fuzz-targets: writes each target's built-in seeds under
//! `DIR/<target>/` and prints one line per target, `<name> <max_len>`, in run order.
//!
//! Usage: `cargo run -p np-fuzz-targets --example fuzz-seeds -- DIR`

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fuzz-seeds DIR");
        std::process::exit(2);
    };
    for target in np_fuzz_targets::TARGETS {
        let seeds = dir.join(target.name);
        std::fs::create_dir_all(&seeds)?;
        for (i, bytes) in (target.built_in_seeds)().iter().enumerate() {
            std::fs::write(seeds.join(format!("built-in-{i}")), bytes)?;
        }
        println!("{} {}", target.name, target.max_len);
    }
    Ok(())
}
