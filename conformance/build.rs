//! Rebuilds the crate when a file is added to or removed from `scenarios/`: the library is
//! embedded with `include_dir!`, whose `include_bytes!` tracks edits of existing files but not
//! new ones. Cargo scans a directory named here recursively for changes.

fn main() {
    println!("cargo:rerun-if-changed=../scenarios");
    println!("cargo:rerun-if-changed=build.rs");
}
