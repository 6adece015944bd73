//! What an expectation's check says about a value: whether it holds, and if not, why, in words
//! a reader of the report can act on.

use std::cmp::Ordering;

use serde_json::Value;

use crate::Check;

/// Whether `check` holds for `value`; when it does not, a note saying why beyond "found X"
/// (what is missing or extra, or why the check does not apply to a value of this shape).
pub(crate) fn evaluate(value: &Value, check: &Check) -> Result<(), Option<String>> {
    let size = |v: &Value| v.as_array().map(|a| a.len() as f64).or_else(|| v.as_f64());
    let holds = |b: bool| if b { Ok(()) } else { Err(None) };
    match check {
        Check::Equals(e) => holds(value == e),
        Check::Contains(e) => holds(contains(value, e) == Some(true)),
        Check::NotContains(e) => match contains(value, e) {
            Some(found) => holds(!found),
            None => Err(Some(not_applicable("not_contains", value, e))),
        },
        Check::SameSet(expected) => {
            let Value::Array(found) = value else {
                return Err(Some(format!(
                    "`same_set` compares arrays, and the answer here is {}",
                    shape(value)
                )));
            };
            let (missing, unexpected) = multiset_difference(expected, found);
            if missing.is_empty() && unexpected.is_empty() {
                return Ok(());
            }
            let list = |what: &str, v: &[&Value]| {
                (!v.is_empty())
                    .then(|| format!("{what} {}", serde_json::to_string(v).unwrap_or_default()))
            };
            let parts: Vec<String> = [list("missing", &missing), list("unexpected", &unexpected)]
                .into_iter()
                .flatten()
                .collect();
            Err(Some(parts.join("; ")))
        }
        Check::AtLeast(n) => holds(size(value).is_some_and(|v| v >= *n)),
        Check::AtMost(n) => holds(size(value).is_some_and(|v| v <= *n)),
    }
}

/// Whether `value` contains `element` (an array's element, a string's substring, an object's
/// key); `None` when containment does not apply to the pair.
fn contains(value: &Value, element: &Value) -> Option<bool> {
    match (value, element) {
        (Value::Array(a), _) => Some(a.contains(element)),
        (Value::String(s), Value::String(sub)) => Some(s.contains(sub.as_str())),
        (Value::Object(o), Value::String(k)) => Some(o.contains_key(k)),
        _ => None,
    }
}

/// Why `check` cannot say whether `value` contains `element`.
fn not_applicable(check: &str, value: &Value, element: &Value) -> String {
    match value {
        Value::String(_) | Value::Object(_) => format!(
            "`{check}` looks for text in a string and for a key in an object, and was given {}",
            shape(element)
        ),
        _ => format!(
            "`{check}` looks in an array, a string or an object, and the answer here is {}",
            shape(value)
        ),
    }
}

/// A value's shape, in words.
fn shape(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The elements of `expected` not matched in `found`, and those of `found` not matched in
/// `expected`, counting repeats (multiset difference). Sorts both sides once: `n log n`
/// comparisons, however the arrays are ordered.
fn multiset_difference<'a>(
    expected: &'a [Value],
    found: &'a [Value],
) -> (Vec<&'a Value>, Vec<&'a Value>) {
    let sorted = |v: &'a [Value]| {
        let mut s: Vec<&Value> = v.iter().collect();
        s.sort_by(|a, b| order(a, b));
        s
    };
    let (expected, found) = (sorted(expected), sorted(found));
    let (mut missing, mut unexpected) = (Vec::new(), Vec::new());
    let (mut e, mut f) = (
        expected.into_iter().peekable(),
        found.into_iter().peekable(),
    );
    loop {
        match (e.peek(), f.peek()) {
            (None, None) => break,
            (Some(_), None) => missing.extend(e.by_ref()),
            (None, Some(_)) => unexpected.extend(f.by_ref()),
            (Some(a), Some(b)) => match order(a, b) {
                Ordering::Less => missing.extend(e.next()),
                Ordering::Greater => unexpected.extend(f.next()),
                Ordering::Equal => {
                    e.next();
                    f.next();
                }
            },
        }
    }
    (missing, unexpected)
}

