import Foundation
import Synchronization
import Testing
import TrawlTestSite

@testable import Trawl

@Suite struct ProgressReporterTests {
    /// A pipe whose read end collects everything written to the write end.
    final class Pipe: Sendable {
        let readEnd: Int32
        let writeEnd: Int32

        init() {
            var fds: [Int32] = [0, 0]
            _ = pipe(&fds)
            readEnd = fds[0]
            writeEnd = fds[1]
        }

        /// Closes the write end and returns all that was written.
        func drain() -> String {
            close(writeEnd)
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let got = read(readEnd, &buffer, buffer.count)
                if got <= 0 { break }
                bytes += buffer[0..<got]
            }
            close(readEnd)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static let events: [ProgressEvent] = [
        .inputTotal(4),
        .attemptStarted(host: "a.com"), .attemptFinished(host: "a.com", status: 429, error: nil),
        .waitStarted(host: "a.com", reason: .retryAfter, until: .seconds(1)), .waitEnded(host: "a.com"),
        .attemptStarted(host: "a.com"), .attemptFinished(host: "a.com", status: 200, error: nil),
        .recorded(ok: true, status: 200, error: nil, attempts: 2),
        .attemptStarted(host: "b.com"), .attemptFinished(host: "b.com", status: 404, error: nil),
        .recorded(ok: false, status: 404, error: .status, attempts: 1),
        .attemptStarted(host: "c.com"), .attemptFinished(host: "c.com", status: nil, error: .timeout),
        .recorded(ok: false, status: nil, error: .timeout, attempts: 1),
        .recorded(ok: false, status: nil, error: .invalidURL, attempts: 1),
        .waitStarted(host: "d.com", reason: .hostPause, until: .seconds(1)), .attemptStarted(host: "d.com"),
    ]

    @Test func countersFollowTheEvents() {
        let reporter = ProgressReporter(mode: .never, output: -1, destination: "stdout")
        for event in Self.events { reporter.record(event) }
        let snapshot = reporter.snapshot()
        #expect(snapshot.total == 4)
        #expect(snapshot.finished == 4)
        #expect(snapshot.ok == 1)
        #expect(snapshot.failed == 3)
        #expect(snapshot.inFlight == 1)
        #expect(snapshot.waiting == 1)
        #expect(snapshot.retries == 1)
        #expect(snapshot.recordedRetries == 1)
        #expect(snapshot.attempts == 4)
        #expect(snapshot.tooManyRequests == 1)
        #expect(snapshot.statusCounts == [200: 1, 404: 1])
        #expect(snapshot.noStatus == 2)
        #expect(snapshot.errorCounts == ["status 404": 1, "timeout": 1, "invalid_url": 1])
    }

    @Test func resumedCountsAddUpAsTheInputIsRead() {
        let reporter = ProgressReporter(mode: .never, output: -1, destination: "stdout")
        reporter.record(.inputTotal(10))
        reporter.record(.resumed(3))
        reporter.record(.recorded(ok: true, status: 200, error: nil, attempts: 1))
        reporter.record(.resumed(4))
        let snapshot = reporter.snapshot()
        #expect(snapshot.resumed == 7)
        #expect(snapshot.done == 8)
        #expect(snapshot.donePercent == 80)
    }

    @Test func skippedLinesLeaveTheTotalSoTheBarEndsFull() {
        let reporter = ProgressReporter(mode: .never, output: -1, destination: "stdout")
        reporter.record(.skipped(2))  // may come before the line count does
        reporter.record(.inputTotal(6))
        reporter.record(.skipped(1))
        reporter.record(.resumed(1))
        reporter.record(.recorded(ok: true, status: 200, error: nil, attempts: 1))
        reporter.record(.recorded(ok: false, status: 404, error: .status, attempts: 1))
        let snapshot = reporter.snapshot()
        #expect(snapshot.total == 3)
        #expect(snapshot.donePercent == 100)
    }

    @Test func hostsArePausedUntilTheirDeadline() async throws {
        let time = RecordingClock()
        let clock = CrawlClock(time)
        let reporter = ProgressReporter(mode: .never, output: -1, destination: "stdout", clock: clock)
        reporter.record(.hostPaused(host: "a.com", until: .seconds(10)))
        reporter.record(.hostPaused(host: "b.com", until: .seconds(30)))
        reporter.record(.hostPaused(host: "a.com", until: .seconds(5)))
        try await time.sleep(until: time.now.advanced(by: .seconds(2)), tolerance: nil)
        #expect(
            reporter.snapshot().pausedHosts == [
                .init(host: "b.com", remaining: .seconds(28)), .init(host: "a.com", remaining: .seconds(8)),
            ])
        try await time.sleep(until: time.now.advanced(by: .seconds(8)), tolerance: nil)
        #expect(reporter.snapshot().pausedHosts.map(\.host) == ["b.com"])
        #expect(reporter.snapshot().elapsed == .seconds(10))
    }

