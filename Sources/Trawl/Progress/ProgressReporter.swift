import Dispatch
import Foundation
import Synchronization

/// Counts a crawl's ``ProgressEvent``s and shows them on standard error: a live line redrawn up to ten times
/// a second, or a plain line every few seconds for logs, and a summary at the end.
///
/// ```swift
/// let reporter = ProgressReporter(mode: .auto, destination: "results.ndjson", clock: clock)
/// reporter.start()
/// let summary = await crawler.run(input: input, sink: writer, events: { reporter.record($0) })
/// reporter.finish(interrupted: summary.interrupted)
/// ```
///
/// ``record(_:)`` only bumps counters under a lock, so it is cheap and never waits on the terminal. Drawing
/// happens on a private dispatch queue, prodded by a sleeping task: a stalled terminal stalls only that
/// queue's thread, never the crawl or the cooperative thread pool.
public final class ProgressReporter: Sendable {
    /// How progress is shown.
    public enum Mode: String, Sendable, CaseIterable {
        /// A live display when the output is a terminal (and `TERM` is not `dumb`), otherwise only the summary.
        /// On a terminal (here and with ``always``), frames are drawn only while the process is in its foreground
        /// (not `trawl … &`).
        case auto
        /// A live display even when the output is not a terminal (without colour there).
        case always
        /// Only the final summary.
        case never
        /// A plain, timestamped line every few seconds (for CI logs and `nohup`), then the summary; no
        /// escape sequences at all.
        case log
        /// Nothing: no progress, no summary, no notes.
        case quiet
    }

    /// What the resolved mode draws.
    struct Display: Sendable, Equatable {
        var live = false
        var log = false
        var summary = true
        var colour = false
    }

    private struct State {
        var origin: Duration
        var samples: [(time: Duration, attempts: Int, finished: Int)] = []
        var timer: Task<Void, Never>?
        var started = false
        var finished = false
        /// The live lines on screen now (0 when nothing is drawn).
        var drawnLines: [String] = []
        /// Their widths in columns, escape codes left out.
        var drawnColumns: [Int] = []
        var drawnWidth = 0
        /// Between ``ProgressReporter/suspendDisplay()`` and ``ProgressReporter/resumeDisplay()``: nothing drawn.
        var suspended = false
        /// When ``ProgressReporter/suspendDisplay()`` was called, so the rates can leave the stop out.
        var suspendedAt: Duration?
    }

    /// The resolved display settings.
    let display: Display
    private let output: TerminalOutput
    private let destination: String
    private let resumable: Bool?
    private let clock: CrawlClock
    private let refreshInterval: Duration
    private let logInterval: Duration
    private let rateWindow: Duration
    private let fallbackWidth: Int
    private let tally = Mutex(ProgressTally())
    private let state: Mutex<State>
    private let cursorHidden = Atomic<Bool>(false)
    private let tickPending = Atomic<Bool>(false)
    private let queue = DispatchQueue(label: "trawl.progress")

    /// Creates a reporter; nothing is drawn before ``start()``.
    /// - Parameters:
    ///   - mode: how to show progress.
    ///   - fd: where to write (standard error by default); never closed.
    ///   - destination: where the records go ("results.ndjson", "stdout"), for the summary.
    ///   - resumable: whether `--resume` can finish an interrupted run there (the summary says so); by
    ///     default, unless `destination` is "stdout".
    ///   - environment: decides colour (`NO_COLOR` non-empty or `TERM=dumb` turn it off) and the width
    ///     when `fd` is not a terminal (`COLUMNS`).
    ///   - clock: the run's clock: elapsed time, and the clock `hostPaused` deadlines are readings of. Pass
    ///     the crawler's clock.
    ///   - refreshInterval: the live display's redraw period.
    ///   - logInterval: the period of `log` mode's lines.
    ///   - rateWindow: how far back the current rates look.
    public init(
        mode: Mode, output fd: Int32 = 2, destination: String, resumable: Bool? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, clock: CrawlClock = .continuous,
        refreshInterval: Duration = .milliseconds(100), logInterval: Duration = .seconds(5),
        rateWindow: Duration = .seconds(5)
    ) {
        output = TerminalOutput(fd: fd)
        display = Self.resolve(mode, isTerminal: output.isTerminal, environment: environment)
        self.destination = destination
        self.resumable = resumable
        self.clock = clock
        self.refreshInterval = refreshInterval
        self.logInterval = logInterval
        self.rateWindow = rateWindow
        fallbackWidth = environment["COLUMNS"].flatMap { Int($0) }.map { max(1, $0) } ?? 80
        state = Mutex(State(origin: clock.now))
    }

    /// What `mode` draws on an output that is or is not a terminal, under `environment`.
    static func resolve(_ mode: Mode, isTerminal: Bool, environment: [String: String]) -> Display {
        let dumb = environment["TERM"] == "dumb"
        let noColour = !(environment["NO_COLOR"] ?? "").isEmpty
        var display = Display()
        switch mode {
        case .auto: display.live = isTerminal && !dumb
        case .always: display.live = true
        case .never: break
        case .log: display.log = true
        case .quiet: display.summary = false
        }
        display.colour = isTerminal && !dumb && !noColour && mode != .log && mode != .quiet
        return display
    }

