import Foundation

/// Turns a ``ProgressSnapshot`` into text: the live lines, the log lines and the final summary. Pure
/// functions of their arguments, so every format is unit-tested without a terminal.
///
/// Every string that came from the network or the input goes through ``TerminalText/sanitize(_:)``.
public enum ProgressRenderer {
    /// The live display: a line of progress (bar, done/total, ok, failed, rate, elapsed and ETA), and once
    /// anything has started, a line of work under way (in flight, waiting, retries, 429s) with the
    /// commonest errors and the paused hosts. On a narrow terminal the first line drops its least important
    /// parts; the second is cut at the end.
    /// - Parameters:
    ///   - width: the terminal's width; each line takes at most `width - 3` columns, so it never wraps, not even
    ///     when the terminal echoes `^C` after it on Ctrl-C (a wrapped line would survive the final clear).
    ///   - colour: whether to add SGR colour codes.
    /// - Returns: the lines, without line breaks or cursor movement.
    public static func liveLines(_ snapshot: ProgressSnapshot, width: Int, colour: Bool) -> [String] {
        let limit = max(0, width - 3)
        var lines = [
            fit(countSegments(snapshot, width: width), limit: limit).rendered(colour: colour, maxColumns: limit)
        ]
        if snapshot.attempts + snapshot.inFlight + snapshot.finished + snapshot.waiting > 0 {
            lines.append(detailLine(snapshot).rendered(colour: colour, maxColumns: limit))
        }
        return lines
    }

    /// A plain progress line for logs (CI, `nohup`): a UTC timestamp and the counts, no escape sequences.
    public static func logLine(_ snapshot: ProgressSnapshot, at date: Date) -> String {
        var fields = ["trawl:"]
        if let total = snapshot.total, let percent = snapshot.donePercent {
            fields.append("\(snapshot.done)/\(total) (\(formatPercent(percent)))")
        } else {
            fields.append("\(snapshot.done) done")
        }
        fields.append("ok \(snapshot.ok)")
        if let success = snapshot.successPercent { fields.append("(\(formatPercent(success)))") }
        fields += [
            "failed \(snapshot.failed)", "in-flight \(snapshot.inFlight)", "waiting \(snapshot.waiting)",
            "retries \(snapshot.retries)", "429s \(snapshot.tooManyRequests)",
            "rate \(formatRate(snapshot.requestRate))/s", "elapsed \(formatDuration(snapshot.elapsed))",
        ]
        if let eta = snapshot.estimatedRemaining { fields.append("eta \(formatDuration(eta))") }
        let errors = snapshot.errorHistogram.prefix(3).map { "\($0.kind) ×\($0.count)" }
        if !errors.isEmpty { fields.append("errors: " + errors.joined(separator: ", ")) }
        if !snapshot.pausedHosts.isEmpty {
            let hosts = snapshot.pausedHosts.prefix(3).map { TerminalText.sanitize($0.host) }
            fields.append("paused: " + hosts.joined(separator: ", "))
        }
        return timestamp(date) + " " + fields.joined(separator: " ")
    }

