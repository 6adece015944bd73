//! The README says what exists (issue 9): capabilities still to come are named only in the
//! paragraph that says they are not there yet.

const README: &str = include_str!("../README.md");

#[test]
fn the_readme_claims_no_capability_that_does_not_exist_yet() {
    let future = [
        "capacity",
        "budget",
        "bindings",
        "python package",
        "c abi",
        "availability model",
        "availability figure",
        "continuity plan",
    ];
    let mut not_yet = 0;
    for paragraph in README.split("\n\n") {
        let lower = paragraph.to_lowercase();
        if lower.starts_with("not there yet") {
            not_yet += 1;
            continue;
        }
        for word in future {
            assert!(
                !lower.contains(word),
                "the README mentions `{word}` as if it existed:\n{paragraph}"
            );
        }
    }
    assert_eq!(not_yet, 1, "the README says once what is not there yet");
}