    /// The last URL waiting out a backoff bounds the ETA from below, however fast the records came before.
    @Test func theETAIsNeverShorterThanTheLastWait() async throws {
        let time = RecordingClock()
        let reporter = ProgressReporter(mode: .never, output: -1, destination: "stdout", clock: CrawlClock(time))
        reporter.record(.inputTotal(100))
        for _ in 0..<99 { reporter.record(.recorded(ok: true, status: 200, error: nil, attempts: 1)) }
        reporter.record(.waitStarted(host: "a.com", reason: .backoff, until: .seconds(20)))
        reporter.record(.waitStarted(host: "a.com", reason: .retryAfter, until: .seconds(8)))
        try await time.sleep(until: time.now.advanced(by: .seconds(1)), tolerance: nil)
        let waiting = reporter.snapshot()
        #expect(waiting.longestWait == .seconds(19))
        #expect(waiting.estimatedRemaining == .seconds(19))
        reporter.record(.waitEnded(host: "a.com"))
        reporter.record(.waitEnded(host: "a.com"))
        let done = reporter.snapshot()
        #expect(done.longestWait == nil)
        #expect(done.estimatedRemaining.map { $0 < .seconds(1) } == true, "\(done.estimatedRemaining as Any)")
    }

    /// A reporter on `time` for a list of 100 URLs that has recorded `perSecond(n)` of them in each second n of
    /// the first `seconds`, with a snapshot (a rate sample) at the end of each.
    static func reporter(
        on time: RecordingClock, seconds: Int, perSecond: (Int) -> Int
    ) async throws -> ProgressReporter {
        let reporter = ProgressReporter(mode: .never, output: -1, destination: "stdout", clock: CrawlClock(time))
        reporter.record(.inputTotal(100))
        _ = reporter.snapshot()
        for second in 1...seconds {
            for _ in 0..<perSecond(second) {
                reporter.record(.recorded(ok: true, status: 200, error: nil, attempts: 1))
            }
            try await time.sleep(until: .init(offset: .seconds(second)), tolerance: nil)
            _ = reporter.snapshot()
        }
        return reporter
    }

    /// When the last URLs come slower (a paced host's), the ETA follows within two seconds, not after the window.
    @Test func aSlowingTailShowsInTheETASoon() async throws {
        let time = RecordingClock()
        let reporter = try await Self.reporter(on: time, seconds: 5) { $0 <= 3 ? 20 : 1 }
        let snapshot = reporter.snapshot()
        // 62 records in 5 s, but 2 in the last two seconds: the 38 left take 38 s at that pace, not 3.
        #expect(snapshot.finishRate > 12 && snapshot.recentFinishRate == 1)
        #expect(snapshot.estimatedRemaining == .seconds(38))
        // Nothing more for two seconds: the time left cannot be told, rather than read off the earlier pace.
        try await time.sleep(until: .init(offset: .seconds(7)), tolerance: nil)
        let stalled = reporter.snapshot()
        #expect(stalled.recentFinishRate == 0 && stalled.finishRate > 0)
        #expect(stalled.estimatedRemaining == nil)
    }

    /// After a long Ctrl-Z the rates and the ETA go on at the pace before it, not at a pace averaged over the stop.
    @Test func timeStoppedByCtrlZIsNotReadAsASlowPace() async throws {
        let time = RecordingClock()
        let reporter = try await Self.reporter(on: time, seconds: 4) { _ in 10 }
        reporter.suspendDisplay()
        try await time.sleep(until: .init(offset: .seconds(64)), tolerance: nil)
        reporter.resumeDisplay()
        reporter.record(.recorded(ok: true, status: 200, error: nil, attempts: 1))
        try await time.sleep(until: .init(offset: .seconds(64) + .milliseconds(100)), tolerance: nil)
        let snapshot = reporter.snapshot()
        // 41 records in 4.1 s of work, 59 left: about 6 s, not the ~10 minutes the first 4 s and the stop give.
        #expect(snapshot.elapsed == .seconds(64) + .milliseconds(100))
        #expect(snapshot.finishRate > 9 && snapshot.finishRate < 11, "\(snapshot.finishRate)")
        let left = try #require(snapshot.estimatedRemaining)
        #expect(left > .seconds(5) && left < .seconds(7), "\(left)")
    }

