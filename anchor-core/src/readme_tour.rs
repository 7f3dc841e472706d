//! Keeps the README's Rust tour and the crate root's doctest the same: the
//! doctest runs, so the README's lines are known to compile and work.

/// The lines of the README's first Rust block, except the line that
/// names the state folder and the build (the doctest uses a temporary
/// folder and the committed fixture there).
fn readme_tour() -> Vec<&'static str> {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("## Using the crate")
        .and_then(|at| readme[at..].find("```rust\n").map(|block| at + block + 8))
        .unwrap_or(0);
    let end = readme[start..].find("```").map_or(start, |e| start + e);
    readme[start..end]
        .lines()
        .filter(|line| !line.starts_with("let (state, build)"))
        .collect()
}

#[test]
fn every_line_of_the_readme_tour_is_in_the_crate_doctest() {
    let doctest: Vec<&str> = include_str!("lib.rs")
        .lines()
        .filter_map(|line| line.strip_prefix("//! "))
        .collect();
    let tour = readme_tour();
    assert!(tour.len() >= 10, "README tour not found: {tour:?}");
    for line in tour {
        assert!(
            doctest.contains(&line),
            "README line not in lib.rs's doctest: {line}"
        );
    }
}
