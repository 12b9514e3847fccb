import Foundation
import Testing

@testable import Trawl

@Suite struct ProgressRendererTests {
    /// A mid-run snapshot with errors and a paused host.
    static func busy(total: Int? = 10_000) -> ProgressSnapshot {
        var snapshot = ProgressSnapshot()
        snapshot.total = total
        snapshot.finished = 4_512
        snapshot.ok = 4_400
        snapshot.inFlight = 64
        snapshot.waiting = 3
        snapshot.retries = 40
        snapshot.attempts = 4_700
        snapshot.tooManyRequests = 12
        snapshot.statusCounts = [200: 4_400, 404: 80, 503: 20]
        snapshot.noStatus = 12
        snapshot.errorCounts = ["status 404": 80, "status 503": 20, "timeout": 9, "dns": 3]
        snapshot.pausedHosts = [.init(host: "api.example.com", remaining: .seconds(12))]
        snapshot.elapsed = .seconds(331)
        snapshot.requestRate = 812.4
        snapshot.finishRate = 800
        return snapshot
    }

    @Test(arguments: [1, 2, 5, 20, 40, 60, 80, 100, 200])
    func liveLinesNeverReachTheTerminalWidth(_ width: Int) {
        for total in [10_000, nil] as [Int?] {
            for colour in [false, true] {
                var snapshot = Self.busy(total: total)
                snapshot.pausedHosts.append(.init(host: "日本語のとても長いホスト名.example.jp", remaining: .seconds(3)))
                for line in ProgressRenderer.liveLines(snapshot, width: width, colour: false) {
                    #expect(TerminalText.columns(line) <= max(0, width - 3), "\(line)")
                }
                let coloured = ProgressRenderer.liveLines(snapshot, width: width, colour: colour)
                for line in coloured {
                    #expect(TerminalText.columns(Self.stripSGR(line)) <= max(0, width - 3))
                }
            }
        }
    }

    @Test func liveLineShowsThePercentageOnlyWhenTheTotalIsKnown() {
        let known = ProgressRenderer.liveLines(Self.busy(), width: 100, colour: false)
        #expect(known[0].contains("45.1%"))
        #expect(known[0].contains("4,512/10,000"))
        #expect(known[0].contains("ETA"))
        let unknown = ProgressRenderer.liveLines(Self.busy(total: nil), width: 100, colour: false)
        #expect(!unknown[0].contains("%") || !unknown[0].contains("/10,000"))
        #expect(!unknown.joined().contains("ETA"))
        #expect(!unknown[0].contains("["))
        #expect(unknown[0].hasPrefix("4,512 done"))
    }

    /// On `--resume` the records already in the output count as done: the bar and the ETA are the whole job's.
    @Test func resumedRecordsCountTowardsTheTotalAndTheETA() {
        var snapshot = Self.busy()
        snapshot.resumed = 3_000
        let line = ProgressRenderer.liveLines(snapshot, width: 120, colour: false)[0]
        #expect(line.contains("75.1%") && line.contains("7,512/10,000"), "\(line)")
        // 2,488 left at 800 records a second.
        #expect(snapshot.estimatedRemaining == .milliseconds(3_110))
        #expect(ProgressRenderer.logLine(snapshot, at: Date(timeIntervalSince1970: 0)).contains("7512/10000 (75.1%)"))
        let summary = ProgressRenderer.summary(snapshot, destination: "out.ndjson", colour: false)
        #expect(summary.contains("URLs:     4,512 of 10,000 input lines"))
        #expect(summary.contains("Resumed:  3,000 URLs already had a record; not fetched again"))
        #expect(!ProgressRenderer.summary(Self.busy(), destination: "out.ndjson", colour: false).contains("Resumed"))
    }

    /// A URL still waiting bounds the ETA from below; a paused host with nothing waiting on it does not.
    @Test func theETAIsNeverShorterThanTheLongestWaitButIgnoresAPauseWithNoWaiter() {
        var snapshot = Self.busy()
        snapshot.resumed = 3_000
        snapshot.pausedHosts = [.init(host: "a.example", remaining: .seconds(40))]
        snapshot.longestWait = nil
        #expect(snapshot.estimatedRemaining == .milliseconds(3_110))  // 2,488 left at 800 a second
        snapshot.longestWait = .seconds(40)
        #expect(snapshot.estimatedRemaining == .seconds(40))
        snapshot.longestWait = .seconds(2)
        #expect(snapshot.estimatedRemaining == .milliseconds(3_110))  // the rate's estimate is longer
        let line = ProgressRenderer.liveLines(snapshot, width: 120, colour: false)[0]
        #expect(line.contains("ETA 3s") || line.contains("ETA 4s"), "\(line)")
    }

