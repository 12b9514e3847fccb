import Dispatch
import Foundation
import Trawl

/// Handles Ctrl-Z (`SIGTSTP`) so a stopped trawl leaves the shell a clean terminal: clears the live display
/// and shows the cursor, stops the process, and hides the cursor again once it goes on (`fg`, `bg`).
///
/// Left alone when trawl started with `SIGTSTP` ignored (a shell without job control): then Ctrl-Z does
/// nothing, as before. Created in a nonisolated function, like ``SignalWatcher``.
final class SuspendWatcher: Sendable {
    private nonisolated(unsafe) var source: (any DispatchSourceSignal)?
    private let queue = DispatchQueue(label: "trawl.suspend")

    nonisolated init(reporter: ProgressReporter) {
        guard !SignalWatcher.isIgnored(signal(SIGTSTP, SIG_IGN)) else { return }
        let source = DispatchSource.makeSignalSource(signal: SIGTSTP, queue: queue)
        source.setEventHandler {
            // Given half a second: a terminal paused with Ctrl-S, or standard error on a stalled pipe, would hold
            // the display's writer, and Ctrl-Z must stop trawl regardless.
            let cleared = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                reporter.suspendDisplay()
                cleared.signal()
            }
            _ = cleared.wait(timeout: .now() + .milliseconds(500))
            // SIGSTOP cannot be caught. Raised on this thread, it stops the process before raise returns, which it does
            // once the process is continued (kill(getpid()) could return, and resume, before the stop).
            raise(SIGSTOP)
            reporter.resumeDisplay()
        }
        source.resume()
        self.source = source
    }
}
