//! One escaping function per output format, for every piece of caller text (keys, names, kind
//! names, group names) that goes into a label.
//!
//! Both work one character at a time, so nothing is escaped twice and the order of the rules
//! does not matter (`#` "first" in Mermaid's terms: a `#` of the caller never meets a `#` this
//! function wrote). Control characters other than line breaks cannot enter the CMDB (see
//! `itsm_core::text`), but a [`ServiceMap`](super::ServiceMap) can be built by hand: they are
//! drawn as U+FFFD so the output stays valid text (an SVG is XML, which forbids most of them).

use std::fmt::Write as _;

/// What a lone control character is drawn as.
const REPLACEMENT: char = '\u{FFFD}';

/// `text` as it may stand between the double quotes of a Mermaid label (`n0["…"]`).
///
/// Mermaid reads a diagram through several text passes before its grammar: `%%{init: …}%%`
/// anywhere is applied as configuration, `%%` to the end of a line is a comment, `#name;` and
/// `#123;` are entities, a line holding `style` … `:` … `#` … `;` loses its last `;`, `<tag
/// a="b">` is rewritten, and a quote followed by a backtick opens a Markdown string. So each of
/// `#`, `"`, `<`, `>`, `%`, `` ` ``, `&`, `\`, `:`, `;`, `|` becomes the entity `#<decimal code
/// point>;`, as do `ﬂ` and `¶`; a line break (`\n`, `\r\n`, `\r`) becomes `<br/>`.
///
/// Then, when it draws a label, Mermaid decodes the entities and reads the text again:
/// `\n` (a backslash and an `n`) as a line break, `fa:fa-name` as an icon, `#br#` as a line
/// break, `$$…$$` as math, and its own entity placeholders `ﬂ°°…¶ß` as entities. An entity
/// cannot stop those, so a WORD JOINER (U+2060, invisible, no line break) goes between the
/// characters that would start one: after a `\` before `n`, a `:` before `fa-`, a `#` before
/// `br#`, a `$` before `$`, a `ﬂ` before `°` and a `¶` before `ß`. The label shows the caller's
/// text, and nothing else.
pub(crate) fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\r' => {
                chars.next_if(|(_, n)| *n == '\n');
                out.push_str("<br/>");
            }
            '\n' => out.push_str("<br/>"),
            '#' | '"' | '<' | '>' | '%' | '`' | '&' | '\\' | ':' | ';' | '|' | 'ﬂ' | '¶' => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            c if c.is_control() => out.push(REPLACEMENT),
            c => out.push(c),
        }
        let rest = text.get(at + c.len_utf8()..).unwrap_or_default();
        if starts_a_second_reading(c, rest) {
            out.push(WORD_JOINER);
        }
    }
    out
}

/// An invisible character that keeps two others apart without allowing a line break there.
const WORD_JOINER: char = '\u{2060}';

/// True when `c` followed by `rest` starts a sequence Mermaid reads after decoding entities.
fn starts_a_second_reading(c: char, rest: &str) -> bool {
    match c {
        '\\' => rest.starts_with('n'),
        ':' => rest.starts_with("fa-"),
        '#' => rest.starts_with("br#"),
        '$' => rest.starts_with('$'),
        'ﬂ' => rest.starts_with('°'),
        '¶' => rest.starts_with('ß'),
        _ => false,
    }
}

