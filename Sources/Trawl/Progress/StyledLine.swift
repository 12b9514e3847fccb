/// A line of text in styled runs, measured and cut in display columns before any escape code is added, so
/// colour never changes how wide a line is.
struct StyledLine {
    /// SGR styles the progress display uses.
    enum Style: String {
        case bold = "1"
        case dim = "2"
        case red = "31"
        case green = "32"
        case yellow = "33"
        case cyan = "36"
    }

    /// One run of text in one style.
    struct Run {
        var text: String
        var style: Style?
    }

    var runs: [Run] = []

    init(_ runs: [Run] = []) {
        self.runs = runs
    }

    init(_ text: String, _ style: Style? = nil) {
        runs = [Run(text: text, style: style)]
    }

    mutating func append(_ text: String, _ style: Style? = nil) {
        runs.append(Run(text: text, style: style))
    }

    mutating func append(_ line: StyledLine) {
        runs += line.runs
    }

    var columns: Int { runs.reduce(0) { $0 + TerminalText.columns($1.text) } }

    var plain: String { runs.map(\.text).joined() }

    /// The line as text for the terminal: at most `maxColumns` columns (cut with `…`), styled only when
    /// `colour` is on.
    func rendered(colour: Bool, maxColumns: Int) -> String {
        var fitted: [Run] = []
        if columns <= maxColumns {
            fitted = runs
        } else if maxColumns > 0 {
            var left = maxColumns - 1
            for run in runs {
                let width = TerminalText.columns(run.text)
                if width <= left {
                    fitted.append(run)
                    left -= width
                } else {
                    var text = ""
                    for character in run.text {
                        let characterWidth = TerminalText.columns(of: character)
                        if characterWidth > left { break }
                        text.append(character)
                        left -= characterWidth
                    }
                    fitted.append(Run(text: text + "…", style: run.style))
                    break
                }
            }
        }
        guard colour else { return fitted.map(\.text).joined() }
        var output = ""
        for run in fitted {
            if let style = run.style, !run.text.isEmpty {
                output += "\u{1B}[\(style.rawValue)m" + run.text + ANSI.reset
            } else {
                output += run.text
            }
        }
        return output
    }
}
