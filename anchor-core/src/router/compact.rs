//! A compactor for the router template: strips comments, indentation,
//! trailing spaces and blank lines, and nothing else.
//!
//! It is not a JavaScript minifier. It knows strings and comments, keeps
//! every line break between statements (so automatic semicolon insertion
//! sees the same code) and leaves the inside of strings and template
//! literals byte for byte. It does not know regular expression literals, so
//! the template has none; `${...}` inside a template literal is copied as
//! text, so the template nests no literal in one.

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    Quoted(char),
    LineComment,
    BlockComment,
}

/// Returns `source` without comments, indentation or blank lines.
pub(crate) fn compact(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut state = State::Code;
    let mut chars = source.chars().peekable();
    // Whether we are before the first non-blank character of a code line.
    let mut line_start = true;
    while let Some(c) = chars.next() {
        match state {
            State::Code => match c {
                '/' if chars.peek() == Some(&'/') => state = State::LineComment,
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    state = State::BlockComment;
                }
                '\n' => end_line(&mut out, &mut line_start),
                ' ' | '\t' | '\r' if line_start => {}
                '\'' | '"' | '`' => {
                    out.push(c);
                    line_start = false;
                    state = State::Quoted(c);
                }
                _ => {
                    out.push(c);
                    line_start = false;
                }
            },
            State::Quoted(quote) => {
                out.push(c);
                if c == '\\' {
                    if let Some(escaped) = chars.next() {
                        out.push(escaped);
                    }
                } else if c == quote {
                    state = State::Code;
                }
            }
            State::LineComment => {
                if c == '\n' {
                    state = State::Code;
                    end_line(&mut out, &mut line_start);
                }
            }
            State::BlockComment => {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    state = State::Code;
                }
            }
        }
    }
    end_line(&mut out, &mut line_start);
    out
}

/// Ends a code line: drops its trailing spaces, and the line itself when
/// nothing but comments or spaces was on it.
fn end_line(out: &mut String, line_start: &mut bool) {
    let kept = out.trim_end_matches([' ', '\t', '\r']).len();
    out.truncate(kept);
    if !*line_start {
        out.push('\n');
    }
    *line_start = true;
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn strips_comments_indentation_and_blank_lines() {
        let source = "// head\nfunction f(a) {\n  /* block\n  comment */ return a; // tail\n\n}\n";
        assert_eq!(compact(source), "function f(a) {\nreturn a;\n}\n");
    }

    #[test]
    fn keeps_strings_byte_for_byte() {
        let source = "const u = 'https://x/*y*/';\nconst v = \"a // b\";\nconst w = `  two\n  lines // kept`;\nconst e = 'it\\'s // here';\n";
        assert_eq!(compact(source), source);
    }

    #[test]
    fn keeps_a_division() {
        assert_eq!(compact("  const half = a / 2;\n"), "const half = a / 2;\n");
    }
}