/// `text` as it may stand between the double quotes of a Graphviz DOT label.
///
/// Graphviz reads `\"` as a quote, `\\` as a backslash and `\n`, `\l`, `\r` as line breaks,
/// expands `\N`, `\G`, `\E`, `\T`, `\H` and `\L` to node, graph and edge names, and decodes HTML
/// entities (`&lt;` would show `<`). So `\` becomes `\\`, `"` becomes `\"`, `&` becomes
/// `&amp;`, and a line break (`\n`, `\r\n`, `\r`) becomes `\n`: the label shows exactly the
/// caller's text, on as many lines.
pub(crate) fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn mermaid_escapes_each_special_character_as_its_decimal_code_point() {
        for (c, entity) in [
            ('#', "#35;"),
            ('"', "#34;"),
            ('<', "#60;"),
            ('>', "#62;"),
            ('%', "#37;"),
            ('`', "#96;"),
            ('&', "#38;"),
            ('\\', "#92;"),
            (':', "#58;"),
            (';', "#59;"),
            ('|', "#124;"),
            ('ﬂ', "#64258;"),
            ('¶', "#182;"),
        ] {
            assert_eq!(mermaid(&c.to_string()), entity, "{c}");
        }
        assert_eq!(
            mermaid("plain text-1 é 東京 []{}()"),
            "plain text-1 é 東京 []{}()"
        );
    }

    #[test]
    fn mermaid_escapes_the_hash_of_an_entity_so_it_shows_literally() {
        assert_eq!(mermaid("Rack #65;"), "Rack #35;65#59;");
        assert_eq!(mermaid("#quot;"), "#35;quot#59;");
        assert_eq!(mermaid("\"eu:west\""), "#34;eu#58;west#34;");
    }

    #[test]
    fn mermaid_leaves_no_directive_comment_or_markdown_string() {
        let init = mermaid(r#"%%{init: {"theme":"dark"}}%%"#);
        assert_eq!(
            init,
            "#37;#37;{init#58; {#34;theme#34;#58;#34;dark#34;}}#37;#37;"
        );
        assert!(!mermaid("a\n%% comment").contains('\n'));
        assert_eq!(mermaid("a\n%%b"), "a<br/>#37;#37;b");
        assert_eq!(mermaid("`md`"), "#96;md#96;");
    }

    #[test]
    fn mermaid_turns_every_line_break_into_one_br() {
        assert_eq!(mermaid("a\nb\r\nc\rd"), "a<br/>b<br/>c<br/>d");
        assert_eq!(mermaid("a\u{0}b\tc"), "a\u{FFFD}b\u{FFFD}c");
    }

    #[test]
    fn mermaid_keeps_apart_what_mermaid_reads_after_decoding_entities() {
        assert_eq!(mermaid("ﬂ°°60¶ß"), "#64258;\u{2060}°°60#182;\u{2060}ß");
        assert_eq!(mermaid(r"a\nb"), "a#92;\u{2060}nb");
        assert_eq!(mermaid("fa:fa-bomb"), "fa#58;\u{2060}fa-bomb");
        assert_eq!(mermaid("#br#"), "#35;\u{2060}br#35;");
        assert_eq!(mermaid("$$x$$"), "$\u{2060}$x$\u{2060}$");
        // Only there: a colon, a backslash or a dollar elsewhere gets nothing.
        assert_eq!(mermaid(r"a:b\c$d"), "a#58;b#92;c$d");
    }

    #[test]
    fn dot_escapes_quotes_backslashes_ampersands_and_line_breaks() {
        assert_eq!(dot(r#"say "hi""#), r#"say \"hi\""#);
        assert_eq!(dot(r"C:\N\l"), r"C:\\N\\l");
        assert_eq!(dot("&lt;b&gt;"), "&amp;lt;b&amp;gt;");
        assert_eq!(dot("a\nb\r\nc\rd"), r"a\nb\nc\nd");
        assert_eq!(dot("a\u{7}b"), "a\u{FFFD}b");
        assert_eq!(
            dot("<script>%%{init}%% #65; 東京"),
            "<script>%%{init}%% #65; 東京"
        );
    }

    /// Characters a Mermaid label must never hold raw.
    const MERMAID_RAW: [char; 13] = [
        '"', '<', '>', '%', '`', '&', '\\', ':', ';', '|', '\n', '\r', 'ﬂ',
    ];

    proptest! {
        #[test]
        fn a_mermaid_label_holds_only_entities_breaks_and_harmless_characters(
            s in prop_oneof![any::<String>(), "[\\\\n:fa\\-#br$ﬂ°¶ß%&\"]{0,24}"],
        ) {
            let e = mermaid(&s);
            // Take out what the function writes itself; nothing dangerous may remain.
            let mut rest = e.replace("<br/>", "\n");
            let (mut cleaned, mut decoded) = (String::new(), String::new());
            while let Some(at) = rest.find('#') {
                cleaned.push_str(rest.get(..at).unwrap_or_default());
                decoded.push_str(rest.get(..at).unwrap_or_default());
                let tail = rest.get(at + 1..).unwrap_or_default();
                let digits = tail.chars().take_while(char::is_ascii_digit).count();
                prop_assert!(digits > 0 && tail.get(digits..digits + 1) == Some(";"), "{e}");
                let code = tail.get(..digits).and_then(|d| d.parse().ok()).and_then(char::from_u32);
                prop_assert!(code.is_some(), "{e}");
                decoded.extend(code);
                rest = tail.get(digits + 1..).unwrap_or_default().to_owned();
            }
            cleaned.push_str(&rest);
            decoded.push_str(&rest);
            prop_assert!(!cleaned.replace('\n', "").contains(MERMAID_RAW), "{e}");
            prop_assert!(!cleaned.chars().any(|c| c.is_control() && c != '\n'), "{e}");
            // What Mermaid reads again once the entities are decoded is kept apart.
            for seq in ["\\n", ":fa-", "#br#", "$$", "ﬂ°", "¶ß"] {
                prop_assert!(!decoded.contains(seq), "{seq} in {decoded}");
            }
        }

        #[test]
        fn a_dot_label_closes_only_where_the_renderer_closes_it(s in any::<String>()) {
            let e = dot(&s);
            let mut chars = e.chars();
            while let Some(c) = chars.next() {
                prop_assert!(c != '"' && !c.is_control(), "{e}");
                if c == '\\' {
                    prop_assert!(matches!(chars.next(), Some('\\' | '"' | 'n')), "{e}");
                }
                if c == '&' {
                    prop_assert!(chars.as_str().starts_with("amp;"), "{e}");
                }
            }
        }
    }
}