    @Test func theFirstRatesCountFromTheStart() async throws {
        // In log mode the first line comes 5 s in: its rate must cover those 5 s, not read 0.
        let time = RecordingClock()
        let reporter = ProgressReporter(mode: .log, output: -1, destination: "stdout", clock: CrawlClock(time))
        reporter.start()
        defer { reporter.finish(interrupted: false) }
        for _ in 0..<50 {
            reporter.record(.attemptStarted(host: "a.com"))
            reporter.record(.attemptFinished(host: "a.com", status: 200, error: nil))
            reporter.record(.recorded(ok: true, status: 200, error: nil, attempts: 1))
        }
        try await time.sleep(until: time.now.advanced(by: .seconds(5)), tolerance: nil)
        let snapshot = reporter.snapshot()
        #expect(snapshot.finishRate == 10)
        #expect(snapshot.requestRate == 10)
    }

    @Test func neverModeOnAPipeWritesOnlyThePlainSummary() {
        let pipe = Pipe()
        let reporter = ProgressReporter(mode: .never, output: pipe.writeEnd, destination: "results.ndjson")
        reporter.start()
        for event in Self.events { reporter.record(event) }
        reporter.tick()
        let final = reporter.finish(interrupted: false)
        reporter.finish(interrupted: false)
        reporter.restoreTerminal()
        let text = pipe.drain()
        #expect(text == ProgressRenderer.summary(final, destination: "results.ndjson", colour: false))
        #expect(text.hasPrefix("Elapsed:"))
        #expect(text.contains("URLs:     4 (1 ok, 3 failed, 25.0% success)"))
        #expect(!text.utf8.contains(0x1B))
    }

    @Test func quietModeWritesNothing() {
        let pipe = Pipe()
        let reporter = ProgressReporter(mode: .quiet, output: pipe.writeEnd, destination: "stdout")
        reporter.start()
        reporter.note("something")
        for event in Self.events { reporter.record(event) }
        reporter.finish(interrupted: true)
        #expect(pipe.drain().isEmpty)
    }

    @Test func logModeWritesPlainLinesThenTheSummary() {
        let pipe = Pipe()
        let reporter = ProgressReporter(mode: .log, output: pipe.writeEnd, destination: "stdout")
        for event in Self.events { reporter.record(event) }
        reporter.tick()
        reporter.note("cut a torn line from x\u{1B}[1m")
        reporter.tick()
        reporter.finish(interrupted: false)
        let lines = pipe.drain().split(separator: "\n")
        #expect(lines[0].contains("Z trawl: 4/4 (100.0%) ok 1 (25.0%) failed 3"))
        #expect(lines[1] == "trawl: cut a torn line from x\\e[1m")
        #expect(lines[2].contains("Z trawl: 4/4"))
        #expect(lines[3].hasPrefix("Elapsed:"))
        #expect(!lines.joined().utf8.contains(0x1B))
    }

    @Test func alwaysModeDrawsLiveFramesAndClearsThemBeforeTheSummary() {
        let pipe = Pipe()
        let reporter = ProgressReporter(
            mode: .always, output: pipe.writeEnd, destination: "stdout", environment: ["COLUMNS": "60"])
        #expect(reporter.display == .init(live: true, log: false, summary: true, colour: false))
        for event in Self.events { reporter.record(event) }
        reporter.tick()
        reporter.tick()  // unchanged: not redrawn
        reporter.finish(interrupted: false)
        let text = pipe.drain()
        let frames = text.components(separatedBy: "\r").filter { !$0.isEmpty }
        #expect(frames.count == 2)
        #expect(frames[0].contains("4/4"))
        #expect(frames[1].hasPrefix("\u{1B}[1A\u{1B}[J"))
        #expect(frames[1].contains("Elapsed:"))
        #expect(!text.contains("\u{1B}[?25l"))
    }