    @Test func percentageIsTrueAndNeverRoundsUpToAHundred() {
        var snapshot = ProgressSnapshot()
        snapshot.total = 10_000
        snapshot.finished = 9_999
        #expect(ProgressRenderer.liveLines(snapshot, width: 100, colour: false)[0].contains("99.9%"))
    }

    @Test func secondLineNamesTopErrorsAndPausedHostsSanitized() {
        var snapshot = Self.busy()
        snapshot.pausedHosts = [.init(host: "evil\u{1B}[2J.com", remaining: .seconds(5))]
        let lines = ProgressRenderer.liveLines(snapshot, width: 200, colour: false)
        #expect(lines.count == 2)
        #expect(lines[1].contains("status 404 ×80, status 503 ×20, timeout ×9, dns ×3"))
        #expect(lines[1].contains("evil\\e[2J.com 5s"))
        #expect(!lines[1].contains("\u{1B}"))
    }

    @Test func secondLineShowsWorkUnderWayOnceAnythingStarted() {
        var snapshot = ProgressSnapshot()
        snapshot.total = 10
        #expect(ProgressRenderer.liveLines(snapshot, width: 100, colour: false).count == 1)
        snapshot.inFlight = 2
        let lines = ProgressRenderer.liveLines(snapshot, width: 100, colour: false)
        #expect(lines.count == 2)
        #expect(lines[1] == "in flight 2 · waiting 0 · retries 0")
        let busy = ProgressRenderer.liveLines(Self.busy(), width: 200, colour: false)
        #expect(busy[1].hasPrefix("in flight 64 · waiting 3 · retries 40 · 429 ×12 · errors status 404 ×80"))
    }

    @Test func colourCodesAppearOnlyWhenColourIsOn() {
        let plain = ProgressRenderer.liveLines(Self.busy(), width: 120, colour: false).joined()
        #expect(!plain.contains("\u{1B}"))
        let coloured = ProgressRenderer.liveLines(Self.busy(), width: 120, colour: true).joined()
        #expect(coloured.contains("\u{1B}["))
        #expect(Self.stripSGR(coloured) == plain)
    }

    @Test func summaryWithoutColourHasNoEscapeByte() {
        let text = ProgressRenderer.summary(Self.busy(), destination: "out\u{1B}.ndjson", colour: false)
        #expect(!text.utf8.contains(0x1B))
        #expect(text.contains("out\\e.ndjson"))
        let coloured = ProgressRenderer.summary(Self.busy(), destination: "stdout", colour: true)
        #expect(coloured.contains("\u{1B}["))
    }

