//! Walk 3: every field of every command and query of the corpus (and of the small
//! organisation), wrong-shaped, missing, misspelt or with a field too many.

use super::*;
/// `v` with the value at `pointer` wrong-shaped, missing, misspelt or with a field too many.
fn mutations(v: &Value, pointer: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let Some(current) = v.pointer(pointer) else {
        return out;
    };
    let mut replaced = |with: Value| {
        let mut m = v.clone();
        if let Some(x) = m.pointer_mut(pointer) {
            *x = with;
        }
        out.push(m);
    };
    for wrong in [
        json!(7),
        json!(-1),
        json!(1.5),
        json!("x"),
        json!(true),
        Value::Null,
        json!([]),
        json!([7]),
        json!({}),
        json!({"bogus": 1}),
    ] {
        replaced(wrong);
    }
    if let Value::String(s) = current {
        // Misspelt; and a name given a value it does not take (`{"internal": 7}`).
        replaced(json!(format!("{s}x")));
        replaced(json!({ s.as_str(): 7 }));
    }
    if let Value::Object(o) = current {
        let mut extra = o.clone();
        extra.insert("bogus".into(), json!(1));
        replaced(Value::Object(extra));
        // A name without the value it needs (`"process_owner"`, `"transfer"`).
        if let Some(name) = o.keys().next().filter(|_| o.len() == 1) {
            replaced(json!(name));
        }
    }
    // The field left out.
    if let Some((parent, field)) = pointer.rsplit_once('/') {
        let mut m = v.clone();
        let removed = match m.pointer_mut(parent) {
            Some(Value::Object(o)) => o.remove(&field.replace("~1", "/").replace("~0", "~")),
            _ => None,
        };
        if removed.is_some() {
            out.push(m);
        }
    }
    out
}

/// misspelt or with a field too many, on the state the scenario had reached there.
#[test]
fn wrong_shaped_fields_are_refused_in_the_users_words() {
    let mut findings = Findings::default();
    let empty = Sms::new();
    let mut inputs = 0usize;
    // A value that cannot be read is refused the same way whatever the state: one input per
    // command, field (list positions alike) and wrong shape is enough.
    let mut read_once = BTreeSet::new();
    let shape = |op: &Value, pointer: &str, i: usize| {
        let p: Vec<&str> = pointer
            .split('/')
            .map(|s| if s.parse::<usize>().is_ok() { "*" } else { s })
            .collect();
        format!("{op}{}#{i}", p.join("/"))
    };
    let mut documents: Vec<(String, Vec<Value>)> = corpus()
        .into_iter()
        .map(|(file, text)| {
            let doc: Value = serde_json::from_str(&text).unwrap();
            (file, doc["steps"].as_array().unwrap().clone())
        })
        .collect();
    documents.extend(extra_documents());
    let (mut commands, mut queries) = (BTreeSet::new(), BTreeSet::new());
    for (file, steps) in documents {
        let text = Value::Array(steps.clone()).to_string();
        let mut sms = Sms::new();
        for step in steps {
            let mut step = step.clone();
            if let Some(expect) = step.get("expect") {
                let query = expect["query"].clone();
                queries.insert(query_index(&serde_json::from_value(query.clone()).unwrap()));
                let mut paths = Vec::new();
                pointers(&query, "", &mut paths);
                for p in &paths {
                    for (i, m) in mutations(&query, p).into_iter().enumerate() {
                        if serde_json::from_value::<Query>(m.clone()).is_err()
                            && !read_once.insert(shape(&query["query"], p, i))
                        {
                            continue;
                        }
                        inputs += 1;
                        let input = m.to_string();
                        for e in refusals(&sms.query_json(&crate::fuzz::versioned(&input))) {
                            if let Err(f) = check_message(&e, &format!("{input}{text}")) {
                                findings.add(f, format!("{file}: query_json {input}"));
                            }
                        }
                    }
                }
                continue;
            }
            if let Some(o) = step.as_object_mut() {
                o.remove("expect_error");
            }
            let mut paths = Vec::new();
            pointers(&step, "", &mut paths);
            for p in &paths {
                for (i, m) in mutations(&step, p).into_iter().enumerate() {
                    let input = m.to_string();
                    let mut command = m.clone();
                    let envelope_ok = command.as_object_mut().is_some_and(|o| {
                        let at = o.remove("at");
                        let actor = o.remove("actor");
                        at.and_then(|a| serde_json::from_value::<DateTime<Utc>>(a).ok())
                            .is_some()
                            && actor.is_some_and(|a| a.is_string())
                    });
                    let out = if envelope_ok && serde_json::from_value::<Command>(command).is_ok() {
                        sms.clone().apply_json(&crate::fuzz::versioned(&input))
                    } else if read_once.insert(shape(&step["op"], p, i)) {
                        empty.clone().apply_json(&crate::fuzz::versioned(&input))
                    } else {
                        continue;
                    };
                    inputs += 1;
                    for e in refusals(&out) {
                        if let Err(f) = check_message(&e, &format!("{input}{text}")) {
                            findings.add(f, format!("{file}: apply_json {input}"));
                        }
                    }
                }
            }
            let mut command = step.clone();
            if let Some(o) = command.as_object_mut() {
                o.remove("at");
                o.remove("actor");
            }
            commands.insert(command_index(&serde_json::from_value(command).unwrap()));
            let input = step.to_string();
            for e in refusals(&sms.apply_json(&crate::fuzz::versioned(&input))) {
                if let Err(f) = check_message(&e, &format!("{input}{text}")) {
                    findings.add(f, format!("{file}: apply_json {input}"));
                }
            }
        }
    }
    assert!(inputs > 5_000, "only {inputs} inputs");
    let unwalked: Vec<usize> = (0..COMMANDS).filter(|i| !commands.contains(i)).collect();
    assert!(unwalked.is_empty(), "commands never walked: {unwalked:?}");
    let unwalked: Vec<usize> = (0..QUERIES).filter(|i| !queries.contains(i)).collect();
    assert!(unwalked.is_empty(), "queries never walked: {unwalked:?}");
    findings.assert_none();
}