    @Test func colourFollowsTheTerminalNoColorAndTerm() {
        let terminal = ProgressReporter.resolve(.auto, isTerminal: true, environment: [:])
        #expect(terminal == .init(live: true, log: false, summary: true, colour: true))
        #expect(!ProgressReporter.resolve(.auto, isTerminal: true, environment: ["NO_COLOR": "1"]).colour)
        #expect(ProgressReporter.resolve(.auto, isTerminal: true, environment: ["NO_COLOR": ""]).colour)
        let dumb = ProgressReporter.resolve(.auto, isTerminal: true, environment: ["TERM": "dumb"])
        #expect(dumb == .init(live: false, log: false, summary: true, colour: false))
        #expect(ProgressReporter.resolve(.auto, isTerminal: false, environment: [:]) == .init())
        #expect(!ProgressReporter.resolve(.always, isTerminal: false, environment: [:]).colour)
        #expect(!ProgressReporter.resolve(.log, isTerminal: true, environment: [:]).colour)
        #expect(ProgressReporter.resolve(.quiet, isTerminal: true, environment: [:]) == .init(summary: false))
    }

    @Test(.timeLimit(.minutes(1)))
    func countersAreExactUnderConcurrentRecording() async {
        let reporter = ProgressReporter(mode: .never, output: -1, destination: "stdout")
        let perTask = 100_000
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<perTask / 4 {
                        reporter.record(.attemptStarted(host: "h"))
                        reporter.record(.attemptFinished(host: "h", status: index % 10 == 0 ? 429 : 200, error: nil))
                        reporter.record(.waitStarted(host: "h", reason: .backoff, until: .seconds(1)))
                        let ok = (index + task) % 2 == 0
                        reporter.record(
                            .recorded(
                                ok: ok, status: ok ? 200 : 404, error: ok ? nil : .status, attempts: 2))
                    }
                }
            }
        }
        let snapshot = reporter.snapshot()
        let urls = 8 * perTask / 4
        #expect(snapshot.finished == urls)
        #expect(snapshot.ok == urls / 2)
        #expect(snapshot.inFlight == 0)
        #expect(snapshot.waiting == urls)
        #expect(snapshot.retries == urls)
        #expect(snapshot.recordedRetries == urls)
        #expect(snapshot.attempts == urls)
        #expect(snapshot.tooManyRequests == urls / 10)
        #expect(snapshot.statusCounts == [200: urls / 2, 404: urls / 2])
        #expect(snapshot.errorCounts == ["status 404": urls / 2])
    }

    @Test func recordingAnEventIsCheap() {
        let reporter = ProgressReporter(mode: .never, output: -1, destination: "stdout")
        let events: [ProgressEvent] = [
            .attemptStarted(host: "example.com"), .attemptFinished(host: "example.com", status: 200, error: nil),
            .recorded(ok: true, status: 200, error: nil, attempts: 1),
        ]
        let rounds = 300_000
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<rounds {
                for event in events { reporter.record(event) }
            }
        }
        let perEvent = ProgressSnapshot.seconds(elapsed) / Double(rounds * events.count) * 1e9
        print("ProgressReporter.record: \(Int(perEvent)) ns per event (uncontended)")
        #expect(reporter.snapshot().finished == rounds)
        #expect(perEvent < 5_000)  // generous: debug builds; release measures well under 100 ns
    }
}

@Suite struct ProgressTerminalTests {
    /// A reporter drawing live lines on `pty`, on a test clock, redrawn only by ``ProgressReporter/tick()``.
    private func liveReporter(on pty: PseudoTerminal) -> ProgressReporter {
        ProgressReporter(
            mode: .auto, output: pty.terminal, destination: "stdout", environment: ["TERM": "xterm"],
            clock: CrawlClock(RecordingClock()), refreshInterval: .seconds(3600))
    }

