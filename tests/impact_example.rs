//! `examples/impact.rs` as a library: its input checks, on real files.

#[expect(dead_code, reason = "the example's main is not called here")]
#[path = "../examples/impact.rs"]
mod impact;

use std::path::PathBuf;

fn file(name: &str, text: &str) -> String {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("itsm-impact-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn load_error(name: &str, text: &str) -> String {
    let path = file(name, text);
    match impact::load(&path) {
        Ok(_) => panic!("{name} should be refused"),
        Err(e) => e.strip_prefix(&path).unwrap_or(&e).to_owned(),
    }
}

#[test]
fn malformed_edge_files_name_the_line() {
    assert_eq!(load_error("empty", ""), ":1: empty file, expected `N M`");
    assert_eq!(load_error("header", "3\n"), ":1: expected `N M`, found `3`");
    assert!(load_error("n", "x 1\n0 1\n").starts_with(":1: N `x` is not a non-negative integer"));
    assert_eq!(
        load_error("range", "3 2\n0 1\n1 3\n"),
        ":3: id 3 is not below N = 3"
    );
    assert!(
        load_error("neg", "3 1\n0 -1\n").starts_with(":2: dst `-1` is not a non-negative integer")
    );
    assert_eq!(
        load_error("fields", "3 1\n0 1 2\n"),
        ":2: expected `src dst`, found `0 1 2`"
    );
    assert_eq!(
        load_error("short", "3 2\n0 1\n"),
        ": the header announces M = 2 edges, the file has 1"
    );
    assert_eq!(
        load_error("long", "3 1\n0 1\n1 2\n"),
        ":3: more than M = 1 edges"
    );
    assert!(
        impact::load("/nonexistent/edges.txt")
            .unwrap_err()
            .contains("cannot read")
    );
}

#[test]
fn counts_are_reverse_reachability() {
    // 0 <- 1 <- 2 <- 0 is a cycle; 3 depends on 2; 4 stands alone; a self-loop and a repeat.
    let path = file("ok", "5 6\n1 0\n2 1\n0 2\n3 2\n4 4\n3 2\n");
    let (cmdb, n, edges) = impact::load(&path).unwrap();
    assert_eq!((n, edges, cmdb.len()), (5, 4, 5));
    let count = |q: u32| {
        cmdb.impact_of(&[itsm::core::Id::from_u128(q.into())])
            .unwrap()
            .down_count()
    };
    assert_eq!(
        [count(0), count(1), count(2), count(3), count(4)],
        [3, 3, 3, 0, 0]
    );
    let queries = file("q", "0\n\n4\n");
    assert_eq!(impact::queries(&queries, n).unwrap(), vec![0, 4]);
    let bad = file("qbad", "0\n9\n");
    assert!(
        impact::queries(&bad, n)
            .unwrap_err()
            .ends_with(":2: id 9 is not below N = 5")
    );
}
