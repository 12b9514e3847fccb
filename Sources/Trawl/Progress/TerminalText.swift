/// Makes untrusted text (URLs, host names, error messages) safe to print on a terminal, and measures text in
/// display columns.
public enum TerminalText {
    /// Returns `text` with every control character escaped, so nothing from the network or the input can
    /// move the cursor, change colours, retitle the window or ring the bell.
    ///
    /// C0 controls and DEL become `\e` (ESC), `\n`, `\r`, `\t` or `\xNN`; C1 controls (U+0080–U+009F) and
    /// the Unicode separators and bidirectional overrides that can disguise text become `\u{NNNN}`.
    /// Everything else, including non-ASCII letters and emoji, is left alone. A literal backslash is kept
    /// as is, so the escapes are for reading, not for round-tripping.
    public static func sanitize(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        if !text.unicodeScalars.contains(where: needsEscape) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x1B: result += "\\e"
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0x00...0x1F, 0x7F: result += "\\x" + hex(scalar.value, digits: 2)
            default: result += "\\u{" + hex(scalar.value, digits: scalar.value > 0xFF ? 4 : 2) + "}"
            }
        }
        return result
    }

    /// The number of terminal columns `text` takes: 2 for wide (East Asian, emoji) characters, 0 for
    /// combining marks, 1 otherwise. An approximation of `wcswidth` that needs no locale.
    public static func columns(_ text: String) -> Int {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        return text.reduce(0) { $0 + columns(of: $1) }
    }

    /// The columns `text` takes on screen, its SGR escape codes (`ESC [ … m`, as ``StyledLine`` adds them)
    /// left out.
    static func visibleColumns(_ text: String) -> Int {
        guard text.utf8.contains(0x1B) else { return columns(text) }
        var plain = ""
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if scalar.value >= 0x40 && scalar.value <= 0x7E && scalar != "[" { inEscape = false }
            } else if scalar.value == 0x1B {
                inEscape = true
            } else {
                plain.unicodeScalars.append(scalar)
            }
        }
        return columns(plain)
    }

    /// `text` cut to at most `limit` display columns, ending in `…` when something was cut.
    public static func truncate(_ text: String, toColumns limit: Int) -> String {
        guard limit > 0 else { return "" }
        if text.utf8.count <= limit, text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        guard columns(text) > limit else { return text }
        var result = ""
        var used = 0
        for character in text {
            let width = columns(of: character)
            if used + width > limit - 1 { break }
            result.append(character)
            used += width
        }
        return result + "…"
    }

    /// Display columns of one grapheme cluster.
    static func columns(of character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x7F { return first.value < 0x20 ? 0 : 1 }
        if scalars.contains(where: { $0.value == 0xFE0F || $0.properties.isEmojiPresentation }) { return 2 }
        if isWide(first.value) { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: return 1
        }
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default: false
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
