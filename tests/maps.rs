//! The text of service maps drawn from hostile keys and names (`itsm_testkit::hostile`): every
//! line is one the renderer writes, no key or name adds a line, a statement, a directive, a
//! comment or markup, and every label decodes back to exactly the caller's text. (The real
//! Graphviz and Mermaid read the same maps in `crates/cli/tests/maps.rs`.)

use itsm::cmdb::ServiceMap;
use itsm_testkit::hostile;

const WORD_JOINER: char = '\u{2060}';

/// What a label shows of a caller text: line breaks as `\n`, other control characters as
/// U+FFFD, word joiners dropped (the Mermaid escaping inserts them, invisibly).
fn shown(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c != WORD_JOINER)
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// The text a node's label must decode to.
fn node_label(map: &ServiceMap, i: usize) -> String {
    let n = map.nodes.get(i).unwrap();
    let mut lines = vec![shown(&n.key)];
    if n.name != n.key {
        lines.push(shown(&n.name));
    }
    lines.push(format!("({})", shown(n.kind.name())));
    lines.join("\n")
}

fn group_label(map: &ServiceMap, i: usize) -> String {
    let g = map.groups.get(i).unwrap();
    format!("{}\n{} of {}", shown(&g.name), g.min_up, g.size)
}

fn is_id(s: &str) -> bool {
    let digits = s.strip_prefix('n').or_else(|| s.strip_prefix('g'));
    digits.is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
}

const KINDS: [&str; 7] = [
    "runs on",
    "connects to",
    "provided by",
    "supported by",
    "consumed by",
    "documented by",
    "part of",
];

// ---------------------------------------------------------------------------------------------
// Mermaid

/// Decodes a Mermaid label, refusing any character the escaping must not let through.
fn decode_mermaid(label: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = label;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("<br/>") {
            out.push('\n');
            rest = r;
        } else if c == '#' {
            let end = rest.find(';').ok_or("a `#` opens no entity")?;
            let code: u32 = rest[1..end]
                .parse()
                .map_err(|_| format!("`{}` is not a numeric entity", &rest[..=end]))?;
            out.push(char::from_u32(code).ok_or("a bad code point")?);
            rest = &rest[end + 1..];
        } else if matches!(
            c,
            '"' | '<' | '>' | '%' | '`' | '&' | '\\' | ':' | ';' | '|'
        ) || c.is_control()
        {
            return Err(format!("a raw `{}` in the label", c.escape_default()));
        } else {
            if c != WORD_JOINER {
                out.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok(out)
}

const CLASS_DEFS: [&str; 7] = [
    "  classDef root stroke-width:3px;",
    "  classDef failed fill:#f8b4b4,stroke:#7f1d1d,stroke-width:4px;",
    "  classDef down fill:#f8b4b4,stroke:#b91c1c;",
    "  classDef degraded fill:#fde68a,stroke:#b45309;",
    "  classDef retired fill:#e5e7eb,stroke:#6b7280;",
    "  classDef planned stroke-dasharray: 5 5;",
    "  classDef group fill:#f3f4f6,stroke:#6b7280;",
];

/// Checks every line of a Mermaid map; returns the problems.
fn check_mermaid(map: &ServiceMap, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if text.contains("%%") {
        problems.push("`%%` in the text".to_owned());
    }
    let mut lines = text.lines();
    if lines.next() != Some("flowchart TD") {
        problems.push("no `flowchart TD` header".to_owned());
    }
    let (mut nodes, mut groups) = (0, 0);
    for line in lines {
        let Some(body) = line.strip_prefix("  ") else {
            problems.push(format!("unindented line `{line}`"));
            continue;
        };
        let node = format!("n{nodes}");
        let group = format!("g{groups}");
        let declared = if let Some(label) = body
            .strip_prefix(&format!("{node}[[\""))
            .and_then(|l| l.strip_suffix("\"]]"))
            .filter(|_| nodes == 0)
            .or_else(|| {
                body.strip_prefix(&format!("{node}[\""))
                    .and_then(|l| l.strip_suffix("\"]"))
                    .filter(|_| nodes > 0)
            }) {
            nodes += 1;
            Some((label, node_label(map, nodes - 1)))
        } else if let Some(label) = body
            .strip_prefix(&format!("{group}{{{{\""))
            .and_then(|l| l.strip_suffix("\"}}"))
        {
            groups += 1;
            Some((label, group_label(map, groups - 1)))
        } else {
            None
        };
        if let Some((label, expected)) = declared {
            match decode_mermaid(label) {
                Ok(decoded) if decoded == expected => {}
                Ok(decoded) => problems.push(format!("`{line}` reads `{decoded}`")),
                Err(e) => problems.push(format!("`{line}`: {e}")),
            }
            continue;
        }
        let words: Vec<&str> = body.split(' ').collect();
        let edge = match words.as_slice() {
            [a, "-->" | "-.->", b] => is_id(a) && is_id(b),
            [a, arrow, b] if arrow.starts_with("-->|\"") || arrow.starts_with("-.->|\"") => {
                is_id(a) && is_id(b)
            }
            _ => false,
        };
        let labelled = body
            .split("|\"")
            .nth(1)
            .and_then(|l| l.split("\"|").next())
            .map(|l| (l, body.replacen(&format!("|\"{l}\"|"), "", 1)));
        let edge = edge
            || labelled.is_some_and(|(l, rest)| {
                KINDS.contains(&l)
                    && matches!(rest.split(' ').collect::<Vec<_>>().as_slice(),
                        [a, "-->" | "-.->", b] if is_id(a) && is_id(b))
            });
        let class = matches!(words.as_slice(),
            ["class", id, c] if is_id(id) && ["root;", "failed;", "down;", "degraded;", "retired;", "planned;", "group;"].contains(c));
        if !(edge || class || CLASS_DEFS.contains(&line)) {
            problems.push(format!("unexpected line `{line}`"));
        }
    }
    if nodes != map.nodes.len() || groups != map.groups.len() {
        problems.push(format!("{nodes} nodes and {groups} groups declared"));
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// DOT

/// Reads a DOT label at the start of `s` (after `label="`): its decoded text and the rest of
/// the line after the closing quote.
fn decode_dot(s: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &s[at + 1..])),
            '\\' => match chars.next() {
                Some((_, '\\')) => out.push('\\'),
                Some((_, '"')) => out.push('"'),
                Some((_, 'n')) => out.push('\n'),
                other => return Err(format!("`\\{}` in a label", other.map_or(' ', |o| o.1))),
            },
            '&' => {
                if !s[at..].starts_with("&amp;") {
                    return Err("a raw `&` in a label".to_owned());
                }
                out.push('&');
                for _ in 0..4 {
                    chars.next();
                }
            }
            c if c.is_control() => return Err("a control character in a label".to_owned()),
            c => out.push(c),
        }
    }
    Err("an unclosed label".to_owned())
}