/// An object's entries in key order (whatever order the map keeps them in).
fn entries(m: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut v: Vec<(&String, &Value)> = m.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

/// A total order on JSON values that agrees with `==`: values of different types by type,
/// numbers by kind then value (`1` and `1.0` differ, as they do under `==`), arrays
/// element-wise, objects by their entries in key order.
fn order(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_u64(), y.as_u64(), x.as_i64(), y.as_i64()) {
                (Some(x), Some(y), _, _) => x.cmp(&y),
                (Some(_), None, _, _) => Ordering::Less,
                (None, Some(_), _, _) => Ordering::Greater,
                (None, None, Some(x), Some(y)) => x.cmp(&y),
                (None, None, Some(_), None) => Ordering::Less,
                (None, None, None, Some(_)) => Ordering::Greater,
                // Floats (serde_json holds no NaN); `-0.0` and `0.0` are equal, as under `==`.
                (None, None, None, None) => {
                    let (x, y) = (
                        x.as_f64().unwrap_or_default(),
                        y.as_f64().unwrap_or_default(),
                    );
                    x.partial_cmp(&y).unwrap_or(Ordering::Equal)
                }
            }
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(a, b)| order(a, b))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        (Value::Object(x), Value::Object(y)) => {
            let (x, y) = (entries(x), entries(y));
            x.iter()
                .zip(&y)
                .map(|((ka, va), (kb, vb))| ka.cmp(kb).then_with(|| order(va, vb)))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| x.len().cmp(&y.len()))
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn holds(value: Value, check: Check) -> bool {
        evaluate(&value, &check).is_ok()
    }

    fn note(value: Value, check: Check) -> String {
        evaluate(&value, &check).err().flatten().unwrap_or_default()
    }

    #[test]
    fn not_contains_holds_where_contains_does_not_on_arrays_strings_and_objects() {
        for (value, element) in [
            (json!(["a", "b"]), json!("a")),
            (json!([1, [2]]), json!([2])),
            (json!("online banking"), json!("bank")),
            (json!({"risk": 1}), json!("risk")),
        ] {
            assert!(holds(value.clone(), Check::Contains(element.clone())));
            assert!(!holds(value.clone(), Check::NotContains(element.clone())));
            assert_eq!(note(value, Check::NotContains(element)), "");
        }
        for (value, element) in [
            (json!(["a", "b"]), json!("c")),
            (json!([]), json!("a")),
            (json!([1]), json!(1.0)),
            (json!("online banking"), json!("Bank")),
            (json!({"risk": 1}), json!("change")),
        ] {
            assert!(!holds(value.clone(), Check::Contains(element.clone())));
            assert!(holds(value, Check::NotContains(element)));
        }
    }

    /// A `not_contains` on a value nothing can be looked for in (a number at a mistyped
    /// path, an object asked about a number) would hold whatever the engine said.
    #[test]
    fn not_contains_fails_on_a_value_it_cannot_look_in_rather_than_holding_vacuously() {
        assert!(!holds(json!(3), Check::NotContains(json!("a"))));
        assert!(
            note(json!(3), Check::NotContains(json!("a"))).contains("the answer here is a number")
        );
        assert!(!holds(json!(null), Check::NotContains(json!("a"))));
        assert!(!holds(json!({"a": 1}), Check::NotContains(json!(1))));
        assert!(
            note(json!({"a": 1}), Check::NotContains(json!(1)))
                .contains("a key in an object, and was given a number")
        );
        assert!(!holds(json!("text"), Check::NotContains(json!(["t"]))));
    }

    #[test]
    fn same_set_ignores_order_and_counts_repeats() {
        let set = |v: Value| match v {
            Value::Array(a) => Check::SameSet(a),
            _ => Check::SameSet(Vec::new()),
        };
        assert!(holds(json!(["b", "a", "c"]), set(json!(["a", "b", "c"]))));
        assert!(holds(json!([]), set(json!([]))));
        assert!(holds(
            json!([{"r": 2, "l": "High"}, {"r": 1}]),
            set(json!([{"r": 1}, {"l": "High", "r": 2}]))
        ));
        assert!(holds(json!([1, "1", null]), set(json!([null, 1, "1"]))));
        // A multiset: the same elements, each as many times.
        assert!(!holds(json!(["a", "a", "b"]), set(json!(["a", "b"]))));
        assert!(!holds(json!(["a", "b"]), set(json!(["a", "a", "b"]))));
        // `1` and `1.0` differ, as under `equals`.
        assert!(!holds(json!([1]), set(json!([1.0]))));
        assert!(!holds(json!(["a", "b"]), set(json!(["a", "c"]))));
    }

    #[test]
    fn a_failed_same_set_says_what_is_missing_and_what_is_unexpected() {
        let check = Check::SameSet(vec![json!("a"), json!("b"), json!("b")]);
        assert_eq!(
            note(json!(["b", "c", "a", "c"]), check.clone()),
            r#"missing ["b"]; unexpected ["c","c"]"#
        );
        assert_eq!(note(json!(["a", "b"]), check.clone()), r#"missing ["b"]"#);
        assert_eq!(
            note(json!(["a", "b", "b", "d"]), check),
            r#"unexpected ["d"]"#
        );
    }

    #[test]
    fn same_set_refuses_a_value_that_is_not_an_array() {
        for (value, shape) in [
            (json!({"a": 1}), "an object"),
            (json!("ab"), "a string"),
            (json!(2), "a number"),
            (json!(null), "null"),
        ] {
            let check = Check::SameSet(vec![json!("a")]);
            assert!(!holds(value.clone(), check.clone()));
            assert_eq!(
                note(value, check),
                format!("`same_set` compares arrays, and the answer here is {shape}")
            );
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..3).prop_map(|n| json!(n)),
            (-2.0f64..2.0).prop_map(|f| json!((f * 2.0).round() / 2.0)),
            "[ab]{0,2}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                proptest::collection::btree_map("[ab]", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The order agrees with `==`, so sorting then comparing decides multiset equality.
        #[test]
        fn the_order_agrees_with_equality(a in json_value(), b in json_value()) {
            prop_assert_eq!(order(&a, &b) == Ordering::Equal, a == b);
            prop_assert_eq!(order(&a, &b), order(&b, &a).reverse());
        }

        /// `same_set` holds exactly when some reordering of the answer equals the expected array.
        #[test]
        fn same_set_agrees_with_matching_elements_one_by_one(
            found in proptest::collection::vec(json_value(), 0..6),
            expected in proptest::collection::vec(json_value(), 0..6),
            shuffle in any::<u64>(),
        ) {
            let mut left = found.clone();
            let naive = expected.len() == found.len()
                && expected.iter().all(|e| match left.iter().position(|f| f == e) {
                    Some(i) => { left.swap_remove(i); true }
                    None => false,
                });
            prop_assert_eq!(holds(Value::Array(found.clone()), Check::SameSet(expected)), naive);
            let mut shuffled = found.clone();
            let n = shuffled.len().max(1);
            shuffled.rotate_left(usize::try_from(shuffle % n as u64).unwrap_or(0));
            shuffled.reverse();
            prop_assert!(holds(Value::Array(shuffled), Check::SameSet(found)));
        }
    }
}