    /// Counts `event`. Called from many tasks at once; takes a lock for a few additions, never blocks on
    /// output, never allocates (except for a host's first pause).
    public func record(_ event: ProgressEvent) {
        tally.withLock { $0.apply(event) }
    }

    /// Starts the elapsed time and the redraw timer (live or log mode). Later calls do nothing.
    public func start() {
        let interval: Duration
        if display.live {
            interval = refreshInterval
        } else if display.log {
            interval = logInterval
        } else {
            state.withLock { state in
                if !state.started { state.origin = clock.now }
                state.started = true
            }
            return
        }
        let begin = state.withLock { state -> Bool in
            guard !state.started, !state.finished else { return false }
            state.started = true
            state.origin = clock.now
            return true
        }
        guard begin else { return }
        // The first rates then count from the start, not from the first frame (5 s later in log mode).
        _ = snapshot()
        let timer = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval, tolerance: interval / 10)
                guard let self, !Task.isCancelled else { return }
                // A stalled terminal holds up the queue; skip ticks rather than pile them up.
                guard !self.tickPending.exchange(true, ordering: .acquiringAndReleasing) else { continue }
                self.queue.async {
                    self.draw()
                    self.tickPending.store(false, ordering: .releasing)
                }
            }
        }
        let keep = state.withLock { state -> Bool in
            if state.finished { return false }
            state.timer = timer
            return true
        }
        if !keep { timer.cancel() }
    }

    /// Writes a diagnostic line (`trawl: <message>`) above the live display; `message` is sanitized. Not
    /// in `quiet` mode.
    public func note(_ message: String) {
        guard display.summary else { return }
        let text = "trawl: " + TerminalText.sanitize(message) + "\n"
        queue.async {
            self.output.write(self.clearLive(width: self.currentWidth()) + text)
        }
    }

    /// Stops the timer, clears the live display, shows the cursor and writes the summary (unless `quiet`).
    /// Later calls write nothing. Blocks until the summary is written.
    /// - Parameter interrupted: whether the run was stopped early; the summary says so.
    /// - Returns: the final numbers.
    @discardableResult
    public func finish(interrupted: Bool) -> ProgressSnapshot {
        let (first, timer) = state.withLock { state in
            defer {
                state.finished = true
                state.timer = nil
            }
            return (!state.finished, state.timer)
        }
        timer?.cancel()
        let final = snapshot()
        guard first else { return final }
        queue.sync {
            var text = clearLiveShowingCursor()
            if display.summary {
                text += ProgressRenderer.summary(
                    final, destination: destination, interrupted: interrupted, resumable: resumable,
                    colour: display.colour)
            }
            if !text.isEmpty { output.write(text) }
        }
        return final
    }

    /// Clears the live display, shows the cursor and draws nothing more until ``resumeDisplay()``: call it
    /// before the process stops on a job-control signal (Ctrl-Z, `SIGTSTP`), so the shell gets a clean line and
    /// a visible cursor. Counting goes on. Blocks until the display is cleared; a second call does nothing.
    public func suspendDisplay() {
        let now = clock.now
        queue.sync {
            let first = state.withLock { state -> Bool in
                defer { state.suspended = true }
                guard !state.suspended else { return false }
                state.suspendedAt = now
                return true
            }
            guard first else { return }
            let text = clearLiveShowingCursor()
            if !text.isEmpty { output.write(text) }
        }
    }

    /// Undoes ``suspendDisplay()`` when the process goes on (`SIGCONT`, `fg`): the next frame is drawn afresh
    /// where the cursor is now (the shell wrote its own lines meanwhile), hiding the cursor again, and only once
    /// the process is in the terminal's foreground (not after `bg`). The rates go on from where they were: the
    /// time stopped counts in the elapsed time, but not as seconds in which nothing was done.
    public func resumeDisplay() {
        let now = clock.now
        queue.sync {
            state.withLock { state in
                state.suspended = false
                guard let at = state.suspendedAt else { return }
                state.suspendedAt = nil
                let stopped = max(.zero, now - at)
                for index in state.samples.indices { state.samples[index].time += stopped }
            }
        }
    }

    /// Shows the cursor again if the live display hid it. Idempotent, callable from any thread at any time
    /// (a signal handler, an exit path): one atomic exchange and at most one `write(2)` of a constant.
    public func restoreTerminal() {
        guard cursorHidden.exchange(false, ordering: .sequentiallyConsistent) else { return }
        let sequence: StaticString = "\u{1B}[?25h"
        _ = Platform.write(output.fd, sequence.utf8Start, sequence.utf8CodeUnitCount)
    }

    /// The numbers now, with the current rates over the last few seconds.
    public func snapshot() -> ProgressSnapshot {
        let now = clock.now
        let tally = self.tally.withLock { tally in
            if !tally.pauses.isEmpty { tally.prunePauses(now: now) }
            return tally
        }
        var snapshot = tally.snapshot(now: now)
        state.withLock { state in
            snapshot.elapsed = max(.zero, now - state.origin)
            state.samples.append((time: now, attempts: snapshot.attempts, finished: snapshot.finished))
            while state.samples.count > 2, state.samples[1].time <= now - rateWindow {
                state.samples.removeFirst()
            }
            if state.samples.count > 512 { state.samples.removeFirst(state.samples.count - 512) }
            if let first = state.samples.first {
                let seconds = ProgressSnapshot.seconds(now - first.time)
                if seconds > 0.05 {
                    snapshot.requestRate = Double(snapshot.attempts - first.attempts) / seconds
                    snapshot.finishRate = Double(snapshot.finished - first.finished) / seconds
                }
            }
            // The last two fifths of the window too: a crawl whose tail slows down (its last URLs on a paced
            // host) shows in it within a second or two, not after the whole window.
            if let recent = state.samples.last(where: { $0.time <= now - rateWindow * 2 / 5 }) {
                let seconds = ProgressSnapshot.seconds(now - recent.time)
                if seconds > 0.05 { snapshot.recentFinishRate = Double(snapshot.finished - recent.finished) / seconds }
            }
        }
        return snapshot
    }

    /// Draws one frame now, in order with everything else written (for tests; the timer does this).
    func tick() {
        queue.sync(execute: draw)
    }

    /// One timer tick, on `queue`: redraws the live display if it changed, or writes a log line.
    private func draw() {
        guard display.live || display.log, !state.withLock({ $0.finished || $0.suspended }) else { return }
        let snapshot = snapshot()
        if display.log {
            output.write(ProgressRenderer.logLine(snapshot, at: Date()) + "\n")
            return
        }
        // In the background (`trawl … &`, or `bg` after Ctrl-Z) a frame would land on the shell's prompt and
        // what the user types: draw only in the terminal's foreground, as git does.
        guard !output.isTerminal || output.isForeground else { return }
        let width = currentWidth()
        let lines = ProgressRenderer.liveLines(snapshot, width: width, colour: display.colour)
        let frame = state.withLock { state -> String? in
            guard !state.finished, !state.suspended, lines != state.drawnLines || width != state.drawnWidth else {
                return nil
            }
            var frame = "\r" + ANSI.up(Self.rowsAboveCursor(state.drawnColumns, width: width))
            if width != state.drawnWidth && !state.drawnLines.isEmpty {
                // After a resize, clear the old rows whole before drawing: tmux keeps a re-wrapped row's wrap
                // mark through overwriting, and would join the new lines into one at the next resize.
                frame += ANSI.clearToScreenEnd
            }
            frame += lines.joined(separator: ANSI.clearToLineEnd + "\n") + ANSI.clearToScreenEnd
            state.drawnLines = lines
            state.drawnColumns = lines.map(TerminalText.visibleColumns)
            state.drawnWidth = width
            return frame
        }
        guard var frame else { return }
        // Hidden with the first frame, not at the start: a run that never draws never hides it.
        if output.isTerminal, !cursorHidden.exchange(true, ordering: .sequentiallyConsistent) {
            frame = ANSI.hideCursor + frame
        }
        output.write(frame)
    }

    /// The width the live lines are fitted to now: the terminal's, or `COLUMNS` (80) when not a terminal.
    private func currentWidth() -> Int {
        output.isTerminal ? output.width(fallback: fallbackWidth) : fallbackWidth
    }

    /// How many rows the cursor, left at the end of lines of `columns` columns, is below the first of them once
    /// the terminal is `width` columns wide.
    ///
    /// The lines were cut to fit the width they were drawn at, but a terminal made narrower since then re-wraps
    /// them (tmux, VTE, iTerm2, kitty, Windows Terminal do): moving up one row per line would leave the wrapped
    /// parts behind. The cursor stays after the last character, so the last line counts only the rows before
    /// the cursor's.
    static func rowsAboveCursor(_ columns: [Int], width: Int) -> Int {
        guard let last = columns.last else { return 0 }
        let width = max(1, width)
        let above = columns.dropLast().reduce(0) { $0 + max(1, ($1 + width - 1) / width) }
        return above + max(0, last - 1) / width
    }

    /// ``clearLive(width:)`` at the current width, then the cursor shown again if the display hid it.
    private func clearLiveShowingCursor() -> String {
        var text = clearLive(width: currentWidth())
        if cursorHidden.exchange(false, ordering: .sequentiallyConsistent) { text += ANSI.showCursor }
        return text
    }

    /// The escape sequence that erases the live display (empty when nothing is drawn), marking it erased.
    private func clearLive(width: Int) -> String {
        state.withLock { state in
            guard !state.drawnLines.isEmpty else { return "" }
            defer {
                state.drawnLines = []
                state.drawnColumns = []
                state.drawnWidth = 0
            }
            return "\r" + ANSI.up(Self.rowsAboveCursor(state.drawnColumns, width: width)) + ANSI.clearToScreenEnd
        }
    }
}