/// Checks every line of a DOT map; returns the problems.
fn check_dot(map: &ServiceMap, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut lines = text.lines();
    for header in [
        "digraph service_map {",
        "  rankdir=TB;",
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];",
    ] {
        if lines.next() != Some(header) {
            problems.push(format!("no `{header}`"));
        }
    }
    if !text.ends_with("\n}\n") {
        problems.push("not closed".to_owned());
    }
    let (mut nodes, mut groups) = (0, 0);
    for line in lines.filter(|l| *l != "}") {
        let node = format!("  n{nodes} [label=\"");
        let group = format!("  g{groups} [label=\"");
        let (label, expected, tail_ok): (&str, String, fn(&str) -> bool) =
            if let Some(l) = line.strip_prefix(&node) {
                nodes += 1;
                (l, node_label(map, nodes - 1), |t| {
                    t.starts_with(", shape=") && t.ends_with("];") && !t.contains("label")
                })
            } else if let Some(l) = line.strip_prefix(&group) {
                groups += 1;
                (l, group_label(map, groups - 1), |t| {
                    t.starts_with(", shape=hexagon, style=\"filled\", fillcolor=\"#")
                        && t.ends_with(", fontsize=10];")
                })
            } else {
                let words: Vec<&str> = line.trim_start().splitn(4, ' ').collect();
                let ok = match words.as_slice() {
                    [a, "->", b, attrs] => {
                        is_id(a)
                            && is_id(b)
                            && (matches!(*attrs, "[style=solid];" | "[style=dotted];")
                                || KINDS.iter().any(|k| {
                                    *attrs == format!("[label=\"{k}\", style=solid];")
                                        || *attrs == format!("[label=\"{k}\", style=dotted];")
                                }))
                    }
                    _ => false,
                };
                if !ok {
                    problems.push(format!("unexpected line `{line}`"));
                }
                continue;
            };
        match decode_dot(label) {
            Ok((decoded, tail)) if decoded == expected && tail_ok(tail) => {}
            Ok((decoded, tail)) => {
                problems.push(format!("`{line}` reads `{decoded}` then `{tail}`"))
            }
            Err(e) => problems.push(format!("`{line}`: {e}")),
        }
    }
    if nodes != map.nodes.len() || groups != map.groups.len() {
        problems.push(format!("{nodes} nodes and {groups} groups declared"));
    }
    problems
}

// ---------------------------------------------------------------------------------------------

#[test]
fn no_key_or_name_adds_a_line_a_directive_or_markup_to_a_mermaid_map() {
    let maps = hostile::maps().unwrap();
    assert!(maps.len() >= 20);
    let mut problems = Vec::new();
    for m in &maps {
        for p in check_mermaid(&m.map, &m.map.to_mermaid()) {
            problems.push(format!("{}: {p}", m.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_key_or_name_adds_a_line_an_escape_or_an_entity_to_a_dot_map() {
    let mut problems = Vec::new();
    for m in &hostile::maps().unwrap() {
        for p in check_dot(&m.map, &m.map.to_dot()) {
            problems.push(format!("{}: {p}", m.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_map_checks_catch_what_the_old_escaping_let_through() {
    // The checks above must be able to fail: a map escaped as before issue 9 fails them.
    let maps = hostile::maps().unwrap();
    let m = &maps[0].map;
    let old = m.to_mermaid().replacen(
        &m.to_mermaid().lines().nth(2).unwrap().to_owned(),
        "  n1[\"%%{init: {'theme':'dark'}}%%<br/>x\"]",
        1,
    );
    assert!(!check_mermaid(m, &old).is_empty());
    let amp = maps
        .iter()
        .find(|m| m.map.to_dot().contains("&amp;lt;b&amp;gt;"))
        .unwrap();
    let old_dot = amp.map.to_dot().replacen("&amp;lt;", "&lt;", 1);
    assert!(!check_dot(&amp.map, &old_dot).is_empty());
    let injected = format!("{}  click n0 call alert()\n", m.to_mermaid());
    assert!(!check_mermaid(m, &injected).is_empty());
}