    @Test func liveDisplayOnATerminalHidesTheCursorOnlyUntilFinish() throws {
        let pty = try #require(PseudoTerminal())
        let reporter = ProgressReporter(
            mode: .auto, output: pty.terminal, destination: "stdout", environment: ["TERM": "xterm"],
            refreshInterval: .seconds(3600))
        #expect(reporter.display == .init(live: true, log: false, summary: true, colour: true))
        reporter.start()
        reporter.record(.inputTotal(2))
        reporter.record(.recorded(ok: true, status: 200, error: nil, attempts: 1))
        reporter.tick()
        reporter.restoreTerminal()
        reporter.restoreTerminal()
        reporter.finish(interrupted: false)
        let shown = pty.drain()
        #expect(shown.hasPrefix(ANSI.hideCursor))
        #expect(shown.components(separatedBy: ANSI.showCursor).count == 2)
        #expect(shown.contains("50.0%"))
        #expect(shown.contains("\u{1B}[1A\u{1B}[J"))  // the two live lines are cleared before the summary
        let plain = shown.replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
        for line in plain.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            #expect(TerminalText.columns(String(line)) < 72, "\(line)")
        }
    }

    @Test func aNarrowedTerminalHasTheRewrappedLinesClearedToo() throws {
        // A terminal made narrower re-wraps the lines drawn at the old width: the next frame, and the clear
        // before the summary, must go up past every row they now take, or the wrapped parts stay on screen.
        let pty = try #require(PseudoTerminal())
        let reporter = liveReporter(on: pty)
        reporter.start()
        reporter.record(.inputTotal(1_000))
        for kind in [ErrorKind.dns, .connect, .timeout, .network] {
            reporter.record(.attemptStarted(host: "a.com"))
            reporter.record(.attemptFinished(host: "a.com", status: nil, error: kind))
            reporter.record(.recorded(ok: false, status: nil, error: kind, attempts: 1))
        }
        reporter.record(.attemptStarted(host: "a.com"))
        let wide = ProgressRenderer.liveLines(reporter.snapshot(), width: 72, colour: false).map(TerminalText.columns)
        reporter.tick()
        pty.resize(columns: 20)
        let narrow = ProgressRenderer.liveLines(reporter.snapshot(), width: 20, colour: false).map(TerminalText.columns)
        reporter.tick()
        pty.resize(columns: 10)
        reporter.finish(interrupted: false)
        let shown = pty.drain()

        #expect(wide.count == 2 && wide.allSatisfy { $0 > 40 })
        // 72-column lines on 20 columns: the first takes 4 rows or more, the cursor is on the second's last.
        let redraw = ProgressReporter.rowsAboveCursor(wide, width: 20)
        #expect(redraw == (wide[0] + 19) / 20 + (wide[1] - 1) / 20)
        #expect(shown.contains("\r\u{1B}[\(redraw)A\u{1B}[J"))  // cleared whole before the narrow lines
        let clear = ProgressReporter.rowsAboveCursor(narrow, width: 10)
        #expect(clear == (narrow[0] + 9) / 10 + (narrow[1] - 1) / 10)
        #expect(shown.contains("\r\u{1B}[\(clear)A\u{1B}[J"))
        #expect(!shown.contains("\u{1B}[1A"))
    }

    @Test func rowsAboveTheCursorFollowTheWidth() {
        #expect(ProgressReporter.rowsAboveCursor([], width: 80) == 0)
        #expect(ProgressReporter.rowsAboveCursor([70], width: 80) == 0)
        #expect(ProgressReporter.rowsAboveCursor([70, 30], width: 80) == 1)
        #expect(ProgressReporter.rowsAboveCursor([70, 30], width: 20) == 4 + 1)
        #expect(ProgressReporter.rowsAboveCursor([40, 40], width: 20) == 2 + 1)  // the cursor waits at the end
        #expect(ProgressReporter.rowsAboveCursor([0, 0], width: 20) == 1)
        #expect(ProgressReporter.rowsAboveCursor([5, 5], width: 0) == 5 + 4)
        #expect(TerminalText.visibleColumns("\u{1B}[1mab\u{1B}[0m c\u{1B}[32m█\u{1B}[0m") == 5)
    }

    @Test func aSuspendedDisplayLeavesAVisibleCursorAndStartsAfreshOnResume() throws {
        // Ctrl-Z: the shell must get a cleared line and a visible cursor; after `fg` the shell has written
        // lines of its own, so the next frame must not move up over them.
        let pty = try #require(PseudoTerminal())
        let reporter = liveReporter(on: pty)
        reporter.start()
        reporter.record(.inputTotal(10))
        reporter.record(.attemptStarted(host: "a.com"))
        reporter.tick()
        reporter.suspendDisplay()
        reporter.suspendDisplay()
        reporter.record(.recorded(ok: true, status: 200, error: nil, attempts: 1))
        reporter.tick()  // suspended: nothing drawn
        reporter.resumeDisplay()
        reporter.tick()
        reporter.finish(interrupted: false)
        let shown = pty.drain()

        let parts = shown.components(separatedBy: ANSI.hideCursor)
        #expect(parts.count == 3)  // hidden at the start and again on resume
        let suspended = try #require(parts.dropFirst().first)
        #expect(suspended.contains("0/10"))
        #expect(suspended.hasSuffix("\r\u{1B}[1A\u{1B}[J" + ANSI.showCursor))
        let resumed = try #require(parts.last)
        // Drawn where the cursor is, not one row up.
        #expect(resumed.hasPrefix("\r") && !resumed.hasPrefix("\r\u{1B}[1A") && resumed.contains("10.0%"))
        #expect(resumed.contains("\u{1B}[J" + ANSI.showCursor))
    }
}