    /// The final summary, one `Label: value` line each, ending in a line break.
    /// - Parameters:
    ///   - destination: where the records went ("results.ndjson", "stdout"); sanitized here.
    ///   - interrupted: whether the run was stopped early; says so on the first line.
    ///   - resumable: whether that line points at `--resume`; by default, unless `destination` is "stdout".
    ///   - colour: whether to add SGR colour codes (never when the output is not a terminal).
    public static func summary(
        _ snapshot: ProgressSnapshot, destination: String, interrupted: Bool = false, resumable: Bool? = nil,
        colour: Bool
    ) -> String {
        var lines: [StyledLine] = []
        func add(_ label: String, _ value: StyledLine) {
            var line = StyledLine(label.padding(toLength: 10, withPad: " ", startingAt: 0), .bold)
            line.append(value)
            lines.append(line)
        }
        if interrupted {
            // The summary comes after the records only on a terminal, and only a file can be resumed.
            let text = (resumable ?? (destination != "stdout")) ? "; --resume finishes the job" : ""
            lines.append(StyledLine("Interrupted: the records are partial\(text).", .yellow))
        }
        add("Elapsed:", StyledLine(formatDuration(snapshot.elapsed, precise: true)))

        var urls = StyledLine(group(snapshot.finished))
        if let total = snapshot.total, total != snapshot.finished {
            urls.append(" of \(counted(total, "input line", "input lines"))")
        }
        urls.append(" (")
        urls.append("\(group(snapshot.ok)) ok", .green)
        urls.append(", ")
        urls.append("\(group(snapshot.failed)) failed", snapshot.failed > 0 ? .red : nil)
        if let success = snapshot.successPercent { urls.append(", \(formatPercent(success)) success") }
        urls.append(")")
        add("URLs:", urls)
        if snapshot.resumed > 0 {
            let resumed = counted(snapshot.resumed, "URL", "URLs")
            add("Resumed:", StyledLine("\(resumed) already had a record; not fetched again"))
        }

        var retries = StyledLine(group(snapshot.recordedRetries))
        retries.append(
            ", 429 responses: \(group(snapshot.tooManyRequests))", snapshot.tooManyRequests > 0 ? .yellow : nil)
        add("Retries:", retries)

        var statuses = snapshot.statusHistogram.map { (label: String($0.status), count: $0.count) }
        if snapshot.noStatus > 0 { statuses.append((label: "none", count: snapshot.noStatus)) }
        add("Statuses:", StyledLine(histogram(statuses, limit: 10, unit: "status", units: "statuses")))
        if !snapshot.errorCounts.isEmpty {
            let errors = snapshot.errorHistogram.map { (label: $0.kind, count: $0.count) }
            add("Errors:", StyledLine(histogram(errors, limit: 10, unit: "kind", units: "kinds"), .red))
        }
        add("Rate:", StyledLine("\(formatRate(snapshot.meanRate)) URLs/s"))
        add("Records:", StyledLine(TerminalText.sanitize(destination), .cyan))
        return lines.map { $0.rendered(colour: colour, maxColumns: .max) + "\n" }.joined()
    }

    // MARK: - Pieces

    /// A part of the first live line; the lowest `priority` values survive on a narrow terminal.
    private struct Segment {
        var priority: Int
        var line: StyledLine
        /// What goes between this segment and the one kept before it.
        var gap = " · "
    }

    private static func countSegments(_ snapshot: ProgressSnapshot, width: Int) -> [Segment] {
        var segments: [Segment] = []
        if let total = snapshot.total, let percent = snapshot.donePercent {
            let barWidth = min(24, max(10, width / 8))
            segments.append(Segment(priority: 9, line: StyledLine(bar(percent, width: barWidth), .green)))
            var done = StyledLine(formatPercent(percent), .bold)
            done.append(" \(group(snapshot.done))/\(group(total))")
            segments.append(Segment(priority: 0, line: done, gap: " "))
        } else {
            var done = StyledLine(group(snapshot.done), .bold)
            done.append(" done")
            segments.append(Segment(priority: 0, line: done))
        }
        var ok = StyledLine("ok ")
        ok.append(group(snapshot.ok), .green)
        if let success = snapshot.successPercent { ok.append(" (\(formatPercent(success)))") }
        segments.append(Segment(priority: 1, line: ok))
        var failed = StyledLine("failed ")
        failed.append(group(snapshot.failed), snapshot.failed > 0 ? .red : nil)
        segments.append(Segment(priority: 2, line: failed))
        segments.append(Segment(priority: 3, line: StyledLine("\(formatRate(snapshot.requestRate)) req/s")))
        var time = StyledLine(formatDuration(snapshot.elapsed))
        if snapshot.total != nil {
            time.append(", ETA \(snapshot.estimatedRemaining.map { formatDuration($0) } ?? "?")")
        }
        segments.append(Segment(priority: 4, line: time))
        return segments
    }

    /// Joins the segments that fit in `limit` columns, dropping the least important ones first.
    private static func fit(_ segments: [Segment], limit: Int) -> StyledLine {
        var kept = segments
        func width(_ segments: [Segment]) -> Int {
            segments.enumerated().reduce(0) {
                $0 + $1.element.line.columns + ($1.offset > 0 ? $1.element.gap.count : 0)
            }
        }
        while kept.count > 1, width(kept) > limit,
            let drop = kept.indices.max(by: { kept[$0].priority < kept[$1].priority })
        {
            kept.remove(at: drop)
        }
        var line = StyledLine()
        for (index, segment) in kept.enumerated() {
            if index > 0 { line.append(segment.gap, .dim) }
            line.append(segment.line)
        }
        return line
    }

