//! Every fuzz target on its committed regression inputs and seeds, then on a fixed number of
//! seeded mutations of them: the short fuzzing run of `make test` (no instrumented build).
//!
//! `fuzz/regressions/<target>/` holds inputs that once crashed a target; `fuzz/seeds/<target>/`
//! holds hand-written inputs and small files the project's tools made, and
//! [`Target::built_in_seeds`] the binary ones. A failure names the target and the input,
//! escaped, to be saved as a regression file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use np_fuzz_targets::mutate::mutate;
use np_fuzz_targets::{TARGETS, Target};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Mutated inputs per target: a few seconds for all targets in a debug build on two cores.
const MUTATIONS_PER_TARGET: usize = 3000;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir` (none when it does not exist), by name.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|entry| entry.expect("a readable folder").path())
        .filter(|path| path.is_file())
        .map(|path| (path.display().to_string(), std::fs::read(&path).expect("a readable file")))
        .collect();
    files.sort();
    files
}

/// The target's committed seed files and built-in seeds.
fn seeds(target: &Target) -> Vec<(String, Vec<u8>)> {
    let mut seeds = files_in(&fuzz_dir().join("seeds").join(target.name));
    let built_in = (target.built_in_seeds)();
    seeds.extend(built_in.into_iter().enumerate().map(|(i, bytes)| (format!("built-in seed {i}"), bytes)));
    seeds
}

/// Runs one input; a panic becomes a message naming the target and the input.
fn run(target: &Target, what: &str, input: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| (target.run)(input))).map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("{}: {what} panicked ({message}); input: b\"{}\"", target.name, input.escape_ascii())
    })
}

/// Runs `check` for every target on its own thread and fails with every message.
fn for_every_target(check: impl Fn(&Target) -> Vec<String> + Sync) {
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = TARGETS.iter().map(|target| scope.spawn(|| check(target))).collect();
        workers.into_iter().flat_map(|worker| worker.join().expect("the check itself does not panic")).collect()
    });
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn regression_inputs_do_not_panic() {
    for_every_target(|target| {
        let inputs = files_in(&fuzz_dir().join("regressions").join(target.name));
        inputs.iter().filter_map(|(name, input)| run(target, name, input).err()).collect()
    });
}

#[test]
fn seeds_do_not_panic() {
    for_every_target(|target| {
        let seeds = seeds(target);
        assert!(!seeds.is_empty(), "{} has no seeds", target.name);
        seeds.iter().filter_map(|(name, input)| run(target, name, input).err()).collect()
    });
}

#[test]
fn seeded_mutations_do_not_panic() {
    for_every_target(|target| {
        let seeds = seeds(target);
        let inputs: Vec<&[u8]> = seeds.iter().map(|(_, bytes)| bytes.as_slice()).collect();
        // Keyed by the name, so adding a target leaves the others' inputs as they were.
        let key = target.name.bytes().fold(0u64, |key, b| key.wrapping_mul(257).wrapping_add(u64::from(b)));
        let mut rng = ChaCha8Rng::seed_from_u64(key);
        for i in 0..MUTATIONS_PER_TARGET {
            let (name, seed) = &seeds[i % seeds.len()];
            let input = mutate(seed, &inputs, &mut rng);
            if let Err(failure) = run(target, &format!("mutation {i} of {name}"), &input) {
                return vec![failure];
            }
        }
        Vec::new()
    });
}

/// `make fuzz` builds one libFuzzer binary per target from `fuzz/`.
#[test]
fn every_target_has_a_fuzz_binary() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for target in TARGETS {
        let source = fuzz_dir().join("fuzz_targets").join(format!("{}.rs", target.name));
        let text = std::fs::read_to_string(&source).unwrap_or_else(|_| panic!("{} is missing", source.display()));
        assert!(text.contains("fuzz_target!"), "{} is not a fuzz target", source.display());
        assert!(manifest.contains(&format!("name = \"{}\"", target.name)), "fuzz/Cargo.toml lacks {}", target.name);
    }
    let binaries = manifest.matches("[[bin]]").count();
    assert_eq!(binaries, TARGETS.len(), "fuzz/Cargo.toml builds {binaries} binaries for {} targets", TARGETS.len());
}