    @Test func summaryListsEveryCount() {
        let text = ProgressRenderer.summary(Self.busy(), destination: "results.ndjson", colour: false)
        #expect(text.contains("Elapsed:  5m 31s"))
        #expect(text.contains("URLs:     4,512 of 10,000 input lines (4,400 ok, 112 failed, 97.5% success)"))
        #expect(text.contains("Statuses: 200 ×4,400, 404 ×80, 503 ×20, none ×12"))
        #expect(text.contains("Errors:   status 404 ×80, status 503 ×20, timeout ×9, dns ×3"))
        #expect(text.contains("429 responses: 12"))
        #expect(text.contains("Records:  results.ndjson"))
        #expect(!text.contains("Interrupted"))
        #expect(
            ProgressRenderer.summary(Self.busy(), destination: "x", interrupted: true, colour: false)
                .hasPrefix("Interrupted"))
    }

    @Test func anInterruptedSummarySaysTheRecordsArePartialWhereverTheyWent() {
        let file = ProgressRenderer.summary(Self.busy(), destination: "out.ndjson", interrupted: true, colour: false)
        #expect(file.hasPrefix("Interrupted: the records are partial; --resume finishes the job.\n"), "\(file)")
        let stdout = ProgressRenderer.summary(Self.busy(), destination: "stdout", interrupted: true, colour: false)
        #expect(stdout.hasPrefix("Interrupted: the records are partial.\n"), "\(stdout)")
        #expect(!file.contains("below") && !stdout.contains("below"))
        // A named output that --resume cannot continue (/dev/null, a pipe) gets no hint; a file named "stdout" does.
        let device = ProgressRenderer.summary(
            Self.busy(), destination: "/dev/null", interrupted: true, resumable: false, colour: false)
        #expect(device.hasPrefix("Interrupted: the records are partial.\n"), "\(device)")
        let named = ProgressRenderer.summary(
            Self.busy(), destination: "stdout", interrupted: true, resumable: true, colour: false)
        #expect(named.contains("--resume finishes the job"))
    }

    @Test func histogramIsOrderedByCountThenKey() {
        var snapshot = ProgressSnapshot()
        snapshot.statusCounts = [500: 3, 200: 10, 404: 3, 301: 7]
        #expect(snapshot.statusHistogram.map(\.status) == [200, 301, 404, 500])
        let text = ProgressRenderer.summary(snapshot, destination: "stdout", colour: false)
        #expect(text.contains("200 ×10, 301 ×7, 404 ×3, 500 ×3"))
    }

    @Test func longHistogramsEndWithTheRestSummed() {
        let entries = (0..<12).map { (label: "k\($0)", count: 20 - $0) }
        let text = ProgressRenderer.histogram(entries, limit: 10, unit: "kind", units: "kinds")
        #expect(text.hasSuffix("k9 ×11, 2 more kinds ×19"))
        let one = ProgressRenderer.histogram(Array(entries.prefix(11)), limit: 10, unit: "kind", units: "kinds")
        #expect(one.hasSuffix("k9 ×11, 1 more kind ×10"))
    }

    @Test func summaryCountsOfOneAreSingular() {
        var snapshot = ProgressSnapshot()
        snapshot.total = 1
        snapshot.resumed = 1
        snapshot.statusCounts = Dictionary(uniqueKeysWithValues: (0..<11).map { (200 + $0, 1) })
        let text = ProgressRenderer.summary(snapshot, destination: "out.ndjson", colour: false)
        #expect(text.contains("URLs:     0 of 1 input line ("), "\(text)")
        #expect(text.contains("Resumed:  1 URL already had a record; not fetched again"), "\(text)")
        #expect(text.contains(", 1 more status ×1"), "\(text)")
        snapshot.total = 2
        snapshot.resumed = 2
        let plural = ProgressRenderer.summary(snapshot, destination: "out.ndjson", colour: false)
        #expect(plural.contains("0 of 2 input lines (") && plural.contains("Resumed:  2 URLs already"), "\(plural)")
    }

    @Test func logLineIsPlainAndTimestamped() {
        let line = ProgressRenderer.logLine(Self.busy(), at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(line.hasPrefix("2023-11-14T22:13:20Z trawl: 4512/10000 (45.1%) ok 4400 (97.5%) failed 112"))
        #expect(line.contains("429s 12"))
        #expect(line.contains("eta "))
        #expect(!line.utf8.contains(0x1B))
        #expect(!line.contains("\n"))
    }

    @Test func numbersAndDurationsAreFormattedCompactly() {
        #expect(ProgressRenderer.group(1_234_567) == "1,234,567")
        #expect(ProgressRenderer.group(999) == "999")
        #expect(ProgressRenderer.formatDuration(.seconds(42)) == "42s")
        #expect(ProgressRenderer.formatDuration(.milliseconds(4_250), precise: true) == "4.2s")
        #expect(ProgressRenderer.formatDuration(.seconds(331)) == "5m 31s")
        #expect(ProgressRenderer.formatDuration(.seconds(7_500)) == "2h 05m")
        #expect(ProgressRenderer.formatRate(3.44) == "3.4")
        #expect(ProgressRenderer.formatRate(20_000.4) == "20,000")
        #expect(ProgressRenderer.bar(50, width: 12) == "[█████     ]")
        #expect(ProgressRenderer.bar(100, width: 12) == "[██████████]")
    }

    /// `text` without SGR sequences.
    static func stripSGR(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }
}