    /// Work under way, then the commonest errors and the paused hosts (cut at the end when too long).
    private static func detailLine(_ snapshot: ProgressSnapshot) -> StyledLine {
        let separator = " · "
        var line = StyledLine("in flight \(group(snapshot.inFlight))")
        line.append(separator, .dim)
        line.append("waiting ")
        line.append(group(snapshot.waiting), snapshot.waiting > 0 ? .yellow : nil)
        line.append(separator, .dim)
        line.append("retries \(group(snapshot.retries))")
        if snapshot.tooManyRequests > 0 {
            line.append(separator, .dim)
            line.append("429 ×\(group(snapshot.tooManyRequests))", .yellow)
        }
        let errors = snapshot.errorHistogram
        if !errors.isEmpty {
            line.append(separator, .dim)
            line.append("errors ", .dim)
            line.append(
                histogram(errors.map { (label: $0.kind, count: $0.count) }, limit: 4, unit: "kind", units: "kinds"),
                .red)
        }
        if !snapshot.pausedHosts.isEmpty {
            line.append(separator, .dim)
            line.append("paused ", .dim)
            let shown = snapshot.pausedHosts.prefix(3).map {
                "\(TerminalText.sanitize($0.host)) \(formatDuration($0.remaining))"
            }
            var text = shown.joined(separator: ", ")
            if snapshot.pausedHosts.count > shown.count {
                text += ", +\(snapshot.pausedHosts.count - shown.count) more"
            }
            line.append(text, .yellow)
        }
        return line
    }

    /// `label ×count, ...` for the first `limit` entries, then `N more <units> ×count` (`1 more <unit>`).
    static func histogram(
        _ entries: [(label: String, count: Int)], limit: Int, unit: String, units: String
    ) -> String {
        var parts = entries.prefix(limit).map { "\(TerminalText.sanitize($0.label)) ×\(group($0.count))" }
        if entries.count > limit {
            let rest = entries.dropFirst(limit)
            parts.append(
                "\(counted(rest.count, "more " + unit, "more " + units)) ×\(group(rest.reduce(0) { $0 + $1.count }))")
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// A progress bar of `width` columns (including brackets) with eighth-block resolution.
    static func bar(_ percent: Double, width: Int) -> String {
        let inner = max(1, width - 2)
        let eighths = Int((percent / 100 * Double(inner * 8)).rounded(.down))
        let full = min(inner, eighths / 8)
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var text = String(repeating: "█", count: full)
        if full < inner {
            text += partials[eighths % 8]
            text += String(repeating: " ", count: inner - full - (eighths % 8 > 0 ? 1 : 0))
        }
        return "[" + text + "]"
    }

    /// `1 URL`, `2 URLs`: `count` grouped, then the noun in the singular for exactly one.
    static func counted(_ count: Int, _ one: String, _ many: String) -> String {
        "\(group(count)) \(count == 1 ? one : many)"
    }

    /// `n` with thousands grouped by commas, whatever the locale.
    static func group(_ value: Int) -> String {
        let digits = String(value.magnitude)
        guard digits.count > 3 else { return value < 0 ? "-" + digits : digits }
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// A percentage with one decimal, rounded down so 99.96% never shows as 100.0%.
    static func formatPercent(_ percent: Double) -> String {
        let tenths = Int((percent * 10).rounded(.down) + 1e-9)
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// A rate: one decimal below 10, whole numbers above.
    static func formatRate(_ rate: Double) -> String {
        guard rate.isFinite, rate > 0 else { return "0" }
        if rate < 10 {
            let tenths = Int((rate * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)"
        }
        return group(Int(rate.rounded()))
    }

    /// `42s`, `5m 31s`, `2h 05m`; with `precise`, tenths of a second under a minute (`4.2s`).
    static func formatDuration(_ duration: Duration, precise: Bool = false) -> String {
        let seconds = max(0, ProgressSnapshot.seconds(duration))
        if seconds < 60 {
            if precise {
                let tenths = Int((seconds * 10).rounded(.down))
                return "\(tenths / 10).\(tenths % 10)s"
            }
            return "\(Int(seconds))s"
        }
        let whole = Int(seconds)
        if whole < 3600 { return "\(whole / 60)m \(twoDigits(whole % 60))s" }
        return "\(whole / 3600)h \(twoDigits(whole / 60 % 60))m"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// `2024-05-01T12:34:56Z`.
    static func timestamp(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}
